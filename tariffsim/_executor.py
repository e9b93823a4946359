"""Running chunks of work on an executor: local, a process pool, or a dask cluster.

Used by `tariffsim.monte_carlo` (chunks of draws) and `tariffsim.project`
(years).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .errors import ModelError

__all__ = ["map_chunks", "check_executor"]


def check_executor(executor: Any) -> None:
    """ModelError unless ``executor`` is None or has a ``.map`` method."""
    if executor is not None and not callable(getattr(executor, "map", None)):
        raise ModelError(f"executor: expected an object with a .map(fn, iterable) method "
                         f"(a concurrent.futures executor or a dask distributed.Client), "
                         f"got {type(executor).__name__}.", field="executor")


def map_chunks(executor: Any, fn: Callable[[Any], Any], chunks: Sequence[Any]
               ) -> Iterable[Any]:
    """``fn`` over ``chunks`` on ``executor``, results in order.

    ``executor`` is None (here, one after the other), a ``concurrent.futures`` executor
    (thread or process pool, ``dask.distributed.Client.get_executor()``), a dask
    ``distributed.Client`` (its ``map`` returns futures, gathered here), or anything with
    ``.map(fn, iterable)`` returning results or futures.
    """
    if executor is None:
        return map(fn, chunks)
    if callable(getattr(executor, "gather", None)) and callable(
            getattr(executor, "submit", None)):                  # a dask Client
        futures = executor.map(fn, list(chunks), pure=False)
        return (f.result() for f in futures)
    out = executor.map(fn, chunks)
    return (o.result() if callable(getattr(o, "result", None)) and hasattr(o, "done")
            else o for o in out)
