"""Pins the public API re-exported from ``darkfleet``: a change here is a deliberate API change."""

import darkfleet


def test_public_names_are_pinned():
    assert sorted(darkfleet.__all__) == sorted(
        [
            "ConfigError",
            "DarkfleetError",
            "EventType",
            "InputError",
            "MissingExtraError",
            "NotFoundError",
            "StoreError",
            "StrictModeError",
            "__version__",
        ]
    )
    for name in darkfleet.__all__:
        assert hasattr(darkfleet, name), name


def test_errors_share_one_base_and_know_their_status():
    assert issubclass(darkfleet.InputError, darkfleet.DarkfleetError)
    err = darkfleet.InputError("empty file", path="x.csv", line_no=3)
    assert str(err) == "x.csv:3: empty file"
    assert err.to_json()["status"] == 422
    assert err.exit_code == 2
