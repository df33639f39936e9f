"""darkfleet.screen."""
