#!/usr/bin/env bash
# Installs darkfleet and runs the main job: real AIS from ../shared/data/ais when present,
# otherwise a generated scenario. Output lands in ./darkfleet-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh all
exec darkfleet run --out darkfleet-out "$@"
