"""The examples/ scripts and notebooks/ run from a clean working folder (CI executes them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from validation_data import import_or_skip

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes(path, tmp_path):
    # skip without the [test] extra; fail under TARIFFSIM_REQUIRE_VALIDATION=1 (CI has it)
    nbformat = import_or_skip("nbformat", "nbformat is in the [test] extra")
    nbclient = import_or_skip("nbclient", "nbclient is in the [test] extra")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError with the failing cell
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors


def test_there_is_something_to_run():
    assert EXAMPLES and NOTEBOOKS
    # a renamed example would silently lose its checks of printed figures
    assert set(PRINTS) <= {p.name for p in EXAMPLES}
    assert (ROOT / "notebooks" / "vietnam_surplus.ipynb") in NOTEBOOKS


def test_notebook_is_generated_from_its_script(tmp_path):
    """notebooks/vietnam_surplus.ipynb must equal what tools/make_notebook.py writes."""
    nbformat = import_or_skip("nbformat", "nbformat is in the [test] extra")
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import make_notebook
    finally:
        sys.path.pop(0)
    on_disk = nbformat.read(ROOT / "notebooks" / "vietnam_surplus.ipynb", as_version=4)
    sources = [(("md" if c.cell_type == "markdown" else "code"), c.source)
               for c in on_disk.cells]
    assert sources == list(make_notebook.CELLS)
