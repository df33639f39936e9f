#!/usr/bin/env bash
# Vendors the front-end packages (Leaflet, topojson-client, Natural Earth land from world-atlas)
# from the npm registry into the Python package, so the report and the map page never fetch
# anything at view time. Run after changing web/package.json; commit the copied assets.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/darkfleet/report/assets/vendor
(cd web && npm ci --no-audit --no-fund --silent)
mkdir -p "$dest"
nm=web/node_modules
cp "$nm/leaflet/dist/leaflet.js" "$nm/leaflet/dist/leaflet.css" "$dest/"
# the source map is not shipped, so its reference would only produce a failed request
sed -i '/sourceMappingURL=/d' "$dest/leaflet.js"
cp "$nm/leaflet/LICENSE" "$dest/LICENSE-leaflet.txt"
cp "$nm/topojson-client/dist/topojson-client.min.js" "$dest/"
cp "$nm/topojson-client/LICENSE" "$dest/LICENSE-topojson-client.txt"
# 1:50m is the compromise between a readable coastline at regional zoom and package size (~0.5 MB).
cp "$nm/world-atlas/land-50m.json" "$dest/"
cp "$nm/world-atlas/LICENSE" "$dest/LICENSE-world-atlas.txt"
ls -l "$dest"
