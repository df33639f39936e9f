"""Export the registry's sanctioned vessels and their owners as a small sanctions list:
OFAC legacy SDN CSV (no header, 12 columns, ``-0-`` for empty) and FollowTheMoney JSON lines."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

PROGRAM = "RUSSIA-EO14024"
FLAG_NAMES = {
    "PA": "Panama", "LR": "Liberia", "MH": "Marshall Islands", "MT": "Malta", "GR": "Greece", "CY": "Cyprus",
    "SG": "Singapore", "HK": "Hong Kong", "BS": "Bahamas", "CN": "China", "NO": "Norway", "GB": "United Kingdom",
    "US": "United States", "TR": "Turkey", "IT": "Italy", "RU": "Russia", "IR": "Iran", "KM": "Comoros",
    "CM": "Cameroon", "GA": "Gabon", "CK": "Cook Islands", "PW": "Palau", "SL": "Sierra Leone", "TG": "Togo",
}
VESSEL_TYPES = {80: "Crude Oil Tanker", 70: "Bulk Carrier", 71: "Container Ship", 30: "Fishing Vessel"}
EMPTY = "-0- "


def sanctioned_rows(registry: pa.Table) -> list[dict]:
    """One entry per sanctioned hull (first broadcast identity), with every MMSI it used."""
    rows = registry.filter(registry["sanctioned"]).to_pylist()
    by_hull: dict[int, dict] = {}
    for r in rows:  # a few hundred sanctioned vessels at most
        if r["hull_id"] in by_hull:
            by_hull[r["hull_id"]]["mmsis"].append(r["mmsi"])
        else:
            by_hull[r["hull_id"]] = {**r, "mmsis": [r["mmsi"]]}
    return [by_hull[k] for k in sorted(by_hull)]


def ofac_csv(entries: list[dict], first_ent_num: int = 900_000) -> str:
    ent = first_ent_num
    owners: dict[str, int] = {}
    lines = []
    for e in entries:
        remarks = f"Vessel Registration Identification IMO {e['imo']}; MMSI {e['mmsis'][0]}; Linked To: {e['owner'].upper()}."
        lines.append([ent, _q(e["name"]), _q("vessel"), _q(PROGRAM), EMPTY, _q(e["callsign"]),
                      _q(VESSEL_TYPES.get(e["ship_type"], "Cargo Vessel")), EMPTY, EMPTY,
                      _q(FLAG_NAMES.get(e["flag"], e["flag"])), EMPTY, _q(remarks)])
        ent += 1
        owners.setdefault(e["owner"].upper(), 0)
    for owner in sorted(owners):
        linked = "; ".join(f"Linked To: {e['name']}" for e in entries if e["owner"].upper() == owner)
        lines.append([ent, _q(owner), EMPTY, _q(PROGRAM), EMPTY, EMPTY, EMPTY, EMPTY, EMPTY, EMPTY, EMPTY,
                      _q(f"Secondary sanctions risk: See Section 11 of Executive Order 14024.; {linked}.")])
        ent += 1
    # OFAC's own quoting: strings in double quotes, "-0- " unquoted for empty, CRLF line ends.
    return "".join(",".join(str(x) for x in line) + "\r\n" for line in lines)


def _q(text: str) -> str:
    return '"' + str(text).replace('"', "'") + '"'


def ftm_lines(entries: list[dict]) -> list[dict]:
    out: list[dict] = []
    companies: set[str] = set()
    for e in entries:
        vid = f"df-vessel-{e['imo']}"
        cid = "df-company-" + "".join(ch if ch.isalnum() else "-" for ch in e["owner"].lower())
        out.append({"id": vid, "schema": "Vessel", "properties": {
            "name": [e["name"]], "imoNumber": [f"IMO{e['imo']}"], "mmsi": [str(m) for m in e["mmsis"]],
            "callSign": [e["callsign"]], "flag": [e["flag"].lower()], "type": [VESSEL_TYPES.get(e["ship_type"], "Cargo")]}})
        if cid not in companies:
            companies.add(cid)
            out.append({"id": cid, "schema": "Company", "properties": {"name": [e["owner"]]}})
        out.append({"id": f"{vid}-own", "schema": "Ownership", "properties": {"owner": [cid], "asset": [vid]}})
        out.append({"id": f"{vid}-sanction", "schema": "Sanction", "properties": {
            "entity": [vid], "authority": ["darkfleet simulated OFAC"], "program": [PROGRAM]}})
    return out


def write_sanctions(registry: pa.Table, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = sanctioned_rows(registry)
    (out_dir / "ofac_sdn.csv").write_text(ofac_csv(entries), newline="")
    with open(out_dir / "sanctioned.ftm.json", "w") as fh:
        for ent in ftm_lines(entries):
            fh.write(json.dumps(ent, sort_keys=True) + "\n")
