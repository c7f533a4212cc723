#!/usr/bin/env bash
# The whole test suite: install what is missing, build (Release), run every test
# (GoogleTest, pytest, CLI, install-and-consume example) through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release
cmake --build --preset release -j "$(nproc)"
ctest --preset release -j "$(nproc)" "$@"
