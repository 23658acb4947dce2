#!/usr/bin/env bash
# Set up, build and run Cadre's whole test suite (ctest) with the release preset.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release
ctest --preset release -j "$(nproc)" "$@"
