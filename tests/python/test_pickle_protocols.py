"""Every value type of apmsim._core pickles under every pickle protocol, 0 to the highest.

pybind11's own pickling serves protocols 2 and later only: under protocols 0 and 1 Python
asked copyreg to make the object, which a pybind11 class refuses with a C++ exception that
ended the interpreter (a notebook's kernel died on pickle.dumps(scenario, protocol=0)).
Each example is pickled under each protocol and must come back equal; and every class of
_core that can be pickled must have an example here, so a new one cannot be missed."""
from __future__ import annotations

import pickle
import types

import numpy as np
import pytest

import apmsim
from apmsim import _core


def quiet_scenario():
    """No frailty (the exact pool distribution needs independent categories), trend or program."""
    d = apmsim.Scenario.default_cmc_program(members=20, years=1, payment_models=False).to_dict()
    d["cost_model"].update(frailty_cv=0.0, trend={"mean": 0.0, "sd": 0.0})
    del d["intervention"], d["delivery"]["program_cost_borne_by"]
    return apmsim.Scenario.from_dict(d)


def examples():
    rng = np.random.default_rng(3)
    scenario = apmsim.Scenario.default_cmc_program(members=20, years=2)
    results = apmsim.run(scenario, trials=3, seed=1, progress=False)
    months = np.arange(24)
    severity = apmsim.Lognormal.from_mean_cv(1000.0, 1.5)
    return [
        apmsim.Poisson(2.0), apmsim.NegativeBinomial(2.0, 1.5), apmsim.Binomial(10, 0.2), apmsim.ZeroModifiedPoisson(2.0, 0.3),
        severity, apmsim.Gamma(2.0, 500.0), apmsim.Weibull(0.8, 900.0), apmsim.Pareto(3.0, 2000.0),
        apmsim.SplicedLognormalPareto(6.5, 1.0, 5000.0, 0.3, 4000.0),
        apmsim.discretize(severity, 100.0), apmsim.aggregate(apmsim.Poisson(2.0), severity, step=100.0),
        apmsim.pool_distribution(quiet_scenario(), step=500.0),
        apmsim.expected_payout(1000, 1.5, msr=0.02),
        apmsim.chain_ladder([[100.0, 150.0, 160.0], [110.0, 170.0, np.nan], [120.0, np.nan, np.nan]]),
        apmsim.fit_trend(3500.0 * np.exp(0.004 * months + rng.normal(0, 0.02, 24)), np.full(24, 800.0)),
        apmsim.fit_frequency(rng.poisson(2.0, 500), np.ones(500)), apmsim.fit_severity(rng.lognormal(6.5, 1.0, 500)),
        scenario, scenario.payment_models[1], results, results.payments,
    ]


def picklable_classes(module, seen=None):
    seen = set() if seen is None else seen
    for value in vars(module).values():
        if isinstance(value, types.ModuleType) and value.__name__.startswith(_core.__name__):
            picklable_classes(value, seen)
        elif isinstance(value, type) and hasattr(value, "__setstate__") and not issubclass(value, BaseException):
            seen.add(value)
    return seen


@pytest.fixture(scope="module")
def values():
    return examples()


def test_every_picklable_class_has_an_example(values):
    missing = picklable_classes(_core) - {type(v) for v in values}
    assert not missing, f"no example of {sorted(c.__name__ for c in missing)}"


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_round_trip_under_every_protocol(values, protocol):
    for value in values:
        back = pickle.loads(pickle.dumps(value, protocol=protocol))
        # The same state (not every type has ==: an aggregate distribution is its pmf).
        same = pickle.dumps(back, protocol=pickle.HIGHEST_PROTOCOL) == pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        assert type(back) is type(value) and same, f"{type(value).__name__} under protocol {protocol}"
