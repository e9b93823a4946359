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
