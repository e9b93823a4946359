"""Caliendo & Parro (2015) NAFTA: Table 2 and the fixed-deficit run, within 0.01 pp.

Published (Table 2, zero deficits, % change): welfare (= ToT + VoT) MEX 1.31, CAN -0.06,
USA 0.08; terms of trade MEX -0.41, CAN -0.11, USA 0.04; volume of trade MEX 1.72, CAN 0.04,
USA 0.04; real wage MEX 1.72, CAN 0.32, USA 0.11; intra-NAFTA imports about +118% (MEX),
+11% (CAN), +41% (USA). Exact welfare for Mexico is about +0.007% (data README).

The run with deficits held fixed is checked two ways: against the figures the project's
issue #6 states for CP's replication with deficits held fixed (decomposition sum MEX 1.17,
CAN -0.04, USA 0.08; not printed in the paper's Table 2), and by recomputing CP's
decomposition from the equilibrium the solver returns (flows, tariffs, value added) with
MODEL.md's formula and the hat algebra, independently of the solver's decomposition code.
"""

from __future__ import annotations

import numpy as np
import pytest
from validation_data import validation_path

pytestmark = pytest.mark.validation

NAFTA = ["MEX", "CAN", "USA"]
# The printed values have two decimals: agreement within 0.01 pp is the test. A value such
# as our USA sum 0.085 against the printed 0.08 sits inside that band.
TOL_PP = 0.01 + 1e-9


@pytest.fixture(scope="module")
def cp():
    from tariffsim.ge._cp2015 import load_cp2015
    return load_cp2015(validation_path("cp2015"))


@pytest.fixture(scope="module")
def baseline(cp):
    from tariffsim import Baseline
    return Baseline.from_arrays(cp.countries, cp.sectors, cp.flows, cp.tariffs1993, cp.io,
                                cp.value_added, year=1993, units="USD",
                                source="Caliendo & Parro (2015) replication")


def _run(cp, baseline, closure):
    from tariffsim.ge import solve
    from tariffsim.shocks import Shocks
    return solve(baseline, Shocks(tariffs=cp.nafta_tariffs()), trade_elasticity=cp.theta,
                 closure=closure, tol=1e-10)


@pytest.fixture(scope="module")
def zero_deficit(cp, baseline):
    return _run(cp, baseline, "balanced")


@pytest.fixture(scope="module")
def fixed_deficit(cp, baseline):
    return _run(cp, baseline, "fixed_deficit")


def test_loader_handles_negative_io_entry(cp):
    assert cp.negative_io_entries == 1
    assert (cp.io >= 0).all()
    np.testing.assert_allclose(cp.value_added + cp.io.sum(axis=1), 1.0, atol=1e-12)
    # non-tradable sectors have no trade
    off = ~np.eye(31, dtype=bool)
    assert not cp.flows[:, :, 20:][off].any()
    assert cp.theta[20:].tolist() == [8.22] * 20


@pytest.mark.parametrize("column,published", [
    ("terms_of_trade_pct", {"MEX": -0.41, "CAN": -0.11, "USA": 0.04}),
    ("volume_of_trade_pct", {"MEX": 1.72, "CAN": 0.04, "USA": 0.04}),
    ("decomposition_sum_pct", {"MEX": 1.31, "CAN": -0.06, "USA": 0.08}),
])
def test_table2_decomposition(zero_deficit, column, published):
    d = zero_deficit.welfare_decomposition().set_index("country")
    for c, v in published.items():
        assert d.loc[c, column] == pytest.approx(v, abs=TOL_PP), (c, column)


def test_table2_real_wage(zero_deficit):
    c = zero_deficit.countries.set_index("country")
    for k, v in {"MEX": 1.72, "CAN": 0.32, "USA": 0.11}.items():
        assert c.loc[k, "real_wage_change_pct"] == pytest.approx(v, abs=TOL_PP), k


def test_intra_nafta_imports(zero_deficit):
    # printed as whole percents ("about"): tolerance 1 pp
    f = zero_deficit.flows
    f = f[f["exporter"].isin(NAFTA) & f["importer"].isin(NAFTA) & (f["exporter"] != f["importer"])]
    g = f.groupby("importer")[["baseline", "scenario"]].sum()
    change = 100 * (g["scenario"] / g["baseline"] - 1)
    for k, v in {"MEX": 118, "CAN": 11, "USA": 41}.items():
        assert change[k] == pytest.approx(v, abs=1.0), k


def test_exact_welfare_mexico_near_zero(zero_deficit):
    # data README: exact I-hat/P-hat for Mexico about +0.007%; tariff revenue falls ~80%
    d = zero_deficit.welfare_decomposition().set_index("country")
    assert d.loc["MEX", "welfare_exact_pct"] == pytest.approx(0.007, abs=0.002)
    c = zero_deficit.countries.set_index("country")
    drop = 1 - c.loc["MEX", "tariff_revenue_scenario"] / c.loc["MEX", "tariff_revenue_baseline"]
    assert drop == pytest.approx(0.8, abs=0.05)


def _decomposition_by_hand(cp, result):
    """CP's ToT and VoT (MODEL.md section 2), in %, for every country, from the result's
    flows and value added only.

    Cost changes are recovered from the equilibrium conditions: for importer n and sector j
    take its largest source i (pi_ni^j > 0); eq. 3 gives
    log P-hat_n^j = log kappa-hat_ni^j + log c-hat_i^j + log(pi'_ni^j / pi_ni^j) / theta^j,
    and eq. 1, log c-hat_n^j = gamma_n^j log w-hat_n + sum_k gamma_n^{k,j} log P-hat_n^k,
    becomes one linear system in log c-hat (N*J unknowns). w-hat = VA'/VA (labour fixed).
    """
    N, J = len(cp.countries), len(cp.sectors)
    f = result.flows
    X0, X1, t0, t1 = (f[k].to_numpy().reshape(N, N, J) for k in
                      ("baseline", "scenario", "tariff_baseline", "tariff_scenario"))
    c = result.countries.set_index("country").loc[list(cp.countries)]
    w_hat = (c["value_added_scenario"] / c["value_added_baseline"]).to_numpy()
    S0, S1 = X0 * (1 + t0), X1 * (1 + t1)          # spending, tariff-inclusive
    pi0 = S0 / S0.sum(axis=0, keepdims=True)
    pi1 = S1 / S1.sum(axis=0, keepdims=True)
    src = pi0.argmax(axis=0)                        # (importer n, sector j)
    n_, j_ = np.meshgrid(np.arange(N), np.arange(J), indexing="ij")
    known = (np.log((1 + t1[src, n_, j_]) / (1 + t0[src, n_, j_]))
             + np.log(pi1[src, n_, j_] / pi0[src, n_, j_]) / cp.theta)   # log P - log c_src
    G = cp.io                                       # [n, k, j]
    A = np.eye(N * J)
    for n in range(N):
        cols = src[n] * J + np.arange(J)            # unknown log c_{src(n,k), k}
        np.subtract.at(A, (n * J + np.arange(J)[:, None], cols[None, :]), G[n].T)
    rhs = cp.value_added * np.log(w_hat)[:, None] + np.einsum("nkj,nk->nj", G, known)
    c_hat = np.exp(np.linalg.solve(A, rhs.ravel()).reshape(N, J))
    off = ~np.eye(N, dtype=bool)[:, :, None]
    E = X0 * off                                    # [exporter, importer]
    gain = E * (c_hat[:, None, :] - 1)              # exports valued at the exporter's cost
    tot = gain.sum(axis=(1, 2)) - gain.sum(axis=(0, 2))
    m_hat = np.divide(X1, X0, out=np.ones_like(X1), where=X0 > 0)
    vot = (t0 * E * (m_hat - c_hat[:, None, :])).sum(axis=(0, 2))
    income = c["income_baseline"].to_numpy()
    return 100 * tot / income, 100 * vot / income


@pytest.mark.parametrize("closure", ["fixed_deficit", "balanced"])
def test_decomposition_equals_recomputation_from_the_equilibrium(request, cp, closure):
    """The solver's ToT / VoT equal the same formula evaluated on the returned equilibrium
    (independent code path, see _decomposition_by_hand), for all 31 countries, to 1e-8 pp.
    Under `balanced` the baseline flows are those of the zero-deficit baseline solve."""
    result = request.getfixturevalue("fixed_deficit" if closure == "fixed_deficit"
                                     else "zero_deficit")
    tot, vot = _decomposition_by_hand(cp, result)
    d = result.welfare_decomposition().set_index("country").loc[list(cp.countries)]
    np.testing.assert_allclose(d["terms_of_trade_pct"], tot, rtol=0, atol=1e-8)
    np.testing.assert_allclose(d["volume_of_trade_pct"], vot, rtol=0, atol=1e-8)
    np.testing.assert_allclose(d["decomposition_sum_pct"], tot + vot, rtol=0, atol=1e-8)


@pytest.mark.parametrize("country, expected", [("MEX", 1.17), ("CAN", -0.04),
                                               ("USA", 0.08)])
def test_fixed_deficit_decomposition_sum(fixed_deficit, country, expected):
    """CP replication with deficits held fixed, as stated in issue #6 (two decimals)."""
    d = fixed_deficit.welfare_decomposition().set_index("country")
    assert d.loc[country, "decomposition_sum_pct"] == pytest.approx(expected, abs=TOL_PP)


def test_fixed_deficit_differs_from_zero_deficit_for_mexico(fixed_deficit, zero_deficit):
    """Holding Mexico's 1993 deficit fixed is a different experiment from the zero-deficit
    Table 2 (a check that the closure reaches the solver): the decompositions must differ
    by more than Table 2's printing precision."""
    fd = fixed_deficit.welfare_decomposition().set_index("country")
    zd = zero_deficit.welfare_decomposition().set_index("country")
    assert abs(fd.loc["MEX", "decomposition_sum_pct"]
               - zd.loc["MEX", "decomposition_sum_pct"]) > TOL_PP


def test_fixed_deficit_keeps_total_balances(fixed_deficit):
    c = fixed_deficit.countries
    np.testing.assert_allclose(c["balance_scenario"], c["balance_baseline"],
                               rtol=0, atol=1e-6 * c["exports_baseline"].sum())


def test_converged_with_diagnostics(zero_deficit):
    d = zero_deficit.diagnostics
    assert d["residual"] < 1e-10 and d["iterations"] > 1
