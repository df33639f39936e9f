"""NMEA decoding benchmark: darkfleet's Numba decoder against pyais (and libais if present).

Example:
  python benchmarks/nmea_bench.py --messages 1000000
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

_SIX = np.array([32, 16, 8, 4, 2, 1], dtype=np.uint8)
_HEX = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)
_T0 = 1_700_000_000
_POSITIONS_PER_BLOCK = 24  # then one two-part type 5: ~4 % static messages, as in DMA feeds


def _bits(values: np.ndarray, width: int) -> np.ndarray:
    """Two's complement bit columns (n, width), most significant first."""
    v = values.astype(np.int64) & ((1 << width) - 1)
    return ((v[:, None] >> np.arange(width - 1, -1, -1)) & 1).astype(np.uint8)


def _armour(bits: np.ndarray) -> np.ndarray:
    six = bits.reshape(bits.shape[0], -1, 6) @ _SIX
    return np.where(six < 40, six + 48, six + 56).astype(np.uint8)


def _text_bits(text: str, n_chars: int, n: int) -> np.ndarray:
    codes = np.array([c - 64 if c >= 64 else c for c in text.ljust(n_chars, "@").encode()], dtype=np.int64)
    return np.tile(np.concatenate([_bits(np.array([c]), 6)[0] for c in codes]), (n, 1))


def _lines(prefix: bytes, payload: np.ndarray, suffix: bytes, times: np.ndarray) -> np.ndarray:
    """Fixed-width lines ``\\c:<time>*hh\\!<prefix><payload><suffix>*hh\\n`` with real checksums."""
    n = payload.shape[0]
    digits = (times[:, None] // 10 ** np.arange(9, -1, -1)) % 10 + 48
    tag_body = np.hstack([np.tile(np.frombuffer(b"c:", np.uint8), (n, 1)), digits.astype(np.uint8)])
    body = np.hstack([np.tile(np.frombuffer(prefix, np.uint8), (n, 1)), payload,
                      np.tile(np.frombuffer(suffix, np.uint8), (n, 1))])

    def star_hex(part: np.ndarray) -> np.ndarray:
        xor = np.bitwise_xor.reduce(part, axis=1)
        return np.stack([np.full(n, 42, np.uint8), _HEX[xor >> 4], _HEX[xor & 15]], axis=1)

    one = lambda b: np.tile(np.frombuffer(b, np.uint8), (n, 1))  # noqa: E731
    return np.hstack([one(b"\\"), tag_body, star_hex(tag_body), one(b"\\!"), body, star_hex(body), one(b"\n")])


def _positions(rng: np.random.Generator, n: int, times: np.ndarray) -> np.ndarray:
    msg_type = rng.choice([1, 3, 18], size=n, p=[0.7, 0.1, 0.2])
    mmsi = rng.integers(200_000_000, 775_999_999, n)
    lon = np.round(rng.uniform(-30, 40, n) * 600_000)
    lat = np.round(rng.uniform(30, 65, n) * 600_000)
    sog = rng.integers(0, 250, n)
    cog = rng.integers(0, 3600, n)
    heading = rng.integers(0, 360, n)
    class_a = msg_type != 18
    head = np.hstack([_bits(msg_type, 6), _bits(np.zeros(n), 2), _bits(mmsi, 30)])
    a = np.hstack([head, _bits(np.zeros(n), 4), _bits(np.zeros(n), 8), _bits(sog, 10), _bits(np.zeros(n), 1),
                   _bits(lon, 28), _bits(lat, 27), _bits(cog, 12), _bits(heading, 9), _bits(times % 60, 6),
                   _bits(np.zeros(n), 25)])
    b = np.hstack([head, _bits(np.zeros(n), 8), _bits(sog, 10), _bits(np.zeros(n), 1), _bits(lon, 28),
                   _bits(lat, 27), _bits(cog, 12), _bits(heading, 9), _bits(times % 60, 6), _bits(np.zeros(n), 29)])
    return _lines(b"AIVDM,1,1,,A,", _armour(np.where(class_a[:, None], a, b)), b",0", times)


def _statics(rng: np.random.Generator, n: int, times: np.ndarray) -> np.ndarray:
    mmsi = rng.integers(200_000_000, 775_999_999, n)
    imo = rng.integers(9_000_000, 9_999_999, n)
    bits = np.hstack([
        _bits(np.full(n, 5), 6), _bits(np.zeros(n), 2), _bits(mmsi, 30), _bits(np.zeros(n), 2), _bits(imo, 30),
        _text_bits("PDAB", 7, n), _text_bits("NORDIC TANKER", 20, n), _bits(np.full(n, 80), 8),
        _bits(rng.integers(50, 200, n), 9), _bits(rng.integers(10, 60, n), 9), _bits(np.full(n, 15), 6),
        _bits(np.full(n, 15), 6), _bits(np.ones(n), 4), _bits(rng.integers(1, 13, n), 4),
        _bits(rng.integers(1, 29, n), 5), _bits(rng.integers(0, 24, n), 5), _bits(rng.integers(0, 60, n), 6),
        _bits(rng.integers(30, 200, n), 8), _text_bits("ROTTERDAM", 20, n), _bits(np.zeros(n), 2),
    ])  # 424 bits = 70 characters + 4 fill bits... padded to 426 below
    payload = _armour(np.hstack([bits, np.zeros((n, 2), np.uint8)]))
    seq = (np.arange(n) % 10 + 48).astype(np.uint8)[:, None]
    first = _lines(b"AIVDM,2,1,", np.hstack([seq, np.frombuffer(b",B,", np.uint8)[None].repeat(n, 0),
                                             payload[:, :60]]), b",0", times)
    second = _lines(b"AIVDM,2,2,", np.hstack([seq, np.frombuffer(b",B,", np.uint8)[None].repeat(n, 0),
                                              payload[:, 60:]]), b",2", times)
    return np.hstack([first, second])


def generate_nmea(n_messages: int, path: str | Path, seed: int = 0) -> Path:
    """Write ``n_messages`` valid AIS messages (tag-blocked, ~4 % two-part type 5) to ``path``."""
    rng = np.random.default_rng(seed)
    path = Path(path)
    per_block = _POSITIONS_PER_BLOCK + 1
    with path.open("wb") as fh:
        done = 0
        while done < n_messages:  # 100k-message slices keep memory small
            blocks = min(-(-(n_messages - done) // per_block), 4000)
            times = _T0 + (done + np.arange(blocks * per_block)) // 20
            pos = _positions(rng, blocks * _POSITIONS_PER_BLOCK, times[: blocks * _POSITIONS_PER_BLOCK])
            static = _statics(rng, blocks, times[blocks * _POSITIONS_PER_BLOCK:])
            rows = np.hstack([pos.reshape(blocks, -1), static]).reshape(-1)
            take = min(blocks * per_block, n_messages - done)
            if take < blocks * per_block:  # trim the last block to whole lines of whole messages
                rows = _trim(rows, take, pos.shape[1], static.shape[1])
            fh.write(rows.tobytes())
            done += take
    return path


def _trim(rows: np.ndarray, take: int, pos_width: int, static_width: int) -> np.ndarray:
    per_block = _POSITIONS_PER_BLOCK + 1
    full, rest = divmod(take, per_block)
    size = full * (pos_width * _POSITIONS_PER_BLOCK + static_width) + rest * pos_width
    return rows[:size]


class _PeakRss:
    """Samples this process's RSS in a thread; ``peak_mb`` after the block."""

    def __enter__(self) -> "_PeakRss":
        import psutil

        self._proc = psutil.Process()
        self.peak_mb = self._proc.memory_info().rss / 2**20
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak_mb = max(self.peak_mb, self._proc.memory_info().rss / 2**20)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _row(tool: str, items: int, seconds: float, peak: float, note: str = "") -> dict:
    task = "nmea_decode" + (f" ({note})" if note else "")
    return {"task": task, "tool": tool, "items": items, "seconds": round(seconds, 4),
            "items_per_s": round(items / seconds) if seconds > 0 else None, "peak_rss_mb": round(peak, 1)}


def _darkfleet(path: Path) -> tuple[int, float, float]:
    from darkfleet.ingest.batch import ReadOptions, Source
    from darkfleet.ingest.nmea import read_nmea

    source = Source(name=str(path), source_id=1, open=lambda: path.open("rb"), path=path)
    with _PeakRss() as rss:
        start = time.perf_counter()
        messages = 0
        for batch in read_nmea(source, ReadOptions()):
            messages += batch.counts.positions + batch.counts.static
        seconds = time.perf_counter() - start
    return messages, seconds, rss.peak_mb


def _pyais(path: Path) -> tuple[int, float, float]:
    from pyais.stream import FileReaderStream

    with _PeakRss() as rss:
        start = time.perf_counter()
        messages = 0
        for msg in FileReaderStream(str(path)):
            msg.decode()
            messages += 1
        seconds = time.perf_counter() - start
    return messages, seconds, rss.peak_mb


def run_nmea_benchmark(n_messages: int, pyais_messages: int = 100_000, repeats: int = 3) -> list[dict]:
    """Time darkfleet on ``n_messages`` and pyais on a subset (rate extrapolated per message).

    The two tools alternate ``repeats`` times and each keeps its fastest run, so a burst of
    load from other processes does not decide the ratio.
    """
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        full = generate_nmea(n_messages, Path(tmp) / "bench.nmea")
        subset = generate_nmea(min(pyais_messages, n_messages), Path(tmp) / "subset.nmea")
        _darkfleet(subset)  # load the cached Numba kernels once, outside the timing
        best_df = best_py = None
        for _ in range(max(1, repeats)):
            run = _darkfleet(full)
            best_df = run if best_df is None or run[1] < best_df[1] else best_df
            run = _pyais(subset)
            best_py = run if best_py is None or run[1] < best_py[1] else best_py
        items, seconds, peak = best_df
        rows.append(_row("darkfleet", items, seconds, peak))
        p_items, p_seconds, p_peak = best_py
        note = f"measured on {p_items:,} messages, extrapolated" if p_items < items else ""
        scale = items / p_items
        rows.append(_row("pyais", items, p_seconds * scale, p_peak, note) if note else _row("pyais", p_items, p_seconds, p_peak))
        try:
            import ais  # noqa: F401  (libais)
        except ImportError:
            rows.append({"task": "nmea_decode (libais not installed: skipped)", "tool": "libais", "items": 0,
                         "seconds": None, "items_per_s": None, "peak_rss_mb": None})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--pyais-messages", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3, help="alternating runs; the fastest of each counts")
    args = parser.parse_args()
    rows = run_nmea_benchmark(args.messages, args.pyais_messages, args.repeats)
    print(f"{'tool':<10} {'items':>10} {'seconds':>9} {'items/s':>12} {'peak RSS MB':>12}  task")
    for r in rows:
        secs = "-" if r["seconds"] is None else f"{r['seconds']:.3f}"
        rate = "-" if r["items_per_s"] is None else f"{r['items_per_s']:,}"
        print(f"{r['tool']:<10} {r['items']:>10,} {secs:>9} {rate:>12} {str(r['peak_rss_mb']):>12}  {r['task']}")
    by_tool = {r["tool"]: r for r in rows}
    if by_tool["pyais"]["items_per_s"]:
        print(f"speed-up vs pyais: {by_tool['darkfleet']['items_per_s'] / by_tool['pyais']['items_per_s']:.1f}x")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
