"""The base of the contract component classes (apmsim.FeeForService, ...), which
python/generate_components.py writes into ``_components.py`` from the C++ registry
(include/apmsim/contracts/component.hpp) when the module is built."""
from __future__ import annotations

from typing import Any

from . import _core


class Component:
    """A contract component's terms (a validated dict); subclasses fix the type."""

    type_name: str = ""
    terms: tuple[str, ...] = ()
    example: str = ""  # a typical use, in JSON

    def __init__(self, *, years: list[int] | None = None, **terms: Any) -> None:
        data: dict[str, Any] = {"type": self.type_name}
        if years is not None:
            data["years"] = list(years)
        data.update(terms)
        # Validated (and defaults filled in) by the C++ reader; errors name ClassName.term.
        self._data = _core.check_component(data, type(self).__name__)

    def to_dict(self) -> dict[str, Any]:
        """The component as the dict of its JSON form, defaults filled in."""
        return dict(self._data)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Component":
        """The component from its JSON form (the "type" must match the class)."""
        terms = dict(d)
        kind = terms.pop("type", cls.type_name)
        if kind != cls.type_name:
            raise _core.InvalidInput(f'type: expected "{cls.type_name}", got "{kind}"')
        return cls(**terms)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._data == other._data  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self):
        return (type(self).from_dict, (self._data,))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._data.items() if k != "type")
        return f"{type(self).__name__}({args})"
