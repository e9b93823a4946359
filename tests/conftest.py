"""Suite-wide settings.

When ``TARIFFSIM_REQUIRE_VALIDATION=1`` (CI sets it), the published replication data and the
facts files must be present: a missing folder stops the run instead of letting every
validation test skip quietly.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("TARIFFSIM_REQUIRE_VALIDATION") != "1":
        return
    validation = Path(os.environ.get("TARIFFSIM_VALIDATION_DATA",
                                     REPO.parent / "shared" / "data" / "validation"))
    facts = Path(os.environ.get("TARIFFSIM_FACTS_DATA", REPO.parent / "shared" / "data" / "facts"))
    missing = [str(p) for p in (validation / "cp2015", validation / "agtpa_ch2_app1", facts)
               if not p.exists()]
    if missing:
        raise pytest.UsageError(f"TARIFFSIM_REQUIRE_VALIDATION=1 but these folders are missing: "
                                f"{missing}; set TARIFFSIM_VALIDATION_DATA / TARIFFSIM_FACTS_DATA.")
