"""The equilibrium system of one counterfactual: residuals at given unknowns.

[`HatSystem`][tariffsim.ge.system.HatSystem] is the per-evaluation residual function that the
fixed-point solver ([`tariffsim.ge.hat`][]) iterates on. Its unknowns are ``z = (log w-hat, zx)``:
the wage changes (N) and one entry per extra unknown (`Extra`: the log demand shifter of a
commitment, the log of one plus the shadow export tax of a binding
quota). One evaluation, [`HatSystem.evaluate`][tariffsim.ge.system.HatSystem.evaluate], runs the
steps of CP (2015) eq. 10-14:

1. [`cost_terms`][tariffsim.ge.system.HatSystem.cost_terms]: ``A = pi * kappa-hat^-theta`` with the
   extras applied;
2. [`prices`][tariffsim.ge.system.HatSystem.prices]: input costs and price indices (eq. 10-11), a
   fixed point warm-started from the previous evaluation;
3. trade shares (eq. 12) and [`deficits`][tariffsim.ge.system.HatSystem.deficits] (the closure);
4. [`expenditure`][tariffsim.ge.system.HatSystem.expenditure]: the linear expenditure system (eq.
   13), warm-started;
5. residuals: log excess labour demand (eq. 14's equivalent) and
   [`target_gaps`][tariffsim.ge.system.HatSystem.target_gaps] of the extras.

A new model option (a labour-supply response, scale economies, a local-content share,
revenue recycling) changes one of these steps. What does not depend on the unknowns is
computed once, in [`hat_terms`][tariffsim.ge.system.hat_terms] (the
[`HatTerms`][tariffsim.ge.system.HatTerms] of a shock).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tariffsim.errors import ConvergenceError, UnreachableError
from tariffsim.ge.anderson import anderson
from tariffsim.ge.calibration import CalibratedModel
from tariffsim.ge.equilibrium import (
    expenditure_operator,
    input_cost,
    price_index,
    solve_expenditure,
    trade_shares,
)
from tariffsim.ge.extensions import ExtensionSystem
from tariffsim.ge.prepare import Extra
from tariffsim.literals import CLOSURES

__all__ = ["CLOSURES", "HatTerms", "hat_terms", "HatSystem", "HatSolution"]


#: |log demand shifter| or |log(1 + shadow tax)| beyond which a target is unreachable.
_MAX_EXTRA = 40.0


@dataclass(frozen=True)
class HatTerms:
    """The parts of a counterfactual that do not depend on the unknowns.

    Attributes
    ----------
    tau_new : ndarray (J, N, N)
        New tariffs [sector, importer, exporter].
    A0 : ndarray (J, N, N)
        ``pi * b * kappa-hat^-theta``, kappa-hat the change in ``(1 + tariff) * iceberg *
        (1 + export tax)``.
    A0_true : ndarray (J, N, N) or None
        ``pi * b^(theta/(1+theta)) * kappa-hat^-theta`` when fixed demand shifters ``b``
        are given (the price index of the unshifted preferences), else None.
    rent_rate : ndarray (J, N, N) or None
        Export-tax rate whose revenue is income of the exporter.
    """

    tau_new: np.ndarray
    A0: np.ndarray
    A0_true: np.ndarray | None
    rent_rate: np.ndarray | None


def hat_terms(model: CalibratedModel, *, tau_new: np.ndarray | None = None,
              trade_costs: np.ndarray | None = None, rent_rate: np.ndarray | None = None,
              dissipated_rate: np.ndarray | None = None,
              b: np.ndarray | None = None) -> HatTerms:
    r"""Constant terms of a counterfactual from its shock arrays (all ``(J, N, N)``).

    $$
    \hat\kappa_{ni}^j = \Big(\frac{1+\tau_{ni}^{j\prime}}{1+\tau_{ni}^j}
    \Big)^{\phi_n^j}\,
    \hat d_{ni}^j\,(1+e_{ni}^{j,\text{rent}})(1+e_{ni}^{j,\text{diss}}),\qquad
    A = \pi\, b\, \hat\kappa^{-\theta}
    $$

    with the tariff pass-through ``phi`` of the model's extensions (1 without them).

    Parameters
    ----------
    model : CalibratedModel
    tau_new : ndarray, optional
        New tariffs; the model's when None.
    trade_costs : ndarray, optional
        Iceberg factor change d-hat.
    rent_rate, dissipated_rate : ndarray, optional
        Export-tax rates whose revenue goes to the exporter / is dissipated.
    b : ndarray, optional
        Fixed demand shifters.

    Returns
    -------
    HatTerms
    """
    tau_old = model.tau
    if tau_new is None:
        tau_new = tau_old
    kappa = (1 + tau_new) / (1 + tau_old)
    if model.ext is not None and model.ext.variety:
        kappa = kappa ** model.ext.passthrough[:, :, None]
    for factor in (trade_costs, None if rent_rate is None else 1 + rent_rate,
                   None if dissipated_rate is None else 1 + dissipated_rate):
        if factor is not None:
            kappa = kappa * factor
    th = model.theta
    A0 = model.pi * np.exp(-th[:, None, None] * np.log(kappa))
    A0_true = None
    if b is not None:
        A0_true = A0 * b ** (th / (1 + th))[:, None, None]
        A0 = A0 * b
    return HatTerms(tau_new=tau_new, A0=A0, A0_true=A0_true, rent_rate=rent_rate)


@dataclass
class HatSolution:
    """Solution of one hat-algebra solve, in the solver's internal layout, levels in
    baseline units relative to the numeraire.

    Bilateral arrays are ``(J, N importer, N exporter)``, country-sector arrays ``(J, N)``,
    country arrays ``(N,)``. ``D`` is the transfer (the deficit without a local share),
    ``VA`` factor income ``w-hat L-hat VA``. ``extras`` maps each extra's label to ``kind``,
    ``value``, ``target`` and its ``demand_shifter`` (commitment) or ``shadow_tax`` (quota).
    """

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
    L: np.ndarray | None = None           # (N,) employment change (None: 1)
    tax_factor: np.ndarray | None = None  # (N,) after-tax wage factor change (None: 1)

    @property
    def income(self) -> np.ndarray:
        return self.VA + self.R + self.rents + self.D


class HatSystem:
    """The equilibrium equations of one counterfactual at unknowns ``z``.

    Parameters
    ----------
    model : CalibratedModel
        Baseline levels.
    terms : HatTerms
        The shock's constant terms.
    closure : {"fixed_deficit", "deficit_ratio", "balanced"}
    numeraire : int or None
        Country whose aggregate price index is the numeraire; None: world GDP.
    extras : list of Extra
        The binding commitment floors and quota caps (the active set), in the order of
        ``z[n_core:]``.
    tol : float
        Outer tolerance (sets the inner tolerances).

    Notes
    -----
    The unknowns are ``z = (log w, extension blocks, extras)``; the extension blocks
    (`ExtensionSystem`: employment, sector employment
    shares, spending in wage units) exist only when ``model.ext`` switches them on, and
    ``n_core`` is where the extras start.

    Evaluations keep warm starts (``log_P``, ``X``) and counters (``evals``,
    ``inner_price_iters``, ``inner_x_iters``); ``state`` holds the arrays of the last
    evaluation, which [`solution`][tariffsim.ge.system.HatSystem.solution] turns into a
    [`HatSolution`][tariffsim.ge.system.HatSolution].
    """

    def __init__(self, model: CalibratedModel, terms: HatTerms, *, closure: str,
                 numeraire: int | None, extras: list[Extra], tol: float) -> None:
        self.m = model
        self.J, self.N = model.n_sectors, model.n_countries
        self.theta = model.theta
        self.terms = terms
        self.tau_new = terms.tau_new
        # constant across evaluations: the tariff terms of the expenditure system and a
        # buffer for its world-price shares (no new (J, N, N) array per evaluation)
        self._inv = 1.0 / (1.0 + terms.tau_new)
        self._tinv = terms.tau_new * self._inv
        self._S = np.empty_like(terms.A0)
        self.closure = closure
        self.numeraire = numeraire
        self.extras = extras
        self.tol = tol
        self.inner_tol = min(max(tol * 1e-3, 1e-13), 1e-10)
        self.sumVA = model.VA.sum()
        self.phi = 1.0 + model.D / model.VA
        # damping for log w: roughly 1 / (1 + effective elasticity of sales to the wage)
        sales = model.Y
        w_th = (sales * self.theta[:, None]).sum() / max(sales.sum(), 1e-300)
        self.beta_w = 1.0 / (1.0 + w_th)
        self.log_P = np.zeros((self.J, self.N))
        self.X = model.X.copy()
        self.inner_price_iters = 0
        self.inner_x_iters = 0
        self.evals = 0
        self.state: dict[str, Any] = {}
        self.ext = None if model.ext is None else ExtensionSystem(model, self.N)
        self.n_core = self.N if self.ext is None else self.ext.end

    @property
    def n_unknowns(self) -> int:
        return self.n_core + len(self.extras)

    def damping(self) -> np.ndarray:
        """Step factors of the unknowns: ``beta_w`` for the wages, the extension blocks'
        own (`ExtensionSystem.damping`), 1 for the extras."""
        if self.ext is None:
            return np.concatenate([np.full(self.N, self.beta_w),
                                   np.ones(self.n_unknowns - self.N)])
        return np.concatenate([np.full(self.N, self.beta_w), self.ext.damping(),
                               np.ones(len(self.extras))])

    # -- the steps of one evaluation -------------------------------------------------------
    def cost_terms(self, zx: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
        """``(A, A_true, rent_rate)`` with the extra unknowns ``zx`` applied: a commitment
        multiplies its flows' A by ``exp(zx)`` (and A_true by ``exp(zx)^(theta/(1+theta))``),
        a quota by ``(1 + e)^-theta`` with ``zx = log(1 + e)``, whose rents go to the
        exporter or are dissipated."""
        t = self.terms
        if not self.extras:
            return t.A0, t.A0_true, t.rent_rate
        th = self.theta
        A = t.A0.copy()
        has_commit = any(ex.kind == "commitment" for ex in self.extras)
        A_true: np.ndarray | None = None
        if t.A0_true is not None:
            A_true = t.A0_true.copy()
        elif has_commit:
            A_true = t.A0.copy()
        rent = None if t.rent_rate is None else t.rent_rate.copy()
        for k, ex in enumerate(self.extras):
            sel = ex.index()
            tj = th[ex.j_mask][:, None, None]
            if ex.kind == "commitment":
                assert A_true is not None                          # has_commit
                A[sel] *= np.exp(zx[k])
                A_true[sel] *= np.exp(zx[k] * tj / (1 + tj))
            else:
                fac = np.exp(-tj * zx[k])                          # zx = log(1 + e)
                A[sel] *= fac
                if A_true is not None:
                    A_true[sel] *= fac
                if ex.rents == "exporter":
                    if rent is None:
                        rent = np.zeros_like(A)
                    rent[sel] = (1 + rent[sel]) * np.exp(zx[k]) - 1
        return A, A_true, rent

    def prices(self, log_w: np.ndarray, A: np.ndarray, A_true: np.ndarray | None,
               ext: tuple | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(log c-hat, log P-hat)`` (J, N): the price system (CP eq. 10-11) solved by
        fixed-point iteration from the previous evaluation's price indices.

        ``ext``: the extension unknowns ``(log L, log l, log(X/w))`` of
        `ExtensionSystem.unpack`; the unit cost then has the scale term and the
        price index the variety term."""
        th = self.theta
        lp = self.log_P
        va = self.m.va_share
        io = self.m.io
        ex = self.ext
        if ext is None or ex is None:
            def cost(lc: np.ndarray) -> np.ndarray:
                return lc

            def index(lc: np.ndarray) -> np.ndarray:
                return price_index(A, lc, th, A_true)
        else:
            lL, ll, lx = ext

            def cost(lc: np.ndarray) -> np.ndarray:
                return ex.cost(lc, log_w, lL, ll)

            def index(lc: np.ndarray) -> np.ndarray:
                return ex.price(price_index(A, lc, th, A_true), lx)
        if io is None:
            lc = cost(va * log_w[None, :])
            lp = index(lc)
            self.inner_price_iters += 1
            return lc, lp
        # the price system lp = index(cost(lp)) of plain CP is a contraction (factor: the
        # largest intermediate share); Anderson mixing (memory 5) from the previous
        # evaluation's indices needs about half the passes of plain iteration. With the
        # extensions (scale and variety terms) or when mixing fails: plain iteration.
        lp0 = lp
        if ex is None:
            shape = lp.shape
            last: list = [None]

            def step(x: np.ndarray) -> tuple[np.ndarray, float]:
                new = index(cost(input_cost(log_w, x.reshape(shape), va, io)))
                last[0] = new
                f = new.ravel() - x
                return f, float(np.abs(f).max())

            fp = anderson(step, lp.ravel(), 1.0, tol=self.inner_tol, max_iter=200, m=5,
                          rcond=None, max_step=np.inf)
            self.inner_price_iters += fp.diagnostics["iterations"]
            if fp.converged:
                lc = cost(input_cost(log_w, last[0], va, io))
                return lc, last[0]
        lp = lp0
        k = 0
        while k < 10_000:
            k += 1
            lc = cost(input_cost(log_w, lp, va, io))
            lp_new = index(lc)
            d = np.abs(lp_new - lp).max()
            lp = lp_new
            if d < self.inner_tol:
                break
        self.inner_price_iters += k
        lc = cost(input_cost(log_w, lp, va, io))
        return lc, lp

    def deficits(self, w: np.ndarray, log_P: np.ndarray) -> tuple[np.ndarray, float]:
        """``(D', n-hat)``: new deficits (transfers) under the closure, in world-GDP units,
        and the change of the numeraire's price index (1 when world GDP is the numeraire).
        ``w`` is the change of factor income per baseline unit (``w-hat L-hat``)."""
        if self.closure == "balanced":
            return np.zeros(self.N), 1.0
        if self.closure == "deficit_ratio":
            va = w * self.m.VA
            lam = va.sum() / (self.phi * va).sum()
            return (lam * self.phi - 1.0) * va, self._nhat(log_P)
        nhat = self._nhat(log_P)
        return self.m.D * nhat, nhat

    def _nhat(self, log_P: np.ndarray) -> float:
        if self.numeraire is None:
            return 1.0
        n = self.numeraire
        return float(np.exp((self.m.alpha[:, n] * log_P[:, n]).sum()))

    def expenditure(self, w: np.ndarray, D: np.ndarray, pi: np.ndarray,
                    rent: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, dict]:
        """``(X', Y', parts)``: expenditure and gross output solving CP eq. 13 with income
        ``w VA + D' + R' (+ rents)``, warm-started from the previous evaluation; ``parts``
        as returned by [`expenditure_operator`][tariffsim.ge.equilibrium.expenditure_operator]. With
        a local share Y' is the output producers keep (net of the local share of their sales)."""
        m = self.m
        keep = None if self.ext is None else self.ext.keep
        L, parts = expenditure_operator(pi, self.tau_new, m.io, m.alpha, rent, keep,
                                        inv=self._inv, tinv=self._tinv, out=self._S)
        if m.io is None and parts["r"] is None:
            # closed form: X_n^j = alpha_n^j I_n, I_n = (w VA + D) / (1 - sum_j alpha t)
            inc = (w * m.VA + D) / (1.0 - (m.alpha * parts["t"]).sum(axis=0))
            X = m.alpha * inc[None, :]
            Y = np.matmul(X[:, None, :], parts["K"])[:, 0, :]
            its = 1
        else:
            b = m.alpha * (w * m.VA + D)[None, :]
            X, Y, its = solve_expenditure(L, b, self.X, tol=self.inner_tol)
        self.inner_x_iters += its
        if np.isfinite(X).all():
            self.X = X
        return X, Y, parts

    def target_gaps(self, zx: np.ndarray, flows: np.ndarray, nhat: float
                    ) -> tuple[np.ndarray, float]:
        """Steps and max abs log gap of the extras to their targets (targets in numeraire
        units): a binding commitment's shifter rises while imports fall short of its floor
        (and falls while they exceed it: in the system the floor is met exactly; the
        active-set loop releases it when its shifter drops below one), a quota's shadow
        tax rises (scaled by 1/theta) while exports exceed the cap.

        Raises
        ------
        UnreachableError
            A shifter or shadow tax diverges (``|zx| > 40``) or a covered flow vanishes.
        """
        fx = np.empty(len(self.extras))
        rx = np.empty(len(self.extras))
        for k, ex in enumerate(self.extras):
            v = ex.value(flows)
            with np.errstate(divide="ignore"):
                r = np.log(v / (ex.target * nhat)) if v > 0 else -np.inf
            fx[k] = -r if ex.kind == "commitment" else r / self.theta[ex.j_mask].mean()
            rx[k] = abs(r)
        if (np.abs(zx) > _MAX_EXTRA).any() or not np.all(np.isfinite(fx)):
            bad = [ex for k, ex in enumerate(self.extras)
                   if abs(zx[k]) > _MAX_EXTRA or not np.isfinite(fx[k])]
            raise UnreachableError(
                "shocks.commitments/quotas: target(s) "
                + ", ".join(f"{e.label or e.kind} (value {e.target:.6g})" for e in bad)
                + " cannot be reached by any equilibrium: the required demand shifter or "
                "shadow tax diverges. Lower the committed value or widen the sectors.",
                field="shocks.commitments" if bad[0].kind == "commitment"
                else "shocks.quotas")
        return fx, float(rx.max())

    # -- the residual function ---------------------------------------------------------------
    def evaluate(self, z: np.ndarray) -> tuple[np.ndarray, float]:
        """Steps and residual at unknowns ``z = (log w, extension blocks, zx)``; updates the
        warm starts.

        Returns
        -------
        f : ndarray (n_unknowns,)
            ``log(labour demand / labour supply)`` by country (a step for log w), the
            extension blocks' steps (`ExtensionSystem.gaps`), then the extras' steps
            ([`target_gaps`][tariffsim.ge.system.HatSystem.target_gaps]).
        res : float
            Max abs log labour-market error, extension gap and log gap to the targets.
        """
        self.evals += 1
        N = self.N
        ex = self.ext
        log_w = z[:N]
        w = np.exp(log_w)
        ext = None if ex is None else ex.unpack(z)
        L = None if ext is None or ext[0] is None else np.exp(ext[0])
        wl = w if L is None else w * L                   # factor income per baseline unit
        s = self.sumVA / (wl * self.m.VA).sum()      # world-GDP normalisation
        log_w = log_w + np.log(s)
        w = w * s
        wl = w if L is None else w * L
        zx = z[self.n_core:]
        A, A_true, rent = self.cost_terms(zx)
        lc, lp = self.prices(log_w, A, A_true, ext)
        if np.isfinite(lp).all():        # a non-finite warm start would poison later calls
            self.log_P = lp
        pi = trade_shares(A, lc, self.theta)
        Dn, nhat = self.deficits(wl, lp)
        X, Y, parts = self.expenditure(wl, Dn, pi, rent)
        VAj = self.m.va_share * Y
        if ex is not None and ex.nu is not None:
            VAj = VAj + ex.nu * X * (1.0 - parts["t"])    # local share of every purchase
        supply = VAj.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            fw = np.log(supply / (wl * self.m.VA))
        f, res = fw, float(np.abs(fw).max()) if N else 0.0
        tax = None
        if ex is not None:
            fe, tax = ex.gaps(z, log_w, lp, X, VAj, parts["t"], wl * self.m.VA, self.m.alpha)
            if fe.size:
                f, res = np.concatenate([f, fe]), max(res, float(np.abs(fe).max()))
        if self.extras:
            flows = X[:, :, None] * parts["S"] if rent is None else \
                X[:, :, None] * pi * self._inv
            fx, rx = self.target_gaps(zx, flows, nhat)
            f, res = np.concatenate([f, fx]), max(res, rx)
        self.state = dict(log_w=log_w, w=w, wl=wl, L=L, tax=tax, lc=lc, lp=lp, pi=pi, X=X,
                          Y=Y, D=Dn, nhat=nhat, rent=rent, zx=zx)
        return f, res

    def normalize(self, z: np.ndarray) -> np.ndarray:
        """``z`` with the wages rescaled so that world value added (factor income) is
        unchanged."""
        z = z.copy()
        lw = z[:self.N]
        lwl = lw
        if self.ext is not None and "L" in self.ext.blocks:
            lwl = lw + z[self.ext.blocks["L"]]
        top = lwl.max()
        z[:self.N] = lw - top - np.log((np.exp(lwl - top) * self.m.VA).sum() / self.sumVA)
        return z

    # -- the solution --------------------------------------------------------------------------
    def solution(self, diag: dict) -> HatSolution:
        """The last evaluation's state as a [`HatSolution`][tariffsim.ge.system.HatSolution] in
        numeraire units.

        Raises
        ------
        ConvergenceError
            Non-finite values, or negative spending (no equilibrium).
        """
        s = self.state
        m = self.m
        nh = s["nhat"]
        w = s["w"] / nh
        X = s["X"] / nh
        pi = s["pi"]
        flows = X[:, :, None] * pi * self._inv
        R = (flows * self.tau_new).sum(axis=(0, 2))
        rent = s["rent"]
        keep = None if self.ext is None else self.ext.keep
        rents = np.zeros(self.N)
        if rent is not None:
            kept = flows if keep is None else flows * keep[:, :, None]
            rents = (kept * (rent / (1 + rent))).sum(axis=(0, 1))
        # gross output at world prices (Y' is net of the local share when there is one)
        Y = s["Y"] / nh if keep is None else flows.sum(axis=1)
        sol = HatSolution(w=w, c=np.exp(s["lc"]) / nh, P_sector=np.exp(s["lp"]) / nh,
                          P=np.exp((m.alpha * s["lp"]).sum(axis=0)) / nh, pi=pi,
                          tau=self.tau_new, X=X, Y=Y, D=s["D"] / nh,
                          VA=s["wl"] / nh * m.VA, R=R, rents=rents, flows=flows,
                          extras=self._extras_out(flows), diagnostics=diag, L=s["L"],
                          tax_factor=s["tax"])
        self._check(sol, diag)
        return sol

    def _extras_out(self, flows: np.ndarray) -> dict[str, dict]:
        out = {}
        for k, ex in enumerate(self.extras):
            val = float(np.exp(self.state["zx"][k]))
            out[ex.label or f"{ex.kind}{k}"] = {
                "kind": ex.kind, "demand_shifter" if ex.kind == "commitment" else "shadow_tax":
                val if ex.kind == "commitment" else val - 1.0,
                "value": ex.value(flows), "target": ex.target}
        return out

    def _check(self, sol: HatSolution, diag: dict) -> None:
        short = {k: v for k, v in diag.items() if k != "residual_history"}
        for name in ("w", "c", "P", "X", "Y", "D", "R", "rents", "flows"):
            if not np.all(np.isfinite(getattr(sol, name))):
                raise ConvergenceError(f"GE solution has non-finite values in {name}",
                                       diagnostics=short)
        # The equations can have a solution with negative spending (a fixed surplus larger
        # than what the country can earn after the shock: income w VA + R + D < 0). That is
        # no equilibrium: demand cannot be negative.
        X = sol.X
        neg = np.flatnonzero((X < -1e-12 * np.abs(X).sum()).any(axis=0))
        if neg.size:
            raise ConvergenceError(
                "no equilibrium with non-negative spending: the only solution of the "
                "equilibrium equations found has negative expenditure in country index "
                + ", ".join(str(k) for k in neg) + f" (income {sol.income[neg].round(6)}): "
                f"under closure '{self.closure}' its fixed trade surplus exceeds what it can "
                "earn after the shock. Use closure='deficit_ratio' or 'balanced', or a "
                "smaller shock.",
                diagnostics={**short, "negative_spending": [int(k) for k in neg]})
