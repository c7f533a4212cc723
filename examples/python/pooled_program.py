"""Leverage larger populations (CARE Award payment guidance; issue 12): the bundled CMC
program of 1,000 children settled alone, and the same program inside attributed pools of
5,000, 20,000 and 50,000 children whose other members carry the costs of non-complex
chronic ($2,801 a year) and non-chronic ($1,151) Medicaid children (shared/DOMAIN.md
section 1; their event counts are tier C's scaled to those means, an illustrative
assumption). One simulation per pool settles two one-sided shared-savings contracts (50%
sharing, 2% MSR, benchmark = the expected cost): one on the CMC segment, one on the pool.

For each it prints the MSR a 90% one-sided confidence interval would need at that size
(the normal approximation, MSR = z cv / sqrt(n) with the within-tier cv), the simulated
chance of an undeserved reward (savings paid in trials where the program saved nothing)
and the spread of the provider's result, in dollars per CMC child and as a share of the
contract's benchmark. The common trend
shock (4%, sd 1%) is shared by every member, so pooling cannot remove all of the noise.

Run: PYTHONPATH=build/python /usr/bin/python3 examples/python/pooled_program.py [--trials 200]
"""
from __future__ import annotations

import argparse
import math

import apmsim

POOLS = (1000, 5000, 20000, 50000)
OTHER_COSTS = {"non_complex_chronic": (2801.0, 36), "no_chronic": (1151.0, 53)}  # $ a year, share of children (%)


def pooled_scenario(pool: int) -> apmsim.Scenario:
    """The default CMC program (years=1) with `pool - 1000` other children in two more tiers."""
    base = apmsim.Scenario.default_cmc_program(members=1000, years=1, payment_models=False)
    doc = base.to_dict()
    c_mean = base.member_year_moments("C")["mean"]
    for tier, (cost, _) in OTHER_COSTS.items():
        for category, by_tier in doc["cost_model"]["cells"].items():
            cell = {k: dict(v) for k, v in by_tier["C"].items()}
            cell["frequency"]["mean"] *= cost / c_mean
            by_tier[tier] = cell
    doc["tiers"] = doc["tiers"] + list(OTHER_COSTS)
    doc["intervention"]["target_tiers"] = ["A", "B", "C"]  # the program is for the CMC children only
    others = pool - 1000
    n_complex = round(others * OTHER_COSTS["non_complex_chronic"][1] / 89)
    members = ["A"] * 250 + ["B"] * 500 + ["C"] * 250 + ["non_complex_chronic"] * n_complex + ["no_chronic"] * (others - n_complex)
    doc["population"] = {"members": {"tier": members, "months": 12}}
    if others:
        doc["population"]["segments"] = {"cmc": ["A", "B", "C"], "other_children": list(OTHER_COSTS)}
    return apmsim.Scenario.from_dict(doc)


def expected_and_sd(scenario: apmsim.Scenario, tiers: list[str]) -> tuple[float, float, int]:
    """The covered members' expected annual cost (year 1, trend mean), its within-tier sd, and their number."""
    listed = scenario.population["members"]["tier"]
    counts = {t: listed.count(t) for t in tiers}
    moments = {t: scenario.member_year_moments(t) for t in tiers}
    growth = 1 + scenario.cost_model["trend"]["mean"]
    mean = sum(n * moments[t]["mean"] for t, n in counts.items()) * growth
    sd = math.sqrt(sum(n * moments[t]["variance"] for t, n in counts.items())) * growth
    return mean, sd, sum(counts.values())


def contract(name: str, expected: float, members: int, segment=None) -> apmsim.PaymentModel:
    return apmsim.PaymentModel(name, [
        apmsim.FeeForService(),
        apmsim.SharedSavings(benchmark={"pmpm": expected / (12 * members)}, sharing_rate=0.5, minimum_savings_rate=0.02),
    ], segment=segment)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=200)
    args = parser.parse_args()
    print(f"{'pool':>7} {'settled on':>11} {'members':>8} {'90% MSR':>8} {'P(false reward)':>16} {'provider sd / CMC child':>24}"
          f" {'sd / benchmark':>15}")
    for pool in POOLS:
        scenario = pooled_scenario(pool)
        covers = [("cmc", ["A", "B", "C"])] + ([("pool", scenario.tiers)] if pool > 1000 else [])
        models = []
        for label, tiers in covers:
            mean, sd, n = expected_and_sd(scenario, tiers)
            models.append((label, contract(label, mean, n, "cmc" if label == "cmc" and pool > 1000 else None), sd / mean * math.sqrt(n), n, mean))
        scenario.payment_models = [m for _, m, _, _, _ in models]
        results = apmsim.run(scenario, trials=args.trials, progress=False)
        false_reward = results.payments.indicators()["p_false_reward"]
        for label, _, cv, n, benchmark in models:
            msr = float(apmsim.minimum_savings_rate(n, cv, confidence=0.9, sides="one"))
            provider = results.payments.samples(label, "provider", "net", "baseline")[:, 0]
            print(f"{pool:>7} {label:>11} {n:>8} {msr:>8.1%} {false_reward[(label, 1)]:>16.1%} {provider.std() / 1000:>24,.0f}"
                  f" {provider.std() / benchmark:>15.2%}")


if __name__ == "__main__":
    main()
