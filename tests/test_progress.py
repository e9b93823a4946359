"""The shared ``progress=`` helper: silent by default off a terminal, callable reports."""
import pytest

import tariffsim._progress as prog
from tariffsim.errors import ModelError


def test_callable_sees_every_step_and_items_pass_through():
    seen = []
    out = list(prog.track(range(4), progress=lambda d, t: seen.append((d, t))))
    assert out == [0, 1, 2, 3]
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_default_is_silent_when_not_interactive(capsys, monkeypatch):
    monkeypatch.setattr(prog, "_interactive", lambda: False)
    assert list(prog.track(iter("abc"), progress=None)) == ["a", "b", "c"]
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


@pytest.mark.parametrize("bad", ["yes", 3, 1.5])
def test_bad_progress_names_field_and_fix(bad):
    with pytest.raises(ModelError, match=r"progress=.*fix"):
        list(prog.track([1], progress=bad))


def test_true_without_tqdm_says_how_to_install(monkeypatch):
    monkeypatch.setattr(prog, "_tqdm", lambda: None)
    with pytest.raises(ModelError, match="tqdm"):
        prog.check_progress(True)


def test_ipykernel_imported_without_a_running_kernel_is_not_interactive(monkeypatch):
    """A test process (or a script) that merely imported ipykernel draws no bar: only a
    running kernel (IPython's shell with a ``kernel``) or a terminal counts."""
    import types

    class Shell:
        kernel = None

    fake = types.SimpleNamespace(get_ipython=lambda: Shell())
    monkeypatch.setitem(__import__("sys").modules, "IPython", fake)
    monkeypatch.setattr(prog.sys, "stderr", types.SimpleNamespace(isatty=lambda: False))
    assert prog._interactive() is False
    Shell.kernel = object()
    assert prog._interactive() is True


def test_closed_stderr_is_not_interactive(monkeypatch):
    import io
    import types

    monkeypatch.setitem(__import__("sys").modules, "IPython",
                        types.SimpleNamespace(get_ipython=lambda: None))
    closed = io.StringIO()
    closed.close()
    monkeypatch.setattr(prog.sys, "stderr", closed)
    assert prog._interactive() is False


def test_project_default_is_silent_off_a_terminal(capsys):
    import tariffsim as ts

    base = ts.load_baseline("goods-2024")
    ts.project(base, "reciprocal-aug-2025", years=[2025, 2026])
    assert capsys.readouterr().err == ""


def test_monte_carlo_of_a_projection_reports_each_step():
    """Batched: a step per year (and chunk of draws); draw by draw (an engine, or options
    the batch does not take): a step per draw, each a whole projection."""
    import tariffsim as ts

    base = ts.load_baseline("goods-2024")
    steps: list = []
    ts.monte_carlo(base, "reciprocal-aug-2025", n=3, years=[2025, 2026], seed=1,
                   progress=lambda done, total: steps.append((done, total)))
    assert steps == [(1, 2), (2, 2)]
    steps.clear()
    ts.monte_carlo(base, "reciprocal-aug-2025", n=3, years=[2025], seed=1,
                   engine=ts.project,
                   progress=lambda done, total: steps.append((done, total)))
    assert steps == [(1, 3), (2, 3), (3, 3)]
