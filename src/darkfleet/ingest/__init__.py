"""darkfleet.ingest."""
