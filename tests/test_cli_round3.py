"""The command line, round three (issues 14 and 15): whole-folder output swaps, --out
checked before the computation, pipe safety, --version, help, the user's order and
did-you-mean everywhere, the built-in name rule.

Each test of a defect failed before its fix (see docs/reliability.md, "Round three").
The runs use the one-sector baseline and one year to stay fast.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

import tariffsim as ts
from tariffsim import _atomic, cli
from tariffsim.cli import main

#: The files of a run (docs/outputs.md).
OUTPUT_FILES = ("projection.csv", "table.csv", "decomposition.csv", "run.json", "surplus.png")

FAST = ["--baseline", "goods-2024", "--years", "2026", "2026"]
SCEN = "us-asean-2025-deals"


def _raise_constant(name):
    raise ValueError(f"not JSON: {name}")


def run(out, *extra, scenario=SCEN):
    return main(["run", scenario, *FAST, "--out", str(out), *extra])


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every entry of ``folder`` (hidden ones included) and its bytes."""
    return {p.name: (p.read_bytes() if p.is_file() else b"<dir>")
            for p in sorted(folder.iterdir())}


def siblings(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if p.name != folder.name)


# ------------------------------------------------------------------ whole-folder swaps
def test_failure_midway_leaves_exactly_the_old_outputs(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert run(out) == 0
    old = snapshot(out)
    assert sorted(old) == sorted(OUTPUT_FILES)
    capsys.readouterr()
    written = []
    real = cli.write_atomic

    def two_then_die(path, data, **kw):
        if len(written) == 2:
            raise KeyboardInterrupt  # killed after two of the five files
        written.append(Path(path).name)
        return real(path, data, **kw)

    monkeypatch.setattr(cli, "write_atomic", two_then_die)
    assert run(out, "--countries", "CHN,VNM") == 130  # Ctrl-C: a message, no traceback
    captured = capsys.readouterr()
    assert "interrupted" in captured.err and "Traceback" not in captured.err
    assert captured.out == ""  # nothing printed before the files were in place
    assert written == ["projection.csv", "table.csv"]
    assert snapshot(out) == old          # the old set, byte for byte: no new CSV beside it
    assert siblings(out) == []           # and the staging folder is gone


KILL = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from tariffsim import cli
    real, n = cli.write_atomic, []
    def die(path, data, **kw):
        if len(n) == 2:
            os._exit(9)           # a kill: no cleanup, no finally
        n.append(path)
        return real(path, data, **kw)
    cli.write_atomic = die
    sys.exit(cli.main(sys.argv[1:]))
""")


def test_killed_run_leaves_old_set_and_the_next_run_cleans_up(tmp_path, capsys):
    out = tmp_path / "out"
    assert run(out) == 0
    old = snapshot(out)
    capsys.readouterr()
    proc = subprocess.run([sys.executable, "-c", KILL, "run", SCEN, *FAST, "--out", str(out),
                           "--countries", "CHN"], capture_output=True, text=True,
                          env={**os.environ, "MPLBACKEND": "Agg"}, timeout=300)
    assert proc.returncode == 9, proc.stderr
    assert proc.stdout == ""
    assert snapshot(out) == old
    stale = siblings(out)
    assert len(stale) == 1 and stale[0].startswith(".out.tariffsim-new-")
    # the killed run's staging folder (its process is gone) is removed by the next run
    assert run(out, "--countries", "CHN") == 0
    assert siblings(out) == []
    assert json.loads((out / "run.json").read_text())["countries"] == ["CHN"]


def test_killed_between_the_renames_the_next_run_restores_then_replaces(tmp_path, capsys):
    out = tmp_path / "out"
    assert run(out) == 0
    # what a kill between "old renamed aside" and "new renamed in" leaves
    aside = tmp_path / ".out.tariffsim-old-999999999-0a0b0c0d"
    os.replace(out, aside)
    (tmp_path / ".out.tariffsim-new-999999999-01020304").mkdir()
    swap = _atomic.FolderSwap(out, owned=OUTPUT_FILES, field="--out")
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)  # put back
    swap.discard()
    assert siblings(out) == []


def test_output_files_constant():
    assert cli.OUTPUT_FILES == OUTPUT_FILES


def test_stale_temporary_files_inside_the_folder_are_gone_after_a_run(tmp_path, capsys):
    out = tmp_path / "out"
    assert run(out) == 0
    (out / ".run.json.1a2b3c4d.tmp").write_text("half")  # a killed write of an old version
    assert run(out) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)


def test_staging_folder_of_a_live_process_is_left_alone(tmp_path):
    out = tmp_path / "out"
    live = tmp_path / f".out.tariffsim-new-{os.getppid()}-deadbeef"
    live.mkdir()
    swap = _atomic.FolderSwap(out, owned=OUTPUT_FILES, field="--out")
    (swap.path / "run.json").write_text("{}")
    swap.commit()
    assert live.is_dir() and (out / "run.json").is_file()


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_outputs_follow_the_umask(tmp_path, umask, capsys):
    old = os.umask(umask)
    try:
        assert run(tmp_path / "out") == 0
    finally:
        os.umask(old)
    for name in OUTPUT_FILES:
        assert (tmp_path / "out" / name).stat().st_mode & 0o777 == 0o666 & ~umask
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o777 & ~umask


# ------------------------------------------------------------------ --out checked first
@pytest.fixture
def no_projection(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("the projection ran before --out was checked")
    monkeypatch.setattr(ts, "project", boom)


def test_out_is_a_file_is_refused_before_the_computation(tmp_path, capsys, no_projection):
    f = tmp_path / "results"
    f.write_text("mine")
    assert run(f) == 2
    err = capsys.readouterr().err
    assert err.startswith("tariffsim: error: --out:") and "is a file" in err
    assert "--out results" in err and err.count("\n") == 1
    assert f.read_text() == "mine"


def test_out_below_a_file_is_refused_before_the_computation(tmp_path, capsys, no_projection):
    (tmp_path / "f").write_text("x")
    assert run(tmp_path / "f" / "sub") == 2
    assert "--out:" in capsys.readouterr().err


def test_out_unwritable_is_refused_before_the_computation(tmp_path, capsys, monkeypatch,
                                                           no_projection):
    def denied(path, mode=0o777):
        raise PermissionError(13, "Permission denied", str(path))
    monkeypatch.setattr(_atomic.os, "mkdir", denied)
    assert run(tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "--out" in err and "permission denied" in err and "choose a folder" in err


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root writes into a read-only folder")
def test_out_in_a_read_only_folder(tmp_path, capsys, no_projection):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        assert run(ro / "out") == 2
    finally:
        ro.chmod(0o755)
    assert "--out" in capsys.readouterr().err


def test_out_holding_other_files_is_refused_and_left_alone(tmp_path, capsys, no_projection):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notes.md").write_text("keep me")
    (docs / "run.json").write_text("{}")
    assert run(docs) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "notes.md" in err and "new or empty folder" in err
    assert (docs / "notes.md").read_text() == "keep me"


def test_out_as_the_working_folder_is_refused(tmp_path, capsys, monkeypatch, no_projection):
    monkeypatch.chdir(tmp_path)
    assert run(".") == 2
    assert "working folder" in capsys.readouterr().err


def test_empty_existing_folder_is_used(tmp_path, capsys):
    (tmp_path / "out").mkdir()
    assert run(tmp_path / "out") == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(OUTPUT_FILES)


# ------------------------------------------------------------------ pipes and --version
def _cmd(*args):
    return [sys.executable, "-m", "tariffsim.cli", *args]


def test_closed_pipe_is_not_an_error_and_files_are_written(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen(_cmd("run", SCEN, *FAST, "--out", str(out)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "MPLBACKEND": "Agg"})
    proc.stdout.close()  # the reader is gone before the first line
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)


def test_pipe_into_head(tmp_path):
    out = tmp_path / "out"
    cmd = " ".join(_cmd("run", SCEN, *FAST, "--out", str(out)))
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", f"{cmd} | head -2"],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MPLBACKEND": "Agg"})
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout.count("\n") == 2 and proc.stdout.startswith(f"tariffsim run {SCEN}")
    assert (out / "run.json").is_file()


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == (
        f"tariffsim {importlib.metadata.version('tariffsim')}")


def test_run_json_version_and_growth(tmp_path, capsys):
    assert run(tmp_path / "o", "--growth", "0.03") == 0
    meta = json.loads((tmp_path / "o" / "run.json").read_text(),
                      parse_constant=_raise_constant)
    assert meta["tariffsim_version"] == importlib.metadata.version("tariffsim")
    assert meta["growth"] == 0.03 and meta["results"]


# ------------------------------------------------------------------ help
@pytest.mark.parametrize("argv", [["-h"], ["run", "-h"], ["show", "-h"], ["baseline", "-h"],
                                  ["list", "-h"]])
def test_help_has_no_backticks(argv, capsys):
    with pytest.raises(SystemExit):
        main(argv)
    text = capsys.readouterr().out
    assert "`" not in text and "usage: tariffsim" in text


def test_run_help_shows_defaults_and_examples(capsys):
    with pytest.raises(SystemExit):
        main(["run", "-h"])
    text = " ".join(capsys.readouterr().out.split()).replace("- ", "-")  # wrapped at '-'
    for needle in ("(default: 2025 2030)", "(default: USA)", "(default: fixed_deficit)",
                   "(default: VNM,MYS,THA,KHM,CHN)", "(default: tariffsim-output)",
                   "examples:", "tariffsim run us-asean-2025", "0.03 = 3% a year",
                   "Exit codes"):
        assert needle in text, needle
    assert "(default: None)" not in text and "(default: False)" not in text


# ------------------------------------------------------------------ order, did-you-mean
def test_countries_keep_the_users_order(tmp_path, capsys):
    out = tmp_path / "o"
    assert run(out, "--countries", "VNM,CHN,MEX") == 0
    text = capsys.readouterr().out
    assert text.index("\nVNM ") < text.index("\nCHN ") < text.index("\nMEX ")
    table = pd.read_csv(out / "table.csv")
    assert list(table.iloc[:, 0]) == ["VNM", "CHN", "MEX"]
    meta = json.loads((out / "run.json").read_text())
    assert meta["countries"] == ["VNM", "CHN", "MEX"]
    assert [r["balance with USA"] for r in meta["results"]] == ["VNM", "CHN", "MEX"]


def test_countries_lower_case_spaces_and_repeats(tmp_path, capsys):
    assert run(tmp_path / "o", "--countries", " mex, vnm,MEX,") == 0
    meta = json.loads((tmp_path / "o" / "run.json").read_text())
    assert meta["countries"] == ["MEX", "VNM"]


@pytest.mark.parametrize("argv, needle", [
    (["run", SCEN, "--countries", "CHN,VNN"], "did you mean 'VNM'"),
    (["run", SCEN, "--partner", "USB"], "did you mean 'USA'"),
    (["run", SCEN, "--countries", ",,"], "no country code"),
    (["run", SCEN, "--partner", "USA,CHN"], "one partner"),
    (["run", "us-asean-2024"], "did you mean 'us-asean-2025'"),
    (["run", SCEN, "--reference", "us-asean-2025-deal"], "did you mean"),
    (["run", SCEN, "--baseline", "goods-2023"], "did you mean 'goods-2024'"),
    (["run", SCEN, "--variant", "as-signd"], "variant"),
    (["run", SCEN, "--show-years", "2040"], "--show-years"),
    (["run", SCEN, "--growth", "3"], "0.03"),
    (["run", SCEN, "--growth", "-0.6"], "--growth"),
    (["run", SCEN, "--growth", "inf"], "finite"),
    (["show", "us-asean-2025-deal"], "did you mean 'us-asean-2025-deals'"),
    (["baseline", "--baseline", "sectorl-2024"], "did you mean 'sectoral-2024'"),
])
def test_user_errors_exit_2_with_one_line(argv, needle, tmp_path, capsys, no_projection):
    if argv[0] == "run":
        argv = [*argv[:2], "--years", "2026", "2026", *argv[2:], "--out",
                str(tmp_path / "o")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("tariffsim: error: ") and needle in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("argv, needle", [
    (["rn", SCEN], "did you mean 'run'"),
    (["run", SCEN, "--closure", "balance"], "did you mean 'balanced'"),
    (["run", SCEN, "--countires", "VNM"], "did you mean '--countries'"),
    (["lst"], "did you mean 'list'"),
])
def test_argparse_errors_suggest(argv, needle, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


# ------------------------------------------------------------------ built-in names
SHADOW = 'name = "my-own-file"\ndescription = "not the built-in"\ninstruments = []\n'


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_a_file_named_like_a_built_in_does_not_shadow_it(tmp_path, monkeypatch, capsys,
                                                          kind):
    monkeypatch.chdir(tmp_path)
    if kind == "file":
        (tmp_path / SCEN).write_text(SHADOW)
    else:
        (tmp_path / SCEN).mkdir()
    assert main(["show", SCEN]) == 0
    captured = capsys.readouterr()
    assert f"Scenario '{SCEN}'" in captured.out
    assert f"'./{SCEN}'" in captured.err and kind in captured.err  # how to pick the file
    with pytest.warns(ts.TariffSimWarning, match=f"./{SCEN}"):
        assert ts.scenarios.load(SCEN).name == SCEN  # the same rule in Python


def test_the_file_is_read_in_a_path_form(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / SCEN).write_text(SHADOW)
    assert main(["show", f"./{SCEN}"]) == 0
    assert "my-own-file" in capsys.readouterr().out
    assert ts.scenarios.load(f"./{SCEN}").name == "my-own-file"


def test_no_warning_without_a_shadowing_file(tmp_path, monkeypatch, recwarn):
    monkeypatch.chdir(tmp_path)
    ts.scenarios.load(SCEN)
    assert not [w for w in recwarn if issubclass(w.category, ts.TariffSimWarning)]
