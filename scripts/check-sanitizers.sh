#!/usr/bin/env bash
# The C++ test programs under AddressSanitizer + UndefinedBehaviorSanitizer (preset asan) or
# ThreadSanitizer (preset tsan), each in its own build folder (build-asan, build-tsan):
#   scripts/check-sanitizers.sh [asan|tsan] [test_csv test_monitor ...]
# Without names every tests/cpp/test_*.cpp program runs. Any report stops its program with a
# non-zero exit (halt_on_error); the script lists the programs that failed and exits 1 if any
# did. Not yet: the Python tests with the ASan runtime preloaded, the CLI tests. A full asan
# build takes about 20 minutes on 2 cores, and the tests run several times slower.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-asan}"
shift || true
case "$preset" in asan|tsan) ;; *) echo "check-sanitizers: preset asan or tsan, not '$preset'" >&2; exit 2 ;; esac
programs=("$@")
if [ ${#programs[@]} -eq 0 ]; then
  for f in tests/cpp/test_*.cpp; do programs+=("$(basename "$f" .cpp)"); done
fi
cmake --preset "$preset" -DAPMSIM_BUILD_PYTHON=OFF -DAPMSIM_BUILD_BENCHMARKS=OFF > /dev/null
targets=()
for p in "${programs[@]}"; do targets+=(--target "$p"); done
cmake --build --preset "$preset" -j "$(nproc)" "${targets[@]}"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
failed=()
start=$(date +%s)
for p in "${programs[@]}"; do
  if "build-$preset/tests/$p" --gtest_brief=1 > "build-$preset/$p.log" 2>&1; then
    echo "check-sanitizers: $preset $p: $(grep -Eo '[0-9]+ tests? from [0-9]+ test suites? ran' "build-$preset/$p.log" | head -1), clean"
  else
    failed+=("$p")
    echo "check-sanitizers: $preset $p FAILED (build-$preset/$p.log):" >&2
    tail -30 "build-$preset/$p.log" >&2
  fi
done
echo "check-sanitizers: $preset, ${#programs[@]} programs in $(( $(date +%s) - start )) s, ${#failed[@]} failed ${failed[*]:-}"
[ ${#failed[@]} -eq 0 ]
