"""Random and mutated CSV never crashes the reader and always balances the counts."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from darkfleet.ingest import read

HEADER = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass"
GOOD = "367379190,2022-01-03T00:00:00,30.3706,-88.56408,0.0,336.2,511,EAGLE,IMO8207721,WTD4583,31,0,28,11,3.3,52,A"

mutated_line = st.one_of(
    st.just(GOOD),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=60),
    st.builds(lambda cut: GOOD[:cut], st.integers(0, len(GOOD))),
    st.builds(lambda i, junk: ",".join(junk if j == i else v for j, v in enumerate(GOOD.split(","))),
              st.integers(0, 16), st.sampled_from(["", "x", "-1", "1e999", "91", "181", "NaN", "Unknown", '"a,b"'])),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutated_line, min_size=1, max_size=30))
def test_mutated_noaa_csv_balances(lines):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.csv"
        path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
        positions, _, summary = read([path])
    counts = summary.totals
    assert counts.balanced
    assert counts.lines_read == len(lines) + 1
    assert positions.num_rows == counts.positions == counts.decoded
    assert all(-90 <= v <= 90 for v in positions.column("lat").drop_null().to_pylist())


def test_a_nul_byte_in_one_data_line_quarantines_that_line_only(tmp_path):
    # found by the fuzz test above: one NUL made the whole file count as binary
    path = tmp_path / "nul.csv"
    path.write_text("\n".join([HEADER, GOOD, "\x00", GOOD]) + "\n", encoding="utf-8")
    positions, _, summary = read([path])
    counts = summary.totals
    assert counts.balanced and counts.lines_read == 4
    assert positions.num_rows == 2
    assert sum(counts.rejected.values()) == 1


def test_an_unbalanced_quote_quarantines_every_line_it_swallows(tmp_path):
    # found by the fuzz test above: Arrow reads the lines after a lone quote into one row
    path = tmp_path / "quote.csv"
    path.write_text("\n".join([HEADER, GOOD, '"', GOOD, GOOD]) + "\n", encoding="utf-8")
    positions, _, summary = read([path])
    counts = summary.totals
    assert counts.balanced and counts.lines_read == 5
    assert positions.num_rows == 1
    assert sum(counts.rejected.values()) == 3
