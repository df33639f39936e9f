"""``darkfleet serve``: the REST API and the offline map page over a store."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("serve")
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="darkfleet DuckDB store (opened read-only).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind; only loopback unless you say otherwise.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="uvicorn worker processes (each opens the store read-only).")
def serve(db_path: Path, host: str, port: int, workers: int) -> None:
    """Serve the API (OpenAPI at /docs) and the interactive map at /.

    \b
    Example:
      darkfleet serve --db fleet.duckdb
      curl 'http://127.0.0.1:8000/api/events?type=dark_sts&limit=10'
    """
    from darkfleet.errors import require
    from darkfleet.serve.app import check_store, create_app

    uvicorn = require("uvicorn", "serve")
    if workers == 1:
        app = create_app(db_path)  # fails fast with a clear message before uvicorn starts
        click.echo(f"darkfleet: serving {db_path} on http://{host}:{port}/ (read-only)", err=True)
        uvicorn.run(app, host=host, port=port, log_level="warning")
    else:
        # the supervisor only checks the store: each worker loads its own copy of the in-memory indexes
        check_store(db_path)
        click.echo(f"darkfleet: serving {db_path} on http://{host}:{port}/ with {workers} workers (read-only)", err=True)
        import os

        os.environ["DARKFLEET_SERVE_DB"] = str(db_path.resolve())
        uvicorn.run("darkfleet.serve.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_level="warning")
