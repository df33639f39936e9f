"""Loopback load test of ``darkfleet serve``: p50/p95/p99 latency under concurrent clients.

Builds (or reuses) a synthetic store of N positions, starts the API on 127.0.0.1 in a child
process, and runs C concurrent clients over five request mixes: an events page with filters,
the risk-ranked vessel list, a vessel search, a vessel detail and a 7-day track. Bounded in requests and
time. Reports the server's CPU time per request and the resident memory of each server process.

\b
Example:
  python benchmarks/serve.py --positions 20000000 --db /tmp/bench.duckdb --clients 50 --requests 400
  # 108 M positions: the regional scenario (ingested, detected, scored) copied 3 MMSI x 3 weeks
  python benchmarks/serve.py --replicate reg.duckdb --copies 3x3 --db /tmp/big.duckdb
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import psutil

from darkfleet import schema
from darkfleet.store import Store

START = "2024-01-01 00:00:00+00"
STEP_S = 60  # one fix a minute: a dense AIS feed
MMSI_STEP = 1000  # replicas of a real store: distinct MMSIs for the regional scenario (checked after building)
TYPES = [t.value for t in schema.EventType]


def build_store(path: Path, n_positions: int, n_vessels: int, n_events: int) -> None:
    """Write a synthetic store, rows sorted by (mmsi, time) as ingest leaves them, so zone maps prune."""
    per_vessel = n_positions // n_vessels
    with Store(path) as store:
        for name, sch in (("positions", schema.POSITIONS), ("static", schema.STATIC),
                          ("events", schema.EVENTS), ("vessels", schema.VESSELS)):
            store.ensure_table(name, sch)
        con = store.con
        t0 = time.perf_counter()
        # generated inside DuckDB: no Python loop over positions
        con.execute(f"""
            INSERT INTO positions (mmsi, timestamp_utc, lat, lon, sog_kn, cog_deg, msg_type)
            SELECT 200000000 + v AS mmsi,
                   TIMESTAMPTZ '{START}' + to_seconds(i * {STEP_S}) AS timestamp_utc,
                   (v % 60) - 30 + 0.5 * sin(i / 700.0 + v) AS lat,
                   ((v * 7) % 300) - 150 + (i % 20000) * 0.0004 AS lon,
                   (8 + 4 * sin(i / 300.0))::REAL, ((i / 10) % 360)::REAL, 1
            FROM range({n_vessels}) r(v), range({per_vessel}) s(i)
            ORDER BY mmsi, timestamp_utc
        """)
        print(f"positions: {n_vessels * per_vessel:,} rows in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        days = max(1, per_vessel * STEP_S // 86400)
        con.execute(f"""
            INSERT INTO static (mmsi, timestamp_utc, imo, name, draught_m, ship_type, msg_type)
            SELECT 200000000 + v, TIMESTAMPTZ '{START}' + to_days(d), 9000000 + v, 'VESSEL ' || v,
                   (8 + (d % 3))::REAL, 80, 5
            FROM range({n_vessels}) r(v), range({days}) s(d)
        """)
        con.execute(f"""
            INSERT INTO vessels (mmsi, imo, name, flag, ship_type, risk_score, risk_factors, sanctions)
            SELECT 200000000 + v, 9000000 + v, 'VESSEL ' || v, 'PA', 80, (v * 37) % 101,
                   '[{{"factor": "ais_gap", "points": 10, "evidence": "synthetic"}}]', '[]'
            FROM range({n_vessels}) r(v)
        """)
        con.execute(f"""
            INSERT INTO events
            SELECT 'ev-' || e, ['{"','".join(TYPES)}'][1 + e % {len(TYPES)}], 200000000 + (e * 13) % {n_vessels},
                   CASE WHEN e % 3 = 0 THEN 200000000 + (e * 17) % {n_vessels} END,
                   TIMESTAMPTZ '{START}' + to_minutes((e * 97) % ({days} * 1440)),
                   TIMESTAMPTZ '{START}' + to_minutes((e * 97) % ({days} * 1440) + 360),
                   (e % 120) - 60 + 0.1, (e % 340) - 170 + 0.1, (e % 100) / 100.0, false,
                   '{{"synthetic": true}}'
            FROM range({n_events}) r(e)
        """)
        con.execute("CHECKPOINT")


def replicate_store(source: Path, path: Path, mmsi_copies: int, week_copies: int, memory_limit: str = "4GB") -> None:
    """Grow a real detect+score store (e.g. the regional scenario) into a big one without re-running anything.

    Each copy shifts MMSIs by a multiple of MMSI_STEP and/or times by whole weeks, so vessels keep
    their realistic tracks, events and risk factors. Positions are written sorted by (mmsi, time) as
    ingest leaves them, so DuckDB's zone maps prune a vessel's track to a few row groups.
    """
    con = duckdb.connect(str(path), config={"memory_limit": memory_limit, "threads": 2,
                                            "preserve_insertion_order": True})
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        con.execute(f"ATTACH '{source}' AS src (READ_ONLY)")  # operator's path, not request input
        # t.* below: the copy counters j and k must not become columns of the copied tables
        copies = f"range({mmsi_copies}) m(j), range({week_copies}) w(k)"
        shift = "to_days(7 * k)"
        mmsi = f"mmsi + j * {MMSI_STEP}"
        t0 = time.perf_counter()
        con.execute(f"""CREATE TABLE positions AS
            SELECT t.* REPLACE ({mmsi} AS mmsi, timestamp_utc + {shift} AS timestamp_utc)
            FROM src.positions t, {copies} ORDER BY mmsi, timestamp_utc""")
        print(f"positions: {con.sql('SELECT count(*) FROM positions').fetchall()[0][0]:,} rows in "
              f"{time.perf_counter() - t0:.0f} s", file=sys.stderr)
        con.execute(f"""CREATE TABLE static AS
            SELECT t.* REPLACE ({mmsi} AS mmsi, timestamp_utc + {shift} AS timestamp_utc)
            FROM src.static t, {copies} ORDER BY mmsi, timestamp_utc""")
        con.execute(f"""CREATE TABLE events AS
            SELECT t.* REPLACE (event_id || '-' || j || '-' || k AS event_id, {mmsi} AS mmsi,
                              other_mmsi + j * {MMSI_STEP} AS other_mmsi, start_utc + {shift} AS start_utc,
                              end_utc + {shift} AS end_utc)
            FROM src.events t, {copies} ORDER BY start_utc, event_id""")
        con.execute(f"CREATE TABLE vessels AS SELECT t.* REPLACE ({mmsi} AS mmsi) FROM src.vessels t, range({mmsi_copies}) m(j)")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _cpu_s(processes: list) -> float:
    """User + system CPU seconds of the server processes (uvicorn's supervisor and its workers)."""
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def _rss_bytes(process) -> int:
    with contextlib.suppress(psutil.NoSuchProcess):
        return process.memory_info().rss
    return 0


def _wait_until_idle(processes: list, idle_cpu_s: float = 0.05, timeout_s: float = 300.0) -> None:
    """Until the server uses almost no CPU for a second: every worker has finished its start-up."""
    deadline = time.monotonic() + timeout_s
    before = _cpu_s(processes)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = _cpu_s(processes)
        if now - before < idle_cpu_s:
            return
        before = now
    raise SystemExit("server workers did not settle after start-up")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# issue 6: events and vessel queries under 200 ms, a 7-day track under 500 ms (p95, 50 clients)
TARGET_P95_MS = {"events (filtered page)": 200, "vessels (risk top 100)": 200, "vessel search": 200,
                 "vessel detail": 200, "track 7 days": 500}


def _requests(mmsis: list[int], first_day: date, days: int, types: list[str], rng: random.Random) -> dict[str, callable]:
    """Request mixes over the store's own vessels, event types and time span."""
    def mmsi() -> int:
        return rng.choice(mmsis)

    def day(latest: int) -> str:
        return (first_day + timedelta(days=rng.randrange(max(latest, 1)))).isoformat()

    # parameters are drawn at random so that the server's response cache mostly misses:
    # the numbers measure queries, not memory look-ups
    def events() -> str:
        lon = rng.randrange(-180, 90)
        return (f"/api/events?type={rng.choice(types)}&start={day(days - 2)}T{rng.randrange(24):02d}:00:00Z"
                f"&min_confidence=0.{rng.randrange(1, 10)}&bbox={lon},-60,{lon + 90},60&limit=100")

    def track() -> str:
        start = first_day + timedelta(days=rng.randrange(max(days - 7, 1)))
        return f"/api/vessels/{mmsi()}/track?start={start.isoformat()}T00:00:00Z&end={(start + timedelta(days=7)).isoformat()}T00:00:00Z&zoom=10"

    return {
        # no query at all: the floor set by HTTP, the event loop and the load generator on this machine
        "healthz (baseline)": lambda: "/healthz",
        "events (filtered page)": events,
        "vessels (risk top 100)": lambda: "/api/vessels?sort=risk&limit=100",
        "vessel search": lambda: f"/api/vessels?q={str(mmsi())[:rng.randrange(6, 10)]}&limit=20",
        "vessel detail": lambda: f"/api/vessels/{mmsi()}",
        "track 7 days": track,
    }


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, url: str) -> int:
    """One keep-alive HTTP/1.1 GET; returns the status. A minimal client keeps the load generator's own
    CPU use small, so on a 2-core machine the cores go to the server being measured."""
    writer.write(f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
    await reader.readexactly(length)
    return status


async def _load(port: int, make_url, clients: int, total: int, time_limit_s: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    remaining = total
    deadline = time.monotonic() + time_limit_s

    async def client_loop() -> None:
        nonlocal remaining, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while remaining > 0 and time.monotonic() < deadline:
                remaining -= 1
                t = time.perf_counter()
                try:
                    errors += await _get(reader, writer, make_url()) != 200
                except (OSError, asyncio.IncompleteReadError, ValueError, StopIteration):
                    errors += 1  # counted, not fatal: reconnect and go on
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                latencies.append((time.perf_counter() - t) * 1000)
        finally:
            writer.close()

    await asyncio.gather(*(client_loop() for _ in range(clients)))
    return latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path("/tmp/darkfleet-bench-serve.duckdb"))
    parser.add_argument("--positions", type=int, default=20_000_000)
    parser.add_argument("--vessels", type=int, default=5000)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=400, help="per request mix")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per request mix")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (one per core)")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--replicate", type=Path, metavar="STORE",
                        help="build --db from copies of this detected and scored store instead of synthetic rows")
    parser.add_argument("--copies", default="3x3", help="with --replicate: MMSI copies x week copies")
    args = parser.parse_args()

    if args.rebuild and args.db.exists():
        args.db.unlink()
    if not args.db.exists() and args.replicate:
        mmsi_copies, week_copies = (int(n) for n in args.copies.split("x"))
        replicate_store(args.replicate, args.db, mmsi_copies, week_copies)
    elif not args.db.exists():
        build_store(args.db, args.positions, args.vessels, args.events)
    con = duckdb.connect(str(args.db), read_only=True)
    con.execute("SET enable_progress_bar = false")
    n_positions = con.sql("SELECT count(*) FROM positions").fetchall()[0][0]
    mmsis = [r[0] for r in con.sql("SELECT mmsi FROM vessels ORDER BY mmsi").fetchall()]
    types = [r[0] for r in con.sql("SELECT DISTINCT event_type FROM events ORDER BY 1").fetchall()] or TYPES
    first, last = con.sql("SELECT min(timestamp_utc), max(timestamp_utc) FROM positions").fetchall()[0]
    con.close()
    days = (last - first).days
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-c", "from darkfleet.cli import main; main()", "serve", "--db", str(args.db), "--host",
                               "127.0.0.1", "--port", str(port), "--workers", str(args.workers)],
                              stderr=open(f"{args.db}.serve.log", "w"))
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"server did not become healthy; see {args.db}.serve.log")
        rng = random.Random(0)
        results = {"positions": n_positions, "vessels": len(mmsis), "days": days, "load_avg_1m_before": os.getloadavg()[0], "clients": args.clients,
                   "workers": args.workers, "db_bytes": args.db.stat().st_size, "mixes": {}}
        server_tree = [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]
        _wait_until_idle(server_tree)  # the first worker answers while the others still load the store
        for name, make_url in _requests(mmsis, first.date(), days, types, rng).items():
            asyncio.run(_load(port, make_url, args.clients, args.clients, 30))  # warm-up round
            cpu_before_s = _cpu_s(server_tree)
            lat, errors = asyncio.run(_load(port, make_url, args.clients, args.requests, args.time_limit))
            # server CPU per request: what the machine's load cannot inflate; with C idle cores and N clients
            # the expected latency is about N x cpu_ms / C
            cpu_ms = (_cpu_s(server_tree) - cpu_before_s) * 1000 / max(len(lat), 1)
            p50, p95, p99 = np.percentile(lat, [50, 95, 99])
            target = TARGET_P95_MS.get(name)
            verdict = "" if target is None else f"target p95<{target} ms: {'met' if p95 < target else 'MISSED'}"
            results["mixes"][name] = {"requests": len(lat), "errors": errors, "cpu_ms": round(cpu_ms, 2), "p50_ms": round(p50, 1),
                                      "p95_ms": round(p95, 1), "p99_ms": round(p99, 1), "target_p95_ms": target,
                                      "load_avg_1m": os.getloadavg()[0]}
            print(f"{name:26s} n={len(lat):4d} err={errors} cpu={cpu_ms:5.1f} ms p50={p50:7.1f} ms p95={p95:7.1f} ms p99={p99:7.1f} ms "
                  f"load={os.getloadavg()[0]:.1f}  {verdict}", flush=True)
        # resident memory of each server process after the run (uvicorn's supervisor first, then its workers)
        results["rss_mb"] = [round(_rss_bytes(process) / 2**20) for process in server_tree]
        print(f"server processes RSS (MB): {results['rss_mb']}", flush=True)
        print(json.dumps(results))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
