"""apmsim: payment models and their settlement; re-exports from _core plus Pythonic helpers.

Every contract component type registered in C++ (include/apmsim/contracts/component.hpp)
appears here as a class of the same name (FeeForService, Capitation, SharedSavings, ...),
built from ``_core.component_types()``: its keyword arguments are the JSON terms, checked
by the same C++ code that reads scenario files, so names and errors are identical.
"""
from __future__ import annotations

from typing import Any

from . import _core
from ._core import PaymentModel, PaymentResults
from ._frozen import freeze_property

__all__: list[str] = ["PaymentModel", "PaymentResults", "component_types"]


def component_types() -> dict[str, str]:
    """JSON type name -> Python class name of every contract component."""
    return {type_name: class_name for type_name, class_name, _ in _core.component_types()}


class Component:
    """A contract component's terms (a validated dict); subclasses fix the type."""

    type_name: str = ""
    terms: tuple[str, ...] = ()

    def __init__(self, *, years: list[int] | None = None, **terms: Any) -> None:
        data: dict[str, Any] = {"type": self.type_name}
        if years is not None:
            data["years"] = list(years)
        data.update(terms)
        # Validated (and defaults filled in) by the C++ reader; errors name ClassName.term.
        self._data = _core.check_component(data, type(self).__name__)

    def to_dict(self) -> dict[str, Any]:
        return dict(self._data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Component) and self._data == other._data

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._data.items() if k != "type")
        return f"{type(self).__name__}({args})"


def _make_component_class(type_name: str, class_name: str, keys: list[str]) -> type:
    doc = f"Contract component ``{type_name}``; terms: years, " + ", ".join(keys) + "."
    return type(class_name, (Component,), {"type_name": type_name, "terms": tuple(keys), "__doc__": doc})


for _type_name, _class_name, _keys in _core.component_types():
    globals()[_class_name] = _make_component_class(_type_name, _class_name, _keys)
    __all__.append(_class_name)


def _payment_summary(self):
    """One row per payment model x arm x year (0 = all years) x party x measure (revenue,
    payments, delivery_cost, net), per flow metric (party "") and per comparing
    component's benchmark, expenditure and savings_rate (party "", component its label),
    with mean, sd, quantiles p01-p99, expected shortfall at 95% and 99% on the adverse
    tail (lower for net, revenue and savings_rate: higher is better; upper otherwise) and
    P(value < 0), as a pandas DataFrame."""
    import pandas as pd

    frame = pd.DataFrame(self._summary_rows())
    return frame.set_index(["model", "arm", "year", "party", "component", "measure"]).sort_index()


def _payment_indicators(self):
    """Per payment model and year: P(savings paid), P(losses owed) (by any component that
    pays the provider for savings or charges it for losses: shared savings, shared risk, a
    corridor on a target), mean amounts, stop-loss recoveries and premium, and the false
    reward / false penalty / missed reward probabilities, as a pandas DataFrame."""
    import pandas as pd

    frame = pd.DataFrame(self._indicator_rows())
    return frame.set_index(["model", "year"]).sort_index()


PaymentResults.summary = _payment_summary
PaymentResults.indicators = _payment_indicators


def _payment_calibration(self):
    """What the contracts fixed before the year from the calibration sample (its own seed
    and ``calibration_trials`` trials of the base case): stop-loss expected recoveries and
    expected cost with their standard errors, percentile truncation points; one row per
    model, component, year and quantity, as a pandas DataFrame."""
    import pandas as pd

    frame = pd.DataFrame(self._calibration_rows(), columns=["model", "component", "year", "quantity", "value"])
    return frame.set_index(["model", "component", "year", "quantity"]).sort_index()


PaymentResults.calibration = _payment_calibration
freeze_property(PaymentModel, "components", "PaymentModel.components")
