"""darkfleet.simulate."""
