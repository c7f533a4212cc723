"""Read-only views of the parts of a value type (Scenario.delivery, Scenario.settings,
Scenario.payment_models, PaymentModel.components); the bound getters return them.

The C++ object owns its parts and validates them as a whole, so a getter hands out a
copy; editing that copy in place would be silently lost. The views below refuse every
in-place edit with an error that says to assign the whole attribute instead.
"""
from __future__ import annotations

from typing import Any, NoReturn


def _refuse_edit(owner: str) -> NoReturn:
    cls, attribute = owner.split(".")
    if cls == "PaymentModel":
        advice = "build a new model instead: PaymentModel(m.name, [...], quality=...)"
    else:
        advice = f"assign the whole attribute: x = apmsim.thaw(s.{attribute}); change x; s.{attribute} = x"
    raise TypeError(f"{owner} is a read-only copy: an edit in place would be lost; {advice}")


class FrozenDict(dict):
    """A dict that refuses in-place edits (nested dicts and lists are frozen too)."""

    _owner = ""

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse_edit(self._owner)

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __copy__(self) -> dict:
        return thaw(self)

    def __deepcopy__(self, memo: dict) -> dict:
        return thaw(self)

    def __reduce__(self):
        return (dict, (thaw(self),))


class FrozenList(tuple):
    """A tuple that also refuses the list methods with the same advice."""

    _owner = ""

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse_edit(self._owner)

    append = extend = insert = remove = pop = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse

    def __reduce__(self):
        return (list, (thaw(self),))


def frozen(value: Any, owner: str) -> Any:
    """`value` with every dict and list replaced by a read-only view naming `owner` (the
    attribute to assign, also for the nested parts)."""
    if isinstance(value, dict):
        view = FrozenDict({k: frozen(v, owner) for k, v in value.items()})
        view._owner = owner
        return view
    if isinstance(value, (list, tuple)):
        view = FrozenList(frozen(v, owner) for v in value)
        view._owner = owner
        return view
    return value


def thaw(value: Any) -> Any:
    """A plain, editable copy of a frozen view (dicts and lists all the way down)."""
    if isinstance(value, dict):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, FrozenList):
        return [thaw(v) for v in value]
    return value
