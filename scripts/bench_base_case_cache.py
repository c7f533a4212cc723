#!/usr/bin/python3
"""Times a sweep over the program's inpatient effect on the bundled default program with
the base-case cache off and on (rounds alternate, in one process), checks that the
statistics are bit-identical, and prints the median times and their ratio.

    PYTHONPATH=build/python /usr/bin/python3 scripts/bench_base_case_cache.py --trials 2000 --variants 5
"""
import argparse
import json
import os
import statistics
import sys
import time

import apmsim

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, "..", "examples", "scenarios", "default_cmc_program.json")


def effect_sweep(trials: int, variants: int) -> dict:
    with open(DEFAULT) as f:
        base = json.load(f)
    base["settings"]["trials"] = trials
    effects = [-0.15 + 0.15 * k / max(1, variants - 1) for k in range(variants)]
    return {"name": "inpatient_effect", "base": base,
            "axes": [{"name": "inpatient_effect", "pointer": "/intervention/effects/inpatient/mean", "values": effects}]}


def timed_sweep(sweep: dict, capacity: int) -> tuple[float, bytes]:
    apmsim.set_base_case_cache_capacity(capacity)
    apmsim.clear_base_case_cache()
    start = time.perf_counter()
    _, stats = apmsim.sweep(sweep, progress=False)
    return time.perf_counter() - start, stats["value"].to_numpy().tobytes()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=2000)
    parser.add_argument("--variants", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sweep = effect_sweep(args.trials, args.variants)
    off, on = [], []
    for _ in range(args.rounds):
        t_off, values_off = timed_sweep(sweep, 0)
        t_on, values_on = timed_sweep(sweep, 256 << 20)
        if values_off != values_on:
            print("bench_base_case_cache: the statistics differ with the cache on", file=sys.stderr)
            return 1
        off.append(t_off)
        on.append(t_on)
    print(f"{args.variants} variants x {args.trials} trials, {args.rounds} rounds: cache off {statistics.median(off):.2f} s, "
          f"cache on {statistics.median(on):.2f} s, ratio {statistics.median(off) / statistics.median(on):.2f} "
          f"(identical statistics); {apmsim.base_case_cache_info()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
