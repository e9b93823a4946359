"""The notebooks in notebooks/ are committed executed, and their outputs are current.

Each notebook is executed once here (in a fresh kernel, from the cells in
tools/make_notebook.py, by tools/execute_notebooks.py) and compared with the committed file:
the same text outputs and the same number of figures (CI runs this test; it is what
``tools/execute_notebooks.py --check`` does). The figures each notebook must show and the
key numbers it prints are checked on both.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from validation_data import import_or_skip

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "notebooks"

#: figures (image/png outputs) each notebook shows: the path and balance panels, the
#: diversion bars, the fan chart / the two realisation panels, the fan chart
FIGURES = {"vietnam_surplus.ipynb": 3, "build_your_own_scenario.ipynb": 2}
#: the Census 2024 goods surplus of Vietnam with the US (Feb-2025 vintage, USD million)
VNM_SURPLUS = "123,463"


@pytest.fixture(scope="module")
def tool():
    import_or_skip("nbformat", "nbformat is in the [test] extra")
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import execute_notebooks
    finally:
        sys.path.pop(0)
    return execute_notebooks


@pytest.fixture(scope="module", params=sorted(FIGURES))
def pair(request, tool):
    """(name, committed notebook, freshly executed notebook): each notebook runs once."""
    import_or_skip("nbclient", "nbclient is in the [test] extra")
    import_or_skip("ipykernel", "ipykernel is in the [test] extra")
    import nbformat

    name = request.param
    committed = nbformat.read(FOLDER / name, as_version=4)
    return name, committed, tool.execute(tool.build(name))


def stdout(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []) if o.get("output_type") == "stream"
                   and o.get("name") == "stdout")


def html_outputs(nb) -> str:
    return "".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells
                   if c.cell_type == "code" for o in c.get("outputs", []))


def test_every_notebook_is_listed(tool):
    assert sorted(p.name for p in FOLDER.glob("*.ipynb")) == sorted(FIGURES)
    assert set(tool.make_notebook.NOTEBOOKS) == set(FIGURES)


def test_committed_notebooks_match_their_cells(tool):
    """The committed code and markdown equal tools/make_notebook.py's cells."""
    import nbformat

    for name, cells in tool.make_notebook.NOTEBOOKS.items():
        on_disk = nbformat.read(FOLDER / name, as_version=4)
        assert [("md" if c.cell_type == "markdown" else "code", c.source)
                for c in on_disk.cells] == list(cells), name


def test_figures_are_inline_not_forced_off(tool):
    for name, cells in tool.make_notebook.NOTEBOOKS.items():
        code = "\n".join(src for kind, src in cells if kind == "code")
        assert "matplotlib.use(" not in code, name
        assert cells[1][1].startswith("%matplotlib inline"), name


def test_committed_outputs_are_current(pair, tool):
    name, committed, fresh = pair
    assert not [o for c in fresh.cells for o in c.get("outputs", [])
                if o.get("output_type") == "error"]
    diffs = tool.differences(committed, fresh)
    assert not diffs, (f"{name}: committed outputs are stale; run python "
                       f"tools/execute_notebooks.py {name}\n" + "\n".join(diffs))


def test_each_notebook_shows_its_figures(pair, tool):
    name, committed, fresh = pair
    assert tool.figures(fresh) == FIGURES[name]
    assert tool.figures(committed) == FIGURES[name]
    # no volatile metadata is committed
    assert all("execution" not in c.metadata for c in committed.cells)


def test_key_numbers_are_printed(pair):
    name, committed, fresh = pair
    for nb in (committed, fresh):
        out = stdout(nb)
        assert f"Vietnam's 2024 goods surplus with the US: USD {VNM_SURPLUS} million" in out
        shown = html_outputs(nb)
        if name == "vietnam_surplus.ipynb":
            assert "tariffsim Result: scenario &#x27;us-asean-2025&#x27;" in shown
            assert "closure fixed_deficit" in shown and "tariffsim MonteCarlo" in shown
        else:
            assert "the same instruments as the TOML: True" in out
            assert "Malaysia&#x27;s: USD 24,830 million" not in shown  # printed, not html
            assert "Malaysia's: USD 24,830 million" in out
            assert "50 draws" in shown and "my-asean-deal" in shown


@pytest.mark.parametrize("pair", ["build_your_own_scenario.ipynb"], indirect=True)
def test_realisation_changes_what_the_pledge_does(pair):
    """The printed 2030 changes at realisation 1 and 0.58 are those of the projection
    shown below them, and the pledge met in part moves Malaysia's balance less."""
    name, committed, fresh = pair
    out = stdout(fresh)
    found = dict(re.findall(r"realisation (1\.0|0\.58): .* \(change ([-+][\d,]+)\)", out))
    assert set(found) == {"1.0", "0.58"}
    full, part = (int(found[k].replace(",", "")) for k in ("1.0", "0.58"))
    assert full < part < 0
    # the projection displayed after the prints is the realisation-1 run; its MYS row
    # carries the same 2030 change
    cell = next(c for c in fresh.cells if c.cell_type == "code"
                and c.source.startswith("paths = {}"))
    text = next(o["data"]["text/plain"] for o in cell.outputs
                if o.get("output_type") == "execute_result")
    row = next(line for line in text.splitlines() if line.split()[:1] == ["MYS"])
    assert row.split()[-1] == f"{full:,}"


def test_check_sees_stale_text_and_lost_figures(tool):
    """What --check compares: a changed number or a lost figure is reported, PNG bytes and
    volatile metadata are not."""
    import copy

    import nbformat

    committed = nbformat.read(FOLDER / "vietnam_surplus.ipynb", as_version=4)
    assert tool.differences(committed, copy.deepcopy(committed)) == []
    other = copy.deepcopy(committed)
    for cell in other.cells:
        cell.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00Z"}
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                out["data"]["image/png"] = "iVBORw0KGgo="  # other bytes, same figure count
    assert tool.differences(committed, other) == []
    assert all("execution" not in c.metadata for c in tool.clean(other).cells)
    stale = copy.deepcopy(committed)
    for cell in stale.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and VNM_SURPLUS in out.get("text", ""):
                out["text"] = out["text"].replace(VNM_SURPLUS, "123,000")
    diffs = tool.differences(committed, stale)
    assert len(diffs) == 1 and "text output differs" in diffs[0]
    fewer = copy.deepcopy(committed)
    for cell in fewer.cells:
        cell.outputs = [o for o in cell.get("outputs", []) if "image/png" not in o.get("data", {})]
    diffs = tool.differences(committed, fewer)
    assert len(diffs) == FIGURES["vietnam_surplus.ipynb"]
    assert all("figure(s) committed" in d for d in diffs)
