"""darkfleet.serve: read-only REST API and offline map page (FastAPI)."""

from darkfleet.serve.app import create_app

__all__ = ["create_app"]
