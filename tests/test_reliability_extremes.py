"""Extreme but valid inputs: each either solves (finite results, invariants hold) or raises
a TariffSimError -- the tests say which, case by case.

Invariants checked on every solve: all numbers finite, flows >= 0, world exports equal
world imports, and under fixed_deficit each country's total balance unchanged.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from worlds import near_autarky_world

import tariffsim as ts
from tariffsim.errors import ConvergenceError, DataError, TariffSimWarning
from tariffsim.shocks import Shocks

C = ("AAA", "BBB", "CCC")
F = np.array([[100.0, 10, 5], [8, 200, 6], [4, 7, 150]])


@pytest.fixture(autouse=True)
def _strict():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", TariffSimWarning)
        yield


def shock(value, e=1, m=0, n=3):
    t = np.zeros((n, n, 1))
    t[e, m, 0] = value
    return Shocks(tariffs=t)


def check(r, closure="fixed_deficit"):
    c = r.countries
    assert np.all(np.isfinite(c.select_dtypes("number").to_numpy()))
    f = r.flows
    assert np.all(np.isfinite(f[["baseline", "scenario"]].to_numpy()))
    assert (f["scenario"] >= 0).all()
    scale = c["value_added_baseline"].sum()
    assert abs(c["exports_scenario"].sum() - c["imports_scenario"].sum()) <= 1e-9 * scale
    if closure == "fixed_deficit":
        np.testing.assert_allclose(c["balance_scenario"], c["balance_baseline"],
                                   atol=1e-8 * scale)
    return c.set_index("country")


def imports(r, e, m):
    f = r.flows
    return float(f.loc[(f.exporter == e) & (f.importer == m), "scenario"].sum())


# ---------------------------------------------------------------------- tariff levels
def test_tariffs_from_0_to_1000_percent_solve_and_choke_trade_monotonically():
    base = ts.Baseline.from_arrays(C, None, F)
    flows = []
    for rate in (0.0, 0.1, 1.0, 5.0, 10.0):
        r = ts.ge.solve(base, shock(rate))
        check(r)
        flows.append(imports(r, "BBB", "AAA"))
    assert flows[0] == pytest.approx(8.0, rel=1e-9)     # zero shock: the data
    assert all(a > b for a, b in zip(flows, flows[1:], strict=False))
    # theta = 5: at 1000% the flow is at most 8 * 11**-5 times a general-equilibrium factor
    assert flows[-1] < 8.0 * 1e-3


def test_tariff_of_1000_percent_on_every_import_with_io_solves():
    base, t = near_autarky_world()
    # deficit_ratio has an equilibrium here too (the old solver stalled on it; the market
    # clearing and closure conditions are checked in tests/test_ge_solver_robustness.py)
    for closure in ("fixed_deficit", "balanced", "deficit_ratio"):
        c = check(ts.ge.solve(base, Shocks(tariffs=t), closure=closure), closure)
        if closure == "balanced":
            assert (c["welfare_change_pct"] < 0).all()  # near autarky: everybody loses
        # with fixed deficits the deficit countries must keep importing and collect huge
        # tariff revenue, so some gain: finite numbers are what is checked there


# ---------------------------------------------------------------------- flow magnitudes
def test_flows_spanning_12_orders_of_magnitude_solve():
    f = np.array([[1e6, 1e-6, 1.0], [1e-5, 1e5, 1e-3], [1e-2, 1e1, 1e6]])
    base = ts.Baseline.from_arrays(C, None, f)
    r = ts.ge.solve(base, shock(0.5, e=2, m=1))  # CCC -> BBB is 10 of BBB's spending
    check(r)
    assert imports(r, "CCC", "BBB") < 10.0
    # the tiny flows stay tiny and positive
    assert 0 < imports(r, "AAA", "BBB") < 1e-4   # 1e-6 in the data, diverted to


def test_scaling_by_1e9_changes_no_percentage():
    base = ts.Baseline.from_arrays(C, None, F)
    big = ts.Baseline.from_arrays(C, None, F * 1e9)
    a = check(ts.ge.solve(base, shock(0.3)))
    b = check(ts.ge.solve(big, shock(0.3)))
    np.testing.assert_allclose(b["welfare_change_pct"], a["welfare_change_pct"], rtol=1e-7,
                               atol=1e-10)


# ---------------------------------------------------------------------- missing trade
def test_zero_bilateral_flow_stays_zero_and_its_tariff_has_no_effect():
    f = F.copy()
    f[1, 0] = 0.0
    base = ts.Baseline.from_arrays(C, None, f)
    r = ts.ge.solve(base, shock(0.5))           # tariff on a flow that does not exist
    c = check(r)
    assert imports(r, "BBB", "AAA") == 0.0
    np.testing.assert_allclose(c["welfare_change_pct"], 0.0, atol=1e-9)


def test_country_with_no_trade_only_domestic_sales_is_untouched():
    f = F.copy()
    f[0, 1:] = 0.0
    f[1:, 0] = 0.0
    base = ts.Baseline.from_arrays(C, None, f)
    r = ts.ge.solve(base, shock(0.5, e=2, m=1))
    c = check(r)
    assert c.loc["AAA", "welfare_change_pct"] == pytest.approx(0.0, abs=1e-9)
    assert c.loc["AAA", "real_wage_change_pct"] == pytest.approx(0.0, abs=1e-9)
    assert imports(r, "AAA", "BBB") == 0.0 and imports(r, "BBB", "AAA") == 0.0
    # BBB's tariff on CCC improves its terms of trade a little (optimal-tariff logic)
    assert c.loc["BBB", "welfare_change_pct"] > 0 > c.loc["CCC", "welfare_change_pct"]


def test_country_with_no_domestic_sales_solves():
    f = F.copy()
    f[0, 0] = 0.0
    base = ts.Baseline.from_arrays(C, None, f)
    c = check(ts.ge.solve(base, shock(0.5)))
    # AAA buys everything abroad: its import tariff on BBB hurts it
    assert c.loc["AAA", "price_index_change_pct"] > 0


def test_country_with_no_output_raises_data_error():
    f = F.copy()
    f[0, :] = 0.0
    with pytest.raises(DataError, match=r"no output.*AAA"):
        ts.ge.solve(ts.Baseline.from_arrays(C, None, f), shock(0.5))


def test_country_with_no_purchases_raises_data_error():
    f = F.copy()
    f[:, 0] = 0.0
    with pytest.raises(DataError, match=r"no spending.*AAA"):
        ts.ge.solve(ts.Baseline.from_arrays(C, None, f), shock(0.5, e=2, m=1))


def test_surplus_larger_than_value_added_raises_data_error():
    # AAA sells 51 (value added 25.5 with half of output spent on inputs), buys 1.5:
    # income = 25.5 + 1.5 - 51 < 0, negative final consumption
    f = np.array([[1.0, 50.0], [0.5, 100.0]])
    base = ts.Baseline.from_arrays(C[:2], None, f, io=np.full((2, 1, 1), 0.5))
    with pytest.raises(DataError, match="surplus"):
        ts.ge.solve(base)


def test_one_way_trader_under_balanced_closure_collapses_its_wage():
    # BBB sells to AAA but buys nothing abroad: the only zero-deficit world is the limit
    # where AAA's wage collapses until it buys (almost) nothing from BBB. The solver
    # reaches that limit within tol and says so in finite numbers; no NaN.
    f = np.array([[50.0, 0.0], [5.0, 80.0]])
    base = ts.Baseline.from_arrays(C[:2], None, f)
    r = ts.ge.solve(base, shock(0.2, e=1, m=0, n=2), closure="balanced")
    c = check(r, "balanced")
    np.testing.assert_allclose(c["balance_baseline"], 0.0, atol=1e-8)
    assert c.loc["AAA", "value_added_baseline"] < 0.05 * 50   # from 50 in the data
    assert imports(r, "BBB", "AAA") < 1e-8
    check(ts.ge.solve(base, shock(0.2, e=1, m=0, n=2)))     # fixed deficits: fine


def test_single_economy_is_a_trivial_equilibrium():
    base = ts.Baseline.from_arrays(("AAA",), None, np.array([[10.0]]))
    c = check(ts.ge.solve(base))
    assert c.loc["AAA", "welfare_change_pct"] == pytest.approx(0.0, abs=1e-12)


# ---------------------------------------------------------------------- non-convergence
def test_max_iter_1_raises_with_diagnostics():
    with pytest.raises(ConvergenceError) as info:
        ts.ge.solve(ts.Baseline.from_arrays(C, None, F), shock(0.5), max_iter=1)
    d = info.value.diagnostics
    assert d["iterations"] == 1 and d["residual"] > 1e-10
    assert "residual=" in str(info.value) and "max_iter" in str(info.value)


def test_impossible_tolerance_raises_not_returns():
    rng = np.random.default_rng(11)
    f = rng.lognormal(0, 1, (5, 5))
    f[np.arange(5), np.arange(5)] += 5 * f.sum(axis=1)
    t = rng.uniform(0, 0.5, (5, 5, 1))
    with pytest.raises(ConvergenceError) as info:
        ts.ge.solve(ts.Baseline.from_arrays(tuple("ABCDE"), None, f), Shocks(tariffs=t),
                    tol=1e-300, max_iter=60)
    assert info.value.diagnostics["iterations"] == 60
    assert info.value.diagnostics["best_residual"] < 1e-9  # it got as far as it could


# ---------------------------------------------------------------------- partial equilibrium
def test_smart_1000_percent_tariff_clips_at_zero_with_warning():
    import pandas as pd
    d = pd.DataFrame({"importer": "USA", "exporter": ["CHN", "MEX"], "value": [10.0, 5.0],
                      "tariff": [0.0, 0.0]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("error", RuntimeWarning)
        r = ts.pe.smart(d, {"CHN": 10.0}, import_demand_elasticity=-3.0)
    p = r.products.set_index("exporter")
    assert np.all(np.isfinite(r.products.select_dtypes("number").to_numpy()))
    assert p.loc["CHN", "imports_scenario"] >= 0
    assert p.loc["MEX", "imports_scenario"] > 5.0      # diversion to Mexico
    assert any(issubclass(w.category, TariffSimWarning) for w in caught)


def test_gsim_moderate_commitment_is_met():
    import pandas as pd
    d = pd.DataFrame({"importer": "USA", "exporter": ["CHN", "MEX", "VNM"],
                      "value": [10.0, 5.0, 3.0], "tariff": [0.1, 0.0, 0.05]})
    r = ts.pe.gsim(d, commitments=pd.DataFrame({"importer": ["USA"], "exporter": ["MEX"],
                                                "value": [5.5]}))
    got = r.products.set_index("exporter").loc["MEX", "imports_scenario"]
    assert got == pytest.approx(5.5, rel=0.02)  # first-order model: within 2%
