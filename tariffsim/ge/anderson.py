"""Anderson-accelerated fixed-point iteration, the one routine behind every GE iteration.

Both fixed points of the Caliendo-Parro solver run through `anderson`:

* the outer problem in [`tariffsim.ge.system`][] (log wage changes and the extra
  unknowns of commitments and quotas), a damped map renormalised to world GDP every step;
* the linear expenditure system ``X = L(X) + b`` of
  [`tariffsim.ge.equilibrium.solve_expenditure`][], a contraction.

The method is Anderson mixing of type II (Walker & Ni 2011): with the images
$g_k = \\mathcal N(z_k + \\beta f(z_k))$ and steps $f_k = g_k - z_k$ of the last
``m + 1`` iterates,

$$
z_{k+1} = g_k - \\Delta G\\,\\gamma,\\qquad
\\gamma = \\arg\\min_\\gamma \\lVert f_k - \\Delta F\\,\\gamma \\rVert_2
$$

($\\Delta$ the differences of successive columns), safeguarded by restarts, a cap on
the extrapolation length and plain damped steps when the acceleration stalls (the layers are
described in `anderson` and in docs/ge.md, "The solver").

References
----------
Anderson, D. G. (1965). Iterative Procedures for Nonlinear Integral Equations. Journal of
the ACM 12(4), 547-560. Walker, H. F. and Ni, P. (2011). Anderson Acceleration for
Fixed-Point Iterations. SIAM Journal on Numerical Analysis 49(4), 1715-1735.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["anderson", "FixedPointResult"]

#: ``F(z) -> (f, res)``: the (preconditioned) step at ``z`` and the residual of the
#: stopping rule (any norm of the equations; it need not be a norm of ``f``).
StepFunction = Callable[[np.ndarray], tuple[np.ndarray, float]]


@dataclass
class FixedPointResult:
    """Outcome of `anderson`.

    Attributes
    ----------
    z : ndarray
        The point where the residual fell below ``tol`` (``converged``), else the last
        iterate (not evaluated).
    converged : bool
        Whether the residual fell below ``tol``.
    failure : {None, "max_iter", "non-finite"}
        Why it did not converge: the iteration budget ran out, or ``F`` returned
        non-finite values that no restart could avoid.
    best_z : ndarray or None
        The iterate with the smallest residual seen (None when none was finite).
    diagnostics : dict
        ``iterations``, ``residual`` (at ``z``, or the last one evaluated),
        ``best_residual``, ``last_step`` (max abs change of the last step), ``restarts``,
        ``plain_episodes``, ``plain_step_scale`` and ``residual_history`` (one entry per
        iteration).
    """

    z: np.ndarray
    converged: bool
    failure: str | None
    best_z: np.ndarray | None
    diagnostics: dict[str, Any] = field(default_factory=dict)


class _Memory:
    """The mixing memory: the differences of the last ``m + 1`` images ``g`` and steps
    ``f = g - z`` (kept as differences, so an extrapolation stacks them once), and the
    last pair."""

    __slots__ = ("m", "rcond", "dG", "dF", "g", "f")

    def __init__(self, m: int, rcond: float | None) -> None:
        self.m = m
        self.rcond = rcond
        self.dG: list[np.ndarray] = []
        self.dF: list[np.ndarray] = []
        self.g: np.ndarray | None = None
        self.f: np.ndarray | None = None

    def __len__(self) -> int:
        """Number of stored pairs."""
        return 0 if self.f is None else len(self.dF) + 1

    def clear(self) -> None:
        self.dG.clear()
        self.dF.clear()
        self.g = self.f = None

    def push(self, g: np.ndarray, f: np.ndarray) -> None:
        if self.f is not None and self.g is not None:
            self.dG.append(g - self.g)
            self.dF.append(f - self.f)
            if len(self.dF) > self.m:
                del self.dG[0], self.dF[0]
        self.g, self.f = g, f

    def extrapolate(self) -> np.ndarray | None:
        """``g_k - dG gamma`` with ``gamma`` the least-squares fit of ``f_k`` by ``dF``;
        None (and the memory cleared) when the fit fails or is not finite."""
        assert self.g is not None and self.f is not None and self.dF
        try:
            gamma = _fit(np.array(self.dF).T, self.f, self.rcond)
        except np.linalg.LinAlgError:
            self.clear()
            return None
        z = self.g - np.array(self.dG).T @ gamma
        if not np.isfinite(z).all():
            self.clear()
            return None
        return z


def _fit(D: np.ndarray, f: np.ndarray, rcond: float | None) -> np.ndarray:
    """``argmin_g ||f - D g||_2`` for a tall ``D`` (n x k, k <= memory).

    The normal equations ``D'D g = D'f`` (one pass over ``D``, O(n k^2), a k x k solve)
    when ``D`` is well conditioned (condition number below ``1e4``, so they lose at most
    about 1e-8 relative accuracy), else ``numpy.linalg.lstsq`` with the ``rcond``
    cut-off (SVD, rank-revealing). Both give the least-squares solution; the first skips
    the SVD's cost on the long ``(N J)``-vectors of the expenditure system.
    """
    if D.shape[0] > 4 * D.shape[1]:
        G = D.T @ D
        w = np.linalg.eigvalsh(G)
        if w[0] > 0 and w[-1] < 1e8 * w[0]:
            return np.linalg.solve(G, D.T @ f)
    return np.linalg.lstsq(D, f, rcond=rcond)[0]


def _finite(f: np.ndarray, res: float) -> bool:
    return math.isfinite(res) and bool(np.isfinite(f).all())


def anderson(F: StepFunction, z0: np.ndarray, beta: float | np.ndarray = 1.0, *,
             tol: float, max_iter: int, m: int = 8, rcond: float | None = 1e-12,
             normalize: Callable[[np.ndarray], np.ndarray] | None = None,
             max_step: float = 1.0, stall_window: int | None = None,
             reaccelerate: float = 1e-2, max_restarts: int = 5) -> FixedPointResult:
    """Anderson-accelerated damped fixed point ``z <- normalize(z + beta * f(z))``, with a
    fallback to plain damped steps of adaptive length when the acceleration stalls.

    The memory holds the normalised images ``g = normalize(z + beta f)`` and the steps
    ``g - z``, so that the secant model only sees directions the map can move: a component
    of ``f`` along a normalised-away direction (the level of the wages) is not a direction
    of progress and must not enter the least-squares fit (fitting it made the
    extrapolation stagnate far from the solution).

    Two modes:

    * ``accelerated`` (the fast path): the memory is restarted from the best point of the
      episode when the residual grows by a factor 10 or becomes non-finite; an
      extrapolation further than ``max_step`` (max-abs units of ``z``) from the damped step
      is shortened to that length. When the best residual has not improved by 1% in
      ``stall_window`` iterations, or after ``max_restarts`` restarts without such
      progress, the solver switches to
    * ``plain``: damped steps without acceleration, from the episode's best point. Anderson
      (a multi-secant method) can circle a point where the residual is small but not zero;
      the plain step points the right way there. Its length adapts: x1.5 while successive
      steps keep their direction (cosine > 0.9), x0.5 when they reverse (overshoot), never
      more than ``max_step`` per iteration, and the step is halved after non-finite values.
      The residual is not a merit function of a general map (it can rise for hundreds of
      steps on the way to a distant solution), so plain steps never restart on residual
      growth. Once the residual is below ``reaccelerate`` times its value at the switch, a
      new accelerated episode starts.

    On a contraction (the expenditure system) none of the safeguards fires and this is
    plain Anderson mixing.

    Parameters
    ----------
    F : callable
        ``F(z) -> (f, res)``: the step at ``z`` (same shape, 1-D) and the residual used for
        the stopping rule ``res < tol``; it must not modify ``z``. Floating-point warnings
        inside ``F`` are silenced: non-finite values are handled here (restart, or
        ``failure="non-finite"``).
    z0 : ndarray (n,)
        Starting point.
    beta : float or ndarray (n,)
        Damping of the step.
    tol : float
        Stopping threshold on ``res``.
    max_iter : int
        Evaluations of ``F`` (not counting restarts) before giving up.
    m : int
        Memory: the least-squares fit uses the last ``m`` differences.
    rcond : float or None
        Cut-off of small singular values in the least-squares fit (``numpy.linalg.lstsq``).
    normalize : callable, optional
        Projection applied to every new iterate (e.g. the world-GDP normalisation).
    max_step : float
        Longest step (max abs change) of an extrapolation beyond the damped step and of a
        plain step; ``numpy.inf`` for none.
    stall_window : int, optional
        Iterations without a 1% improvement before switching to plain steps; default
        ``6 * m``.
    reaccelerate : float
        Fraction of the residual at the switch below which acceleration resumes.
    max_restarts : int
        Restarts without progress before switching to plain steps.

    Returns
    -------
    FixedPointResult
        Never raises for non-convergence: the caller decides (raise, fall back to Newton,
        or use the last iterate).
    """
    if stall_window is None:
        stall_window = 6 * m
    it = _Iteration(F, z0, beta, m=m, rcond=rcond, normalize=normalize, max_step=max_step,
                    stall_window=stall_window, reaccelerate=reaccelerate,
                    max_restarts=max_restarts)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return it.run(tol, max_iter)


class _Iteration:
    """The state of one `anderson` run and its steps (one method per decision).

    Iterates are never modified in place (every step makes a new array), so the best
    points are kept by reference.
    """

    def __init__(self, F: StepFunction, z0: np.ndarray, beta: float | np.ndarray, *,
                 m: int, rcond: float | None,
                 normalize: Callable[[np.ndarray], np.ndarray] | None, max_step: float,
                 stall_window: int, reaccelerate: float, max_restarts: int) -> None:
        self.F, self.beta, self.normalize = F, beta, normalize
        self.max_step, self.stall_window = max_step, stall_window
        self.reaccelerate, self.max_restarts = reaccelerate, max_restarts
        self.mem = _Memory(m, rcond)
        self.z = z0.copy()
        self.last_pair: tuple[np.ndarray, np.ndarray] | None = None  # the last step's ends
        self.best: float = np.inf                 # overall best residual ...
        self.best_z: np.ndarray | None = None     # ... and point
        self.ep_best = (np.inf, z0.copy())        # best point of the accelerated episode
        self.history: list[float] = []
        self.restarts = 0                         # memory restarts
        self.ep_restarts = 0                      # restarts since the last progress
        self.switches = 0                         # plain episodes
        self.accelerate = True
        self.scale = 1.0                          # plain-step multiplier
        self.s_prev: np.ndarray | None = None     # previous plain step
        self.z_prev = z0.copy()                   # last finite plain iterate
        self.plain_ref: float = np.inf
        self.progress_it, self.progress_res = 0, np.inf

    def run(self, tol: float, max_iter: int) -> FixedPointResult:
        for it in range(1, max_iter + 1):
            f, res = self.F(self.z)
            self.history.append(res)
            if not _finite(f, res):
                f, res = self._recover(f, res)
                if not _finite(f, res):
                    return self._result(it, res, False, "non-finite")
            if res < self.best:
                self.best, self.best_z = res, self.z
            if res < tol:
                return self._result(it, res, True, None)
            f, res = self._choose_mode(it, f, res)
            z_new = self._accelerated_step(f) if self.accelerate else self._plain_step(f)
            self.last_pair = (self.z, z_new)
            self.z = z_new
        return self._result(max_iter, self.history[-1] if self.history else np.nan, False,
                            "max_iter")

    def _restart_from(self, z: np.ndarray) -> tuple[np.ndarray, float]:
        self.z = z.copy()
        return self.F(self.z)

    def _recover(self, f: np.ndarray, res: float) -> tuple[np.ndarray, float]:
        """After non-finite values: an accelerated step restarts from the episode's best
        point, a plain step is halved from the last finite one; the values at the restart
        (``f, res`` unchanged when there is no finite point to restart from)."""
        self.restarts += 1
        if self.accelerate and np.isfinite(self.ep_best[0]):
            self.ep_restarts += 1                 # an accelerated step left the domain
            self.mem.clear()
            return self._restart_from(self.ep_best[1])
        if not self.accelerate:                   # a plain step did: shorter, from the last
            self.scale *= 0.5
            self.s_prev = None
            return self._restart_from(self.z_prev)
        return f, res

    def _choose_mode(self, it: int, f: np.ndarray, res: float) -> tuple[np.ndarray, float]:
        """Switch to plain steps on a stall, restart on a 10-fold residual growth, resume
        acceleration once plain steps cut the residual by ``reaccelerate``."""
        if not self.accelerate:
            if res < self.reaccelerate * self.plain_ref:
                self.accelerate = True
                self.ep_best = (res, self.z)
                self.progress_it, self.progress_res, self.ep_restarts = it, res, 0
            return f, res
        if res < self.ep_best[0]:
            self.ep_best = (res, self.z)
        if res < 0.99 * self.progress_res:
            self.progress_it, self.progress_res, self.ep_restarts = it, res, 0
        if it - self.progress_it >= self.stall_window or self.ep_restarts >= self.max_restarts:
            self.accelerate = False
            self.switches += 1
            self.mem.clear()
            f, res = self._restart_from(self.ep_best[1])
            self.plain_ref, self.s_prev, self.scale = res, None, 1.0
        elif res > 10 * self.ep_best[0] and len(self.mem) > 0:
            self.restarts += 1
            self.ep_restarts += 1
            self.mem.clear()
            f, res = self._restart_from(self.ep_best[1])
        return f, res

    def _accelerated_step(self, f: np.ndarray) -> np.ndarray:
        """The damped image, extrapolated by Anderson mixing (at most ``max_step`` beyond
        it)."""
        z = self.z
        g = z + self.beta * f
        if self.normalize is not None:
            g = self.normalize(g)
        self.mem.push(g, g - z)
        if len(self.mem) < 2:
            return g
        z_acc = self.mem.extrapolate()
        if z_acc is None:
            return g
        if self.max_step < np.inf:
            dev = np.abs(z_acc - g).max()
            if dev > self.max_step:
                z_acc = g + (z_acc - g) * (self.max_step / dev)
        return z_acc if self.normalize is None else self.normalize(z_acc)

    def _plain_step(self, f: np.ndarray) -> np.ndarray:
        """A damped step, at most ``max_step`` long, its length adapted to the angle with
        the previous one (x1.5 when they agree, x0.5 when they reverse)."""
        z = self.z
        self.z_prev = z
        step = (self.scale * self.beta) * f
        size = np.abs(step).max()
        if size > self.max_step:
            step *= self.max_step / size
        z_new = z + step
        if self.normalize is not None:
            z_new = self.normalize(z_new)
        s = z_new - z
        if self.s_prev is not None:
            cos = float(s @ self.s_prev) / max(
                float(np.linalg.norm(s) * np.linalg.norm(self.s_prev)), 1e-300)
            if cos > 0.9:
                self.scale = min(self.scale * 1.5, 1e6)
            elif cos < 0.0:
                self.scale *= 0.5
        self.s_prev = s
        return z_new

    def _result(self, it: int, res: float, converged: bool,
                failure: str | None) -> FixedPointResult:
        lp = self.last_pair
        last = np.nan if lp is None else float(np.abs(lp[1] - lp[0]).max())
        return FixedPointResult(self.z, converged, failure, self.best_z, {
            "iterations": it, "residual": res, "best_residual": self.best, "last_step": last,
            "restarts": self.restarts, "plain_episodes": self.switches,
            "plain_step_scale": self.scale, "residual_history": self.history})
