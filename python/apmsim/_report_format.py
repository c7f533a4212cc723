"""Numbers as a report prints them: dollars with thousands separators, percentages,
probabilities and lists of names in words. Used by apmsim.report and its scenario
description; every function takes a number (or None / NaN for "not applicable") and
returns text. Example: ``money(-1234567.8) == "-$1,234,568"``, ``percent(0.077) == "7.7%"``.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Optional

__all__ = ["NOT_APPLICABLE", "listing", "missing", "money", "number", "percent", "signed_percent", "words"]

#: What a table shows for a value that does not apply (None or NaN in the results).
NOT_APPLICABLE = "\u2013"


def missing(x: Any) -> bool:
    """True for None and NaN (a statistic that does not apply)."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def money(x: Optional[float], decimals: int = 0) -> str:
    """Dollars with thousands separators, the sign first: ``money(-1234.6) == "-$1,235"``,
    ``money(12.5, 2) == "$12.50"``; None or NaN: an en dash."""
    if missing(x):
        return NOT_APPLICABLE
    text = f"{abs(float(x)):,.{decimals}f}"
    negative = float(x) < 0 and text.strip("0.,") != ""
    return f"-${text}" if negative else f"${text}"


def number(x: Optional[float], decimals: int = 0) -> str:
    """A plain number with thousands separators: ``number(1500) == "1,500"``."""
    if missing(x):
        return NOT_APPLICABLE
    text = f"{float(x):,.{decimals}f}"
    return "0" if text.strip("-0.,") == "" and decimals == 0 else text


def percent(x: Optional[float], decimals: int = 1) -> str:
    """A fraction as a percentage: ``percent(0.1234) == "12.3%"``; None or NaN: an en dash."""
    if missing(x):
        return NOT_APPLICABLE
    return f"{100 * float(x):.{decimals}f}%"


def signed_percent(x: float, decimals: int = 1) -> str:
    """A relative change with its sign: ``signed_percent(-0.077) == "-7.7%"``, ``signed_percent(0.02) == "+2.0%"``."""
    return ("+" if float(x) > 0 else "") + percent(x, decimals)


def words(name: str) -> str:
    """A snake_case name read aloud: ``words("home_health") == "home health"``."""
    return str(name).replace("_", " ")


def listing(items: Iterable[str], conjunction: str = "and") -> str:
    """Items joined as in a sentence: ``listing(["a", "b", "c"]) == "a, b and c"``."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"
