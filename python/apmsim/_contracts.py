"""apmsim: payment models and their settlement; re-exports from _core plus Pythonic helpers."""
from __future__ import annotations

__all__: list[str] = []
