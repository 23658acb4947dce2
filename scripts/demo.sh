#!/usr/bin/env bash
# Set up, build and run Cadre's main job. The main job (compile a real MoE
# layer, simulate it, check it against the golden model, compare with the GPU)
# needs the compiler and the simulator, which have not landed yet
# (docs/status.md); until then this runs the parts that exist and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release
cadre=build/release/bin/cadre

echo
echo "== Architecture presets (cadre arch) =="
"$cadre" arch
echo
echo "== The Xcadre custom instructions (cadre isa) =="
"$cadre" isa
sample=build/release/tests/isa/sample.elf
if [ -f "$sample" ]; then
  echo
  echo "== A C program cross-compiled for the control core, disassembled (cadre disasm) =="
  mkdir -p build/demo
  "$cadre" disasm "$sample" > build/demo/sample.dis  # a file, not a pipe into head: pipefail would see SIGPIPE
  head -n 30 build/demo/sample.dis
  echo "   ... (the whole listing: build/demo/sample.dis)"
fi
if command -v riscv64-unknown-elf-gcc >/dev/null; then
  echo
  echo "== A C program on the simulated chip, two tiles (cadre sim) =="
  mkdir -p build/demo
  riscv64-unknown-elf-gcc -march=rv64im -mabi=lp64 -mcmodel=medany -O2 -ffreestanding -nostdlib \
    -I runtime/sdk -T runtime/sdk/link.ld runtime/sdk/start.S runtime/sdk/example/hello.c -lgcc \
    -o build/demo/hello.elf
  "$cadre" sim build/demo/hello.elf --arch small --stats
fi
if [ -x build/release/bin/bench_expert_mlp ]; then
  echo
  echo "== One expert's SwiGLU MLP on the simulated accelerator, checked bit for bit against the golden model =="
  build/release/bin/bench_expert_mlp --repeat 1 --check
fi
cat <<'MSG'

What this showed: the architecture presets with their peak figures, the Xcadre
instruction table the encoder, decoder and disassembler are made from, a
program for the control core disassembled, and a C program run on the
simulated chip with its cycle statistics, then a hand-written expert MLP
(gather, FP8 GEMMs, SiLU, quantisation, weighted scatter-add, weights
double-buffered) on the simulated accelerator, bit-identical to the golden
model, with the simulator's speed (docs/expert-mlp.md). The main job (a real MoE layer
compiled, simulated, checked and compared with the GPU) is not built yet:
see docs/status.md for what works today.
MSG
