"""darkfleet.detect."""
