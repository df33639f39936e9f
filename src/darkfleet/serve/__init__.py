"""darkfleet.serve."""
