#!/usr/bin/env bash
# Configure and build one CMake preset (default: release). Used by demo.sh and test.sh.
set -euo pipefail
preset=${1:-release}
cd "$(dirname "$0")/.."
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
