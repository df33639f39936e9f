"""Benchmark: screen 60,000 vessels (plus owners and former identities) against all real lists.

    python benchmarks/screen.py [--vessels 60000] [--seed 1]

Vessels are synthetic but shaped like a registry: valid IMOs, names drawn from words of real
ship names, owners from company-like names; 1 % carry a listed IMO, 1 % a listed name with one
letter changed, and one former identity in ten is the listed one. Prints a table of timings and
counts; the target is < 10 s for screening on 2 cores.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import polars as pl
from rich.console import Console
from rich.table import Table

from darkfleet.imo import imo_check_digit_ok
from darkfleet.screen import Registry, load_list, screen

LISTS = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sanctions"
FILES = ("ofac-sdn-2023-01-21-with-header.csv", "ofac-sdn-csv-2021", "ofac-sdn-xml-2026-sample.xml",
         "eu-reg-833-2014-annexes.csv")
WORDS = ["OCEAN", "STAR", "PACIFIC", "SEA", "GLORY", "NORD", "BLUE", "WAVE", "SPIRIT", "EAGLE", "MARIA", "HOPE",
         "PRIDE", "ATLANTIC", "FORTUNE", "KING", "QUEEN", "LADY", "ISLAND", "BAY", "CAPE", "RIVER", "SUN", "MOON"]


def _valid_imos(rng: np.random.Generator, n: int) -> np.ndarray:
    candidates = rng.integers(9_000_000, 9_999_999, size=n * 12)
    return candidates[imo_check_digit_ok(candidates)][:n]


def synthetic_vessels(registry: Registry, n: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    words = np.array(WORDS)
    names = pl.Series(words[rng.integers(0, len(words), n)]) + " " + pl.Series(words[rng.integers(0, len(words), n)]) \
        + " " + pl.Series(rng.integers(1, 99, n).astype(str))
    imos = _valid_imos(rng, n)
    listed = registry.entries_frame().filter((pl.col("kind") == "vessel") & pl.col("imo").is_not_null())
    planted = rng.choice(listed.height, size=n // 100, replace=False)
    imos[: n // 100] = listed["imo"].to_numpy()[planted]
    fuzzy = listed["name"].to_numpy()[rng.choice(listed.height, size=n // 100)]
    fuzzy = [s[:-1] + ("X" if s[-1] != "X" else "Y") for s in fuzzy.astype(str)]
    names = names.to_list()
    names[n // 100 : 2 * (n // 100)] = fuzzy
    companies = [f"{a} {b} SHIPPING LTD" for a, b in zip(words[rng.integers(0, len(words), 5000)],
                                                         words[rng.integers(0, len(words), 5000)], strict=True)]
    mmsi = np.arange(200_000_000, 200_000_000 + n, dtype=np.int64)
    imo_col = pl.Series("imo", imos).scatter(np.arange(n // 100, 2 * (n // 100)), None)  # fuzzy ones broadcast no IMO
    vessels = pl.DataFrame({
        "mmsi": mmsi, "imo": imo_col, "name": names, "ship_type": rng.integers(70, 90, n).astype(np.int16),
        "owner": np.array(companies)[rng.integers(0, len(companies), n)],
        "manager": np.array(companies)[rng.integers(0, len(companies), n)],
    })
    former_rows = rng.choice(n, size=n // 10, replace=False)
    identities = pl.DataFrame({
        "mmsi": mmsi[former_rows], "imo": _valid_imos(rng, len(former_rows)),
        "name": np.array(WORDS)[rng.integers(0, len(WORDS), len(former_rows))],
    })
    return vessels, identities


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vessels", type=int, default=60_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not LISTS.is_dir():
        raise SystemExit(f"real lists not found at {LISTS} (see ../shared/data/README.md)")
    t0 = time.perf_counter()
    registry = Registry([load_list(LISTS / f) for f in FILES])
    t_load = time.perf_counter() - t0
    vessels, identities = synthetic_vessels(registry, args.vessels, args.seed)
    t1 = time.perf_counter()
    matches = screen(registry, vessels, identities)
    t_screen = time.perf_counter() - t1
    listed_vessels = registry.entries_frame().filter(pl.col("kind") == "vessel").height
    table = Table(title=f"darkfleet screening benchmark ({args.vessels:,} vessels)")
    for col in ("step", "seconds", "detail"):
        table.add_column(col)
    table.add_row("load 4 lists", f"{t_load:.2f}", f"{len(registry.lists)} lists, {listed_vessels:,} listed vessels")
    table.add_row("screen", f"{t_screen:.2f}",
                  f"{vessels.height:,} vessels + {identities.height:,} former identities + owners/managers")
    hits = matches.filter(pl.col("level") == "hit")
    table.add_row("hits", "", f"{hits['mmsi'].n_unique():,} vessels ({args.vessels // 100:,} planted by IMO)")
    review = matches.filter(pl.col("level") == "review")["mmsi"].n_unique()
    table.add_row("review", "", f"{review:,} vessels ({args.vessels // 100:,} planted with one letter changed)")
    table.add_row("target", "< 10", "PASS" if t_screen < 10 else "FAIL")
    Console().print(table)


if __name__ == "__main__":
    main()
