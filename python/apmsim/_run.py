"""apmsim.run: the C++ run with a progress bar."""
from __future__ import annotations

from typing import Any, Optional

from . import _core
from ._progress import progress_bar

__all__ = ["merge_trial_ranges", "read_run_part", "run", "run_split"]

merge_trial_ranges = _core.merge_trial_ranges
read_run_part = _core.read_run_part


def run(scenario: "_core.Scenario", trials: Optional[int] = None, seed: Optional[int] = None, threads: Optional[int] = None,
        member_detail: Optional[bool] = None, calibration_trials: Optional[int] = None, progress: Optional[bool] = None,
        trial_begin: Optional[int] = None, mode: Optional[str] = None) -> "_core.Results":
    """Simulate a scenario and settle its payment models (``Results.payments``); options left
    None come from the scenario's settings. The same seed gives the same results, bit for
    bit, whatever the threads. The GIL is released while it runs; a progress bar shows the
    trials done when it takes more than half a second, in a notebook or a terminal
    (``progress=True``: always, ``False``: never); Ctrl-C or
    a notebook's interrupt stops it within a second with KeyboardInterrupt. ``trial_begin``
    runs trials ``trial_begin`` .. ``trial_begin + trials - 1`` only: a part of a larger run
    (each trial depends on the seed and its number alone), joined by :func:`merge_trial_ranges`.
    ``mode``: ``"exact"`` draws every event's severity; ``"tabulated"`` draws the counts the
    same way and each count's sum of severities from precomputed quantile tables (faster;
    ``Results.mode`` and every output name it).

    The results record the resolved scenario (``Results.scenario``), so ``save`` writes a
    file that ``apmsim run --replay`` reproduces. Example::

        r = apmsim.run(apmsim.Scenario.default_cmc_program(members=500), trials=1000, seed=7)
        r.payments.summary().query("party == 'provider' and year == 0 and measure == 'net'")
    """
    total = trials if isinstance(trials, int) else scenario.settings["trials"] if isinstance(scenario, _core.Scenario) else 0
    with progress_bar(total, "trials", progress) as bar:  # bad arguments are _core.run's to report
        return _core.run(scenario, trials, seed, threads, member_detail, calibration_trials, progress=bar.update_to,
                         trial_begin=trial_begin, mode=mode)


def run_split(scenario: "_core.Scenario", parts: int, *, client: Any = None, trials: Optional[int] = None,
              seed: Optional[int] = None, threads: Optional[int] = None, calibration_trials: Optional[int] = None,
              mode: Optional[str] = None) -> "_core.Results":
    """Run ``scenario`` as ``parts`` consecutive trial ranges and join them: the results of
    ``apmsim.run(scenario, trials=trials, seed=seed)``, bit for bit, whatever the split. With a
    ``dask.distributed`` Client the parts run on its workers (a run of a million trials
    spread over a cluster); without one, here, one after another. Each worker computes what
    contracts fix before the year (the calibration sample) again, identically. Example::

        from dask.distributed import Client
        r = apmsim.run_split(scenario, 50, client=Client("tcp://scheduler:8786"), trials=1_000_000)
    """
    if not isinstance(scenario, _core.Scenario):
        raise TypeError(f"scenario: expected an apmsim.Scenario, got {type(scenario).__name__}")
    total = scenario.settings["trials"] if trials is None else trials
    if isinstance(parts, bool) or not isinstance(parts, int) or not 1 <= parts <= total:
        raise ValueError(f"parts: expected a whole number from 1 to the trials ({total}), got {parts!r}")
    begins = [total * k // parts for k in range(parts + 1)]
    ranges = [(b, e - b) for b, e in zip(begins, begins[1:])]
    options = dict(seed=seed, threads=threads, calibration_trials=calibration_trials, mode=mode)
    if client is None:
        done = [_run_part(scenario, b, n, options) for b, n in ranges]
    else:
        if not all(hasattr(client, name) for name in ("submit", "gather")):
            raise TypeError(f"client: expected a dask.distributed Client or None, got {type(client).__name__}")
        done = client.gather([client.submit(_run_part, scenario, b, n, options, pure=False) for b, n in ranges])
    return _core.merge_trial_ranges(done)


def _run_part(scenario: "_core.Scenario", trial_begin: int, trials: int, options: dict) -> "_core.Results":
    """One trial range of run_split (a module-level function: Dask pickles it by name)."""
    return _core.run(scenario, trials, trial_begin=trial_begin, **options)
