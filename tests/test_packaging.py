"""Packaging: one version (pyproject.toml), py.typed shipped, install instructions that match
the extras. (The wheel itself is built and checked by tools/check_wheel.py in .ci/run.)"""

from __future__ import annotations

import importlib.metadata
import re
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import tariffsim

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
INSTALL = (ROOT / "docs" / "installation.md").read_text()


def test_version_comes_from_pyproject_only():
    version = PYPROJECT["project"]["version"]
    assert tariffsim.__version__ == importlib.metadata.version("tariffsim") == version
    # no second copy of the number in the package's code
    for path in (ROOT / "tariffsim").rglob("*.py"):
        assert not re.search(r"__version__\s*=\s*['\"]\d", path.read_text()), path


def test_uninstalled_tree_says_so(monkeypatch):
    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", missing)
    assert tariffsim._version() == "0+not.installed"


def test_py_typed_is_shipped():
    assert (ROOT / "tariffsim" / "py.typed").is_file()
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["tariffsim"]
    assert "py.typed" in patterns


def test_every_data_file_matches_a_package_data_pattern():
    """A data file under tariffsim/ that no pattern names would be missing from the wheel."""
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["tariffsim"]
    pkg = ROOT / "tariffsim"
    data = [p.relative_to(pkg).as_posix() for p in pkg.rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    assert data
    # fnmatch's * also crosses "/": require the same depth as the pattern
    unmatched = [d for d in data if not any(
        fnmatch(d, pat) and d.count("/") == pat.count("/") for pat in patterns)]
    assert not unmatched


def documented_extras() -> set[str]:
    """The extras the installation page's table names (first column)."""
    section = INSTALL.split("## Optional extras", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z0-9_-]+)` \|", section, flags=re.M))


def test_installation_page_lists_every_extra_and_no_other():
    extras = set(PYPROJECT["project"]["optional-dependencies"])
    assert documented_extras() == extras


def test_installation_page_names_what_each_extra_installs():
    deps = PYPROJECT["project"]["optional-dependencies"]
    section = INSTALL.split("## Optional extras", 1)[1].split("\n## ", 1)[0]
    for extra, reqs in deps.items():
        row = next(line for line in section.splitlines() if line.startswith(f"| `{extra}` |"))
        installs = row.split("|")[2]
        for req in reqs:
            name = re.split(r"[\[<>=~! ]", req, maxsplit=1)[0]
            assert name in installs, (extra, name)


def test_installation_is_from_a_clone_not_an_index():
    assert "not on PyPI" in INSTALL and "git clone" in INSTALL
    assert "pip install -e ." in INSTALL
    assert not re.search(r"pip install \"?tariffsim", INSTALL.replace(
        "`pip install tariffsim` finds nothing", ""))
    # the README's install commands are from the clone too
    readme = (ROOT / "README.md").read_text()
    assert not re.search(r"pip install \"?tariffsim\b", readme)


def test_estimation_errors_name_an_install_that_works():
    from tariffsim import estimate

    for text in estimate._INSTALL.values():
        assert "pip install -e" in text and "tariffsim[" not in text
    assert sys.version_info >= (3, 11)


def test_no_page_or_message_installs_from_an_index():
    """tariffsim is not on PyPI: no docs page, README line, docstring or error message may
    tell users to `pip install tariffsim...`; installs are from a clone (-e ".[extra]")."""
    pattern = re.compile(r"pip install [\"']?tariffsim")
    texts = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
             *sorted((ROOT / "tariffsim").rglob("*.py"))]
    bad = [f"{p.relative_to(ROOT)}:{n}" for p in texts
           for n, line in enumerate(p.read_text().splitlines(), 1)
           if pattern.search(line) and "finds nothing" not in line]
    assert not bad, bad
