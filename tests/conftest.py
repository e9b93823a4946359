"""Suite-wide settings.

When ``TARIFFSIM_REQUIRE_VALIDATION=1`` (CI sets it), the published replication data and the
facts files must be present: a missing folder stops the run instead of letting every
validation test skip quietly.

BLAS runs single-threaded unless the environment says otherwise: the suite's linear algebra
is small (dense solves of a few hundred unknowns at most), where threads only add overhead,
and on a loaded 2-core machine threaded BLAS made the 194-country oracle solves several
times slower. The variables are read when numpy loads, so they are set here, before any
test module imports it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest  # (neither imports numpy)

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

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
