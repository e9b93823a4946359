"""SMART against hand computations (MODEL.md section 5; WITS conventions)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tariffsim.pe as pe
from tariffsim.errors import ModelError, UnreachableError


def three_exporters() -> pd.DataFrame:
    # one importer, three exporters, M = 100/50/50, all at a 10% tariff
    return pd.DataFrame({"importer": "USA", "exporter": ["A", "B", "C"], "product": "p",
                         "value": [100.0, 50.0, 50.0], "tariff": 0.10})


def run(eps: float = -1.5, **kw):
    # tariffs 10% -> 0/10/10%, sigma 1.5, mu 99 (= infinite supply, WITS convention)
    return pe.smart(three_exporters(), {"A": 0.0}, import_demand_elasticity=eps,
                    substitution_elasticity=1.5, export_supply_elasticity=99, **kw)


def col(res, name):
    return res.products.set_index("exporter")[name]


def test_hand_worked_example():
    res = run()
    # price change of A: dp = (t1 - t0)/(1 + t0) = (0 - 0.1)/1.1 = -1/11
    # mu = 99 is infinite, so 1 - eps/mu is 1: TC_A = eps M dp = -1.5 * 100 * (-1/11) = 150/11
    tc = col(res, "trade_creation")
    assert tc["A"] == pytest.approx(150 / 11, abs=1e-9)  # 13.636364
    assert tc["B"] == 0 and tc["C"] == 0
    # CES diversion: p_A = 1/1.1, p_A^-1.5 = 1.1**1.5 = 1.1536897; shares 0.5/0.25/0.25
    # s'_A = 0.5 * 1.1536897 / (0.5 * 1.1536897 + 0.25 + 0.25) = 0.5356806
    # TD_A = 200 s'_A - 100 = 7.136113; TD_B = TD_C = 200 * 0.25/1.0768449 - 50 = -3.568056
    w_a = 0.5 * 1.1 ** 1.5
    td = col(res, "trade_diversion")
    assert td["A"] == pytest.approx(200 * w_a / (w_a + 0.5) - 100, abs=1e-9)
    assert td["A"] == pytest.approx(7.136113, abs=1e-6)
    assert td["B"] == pytest.approx(-3.568056, abs=1e-6)
    assert td["C"] == pytest.approx(td["B"], abs=1e-12)
    assert td.sum() == pytest.approx(0.0, abs=1e-10)
    # revenue: before 0.1 * 200 = 20; after 0 * M_A + 0.1 * 2 * (50 - 3.568056) = 9.286389
    r0 = res.products["tariff_revenue_baseline"].sum()
    r1 = res.products["tariff_revenue_scenario"].sum()
    assert r0 == pytest.approx(20.0, abs=1e-12)
    assert r1 == pytest.approx(0.1 * 2 * (50 - 3.568056), abs=1e-6)
    # welfare triangle 1/2 (t0 - t1) TC = 0.5 * 0.1 * 150/11 = 0.681818
    assert col(res, "welfare_triangle")["A"] == pytest.approx(0.05 * 150 / 11, abs=1e-9)
    # consumer surplus of A: -dP (M + TC/2) = 0.1 * (100 + 75/11) = 10.681818
    assert col(res, "consumer_surplus")["A"] == pytest.approx(0.1 * (100 + 75 / 11), abs=1e-9)
    # imports of A rise by TC + TD: the US balance with A falls by as much
    assert col(res, "balance_change")["A"] == pytest.approx(-(150 / 11 + 7.136113), abs=1e-6)
    ex = res.exporters.set_index("exporter")
    assert ex.loc["B", "balance_change"] == pytest.approx(3.568056, abs=1e-6)


def test_doubling_epsilon_doubles_creation_not_diversion():
    a, b = run(-1.5), run(-3.0)
    np.testing.assert_allclose(col(b, "trade_creation"), 2 * col(a, "trade_creation"),
                               atol=1e-12)
    np.testing.assert_allclose(col(b, "trade_diversion"), col(a, "trade_diversion"),
                               atol=1e-12)


def test_mu_99_is_infinite_and_smaller_mu_is_literal():
    a = pe.smart(three_exporters(), {"A": 0.0}, import_demand_elasticity=-1.5,
                 export_supply_elasticity=99)
    b = pe.smart(three_exporters(), {"A": 0.0}, import_demand_elasticity=-1.5,
                 export_supply_elasticity=np.inf)
    np.testing.assert_allclose(col(a, "trade_creation"), col(b, "trade_creation"))
    c = pe.smart(three_exporters(), {"A": 0.0}, import_demand_elasticity=-1.5,
                 export_supply_elasticity=10)
    # 1 - eps/mu = 1 + 1.5/10 = 1.15: TC_A = (150/11)/1.15
    assert col(c, "trade_creation")["A"] == pytest.approx(150 / 11 / 1.15, abs=1e-9)
    # the exporter's world price moves by eps dp/(mu - eps) = -1.5 (-1/11)/11.5 = +1.1858%
    assert col(c, "world_price_change_pct")["A"] == pytest.approx(
        100 * 1.5 / 11 / 11.5, abs=1e-9)


def test_tariff_rise_gives_welfare_loss_but_positive_triangle():
    # 10% -> 30% on A alone: dP = 0.2, TC_A = -1.5 * 100 * 0.2/1.1 = -27.2727
    res = pe.smart(three_exporters(), {"A": 0.30}, import_demand_elasticity=-1.5)
    p = res.products.set_index("exporter")
    assert p.loc["A", "trade_creation"] == pytest.approx(-1.5 * 100 * 0.2 / 1.1, abs=1e-9)
    # CS = -0.2 (100 - 27.2727/2) = -17.2727 < 0; the WITS triangle is +
    assert p.loc["A", "consumer_surplus"] == pytest.approx(
        -0.2 * (100 - 1.5 * 100 * 0.2 / 1.1 / 2), abs=1e-9)
    assert p.loc["A", "welfare_triangle"] > 0
    assert res.regions["net_welfare"].iloc[0] < 0


def test_many_products_equal_separate_runs_and_per_product_elasticities():
    base = three_exporters()
    two = pd.concat([base, base.assign(product="q", value=[10.0, 20.0, 30.0])])
    eps = {"p": -1.5, "q": -0.7}
    sig = pd.Series({"p": 1.5, "q": 4.0})
    both = pe.smart(two, {"A": 0.0}, import_demand_elasticity=eps, substitution_elasticity=sig)
    for prod in ("p", "q"):
        one = pe.smart(two[two["product"] == prod], {"A": 0.0},
                       import_demand_elasticity=eps[prod], substitution_elasticity=sig[prod])
        got = both.products[both.products["product"] == prod].reset_index(drop=True)
        for c in ("trade_creation", "trade_diversion", "imports_scenario"):
            np.testing.assert_allclose(got[c], one.products[c], atol=1e-12)


def test_missing_products_in_mapping_use_wits_fallback():
    two = pd.concat([three_exporters(), three_exporters().assign(product="q")])
    res = pe.smart(two, {"A": 0.0}, import_demand_elasticity={"p": -1.5})
    q = res.products[(res.products["product"] == "q") & (res.products["exporter"] == "A")]
    # fallback -1.25: TC = -1.25 * 100 * (-1/11)
    assert q["trade_creation"].iloc[0] == pytest.approx(125 / 11, abs=1e-9)
    assert any("fallback" in n for n in res.notes)


def test_tariff_frame_specific_rows_override():
    two = pd.concat([three_exporters(), three_exporters().assign(product="q")])
    spec = pd.DataFrame({"exporter": ["A", "A"], "product": [None, "q"], "rate": [0.0, 0.05]})
    res = pe.smart(two, spec)
    p = res.products.set_index(["product", "exporter"])["tariff_scenario"]
    assert p[("p", "A")] == 0.0 and p[("q", "A")] == 0.05 and p[("q", "B")] == 0.10


def test_export_tax_raises_price_and_rents_are_the_exporters():
    # 20% export tax on A, tariffs unchanged: dp_A = 1.2 - 1 = 0.2
    res = pe.smart(three_exporters(), export_taxes={"A": 0.2}, import_demand_elasticity=-1.5)
    p = res.products.set_index("exporter")
    tc = -1.5 * 100 * 0.2
    assert p.loc["A", "trade_creation"] == pytest.approx(tc, abs=1e-9)
    q1 = p.loc["A", "imports_scenario"]
    assert p.loc["A", "export_tax_rents"] == pytest.approx(0.2 * q1, abs=1e-9)
    # the importer's tariff applies to the border price 1.2: revenue 0.1 * 1.2 * Q1
    assert p.loc["A", "tariff_revenue_scenario"] == pytest.approx(0.12 * q1, abs=1e-9)
    assert p.loc["A", "balance_change"] == pytest.approx(-(1.2 * q1 - 100), abs=1e-9)
    assert p.loc["B", "trade_diversion"] > 0


def test_supply_cut_reaches_its_target_with_a_shadow_tax():
    res = pe.smart(three_exporters(), supply_cuts={"A": 0.5}, import_demand_elasticity=-1.5)
    p = res.products.set_index("exporter")
    assert p.loc["A", "imports_scenario"] == pytest.approx(50.0, abs=1e-7)
    x = p.loc["A", "export_tax_equivalent"]
    assert x > 0
    # that tax given directly reproduces the same outcome
    same = pe.smart(three_exporters(), export_taxes={"A": x}, import_demand_elasticity=-1.5)
    np.testing.assert_allclose(same.products["imports_scenario"],
                               res.products["imports_scenario"], atol=1e-6)
    assert (p.loc[["B", "C"], "trade_diversion"] > 0).all()


def test_supply_cut_not_binding_gives_zero_tax():
    # a 100% tariff on A already cuts it by more than 10%
    res = pe.smart(three_exporters(), {"A": 1.0}, supply_cuts={"A": 0.1},
                   import_demand_elasticity=-0.5)
    assert res.products.set_index("exporter").loc["A", "export_tax_equivalent"] == 0.0


def test_commitment_diverts_pro_rata_and_keeps_total():
    # buy 80 from C: shortfall 30 from others (A 100, B 50 -> f = 30/150 = 0.2)
    res = pe.smart(three_exporters(), commitments={"C": 80.0})
    q = res.products.set_index("exporter")["imports_scenario"]
    assert q["C"] == pytest.approx(80.0) and q["A"] == pytest.approx(80.0)
    assert q["B"] == pytest.approx(40.0) and q.sum() == pytest.approx(200.0)


def test_commitment_too_large_is_unreachable():
    with pytest.raises(UnreachableError) as e:
        pe.smart(three_exporters(), commitments={"C": 300.0})
    assert e.value.field == "commitments.value"


@pytest.mark.parametrize("kw, field", [
    ({"import_demand_elasticity": 1.5}, "import_demand_elasticity"),
    ({"import_demand_elasticity": np.nan}, "import_demand_elasticity"),
    ({"substitution_elasticity": -1.0}, "substitution_elasticity"),
    ({"export_supply_elasticity": 0.0}, "export_supply_elasticity"),
    ({"import_demand_elasticity": {"pp": -1.0}}, "import_demand_elasticity"),
    ({"export_tax_rents": "nobody"}, "export_tax_rents"),
])
def test_bad_model_settings(kw, field):
    with pytest.raises(ModelError) as e:
        pe.smart(three_exporters(), {"A": 0.0}, **kw)
    assert e.value.field == field


def test_unknown_product_in_elasticities_suggests():
    with pytest.raises(ModelError, match="did you mean 'pq'"):
        pe.smart(three_exporters().assign(product="pq"), import_demand_elasticity={"pr": -1})


def test_negative_imports_are_clipped_with_warning():
    from tariffsim.errors import TariffSimWarning
    with pytest.warns(TariffSimWarning):
        res = pe.smart(three_exporters(), {"A": 5.0}, import_demand_elasticity=-3.0)
    assert (res.products["imports_scenario"] >= 0).all()
    assert np.isfinite(res.products.select_dtypes("number").to_numpy()).all()


def test_simulate_pe_routes_shocks():
    res = pe.simulate_pe(three_exporters(), {"new_tariffs": {"A": 0.0}}, model="smart",
                         import_demand_elasticity=-1.5)
    assert res.model == "smart"
    assert col(res, "trade_creation")["A"] == pytest.approx(150 / 11)
    with pytest.raises(ModelError):
        pe.simulate_pe(three_exporters(), model="ge")
