"""One progress bar for every long-running call (``project``, ``monte_carlo``, loaders).

``progress=`` takes ``None`` (the default: a bar only where someone can see it, i.e. an
interactive terminal or a Jupyter kernel, and only if tqdm is installed), ``True`` (always,
tqdm required), ``False`` (never) or a callable ``f(done, total)`` called after each step,
for users who report progress their own way. tqdm is an optional extra
(``pip install -e ".[progress]"``); without it ``None`` is silent and ``True`` raises.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from .errors import ModelError

T = TypeVar("T")

Progress = bool | Callable[[int, int], Any] | None


def _interactive() -> bool:
    """A person can see a bar: a running Jupyter kernel (not merely ipykernel imported,
    as in a test process) or standard error on a terminal."""
    ipython = sys.modules.get("IPython")
    if ipython is not None:
        try:
            shell = ipython.get_ipython()
        except Exception:  # an IPython too broken to ask: not a notebook
            shell = None
        if shell is not None and getattr(shell, "kernel", None) is not None:
            return True
    stream = sys.stderr
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # replaced or closed stream
        return False


def _tqdm() -> Any:
    try:
        from tqdm.auto import tqdm  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        return None
    return tqdm


def check_progress(progress: Any) -> Progress:
    """Validate a ``progress=`` argument; return it unchanged."""
    if progress is None or isinstance(progress, bool) or callable(progress):
        if progress is True and _tqdm() is None:
            raise ModelError("progress=True needs tqdm, which is not installed; "
                             "fix: pip install tqdm (or the [progress] extra), or pass "
                             "progress=None / a callable f(done, total)")
        return progress
    raise ModelError(f"progress={progress!r} is not understood; fix: pass None (a bar when "
                     "interactive), True, False or a callable f(done, total)")


def track(items: Iterable[T], *, total: int | None = None, desc: str = "",
          progress: Progress = None) -> Iterator[T]:
    """Yield ``items`` unchanged, showing progress as ``progress=`` asks.

    Parameters
    ----------
    items : iterable
        What to iterate over.
    total : int, optional
        Number of items, when ``len(items)`` is not available.
    desc : str
        Label of the bar.
    progress : None, bool or callable
        See the module docstring.
    """
    progress = check_progress(progress)
    if total is None:
        try:
            total = len(items)  # type: ignore[arg-type]
        except TypeError:
            total = None
    if callable(progress) and not isinstance(progress, bool):
        n = 0
        for item in items:
            yield item
            n += 1
            progress(n, total if total is not None else n)
        return
    tqdm = _tqdm() if progress is not False else None
    if tqdm is None or (progress is None and not _interactive()):
        yield from items
        return
    bar = tqdm(total=total, desc=desc, leave=False)
    try:
        for item in items:
            yield item
            bar.update(1)
    finally:
        bar.close()
