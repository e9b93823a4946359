"""Properties of the GE engine that hold by economics, and its error contract.

Each test states the hand-derived value it checks: the ACR closed form, exact zeros,
invariances, signs and accounting identities.
"""

from __future__ import annotations

import numpy as np
import pytest

from tariffsim import Baseline
from tariffsim.errors import ConvergenceError, DataError, ModelError, UnreachableError
from tariffsim.ge import solve
from tariffsim.shocks import CommitmentTarget, QuotaTarget, Shocks

CODES = ("AAA", "BBB", "CCC", "DDD")


def make_baseline(J=1, io=False, seed=0, tariffs=True, N=4):
    rng = np.random.default_rng(seed)
    flows = rng.uniform(1, 10, (N, N, J))
    for i in range(N):
        flows[i, i, :] *= 15
    tar = rng.uniform(0, 0.15, (N, N, J)) if tariffs else np.zeros((N, N, J))
    for i in range(N):
        tar[i, i, :] = 0
    sectors = tuple(f"s{j}" for j in range(J))
    kw = {}
    if io:
        shares = rng.uniform(0.05, 0.2, (N, J, J)) / J
        kw = dict(io=shares, value_added=1 - shares.sum(axis=1))
    return Baseline.from_arrays(CODES[:N], sectors, flows, tar, **kw)


def iceberg_all(b, factor):
    N, J = b.n_countries, b.n_sectors
    d = np.full((N, N, J), factor)
    for i in range(N):
        d[i, i, :] = 1.0
    return d


def test_acr_closed_form():
    """One sector, balanced trade, iceberg shock: W-hat = (lambda'_nn/lambda_nn)^(-1/theta)
    (Arkolakis, Costinot & Rodriguez-Clare 2012) to 1e-10."""
    b = make_baseline(tariffs=False)
    theta = 5.0
    r = solve(b, Shocks(trade_costs=iceberg_all(b, 1.3)), trade_elasticity=theta,
              closure="balanced")
    f = r.flows
    for c, row in r.countries.set_index("country").iterrows():
        into = f[f["importer"] == c]
        dom = into[into["exporter"] == c]
        lam0 = dom["baseline"].sum() / into["baseline"].sum()
        lam1 = dom["scenario"].sum() / into["scenario"].sum()
        expected = (lam1 / lam0) ** (-1 / theta)
        assert 1 + row["welfare_change_pct"] / 100 == pytest.approx(expected, abs=1e-10)
        assert row["welfare_change_pct"] < 0


def test_acr_us_example_gains_from_trade():
    """ACR's US-2000 example: lambda = 0.93 gives gains from trade 1.46% at theta 5
    (0.93^(-1/5) = 1.01462): autarky is a prohibitive iceberg cost."""
    flows = np.array([[93.0, 7.0], [7.0, 93.0]])
    b = Baseline.from_arrays(("USA", "ROW"), None, flows)
    r = solve(b, Shocks(trade_costs=iceberg_all(b, 1e6)), trade_elasticity=5.0)
    loss = r.countries.set_index("country").loc["USA", "welfare_change_pct"]
    assert 100 / (100 + loss) - 1 == pytest.approx(0.0146, abs=5e-5)


@pytest.mark.parametrize("closure", ["fixed_deficit", "deficit_ratio"])
def test_zero_shock_returns_baseline(closure):
    b = make_baseline(J=3, io=True)
    r = solve(b, Shocks(), trade_elasticity=[4.0, 6.0, 8.0], closure=closure)
    f = r.flows
    np.testing.assert_allclose(f["scenario"], f["baseline"], rtol=1e-12)
    np.testing.assert_allclose(f["baseline"].to_numpy(),
                               b.flows.ravel(), rtol=1e-14)
    c = r.countries
    for col in ("welfare_change_pct", "real_wage_change_pct", "price_index_change_pct"):
        np.testing.assert_allclose(c[col], 0.0, atol=1e-9)


def test_scaling_flows_leaves_changes_unchanged():
    b = make_baseline(J=2, io=True, seed=3)
    sh = Shocks(tariffs=b.tariffs + 0.1)
    r1 = solve(b, sh).countries
    r2 = solve(b.replace(flows=b.flows * 7.3), sh).countries
    for col in ("welfare_change_pct", "real_wage_change_pct", "price_index_change_pct"):
        np.testing.assert_allclose(r1[col], r2[col], atol=1e-8)
    np.testing.assert_allclose(r2["exports_scenario"], 7.3 * r1["exports_scenario"], rtol=1e-8)


def test_fixed_deficit_total_balance_stays_bilateral_moves():
    b = make_baseline(J=2, seed=4)
    tar = b.tariffs.copy()
    tar[1, 0, :] += 0.3                              # AAA taxes imports from BBB
    r = solve(b, Shocks(tariffs=tar), closure="fixed_deficit")
    c = r.countries
    np.testing.assert_allclose(c["balance_scenario"], c["balance_baseline"], atol=1e-8)
    bal = r.balances(partner="AAA").set_index("country")
    assert bal.loc["BBB", "change"] < -1e-3          # BBB's surplus with AAA falls
    assert (bal["closure"] == "fixed_deficit").all()


def test_tariff_hurts_importer_less_than_iceberg():
    """Revenue rebated: the same 25% wedge as a tariff costs the importer less than as an
    iceberg cost (MODEL.md 'Tariffs are not iceberg costs')."""
    b = make_baseline(J=1, tariffs=False, seed=5)
    tar = np.zeros_like(b.flows)
    tar[:, 0, :] = 0.25
    tar[0, 0, :] = 0
    d = np.ones_like(b.flows)
    d[:, 0, :] = 1.25
    d[0, 0, :] = 1.0
    wt = solve(b, Shocks(tariffs=tar)).countries.set_index("country")
    wi = solve(b, Shocks(trade_costs=d)).countries.set_index("country")
    assert wt.loc["AAA", "welfare_change_pct"] > wi.loc["AAA", "welfare_change_pct"]
    assert wi.loc["AAA", "welfare_change_pct"] < 0


def test_raising_tariff_lowers_imports_and_world_trade_adds_up():
    b = make_baseline(J=2, io=True, seed=6)
    tar = b.tariffs.copy()
    tar[2, 0, :] += 0.2                              # AAA on CCC
    r = solve(b, Shocks(tariffs=tar))
    f = r.flows
    pair = f[(f["exporter"] == "CCC") & (f["importer"] == "AAA")]
    assert pair["scenario"].sum() < pair["baseline"].sum()
    c = r.countries
    assert c["exports_scenario"].sum() == pytest.approx(c["imports_scenario"].sum(), rel=1e-12)
    rev = c.set_index("country")
    assert rev.loc["AAA", "tariff_revenue_scenario"] > rev.loc["AAA", "tariff_revenue_baseline"]


def test_country_numeraire_fixes_its_price_index():
    b = make_baseline(J=2, io=True, seed=7)
    r = solve(b, Shocks(trade_costs=iceberg_all(b, 0.8)), numeraire="CCC")
    c = r.countries.set_index("country")
    assert c.loc["CCC", "price_index_change_pct"] == pytest.approx(0.0, abs=1e-9)
    assert r.numeraire == "price_index:CCC"


def test_deficit_ratio_keeps_ratios_up_to_common_scaling():
    """E'_n = lambda phi_n VA'_n: (E'/VA')/(E/VA) is the same lambda for every country."""
    b = make_baseline(J=1, seed=8)
    r = solve(b, Shocks(trade_costs=iceberg_all(b, 0.7)), closure="deficit_ratio")
    c = r.countries
    e0 = c["value_added_baseline"] - c["balance_baseline"]
    e1 = c["value_added_scenario"] - c["balance_scenario"]
    ratio = (e1 / c["value_added_scenario"]) / (e0 / c["value_added_baseline"])
    np.testing.assert_allclose(ratio, ratio.iloc[0], rtol=1e-9)
    assert abs(c["balance_scenario"].sum()) < 1e-8


def test_import_commitment_is_met():
    b = make_baseline(J=2, seed=9)
    base_imports = b.flows[1, 0, :].sum()            # AAA from BBB
    target = 1.5 * base_imports
    c = CommitmentTarget(importer=0, exporter=1, sector_mask=np.array([True, True]),
                         value=target, label="AAA buys from BBB")
    r = solve(b, Shocks(commitments=[c]))
    f = r.flows
    got = f[(f["exporter"] == "BBB") & (f["importer"] == "AAA")]["scenario"].sum()
    assert got == pytest.approx(target, rel=1e-3)
    assert r.extras["AAA buys from BBB"]["demand_shifter"] > 1


def test_unreachable_commitment_raises():
    b = make_baseline(J=1, seed=9)
    total = b.flows[:, 0, :].sum() * 50
    c = CommitmentTarget(importer=0, exporter=1, sector_mask=np.array([True]), value=total)
    with pytest.raises(UnreachableError) as exc:
        solve(b, Shocks(commitments=[c]), max_iter=500)
    assert exc.value.field == "shocks.commitments"


def test_binding_quota_has_positive_shadow_tax_slack_quota_zero():
    b = make_baseline(J=2, seed=10)
    base = b.flows[3, [0, 1, 2], 0].sum()            # DDD's sector-0 exports
    mask_n = np.array([True, True, True, False])
    q_bind = QuotaTarget(exporter=3, importer_mask=mask_n, sector_mask=np.array([True, False]),
                         cap=0.6 * base, label="bind")
    q_slack = QuotaTarget(exporter=2, importer_mask=mask_n, sector_mask=np.array([False, True]),
                          cap=10 * b.flows[2, :, 1].sum(), label="slack")
    r = solve(b, Shocks(quotas=[q_bind, q_slack]))
    assert r.extras["bind"]["shadow_tax"] > 0
    assert r.extras["bind"]["value"] == pytest.approx(0.6 * base, rel=1e-6)
    assert r.extras["slack"]["shadow_tax"] == 0.0


def test_export_tax_rents_to_exporter_lower_its_exports():
    b = make_baseline(J=1, seed=11)
    et = np.zeros_like(b.flows)
    et[0, 1:, :] = 0.5
    r = solve(b, Shocks(export_taxes=et)).countries.set_index("country")
    assert r.loc["AAA", "exports_scenario"] < r.loc["AAA", "exports_baseline"]
    assert r.loc["AAA", "export_rents_scenario"] > 0


def test_bad_inputs_raise_named_errors():
    b = make_baseline()
    with pytest.raises(ModelError) as e:
        solve(b, trade_elasticity=0.0)
    assert e.value.field == "trade_elasticity"
    with pytest.raises(ModelError) as e:
        solve(b, trade_elasticity={"s0": -2.0})
    assert e.value.field == "trade_elasticity"
    with pytest.raises(ModelError) as e:
        solve(b, closure="balance")
    assert e.value.field == "closure" and "balanced" in str(e.value)
    with pytest.raises(ModelError) as e:
        solve(b, numeraire="XXX")
    assert e.value.field == "numeraire"
    r = solve(b)
    with pytest.raises(DataError):
        r.balances(partner="AAB")


def test_non_convergence_raises_with_diagnostics():
    b = make_baseline(J=2, io=True)
    with pytest.raises(ConvergenceError) as e:
        solve(b, Shocks(tariffs=b.tariffs + 0.5), max_iter=2)
    assert e.value.diagnostics["iterations"] == 2
    assert e.value.diagnostics["residual"] > 1e-10


def test_to_csv_atomic_and_deterministic(tmp_path):
    b = make_baseline(J=2)
    r = solve(b, Shocks(tariffs=b.tariffs + 0.1))
    paths = r.to_csv(tmp_path / "out")
    names = sorted(p.name for p in paths)
    assert names == ["countries.csv", "flows.csv", "metadata.json",
                     "welfare_decomposition.csv"]
    first = (tmp_path / "out" / "flows.csv").read_text()
    r.to_csv(tmp_path / "out")
    assert (tmp_path / "out" / "flows.csv").read_text() == first
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]
    assert first.splitlines()[1].startswith("AAA,AAA,s0,")
