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

What :func:`read_icio` builds (Caliendo & Parro 2015 calibration from an IO table)
---------------------------------------------------------------------------------
With :math:`Z_{ci,dj}` the intermediate use by industry j of country d of the output of
industry i of country c, :math:`F_{ci,d}` the final use by d of that output and
:math:`Y_{dj}` gross output:

* flows: :math:`X_{c \\to d}^i = \\sum_j Z_{ci,dj} + F_{ci,d}` (the diagonal c = d is
  domestic sales; values at basic prices, taken as world prices);
* input shares: :math:`\\gamma_d^{i,j} = \\sum_c Z_{ci,dj} / Y_{dj}` (summing over supplier
  countries);
* value-added share: :math:`\\gamma_d^j = (VA_{dj} + TLS_{dj}) / Y_{dj}` by default.

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
from typing import Any

import numpy as np
import pandas as pd

from ..concordance import ISO3_CODES, normalise_iso3, region_map
from ..errors import DataError, TariffSimWarning, suggest
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


def _split(label: str) -> tuple[str, str] | None:
    if "_" not in label:
        return None
    c, rest = label.split("_", 1)
    return _SPLIT.get(c.upper(), normalise_iso3(c)), rest


def _group(mapping: Mapping[str, Any] | None, codes: Sequence[str], field: str
           ) -> dict[str, str]:
    if mapping is None:
        return {c: c for c in codes}
    out: dict[str, str] = {}
    for key, val in mapping.items():
        pairs = ([(str(key), str(val))] if isinstance(val, str)
                 else [(str(m), str(key)) for m in val])
        for old, new in pairs:
            if old not in codes:
                raise DataError(f"{field}: {old!r} is not an industry of the table"
                                f"{suggest(old, codes)}. Industries: {', '.join(codes)}.",
                                field=field)
            out[old] = new
    return {c: out.get(c, c) for c in codes}


def _indicator(labels: Sequence[str], groups: Mapping[str, str]) -> tuple[np.ndarray, list]:
    names = list(dict.fromkeys(groups[lab] for lab in labels))
    a = np.zeros((len(labels), len(names)))
    a[np.arange(len(labels)), [names.index(groups[lab]) for lab in labels]] = 1.0
    return a, names


def read_icio(path: PathLike, *, year: int | None = None,
              regions: Mapping[str, Any] | Sequence[str] | None = None,
              sectors: Mapping[str, Any] | None = None, tls: str = "value_added",
              dpabr: str = "include") -> Any:
    """Read an OECD ICIO table into a :class:`~tariffsim.Baseline` with IO linkages.

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
    if tls not in ("value_added", "inputs"):
        raise DataError(f"{_WHAT}: tls={tls!r}; use 'value_added' or 'inputs'.", field="tls")
    if dpabr not in ("include", "drop"):
        raise DataError(f"{_WHAT}: dpabr={dpabr!r}; use 'include' or 'drop'.", field="dpabr")
    raw = read_csv_checked(path, _WHAT, index_col=0)
    raw.index = [str(i).strip() for i in raw.index]
    src = str(path)

    def _row(names: Sequence[str]) -> str | None:
        for n in names:
            if n in raw.index:
                return n
        return None

    tls_r, va_r, out_r = _row(_TLS), _row(_VA), _row(_OUT)
    if va_r is None:
        raise DataError(f"{_WHAT}: {src!r} has no value-added row (VA). Rows must include "
                        f"TLS, VA and OUT after the COUNTRY_INDUSTRY rows.", field="VA")
    dup = raw.index[raw.index.duplicated()]
    if len(dup):
        raise DataError(f"{_WHAT}: row label(s) {sorted(set(dup))[:10]} appear more than once "
                        f"in {src!r}. Each COUNTRY_INDUSTRY and TLS/VA/OUT row must appear "
                        f"once; delete the repeated rows.", field="row label")
    # numeric check (column by column: text columns only are parsed, so a large table of
    # numbers is not converted to text)
    num_cols: dict[Any, np.ndarray] = {}
    bad_cols: dict[Any, np.ndarray] = {}
    for c in raw.columns:
        col = raw[c]
        if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(
                col.dtype):
            num_cols[c] = col.to_numpy(dtype=float, na_value=np.nan)
            bad_cols[c] = np.zeros(len(col), dtype=bool)
        else:
            text = col.astype("string").str.strip()
            vals = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            num_cols[c] = vals
            bad_cols[c] = np.isnan(vals) & text.fillna("").ne("").to_numpy(dtype=bool)
    bad = np.column_stack([bad_cols[c] for c in raw.columns])
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise DataError(f"{_WHAT}: {src!r} has {int(bad.sum())} non-numeric "
                        f"cell(s), first at row {raw.index[r]!r}, column {raw.columns[c]!r}: "
                        f"{raw.iat[r, c]!r}. Fix the cell (use 0 for an empty flow).",
                        field=str(raw.columns[c]))
    arr = np.column_stack([num_cols[c] for c in raw.columns])
    huge = np.abs(np.nan_to_num(arr, nan=0.0, posinf=np.inf, neginf=-np.inf)) > _MAX_VALUE
    if huge.any():
        r, c = np.argwhere(huge)[0]
        raise DataError(f"{_WHAT}: {src!r} has {int(huge.sum())} infinite or implausibly large "
                        f"cell(s) (above {_MAX_VALUE:g} USD million in absolute value), first at "
                        f"row {raw.index[r]!r}, column {raw.columns[c]!r}: {raw.iat[r, c]!r}. "
                        f"ICIO values are in USD million; fix the cell.",
                        field=str(raw.columns[c]))
    num = pd.DataFrame(np.nan_to_num(arr, nan=0.0), index=raw.index, columns=raw.columns)
    special_rows = {x for x in (tls_r, va_r, out_r) if x is not None}
    ind_rows = [r for r in num.index if r not in special_rows]
    parsed_rows = {r: _split(r) for r in ind_rows}
    badl = [r for r, p in parsed_rows.items() if p is None]
    if badl:
        raise DataError(f"{_WHAT}: row label(s) {badl[:10]} of {src!r} are not "
                        f"COUNTRY_INDUSTRY (e.g. 'AUS_A01_02') nor TLS/VA/OUT.",
                        field="row label")
    countries_r = [parsed_rows[r][0] for r in ind_rows]
    industries = list(dict.fromkeys(parsed_rows[r][1] for r in ind_rows))
    unknown = sorted({c for c in countries_r if c not in ISO3_CODES})
    if unknown:
        raise DataError(f"{_WHAT}: unknown country code(s) "
                        f"{', '.join(repr(u) + suggest(u, sorted(ISO3_CODES)) for u in unknown)}"
                        f" in the row labels of {src!r}. Use ISO3 codes (ROW for the rest of "
                        f"the world).", field="row label")
    # columns: intermediate (same labels as rows), final demand, output
    cols = [str(c).strip() for c in num.columns]
    num.columns = cols
    inter_cols = [c for c in cols if c in parsed_rows]
    missing_cols = [r for r in ind_rows if r not in inter_cols]
    if missing_cols:
        raise DataError(f"{_WHAT}: {src!r} has rows without a matching intermediate-use "
                        f"column: {missing_cols[:10]}. The table must be square in "
                        f"COUNTRY_INDUSTRY.", field="columns")
    fd_cols, fd_country, fd_kind = [], [], []
    for c in cols:
        if c in parsed_rows or c.upper() in _OUT:
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
    no_rows = sorted(set(fd_country) - set(countries_r))
    if no_rows:
        cols_bad = [c for c, k in zip(fd_cols, fd_country, strict=True) if k in no_rows]
        raise DataError(f"{_WHAT}: final-use column(s) {cols_bad[:10]} of {src!r} belong to "
                        f"{', '.join(no_rows)}, which has no COUNTRY_INDUSTRY rows. Every "
                        f"economy with final use must also have its industry rows and "
                        f"columns; delete these columns or add the economy's rows.",
                        field=cols_bad[0])
    Z = num.loc[ind_rows, ind_rows].to_numpy(dtype=float)
    F = num.loc[ind_rows, fd_cols].to_numpy(dtype=float)
    if (Z < 0).any():
        r, c = np.argwhere(Z < 0)[0]
        raise DataError(f"{_WHAT}: {src!r} has {int((Z < 0).sum())} negative intermediate "
                        f"use cell(s), first row {ind_rows[r]!r}, column {ind_rows[c]!r}: "
                        f"{Z[r, c]}. Intermediate use cannot be negative; fix the cell.",
                        field=ind_rows[c])
    clip = np.array([k in _CLIPPED for k in fd_kind], dtype=bool)
    negF = (F < 0) & ~clip[None, :]
    if negF.any():
        r, c = np.argwhere(negF)[0]
        raise DataError(f"{_WHAT}: {src!r} has negative final use in row {ind_rows[r]!r}, "
                        f"column {fd_cols[c]!r}: {F[r, c]}. Only inventories (INVNT) and "
                        f"purchases abroad (DPABR) may be negative.", field=fd_cols[c])
    F = np.where(clip[None, :], np.maximum(F, 0.0), F)
    va = num.loc[va_r, ind_rows].to_numpy(dtype=float)
    tx = (num.loc[tls_r, ind_rows].to_numpy(dtype=float) if tls_r is not None
          else np.zeros(len(ind_rows)))
    out = (num.loc[out_r, ind_rows].to_numpy(dtype=float) if out_r is not None
           else Z.sum(axis=0) + tx + va)
    if (out < 0).any():
        i = int(np.argmax(out < 0))
        raise DataError(f"{_WHAT}: negative gross output for {ind_rows[i]!r} in {src!r}.",
                        field="OUT")
    # aggregation matrices
    ccodes = sorted(set(countries_r))
    cmap = region_map(regions, ccodes)
    smap = _group(sectors, industries, "sectors")
    ind_of = [parsed_rows[r][1] for r in ind_rows]
    row_region = [cmap[c] for c in countries_r]
    regs = list(dict.fromkeys(cmap[c] for c in ccodes))
    secs = list(dict.fromkeys(smap[i] for i in industries))
    R, S, K = len(regs), len(secs), len(ind_rows)
    ri = np.array([regs.index(x) for x in row_region])
    si = np.array([secs.index(smap[i]) for i in ind_of])
    fi = np.array([regs.index(cmap[c]) for c in fd_country], dtype=int)
    # flows[exporter, importer, sector]
    use_by_region = np.zeros((K, R))
    np.add.at(use_by_region.T, ri, Z.T)           # intermediate use, summed over user rows
    np.add.at(use_by_region.T, fi, F.T)           # final use
    flows = np.zeros((R, R, S))
    np.add.at(flows, (ri, slice(None), si), use_by_region)
    # io numerator [region, input sector, sector], output, VA, TLS by [region, sector]
    zin = np.zeros((S, K))
    np.add.at(zin, si, Z)                         # inputs by input sector, summed over suppliers
    io_num = np.zeros((R, S, S))
    for k in range(K):
        io_num[ri[k], :, si[k]] += zin[:, k]
    gross = np.zeros((R, S))
    va_a = np.zeros((R, S))
    tx_a = np.zeros((R, S))
    np.add.at(gross, (ri, si), out)
    np.add.at(va_a, (ri, si), va)
    np.add.at(tx_a, (ri, si), tx)
    pos = gross > 0
    safe = np.where(pos, gross, 1.0)
    io = np.where(pos[:, None, :], io_num / safe[:, None, :], 0.0)
    if tls == "value_added":
        vas = np.where(pos, (va_a + tx_a) / safe, 1.0)
    else:
        vas = np.where(pos, va_a / safe, 1.0)
    negative = vas < 0
    if negative.any():
        where = [f"{regs[r]}/{secs[s]}" for r, s in np.argwhere(negative)[:10]]
        warnings.warn(f"{_WHAT}: negative value added in {where}; value-added share set to 0 "
                      f"and the input shares rescaled to sum to one.", TariffSimWarning,
                      stacklevel=2)
    vas = np.clip(vas, 0.0, 1.0)
    col = io.sum(axis=1)
    target = 1.0 - vas
    scale = np.where(col > 0, target / np.where(col > 0, col, 1.0), 0.0)
    io = io * scale[:, None, :]
    vas = np.where(col > 0, vas, 1.0)
    # long frames
    e, i, s = np.meshgrid(np.arange(R), np.arange(R), np.arange(S), indexing="ij")
    keep = flows > 0
    flow_df = pd.DataFrame({"exporter": np.array(regs, dtype=object)[e[keep]],
                            "importer": np.array(regs, dtype=object)[i[keep]],
                            "sector": np.array(secs, dtype=object)[s[keep]],
                            "value": flows[keep]})
    n, k2, j = np.meshgrid(np.arange(R), np.arange(S), np.arange(S), indexing="ij")
    io_df = pd.DataFrame({"country": np.array(regs, dtype=object)[n.ravel()],
                          "input_sector": np.array(secs, dtype=object)[k2.ravel()],
                          "sector": np.array(secs, dtype=object)[j.ravel()],
                          "share": io.ravel()})
    n2, j2 = np.meshgrid(np.arange(R), np.arange(S), indexing="ij")
    va_df = pd.DataFrame({"country": np.array(regs, dtype=object)[n2.ravel()],
                          "sector": np.array(secs, dtype=object)[j2.ravel()],
                          "share": vas.ravel()})
    return to_baseline(flow_df, io=io_df, value_added=va_df, year=year,
                       source=f"OECD ICIO file {src!r} (basic prices, USD million); TLS "
                              f"{'in value added' if tls == 'value_added' else 'in inputs'}, "
                              f"negative INVNT/DPABR clipped",
                       countries=regs, sectors=secs)
