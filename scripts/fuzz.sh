#!/usr/bin/env bash
# Build the fuzz preset (clang, libFuzzer, ASan + UBSan) and run every fuzz
# target, one after another, MINUTES each (default 1), on one core; print
# each target's executions, coverage and findings. Usage:
#
#   scripts/fuzz.sh [--merge] [--no-build] [MINUTES] [TARGET...]
#
# TARGETs are names from fuzz/CMakeLists.txt (json, elf, ...); default all.
# A target fuzzes build/fuzz/corpus/TARGET, where the inputs it grows go, with
# the seeds of fuzz/corpus/TARGET read alongside but never written. A crash,
# leak, timeout or out-of-memory input is left in build/fuzz/findings/TARGET/
# and its log in build/fuzz/logs/TARGET.log. --merge then adds to
# fuzz/corpus/TARGET the fewest grown inputs that reach the edges its seeds do
# not (libFuzzer's -merge=1, counting edges, not how often each is taken), the
# one way this script writes the checked-in corpus.
# --no-build runs the binaries already in build/fuzz/bin.
set -euo pipefail
cd "$(dirname "$0")/.."

merge=0 build=1
while [[ ${1:-} == --* ]]; do
  case $1 in
    --merge) merge=1 ;;
    --no-build) build=0 ;;
    *) echo "usage: $0 [--merge] [--no-build] [MINUTES] [TARGET...]" >&2; exit 2 ;;
  esac
  shift
done
minutes=${1:-1}
[[ $minutes =~ ^[0-9]+$ && $minutes -gt 0 ]] || { echo "usage: $0 [--merge] [--no-build] [MINUTES] [TARGET...]" >&2; exit 2; }
shift || true
all_targets=$(sed -n 's/^cadre_add_fuzzer(\([a-z_0-9]*\) .*/\1/p' fuzz/CMakeLists.txt)
targets=${*:-$all_targets}
for t in $targets; do
  grep -qx "$t" <<<"$all_targets" || { echo "$0: no fuzz target '$t' (targets: $(echo $all_targets))" >&2; exit 2; }
done

# Per target: the largest input (enough for the real files it reads: preset
# architectures and model configs are 1-2 KiB, a compiled program's ELF or
# IR some tens) and the dictionary: fuzz/dict/*.dict files, plus the quoted
# words of source files (field names, values, pass names) as JSON strings or
# as they are.
settings() {
  case $1 in
    json)           echo "65536  json" ;;
    model_config)   echo "16384  json  json-words:model/src/layer_spec.cpp,configs/models/deepseek-v3.json" ;;
    arch_config)    echo "16384  json  json-words:arch/include/cadre/arch/arch_fields.def,arch/include/cadre/arch/matrix_engines.def" ;;
    safetensors)    echo "65536  json  json-words:weights/include/cadre/weights/safetensors.h" ;;
    checkpoint)     echo "65536  json  json-words:weights/include/cadre/weights/safetensors.h,weights/include/cadre/weights/checkpoint_names.def" ;;
    elf|sim_load)   echo "65536  elf" ;;
    disasm_raw)     echo "4096" ;;
    ir)             echo "65536  words:compiler/include/cadre/compiler/graph_ops.def,compiler/include/cadre/compiler/passes.def" ;;
    pass_pipeline)  echo "1024   words:compiler/include/cadre/compiler/passes.def" ;;
    argument_block) echo "16384  json  json-words:compiler/src/argument_block.cpp,numerics/include/cadre/numerics/formats.def" ;;
    *) echo "$0: no settings for fuzz target '$1'" >&2; exit 2 ;;
  esac
}

# The quoted identifiers of these files, and the parts of '/'-separated ones.
words() {
  tr ',' '\n' <<<"$1" | while read -r f; do [[ -f $f ]] && grep -oh '"[A-Za-z0-9_./{}-]*"' "$f"; done |
    tr -d '"' | tr '/' '\n' | grep -v '^$' | sort -u
}

# Writes the dictionary of a target's settings to $1.
dictionary() {
  local out=$1; shift
  : >"$out"
  for part in "$@"; do
    case $part in
      json-words:*) words "${part#json-words:}" | sed 's/.*/"\\"&\\""/' >>"$out" ;;
      words:*) words "${part#words:}" | sed 's/.*/"&"/' >>"$out" ;;
      *) cat "fuzz/dict/$part.dict" >>"$out" ;;
    esac
  done
}

if [[ $build -eq 1 ]]; then
  scripts/setup.sh >/dev/null
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz --target $(sed 's/[^ ]*/fuzz_&/g' <<<"$targets")
fi

summary=()
failed=0
for t in $targets; do
  read -r max_len dicts <<<"$(settings "$t")"
  corpus=build/fuzz/corpus/$t findings=build/fuzz/findings/$t log=build/fuzz/logs/$t.log
  dict=build/fuzz/dict/$t.dict
  mkdir -p "$corpus" "$findings" build/fuzz/logs build/fuzz/dict
  dict_option=()
  if [[ -n $dicts ]]; then
    dictionary "$dict" $dicts
    dict_option=(-dict="$dict")
  fi
  echo "== fuzz_$t: $minutes min, -max_len=$max_len, corpus $corpus (seeds fuzz/corpus/$t), log $log"
  status=0
  touch "$log.start"  # what findings/ holds newer than this is this run's
  build/fuzz/bin/fuzz_"$t" "$corpus" "fuzz/corpus/$t" -max_total_time=$((minutes * 60)) -max_len="$max_len" \
    "${dict_option[@]}" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$findings/" \
    >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
  found=$(find "$findings" -type f -newer "$log.start" | wc -l)
  line="fuzz_$t: ${execs:-?} executions, ${cov:-no coverage line}, corpus $(find "$corpus" -type f | wc -l) files, findings $found"
  if [[ $status -ne 0 || $found -ne 0 ]]; then
    failed=1
    line+=" (exit $status: see $log and $findings/)"
  elif [[ $merge -eq 1 ]]; then
    before=$(find "fuzz/corpus/$t" -type f | wc -l)
    build/fuzz/bin/fuzz_"$t" -merge=1 -use_counters=0 -max_len="$max_len" "fuzz/corpus/$t" "$corpus" >>"$log" 2>&1
    line+=", merged: fuzz/corpus/$t $before -> $(find "fuzz/corpus/$t" -type f | wc -l) files"
  fi
  echo "$line"
  summary+=("$line")
done

echo "== summary ($minutes min per target)"
printf '%s\n' "${summary[@]}"
exit $failed
