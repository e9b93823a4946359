"""Solving the Caliendo-Parro equilibrium: iteration, acceleration, diagnostics.

The unknowns are the wage changes w-hat (one per country) plus one unknown per import
commitment (a demand shifter) and per binding quota (a shadow export tax). Given those, the
price system (CP eq. 10-11) is a contraction solved by fixed-point iteration warm-started
from the previous outer step, and the expenditure system (eq. 13) is linear and solved by
an Anderson-accelerated fixed point (never as a dense (NJ x NJ) matrix). The outer problem
is labour-market clearing ``w_n L_n = sum_j gamma_n^j Y_n^j`` (equivalent to the trade
balance eq. 14 once expenditure is solved), solved by Anderson acceleration of a damped
fixed point in log w-hat, with plain damped steps of adaptive length when the acceleration
stalls and a quasi-Newton fallback (scipy.optimize.root) on the reduced system when the
iteration budget runs out (docs/ge.md, "The solver").
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tariffsim.errors import (
    ConvergenceError,
    ModelError,
    ScenarioError,
    TariffSimWarning,
    UnreachableError,
)
from tariffsim.ge.calibration import CalibratedModel, calibrate
from tariffsim.ge.equilibrium import (
    expenditure_operator,
    input_cost,
    price_index,
    solve_expenditure,
    trade_shares,
    welfare_decomposition,
)
from tariffsim.shocks import Shocks

__all__ = ["solve", "solve_hat", "HatSolution", "CLOSURES"]

CLOSURES = ("fixed_deficit", "deficit_ratio", "balanced")


@dataclass(eq=False)
class _Extra:
    """An extra unknown: a commitment (demand shifter) or a quota (shadow export tax)."""

    kind: str                 # "commitment" | "quota"
    n_mask: np.ndarray        # (N,) bool importers
    i: int                    # exporter
    j_mask: np.ndarray        # (J,) bool sectors
    target: float             # value (baseline units, world prices)
    rents: str = "exporter"   # quotas only
    label: str = ""


@dataclass
class HatSolution:
    """Solution of one hat-algebra solve, in the solver's internal layout, levels in
    baseline units relative to the numeraire."""

    w: np.ndarray             # (N,) wage change
    c: np.ndarray             # (J, N) input-cost change
    P_sector: np.ndarray      # (J, N)
    P: np.ndarray             # (N,) aggregate price index change
    pi: np.ndarray            # (J, N, N) new shares
    tau: np.ndarray           # (J, N, N) new tariffs
    X: np.ndarray             # (J, N) new expenditure gross of tariffs
    Y: np.ndarray             # (J, N) new gross output at producer prices
    D: np.ndarray             # (N,) new deficit
    VA: np.ndarray            # (N,) new value added
    R: np.ndarray             # (N,) new tariff revenue
    rents: np.ndarray         # (N,) export-tax / quota rents received
    flows: np.ndarray         # (J, N importer, N exporter) at world prices
    extras: dict = field(default_factory=dict)
    diagnostics: dict = field(default_factory=dict)

    @property
    def income(self) -> np.ndarray:
        return self.VA + self.R + self.rents + self.D


def _anderson(F, z0, beta, *, tol, max_iter, m=8, diag=None, normalize=None,
              stall_window=None, reaccelerate=1e-2):
    """Anderson-accelerated damped fixed point ``z <- normalize(z + beta * f(z))``, with a
    fallback to plain damped steps of adaptive length when the acceleration stalls.

    ``F(z)`` returns ``(f, res)``: the (preconditioned) step and the max-abs residual used
    for the stopping rule. The memory holds the normalised images ``g = normalize(z + beta
    f)`` and the steps ``g - z``, so that the secant model only sees directions the map can
    move: a component of ``f`` along the normalised-away direction (the level of the
    wages) is not a direction of progress and must not enter the least-squares fit
    (fitting it made the extrapolation stagnate far from the solution).

    Two modes:

    * ``accelerated`` (the fast path): the memory is restarted from the best point of the
      episode when the residual grows by a factor 10 or becomes non-finite; an
      extrapolation further than ``max_step`` (log units) from the damped step is
      shortened to that length. When the best residual has not improved by 1% in
      ``stall_window`` iterations, or after 5 restarts without such progress, the solver
      switches to
    * ``plain``: damped steps without acceleration, from the episode's best point. Anderson
      (a multi-secant method) can circle a point where the residual is small but not zero;
      the plain step points the right way there. Its length adapts: x1.5 while successive
      steps keep their direction (cosine > 0.9; a flat residual far from the solution), x0.5
      when they reverse (overshoot), never more than ``max_step`` per iteration, and the
      step is halved after non-finite values. The max-abs residual is not a merit function
      of this map (it can rise for hundreds of steps on the way to a distant equilibrium),
      so plain steps never restart on residual growth. Once the residual is below
      ``reaccelerate`` times its value at the switch, a new accelerated episode starts.

    Floating-point warnings inside ``F`` are silenced: non-finite residuals are handled
    here (restart, or ConvergenceError), never passed on.
    """
    max_step = 1.0
    max_restarts = 5
    if stall_window is None:
        stall_window = 6 * m

    def evaluate(z):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return F(z)

    def finite(f, res):
        return bool(np.isfinite(res) and np.all(np.isfinite(f)))

    z = z0.copy()
    Zs: list[np.ndarray] = []
    Fs: list[np.ndarray] = []
    best = np.inf                       # overall best residual (diagnostics)
    ep_best = (np.inf, z0.copy())       # best point of the current accelerated episode
    last_step = np.nan
    history = []
    restarts = 0                        # memory restarts
    ep_restarts = 0                     # restarts since the last progress
    switches = 0                        # plain episodes
    accelerate = True
    scale = 1.0                         # plain-step multiplier
    s_prev = None                       # previous plain step
    z_prev = z0.copy()                  # last finite plain iterate
    plain_ref = np.inf
    progress_it, progress_res = 0, np.inf

    def info(it, res):
        return {"iterations": it, "residual": res, "best_residual": best,
                "last_step": last_step, "restarts": restarts, "plain_episodes": switches,
                "plain_step_scale": scale}

    for it in range(1, max_iter + 1):
        f, res = evaluate(z)
        history.append(res)
        if not finite(f, res):
            restarts += 1
            if accelerate and np.isfinite(ep_best[0]):
                ep_restarts += 1            # an accelerated step left the domain
                Zs.clear()
                Fs.clear()
                z = ep_best[1].copy()
                f, res = evaluate(z)
            elif not accelerate:            # a plain step did: shorter, from the last one
                scale *= 0.5
                s_prev = None
                z = z_prev.copy()
                f, res = evaluate(z)
            if not finite(f, res):
                raise ConvergenceError("GE solver produced non-finite values",
                                       diagnostics=info(it, res))
        if res < best:
            best = res
            if diag is not None:
                diag["best_z"] = z.copy()
        if res < tol:
            if diag is not None:
                diag.update(info(it, res), residual_history=history)
            return z
        if accelerate:
            if res < ep_best[0]:
                ep_best = (res, z.copy())
            if res < 0.99 * progress_res:
                progress_it, progress_res, ep_restarts = it, res, 0
            if it - progress_it >= stall_window or ep_restarts >= max_restarts:
                accelerate = False
                switches += 1
                Zs.clear()
                Fs.clear()
                z = ep_best[1].copy()
                f, res = evaluate(z)
                plain_ref, s_prev, scale = res, None, 1.0
            elif res > 10 * ep_best[0] and len(Fs) > 0:
                restarts += 1
                ep_restarts += 1
                Zs.clear()
                Fs.clear()
                z = ep_best[1].copy()
                f, res = evaluate(z)
        elif res < reaccelerate * plain_ref:
            accelerate = True
            ep_best = (res, z.copy())
            progress_it, progress_res, ep_restarts = it, res, 0
        if accelerate:
            g = z + beta * f
            if normalize is not None:
                g = normalize(g)
            z_new = g
            Zs.append(g)
            Fs.append(g - z)
            if len(Fs) > m + 1:
                Zs.pop(0)
                Fs.pop(0)
            if len(Fs) >= 2:
                dF = np.diff(np.array(Fs), axis=0).T
                dG = np.diff(np.array(Zs), axis=0).T
                gamma = np.linalg.lstsq(dF, Fs[-1], rcond=1e-12)[0]
                z_acc = Zs[-1] - dG @ gamma
                if np.all(np.isfinite(z_acc)):
                    dev = np.abs(z_acc - g).max()
                    if dev > max_step:
                        z_acc = g + (z_acc - g) * (max_step / dev)
                    z_new = z_acc if normalize is None else normalize(z_acc)
                else:
                    Zs.clear()
                    Fs.clear()
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
                cos = float(s @ s_prev) / max(float(np.linalg.norm(s) * np.linalg.norm(s_prev)),
                                              1e-300)
                if cos > 0.9:
                    scale = min(scale * 1.5, 1e6)
                elif cos < 0.0:
                    scale *= 0.5
            s_prev = s
        last_step = float(np.abs(z_new - z).max())
        z = z_new
    diagnostics = info(max_iter, history[-1] if history else np.nan)
    if diag is not None:
        diag.update(diagnostics)
    raise ConvergenceError(
        f"GE solver did not reach tol={tol:g} in {max_iter} iterations; raise max_iter, loosen "
        f"tol, or check the shock for extreme values", diagnostics=diagnostics)


class _Problem:
    """One hat-algebra problem: a calibrated model, a shock, a closure, a numeraire."""

    def __init__(self, model: CalibratedModel, *, tau_new, kappa_hat, rent_rate, b,
                 closure, numeraire, extras, tol):
        self.m = model
        J, N = model.n_sectors, model.n_countries
        self.J, self.N = J, N
        th = model.theta
        self.theta = th
        self.tau_new = tau_new
        self.kappa_hat = kappa_hat
        self.rent_rate = rent_rate
        self.b = b
        self.closure = closure
        self.numeraire = numeraire
        self.extras = extras
        self.tol = tol
        self.inner_tol = min(max(tol * 1e-3, 1e-13), 1e-10)
        # A = pi * b * kappa^-theta (J, N, N)
        self.A0 = model.pi * np.exp(-th[:, None, None] * np.log(kappa_hat))
        if b is not None:
            self.A0_true = self.A0 * b ** (th / (1 + th))[:, None, None]
            self.A0 = self.A0 * b
        else:
            self.A0_true = None
        self.io = model.io
        self.VA = model.VA
        self.sumVA = model.VA.sum()
        self.phi = 1.0 + model.D / model.VA
        # damping for log w: roughly 1 / (1 + effective elasticity of sales to the wage)
        sales = model.Y
        w_th = (sales * th[:, None]).sum() / max(sales.sum(), 1e-300)
        self.beta_w = 1.0 / (1.0 + w_th)
        self.log_P = np.zeros((J, N))
        self.X = model.X.copy()
        self.inner_price_iters = 0
        self.inner_x_iters = 0
        self.evals = 0
        self.has_rent_extra = any(e.kind == "quota" and e.rents == "exporter" for e in extras)

    # -- pieces -------------------------------------------------------------------------
    def _extras_arrays(self, zx):
        """A, A_true and rent-rate arrays with the extra unknowns applied."""
        if not self.extras:
            return self.A0, self.A0_true, self.rent_rate
        th = self.theta
        A = self.A0.copy()
        has_commit = any(ex.kind == "commitment" for ex in self.extras)
        if self.A0_true is not None:
            A_true = self.A0_true.copy()
        else:
            A_true = self.A0.copy() if has_commit else None
        rent = None if self.rent_rate is None else self.rent_rate.copy()
        for k, ex in enumerate(self.extras):
            sel = np.ix_(ex.j_mask, ex.n_mask, [ex.i])
            tj = th[ex.j_mask][:, None, None]
            if ex.kind == "commitment":
                A[sel] *= np.exp(zx[k])
                A_true[sel] *= np.exp(zx[k] * tj / (1 + tj))
            else:
                fac = np.exp(-tj * zx[k])                     # zx = log(1 + e)
                A[sel] *= fac
                if A_true is not None:
                    A_true[sel] *= fac
                if ex.rents == "exporter":
                    if rent is None:
                        rent = np.zeros_like(A)
                    rent[sel] = (1 + rent[sel]) * np.exp(zx[k]) - 1
        return A, A_true, rent

    def _prices(self, log_w, A, A_true):
        th = self.theta
        lp = self.log_P
        va = self.m.va_share
        if self.io is None:
            lc = va * log_w[None, :]
            lp = price_index(A, lc, th, A_true)
            self.inner_price_iters += 1
            return lc, lp
        k = 0
        while k < 10_000:
            k += 1
            lc = input_cost(log_w, lp, va, self.io)
            lp_new = price_index(A, lc, th, A_true)
            d = np.abs(lp_new - lp).max()
            lp = lp_new
            if d < self.inner_tol:
                break
        self.inner_price_iters += k
        lc = input_cost(log_w, lp, va, self.io)
        return lc, lp

    def _deficits(self, w, log_P):
        m = self.m
        if self.closure == "balanced":
            return np.zeros(self.N), 1.0
        if self.closure == "deficit_ratio":
            va = w * self.VA
            lam = va.sum() / (self.phi * va).sum()
            return (lam * self.phi - 1.0) * va, self._nhat(log_P)
        nhat = self._nhat(log_P)
        return m.D * nhat, nhat

    def _nhat(self, log_P):
        if self.numeraire is None:
            return 1.0
        n = self.numeraire
        return float(np.exp((self.m.alpha[:, n] * log_P[:, n]).sum()))

    def evaluate(self, z):
        """Residuals at unknowns z = (log w, extras); updates warm starts."""
        self.evals += 1
        N = self.N
        log_w = z[:N]
        w = np.exp(log_w)
        s = self.sumVA / (w * self.VA).sum()       # world-GDP normalisation
        log_w = log_w + np.log(s)
        w = w * s
        zx = z[N:]
        A, A_true, rent = self._extras_arrays(zx)
        lc, lp = self._prices(log_w, A, A_true)
        self.log_P = lp
        pi = trade_shares(A, lc, self.theta)
        Dn, nhat = self._deficits(w, lp)
        L, parts = expenditure_operator(pi, self.tau_new, self.io, self.m.alpha, rent)
        b = self.m.alpha * (w * self.VA + Dn)[None, :]
        if self.io is None and parts["r"] is None:
            # closed form: X_n^j = alpha_n^j I_n, I_n = (w VA + D) / (1 - sum_j alpha t)
            inc = (w * self.VA + Dn) / (1.0 - (self.m.alpha * parts["t"]).sum(axis=0))
            X = self.m.alpha * inc[None, :]
            Y = np.matmul(X[:, None, :], parts["S"])[:, 0, :]
            its = 1
        else:
            X, Y, its = solve_expenditure(L, b, self.X, tol=self.inner_tol)
        self.inner_x_iters += its
        self.X = X
        supply = (self.m.va_share * Y).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            fw = np.log(supply / (w * self.VA))
        f = [fw]
        res = [np.abs(fw).max() if N else 0.0]
        if self.extras:
            fx = np.empty(len(self.extras))
            rx = np.empty(len(self.extras))
            flows = X[:, :, None] * parts["S"] if rent is None else \
                X[:, :, None] * pi / (1 + self.tau_new)
            for k, ex in enumerate(self.extras):
                v = flows[np.ix_(ex.j_mask, ex.n_mask, [ex.i])].sum()
                tgt = ex.target * nhat
                with np.errstate(divide="ignore"):
                    r = np.log(v / tgt) if v > 0 else -np.inf
                if ex.kind == "commitment":
                    fx[k] = -r
                    rx[k] = abs(r)
                else:
                    th = self.theta[ex.j_mask].mean()
                    fx[k] = r / th
                    rx[k] = abs(r)
            f.append(fx)
            res.append(rx.max())
            if (np.abs(zx) > 40).any() or not np.all(np.isfinite(fx)):
                bad = [ex for k, ex in enumerate(self.extras)
                       if abs(zx[k]) > 40 or not np.isfinite(fx[k])]
                raise UnreachableError(
                    "shocks.commitments/quotas: target(s) "
                    + ", ".join(f"{e.label or e.kind} (value {e.target:.6g})" for e in bad)
                    + " cannot be reached by any equilibrium: the required demand shifter or "
                    "shadow tax diverges. Lower the committed value or widen the sectors.",
                    field="shocks.commitments" if bad[0].kind == "commitment"
                    else "shocks.quotas")
        self._last = dict(log_w=log_w, w=w, lc=lc, lp=lp, pi=pi, X=X, Y=Y, D=Dn, nhat=nhat,
                          parts=parts, rent=rent, zx=zx)
        return np.concatenate(f), float(max(res))

    def _normalize(self, z):
        z = z.copy()
        lw = z[:self.N]
        top = lw.max()
        z[:self.N] = lw - top - np.log((np.exp(lw - top) * self.VA).sum() / self.sumVA)
        return z

    def run(self, max_iter: int, z0=None):
        N = self.N
        z = np.zeros(N + len(self.extras)) if z0 is None else z0
        beta = np.concatenate([np.full(N, self.beta_w), np.ones(len(self.extras))])
        diag: dict = {}
        t0 = time.perf_counter()
        try:
            z = _anderson(self.evaluate, z, beta, tol=self.tol, max_iter=max_iter, diag=diag,
                          normalize=self._normalize)
        except ConvergenceError as exc:
            best_z = diag.pop("best_z", None)
            if best_z is None:
                z, note = None, "not tried (no finite point)"
            elif not (exc.diagnostics.get("plain_episodes") or max_iter >= 100):
                z, note = None, "not tried (max_iter < 100)"
            else:
                z, note = self._root_fallback(best_z)
            exc.diagnostics.update(time_s=time.perf_counter() - t0, closure=self.closure,
                                   fallback=note)
            if z is None:
                exc.args = (f"{exc.args[0]}; fallback Newton solve: {note}",)
                raise
            diag.update(exc.diagnostics, fallback=note)
        diag.pop("best_z", None)
        # make sure the stored state is the one at z
        diag["residual"] = self.evaluate(z)[1]
        diag.update(time_s=time.perf_counter() - t0, evaluations=self.evals,
                    inner_price_iterations=self.inner_price_iters,
                    inner_expenditure_iterations=self.inner_x_iters)
        return self._solution(diag)

    def _root_fallback(self, z_best):
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

        def G(x):
            try:
                with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                    f, _ = self.evaluate(np.concatenate([z_best[:1], x]))
            except UnreachableError:
                return big
            f = f[1:]
            return f if np.all(np.isfinite(f)) else big

        method = "hybr" if n <= 50 else "krylov"
        opts = ({"xtol": 1e-15, "maxfev": 100 * (n + 1)} if method == "hybr" else
                {"fatol": self.tol * 0.1, "maxiter": 100})
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sol = root(G, z_best[1:], method=method, options=opts)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
            return None, f"{method} failed ({exc})"
        z = np.concatenate([z_best[:1], sol.x])
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            f, res = self.evaluate(z)
        if np.isfinite(res) and res < self.tol:
            return self._normalize(z), f"{method}: solved, residual {res:.3g}"
        return None, f"{method} did not converge (residual {res:.3g}: {sol.message})"

    def _solution(self, diag) -> HatSolution:
        s = self._last
        m = self.m
        nh = s["nhat"]
        w = s["w"] / nh
        c = np.exp(s["lc"]) / nh
        Ps = np.exp(s["lp"]) / nh
        P = np.exp((m.alpha * s["lp"]).sum(axis=0)) / nh
        X = s["X"] / nh
        Y = s["Y"] / nh
        D = s["D"] / nh
        pi = s["pi"]
        flows = X[:, :, None] * pi / (1 + self.tau_new)
        R = (flows * self.tau_new).sum(axis=(0, 2))
        rent = s["rent"]
        if rent is not None:
            rents = (flows * (rent / (1 + rent))).sum(axis=(0, 1))
        else:
            rents = np.zeros(self.N)
        extras = {}
        for k, ex in enumerate(self.extras):
            val = float(np.exp(s["zx"][k]))
            extras[ex.label or f"{ex.kind}{k}"] = {
                "kind": ex.kind, "demand_shifter" if ex.kind == "commitment" else "shadow_tax":
                val if ex.kind == "commitment" else val - 1.0,
                "value": float(flows[np.ix_(ex.j_mask, ex.n_mask, [ex.i])].sum()),
                "target": ex.target}
        sol = HatSolution(w=w, c=c, P_sector=Ps, P=P, pi=pi, tau=self.tau_new, X=X, Y=Y, D=D,
                          VA=w * m.VA, R=R, rents=rents, flows=flows, extras=extras,
                          diagnostics=diag)
        for name in ("w", "c", "P", "X", "Y", "D", "R", "rents", "flows"):
            a = getattr(sol, name)
            if not np.all(np.isfinite(a)):
                raise ConvergenceError(f"GE solution has non-finite values in {name}",
                                       diagnostics={k: v for k, v in diag.items()
                                                    if k != "residual_history"})
        # The equations can have a solution with negative spending (a fixed surplus larger
        # than what the country can earn after the shock: income w VA + R + D < 0). That is
        # no equilibrium: demand cannot be negative.
        neg = np.flatnonzero((X < -1e-12 * np.abs(X).sum()).any(axis=0))
        if neg.size:
            raise ConvergenceError(
                "no equilibrium with non-negative spending: the only solution of the "
                "equilibrium equations found has negative expenditure in country index "
                + ", ".join(str(k) for k in neg) + f" (income {sol.income[neg].round(6)}): "
                f"under closure '{self.closure}' its fixed trade surplus exceeds what it can "
                "earn after the shock. Use closure='deficit_ratio' or 'balanced', or a "
                "smaller shock.",
                diagnostics={**{k: v for k, v in diag.items() if k != "residual_history"},
                             "negative_spending": [int(k) for k in neg]})
        return sol


def solve_hat(model: CalibratedModel, *, tau_new=None, trade_costs=None, rent_rate=None,
              dissipated_rate=None, b=None, closure="fixed_deficit", numeraire=None,
              extras=(), tol=1e-10, max_iter=1000) -> HatSolution:
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
    extras : sequence of _Extra
        Commitments and (active) quotas, each one more unknown.
    tol : float
        Max abs log excess labour demand (equivalently relative trade-balance error) and
        max abs log gap to commitment / quota targets.

    Returns
    -------
    HatSolution
    """
    if closure not in CLOSURES:
        raise ModelError(f"closure: unknown closure {closure!r}; choose one of {CLOSURES}.",
                         field="closure")
    tau_old = model.tau
    if tau_new is None:
        tau_new = tau_old
    kappa = (1 + tau_new) / (1 + tau_old)
    if trade_costs is not None:
        kappa = kappa * trade_costs
    if rent_rate is not None:
        kappa = kappa * (1 + rent_rate)
    if dissipated_rate is not None:
        kappa = kappa * (1 + dissipated_rate)
    prob = _Problem(model, tau_new=tau_new, kappa_hat=kappa, rent_rate=rent_rate, b=b,
                    closure=closure, numeraire=numeraire, extras=list(extras), tol=tol)
    return prob.run(max_iter)


def model_from_solution(model: CalibratedModel, sol: HatSolution) -> CalibratedModel:
    """The levels of a solved equilibrium as a new baseline (used by the ``balanced``
    closure and to make a baseline with clipped final-demand shares self-consistent)."""
    return model.replace(pi=sol.pi, tau=sol.tau, X=sol.X, Y=sol.Y, VA=sol.VA, D=sol.D)




# ----------------------------------------------------------------------------------------
# public entry point
# ----------------------------------------------------------------------------------------
def _shock_array(name, a, N, J, *, positive=False, above=None):
    a = np.asarray(a, dtype=float)
    if a.shape != (N, N, J):
        raise ScenarioError(f"{name}: expected shape {(N, N, J)} [exporter, importer, sector], "
                            f"got {a.shape}.", field=name)
    if not np.all(np.isfinite(a)):
        raise ScenarioError(f"{name}: NaN or infinite entries; every entry must be finite.",
                            field=name)
    if positive and (a <= 0).any():
        raise ScenarioError(f"{name}: iceberg factors must be > 0 (1 = unchanged), found "
                            f"{a.min():.4g}.", field=name)
    if above is not None and (a <= above).any():
        raise ScenarioError(f"{name}: rates must be above {above:.0%} (0.2 = 20%), found "
                            f"{a.min():.4g}.", field=name)
    return np.ascontiguousarray(a.transpose(2, 1, 0))


def _deficit_vector(deficits, countries):
    if deficits is None:
        return None
    if isinstance(deficits, str):
        raise ModelError(f"deficits: got the text {deficits!r}; give {len(countries)} numbers "
                         f"(one per country) or a dict country -> deficit.", field="deficits")
    if isinstance(deficits, dict | pd.Series):
        d = dict(deficits)
        unknown = [k for k in d if k not in countries]
        if unknown:
            from tariffsim.errors import unknown_codes_message
            raise ModelError(unknown_codes_message("deficits", unknown, countries),
                             field="deficits")
        vals = [d.get(c, 0.0) for c in countries]
    else:
        vals = deficits
    try:
        return np.asarray(vals, dtype=float)
    except (TypeError, ValueError):
        raise ModelError(f"deficits: cannot read {deficits!r} as numbers; give "
                         f"{len(countries)} numbers (imports - exports, one per country) or a "
                         f"dict country -> deficit.", field="deficits") from None


def solve(baseline, shocks=None, *, trade_elasticity=None, closure: str = "fixed_deficit",
          numeraire: str = "world_gdp", tol: float = 1e-10, max_iter: int = 2000,
          deficits=None):
    r"""Solve the Caliendo-Parro (2015) general equilibrium for a set of shocks.

    Multi-country, multi-sector exact hat algebra with sector trade elasticities,
    input-output linkages, tariffs whose revenue is rebated to the importer, iceberg
    trade-cost shocks, export taxes, import commitments and export quotas (MODEL.md
    sections 2-3). With one sector and no IO it is the Armington / Anderson-van Wincoop /
    Dekle-Eaton-Kortum model.

    Parameters
    ----------
    baseline : tariffsim.Baseline
        Flows ``[exporter, importer, sector]`` at world prices with domestic sales on the
        diagonal, tariffs, IO and value-added shares.
    shocks : tariffsim.Shocks, optional
        New tariff levels, iceberg factors, export taxes, commitments, quotas. None: no
        shock (returns the baseline).
    trade_elasticity : float, sequence or dict sector -> float, optional
        theta^j > 0. Default :data:`~tariffsim.ge.calibration.DEFAULT_TRADE_ELASTICITY`
        (5) for every sector.
    closure : {"fixed_deficit", "deficit_ratio", "balanced"}
        ``fixed_deficit``: D'_n = D_n in numeraire units (DEK, CP). ``deficit_ratio``:
        expenditure E'_n = lambda phi_n Y'_n with phi_n = E_n / Y_n from the data (Yotov
        et al. 2016's E = phi Y; Y = value added) and one common lambda so that world
        spending equals world income (exact market clearing). ``balanced``: first solve the
        world with zero deficits, then the policy from there; changes are between the two
        (CP's NAFTA exercise) and the baseline columns are the zero-deficit world.
    numeraire : "world_gdp" or country code
        World value added fixed (default), or that country's aggregate price index fixed.
    tol : float
        Max abs log labour-market (equivalently trade-balance) error and log gap to
        commitment / quota targets.
    max_iter : int
        Outer iterations before :class:`~tariffsim.errors.ConvergenceError`. When they run
        out (and ``max_iter >= 100`` or the iteration stalled) a quasi-Newton solve from the
        best point is tried first; ``diagnostics["fallback"]`` reports it.
    deficits : array (N,) or dict country -> value, optional
        Baseline deficits (imports - exports) replacing the ones implied by the flows; must
        sum to zero.

    Returns
    -------
    tariffsim.results.Result

    Raises
    ------
    ModelError, ScenarioError, ConvergenceError, UnreachableError

    References
    ----------
    Caliendo, L. and Parro, F. (2015). Estimates of the Trade and Welfare Effects of NAFTA.
    Review of Economic Studies 82(1), 1-44.
    Dekle, R., Eaton, J. and Kortum, S. (2007). Unbalanced Trade. AER P&P 97(2), 351-355.
    Yotov, Y., Piermartini, R., Monteiro, J.-A. and Larch, M. (2016). An Advanced Guide to
    Trade Policy Analysis: The Structural Gravity Model. WTO/UNCTAD.
    """
    from tariffsim.results import Result

    t_start = time.perf_counter()
    if closure not in CLOSURES:
        from tariffsim.errors import suggest
        raise ModelError(f"closure: unknown closure {closure!r}{suggest(str(closure), CLOSURES)};"
                         f" choose one of {CLOSURES}.", field="closure")
    if not (isinstance(tol, int | float) and not isinstance(tol, bool) and 0 < tol < 1):
        raise ModelError(f"tol: must be a number in (0, 1), got {tol!r}.", field="tol")
    if not (isinstance(max_iter, int) and not isinstance(max_iter, bool) and max_iter > 0):
        raise ModelError(f"max_iter: must be a positive integer, got {max_iter!r}.",
                         field="max_iter")
    if not all(hasattr(baseline, a) for a in ("countries", "sectors", "flows", "tariffs",
                                                 "value_added")):
        raise ModelError(f"baseline: expected a tariffsim.Baseline, got "
                         f"{type(baseline).__name__}; build one with Baseline.from_frame or "
                         f"tariffsim.load_baseline().", field="baseline")
    if shocks is not None and not isinstance(shocks, Shocks):
        raise ScenarioError(f"shocks: expected a tariffsim.Shocks (or None), got "
                            f"{type(shocks).__name__}; turn a Scenario into shocks with "
                            f"scenario.shocks(baseline) or call tariffsim.simulate.",
                            field="shocks")
    countries = tuple(baseline.countries)
    sectors = tuple(baseline.sectors)
    N, J = len(countries), len(sectors)
    if numeraire in (None, "world_gdp"):
        num_idx, num_label = None, "world_gdp"
    else:
        if numeraire not in countries:
            from tariffsim.errors import unknown_codes_message
            raise ModelError(unknown_codes_message("numeraire", [numeraire], countries)
                             + " Or use 'world_gdp'.", field="numeraire")
        num_idx, num_label = countries.index(numeraire), f"price_index:{numeraire}"
    io = baseline.io if getattr(baseline, "has_io", True) else None
    model = calibrate(baseline.flows, baseline.tariffs, io, baseline.value_added,
                      countries=countries, sectors=sectors, trade_elasticity=trade_elasticity,
                      deficits=_deficit_vector(deficits, countries))

    # shocks -> internal arrays
    tau_new = trade_costs = rent = diss = None
    extras: list[_Extra] = []
    quotas: list[_Extra] = []
    labels: list[str] = []
    if shocks is not None:
        labels = list(getattr(shocks, "labels", []) or [])
        if shocks.tariffs is not None:
            tau_new = _shock_array("shocks.tariffs", shocks.tariffs, N, J, above=-1)
            if (tau_new > 10).any():
                warnings.warn(f"shocks.tariffs: {int((tau_new > 10).sum())} rate(s) above 1000% "
                              f"(max {tau_new.max():.4g}); rates are fractions (0.19 means "
                              f"19%), check the units.", TariffSimWarning, stacklevel=2)
        if shocks.trade_costs is not None:
            trade_costs = _shock_array("shocks.trade_costs", shocks.trade_costs, N, J,
                                       positive=True)
        if shocks.export_taxes is not None:
            et = _shock_array("shocks.export_taxes", shocks.export_taxes, N, J, above=-1)
            if shocks.export_tax_rents == "exporter":
                rent = et if et.any() else None
            elif shocks.export_tax_rents == "dissipated":
                diss = et if et.any() else None
            else:
                raise ScenarioError(f"shocks.export_tax_rents: {shocks.export_tax_rents!r}; "
                                    f"use 'exporter' or 'dissipated'.",
                                    field="shocks.export_tax_rents")
        for c in shocks.commitments:
            mask = np.asarray(c.sector_mask, dtype=bool)
            if mask.shape != (J,) or not mask.any() or not (0 <= c.importer < N) \
                    or not (0 <= c.exporter < N) or c.importer == c.exporter:
                raise ScenarioError(f"shocks.commitments: {c.label or c} must name two "
                                    f"different countries and at least one sector.",
                                    field="shocks.commitments")
            if not (np.isfinite(c.value) and c.value > 0):
                raise ScenarioError(f"shocks.commitments: value must be > 0, got {c.value}.",
                                    field="shocks.commitments")
            nm = np.zeros(N, dtype=bool)
            nm[c.importer] = True
            extras.append(_Extra("commitment", nm, c.exporter, mask, float(c.value),
                                 label=c.label or f"commitment {countries[c.importer]} <- "
                                 f"{countries[c.exporter]}"))
        for q in shocks.quotas:
            jm = np.asarray(q.sector_mask, dtype=bool)
            nm = np.asarray(q.importer_mask, dtype=bool).copy()
            if jm.shape != (J,) or nm.shape != (N,) or not (0 <= q.exporter < N):
                raise ScenarioError(f"shocks.quotas: {q.label or q} has masks of the wrong "
                                    f"shape (need ({N},) importers and ({J},) sectors).",
                                    field="shocks.quotas")
            nm[q.exporter] = False
            if not jm.any() or not nm.any():
                raise ScenarioError(f"shocks.quotas: {q.label or q} covers no flows.",
                                    field="shocks.quotas")
            if q.rents not in ("exporter", "dissipated"):
                raise ScenarioError(f"shocks.quotas: rents {q.rents!r}; use 'exporter' or "
                                    f"'dissipated'.", field="shocks.quotas")
            if not (np.isfinite(q.cap) and q.cap > 0):
                raise UnreachableError(f"shocks.quotas: cap {q.cap} for {q.label or 'quota'} "
                                       f"needs an infinite export tax; use a positive cap or "
                                       f"a prohibitive export tax instead.",
                                       field="shocks.quotas")
            quotas.append(_Extra("quota", nm, q.exporter, jm, float(q.cap), rents=q.rents,
                                 label=q.label or f"quota {countries[q.exporter]}"))

    seen: set[str] = set()
    for ex in extras + quotas:                       # unique labels for the extras dict
        base_label, k = ex.label, 1
        while ex.label in seen:
            k += 1
            ex.label = f"{base_label} ({k})"
        seen.add(ex.label)

    # reference equilibrium (zero-deficit world under "balanced"; otherwise the
    # model-consistent baseline, identical to the data unless calibration clipped shares)
    def solve_named(*args, **kwargs):
        # solve_hat, with country codes instead of indices in a no-equilibrium message
        try:
            return solve_hat(*args, **kwargs)
        except ConvergenceError as exc:
            neg = exc.diagnostics.get("negative_spending")
            if neg:
                names = [countries[k] for k in neg]
                exc.diagnostics["negative_spending"] = names
                exc.args = (exc.args[0].replace(
                    "country index " + ", ".join(str(k) for k in neg),
                    ", ".join(names)),)
            raise

    ref = solve_named(model, closure=closure, numeraire=num_idx, tol=tol, max_iter=max_iter)
    # The data are an equilibrium of the calibrated model unless calibration adjusted them
    # (clipped final demand): compare the flows, not the iteration count -- the labour
    # market can clear at w-hat = 1 while expenditure differs from the data.
    F_data = model.flows()
    consistent = np.allclose(ref.flows, F_data, rtol=1e-9,
                             atol=1e-12 * max(float(F_data.max()), 1e-300))
    if closure != "balanced" and consistent:
        model0 = model
    else:
        model0 = model_from_solution(model, ref)
        if closure != "balanced":
            model.notes.append("baseline re-solved for consistency with the calibrated "
                               "final-demand shares; baseline columns are that solution.")
    kw = dict(tau_new=tau_new, trade_costs=trade_costs, rent_rate=rent, dissipated_rate=diss,
              closure=closure, numeraire=num_idx, tol=tol, max_iter=max_iter)
    active: list[_Extra] = []
    for _round in range(2 * len(quotas) + 2):
        sol = solve_named(model0, extras=extras + active, **kw)
        changed = False
        flows = sol.flows
        for q in quotas:
            if q in active:
                if sol.extras[q.label]["shadow_tax"] < -1e-12:
                    active.remove(q)
                    changed = True
            else:
                v = flows[np.ix_(q.j_mask, q.n_mask, [q.i])].sum()
                if v > q.target * (1 + 1e-9):
                    active.append(q)
                    changed = True
        if not changed:
            break
    quota_info = {q.label: (sol.extras[q.label] if q in active else
                            {"kind": "quota", "shadow_tax": 0.0, "target": q.target,
                             "value": float(sol.flows[np.ix_(q.j_mask, q.n_mask,
                                                             [q.i])].sum())})
                  for q in quotas}
    extras_out = {k: v for k, v in sol.extras.items() if v["kind"] == "commitment"}
    extras_out.update(quota_info)

    diag = {k: v for k, v in sol.diagnostics.items()}
    diag["reference_iterations"] = ref.diagnostics.get("iterations")
    diag["time_s"] = time.perf_counter() - t_start
    diag["tol"] = tol
    theta = dict(zip(sectors, model.theta.tolist(), strict=True))
    vintage = " ".join(str(x) for x in (getattr(baseline, "source", None),
                                          getattr(baseline, "year", None)) if x)
    notes = list(model.notes)
    if closure == "balanced":
        notes.append("closure 'balanced': baseline columns are the zero-deficit world solved "
                     "from the data; changes are from that world to the policy.")
    frames = _frames(model0, sol, countries, sectors, closure)
    return Result(frames["countries"], frames["flows"], model="ge", closure=closure,
                  trade_elasticity=theta, decomposition=frames["decomposition"],
                  diagnostics=diag, data_vintage=vintage or None,
                  provenance=getattr(baseline, "provenance", None),
                  units=getattr(baseline, "units", "USD million"), numeraire=num_label,
                  scenario=", ".join(labels) or None, extras=extras_out, notes=notes)


def _frames(m0: CalibratedModel, sol: HatSolution, countries, sectors, closure):
    """Tidy frames from a baseline model and a solution (internal layout)."""
    F0 = m0.flows()
    F1 = sol.flows
    N = len(countries)
    eye = np.eye(N, dtype=bool)[None, :, :]
    intl0 = np.where(eye, 0.0, F0)
    intl1 = np.where(eye, 0.0, F1)
    I0 = m0.income()
    I1 = sol.income
    R0 = m0.tariff_revenue()
    welfare = I1 / I0 / sol.P
    dc = pd.DataFrame({
        "country": list(countries),
        "welfare_change_pct": 100 * (welfare - 1),
        "real_wage_change_pct": 100 * (sol.w / sol.P - 1),
        "real_gdp_change_pct": 100 * (sol.w / sol.P - 1),
        "wage_change_pct": 100 * (sol.w - 1),
        "price_index_change_pct": 100 * (sol.P - 1),
        "exports_baseline": intl0.sum(axis=(0, 1)),
        "exports_scenario": intl1.sum(axis=(0, 1)),
        "imports_baseline": intl0.sum(axis=(0, 2)),
        "imports_scenario": intl1.sum(axis=(0, 2)),
    })
    dc["balance_baseline"] = dc["exports_baseline"] - dc["imports_baseline"]
    dc["balance_scenario"] = dc["exports_scenario"] - dc["imports_scenario"]
    dc["tariff_revenue_baseline"] = R0
    dc["tariff_revenue_scenario"] = sol.R
    dc["export_rents_scenario"] = sol.rents
    dc["value_added_baseline"] = m0.VA
    dc["value_added_scenario"] = sol.VA
    dc["income_baseline"] = I0
    dc["income_scenario"] = I1
    dc["closure"] = closure
    num = dc.select_dtypes("number").to_numpy()
    if not np.all(np.isfinite(num)):
        raise ConvergenceError("GE result has non-finite country values",
                               diagnostics={k: v for k, v in sol.diagnostics.items()
                                            if not isinstance(v, list)})

    def flows_frame():
        J = len(sectors)
        idx = np.indices((N, N, J)).reshape(3, -1)
        c = np.asarray(countries, dtype=object)
        s = np.asarray(sectors, dtype=object)
        return pd.DataFrame({
            "exporter": c[idx[0]], "importer": c[idx[1]], "sector": s[idx[2]],
            "baseline": F0.transpose(2, 1, 0).ravel(),
            "scenario": F1.transpose(2, 1, 0).ravel(),
            "tariff_baseline": m0.tau.transpose(2, 1, 0).ravel(),
            "tariff_scenario": sol.tau.transpose(2, 1, 0).ravel(),
        })

    def decomposition_frame():
        with np.errstate(divide="ignore", invalid="ignore"):
            Mh = np.where(F0 > 0, F1 / np.where(F0 > 0, F0, 1.0), 1.0)
        tot, vot = welfare_decomposition(F0.transpose(0, 2, 1), F0, m0.tau, sol.c, Mh, I0)
        return pd.DataFrame({
            "country": list(countries),
            "terms_of_trade_pct": 100 * tot,
            "volume_of_trade_pct": 100 * vot,
            "decomposition_sum_pct": 100 * (tot + vot),
            "welfare_exact_pct": 100 * (welfare - 1),
            "closure": closure,
        })

    return {"countries": dc, "flows": flows_frame, "decomposition": decomposition_frame}
