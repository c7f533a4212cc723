"""apmsim.chain_ladder: completion factors from a cumulative paid triangle, checked against
Mack (1993, ASTIN Bulletin 23(2)), whose factors and reserves for the Taylor & Ashe (1983)
triangle are printed there (and reproduced by R's ChainLadder package, data set GenIns)."""
from __future__ import annotations

import copy
import math
import pickle

import numpy as np
import pandas as pd
import pytest

import apmsim

TAYLOR_ASHE = [
    [357848, 1124788, 1735330, 2218270, 2745596, 3319994, 3466336, 3606286, 3833515, 3901463],
    [352118, 1236139, 2170033, 3353322, 3799067, 4120063, 4647867, 4914039, 5339085],
    [290507, 1292306, 2218525, 3235179, 3985995, 4132918, 4628910, 4909315],
    [310608, 1418858, 2195047, 3757447, 4029929, 4381982, 4588268],
    [443160, 1136350, 2128333, 2897821, 3402672, 3873311],
    [396132, 1333217, 2180715, 2985752, 3691712],
    [440832, 1288463, 2419861, 3483130],
    [359480, 1421128, 2864498],
    [376686, 1363294],
    [344014],
]
MACK_FACTORS = [3.490607, 1.747333, 1.457413, 1.173852, 1.103824, 1.086269, 1.053874, 1.076555, 1.017725]
MACK_RESERVES = [0, 94634, 469511, 709638, 984889, 1419459, 2177641, 3920301, 4278972, 4625811]


def test_reproduces_macks_factors_and_reserves_from_rows_or_a_dataframe():
    frame = pd.DataFrame([row + [math.nan] * (10 - len(row)) for row in TAYLOR_ASHE])
    for triangle in (TAYLOR_ASHE, frame, frame.to_numpy()):
        cl = apmsim.chain_ladder(triangle)
        np.testing.assert_allclose(cl.age_to_age, MACK_FACTORS, atol=5e-7)  # the six printed decimals
        np.testing.assert_allclose(cl.unpaid, MACK_RESERVES, atol=0.5)  # to the dollar
        assert round(cl.unpaid.sum()) == 18680856
        np.testing.assert_allclose(cl.completion * cl.to_ultimate, 1.0, rtol=1e-15)
        assert cl.completion[-1] == 1.0 and cl.completion[0] < 0.1  # little of a year is paid in its first period


def test_a_tail_factor_scales_every_ultimate():
    plain, tailed = apmsim.chain_ladder(TAYLOR_ASHE), apmsim.chain_ladder(TAYLOR_ASHE, tail=1.05)
    np.testing.assert_allclose(tailed.ultimate, 1.05 * plain.ultimate, rtol=1e-14)
    assert tailed.unpaid[0] == pytest.approx(0.05 * TAYLOR_ASHE[0][-1])


def test_value_behaviour():
    cl = apmsim.chain_ladder(TAYLOR_ASHE, tail=1.01)
    assert pickle.loads(pickle.dumps(cl)) == cl and copy.deepcopy(cl) == cl
    assert cl != apmsim.chain_ladder(TAYLOR_ASHE)
    assert "periods=10" in repr(cl) and "tail=1.01" in repr(cl)


@pytest.mark.parametrize("triangle, tail, where", [
    ([[1, -2], [3]], 1.0, "triangle[0][1]"),
    ([[1, math.nan, 2], [3]], 1.0, "triangle[0][1]"),  # an unknown cell before a known one
    ([[0, 5], [0, 1], [4]], 1.0, "triangle[*][0]"),  # nothing paid at lag 0: the first factor divides by 0
    ([[1, 2], []], 1.0, "triangle[1]"),
    ([], 1.0, "triangle"),
    ([[1, 2], [3]], 0.95, "triangle.tail"),
])
def test_bad_triangles_name_the_cell(triangle, tail, where):
    with pytest.raises(apmsim.InvalidInput) as e:
        apmsim.chain_ladder(triangle, tail=tail)
    assert e.value.where == where, str(e.value)


def test_completion_factors_from_claims_lines_recover_a_known_lag():
    # 18 incurred months of 3,000 lines; lag Geometric(0.4) months: completion 1 - 0.6^(j+1).
    rng = np.random.default_rng(3)
    incurred = np.repeat(pd.period_range("2023-01", periods=18, freq="M"), 3000)
    lag = rng.geometric(0.4, incurred.size) - 1
    service = incurred.to_timestamp() + pd.to_timedelta(rng.integers(0, 28, incurred.size), unit="D")
    paid = (incurred + lag).to_timestamp() + pd.Timedelta(days=27)
    amount = rng.gamma(2.0, 400.0, incurred.size)
    table = apmsim.completion_factors(service, paid, amount, "2023-01", "2024-06")
    late = paid > pd.Timestamp("2024-06-30")
    assert table.attrs["lines_paid_after_valuation"] == late.sum()
    assert table.attrs["amount_used"] + table.attrs["amount_paid_after_valuation"] == pytest.approx(amount.sum())
    # The last incurred months are the least developed; their completion matches the lag's cdf
    # within 0.02 (about 5 standard errors of a share estimated from ~15,000 lines).
    for months_back, row in enumerate(table.iloc[::-1].head(4).itertuples()):
        assert row.development_months == months_back
        assert row.completion == pytest.approx(1 - 0.6 ** (months_back + 1), abs=0.02)
    triangle = apmsim.paid_triangle(service, paid, amount, "2023-01", "2024-06")
    assert triangle.shape == (18, 18) and np.isnan(triangle.iloc[-1, 1])
    np.testing.assert_allclose(table.ultimate, apmsim.chain_ladder(triangle).ultimate)
