"""Writes the example notebooks of this folder from the cells listed below.

The notebooks are generated so that they can be reviewed as plain Python: every
markdown and code cell is a string in this file, and the .ipynb files are committed
without outputs. Edit the cells here, then run

    /usr/bin/python3 examples/notebooks/make_notebooks.py          # rewrite the .ipynb files
    /usr/bin/python3 examples/notebooks/make_notebooks.py --check  # exit 1 if a file differs

The notebooks read their trial counts from APMSIM_NOTEBOOK_TRIALS (default 1000) and
APMSIM_NOTEBOOK_CALIBRATION_TRIALS (default 500); tests/python/test_notebooks.py runs
them with small ones. Numbers in the text are computed by the notebooks and printed; the
markdown cites only the facts of shared/DOMAIN.md and the repository's docs.
"""
from __future__ import annotations

import argparse
import pathlib
import sys
import textwrap

import nbformat

HERE = pathlib.Path(__file__).resolve().parent


def md(text: str) -> tuple[str, str]:
    return ("markdown", textwrap.dedent(text).strip("\n"))


def code(text: str) -> tuple[str, str]:
    return ("code", textwrap.dedent(text).strip("\n"))


# ---------------------------------------------------------------------------------------
# Shared set-up: imports, trial counts from the environment, the repository's folder.

SETUP = '''
%matplotlib inline
import json
import os
import pathlib
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

import apmsim
import apmsim.plot
from apmsim.plot import dollars

TRIALS = int(os.environ.get("APMSIM_NOTEBOOK_TRIALS", "1000"))
CALIBRATION_TRIALS = int(os.environ.get("APMSIM_NOTEBOOK_CALIBRATION_TRIALS", "500"))


def repository() -> pathlib.Path:
    """The apmsim source tree: $APMSIM_SOURCE_DIR, else the first folder at or above
    the notebook's own (its working directory) that holds examples/scenarios."""
    if os.environ.get("APMSIM_SOURCE_DIR"):
        return pathlib.Path(os.environ["APMSIM_SOURCE_DIR"]).resolve()
    here = pathlib.Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "examples" / "scenarios").is_dir():
            return folder
    raise FileNotFoundError(f"no examples/scenarios above {here}: set APMSIM_SOURCE_DIR to the apmsim repository")


def show(table, money=(), percent=(), decimals=None):
    """Displays a copy of a DataFrame with money columns in dollars and rates in percent."""
    out = table.copy()
    for column in money:
        out[column] = out[column].map(dollars)
    for column in percent:
        out[column] = out[column].map(lambda v: f"{v:.1%}" if pd.notna(v) else "-")
    if decimals is not None:
        out = out.round(decimals)
    display(out)


REPOSITORY = repository()
SCENARIOS = REPOSITORY / "examples" / "scenarios"
pd.set_option("display.width", 140)
pd.set_option("display.max_columns", 20)
print(f"apmsim {apmsim.__version__}: {TRIALS} trials per run, {CALIBRATION_TRIALS} calibration trials; "
      f"scenarios from {SCENARIOS}")
'''

# ---------------------------------------------------------------------------------------
# 01: size counts

SIZE_COUNTS = [
    md('''
    # Size counts: why a real saving vanishes into the noise

    A children's hospital runs a complex-care program for a few hundred children with medical
    complexity (CMC). The program works: in the matched evaluation of the CARE award
    (Bergman et al., *Pediatrics* 2020) total spending per member per year fell by 4.6%,
    inpatient spending by 7.7% and emergency-department spending by 11.6%. Can the payer, or
    the hospital, see that saving in one year of its own claims?

    This notebook answers with the bundled synthetic program (`apmsim.Scenario.default_cmc_program`:
    three tiers of CMC, eight service categories, the CARE effects as the default intervention;
    shared/DOMAIN.md section 2):

    1. the true saving, and the noise of a pool's cost, at sizes from 100 to 8,000 children;
    2. the minimum savings rate (MSR) and the chances of an undeserved reward and of a missed one;
    3. what risk corridors and stop-loss do to the hospital's risk;
    4. how many children a two-sided contract needs;
    5. what pooling with a larger population would and would not do.

    The numbers the text discusses are computed and printed by the cells; the text itself cites
    only published facts (shared/DOMAIN.md). The trial count comes from `APMSIM_NOTEBOOK_TRIALS`
    (default 1,000; the tests use a few dozen, so their numbers are rough).
    '''),
    code(SETUP),
    md('''
    ## 1. The true saving and what the payer sees

    Each trial simulates every child twice, without the program (the `baseline` arm) and with
    it (the `intervention` arm), on the same random numbers. Their difference, `savings`, is
    the program's real effect on that pool in that year: something no one observes in real
    life, where only one arm happens.

    What the payer can observe is the pool's actual cost against a **benchmark**, the cost
    expected without the program. Here the benchmark is the best one possible, the mean cost
    of the baseline arm over all trials (a perfect forecast), so the measured saving is
    `benchmark - actual cost`. We simulate one performance year at seven sizes, from 100
    children to 8,000, about the size of the whole CARE award (more than 8,000 children
    across 10 children's hospitals; a single hospital's program serves roughly 400 to 1,500).
    '''),
    code('''
    SIZES = [100, 250, 500, 1000, 2000, 4000, 8000]
    pools = {}
    start = time.perf_counter()
    for n in SIZES:
        scenario = apmsim.Scenario.default_cmc_program(members=n, years=1, payment_models=False)
        r = apmsim.run(scenario, trials=TRIALS, calibration_trials=CALIBRATION_TRIALS)
        pools[n] = {
            "baseline": r.samples("total_cost", "baseline")[:, 0] / n,    # cost per member-year, no program
            "actual": r.samples("total_cost", "intervention")[:, 0] / n,  # cost per member-year, with it
            "true_saving": r.samples("savings")[:, 0] / n,                 # the program's effect, same random numbers
            "program_cost": r.samples("program_cost", "intervention")[:, 0] / n,
            "results": r,
        }
    print(f"{len(SIZES)} pool sizes x {TRIALS} trials in {time.perf_counter() - start:.1f} s")

    effects = pools[1000]["results"].scenario.to_dict()["intervention"]["effects"]
    for category, effect in effects.items():
        print(f"  effect on {category} use: mean {effect['mean']:+.1%}, sd {effect['sd']:.1%} (drawn once per trial)")
    '''),
    code('''
    # The benchmark: expected cost per member-year without the program, per size.
    benchmark = {n: pool["baseline"].mean() for n, pool in pools.items()}
    measured = {n: benchmark[n] - pool["actual"] for n, pool in pools.items()}

    p = pools[1000]
    true_rate = p["true_saving"].mean() / benchmark[1000]
    program_cost = p["program_cost"].mean()
    net = p["true_saving"] - p["program_cost"]
    print(f"1,000 children, one year: expected cost {dollars(benchmark[1000])} per member-year without the program")
    print(f"True saving: mean {dollars(p['true_saving'].mean())} per member-year = {true_rate:.1%} of cost "
          f"(5th to 95th percentile over trials {dollars(np.percentile(p['true_saving'], 5))} to "
          f"{dollars(np.percentile(p['true_saving'], 95))})")
    print(f"Program cost: {dollars(program_cost)} per member-year, so the program "
          f"{'saves' if net.mean() > 0 else 'loses'} {dollars(abs(net.mean()))} per member-year net of its cost "
          f"and costs more than it saves in {np.mean(net < 0):.0%} of trials")
    '''),
    md('''
    The default effects act on inpatient and emergency *use* (and add 2% more planned
    outpatient visits), so the total saving is those effects weighted by the categories'
    shares of cost; compare it above with the 4.6% of total spending that Bergman et al.
    measured. The program's own cost (care team, family support, care coordination and PCP
    oversight, $150 per member per month in all, an illustrative assumption) is set against it.

    Now the noise. The figure shows, for each size, the distribution over trials of the
    measured saving (left) and of the true saving (right), per member-year.
    '''),
    code('''
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5), sharey=True)
    truth = {n: pool["true_saving"] for n, pool in pools.items()}
    for ax, data, title in ((left, measured, "Measured: benchmark - actual cost"),
                            (right, truth, "True: the program's effect (same random numbers)")):
        ax.boxplot(list(data.values()), labels=[f"{n:,}" for n in data], whis=(5, 95), showfliers=False)
        ax.axhline(0, color="grey", linewidth=0.8)
        ax.axhline(p["true_saving"].mean(), color="#2ca02c", linestyle="--", label="expected true saving (1,000 children)")
        ax.axhline(program_cost, color="#d62728", linestyle=":", label="program cost")
        ax.set_title(title)
        ax.set_xlabel("program size, children")
    left.set_ylabel("saving per member-year")
    fig.suptitle("Saving per member-year by program size (boxes: quartiles; whiskers: 5th to 95th percentile)")
    left.yaxis.set_major_formatter(dollars)
    left.legend(fontsize="small")
    fig.tight_layout()
    plt.show()
    '''),
    code('''
    noise = pd.DataFrame({
        "members": SIZES,
        "sd of measured saving": [measured[n].std(ddof=1) for n in SIZES],
        "sd of true saving": [truth[n].std(ddof=1) for n in SIZES],
        "P(measured saving < 0)": [np.mean(measured[n] < 0) for n in SIZES],
        "P(true saving < 0)": [np.mean(truth[n] < 0) for n in SIZES],
        "P(measured saving < program cost)": [np.mean(measured[n] < pools[n]["program_cost"]) for n in SIZES],
    }).set_index("members")
    show(noise, money=["sd of measured saving", "sd of true saving"],
         percent=["P(measured saving < 0)", "P(true saving < 0)", "P(measured saving < program cost)"])

    for n in (250, 1000):
        print(f"{n:,} children: the measured saving's sd is {noise.loc[n, 'sd of measured saving'] / truth[n].mean():.1f} times "
              f"the mean true saving; in {noise.loc[n, 'P(measured saving < 0)']:.0%} of trials the pool costs more than its "
              f"benchmark although the program lowered its cost in {1 - noise.loc[n, 'P(true saving < 0)']:.0%} of them")
    '''),
    md('''
    **Reading the figure.** On the right, the program's true effect: it is positive in almost
    every trial at every size, and its spread narrows only slowly, because part of it is the
    uncertainty of the effect itself (drawn once per trial from the CARE confidence intervals).
    On the left, what the payer sees: at a few hundred children the measured saving swings by
    several times the saving itself, and in a large share of trials the pool *appears* to have
    cost more than expected. A real saving of this size is inside the noise of a single
    hospital's program; the table gives the chances for each size.

    ## 2. The minimum savings rate

    A shared-savings contract pays only when the measured saving rate beats a **minimum
    savings rate** (MSR), set so that a pool with no true saving is unlikely to be rewarded by
    chance. With member-level cost CV $c$, the pool's mean cost wanders by about $c/\\sqrt{n}$,
    and the confidence-interval MSR is $z\\,c/\\sqrt{n}$ (z = 1.645 at 90% two-sided confidence;
    shared/DOMAIN.md section 4). The Medicare Shared Savings Program's table (42 CFR 425.604(b))
    starts at 5,000 beneficiaries with 3.9%: every CMC program sits below it.

    Which $c$? The synthetic population has a fixed tier mix, so the noise of its mean comes
    from the spread *within* tiers (`Results.within_tier_cv`, what a confidence-interval MSR
    uses by default), which is smaller than the CV across all children (`member_level_cv`).
    '''),
    code('''
    r1000 = pools[1000]["results"]
    cv = r1000.within_tier_cv()
    print(f"member-level cv of annual cost: {r1000.member_level_cv():.2f} across all children, {cv:.2f} within tiers")

    n = np.array(SIZES, dtype=float)
    msr = apmsim.msr_table(n, cv, saving=true_rate).set_index("members")
    msr.index = msr.index.astype(int)
    msr["sd of measured rate, simulated"] = [(measured[k] / benchmark[k]).std(ddof=1) for k in SIZES]
    msr["c / sqrt(n)"] = apmsim.savings_rate_sd(n, cv)
    show(msr[["ci_msr", "mssp_msr", "p_reward_at_ci_msr", "sd of measured rate, simulated", "c / sqrt(n)"]],
         percent=["ci_msr", "mssp_msr", "p_reward_at_ci_msr", "sd of measured rate, simulated", "c / sqrt(n)"])

    n_msr = apmsim.members_for_msr(true_rate, cv)
    n_detect = apmsim.members_to_detect_saving(true_rate, cv, false_reward=0.05, power=0.8)
    print(f"At 1,000 children the 90% confidence MSR is {msr.loc[1000, 'ci_msr']:.1%}, against a true saving of {true_rate:.1%}.")
    print(f"The MSR falls to the true saving only at {n_msr:,.0f} children; to reward the saving 80% of the time while "
          f"rewarding a program that saves nothing only 5% of the time takes {n_detect:,.0f} children.")
    print(f"MSSP table: {apmsim.mssp_minimum_savings_rate(5000):.1%} at 5,000, {apmsim.mssp_minimum_savings_rate(8000):.1%} at 8,000 "
          f"beneficiaries (the confidence-interval MSR at 8,000: {msr.loc[8000, 'ci_msr']:.1%})")
    '''),
    md('''
    The simulated sd of the measured rate follows $c/\\sqrt{n}$ closely at the small sizes and
    sits above it at the large ones, where the shocks that every child shares (section 5) start
    to matter. The next figure draws the same analytics as curves (`apmsim.plot.msr_curve`),
    with simulated points: the share of trials of the *baseline* arm, where the program did
    nothing, whose measured saving rate beats the MSR (a false reward).
    '''),
    code('''
    grid = np.geomspace(100, 20000, 60)
    ci = apmsim.minimum_savings_rate(n, cv)
    rate_without_program = {k: 1 - pools[k]["baseline"] / benchmark[k] for k in SIZES}
    false_at_ci = {k: np.mean(rate_without_program[k] > m) for k, m in zip(SIZES, ci)}
    false_at_2 = {k: np.mean(rate_without_program[k] > 0.02) for k in SIZES}

    fig, (a, b) = plt.subplots(1, 2, figsize=(15, 5.5))
    apmsim.plot.msr_curve(grid, cv, confidence=0.9, saving=true_rate, simulated=false_at_ci, ax=a)
    a.set_title(f"Confidence-interval MSR (90%), cv {cv:.2f}")
    apmsim.plot.msr_curve(grid, cv, msr=0.02, saving=true_rate, simulated=false_at_2, ax=b)
    b.set_title(f"Fixed MSR of 2%, cv {cv:.2f}")
    b.set_ylim(0, 0.05)
    fig.tight_layout()
    plt.show()
    '''),
    code('''
    missed = pd.DataFrame({
        "members": SIZES,
        "CI MSR": ci,
        "P(false reward), simulated": [false_at_ci[k] for k in SIZES],
        "P(missed reward), simulated": [np.mean(1 - pools[k]["actual"] / benchmark[k] <= m) for k, m in zip(SIZES, ci)],
        "P(missed reward), normal approximation": 1 - apmsim.reward_probability(n, cv, ci, true_rate),
        "P(false reward) at 2%, simulated": [false_at_2[k] for k in SIZES],
        "P(false reward) at 2%, normal approximation": apmsim.false_reward_probability(n, cv, 0.02),
    }).set_index("members")
    show(missed, percent=list(missed.columns))
    print(f"At 1,000 children: a program with the true saving above goes unrewarded in "
          f"{missed.loc[1000, 'P(missed reward), simulated']:.0%} of trials under the confidence-interval MSR; "
          f"with a fixed 2% MSR a program that saves nothing is rewarded in {false_at_2[1000]:.0%} of them.")
    '''),
    md('''
    **Reading the figure.** Left: the confidence-interval MSR (solid, left axis) holds the
    chance of a false reward (dashed, right axis) at 5% at every size; the simulated points
    show how well the normal approximation does with costs this skewed (the table below gives
    them: a little under 5% for the smallest pools, a little over for the largest, where the
    trend shock of section 5 adds to the noise). The price is the dotted
    curve, the chance of a **missed reward**: the MSR stays above the true saving until the pool
    is far larger than any single hospital's program, so a program that works earns nothing
    most of the time. Right: a fixed 2% MSR, one of the MSSP's two-sided options, rewards real
    savings more often but rewards *chance* in a large share of small pools. No MSR fixes both:
    at a few hundred children the saving and the noise cannot be told apart.

    ## 3. What corridors and stop-loss do

    A contract decides who carries the noise. Under fee-for-service the payer carries it all;
    under shared savings, shared risk or capitation part of it moves to the hospital; risk
    corridors and stop-loss move some of it back. `payment_models_compared.json` holds four
    models of the bundled program (1,000 children, 3 years). To see the corridor and the
    stop-loss separately, we add three steps built from the default program's global
    capitation: capitation alone, then with its risk corridor, then also with specific
    stop-loss at $250,000 per child. All seven are settled on the same simulated costs.
    '''),
    code('''
    compared = apmsim.Scenario.load(SCENARIOS / "payment_models_compared.json")
    capitation = apmsim.Scenario.load(SCENARIOS / "default_cmc_program.json").payment_models[3].to_dict()
    steps = {
        "capitation_alone": capitation["components"][:1],
        "capitation_corridor": capitation["components"][:2],
        "capitation_corridor_stop_loss": capitation["components"][:3],
    }
    four = [m.name for m in compared.payment_models]
    compared.payment_models = [*compared.payment_models,
                               *(apmsim.PaymentModel.from_dict({"name": k, "components": c}) for k, c in steps.items())]
    start = time.perf_counter()
    rc = apmsim.run(compared, trials=TRIALS, calibration_trials=CALIBRATION_TRIALS)
    print(f"{len(rc.payments.models)} payment models on {rc.members:,} children, {rc.years} years, {rc.trials} trials "
          f"in {time.perf_counter() - start:.1f} s")

    provider = rc.payments.summary().xs(("intervention", 0, "provider", "net"), level=("arm", "year", "party", "measure"))
    provider = provider.loc[four + list(steps), ["mean", "sd", "p05", "expected_shortfall_95", "p_negative"]]
    provider.columns = ["mean net", "sd", "5% worst", "mean of worst 5%", "P(loss)"]
    show(provider, money=["mean net", "sd", "5% worst", "mean of worst 5%"], percent=["P(loss)"])
    '''),
    md('''
    The table is the hospital's (the `provider`'s) net result over the three years, with the
    program running: revenue minus payments to others minus the cost of the care it delivers
    and of the program. Now the same as pictures: the chance that the hospital's net falls
    below any amount (`apmsim.plot.exceedance`), first for the four models of the file.
    '''),
    code('''
    fig = apmsim.plot.exceedance(rc, party="provider", models=four)
    plt.show()
    sd = provider["sd"]
    print(f"sd of the hospital's 3-year net: {', '.join(f'{m} {dollars(sd[m])}' for m in four)}")
    '''),
    md('''
    **Reading the figure.** The steeper a curve, the narrower the hospital's range of results;
    the dot on the dashed line is its chance of losing money. Fee-for-service is the steepest:
    the hospital carries no cost risk, but it carries the program's cost with no way to earn it
    back, so where its curve sits is fixed by that cost. The care-management fees of the
    shared-savings model move the curve to the right, and shared savings adds a small, rare
    upside; the two-sided contract spreads the curve both ways, since the hospital now shares in
    the pool's noise; partial capitation moves only the capitated categories' risk. Next, the
    three capitation steps.
    '''),
    code('''
    fig = apmsim.plot.exceedance(rc, party="provider", models=list(steps))
    plt.show()
    indicators = rc.payments.indicators().xs("capitation_corridor_stop_loss", level="model")
    premium, recoveries = indicators["mean_stop_loss_premium"].sum(), indicators["mean_stop_loss_recoveries"].sum()
    for m in steps:
        print(f"{m:30s} mean {dollars(provider.loc[m, 'mean net']):>8}  sd {dollars(sd[m]):>7}  "
              f"5% worst {dollars(provider.loc[m, '5% worst']):>8}  P(loss) {provider.loc[m, 'P(loss)']:.0%}")
    print(f"stop-loss: premium {dollars(premium)} for expected recoveries of {dollars(recoveries)} over the 3 years")
    '''),
    md('''
    **Reading the figure.** Capitation alone hands the hospital the whole cost risk of the pool:
    the widest curve. The corridor returns the part of each year's gain or loss beyond a band to
    the payer, so the curve narrows (compare the sds above), but it cuts both tails: with
    capitation rates above the expected cost, the margin the hospital would keep in good years
    goes back to the payer too, and its mean falls. Specific stop-loss narrows the spread again,
    for a premium fixed before the year (the expected recoveries of the calibration sample plus
    a 15% loading), a certain cost set against the recoveries printed above. Compare the 5%
    worst outcomes too: protection bought at a price can narrow the spread without improving the
    worst years, when the price moves the whole curve left. Corridors and stop-loss change how
    much of a small pool's noise the hospital carries; they do not make its saving any easier
    to see.

    ## 4. How many children a two-sided contract needs

    In a two-sided contract the hospital also owes a share of losses when cost comes in above
    the benchmark by more than a minimum loss rate (MLR). With a symmetric MSR and MLR (the
    MSSP's two-sided tracks offer 0%, 0.5%, 1%, 1.5% or 2%) the noise produces both errors: an
    undeserved reward and an undeserved penalty, equally likely when the true saving is zero.
    For comparison, DeLia, Hoover & Cantor (2012) put both at about 25% for a two-sided ACO of
    5,000 and about 2% at 50,000, for adult Medicare populations.
    '''),
    code('''
    options = [0.0, 0.005, 0.01, 0.015, 0.02]
    sizes = np.array([500, 1000, 1500, 5000, 50000])
    errors = pd.DataFrame({f"MSR = MLR = {m:.1%}": apmsim.false_reward_probability(sizes, cv, m) for m in options},
                          index=pd.Index(sizes, name="members"))
    print("P(undeserved reward) = P(undeserved penalty) with no true saving, normal approximation:")
    show(errors, percent=list(errors.columns))

    for m in options[1:]:
        print(f"MSR = MLR = {m:.1%}: both errors at 5% from {apmsim.members_for_msr(m, cv):,.0f} children "
              f"(benchmark known exactly), {apmsim.members_for_msr(m, cv * np.sqrt(2)):,.0f} "
              f"(benchmark from a base year of the same pool)")
    '''),
    md('''
    The second count applies when the benchmark is itself measured on the pool, from a base
    year of the same size: its noise adds to the performance year's, doubling the variance. That
    is how the two-sided model of `payment_models_compared.json` builds its benchmark, so its
    simulated error rates can be checked against the normal approximation:
    '''),
    code('''
    two_sided = rc.payments.indicators().xs("two_sided_shared_risk_corridor", level="model")
    shared_risk = rc.scenario.to_dict()["payment_models"][four.index("two_sided_shared_risk_corridor")]["components"][2]
    m, mlr = shared_risk["minimum_savings_rate"], shared_risk["minimum_loss_rate"]
    print(f"two-sided shared risk, {rc.members:,} children, MSR {m:.1%}, MLR {mlr:.1%}, mean over the {rc.years} years:")
    print(f"  P(undeserved reward):  simulated {two_sided['p_false_reward'].mean():.0%}, "
          f"normal approximation {apmsim.false_reward_probability(rc.members, cv * np.sqrt(2), m):.0%}")
    print(f"  P(undeserved penalty): simulated {two_sided['p_false_penalty'].mean():.0%}, "
          f"normal approximation {apmsim.false_penalty_probability(rc.members, cv * np.sqrt(2), mlr):.0%}")
    print(f"  P(penalty although the program saved money): simulated {two_sided['p_penalty_despite_savings'].mean():.0%}")
    '''),
    md('''
    On a single hospital's CMC program a two-sided contract settles mostly on luck: the hospital
    is about as likely to be paid for good luck as to be charged for bad luck, and a program that
    works is still charged losses in a good share of years. Holding
    both errors to 5% at the largest symmetric option takes a pool of the size printed above,
    more than any single hospital's program, and twice that when the benchmark comes from the
    pool's own history.

    ## 5. What pooling would do

    Measuring several programs as one pool (as the CARE award did, across 10 hospitals) shrinks
    the noise as $1/\\sqrt{n}$. Two things do not average away: the annual **trend**, drawn once
    per trial and shared by every child (4% a year with sd 1%, DOMAIN section 2), and the
    uncertainty of the **program's effect** itself, also drawn once per trial. The figure
    separates them: the noise of the pool alone (the baseline arm against its benchmark), the
    measured saving rate with the program, and the true saving rate.
    '''),
    code('''
    fig, ax = plt.subplots(figsize=(8, 5))
    sd_noise = [rate_without_program[k].std(ddof=1) for k in SIZES]
    sd_measured = [(measured[k] / benchmark[k]).std(ddof=1) for k in SIZES]
    sd_true = [(truth[k] / pools[k]["baseline"]).std(ddof=1) for k in SIZES]
    ax.loglog(SIZES, sd_noise, "o-", label="pool noise alone (baseline arm)")
    ax.loglog(SIZES, sd_measured, "s-", label="measured saving rate (with the program)")
    ax.loglog(SIZES, sd_true, "^-", label="true saving rate (the program's effect)")
    ax.loglog(grid, apmsim.savings_rate_sd(grid, cv), "k--", label=f"c / sqrt(n), c = {cv:.2f}")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("children in the pool")
    ax.set_ylabel("sd over trials, % of the benchmark")
    ax.set_title("What pooling removes, and what it does not")
    ax.legend(fontsize="small")
    plt.show()

    k = SIZES.index(8000)
    print(f"From 1,000 to 8,000 children the pool's noise falls from {sd_noise[SIZES.index(1000)]:.1%} to {sd_noise[k]:.1%} "
          f"(c/sqrt(n): {apmsim.savings_rate_sd(8000, cv):.1%}) and the confidence-interval MSR from "
          f"{msr.loc[1000, 'ci_msr']:.1%} to {msr.loc[8000, 'ci_msr']:.1%}, against a true saving of {true_rate:.1%}.")
    print(f"The true saving rate's own sd stays at {sd_true[k]:.1%} at 8,000 children: the uncertainty of the effect, "
          f"which pooling can measure but not remove.")
    '''),
    md('''
    **Reading the figure.** The pool's noise follows the $c/\\sqrt{n}$ line down until the trend
    shock, common to every child, holds it up at the largest sizes: a benchmark trended by the
    realised trend (as the simulated benchmarks of the bundled contracts are) removes that part.
    The true saving rate's spread falls far more slowly and levels off: at a few thousand
    children what is left is the genuine uncertainty about how much the program saves, which a
    larger pool can measure but not remove.
    Pooling with a larger population makes the MSR small enough for a real saving to be seen,
    and a two-sided contract fair to both sides; it does not make the program's effect more
    certain, and it dilutes each hospital's own result in the pool's.

    **What to take away.**

    - At a single hospital's size, a saving of the size the CARE evaluation found is smaller
      than the noise of one year's cost: judge a program on the pooled or multi-year evidence,
      not on one pool's one year.
    - A confidence-interval MSR keeps chance rewards rare at the price of rarely rewarding real
      savings; a fixed small MSR does the reverse.
    - Corridors and stop-loss narrow the hospital's range of results, at a price that can
      outweigh what they take off the tail; they do not make the saving visible.
    - Two-sided risk needs thousands of children per pool before its rewards and penalties
      mean much more than luck.
    '''),
]

# ---------------------------------------------------------------------------------------
# 02: comparing payment models

PAYMENT_MODELS = [
    md('''
    # Comparing payment models for a CARE-like program

    In the CARE award (Children's Hospital Association, 2014-2018) children's hospitals,
    Medicaid programs and primary-care practices ran complex-care programs for children with
    medical complexity together. When such a program works, who gains? Avoided admissions are
    revenue the hospital no longer earns, and the care team is a cost no fee-for-service claim
    pays. This notebook follows the money for each **party** of the bundled program (1,000
    children, 3 years): the `payer` (Medicaid), the `provider` (the children's hospital that runs
    the program), the `pcp` (primary-care practices) and the `reinsurer`, under:

    - fee-for-service (FFS) alone;
    - FFS with care-management fees;
    - FFS with care-management fees and one-sided shared savings;
    - two-sided shared risk, and a glide path from shared savings to shared risk;
    - partial capitation with stop-loss, and global capitation with a risk corridor and stop-loss.

    Then a three-year glide path year by year, and a goal seek for the capitation rate the
    hospital could accept. All models are settled on the same simulated costs (common random
    numbers), so their differences are the contracts' alone. Trial counts come from
    `APMSIM_NOTEBOOK_TRIALS` (default 1,000).
    '''),
    code(SETUP),
    md('''
    ## 1. The program and the delivery basis

    A party's **net** is its revenue minus its payments to other parties minus the cost of the
    care it delivers (docs/glossary.md). The scenario's `delivery` basis says which share of
    each category's allowed cost the hospital and the PCPs deliver and what that care costs them
    per dollar they are paid; the program's cost items are borne by the hospital unless listed.
    '''),
    code('''
    program = apmsim.Scenario.load(SCENARIOS / "default_cmc_program.json")
    compared = apmsim.Scenario.load(SCENARIOS / "payment_models_compared.json")
    delivery = program.delivery
    basis = pd.DataFrame({
        "hospital's share": {c: delivery["provider_share"].get(c, 0.0) for c in program.categories},
        "hospital cost / payment": {c: delivery["provider_cost_ratio"].get(c, 1.0) for c in program.categories},
        "PCPs' share": {c: delivery["pcp_share"].get(c, delivery["pcp_share"].get("default", 0.0)) for c in program.categories},
    })
    show(basis, percent=["hospital's share", "PCPs' share"], decimals=2)
    costs = program.to_dict()["intervention"]["program_cost_pmpm"]
    borne = delivery["program_cost_borne_by"]
    print("program cost items, per member per month:",
          ", ".join(f"{item} ${pmpm:.0f} ({borne.get(item, 'provider')})" for item, pmpm in costs.items()))
    '''),
    md('''
    ## 2. The models

    The default program carries four models and `payment_models_compared.json` four more; one
    of them (FFS with care fees and one-sided shared savings) is in both, so it is kept once. We
    add FFS with the care-management fees alone, to separate the fees from the shared savings.
    '''),
    code('''
    models = {m.name: m for m in program.payment_models}
    for m in compared.payment_models:
        if not any(m.to_dict()["components"] == k.to_dict()["components"] for k in models.values()):
            models[m.name] = m
    fees = models["ffs_care_fee_shared_savings"].to_dict()
    models["ffs_care_management_fees"] = apmsim.PaymentModel.from_dict(
        {"name": "ffs_care_management_fees", "components": [c for c in fees["components"] if c["type"] != "shared_savings"]})
    ORDER = ["fee_for_service", "ffs_care_management_fees", "ffs_care_fee_shared_savings", "two_sided_shared_risk_corridor",
             "ffs_shared_risk_glide_path", "partial_capitation_specific_stop_loss", "global_capitation_corridor_stop_loss"]
    scenario = apmsim.Scenario.from_dict(program.to_dict())
    scenario.payment_models = [models[name] for name in ORDER]
    for name in ORDER:
        parts = []
        for c in models[name].to_dict()["components"]:
            years = f" in years {c['years']}" if "years" in c else ""
            party = f" to {c['party']}" if c.get("party", "provider") != "provider" else ""
            parts.append(f"{c['type']}{party}{years}")
        print(f"{name:40s} {' + '.join(parts)}")

    start = time.perf_counter()
    r = apmsim.run(scenario, trials=TRIALS, calibration_trials=CALIBRATION_TRIALS)
    print(f"\\n{len(ORDER)} models, {r.members:,} children, {r.years} years, {r.trials} trials in {time.perf_counter() - start:.1f} s")
    '''),
    md('''
    ## 3. What each party gets

    First the level: each party's mean net over the three years with the program running. Then
    the question a hospital and a payer actually face: against the **status quo**, fee-for-service
    without the program (the baseline arm of the FFS model, on the same trials), what does
    running the program under each contract change for each party?
    '''),
    code('''
    PARTIES = ["payer", "provider", "pcp", "reinsurer"]


    def over_years(model, party, measure="net", arm="intervention"):
        \"\"\"One party's measure per trial, summed over the years (dollars).\"\"\"
        return r.payments.samples(model, party, measure, arm).sum(axis=1)


    level = pd.DataFrame({p: [over_years(m, p).mean() for m in ORDER] for p in PARTIES}, index=ORDER)
    print("Mean net over 3 years, program running:")
    show(level, money=PARTIES)

    status_quo = {p: over_years("fee_for_service", p, arm="baseline") for p in r.payments.parties}
    change = pd.DataFrame({p: [(over_years(m, p) - status_quo[p]).mean() for m in ORDER] for p in r.payments.parties},
                          index=ORDER)
    change["all parties"] = change.sum(axis=1)
    print("Change against the status quo (FFS, no program), mean over trials:")
    show(change[PARTIES + ["all parties"]], money=PARTIES + ["all parties"])

    gross = r.samples("savings").sum(axis=1).mean()
    net_savings = r.samples("net_savings").sum(axis=1).mean()
    print(f"The program avoids {dollars(gross)} of allowed cost over 3 years and costs {dollars(gross - net_savings)} "
          f"to run: {dollars(net_savings)} net, at allowed prices.")
    print(f"All parties together: {dollars(change['all parties'].mean())} in every model (largest difference between "
          f"models {dollars(round(np.ptp(change['all parties'])))}); the contracts only move money between the parties.")
    print(f"Under FFS the payer gains {dollars(change.loc['fee_for_service', 'payer'])}, the hospital "
          f"{dollars(change.loc['fee_for_service', 'provider'])}, the PCPs {dollars(change.loc['fee_for_service', 'pcp'])}.")
    '''),
    md('''
    The levels carry what the delivery basis says about the hospital's margins (where its cost
    per dollar of payment is above 1, it loses money on that care with or without the program),
    so the second table is the one to read. Every dollar one party pays, another receives, so the
    last column is the same in every model: the cost of the care avoided, valued at what it costs
    those who deliver it, minus the program's cost. It differs from the net saving at allowed
    prices because the hospital's cost of care is not its payment. A contract decides only who
    gets it. Under FFS the payer keeps the whole gross saving while the hospital pays for the
    program.

    ## 4. The hospital's ledger: lost revenue and unreimbursed cost

    Under FFS, the program's effect on the hospital (intervention arm minus baseline arm, same
    trials, from `r.payments.samples("fee_for_service", "provider", measure, arm)` with measure
    `revenue`, `delivery_cost` and `net`) has three parts: the FFS revenue it no longer earns,
    the cost of the care it no longer delivers, and the program cost it bears.
    '''),
    code('''
    provider_items = [i for i in r.program_cost_items if borne.get(i, "provider") == "provider"]
    program_cost = sum(r.samples("program_cost", "intervention", item=i).sum(axis=1) for i in provider_items)


    def program_effect(model, measure):
        \"\"\"The program's effect on the hospital's measure under one contract (intervention - baseline, per trial).\"\"\"
        return over_years(model, "provider", measure) - over_years(model, "provider", measure, "baseline")


    lost_revenue = -program_effect("fee_for_service", "revenue").mean()
    care_avoided = -(program_effect("fee_for_service", "delivery_cost") - program_cost).mean()
    unpaid = program_cost.mean()
    ffs_net = program_effect("fee_for_service", "net").mean()
    steps = [("lost FFS revenue", -lost_revenue), ("cost of care\\nnot delivered", care_avoided),
             ("program cost\\n(unreimbursed)", -unpaid)]

    fig, ax = plt.subplots(figsize=(8, 4.5))
    running = 0.0
    for i, (label, amount) in enumerate(steps):
        ax.bar(i, amount, bottom=running, color="#2ca02c" if amount > 0 else "#d62728", width=0.6)
        ax.text(i, running + amount / 2, dollars(amount), ha="center", va="center", color="white", fontweight="bold")
        running += amount
    ax.bar(len(steps), ffs_net, color="black", width=0.6)
    ax.text(len(steps), ffs_net / 2, dollars(ffs_net), ha="center", va="center", color="white", fontweight="bold")
    levels = np.cumsum([0.0] + [amount for _, amount in steps])
    span = levels.max() - min(levels.min(), ffs_net)
    ax.set_ylim(min(levels.min(), ffs_net) - 0.08 * span, levels.max() + 0.08 * span)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xticks(range(len(steps) + 1), [s for s, _ in steps] + ["change in\\nthe hospital's net"])
    ax.yaxis.set_major_formatter(dollars)
    ax.set_ylabel("over 3 years, dollars")
    ax.set_title("Fee-for-service: what the program does to the hospital")
    fig.tight_layout()
    plt.show()

    baseline_revenue = over_years("fee_for_service", "provider", "revenue", "baseline").mean()
    print(f"Under FFS the hospital loses {dollars(lost_revenue)} of revenue ({lost_revenue / baseline_revenue:.1%} of its FFS "
          f"revenue from these children), avoids {dollars(care_avoided)} of the cost of delivering that care and pays "
          f"{dollars(unpaid)} for the program: {dollars(ffs_net)} over 3 years, "
          f"{dollars(ffs_net / r.members / r.years)} per child per year.")
    '''),
    md('''
    Every avoided admission or emergency visit is revenue the hospital loses. Whether it also
    loses margin depends on what that care costs it per dollar of payment (the delivery basis
    above), and that ratio is an average: fixed costs do not go away when admissions fall, so
    the real loss can be larger. The program's own cost is not paid for at all under FFS.

    The other contracts change the hospital's result in two ways, which the next figure
    separates for each model: what the contract pays for the program's **results** (the
    program's effect under that contract, intervention minus baseline arm), and what it pays
    **whatever happens** (the contract without the program, its baseline arm, minus the status
    quo). Their sum is the hospital's change against the status quo from the table above.
    '''),
    code('''
    split = pd.DataFrame({
        "paid for results": [program_effect(m, "net").mean() for m in ORDER],
        "paid whatever happens": [(over_years(m, "provider", arm="baseline") - status_quo["provider"]).mean() for m in ORDER],
    }, index=ORDER)
    split["against the status quo"] = split.sum(axis=1)
    show(split, money=list(split.columns))

    fig, ax = plt.subplots(figsize=(12, 5))
    x = np.arange(len(ORDER))
    ax.bar(x - 0.2, split["paid for results"], 0.4, color="#1f77b4", label="paid for the program's results")
    ax.bar(x + 0.2, split["paid whatever happens"], 0.4, color="#ff7f0e", label="paid whatever happens (the contract, no program)")
    ax.plot(x, split["against the status quo"], "D", color="black", label="against the status quo")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xticks(x, ORDER, rotation=20, ha="right")
    ax.yaxis.set_major_formatter(dollars)
    ax.set_ylabel("hospital's net, change over 3 years")
    ax.set_title("What each contract pays the hospital")
    ax.legend(fontsize="small")
    fig.tight_layout()
    plt.show()

    fees = split.loc["ffs_care_management_fees", "paid whatever happens"]
    for_results = (split["paid for results"] - split.loc["fee_for_service", "paid for results"]).round()
    print(f"The care-management fees pay the hospital {dollars(fees)} over 3 years whatever happens, against a program "
          f"cost of {dollars(unpaid)}.")
    print("Paid for results beyond FFS: " + "; ".join(f"{m} {dollars(v)}" for m, v in for_results.items() if m != "fee_for_service"))
    '''),
    md('''
    **Reading the figure.** Blue is what the hospital earns by making the program work, orange
    what the contract pays it regardless. Under FFS and with care-management fees alone the blue
    bar is the same loss: the fees are paid in both arms, so they pay for the program's cost,
    not its results. One-sided shared savings adds little for results at this size (notebook 01:
    the saving is rarely measurable), and pays something for luck too, since a pool without the
    program is sometimes rewarded; so does shared risk, whose share of losses is smaller than its
    share of savings. Shared risk passes more of the saving itself to the hospital,
    with its noise. For capitation the orange bar is the rates' margin over what FFS would have
    paid for the same care: a question of the rate (section 7 finds one by goal seek), not of the
    program.

    ## 5. Distributions relative to fee-for-service

    `apmsim.plot.net_distribution(r, relative_to="fee_for_service")` draws, for each model,
    every party's net minus its net under FFS on the same trials: the effect of the contract
    terms alone, with its spread over trials.
    '''),
    code('''
    fig = apmsim.plot.net_distribution(r, party=["payer", "provider", "pcp"], relative_to="fee_for_service")
    plt.show()
    rel = {m: over_years(m, "provider") - over_years("fee_for_service", "provider") for m in ORDER[1:]}
    print("hospital's net minus its FFS net, 3 years: " +
          "; ".join(f"{m} mean {dollars(round(v.mean()))}, sd {dollars(round(v.std(ddof=1)))}" for m, v in rel.items()))
    '''),
    md('''
    **Reading the figure.** Whatever one party gains against FFS the payer pays, so the red
    and blue boxes mirror each other. The care-management fees are a fixed transfer: narrow boxes.
    Shared savings adds a skewed, rarely paid bonus. Shared risk and capitation put the pool's
    noise on the hospital: the boxes widen, by the sds printed above, and the mean tells only
    part of the story. The PCPs' result moves with their own fee only.

    ## 6. A glide path, year by year

    `three_year_glide_path.json` moves the hospital from one-sided shared savings in year 1 to
    shared risk in year 2 and to a larger share of savings and losses in year 3, each
    component in force only in its `years`. The fan charts show the hospital's net per year (the
    median, and the bands holding 50% and 90% of trials) under FFS and under the glide path.
    '''),
    code('''
    glide = apmsim.Scenario.load(SCENARIOS / "three_year_glide_path.json")
    for c in glide.payment_models[1].to_dict()["components"]:
        terms = {k: c[k] for k in ("sharing_rate", "minimum_savings_rate", "loss_rate", "pmpm") if k in c}
        print(f"  {c['type']:20s} years {c.get('years', 'all')}: {terms}")
    rg = apmsim.run(glide, trials=TRIALS, calibration_trials=CALIBRATION_TRIALS)
    path = "glide_path_savings_then_risk"

    fig, (a, b) = plt.subplots(1, 2, figsize=(14, 5), sharey=True)
    apmsim.plot.fan_chart(rg, "net", arm="intervention", model="fee_for_service", party="provider", ax=a)
    a.set_title("Hospital's net by year: fee_for_service")
    apmsim.plot.fan_chart(rg, "net", arm="intervention", model=path, party="provider", ax=b)
    b.set_title(f"Hospital's net by year: {path}")
    fig.tight_layout()
    plt.show()

    by_year = rg.payments.indicators().xs(path, level="model")[["p_savings_paid", "mean_savings_paid", "p_losses_owed", "mean_losses_owed"]]
    show(by_year, money=["mean_savings_paid", "mean_losses_owed"], percent=["p_savings_paid", "p_losses_owed"])
    '''),
    md('''
    **Reading the figure.** Under FFS the hospital's result drifts with the trend but its band
    stays narrow. On the glide path year 1 can only add (shared savings, one-sided); from year 2
    the band opens downwards as well, because losses beyond the minimum loss rate are now
    shared, and in year 3 the larger shares widen it again. The table gives each year's chance
    that savings are paid or losses owed, and their mean amounts: a glide path gives a hospital
    time to learn, but the noise it will face in the later years is there from the start.

    ## 7. Goal seek: the capitation rate the hospital can accept

    `examples/solve/capitation_rate.sh` asks for the tier-B global capitation rate (per member
    per month) at which the hospital's chance of losing money over the three years is at most
    20%, with the risk corridor and stop-loss of the default program's capitation model.
    `apmsim.solve` searches the bracket on the scenario's own random numbers (docs/sweeps.md),
    so the statistic is a deterministic, monotone function of the rate, and reports a 95% Monte
    Carlo interval for the answer. The search settles many rates on one simulation per round;
    here it runs on at most 300 trials.
    '''),
    code('''
    SOLVE_TRIALS = min(TRIALS, 300)
    VARY = "/payment_models/3/components/0/pmpm/B"
    TARGET = "model=global_capitation_corridor_stop_loss party=provider statistic=p_negative <= 0.2"
    start = time.perf_counter()
    answer = apmsim.solve(program, VARY, (2000, 10000), TARGET, trials=SOLVE_TRIALS,
                          calibration_trials=CALIBRATION_TRIALS, tolerance=25)
    low, high = answer["interval_95"]
    print(f"{SOLVE_TRIALS} trials, {answer['simulations']} simulations, {len(answer['evaluations'])} rates tried "
          f"in {time.perf_counter() - start:.1f} s")
    print(f"tier-B capitation: {dollars(answer['value'])} PMPM (95% Monte Carlo interval {dollars(low)} to {dollars(high)}), "
          f"P(loss) there {answer['statistic']:.0%}")
    expected_b = program.member_year_moments("B")["mean"] / 12
    print(f"tier B's expected allowed cost in the base year: {dollars(expected_b)} PMPM; "
          f"the rate is {answer['value'] / expected_b:.2f} times that")
    '''),
    code('''
    tried = np.array(sorted(answer["evaluations"]))
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.step(tried[:, 0], tried[:, 1], where="post", color="#d62728", label="P(loss) at each rate tried")
    ax.plot(tried[:, 0], tried[:, 1], ".", color="#d62728")
    ax.axhline(0.2, color="grey", linestyle="--", label="target: P(loss) <= 20%")
    ax.axvspan(low, high, color="#1f77b4", alpha=0.2, label="95% Monte Carlo interval")
    ax.axvline(answer["value"], color="#1f77b4", label="answer")
    ax.xaxis.set_major_formatter(dollars)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("tier-B global capitation, per member per month")
    ax.set_ylabel("hospital's P(loss over 3 years)")
    ax.set_title("Goal seek on common random numbers")
    ax.legend(fontsize="small")
    plt.show()
    '''),
    md('''
    **Reading the figure.** On common random numbers the chance of a loss falls in steps as the
    rate rises (each step is one trial turning from a loss to a gain), which is why the search
    can bracket the answer exactly. The shaded interval is what the answer would be on other
    random numbers, to first order; it narrows as the trials grow. The rate is well above
    tier B's expected allowed cost because the capitated hospital pays for care that others
    deliver, delivers its own at its cost ratios, bears the program cost, and gives up part of
    its gains to the corridor and a loaded premium to the stop-loss. Finally, the answer checked
    on all the notebook's trials:
    '''),
    code('''
    checked = program.to_dict()
    checked["payment_models"][3]["components"][0]["pmpm"]["B"] = answer["value"]
    rv = apmsim.run(apmsim.Scenario.from_dict(checked), trials=TRIALS, calibration_trials=CALIBRATION_TRIALS)
    loss = np.mean(rv.payments.samples("global_capitation_corridor_stop_loss", "provider").sum(axis=1) < 0)
    print(f"at {dollars(answer['value'])} PMPM for tier B, over {TRIALS} trials: P(loss) = {loss:.1%} "
          f"(standard error {np.sqrt(loss * (1 - loss) / TRIALS):.1%})")
    '''),
    md('''
    **What to take away.** Fee-for-service leaves a complex-care program's saving with the payer
    and its cost with the hospital. Care-management fees are the dependable way to pay for the
    program; shared savings rewards it rarely at this size; two-sided risk and capitation hand
    the hospital the saving and the noise together, which corridors and stop-loss narrow at a
    price. A goal seek turns a risk appetite (here at most a 20% chance of a loss) into a rate,
    with its Monte Carlo uncertainty.
    '''),
]

# ---------------------------------------------------------------------------------------
# 03: a sweep on Dask

SWEEP_ON_DASK = [
    md('''
    # A sweep on a Dask cluster

    A **sweep** runs many variants of one scenario, each axis a JSON pointer into the scenario
    and the values it takes, and stores every statistic of every variant (docs/sweeps.md). Every
    variant runs on the base scenario's seed (common random numbers), so the differences between
    variants are the effect of the terms, not of the noise, and variants that differ only in
    payment-model terms share one simulation.

    `apmsim.sweep(sweep, client=client, db=...)` sends each group of variants that share a
    simulation to a Dask cluster as one task, stores the results as they come back in the same
    SQLite database that `apmsim sweep` writes, and returns the variants and statistics tables.
    This notebook runs two sweeps of the bundled program on a local cluster of two worker
    processes:

    1. a **tornado**: the program's effect on inpatient use, the trend, the MSR and the sharing
       rate, each at a low and a high value around the base (`examples/sweeps/tornado.json`);
    2. a **grid**: program size against the MSR of the two-sided contract, the question of
       notebook 01 asked of the contract itself.

    Trial counts come from `APMSIM_NOTEBOOK_TRIALS` (default 1,000).
    '''),
    code(SETUP + '''
import json
import shutil
import tempfile

WORK = pathlib.Path(tempfile.mkdtemp(prefix="apmsim-notebook-sweeps-"))  # the databases; removed at the end
'''),
    md('''
    ## 1. The sweeps

    A sweep file names its base scenario by a path relative to the sweep file. Here we build the
    sweeps as dicts, so the base is set to an absolute path. The tornado is
    `examples/sweeps/tornado.json` as it stands; the grid crosses four program sizes with four
    MSRs of the two-sided shared-risk model of `payment_models_compared.json`.
    `apmsim.sweep_variants` lists the variants without running anything.
    '''),
    code('''
    tornado = json.loads((REPOSITORY / "examples" / "sweeps" / "tornado.json").read_text())
    tornado["base"] = str(SCENARIOS / "default_cmc_program.json")

    grid = {
        "name": "size_and_msr",
        "base": str(SCENARIOS / "payment_models_compared.json"),
        "design": "grid",
        "seeds": "common",
        "axes": [
            {"name": "members", "pointer": "/population/generate/members", "values": [250, 500, 1000, 2000]},
            {"name": "minimum_savings_rate", "pointer": "/payment_models/2/components/2/minimum_savings_rate",
             "values": [0.0, 0.01, 0.02, 0.04]},
        ],
    }
    for sweep in (tornado, grid):
        variants = apmsim.sweep_variants(sweep)
        print(f"{sweep['name']} ({sweep.get('design', 'grid')}): {len(variants)} variants")
    display(pd.DataFrame([v["parameters"] for v in apmsim.sweep_variants(tornado)]).rename_axis("variant"))
    '''),
    md('''
    ## 2. The cluster

    A `LocalCluster` of two worker processes with one thread each stands in for a real cluster
    here. To use a real one, connect to its scheduler instead; nothing else in the notebook
    changes:

    ```python
    from dask.distributed import Client
    client = Client("tcp://scheduler:8786")   # the address of your cluster's scheduler
    ```

    Every worker needs the same apmsim importable (the same build on its `PYTHONPATH`; README,
    "Sweeps on a cluster"). The variants are built here and travel to the workers as pickled
    scenarios; the results come back to this process, which writes the database, so the workers
    read and write no files. The numbers are bit-identical to a run without a cluster: every
    seed comes from the variant, never from the worker.
    '''),
    code('''
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    print(client)
    '''),
    md('''
    ## 3. The tornado

    Four axes at a low and a high value each, plus the base: nine variants. The inpatient effect
    and the trend change the simulated costs, so each of their variants needs a simulation of
    its own; the MSR and the sharing rate are payment-model terms and are settled on the base
    variant's simulation.
    '''),
    code('''
    tornado_db = WORK / "tornado.sqlite"
    start = time.perf_counter()
    # threads=1: one thread per task, as each worker here has one (the scenario's default, 0, uses every core).
    variants, statistics = apmsim.sweep(tornado, client=client, db=tornado_db, trials=TRIALS,
                                        calibration_trials=CALIBRATION_TRIALS, threads=1)
    print(f"{len(variants)} variants, {len(statistics):,} statistics in {time.perf_counter() - start:.1f} s")

    # The database is the CLI's SQLite store: read it back, as any later session (or `sqlite3`) could.
    stored_variants, stored_statistics = apmsim.read_sweep(tornado_db)
    pd.testing.assert_frame_equal(stored_statistics, statistics)
    axes = [a["name"] for a in tornado["axes"]]
    show(stored_variants[["id", *axes, "status", "seconds"]].set_index("id"), decimals=3)
    '''),
    code('''
    fig, (a, b) = plt.subplots(2, 1, figsize=(9, 8))
    for ax, model in ((a, "ffs_care_fee_shared_savings"), (b, "ffs_shared_risk_glide_path")):
        apmsim.plot.tornado(stored_variants, stored_statistics, "mean", model=model, party="provider", ax=ax)
        ax.set_title(f"Hospital's mean net over 3 years: {model}")
    fig.tight_layout()
    plt.show()

    net = stored_statistics.query("party == 'provider' and measure == 'net' and statistic == 'mean' and year == 0 "
                                  "and arm == 'intervention' and component == ''")
    for model in ("ffs_care_fee_shared_savings", "ffs_shared_risk_glide_path"):
        values = net[net.model == model].set_index("variant").value
        swings = {axis: values[2 * i + 2] - values[2 * i + 1] for i, axis in enumerate(axes)}  # high - low
        print(f"{model}: base {dollars(values[0])}; from low to high: "
              + ", ".join(f"{axis} {dollars(swing)}" for axis, swing in sorted(swings.items(), key=lambda s: -abs(s[1]))))
    '''),
    md('''
    **Reading the figure.** Each bar runs from the base variant's value to the value with one
    axis at its low (blue) or high (orange) end, the widest swing on top. An axis that does not
    enter a model has no bar: the MSR axis points into the glide-path model and the sharing-rate
    axis into the shared-savings model. Read the order of the bars against the swings printed
    above: the inpatient effect (the range of the CARE confidence interval) moves the care the
    hospital delivers and the saving the contract shares; the trend moves the benchmark and the
    cost together; the contract's own terms are the levers the two sides negotiate. When the
    program's uncertainty swings the result more than the terms do, negotiating the terms
    matters less than knowing the effect.

    ## 4. A two-axis grid: program size against the MSR

    Sixteen variants; the size changes the simulation, so the four sizes are four simulations
    (four tasks on the cluster), each settled at the four MSRs. This time the tables are read
    back from the database alone.
    '''),
    code('''
    grid_db = WORK / "size_and_msr.sqlite"
    start = time.perf_counter()
    apmsim.sweep(grid, client=client, db=grid_db, trials=TRIALS, calibration_trials=CALIBRATION_TRIALS, threads=1)
    grid_variants, grid_statistics = apmsim.read_sweep(grid_db)
    print(f"{len(grid_variants)} variants in {time.perf_counter() - start:.1f} s")

    fig, (a, b) = plt.subplots(1, 2, figsize=(14, 5))
    apmsim.plot.heat_map(grid_variants, grid_statistics, "members", "minimum_savings_rate", "p_false_reward",
                         model="two_sided_shared_risk_corridor", party=None, year=1, ax=a)
    a.set_title("P(undeserved reward), year 1")
    apmsim.plot.heat_map(grid_variants, grid_statistics, "members", "minimum_savings_rate", "p_savings_paid",
                         model="two_sided_shared_risk_corridor", party=None, year=1, ax=b)
    b.set_title("P(savings paid) with the program, year 1")
    fig.tight_layout()
    plt.show()

    def cells(statistic):
        rows = grid_statistics.query(f"model == 'two_sided_shared_risk_corridor' and statistic == '{statistic}' and year == 1")
        return rows.merge(grid_variants, left_on="variant", right_on="id").set_index(["members", "minimum_savings_rate"]).value


    false, paid = cells("p_false_reward"), cells("p_savings_paid")
    for members, m in ((250, 0.0), (250, 0.04), (2000, 0.0), (2000, 0.04)):
        print(f"{members:>5,} children, MSR {m:.0%}: P(undeserved reward) {false[(members, m)]:.0%}, "
              f"P(savings paid with the program) {paid[(members, m)]:.0%}")
    '''),
    md('''
    **Reading the figure.** Left, the program removed (the baseline arm): with no MSR a pool
    with no true saving is rewarded about half the time at every size, and a larger MSR helps
    more the larger the pool, because the same MSR is then more standard deviations of the
    pool's noise. Even the largest pool and MSR here leave the chance of an undeserved reward
    well above the 5% a confidence-interval MSR aims at, as notebook 01 predicts for pools of
    this size (this contract's benchmark is a base year of the same pool, which doubles the
    variance of the noise). Right, with the program: at a low MSR the larger pools pay the real saving more
    often, because it stands out more from their smaller noise; at an MSR above the true saving
    payment falls at every size, and what is still paid is the saving plus good luck. The grid
    shows the trade-off of notebook 01 in the contract's own terms: each cell is one variant,
    all on the same random numbers.

    ## 5. Closing the cluster

    The databases stay valid SQLite files (`apmsim.read_sweep`, or any SQLite client, reads them;
    with `db=` an interrupted sweep continues with `resume=True`). Here they were written to a
    temporary folder, which is removed with the cluster.
    '''),
    code('''
    client.close()
    cluster.close()
    shutil.rmtree(WORK, ignore_errors=True)
    print("client and cluster closed")
    '''),
]

# ---------------------------------------------------------------------------------------
# 04: from messy claims to a cost model, and monitoring the contract

MESSY_CLAIMS = [
    md("""
    # From messy claims to a cost model, and watching the contract once it is signed

    "Data is messy" is the first lesson hospitals' analysts report from the CARE award: an
    eligibility extract and a claims extract come with duplicate lines, reversals, enrolment
    gaps, members the other file does not know, codes nobody mapped, and a run-out lag that
    makes the latest months look cheap. Before a payer's actuary accepts a cost model built
    from them, every removed row must be accounted for and every fitted number must come
    with its evidence. After the contract is signed, the same claims tell, month by month,
    whether the year is running as the simulation said.

    This notebook uses the small synthetic program under `examples/data/cmc_program`
    (written by `apmsim synth`: 150 children of the bundled CMC program, January 2023 to
    June 2024, valued at the end of June 2024, with mess at stated rates; `truth.json` says
    exactly what was injected). It walks through:

    1. standardisation: what each rule removed or flagged, and the reconciliation;
    2. run-out: the paid-lag triangle and each month's completeness;
    3. calibration and goodness of fit, with thin cells blended with the bundled model by credibility;
    4. monitoring contract year 2024 through June: the year-to-date percentile, actual vs
       expected, and the rest of the year projected on what each child's claims so far say.

    With 150 children most cells are thin: the point is the workflow and the evidence, not
    the precision. docs/claims-data.md describes the files and every rule.
    """),
    code(SETUP),
    code("""
    DATA = REPOSITORY / "examples" / "data" / "cmc_program"
    members = pd.read_csv(DATA / "members.csv", dtype=str, keep_default_na=False)
    claims = pd.read_csv(DATA / "claims.csv", dtype=str, keep_default_na=False)
    truth = json.loads((DATA / "truth.json").read_text())
    print(f"{len(members)} member rows, {len(claims)} claim rows")
    display(claims.head(8))
    injected = pd.DataFrame(truth["mess"]).T[["rate", "rows"]]
    show(injected)
    """),
    md("""
    ## 1. Standardisation

    `apmsim.calibrate` reads both extracts (paths or DataFrames), cleans them and fits the
    cost model. Every rule's count, dollars and first examples (file and line) are in the
    report, and the report reconciles: lines in = lines kept + lines removed, dollars likewise.
    The calibration window is 2023 (the base year); the claims of 2024 are kept for monitoring.
    """),
    code("""
    cal = apmsim.calibrate(DATA / "members.csv", DATA / "claims.csv", manual="default", first="2023-01", valuation="2023-12")
    print(cal)
    print("reconciles:", cal.reconciles)
    findings = cal.findings[["removes", "rows", "allowed"]]
    show(findings[findings["rows"] > 0], money=["allowed"])
    print(cal.findings.loc[("claims", "duplicate_line"), "examples"][:2])
    """),
    md("""
    ## 2. Run-out

    Claims of recent months are not all paid by the valuation date. The chain ladder of the
    paid-lag triangle gives each incurred month's completeness; calibration divides by it, so
    December is not understated.
    """),
    code("""
    months = cal.months
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.bar(months.index, months["completeness"], color="tab:blue")
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("share paid by the valuation date")
    ax.set_title("Run-out completeness by incurred month (chain ladder)")
    ax.tick_params(axis="x", rotation=45)
    plt.show()
    display(cal.run_out_triangle.iloc[-4:, :6].round(0))
    """),
    md("""
    ## 3. Calibration and goodness of fit

    Per tier x category: frequency (Poisson or negative binomial) and severity (lognormal or
    gamma) by maximum likelihood, blended with the bundled model by limited-fluctuation
    credibility (`frequency_credibility`, `severity_credibility`: 1 is the experience alone).
    The frailty is fitted from how counts of different categories move together. A trend
    fitted from twelve months of 150 children has a standard error of tens of percent; it is
    blended with the bundled model's trend by precision (each weighted by 1 / sd²), so it
    barely moves it. The data were drawn from the bundled model, so the blended fit should
    sit near it; the credibility columns say how much the experience was allowed to say.
    """),
    code("""
    cells = cal.cells
    show(cells[["events", "observed_frequency", "fitted_frequency", "frequency_credibility", "observed_severity_mean",
                "fitted_severity_mean", "severity_credibility"]].head(8), money=["observed_severity_mean", "fitted_severity_mean"],
         decimals=3)
    t = cal.trend
    print(f"frailty cv {cal.frailty['cv']:.3f} (se {cal.frailty['cv_se']:.3f}); trend fitted {t['annual_trend']:+.1%} a year "
          f"(se {t['annual_trend_se']:.1%}), credibility {t['credibility']:.3f}: the cost model's trend "
          f"{t['cost_model_mean']:+.2%} (sd {t['cost_model_sd']:.2%})")

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, (obs, fit, label) in zip(axes, [("observed_frequency", "fitted_frequency", "events per member-year"),
                                            ("observed_severity_mean", "fitted_severity_mean", "allowed per event")]):
        ax.loglog(cells[obs], cells[fit], "o", alpha=0.7)
        lo, hi = cells[[obs, fit]].replace(0, np.nan).min().min(), cells[[obs, fit]].max().max()
        ax.plot([lo, hi], [lo, hi], color="0.5", lw=1)
        ax.set_xlabel(f"observed {label}")
        ax.set_ylabel(f"fitted (blended) {label}")
    fig.suptitle("Observed vs fitted, per tier x category")
    plt.show()
    """),
    md("""
    ## 4. Monitoring contract year 2024

    The contract starts in January 2024 on the calibrated cost model. At the end of June, the
    monitor compares the claims paid so far with what the scenario gives the same children,
    months and run-out: where the paid-to-date PMPM sits among the simulated ones, and actual
    vs expected by tier and category (expected is the cost model without the program, the
    benchmark's view: a program that saves shows as actual below expected). It then projects
    the rest of the year on what each child's claims so far say about that child (the
    frailty's posterior), and settles it with every payment model: the chance of shared
    savings paid or losses owed, before and after the six months seen.
    """),
    code("""
    scenario = apmsim.Scenario.default_cmc_program(members=len(members["member_id"].unique()), years=1)
    scenario.cost_model = cal.cost_model
    m = apmsim.monitor(DATA / "members.csv", DATA / "claims.csv", scenario, start="2024-01", through="2024-06", first="2023-01",
                       trials=TRIALS)
    print(m)
    ae = m.actual_vs_expected
    show(ae.loc[[("", "")] + [(t, "") for t in cal.cost_model["tiers"]], ["actual", "expected", "ratio", "low", "high", "flag"]],
         money=["actual", "expected"], decimals=3)
    m.fan_chart()
    plt.show()
    show(m.outcomes[["p_savings_paid_prior", "p_savings_paid", "p_losses_owed_prior", "p_losses_owed"]],
         percent=["p_savings_paid_prior", "p_savings_paid", "p_losses_owed_prior", "p_losses_owed"])
    """),
    md("""
    The same from the command line, for a monthly job:

        apmsim calibrate --members members.csv --claims claims.csv --manual default --first 2023-01 --valuation 2023-12 \\
            --out cost_model.json --report calibration.json
        apmsim monitor scenario.json --members members.csv --claims claims.csv --start 2024-01 --through 2024-06 \\
            --first 2023-01 --out monitor.json

    where scenario.json names the cost model by path (`"cost_model": "cost_model.json"`).
    """),
]

NOTEBOOKS = {
    "01_size_counts.ipynb": SIZE_COUNTS,
    "02_comparing_payment_models.ipynb": PAYMENT_MODELS,
    "03_sweep_on_dask.ipynb": SWEEP_ON_DASK,
    "04_from_messy_claims.ipynb": MESSY_CLAIMS,
}


def build(name: str, cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    """A clean nbformat v4 notebook (no outputs, no execution counts, stable cell ids)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    stem = name.split("_")[0]
    for i, (kind, source) in enumerate(cells):
        cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
        cell.id = f"nb{stem}-{i:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed notebook differs from its cells here")
    args = parser.parse_args()
    stale = []
    for name, cells in NOTEBOOKS.items():
        text = nbformat.writes(build(name, cells)) + "\n"
        path = HERE / name
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print(f"out of date (run {pathlib.Path(__file__).name}): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
