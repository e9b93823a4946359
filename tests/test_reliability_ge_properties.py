"""Property-based tests of the GE solver over random valid baselines and shocks.

Small worlds (N = 2-5 countries, J = 1-3 sectors, with and without input-output links)
and random tariff shocks. Every property is an exact consequence of the model (MODEL.md
section 2), so tolerances are numerical (solver tol 1e-11), not modelling ones:

* zero shock is the identity (flows unchanged, all % changes zero);
* homogeneity of degree one in the flows (scale all by c: % changes equal, levels x c);
* world exports equal world imports; flows finite and non-negative;
* closures: fixed_deficit keeps each country's total deficit in numeraire units;
  balanced gives zero total balances;
* raising n's tariff on i (one sector, by up to 1000 points) lowers n's imports from i
  in that sector;
* results do not depend on the order of countries or sectors in the input.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from worlds import random_world, stagnation_world

import tariffsim as ts
from tariffsim.shocks import Shocks

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
TOL = 1e-11


@st.composite
def worlds(draw, with_io=None):
    n = draw(st.integers(2, 5))
    j = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    base, theta = random_world(
        rng, n, j, with_io=lambda: (with_io is None and draw(st.booleans())) or bool(with_io))
    return base, theta, rng


def random_shock(base, rng, scale=0.5):
    n, j = base.n_countries, base.n_sectors
    t = np.array(base.tariffs)
    hit = rng.random((n, n, j)) < 0.4
    t = np.where(hit, rng.uniform(0, scale, (n, n, j)), t)
    t[np.arange(n), np.arange(n), :] = 0.0
    return Shocks(tariffs=t)


def flows_array(result, base):
    f = result.flows
    ci = {c: i for i, c in enumerate(base.countries)}
    si = {s: k for k, s in enumerate(base.sectors)}
    out = {}
    for col in ("baseline", "scenario"):
        a = np.zeros(base.flows.shape)
        a[f["exporter"].map(ci), f["importer"].map(ci), f["sector"].map(si)] = f[col]
        out[col] = a
    return out


def solve(base, shocks, theta, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        r = ts.ge.solve(base, shocks, trade_elasticity=theta, tol=TOL, **kw)
    num = r.countries.select_dtypes("number").to_numpy()
    assert np.all(np.isfinite(num))
    assert np.all(np.isfinite(r.flows[["baseline", "scenario"]].to_numpy()))
    return r


PCT = ["welfare_change_pct", "real_wage_change_pct", "wage_change_pct",
       "price_index_change_pct"]


@SETTINGS
@given(worlds())
def test_zero_shock_is_identity(world):
    base, theta, _ = world
    r = solve(base, Shocks(tariffs=np.array(base.tariffs)), theta)
    f = flows_array(r, base)
    np.testing.assert_allclose(f["scenario"], f["baseline"], rtol=1e-8,
                               atol=1e-10 * base.flows.max())
    np.testing.assert_allclose(r.countries[PCT].to_numpy(), 0.0, atol=1e-7)
    # the baseline columns are the data (no clipping in these worlds without IO)
    if not base.has_io:
        np.testing.assert_allclose(f["baseline"], base.flows, rtol=1e-12)


@SETTINGS
@given(worlds(), st.floats(1e-3, 1e3))
def test_homogeneity_of_degree_one(world, c):
    base, theta, rng = world
    shock = random_shock(base, rng)
    r1 = solve(base, shock, theta)
    r2 = solve(base.replace(flows=np.array(base.flows) * c), shock, theta)
    np.testing.assert_allclose(r2.countries[PCT].to_numpy(), r1.countries[PCT].to_numpy(),
                               rtol=1e-6, atol=1e-7)
    f1, f2 = flows_array(r1, base), flows_array(r2, base)
    np.testing.assert_allclose(f2["scenario"], c * f1["scenario"], rtol=1e-6,
                               atol=1e-9 * c * base.flows.max())


@SETTINGS
@given(worlds(), st.sampled_from(["fixed_deficit", "deficit_ratio", "balanced"]))
def test_world_exports_equal_world_imports(world, closure):
    base, theta, rng = world
    r = solve(base, random_shock(base, rng), theta, closure=closure)
    c = r.countries
    scale = c["exports_scenario"].sum() + 1.0
    for when in ("baseline", "scenario"):
        assert abs(c[f"exports_{when}"].sum() - c[f"imports_{when}"].sum()) <= 1e-9 * scale
        assert abs(c[f"balance_{when}"].sum()) <= 1e-9 * scale
    assert (r.flows["scenario"] >= 0).all()


@SETTINGS
@given(worlds())
def test_fixed_deficit_keeps_total_balances(world):
    base, theta, rng = world
    r = solve(base, random_shock(base, rng), theta, closure="fixed_deficit")
    c = r.countries
    # world GDP numeraire: deficits are fixed in units of world value added
    scale = c["value_added_baseline"].sum()
    np.testing.assert_allclose(c["balance_scenario"], c["balance_baseline"], rtol=0,
                               atol=1e-8 * scale)
    # and they are the data's deficits (exports - imports of the data)
    intl = base.international().sum(axis=2)
    np.testing.assert_allclose(c["balance_baseline"], intl.sum(axis=1) - intl.sum(axis=0),
                               rtol=1e-9, atol=1e-9 * scale)


@SETTINGS
@given(worlds())
def test_balanced_closure_has_zero_balances(world):
    base, theta, rng = world
    r = solve(base, random_shock(base, rng), theta, closure="balanced")
    c = r.countries
    scale = c["value_added_baseline"].sum()
    np.testing.assert_allclose(c["balance_scenario"], 0.0, atol=1e-8 * scale)
    np.testing.assert_allclose(c["balance_baseline"], 0.0, atol=1e-8 * scale)


@SETTINGS
@given(worlds(), st.data())
def test_raising_a_tariff_lowers_those_imports(world, data):
    base, theta, rng = world
    n, j = base.n_countries, base.n_sectors
    pairs = [(i, m, s) for i in range(n) for m in range(n) for s in range(j)
             if i != m and base.flows[i, m, s] > 0]
    i, m, s = data.draw(st.sampled_from(pairs))
    # tariffs of 0 to 1000% (issue 5): the new rate is anywhere up to 1000%
    t = np.array(base.tariffs)
    t[i, m, s] += data.draw(st.floats(0.01, 10.0 - t[i, m, s]))
    r = solve(base, Shocks(tariffs=t), theta)
    f = flows_array(r, base)
    assert f["scenario"][i, m, s] < f["baseline"][i, m, s]


@SETTINGS
@given(worlds(), st.data())
def test_order_of_countries_and_sectors_does_not_matter(world, data):
    base, theta, rng = world
    n, j = base.n_countries, base.n_sectors
    shock = random_shock(base, rng)
    pc = np.array(data.draw(st.permutations(range(n))))
    ps = np.array(data.draw(st.permutations(range(j))))

    def perm3(a):
        return np.asarray(a)[np.ix_(pc, pc, ps)]

    io = np.asarray(base.io)[np.ix_(pc, ps, ps)] if base.has_io else None
    base_p = ts.Baseline.from_arrays(tuple(np.array(base.countries)[pc]),
                                     tuple(np.array(base.sectors)[ps]),
                                     perm3(base.flows), perm3(base.tariffs), io=io)
    r1 = solve(base, shock, theta)
    r2 = solve(base_p, Shocks(tariffs=perm3(shock.tariffs)), theta[ps])
    c1 = r1.countries.set_index("country")
    c2 = r2.countries.set_index("country").loc[list(base.countries)]
    cols = PCT + ["exports_scenario", "imports_scenario", "balance_scenario",
                  "tariff_revenue_scenario"]
    np.testing.assert_allclose(c2[cols].to_numpy(), c1[cols].to_numpy(), rtol=1e-7,
                               atol=1e-8 * base.flows.max())
    k = ["exporter", "importer", "sector"]
    f1 = r1.flows.set_index(k).sort_index()
    f2 = r2.flows.set_index(k).sort_index()
    np.testing.assert_allclose(f2["scenario"].to_numpy(), f1["scenario"].to_numpy(),
                               rtol=1e-7, atol=1e-9 * base.flows.max())


@pytest.mark.parametrize("closure", ["fixed_deficit", "deficit_ratio", "balanced"])
def test_results_never_contain_nan_for_a_large_random_shock(closure):
    rng = np.random.default_rng(7)
    n, j = 5, 3
    flows = rng.lognormal(0, 2, (n, n, j))
    exports = flows.sum(axis=1) - flows[np.arange(n), np.arange(n), :]
    flows[np.arange(n), np.arange(n), :] = 5 * (exports + 1)
    io = rng.uniform(0, 1, (n, j, j))
    io *= 0.5 / io.sum(axis=1, keepdims=True)
    base = ts.Baseline.from_arrays(tuple("ABCDE"), ("x", "y", "z"), flows, io=io)
    t = rng.uniform(0, 10, (n, n, j))
    r = solve(base, Shocks(tariffs=t), np.array([1.5, 4.0, 9.0]), closure=closure)
    assert np.all(np.isfinite(r.welfare_decomposition().select_dtypes("number").to_numpy()))


def test_stagnation_case_2x1_io_200pct_solves():
    # was a strict xfail: Anderson fitted the normalised-away wage level and stagnated at
    # residual 0.15 (see docs/ge.md, the solver); the equilibrium has C1's wage about
    # doubling, checked in tests/test_ge_solver_robustness.py
    base, theta, t = stagnation_world()
    r = solve(base, Shocks(tariffs=t), theta)
    f = flows_array(r, base)
    assert f["scenario"][0, 1, 0] < f["baseline"][0, 1, 0]
