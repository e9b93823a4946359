"""OECD Inter-Country Input-Output (ICIO) tables, 2023 release layout.

The OECD ICIO tables (oe.cd/icio; 76 economies + rest of the world, 45 industries,
1995-2020 in the 2023 release; USD million at basic prices) come as one wide CSV per
year, ``2020.csv``/``2020_SML.csv``: the first column holds the row labels, and::

    rows     "AUS_A01_02" ... "ROW_T"   intermediate and final use of each country-industry's output
             "TLS"                      taxes less subsidies on products used by each column
             "VA"                       value added of each column
             "OUT"                      gross output of each column
    columns  "AUS_A01_02" ... "ROW_T"   intermediate use by each country-industry
             "AUS_HFCE", "AUS_NPISH", "AUS_GGFC", "AUS_GFCF", "AUS_INVNT", "AUS_DPABR", ...
                                        final use by each country (households, non-profits,
                                        government, fixed capital, inventories, direct
                                        purchases abroad by residents)
             "OUT"                      gross output of each row

A label is ``COUNTRY_INDUSTRY`` split at the first underscore (industries such as
``A01_02`` keep theirs). China and Mexico's split rows of the extended tables (``CN1``,
``CN2``, ``MX1``, ``MX2``) are summed into ``CHN`` and ``MEX``.

What [`read_icio`][tariffsim.io.icio.read_icio] builds (Caliendo & Parro 2015 calibration from an IO
table)
---------------------------------------------------------------------------------
With $Z_{ci,dj}$ the intermediate use by industry j of country d of the output of
industry i of country c, $F_{ci,d}$ the final use by d of that output and
$Y_{dj}$ gross output:

* flows: $X_{c \\to d}^i = \\sum_j Z_{ci,dj} + F_{ci,d}$ (the diagonal c = d is
  domestic sales; values at basic prices, taken as world prices);
* input shares: $\\gamma_d^{i,j} = \\sum_c Z_{ci,dj} / Y_{dj}$ (summing over supplier
  countries);
* value-added share: $\\gamma_d^j = (VA_{dj} + TLS_{dj}) / Y_{dj}$ by default.

Assumptions (each one an option):

* ``tls="value_added"``: taxes less subsidies on products are domestic income (government
  revenue) and are added to value added, so that ``value_added + io.sum(axis=1) == 1``
  exactly; ``tls="inputs"`` instead spreads them over the input shares in proportion
  (inputs at purchasers' prices).
* Inventory changes (``INVNT``) and direct purchases abroad (``DPABR``) are final use of
  the column economy; their negative entries (drawn-down stocks, the balancing entries of
  purchases abroad) are set to zero, so a row's flows can exceed its gross output by the
  drawn-down stocks. ``dpabr="drop"`` leaves DPABR out.
* Industries with zero gross output get value-added share 1 and no inputs. A negative
  value-added share (subsidised industries) is set to zero and the input shares rescaled
  to sum to one, with a warning.
* Aggregation (``regions=``, ``sectors=``) sums the table before shares are computed, so
  trade inside a region becomes its domestic sales and shares are output-weighted.

Reference: OECD (2023), OECD Inter-Country Input-Output Database, http://oe.cd/icio;
Caliendo, L. and Parro, F. (2015), Estimates of the Trade and Welfare Effects of NAFTA,
Review of Economic Studies 82(1), 1-44.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._progress import Progress, check_progress
from .._validate import group_map
from ..baseline import _year
from ..concordance import ISO3_CODES, normalise_iso3, region_map
from ..errors import DataError, TariffSimWarning, suggest
from ..literals import check_option
from ._common import PathLike, read_csv_checked, to_baseline

__all__ = ["read_icio", "FINAL_DEMAND"]

_WHAT = "OECD ICIO"

#: Final-demand column suffixes of the ICIO tables (2023 release; older names accepted).
FINAL_DEMAND: tuple[str, ...] = ("HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR",
                                 "NONRES", "P33")
_CLIPPED = ("INVNT", "DPABR", "P33", "NONRES")
_SPLIT = {"CN1": "CHN", "CN2": "CHN", "MX1": "MEX", "MX2": "MEX"}
_TLS = ("TLS", "TAXSUB")
_VA = ("VA", "VALU")
_OUT = ("OUT", "OUTPUT", "TOTAL")
#: Largest absolute cell accepted, USD million (world gross output is about 2e8).
_MAX_VALUE = 1e12


@dataclass
class _Layout:
    """Where things are in the table, from its labels.

    ``rows``: the COUNTRY_INDUSTRY labels (rows, and the intermediate-use columns);
    ``country`` / ``industry``: their parts; ``fd_cols``: the final-use columns kept, with
    their ``fd_country`` and ``fd_kind``; ``tls`` / ``va`` / ``out``: the special rows
    (``tls`` and ``out`` may be None).
    """

    rows: list[str]
    country: list[str]
    industry: list[str]
    fd_cols: list[str]
    fd_country: list[str]
    fd_kind: list[str]
    va: str
    tls: str | None
    out: str | None


@dataclass
class _Blocks:
    """The table's blocks in USD million, rows in ``_Layout.rows`` order: intermediate
    use ``Z`` (K, K), final use ``F`` (K, fd) with INVNT/DPABR clipped at zero, value added
    ``va``, taxes less subsidies ``tx`` and gross output ``out`` (K,)."""

    Z: np.ndarray
    F: np.ndarray
    va: np.ndarray
    tx: np.ndarray
    out: np.ndarray


@dataclass
class _Aggregate:
    """The table summed to regions ``regs`` and sectors ``secs``: ``flows`` [exporter,
    importer, sector], ``io_num`` [region, input sector, sector] (inputs bought from any
    supplier), ``gross``, ``va`` and ``tx`` [region, sector]."""

    regs: list[str]
    secs: list[str]
    flows: np.ndarray
    io_num: np.ndarray
    gross: np.ndarray
    va: np.ndarray
    tx: np.ndarray


def read_icio(path: PathLike, *, year: int | None = None,
              regions: Mapping[str, Any] | Sequence[str] | None = None,
              sectors: Mapping[str, Any] | None = None, tls: str = "value_added",
              dpabr: str = "include", progress: Progress = None) -> Any:
    """Read an OECD ICIO table into a [`Baseline`][tariffsim.Baseline] with IO linkages.

    Parameters
    ----------
    path : str or path
        One year's ICIO CSV (2023 release layout, see the module docstring).
    year : int, optional
        Year stored in the baseline (the file has none).
    regions : list or mapping, optional
        A list of ISO3 codes to keep (the others summed into ``"ROW"``, merging with the
        table's own ROW), or ``{code: region}`` / ``{region: [codes]}``.
    sectors : mapping, optional
        ``{industry: sector}`` or ``{sector: [industries]}`` (ICIO codes such as
        ``"C26"``, ``"A01_02"``); unlisted industries keep their code.
    tls : {"value_added", "inputs"}
        Where taxes less subsidies on products go (see the module docstring).
    dpabr : {"include", "drop"}
        Whether direct purchases abroad by residents count as final use.
    progress : None, bool or callable
        Progress of the file read, one step per mebibyte: None (default) a bar where
        someone can see it (a terminal or Jupyter, with tqdm installed), True always,
        False never, or ``f(done, total)`` called after each step (see
        `tariffsim._progress.track`).

    Returns
    -------
    Baseline
        flows (exporter, importer, sector) including domestic sales, ``io`` and
        ``value_added`` shares of gross output; USD million.

    Raises
    ------
    DataError
        No TLS/VA/OUT rows, labels that are not ``COUNTRY_INDUSTRY``, unknown country
        codes, non-numeric cells, negative intermediate or final use (other than
        inventories and purchases abroad), rows and columns that do not match.
    """
    check_option(tls, ("value_added", "inputs"), "tls", error=DataError)
    check_option(dpabr, ("include", "drop"), "dpabr", error=DataError)
    progress = check_progress(progress)
    src = str(path)
    try:  # checked before the (large) file is read, naming it
        _year(year)
    except DataError as exc:
        raise DataError(f"{_WHAT} {src!r}: {exc}", field="year") from None
    num = _read_table(path, progress)
    layout = _parse_labels(num, src, dpabr)
    blocks = _blocks(num, layout, src)
    agg = _aggregate(blocks, layout, regions, sectors)
    io, vas = _shares(agg, tls)
    return _baseline(agg, io, vas, year=year,
                     source=f"OECD ICIO file {src!r} (basic prices, USD million); TLS "
                            f"{'in value added' if tls == 'value_added' else 'in inputs'}, "
                            f"negative INVNT/DPABR clipped")


# ---------------------------------------------------------------------------- read
def _read_table(path: PathLike, progress: Progress = False) -> pd.DataFrame:
    """The CSV as a frame of floats (empty cells 0) with stripped row and column labels.

    Raises DataError for repeated row labels, non-numeric cells and cells beyond
    ``_MAX_VALUE`` (infinite or implausibly large), naming the first offending cell.
    """
    raw = read_csv_checked(path, _WHAT, progress=progress, index_col=0)
    raw.index = pd.Index([str(i).strip() for i in raw.index])
    src = str(path)
    dup = raw.index[raw.index.duplicated()]
    if len(dup):
        raise DataError(f"{_WHAT}: row label(s) {sorted(set(dup))[:10]} appear more than once "
                        f"in {src!r}. Each COUNTRY_INDUSTRY and TLS/VA/OUT row must appear "
                        f"once; delete the repeated rows.", field="row label")
    arr = _numeric(raw, src)
    huge = np.abs(np.nan_to_num(arr, nan=0.0, posinf=np.inf, neginf=-np.inf)) > _MAX_VALUE
    if huge.any():
        r, c = np.argwhere(huge)[0]
        raise DataError(f"{_WHAT}: {src!r} has {int(huge.sum())} infinite or implausibly large "
                        f"cell(s) (above {_MAX_VALUE:g} USD million in absolute value), first at "
                        f"row {raw.index[r]!r}, column {raw.columns[c]!r}: {raw.iat[r, c]!r}. "
                        f"ICIO values are in USD million; fix the cell.",
                        field=str(raw.columns[c]))
    return pd.DataFrame(np.nan_to_num(arr, nan=0.0), index=raw.index,
                        columns=[str(c).strip() for c in raw.columns])


def _numeric(raw: pd.DataFrame, src: str) -> np.ndarray:
    """The cells as floats (NaN where empty); DataError at the first non-numeric cell.

    Column by column: only text columns are parsed, so a large table of numbers is not
    converted to text.
    """
    vals: list[np.ndarray] = []
    bad: list[np.ndarray] = []
    for c in raw.columns:
        col = raw[c]
        if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(
                col.dtype):
            vals.append(col.to_numpy(dtype=float, na_value=np.nan))
            bad.append(np.zeros(len(col), dtype=bool))
        else:
            text = col.astype("string").str.strip()
            v = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            vals.append(v)
            bad.append(np.isnan(v) & text.fillna("").ne("").to_numpy(dtype=bool))
    mask = np.column_stack(bad)
    if mask.any():
        r, c = np.argwhere(mask)[0]
        raise DataError(f"{_WHAT}: {src!r} has {int(mask.sum())} non-numeric "
                        f"cell(s), first at row {raw.index[r]!r}, column {raw.columns[c]!r}: "
                        f"{raw.iat[r, c]!r}. Fix the cell (use 0 for an empty flow).",
                        field=str(raw.columns[c]))
    return np.column_stack(vals)


# ---------------------------------------------------------------------------- parse labels
def _split(label: str) -> tuple[str, str] | None:
    """``COUNTRY_INDUSTRY`` -> ``(ISO3, industry)`` (split rows CN1/CN2/MX1/MX2 merged)."""
    if "_" not in label:
        return None
    c, rest = label.split("_", 1)
    return _SPLIT.get(c.upper(), normalise_iso3(c)), rest


def _special_rows(index: pd.Index, src: str) -> tuple[str, str | None, str | None]:
    """``(va, tls, out)``: the labels of the value-added, taxes and output rows; the
    table's one required-row check (VA must be there)."""
    def find(names: Sequence[str]) -> str | None:
        return next((n for n in names if n in index), None)

    va = find(_VA)
    if va is None:
        raise DataError(f"{_WHAT}: {src!r} has no value-added row (VA). Rows must include "
                        f"TLS, VA and OUT after the COUNTRY_INDUSTRY rows.", field="VA")
    return va, find(_TLS), find(_OUT)


def _parse_labels(num: pd.DataFrame, src: str, dpabr: str) -> _Layout:
    """Rows and columns identified: COUNTRY_INDUSTRY rows (known ISO3 codes), their
    matching intermediate-use columns, final-use columns, the TLS/VA/OUT rows."""
    va, tls, out = _special_rows(num.index, src)
    special = {x for x in (tls, va, out) if x is not None}
    rows = [r for r in num.index if r not in special]
    parsed = {r: _split(r) for r in rows}
    badl = [r for r, p in parsed.items() if p is None]
    if badl:
        raise DataError(f"{_WHAT}: row label(s) {badl[:10]} of {src!r} are not "
                        f"COUNTRY_INDUSTRY (e.g. 'AUS_A01_02') nor TLS/VA/OUT.",
                        field="row label")
    pairs = [p for p in parsed.values() if p is not None]
    country = [p[0] for p in pairs]
    unknown = sorted({c for c in country if c not in ISO3_CODES})
    if unknown:
        raise DataError(f"{_WHAT}: unknown country code(s) "
                        f"{', '.join(repr(u) + suggest(u, sorted(ISO3_CODES)) for u in unknown)}"
                        f" in the row labels of {src!r}. Use ISO3 codes (ROW for the rest of "
                        f"the world).", field="row label")
    _check_square(rows, list(num.columns), src)
    fd_cols, fd_country, fd_kind = _final_use_columns(list(num.columns), parsed, src, dpabr)
    no_rows = sorted(set(fd_country) - set(country))
    if no_rows:
        cols_bad = [c for c, k in zip(fd_cols, fd_country, strict=True) if k in no_rows]
        raise DataError(f"{_WHAT}: final-use column(s) {cols_bad[:10]} of {src!r} belong to "
                        f"{', '.join(no_rows)}, which has no COUNTRY_INDUSTRY rows. Every "
                        f"economy with final use must also have its industry rows and "
                        f"columns; delete these columns or add the economy's rows.",
                        field=cols_bad[0])
    return _Layout(rows=rows, country=country, industry=[p[1] for p in pairs],
                   fd_cols=fd_cols, fd_country=fd_country, fd_kind=fd_kind,
                   va=va, tls=tls, out=out)


def _check_square(rows: list[str], cols: list[str], src: str) -> None:
    """The table's required-column check: every COUNTRY_INDUSTRY row has its
    intermediate-use column."""
    have = set(cols)
    missing = [r for r in rows if r not in have]
    if missing:
        raise DataError(f"{_WHAT}: {src!r} has rows without a matching intermediate-use "
                        f"column: {missing[:10]}. The table must be square in "
                        f"COUNTRY_INDUSTRY.", field="columns")


def _final_use_columns(cols: list[str], parsed: Mapping[str, Any], src: str, dpabr: str
                       ) -> tuple[list[str], list[str], list[str]]:
    """``(columns, country, kind)`` of the final-use columns kept (DPABR dropped on
    request); DataError for a column that is neither intermediate, final use nor OUT."""
    fd_cols, fd_country, fd_kind = [], [], []
    for c in cols:
        if c in parsed or c.upper() in _OUT:
            continue
        p = _split(c)
        if p is None or p[1].upper() not in FINAL_DEMAND:
            raise DataError(f"{_WHAT}: column {c!r} of {src!r} is neither COUNTRY_INDUSTRY, "
                            f"COUNTRY_<{'/'.join(FINAL_DEMAND[:6])}> nor OUT.", field=c)
        if p[0] not in ISO3_CODES:
            raise DataError(f"{_WHAT}: unknown country code {p[0]!r}{suggest(p[0], ISO3_CODES)}"
                            f" in column {c!r} of {src!r}.", field=c)
        if dpabr == "drop" and p[1].upper() in ("DPABR", "P33"):
            continue
        fd_cols.append(c)
        fd_country.append(p[0])
        fd_kind.append(p[1].upper())
    return fd_cols, fd_country, fd_kind


def _blocks(num: pd.DataFrame, lay: _Layout, src: str) -> _Blocks:
    """The numeric blocks, checked: intermediate use >= 0, final use >= 0 except
    inventories and purchases abroad (clipped at zero), gross output >= 0 (the column
    sums plus TLS and VA when there is no OUT row)."""
    rows = lay.rows
    Z = num.loc[rows, rows].to_numpy(dtype=float)
    F = num.loc[rows, lay.fd_cols].to_numpy(dtype=float)
    if (Z < 0).any():
        r, c = np.argwhere(Z < 0)[0]
        raise DataError(f"{_WHAT}: {src!r} has {int((Z < 0).sum())} negative intermediate "
                        f"use cell(s), first row {rows[r]!r}, column {rows[c]!r}: "
                        f"{Z[r, c]}. Intermediate use cannot be negative; fix the cell.",
                        field=rows[c])
    clip = np.array([k in _CLIPPED for k in lay.fd_kind], dtype=bool)
    negF = (F < 0) & ~clip[None, :]
    if negF.any():
        r, c = np.argwhere(negF)[0]
        raise DataError(f"{_WHAT}: {src!r} has negative final use in row {rows[r]!r}, "
                        f"column {lay.fd_cols[c]!r}: {F[r, c]}. Only inventories (INVNT) and "
                        f"purchases abroad (DPABR) may be negative.", field=lay.fd_cols[c])
    F = np.where(clip[None, :], np.maximum(F, 0.0), F)
    va = num.loc[lay.va, rows].to_numpy(dtype=float)
    tx = (num.loc[lay.tls, rows].to_numpy(dtype=float) if lay.tls is not None
          else np.zeros(len(rows)))
    out = (num.loc[lay.out, rows].to_numpy(dtype=float) if lay.out is not None
           else Z.sum(axis=0) + tx + va)
    if (out < 0).any():
        i = int(np.argmax(out < 0))
        raise DataError(f"{_WHAT}: negative gross output for {rows[i]!r} in {src!r}.",
                        field="OUT")
    return _Blocks(Z=Z, F=F, va=va, tx=tx, out=out)


# ---------------------------------------------------------------------------- aggregate
def _aggregate(b: _Blocks, lay: _Layout, regions: Mapping[str, Any] | Sequence[str] | None,
               sectors: Mapping[str, Any] | None) -> _Aggregate:
    """Sum the table to regions and sectors (before any share is computed, so trade
    inside a region becomes its domestic sales and shares are output-weighted)."""
    ccodes = sorted(set(lay.country))
    industries = list(dict.fromkeys(lay.industry))
    cmap = region_map(regions, ccodes)
    smap = group_map(sectors, industries, "sectors", unknown=lambda c: (
        f"sectors: {c!r} is not an industry of the table{suggest(c, industries)}. "
        f"Industries: {', '.join(industries)}."))
    regs = list(dict.fromkeys(cmap[c] for c in ccodes))
    secs = list(dict.fromkeys(smap[i] for i in industries))
    R, S, K = len(regs), len(secs), len(lay.rows)
    ri = np.array([regs.index(cmap[c]) for c in lay.country])
    si = np.array([secs.index(smap[i]) for i in lay.industry])
    fi = np.array([regs.index(cmap[c]) for c in lay.fd_country], dtype=int)
    # flows[exporter, importer, sector]
    use_by_region = np.zeros((K, R))
    np.add.at(use_by_region.T, ri, b.Z.T)         # intermediate use, summed over user rows
    np.add.at(use_by_region.T, fi, b.F.T)         # final use
    by_sector = np.zeros((R, S, R))               # [exporter, sector, importer]
    np.add.at(by_sector, (ri, si), use_by_region)
    flows = np.ascontiguousarray(by_sector.transpose(0, 2, 1))
    # io numerator [region, input sector, sector]
    zin = np.zeros((S, K))
    np.add.at(zin, si, b.Z)                       # inputs by input sector, summed over suppliers
    io_num = np.zeros((R, S, S))
    for k in range(K):
        io_num[ri[k], :, si[k]] += zin[:, k]
    by_cell = []
    for v in (b.out, b.va, b.tx):
        a = np.zeros((R, S))
        np.add.at(a, (ri, si), v)
        by_cell.append(a)
    return _Aggregate(regs=regs, secs=secs, flows=flows, io_num=io_num, gross=by_cell[0],
                      va=by_cell[1], tx=by_cell[2])


# ---------------------------------------------------------------------------- shares
def _shares(agg: _Aggregate, tls: str) -> tuple[np.ndarray, np.ndarray]:
    """``(io, value_added)`` shares of gross output, [region, input, sector] and
    [region, sector]: zero-output cells get value-added share 1 and no inputs; a negative
    value-added share is set to 0 (with a warning) and the input shares rescaled so that
    every column sums to one."""
    pos = agg.gross > 0
    safe = np.where(pos, agg.gross, 1.0)
    io = np.where(pos[:, None, :], agg.io_num / safe[:, None, :], 0.0)
    va = agg.va + agg.tx if tls == "value_added" else agg.va
    vas = np.where(pos, va / safe, 1.0)
    negative = vas < 0
    if negative.any():
        where = [f"{agg.regs[r]}/{agg.secs[s]}" for r, s in np.argwhere(negative)[:10]]
        warnings.warn(f"{_WHAT}: negative value added in {where}; value-added share set to 0 "
                      f"and the input shares rescaled to sum to one.", TariffSimWarning,
                      stacklevel=3)
    vas = np.clip(vas, 0.0, 1.0)
    col = io.sum(axis=1)
    scale = np.where(col > 0, (1.0 - vas) / np.where(col > 0, col, 1.0), 0.0)
    return io * scale[:, None, :], np.where(col > 0, vas, 1.0)


def _baseline(agg: _Aggregate, io: np.ndarray, vas: np.ndarray, *, year: int | None,
              source: str) -> Any:
    """Long frames (flows > 0, io shares, value-added shares) -> Baseline."""
    R, S = len(agg.regs), len(agg.secs)
    regs = np.array(agg.regs, dtype=object)
    secs = np.array(agg.secs, dtype=object)
    e, i, s = np.meshgrid(np.arange(R), np.arange(R), np.arange(S), indexing="ij")
    keep = agg.flows > 0
    flow_df = pd.DataFrame({"exporter": regs[e[keep]], "importer": regs[i[keep]],
                            "sector": secs[s[keep]], "value": agg.flows[keep]})
    n, k, j = np.meshgrid(np.arange(R), np.arange(S), np.arange(S), indexing="ij")
    io_df = pd.DataFrame({"country": regs[n.ravel()], "input_sector": secs[k.ravel()],
                          "sector": secs[j.ravel()], "share": io.ravel()})
    n2, j2 = np.meshgrid(np.arange(R), np.arange(S), indexing="ij")
    va_df = pd.DataFrame({"country": regs[n2.ravel()], "sector": secs[j2.ravel()],
                          "share": vas.ravel()})
    return to_baseline(flow_df, io=io_df, value_added=va_df, year=year, source=source,
                       countries=agg.regs, sectors=agg.secs)
