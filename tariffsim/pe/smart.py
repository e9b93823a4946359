"""SMART: the partial-equilibrium import-market model of WITS (World Bank/UNCTAD).

One importing market, many products and exporters at once. For every product (a
"market" is one importer and one product) and exporting source k, with imports
``M_k`` at world prices, old and new ad valorem tariffs ``t0_k, t1_k``:

* relative change of the tariff-inclusive price of source k (before the supply
  response): ``dp_k = (1 + t1_k)(1 + x_k) / (1 + t0_k) - 1`` where ``x_k`` is an
  export-tax equivalent levied by the exporter (0 without export restrictions);
* trade creation: ``TC_k = epsilon M_k dp_k / (1 - epsilon / mu)``;
* trade diversion (CES form): ``s'_k = s_k p_k^(-sigma) / sum_l s_l p_l^(-sigma)`` with
  ``s_k = M_k / sum_l M_l`` and ``p_k = 1 + dp_k``;
  ``TD_k = s'_k sum_l M_l - M_k``, which sums to zero within a product;
* new imports ``M1_k = M_k + TC_k + TD_k`` (in baseline world-price units);
* tariff revenue ``t0_k M_k`` before, ``t1_k b_k M1_k`` after, where ``b_k`` is the
  change of the border price (1 with infinite export supply and no export tax);
* welfare triangle (docs/model.md, the WITS "welfare effect"):
  ``W_k = 1/2 (t0_k - t1_k) TC_k``.

with ``epsilon`` the import-demand elasticity (< 0), ``sigma`` the elasticity of
substitution between sources (> 0) and ``mu`` the export-supply elasticity.

**Export-supply elasticity 99.** WITS uses 99 to mean an infinitely elastic supply; so
does tariffsim: any ``mu >= 99`` (or ``np.inf``) is infinite, ``1 - epsilon/mu`` is
then exactly 1 and world prices do not move. Smaller values are used literally; the
exporter then absorbs part of the price change, its world price moving by
``omega_k = epsilon dp_k / (mu - epsilon)``.

**Consumer surplus.** The importer's consumers face the price change
``dP_k = (1 + t1_k) b_k - (1 + t0_k)`` per unit of baseline imports (``b_k =
(1 + omega_k)(1 + x_k)``); with linear demand their surplus changes by
``CS_k = -dP_k (M_k + TC_k / 2)``, which is negative when tariffs rise. The importer's
net welfare is ``CS_k + (tariff revenue after - before)``; for a pure tariff change
with infinite supply it equals ``1/2 (t0_k + t1_k) dM_k`` to first order (Harberger).
The WITS welfare triangle ``W_k`` is the triangle part of ``CS_k`` only: it is positive
for tariff cuts *and* for tariff rises, so read ``net_welfare`` for the sign.

References
----------
Jammes, O. and Olarreaga, M. (2005). Explaining SMART and GSIM. World Bank, WITS
documentation. Laird, S. and Yeats, A. (1986). The UNCTAD trade policy simulation model.
UNCTAD Discussion Paper 19.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._validate import require_columns
from ..errors import (
    ConvergenceError,
    DataError,
    TariffSimWarning,
    UnreachableError,
    unknown_codes_message,
)
from ..literals import Rents, check_option
from .products import (
    KEYS,
    PEResult,
    ProductData,
    as_data,
    elasticity_by_label,
    price_shock_rows,
)

__all__ = [
    "smart",
    "smart_effects",
    "WITS_IMPORT_DEMAND_ELASTICITY",
    "WITS_SUBSTITUTION_ELASTICITY",
    "WITS_EXPORT_SUPPLY_ELASTICITY",
    "INFINITE_SUPPLY",
]

#: WITS fallback import-demand elasticity where no product estimate exists.
WITS_IMPORT_DEMAND_ELASTICITY = -1.25
#: WITS default elasticity of substitution between sources.
WITS_SUBSTITUTION_ELASTICITY = 1.5
#: WITS default export-supply elasticity (99 means infinite).
WITS_EXPORT_SUPPLY_ELASTICITY = 99.0
#: Export-supply elasticities at or above this are treated as infinite (WITS convention).
INFINITE_SUPPLY = 99.0


# ---------------------------------------------------------------------- array core
def _supply_factor(eps: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """``1 / (1 - eps/mu)``, exactly 1 where ``mu >= 99`` (infinite supply)."""
    inf = mu >= INFINITE_SUPPLY
    safe_mu = np.where(inf, 1.0, mu)
    return np.where(inf, 1.0, 1.0 / (1.0 - eps / safe_mu))


def _group_sum(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    return np.bincount(groups, weights=values, minlength=n_groups)


def smart_effects(value: np.ndarray, tariff_baseline: np.ndarray,
                  tariff_scenario: np.ndarray, market: np.ndarray, *,
                  import_demand_elasticity: Any = WITS_IMPORT_DEMAND_ELASTICITY,
                  substitution_elasticity: Any = WITS_SUBSTITUTION_ELASTICITY,
                  export_supply_elasticity: Any = WITS_EXPORT_SUPPLY_ELASTICITY,
                  export_tax: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """SMART creation and diversion for flat arrays of (market, exporter) rows.

    The array-level engine behind [`smart`][tariffsim.pe.smart.smart]: no labels, no validation
    beyond shapes. Every argument is an array over rows (elasticities may be scalars); ``market`` is
    an integer code 0..n_markets-1 (one importer and product).

    Returns
    -------
    dict of ndarray
        ``price_change`` (dp, tariff and export tax, before supply response),
        ``supply_factor`` (1/(1 - eps/mu)), ``world_price_change`` (omega),
        ``trade_creation``, ``trade_diversion``, ``new_share``.
    """
    m0 = np.asarray(value, dtype=float)
    t0 = np.asarray(tariff_baseline, dtype=float)
    t1 = np.asarray(tariff_scenario, dtype=float)
    x = np.zeros_like(m0) if export_tax is None else np.asarray(export_tax, dtype=float)
    eps = np.broadcast_to(np.asarray(import_demand_elasticity, dtype=float), m0.shape)
    sig = np.broadcast_to(np.asarray(substitution_elasticity, dtype=float), m0.shape)
    mu = np.broadcast_to(np.asarray(export_supply_elasticity, dtype=float), m0.shape)
    market = np.asarray(market, dtype=np.int64)
    n_markets = int(market.max()) + 1 if market.size else 0

    dp = (1.0 + t1) * (1.0 + x) / (1.0 + t0) - 1.0
    g = _supply_factor(eps, mu)
    tc = eps * m0 * dp * g
    # CES reallocation of the market's baseline total among its sources
    w = m0 * (1.0 + dp) ** (-sig)
    total = _group_sum(m0, market, n_markets)
    wsum = _group_sum(w, market, n_markets)
    denom = wsum[market]
    share_new = np.divide(w, denom, out=np.zeros_like(w), where=denom > 0)
    td = share_new * total[market] - m0
    omega = dp * (g - 1.0)
    return {"price_change": dp, "supply_factor": g, "world_price_change": omega,
            "trade_creation": tc, "trade_diversion": td, "new_share": share_new}


def _solve_supply_cuts(m0: np.ndarray, t0: np.ndarray, t1: np.ndarray, x: np.ndarray,
                       market: np.ndarray, eps: np.ndarray, sig: np.ndarray,
                       mu: np.ndarray, cut: np.ndarray, *, tol: float = 1e-10,
                       max_outer: int = 500) -> np.ndarray:
    """Shadow export taxes that cut restricted sources to ``(1 - cut) M0``.

    For every restricted row k the imports ``M1_k(x_k) = s'_k(x) sum M + TC_k(x_k)`` fall
    monotonically in its own tax ``x_k`` and rise in the others' taxes, so a Jacobi
    iteration over the restricted rows, each solved by vectorised bisection, converges
    monotonically. Rows whose target is already met at ``x_k = 0`` keep ``x_k = 0``
    (complementarity: tax >= 0, imports <= cap).
    """
    rows = np.flatnonzero((cut > 0) & (m0 > 0))
    if rows.size == 0:
        return x
    x = x.copy()
    n_markets = int(market.max()) + 1
    target = (1.0 - cut[rows]) * m0[rows]
    total = _group_sum(m0, market, n_markets)[market[rows]]
    g = _supply_factor(eps[rows], mu[rows])
    base = (1.0 + t1[rows]) / (1.0 + t0[rows])
    m_r, e_r, s_r = m0[rows], eps[rows], sig[rows]

    def own(xk: np.ndarray, w_other: np.ndarray) -> np.ndarray:
        dp = base * (1.0 + xk) - 1.0
        w = m_r * (1.0 + dp) ** (-s_r)
        return w / (w_other + w) * total + e_r * m_r * dp * g

    change = np.inf
    for _ in range(max_outer):
        dp_all = (1.0 + t1) * (1.0 + x) / (1.0 + t0) - 1.0
        w_all = m0 * (1.0 + dp_all) ** (-sig)
        wsum = _group_sum(w_all, market, n_markets)
        w_other = np.maximum(wsum[market[rows]] - w_all[rows], 0.0)
        lo = np.zeros(rows.size)
        binding = own(lo, w_other) > target
        hi = np.ones(rows.size)
        for _ in range(200):
            still = binding & (own(hi, w_other) > target)
            if not still.any():
                break
            hi = np.where(still, hi * 2.0, hi)
        if (binding & (own(hi, w_other) > target * (1 + 1e-9) + 1e-12)).any():
            raise UnreachableError(
                "supply_cuts: a cut cannot be reached by any export tax (import demand "
                "elasticity 0 and substitution elasticity 0 leave imports fixed); give a "
                "negative import_demand_elasticity or a positive substitution_elasticity.",
                field="supply_cuts")
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            above = own(mid, w_other) > target
            lo = np.where(above, mid, lo)
            hi = np.where(above, hi, mid)
            if np.max(hi - lo) < tol * 1e-2:
                break
        new = np.where(binding, 0.5 * (lo + hi), 0.0)
        change = np.max(np.abs(new - x[rows])) if rows.size else 0.0
        x[rows] = new
        if change < tol:
            return x
    raise ConvergenceError("supply_cuts: the shadow export taxes did not converge",
                           diagnostics={"iterations": max_outer, "residual": float(change)})


def _apply_commitments(data: ProductData, q1: np.ndarray, spec: pd.DataFrame | None,
                       ) -> tuple[np.ndarray, list[str]]:
    """Purchase floors met by buying the shortfall from one source, displacing the others
    by CES.

    Each commitment (a row: exporter, optional importer and product, ``value``; or the rows
    sharing a ``group``, one floor on their summed imports and values) asks that the
    importer's imports from that exporter across the matching products be AT LEAST the
    value (baseline world-price units). Where they already are, nothing happens (the floor
    is slack). Otherwise the shortfall E is bought from the committed exporter and every
    other source in the same markets loses the same fraction ``f = E / sum(others)`` of its
    imports: within a product the others lose in proportion to their (scenario) CES
    shares, and the market total is unchanged (no demand response; consumer prices do not
    move). Commitments are applied in the order given.
    """
    notes: list[str] = []
    if spec is None or spec.empty:
        return np.zeros_like(q1), notes
    require_columns(spec, ("exporter",), "commitments", field="{name}.{column}",
                    hint="A commitment is a purchase from one exporter.")
    frame = data.frame
    market = data.codes("market")
    n_markets = int(market.max()) + 1
    q = q1.copy()
    spec = spec.reset_index(drop=True)
    keys = (spec["group"].astype(str).tolist() if "group" in spec.columns
            else list(range(len(spec))))
    floors: dict[Any, tuple[np.ndarray, list[float], str]] = {}
    for i, (key, (_, row)) in enumerate(zip(keys, spec.iterrows(), strict=True)):
        mask = np.ones(data.n_rows, dtype=bool)
        for k in KEYS:
            if k not in spec.columns or pd.isna(row[k]) or str(row[k]).strip() in ("", "*"):
                continue
            code = str(row[k]).strip()
            known = data._labels[k]
            if code not in known:
                raise DataError(unknown_codes_message(f"commitments.{k}", [code], list(known)),
                                field=f"commitments.{k}", rows=spec.iloc[[i]])
            if k == "exporter":
                continue
            mask &= (frame[k] == code).to_numpy()
        exporter = str(row["exporter"]).strip()
        try:
            target = float(row["value"])
        except (TypeError, ValueError) as exc:
            raise DataError(f"commitments.value: {row['value']!r} is not a number.",
                            field="commitments.value") from exc
        if not np.isfinite(target) or target < 0:
            raise DataError(f"commitments.value: {target} must be a finite number >= 0.",
                            field="commitments.value")
        own = mask & (frame["exporter"] == exporter).to_numpy()
        prev = floors.get(key)
        if prev is not None and prev[2] != exporter:
            raise DataError(f"commitments.group: group {key!r} names the exporters "
                            f"{prev[2]!r} and {exporter!r}; a commitment is a purchase from "
                            f"one exporter.", field="commitments.group", rows=spec.iloc[[i]])
        if prev is None:
            floors[key] = (own, [target], exporter)
        else:
            floors[key] = (prev[0] | own, prev[1] + [target], exporter)
    for own, targets, exporter in floors.values():
        target = float(sum(targets))
        if not own.any():
            raise UnreachableError(
                f"commitments: no baseline imports from {exporter!r} in the selected "
                f"products; a CES source with a zero share cannot be bought from. Add the "
                f"flow to the data or choose other products.", field="commitments")
        in_markets = np.zeros(n_markets, dtype=bool)
        in_markets[market[own]] = True
        others = in_markets[market] & ~(frame["exporter"] == exporter).to_numpy()
        shortfall = target - q[own].sum()
        if shortfall <= 0:
            notes.append(f"commitment to buy {target:g} from {exporter} is already met "
                         f"({q[own].sum():.6g}); not binding")
            continue
        room = q[others].sum()
        if shortfall > room:
            raise UnreachableError(
                f"commitments: buying {target:g} from {exporter!r} needs {shortfall:.6g} more "
                f"but the other sources supply only {room:.6g} in those products; in SMART "
                f"the market total is fixed. Lower the value or use the GE model.",
                field="commitments.value")
        f = shortfall / room
        # each market gains f * (others in that market) for the committed source
        gain = _group_sum(np.where(others, q, 0.0), market, n_markets) * f
        own_count = _group_sum(own.astype(float), market, n_markets)
        add = np.where(own, gain[market] / np.maximum(own_count[market], 1.0), 0.0)
        q = np.where(others, q * (1.0 - f), q) + add
    return q - q1, notes


# ---------------------------------------------------------------------- the model
def smart(data: Any, new_tariffs: Any = None, *, importer: str | None = None,
          import_demand_elasticity: Any = WITS_IMPORT_DEMAND_ELASTICITY,
          substitution_elasticity: Any = WITS_SUBSTITUTION_ELASTICITY,
          export_supply_elasticity: Any = WITS_EXPORT_SUPPLY_ELASTICITY,
          export_taxes: Any = None, supply_cuts: Any = None, commitments: Any = None,
          export_tax_rents: Rents = "exporter") -> PEResult:
    """Simulate tariff changes in import markets with the WITS SMART model.

    Every (importer, product) is an independent market; all are computed at once,
    vectorised over rows (no loop over products).

    Parameters
    ----------
    data : ProductData or pandas.DataFrame
        Imports by importer, exporter, product with ``value`` (world prices) and
        ``tariff`` (0.19 = 19%); see
        [`ProductData.from_frame`][tariffsim.pe.ProductData.from_frame].
    new_tariffs : float, mapping or DataFrame, optional
        NEW tariff levels. A number applies to every row; a mapping
        ``{exporter: rate}`` to all products of those exporters; a frame has a ``rate``
        (or ``tariff``) column and any of ``exporter, importer, product`` (absent, NaN or
        ``"*"`` = all). More specific rows override less specific ones. Rows not covered
        keep their baseline tariff.
    importer : str, optional
        Restrict to one importing market (data may hold several).
    import_demand_elasticity : float or mapping/Series by product
        epsilon (<= 0). Products missing from a mapping use -1.25 (WITS fallback).
    substitution_elasticity : float or mapping/Series by product
        sigma (>= 0), default 1.5 (WITS).
    export_supply_elasticity : float or mapping/Series by product
        mu (> 0), default 99; ``mu >= 99`` or ``np.inf`` means infinitely elastic.
    export_taxes : float, mapping or DataFrame, optional
        Export restrictions as tax equivalents (column ``tax_equivalent`` or ``rate``,
        keys as for ``new_tariffs``): raise the price of that source to the importer like
        a tariff, but the revenue (rent) is the exporter's (``export_tax_rents=
        "exporter"``) or lost (``"dissipated"``), never the importer's.
    supply_cuts : float, mapping or DataFrame, optional
        Export restrictions as quantity cuts (column ``cut``, a fraction 0..1 of the
        baseline imports of that row: 1 is a ban). Each cut is met by the shadow export
        tax that brings the source's imports down to ``(1 - cut) M``; the other sources
        gain by CES diversion and the importer's price rises. The shadow tax is reported
        in ``export_tax_equivalent``.
    commitments : DataFrame or mapping, optional
        Import commitments, floors: columns ``exporter, value`` (and optional ``importer,
        product, group``): imports from that exporter in the matching products must be
        AT LEAST ``value`` (units of the data); rows sharing a ``group`` are one floor on
        their summed imports and values. A floor already met changes nothing; otherwise
        the shortfall is bought from the exporter and taken from the other sources in
        proportion to their CES shares; the market total stays fixed (no demand
        response) and prices do not move.
    export_tax_rents : {"exporter", "dissipated"}

    Returns
    -------
    PEResult
        ``products``: per importer, exporter, product: ``imports_baseline``,
        ``tariff_baseline``, ``tariff_scenario``, ``export_tax_equivalent``,
        ``price_change_pct`` (consumer price), ``world_price_change_pct``,
        ``trade_creation``, ``trade_diversion``, ``commitment_diversion``,
        ``total_change``, ``imports_scenario`` (baseline world-price units),
        ``tariff_revenue_baseline``, ``tariff_revenue_scenario``,
        ``tariff_revenue_change``, ``export_tax_rents``, ``consumer_surplus``,
        ``welfare_triangle``, ``net_welfare``, ``balance_change``.
        ``exporters``: the same summed per importer and exporter.
        ``regions``: per importer, with ``import_price_change_pct`` (baseline-import-
        weighted consumer price change over all its rows).

    Raises
    ------
    DataError
        Bad data or shock frames (unknown codes with suggestions, NaN, tariffs < -100%).
    ModelError
        Elasticities of the wrong sign or not finite, unknown ``export_tax_rents``.
    UnreachableError
        A commitment larger than the other sources' imports; a cut no tax can reach.

    Notes
    -----
    Imports can in principle fall below zero in the linear SMART formulas (a very
    large tariff rise with an elastic demand); such rows are clipped at zero, which is
    recorded in ``notes`` and warned about with
    [`TariffSimWarning`][tariffsim.pe.smart.TariffSimWarning].
    """
    data = as_data(data)
    if importer is not None:
        data = data.select(importer=importer)
    check_option(export_tax_rents, Rents, "export_tax_rents")
    notes: list[str] = []
    products = data.products
    pcode = data.codes("product")
    eps_p, nd = elasticity_by_label(import_demand_elasticity, products,
                                    "import_demand_elasticity",
                                    WITS_IMPORT_DEMAND_ELASTICITY, kind="negative")
    if nd and isinstance(import_demand_elasticity, Mapping | pd.Series):
        notes.append(f"import_demand_elasticity: {nd} product(s) without a value use the "
                     f"WITS fallback {WITS_IMPORT_DEMAND_ELASTICITY}")
    sig_p, nd = elasticity_by_label(substitution_elasticity, products,
                                    "substitution_elasticity",
                                    WITS_SUBSTITUTION_ELASTICITY, kind="nonnegative")
    if nd and isinstance(substitution_elasticity, Mapping | pd.Series):
        notes.append(f"substitution_elasticity: {nd} product(s) use {WITS_SUBSTITUTION_ELASTICITY}")
    mu_p, nd = elasticity_by_label(export_supply_elasticity, products,
                                   "export_supply_elasticity",
                                   WITS_EXPORT_SUPPLY_ELASTICITY, kind="positive")
    if nd and isinstance(export_supply_elasticity, Mapping | pd.Series):
        notes.append(f"export_supply_elasticity: {nd} product(s) use 99 (infinite)")
    eps, sig, mu = eps_p[pcode], sig_p[pcode], mu_p[pcode]

    m0 = data.value
    t0 = data.tariff
    market = data.codes("market")

    t1, x, cut = price_shock_rows(data, new_tariffs, export_taxes, supply_cuts)
    if (cut > 0).any():
        x = _solve_supply_cuts(m0, t0, t1, x, market, eps, sig, mu, cut)
        notes.append("supply cuts solved for their shadow export tax "
                     "(column export_tax_equivalent)")

    eff = smart_effects(m0, t0, t1, market, import_demand_elasticity=eps,
                        substitution_elasticity=sig, export_supply_elasticity=mu,
                        export_tax=x)
    tc, td = eff["trade_creation"], eff["trade_diversion"]
    q1 = m0 + tc + td
    neg = q1 < 0
    if neg.any():
        msg = (f"{int(neg.sum())} row(s) would have negative imports in the linear SMART "
               f"formulas (tariff change too large for the elasticity); clipped at zero")
        warnings.warn(msg, TariffSimWarning, stacklevel=2)
        notes.append(msg)
        q1 = np.maximum(q1, 0.0)
    cspec = commitments
    if isinstance(cspec, Mapping):
        cspec = pd.DataFrame({"exporter": list(cspec), "value": list(cspec.values())})
    if cspec is not None and not isinstance(cspec, pd.DataFrame):
        raise DataError(f"commitments: expected a DataFrame (exporter, [importer], [product], "
                        f"value) or a mapping {{exporter: value}}, got "
                        f"{type(cspec).__name__}.", field="commitments")
    cd, cnotes = _apply_commitments(data, q1, cspec)
    notes.extend(cnotes)
    if cspec is not None and not cspec.empty:
        notes.append("commitments: the shortfall is bought from the committed exporter and "
                     "taken from the other sources pro rata (CES shares); market totals and "
                     "prices fixed")
    q1 = q1 + cd

    omega = eff["world_price_change"]
    border = (1.0 + omega) * (1.0 + x)
    d_price = (1.0 + t1) * border - (1.0 + t0)
    rev0 = t0 * m0
    rev1 = t1 * border * q1
    rents = x * (1.0 + omega) * q1
    cs = -d_price * (m0 + 0.5 * tc)
    triangle = 0.5 * (t0 - t1) * tc
    paid1 = border * q1
    out = data.frame[list(KEYS)].copy()
    cols = {
        "imports_baseline": m0,
        "tariff_baseline": t0,
        "tariff_scenario": t1,
        "export_tax_equivalent": x,
        "price_change_pct": 100.0 * (d_price / (1.0 + t0)),
        "world_price_change_pct": 100.0 * omega,
        "trade_creation": tc,
        "trade_diversion": td,
        "commitment_diversion": cd,
        "total_change": q1 - m0,
        "imports_scenario": q1,
        "tariff_revenue_baseline": rev0,
        "tariff_revenue_scenario": rev1,
        "tariff_revenue_change": rev1 - rev0,
        "export_tax_rents": rents if export_tax_rents == "exporter" else np.zeros_like(rents),
        "consumer_surplus": cs,
        "welfare_triangle": triangle,
        "net_welfare": cs + rev1 - rev0,
        "balance_change": -(paid1 - m0),
    }
    for k, v in cols.items():
        out[k] = v + 0.0  # no negative zeros in the tables
    summed = ["imports_baseline", "trade_creation", "trade_diversion", "commitment_diversion",
              "total_change", "imports_scenario", "tariff_revenue_baseline",
              "tariff_revenue_scenario", "tariff_revenue_change", "export_tax_rents",
              "consumer_surplus", "welfare_triangle", "net_welfare", "balance_change"]
    ci = (data.codes("importer"), data.importers)
    ce = (data.codes("exporter"), data.exporters)
    exporters = _sum_by(out, ["importer", "exporter"], summed, codes=[ci, ce])
    # import-weighted consumer price change of each importer (all its products)
    out["_w"] = m0 * d_price / (1.0 + t0)
    regions = _sum_by(out, ["importer"], [c for c in summed if c != "balance_change"]
                      + ["_w"], codes=[ci])
    out = out.drop(columns="_w")
    w = regions.pop("_w").to_numpy()
    regions.insert(1, "import_price_change_pct", 100.0 * np.divide(
        w, regions["imports_baseline"].to_numpy(),
        out=np.zeros(len(regions)), where=regions["imports_baseline"].to_numpy() > 0))
    elasticities = {
        "import_demand_elasticity": _as_reported(import_demand_elasticity),
        "substitution_elasticity": _as_reported(substitution_elasticity),
        "export_supply_elasticity": _as_reported(export_supply_elasticity),
        "infinite_supply_at_or_above": INFINITE_SUPPLY,
    }
    return PEResult("smart", out, exporters, regions, elasticities, units=data.units,
                    source=data.source, notes=tuple(notes))


def _as_reported(value: Any) -> Any:
    if isinstance(value, pd.Series):
        return value.copy()
    if isinstance(value, Mapping):
        return dict(value)
    return float(value)


def _sum_by(frame: pd.DataFrame, keys: list[str], cols: list[str],
            codes: list[tuple[np.ndarray, tuple[str, ...]]] | None = None) -> pd.DataFrame:
    """Group sums with bincount (fast on millions of rows), sorted by keys.

    ``codes`` are precomputed integer codes and sorted labels for each key (as kept by
    [`ProductData`][tariffsim.pe.smart.ProductData]); without them the keys are factorized here.
    """
    if codes is None:
        codes = []
        for k in keys:
            code, u = pd.factorize(frame[k], sort=True)
            codes.append((code, tuple(u)))
    sizes = [len(labels) for _, labels in codes]
    flat = np.zeros(len(frame), dtype=np.int64)
    for (code, _), size in zip(codes, sizes, strict=True):
        flat = flat * size + code
    n_cells = int(np.prod(sizes))
    count = np.bincount(flat, minlength=n_cells)
    cells = np.flatnonzero(count)
    out: dict[str, Any] = {}
    rem = cells.copy()
    parts = []
    for size in reversed(sizes):
        parts.append(rem % size)
        rem = rem // size
    for (_, labels), k, part in zip(codes, keys, reversed(parts), strict=True):
        out[k] = np.asarray(labels, dtype=object)[part]
    for c in cols:
        out[c] = np.bincount(flat, weights=frame[c].to_numpy(dtype=float),
                             minlength=n_cells)[cells]
    res = pd.DataFrame(out)
    for k in keys:
        res[k] = res[k].astype(frame[k].dtype)
    return res
