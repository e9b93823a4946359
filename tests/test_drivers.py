"""Outputs say what drives them (issue 11, item 4): the Shapley split of a projection's
changes over instrument families, what ``tariffsim run`` prints and writes, illustrative
figures, scenario variants and the realisation switch."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

import tariffsim as ts
from tariffsim.cli import illustrative_figures, main
from tariffsim.errors import ScenarioError

GOODS = ts.load_baseline("goods-2024")
YEARS = [2026, 2028]

TARIFF = ts.Tariff(importer="USA", exporter="VNM", rate=0.2, mode="add", start="2026-01-01")
BUY = ts.ImportCommitment(importer="VNM", exporter="USA", value=6000.0, basis="increment",
                          start="2026-01-01")
COST = ts.TradeCost(importer="THA", exporter="USA", factor=0.9, start="2026-01-01")


def _change(proj, year, country="VNM", partner="USA"):
    f = proj.frame
    return float(f.query("year == @year and country == @country and partner == @partner")
                 ["change"].iloc[0])


def test_parts_add_up_to_the_change():
    proj = ts.project(GOODS, ts.Scenario("three", [TARIFF, BUY, COST]), years=YEARS)
    parts = proj.decompose()
    assert set(parts["family"]) == {"tariff", "commitment", "other"}
    summed = parts.groupby(["year", "country", "partner"])["change"].sum()
    total = proj.frame.set_index(["year", "country", "partner"])["change"]
    diff = (summed - total.reindex(summed.index)).abs().max()
    assert diff < 1e-9 * float(GOODS.flows.sum())
    assert "Shapley" in parts.attrs["method"]
    assert proj.decompose() is parts  # computed once


def test_two_families_are_the_shapley_values_of_separate_runs():
    """phi_tariff = 1/2 [v(T) - v(0)] + 1/2 [v(T+C) - v(C)], v(0) = 0, from runs of the
    tariff alone and the commitment alone (same first policy year, so same elasticity)."""
    both = ts.project(GOODS, ts.Scenario("both", [TARIFF, BUY]), years=YEARS)
    t_only = ts.project(GOODS, ts.Scenario("t", [TARIFF]), years=YEARS)
    c_only = ts.project(GOODS, ts.Scenario("c", [BUY]), years=YEARS)
    parts = both.decompose().query("country == 'VNM' and partner == 'USA'")
    for y in YEARS:
        v_t, v_c, v_tc = _change(t_only, y), _change(c_only, y), _change(both, y)
        got = parts[parts.year == y].set_index("family")["change"]
        assert got["tariff"] == pytest.approx(0.5 * v_t + 0.5 * (v_tc - v_c), rel=1e-9)
        assert got["commitment"] == pytest.approx(0.5 * v_c + 0.5 * (v_tc - v_t), rel=1e-9)
        # the families interact: switching one off in turn would not add up
        assert v_t + v_c != pytest.approx(v_tc, rel=1e-3)


def test_one_family_takes_the_whole_change():
    proj = ts.project(GOODS, ts.Scenario("t", [TARIFF]), years=[2026])
    parts = proj.decompose()
    assert list(parts.attrs["families"]) == ["tariff"]
    vnm = parts.query("year == 2026 and country == 'VNM' and partner == 'USA'")
    assert float(vnm["change"].iloc[0]) == pytest.approx(_change(proj, 2026), rel=1e-12)


def test_with_a_reference_the_parts_switch_families_from_reference_to_scenario():
    ref = ts.Scenario("ref", [TARIFF])
    scen = ts.Scenario("deal", [TARIFF, BUY])
    proj = ts.project(GOODS, scen, years=[2026], reference=ref)
    parts = proj.decompose().query("year == 2026 and country == 'VNM' and partner == 'USA'")
    got = parts.set_index("family")["change"]
    # the tariffs are the same in both: their part is zero; the commitment is all of it
    assert got["tariff"] == pytest.approx(0.0, abs=1e-6)
    assert got["commitment"] == pytest.approx(_change(proj, 2026), rel=1e-9)


# ---------------------------------------------------------------------- the command
def _run(tmp_path, *extra):
    out = tmp_path / "out"
    assert main(["run", "us-asean-2025", "--years", "2026", "2027", "--out", str(out),
                 *extra]) == 0
    return out


def test_run_prints_and_writes_what_drives_the_result(tmp_path, capsys):
    out = _run(tmp_path)
    text = capsys.readouterr().out
    assert "What drives the 2027 change" in text and "Shapley" in text
    assert "of which tariff" in text and "of which commitment" in text
    assert "Illustrative figures used" in text
    assert "'without' path is the 2024 baseline held flat" in text
    meta = json.loads((out / "run.json").read_text())
    assert meta["tariffsim_version"] == ts.__version__
    scen = ts.scenarios.load("us-asean-2025")
    assert meta["scenario_sha256"] == hashlib.sha256(scen.to_toml().encode()).hexdigest()
    table = pd.read_csv(out / "table.csv", index_col=0)
    res = {r["balance with USA"]: r for r in meta["results"]}
    for country in table.index:
        assert res[country]["2027 change"] == pytest.approx(table.loc[country, "2027 change"])
    for row in meta["drivers"]["table"]:
        parts = [v for k, v in row.items() if k.startswith("of which")]
        assert sum(parts) == pytest.approx(row["change"], rel=1e-9, abs=1e-6)
    assert any("illustrative" in f for f in meta["illustrative"])
    dec = pd.read_csv(out / "decomposition.csv")
    assert set(dec["family"]) == {"tariff", "commitment"}


def test_run_at_a_realisation(tmp_path, capsys):
    full = json.loads((_run(tmp_path) / "run.json").read_text())
    capsys.readouterr()
    part = json.loads((_run(tmp_path, "--realisation", "0.58") / "run.json").read_text())
    assert part["realisation"] == 0.58 and "x0.58" in part["scenario"]

    def commit(meta, country):
        row = {r[next(iter(r))]: r for r in meta["drivers"]["table"]}[country]
        return row["of which commitment"]
    # a smaller pledge drives a smaller part (Malaysia's balance falls less)
    assert abs(commit(part, "MYS")) < abs(commit(full, "MYS"))


def test_illustrative_figures_flag_up_to_amounts_and_skip_other_years():
    s = ts.Scenario("x", [
        ts.ImportCommitment(importer="MYS", exporter="USA", value=3400.0, basis="level",
                            start="2026-01-01",
                            source="'up to five million tonnes of LNG' (The Star)"),
        ts.Tariff(importer="USA", exporter="ROW", rate=0.2, illustrative=True,
                  note="trade-weighted guess", start="2031-01-01"),
        ts.Tariff(importer="USA", exporter="VNM", rate=0.2, note="illustrative share"),
        ts.Tariff(importer="USA", exporter="THA", rate=0.19, source="EO 14326")])
    got = illustrative_figures(s, 2026, 2030)
    assert len(got) == 2
    assert got[0].startswith("[0]") and "'up to' amount" in got[0]
    assert got[1].startswith("[2]") and "illustrative" in got[1]


# ---------------------------------------------------------------------- variants
def _files(tmp_path):
    law = ts.Scenario("deal-as-signed", [TARIFF])
    law.write_toml(tmp_path / "signed.toml")
    deal = ts.Scenario("deal", [BUY], variants={"as-signed": "signed.toml"})
    deal.write_toml(tmp_path / "deal.toml")
    return tmp_path / "deal.toml"


def test_variants_round_trip_and_load(tmp_path):
    path = _files(tmp_path)
    deal = ts.Scenario.from_toml(path)
    assert deal.variants == (("as-signed", "signed.toml"),)
    assert "[variants]" in deal.to_toml()
    signed = ts.scenarios.load(path, variant="as-signed")
    assert signed.name == "deal-as-signed" and signed.instruments == (TARIFF,)
    with pytest.raises(ScenarioError, match="did you mean 'as-signed'"):
        ts.scenarios.load(path, variant="as-sign")
    with pytest.raises(ScenarioError, match="declares no variants"):
        ts.scenarios.load(tmp_path / "signed.toml", variant="as-signed")
    assert "Variants" in deal.describe()


def test_run_as_signed_runs_the_variant(tmp_path, capsys):
    path = _files(tmp_path)
    assert main(["run", str(path), "--as-signed", "--years", "2026", "2026",
                 "--out", str(tmp_path / "o")]) == 0
    meta = json.loads((tmp_path / "o" / "run.json").read_text())
    assert meta["scenario"] == "deal-as-signed" and meta["variant"] == "as-signed"
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["run", str(path), "--as-signed", "--variant", "x"])


def test_variant_of_a_builtin_names_the_choices():
    with pytest.raises(ScenarioError) as e:
        ts.scenarios.load("liberation-day-2025", variant="as-signed")
    assert "declares no variants" in str(e.value)
