"""vessels.parquet from a planned scenario: every broadcast identity, reflagged hulls twice."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from darkfleet.simulate import fleet
from darkfleet.simulate.scenario import Scenario


def vessels_table(scn: Scenario) -> pa.Table:
    reg = {k: np.asarray(v) for k, v in scn.registry.items()}
    extra_rows = {k: [] for k in reg}
    for hull, new in sorted(scn.extra_identities.items()):
        if "mmsi" not in new:
            continue
        for k in reg:
            extra_rows[k].append(new.get(k, reg[k][hull]))
    rows = {k: np.concatenate([reg[k], np.asarray(extra_rows[k], dtype=reg[k].dtype)]) for k in reg}
    return fleet.registry_table(rows)
