#!/bin/sh
# Assembles the bad-input suite's programs (programs/*.S) into inputs/*.elf,
# which are checked in so that the suite runs without the cross toolchain.
# Run from anywhere: sh tests/badinput/make_programs.sh
set -e
here=$(cd "$(dirname "$0")" && pwd)
for s in "$here"/programs/*.S; do
  name=$(basename "$s" .S)
  riscv64-unknown-elf-gcc -march=rv64im -mabi=lp64 -mcmodel=medany -nostdlib -static \
    -T "$here/../../runtime/sdk/link.ld" -o "$here/inputs/$name.elf" "$s"
  riscv64-unknown-elf-strip "$here/inputs/$name.elf"
done
