"""darkfleet.score."""
