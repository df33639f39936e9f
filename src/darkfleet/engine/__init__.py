"""darkfleet.engine."""
