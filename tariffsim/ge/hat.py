"""Solving one hat-algebra system: Anderson iteration, then a quasi-Newton fallback.

[`solve_system`][tariffsim.ge.hat.solve_system] iterates
[`evaluate`][tariffsim.ge.system.HatSystem.evaluate] with `anderson` (damped by
``1/(1 + mean theta)`` for the wages, renormalised to world GDP every step) and, when the iteration
budget runs out, tries ``scipy.optimize.root`` on the system reduced by the normalisation and
Walras' law (docs/ge.md, "The solver"). [`solve_hat`][tariffsim.ge.hat.solve_hat] is the array-level
entry point.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence

import numpy as np

from tariffsim.errors import ConvergenceError, UnreachableError
from tariffsim.ge.anderson import FixedPointResult, anderson
from tariffsim.ge.calibration import CalibratedModel
from tariffsim.ge.prepare import Extra
from tariffsim.ge.system import HatSolution, HatSystem, HatTerms, hat_terms
from tariffsim.literals import Closure, check_option

__all__ = ["solve_hat", "solve_system", "model_from_solution"]

#: Anderson memory of the outer iteration.
_MEMORY = 8


def solve_hat(model: CalibratedModel, *, tau_new: np.ndarray | None = None,
              trade_costs: np.ndarray | None = None, rent_rate: np.ndarray | None = None,
              dissipated_rate: np.ndarray | None = None, b: np.ndarray | None = None,
              closure: str = "fixed_deficit", numeraire: int | None = None,
              extras: Sequence[Extra] = (), tol: float = 1e-10,
              max_iter: int = 1000) -> HatSolution:
    """Solve one counterfactual equilibrium in exact hat algebra (CP 2015, eq. 10-14).

    Parameters
    ----------
    model : CalibratedModel
        Baseline levels.
    tau_new : ndarray (J, N, N), optional
        New tariffs [sector, importer, exporter]; baseline tariffs when None.
    trade_costs : ndarray (J, N, N), optional
        Iceberg factor change d-hat.
    rent_rate, dissipated_rate : ndarray (J, N, N), optional
        Export-tax rates whose revenue goes to the exporter / is dissipated.
    b : ndarray (J, N, N), optional
        Fixed demand shifters.
    closure : {"fixed_deficit", "deficit_ratio", "balanced"}
        ``balanced`` here means one solve with D' = 0 from the given model.
    numeraire : int or None
        Country index whose aggregate price index is the numeraire; None: world GDP.
    extras : sequence of Extra
        Commitments and (active) quotas, each one more unknown.
    tol : float
        Max abs log excess labour demand (equivalently relative trade-balance error) and
        max abs log gap to commitment / quota targets.
    max_iter : int
        Outer iterations before the fallback (and then ConvergenceError).

    Returns
    -------
    HatSolution
    """
    check_option(closure, Closure, "closure")
    terms = hat_terms(model, tau_new=tau_new, trade_costs=trade_costs, rent_rate=rent_rate,
                      dissipated_rate=dissipated_rate, b=b)
    return solve_system(model, terms, closure=closure, numeraire=numeraire,
                        extras=list(extras), tol=tol, max_iter=max_iter)


def solve_system(model: CalibratedModel, terms: HatTerms, *, closure: str,
                 numeraire: int | None, extras: list[Extra], tol: float,
                 max_iter: int) -> HatSolution:
    """Solve the [`HatSystem`][tariffsim.ge.system.HatSystem] of ``terms`` from ``w-hat = 1``
    (extras at zero).

    Returns
    -------
    HatSolution
        Its ``diagnostics`` hold the iteration counters (``iterations``, ``residual``,
        ``best_residual``, ``last_step``, ``restarts``, ``plain_episodes``,
        ``plain_step_scale``, ``residual_history``), ``evaluations``, the inner iteration
        counts, ``time_s`` and, after a failed iteration, ``fallback``.

    Raises
    ------
    ConvergenceError
        Neither the iteration nor the fallback reached ``tol`` (the message says how the
        fallback ended), non-finite values, or negative spending.
    UnreachableError
        A commitment or quota target no equilibrium reaches.
    """
    system = HatSystem(model, terms, closure=closure, numeraire=numeraire, extras=extras,
                       tol=tol)
    t0 = time.perf_counter()
    fp = anderson(system.evaluate, np.zeros(system.n_unknowns), system.damping(), tol=tol,
                  max_iter=max_iter, m=_MEMORY, rcond=1e-12, normalize=system.normalize)
    diag = fp.diagnostics
    z = fp.z
    if not fp.converged:
        z, diag = _after_failure(system, fp, max_iter, tol, t0)
    # make sure the stored state is the one at z
    diag["residual"] = system.evaluate(z)[1]
    diag.update(time_s=time.perf_counter() - t0, evaluations=system.evals,
                inner_price_iterations=system.inner_price_iters,
                inner_expenditure_iterations=system.inner_x_iters)
    return system.solution(diag)


def _after_failure(system: HatSystem, fp: FixedPointResult, max_iter: int, tol: float,
                   t0: float) -> tuple[np.ndarray, dict]:
    """The Newton fallback after a failed iteration: ``(z, diagnostics)``, or
    ConvergenceError naming how the fallback ended."""
    diag = {k: v for k, v in fp.diagnostics.items() if k != "residual_history"}
    if fp.best_z is None:
        z, note = None, "not tried (no finite point)"
    elif not (diag.get("plain_episodes") or max_iter >= 100):
        z, note = None, "not tried (max_iter < 100)"
    else:
        z, note = _root_fallback(system, fp.best_z)
    diag.update(time_s=time.perf_counter() - t0, closure=system.closure, fallback=note)
    if z is None:
        msg = ("GE solver produced non-finite values" if fp.failure == "non-finite" else
               f"GE solver did not reach tol={tol:g} in {max_iter} iterations; raise "
               f"max_iter, loosen tol, or check the shock for extreme values")
        raise ConvergenceError(f"{msg}; fallback Newton solve: {note}", diagnostics=diag)
    return z, diag


def _root_fallback(system: HatSystem, z_best: np.ndarray) -> tuple[np.ndarray | None, str]:
    """Last resort after the fixed point failed: a quasi-Newton solve (MINPACK hybrid,
    finite-difference Jacobian; Newton-Krylov above 50 unknowns) of the system reduced
    by the normalisation and Walras' law, from the best point the iteration found.

    Unknowns ``z[1:]`` (log wages of countries 1..N-1 relative to country 0, and the
    extras); equations: every residual but country 0's labour market, which holds by
    Walras' law once the others do. Some equilibria are so ill-conditioned (a country
    whose trade nearly vanishes under a prohibitive shock: its wage barely moves the
    residuals) that a fixed-point step crawls; a Jacobian-based step does not.

    Returns ``(z, note)`` with ``z`` None on failure.
    """
    from scipy.optimize import root

    z_best = np.asarray(z_best, dtype=float)
    n = z_best.size - 1
    if n == 0:
        return None, "nothing to solve (one country, no extras)"
    big = np.full(n, 1e3)

    def G(x: np.ndarray) -> np.ndarray:
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                f, _ = system.evaluate(np.concatenate([z_best[:1], x]))
        except UnreachableError:
            return big
        f = f[1:]
        return f if np.all(np.isfinite(f)) else big

    method = "hybr" if n <= 50 else "krylov"
    opts = ({"xtol": 1e-15, "maxfev": 100 * (n + 1)} if method == "hybr" else
            {"fatol": system.tol * 0.1, "maxiter": 100})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sol = root(G, z_best[1:], method=method, options=opts)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
        return None, f"{method} failed ({exc})"
    z = np.concatenate([z_best[:1], sol.x])
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        _, res = system.evaluate(z)
    if np.isfinite(res) and res < system.tol:
        return system.normalize(z), f"{method}: solved, residual {res:.3g}"
    return None, f"{method} did not converge (residual {res:.3g}: {sol.message})"


def model_from_solution(model: CalibratedModel, sol: HatSolution) -> CalibratedModel:
    """The levels of a solved equilibrium as a new baseline (used by the ``balanced``
    closure and to make a baseline with clipped final-demand shares self-consistent)."""
    return model.replace(pi=sol.pi, tau=sol.tau, X=sol.X, Y=sol.Y, VA=sol.VA, D=sol.D)
