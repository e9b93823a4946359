"""Anderson-accelerated fixed-point iteration, the one routine behind every GE iteration.

Both fixed points of the Caliendo-Parro solver run through :func:`anderson`:

* the outer problem in :mod:`tariffsim.ge.system` (log wage changes and the extra
  unknowns of commitments and quotas), a damped map renormalised to world GDP every step;
* the linear expenditure system ``X = L(X) + b`` of
  :func:`tariffsim.ge.equilibrium.solve_expenditure`, a contraction.

The method is Anderson mixing of type II (Walker & Ni 2011): with the images
:math:`g_k = \\mathcal N(z_k + \\beta f(z_k))` and steps :math:`f_k = g_k - z_k` of the last
``m + 1`` iterates,

.. math:: z_{k+1} = g_k - \\Delta G\\,\\gamma,\\qquad
          \\gamma = \\arg\\min_\\gamma \\lVert f_k - \\Delta F\\,\\gamma \\rVert_2

(:math:`\\Delta` the differences of successive columns), safeguarded by restarts, a cap on
the extrapolation length and plain damped steps when the acceleration stalls (the layers are
described in :func:`anderson` and in docs/ge.md, "The solver").

References
----------
Anderson, D. G. (1965). Iterative Procedures for Nonlinear Integral Equations. Journal of
the ACM 12(4), 547-560. Walker, H. F. and Ni, P. (2011). Anderson Acceleration for
Fixed-Point Iterations. SIAM Journal on Numerical Analysis 49(4), 1715-1735.
"""

from __future__ import annotations

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
    """Outcome of :func:`anderson`.

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
    """The mixing memory: the last ``m + 1`` images ``g`` and steps ``f = g - z``."""

    __slots__ = ("m", "rcond", "G", "F")

    def __init__(self, m: int, rcond: float | None) -> None:
        self.m = m
        self.rcond = rcond
        self.G: list[np.ndarray] = []
        self.F: list[np.ndarray] = []

    def __len__(self) -> int:
        return len(self.F)

    def clear(self) -> None:
        self.G.clear()
        self.F.clear()

    def push(self, g: np.ndarray, f: np.ndarray) -> None:
        self.G.append(g)
        self.F.append(f)
        if len(self.F) > self.m + 1:
            self.G.pop(0)
            self.F.pop(0)

    def extrapolate(self) -> np.ndarray | None:
        """``g_k - dG gamma`` with ``gamma`` the least-squares fit of ``f_k`` by ``dF``;
        None (and the memory cleared) when the fit fails or is not finite."""
        dF = np.diff(np.array(self.F), axis=0).T
        dG = np.diff(np.array(self.G), axis=0).T
        try:
            gamma = np.linalg.lstsq(dF, self.F[-1], rcond=self.rcond)[0]
        except np.linalg.LinAlgError:
            self.clear()
            return None
        z = self.G[-1] - dG @ gamma
        if not np.all(np.isfinite(z)):
            self.clear()
            return None
        return z


def _finite(f: np.ndarray, res: float) -> bool:
    return bool(np.isfinite(res) and np.all(np.isfinite(f)))


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
        the stopping rule ``res < tol``. Floating-point warnings inside ``F`` are silenced:
        non-finite values are handled here (restart, or ``failure="non-finite"``).
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
    mem = _Memory(m, rcond)
    z = z0.copy()
    last_pair: tuple[np.ndarray, np.ndarray] | None = None  # ends of the last step taken
    best, best_z = np.inf, None         # overall best residual and point
    ep_best = (np.inf, z0.copy())       # best point of the current accelerated episode
    history: list[float] = []
    restarts = 0                        # memory restarts
    ep_restarts = 0                     # restarts since the last progress
    switches = 0                        # plain episodes
    accelerate = True
    scale = 1.0                         # plain-step multiplier
    s_prev = None                       # previous plain step
    z_prev = z0.copy()                  # last finite plain iterate
    plain_ref = np.inf
    progress_it, progress_res = 0, np.inf

    def result(it: int, res: float, converged: bool, failure: str | None) -> FixedPointResult:
        last = np.nan if last_pair is None else float(np.abs(last_pair[1] - last_pair[0]).max())
        return FixedPointResult(z, converged, failure, best_z, {
            "iterations": it, "residual": res, "best_residual": best, "last_step": last,
            "restarts": restarts, "plain_episodes": switches, "plain_step_scale": scale,
            "residual_history": history})

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for it in range(1, max_iter + 1):
            f, res = F(z)
            history.append(res)
            if not _finite(f, res):
                restarts += 1
                if accelerate and np.isfinite(ep_best[0]):
                    ep_restarts += 1            # an accelerated step left the domain
                    mem.clear()
                    z = ep_best[1].copy()
                    f, res = F(z)
                elif not accelerate:            # a plain step did: shorter, from the last
                    scale *= 0.5
                    s_prev = None
                    z = z_prev.copy()
                    f, res = F(z)
                if not _finite(f, res):
                    return result(it, res, False, "non-finite")
            if res < best:
                best, best_z = res, z.copy()
            if res < tol:
                return result(it, res, True, None)
            if accelerate:
                if res < ep_best[0]:
                    ep_best = (res, z.copy())
                if res < 0.99 * progress_res:
                    progress_it, progress_res, ep_restarts = it, res, 0
                if it - progress_it >= stall_window or ep_restarts >= max_restarts:
                    accelerate = False
                    switches += 1
                    mem.clear()
                    z = ep_best[1].copy()
                    f, res = F(z)
                    plain_ref, s_prev, scale = res, None, 1.0
                elif res > 10 * ep_best[0] and len(mem) > 0:
                    restarts += 1
                    ep_restarts += 1
                    mem.clear()
                    z = ep_best[1].copy()
                    f, res = F(z)
            elif res < reaccelerate * plain_ref:
                accelerate = True
                ep_best = (res, z.copy())
                progress_it, progress_res, ep_restarts = it, res, 0
            if accelerate:
                g = z + beta * f
                if normalize is not None:
                    g = normalize(g)
                z_new = g
                mem.push(g, g - z)
                if len(mem) >= 2:
                    z_acc = mem.extrapolate()
                    if z_acc is not None:
                        if max_step < np.inf:
                            dev = np.abs(z_acc - g).max()
                            if dev > max_step:
                                z_acc = g + (z_acc - g) * (max_step / dev)
                        z_new = z_acc if normalize is None else normalize(z_acc)
            else:
                z_prev = z.copy()
                step = (scale * beta) * f
                size = np.abs(step).max()
                if size > max_step:
                    step *= max_step / size
                z_new = z + step
                if normalize is not None:
                    z_new = normalize(z_new)
                s = z_new - z
                if s_prev is not None:
                    cos = float(s @ s_prev) / max(
                        float(np.linalg.norm(s) * np.linalg.norm(s_prev)), 1e-300)
                    if cos > 0.9:
                        scale = min(scale * 1.5, 1e6)
                    elif cos < 0.0:
                        scale *= 0.5
                s_prev = s
            last_pair = (z, z_new)
            z = z_new
    return result(max_iter, history[-1] if history else np.nan, False, "max_iter")
