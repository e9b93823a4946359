"""Docstrings use the markup the docs renderer (mkdocstrings) displays: no Sphinx roles and
no reST directives (tools/check_docstrings.py), and its --fix converts them correctly."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import check_docstrings as cd  # noqa: E402

DOCUMENTED = ["tariffsim.simulate", "tariffsim.Baseline", "tariffsim.Baseline.replace",
              "tariffsim.plot.surplus_paths", "tariffsim.errors.DataError"]


def test_the_package_has_no_sphinx_markup():
    found = cd.problems()
    assert not found, ("Sphinx markup left (run python tools/check_docstrings.py --fix):\n"
                       + "\n".join(found))


def test_check_finds_roles_and_directives(tmp_path):
    (tmp_path / "m.py").write_text('"""See :func:`f`.\n\n.. math:: x = 1\n"""\n',
                                   encoding="utf-8")
    found = cd.problems(tmp_path)
    assert len(found) == 2
    assert any(":func:`f`" in f for f in found) and any(".. math::" in f for f in found)


def test_fix_converts_roles_to_links_or_backticks():
    resolve = cd.Resolver(DOCUMENTED)
    text = ('"""Run :func:`tariffsim.simulate` on a :class:`~tariffsim.baseline.Baseline`; '
            "see :meth:`Baseline.replace`,\n:func:`surplus_paths`, :class:`pathlib.Path`, "
            ":exc:`~tariffsim.errors.DataError` and :math:`\\\\hat w_n`.\n" '"""\n')
    out = cd.convert(text, "tariffsim.plot", resolve)
    assert "[`tariffsim.simulate`][]" in out
    # the canonical path resolves to the documented (public) one; ~ shows the last part
    assert "[`Baseline`][tariffsim.Baseline]" in out
    assert "[`Baseline.replace`][tariffsim.Baseline.replace]" in out
    assert "[`surplus_paths`][tariffsim.plot.surplus_paths]" in out  # relative to the module
    assert "`pathlib.Path`" in out and "[`pathlib.Path`]" not in out  # not documented here
    assert "[`DataError`][tariffsim.errors.DataError]" in out
    assert "$\\\\hat w_n$" in out
    assert cd.ROLE.search(out) is None


def test_fix_converts_both_math_block_forms():
    text = ("    Intro.\n\n    .. math:: a = b\n              + c\n\n    Then.\n\n"
            "    .. math::\n\n        d = e\n\n    End.\n")
    out = cd.convert(text, "tariffsim.x", cd.Resolver([]))
    assert out == ("    Intro.\n\n    $$\n    a = b\n    + c\n    $$\n\n    Then.\n\n"
                   "    $$\n    d = e\n    $$\n\n    End.\n")


def test_fix_wraps_lines_it_makes_too_long():
    resolve = cd.Resolver(DOCUMENTED)
    line = "    " + "word " * 14 + "and :meth:`Baseline.replace` then " + "more " * 6
    out = cd.convert(line.rstrip() + "\n    next line.\n", "tariffsim.x", resolve)
    lines = out.splitlines()
    assert all(len(x) <= cd.LINE_LENGTH for x in lines)
    assert "[`Baseline.replace`][tariffsim.Baseline.replace]" in out  # never split inside
    assert all(x.startswith("    ") for x in lines)
    assert " ".join(x.strip() for x in lines).split() == (
        line.replace(":meth:`Baseline.replace`",
                     "[`Baseline.replace`][tariffsim.Baseline.replace]").split()
        + ["next", "line."])
