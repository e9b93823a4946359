"""``progress=`` on the loaders of large files: one step per mebibyte read (BACI, Comtrade,
ICIO) or per data line (Census country.txt), reported to a callable, drawn by tqdm when
asked, and the data read is the same with and without it."""

from __future__ import annotations

import gzip
import io
import math
import warnings

import numpy as np
import pandas as pd
import pytest

import tariffsim._progress as prog
from tariffsim.errors import ModelError, TariffSimWarning
from tariffsim.io import read_baci, read_baci_products, read_census, read_comtrade, read_icio
from tariffsim.io._common import PROGRESS_BLOCK

GDP = {"USA": 27_000_000e6, "CHN": 17_000_000e6, "VNM": 400_000e6}  # USD


class Counter:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def __call__(self, done: int, total: int) -> None:
        self.calls.append((done, total))


def steps(n: int) -> list[tuple[int, int]]:
    return [(k, n) for k in range(1, n + 1)]


@pytest.fixture(scope="module")
def big_baci(tmp_path_factory):
    """A BACI year file of about 2.6 MiB: every pair of three economies, 30,000 products."""
    rng = np.random.default_rng(0)
    pairs = [(156, 842), (842, 156), (704, 842), (156, 704), (842, 704), (704, 156)]
    k = np.arange(100000, 130000)
    rows = pd.DataFrame({
        "t": 2023,
        "i": np.repeat([p[0] for p in pairs], len(k)),
        "j": np.repeat([p[1] for p in pairs], len(k)),
        "k": np.tile(k, len(pairs)).astype(str),
        "v": rng.uniform(1, 500, len(k) * len(pairs)).round(3),
        "q": 1.0})
    path = tmp_path_factory.mktemp("baci") / "BACI_HS22_Y2023_V202501.csv"
    rows.to_csv(path, index=False)
    return path


def test_baci_reports_one_step_per_mebibyte(big_baci):
    n = math.ceil(big_baci.stat().st_size / PROGRESS_BLOCK)
    assert n >= 3
    seen = Counter()
    with_bar = read_baci(big_baci, gdp=GDP, progress=seen)
    assert seen.calls == steps(n)
    assert with_bar == read_baci(big_baci, gdp=GDP, progress=False)
    seen = Counter()
    prods = read_baci_products(big_baci, progress=seen)
    assert seen.calls == steps(n) and len(prods) == 180_000


def test_compressed_file_counts_compressed_bytes(big_baci, tmp_path):
    gz = tmp_path / "baci.csv.gz"
    gz.write_bytes(gzip.compress(big_baci.read_bytes()))
    n = math.ceil(gz.stat().st_size / PROGRESS_BLOCK)
    seen = Counter()
    base = read_baci(gz, gdp=GDP, progress=seen)
    assert seen.calls == steps(n)
    assert base.flows.sum() == pytest.approx(read_baci(big_baci, gdp=GDP,
                                                       progress=False).flows.sum())


def test_comtrade_and_icio_small_files_are_one_step(tmp_path):
    from test_io_comtrade import NEW
    from test_io_icio import _write as write_icio

    p = tmp_path / "comtrade.csv"
    p.write_text(NEW)
    seen = Counter()
    base = read_comtrade(p, gdp=GDP, progress=seen)
    assert seen.calls == [(1, 1)]
    assert base == read_comtrade(p, gdp=GDP, progress=False)
    seen = Counter()
    icio = read_icio(write_icio(tmp_path / "icio.csv"), year=2020, progress=seen)
    assert seen.calls == [(1, 1)] and icio.countries == ("CHN", "USA")


def test_census_reports_each_line(tmp_path):
    from test_io_census import ROWS
    from test_io_census import _write as write_census

    p = write_census(tmp_path / "country.txt")
    lines = len(ROWS) + 3  # the data lines the helper writes (2024 rows, three 2023 rows)
    assert len(p.read_text().splitlines()) == lines + 1
    seen = Counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TariffSimWarning)
        df = read_census(p, partners=["CHN", "VNM"], progress=seen)
        plain = read_census(p, partners=["CHN", "VNM"], progress=False)
    assert seen.calls == steps(lines)
    pd.testing.assert_frame_equal(df, plain)


@pytest.mark.parametrize("bad", ["yes", 2])
def test_bad_progress_is_refused_before_reading(tmp_path, bad):
    missing = tmp_path / "not-there.csv"  # a read would say "not found"
    for reader in (read_baci, read_comtrade, read_icio, read_census):
        with pytest.raises(ModelError, match=r"progress=.*fix"):
            reader(missing, progress=bad)


def test_tqdm_bar_is_drawn_when_asked(big_baci, monkeypatch):
    """The tqdm path: with a terminal (faked) and progress=None, a bar named after the
    file runs to the last step; off a terminal nothing is written."""
    pytest.importorskip("tqdm", reason="tqdm is in the [test] extra")
    import tqdm.auto

    n = math.ceil(big_baci.stat().st_size / PROGRESS_BLOCK)
    stream = io.StringIO()
    real = tqdm.auto.tqdm

    def to_stream(*args, **kwargs):
        return real(*args, file=stream, mininterval=0, **kwargs)

    monkeypatch.setattr(prog, "_tqdm", lambda: to_stream)
    monkeypatch.setattr(prog, "_interactive", lambda: True)
    read_baci_products(big_baci)
    text = stream.getvalue()
    assert f"reading {big_baci.name}" in text and f"{n}/{n}" in text
    monkeypatch.setattr(prog, "_interactive", lambda: False)
    stream.seek(0)
    stream.truncate()
    read_baci_products(big_baci)
    assert stream.getvalue() == ""
