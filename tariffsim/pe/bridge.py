"""Scenario instruments on product data: the bridge from [`tariffsim.Scenario`][] to the
PE engines (SMART, GSIM).

A scenario is resolved on product data by treating **products as sectors**: the data
(importer, exporter, product, value, tariff) become a [`tariffsim.Baseline`][] with
``sector = product`` (`product_baseline`), the scenario is validated and turned into
array shocks there ([`tariffsim.Scenario.shocks`][], so dates, stacking of tariff layers,
exemptions, coverage and phase-ins are exactly those of the GE engine), and the arrays are
read back on the rows of the data as the engines' inputs (`pe_shocks`):

=========================  ==================================================================
Scenario instrument        PE input
=========================  ==================================================================
``Tariff``                 ``new_tariffs``: the new level on every row where it differs from
                           the data's tariff.
``ExportRestriction``      ``export_taxes`` (the wedge, with ``export_tax_rents`` = the
(``tax_equivalent``)       instrument's ``rents``).
``ExportRestriction``      ``supply_cuts``: the cap C on the exporter's sales of the products
(``quantity_cap``)         to the destinations becomes the same cut ``1 - C / X`` (clipped to
                           [0, 1]) on every covered row, X = the rows' baseline imports, so the
                           covered rows together are held at exactly C. The engines solve one
                           shadow export tax per row (SMART) or pair (GSIM), not one common
                           tax for the whole cap. A cap at or above X does not bind (no cut).
``ImportCommitment``       ``commitments``: the FLOOR (baseline imports of the pair in the
                           products + the realised increment, or the realised level, phased
                           to the date/year), one floor per commitment (rows of one
                           ``group``; over several products one floor on their sum, the
                           value split over them in proportion to the pair's baseline
                           imports only to list it by row).
``TradeCost``              an export-tax-equivalent wedge ``factor - 1`` with the rents
                           dissipated: it raises the delivered price like an iceberg cost and
                           yields no revenue
                           (docs/model.md#general-equilibrium-caliendo-parro-hat-algebra). Only cost
                           *increases* (factor >= 1) have a PE form; a cut raises ScenarioError.
=========================  ==================================================================

Rules that differ from a GE baseline, because product data is detailed:

* Tariffs follow the cell-level rules on the data's products (the product baseline sets
  ``tariff_lines=False``): the data's ``tariff`` column is the level instruments act on
  (``mode="set"`` replaces it), whatever year it is from. The 2024 US line data are not
  used, so Tariffs with product fields (``products``, ``exempt_products``, ...) -- and the
  built-in US scenarios, which are written at the tariff line -- raise ScenarioError here;
  use them on a GE baseline, or read their rates by line with
  ``tariffsim.tariff_lines.line_rates`` and pass those to the engine.
* ``sectors`` of an instrument must be products of the data (ScenarioError with a
  did-you-mean otherwise, also with ``coverage=``: the "sector not in the baseline, use
  coverage" fallback is for aggregate baselines). ``exempt`` products absent from the data
  are dropped (there is nothing to exempt) unless ``exempt_coverage`` is given, which then
  applies as documented for [`tariffsim.Tariff`][]. ``coverage`` applies uniformly to
  every covered product line.
* Economies named by the scenario but absent from the data have no trade in these products:
  instruments on them change nothing. They are listed in the result's ``notes`` (with a
  did-you-mean against the data's economies, to catch spelling errors).
* A commitment whose importer imports none of the data's products is outside the data and
  skipped (noted); one whose importer is in the data but has no baseline imports from the
  partner in the products raises UnreachableError (a CES source with a zero share cannot be
  bought from).
* All wedges share one rents setting in the engines: export restrictions, quotas and
  trade costs (dissipated) in force together must agree, else ScenarioError.
* Rows with ``exporter == importer`` (imports within an aggregate region such as intra-EU,
  ``intra_region=True``) sit on the baseline's diagonal, which instruments never touch: an
  EU tariff does not apply to intra-EU trade.

Large product data are resolved in chunks of products (the dense baseline arrays have
N x N x J and N x J x J cells): tariffs, trade costs and export taxes are computed per
cell, so chunks give the same numbers; quotas and commitments (sums over products) are
resolved once on a baseline where the products no instrument names are summed into one.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validate import to_date
from ..baseline import Baseline
from ..errors import ScenarioError, UnreachableError, suggest
from ..instruments import ALL, Tariff
from ..literals import DEFAULT_YEAR_RULE, YearRule
from ..scenario import Scenario
from ..shocks import Shocks
from .products import PEResult, ProductData, as_data

__all__ = ["product_baseline", "pe_shocks", "PEShocks", "PEScenarioResult", "as_scenario",
           "is_scenario_like", "as_product_data", "MAX_CELLS"]

#: Largest dense baseline (cells of flows + io arrays) resolved in one piece; larger
#: product data are resolved in chunks of products.
MAX_CELLS = 5_000_000

_OTHER = "__other_products__"


# ---------------------------------------------------------------------- results
@dataclass(frozen=True, eq=False, repr=False)
class PEScenarioResult(PEResult):
    """A `PEResult` of a scenario run, with the scenario it came from.

    Attributes (in addition to PEResult's)
    --------------------------------------
    scenario : str or None
        Name of the scenario.
    instruments : tuple of str
        Labels of the instruments in force (what the engines were given).
    date : datetime.date or None
    year : int or None
    """

    scenario: str | None = None
    instruments: tuple[str, ...] = ()
    date: _dt.date | None = None
    year: int | None = None


@dataclass
class PEShocks:
    """A scenario translated into the PE engines' inputs on product data.

    Attributes
    ----------
    data : ProductData
        The data the frames refer to.
    new_tariffs, export_taxes, supply_cuts, commitments : DataFrame or None
        Frames as accepted by [`tariffsim.pe.smart`][] / [`tariffsim.pe.gsim`][]
        (keys importer, exporter, product; value columns ``rate``, ``tax_equivalent``,
        ``cut``, ``value``). None when the scenario has nothing of that kind in force.
    export_tax_rents : str or None
        ``"exporter"`` or ``"dissipated"`` when the scenario sets wedges, else None.
    name : str or None
        Scenario name.
    date : datetime.date or None
        The date the policies were evaluated on (``date=`` or the scenario's own date;
        None with ``year=``).
    labels : list of str
        The instruments in force.
    notes : list of str
        Translation choices of this run (absent economies, skipped commitments, quota cuts).
    """

    data: ProductData
    new_tariffs: pd.DataFrame | None = None
    export_taxes: pd.DataFrame | None = None
    supply_cuts: pd.DataFrame | None = None
    commitments: pd.DataFrame | None = None
    export_tax_rents: str | None = None
    name: str | None = None
    date: _dt.date | None = None
    labels: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)

    def engine_inputs(self) -> dict[str, Any]:
        """Keyword arguments for [`smart`][tariffsim.pe.smart] / [`gsim`][tariffsim.pe.gsim] (shocks
        and rents)."""
        out: dict[str, Any] = {}
        for k in ("new_tariffs", "export_taxes", "supply_cuts", "commitments"):
            v = getattr(self, k)
            if v is not None:
                out[k] = v
        if self.export_tax_rents is not None:
            out["export_tax_rents"] = self.export_tax_rents
        return out


# ---------------------------------------------------------------------- helpers
def as_scenario(scenario: Any) -> Scenario | Shocks | None:
    """A Scenario from a Scenario, a built-in name, a TOML path, or pass Shocks/None."""
    if scenario is None or isinstance(scenario, (Scenario, Shocks)):
        return scenario
    if isinstance(scenario, str | os.PathLike):
        from .. import scenarios as _scenarios
        return _scenarios.load(scenario)
    raise ScenarioError(f"scenario: expected a tariffsim.Scenario, a built-in scenario name, "
                        f"a TOML path, a PE shocks mapping or None; got "
                        f"{type(scenario).__name__}.", field="scenario")


def _code_list(value: Any) -> list[str]:
    if value is None or value == ALL:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _scenario_codes(scenario: Scenario) -> list[str]:
    codes: list[str] = []
    for inst in scenario.instruments:
        for attr in ("importer", "exporter", "destinations", "exclude"):
            codes.extend(_code_list(getattr(inst, attr, None)))
    return list(dict.fromkeys(codes))


def _for_products(scenario: Scenario, products: Sequence[str]) -> Scenario:
    """Check named products; drop exempt products absent from the data (see module doc)."""
    known = set(products)
    insts = []
    for k, inst in enumerate(scenario.instruments):
        if inst.sectors is not None:
            unknown = [s for s in inst.sectors if s not in known]
            if unknown:
                parts = ", ".join(f"{u!r}{suggest(u, products)}" for u in unknown[:10])
                shown = ", ".join(list(products)[:30]) + (" ..." if len(products) > 30 else "")
                raise ScenarioError(
                    f"instruments[{k}].sectors: product(s) {parts} not in the product data "
                    f"({type(inst).__name__}). Products in the data: {shown}. On product data "
                    f"sectors are the data's product codes (coverage= does not stand in for a "
                    f"missing product here); fix the code or add the product to the data.",
                    field=f"instruments[{k}].sectors")
        if isinstance(inst, Tariff) and inst.exempt and inst.exempt_coverage is None:
            keep = tuple(s for s in inst.exempt if s in known)
            if len(keep) != len(inst.exempt):
                inst = dataclasses.replace(inst, exempt=keep or None)
        insts.append(inst)
    return dataclasses.replace(scenario, instruments=tuple(insts))


def product_baseline(data: Any, *, products: Sequence[str] | None = None,
                     countries: Sequence[str] | None = None,
                     other: Sequence[str] | None = None) -> Baseline:
    """The product data as a [`tariffsim.Baseline`][] with products as sectors.

    Parameters
    ----------
    data : ProductData or DataFrame
    products : sequence of str, optional
        Products to keep, in this sector order (default: all, sorted).
    countries : sequence of str, optional
        Economies of the baseline (default: the data's importers and exporters); codes
        without data get zero flows.
    other : sequence of str, optional
        Products summed into one extra sector ``"__other_products__"`` (flows summed,
        tariffs import-weighted), appended after ``products``.

    Notes
    -----
    Flows are the data's imports at world prices (``flows[exporter, importer, product]``);
    rows with ``exporter == importer`` (intra-region imports) go on the diagonal. The
    baseline has no IO and is only used to resolve scenarios.
    """
    data = as_data(data)
    prods = list(data.products) if products is None else [str(p) for p in products]
    if countries is None:
        countries = data.regions
    countries = [str(c) for c in countries]
    e, i = _row_index(data, countries)
    pos = pd.Index(prods).get_indexer(pd.Index(data.products))[data.codes("product")]
    n, j = len(countries), len(prods)
    extra = bool(other)
    flows = np.zeros((n, n, j + extra))
    tariffs = np.zeros((n, n, j + extra))
    keep = pos >= 0
    flows[e[keep], i[keep], pos[keep]] = data.value[keep]
    tariffs[e[keep], i[keep], pos[keep]] = data.tariff[keep]
    sectors = list(prods)
    if other:
        opos = pd.Index([str(p) for p in other]).get_indexer(pd.Index(data.products))[
            data.codes("product")]
        rest = opos >= 0
        v, t = data.value[rest], data.tariff[rest]
        er, ir = e[rest], i[rest]
        np.add.at(flows, (er, ir, j), v)
        vt = np.zeros((n, n))
        cnt = np.zeros((n, n))
        tsum = np.zeros((n, n))
        np.add.at(vt, (er, ir), v * t)
        np.add.at(cnt, (er, ir), 1.0)
        np.add.at(tsum, (er, ir), t)
        tot = flows[:, :, j]
        tariffs[:, :, j] = np.where(tot > 0, vt / np.where(tot > 0, tot, 1.0),
                                    tsum / np.maximum(cnt, 1.0))
        sectors.append(_OTHER)
    # the data's tariffs are the levels instruments act on: cell-level rules (module notes)
    return Baseline.from_arrays(tuple(countries), tuple(sectors), flows, tariffs=tariffs,
                                year=data.year, units=data.units, source=data.source,
                                tariff_lines=False)


def as_product_data(data: Any) -> tuple[ProductData, list[str]]:
    """ProductData from ProductData, a tidy frame or a Baseline, with a note when a
    Baseline's domestic sales (its diagonal) are dropped (PE models use imports only)."""
    notes: list[str] = []
    if hasattr(data, "flows") and hasattr(data, "countries") and not isinstance(
            data, ProductData):
        diag = float(np.einsum("iij->", np.asarray(data.flows, dtype=float)))
        if diag > 0:
            notes.append(f"baseline: domestic sales (diagonal, {diag:,.6g} "
                         f"{getattr(data, 'units', '')}) dropped; the PE models use imports "
                         f"only (sectors taken as products)")
    return as_data(data), notes


def _row_index(data: ProductData, countries: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Exporter and importer position of every row of ``data`` in ``countries``."""
    ridx = pd.Index(list(countries)).get_indexer(pd.Index(data.regions))
    return ridx[data.codes("exporter_region")], ridx[data.codes("importer_region")]


def _product_rows(data: ProductData, products: Sequence[str]) -> np.ndarray:
    """Rows of ``data`` whose product is in ``products``."""
    wanted = pd.Index(data.products).get_indexer(pd.Index([str(p) for p in products]))
    return np.isin(data.codes("product"), wanted[wanted >= 0])


def _keys(data: ProductData, mask: np.ndarray) -> pd.DataFrame:
    f = data.frame[mask]
    return pd.DataFrame({"importer": f["importer"].to_numpy(dtype=object),
                         "exporter": f["exporter"].to_numpy(dtype=object),
                         "product": f["product"].to_numpy(dtype=object)})


# ---------------------------------------------------------------------- the bridge
def pe_shocks(data: Any, scenario: Any, *, date: Any = None, year: int | None = None,
              year_rule: YearRule = DEFAULT_YEAR_RULE, max_cells: int = MAX_CELLS
              ) -> PEShocks:
    """Translate a scenario into SMART/GSIM inputs on product data.

    Parameters
    ----------
    data : ProductData, DataFrame or Baseline
        Product data (a Baseline's sectors are taken as products and its diagonal,
        domestic sales, dropped: the PE models use imports only).
    scenario : Scenario, str, Path or Shocks
        A Scenario, a built-in scenario name, a TOML path, or array
        [`Shocks`][tariffsim.pe.bridge.Shocks] built on ``product_baseline(data)``.
    date, year, year_rule
        Which policies are in force, as in [`tariffsim.Scenario.shocks`][].
    max_cells : int
        Resolve in chunks of products above this many dense baseline cells.

    Returns
    -------
    PEShocks
        The frames for [`smart`][tariffsim.pe.smart]/[`gsim`][tariffsim.pe.gsim] (see the module
        docstring for the rules).

    Raises
    ------
    ScenarioError
        Unknown products (did-you-mean), contradictory tariffs, dated scenario without a
        date, a trade-cost cut, wedges that disagree on rents.
    UnreachableError
        A commitment on a pair with no baseline imports in the products.
    """
    data, notes = as_product_data(data)
    scenario = as_scenario(scenario)
    if date is not None:
        date = to_date(date, "date")
    if scenario is None:
        return PEShocks(data, notes=notes)
    if isinstance(scenario, Shocks):
        base = product_baseline(data)
        shape = (len(base.countries), len(base.countries), len(base.sectors))
        for k in ("tariffs", "trade_costs", "export_taxes"):
            arr = getattr(scenario, k)
            if arr is not None and np.shape(arr) != shape:
                raise ScenarioError(f"scenario: Shocks.{k} has shape {np.shape(arr)}; on this "
                                    f"product data it must be {shape} [exporter, importer, "
                                    f"product] in the order of product_baseline(data).",
                                    field=f"shocks.{k}")
        out = PEShocks(data, labels=list(scenario.labels), notes=notes)
        _translate(out, _read_rows(data, base, scenario), scenario.export_tax_rents, base,
                   scenario)
        return out
    products = list(data.products)
    scen = _for_products(scenario, products)
    named = {s for inst in scen.instruments for s in (inst.sectors or ())}
    named |= {s for inst in scen.instruments if isinstance(inst, Tariff)
              for s in (inst.exempt or ()) if s in set(products)}
    absent = [c for c in _scenario_codes(scen) if c not in set(data.regions)]
    countries = sorted(set(data.regions) | set(absent))
    if absent:
        shown = ", ".join(f"{c}{suggest(c, data.regions)}" for c in absent[:20])
        more = f" and {len(absent) - 20} more" if len(absent) > 20 else ""
        notes.append(f"scenario economies not in the data (no trade in these products, "
                     f"instruments on them change nothing): {shown}{more}")
    n, j = len(countries), len(products)
    kw = {"date": date, "year": year, "year_rule": year_rule}
    out = PEShocks(data, name=scen.name, notes=notes,
                   date=(date if date is not None else scen.date) if year is None else None)
    if n * n * j + n * j * j <= max_cells:
        base = product_baseline(data, countries=countries)
        scen.validate(base)
        sh = scen.shocks(base, **kw)
        out.labels = list(sh.labels)
        _translate(out, _read_rows(data, base, sh), sh.export_tax_rents, base, sh)
        return out
    # --- large data: totals (quotas, commitments) on an aggregated baseline, cells by chunk
    named_l = [p for p in products if p in named]
    other = [p for p in products if p not in named]
    agg = product_baseline(data, products=named_l, countries=countries, other=other)
    # tariffs are per cell: resolved by chunk below (the aggregate's "other products" sector
    # has no tariff lines of its own)
    no_tariffs = dataclasses.replace(scen, instruments=tuple(
        i for i in scen.instruments if not isinstance(i, Tariff)))
    no_tariffs.validate(agg)
    sh_agg = no_tariffs.shocks(agg, **kw)
    out.labels = list(sh_agg.labels)
    # a chunk of c sectors has n^2 c + n c^2 dense cells (flows, tariffs; io)
    c_max = (-n * n + np.sqrt(float(n) ** 4 + 4.0 * n * max_cells)) / (2.0 * n)
    size = max(1, int(c_max) - len(named_l))
    rows: dict[str, np.ndarray | None] = {"tariffs": None, "trade_costs": None,
                                          "export_taxes": None}
    neutral = {"tariffs": data.tariff, "trade_costs": np.ones(data.n_rows),
               "export_taxes": np.zeros(data.n_rows)}
    rents = sh_agg.export_tax_rents
    chunks = [other[s:s + size] for s in range(0, len(other), size)] or [[]]
    for q, chunk in enumerate(chunks):
        sub = product_baseline(data, products=named_l + chunk, countries=countries)
        if q == 0:
            scen.validate(sub)
        sub_shocks = scen.shocks(sub, **kw)
        out.labels.extend(lab for lab in sub_shocks.labels if lab not in out.labels)
        if sub_shocks.export_taxes is not None:
            rents = sub_shocks.export_tax_rents
        # rows of this chunk's own products (the named ones are read from the first chunk)
        mine = named_l + chunk if q == 0 else chunk
        sel = _product_rows(data, mine)
        got = _read_rows(data, sub, sub_shocks, sel)
        for k, arr in got.items():
            if arr is None:
                continue
            cur = rows[k]
            if cur is None:
                cur = rows[k] = neutral[k].copy()
            cur[sel] = arr[sel]
    _translate(out, rows, rents, agg, sh_agg)
    return out


def _read_rows(data: ProductData, base: Any, shocks: Shocks, sel: np.ndarray | None = None
               ) -> dict[str, np.ndarray | None]:
    """Cell arrays of ``shocks`` (on ``base``) read on the rows of ``data`` (rows outside
    ``sel`` are left at 0 and must not be used)."""
    e, i = _row_index(data, base.countries)
    j = pd.Index(list(base.sectors)).get_indexer(pd.Index(data.products))[
        data.codes("product")]
    ok = j >= 0 if sel is None else sel & (j >= 0)
    out: dict[str, np.ndarray | None] = {}
    for k in ("tariffs", "trade_costs", "export_taxes"):
        arr = getattr(shocks, k)
        if arr is None:
            out[k] = None
            continue
        vals = np.zeros(data.n_rows)
        vals[ok] = np.asarray(arr, dtype=float)[e[ok], i[ok], j[ok]]
        out[k] = vals
    return out


def _translate(out: PEShocks, cells: Mapping[str, np.ndarray | None], export_rents: str,
               tbase: Any, totals: Shocks) -> None:
    """Turn row values of the cell shocks and the quota/commitment targets (on ``tbase``)
    into the engines' frames on the rows of ``out.data``."""
    data = out.data
    t0 = data.tariff
    rents: dict[str, str] = {}
    if cells["tariffs"] is not None:
        t1 = cells["tariffs"]
        diff = np.abs(t1 - t0) > 1e-12
        if diff.any():
            nt = _keys(data, diff)
            nt["rate"] = t1[diff]
            out.new_tariffs = nt
    wedge = np.zeros(data.n_rows)
    if cells["export_taxes"] is not None:
        x = cells["export_taxes"]
        if (x > 0).any():
            rents["export restrictions (tax equivalents)"] = export_rents
            wedge = x
    if cells["trade_costs"] is not None:
        d = cells["trade_costs"]
        if (d < 1 - 1e-12).any():
            bad = data.frame[d < 1 - 1e-12]
            raise ScenarioError(
                f"TradeCost: a trade-cost cut (factor {d.min():.4g} < 1) on "
                f"{len(bad)} product row(s) has no PE form: the PE engines take trade costs "
                f"as an export-tax-equivalent wedge, which must be >= 0. Model the cut as a "
                f"tariff cut, or use model='ge'.", field="TradeCost.factor")
        if (d > 1 + 1e-12).any():
            rents["trade costs (iceberg, no revenue)"] = "dissipated"
            wedge = (1.0 + wedge) * d - 1.0
            out.notes.append("TradeCost factors applied as export-tax-equivalent wedges "
                             "(factor - 1) with rents dissipated (no revenue): column "
                             "export_tax_equivalent")
    if (wedge > 0).any():
        hit = wedge > 0
        et = _keys(data, hit)
        et["tax_equivalent"] = wedge[hit]
        out.export_taxes = et
    # --- quotas -> supply cuts
    te, ti = _row_index(data, tbase.countries)
    tsidx = pd.Index(list(tbase.sectors))
    tj = tsidx.get_indexer(data.frame["product"].to_numpy(dtype=object))
    tj = np.where(tj >= 0, tj, tsidx.get_indexer([_OTHER])[0] if _OTHER in tsidx else -1)
    m0 = data.value
    cut = np.zeros(data.n_rows)
    for q in totals.quotas:
        rows = (te == q.exporter) & np.asarray(q.importer_mask)[ti] & (tj >= 0)
        rows &= np.asarray(q.sector_mask)[np.maximum(tj, 0)]
        total = float(m0[rows].sum())
        rents[f"quota {q.label}"] = q.rents
        if total <= 0:
            out.notes.append(f"{q.label}: no baseline exports in the data's rows; nothing "
                             f"to cap")
            continue
        share = float(np.clip(1.0 - q.cap / total, 0.0, 1.0))
        out.notes.append(f"{q.label}: cap {q.cap:,.6g} on baseline exports {total:,.6g} in "
                         f"{int(rows.sum())} row(s) -> supply cut {share:.6g} on each row"
                         + (" (cap does not bind)" if share == 0 else ""))
        if np.any(rows & (cut > 0) & (np.abs(cut - share) > 1e-12)):
            out.notes.append(f"{q.label}: overlaps another quota; the tighter cut applies")
        cut = np.where(rows, np.maximum(cut, share), cut)
    if (cut > 0).any():
        hit = cut > 0
        sc = _keys(data, hit)
        sc["cut"] = cut[hit]
        out.supply_cuts = sc
    # --- commitments
    rows_out: list[dict[str, Any]] = []
    importers = set(data.importers)
    n_sect = len(tbase.sectors)
    for c in totals.commitments:
        imp, exp = tbase.countries[c.importer], tbase.countries[c.exporter]
        mask = np.asarray(c.sector_mask, dtype=bool)
        if imp not in importers:
            out.notes.append(f"{c.label or 'commitment'}: {imp} imports none of the data's "
                             f"products; commitment outside the data, skipped")
            continue
        covered = (tj >= 0) & mask[np.maximum(tj, 0)]
        pair = (te == c.exporter) & (ti == c.importer) & covered
        base_total = float(m0[pair].sum())
        if base_total <= 0:
            raise UnreachableError(
                f"commitments: {c.label or 'a commitment'}: no baseline imports of {imp} from "
                f"{exp} in the covered products of the data; a CES source with a zero share "
                f"cannot be bought from. Add the flow to the data or choose other products.",
                field="commitments")
        prods_cov = sorted(set(data.frame["product"][covered & (ti == c.importer)]))
        if mask.all() and mask.size == n_sect:
            rows_out.append({"importer": imp, "exporter": exp, "product": None,
                             "value": c.value, "group": c.label or f"{imp}<-{exp}"})
        elif len(prods_cov) == 1:
            rows_out.append({"importer": imp, "exporter": exp, "product": prods_cov[0],
                             "value": c.value, "group": c.label or f"{imp}<-{exp}"})
        else:
            by_p = data.frame[pair].groupby("product")["value"].sum()
            for p, b in by_p.items():
                if b > 0:
                    rows_out.append({"importer": imp, "exporter": exp, "product": str(p),
                                     "value": c.value * b / base_total,
                                     "group": c.label or f"{imp}<-{exp}"})
            out.notes.append(f"{c.label}: one floor {c.value:,.6g} on the pair's imports of "
                             f"{len(by_p)} products together")
    if rows_out:
        cm = pd.DataFrame(rows_out)
        if cm["product"].isna().all():
            cm = cm.drop(columns="product")
        out.commitments = cm
    values = set(rents.values())
    if len(values) > 1:
        shown = "; ".join(f"{k}: {v}" for k, v in rents.items())
        raise ScenarioError(f"rents: the PE engines take one rents setting for all export "
                            f"wedges, but the instruments in force disagree ({shown}). Make "
                            f"the restrictions' rents agree (trade costs are always "
                            f"'dissipated'), or use model='ge'.", field="rents")
    if values:
        out.export_tax_rents = values.pop()


def is_scenario_like(obj: Any) -> bool:
    """True for what the bridge resolves (Scenario, name/path, Shocks)."""
    return isinstance(obj, Scenario | Shocks | str | os.PathLike) or (
        hasattr(obj, "instruments") and hasattr(obj, "shocks")
        and not isinstance(obj, Mapping))

