"""The IMLS (2025) test oracle itself (tests/imls_reference.py), before it checks anything:
its Jacobian, its baseline, the paper's equation (7) and Proposition 1, and its plain
Eaton-Kortum limit against tariffsim's Caliendo-Parro solver.
"""

from __future__ import annotations

import imls_reference as ref
import numpy as np
import pytest
from worlds import oracle_world as small_world
from worlds import random_world

import tariffsim as ts
from tariffsim.shocks import Shocks


@pytest.mark.parametrize("revenue_use", ["income_tax", "lump_sum"])
@pytest.mark.parametrize("beta, numeraire", [(1.0, "price_index"), (0.6, "wage"),
                                             (0.6, "price_index")])
def test_jacobian_matches_finite_differences(revenue_use, beta, numeraire):
    X, t0, t1, nu = small_world()
    d = ref.setup(X, t0, t1, nu=nu, kappa=0.5, psi=0.2, beta=beta, revenue_use=revenue_use,
                  numeraire=numeraire)
    z = np.random.default_rng(1).normal(0, 0.1, 4 * d["N"])
    h = 1e-6
    fd = np.column_stack([(ref._residuals(z + h * e, d) - ref._residuals(z - h * e, d)) / (2 * h)
                          for e in np.eye(4 * d["N"])])
    np.testing.assert_allclose(ref._jacobian(z, d), fd, atol=1e-7)


@pytest.mark.parametrize("revenue_use", ["income_tax", "lump_sum"])
@pytest.mark.parametrize("beta", [1.0, 0.6])
def test_no_policy_change_is_the_baseline(revenue_use, beta):
    X, t0, _, nu = small_world(2)
    r = ref.solve(X, t0, t0, nu=nu, revenue_use=revenue_use, beta=beta)
    for key in ("w_hat", "E_hat", "L_hat", "P_hat", "welfare_hat"):
        np.testing.assert_allclose(r[key], 1.0, atol=1e-12)
    np.testing.assert_allclose(r["X_new"], X, rtol=1e-10)


@pytest.mark.parametrize("revenue_use", ["income_tax", "lump_sum"])
@pytest.mark.parametrize("beta", [1.0, 0.6])
def test_counterfactual_satisfies_the_papers_accounting(revenue_use, beta):
    """Paper eq. (7): D_i = T_i + sum_n (nu_i X_ni - nu_n X_in) at world prices (with or
    without intermediate inputs); the labour market the solver dropped for the numeraire
    clears too (Walras' law); transfers sum to zero and keep their share of world factor
    income."""
    X, t0, t1, nu = small_world(3)
    r = ref.solve(X, t0, t1, nu=nu, revenue_use=revenue_use, beta=beta)
    X1 = r["X_new"]
    eq7 = r["T_new"] + nu * X1.sum(axis=0) - X1 @ nu
    np.testing.assert_allclose(r["deficit_new"], eq7, atol=1e-9 * X.sum())
    np.testing.assert_allclose(ref.factor_income(X1, nu, beta), r["Y_new"], rtol=1e-10)
    assert abs(r["T_new"].sum()) < 1e-9 * X.sum()
    np.testing.assert_allclose(r["T_new"] / r["Y_new"].sum(), r["T"] / r["Y"].sum())
    assert r["welfare_hat"].min() > 0 and np.isfinite(r["welfare_hat"]).all()


def test_proposition_1_reciprocal_barriers_keep_trade_bilaterally_balanced():
    """Paper, Proposition 1: with zero aggregate deficits and reciprocal barriers, trade is
    bilaterally balanced. A symmetric baseline (balanced, uniform nu) hit by a symmetric
    tariff change stays symmetric, with every feature switched on."""
    X, _, _, _ = small_world(4)
    X = X + X.T
    rng = np.random.default_rng(5)
    t1 = rng.uniform(0, 0.5, X.shape)
    t1 = (t1 + t1.T) / 2
    np.fill_diagonal(t1, 0.0)
    r = ref.solve(X, 0.0, t1, nu=np.full(len(X), 0.15), kappa=0.5, psi=0.2)
    assert np.abs(r["deficit_new"]).max() < 1e-9 * X.sum()
    np.testing.assert_allclose(r["X_new"], r["X_new"].T, rtol=1e-9)
    assert np.abs(r["w_hat"] - 1).max() > 1e-3                  # the shock did something


def test_inelastic_labour_makes_the_revenue_use_irrelevant():
    X, t0, t1, nu = small_world(6)
    a = ref.solve(X, t0, t1, nu=nu, kappa=0.0, revenue_use="income_tax")
    b = ref.solve(X, t0, t1, nu=nu, kappa=0.0, revenue_use="lump_sum")
    for key in ("w_hat", "P_hat", "welfare_hat"):
        np.testing.assert_allclose(a[key], b[key], rtol=1e-10)
    np.testing.assert_allclose(a["L_hat"], 1.0, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_plain_limit_is_tariffsims_caliendo_parro_solver(seed):
    """kappa = psi = nu = 0, phi = 1 is Dekle-Eaton-Kortum with tariffs: welfare E-hat/P-hat,
    trade shares and relative wages agree with ts.ge.solve (fixed deficits in units of world
    GDP, which is what a fixed share of world factor income is)."""
    rng = np.random.default_rng(seed)
    base, theta = random_world(rng, 7, 1, lambda: False)
    t_new = np.array(base.tariffs)
    t_new[:, 0, :] += rng.uniform(0.05, 0.5, (7, 1))
    t_new[0, 0, :] = 0.0
    res = ts.ge.solve(base, Shocks(tariffs=t_new), trade_elasticity=theta, tol=1e-12)
    r = ref.solve(base.flows[:, :, 0], base.tariffs[:, :, 0], t_new[:, :, 0],
                  eps=theta[0], kappa=0.0, psi=0.0, nu=0.0, phi=1.0, revenue_use="lump_sum")
    got = res.countries.set_index("country").loc[list(base.countries)]
    np.testing.assert_allclose(100 * (r["welfare_hat"] - 1), got["welfare_change_pct"],
                               atol=1e-8)
    flows = res.flows.pivot_table(index="exporter", columns="importer", values="scenario")
    flows = flows.loc[list(base.countries), list(base.countries)].to_numpy()
    np.testing.assert_allclose(r["X_new"] / r["X_new"].sum(), flows / flows.sum(),
                               rtol=1e-8, atol=1e-14)


@pytest.mark.parametrize("beta", [1.0, 0.6])
def test_real_outcomes_do_not_depend_on_the_numeraire(beta):
    """The system is homogeneous of degree one in nominal values (transfers are a share of
    world income), so the numeraire moves nominal hats only."""
    X, t0, t1, nu = small_world(7)
    a = ref.solve(X, t0, t1, nu=nu, beta=beta, numeraire="price_index")
    b = ref.solve(X, t0, t1, nu=nu, beta=beta, numeraire="wage")
    for key in ("welfare_hat", "L_hat", "lambda_new"):
        np.testing.assert_allclose(a[key], b[key], rtol=1e-9)
    ratio = b["w_hat"] / a["w_hat"]
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-9)
    np.testing.assert_allclose(b["P_hat"] / a["P_hat"], ratio[0], rtol=1e-9)


def test_utility_and_their_welfare_formula_agree_without_income_tax_relief():
    """Their welfare formula holds the after-tax factor fixed; the utility change uses the
    one the labour supply moves. They coincide under a lump-sum rebate (theta = 1) and
    with inelastic labour, and differ under income-tax relief with kappa > 0."""
    X, t0, t1, nu = small_world(8)
    lump = ref.solve(X, t0, t1, nu=nu, revenue_use="lump_sum")
    np.testing.assert_allclose(lump["utility_hat"], lump["welfare_hat"], rtol=1e-12)
    rigid = ref.solve(X, t0, t1, nu=nu, kappa=0.0)
    np.testing.assert_allclose(rigid["utility_hat"], rigid["welfare_hat"], rtol=1e-12)
    relief = ref.solve(X, t0, t1, nu=nu)
    assert np.abs(relief["utility_hat"] - relief["welfare_hat"]).max() > 1e-5
