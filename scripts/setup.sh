#!/usr/bin/env bash
# Installs the Debian packages Cadre builds and tests with. Idempotent: when
# everything is present it prints one line and changes nothing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  clang llvm-14-tools libclang-rt-14-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  libsystemc-dev verilator yosys
  libeigen3-dev nlohmann-json3-dev libcli11-dev libfmt-dev libelf-dev
  gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf
  python3
  chromium   # the report's browser test (tests/tools/test_cadre_compare.cpp)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} Debian packages present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
