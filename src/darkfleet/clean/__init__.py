"""darkfleet.clean."""
