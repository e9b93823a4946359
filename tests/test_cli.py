"""The tariffsim command line: the main job, list, show, and clean errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import tariffsim as ts
from tariffsim.cli import main


def test_run_main_job_writes_outputs_and_reports_model(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", "us-asean-2025", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    for code in ("VNM", "MYS", "THA", "KHM", "CHN"):
        assert code in text
    assert "closure fixed_deficit" in text and "Boehm" in text
    # the sectoral default: goods balances (what Census reports), and the caption says so
    assert "balance of goods (19 of 22 sectors; services excluded) with USA" in text
    # the reported 2024 column is the Census figure the debate quotes (USD 123,463 million)
    assert "123,463" in text
    for name in ("projection.csv", "table.csv", "run.json", "surplus.png"):
        assert (out / name).stat().st_size > 0
    assert (out / "surplus.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    frame = pd.read_csv(out / "projection.csv")
    assert set(frame["year"]) == set(range(2024, 2031))
    vnm = frame.query("country == 'VNM' and partner == 'USA'").set_index("year")
    assert vnm.loc[2024, "balance_scenario"] == pytest.approx(123463.0, rel=1e-3)
    meta = json.loads((out / "run.json").read_text())
    assert meta["model"] == "ge" and meta["closure"] == "fixed_deficit"
    assert meta["schedule_points"] == {"1": 0.76, "7": 1.75, "10": 2.0}
    assert meta["balances"].startswith("goods") and meta["baseline_name"] == "default"
    assert not list(out.glob(".*tmp"))  # no temporary files left behind


def test_run_from_a_toml_file(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    ts.scenarios.load("us-asean-2025").write_toml(path)
    assert main(["run", str(path), "--years", "2026", "2027", "--countries", "VNM",
                 "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "2027 change" in out and "VNM" in out


def test_list_and_show(capsys):
    assert main(["list"]) == 0
    listed = capsys.readouterr().out
    for name in ("liberation-day-2025", "reciprocal-aug-2025", "us-asean-2025",
                 "section-122-2026", "china-rare-earth-controls"):
        assert name in listed
    assert main(["show", "section-122-2026"]) == 0
    assert "2026-02-24" in capsys.readouterr().out


@pytest.mark.parametrize("argv, needle", [
    (["run", "us-asean-2026"], "did you mean"),
    (["show", "nope"], "nope"),
    (["run", "us-asean-2025", "--years", "2030", "2026"], "--years"),
    (["run", "us-asean-2025", "--countries", "VNN"], "VNN"),
])
def test_errors_exit_2_with_message(argv, needle, tmp_path, capsys):
    assert main([*argv, "--out", str(tmp_path)] if argv[0] == "run" else argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("tariffsim: error:") and needle in err
    assert "Traceback" not in err


def test_baseline_summary(capsys):
    assert main(["baseline"]) == 0
    out = capsys.readouterr().out
    assert "22 economies x 22 sector(s) (3 services)" in out
    assert "goods (19 of 22 sectors; services excluded)" in out
    # US total goods balance 2024 (Census): exports 2,064,500 - imports 3,267,400
    assert "-1,202,900" in out
    assert main(["baseline", "--baseline", "goods-2024"]) == 0
    out = capsys.readouterr().out
    assert "20 economies x 1 sector(s)" in out and "-1,202,900" in out
