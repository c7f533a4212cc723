"""apmsim.run: the C++ run with a progress bar."""
from __future__ import annotations

from typing import Any, Optional

from . import _core
from ._progress import progress_bar

__all__ = ["run"]


def run(scenario: "_core.Scenario", trials: Optional[int] = None, seed: Optional[int] = None, threads: Optional[int] = None,
        member_detail: Optional[bool] = None, calibration_trials: Optional[int] = None, progress: Optional[bool] = None) -> "_core.Results":
    """Simulate a scenario and settle its payment models (``Results.payments``); options left
    None come from the scenario's settings. The same seed gives the same results, bit for
    bit, whatever the threads. The GIL is released while it runs; a progress bar shows the
    trials done when it takes more than half a second, in a notebook or a terminal
    (``progress=True``: always, ``False``: never); Ctrl-C or
    a notebook's interrupt stops it within a second with KeyboardInterrupt.

    The results record the resolved scenario (``Results.scenario``), so ``save`` writes a
    file that ``apmsim run --replay`` reproduces. Example::

        r = apmsim.run(apmsim.Scenario.default_cmc_program(members=500), trials=1000, seed=7)
        r.payments.summary().query("party == 'provider' and year == 0 and measure == 'net'")
    """
    total = trials if isinstance(trials, int) else scenario.settings["trials"] if isinstance(scenario, _core.Scenario) else 0
    with progress_bar(total, "trials", progress) as bar:  # bad arguments are _core.run's to report
        return _core.run(scenario, trials, seed, threads, member_detail, calibration_trials, progress=bar.update_to)
