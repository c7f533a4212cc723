"""Progress bars for long calls (tqdm from Debian's python3-tqdm): a widget in a notebook
when ipywidgets is there, a text bar on stderr otherwise, nothing when tqdm is missing.
``progress=None`` (the default) shows one in a notebook or a terminal, not in a log or a
pipe; True always, False never. A bar appears only after half a second, so quick calls
stay quiet."""
from __future__ import annotations

import importlib.util
import sys
from contextlib import contextmanager
from typing import Any, Iterator, Optional

#: Seconds before a bar appears.
DELAY = 0.5


class _Silent:
    """What a disabled bar offers: the same methods, doing nothing."""

    def update(self, n: int = 1) -> None:
        pass

    def update_to(self, done: int) -> None:
        pass


class _Bar:
    def __init__(self, bar: Any) -> None:
        self._bar = bar

    def update(self, n: int = 1) -> None:
        self._bar.update(n)

    def update_to(self, done: int) -> None:
        """Moves the bar to `done` (the C++ side counts finished trials)."""
        if done > self._bar.n:
            self._bar.update(done - self._bar.n)


def _tqdm_class() -> Any:
    if importlib.util.find_spec("tqdm") is None:
        return None
    if importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.auto import tqdm
    else:  # tqdm.auto would warn in a notebook without widgets; text bars work everywhere
        from tqdm.std import tqdm
    return tqdm


def _interactive() -> bool:
    """In a Jupyter kernel, or stderr is a terminal."""
    if "ipykernel" in sys.modules:
        return True
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


@contextmanager
def progress_bar(total: int, unit: str, enabled: Optional[bool]) -> Iterator[Any]:
    """A bar counting `total` `unit`s (``with progress_bar(n, "trials", None) as bar: bar.update_to(k)``)."""
    if enabled is not None and not isinstance(enabled, bool):
        raise TypeError(f"progress: expected True, False or None, got {type(enabled).__name__}")
    show = _interactive() if enabled is None else enabled
    tqdm = _tqdm_class() if show else None
    if tqdm is None:
        yield _Silent()
        return
    bar = tqdm(total=total, unit=unit, delay=DELAY, dynamic_ncols=True, leave=False)
    try:
        yield _Bar(bar)
    finally:
        bar.close()
