"""Calibration of the Caliendo-Parro model from a baseline, as in CP's replication.

From bilateral flows at world prices (domestic sales on the diagonal), tariffs, input-output
shares and value-added shares this computes every level the hat algebra needs: trade
shares, expenditure gross of tariffs, gross output, value added, tariff revenue, deficits
and final-demand shares.

Final-demand shares follow the replication of Caliendo & Parro (2015): expenditure net of
intermediate use, ``F_n^j = X_n^j - sum_k gamma_n^{j,k} Y_n^k``, negative values set to
zero, shares renormalised to sum to one in each country.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from tariffsim.errors import DataError, ModelError
from tariffsim.ge.extensions import Extensions

__all__ = ["CalibratedModel", "calibrate", "trade_elasticity_vector", "DEFAULT_TRADE_ELASTICITY"]

#: Default trade elasticity theta for every sector: the middle of the 4-8 range that GE
#: calibrations use for the long run (Head & Mayer 2014 median of structural estimates
#: is about 5; Simonovska & Waugh 2014 about 4; Eaton & Kortum 2002 8.28).
DEFAULT_TRADE_ELASTICITY = 5.0


@dataclass
class CalibratedModel:
    """Levels of a model equilibrium in the solver's internal layout.

    Bilateral arrays are ``(J, N, N)`` [sector, importer, exporter]; country-sector arrays
    ``(J, N)`` [sector, country]. Money values are in baseline units.
    """

    countries: tuple
    sectors: tuple
    pi: np.ndarray          # trade shares (J, N, N)
    tau: np.ndarray         # tariffs (J, N, N)
    X: np.ndarray           # expenditure gross of tariffs (J, N)
    Y: np.ndarray           # gross output at producer prices (J, N)
    va_share: np.ndarray    # value-added share of gross output (J, N)
    io: np.ndarray | None   # (N, J, J) [country, input, sector] or None
    alpha: np.ndarray       # final-demand shares (J, N)
    VA: np.ndarray          # value added = factor income (N,)
    D: np.ndarray           # transfer (N,): income - VA - tariff revenue; the deficit
    #                         (imports - exports at world prices) when there is no local share
    theta: np.ndarray       # (J,)
    notes: list = field(default_factory=list)
    ext: Extensions | None = None   # model extensions (None: plain Caliendo-Parro)

    @property
    def n_countries(self) -> int:
        return len(self.countries)

    @property
    def n_sectors(self) -> int:
        return len(self.sectors)

    def flows(self) -> np.ndarray:
        """Bilateral flows at world prices (J, N importer, N exporter)."""
        return self.X[:, :, None] * self.pi / (1.0 + self.tau)

    def sector_value_added(self) -> np.ndarray:
        """Value added by sector (J, N): ``gamma Y~ + nu M`` (``gamma Y`` without a local
        share); sums to ``VA`` over sectors."""
        F = self.flows()
        if self.ext is None or not self.ext.local:
            return self.va_share * F.sum(axis=1)
        nu = self.ext.nu
        return self.va_share * (F * (1.0 - nu)[:, :, None]).sum(axis=1) + nu * F.sum(axis=2)

    def tariff_revenue(self) -> np.ndarray:
        return (self.flows() * self.tau).sum(axis=(0, 2))

    def income(self) -> np.ndarray:
        return self.VA + self.tariff_revenue() + self.D

    def replace(self, **kw) -> CalibratedModel:
        return replace(self, **kw)


def trade_elasticity_vector(trade_elasticity, sectors: Sequence[str]) -> np.ndarray:
    """Turn a scalar, per-sector sequence or ``{sector: theta}`` mapping into a (J,) array.

    Raises
    ------
    ModelError
        (field ``trade_elasticity``) for non-positive, non-finite values, wrong length or
        unknown / missing sectors.
    """
    J = len(sectors)
    if trade_elasticity is None:
        theta = np.full(J, DEFAULT_TRADE_ELASTICITY)
    elif isinstance(trade_elasticity, Mapping):
        unknown = [s for s in trade_elasticity if s not in sectors]
        if unknown:
            from tariffsim.errors import suggest
            raise ModelError(
                f"trade_elasticity: unknown sector(s) {unknown!r}"
                f"{suggest(str(unknown[0]), sectors)}; sectors are {list(sectors)}.",
                field="trade_elasticity")
        missing = [s for s in sectors if s not in trade_elasticity]
        if missing:
            raise ModelError(
                f"trade_elasticity: no value for sector(s) {missing[:10]!r}. Give every "
                f"sector a value or pass a scalar.", field="trade_elasticity")
        given = []
        for s in sectors:
            v = trade_elasticity[s]
            if isinstance(v, bool) or not isinstance(v, int | float | np.integer
                                                    | np.floating):
                raise ModelError(f"trade_elasticity[{s!r}]: expected a positive number such "
                                 f"as 5, got {v!r}.", field="trade_elasticity")
            given.append(float(v))
        theta = np.array(given, dtype=float)
    else:
        try:
            theta = np.asarray(trade_elasticity, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ModelError(f"trade_elasticity: cannot read {trade_elasticity!r} as numbers; "
                             f"pass a scalar, a sequence of {J} values or a dict "
                             f"sector -> value.", field="trade_elasticity") from exc
        if theta.ndim == 0:
            theta = np.full(J, float(theta))
        if theta.shape != (J,):
            raise ModelError(f"trade_elasticity: expected a scalar or {J} values (one per "
                             f"sector), got shape {theta.shape}.", field="trade_elasticity")
    bad = ~np.isfinite(theta) | (theta <= 0)
    if bad.any():
        idx = np.flatnonzero(bad)[:5]
        vals = ", ".join(f"{sectors[i]}={theta[i]}" for i in idx)
        raise ModelError(f"trade_elasticity: must be a positive finite number, got {vals}. "
                         f"Typical long-run values are 4-8 (docs/model.md).",
                         field="trade_elasticity")
    return theta


def _check_array(name: str, a: np.ndarray, shape: tuple) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.shape != shape:
        raise DataError(f"{name}: expected shape {shape}, got {a.shape}.", field=name)
    if not np.all(np.isfinite(a)):
        raise DataError(f"{name}: contains NaN or infinite values; clean the data first.",
                        field=name)
    return a


def calibrate(flows: np.ndarray, tariffs: np.ndarray | None = None,
              io: np.ndarray | None = None, value_added: np.ndarray | None = None, *,
              countries: Sequence[str] | None = None, sectors: Sequence[str] | None = None,
              trade_elasticity=None, deficits: np.ndarray | None = None,
              extensions: Extensions | None = None) -> CalibratedModel:
    """Calibrate the hat-algebra levels from baseline arrays.

    Parameters
    ----------
    flows : ndarray (N, N, J)
        ``[exporter, importer, sector]`` at world (tariff-exclusive) prices, domestic sales
        on the diagonal.
    tariffs : ndarray (N, N, J), optional
        ad valorem rates, ``[exporter, importer, sector]``; zero when None.
    io : ndarray (N, J, J), optional
        ``[country, input_sector, sector]`` share of the sector's gross output; None or all
        zeros means no input-output linkages.
    value_added : ndarray (N, J), optional
        value-added share of gross output; ones when None.
    trade_elasticity : scalar, sequence or mapping, optional
    deficits : ndarray (N,), optional
        Overrides the deficits implied by the flows (imports - exports at world prices); must
        sum to zero.
    extensions : Extensions, optional
        Model extensions (`tariffsim.ge.extensions.extensions`); their local share
        changes value added and transfers (Notes).

    Returns
    -------
    CalibratedModel

    Notes
    -----
    Gross output ``Y_i^j = sum_n flows[i, n, j]``; expenditure
    ``X_n^j = sum_i flows[i, n, j] (1 + tau)``; value added ``VA_n = sum_j gamma_n^j Y_n^j``;
    deficit ``D_n = imports - exports``; final demand
    ``F = X - io . Y``, negatives set to 0, ``alpha = F / sum F`` (CP 2015 replication).
    A country with no expenditure in a sector gets a domestic share of one there (any
    share gives the same equilibrium since nothing is bought).

    With a local share ``nu_n^j`` (Ignatenko et al. 2025) producers keep
    ``Y~_i^j = sum_n (1 - nu_n^j) F_ni^j`` of their sales; value added is
    ``VA_n = sum_j gamma_n^j Y~_n^j + nu_n^j M_n^j`` (M purchases at world prices),
    intermediate demand uses ``Y~``, and ``D`` holds the transfer
    ``T_n = D_n + sum_j (Y_n^j - Y~_n^j - nu_n^j M_n^j)`` (paper eq. 7), D_n the deficit.
    """
    flows = np.asarray(flows, dtype=float)
    if flows.ndim != 3 or flows.shape[0] != flows.shape[1]:
        raise DataError(f"flows: expected an (N, N, J) array, got shape {flows.shape}.",
                        field="flows")
    N, _, J = flows.shape
    flows = _check_array("flows", flows, (N, N, J))
    if (flows < 0).any():
        raise DataError("flows: negative values; trade flows must be >= 0.", field="flows")
    tau = np.zeros((N, N, J)) if tariffs is None else _check_array("tariffs", tariffs, (N, N, J))
    if (tau <= -1).any():
        raise DataError("tariffs: rates at or below -100% are impossible.", field="tariffs")
    countries = tuple(countries) if countries is not None else tuple(f"C{i}" for i in range(N))
    sectors = tuple(sectors) if sectors is not None else tuple(f"S{j}" for j in range(J))
    theta = trade_elasticity_vector(trade_elasticity, sectors)
    notes: list[str] = []

    # to internal layout [sector, importer, exporter]
    F = np.ascontiguousarray(flows.transpose(2, 1, 0))
    T = np.ascontiguousarray(tau.transpose(2, 1, 0))
    va = np.ones((J, N)) if value_added is None else \
        _check_array("value_added", value_added, (N, J)).T.copy()
    G = None
    if io is not None:
        G = _check_array("io", io, (N, J, J))
        if not G.any():
            G = None
    if G is not None:
        G = G.copy()
        if (G < 0).any():
            raise DataError("io: negative input shares; clip them at zero and renormalise "
                            "(as the CP replication does for IO.txt).", field="io")
        total = va + np.einsum("nkj->jn", G)
        dev = np.abs(total - 1).max()
        if dev > 1e-4:
            raise DataError("io/value_added: value-added share plus input shares must sum to "
                            f"one in every country and sector (max deviation {dev:.3g}).",
                            field="io")
        if dev > 0:
            # rounding in published tables: rescale the input shares so that the cost shares
            # sum to one exactly (constant returns; otherwise Walras' law fails by ~dev)
            inp = G.sum(axis=1)                              # (N, J)
            need = (1.0 - va).T                              # (N, J)
            scale = np.where(inp > 0, need / np.where(inp > 0, inp, 1.0), 1.0)
            G = G * scale[:, None, :]
            if dev > 1e-12:
                notes.append(f"input shares rescaled so that cost shares sum to one (max "
                             f"deviation was {dev:.2g}).")
    if (va <= 0).any() or (va > 1 + 1e-12).any():
        raise DataError("value_added: shares must be in (0, 1].", field="value_added")

    Xw = F.sum(axis=2)                      # expenditure at world prices (J, N importer)
    Xg = (F * (1 + T)).sum(axis=2)          # gross of tariffs
    Y = F.sum(axis=1)                       # gross output (J, N exporter)
    pi = np.zeros_like(F)
    pos = Xg > 0
    pi[pos] = (F * (1 + T))[pos] / Xg[pos][:, None]
    if (~pos).any():
        jj, nn = np.nonzero(~pos)
        pi[jj, nn, nn] = 1.0
        notes.append(f"{len(jj)} country-sector cells with no expenditure: domestic share set "
                     f"to one there.")
    nu = extensions.nu if extensions is not None and extensions.local else None
    if nu is None:
        VA = (va * Y).sum(axis=0)
        Y_kept = Y
    else:
        Y_kept = (F * (1.0 - nu)[:, :, None]).sum(axis=1)
        VA = (va * Y_kept + nu * Xw).sum(axis=0)
    if (VA <= 0).any():
        bad = [countries[i] for i in np.flatnonzero(VA <= 0)[:10]]
        raise DataError(f"flows: countries with no output (zero value added): {bad}. Drop them "
                        f"or aggregate them into a region.", field="flows")
    imports_w = Xw.sum(axis=0)
    D = imports_w - Y.sum(axis=0)
    if deficits is not None:
        d = np.asarray(deficits, dtype=float)
        if d.shape != (N,) or not np.all(np.isfinite(d)):
            raise DataError(f"deficits: expected {N} finite values, one per country.",
                            field="deficits")
        if abs(d.sum()) > 1e-8 * max(VA.sum(), 1.0):
            raise DataError(f"deficits: must sum to zero across countries (sum {d.sum():.6g}).",
                            field="deficits")
        D = d
    if nu is not None:
        D = D + (Y - Y_kept - nu * Xw).sum(axis=0)
    income = (VA + ((F * T).sum(axis=(0, 2))) + D)
    if (income <= 0).any():
        bad = [countries[i] for i in np.flatnonzero(income <= 0)[:10]]
        raise DataError(f"flows: countries with no spending (income = value added + tariff "
                        f"revenue + deficit <= 0, i.e. a trade surplus at least as large as "
                        f"value added): {bad}. Every economy must buy something "
                        f"(its domestic sales count); give them domestic sales, check the "
                        f"deficits, or aggregate them into a region.", field="flows")
    final = Xg - (np.einsum("njk,kn->jn", G, Y_kept) if G is not None else 0.0)
    if (final < 0).any():
        notes.append(f"{int((final < 0).sum())} negative final-demand cells set to zero "
                     f"(CP replication).")
    final = np.clip(final, 0.0, None)
    tot = final.sum(axis=0)
    alpha = np.where(tot > 0, final / np.where(tot > 0, tot, 1.0), 1.0 / J)
    return CalibratedModel(countries=countries, sectors=sectors, pi=pi, tau=T, X=Xg, Y=Y,
                           va_share=va, io=G, alpha=alpha, VA=VA, D=D, theta=theta,
                           notes=notes, ext=extensions)
