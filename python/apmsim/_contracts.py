"""apmsim: payment models and their settlement; re-exports from _core plus Pythonic helpers.

Every contract component type registered in C++ (include/apmsim/contracts/component.hpp)
is a class of the same name here (FeeForService, Capitation, SharedSavings, ...),
written from the registry when the module is built (``_components.py``): its keyword
arguments are the JSON terms, checked by the same C++ code that reads scenario files,
so names and errors are identical.
"""
from __future__ import annotations

from . import _components, _core
from ._component_base import Component
from ._components import *  # noqa: F401,F403
from ._core import PaymentModel, PaymentResults

__all__: list[str] = ["Component", "PaymentModel", "PaymentResults", "component_types", *_components.__all__]


def component_types() -> dict[str, str]:
    """JSON type name -> Python class name of every contract component."""
    return {type_name: class_name for type_name, class_name, *_ in _core.component_types()}
