"""Fuzz the loaders and the scenario reader end to end.

* Loaders (tariffsim.io): random bytes, random text and mutated valid files either load
  or raise a TariffSimError -- never another exception -- and never hang (hypothesis
  deadline of 5 s per example).
* ``tariffsim run FILE`` on random and mutated scenario TOML returns exit code 2 with a
  ``tariffsim: error:`` message, never a traceback. (The reader itself is fuzzed in
  tests/test_scenario_fuzz.py; this goes through the CLI.)
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tariffsim.errors import TariffSimError, TariffSimWarning

tio = pytest.importorskip("tariffsim.io", reason="tariffsim.io is not importable yet")

FUZZ = settings(max_examples=25, deadline=5000,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])

BACI = (b"t,i,j,k,v,q\n"
        b"2023,4,8,010121,1.5,2\n2023,8,4,010121,2.5,3\n2023,4,8,840510,100.25,NA\n"
        b"2023,842,156,850440,1000.0,12\n2023,156,842,850440,5000.0,\n")
COMTRADE = (b"refYear,reporterISO,partnerISO,flowCode,cmdCode,primaryValue\n"
            b"2023,USA,CHN,M,850440,1000000\n2023,CHN,USA,M,850440,200000\n"
            b"2023,USA,MEX,X,010121,5000\n")
CENSUS = (b"year\tCTY_CODE\tCTYNAME\tIYR\tEYR\n2024\t0004\tWorld\t3267400.0\t2064500.0\n"
          b"2024\t5700\tChina\t438947.4\t143545.7\n2024\t5520\tVietnam\t136561.2\t13098.2\n"
          b"2023\t5700\tChina\t400000\t150000\n")
ICIO = (b"V1,USA_A01,CHN_A01,USA_HFCE,CHN_HFCE,OUT\nUSA_A01,10,1,50,4,65\n"
        b"CHN_A01,2,40,6,70,118\nTLS,2,1,0,0,0\nVA,51,76,0,0,0\nOUT,65,118,0,0,0\n")
SEEDS = [BACI, COMTRADE, CENSUS, ICIO, b"", b"\xff\xfe\x00", b"a,b\n1,2\n"]

LOADERS = [n for n in ("read_baci", "read_baci_products", "read_comtrade",
                       "read_comtrade_products", "read_icio", "read_census")
           if hasattr(tio, n)]


def _mutate(data: bytes, ops: list[tuple[int, int, int]]) -> bytes:
    b = bytearray(data)
    for kind, pos, val in ops:
        if not b:
            b.append(val)
            continue
        p = pos % len(b)
        if kind == 0:
            b[p] = val
        elif kind == 1:
            del b[p]
        elif kind == 2:
            b.insert(p, val)
        else:  # duplicate a line
            b[p:p] = bytes(b[: p]).rsplit(b"\n", 1)[-1] + b"\n"
    return bytes(b)


files = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.tuples(st.sampled_from(SEEDS),
              st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10_000),
                                 st.sampled_from(list(b",\n\"-.;eN0129 \xff"))),
                       max_size=6)).map(lambda a: _mutate(*a)),
)


def _call(name: str, path: Path):
    fn = getattr(tio, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TariffSimWarning)
        warnings.simplefilter("error", RuntimeWarning)
        try:
            return fn(path)
        except TariffSimError:
            return None


@pytest.mark.parametrize("name", LOADERS)
@FUZZ
@given(data=files, suffix=st.sampled_from([".csv", ".txt", ".xlsx", ""]))
def test_loaders_raise_only_tariffsim_errors(name, data, suffix, tmp_path):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    _call(name, path)   # any exception other than TariffSimError fails the test


@pytest.mark.skipif(not hasattr(tio, "read_census"), reason="no read_census")
@pytest.mark.parametrize("data", [b"\x0b\n,,", b",\n\x80", b"\x0b\n,"])
def test_read_census_malformed_files(data, tmp_path):
    path = tmp_path / "country.csv"
    path.write_bytes(data)
    with pytest.raises(TariffSimError):
        tio.read_census(path)


@pytest.mark.parametrize("name", LOADERS)
def test_loaders_reject_a_directory_and_a_missing_file(name, tmp_path):
    for p in (tmp_path, tmp_path / "missing.csv"):
        with pytest.raises(TariffSimError):
            getattr(tio, name)(p)


# ---------------------------------------------------------------------- CLI end to end
VALID = '''name = "fuzz"
description = "fuzzed"

[[instruments]]
type = "tariff"
importer = "USA"
exporter = "VNM"
rate = 0.2
mode = "add"
start = 2025-08-07
'''

tomls = st.one_of(
    st.text(max_size=200),
    st.tuples(st.just(VALID.encode()),
              st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10_000),
                                 st.sampled_from(list(b'[]="=\n.#-0 xz\xff')))
                       , min_size=1, max_size=4)).map(lambda a: _mutate(*a).decode(
                           "utf-8", "replace")),
)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=tomls)
def test_cli_run_on_fuzzed_toml_exits_2_or_0_never_a_traceback(text, tmp_path, capsys):
    import tempfile

    from tariffsim.cli import main
    with tempfile.TemporaryDirectory(dir=tmp_path) as d:   # one folder per example
        path = Path(d) / "fuzz.toml"
        path.write_text(text, encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TariffSimWarning)
            code = main(["run", str(path), "--years", "2025", "2025", "--out",
                         str(Path(d) / "out")])
        err = capsys.readouterr().err
        assert code in (0, 2)
        if code == 2:
            assert err.startswith("tariffsim: error: ") and "Traceback" not in err
            assert not (Path(d) / "out" / "projection.csv").exists()
