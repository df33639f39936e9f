#!/usr/bin/env bash
# Installs everything the tests need (Python extras, Chromium for browser tests) and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh test
python3 -m pytest "$@"
