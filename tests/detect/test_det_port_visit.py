import json
from datetime import timedelta


from darkfleet.clean.prepare import prepare_positions
from darkfleet.config import PortVisitConfig
from darkfleet.detect.port_visit import detect_port_visits
from det_tracks import COWES, T0, offset, positions, track


def test_visit_enters_at_3_km_and_leaves_beyond_4_km(ports):
    # sail north towards Cowes from 8 km south, stay 5 h at 1 km, sail back out
    inbound = track(1, 1, 4, course_deg=0, start=offset(COWES, north_m=-8000))
    stay = track(1, 5, 0, start=offset(COWES, north_m=-1000), t0=T0 + timedelta(hours=1, minutes=2))
    outbound = track(1, 1, 4, course_deg=180, start=offset(COWES, north_m=-1000), t0=T0 + timedelta(hours=6, minutes=4))
    clean, _, _ = prepare_positions(positions(inbound, stay, outbound))
    events = detect_port_visits(clean, PortVisitConfig(), ports)
    assert events.height == 1
    row = events.row(0, named=True)
    details = json.loads(row["details"])
    assert details["port_name"] == "Cowes"
    assert details["exited"] is True
    assert row["in_port"] is True
    # the first report within 3 km is ~5 km sailed at 4 kn = ~40 min in
    assert timedelta(minutes=35) < row["start_utc"] - T0 < timedelta(minutes=45)
    # the first report beyond 4 km is ~3 km sailed out at 4 kn = ~24 min after leaving
    assert timedelta(minutes=20) < row["end_utc"] - (T0 + timedelta(hours=6, minutes=4)) < timedelta(minutes=30)


def test_swinging_between_3_and_4_km_is_one_visit(ports):
    frames = [track(1, 1, 0, start=offset(COWES, north_m=-2000))]
    for k in range(6):  # alternate 3.2 km / 3.8 km: inside the hysteresis band
        frames.append(track(1, 0.5, 0, start=offset(COWES, north_m=-(3200 if k % 2 else 3800)), t0=T0 + timedelta(hours=1 + k * 0.5, minutes=1)))
    clean, _, _ = prepare_positions(positions(*frames))
    events = detect_port_visits(clean, PortVisitConfig(), ports)
    assert events.height == 1
    assert json.loads(events["details"][0])["exited"] is False


def test_shared_mmsi_clone_at_sea_does_not_split_the_moored_visit(ports):
    # one transmitter moored 1 km off Cowes for 6 h, a clone of its MMSI sailing ~100 km away,
    # reports interleaved: the visit follows the moored segment, not the flips between the two
    from darkfleet.clean.segment import segment_positions
    from darkfleet.config import SegmentConfig

    moored = track(1, 6, 0, start=offset(COWES, north_m=-1000))
    clone = track(1, 4, 12, course_deg=270, start=offset(COWES, north_m=-100_000), t0=T0 + timedelta(hours=1, seconds=61))
    clean, _, _ = prepare_positions(positions(moored, clone))
    points = segment_positions(clean, SegmentConfig())
    assert points["segment_id"].n_unique() == 2
    events = detect_port_visits(points, PortVisitConfig(), ports)
    assert events.height == 1
    row = events.row(0, named=True)
    assert row["start_utc"] == T0
    assert json.loads(row["details"])["n_reports"] == moored.height
    # without segments (one state per MMSI) the clone's reports cut the stay into many visits
    assert detect_port_visits(clean, PortVisitConfig(), ports).height > 10
