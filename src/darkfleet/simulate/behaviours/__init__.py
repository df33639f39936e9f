"""Behaviours: how each kind of generation unit (background traffic, planted dark-fleet
behaviour, benign look-alike) lays out the plans of its vessels."""
