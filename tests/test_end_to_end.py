"""Every built-in scenario runs end to end on the embedded baseline; the main effects
have the signs the economics says they must have."""

from __future__ import annotations

import numpy as np
import pytest

import tariffsim as ts

BASE = ts.load_baseline()
# the line-level timeline is tested in test_tariff_lines.py until the resolver takes it
NAMES = [n for n in ts.scenarios.list() if n != "us-tariffs-2025-2026"]


def _bal(result, country="VNM", partner="USA"):
    return result.balances(partner=partner).set_index("country").loc[country]


@pytest.mark.parametrize("name", NAMES)
def test_builtin_scenario_simulates_and_projects(name):
    sc = ts.scenarios.load(name)
    result = ts.simulate(BASE, sc, trade_elasticity=4.0)
    assert result.diagnostics["residual"] < 1e-8
    values = result.countries.select_dtypes("number").to_numpy()
    assert np.isfinite(values).all()
    # fixed_deficit: every country's total balance is what it was (in numeraire units)
    c = result.countries.set_index("country")
    np.testing.assert_allclose(c["balance_scenario"], c["balance_baseline"],
                               atol=1e-6 * BASE.flows.sum())
    proj = ts.project(BASE, sc, years=[2025, 2026, 2030])
    f = proj.frame
    assert set(f["year"]) == {2024, 2025, 2026, 2030}
    assert np.isfinite(f[["balance_baseline", "balance_scenario", "change"]].to_numpy()).all()
    # bilateral balances are antisymmetric in every year: what VNM gains, its partner loses
    for _year, g in f[f.partner != "WLD"].groupby("year"):
        s = g.set_index(["country", "partner"])["balance_scenario"]
        assert s.loc[("VNM", "USA")] == pytest.approx(-s.loc[("USA", "VNM")])
    # the reported base year is the data
    rep = f.query("year == 2024 and country == 'VNM' and partner == 'USA'")
    assert rep["balance_scenario"].item() == pytest.approx(123463.0, rel=1e-3)


def test_higher_us_tariff_on_vietnam_lowers_its_surplus_and_diverts_imports():
    low = ts.Scenario("vnm20", [ts.Tariff(importer="USA", exporter="VNM", rate=0.20)])
    high = ts.Scenario("vnm46", [ts.Tariff(importer="USA", exporter="VNM", rate=0.46)])
    r0 = ts.simulate(BASE, low, trade_elasticity=4.0)
    r1 = ts.simulate(BASE, high, trade_elasticity=4.0)
    assert _bal(r1)["balance_scenario"] < _bal(r0)["balance_scenario"] < 123463.0
    # US imports from the other Asian suppliers rise: diversion away from Vietnam
    for other in ("CHN", "MYS", "THA", "KHM"):
        assert _bal(r1, other)["exports_scenario"] > _bal(r0, other)["exports_scenario"]
    # under fixed deficits Vietnam's total balance does not move: it runs a larger
    # surplus with everyone else
    vnm = r1.countries.set_index("country").loc["VNM"]
    assert vnm["balance_scenario"] == pytest.approx(vnm["balance_baseline"], rel=1e-8)


def test_purchase_commitment_lowers_vietnams_surplus_and_is_met():
    sc = ts.Scenario("buy", [ts.ImportCommitment(importer="VNM", exporter="USA",
                                                 value=8_000, basis="increment", by="2026",
                                                 start="2026")])
    r = ts.simulate(BASE, sc, year=2026, trade_elasticity=4.0)
    row = _bal(r)
    # Vietnam's imports from the US reach 13,098 + 8,000 (to 0.1% of the commitment)
    assert row["imports_scenario"] == pytest.approx(13098.2 + 8000.0, abs=8.0)
    assert row["balance_scenario"] < row["balance_baseline"]


def test_projection_schedule_and_policy_dates():
    sc = ts.Scenario("late", [ts.Tariff(importer="USA", exporter="VNM", rate=0.20,
                                        start="2027-01-01")])
    proj = ts.project(BASE, sc, years=range(2025, 2031))
    vnm = proj.balances("USA", ["VNM"]).set_index("year")
    # no policy before 2027: the scenario path is the baseline
    assert vnm.loc[2025, "change"] == pytest.approx(0.0, abs=1e-6)
    assert vnm.loc[2026, "change"] == pytest.approx(0.0, abs=1e-6)
    # from 2027 the surplus falls; horizon counts from the policy's first year
    assert vnm.loc[2027, "change"] < 0
    assert vnm.loc[2027, "horizon"] == 1 and vnm.loc[2030, "horizon"] == 4
    assert vnm.loc[2027, "trade_elasticity"] == pytest.approx(0.76)
    assert vnm.loc[2030, "trade_elasticity"] == pytest.approx(ts.BLP2023(4))
    # a larger elasticity later means a larger fall: the path declines
    assert vnm.loc[2030, "change"] < vnm.loc[2027, "change"]
    assert proj.frame.attrs["closure"] == "fixed_deficit"
    assert "Boehm" in proj.frame.attrs["schedule"]


def test_growth_scales_balances_and_reference_changes_the_without_path():
    nothing = ts.Scenario("nothing", [])
    grown = ts.project(BASE, nothing, years=[2026], growth=0.05)
    v = grown.balances("USA", ["VNM"]).set_index("year")
    # uniform 5% growth for two years scales every flow, so every balance, by 1.05^2
    assert v.loc[2026, "balance_baseline"] == pytest.approx(123463.0 * 1.05**2, rel=1e-3)
    assert v.loc[2026, "balance_scenario"] == pytest.approx(123463.0 * 1.05**2, rel=1e-3)
    proj = ts.project(BASE, "us-asean-2025", years=[2026], reference="reciprocal-aug-2025")
    w = proj.balances("USA", ["VNM"]).set_index("year")
    # the 'without' path is the reference's equilibrium: the Aug-2025 20% on Vietnam lowers
    # its surplus below the reported one
    assert w.loc[2026, "balance_baseline"] < 123463.0
    # ... and it is that equilibrium: the same as projecting the reference on its own
    # (same policy start, so the same horizon and elasticity in 2026)
    alone = ts.project(BASE, "reciprocal-aug-2025", years=[2026]).balances("USA", ["VNM"])
    alone = alone.set_index("year")
    assert w.loc[2026, "trade_elasticity"] == pytest.approx(alone.loc[2026, "trade_elasticity"])
    assert w.loc[2026, "balance_baseline"] == pytest.approx(alone.loc[2026, "balance_scenario"],
                                                            rel=1e-9)
    assert proj.reference == "reciprocal-aug-2025"


@pytest.mark.parametrize("model", ["smart", "gsim"])
def test_builtin_rare_earth_controls_on_product_data(model):
    """The same built-in scenario drives the PE engines on the packaged USGS product data:
    China's 50% export wedge moves US purchases away from China and towards Malaysia."""
    rare = ts.pe.load_rare_earths()
    r = ts.simulate(rare, "china-rare-earth-controls", model=model)
    ex = r.exporters.set_index("exporter")
    assert ex.loc["CHN", "total_change"] < 0
    assert ex.loc["MYS", "total_change"] > 0
    # Malaysia, the largest other source, gains the most
    others = ex.drop(index="CHN")["total_change"]
    assert others.idxmax() == "MYS"
