"""Results are never lost or half-written, and re-running gives identical files.

* Atomic writes: ``write_atomic`` and ``Result.to_csv`` write a temporary file in the same
  folder and ``os.replace`` it. A failure in the middle (simulated by making the write or
  the rename raise) leaves the old file byte-for-byte intact and no temporary file behind.
* Determinism: ``Result.to_csv`` twice, and ``tariffsim run`` twice into two folders, give
  byte-identical CSV/JSON files; the PNG too (matplotlib with ``metadata={"Software":
  None}`` and the Agg backend writes no date into a PNG).
"""

from __future__ import annotations

import os

import numpy as np
import pytest

import tariffsim as ts
from tariffsim import _atomic, cli, results
from tariffsim.shocks import Shocks

C = ("AAA", "BBB", "CCC")
F = np.array([[100.0, 10, 5], [8, 200, 6], [4, 7, 150]])


def solved():
    t = np.zeros((3, 3, 1))
    t[1, 0, 0] = 0.3
    return ts.ge.solve(ts.Baseline.from_arrays(C, None, F), Shocks(tariffs=t))


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".")
                  or p.suffix == ".tmp")


# ---------------------------------------------------------------------- atomic writes
def test_write_atomic_writes_and_replaces(tmp_path):
    p = tmp_path / "sub" / "a.csv"
    cli.write_atomic(p, "x\n1\n")
    cli.write_atomic(p, b"x\n2\n")
    assert p.read_bytes() == b"x\n2\n"
    assert leftovers(p.parent) == []


class Boom(RuntimeError):
    pass


def test_write_atomic_failure_in_write_keeps_old_file(tmp_path, monkeypatch):
    p = tmp_path / "a.csv"
    p.write_bytes(b"old contents\n")

    def broken_fsync(fd):
        raise Boom("disk full")          # after part of the data reached the temp file

    monkeypatch.setattr(_atomic.os, "fsync", broken_fsync)
    with pytest.raises(Boom):
        cli.write_atomic(p, b"new contents that never arrive\n")
    assert p.read_bytes() == b"old contents\n"
    assert leftovers(tmp_path) == []


def test_write_atomic_failure_in_rename_keeps_old_file(tmp_path, monkeypatch):
    p = tmp_path / "a.csv"
    p.write_bytes(b"old\n")

    def broken_replace(src, dst):
        raise Boom("rename failed")

    monkeypatch.setattr(_atomic.os, "replace", broken_replace)
    with pytest.raises(Boom):
        cli.write_atomic(p, b"new\n")
    assert p.read_bytes() == b"old\n"
    assert leftovers(tmp_path) == []


def test_result_to_csv_failure_mid_table_keeps_old_files(tmp_path, monkeypatch):
    r = solved()
    r.to_csv(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    flows = r.flows

    def half_then_fail(self, buf=None, *a, **k):
        if buf is not None:
            buf.write("exporter,importer,sector,base")   # half a header, then the crash
        raise Boom("killed mid-write")

    monkeypatch.setattr(type(flows), "to_csv", half_then_fail)
    with pytest.raises(Boom):
        r.to_csv(tmp_path)
    monkeypatch.undo()
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before                      # nothing half-written, nothing left over


def test_result_to_csv_failure_writing_metadata_leaves_no_temp_file(tmp_path, monkeypatch):
    r = solved()
    r.to_csv(tmp_path)
    old_meta = (tmp_path / "metadata.json").read_bytes()
    real_replace = os.replace

    def fail_on_metadata(src, dst):
        if str(dst).endswith("metadata.json"):
            raise Boom("rename failed")
        return real_replace(src, dst)

    monkeypatch.setattr(results.os, "replace", fail_on_metadata)
    with pytest.raises(Boom):
        r.to_csv(tmp_path)
    assert (tmp_path / "metadata.json").read_bytes() == old_meta
    assert leftovers(tmp_path) == []


# ---------------------------------------------------------------------- determinism
def test_result_to_csv_twice_is_byte_identical(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    solved().to_csv(a)
    solved().to_csv(b)
    names = sorted(p.name for p in a.iterdir())
    assert names == ["countries.csv", "flows.csv", "metadata.json",
                     "welfare_decomposition.csv"]
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes(), n


def test_cli_run_twice_gives_identical_files(tmp_path, capsys):
    outs = [tmp_path / "one", tmp_path / "two"]
    for out in outs:
        assert cli.main(["run", "us-asean-2025", "--years", "2025", "2026",
                         "--out", str(out)]) == 0
    capsys.readouterr()
    names = sorted(p.name for p in outs[0].iterdir())
    assert names == ["decomposition.csv", "projection.csv", "run.json", "surplus.png",
                     "table.csv"]
    for n in names:      # PNG included: Agg + metadata={"Software": None} is deterministic
        assert (outs[0] / n).read_bytes() == (outs[1] / n).read_bytes(), n
    assert leftovers(outs[0]) == []


def test_cli_png_failure_leaves_no_temp_file(tmp_path, monkeypatch, capsys):
    import matplotlib.figure

    def broken_savefig(self, *a, **k):
        raise Boom("savefig failed")

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", broken_savefig)
    with pytest.raises(Boom):
        cli.main(["run", "us-asean-2025", "--years", "2025", "2025", "--out", str(tmp_path)])
    capsys.readouterr()
    assert not (tmp_path / "surplus.png").exists()
    assert leftovers(tmp_path) == []
