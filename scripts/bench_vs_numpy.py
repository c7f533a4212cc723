#!/usr/bin/python3
"""The engine's speed as a multiple of numpy's, per core, on the reference workload of
shared/DOMAIN.md section 3 (2,000 members, one year), in exact mode (every event's severity
drawn, as numpy does) and tabulated mode (sums of severities from quantile tables).

Runs the C++ benchmark (build/benchmarks/bench_engine, ReferenceWorkload, 1 and 2 threads) and
the vectorised numpy implementation (scripts/bench_numpy_reference.py, one BLAS thread)
in turn, several rounds, and prints each round's ratio and the median: pairs taken in
turn keep the ratio meaningful on a shared machine whose speed drifts.

    /usr/bin/python3 scripts/bench_vs_numpy.py [--rounds 5] [--build build] [--modes exact tabulated]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


MODES = {"exact": 0, "tabulated": 1}


def engine_rate(bench, threads, mode):
    name = f"ReferenceWorkload/50/{threads}/{MODES[mode]}/"
    out = subprocess.run([str(bench), f"--benchmark_filter=^{name}", "--benchmark_format=json"],
                         check=True, capture_output=True, text=True).stdout
    runs = json.loads(out)["benchmarks"]
    if not runs:
        sys.exit(f"{bench}: no {name} benchmark in its output")
    return runs[0]["member_years_per_s"]


def numpy_rate():
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    out = subprocess.run(["/usr/bin/python3", str(ROOT / "scripts" / "bench_numpy_reference.py"), "--trials", "20"],
                         check=True, capture_output=True, text=True, env=env).stdout
    match = re.search(r"([\d,]+) member-years/s", out)
    if not match:
        sys.exit(f"bench_numpy_reference.py printed no rate: {out!r}")
    return float(match.group(1).replace(",", ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--build", default=str(ROOT / "build"), help="the CMake build folder holding benchmarks/bench_engine")
    parser.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES))
    args = parser.parse_args()
    bench = Path(args.build) / "benchmarks" / "bench_engine"
    if not bench.exists():
        sys.exit(f"{bench}: not found (build it: cmake --build {args.build} --target bench_engine)")
    ratios = {(mode, threads): [] for mode in args.modes for threads in (1, 2)}
    for k in range(args.rounds):
        numpy = numpy_rate()
        line = f"round {k + 1}: numpy {numpy:,.0f} member-years/s"
        for mode, threads in ratios:
            rate = engine_rate(bench, threads, mode)
            ratios[mode, threads].append(rate / numpy)
            line += f", {mode} {threads} thread(s) {rate:,.0f} ({rate / numpy:.2f}x)"
        print(line, flush=True)
    for (mode, threads), values in ratios.items():
        print(f"median ratio, {mode} mode on {threads} thread(s) / numpy on one core: {statistics.median(values):.2f}x")


if __name__ == "__main__":
    main()
