"""Execute the notebooks in notebooks/ and store them with their outputs, or check that the
stored outputs are current.

    python tools/execute_notebooks.py            # build from tools/make_notebook.py, run, write
    python tools/execute_notebooks.py --check    # run afresh, compare with the committed files
    python tools/execute_notebooks.py --check vietnam_surplus.ipynb   # one notebook

Each notebook is built from its cells in ``tools/make_notebook.py`` and executed with
nbclient in a fresh kernel, in a temporary folder (files a notebook writes do not land in
the repository). What varies between runs is removed before writing, so a rerun on the same
machine writes the same bytes: execution timings and kernel ids (nbclient is told not to
record them, the cell metadata is cleared), widget state, and progress-bar output (tqdm
bars on stderr, tqdm's notice that ipywidgets is missing, and progress widgets).

``--check`` compares what a reader sees: per code cell, the text outputs (printed text,
the plain-text form of tables and values, errors) and the number of figures. PNG bytes are
not compared (they differ between matplotlib and freetype versions without a visible
change). The test ``tests/test_notebooks.py`` does the same check, executing each notebook
once, so CI runs them a single time.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "notebooks"
TIMEOUT = 600  # seconds per cell

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_notebook  # noqa: E402

_WIDGET = "application/vnd.jupyter.widget-view+json"
_BAR = re.compile(r"\d+%\|.*\|\s*\d+/\d+")  # a tqdm bar line: " 40%|####  | 2/5 [...]"
# what tqdm.auto prints in a kernel without ipywidgets before falling back to a text bar
_TQDM_NOTICE = re.compile(r"TqdmWarning: IProgress not found|from \.autonotebook import tqdm")
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def build(name: str) -> nbformat.NotebookNode:
    """The notebook ``name`` from its cells in ``make_notebook.NOTEBOOKS``, without outputs."""
    if name not in make_notebook.NOTEBOOKS:
        raise SystemExit(f"{name}: not a notebook of tools/make_notebook.py; known: "
                         f"{', '.join(make_notebook.NOTEBOOKS)}")
    return make_notebook.build(make_notebook.NOTEBOOKS[name])


def execute(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Run ``nb`` (a copy) in a fresh python3 kernel in a temporary folder; return it with
    its outputs, volatile parts removed. A failing cell raises CellExecutionError."""
    import nbclient

    nb = copy.deepcopy(nb)
    with tempfile.TemporaryDirectory() as tmp:
        client = nbclient.NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3",
                                         record_timing=False,
                                         resources={"metadata": {"path": tmp}})
        client.execute()
    return clean(nb)


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove what changes from run to run (in place; returns ``nb``)."""
    nb.metadata.pop("widgets", None)
    lang = nb.metadata.get("language_info")
    if isinstance(lang, dict):  # keep the language, not the patch version of the machine
        nb.metadata["language_info"] = {"name": lang.get("name", "python")}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        outputs = []
        for out in cell.get("outputs", []):
            if _WIDGET in out.get("data", {}):
                continue  # a progress widget: its model id is random
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                lines = [ln for ln in re.split(r"[\r\n]", out.get("text", ""))
                         if ln.strip() and not _BAR.search(ln)
                         and not _TQDM_NOTICE.search(ln)]
                if not lines:
                    continue  # only progress bars
                out["text"] = "\n".join(lines) + "\n"  # a warning beside them stays
            outputs.append(out)
        cell.outputs = outputs
    return nb


def digest(nb: nbformat.NotebookNode) -> list[dict[str, Any]]:
    """What a reader sees, per code cell: its text outputs and how many figures it shows."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        texts, images = [], 0
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "stream":
                texts.append(f"{out.get('name')}: {out.get('text', '')}")
            elif kind == "error":
                texts.append(f"error: {out.get('ename')}: {out.get('evalue')}")
            else:
                data = out.get("data", {})
                images += "image/png" in data
                if "text/plain" in data and "image/png" not in data:
                    texts.append(_ADDRESS.sub("", str(data["text/plain"])))
        cells.append({"source": cell.source, "text": texts, "figures": images})
    return cells


def figures(nb: nbformat.NotebookNode) -> int:
    """Number of figures (image/png outputs) in ``nb``."""
    return sum(c["figures"] for c in digest(nb))


def differences(committed: nbformat.NotebookNode, fresh: nbformat.NotebookNode
                ) -> list[str]:
    """How the committed outputs differ from a fresh run (empty when they are current)."""
    a, b = digest(committed), digest(fresh)
    if [c["source"] for c in a] != [c["source"] for c in b]:
        return ["the code cells differ from tools/make_notebook.py"]
    out = []
    for k, (x, y) in enumerate(zip(a, b, strict=True)):
        first = x["source"].splitlines()[0] if x["source"] else ""
        if x["figures"] != y["figures"]:
            out.append(f"code cell {k} ({first!r}): {x['figures']} figure(s) committed, "
                       f"{y['figures']} in a fresh run")
        if x["text"] != y["text"]:
            out.append(f"code cell {k} ({first!r}): text output differs\n"
                       f"  committed: {x['text']!r:.600}\n  fresh:     {y['text']!r:.600}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="notebook file names (default: all)")
    ap.add_argument("--check", action="store_true",
                    help="execute afresh and fail if the committed outputs differ")
    args = ap.parse_args(argv)
    names = args.names or list(make_notebook.NOTEBOOKS)
    status = 0
    for name in names:
        fresh = execute(build(name))
        path = FOLDER / name
        if args.check:
            if not path.exists():
                print(f"{name}: not committed; run python tools/execute_notebooks.py")
                status = 1
                continue
            diffs = differences(nbformat.read(path, as_version=4), fresh)
            for d in diffs:
                print(f"{name}: {d}")
            if diffs:
                print(f"{name}: stale; run python tools/execute_notebooks.py {name}")
                status = 1
            else:
                print(f"{name}: current ({figures(fresh)} figures)")
        else:
            FOLDER.mkdir(exist_ok=True)
            nbformat.write(fresh, path)
            print(f"wrote {path} ({figures(fresh)} figures)")
    return status


if __name__ == "__main__":
    sys.exit(main())
