#!/usr/bin/env bash
# Coverage-guided fuzzing of Guardrails with afl-fuzz (AFL++) and SharpFuzz; see docs/fuzzing.md.
#
#   tests/Guardrails.Fuzzing/fuzz-afl.sh [--seconds N] [TARGET...]
#
# Publishes the harness (Release) to artifacts/fuzz/bin, instruments Guardrails.dll with sharpfuzz, then runs
# afl-fuzz on each TARGET (default: all) for N seconds (default 60) from its committed corpus. Findings go to
# artifacts/fuzz/findings/TARGET; every crash is replayed and printed. Exit codes: 0 no crash, 1 crashes,
# 2 afl-fuzz or sharpfuzz missing, 3 the harness could not be built or afl-fuzz could not start.
set -uo pipefail
cd "$(dirname "$0")/../.."

seconds=60
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -eq 0 ] && targets=(shell shell-decision policy tool-call)

sharpfuzz=$(command -v sharpfuzz || true)
[ -z "$sharpfuzz" ] && [ -x "$HOME/.dotnet/tools/sharpfuzz" ] && sharpfuzz="$HOME/.dotnet/tools/sharpfuzz"
[ -z "$sharpfuzz" ] && [ -x artifacts/fuzz/tools/sharpfuzz ] && sharpfuzz=artifacts/fuzz/tools/sharpfuzz
if ! command -v afl-fuzz >/dev/null 2>&1 || [ -z "$sharpfuzz" ]; then
  echo "fuzz-afl: needs afl-fuzz (Debian: apt-get install afl++) and sharpfuzz" \
       "(dotnet tool install SharpFuzz.CommandLine --tool-path artifacts/fuzz/tools)" >&2
  exit 2
fi

bin=artifacts/fuzz/bin
rm -rf "$bin"; mkdir -p artifacts/fuzz
if ! dotnet publish tests/Guardrails.Fuzzing -c Release -o "$bin" -v q -nologo >artifacts/fuzz/build.log 2>&1; then
  cat artifacts/fuzz/build.log >&2
  exit 3
fi
# Crashes are replayed with an uninstrumented copy: instrumented code only runs under afl-fuzz.
rm -rf "$bin-plain"; cp -r "$bin" "$bin-plain"
# Only Guardrails.dll is instrumented: coverage of the code under test, not of the harness or the framework.
"$sharpfuzz" "$bin/Guardrails.dll" || exit 3

# afl-fuzz runs dotnet, which is not instrumented itself; the container has no core dumps to wait for, other
# processes share the CPUs, and nobody watches a UI.
export AFL_SKIP_BIN_CHECK=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1

status=0
for target in "${targets[@]}"; do
  case "$target" in
    shell|shell-decision) corpus=shell; dict=shell.dict ;;
    policy) corpus=policy; dict=json.dict ;;
    tool-call) corpus=tool-call; dict=json.dict ;;
    *) echo "fuzz-afl: unknown target '$target'" >&2; exit 3 ;;
  esac
  out=artifacts/fuzz/findings/$target
  rm -rf "$out"; mkdir -p "$out/seeds"
  # The seeds only: regression inputs (also in the corpus folder) may stop before any instrumented code, and
  # afl-fuzz refuses a starting input that shows no coverage.
  cp "tests/Guardrails.Fuzzing/Corpus/$corpus"/seed-* "$out/seeds/"
  echo "fuzz-afl: $target for ${seconds}s"
  afl-fuzz -V "$seconds" -i "$out/seeds" -o "$out" -t 10000 -m none \
    -x "tests/Guardrails.Fuzzing/Dictionaries/$dict" -- dotnet "$bin/Guardrails.Fuzzing.dll" afl "$target" >"$out/afl.log" 2>&1
  if [ ! -f "$out/default/fuzzer_stats" ]; then
    echo "fuzz-afl: afl-fuzz did not start for $target:" >&2; tail -20 "$out/afl.log" >&2
    exit 3
  fi
  execs=$(awk -F: '/^execs_done/ {gsub(/ /, "", $2); print $2}' "$out/default/fuzzer_stats")
  paths=$(awk -F: '/^corpus_count/ {gsub(/ /, "", $2); print $2}' "$out/default/fuzzer_stats")
  crashes=$(find "$out/default/crashes" -name 'id:*' 2>/dev/null | wc -l)
  hangs=$(find "$out/default/hangs" -name 'id:*' 2>/dev/null | wc -l)
  echo "fuzz-afl: $target: $execs executions, $paths corpus entries, $crashes crashes, $hangs hangs"
  if [ "$crashes" -gt 0 ]; then
    status=1
    dotnet "$bin-plain/Guardrails.Fuzzing.dll" run "$target" "$out/default/crashes" | grep -v ': ok (' | head -40
  fi
  if [ "$hangs" -gt 0 ]; then
    # A hang under afl-fuzz can be a busy machine; replaying tells (the replay prints each input's outcome).
    echo "fuzz-afl: $target: inputs that took more than 10 s under afl-fuzz (replayed):"
    for input in "$out"/default/hangs/id:*; do
      start=$(date +%s%N)
      dotnet "$bin-plain/Guardrails.Fuzzing.dll" run "$target" "$input" >/dev/null 2>&1
      echo "  $input: $(( ($(date +%s%N) - start) / 1000000 )) ms"
    done
  fi
done
exit $status
