"""The one Anderson routine (tariffsim.ge.anderson) on problems with known solutions.

Each solution is derived independently of the routine: a linear system solved by
``numpy.linalg.solve``, a scalar equation with a closed-form root, a map whose fixed
point is known by construction.
"""

from __future__ import annotations

import numpy as np
import pytest

from tariffsim.ge.anderson import anderson
from tariffsim.ge.equilibrium import solve_expenditure


def _contraction(n, seed=0, radius=0.9):
    rng = np.random.default_rng(seed)
    M = rng.uniform(0, 1, (n, n))
    M *= radius / np.abs(np.linalg.eigvals(M)).max()
    return M, rng.uniform(1, 2, n)


def test_linear_contraction_matches_direct_solve():
    M, b = _contraction(40)
    exact = np.linalg.solve(np.eye(40) - M, b)

    def F(x):
        f = M @ x + b - x
        return f, float(np.abs(f).max())

    fp = anderson(F, np.zeros(40), tol=1e-13, max_iter=200, m=6, rcond=None,
                  max_step=np.inf)
    assert fp.converged and fp.failure is None
    np.testing.assert_allclose(fp.z, exact, rtol=1e-11)
    # acceleration: plain iteration needs log(1e-13)/log(0.9) ~ 280 steps
    assert fp.diagnostics["iterations"] < 60
    assert len(fp.diagnostics["residual_history"]) == fp.diagnostics["iterations"]
    assert fp.diagnostics["restarts"] == 0 and fp.diagnostics["plain_episodes"] == 0


def test_solve_expenditure_is_the_linear_solution():
    """X = L(X) + b with L(X) = M X, against the dense solve; Y is L's by-product."""
    M, b = _contraction(12, seed=1, radius=0.7)
    b = b.reshape(3, 4)

    def L(X):
        LX = (M @ X.ravel()).reshape(3, 4)
        return LX, 2 * X

    X, Y, its = solve_expenditure(L, b, np.zeros((3, 4)), tol=1e-14)
    exact = np.linalg.solve(np.eye(12) - M, b.ravel()).reshape(3, 4)
    np.testing.assert_allclose(X, exact, rtol=1e-12)
    np.testing.assert_allclose(Y, 2 * exact, rtol=1e-12)
    assert 1 < its < 50


def test_normalisation_and_damping():
    """Fixed point of z -> z + beta * (log c - z + mean z): with the level normalised away
    (mean zero) the solution is log c minus its mean."""
    c = np.array([1.0, 2.0, 4.0, 8.0])
    target = np.log(c) - np.log(c).mean()

    def F(z):
        f = np.log(c) - z
        return f, float(np.abs(f - f.mean()).max())

    fp = anderson(F, np.zeros(4), 0.5, tol=1e-12, max_iter=100,
                  normalize=lambda z: z - z.mean())
    assert fp.converged
    np.testing.assert_allclose(fp.z, target, atol=1e-11)


def test_budget_exhausted_reports_without_raising():
    M, b = _contraction(20, seed=2, radius=0.99)

    def F(x):
        f = M @ x + b - x
        return f, float(np.abs(f).max())

    fp = anderson(F, np.zeros(20), tol=1e-300, max_iter=5, m=3)
    assert not fp.converged and fp.failure == "max_iter"
    d = fp.diagnostics
    assert d["iterations"] == 5 and len(d["residual_history"]) == 5
    assert d["best_residual"] == min(d["residual_history"])
    assert fp.best_z is not None and np.isfinite(d["last_step"])


def test_non_finite_start_fails_cleanly():
    def F(z):
        return np.full_like(z, np.nan), float("nan")

    fp = anderson(F, np.zeros(3), tol=1e-10, max_iter=50)
    assert not fp.converged and fp.failure == "non-finite"
    assert fp.best_z is None and fp.diagnostics["iterations"] == 1


def test_restart_after_leaving_the_domain():
    """f = log(2 - z) - ... is undefined for z >= 2: an extrapolated step beyond it
    gives NaN, the memory restarts from the best point and the iteration still finds the
    root z* = 1 of log(2 - z) = 0 (the step f(z) = 0.6 log(2 - z) pushes z towards it)."""
    calls = []

    def F(z):
        calls.append(float(z[0]))
        with np.errstate(invalid="ignore"):
            f = 0.6 * np.log(2.0 - z) + 0.0 * z
        f = np.where(z >= 2, np.nan, f)
        return f, float(np.abs(f).max())

    fp = anderson(F, np.array([-30.0]), 3.0, tol=1e-12, max_iter=200, max_step=np.inf)
    assert fp.converged
    assert fp.z[0] == pytest.approx(1.0, abs=1e-11)
    assert max(calls) >= 2 and fp.diagnostics["restarts"] >= 1


def test_stall_switches_to_plain_steps():
    """max_restarts=0 counts as stalled from the first iteration: the plain mode (damped
    steps of adaptive length) alone converges on a contraction too."""
    M, b = _contraction(8, seed=3, radius=0.5)
    exact = np.linalg.solve(np.eye(8) - M, b)

    def F(x):
        f = M @ x + b - x
        return f, float(np.abs(f).max())

    fp = anderson(F, np.zeros(8), tol=1e-12, max_iter=500, max_restarts=0,
                  max_step=np.inf, reaccelerate=1e-30)
    assert fp.converged and fp.diagnostics["plain_episodes"] >= 1
    np.testing.assert_allclose(fp.z, exact, rtol=1e-10)
