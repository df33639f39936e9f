"""darkfleet.screen: sanctions lists (OFAC, EU, UK, FollowTheMoney) and vessel screening.

    registry = load_registry(["sdn.xml", "eu-reg-833-2014-annexes.csv"])
    matches = screen(registry, vessels)          # Polars frame, one row per match
"""

from darkfleet.screen.lists import SUPPORTED_LAYOUTS, detect_layout, load_list, load_registry
from darkfleet.screen.match import MATCH_SCHEMA, MatchConfig
from darkfleet.screen.registry import Entry, ListVersion, LoadIssue, Registry, SanctionsList
from darkfleet.screen.screening import sanctions_json, screen

__all__ = [
    "MATCH_SCHEMA", "SUPPORTED_LAYOUTS", "Entry", "ListVersion", "LoadIssue", "MatchConfig", "Registry",
    "SanctionsList", "detect_layout", "load_list", "load_registry", "sanctions_json", "screen",
]
