"""Where the published replication data and the facts files live for the tests.

Tests read ``$TARIFFSIM_VALIDATION_DATA`` (default ``../shared/data/validation`` relative to
the repository root) and ``$TARIFFSIM_FACTS_DATA`` (default ``../shared/data/facts``) and
skip with a reason when something is absent, so the suite still runs elsewhere. Nothing from
those folders is ever copied into the repository.

With ``TARIFFSIM_REQUIRE_VALIDATION=1`` (CI sets it) a missing folder, file or optional
package FAILS the test instead: there, a skip would hide a validation that never ran.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def required() -> bool:
    """True when the run must not skip for missing data (CI)."""
    return os.environ.get("TARIFFSIM_REQUIRE_VALIDATION") == "1"


def skip_or_fail(reason: str) -> None:
    """Skip the test, or fail it when ``TARIFFSIM_REQUIRE_VALIDATION=1``."""
    if required():
        pytest.fail(f"TARIFFSIM_REQUIRE_VALIDATION=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def validation_root() -> Path:
    env = os.environ.get("TARIFFSIM_VALIDATION_DATA")
    return Path(env) if env else (REPO_ROOT / ".." / "shared" / "data" / "validation").resolve()


def facts_root() -> Path:
    env = os.environ.get("TARIFFSIM_FACTS_DATA")
    return Path(env) if env else (REPO_ROOT / ".." / "shared" / "data" / "facts").resolve()


def validation_path(name: str) -> Path:
    """Path of one validation data set (folder or file below the root), or skip the test
    with the reason (fail under ``TARIFFSIM_REQUIRE_VALIDATION=1``)."""
    path = validation_root() / name
    if not path.exists():
        skip_or_fail(f"validation data {name!r} not found at {path}; set "
                     f"TARIFFSIM_VALIDATION_DATA to the folder holding it")
    return path


def facts_path(name: str) -> Path:
    """Path of one facts file, or skip (fail under ``TARIFFSIM_REQUIRE_VALIDATION=1``)."""
    path = facts_root() / name
    if not path.exists():
        skip_or_fail(f"facts file {name!r} not found at {path}; set TARIFFSIM_FACTS_DATA "
                     f"to the folder holding it")
    return path


def import_or_skip(module: str, reason: str) -> ModuleType:
    """``pytest.importorskip`` that fails instead under ``TARIFFSIM_REQUIRE_VALIDATION=1``
    (the ``[test]`` extra CI installs has every optional package the suite uses)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        skip_or_fail(f"{module} cannot be imported ({exc}): {reason}")
        raise  # not reached: skip_or_fail raises
