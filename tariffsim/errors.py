"""The tariffsim error hierarchy.

Every error that tariffsim raises on purpose derives from
[`TariffSimError`][tariffsim.errors.TariffSimError], so ``except ts.TariffSimError`` catches all of
them. Messages name the field, the offending value or rows, and the fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "TariffSimError",
    "DataError",
    "ScenarioError",
    "ModelError",
    "ConvergenceError",
    "UnreachableError",
    "TariffSimWarning",
    "suggest",
    "unknown_codes_message",
]


class TariffSimError(Exception):
    """Base class of every error tariffsim raises on purpose."""


class DataError(TariffSimError, ValueError):
    """Bad input data: flows, tariffs, shares, codes, files.

    Attributes
    ----------
    field : str or None
        The input field (column, argument or file) at fault.
    rows : pandas.DataFrame or None
        The offending rows, where there are any.
    """

    def __init__(self, message: str, *, field: str | None = None, rows: Any = None) -> None:
        super().__init__(message)
        self.field = field
        self.rows = rows


class ScenarioError(TariffSimError, ValueError):
    """A scenario or instrument that cannot be applied (unknown code, dates, TOML)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ModelError(TariffSimError, ValueError):
    """Invalid model settings (elasticities out of range, unknown closure, ...)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ConvergenceError(TariffSimError, RuntimeError):
    """A solver did not reach its tolerance; carries the diagnostics.

    Attributes
    ----------
    diagnostics : dict
        At least ``iterations`` and ``residual``; solvers add what they know.
    """

    def __init__(self, message: str, *, diagnostics: dict | None = None) -> None:
        self.diagnostics = dict(diagnostics or {})
        if self.diagnostics:
            details = ", ".join(f"{k}={v}" for k, v in self.diagnostics.items()
                                if not hasattr(v, "__len__") or isinstance(v, str))
            message = f"{message} (diagnostics: {details})"
        super().__init__(message)


class UnreachableError(ModelError):
    """A target (an import commitment, a quota) that no equilibrium can reach."""


class TariffSimWarning(UserWarning):
    """Suspicious but valid input (for example a tariff above 1000%)."""


def suggest(value: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'X'?)"`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_codes_message(field: str, unknown: Sequence[str], known: Sequence[str]) -> str:
    """Message for codes that are not in the baseline, with the closest known ones."""
    parts = [f"{u!r}{suggest(u, known)}" for u in list(unknown)[:10]]
    more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
    shown = ", ".join(list(known)[:30]) + (" ..." if len(known) > 30 else "")
    return (f"{field}: unknown code(s) {', '.join(parts)}{more}. Known codes: {shown}. "
            f"Fix the spelling or add the economy to the baseline.")
