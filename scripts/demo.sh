#!/usr/bin/env bash
# Set up, build and run Cadre's main job. Until the compiler and simulator land
# it shows the parts that exist and says what it showed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release
cadre=build/release/bin/cadre
echo
echo "== The Xcadre instruction table (cadre isa) =="
"$cadre" isa
