#!/usr/bin/env bash
# Fuzzes apmsim's parsers with libFuzzer (Debian's clang): builds the targets of
# tests/fuzz in build-fuzz (the library with coverage, AddressSanitizer and
# UndefinedBehaviorSanitizer), then runs each for SECONDS (default 600) from its corpus
# (tests/fuzz/corpus/<kind>) and the project's own files of its kind:
#   scripts/fuzz.sh [SECONDS] [fuzz_scenario fuzz_csv ...]
# New inputs that reach new code go to build-fuzz/corpus/<kind> (not the repository's
# corpus); a crash, leak, hang (over 10 s) or broken promise stops the target and leaves
# its input in build-fuzz/artifacts/. Copy an input that broke something into
# tests/fuzz/corpus/<kind> once fixed: the test suite replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$f" .cpp)"); done
fi
command -v clang++ > /dev/null || { echo "fuzz.sh: needs clang++ (apt-get install clang)" >&2; exit 2; }
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DAPMSIM_BUILD_FUZZERS=ON \
  -DAPMSIM_BUILD_TESTS=OFF -DAPMSIM_BUILD_PYTHON=OFF -DAPMSIM_BUILD_BENCHMARKS=OFF > /dev/null
build_targets=()
for t in "${targets[@]}"; do build_targets+=(--target "$t"); done
cmake --build build-fuzz -j "$(nproc)" "${build_targets[@]}" > /dev/null
seeds() {  # the project's own files of a kind, as in tests/CMakeLists.txt
  case "$1" in
    csv) echo examples/data/cmc_program ;;
    scenario) echo examples/scenarios ;;
    sweep) echo examples/sweeps ;;
    results) echo tests/data ;;
  esac
}
export ASAN_OPTIONS="detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
mkdir -p build-fuzz/artifacts
status=0
for t in "${targets[@]}"; do
  kind="${t#fuzz_}"
  mkdir -p "build-fuzz/corpus/$kind"
  # shellcheck disable=SC2046
  if build-fuzz/"$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
       -artifact_prefix="build-fuzz/artifacts/$t-" "build-fuzz/corpus/$kind" "tests/fuzz/corpus/$kind" $(seeds "$kind") \
       > "build-fuzz/$t.log" 2>&1; then
    echo "fuzz.sh: $t: $(grep -E '^stat::number_of_executed_units' "build-fuzz/$t.log" | awk '{print $2}') runs in $seconds s," \
         "coverage $(grep -Eo 'cov: [0-9]+' "build-fuzz/$t.log" | tail -1), no crash"
  else
    status=1
    echo "fuzz.sh: $t FAILED (build-fuzz/$t.log):" >&2
    grep -E "ERROR|broken promise|SUMMARY|Test unit written" "build-fuzz/$t.log" | head -10 >&2
  fi
done
exit $status
