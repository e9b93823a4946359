"""The machinery the adversarial campaigns share (rounds two and three of docs/reliability.md):
a catalogue case, the one way to run it, and the table the docs print.

A case names its outcome: an error class (exactly that class, or any TariffSimError, with
``match`` in its message), ``"warn"`` (a TariffSimWarning containing ``match``) or ``"ok"``;
``check`` then tests the result (it returns a truth value, or asserts and returns None).
RuntimeWarning is an error throughout.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tariffsim.errors import TariffSimError, TariffSimWarning


@dataclass(frozen=True)
class Case:
    area: str
    what: str
    call: Callable[[Path], Any]
    outcome: Any                            # an error class, "warn" or "ok"
    match: str = ""                         # text of the message (field and fix)
    check: Callable[[Any], Any] | None = None
    fixed: bool = False                     # failed on the tree before the round
    new: bool = False                       # an API new in the round


def run_case(c: Case, tmp_path: Path) -> None:
    """Run one case and assert its outcome."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("error", RuntimeWarning)
        if isinstance(c.outcome, type):
            with pytest.raises(c.outcome) as info:
                c.call(tmp_path)
            assert type(info.value) is c.outcome or c.outcome is TariffSimError, \
                f"{type(info.value).__name__}: {info.value}"
            assert c.match.lower() in str(info.value).lower(), str(info.value)
            return
        result = c.call(tmp_path)
    hints = [str(w.message) for w in caught if issubclass(w.category, TariffSimWarning)]
    if c.outcome == "warn":
        assert any(c.match in h for h in hints), hints
    if c.check is not None:
        outcome = c.check(result)
        assert outcome is None or outcome, "check failed"


def table(cases: Sequence[Case], before: str, ok_text: str) -> str:
    """The markdown table of a round's catalogue in docs/reliability.md."""
    rows = [f"| area | input | outcome | message names / checks | before {before} |",
            "|---|---|---|---|---|"]
    for c in cases:
        out = c.outcome.__name__ if isinstance(c.outcome, type) else (
            "TariffSimWarning" if c.outcome == "warn" else ok_text)
        what = c.what.replace("|", "\\|")
        rows.append(f"| {c.area} | {what} | {out} | {('`' + c.match + '`') if c.match else ''}"
                    f" | {'defect, fixed' if c.fixed else 'new API' if c.new else 'handled'} |")
    return "\n".join(rows)
