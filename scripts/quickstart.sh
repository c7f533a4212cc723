#!/usr/bin/env bash
# Quick start: install what is missing, build (Release) only what the job needs (the
# library, the command line and the Python module; scripts/test.sh builds the tests and
# benchmarks), simulate the bundled default CMC program
# (examples/scenarios/default_cmc_program.json) and write its results file and HTML report.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release
cmake --build --preset release -j "$(nproc)" --target apmsim_cli _core
./build/apmsim run examples/scenarios/default_cmc_program.json --out build/default_cmc_program.results.json "$@"
# The HTML report of that run (one self-contained file: tables, pictures; open it in a browser).
PYTHONPATH=build/python /usr/bin/python3 -m apmsim report build/default_cmc_program.results.json \
  -o build/default_cmc_program.report.html >/dev/null
echo "report: build/default_cmc_program.report.html"
