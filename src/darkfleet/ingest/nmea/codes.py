"""Outcome codes shared by the Numba kernels and the Python side.

Every physical line ends with exactly one code; every decoded message with one outcome.
Kernels cannot use Python strings, so outcomes travel as small integers and become the
reason names in ``Counts`` / the rejects table here.
"""

from __future__ import annotations

import numpy as np

# Line/message outcomes that are not rejects.
NONE = 0  # not decided yet (a line holding sentences: its message decides)
DECODED = 1
SKIP_BLANK = 10
SKIP_COMMENT = 11
SKIP_METADATA = 12
SKIP_OTHER_SENTENCE = 13  # a valid-looking NMEA sentence that is not VDM/VDO ($GPGGA, !AIABK...)

# Rejects.
REJ_BAD_CHECKSUM = 20
REJ_BAD_FIELD_COUNT = 21
REJ_BAD_FILL_BITS = 22
REJ_BAD_ARMOUR = 23
REJ_SHORT_PAYLOAD = 24
REJ_ORPHAN_FRAGMENT = 25
REJ_NO_TIMESTAMP = 26
REJ_LINE_TOO_LONG = 27
REJ_NOT_NMEA = 28
REJ_BAD_TAG_BLOCK = 29
REJ_BAD_FRAGMENT = 30
REJ_BAD_TIMESTAMP = 31
REJ_BAD_METADATA = 32
REJ_BAD_FIELD = 33  # a field value impossible for its message (e.g. type 24 part number 2 or 3)

# Decoded message outcomes (decode kernel).
MSG_POSITION = 40
MSG_STATIC = 41
MSG_POSITION_AND_STATIC = 42  # type 19 carries both

SKIP_TYPE_BASE = 100  # 100 + message type: a valid message of a type we do not use

REASONS: dict[int, str] = {
    SKIP_BLANK: "blank",
    SKIP_COMMENT: "comment",
    SKIP_METADATA: "metadata",
    SKIP_OTHER_SENTENCE: "other_sentence",
    REJ_BAD_CHECKSUM: "bad_checksum",
    REJ_BAD_FIELD_COUNT: "bad_field_count",
    REJ_BAD_FILL_BITS: "bad_fill_bits",
    REJ_BAD_ARMOUR: "bad_armour",
    REJ_SHORT_PAYLOAD: "short_payload",
    REJ_ORPHAN_FRAGMENT: "orphan_fragment",
    REJ_NO_TIMESTAMP: "no_timestamp",
    REJ_LINE_TOO_LONG: "line_too_long",
    REJ_NOT_NMEA: "not_nmea",
    REJ_BAD_TAG_BLOCK: "bad_tag_block",
    REJ_BAD_FRAGMENT: "bad_fragment",
    REJ_BAD_TIMESTAMP: "bad_timestamp",
    REJ_BAD_METADATA: "bad_metadata",
    REJ_BAD_FIELD: "bad_field",
}
for _t in range(64):
    REASONS[SKIP_TYPE_BASE + _t] = f"type_{_t}"

def is_reject(codes: np.ndarray) -> np.ndarray:
    """True where a line/message code is a reject."""
    return (codes >= REJ_BAD_CHECKSUM) & (codes <= REJ_BAD_FIELD)


# Limits against hostile input.
LINE_CAP_BYTES = 1000  # longer lines are rejected (line_too_long); the reader never buffers more
WINDOW_LINES = 64  # a multipart group / a $PGHP must be completed / used within this many lines
MAX_PENDING_GROUPS = 256  # beyond this the oldest pending multipart group becomes orphans
MAX_FRAGMENTS = 9  # NMEA fragment count is one digit
MISSING_TIME = np.iinfo(np.int64).min
MIN_TIME_US = 0  # 1970-01-01
MAX_TIME_US = 4_102_444_800_000_000  # 2100-01-01: later instants are garbage
