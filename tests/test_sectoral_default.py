"""Every instrument kind, every closure, projections and Monte Carlo run on the sectoral
default baseline (22 economies x 22 sectors with IO links); targets that the model must hit
are checked against the figures that define them."""

from __future__ import annotations

import numpy as np
import pytest

import tariffsim as ts

BASE = ts.load_baseline()


def _imports(result, importer: str, exporter: str, sectors) -> tuple[float, float]:
    f = result.flows
    sel = f[(f.importer == importer) & (f.exporter == exporter) & f.sector.isin(sectors)]
    return float(sel.baseline.sum()), float(sel.scenario.sum())


def test_the_default_is_the_sectoral_world():
    assert BASE.n_countries == 22 and BASE.n_sectors == 22 and BASE.has_io
    assert BASE.services == ("utilities_construction", "trade_transport", "other_services")


@pytest.mark.parametrize("closure", ["fixed_deficit", "deficit_ratio", "balanced"])
def test_every_closure(closure):
    r = ts.simulate(BASE, "us-asean-2025", date="2026-01-01", trade_elasticity=4,
                    closure=closure)
    assert r.diagnostics["residual"] < 1e-8 and r.closure == closure
    assert np.isfinite(r.countries.select_dtypes("number").to_numpy()).all()
    if closure == "balanced":   # every country's total balance is zero
        np.testing.assert_allclose(r.countries.balance_scenario, 0.0,
                                   atol=1e-6 * BASE.flows.sum())


def test_every_instrument_kind_in_one_scenario():
    s = ts.Scenario("all-kinds", date="2026-07-01", instruments=[
        ts.Tariff("USA", "VNM", 0.20, mode="add", start="2026-01-01",
                  exempt_products=["list:electronics_2025_04_11"]),
        ts.Tariff("VNM", "USA", 0.0, mode="set", sectors=["agriculture"],
                  start="2026-01-01"),
        ts.TradeCost("USA", "MYS", 1.10, sectors=["electronics"], start="2026-01-01"),
        ts.ImportCommitment("VNM", "USA", 400, basis="increment",
                            sectors=["other_transport"], start="2026-01-01"),
        ts.ExportRestriction("CHN", ["mining"], tax_equivalent=0.25, exclude=["USA"],
                             start="2026-01-01"),
    ])
    r = ts.simulate(BASE, s, trade_elasticity=4)
    assert r.diagnostics["residual"] < 1e-8
    # the commitment is met: Vietnam's imports of US transport equipment rise by 400
    base_v, new_v = _imports(r, "VNM", "USA", ["other_transport"])
    assert new_v == pytest.approx(base_v + 400, rel=1e-6)
    # the trade-cost rise lowers US imports of Malaysian electronics
    b, n = _imports(r, "USA", "MYS", ["electronics"])
    assert n < b
    # the tariff lowers US goods imports from Vietnam, but not its exempt electronics as much
    b_all, n_all = _imports(r, "USA", "VNM", [x for x in BASE.goods if x != "electronics"])
    b_el, n_el = _imports(r, "USA", "VNM", ["electronics"])
    assert n_all / b_all < n_el / b_el


def test_a_binding_quota_is_met():
    k, j = BASE.country_index("CHN"), BASE.sector_index("nonferrous_metals")
    sent = BASE.international()[k, :, j].sum()
    s = ts.Scenario("cap", [ts.ExportRestriction("CHN", ["nonferrous_metals"],
                                                 quantity_cap=0.8 * sent)])
    r = ts.simulate(BASE, s, trade_elasticity=4)
    f = r.flows
    out = f[(f.exporter == "CHN") & (f.importer != "CHN") & (f.sector == "nonferrous_metals")]
    assert out.scenario.sum() == pytest.approx(0.8 * sent, rel=1e-6)


def test_project_and_monte_carlo():
    proj = ts.project(BASE, "us-asean-2025", years=[2025, 2026, 2030])
    f = proj.frame
    assert np.isfinite(f[["balance_baseline", "balance_scenario"]].to_numpy()).all()
    rep = f.query("year == 2024 and country == 'VNM' and partner == 'USA'")
    assert rep.balance_scenario.item() == pytest.approx(123_463.0, abs=0.15)  # Census, goods
    assert proj.frame.attrs["sectors"].startswith("goods")
    mc = ts.monte_carlo(BASE, "us-asean-2025", n=3, seed=0, date="2026-01-01")
    assert mc.n == 3 and np.isfinite(mc.draws.balance_scenario).all()
    vnm = mc.bands.query("country == 'VNM' and variable == 'balance_scenario'")
    assert float(vnm.q05.iloc[0]) <= float(vnm.q50.iloc[0]) <= float(vnm.q95.iloc[0])
