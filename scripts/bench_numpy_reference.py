#!/usr/bin/python3
"""A vectorised numpy implementation of the reference workload (shared/DOMAIN.md
section 3), to compare against the C++ engine per core.

Same model: gamma frailty (cv 0.5) per member-year, negative-binomial counts by tier and
category (drawn as Poisson-gamma), every event's lognormal severity drawn individually,
summed per member. Reports member-years per second on one core.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/bench_numpy_reference.py --trials 20
"""
import argparse
import time

import numpy as np

# DOMAIN.md section 2: (events A, B, C), (severity A, B, C), severity cv, dispersion r
TABLE = [
    ((1.6, 0.6, 0.2), (26000, 22000, 18000), 2.5, 1.0),
    ((3.0, 2.0, 1.5), (1100, 1000, 900), 1.0, 1.5),
    ((14, 8, 5), (700, 600, 500), 1.5, 2.0),
    ((40, 24, 15), (180, 170, 160), 1.2, 3.0),
    ((45, 30, 20), (260, 150, 110), 2.0, 3.0),
    ((60, 16, 4), (250, 250, 250), 0.8, 0.5),
    ((12, 5, 2), (400, 300, 250), 1.5, 1.5),
    ((4, 3, 4), (300, 300, 300), 1.0, 1.0),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    tiers = np.repeat([0, 1, 2], [500, 1000, 500])
    n = tiers.size
    means = np.array([[row[0][t] for row in TABLE] for t in tiers])  # members x categories
    sev_mean = np.array([[row[1][t] for row in TABLE] for t in tiers])
    cv = np.array([row[2] for row in TABLE])
    r = np.array([row[3] for row in TABLE])
    sigma2 = np.log1p(cv**2)
    mu = np.log(sev_mean) - 0.5 * sigma2
    sigma = np.broadcast_to(np.sqrt(sigma2), mu.shape)
    rng = np.random.default_rng(args.seed)
    frailty_shape = 1 / 0.5**2
    totals = np.empty((args.trials, n))
    events = 0
    start = time.perf_counter()
    for t in range(args.trials):
        frailty = rng.gamma(frailty_shape, 1 / frailty_shape, size=n)
        lam = means * frailty[:, None] * rng.gamma(r, 1 / r, size=means.shape)
        counts = rng.poisson(lam).ravel()
        events += counts.sum()
        sev = rng.lognormal(np.repeat(mu.ravel(), counts), np.repeat(sigma.ravel(), counts))
        owner = np.repeat(np.arange(counts.size), counts)
        cell = np.bincount(owner, weights=sev, minlength=counts.size)
        totals[t] = cell.reshape(n, -1).sum(axis=1)
    seconds = time.perf_counter() - start
    print(f"numpy reference: {args.trials} trials x {n} members, {events / args.trials:,.0f} events/trial, "
          f"{seconds:.2f} s, {args.trials * n / seconds:,.0f} member-years/s, "
          f"mean {totals.mean():,.0f} per member-year")


if __name__ == "__main__":
    main()
