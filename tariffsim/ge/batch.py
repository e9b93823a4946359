r"""Many parameter sets of one counterfactual, solved together along a leading batch axis.

A Monte Carlo over the trade elasticity solves the same scenario on the same baseline
hundreds of times. `solve_batch` does the work that does not depend on the draw once
(options, calibration, shock preparation, the reference equilibrium, the commitments'
reference imports) and then solves every draw's equilibrium at once: the arrays of
`tariffsim.ge.system` get a leading axis ``b`` (``(B, J, N, N)`` bilateral,
``(B, J, N)`` country-sector, ``(B, N)`` country), the equations are those of
`tariffsim.ge.system.HatSystem.evaluate` (CP 2015 eq. 10-14) evaluated for all the
draws that have not converged yet, and the outer and inner fixed points are Anderson
iterations with one least-squares fit per draw (`batch_anderson`). A draw whose
residual falls below ``tol`` stops updating; the others go on.

What a draw can vary:

* ``theta`` ``(B, J)``: the trade elasticity by sector;
* ``tariff_scale`` ``(B,)``: the tariff change ``t' - t`` times this factor (1: the
  scenario as given);
* ``commitment_scale`` ``(B,)``: every commitment's realised increment and level times this
  factor (1: as given; with a scenario at realisation 1 it is the share met).

The batch covers the plain Caliendo-Parro model with tariffs, iceberg costs, dissipated
export taxes and import commitments (the active set of floors per draw, by masks), under
every closure. When the reference world depends on theta (a baseline re-solved because
calibration clipped final demand, or the zero-deficit world of ``balanced``) it is solved
as a batch too, once per draw, and each draw's policy from its own reference. Far from the
solution the inner systems are solved inexactly (each draw's inner tolerance is 1e-3 of its
last outer residual), near it as tightly as by the one-draw solver. A draw the batch cannot
finish (no convergence within ``max_iter``, non-finite values, negative spending, an
unreachable target, an active set that keeps changing) and every draw of a model the batch
does not cover (quotas, export taxes whose rents go to the exporter) is solved by the
one-draw pipeline (`tariffsim.ge.solver.solve_prepared`), so results and errors are those
of `tariffsim.ge.solve`; ``BatchSolution.fallback`` says which draws took that path. Model
extensions are refused (ModelError): solve them draw by draw.

References
----------
Caliendo, L. and Parro, F. (2015). Estimates of the Trade and Welfare Effects of NAFTA.
Review of Economic Studies 82(1), 1-44. Walker, H. F. and Ni, P. (2011). Anderson
Acceleration for Fixed-Point Iterations. SIAM J. Numer. Anal. 49(4), 1715-1735.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tariffsim.errors import ModelError, TariffSimError
from tariffsim.ge.calibration import CalibratedModel
from tariffsim.ge.prepare import Extra, PreparedShocks

__all__ = ["batch_anderson", "solve_batch", "BatchSolution"]

#: Anderson memory of the batched outer iteration (as the one-draw solver).
_MEMORY = 8
#: Rounds of the active-set loop before a draw goes to the one-draw pipeline.
_MAX_ROUNDS = 20
#: Relative violation / multiplier sign that moves a commitment in or out of the set
#: (the values of `tariffsim.ge.active_set`).
_CAP_SLACK = 1e-9
_RELEASE = -1e-12
_MAX_EXTRA = 40.0


# ----------------------------------------------------------------------------- Anderson
def batch_anderson(F: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
                   z0: np.ndarray, beta: np.ndarray | float, *, tol: float | np.ndarray,
                   max_iter: int,
                   m: int = _MEMORY, rcond: float = 1e-12,
                   normalize: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
                   max_step: float = 1.0, compact: float = 0.5
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Anderson mixing (type II) of ``B`` independent fixed points at once.

    Row ``b`` iterates ``z_b <- N(z_b + beta_b f(z_b))`` extrapolated by

    $$ z_{k+1} = g_k - \Delta G\,\gamma,\qquad
       \gamma = \arg\min_\gamma \lVert f_k - \Delta F\,\gamma\rVert_2 $$

    with its own memory of the last ``m`` differences (the fit by a batched pseudo-inverse,
    singular values below ``rcond`` times the largest cut), an extrapolation at most
    ``max_step`` (max abs) beyond the damped step, and the memory cleared when the fit is
    not finite or the residual grows tenfold. Rows are independent: the numbers of row
    ``b`` do not depend on which other rows are in the batch.

    Parameters
    ----------
    F : callable
        ``F(z, rows) -> (f, res)`` for the rows ``rows`` (indices into the batch) at
        ``z`` ``(len(rows), n)``: steps ``(len(rows), n)`` and residuals ``(len(rows),)``.
        ``rows`` is the same array object from call to call until the working set
        shrinks (``compact``), so ``F`` can cache what it gathers for it.
    z0 : ndarray (B, n)
    beta : float or ndarray (B, n)
        Damping.
    tol, max_iter
        Stopping rule ``res < tol`` (a number, or one per row of the batch); evaluations
        per row.
    normalize : callable, optional
        ``normalize(z, rows)``, applied to every new iterate.
    compact : float
        The working set shrinks to the live rows once they are at most this fraction of
        it.

    Returns
    -------
    z, converged, iterations
        ``(B, n)`` (the converged point, or the last iterate), ``(B,)`` bool, ``(B,)`` int.
        A row with non-finite values stops there, not converged.
    """
    B, n = z0.shape
    z = z0.copy()
    tol_a = np.asarray(tol, dtype=float)
    beta_a = np.broadcast_to(np.asarray(beta, dtype=float), (B, n))
    dG = np.zeros((B, m, n))
    dF = np.zeros((B, m, n))
    # Gram matrices dF dF^T of the memories, kept up to date one row and column per step
    # (a matrix-vector product) instead of recomputed ((m, n) by (n, m)) every step
    gram = np.zeros((B, m, m))
    g_prev = np.zeros((B, n))
    f_prev = np.zeros((B, n))
    count = np.zeros(B, dtype=int)          # pairs seen since the last clear
    best = np.full(B, np.inf)
    converged = np.zeros(B, dtype=bool)
    iters = np.zeros(B, dtype=int)
    W = np.arange(B)                        # working set: F is evaluated on these rows
    live = np.ones(B, dtype=bool)           # ... of which these are still iterating
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for it in range(1, max_iter + 1):
            f, res = F(z[W], W)
            finite = np.isfinite(res) & np.isfinite(f).all(axis=1)
            done = live & finite & (res < (tol_a if tol_a.ndim == 0 else tol_a[W]))
            iters[W[live]] = it
            converged[W[done]] = True
            live &= finite & ~done
            if not live.any():
                break
            if live.all():
                rows = W
                sel: Any = slice(None) if W.size == B else W
            else:
                rows = W[live]
                sel = rows
                f, res = f[live], res[live]
                if live.sum() <= compact * live.size:
                    # drop the finished rows from the working set once they are the
                    # majority; until then they are evaluated and ignored (cheaper than
                    # gathering the caller's arrays every step)
                    W, live = rows, np.ones(rows.size, dtype=bool)
            za = z[sel]
            grow = res > 10 * best[sel]
            best[sel] = np.minimum(best[sel], res)
            if grow.any():
                count[rows[grow]] = 0
                dG[rows[grow]] = 0.0
                dF[rows[grow]] = 0.0
                gram[rows[grow]] = 0.0
            g = za + beta_a[sel] * f
            if normalize is not None:
                g = normalize(g, rows)
            fk = g - za
            cnt = count[sel]
            slot = (cnt - 1) % m
            has = cnt > 0
            if has.any():
                r = rows[has]
                sh = slot[has]
                d = fk[has] - f_prev[r]
                dG[r, sh] = g[has] - g_prev[r]
                dF[r, sh] = d
                Fr = dF if r.size == B else dF[r]
                v = np.matmul(Fr, d[:, :, None])[:, :, 0]          # (h, m)
                gram[r, sh, :] = v
                gram[r, :, sh] = v
            g_prev[sel] = g
            f_prev[sel] = fk
            count[sel] = cnt + 1
            z_new = g
            if has.any():
                hs: Any = slice(None) if has.all() else has
                r = rows[hs]
                Fm, Gm = dF[sel][hs], dG[sel][hs]      # unused slots are zero
                gamma = _lstsq(Fm, fk[hs], rcond, gram[r])          # (b, m)
                gh = g[hs]
                acc = gh - np.matmul(gamma[:, None, :], Gm)[:, 0, :]
                ok = np.isfinite(acc).all(axis=1)
                if max_step < np.inf:
                    dev = np.abs(acc - gh).max(axis=1)
                    long = ok & (dev > max_step)
                    acc[long] = gh[long] + (acc[long] - gh[long]) * (
                        max_step / dev[long])[:, None]
                if normalize is not None:
                    acc = normalize(acc, r)
                    ok &= np.isfinite(acc).all(axis=1)
                if not ok.all():
                    count[r[~ok]] = 0
                    dG[r[~ok]] = 0.0
                    dF[r[~ok]] = 0.0
                    gram[r[~ok]] = 0.0
                if ok.all() and r.size == g.shape[0]:
                    z_new = acc
                else:
                    z_new = g.copy()
                    z_new[np.flatnonzero(has)[ok]] = acc[ok]
            z[sel] = z_new
    return z, converged, iters


def _lstsq(Fm: np.ndarray, f: np.ndarray, rcond: float,
           G: np.ndarray | None = None) -> np.ndarray:
    """``argmin_g ||f_b - Fm_b^T g||`` for each row: the normal equations of the small
    ``(m, m)`` Gram matrices, with a ridge of ``rcond`` times the largest diagonal entry
    (unused memory slots are zero rows and get ``g = 0``); one batched LAPACK solve."""
    if G is None:
        G = np.matmul(Fm, Fm.transpose(0, 2, 1))                   # (b, m, m)
    rhs = np.matmul(Fm, f[:, :, None])                             # (b, m, 1)
    diag = np.einsum("bii->bi", G)
    lam = rcond * np.maximum(diag.max(axis=1), 1e-300)
    G = G + (lam[:, None] + (diag == 0))[:, :, None] * np.eye(G.shape[1])[None]
    return np.linalg.solve(G, rhs)[:, :, 0]


# ----------------------------------------------------------------------------- result
@dataclass
class BatchSolution:
    """Solutions of a batch, in the solver's layout with a leading draw axis.

    Attributes
    ----------
    flows : ndarray (B, J, N importer, N exporter)
        Policy flows at world prices, numeraire units (as ``HatSolution.flows``).
    flows0 : ndarray (B, J, N, N)
        The reference flows each draw's changes are measured from (the baseline, or the
        zero-deficit world under ``balanced``; a view of one array when they coincide).
    w : ndarray (B, N)
        Wage changes.
    theta : ndarray (B, J)
    fallback : ndarray (B,) of bool
        Draws solved by the one-draw pipeline.
    iterations : ndarray (B,)
        Outer iterations of the last round (0 for fallback draws).
    errors : dict
        Draw index -> the TariffSimError it raised (with ``on_error="skip"``).
    """

    flows: np.ndarray
    flows0: np.ndarray
    w: np.ndarray
    theta: np.ndarray
    fallback: np.ndarray
    iterations: np.ndarray
    errors: dict[int, TariffSimError] = field(default_factory=dict)


# ----------------------------------------------------------------------------- the system
class _BatchSystem:
    """The residual function of `tariffsim.ge.system.HatSystem` for B draws
    (plain model, no quotas, no exporter rents); commitments are unknowns of every draw,
    held at 0 where they are not in that draw's active set."""

    def __init__(self, model: CalibratedModel, theta: np.ndarray, tau_new: np.ndarray,
                 A0: np.ndarray, commits: list[Extra], targets: np.ndarray,
                 closure: str, numeraire: int | None, tol: float,
                 levels: dict[str, np.ndarray] | None = None) -> None:
        self.m = model
        self.B, self.J, self.N = theta.shape[0], model.n_sectors, model.n_countries
        self.theta = theta                            # (B, J)
        self.tau_new = tau_new                        # (J, N, N) or (B, J, N, N)
        self.inv = 1.0 / (1.0 + tau_new)
        self.tinv = tau_new * self.inv
        self.A0 = A0                                  # (B, J, N, N)
        self.commits = commits
        self.K = len(commits)
        self.targets = targets                        # (B, K)
        self.active = np.zeros((self.B, self.K), dtype=bool)
        self.closure, self.numeraire, self.tol = closure, numeraire, tol
        self.inner_tol = min(max(tol * 1e-3, 1e-13), 1e-10)
        # inexact inner solves: a draw's inner tolerance is 1e-3 of its last outer
        # residual (at most 1e-6), down to inner_tol near the solution, where the outer
        # residual is then computed from inner solves as tight as the one-draw solver's
        self.last_res = np.full(self.B, np.inf)
        # the reference levels: the model's, or one set per draw (``levels``: VA, D (B, N),
        # X, Y (B, J, N) of a reference world that depends on theta)
        lv = levels or {}
        B, J, N = self.B, self.J, self.N
        self.VA = lv.get("VA", np.broadcast_to(model.VA, (B, N)))
        self.D = lv.get("D", np.broadcast_to(model.D, (B, N)))
        sales = lv.get("Y", np.broadcast_to(model.Y, (B, J, N)))
        self.sumVA = self.VA.sum(axis=1)
        self.phi = 1.0 + self.D / self.VA
        w_th = (sales * theta[:, :, None]).sum(axis=(1, 2)) / np.maximum(
            sales.sum(axis=(1, 2)), 1e-300)
        self.beta_w = 1.0 / (1.0 + w_th)              # (B,)
        self.log_P = np.zeros((B, J, N))
        self.X = np.array(lv.get("X", np.broadcast_to(model.X, (B, J, N))), dtype=float)
        self.sel = [(np.flatnonzero(ex.j_mask), np.flatnonzero(ex.n_mask), ex.i)
                    for ex in commits]
        # the (sector, importer) rows covered by a commitment, and each commitment's
        # cells as positions in that list
        pairs = sorted({(int(j), int(n)) for jj, nn, _ in self.sel for j in jj for n in nn})
        where = {p: r for r, p in enumerate(pairs)}
        self.true_rows = (np.array([p[0] for p in pairs], dtype=int),
                          np.array([p[1] for p in pairs], dtype=int))
        self.true_pos = [np.array([[where[(int(j), int(n))] for n in nn] for j in jj],
                                  dtype=int).reshape(len(jj), len(nn))
                         for jj, nn, _ in self.sel]
        self.failed = np.zeros(self.B, dtype=bool)
        self.inner_price_iters = 0
        # io[n, k, j] -> io_t[n, j, k]: the input-cost term as a matrix product per country
        self.io_t = None if model.io is None else np.ascontiguousarray(
            model.io.transpose(0, 2, 1))
        self.state: dict[str, np.ndarray] = {}

    @property
    def n(self) -> int:
        return self.N + self.K

    def damping(self) -> np.ndarray:
        return np.concatenate([np.repeat(self.beta_w[:, None], self.N, axis=1),
                               np.ones((self.B, self.K))], axis=1)

    def _tau(self, name: str, rows: np.ndarray) -> np.ndarray:
        a = getattr(self, name)
        return a if a.ndim == 3 else a[rows]

    def cost_terms(self, zx: np.ndarray, rows: np.ndarray
                   ) -> tuple[np.ndarray, tuple | None]:
        """``(A, true)``: ``A`` with the commitments' shifters applied, and the rows of
        ``A_true`` (the unshifted preferences' weights) that differ from ``A``: ``true =
        (jR, nR, A_true[:, jR, nR, :])`` (None without commitments). Only the
        (sector, importer) rows a commitment covers differ, so the second price index
        needs a few dot products instead of a second pass over ``(b, J, N, N)``."""
        A = self.A0[rows]
        if not self.K:
            return A, None
        jR, nR = self.true_rows
        AT = A[:, jR, nR, :]                                      # (b, R, N), a copy
        th = self.theta[rows]
        for k, (jj, nn, i) in enumerate(self.sel):
            z = zx[:, k]
            tj = th[:, jj]                                        # (b, nj)
            A[:, jj[:, None], nn[None, :], i] *= np.exp(z)[:, None, None]
            AT[:, self.true_pos[k], i] *= np.exp(z[:, None] * tj / (1 + tj))[:, :, None]
        return A, (jR, nR, AT)

    def prices(self, log_w: np.ndarray, A: np.ndarray, A_true: tuple | None,
               th: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        va, io = self.m.va_share, self.m.io
        base = va[None] * log_w[:, None, :]
        if io is None:
            lc = base
            return lc, _price_index(A, lc, th, A_true)
        b = len(rows)
        shape = (self.J, self.N)
        cache: dict[str, Any] = {}

        def step(x: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            if cache.get("r") is not r:                  # gather once per working set
                full = r.size == b
                cache.update(r=r, A=A if full else A[r], th=th if full else th[r],
                             base=base if full else base[r],
                             At=A_true if A_true is None or full else
                             (*A_true[:2], A_true[2][r]))
            lp = x.reshape(len(r), *shape)
            lc = cache["base"] + self._io_term(lp)
            f = (_price_index(cache["A"], lc, cache["th"], cache["At"]) - lp).reshape(
                len(r), -1)
            return f, np.abs(f).max(axis=1)

        z, _, its = batch_anderson(step, self.log_P[rows].reshape(b, -1), 1.0,
                                   tol=self._inner(rows), max_iter=10_000, m=5,
                                   rcond=1e-12,
                                   max_step=np.inf)
        self.inner_price_iters += int(its.sum())
        lp = z.reshape(b, *shape)
        lc = base + self._io_term(lp)
        return lc, lp

    def _io_term(self, x: np.ndarray) -> np.ndarray:
        """``sum_k io[n, k, j] x[b, k, n]`` -> (b, J, N), as one batched matrix product
        (a matrix-vector product per draw and country: one product over all the draws
        would be faster but its rounding depends on how many draws there are, and a row's
        numbers must not depend on the batch it is in)."""
        assert self.io_t is not None
        out = np.matmul(self.io_t[None], x.transpose(0, 2, 1)[:, :, :, None])[:, :, :, 0]
        return out.transpose(0, 2, 1)

    def _io_out(self, x: np.ndarray) -> np.ndarray:
        """``sum_k io[n, j, k] x[b, k, n]`` -> (b, J, N)."""
        assert self.m.io is not None
        out = np.matmul(self.m.io[None], x.transpose(0, 2, 1)[:, :, :, None])[:, :, :, 0]
        return out.transpose(0, 2, 1)

    def _inner(self, rows: np.ndarray) -> np.ndarray:
        """Inner tolerance of each row: ``1e-3`` times its last outer residual, between
        ``inner_tol`` and ``1e-6``."""
        return np.clip(1e-3 * self.last_res[rows], self.inner_tol, 1e-6)

    def nhat(self, lp: np.ndarray) -> np.ndarray:
        if self.numeraire is None:
            return np.ones(lp.shape[0])
        n = self.numeraire
        return np.exp((self.m.alpha[None, :, n] * lp[:, :, n]).sum(axis=1))

    def deficits(self, wl: np.ndarray, lp: np.ndarray, rows: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
        if self.closure == "balanced":
            return np.zeros_like(wl), np.ones(wl.shape[0])
        nh = self.nhat(lp)
        if self.closure == "deficit_ratio":
            va = wl * self.VA[rows]
            phi = self.phi[rows]
            lam = va.sum(axis=1) / (phi * va).sum(axis=1)
            return (lam[:, None] * phi - 1.0) * va, nh
        return self.D[rows] * nh[:, None], nh

    def expenditure(self, wl: np.ndarray, D: np.ndarray, pi: np.ndarray,
                    rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        m = self.m
        S = pi * self._tau("inv", rows)
        tinv = self._tau("tinv", rows)
        t = np.einsum("bjni,jni->bjn" if tinv.ndim == 3 else "bjni,bjni->bjn", pi, tinv)
        alpha, io = m.alpha[None], m.io
        if io is None:
            inc = (wl * self.VA[rows] + D) / (1.0 - (alpha * t).sum(axis=1))
            X = alpha * inc[:, None, :]
            Y = np.matmul(X[:, :, None, :], S)[:, :, 0, :]
            return X, Y, S
        bvec = alpha * (wl * self.VA[rows] + D)[:, None, :]
        shape = bvec.shape[1:]
        scale = np.maximum(np.abs(bvec).sum(axis=(1, 2)), 1e-300)
        last_Y = np.empty_like(bvec)
        last_g = np.empty_like(bvec)

        cache: dict[str, Any] = {}
        b = len(rows)

        def step(x: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            if cache.get("r") is not r:                  # gather once per working set
                full = r.size == b
                cache.update(r=r, S=S if full else S[r], t=t if full else t[r],
                             b=bvec if full else bvec[r])
            Xr = x.reshape((len(r), *shape))
            Y = np.matmul(Xr[:, :, None, :], cache["S"])[:, :, 0, :]
            inc = (cache["t"] * Xr).sum(axis=1)
            g = alpha * inc[:, None, :] + self._io_out(Y) + cache["b"]
            last_Y[r], last_g[r] = Y, g
            f = (g - Xr).reshape(len(r), -1)
            return f, np.abs(f).sum(axis=1) / scale[r]

        X0 = self.X[rows].reshape(len(rows), -1)
        z, conv, _ = batch_anderson(step, X0, 1.0, tol=self._inner(rows), max_iter=500, m=6,
                                    rcond=1e-12, max_step=np.inf)
        if not conv.all():               # as the one-draw solver: the last iterate's image
            r = np.flatnonzero(~conv)
            step(z[r], r)
        X, Y = last_g, last_Y
        ok = np.isfinite(X).all(axis=(1, 2))
        self.X[rows[ok]] = X[ok]
        return X, Y, S

    def evaluate(self, z: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        N, m = self.N, self.m
        log_w = z[:, :N]
        w = np.exp(log_w)
        VA = self.VA[rows]
        s = self.sumVA[rows] / (w * VA).sum(axis=1)
        log_w = log_w + np.log(s)[:, None]
        w = w * s[:, None]
        zx = z[:, N:]
        th = self.theta[rows]
        A, A_true = self.cost_terms(zx, rows)
        lc, lp = self.prices(log_w, A, A_true, th, rows)
        fin = np.isfinite(lp).all(axis=(1, 2))
        self.log_P[rows[fin]] = lp[fin]
        pi = _trade_shares(A, lc, th)
        D, nh = self.deficits(w, lp, rows)
        X, Y, S = self.expenditure(w, D, pi, rows)
        supply = (m.va_share[None] * Y).sum(axis=1)
        fw = np.log(supply / (w * VA))
        res = np.abs(fw).max(axis=1)
        f = fw
        if self.K:
            act = self.active[rows]
            fx = np.empty_like(zx)
            rx = np.zeros_like(zx)
            for k, (jj, nn, i) in enumerate(self.sel):
                v = (X[:, jj[:, None], nn[None, :]] * S[:, jj[:, None], nn[None, :], i]
                     ).sum(axis=(1, 2))
                r = np.log(v / (self.targets[rows, k] * nh))
                fx[:, k] = np.where(act[:, k], -r, -zx[:, k])
                rx[:, k] = np.where(act[:, k], np.abs(r), np.abs(zx[:, k]))
            bad = (np.abs(zx) > _MAX_EXTRA).any(axis=1) | ~np.isfinite(fx).all(axis=1)
            self.failed[rows[bad]] = True
            fx[bad] = np.nan
            f = np.concatenate([fw, fx], axis=1)
            res = np.maximum(res, rx.max(axis=1))
        fin_res = np.isfinite(res)
        self.last_res[rows[fin_res]] = res[fin_res]
        self.state = {"rows": rows, "w": w, "X": X, "Y": Y, "D": D, "pi": pi, "nhat": nh,
                      "S": S}
        return f, res

    def normalize(self, z: np.ndarray, rows: np.ndarray) -> np.ndarray:
        z = z.copy()
        lw = z[:, :self.N]
        top = lw.max(axis=1, keepdims=True)
        z[:, :self.N] = lw - top - np.log(
            (np.exp(lw - top) * self.VA[rows]).sum(axis=1) / self.sumVA[rows])[:, None]
        return z


def _price_index(A: np.ndarray, lc: np.ndarray, th: np.ndarray,
                 A_true: tuple | None) -> np.ndarray:
    """`tariffsim.ge.equilibrium.price_index` with a leading draw axis; ``A_true`` as
    returned by `_BatchSystem.cost_terms` (the rows where it differs from ``A``)."""
    u = -th[:, :, None] * lc
    s = u.max(axis=2, keepdims=True)
    e = np.exp(u - s)
    S = np.matmul(A, e[:, :, :, None])[:, :, :, 0]
    with np.errstate(divide="ignore"):
        lphi = np.log(S) + s
        if A_true is None:
            return -lphi / th[:, :, None]
        jR, nR, AT = A_true
        S[:, jR, nR] = np.einsum("brn,brn->br", AT, e[:, jR, :])
        return lphi - (1.0 + th[:, :, None]) / th[:, :, None] * (np.log(S) + s)


def _trade_shares(A: np.ndarray, lc: np.ndarray, th: np.ndarray) -> np.ndarray:
    """`tariffsim.ge.equilibrium.trade_shares` with a leading draw axis. The
    denominators by a matrix-vector product per row and the division in place: three
    passes over ``(b, J, N, N)`` instead of five."""
    u = -th[:, :, None] * lc
    e = np.exp(u - u.max(axis=2, keepdims=True))
    den = np.matmul(A, e[:, :, :, None])
    den[den == 0] = 1.0
    num = A * e[:, :, None, :]
    num /= den
    return num


# ----------------------------------------------------------------------------- entry
def batch_supported(model: CalibratedModel, prepared: PreparedShocks) -> str | None:
    """None when `solve_batch` solves these draws as a batch, else why not."""
    if model.ext is not None:
        return "model extensions"
    if prepared.quotas:
        return "export quotas"
    if prepared.rent_rate is not None:
        return "export taxes whose rents go to the exporter"
    return None


def _solve_rounds(system: _BatchSystem, targets: np.ndarray, tol: float, max_iter: int,
                  iters: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The batched active-set loop: solve, add violated floors and release floors whose
    shifter fell below one (as `tariffsim.ge.active_set`), re-solve the draws whose
    set changed. Draws already marked ``system.failed`` are not solved.

    Returns the state at each draw's solution (``flows`` in numeraire units, ``w``,
    ``X``, ``Y``, ``D``, ``pi``, ``nhat``; NaN where not solved) and a mask of the draws
    solved."""
    B, N, J = system.B, system.N, system.J
    out = {"flows": np.full((B, J, N, N), np.nan), "pi": np.full((B, J, N, N), np.nan),
           "w": np.full((B, N), np.nan), "D": np.full((B, N), np.nan),
           "X": np.full((B, J, N), np.nan), "Y": np.full((B, J, N), np.nan),
           "nhat": np.full(B, np.nan)}
    solved = np.zeros(B, dtype=bool)
    z = np.zeros((B, system.n))
    pending = np.flatnonzero(~system.failed)
    for _ in range(_MAX_ROUNDS):
        if pending.size == 0:
            break
        sub = _Sub(system, pending)
        zs, conv, it = batch_anderson(sub.evaluate, z[pending], system.damping()[pending],
                                      tol=tol, max_iter=max_iter, m=_MEMORY, rcond=1e-12,
                                      normalize=sub.normalize, compact=1.0)
        z[pending] = zs
        iters[pending] = it
        ok = pending[conv & ~system.failed[pending]]
        pending = ok[:0]
        if ok.size == 0:
            break
        system.evaluate(z[ok], ok)                     # the state at the solution
        st = system.state
        nh = st["nhat"]
        Xn = st["X"] / nh[:, None, None]
        F1 = Xn[:, :, :, None] * st["pi"] * system._tau("inv", ok)
        neg = (Xn < -1e-12 * np.abs(Xn).sum(axis=(1, 2))[:, None, None]).any(axis=(1, 2))
        good = np.isfinite(F1).all(axis=(1, 2, 3)) & ~neg
        changed = np.zeros(ok.size, dtype=bool)
        for k, (jj, nn, i) in enumerate(system.sel):
            v = F1[:, jj[:, None], nn[None, :], i].sum(axis=(1, 2))
            act = system.active[ok, k]
            add = good & ~act & (v < targets[ok, k] * (1 - _CAP_SLACK))
            rel = good & act & (z[ok, N + k] < _RELEASE)
            system.active[ok[add | rel], k] ^= True
            z[ok[rel], N + k] = 0.0
            changed |= add | rel
        fin = good & ~changed
        rows = ok[fin]
        out["flows"][rows] = F1[fin]
        for key in ("w", "X", "Y", "D", "pi"):
            out[key][rows] = st[key][fin]
        out["nhat"][rows] = nh[fin]
        solved[rows] = True
        pending = ok[changed]
    return out, solved


def solve_batch(model: CalibratedModel, prepared: PreparedShocks, theta: np.ndarray, *,
                tariff_scale: np.ndarray | None = None,
                commitment_scale: np.ndarray | None = None, closure: str,
                numeraire: int | None, tol: float, max_iter: int,
                skip_errors: bool = False,
                labels: Sequence[int] | None = None) -> BatchSolution:
    """Solve the counterfactual ``prepared`` on ``model`` for ``B`` parameter sets.

    Parameters
    ----------
    model : CalibratedModel
        The calibrated baseline (its ``theta`` is replaced by each draw's).
    prepared : PreparedShocks
        From `tariffsim.ge.prepare.prepare_shocks` (not modified).
    theta : ndarray (B, J) or (B,)
        Trade elasticities by draw (and sector), > 0.
    tariff_scale, commitment_scale : ndarray (B,), optional
        Multipliers of the tariff change and of the commitments' realised amounts.
    closure, numeraire, tol, max_iter
        As in `tariffsim.ge.solve` (numeraire as an index or None).
    skip_errors : bool
        A draw that raises a TariffSimError is recorded in ``errors`` (its arrays NaN)
        instead of raising.
    labels : sequence of int, optional
        The draws' numbers in error messages (default ``0..B-1``).

    Returns
    -------
    BatchSolution

    Raises
    ------
    TariffSimError
        The first failing draw's error (``skip_errors=False``), its message prefixed with
        ``draw k:``.
    """
    from tariffsim.ge.hat import solve_hat

    theta = check_theta(theta, model.n_sectors)
    B, J, N = theta.shape[0], model.n_sectors, model.n_countries
    tau_old = model.tau
    tau_given = tau_old if prepared.tau_new is None else prepared.tau_new
    flows = np.full((B, J, N, N), np.nan)
    w_out = np.full((B, N), np.nan)
    iters = np.zeros(B, dtype=int)
    fallback = np.zeros(B, dtype=bool)
    errors: dict[int, TariffSimError] = {}

    if model.ext is not None:
        raise ModelError("solve_batch: model extensions (labour supply, scale, local share, "
                         "pass-through, revenue use) are solved one draw at a time; call "
                         "tariffsim.ge.solve per draw (monte_carlo does).", field="model")
    reason = batch_supported(model, prepared)
    flows0 = np.full((B, J, N, N), np.nan)
    if reason is not None:
        fallback[:] = True
    else:
        if tariff_scale is None:
            tau_new = tau_given
        else:
            ts_ = np.asarray(tariff_scale, float)[:, None, None, None]
            tau_new = tau_old[None] + ts_ * (tau_given - tau_old)[None]
        kappa = (1 + tau_new) / (1 + tau_old)
        for factor in (prepared.trade_costs, None if prepared.dissipated_rate is None
                       else 1 + prepared.dissipated_rate):
            if factor is not None:
                kappa = kappa * factor
        neg_theta_logk = -theta[:, :, None, None] * np.log(kappa)
        # The reference world. The data are an equilibrium of the model for every theta
        # or for none (at w-hat = 1 a no-shock system does not depend on theta), so one
        # reference solve decides; otherwise (and under "balanced") each draw's reference
        # world is solved here as a batch too, once, and the policy solved from it.
        ref = solve_hat(model, closure=closure, numeraire=numeraire, tol=tol,
                        max_iter=max_iter)
        F_data = model.flows()
        consistent = np.allclose(ref.flows, F_data, rtol=1e-9,
                                 atol=1e-12 * max(float(F_data.max()), 1e-300))
        levels: dict[str, np.ndarray] | None = None
        if closure != "balanced" and consistent:
            flows0[:] = F_data[None]
            pi0: np.ndarray = model.pi[None]
        else:
            rs = _BatchSystem(model, theta, tau_old, np.broadcast_to(model.pi, (B, J, N, N)),
                              [], np.zeros((B, 0)), closure, numeraire, tol)
            st, okr = _solve_rounds(rs, np.zeros((B, 0)), tol, max_iter, iters)
            fallback[~okr] = True
            nh = st["nhat"][:, None]
            levels = {"VA": st["w"] / nh * model.VA[None], "D": st["D"] / nh,
                      "X": st["X"] / nh[:, :, None], "Y": st["Y"] / nh[:, :, None]}
            pi0 = st["pi"]
            flows0[:] = st["flows"]
        commits = [copy.copy(ex) for ex in prepared.commitments]
        csc = np.ones(B) if commitment_scale is None else np.asarray(commitment_scale, float)
        targets = np.empty((B, len(commits)))
        refs = np.empty((B, len(commits)))
        for k, ex in enumerate(commits):
            for b in range(B):
                if levels is None and b > 0:
                    refs[b, k] = refs[0, k]
                else:
                    refs[b, k] = ex.value(flows0[b])
                targets[b, k] = _scaled_floor(ex, float(csc[b]), float(refs[b, k]))
        A0 = pi0 * np.exp(neg_theta_logk)
        system = _BatchSystem(model, theta, tau_new, A0, commits, targets, closure,
                              numeraire, tol, levels)
        system.active[:] = targets > refs
        system.failed[fallback] = True
        st, ok = _solve_rounds(system, targets, tol, max_iter, iters)
        flows[ok] = st["flows"][ok]
        w_out[ok] = st["w"][ok] / st["nhat"][ok][:, None]
        fallback |= ~ok
    for k in map(int, np.flatnonzero(fallback)):
        try:
            m0, sol = _one_draw(model, prepared, theta[k],
                                None if tariff_scale is None else float(tariff_scale[k]),
                                None if commitment_scale is None
                                else float(commitment_scale[k]),
                                closure=closure, numeraire=numeraire, tol=tol,
                                max_iter=max_iter)
        except TariffSimError as exc:
            if not skip_errors:
                name = k if labels is None else labels[k]
                exc.args = (f"draw {name}: {exc.args[0] if exc.args else exc}",
                            *exc.args[1:])
                raise
            errors[int(k)] = exc
            continue
        flows[k] = sol.flows
        w_out[k] = sol.w
        flows0[k] = m0.flows()
    return BatchSolution(flows=flows, flows0=flows0, w=w_out, theta=theta,
                         fallback=fallback, iterations=iters, errors=errors)


class _Sub:
    """The batch system seen through the rows of one round (``rows`` of the round map to
    draws ``idx``)."""

    def __init__(self, system: _BatchSystem, idx: np.ndarray) -> None:
        self.s, self.idx = system, idx

    def evaluate(self, z: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.s.evaluate(z, self.idx[rows])

    def normalize(self, z: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return self.s.normalize(z, self.idx[rows])


def _scaled_floor(ex: Extra, scale: float, reference: float) -> float:
    """A commitment's floor in a reference world with covered imports ``reference``,
    its realised increment and level times ``scale``."""
    c = ex.commitment
    if c is None:
        return ex.target
    return float((c if scale == 1.0 else _scaled_target(c, scale)).floor(reference))


def _scaled_target(c: Any, scale: float) -> Any:
    from dataclasses import replace
    return replace(c, value=c.value * scale,
                   increment=None if c.increment is None else c.increment * scale,
                   level=None if c.level is None else c.level * scale)


def _one_draw(model: CalibratedModel, prepared: PreparedShocks, theta: np.ndarray,
              tariff_scale: float | None, commitment_scale: float | None, *, closure: str,
              numeraire: int | None, tol: float, max_iter: int) -> tuple[Any, Any]:
    """One draw through the one-draw pipeline: ``(model0, HatSolution)``."""
    from tariffsim.ge.solver import solve_prepared
    prep = copy.copy(prepared)
    if tariff_scale is not None and prepared.tau_new is not None:
        prep.tau_new = model.tau + tariff_scale * (prepared.tau_new - model.tau)
    prep.commitments = [copy.copy(ex) for ex in prepared.commitments]
    if commitment_scale is not None:
        for ex in prep.commitments:
            if ex.commitment is not None:
                ex.commitment = _scaled_target(ex.commitment, commitment_scale)
                ex.target = float(ex.commitment.value)
    prep.quotas = [copy.copy(ex) for ex in prepared.quotas]
    m = model.replace(theta=np.asarray(theta, dtype=float), notes=list(model.notes))
    model0, sol, _, _ = solve_prepared(m, prep, closure=closure, numeraire=numeraire, tol=tol,
                                    max_iter=max_iter)
    return model0, sol


def check_theta(theta: Any, J: int) -> np.ndarray:
    """``(B, J)`` positive finite elasticities from ``(B,)`` or ``(B, J)``."""
    a = np.asarray(theta, dtype=float)
    if a.ndim == 1:
        a = np.repeat(a[:, None], J, axis=1)
    if a.ndim != 2 or a.shape[1] != J:
        raise ModelError(f"trade_elasticity: expected one value per draw or one per draw "
                         f"and sector ({J} sectors), got shape {a.shape}.",
                         field="trade_elasticity")
    bad = ~(np.isfinite(a) & (a > 0))
    if bad.any():
        k = int(np.flatnonzero(bad.any(axis=1))[0])
        raise ModelError(f"trade_elasticity: draw {k} has a value that is not positive and "
                         f"finite; use a distribution with positive support (LogNormal).",
                         field="trade_elasticity")
    return a
