"""apmsim: discretisation and exact/approximate aggregate distributions; re-exports from _core plus Pythonic helpers."""
from __future__ import annotations

__all__: list[str] = []
