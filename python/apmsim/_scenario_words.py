"""A scenario in plain words, for the report: who is in the population, what the program
does and costs, who delivers the care, and each payment model's components as sentences.

Everything reads the resolved scenario of a results file (``document["resolved_scenario"]``,
every default filled in; docs/scenario-format.md names the keys) and returns plain text
(the report escapes it). A component type without a phrasing here is listed as its
terms, ``key: value``. Example::

    component_sentence({"type": "shared_savings", "sharing_rate": 0.5, "minimum_savings_rate": 0.02,
                        "savings_cap": 0.1, "benchmark": {"pmpm": 3900}}, tiers=["A"], categories=["inpatient"])
    # 'Shared savings for the provider on every category: 50% of savings against a benchmark of
    #  $3,900 PMPM, shared from the first dollar once savings reach a 2.0% minimum savings rate,
    #  capped at 10.0% of the benchmark.'
"""
from __future__ import annotations

import json
from collections import Counter
from typing import Any, Callable, Mapping, Optional, Sequence

from ._report_format import listing, money, percent, signed_percent, words

__all__ = ["component_sentence", "delivery_rows", "population_rows", "population_sentence", "program_sentences",
           "quality_sentence", "trend_sentence"]

Terms = Mapping[str, Any]


def _per_name(value: Any, names: Sequence[str], default: float) -> list[float]:
    """One value per name from a number or ``{name: value, "default": value}``."""
    if isinstance(value, Mapping):
        fallback = value.get("default", default)
        return [float(value.get(n, fallback)) for n in names]
    return [float(default if value is None else value)] * len(names)


def _amounts_by_tier(pmpm: Any, tiers: Sequence[str]) -> str:
    """``$150 PMPM`` or ``$200 / $150 / $100 PMPM for tiers A / B / C``."""
    values = _per_name(pmpm, tiers, 0.0)
    if len(set(values)) <= 1:
        return f"{money(values[0] if values else 0)} PMPM"
    return f"{' / '.join(money(v) for v in values)} PMPM for tiers {' / '.join(tiers)}"


def _by_category(value: Any, categories: Sequence[str], default: float, show: Callable[[float], str]) -> str:
    """The most common value, then the categories that differ: ``100% (105% for inpatient)``."""
    values = _per_name(value, categories, default)
    if not values:
        return show(default)
    common = float(value["default"]) if isinstance(value, Mapping) and "default" in value else Counter(values).most_common(1)[0][0]
    others = [f"{show(v)} for {words(c)}" for c, v in zip(categories, values) if v != common]
    return show(common) + (f" ({listing(others)})" if others else "")


def _categories(value: Any, absent: str = "every category") -> str:
    if value is None or value == "all":
        return absent
    return listing(words(c) for c in value)


def _years(terms: Terms) -> str:
    years = terms.get("years") or []
    if not years:
        return ""
    label = "year" if len(years) == 1 else "years"
    return f" In force in {label} {listing(str(y) for y in years)} only."


def _benchmark(b: Terms) -> str:
    """A benchmark (or corridor target) in words."""
    if "pmpm" in b:
        v = b["pmpm"]
        text = (f"a benchmark of {money(v)} PMPM" if not isinstance(v, list) else
                f"benchmarks of {listing(money(x) for x in v)} PMPM by year (the last repeats)")
    else:
        base = b.get("baseline_pmpm", "simulated")
        if base == "simulated":
            w = b.get("base_year_weights", [1.0])
            text = "a benchmark from the baseline arm's simulated base period"
            if len(w) > 1:
                text += f" ({len(w)} base years weighted {' / '.join(percent(x, 0) for x in w)}, oldest first)"
        else:
            text = f"a benchmark from a base-period cost of {money(base)} PMPM"
        trend = b.get("trend", "realised")
        text += ", trended by the trial's own trend" if trend == "realised" else f", trended at {percent(trend)} a year"
        if b.get("risk_adjustment", "none") != "none":
            text += f", risk adjusted by {words(b['risk_adjustment'])}"
    if b.get("discount"):
        text += f", less a {percent(b['discount'])} discount"
    return text


def _minimum_rate(m: Any, kind: str = "savings") -> str:
    """A minimum savings (or loss) rate in words."""
    if isinstance(m, Mapping) and m.get("method") == "fixed":
        m = m.get("rate", 0)
    if not isinstance(m, Mapping):
        return f"a {percent(m)} minimum {kind} rate" if m else f"no minimum {kind} rate"
    if m.get("method") == "mssp_table":
        return f"the MSSP table's minimum {kind} rate for the pool's size (42 CFR 425.604(b))"
    cv = m.get("cv", "within_tier")
    cv_text = f"cv {cv:g}" if isinstance(cv, (int, float)) else f"the {str(cv).replace('_', '-')} cv of member cost"
    return (f"a minimum {kind} rate of z cv / sqrt(n) from a {percent(m.get('confidence', 0.9), 0)} "
            f"{m.get('sides', 'two')}-sided confidence interval ({cv_text})")


def _quality_use(terms: Terms) -> str:
    q = terms.get("quality", "none")
    if q == "gate":
        return f"; paid only at a quality score of {terms.get('quality_threshold', 0):.2f} or more"
    if q == "scale":
        return "; the sharing rate is scaled by the quality score"
    return ""


def _truncation(terms: Terms) -> str:
    if "truncation_amount" in terms:
        return f"; each member-year's cost truncated at {money(terms['truncation_amount'])}"
    if "truncation_percentile" in terms:
        return (f"; each member-year's cost truncated at the {percent(terms['truncation_percentile'], 0)[:-1]}th "
                "percentile of baseline member-year cost")
    return ""


def _savings_terms(t: Terms) -> str:
    msr = t.get("minimum_savings_rate", 0)
    threshold = (f"once savings reach {_minimum_rate(msr)}" if msr and not (isinstance(msr, Mapping) and msr.get("rate") == 0)
                 else "with no minimum savings rate")
    text = (f"{percent(t.get('sharing_rate', 0), 0)} of savings against {_benchmark(t.get('benchmark', {}))}, "
            f"shared from the first dollar {threshold}")
    if t.get("savings_cap") is not None:
        text += f", capped at {percent(t['savings_cap'])} of the benchmark"
    return text + _truncation(t) + _quality_use(t)


def _loss_terms(t: Terms) -> str:
    mlr = t.get("minimum_loss_rate", t.get("minimum_savings_rate", 0))
    threshold = (f"once they exceed {_minimum_rate(mlr, 'loss')}" if mlr and not (isinstance(mlr, Mapping) and mlr.get("rate") == 0)
                 else "from the first dollar")
    text = f"; it owes {percent(t.get('loss_rate', 0), 0)} of losses {threshold}"
    limits = [f"{percent(t[k])} of the {what}" for k, what in
              (("loss_limit_benchmark", "benchmark"), ("loss_limit_revenue", "party's revenue from this model"))
              if t.get(k) is not None]
    if len(limits) == 2:
        text += f", limited to the {t.get('loss_limit_rule', 'lesser')} of {limits[0]} and {limits[1]}"
    elif limits:
        text += f", limited to {limits[0]}"
    return text


def _bands(bands: Sequence[Terms]) -> str:
    """``keeps 100% up to 3%, 50% from 3% to 8% and 20% beyond 8% of the target``."""
    parts = []
    for b in bands:
        lo, hi, keep = float(b.get("from", 0)), b.get("to"), percent(b.get("keep", 0), 0)
        if hi is None:
            parts.append(f"{keep} beyond {percent(lo, 0)}" if lo else f"{keep} of any deviation")
        else:
            parts.append(f"{keep} up to {percent(hi, 0)}" if lo == 0 else f"{keep} from {percent(lo, 0)} to {percent(hi, 0)}")
    return "it keeps " + listing(parts) + " of the target"


def _corridor(t: Terms) -> str:
    party = t.get("party", "provider")
    target = _benchmark(t["target"]).replace("a benchmark", "a target", 1) if t.get("target") else (
        "a target of its capitation revenue" + (f" x {t.get('target_ratio'):g}" if t.get("target_ratio", 1) != 1 else ""))
    if "preset" in t:
        bands = f"the {words(t['preset'])} preset bands"
    elif "bands" in t:
        bands = _bands(t["bands"]) + ", savings and losses alike"
    elif t.get("savings_bands") == t.get("loss_bands"):
        bands = _bands(t.get("savings_bands", [])) + ", savings and losses alike"
    else:
        bands = f"savings: {_bands(t.get('savings_bands', []))}; losses: {_bands(t.get('loss_bands', []))}"
    basis = t.get("basis")
    basis_text = {"shared": " (shared basis: it is paid the savings it keeps and owes the losses it keeps)",
                  "capitated": " (capitated basis: it returns the savings it does not keep and is paid the losses it does not keep)"}
    cats = _categories(t.get("categories"), "the categories its capitation covers" if not t.get("target") else "every category")
    return f"Risk corridor for the {words(party)} against {target}, on {cats}: {bands}{basis_text.get(basis, '')}."


def _stop_loss(t: Terms, kind: str) -> str:
    who = f"for the {words(t.get('party', 'provider'))}, insured by the {words(t.get('insurer', 'reinsurer'))}"
    share = percent(t.get("coinsurance", 1), 0)
    if kind == "specific":
        attach = (f"the 42 CFR 422.208 deductible for the pool's size ({words(t['preset_422_208'])})"
                  if "preset_422_208" in t else money(t.get("attachment", 0)))
        text = f"recovers {share} of each member-year's cost above {attach}"
        limit = f", up to {money(t['limit'])} per member-year" if t.get("limit") is not None else ""
    else:
        expected = f"{money(t['expected_pmpm'])} PMPM" if "expected_pmpm" in t else "the calibration sample's mean"
        ratio = percent(t.get("attachment_ratio", 1.25), 0)
        text = f"recovers {share} of the pool's annual cost above {ratio} of its expected cost ({expected})"
        limit = f", up to {money(t['limit'])} a year" if t.get("limit") is not None else ""
    priced = (f"{money(t['expected_recoveries_pmpm'], 2)} PMPM expected recoveries" if "expected_recoveries_pmpm" in t
              else "expected recoveries from the calibration sample")
    premium = f"; premium = {priced} x {1 + float(t.get('loading', 0)):.2f}"
    return (f"{kind.capitalize()} stop-loss {who}, on {_categories(t.get('categories'))}: {text}{limit}{premium}.")


def _schedule(points: Sequence[Terms]) -> str:
    return listing(f"{signed_percent(p['rate'])} at a score of {float(p['score']):.2f}" for p in points)


def _generic(t: Terms) -> str:
    terms = "; ".join(f"{k}: {json.dumps(v)}" for k, v in t.items() if k != "type")
    return f"{words(t.get('type', 'component')).capitalize()}: {terms or 'no terms'}."


def component_sentence(t: Terms, tiers: Sequence[str], categories: Sequence[str]) -> str:
    """One component (its resolved terms) as a sentence. Example:
    ``component_sentence({"type": "care_management_fee", "party": "pcp", "pmpm": 15}, ["A"], [])``
    gives ``"Care-management fee to the pcp: $15 PMPM."``."""
    kind, party = t.get("type"), words(t.get("party", "provider"))
    if kind == "fee_for_service":
        fee = _by_category(t.get("fee_multiplier", 1), categories, 1.0, lambda v: percent(v, 0))
        text = (f"Fee for service on {_categories(t.get('categories'), 'every category nothing else pays for')}: "
                f"the payer pays each party delivering the care {fee} of allowed cost.")
    elif kind == "capitation":
        rate = (f"{money(t['base_pmpm'])} PMPM times the member's risk score (budget neutral)" if "base_pmpm" in t
                else _amounts_by_tier(t.get("pmpm", 0), tiers))
        cats = _categories(t.get("categories"), "every category")
        scope = "every category (global capitation)" if cats == "every category" else cats
        fee = _by_category(t.get("fee_multiplier", 1), categories, 1.0, lambda v: percent(v, 0))
        text = (f"Capitation to the {party} for {scope}: {rate}; the {party} pays for that care delivered by others "
                f"at {fee} of allowed cost.")
    elif kind == "care_management_fee":
        service = " for health-home services (enhanced federal match)" if t.get("health_home") else ""
        text = f"Care-management fee to the {party}{service}: {_amounts_by_tier(t.get('pmpm', 0), tiers)}."
    elif kind in ("shared_savings", "shared_risk"):
        label = "Shared savings" if kind == "shared_savings" else "Shared risk (two-sided)"
        losses = _loss_terms(t) if kind == "shared_risk" else ""
        text = f"{label} for the {party} on {_categories(t.get('categories'))}: {_savings_terms(t)}{losses}."
    elif kind == "risk_corridor":
        text = _corridor(t)
    elif kind in ("specific_stop_loss", "aggregate_stop_loss"):
        text = _stop_loss(t, kind.split("_")[0])
    elif kind == "quality_withhold":
        back = ("returned in proportion to the quality score" if t.get("quality") == "scale" else
                f"all returned at a quality score of {float(t.get('quality_threshold', 0)):.2f} or more, nothing below")
        text = f"Quality withhold from the {party}: {percent(t.get('rate', 0))} of what the payer paid it that year, {back}."
    elif kind == "performance_adjustment":
        basis = listing(words(b) for b in t.get("basis", ["care_management_fees"]))
        text = (f"Performance adjustment for the {party}: a share of its {basis} set by the quality score, "
                f"{_schedule(t.get('schedule', []))} (straight lines between the points, flat beyond).")
    else:
        text = _generic(t)
    return text + _years(t)


def quality_sentence(quality: Optional[Terms]) -> str:
    """A payment model's quality score in words ("" without one)."""
    if not quality:
        return ""
    if "fixed" in quality:
        return f"Quality score: fixed at {float(quality['fixed']):.2f}."
    parts = []
    for m in quality.get("measures", []):
        extra = f", +{float(m['intervention_lift']):.2f} with the program" if m.get("intervention_lift") else ""
        parts.append(f"{words(m['name'])} (weight {float(m.get('weight', 1)):g}, mean {float(m['mean']):.2f}, "
                     f"sd {float(m.get('sd', 0)):.2f}{extra})")
    return f"Quality score: the weighted mean of {listing(parts)}, drawn per trial and year."


def population_rows(scenario: Terms, tier_means: Mapping[str, float]) -> list[tuple[str, int, float, Optional[float]]]:
    """(tier, members, share of members, expected allowed cost per member-year or None) per tier."""
    tiers, pop = list(scenario.get("tiers", [])), scenario.get("population", {})
    if "generate" in pop:
        n, mix = int(pop["generate"]["members"]), pop["generate"].get("tier_mix", {})
        counts = _largest_remainders(n, [float(mix.get(t, 0)) for t in tiers])
    else:
        listed = Counter(pop.get("members", {}).get("tier", []))
        counts = [listed.get(t, 0) for t in tiers]
    total = max(sum(counts), 1)
    return [(t, c, c / total, tier_means.get(t)) for t, c in zip(tiers, counts)]


def _largest_remainders(n: int, shares: Sequence[float]) -> list[int]:
    """n split by shares, the remainder to the largest fractions (tier order on ties), as the loader splits."""
    exact = [n * s for s in shares]
    counts = [int(x) for x in exact]
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    return counts


def population_sentence(scenario: Terms, members: int) -> str:
    """Who is in the program and for how long."""
    pop, years, tiers = scenario.get("population", {}), int(scenario.get("years", 1)), scenario.get("tiers", [])
    how = "generated from a tier mix" if "generate" in pop else "listed member by member"
    text = (f"{members:,} members (children with medical complexity) in {len(tiers)} risk tier(s), "
            f"{listing(tiers)}, {how}, followed for {years} year(s).")
    churn = pop.get("churn", {})
    at_renewal = "renewal_exit" in churn
    exits = churn.get("renewal_exit" if at_renewal else "monthly_exit")
    if exits is None:
        return text
    rate = percent(exits) if not isinstance(exits, Mapping) else " / ".join(
        f"{percent(exits.get(t, 0))} ({t})" for t in tiers)
    if at_renewal:
        return text + (f" {rate} of members leave at each annual renewal and new members replace the expected exits of"
                       " each tier at the start of the next year, so the pool's size varies around its start.")
    return text + (f" Members leave at {rate} a month and new members replace the expected exits of each tier,"
                   " so the pool's size varies around its start.")


def pmpm_words(value: Any) -> str:
    """A program cost item's PMPM: one amount, or amounts by tier ({"by_tier": {tier: pmpm}})."""
    if isinstance(value, Mapping):
        return "by tier " + ", ".join(f"{t} {money(v)}" for t, v in value["by_tier"].items())
    return money(value)


def total_pmpm_words(costs: Mapping[str, Any]) -> str:
    """All program cost items together: one amount, or 'by tier' when some item differs by tier."""
    if any(isinstance(v, Mapping) for v in costs.values()):
        return "an amount by tier"
    return money(sum(float(v) for v in costs.values()))


def trend_sentence(scenario: Terms) -> str:
    """The cost model's common shocks: trend and frailty (and a copula or tier transitions)."""
    cm = scenario.get("cost_model", {})
    trend = cm.get("trend", {})
    text = (f"Costs trend at {percent(trend.get('mean', 0))} a year (sd {percent(trend.get('sd', 0))}, drawn once per "
            f"trial and shared by every member); member frailty cv {float(cm.get('frailty_cv', 0)):.2f}")
    extras = [w for k, w in (("copula", "a Gaussian copula across categories"), ("tier_transitions", "tier transitions between years"))
              if cm.get(k)]
    return text + (f"; with {listing(extras)}." if extras else ".")


def program_sentences(scenario: Terms) -> list[str]:
    """What the program does (effects by category, as % changes of expected events) and what it costs."""
    iv = scenario.get("intervention")
    if not iv:
        return ["No program: the scenario has the baseline arm only."]
    effects = iv.get("effects", {})
    changes = [f"{words(c)} {signed_percent(e.get('mean', 0))}" + (f" (sd {percent(e['sd'])})" if e.get("sd") else "")
               for c, e in effects.items()]
    unchanged = "; other categories unchanged" if len(effects) < len(scenario.get("categories", [])) else ""
    first = (f"The program, {words(iv.get('name', 'the program'))}, changes expected events per member: "
             f"{listing(changes) or 'none'}{unchanged}; each effect is drawn once per trial (parameter uncertainty).")
    costs = iv.get("program_cost_pmpm", {})
    borne = scenario.get("delivery", {}).get("program_cost_borne_by", {})
    items = [f"{words(k)} {pmpm_words(v)}" + (f" (borne by the {words(borne[k])})" if borne.get(k, "provider") != "provider" else "")
             for k, v in costs.items()]
    second = (f"It costs {total_pmpm_words(costs)} PMPM in all: {listing(items)}; "
              "borne by the provider unless said otherwise.") if costs else "It has no program cost."
    sentences = [first, enrolment_sentence(iv)]
    rising = iv.get("upward_transition_change")
    if rising:
        sentences.append(f"It changes participants' chance of moving to a costlier tier by {signed_percent(rising.get('mean', 0))}"
                         + (f" (sd {percent(rising['sd'])})" if rising.get("sd") else "") + ", drawn once per trial (rising risk).")
    return sentences + [second]


def enrolment_sentence(iv: Terms) -> str:
    """Who takes part (target tiers, a rule on the risk score, uptake) and how fast the effects come."""
    tiers = iv.get("target_tiers")
    who = f"the members of tier(s) {listing(tiers)}" if tiers else "every member"
    rule = iv.get("target_risk_score")
    if rule:
        bounds = [f"at least {float(rule['min']):g}"] if float(rule.get("min", 0)) > 0 else []
        bounds += [f"at most {float(rule['max']):g}"] if "max" in rule else []
        who += f" whose risk score at the start is {' and '.join(bounds) or 'any'}"
    uptake = iv.get("uptake", {"mean": 1.0})
    share = ("; all of them take part" if float(uptake.get("mean", 1)) == 1 and not uptake.get("sd")
             else f"; {percent(uptake['mean'])} of them take part" + (f" (sd {percent(uptake['sd'])}, drawn once per trial)" if uptake.get("sd") else ""))
    ramp = iv.get("ramp_up")
    pace = (f"; its effects are {listing([f'{percent(r)} in year {k + 1}' for k, r in enumerate(ramp)])} of their full size"
            if ramp and any(float(r) != 1 for r in ramp) else "")
    return f"It enrols {who}{share}{pace}."


def delivery_rows(scenario: Terms) -> list[tuple[str, float, float, float, float, float]]:
    """Per category: (category, provider share, pcp share, other providers' share, provider cost ratio, pcp cost ratio)."""
    cats, d = list(scenario.get("categories", [])), scenario.get("delivery", {})
    provider = _per_name(d.get("provider_share", 1.0), cats, 1.0)
    pcp = _per_name(d.get("pcp_share", 0.0), cats, 0.0)
    pr = _per_name(d.get("provider_cost_ratio", 1.0), cats, 1.0)
    qr = _per_name(d.get("pcp_cost_ratio", 1.0), cats, 1.0)
    return [(c, a, b, max(0.0, 1 - a - b), x, y) for c, a, b, x, y in zip(cats, provider, pcp, pr, qr)]
