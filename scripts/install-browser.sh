#!/usr/bin/env bash
# Installs what the browser tests need: Debian's Chromium (system package) and Python Playwright.
# Playwright drives /usr/bin/chromium through executable_path; `playwright install` is never run
# because it downloads browsers from a CDN, which test machines cannot reach.
# Idempotent: quick when everything is already there.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

if ! command -v chromium >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi

if ! python3 -c "import playwright" >/dev/null 2>&1; then
  python3 -m pip install --quiet --root-user-action=ignore "playwright>=1.40"
fi

# (the Debian wrapper prints a harmless shell warning on stderr on some machines)
chromium --version 2>/dev/null
