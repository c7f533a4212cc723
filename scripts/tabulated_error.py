#!/usr/bin/python3
"""How far tabulated mode is from exact mode, measured: the mean and 99th percentile of
the pool's annual cost and the specific stop-loss recoveries (each member-year's cost above
the attachment, times the coinsurance), on the reference workload of shared/DOMAIN.md
section 3 and on the default program, both modes run with the same seed.

Both modes draw the same counts and frailties, so the two runs are paired trial by trial;
each relative difference is printed with its standard error from a paired bootstrap over
trials. A difference within about two standard errors is simulation noise, not table error.

    PYTHONPATH=build/python /usr/bin/python3 scripts/tabulated_error.py --trials 2000
"""
import argparse
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "build" / "python"))
import apmsim  # noqa: E402

ATTACHMENT, COINSURANCE = 250_000.0, 0.9  # the default program's specific stop-loss


def reference_workload():
    d = apmsim.Scenario.default_cmc_program(members=2000, years=1).to_dict()
    del d["intervention"], d["delivery"]["program_cost_borne_by"]
    d["cost_model"]["trend"] = {"mean": 0.0, "sd": 0.0}
    d["payment_models"] = [m for m in d["payment_models"] if m["name"] == "fee_for_service"]
    return apmsim.Scenario.from_dict(d)


def measures(results):
    """Per trial (rows) and year (columns): the pool's cost and the stop-loss recoveries."""
    pool = results.samples("total_cost", "baseline")
    members = results.member_costs[0]  # baseline arm: trials x years x member slots
    recoveries = COINSURANCE * np.clip(members - ATTACHMENT, 0.0, None).sum(axis=2)
    return {"pool mean": (pool, np.mean), "pool p99": (pool, lambda x: np.percentile(x, 99)),
            "stop-loss recoveries": (recoveries, np.mean)}


def paired_relative_difference(exact, tabulated, statistic, rng, resamples=400):
    difference = statistic(tabulated.ravel()) / statistic(exact.ravel()) - 1
    trials = exact.shape[0]
    boot = np.empty(resamples)
    for b in range(resamples):
        pick = rng.integers(0, trials, trials)
        boot[b] = statistic(tabulated[pick].ravel()) / statistic(exact[pick].ravel()) - 1
    return difference, boot.std(ddof=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    for name, scenario in (("reference workload", reference_workload()),
                           ("default program", apmsim.Scenario.default_cmc_program())):
        runs = {mode: measures(apmsim.run(scenario, trials=args.trials, seed=args.seed, mode=mode,
                                          member_detail=True, progress=False))
                for mode in ("exact", "tabulated")}
        print(f"{name}: {args.trials} trials, tabulated vs exact (relative difference, bootstrap se)")
        for measure, (exact, statistic) in runs["exact"].items():
            tabulated = runs["tabulated"][measure][0]
            difference, se = paired_relative_difference(exact, tabulated, statistic, rng)
            print(f"  {measure:22s} exact {statistic(exact.ravel()):14,.0f}  tabulated {statistic(tabulated.ravel()):14,.0f}"
                  f"  {difference:+.4%} (se {se:.4%})")


if __name__ == "__main__":
    main()
