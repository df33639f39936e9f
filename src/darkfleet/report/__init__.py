"""darkfleet.report."""
