"""apmsim: small-population analytics (MSR, members needed), credibility and risk adjustment; re-exports from _core plus Pythonic helpers."""
from __future__ import annotations

__all__: list[str] = []
