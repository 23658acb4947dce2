#!/usr/bin/env bash
# Set up, build and run the sanitizer suite: the asan preset (AddressSanitizer
# with leak detection, UndefinedBehaviorSanitizer) building only the test
# binaries in CADRE_SANITIZER_SUITE (cmake/CadreTesting.cmake) and running
# their tests less the `slow` ones. CI runs it after scripts/test.sh;
# docs/development.md says what it leaves out and why.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset asan >/dev/null
cmake --build --preset asan-suite
ctest --preset asan-suite -j "$(nproc)" "$@"
