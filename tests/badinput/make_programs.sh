#!/bin/sh
# Assembles the bad-input suite's programs (programs/*.S) into inputs/*.elf,
# which are checked in so that the suite runs without the cross toolchain.
# Run from anywhere: sh tests/badinput/make_programs.sh
set -e
here=$(cd "$(dirname "$0")" && pwd)
for s in "$here"/programs/*.S; do
  name=$(basename "$s" .S)
  # A program may add linker flags in a comment line "# ldflags: ...".
  ldflags=$(sed -n 's/^# ldflags: //p' "$s")
  riscv64-unknown-elf-gcc -march=rv64im -mabi=lp64 -mcmodel=medany -nostdlib -static $ldflags \
    -T "$here/../../runtime/sdk/link.ld" -o "$here/inputs/$name.elf" "$s"
  riscv64-unknown-elf-strip "$here/inputs/$name.elf"
done
# Two segments at one address: segment_in_stacks.elf with its data segment
# (program header 1, p_vaddr at byte 64 + 56 + 16) moved onto the code.
python3 - "$here/inputs" <<'PY'
import struct, sys
raw = bytearray(open(f"{sys.argv[1]}/segment_in_stacks.elf", "rb").read())
struct.pack_into("<Q", raw, 64 + 56 + 16, 0x80000008)
open(f"{sys.argv[1]}/overlapping_segments.elf", "wb").write(raw)
PY
