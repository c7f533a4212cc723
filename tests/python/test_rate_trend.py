"""Capitation and care-management rates that move after year 1 (rate_trend): year k pays
year 1's rates x (1 + g)^(k - 1), with g given or the trial's realised cost trend; checked
payment by payment against the member-months and the trial's trend draw."""
from __future__ import annotations

import re

import numpy as np
import pytest

import apmsim

RATES = {"A": 8900.0, "B": 3300.0, "C": 1400.0}
FEES = {"A": 30.0, "B": 16.0, "C": 8.0}


def scenario(rate_trend) -> apmsim.Scenario:
    s = apmsim.Scenario.default_cmc_program(members=300, years=3)
    cap = {"type": "capitation", "party": "provider", "pmpm": RATES}
    fee = {"type": "care_management_fee", "party": "pcp", "pmpm": FEES}
    if rate_trend is not None:
        cap["rate_trend"] = fee["rate_trend"] = rate_trend
    s.payment_models = [apmsim.PaymentModel("indexed", [cap, fee])]
    return s


def expected(r, table: dict, factor) -> np.ndarray:
    months = np.stack([r.samples("member_months", "intervention", tier=t) for t in table], axis=0)
    rates = np.array(list(table.values()))[:, None, None]
    return (rates * months).sum(axis=0) * factor


@pytest.mark.parametrize("rate_trend", [None, 0.04, "realised"])
def test_payments_follow_the_rate_trend(rate_trend):
    r = apmsim.run(scenario(rate_trend), trials=20, calibration_trials=20, progress=False)
    years = np.arange(r.years)
    if rate_trend is None:
        factor = np.ones((r.trials, r.years))
    elif rate_trend == "realised":
        factor = (1.0 + r.trend)[:, None] ** years[None, :]
    else:
        factor = np.broadcast_to((1.0 + rate_trend) ** years, (r.trials, r.years))
    np.testing.assert_allclose(r.payments.metric("indexed", "capitation"), expected(r, RATES, factor), rtol=1e-12)
    np.testing.assert_allclose(r.payments.metric("indexed", "care_management_fees"), expected(r, FEES, factor), rtol=1e-12)


def test_the_rate_trend_round_trips_and_bad_ones_are_refused():
    s = scenario("realised")
    assert s.to_dict()["payment_models"][0]["components"][0]["rate_trend"] == "realised"
    assert apmsim.Scenario.from_dict(s.to_dict()) == s
    for bad, message in ((1.5, "expected an annual trend in"), ("market", "expected an annual trend (a number) or \"realised\"")):
        with pytest.raises(ValueError, match=r"components\[0\]\.rate_trend: " + re.escape(message)):
            scenario(bad)


def test_a_rate_trend_that_cannot_move_a_rate_is_refused():
    one_year = apmsim.Scenario.default_cmc_program(members=50, years=1)
    with pytest.raises(ValueError, match=r"components\[0\]\.rate_trend: expected a component in force after year 1"):
        one_year.payment_models = [apmsim.PaymentModel("indexed", [{"type": "care_management_fee", "pmpm": 20, "rate_trend": 0.03}])]
    s = apmsim.Scenario.default_cmc_program(members=50, years=3)
    with pytest.raises(ValueError, match=r"components\[1\]\.rate_trend: expected a component in force after year 1"):
        s.payment_models = [apmsim.PaymentModel("glide", [{"type": "fee_for_service"},
                                                          {"type": "care_management_fee", "pmpm": 20, "years": [1], "rate_trend": 0.03}])]
    s.payment_models = [apmsim.PaymentModel("glide", [{"type": "fee_for_service"},
                                                      {"type": "care_management_fee", "pmpm": 20, "years": [1, 2], "rate_trend": 0.03}])]
