#!/usr/bin/env bash
# Cadre's main job: set up, build, then DeepSeek-V3's MoE layer at its real
# size (the published config, synthetic weights) compiled for the `default`
# chip, simulated cycle by cycle, checked bit for bit against the golden
# model, and set beside the H800 and the H100 kernel by kernel in time,
# energy and area. The report (CSV, JSON, SVG charts, index.html) goes to
# build/demo/report. Tokens: CADRE_DEMO_TOKENS (default 16, a decode batch).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release
cadre=build/release/bin/cadre
tokens=${CADRE_DEMO_TOKENS:-16}
report=build/demo/report
mkdir -p build/demo

echo
echo "== DeepSeek-V3 MoE layer, decode, $tokens tokens, on 'default' against the H100 (cycles only) =="
"$cadre" compare deepseek-v3 --arch default --phase decode --tokens "$tokens" --gpu h100 --timing-only

echo
echo "== The same layer against the H800, checked bit for bit against the golden model, with the report =="
"$cadre" compare deepseek-v3 --arch default --phase decode --tokens "$tokens" --gpu h800 --report "$report"
echo
echo "The report: $report/index.html (tables as CSV and JSON, charts as SVG; docs/compare.md explains each column)."
