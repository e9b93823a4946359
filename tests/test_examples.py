"""The examples/ scripts run from a clean working folder (CI executes them; the notebooks are
executed and checked by tests/test_notebooks.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


# Figures each example must print, known without running it: the US Census 2024 surpluses
# with the US (Feb-2025 vintage, USD million: VNM 123,463, MYS 24,830, THA 45,609,
# KHM 12,340) in the reported/baseline column, and for the rare earths USGS MCS 2025
# (China 70% of US$170 million = 119.00, halved by a binding 50% cut = 59.50).
PRINTS = {
    "quickstart.py": ["123463.0", "24830.0", "45609.0", "12340.0"],
    "us_asean_projection.py": ["123463.0", "24830.0", "45609.0", "12340.0"],
    "rare_earths.py": ["119.00", "59.50", "170.0"],
}


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script, tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip(), "an example should print what it found"
    assert "Traceback" not in proc.stderr
    for figure in PRINTS.get(script.name, []):
        assert figure in proc.stdout, (script.name, figure)


def test_there_is_something_to_run():
    assert EXAMPLES
    # a renamed example would silently lose its checks of printed figures
    assert set(PRINTS) <= {p.name for p in EXAMPLES}
