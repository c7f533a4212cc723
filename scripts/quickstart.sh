#!/usr/bin/env bash
# Quick start: install what is missing, build (Release) only what the job needs (the
# library, the command line and the Python module; scripts/test.sh builds the tests and
# benchmarks), and simulate the bundled default CMC program
# (examples/scenarios/default_cmc_program.json).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release
cmake --build --preset release -j "$(nproc)" --target apmsim_cli _core
./build/apmsim run examples/scenarios/default_cmc_program.json --out build/default_cmc_program.results.json "$@"
