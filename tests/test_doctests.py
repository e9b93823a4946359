"""The examples in the docstrings (``>>>``) run and print what they say, in every module of
the package (``doctest`` with ELLIPSIS and NORMALIZE_WHITESPACE)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import matplotlib
import pytest

import tariffsim

matplotlib.use("Agg")

MODULES = ["tariffsim", *sorted(m.name for m in pkgutil.walk_packages(tariffsim.__path__,
                                                                       "tariffsim."))]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _run(name: str) -> doctest.TestResults:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for test in finder.find(module, name):
        runner.run(test)
    return runner.summarize(verbose=False)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    import matplotlib.pyplot as plt

    try:
        result = _run(name)
    finally:
        plt.close("all")
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed (above)"


def test_the_package_has_examples_that_run():
    """Guard against a finder that finds nothing: the examples counted here do run."""
    attempted = sum(_run(name).attempted for name in
                    ("tariffsim.literals", "tariffsim.scenario", "tariffsim.plot",
                     "tariffsim.projection"))
    assert attempted >= 15
