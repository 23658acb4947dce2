#!/usr/bin/env bash
# Set up, build and show what Cadre runs today. Cadre's main job (compile a
# real MoE layer, simulate it, check it against the golden model, compare with
# the GPU) needs the compiler, which is not in the tree (docs/status.md), so
# this runs the parts that exist and says so.
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
hello=build/release/runtime/hello.elf
if [ -f "$hello" ]; then
  echo
  echo "== A C program on the simulated chip, two tiles (cadre sim) =="
  "$cadre" sim "$hello" --arch small --stats
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
