#!/usr/bin/env bash
# Installs darkfleet with the named extra ("all" or "test") into the current Python.
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-all}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
python3 -m pip install --quiet --root-user-action=ignore -e ".[${extra}]"
if [ "$extra" = "test" ] && [ -f scripts/install-browser.sh ]; then
  bash scripts/install-browser.sh
fi
