"""The shared input checks: one date parser, one option validator, one mapping normaliser,
one column checker, one schedule coercer, one scenario-by-name-or-path resolver."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tariffsim as ts
from tariffsim._validate import bare_year, group_map, group_members, require_columns, to_date
from tariffsim.errors import DataError, ModelError, ScenarioError
from tariffsim.literals import CLOSURES, Closure, Rents, check_option, choices
from tariffsim.projection import BLP2023, ElasticitySchedule, as_schedule
from tariffsim.scenario_io import is_path
from tariffsim.simulate import as_shocks

C3 = ("AAA", "BBB", "CCC")
F3 = np.array([[100.0, 10, 5], [8, 200, 6], [4, 7, 150]])


# ------------------------------------------------------------------ dates
@pytest.mark.parametrize("value", ["2026", " 2026 ", 2026, np.int64(2026), "2026-01-01",
                                   dt.date(2026, 1, 1), dt.datetime(2026, 1, 1, 13, 5),
                                   pd.Timestamp("2026-01-01"), np.datetime64("2026-01-01")])
def test_every_spelling_of_1_january_2026(value):
    assert to_date(value, "date") == dt.date(2026, 1, 1)


def test_none_stays_none_and_bare_years():
    assert to_date(None) is None
    assert [bare_year(v) for v in ("2030", 2030, np.int16(2030), True, "2030-01-01", 2030.0)] \
        == [2030, 2030, 2030, None, None, None]


@pytest.mark.parametrize("value, text", [
    ("2025-13-01", "cannot read '2025-13-01'"), ("soon", "cannot read 'soon'"),
    (True, "got bool True"), (1800, "year 1800 is outside 1900-2200"),
    (2025.5, "got float 2025.5"), (np.datetime64("NaT"), "NaT")])
def test_bad_dates_name_the_field_and_the_fix(value, text):
    with pytest.raises(ScenarioError) as info:
        to_date(value, "start")
    assert info.value.field == "start"
    assert str(info.value).startswith("start: ") and text in str(info.value)
    assert "'2025-08-07'" in str(info.value)


def test_simulate_reads_a_bare_year_like_scenario_shocks():
    # the tariff starts on 1 Jan 2026: in force on date="2026" (1 January), not in 2025
    base = ts.Baseline.from_arrays(C3, None, F3)
    s = ts.Scenario("t", [ts.Tariff("AAA", "BBB", 0.2, start="2026-01-01")])
    assert as_shocks(base, s, date="2026").tariffs[1, 0, 0] == pytest.approx(0.2)
    assert as_shocks(base, s, date="2025-12-31").tariffs is None
    assert s.shocks(base, date="2026").tariffs[1, 0, 0] == pytest.approx(0.2)


# ------------------------------------------------------------------ options
def test_check_option_returns_the_word_or_names_field_and_closest_word():
    assert CLOSURES == ("fixed_deficit", "deficit_ratio", "balanced")
    assert choices(Rents) == ("exporter", "dissipated")
    assert check_option("balanced", Closure, "closure") == "balanced"
    with pytest.raises(ModelError) as info:
        check_option("balance", Closure, "closure")
    assert info.value.field == "closure"
    assert str(info.value) == ("closure: got 'balance' (did you mean 'balanced'?); choose one "
                               "of ['fixed_deficit', 'deficit_ratio', 'balanced'].")
    with pytest.raises(ScenarioError, match=r"^rents: got 3; choose one of"):
        check_option(3, Rents, "rents", error=ScenarioError)
    with pytest.raises(DataError, match=r"\['a', 'b'\]\. See the list\.$"):
        check_option("zz", ("a", "b"), "x", error=DataError, hint="See the list.")


@pytest.mark.parametrize("call, error, field", [
    (lambda: ts.Tariff("USA", "VNM", 0.1, mode="sett"), ScenarioError, "mode"),
    (lambda: ts.ExportRestriction("CHN", sectors="x", tax_equivalent=0.1, rents="exporters"),
     ScenarioError, "rents"),
    (lambda: ts.ImportCommitment("VNM", "USA", 5, basis="level", units="USD millions"),
     ScenarioError, "units"),
    (lambda: ts.us_trade_2024("feb2052"), DataError, "vintage"),
    (lambda: ts.concordance.hs_to_sector(["0101"], "HS5"), DataError, "sectors"),
])
def test_every_vocabulary_gives_the_same_message(call, error, field):
    with pytest.raises(error) as info:
        call()
    assert str(info.value).startswith(f"{field}: got ")
    assert "(did you mean '" in str(info.value) and "; choose one of [" in str(info.value)


# ------------------------------------------------------------------ mappings
def test_group_map_both_forms_and_the_codes_left_alone():
    codes = ["THA", "USA", "VNM", "MYS"]
    assert group_map({"ASEAN": ["VNM", "THA"], "MYS": "ASEAN"}, codes, "regions") == {
        "THA": "ASEAN", "USA": "USA", "VNM": "ASEAN", "MYS": "ASEAN"}
    assert group_map(None, codes, "regions") == {c: c for c in codes}


def test_group_map_rejects_unknown_double_and_malformed():
    with pytest.raises(DataError, match="did you mean 'VNM'"):
        group_map({"ASEAN": ["VMN"]}, ["VNM", "USA"], "regions")
    with pytest.raises(DataError, match="'VNM' is mapped to both 'A' and 'B'"):
        group_map({"A": ["VNM"], "B": ["VNM"]}, ["VNM"], "regions")
    with pytest.raises(DataError, match=r"regions\['A'\]: expected a group name"):
        group_map({"A": 5}, ["VNM"], "regions")
    with pytest.raises(DataError, match="expected a mapping"):
        group_map(["VNM"], ["VNM"], "regions")  # type: ignore[arg-type]


def test_group_members_normalises_before_checking_for_doubles():
    # ROM is the old code of Romania: after normalisation both entries name ROU
    with pytest.raises(DataError, match="'ROU' is mapped to both"):
        group_members({"A": ["ROM"], "B": ["ROU"]}, "regions",
                      normalise=ts.concordance.normalise_iso3)
    assert ts.concordance.region_map({"EU": ["ROM", "DEU"]}, ["ROU", "DEU", "USA"]) == {
        "ROU": "EU", "DEU": "EU", "USA": "USA"}


# ------------------------------------------------------------------ columns
def test_require_columns():
    df = pd.DataFrame({"exporter": ["A"], "importer": ["B"], "valeu": [1.0]})
    with pytest.raises(DataError) as info:
        require_columns(df, ["exporter", "importer", "value"], "flows", hint="Rename it.",
                        field="{name}.{column}")
    assert info.value.field == "flows.value"
    assert str(info.value) == ("flows: missing column(s) ['value'] (did you mean 'valeu'?); "
                               "found ['exporter', 'importer', 'valeu']. Rename it.")
    with pytest.raises(ScenarioError, match="the frame is empty"):
        require_columns(df.iloc[:0], ["exporter"], "flows", non_empty=True,
                        error=ScenarioError)
    with pytest.raises(DataError, match="expected a pandas DataFrame"):
        require_columns({"a": 1}, ["a"], "flows")
    assert require_columns(df, ["exporter"], "flows") is df


# ------------------------------------------------------------------ schedules
def test_as_schedule_forms():
    assert as_schedule(None) is BLP2023
    assert as_schedule(BLP2023) is BLP2023
    assert as_schedule(3).points == {1: 3.0}
    assert as_schedule({10: 2.0, 1: 1.0})(4) == pytest.approx(1.0 + 3 / 9)
    sampled = as_schedule(lambda h: 1.0 + 0.1 * h)
    assert sampled(5) == pytest.approx(1.5) and sampled(40) == pytest.approx(4.0)
    assert isinstance(sampled, ElasticitySchedule)
    for bad in ("blp", True, [1, 2]):
        with pytest.raises(ModelError, match="elasticity_schedule: give an"):
            as_schedule(bad)  # type: ignore[arg-type]


# ------------------------------------------------------------------ scenario by name or path
def test_is_path():
    assert is_path(Path("x")) and is_path("my.toml") and is_path("a/b") and is_path("a\\b")
    assert not is_path("us-asean-2025") and not is_path('name = "x"')
    assert not is_path("a.toml\nname = 1") and not is_path(b"x.toml")


def test_one_resolver_for_names_and_paths(tmp_path, monkeypatch):
    assert ts.scenarios.load("us-asean-2025").name == "us-asean-2025"
    f = tmp_path / "mine"  # no extension: read as a file because it exists
    f.write_text('name = "mine"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert ts.scenarios.load("mine").name == "mine"
    assert ts.scenarios.load(f).name == "mine"
    with pytest.raises(ScenarioError, match="no such scenario file"):
        ts.scenarios.load("nope.toml")
    with pytest.raises(ScenarioError, match="did you mean 'us-asean-2025'"):
        ts.scenarios.load("us-asean-2026")
    base = ts.Baseline.from_arrays(C3, None, F3)
    assert ts.simulate(base, f, trade_elasticity=5).scenario == "mine"  # its name, not the file
