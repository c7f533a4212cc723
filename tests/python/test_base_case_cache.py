"""The base-case cache from Python: a sweep over the program's effect reuses the pilot, the
calibration sample and the simulated base period, and its statistics are bit-identical to
the same sweep with the cache turned off; bad capacities are refused naming the argument."""
import json
import os

import pytest

import apmsim

SOURCE = os.environ.get("APMSIM_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT = os.path.join(SOURCE, "examples", "scenarios", "default_cmc_program.json")


@pytest.fixture(autouse=True)
def default_cache():
    apmsim.set_base_case_cache_capacity(256 << 20)
    apmsim.clear_base_case_cache()
    yield
    apmsim.set_base_case_cache_capacity(256 << 20)
    apmsim.clear_base_case_cache()


def effect_sweep():
    with open(DEFAULT) as f:
        base = json.load(f)
    base["population"]["generate"]["members"] = 60
    base["settings"].update(trials=40, calibration_trials=30)
    return {"name": "inpatient_effect", "base": base,
            "axes": [{"name": "inpatient_effect", "pointer": "/intervention/effects/inpatient/mean", "values": [-0.12, -0.08, -0.04]}]}


def test_a_sweep_over_the_program_effect_reuses_the_base_case_bit_for_bit():
    apmsim.set_base_case_cache_capacity(0)
    _, cold = apmsim.sweep(effect_sweep(), progress=False)
    assert apmsim.base_case_cache_info()["hits"] == 0
    apmsim.set_base_case_cache_capacity(256 << 20)
    apmsim.clear_base_case_cache()
    _, warm = apmsim.sweep(effect_sweep(), progress=False)
    info = apmsim.base_case_cache_info()
    # Three variants with three simulations each of the same base case: the pilot, the
    # calibration sample and the base period are simulated once, then found twice.
    assert info["misses"] == 3 and info["hits"] == 6, info
    assert 0 < info["bytes"] <= info["capacity_bytes"] and info["entries"] == 3
    cold_values = cold["value"].to_numpy()
    warm_values = warm["value"].to_numpy()
    assert cold_values.tobytes() == warm_values.tobytes()  # bit for bit, NaN included
    assert cold["value"].notna().sum() > 1000


def test_a_run_after_another_seed_does_not_reuse_it():
    scenario = apmsim.Scenario.default_cmc_program(members=40)
    first = apmsim.run(scenario, trials=10, calibration_trials=20, seed=1, progress=False)
    other = apmsim.run(scenario, trials=10, calibration_trials=20, seed=2, progress=False)
    assert apmsim.base_case_cache_info()["hits"] == 0
    apmsim.clear_base_case_cache()
    alone = apmsim.run(scenario, trials=10, calibration_trials=20, seed=2, progress=False)
    assert (other.payments.summary()["mean"].to_numpy() == alone.payments.summary()["mean"].to_numpy()).all()
    assert not (first.payments.summary()["mean"].to_numpy() == alone.payments.summary()["mean"].to_numpy()).all()


def test_the_capacity_is_checked_and_clearing_empties_it():
    with pytest.raises(apmsim.InvalidInput, match="bytes"):
        apmsim.set_base_case_cache_capacity(-1)
    with pytest.raises(TypeError):
        apmsim.set_base_case_cache_capacity("a lot")
    apmsim.run(apmsim.Scenario.default_cmc_program(members=30), trials=5, calibration_trials=10, progress=False)
    assert apmsim.base_case_cache_info()["entries"] == 3
    apmsim.set_base_case_cache_capacity(1000)  # smaller than any entry: all dropped
    assert apmsim.base_case_cache_info()["entries"] == 0
    assert set(apmsim.base_case_cache_info()) == {"hits", "misses", "entries", "bytes", "capacity_bytes"}
