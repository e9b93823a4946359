"""GSIM against Francois & Hall's 4x4 demonstration and its welfare formulas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tariffsim.pe as pe

REGIONS = ["US", "JP", "EU", "RW"]
# /work/shared/data/README.md, "GSIM 4x4": rows exporter, columns importer
M = np.array([[0, 50, 200, 300], [500, 0, 150, 200], [300, 100, 200, 200],
              [50, 100, 110, 20]], dtype=float)
T0 = np.array([[1.00, 1.21, 1.41, 1.22], [1.37, 1.00, 1.31, 1.23],
               [1.32, 1.36, 1.00, 1.18], [1.57, 1.41, 1.25, 1.15]])
FTA = pd.DataFrame({"importer": ["US", "EU"], "exporter": ["EU", "US"], "rate": [0.0, 0.0]})


def demo_data() -> pe.ProductData:
    # the diagonal holds intra-EU / intra-RW trade in the demonstration
    return pe.ProductData.from_arrays(REGIONS, M, T0 - 1, intra_region=True)


def test_us_eu_fta_world_prices_match_francois_hall():
    res = pe.gsim(demo_data(), FTA)
    x = res.regions.set_index("region")["world_price_change_pct"]
    published = {"US": 7.92, "JP": -3.16, "EU": 4.80, "RW": -1.84}
    for r, v in published.items():
        assert x[r] == pytest.approx(v, abs=0.01), r
    # and as a column of the pair table, the exporter's world price
    p = res.products
    assert (p.loc[p["exporter"] == "US", "world_price_change_pct"] - x["US"]).abs().max() < 1e-12


def test_market_clearing_and_producer_surplus_from_results():
    res = pe.gsim(demo_data(), FTA)
    p = res.products
    reg = res.regions.set_index("region")
    for r in REGIONS:
        rows = p[p["exporter"] == r]
        xr = reg.loc[r, "world_price_change_pct"] / 100
        # sum_v phi[r, v] Mh[r, v] = E_x x_r with phi = export shares at world prices
        phi = rows["imports_baseline"] / rows["imports_baseline"].sum()
        assert (phi * rows["quantity_change_pct"] / 100).sum() == pytest.approx(1.5 * xr,
                                                                                abs=1e-10)
        # PS_r = x_r X_r (1 + E_x x_r / 2)
        x0 = M[REGIONS.index(r)].sum()
        assert reg.loc[r, "producer_surplus"] == pytest.approx(x0 * xr * (1 + 0.75 * xr),
                                                               abs=1e-9)


def _cs_correct_and_wrong(res):
    """Both CS formulas from the composite price change, computed here."""
    reg = res.regions.set_index("region")
    out = {}
    for v in REGIONS:
        r0 = (M[:, REGIONS.index(v)] * T0[:, REGIONS.index(v)]).sum()  # R0_v = sum M T0
        ph = reg.loc[v, "import_price_change_pct"] / 100
        em = -1.25
        correct = -r0 * ph - em * r0 * ph ** 2 / 2
        wrong = -r0 * ph + np.sign(ph) * em * r0 * ph ** 2 / 2  # the widely copied port
        out[v] = (ph, correct, wrong, reg.loc[v, "consumer_surplus"])
    return out


def test_consumer_surplus_differs_from_sign_variant_exactly_where_prices_rise():
    res = pe.gsim(demo_data(), FTA)
    rose = fell = 0
    for _v, (ph, correct, wrong, got) in _cs_correct_and_wrong(res).items():
        assert got == pytest.approx(correct, abs=1e-9)
        if ph > 0:  # JP and RW: their composite import price rises
            rose += 1
            assert abs(got - wrong) > 1e-3
            assert got > -((M * T0).sum() * ph)  # loss smaller than the rectangle
        else:  # US and EU: tariffs cut, price falls
            fell += 1
            assert got == pytest.approx(wrong, abs=1e-9)
    assert rose == 2 and fell == 2


def test_general_tariff_rise_makes_every_cs_differ():
    # every off-diagonal tariff factor up by 10%: every composite price rises
    up = pd.DataFrame([{"importer": v, "exporter": r, "rate": T0[i, j] * 1.1 - 1}
                       for i, r in enumerate(REGIONS) for j, v in enumerate(REGIONS) if i != j])
    res = pe.gsim(demo_data(), up)
    for ph, correct, wrong, got in _cs_correct_and_wrong(res).values():
        assert ph > 0
        assert got == pytest.approx(correct, abs=1e-9)
        assert abs(got - wrong) > 1e-3


def test_quantities_revenue_and_net_welfare_by_hand():
    """MODEL.md section 5, from M, T0, T1 and the world prices x (checked against the
    published ones above): theta = M T0 / sum_r M T0, N_own = theta E_m - (1 - theta) E_s,
    N_cross[s, v] = theta[s, v] (E_m + E_s), P-hat = T1/T0 - 1 + x_r,
    M-hat = N_own P-hat + sum_{s != r} N_cross[s, v] P-hat[s, v], M1 = M0 (1 + M-hat)(1 + x_r),
    revenue R = sum_r (T - 1) M; net welfare = PS + CS + revenue change (no export taxes)."""
    res = pe.gsim(demo_data(), FTA)
    reg = res.regions.set_index("region")
    em, es, ex = -1.25, 5.0, 1.5
    x = np.array([reg.loc[r, "world_price_change_pct"] / 100 for r in REGIONS])
    T1 = T0.copy()
    T1[0, 2] = T1[2, 0] = 1.0                       # US-EU free trade
    theta = M * T0 / (M * T0).sum(axis=0)
    n_own = theta * em - (1 - theta) * es
    n_cross = theta * (em + es)
    p_hat = T1 / T0 - 1 + x[:, None]
    m_hat = n_own * p_hat + (n_cross * p_hat).sum(axis=0) - n_cross * p_hat
    m1 = M * (1 + m_hat) * (1 + x[:, None])
    prod = res.products.set_index(["exporter", "importer"])
    for i, r in enumerate(REGIONS):
        for j, v in enumerate(REGIONS):
            if M[i, j] > 0:
                assert prod.loc[(r, v), "imports_scenario"] == pytest.approx(m1[i, j],
                                                                            rel=1e-9)
    d_rev = ((T1 - 1) * m1).sum(axis=0) - ((T0 - 1) * M).sum(axis=0)
    for j, v in enumerate(REGIONS):
        assert reg.loc[v, "tariff_revenue_change"] == pytest.approx(d_rev[j], abs=1e-9), v
        ps = M[j].sum() * x[j] * (1 + ex * x[j] / 2)
        r0 = (M[:, j] * T0[:, j]).sum()
        ph = (theta[:, j] * p_hat[:, j]).sum()
        cs = -r0 * ph - em * r0 * ph ** 2 / 2
        assert reg.loc[v, "net_welfare"] == pytest.approx(ps + cs + d_rev[j], abs=1e-9), v


def test_products_batched_equal_separate_runs():
    d1 = demo_data().to_frame()
    d2 = d1.assign(product="other", value=d1["value"][::-1].to_numpy())
    both = pe.gsim(pd.concat([d1, d2]).pipe(pe.ProductData.from_frame, intra_region=True), FTA)
    for prod, frame in (("total", d1), ("other", d2)):
        one = pe.gsim(pe.ProductData.from_frame(frame, intra_region=True), FTA)
        got = both.by_product[both.by_product["product"] == prod].reset_index(drop=True)
        np.testing.assert_allclose(got["world_price_change_pct"],
                                   one.regions["world_price_change_pct"], atol=1e-10)


def test_infinite_export_supply_fixes_world_price():
    res = pe.gsim(demo_data(), FTA, export_supply_elasticity={"JP": np.inf})
    x = res.regions.set_index("region")["world_price_change_pct"]
    assert x["JP"] == 0.0 and x["US"] > 0


def test_supply_cut_is_met_with_positive_shadow_tax_and_others_gain():
    cut = pd.DataFrame({"exporter": ["JP"], "importer": ["US"], "cut": [0.3]})
    base = pe.gsim(demo_data(), FTA).products.set_index(["exporter", "importer"])
    res = pe.gsim(demo_data(), FTA, supply_cuts=cut).products.set_index(["exporter",
                                                                         "importer"])
    assert res.loc[("JP", "US"), "quantity_change_pct"] == pytest.approx(-30.0, abs=1e-9)
    assert res.loc[("JP", "US"), "export_tax_equivalent"] > 0
    # the US buys more from the other sources than without the cut
    for r in ("EU", "RW"):
        assert res.loc[(r, "US"), "imports_scenario"] > base.loc[(r, "US"), "imports_scenario"]


def test_commitment_floor_is_met_on_reported_imports():
    com = pd.DataFrame({"exporter": ["JP"], "importer": ["US"], "value": [600.0]})
    res = pe.gsim(demo_data(), FTA, commitments=com).products.set_index(["exporter",
                                                                         "importer"])
    row = res.loc[("JP", "US")]
    # the floor binds (500 in the data): M0 (1 + Mh)(1 + x) = 600
    assert 500 * (1 + row["quantity_change_pct"] / 100) * (
        1 + row["world_price_change_pct"] / 100) == pytest.approx(600, rel=1e-9)
    assert row["imports_scenario"] == pytest.approx(600, rel=1e-9)


def test_export_tax_rents_go_to_the_exporter():
    tax = pd.DataFrame({"exporter": ["JP"], "importer": ["US"], "tax_equivalent": [0.2]})
    res = pe.gsim(demo_data(), export_taxes=tax)
    reg = res.regions.set_index("region")
    row = res.products.set_index(["exporter", "importer"]).loc[("JP", "US")]
    assert reg.loc["JP", "export_tax_rents"] == pytest.approx(0.2 * row["imports_scenario"])
    assert reg.loc["US", "export_tax_rents"] == 0.0
    assert row["quantity_change_pct"] < 0
