#!/usr/bin/env bash
# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer (preset asan) or
# ThreadSanitizer (preset tsan), each in its own build folder (build-asan, build-tsan):
#   scripts/check-sanitizers.sh [asan|tsan] [--python] [test_csv test_monitor ...]
# Without names every tests/cpp/test_*.cpp program runs, as many at once as there are
# cores, then the CLI tests and the fuzz corpora (ctest: cli_*, fuzz_replay_*). --python
# (asan only) also builds the Python module with the sanitizers and runs the Python tests
# with the ASan runtime preloaded (leak detection off: the interpreter keeps its memory at
# exit). Any report stops its program with a non-zero exit (halt_on_error); the script
# lists what failed and exits 1 if anything did. A full asan build takes about 20 minutes
# on 2 cores, and the tests run several times slower: CI does not run this script.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-asan}"
shift || true
case "$preset" in asan|tsan) ;; *) echo "check-sanitizers: preset asan or tsan, not '$preset'" >&2; exit 2 ;; esac
python=OFF
if [ "${1:-}" = "--python" ]; then
  [ "$preset" = asan ] || { echo "check-sanitizers: --python needs the asan preset" >&2; exit 2; }
  python=ON
  shift
fi
programs=("$@")
whole=0
if [ ${#programs[@]} -eq 0 ]; then
  whole=1
  for f in tests/cpp/test_*.cpp; do programs+=("$(basename "$f" .cpp)"); done
fi
cmake --preset "$preset" -DAPMSIM_BUILD_PYTHON="$python" -DAPMSIM_BUILD_BENCHMARKS=OFF > /dev/null
targets=()
for p in "${programs[@]}"; do targets+=(--target "$p"); done
if [ "$whole" = 1 ]; then
  targets+=(--target apmsim_cli)
  for f in tests/fuzz/fuzz_*.cpp; do targets+=(--target "replay_$(basename "$f" .cpp)"); done
fi
cmake --build --preset "$preset" -j "$(nproc)" "${targets[@]}"
# The module's build imports it (to write the component classes), so the runtime goes first there too.
asan_runtime="$(g++ -print-file-name=libasan.so) $(g++ -print-file-name=libubsan.so)"
[ "$python" = ON ] && ASAN_OPTIONS=detect_leaks=0 LD_PRELOAD="$asan_runtime" cmake --build --preset "$preset" -j "$(nproc)" --target _core
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
failed=()
start=$(date +%s)
run_program() {  # one test program; its verdict on stdout, its log in build-PRESET/NAME.log
  local p="$1" log="build-$preset/$1.log"
  if "build-$preset/tests/$p" --gtest_brief=1 > "$log" 2>&1; then
    echo "check-sanitizers: $preset $p: $(grep -Eo '[0-9]+ tests? from [0-9]+ test suites? ran' "$log" | head -1), clean"
  else
    echo "check-sanitizers: $preset $p FAILED ($log)"
    tail -30 "$log" >&2
  fi
}
export -f run_program
export preset
# As many programs at once as there are cores; xargs keeps each program's lines together.
printf '%s\n' "${programs[@]}" | xargs -P "$(nproc)" -I{} bash -c 'run_program {}' | tee "build-$preset/summary.log"
mapfile -t failed < <(grep -Eo "$preset [a-z_0-9]+ FAILED" "build-$preset/summary.log" | awk '{print $2}')
if [ "$whole" = 1 ]; then
  ctest --test-dir "build-$preset" -j "$(nproc)" -R '^(cli_|fuzz_replay_)' --output-on-failure > "build-$preset/ctest-cli.log" 2>&1 \
    || failed+=("cli-and-fuzz-replays")
  echo "check-sanitizers: $preset CLI tests and fuzz replays: $(grep -E 'tests passed' "build-$preset/ctest-cli.log")"
fi
if [ "$python" = ON ]; then
  # The module is built with the sanitizers; the interpreter is not, so their runtime goes first.
  # Absolute paths: notebook kernels and scripts the tests start run in other folders.
  ASAN_OPTIONS="detect_leaks=0:abort_on_error=1" LD_PRELOAD="$asan_runtime" APMSIM_TEST_TIME_FACTOR=10 \
    PYTHONPATH="$PWD/build-$preset/python" APMSIM_SOURCE_DIR="$PWD" APMSIM_CLI="$PWD/build-$preset/apmsim" \
    /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/python > "build-$preset/python.log" 2>&1 || failed+=("python")
  echo "check-sanitizers: $preset Python tests with the ASan runtime preloaded: $(tail -1 "build-$preset/python.log")"
fi
echo "check-sanitizers: $preset, ${#programs[@]} programs in $(( $(date +%s) - start )) s, ${#failed[@]} failed ${failed[*]:-}"
[ ${#failed[@]} -eq 0 ]
