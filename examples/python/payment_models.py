"""Payment models side by side for the bundled CMC program: each party's net result under
fee-for-service, care fees + shared savings, a glide path to shared risk and global
capitation with a corridor and stop-loss; then how the chance of an undeserved reward
under an MSSP-like contract (2% MSR) shrinks as the pool grows.

Run: PYTHONPATH=build/python /usr/bin/python3 examples/python/payment_models.py [--plot out.png]
"""
from __future__ import annotations

import argparse

import apmsim

TRIALS = 300


def party_table(results: apmsim.Results):
    """Mean and spread of the 3-year net result per model and party (program arm); p05 is
    the 5% worst outcome and expected_shortfall_95 the mean of the worst 5%."""
    summary = results.payments.summary()
    net = summary.xs(("intervention", 0, "net"), level=("arm", "year", "measure"))
    net = net[net.index.get_level_values("party").isin(["payer", "provider", "pcp", "reinsurer"])]
    return net[["mean", "sd", "p05", "expected_shortfall_95", "p95", "p_negative"]]


def false_reward_by_size(sizes=(500, 2000)):
    """P(shared savings paid although the program saved nothing), one-sided, MSR 2%,
    benchmark = the pool's expected cost (year 1)."""
    rows = {}
    for members in sizes:
        scenario = apmsim.Scenario.default_cmc_program(members=members, years=1, payment_models=False)
        expected_pmpm = sum(
            scenario.member_year_moments(t)["mean"] * share for t, share in zip(scenario.tiers, (0.25, 0.5, 0.25))) / 12
        scenario.payment_models = [apmsim.PaymentModel("mssp_like", [
            apmsim.FeeForService(),
            apmsim.SharedSavings(benchmark={"pmpm": expected_pmpm * 1.04}, sharing_rate=0.5, minimum_savings_rate=0.02),
        ])]
        r = apmsim.run(scenario, trials=TRIALS)
        rows[members] = r.payments.indicators().loc[("mssp_like", 1), ["p_false_reward", "p_savings_paid"]]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plot", help="save a histogram of the provider's net result per model")
    args = parser.parse_args()

    scenario = apmsim.Scenario.default_cmc_program(members=1000, years=3)
    results = apmsim.run(scenario, trials=TRIALS)
    table = party_table(results)
    print("Net result over 3 years, program arm ($):")
    print(table.round({"mean": 0, "sd": 0, "p05": 0, "expected_shortfall_95": 0, "p95": 0, "p_negative": 3}).to_string())
    # Cash is conserved: what one party pays, another receives.
    for model in results.payments.models:
        paid = sum(results.payments.samples(model, p, "payments").sum() for p in results.payments.parties)
        received = sum(results.payments.samples(model, p, "revenue").sum() for p in results.payments.parties)
        assert abs(paid - received) <= 1e-9 * max(1.0, paid), model

    print("\nContract error rates:")
    print(results.payments.indicators()[["p_savings_paid", "p_false_reward", "p_missed_reward"]].round(3).to_string())

    sizes = false_reward_by_size()
    print("\nMSSP-like one-sided contract, MSR 2%: P(false reward) by pool size")
    for members, row in sizes.items():
        print(f"  {members:>6,} members: {row['p_false_reward']:.1%}")
    assert sizes[2000]["p_false_reward"] < sizes[500]["p_false_reward"]

    if args.plot:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(8, 4))
        for model in results.payments.models:
            ax.hist(results.payments.samples(model, "provider").sum(axis=1) / 1e6, bins=30, alpha=0.5, label=model)
        ax.set_xlabel("provider net result over 3 years ($ million)")
        ax.set_ylabel("trials")
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(args.plot)
        print(f"plot written to {args.plot}")


if __name__ == "__main__":
    main()
