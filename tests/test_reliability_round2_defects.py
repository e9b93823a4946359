"""Reliability, round two (issue 14): the defects found by the adversarial campaign.

Each test reproduces one defect of the issue's list -- a silently wrong number, lost data,
a bare Python exception, a hang or a broken output -- and checks the fix: a tariffsim
error naming the field and the fix, a warning where the docs say so, or the right number
(derived by hand in the comments).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tariffsim as ts
from tariffsim import _atomic, cli, scenario_io
from tariffsim.errors import DataError, ModelError, ScenarioError, TariffSimError, TariffSimWarning
from tariffsim.io import read_baci, read_census, read_comtrade
from tariffsim.shocks import Shocks

MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
HEAD = (["year", "CTY_CODE", "CTYNAME"] + [f"I{m}" for m in MONTHS] + ["IYR"]
        + [f"E{m}" for m in MONTHS] + ["EYR"])


@contextlib.contextmanager
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@contextlib.contextmanager
def deadline(seconds: int):
    """Fail (instead of hanging the suite) when the block takes longer than ``seconds``."""
    def boom(signum, frame):
        raise TimeoutError(f"took longer than {seconds} s")
    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# =============================================================== read_census: partial year
def _census_line(year, code, name, imp, exp, months=12, blank=""):
    """Monthly imports ``imp`` and exports ``exp`` for the first ``months`` months; the
    later months are ``blank`` (the real file writes 0 for months not yet published)."""
    i = [f"{imp:.1f}"] * months + [blank] * (12 - months)
    e = [f"{exp:.1f}"] * months + [blank] * (12 - months)
    return "\t".join([str(year), code, name, *i, f"{imp * months:.1f}", *e,
                      f"{exp * months:.1f}"])


def _census_file(tmp_path, years=((2024, 12), (2025, 8)), blank="0.0"):
    lines = ["\t".join(HEAD)]
    for year, months in years:
        lines.append(_census_line(year, "0004", "World, Not Seasonally Adjusted", 100.0,
                                  50.0, months, blank))
        lines.append(_census_line(year, "5700", "China", 40.0, 10.0, months, blank))
    p = tmp_path / "country.txt"
    p.write_text("\n".join(lines) + "\n")
    return p


@pytest.mark.parametrize("blank", ["0.0", ""])
def test_census_latest_partial_year_is_skipped_with_a_warning(tmp_path, blank):
    p = _census_file(tmp_path, blank=blank)
    with pytest.warns(TariffSimWarning, match=r"(?s)2025.*January-August.*2024"):
        df = read_census(p, partners=["CHN"])
    f = df.set_index(["exporter", "importer"])["value"]
    # 2024, a complete year: 12 x 40 imports from China, 12 x 10 exports to it
    assert df.attrs["year"] == 2024 and df.attrs["months"] == 12
    assert f[("CHN", "USA")] == pytest.approx(480.0)
    assert f[("USA", "CHN")] == pytest.approx(120.0)
    assert f[("ROW", "USA")] == pytest.approx(12 * 60.0)
    assert "2025" in df.attrs["source"] and "January-August" in df.attrs["source"]


def test_census_partial_year_asked_for_is_refused_unless_partial(tmp_path):
    p = _census_file(tmp_path)
    with pytest.raises(DataError, match=r"(?s)2025.*January-August.*partial=True") as info:
        read_census(p, year=2025)
    assert info.value.field == "year"
    df = read_census(p, year=2025, partial=True, partners=["CHN"])
    f = df.set_index(["exporter", "importer"])["value"]
    assert f[("CHN", "USA")] == pytest.approx(8 * 40.0)      # January-August only
    assert df.attrs["months"] == 8 and "January-August" in df.attrs["source"]


def test_census_file_with_only_a_partial_year_is_refused(tmp_path):
    p = _census_file(tmp_path, years=((2025, 3),))
    with pytest.raises(DataError, match=r"(?s)no complete year.*January-March.*partial=True"):
        read_census(p)


def test_census_complete_year_reads_without_warning(tmp_path):
    p = _census_file(tmp_path, years=((2023, 12), (2024, 12)))
    with no_warnings():
        df = read_census(p, partners=["CHN"])
    assert df.attrs["year"] == 2024 and df.attrs["months"] == 12


@pytest.mark.parametrize("kw, match", [
    ({"rest": "USA"}, "rest"),
    ({"rest": " usa "}, "rest"),
    ({"partners": {"CHN": "USA"}}, "partners"),
    ({"partners": {"USA": ["CHN"]}}, "partners"),
    ({"rest": ""}, "rest"),
    ({"rest": 5}, "rest"),
])
def test_census_residual_or_region_named_usa_is_refused(tmp_path, kw, match):
    p = _census_file(tmp_path, years=((2024, 12),))
    with pytest.raises(DataError, match=match) as info:
        read_census(p, **kw)
    assert info.value.field == match


# =============================================================== read_comtrade: monthly
_CT_HEAD = ("typeCode,freqCode,refYear,refMonth,period,reporterISO,flowCode,partnerISO,cmdCode,"
            "primaryValue")


@pytest.mark.parametrize("rows", [
    # two months: used to raise a misleading 'customs procedure' duplicate message
    ["C,M,2023,1,202301,USA,M,CHN,TOTAL,40000000000",
     "C,M,2023,2,202302,USA,M,CHN,TOTAL,35000000000"],
    # one month: used to be read silently as a year's trade
    ["C,M,2023,1,202301,USA,M,CHN,TOTAL,40000000000"],
])
def test_comtrade_monthly_file_is_refused(tmp_path, rows):
    p = tmp_path / "comtrade.csv"
    p.write_text("\n".join([_CT_HEAD, *rows]) + "\n")
    with pytest.raises(DataError, match=r"(?s)monthly.*annual") as info:
        read_comtrade(p, gdp={"USA": 2.7e13, "CHN": 1.8e13})
    assert "customs" not in str(info.value)


@pytest.mark.parametrize("text", [
    # legacy layout: Period 202301
    "Classification,Year,Period,Trade Flow Code,Reporter ISO,Partner ISO,Commodity Code,"
    "Trade Value (US$)\nH4,2023,202301,1,USA,CHN,TOTAL,40000000000\n",
    # refMonth without freqCode
    "refYear,refMonth,reporterISO,flowCode,partnerISO,cmdCode,primaryValue\n"
    "2023,3,USA,M,CHN,TOTAL,40000000000\n",
])
def test_comtrade_monthly_legacy_and_refmonth_layouts_refused(tmp_path, text):
    p = tmp_path / "comtrade.csv"
    p.write_text(text)
    with pytest.raises(DataError, match="monthly"):
        read_comtrade(p, gdp={"USA": 2.7e13, "CHN": 1.8e13})


def test_comtrade_annual_file_with_refmonth_52_still_loads(tmp_path):
    p = tmp_path / "comtrade.csv"
    p.write_text(_CT_HEAD + "\nC,A,2023,52,2023,USA,M,CHN,TOTAL,448000000000\n")
    base = read_comtrade(p, gdp={"USA": 2.7e13, "CHN": 1.8e13})
    i, j = base.country_index("CHN"), base.country_index("USA")
    assert base.flows[i, j, 0] == pytest.approx(448_000.0)


def test_comtrade_duplicate_message_mentions_months(tmp_path):
    p = tmp_path / "comtrade.csv"
    p.write_text("refYear,reporterISO,flowCode,partnerISO,cmdCode,primaryValue\n"
                 "2023,USA,M,CHN,TOTAL,4\n2023,USA,M,CHN,TOTAL,5\n")
    with pytest.raises(DataError, match="monthly"):
        read_comtrade(p, gdp={"USA": 2.7e13, "CHN": 1.8e13})


# =============================================================== read_baci
BACI = """t,i,j,k,v,q
2023,842,156,847130,147800000,1
2023,156,842,847130,427200000,1
2023,156,704,847130,138000000,1
2023,704,842,847130,114000000,1
2023,842,704,847130,9000000,1
"""
# WDI 2023 GDP, USD (current): USA 27.36 trn, CHN 17.79 trn, VNM 429.7 bn
GDP_USD = {"USA": 27_360_935e6, "CHN": 17_794_782e6, "VNM": 429_717e6}


def _baci(tmp_path, text=BACI):
    p = tmp_path / "BACI_HS22_Y2023_V202501.csv"
    p.write_text(text)
    return p


@pytest.mark.parametrize("extra, lines", [
    ("2023,156,842,847130,1.0,1\n", "line 3.*line 7"),        # same t, i, j, k twice
    ("2023,156,704,010121,5.0,1\n2023,156,704,10121,1.0,1\n",   # 10121 is HS6 010121
     "line 7.*line 8"),
])
def test_baci_duplicate_rows_are_refused(tmp_path, extra, lines):
    p = _baci(tmp_path, BACI + extra)
    with pytest.raises(DataError, match=rf"(?s)several rows.*{lines}"):
        read_baci(p, gdp=GDP_USD)
    with pytest.raises(DataError, match="several rows"):
        ts.io.read_baci_products(p)


def test_baci_gdp_in_usd_million_is_detected(tmp_path):
    p = _baci(tmp_path)
    gdp_musd = {k: v / 1e6 for k, v in GDP_USD.items()}
    with pytest.raises(DataError, match=r"(?s)gdp.*every exporter.*USD million.*1e6") as info:
        read_baci(p, gdp=gdp_musd)
    assert info.value.field == "gdp"


def test_baci_gdp_in_usd_gives_the_hand_derived_domestic_sales(tmp_path):
    p = _baci(tmp_path)
    with no_warnings():
        base = read_baci(p, gdp=GDP_USD)
    # exports in USD million: USA 147,800 + 9,000 = 156,800; domestic = GDP - exports
    u = base.country_index("USA")
    assert base.flows[u, u, 0] == pytest.approx(27_360_935 - 156_800)


def test_baci_floor_binding_for_some_economies_warns_naming_them(tmp_path):
    p = _baci(tmp_path)
    gdp = dict(GDP_USD, VNM=100_000e6)            # exports 114,000 > GDP 100,000
    with pytest.warns(TariffSimWarning, match=r"(?s)domestic_floor.*VNM"):
        base = read_baci(p, gdp=gdp)
    v = base.country_index("VNM")
    assert base.flows[v, v, 0] == pytest.approx(0.10 * 100_000)


@pytest.mark.parametrize("domestic, match", [
    ({"USA": 27e6, "CHN": 17e6, "VMN": 3e5}, "did you mean 'VNM'"),     # typo
    ({"USA": 27e6, "CHN": 17e6}, "no domestic sales for 'VNM'"),         # missing
])
def test_baci_domestic_frame_with_unknown_or_missing_code_is_refused(tmp_path, domestic,
                                                                      match):
    with pytest.raises(DataError, match=match) as info:
        read_baci(_baci(tmp_path), domestic=domestic)
    assert info.value.field == "domestic"


def test_baci_domestic_frame_with_unknown_sector_is_refused(tmp_path):
    dom = pd.DataFrame({"country": ["USA", "CHN", "VNM"], "sector": ["machinery", "machinery",
                                                                    "machinry"],
                        "value": [27e6, 17e6, 3e5]})
    with pytest.raises(DataError, match="did you mean 'machinery'"):
        read_baci(_baci(tmp_path), domestic=dom, sectors={"84": "machinery"})


@pytest.mark.parametrize("floor", ["0.1", True, float("nan"), 1.0, -0.1, None])
def test_baci_domestic_floor_must_be_a_share(tmp_path, floor):
    with pytest.raises(DataError, match="domestic_floor") as info:
        read_baci(_baci(tmp_path), gdp=GDP_USD, domestic_floor=floor)
    assert info.value.field == "domestic_floor"


def test_baci_sectors_mapping_to_a_number_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="sectors"):
        read_baci(_baci(tmp_path), gdp=GDP_USD, sectors={"84": 5})


# =============================================================== Baseline
def test_baseline_codes_differing_only_in_case_are_refused():
    flows = pd.DataFrame({"exporter": ["USA", "CHN", "usa"], "importer": ["CHN", "USA", "CHN"],
                          "value": [1.0, 2.0, 3.0]})
    with pytest.raises(DataError, match=r"'USA'.*'usa'") as info:
        ts.Baseline.from_frame(flows)
    assert info.value.field == "flows.exporter"
    with pytest.raises(DataError, match="case"):
        ts.Baseline.from_arrays(["USA", "usa"], None, np.ones((2, 2)))


@pytest.mark.parametrize("year", ["2024x", 2024.5, True, "twenty", [2024], 99999])
def test_baseline_bad_year_is_a_data_error(year):
    flows = pd.DataFrame({"exporter": ["AAA", "BBB"], "importer": ["BBB", "AAA"],
                          "value": [1.0, 2.0]})
    with pytest.raises(DataError, match="year") as info:
        ts.Baseline.from_frame(flows, year=year)
    assert info.value.field == "year"


@pytest.mark.parametrize("year, expected", [("2024", 2024), (np.int64(2023), 2023),
                                            (2022.0, 2022), (None, None)])
def test_baseline_year_forms_accepted(year, expected):
    base = ts.Baseline.from_arrays(["AAA", "BBB"], None, np.ones((2, 2)), year=year)
    assert base.year == expected


# =============================================================== load_baseline cache
@pytest.mark.parametrize("name", ["default", "sectoral-2024"])
def test_load_baseline_returns_independent_objects(name):
    a = ts.load_baseline(name)
    first = a.provenance.iloc[0].copy()
    a.provenance.loc[0, "source"] = "EDITED"
    a.provenance["extra"] = 1
    a.provenance.attrs["x"] = 1
    b = ts.load_baseline(name)
    assert b.provenance.iloc[0]["source"] == first["source"]
    assert "extra" not in b.provenance.columns and "x" not in b.provenance.attrs
    assert b == a
    for arr in (a.flows, a.tariffs, a.io, a.value_added):
        with pytest.raises(ValueError):
            arr.flags.writeable = True          # cannot be made writeable again
        with pytest.raises(ValueError):
            arr[(0,) * arr.ndim] = 1.0


def test_baseline_arrays_cannot_be_made_writeable():
    base = ts.Baseline.from_arrays(["AAA", "BBB"], None, np.ones((2, 2)))
    with pytest.raises(ValueError):
        base.flows.flags.writeable = True
    assert base.flows.sum() == 4.0


# =============================================================== Scenario.from_frame
def test_scenario_from_frame_missing_sector_is_refused():
    tariffs = pd.DataFrame({"exporter": ["CHN", "CHN"], "importer": ["USA", "USA"],
                            "sector": ["C26", np.nan], "rate": [0.1, 0.2]})
    with pytest.raises(ScenarioError, match=r"(?s)tariffs row 1.*sector") as info:
        ts.Scenario.from_frame("x", tariffs)
    assert info.value.field == "tariffs.sector"


# =============================================================== scenario files
def test_scenario_file_that_is_a_device_is_refused():
    with deadline(10), pytest.raises(ScenarioError, match="not a regular file"):
        ts.scenarios.load("/dev/zero")


def test_scenario_file_that_is_a_fifo_is_refused(tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    with deadline(10):
        with pytest.raises(ScenarioError, match="not a regular file"):
            ts.Scenario.from_toml(fifo)
        with pytest.raises(ScenarioError, match="not a regular file"):
            ts.scenarios.load(str(fifo))


def test_scenario_file_that_is_a_folder_is_refused(tmp_path):
    (tmp_path / "dir.toml").mkdir()
    with pytest.raises(ScenarioError, match="folder"):
        ts.scenarios.load(tmp_path / "dir.toml")


def test_scenario_file_above_the_size_limit_is_refused(tmp_path, monkeypatch):
    p = tmp_path / "big.toml"
    p.write_text('name = "big"\n' + "# padding\n" * 200)
    monkeypatch.setattr(scenario_io, "MAX_FILE_BYTES", 1000)
    with pytest.raises(ScenarioError, match=r"(?s)big.toml.*larger than.*MAX_FILE_BYTES"):
        ts.scenarios.load(p)


def test_cli_show_of_a_device_exits_2(capsys):
    with deadline(10):
        assert cli.main(["show", "/dev/zero"]) == 2
    assert "not a regular file" in capsys.readouterr().err


# =============================================================== outputs
C3 = ("AAA", "BBB", "CCC")
F3 = np.array([[100.0, 10, 5], [8, 200, 6], [4, 7, 150]])


def _solved(shock: float = 0.3):
    t = np.zeros((3, 3, 1))
    t[1, 0, 0] = shock
    return ts.ge.solve(ts.Baseline.from_arrays(C3, None, F3), Shocks(tariffs=t))


@pytest.fixture(scope="module")
def solved():
    return _solved()


def test_to_csv_into_a_file_is_a_tariffsim_error(tmp_path, solved):
    f = tmp_path / "out"
    f.write_text("not a folder")
    with pytest.raises(TariffSimError, match=r"(?s)out.*is a file.*another folder") as info:
        solved.to_csv(f)
    assert str(f) in str(info.value)
    with pytest.raises(TariffSimError, match="is a file"):
        solved.to_csv(f / "sub")


def test_write_toml_errors_are_tariffsim_errors(tmp_path):
    s = ts.Scenario("x", [ts.Tariff("USA", "CHN", 0.1)])
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    with pytest.raises(TariffSimError, match="is a file"):
        s.write_toml(blocker / "x.toml")
    (tmp_path / "adir").mkdir()
    with pytest.raises(TariffSimError, match=r"(?s)adir.*is a folder"):
        s.write_toml(tmp_path / "adir")


def test_unwritable_folder_is_a_tariffsim_error(tmp_path, solved, monkeypatch):
    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(_atomic.os, "open", denied)
    with pytest.raises(TariffSimError, match=r"(?s)cannot write.*permission") as info:
        solved.to_csv(tmp_path)
    assert str(tmp_path) in str(info.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only folder")
def test_read_only_folder_is_a_tariffsim_error(tmp_path, solved):  # pragma: no cover - root
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(TariffSimError, match="cannot write"):
            solved.to_csv(ro)
    finally:
        ro.chmod(0o700)


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_output_files_follow_the_umask(tmp_path, solved, umask, mode):
    old = os.umask(umask)
    try:
        written = solved.to_csv(tmp_path / "out")
        toml = ts.Scenario("x", [ts.Tariff("USA", "CHN", 0.1)]).write_toml(tmp_path / "s.toml")
    finally:
        os.umask(old)
    for p in [*written, toml]:
        assert stat.S_IMODE(p.stat().st_mode) == mode, p


def test_rewrite_keeps_the_mode_of_an_existing_file(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("old")
    p.chmod(0o640)
    _atomic.write_atomic(p, "new")
    assert stat.S_IMODE(p.stat().st_mode) == 0o640 and p.read_text() == "new"


def test_metadata_json_is_valid_json_for_a_zero_shock_run(tmp_path):
    r = _solved(0.0)
    r.to_csv(tmp_path)
    text = (tmp_path / "metadata.json").read_text()

    def reject(name):
        raise AssertionError(f"metadata.json holds {name}, which is not JSON")
    meta = json.loads(text, parse_constant=reject)
    assert meta["diagnostics"]["iterations"] >= 1


# =============================================================== bare exceptions
@pytest.mark.parametrize("kw", [{"start": pd.NaT}, {"end": pd.NaT},
                                {"start": np.datetime64("NaT")}, {"start": float("nan")}])
def test_tariff_nat_date_is_a_scenario_error(kw):
    with pytest.raises(ScenarioError, match="NaT|date") as info:
        ts.Tariff("USA", "CHN", 0.1, **kw)
    assert info.value.field == next(iter(kw))


def test_scenario_and_commitment_nat_dates_are_scenario_errors():
    with pytest.raises(ScenarioError, match="date"):
        ts.Scenario("x", [], date=pd.NaT)
    with pytest.raises(ScenarioError, match="by"):
        ts.ImportCommitment("USA", "CHN", 10.0, by=pd.NaT)


@pytest.mark.parametrize("kw", [{"median": "5"}, {"median": True}, {"sigma": "0.2"},
                                {"median": [5]}, {"sigma": None}])
def test_lognormal_bad_parameters_are_model_errors(kw):
    from tariffsim.uncertainty import LogNormal
    with pytest.raises(ModelError, match="LogNormal"):
        LogNormal(**kw)


# =============================================================== rate hints
@pytest.mark.parametrize("rate", [5, 2.5, 10, 1.5])
def test_rates_that_look_like_percentages_warn(rate):
    with pytest.warns(TariffSimWarning, match=rf"(?s)rate.*{rate / 100:g}"):
        ts.Tariff("USA", "CHN", rate)


@pytest.mark.parametrize("rate", [0.5, 1.0, 1.25, 1.45])
def test_rates_up_to_145_percent_do_not_warn(rate):
    with no_warnings():
        ts.Tariff("USA", "CHN", rate)         # 1.25: the April 2025 rate on China


def test_builtin_scenarios_load_without_warnings():
    with no_warnings():
        for name in ts.scenarios.list():
            ts.scenarios.load(name)


def test_percentage_transshipment_rate_warns():
    with pytest.warns(TariffSimWarning, match="transshipment_rate"):
        ts.Tariff("USA", "VNM", 0.2, transshipment_share=0.1, transshipment_rate=40)


def test_outputs_path_written_is_returned(tmp_path):
    p = ts.Scenario("x", [ts.Tariff("USA", "CHN", 0.1)]).write_toml(tmp_path / "new" / "s.toml")
    assert isinstance(p, Path) and p.read_text().startswith("# tariffsim scenario")


def test_baseline_tariffs_in_percent_warn():
    flows = pd.DataFrame({"exporter": ["AAA", "BBB"], "importer": ["BBB", "AAA"],
                          "value": [1.0, 2.0]})
    pct = pd.DataFrame({"exporter": ["AAA", "BBB"], "importer": ["BBB", "AAA"],
                        "rate": [5.0, 2.5]})
    with pytest.warns(TariffSimWarning, match=r"(?s)tariffs.rate.*divide it by 100"):
        ts.Baseline.from_frame(flows, tariffs=pct)
    with no_warnings():
        ts.Baseline.from_frame(flows, tariffs=pct.assign(rate=[0.05, 1.45]))
