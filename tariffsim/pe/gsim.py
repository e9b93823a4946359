"""GSIM: the global partial-equilibrium simulation model of Francois & Hall (2003).

One product, all importers v and exporters r (products are independent and solved
together, batched). With ``M[r, v]`` imports of v from r at world prices, tariff
factors ``T = 1 + t`` before (T0) and after (T1):

* internal expenditure shares ``theta[r, v] = M T0 / sum_r M T0``; export shares
  ``phi[r, v] = M / sum_v M``;
* own- and cross-price elasticities of import demand (Armington):
  ``N_own[r, v] = theta E_m - (1 - theta) E_s``; ``N_cross[s, v] = theta[s, v] (E_m + E_s)``;
* internal price changes ``P[r, v] = (T1/T0 - 1) + x_r`` with ``x_r`` the change of
  exporter r's world price;
* import quantity changes ``Mh[r, v] = N_own P[r, v] + sum_{s != r} N_cross[s, v] P[s, v]``;
* market clearing ``sum_v phi[r, v] Mh[r, v] = E_x x_r`` for every exporter: one linear
  system in x, solved with `numpy.linalg.solve` (batched over products).

Welfare per region (F&H section 3):

* producer surplus ``PS_r = x_r X_r (1 + E_x x_r / 2)``, ``X_r = sum_v M0[r, v]``;
* tariff revenue from ``M1 = M0 (1 + Mh)(1 + x_r)``: ``sum_r (T1 - 1) M1`` against
  ``sum_r (T0 - 1) M0``;
* consumer surplus ``CS_v = -R_v P_v - E_m R_v P_v^2 / 2`` with ``R_v = sum_r M0 T0``
  and the composite price change ``P_v = sum_r theta[r, v] P[r, v]``.

The consumer-surplus term is the area under a linear demand curve: for a price rise
(``P_v > 0``) the loss is smaller than the rectangle ``R_v P_v``; for a fall the gain
is larger. A widely copied port of the GSIM spreadsheet computes
``-R_v P_v + sign(P_v) E_m R_v P_v^2 / 2``, which agrees with the correct term when
prices fall and is wrong exactly when they rise (tariffs up).

Default elasticities are the F&H demonstration values: E_m -1.25, E_s 5, E_x 1.5.

Instruments beyond tariffs (each adds unknowns to the same linear system):

* an **export tax equivalent** ``e`` on pair (r, v) raises v's internal price of r's
  good to ``T1 (1 + e)`` but its revenue is the exporter's (or lost);
* a **supply cut** (quantity cap at ``(1 - cut)`` of the baseline on pair (r, v)) is
  met by a shadow export tax on that pair, an extra unknown (set to 0 if the cap does
  not bind: complementarity);
* an **import commitment** (v buys at least ``value`` from r, over one or several
  products) is a floor met by one CES taste shifter ``w >= 0`` on r's variety in v in
  the covered products: it moves demand between sources without changing v's composite
  demand (so, to first order, v's total imports at internal prices stay the same), and
  does not change prices paid (no consumer-surplus effect). Complementarity: ``w = 0``
  where imports already reach the floor, ``w > 0`` and imports equal to the floor where
  it binds (`_solve_floors`).

References
----------
Francois, J. F. and Hall, H. K. (2003). Global simulation analysis of industry-level
trade policy. Mimeo, Tinbergen Institute; WITS GSIM documentation.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validate import require_columns
from ..errors import (
    ConvergenceError,
    DataError,
    ModelError,
    TariffSimWarning,
    UnreachableError,
)
from ..literals import Rents, check_option
from .products import (
    KEYS,
    PEResult,
    as_data,
    elasticity_by_label,
    match_shocks,
    price_shock_rows,
)
from .smart import _sum_by

__all__ = ["gsim", "gsim_solve", "GSIM_IMPORT_DEMAND_ELASTICITY",
           "GSIM_SUBSTITUTION_ELASTICITY", "GSIM_EXPORT_SUPPLY_ELASTICITY"]

#: Francois & Hall demonstration defaults.
GSIM_IMPORT_DEMAND_ELASTICITY = -1.25
GSIM_SUBSTITUTION_ELASTICITY = 5.0
GSIM_EXPORT_SUPPLY_ELASTICITY = 1.5

_CUT = 1


def gsim_solve(m0: np.ndarray, t0: np.ndarray, t1: np.ndarray, *,
               import_demand_elasticity: Any = GSIM_IMPORT_DEMAND_ELASTICITY,
               substitution_elasticity: Any = GSIM_SUBSTITUTION_ELASTICITY,
               export_supply_elasticity: Any = GSIM_EXPORT_SUPPLY_ELASTICITY,
               export_tax: np.ndarray | None = None,
               constraints: dict[str, np.ndarray] | None = None,
               taste: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Solve GSIM for arrays ``[product, exporter, importer]`` (array-level engine).

    Parameters
    ----------
    m0 : ndarray (P, R, R)
        Imports at world prices ``[product, exporter, importer]``; the diagonal holds
        trade within an aggregate region (intra-EU), or zeros.
    t0, t1 : ndarray (P, R, R)
        Ad valorem tariffs before and after (0.19 = 19%).
    import_demand_elasticity, substitution_elasticity : float or ndarray (R,)
        E_m (<= 0) and E_s (>= 0) of each importer.
    export_supply_elasticity : float or ndarray (R,)
        E_x (> 0) of each exporter; ``np.inf`` fixes that exporter's world price.
    export_tax : ndarray (P, R, R), optional
        Exogenous export-tax equivalents on pairs.
    constraints : dict of ndarray (P, K), optional
        Supply cuts per product, padded: ``kind`` (0 none, 1 supply cut), ``exporter``,
        ``importer`` (region indices) and ``target`` (the cut fraction).
    taste : ndarray (P, R, R), optional
        CES taste shifters ``w`` on exporter r's variety in importer v (commitments):
        ``Mh[s, v] += E_s,v (delta_sr - theta[r, v]) w[r, v]``, summed over r.

    Returns
    -------
    dict of ndarray
        ``world_price`` x (P, R); ``price`` internal price changes P (P, R, R);
        ``quantity`` Mh (P, R, R); ``shadow`` (P, K) the shadow export tax of the cuts;
        ``theta``, ``phi``, ``export_tax`` (total, P x R x R).
    """
    m0 = np.asarray(m0, dtype=float)
    n_p, n_r, _ = m0.shape
    tf0 = 1.0 + np.asarray(t0, dtype=float)
    tf1 = 1.0 + np.asarray(t1, dtype=float)
    e_exo = np.zeros_like(m0) if export_tax is None else np.asarray(export_tax, dtype=float)
    em = np.broadcast_to(np.asarray(import_demand_elasticity, dtype=float), (n_r,))
    es = np.broadcast_to(np.asarray(substitution_elasticity, dtype=float), (n_r,))
    ex = np.broadcast_to(np.asarray(export_supply_elasticity, dtype=float), (n_r,))
    a = em + es  # (R,) by importer

    spend = m0 * tf0
    col = spend.sum(axis=1, keepdims=True)  # by importer
    theta = np.divide(spend, col, out=np.zeros_like(spend), where=col > 0)
    row = m0.sum(axis=2, keepdims=True)  # by exporter
    phi = np.divide(m0, row, out=np.zeros_like(m0), where=row > 0)
    tau = tf1 * (1.0 + e_exo) / tf0 - 1.0

    def response(pi: np.ndarray) -> np.ndarray:
        """Mh[s, v] = a_v sum_q theta[q, v] pi[q, v] - E_s,v pi[s, v]."""
        comp = np.einsum("pqv,pqv->pv", theta, pi)
        return a[None, None, :] * comp[:, None, :] - es[None, None, :] * pi

    if constraints is None:
        kind = np.zeros((n_p, 0), dtype=np.int64)
        kr = kv = kind
        target = np.zeros((n_p, 0))
    else:
        kind = np.asarray(constraints["kind"], dtype=np.int64)
        kr = np.asarray(constraints["exporter"], dtype=np.int64)
        kv = np.asarray(constraints["importer"], dtype=np.int64)
        target = np.asarray(constraints["target"], dtype=float)
    n_k = kind.shape[1]
    pidx = np.arange(n_p)[:, None]
    fixed = ~np.isfinite(ex)  # infinite export supply: x_r = 0

    shift = np.zeros_like(m0)
    if taste is not None:
        w_t = np.asarray(taste, dtype=float)
        shift = es[None, None, :] * (w_t - np.einsum("prv,prv->pv", theta, w_t)[:, None, :])
    g0 = response(tau) + shift  # (P, R, R)
    # --- clearing rows against x
    a_xx = np.einsum("prv,v,pqv->prq", phi, a, theta)
    diag = np.einsum("prv,v->pr", phi, es) + np.where(fixed, 0.0, ex)[None, :]
    a_xx = a_xx - diag[:, :, None] * np.eye(n_r)[None]
    rhs_x = -np.einsum("prv,prv->pr", phi, g0)
    a_xx = np.where(fixed[None, :, None], 0.0, a_xx)
    a_xx[:, fixed, fixed] = 1.0
    rhs_x = np.where(fixed[None, :], 0.0, rhs_x)

    active = kind > 0
    shadow = np.zeros((n_p, n_k))
    for _round in range(n_k + 1):
        is_cut = (kind == _CUT) & active
        coef = (tf1 * (1.0 + e_exo) / tf0)[pidx, kr, kv]  # dP per unit of shadow tax
        th_k = theta[pidx, kr, kv]  # theta of the constrained pair
        a_k, es_k = a[kv], es[kv]
        phi_at = np.moveaxis(phi[pidx, :, kv], 1, 2)  # (P, R, K): phi[r, v_k]
        same_r = np.arange(n_r)[None, :, None] == kr[:, None, :]  # (P, R, K)
        a_xz = np.where(is_cut[:, None, :],
                        phi_at * coef[:, None, :] * (a_k[:, None, :] * th_k[:, None, :]
                                                     - es_k[:, None, :] * same_r), 0.0)
        a_xz = np.where(fixed[None, :, None], 0.0, a_xz)
        theta_at = theta[pidx, :, kv]  # (P, K, R): theta[q, v_k]
        same_q = np.arange(n_r)[None, None, :] == kr[:, :, None]  # (P, K, R)
        a_zx = a_k[:, :, None] * theta_at - es_k[:, :, None] * same_q
        a_zx = np.where(active[:, :, None], a_zx, 0.0)
        same_v = kv[:, :, None] == kv[:, None, :]
        rr = kr[:, :, None] == kr[:, None, :]
        th_l = th_k[:, None, :]
        a_zz = np.where(is_cut[:, None, :],
                        coef[:, None, :] * (a_k[:, None, :] * th_l - es_k[:, None, :] * rr), 0.0)
        a_zz = np.where(same_v & active[:, :, None], a_zz, 0.0)
        a_zz[:, np.arange(n_k), np.arange(n_k)] += np.where(active, 0.0, 1.0)
        g0_k = g0[pidx, kr, kv]
        goal = np.where(is_cut, -target, 0.0)
        rhs_z = np.where(active, goal - g0_k, 0.0)
        big = np.concatenate([np.concatenate([a_xx, a_xz], axis=2),
                              np.concatenate([a_zx, a_zz], axis=2)], axis=1)
        rhs = np.concatenate([rhs_x, rhs_z], axis=1)
        try:
            sol = np.linalg.solve(big, rhs[..., None])[..., 0]
        except np.linalg.LinAlgError as exc:
            raise ModelError("gsim: the market-clearing system is singular (an exporter "
                             "with no exports and a zero export-supply elasticity, or "
                             "conflicting constraints on the same pair).",
                             field="export_supply_elasticity") from exc
        x = np.where(fixed[None, :], 0.0, sol[:, :n_r])
        shadow = np.where(active, sol[:, n_r:], 0.0)
        slack = is_cut & (shadow < 0)  # cap does not bind: tax 0 (complementarity)
        if not slack.any():
            break
        active = active & ~slack
    pi = tau + x[:, :, None]
    pi_cut = np.zeros_like(pi)
    for k in range(n_k):  # K is small (a few constrained pairs)
        is_cut_k = (kind[:, k] == _CUT) & active[:, k]
        p_sel = np.arange(n_p)
        c = (tf1 * (1.0 + e_exo) / tf0)[p_sel, kr[:, k], kv[:, k]]
        pi_cut[p_sel, kr[:, k], kv[:, k]] += np.where(is_cut_k, shadow[:, k] * c, 0.0)
    pi = pi + pi_cut
    mh = response(pi) + shift
    e_tot = (1.0 + e_exo) * (1.0 + np.where(pi_cut != 0, pi_cut / (tf1 * (1.0 + e_exo) / tf0),
                                            0.0)) - 1.0
    return {"world_price": x, "price": pi, "quantity": mh, "shadow": shadow,
            "theta": theta, "phi": phi, "export_tax": e_tot, "active": active}


def gsim(data: Any, new_tariffs: Any = None, *,
         import_demand_elasticity: Any = GSIM_IMPORT_DEMAND_ELASTICITY,
         substitution_elasticity: Any = GSIM_SUBSTITUTION_ELASTICITY,
         export_supply_elasticity: Any = GSIM_EXPORT_SUPPLY_ELASTICITY,
         export_taxes: Any = None, supply_cuts: Any = None, commitments: Any = None,
         export_tax_rents: Rents = "exporter", max_regions: int = 400) -> PEResult:
    """Simulate tariff changes in world markets of products with GSIM (Francois & Hall).

    Parameters
    ----------
    data : ProductData or pandas.DataFrame
        Imports by importer, exporter, product (``value`` at world prices, ``tariff``
        0.19 = 19%). The regions are every importer and exporter in the data; pairs
        absent from the data have no trade.
    new_tariffs : float, mapping or DataFrame
        NEW tariff levels, keys ``importer, exporter, product`` as in [`smart`][tariffsim.pe.smart].
    import_demand_elasticity, substitution_elasticity : float or mapping by importer
        E_m (<= 0, default -1.25) and E_s (>= 0, default 5) of each importing region.
    export_supply_elasticity : float or mapping by exporter
        E_x (> 0, default 1.5); ``np.inf`` fixes that exporter's world price. (99 is
        used literally here: it is the SMART convention, not GSIM's.)
    export_taxes : float, mapping or DataFrame
        Export-tax equivalents (column ``tax_equivalent``) on pairs.
    supply_cuts : float, mapping or DataFrame
        Quantity cuts (column ``cut``, a fraction of the pair's baseline quantity),
        each met by a shadow export tax on that pair.
    commitments : DataFrame
        Columns ``importer, exporter, value`` and optional ``product`` and ``group``: the
        importer's imports from the exporter (world prices) in the product (all products
        without one) must be AT LEAST ``value``; rows sharing a ``group`` are one floor on
        their summed imports (the sum of their values). Each floor is met by one CES taste
        shifter ``w >= 0`` on the covered rows (no price effect), zero where imports
        already reach it, else solved so that the reported imports
        ``M0 (1 + Mh)(1 + x)`` equal the floor (`_solve_floors`).
    export_tax_rents : {"exporter", "dissipated"}
    max_regions : int
        Guard on the dense (product x region x region) arrays.

    Returns
    -------
    PEResult
        ``products``: per importer, exporter, product: imports baseline/scenario
        (world prices), ``quantity_change_pct``, ``price_change_pct`` (internal),
        ``world_price_change_pct`` (the exporter's), tariffs, ``export_tax_equivalent``,
        tariff revenue, export-tax rents, ``balance_change``. ``exporters``: per
        importer and exporter. ``regions``: per region (summed over products):
        ``producer_surplus``, ``consumer_surplus``, ``tariff_revenue_change``,
        ``export_tax_rents``, ``net_welfare``, ``world_price_change_pct`` (export-
        weighted over products). ``by_product``: the same per product and region.
    """
    data = as_data(data)
    check_option(export_tax_rents, Rents, "export_tax_rents")
    regions = data.regions
    products = data.products
    n_r, n_p = len(regions), len(products)
    if n_r > max_regions:
        raise ModelError(f"gsim: {n_r} regions exceed max_regions={max_regions} (dense "
                         f"arrays of products x regions^2); aggregate regions or raise "
                         f"max_regions.", field="max_regions")
    em, _ = elasticity_by_label(import_demand_elasticity, regions, "import_demand_elasticity",
                                GSIM_IMPORT_DEMAND_ELASTICITY, kind="negative")
    es, _ = elasticity_by_label(substitution_elasticity, regions, "substitution_elasticity",
                                GSIM_SUBSTITUTION_ELASTICITY, kind="nonnegative")
    ex, _ = elasticity_by_label(export_supply_elasticity, regions, "export_supply_elasticity",
                                GSIM_EXPORT_SUPPLY_ELASTICITY, kind="positive")
    notes: list[str] = []
    pc = data.codes("product")
    rc = data.codes("exporter_region")
    vc = data.codes("importer_region")

    def dense(values: np.ndarray) -> np.ndarray:
        out = np.zeros((n_p, n_r, n_r))
        out[pc, rc, vc] = values
        return out

    m0_rows, t0_rows = data.value, data.tariff
    t1_rows, e_rows, cut_rows = price_shock_rows(data, new_tariffs, export_taxes,
                                                 supply_cuts)
    constrained_rows = [(int(i), _CUT, float(cut_rows[i]))
                        for i in np.flatnonzero((cut_rows > 0) & (m0_rows > 0))]
    groups = _commitment_groups(data, commitments)
    cut_set = {i for i, _, _ in constrained_rows}
    if any(cut_set.intersection(g.rows.tolist()) for g in groups):
        raise DataError("gsim: a pair has both a supply cut and a commitment; give "
                        "one constraint per importer/exporter/product.",
                        field="supply_cuts")
    cons = None
    if constrained_rows:
        by_p: dict[int, list[tuple[int, int, float]]] = {}
        for i, kind, tgt in constrained_rows:
            by_p.setdefault(int(pc[i]), []).append((int(i), kind, float(tgt)))
        n_k = max(len(v) for v in by_p.values())
        cons = {k: np.zeros((n_p, n_k), dtype=np.int64 if k != "target" else float)
                for k in ("kind", "exporter", "importer", "target")}
        for p, items in by_p.items():
            for k, (i, kind, tgt) in enumerate(items):
                cons["kind"][p, k] = kind
                cons["exporter"][p, k] = rc[i]
                cons["importer"][p, k] = vc[i]
                cons["target"][p, k] = tgt
        notes.append("supply cuts are met by shadow export taxes, extra unknowns of the "
                     "linear system (zero where the cap does not bind)")
    m0 = dense(m0_rows)
    t0_d, t1_d, e_d = dense(t0_rows), dense(t1_rows), dense(e_rows)

    def evaluate(w: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
        taste = None
        if groups:
            taste = np.zeros_like(m0)
            for fl, wg in zip(groups, w, strict=True):
                taste[pc[fl.rows], rc[fl.rows], vc[fl.rows]] = wg
        out = gsim_solve(m0, t0_d, t1_d, import_demand_elasticity=em,
                         substitution_elasticity=es, export_supply_elasticity=ex,
                         export_tax=e_d, constraints=cons, taste=taste)
        m1 = m0 * (1.0 + out["quantity"]) * (1.0 + out["world_price"][:, :, None])
        return out, np.array([float(m1[pc[fl.rows], rc[fl.rows], vc[fl.rows]].sum())
                              for fl in groups])

    sol, w, totals = _solve_floors(evaluate, groups)
    x, pi, mh = sol["world_price"], sol["price"], sol["quantity"]
    mh = np.where(m0 > 0, mh, 0.0)  # no trade, no quantity change
    binding = [fl for fl, wg in zip(groups, w, strict=True) if wg > 0]
    for fl, wg, tot in zip(groups, w, totals, strict=True):
        notes.append(f"commitment {fl.label}: " + (
            f"binds; CES taste shifter {wg:.6g} brings imports to the floor {fl.target:,.6g}"
            if wg > 0 else f"already met (imports {tot:,.6g} >= floor {fl.target:,.6g}); "
                           f"taste shifter 0, no effect"))
    if (mh < -1).any() and binding:
        clipped_p = set(np.flatnonzero((mh < -1).any(axis=(1, 2))).tolist())
        bound = sorted({int(p) for fl in binding for p in pc[fl.rows]} & clipped_p)
        if bound:
            raise UnreachableError(
                f"commitments: the commitment(s) in product(s) "
                f"{[products[p] for p in bound][:5]} need more than the linear GSIM can "
                f"deliver: other sources' imports would turn negative, so the reported "
                f"imports would not be an equilibrium. Lower the committed value (GSIM is a "
                f"first-order model: keep commitments to a modest share of the market) or use "
                f"the GE engine.", field="commitments")
    if (mh < -1).any():
        msg = (f"{int((mh < -1).sum())} pair(s) would have negative imports in the linear "
               f"GSIM solution; clipped at zero")
        warnings.warn(msg, TariffSimWarning, stacklevel=2)
        notes.append(msg)
        mh = np.maximum(mh, -1.0)
    if cons is not None and (cons["kind"] == _CUT).any():
        slack = (cons["kind"] == _CUT) & ~sol["active"]
        if slack.any():
            notes.append(f"{int(slack.sum())} supply cut(s) do not bind (imports already "
                         f"below the cap): shadow tax 0")
    e_tot = sol["export_tax"]
    m1 = m0 * (1.0 + mh) * (1.0 + x[:, :, None])  # world (producer) prices
    tf0, tf1 = 1.0 + dense(t0_rows), 1.0 + dense(t1_rows)
    border1 = m1 * (1.0 + e_tot)
    rev0 = (tf0 - 1.0) * m0
    rev1 = (tf1 - 1.0) * border1
    rents = e_tot * m1
    theta = sol["theta"]
    p_comp = np.einsum("prv,prv->pv", theta, pi)  # composite internal price change
    r0 = (m0 * tf0).sum(axis=1)  # (P, V)
    cs = -r0 * p_comp - 0.5 * em[None, :] * r0 * p_comp ** 2
    x0 = m0.sum(axis=2)  # exports by exporter
    ex_f = np.where(np.isfinite(ex), ex, 0.0)
    ps = x * x0 * (1.0 + 0.5 * ex_f[None, :] * x)
    rent_to = rents.sum(axis=2) if export_tax_rents == "exporter" else np.zeros((n_p, n_r))

    out = data.frame[list(KEYS)].copy()
    g = (pc, rc, vc)
    cols = {
        "imports_baseline": m0_rows,
        "tariff_baseline": t0_rows,
        "tariff_scenario": t1_rows,
        "export_tax_equivalent": e_tot[g],
        "price_change_pct": 100.0 * pi[g],
        "quantity_change_pct": 100.0 * mh[g],
        "world_price_change_pct": 100.0 * x[pc, rc],
        "imports_scenario": m1[g],
        "total_change": m1[g] - m0_rows,
        "tariff_revenue_baseline": rev0[g],
        "tariff_revenue_scenario": rev1[g],
        "tariff_revenue_change": rev1[g] - rev0[g],
        "export_tax_rents": rents[g] if export_tax_rents == "exporter" else 0.0 * rents[g],
        "balance_change": -(border1[g] - m0_rows),
    }
    for name, v in cols.items():
        out[name] = np.asarray(v, dtype=float) + 0.0
    summed = ["imports_baseline", "imports_scenario", "total_change",
              "tariff_revenue_baseline", "tariff_revenue_scenario", "tariff_revenue_change",
              "export_tax_rents", "balance_change"]
    exporters = _sum_by(out, ["importer", "exporter"], summed,
                        codes=[(data.codes("importer"), data.importers),
                               (data.codes("exporter"), data.exporters)])

    pp, rr = np.meshgrid(np.arange(n_p), np.arange(n_r), indexing="ij")
    by_product = pd.DataFrame({
        "product": np.asarray(products, dtype=object)[pp.ravel()],
        "region": np.asarray(regions, dtype=object)[rr.ravel()],
        "exports_baseline": x0.ravel(),
        "exports_scenario": m1.sum(axis=2).ravel(),
        "imports_baseline": m0.sum(axis=1).ravel(),
        "imports_scenario": m1.sum(axis=1).ravel(),
        "world_price_change_pct": 100.0 * x.ravel(),
        "import_price_change_pct": 100.0 * p_comp.ravel(),
        "producer_surplus": ps.ravel(),
        "consumer_surplus": cs.ravel(),
        "tariff_revenue_baseline": rev0.sum(axis=1).ravel(),
        "tariff_revenue_scenario": rev1.sum(axis=1).ravel(),
        "tariff_revenue_change": (rev1 - rev0).sum(axis=1).ravel(),
        "export_tax_rents": rent_to.ravel(),
    })
    by_product["net_welfare"] = (by_product["producer_surplus"] + by_product["consumer_surplus"]
                                 + by_product["tariff_revenue_change"]
                                 + by_product["export_tax_rents"])
    sums = ["exports_baseline", "exports_scenario", "imports_baseline", "imports_scenario",
            "producer_surplus", "consumer_surplus", "tariff_revenue_baseline",
            "tariff_revenue_scenario", "tariff_revenue_change", "export_tax_rents",
            "net_welfare"]
    regions_df = by_product.groupby("region", sort=True)[sums].sum().reset_index()
    wx = x0.sum(axis=0)
    wm = r0.sum(axis=0)
    regions_df.insert(1, "world_price_change_pct", 100.0 * np.divide(
        (x * x0).sum(axis=0), wx, out=np.zeros(n_r), where=wx > 0))
    regions_df.insert(2, "import_price_change_pct", 100.0 * np.divide(
        (p_comp * r0).sum(axis=0), wm, out=np.zeros(n_r), where=wm > 0))
    elasticities = {"import_demand_elasticity": _rep(import_demand_elasticity),
                    "substitution_elasticity": _rep(substitution_elasticity),
                    "export_supply_elasticity": _rep(export_supply_elasticity)}
    if n_p > 1:
        notes.append("regions: world_price_change_pct is the baseline-export-weighted mean "
                     "over products; see by_product")
    return PEResult("gsim", out, exporters, regions_df, elasticities, units=data.units,
                    source=data.source, notes=tuple(notes), by_product=by_product)


def _rep(v: Any) -> Any:
    if isinstance(v, pd.Series):
        return v.copy()
    if isinstance(v, Mapping):
        return dict(v)
    return float(v)


@dataclass(frozen=True)
class _Floor:
    """One commitment: the data rows it covers and the floor on their imports."""

    rows: np.ndarray
    target: float
    label: str


def _commitment_groups(data: Any, commitments: Any) -> list[_Floor]:
    """The floors of a commitments frame: one per row, or one per ``group`` value (the
    rows of a group are one floor on their summed imports, the sum of their values)."""
    if commitments is None:
        return []
    require_columns(commitments, ("importer", "exporter", "value"), "commitments",
                    field="{name}.{column}",
                    hint="A GSIM commitment names the importer, the exporter and the value "
                         "(and optionally the product, and a group shared by the rows of "
                         "one commitment over several products).")
    spec = commitments.reset_index(drop=True)
    keys = (spec["group"].astype(str).tolist() if "group" in spec.columns
            else [f"row {k}" for k in range(len(spec))])
    acc: dict[str, tuple[list[np.ndarray], list[float], tuple[str, str]]] = {}
    for key, (_, row) in zip(keys, spec.iterrows(), strict=True):
        one = pd.DataFrame([row.drop(labels=["group"], errors="ignore")])
        one["_one"] = 1.0
        _, hit = match_shocks(data, one, "commitments", "_one")
        idx = np.flatnonzero(hit & (data.value > 0))
        pair = (str(row["importer"]), str(row["exporter"]))
        if idx.size == 0:
            raise UnreachableError(
                f"commitments: no baseline imports of {pair[0]} from {pair[1]} in the "
                f"selected products; a CES source with a zero share cannot be bought from.",
                field="commitments")
        try:
            value = float(row["value"])
        except (TypeError, ValueError):
            raise DataError(f"commitments.value: {row['value']!r} is not a number.",
                            field="commitments.value") from None
        if not np.isfinite(value) or value < 0:
            raise DataError(f"commitments.value: {value} must be a finite number >= 0.",
                            field="commitments.value")
        rows, values, first = acc.setdefault(key, ([], [], pair))
        if pair != first:
            raise DataError(f"commitments.group: group {key!r} mixes {first[0]}<-{first[1]} "
                            f"and {pair[0]}<-{pair[1]}; a commitment is between one importer "
                            f"and one exporter.", field="commitments.group")
        rows.append(idx)
        values.append(value)
    out = []
    for key, (rows, values, (imp, exp)) in acc.items():
        label = key if "group" in spec.columns else f"{imp}<-{exp}"
        out.append(_Floor(np.unique(np.concatenate(rows)), float(sum(values)), label))
    return out


#: Relative tolerance on a binding floor, and the relative step of the finite differences.
_FLOOR_TOL = 1e-10
_FD_STEP = 1e-7


def _solve_floors(evaluate: Any, groups: list[_Floor]
                  ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Solve the commitment floors as a complementarity problem.

    For taste shifters ``w`` (one per floor) ``evaluate(w)`` returns the GSIM solution and
    the covered imports ``M(w)`` of each floor (world prices). Find ``w >= 0`` with
    ``M(w) >= target`` and ``w (M(w) - target) = 0``: the floors that bind (the active
    set) are solved by Newton's method (``M`` is quadratic in ``w``: imports are
    ``M0 (1 + Mh)(1 + x)`` with ``Mh`` and ``x`` linear), the others keep ``w = 0``; a
    slack floor whose imports fall short enters, a binding one whose shifter turns
    negative leaves, until the set settles.

    Returns
    -------
    solution, w, M : the GSIM solution at ``w``, the shifters, the covered imports.

    Raises
    ------
    UnreachableError
        A binding floor the shifter cannot move (a zero substitution elasticity).
    ConvergenceError
        Newton's method or the active set does not settle.
    """
    n = len(groups)
    w = np.zeros(n)
    sol, tot = evaluate(w)
    if n == 0:
        return sol, w, tot
    target = np.array([g.target for g in groups])
    active = tot < target * (1 - _FLOOR_TOL)
    for _round in range(2 * n + 2):
        idx = np.flatnonzero(active)
        for _it in range(50):
            gap = tot[idx] - target[idx]
            if idx.size == 0 or np.all(np.abs(gap) <= _FLOOR_TOL * target[idx]):
                break
            jac = np.empty((idx.size, idx.size))
            for col, g in enumerate(idx):
                h = _FD_STEP * max(1.0, abs(w[g]))
                wp = w.copy()
                wp[g] += h
                jac[:, col] = (evaluate(wp)[1][idx] - tot[idx]) / h
            if not np.all(np.isfinite(jac)) or np.linalg.matrix_rank(jac) < idx.size:
                names = [groups[g].label for g in idx]
                raise UnreachableError(f"commitments: {names} bind but a taste shifter does "
                                       f"not move the imports (substitution elasticity 0?); "
                                       f"GSIM cannot meet them.", field="commitments")
            w[idx] -= np.linalg.solve(jac, gap)
            sol, tot = evaluate(w)
        else:
            raise ConvergenceError("commitments: Newton's method on the binding floors did "
                                   "not converge in 50 steps.",
                                   diagnostics={"iterations": 50, "residual": float(
                                       np.max(np.abs(tot[idx] / target[idx] - 1)))})
        release = active & (w < 0)
        enter = ~active & (tot < target * (1 - _FLOOR_TOL))
        if not release.any() and not enter.any():
            return sol, w, tot
        active = (active & ~release) | enter
        w[release] = 0.0
        sol, tot = evaluate(w)
    raise ConvergenceError("commitments: the set of binding floors did not settle.",
                           diagnostics={"iterations": 2 * n + 2, "residual": float("nan")})
