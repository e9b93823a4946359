"""Scenario instruments driving the PE engines (tariffsim.pe.bridge, simulate(model=...)).

Two kinds of checks:

* hand computations from the SMART formulas (MODEL.md section 5) and from the translation
  rules of the bridge (quota -> cut fraction, commitment targets, phase-in);
* consistency of the bridge: a scenario run through ``tariffsim.simulate`` must equal the
  engine function (``pe.smart`` / ``pe.gsim``) called directly with the equivalent PE inputs
  written by hand. This checks the translation (which rows, which values, which rents),
  not the engines, which have their own tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

import tariffsim as ts
import tariffsim.pe as pe
from tariffsim.errors import DataError, ModelError, ScenarioError, UnreachableError
from tariffsim.pe.bridge import pe_shocks

SOLAR = "854142"
RE = "rare_earths"


@pytest.fixture
def solar() -> pd.DataFrame:
    """US imports of HS 854142 (illustrative values, USD million) at 19/19/19/50%."""
    return pd.DataFrame({"importer": "USA", "exporter": ["VNM", "MYS", "THA", "CHN"],
                         "product": SOLAR, "value": [400.0, 300.0, 200.0, 100.0],
                         "tariff": [0.19, 0.19, 0.19, 0.50]})


def vn40() -> ts.Scenario:
    return ts.Scenario("vn40", [ts.Tariff(importer="USA", exporter="VNM", rate=0.40,
                                          sectors=[SOLAR], start="2025-08-07")])


def by_exporter(res: pe.PEResult, col: str) -> pd.Series:
    return res.products.set_index("exporter")[col]


# ---------------------------------------------------------------------- tariffs
def test_solar_tariff_smart_equals_engine_and_hand(solar):
    res = ts.simulate(solar, vn40(), model="smart", date="2025-09-01")
    direct = pe.smart(solar, pd.DataFrame({"importer": ["USA"], "exporter": ["VNM"],
                                           "product": [SOLAR], "rate": [0.40]}))
    pdt.assert_frame_equal(res.products, direct.products)
    assert res.scenario == "vn40" and res.model == "smart"
    assert str(res.date) == "2025-09-01" and res.instruments[0].startswith("Tariff USA<-VNM")
    assert res.elasticities["import_demand_elasticity"] == -1.25
    tc = by_exporter(res, "trade_creation")
    td = by_exporter(res, "trade_diversion")
    # creation for VNM: eps M dp = -1.25 * 400 * (1.40/1.19 - 1) = -88.2352941...
    assert tc["VNM"] == pytest.approx(-1.25 * 400 * (0.21 / 1.19), rel=1e-12)
    assert tc["VNM"] == pytest.approx(-88.2352941176, rel=1e-9)
    assert tc.drop("VNM").abs().max() == 0.0
    assert td.sum() == pytest.approx(0.0, abs=1e-9)
    # CES diversion by hand: p_VNM = 1.40/1.19, sigma 1.5, others unchanged
    w_vnm = 400 * (1.40 / 1.19) ** -1.5
    assert td["MYS"] == pytest.approx(1000 * 300 / (w_vnm + 600) - 300, rel=1e-12)
    assert td["MYS"] > 0 and td["THA"] > 0 and td["VNM"] < 0


def test_elasticities_are_passed_and_reported(solar):
    res = ts.simulate(solar, vn40(), model="smart", date="2025-09-01",
                      import_demand_elasticity=-2.0, substitution_elasticity=3.0)
    assert res.elasticities["import_demand_elasticity"] == -2.0
    assert res.elasticities["substitution_elasticity"] == 3.0
    assert by_exporter(res, "trade_creation")["VNM"] == pytest.approx(-2.0 * 400 * 0.21 / 1.19)


def test_tariff_starting_after_date_has_no_effect(solar):
    res = ts.simulate(solar, vn40(), model="smart", date="2025-08-06")
    assert res.products["total_change"].abs().max() == 0.0
    assert (res.products["tariff_scenario"] == res.products["tariff_baseline"]).all()
    assert res.instruments == ()
    later = ts.simulate(solar, vn40(), model="smart", date="2025-08-07")  # first day in force
    assert by_exporter(later, "tariff_scenario")["VNM"] == 0.40


def test_year_rule_average_weights_days(solar):
    # 2025: 0.19 for 218 days (1 Jan - 6 Aug), 0.40 for 147 days
    res = ts.simulate(solar, vn40(), model="smart", year=2025, year_rule="average")
    expect = (0.19 * 218 + 0.40 * 147) / 365
    assert by_exporter(res, "tariff_scenario")["VNM"] == pytest.approx(expect, rel=1e-12)
    assert res.year == 2025


def test_scenario_forms_agree(solar, tmp_path):
    ref = ts.simulate(solar, vn40(), model="smart", date="2025-09-01").products
    path = vn40().write_toml(tmp_path / "vn40.toml")
    for form in (str(path), path):
        got = ts.simulate(solar, form, model="smart", date="2025-09-01")
        pdt.assert_frame_equal(got.products, ref)
        assert got.scenario == "vn40"
    old = ts.simulate(solar, {"new_tariffs": {"VNM": 0.40}}, model="smart")
    pdt.assert_frame_equal(old.products, ref)
    none = ts.simulate(solar, None, model="smart")
    assert none.products["total_change"].abs().max() == 0.0
    with pytest.raises(ModelError, match="drop date="):
        ts.simulate(solar, {"new_tariffs": {"VNM": 0.40}}, model="smart", date="2025-09-01")


def test_builtin_scenario_on_product_data(solar):
    # the built-in US scenarios are written at the tariff line (product lists, exemptions):
    # product data keep the cell-level rules, so they say so instead of guessing
    with pytest.raises(ScenarioError, match="tariff_lines=False"):
        ts.simulate(solar, "reciprocal-aug-2025", model="smart", date="2025-09-01")
    # the same rate as a plain instrument: +20% on Vietnam from 7 Aug 2025 (EO 14326)
    s = ts.Scenario("aug", [ts.Tariff("USA", ["VNM", "KOR"], 0.20, mode="add",
                                      start="2025-08-07")])
    res = ts.simulate(solar, s, model="smart", date="2025-09-01")
    assert by_exporter(res, "tariff_scenario")["VNM"] == pytest.approx(0.19 + 0.20)
    assert any("not in the data" in n for n in res.notes)  # absent economies are listed


def test_intra_region_rows_untouched():
    data = pe.ProductData.from_frame(pd.DataFrame({
        "importer": "EU", "exporter": ["EU", "CHN", "USA"], "product": "p",
        "value": [50.0, 30.0, 20.0], "tariff": [0.0, 0.05, 0.05]}), intra_region=True)
    s = ts.Scenario("eu", [ts.Tariff(importer="EU", exporter="*", rate=0.25)])
    nt = pe_shocks(data, s).new_tariffs
    assert sorted(nt["exporter"]) == ["CHN", "USA"] and (nt["rate"] == 0.25).all()


# ---------------------------------------------------------------------- export restrictions
def restriction(exporter: str, **kw) -> ts.ExportRestriction:
    return ts.ExportRestriction(exporter=exporter, sectors=[RE], tax_equivalent=0.5,
                                start="2025-04-04", **kw)


@pytest.mark.parametrize("model", ["smart", "gsim"])
def test_china_restriction_equals_engine_and_diverts_to_malaysia(model):
    data = pe.load_rare_earths()
    res = ts.simulate(data, ts.Scenario("chn", [restriction("CHN")]), model=model,
                      date="2025-06-01")
    engine = pe.smart if model == "smart" else pe.gsim
    direct = engine(data, export_taxes=pd.DataFrame({"exporter": ["CHN"],
                                                     "tax_equivalent": [0.5]}))
    pdt.assert_frame_equal(res.products, direct.products)
    regions = res.regions.set_index(res.regions.columns[0])
    assert regions.loc["USA", "import_price_change_pct"] > 0
    m = by_exporter(res, "imports_scenario")
    m0 = by_exporter(res, "imports_baseline")
    assert m["MYS"] > m0["MYS"] and m["CHN"] < m0["CHN"]
    if model == "smart":
        # import price: 0.5 x China's share 119/170 (infinite supply)
        assert regions.loc["USA", "import_price_change_pct"] == pytest.approx(35.0)
        assert by_exporter(res, "trade_creation")["CHN"] == pytest.approx(-1.25 * 119 * 0.5)


@pytest.mark.parametrize("model", ["smart", "gsim"])
def test_malaysia_pledge_keeps_its_us_exports_larger(model):
    data = pe.load_rare_earths()
    both = ts.Scenario("both", [restriction("CHN"), restriction("MYS")])
    pledge = ts.Scenario("pledge", [restriction("CHN"), restriction("MYS", exclude=["USA"])])
    m_both = by_exporter(ts.simulate(data, both, model=model, date="2025-06-01"),
                         "imports_scenario")["MYS"]
    m_pledge = by_exporter(ts.simulate(data, pledge, model=model, date="2025-06-01"),
                           "imports_scenario")["MYS"]
    assert m_pledge > m_both
    # with the pledge Malaysia gains from China's restriction: above its baseline
    # 22.1 = 13% (USGS MCS 2025 share) of US$170 million
    assert m_pledge > 22.1


def test_quota_becomes_supply_cut():
    data = pe.load_rare_earths()
    s = ts.Scenario("cap", [ts.ExportRestriction(exporter="CHN", sectors=[RE],
                                                 quantity_cap=59.5)])
    sc = pe_shocks(data, s).supply_cuts
    assert list(sc["exporter"]) == ["CHN"] and sc["cut"].iloc[0] == pytest.approx(0.5)
    res = ts.simulate(data, s, model="smart")
    assert by_exporter(res, "imports_scenario")["CHN"] == pytest.approx(59.5, rel=1e-8)
    # a cap over two destinations: the same cut 1 - cap/X on both rows
    two = pd.DataFrame({"importer": ["USA", "EU", "USA"], "exporter": ["CHN", "CHN", "MYS"],
                        "product": RE, "value": [120.0, 80.0, 30.0], "tariff": 0.0})
    cuts = pe_shocks(two, ts.Scenario("cap", [ts.ExportRestriction(
        exporter="CHN", sectors=[RE], quantity_cap=50.0)])).supply_cuts
    assert len(cuts) == 2 and np.allclose(cuts["cut"], 1 - 50 / 200)
    loose = pe_shocks(two, ts.Scenario("cap", [ts.ExportRestriction(
        exporter="CHN", sectors=[RE], quantity_cap=500.0)]))
    assert loose.supply_cuts is None  # a cap above baseline exports does not bind


def test_trade_cost_is_a_wedge_without_revenue(solar):
    s = ts.Scenario("ntb", [ts.TradeCost(importer="USA", exporter="CHN", factor=1.1)])
    res = ts.simulate(solar, s, model="smart")
    direct = pe.smart(solar, export_taxes={"CHN": 0.1}, export_tax_rents="dissipated")
    pdt.assert_frame_equal(res.products, direct.products)
    assert res.products["export_tax_rents"].abs().max() == 0.0
    with pytest.raises(ScenarioError, match="trade-cost cut"):
        ts.simulate(solar, ts.Scenario("cut", [ts.TradeCost(importer="USA", exporter="CHN",
                                                             factor=0.9)]), model="smart")


def test_rents_must_agree():
    data = pe.load_rare_earths()
    s = ts.Scenario("mixed", [restriction("CHN"),
                              ts.TradeCost(importer="USA", exporter="JPN", factor=1.2)])
    with pytest.raises(ScenarioError, match="rents"):
        ts.simulate(data, s, model="smart", date="2025-06-01")


# ---------------------------------------------------------------------- commitments
def test_commitment_reaches_target_smart_exactly():
    data = pe.load_rare_earths()
    s = ts.Scenario("jp", [ts.ImportCommitment(importer="USA", exporter="JPN", value=20.0,
                                               basis="increment")])
    res = ts.simulate(data, s, model="smart")
    m = by_exporter(res, "imports_scenario")
    assert m["JPN"] == pytest.approx(10.2 + 20.0, rel=1e-12)
    # the others lose the same fraction 20 / (170 - 10.2); the market total is fixed
    assert m["CHN"] == pytest.approx(119.0 * (1 - 20.0 / 159.8), rel=1e-12)
    assert m.sum() == pytest.approx(170.0, rel=1e-12)


def test_commitment_phase_in_by_year():
    data = pe.load_rare_earths()
    s = ts.Scenario("jp", [ts.ImportCommitment(importer="USA", exporter="JPN", value=20.0,
                                               basis="increment", start="2026-01-01", by="2030")])
    cm = pe_shocks(data, s, year=2028).commitments
    assert cm["value"].iloc[0] == pytest.approx(10.2 + 20.0 * 3 / 5)  # 2026..2030: 3rd of 5


def test_commitment_gsim_meets_the_floor():
    """GSIM meets a binding commitment on its reported imports M0 (1 + Mh)(1 + x) = target
    (Mh the quantity change, x the world-price change): 10.2 + 1 = 11.2."""
    data = pe.load_rare_earths()
    s = ts.Scenario("jp", [ts.ImportCommitment(importer="USA", exporter="JPN", value=1.0,
                                               basis="increment")])
    res = ts.simulate(data, s, model="gsim")
    direct = pe.gsim(data, commitments=pd.DataFrame({"importer": ["USA"], "exporter": ["JPN"],
                                                     "value": [11.2]}))
    pdt.assert_frame_equal(res.products, direct.products)
    row = res.products.set_index("exporter").loc["JPN"]
    reported = 10.2 * (1 + row["quantity_change_pct"] / 100) * (
        1 + row["world_price_change_pct"] / 100)
    assert reported == pytest.approx(11.2, rel=1e-9)
    assert row["imports_scenario"] == pytest.approx(11.2, rel=1e-9)


def test_commitment_outside_data_skipped_and_unreachable_raises(solar):
    s = ts.Scenario("vn", [ts.ImportCommitment(importer="VNM", exporter="USA", value=100.0,
                                               basis="increment")])
    res = ts.simulate(solar, s, model="smart")
    assert res.products["total_change"].abs().max() == 0.0
    assert any("outside the data" in n for n in res.notes)
    s = ts.Scenario("jp", [ts.ImportCommitment(importer="USA", exporter="JPN", value=5.0,
                                               basis="increment")])
    with pytest.raises(UnreachableError, match="JPN"):
        ts.simulate(solar, s, model="smart")


# ---------------------------------------------------------------------- importers, data kinds
def test_smart_runs_each_importer(solar):
    eu = solar.assign(importer="EU27", tariff=[0.0, 0.0, 0.0, 0.10])
    data = pd.concat([solar, eu], ignore_index=True)
    s = ts.Scenario("all", [ts.Tariff(importer="*", exporter="VNM", rate=0.40)])
    res = ts.simulate(data, s, model="smart")
    assert sorted(res.regions["importer"]) == ["EU27", "USA"]
    for imp, frame in (("USA", solar), ("EU27", eu)):
        one = ts.simulate(frame, s, model="smart")
        got = res.products[res.products["importer"] == imp].reset_index(drop=True)
        pdt.assert_frame_equal(got, one.products.reset_index(drop=True))
        sel = ts.simulate(data, s, model="smart", importer=imp)
        pdt.assert_frame_equal(sel.products.reset_index(drop=True),
                               one.products.reset_index(drop=True))
    with pytest.raises(DataError, match="did you mean 'USA'"):
        ts.simulate(data, s, model="smart", importer="USB")
    with pytest.raises(ModelError, match="importer"):
        ts.simulate(data, s, model="gsim", importer="USA")


def test_unknown_product_did_you_mean(solar):
    s = ts.Scenario("typo", [ts.Tariff(importer="USA", exporter="VNM", rate=0.4,
                                       sectors=["854143"], coverage=0.5)])
    with pytest.raises(ScenarioError, match="did you mean '854142'") as exc:
        ts.simulate(solar, s, model="smart")
    assert exc.value.field == "instruments[0].sectors"


def test_wrong_data_for_engine(solar):
    with pytest.raises(ModelError, match="Baseline"):
        ts.simulate(solar, vn40(), model="ge", date="2025-09-01")
    with pytest.raises(ScenarioError, match="not both"):
        ts.simulate(solar, vn40(), model="smart", new_tariffs={"VNM": 0.3})


def test_baseline_diagonal_dropped_with_note():
    flows = pd.DataFrame({"exporter": ["USA", "VNM", "CHN", "VNM", "CHN"],
                          "importer": ["USA", "USA", "USA", "VNM", "CHN"],
                          "sector": "total", "value": [900.0, 40.0, 60.0, 300.0, 800.0]})
    base = ts.Baseline.from_frame(flows)
    s = ts.Scenario("vn", [ts.Tariff(importer="USA", exporter="VNM", rate=0.2)])
    res = ts.simulate(base, s, model="smart")
    direct = pe.smart(pe.ProductData.from_baseline(base), {"VNM": 0.2})
    pdt.assert_frame_equal(res.products, direct.products)
    assert any("domestic sales" in n for n in res.notes)


def test_chunked_resolution_equals_direct():
    rng = np.random.default_rng(0)
    regs = ["USA", "EU", "CHN", "VNM", "MYS", "JPN"]
    rows = [(i, e, f"p{k:02d}", float(rng.uniform(1, 50)), float(rng.choice([0, .05, .19])))
            for k in range(12) for i in ("USA", "EU", "JPN") for e in regs if e != i]
    df = pd.DataFrame(rows, columns=["importer", "exporter", "product", "value", "tariff"])
    s = ts.Scenario("mix", [
        ts.Tariff(importer="USA", exporter="*", rate=0.10, mode="add", exempt=["p03", "zz"]),
        ts.Tariff(importer="USA", exporter="VNM", rate=0.40, sectors=["p01", "p02"]),
        ts.Tariff(importer="EU", exporter="CHN", rate=0.15, mode="floor", coverage=0.5),
        ts.TradeCost(importer="JPN", exporter="CHN", factor=1.1),
        ts.ExportRestriction(exporter="CHN", sectors=["p05"], quantity_cap=30.0,
                             rents="dissipated"),
        ts.ExportRestriction(exporter="CHN", sectors=["p06"], tax_equivalent=0.3,
                             exclude=["USA"], rents="dissipated"),
        ts.ImportCommitment(importer="JPN", exporter="USA", value=40.0, basis="increment"),
        ts.ImportCommitment(importer="EU", exporter="USA", value=10.0, basis="increment",
                            sectors=["p07", "p08"]),
    ])
    a = pe_shocks(df, s)
    for cells in (1000, 300):  # 2 and 5 chunks of products
        b = pe_shocks(df, s, max_cells=cells)
        for k in ("new_tariffs", "export_taxes", "supply_cuts", "commitments"):
            pdt.assert_frame_equal(getattr(a, k).reset_index(drop=True),
                                   getattr(b, k).reset_index(drop=True), rtol=1e-12)
        assert a.export_tax_rents == b.export_tax_rents == "dissipated"
    # p03 exempt from the 10% add, p01/p02 set to 40% for VNM (set before add: 50%)
    nt = a.new_tariffs.set_index(["importer", "exporter", "product"])["rate"]
    assert ("USA", "CHN", "p03") not in nt.index
    assert nt[("USA", "VNM", "p01")] == pytest.approx(0.50)
    # the EU<-USA commitment over two products is split by the pair's baseline imports
    cm = a.commitments[a.commitments["importer"] == "EU"]
    base = df[(df.importer == "EU") & (df.exporter == "USA") & df["product"].isin(["p07", "p08"])]
    assert cm["value"].sum() == pytest.approx(base["value"].sum() + 10.0)
