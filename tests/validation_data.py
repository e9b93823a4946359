"""Where the published replication data live for validation tests.

Tests read ``$TARIFFSIM_VALIDATION_DATA`` (default ``../shared/data/validation`` relative to
the repository root) and skip with a reason when a folder is absent. Nothing from that
folder is ever copied into the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def validation_root() -> Path:
    env = os.environ.get("TARIFFSIM_VALIDATION_DATA")
    return Path(env) if env else (REPO_ROOT / ".." / "shared" / "data" / "validation").resolve()


def validation_path(name: str) -> Path:
    """Path of one validation data set, or skip the test with the reason."""
    path = validation_root() / name
    if not path.exists():
        pytest.skip(f"validation data {name!r} not found at {path}; set "
                    f"TARIFFSIM_VALIDATION_DATA to the folder holding it")
    return path
