"""The FastAPI application: JSON API over a read-only store, plus the offline map page at ``/``."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import duckdb
from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from darkfleet import __version__
from darkfleet.errors import DarkfleetError, InputError, NotFoundError, StoreError
from darkfleet.report.html import asset_path, render_page
from darkfleet.serve import queries
from darkfleet.serve.cache import ResponseCache
from darkfleet.serve.event_index import EventIndex
from darkfleet.serve.vessel_index import VesselIndex
from darkfleet.schema import EventType
from darkfleet.serve.params import (BBOX_FORMAT_MESSAGE, MAX_TRACK_SPAN, check_range, decode_cursor, parse_bbox,
                                    parse_time)

MAX_PAGE = 1000
_NUMBER = r"-?[0-9]+(\.[0-9]+)?"
BBOX_PATTERN = rf"^{_NUMBER}(,{_NUMBER}){{3}}$"
_PATTERN_MESSAGES = {"bbox": BBOX_FORMAT_MESSAGE}
MAX_TRACK_POINTS = 20_000
MAX_VESSEL_EVENTS = 1000  # events listed in a vessel detail
QUERY_MEMORY_LIMIT = "256MB"
DEFAULT_TRACK_SPAN = timedelta(days=7)


class ErrorBody(BaseModel):
    """The one error shape (``DarkfleetError.to_json``)."""

    error: str
    message: str
    status: int
    parameter: str | None = None


ERRORS = {404: {"model": ErrorBody}, 422: {"model": ErrorBody}}
MMSI = Annotated[int, PathParam(ge=0, le=999_999_999, description="MMSI (up to 9 digits)")]


def _error_response(exc: DarkfleetError, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(exc.to_json(), status_code=exc.http_status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DarkfleetError)
    async def _darkfleet(_: Request, exc: DarkfleetError) -> JSONResponse:
        return _error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": ("query", "?"), "msg": "invalid request"}
        loc = first["loc"]
        # loc is ("query", name[, index]) for query values; name the parameter, not the list index
        parameter = str(loc[1] if len(loc) > 1 and loc[0] in ("query", "path") else loc[-1])
        if first.get("type") == "string_pattern_mismatch" and parameter in _PATTERN_MESSAGES:
            # the OpenAPI pattern keeps schema-driven clients valid; people need the format, not the regex
            return _error_response(InputError(_PATTERN_MESSAGES[parameter], parameter=parameter))
        return _error_response(InputError(f"{parameter}: {first['msg']}", parameter=parameter))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        error = NotFoundError(str(exc.detail)) if exc.status_code == 404 else DarkfleetError(str(exc.detail))
        error.http_status = exc.status_code
        return _error_response(error, headers=exc.headers)  # e.g. Allow on 405, as RFC 9110 requires


def _open_store(db_path: Path) -> tuple[duckdb.DuckDBPyConnection, list[str]]:
    if not db_path.exists():
        raise StoreError("database does not exist: run 'darkfleet ingest' first", path=db_path)
    try:
        return queries.connect_read_only(str(db_path))
    except duckdb.Error as exc:
        raise StoreError(f"cannot open database read-only: {exc}", path=db_path) from exc


def check_store(db_path: str | Path) -> None:
    """Raise :class:`StoreError` unless the store opens read-only (without loading what a worker holds)."""
    _open_store(Path(db_path))[0].close()


class _Database:
    """One read-only DuckDB connection; each request works on its own cursor (thread-safe)."""

    def __init__(self, db_path: Path) -> None:
        self.con, self.missing_tables = _open_store(db_path)
        self.cache = ResponseCache()
        with self.cursor() as cur:
            self.events = EventIndex.load(cur)
            self.vessels = VesselIndex(cur)
        # after start-up DuckDB only scans a few row groups per track: a small buffer pool keeps each
        # worker from caching the whole store over time (the OS page cache holds it once for all)
        self.con.execute(f"SET memory_limit = '{QUERY_MEMORY_LIMIT}'")
        self._summary: dict[str, Any] | None = None
        self._lock = threading.Lock()

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = self.con.cursor()
        try:
            yield cur
        except duckdb.Error as exc:
            raise StoreError(f"query failed: {exc}") from exc
        finally:
            cur.close()

    def query(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run one function of :mod:`queries` on a fresh cursor."""
        with self.cursor() as cur:
            return fn(cur, *args)

    def summary(self) -> dict[str, Any]:
        # the store is opened read-only, so its totals cannot change while we serve
        with self._lock:
            if self._summary is None:
                with self.cursor() as cur:
                    self._summary = queries.summary(cur)
            return self._summary


def _page_html() -> str:
    styles = "\n".join(f'<link rel="stylesheet" href="/static/{n}">' for n in ("vendor/leaflet.css", "darkfleet.css"))
    scripts = "\n".join(f'<script src="/static/{n}"></script>' for n in (
        "vendor/leaflet.js", "vendor/topojson-client.min.js", "darkfleet-map.js", "api-source.js"))
    return render_page(title="darkfleet map", subtitle="", head=styles, scripts=scripts)


def create_app(db_path: str | Path) -> FastAPI:
    """The darkfleet web application over the store at ``db_path`` (opened read-only)."""
    db = _Database(Path(db_path))
    # endpoints return JSONResponse themselves: FastAPI's recursive encoder would cost more than the query
    app = FastAPI(title="darkfleet", version=__version__,
                  description="Dark-fleet events, vessels, risk and tracks from a darkfleet store (read-only).")
    _install_error_handlers(app)
    app.state.db = db
    app.mount("/static", StaticFiles(directory=asset_path(".")), name="static")
    page = _page_html()

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> str:
        return page

    @app.get("/healthz", tags=["meta"])
    def healthz() -> JSONResponse:
        with db.cursor() as cur:
            cur.sql("SELECT 1").fetchall()
        return JSONResponse({"status": "ok", "version": __version__, "read_only": True,
                             "missing_tables": db.missing_tables})

    # routes answered from memory are coroutines: a hop to the thread pool would cost more than the answer
    @app.get("/api/summary", tags=["meta"])
    async def summary() -> JSONResponse:
        return JSONResponse(db.summary())

    @app.get("/api/events", tags=["events"], responses=ERRORS)
    async def events(
        type: Annotated[list[EventType] | None, Query(description="event type(s); repeat for several")] = None,
        bbox: Annotated[str | None, Query(pattern=BBOX_PATTERN, description="min_lon,min_lat,max_lon,max_lat (deg)")] = None,
        start: Annotated[str | None, Query(description="ISO 8601; events ending at or after")] = None,
        end: Annotated[str | None, Query(description="ISO 8601; events starting at or before")] = None,
        mmsi: Annotated[int | None, Query(ge=0, le=999_999_999)] = None,
        min_confidence: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
        cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    ) -> Response:
        flt = queries.EventFilter(
            types=[t.value for t in type] if type else None, bbox=parse_bbox(bbox), start=parse_time(start, "start"),
            end=parse_time(end, "end"), mmsi=mmsi, min_confidence=min_confidence, after=decode_cursor(cursor),
        )
        check_range(flt.start, flt.end)
        return db.cache.json(("events", repr(flt), limit), lambda: db.events.page(flt, limit))

    @app.get("/api/vessels", tags=["vessels"], responses=ERRORS)
    async def vessels(
        sort: Literal["risk", "mmsi", "name"] = "risk",
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
        q: Annotated[str | None, Query(max_length=64, description="search: name, MMSI or IMO")] = None,
    ) -> Response:
        text = q.strip() if q else None
        return db.cache.json(("vessels", sort, limit, text), lambda: db.vessels.vessels(sort, limit, text))

    @app.get("/api/vessels/{mmsi}", tags=["vessels"], responses=ERRORS)
    async def vessel(mmsi: MMSI) -> Response:
        def produce() -> bytes:
            events = db.events.vessel_rows(mmsi)[:MAX_VESSEL_EVENTS]
            if events.size == 0 and not db.vessels.exists(mmsi):
                raise NotFoundError(f"no vessel with MMSI {mmsi}", parameter="mmsi")
            return db.vessels.detail_head(mmsi) + b',"events":' + db.events.json_array(events) + b"}"

        return db.cache.json(("vessel", mmsi), produce)

    @app.get("/api/vessels/{mmsi}/track", tags=["vessels"], responses=ERRORS)
    def track(
        mmsi: MMSI,
        start: Annotated[str | None, Query(description="ISO 8601; default end - 7 days")] = None,
        end: Annotated[str | None, Query(description="ISO 8601; default the last position")] = None,
        zoom: Annotated[int | None, Query(ge=0, le=22, description="map zoom; simplifies to ~1.5 px")] = None,
        max_points: Annotated[int, Query(ge=2, le=MAX_TRACK_POINTS)] = 5000,
    ) -> Response:
        t0, t1 = parse_time(start, "start"), parse_time(end, "end")
        check_range(t0, t1)
        if t0 is not None and t1 is not None and t1 - t0 > MAX_TRACK_SPAN:
            raise InputError(f"track span is limited to {MAX_TRACK_SPAN.days} days", parameter="end")
        def produce() -> dict[str, Any]:
            window = db.query(queries.default_window, mmsi, t0, t1, DEFAULT_TRACK_SPAN)
            if window is None:
                raise NotFoundError(f"no positions for MMSI {mmsi}", parameter="mmsi")
            draught = db.vessels.draught(mmsi, window[0], window[1])
            return db.query(queries.track, mmsi, window[0], window[1], zoom, max_points, draught)

        return db.cache.json(("track", mmsi, t0, t1, zoom, max_points), produce)

    return app


def app_from_env() -> FastAPI:
    """Factory for multi-worker uvicorn (each worker process builds its own app)."""
    import os

    path = os.environ.get("DARKFLEET_SERVE_DB")
    if not path:
        raise StoreError("DARKFLEET_SERVE_DB is not set")
    return create_app(path)
