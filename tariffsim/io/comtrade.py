"""UN Comtrade: reported imports and exports by reporter, partner and HS code.

Reads the CSV that the Comtrade API / bulk download (``comtradeapicall``, the website's
"download CSV") produce::

    refYear,reporterISO,partnerISO,partner2Code,flowCode,cmdCode,customsCode,motCode,primaryValue
    2023,USA,CHN,0,M,TOTAL,C00,0,448000000000

and the legacy layout (``Year, Trade Flow Code, Reporter ISO, Partner ISO, Commodity Code,
Trade Value (US$)``, flow codes 1 import / 2 export). Values are in USD; tariffsim divides
by one million.

Which declaration
-----------------
Every flow is declared twice, by the importer (CIF, including freight and insurance) and by
the exporter (FOB). By default the loader uses the importer's declaration (``flow="imports"``:
customs import records are the better measured side, and they are what tariffs apply to)
and, for importers that reported no imports at all in the file, falls back on the partners'
declared exports to them ("mirror" data, ``mirror=True``). ``flow="exports"`` does the
reverse. CIF values exceed world (FOB) prices by the freight margin, typically 3-10%; a
baseline built from imports therefore overstates FOB trade by that margin (BACI, which
reconciles both sides at FOB, avoids this).

Rows that would double count are dropped: partner "World" (``W00``/``WLD``, code 0), and,
where the columns exist, second-partner, customs-procedure and transport-mode breakdowns
other than their totals (``partner2Code`` 0, ``customsCode`` C00, ``motCode`` 0). A file
mixing commodity levels (``TOTAL`` and HS chapters) uses ``TOTAL`` for a one-sector
baseline and the detailed codes otherwise; mixed detailed levels need ``level=``.

A baseline is a year of trade: a monthly file (``freqCode`` M, ``refMonth`` 1-12, periods
``YYYYMM``) is refused, even when it holds one month, rather than read as a year.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._progress import Progress, check_progress
from ..concordance import ISO3_CODES, normalise_iso3
from ..errors import DataError, suggest
from ..literals import ReportedFlow, check_option
from ._common import (
    DOMESTIC_FLOOR,
    PathLike,
    as_year,
    check_magnitude,
    find_column,
    numeric_column,
    product_frame,
    read_csv_checked,
    require_columns,
    show_rows,
    trade_baseline,
)

__all__ = ["read_comtrade", "read_comtrade_products", "NOT_COUNTRIES"]

_WHAT = "UN Comtrade"

#: Partner codes that are not economies and are dropped: World, "Areas, nes".
NOT_COUNTRIES: frozenset[str] = frozenset({"W00", "WLD", "_X", "XX"})

_COLUMNS = {
    "reporter": ("reporterISO", "Reporter ISO", "reporter_iso", "ReporterISO"),
    "partner": ("partnerISO", "Partner ISO", "partner_iso", "PartnerISO"),
    "flow": ("flowCode", "Trade Flow Code", "TradeFlow Code", "flow_code"),
    "cmd": ("cmdCode", "Commodity Code", "cmd_code", "CommodityCode"),
    "value": ("primaryValue", "Trade Value (US$)", "TradeValue", "TradeValueUS",
              "trade_value_usd"),
}
_YEAR = ("refYear", "Year", "period", "Period", "ref_year")
_TOTAL_FILTERS = {  # column names -> accepted "total" values
    ("partner2Code", "2nd Partner Code"): {"0", ""},
    ("partner2ISO", "2nd Partner ISO"): {"W00", "WLD", ""},
    ("customsCode", "Customs Proc. Code"): {"C00", ""},
    ("motCode", "Mode of Transport Code"): {"0", ""},
}
_FLOW = {"M": "M", "X": "X", "1": "M", "2": "X", "IMPORT": "M", "EXPORT": "X"}


_MONTHLY_FIX = ("A baseline needs a year of trade: download the annual data (frequency "
                "'Annual', freqCode A), or sum the twelve months of one year into one row per "
                "reporter, partner, flow and commodity first.")


def _refuse_monthly(df: pd.DataFrame, path: PathLike) -> None:
    """DataError when the file holds monthly data: ``freqCode`` M, ``refMonth`` 1-12 (52
    marks annual data) or periods ``YYYYMM`` in ``period``/``Period``/the year column."""
    why = None
    freq = find_column(df, ("freqCode", "freq_code"))
    month = find_column(df, ("refMonth", "ref_month"))
    if freq is not None and df[freq].astype(str).str.strip().str.upper().eq("M").any():
        why = f"column {freq!r} is 'M' (monthly)"
    elif month is not None:
        m = pd.to_numeric(df[month].astype(str).str.strip(), errors="coerce")
        if m.between(1, 12).any():
            why = (f"column {month!r} holds months "
                   f"{sorted({int(v) for v in m[m.between(1, 12)]})[:12]}")
    if why is None:
        for col in dict.fromkeys(c for c in (find_column(df, ("period", "Period")),
                                             find_column(df, _YEAR)) if c is not None):
            text = df[col].astype(str).str.strip()
            ym = text.str.fullmatch(r"\d{4}(0[1-9]|1[0-2])").fillna(False).astype(bool)
            if ym.any():
                why = f"column {col!r} holds periods YYYYMM such as {text[ym].iloc[0]}"
                break
    if why is not None:
        raise DataError(f"{_WHAT}: {str(path)!r} holds monthly data ({why}). {_MONTHLY_FIX}",
                        field=str(path))


def _read(path: PathLike, year: int | None, flow: ReportedFlow, mirror: bool,
          level: int | None, one_sector: bool, regions: Any,
          drop_codes: Sequence[str], progress: Progress = False
          ) -> tuple[pd.DataFrame, int | None]:
    check_option(flow, ReportedFlow, "flow", error=DataError,
                 hint="'imports': importer-reported (CIF); 'exports': exporter-reported (FOB).")
    if not isinstance(mirror, bool | np.bool_):
        raise DataError(f"mirror: expected True or False, got {mirror!r}.", field="mirror")
    if level is not None and (isinstance(level, bool) or not isinstance(level, int | np.integer)
                              or not 1 <= level <= 6):
        raise DataError(f"level: expected the length of the HS codes to keep, 2, 4 or 6, got "
                        f"{level!r}.", field="level")
    if isinstance(drop_codes, str):
        drop_codes = [drop_codes]
    df = read_csv_checked(path, _WHAT, progress=progress, dtype=str, keep_default_na=False,
                          encoding_errors="replace")
    df = require_columns(df, path, _WHAT, _COLUMNS,
                         hint="Export the data from Comtrade as CSV with ISO codes.")
    df.index = df.index + 2  # file line numbers
    for col in ("reporter", "partner", "flow", "cmd"):
        df[col] = df[col].astype(str).str.strip()
    _refuse_monthly(df, path)
    # keep totals of the breakdowns that would double count
    for names, ok in _TOTAL_FILTERS.items():
        found = find_column(df, names)
        if found is not None:
            df = df[df[found].astype(str).str.strip().isin(ok)]
    ycol = find_column(df, _YEAR)
    yr: int | None = None
    if ycol is not None:
        ytext = df[ycol].astype(str).str.strip()
        # a year (2023, or 2023.0 from a spreadsheet); monthly periods were refused above
        nonyear = ~ytext.str.fullmatch(r"\d{4}(\.0*)?").fillna(False).astype(bool)
        if nonyear.any():
            rows = df[nonyear]
            raise DataError(f"{_WHAT}: column {ycol!r} of {str(path)!r} has values that are not "
                            f"years (YYYY):\n{show_rows(rows)}\nFix or delete these rows.",
                            field=ycol, rows=rows)
        yv = ytext.str[:4].astype(int)
        years = sorted({int(y) for y in yv.unique()})
        if year is None:
            if len(years) > 1:
                raise DataError(f"{_WHAT}: {str(path)!r} holds years {years}; pass year=.",
                                field="year")
            yr = years[0] if years else None
        elif as_year(year) not in years:
            raise DataError(f"{_WHAT}: year {year} is not in {str(path)!r} (years present: "
                            f"{years}).", field="year")
        else:
            yr = as_year(year)
            df = df[yv.to_numpy() == yr]
    else:
        yr = None if year is None else as_year(year)
    df = df.assign(flow=df["flow"].str.upper().map(_FLOW))
    df = df[df["flow"].notna()]  # re-exports, re-imports and other flows are not used
    drop = {normalise_iso3(c) for c in drop_codes}
    df = df.assign(reporter=df["reporter"].map(normalise_iso3),
                   partner=df["partner"].map(normalise_iso3))
    df = df[~df["partner"].isin(drop) & ~df["reporter"].isin(drop)]
    if df.empty:
        raise DataError(f"{_WHAT}: no import or export rows between economies left in "
                        f"{str(path)!r} after dropping World and other non-country partners.",
                        field=str(path))
    # unknown economies
    allowed = set(ISO3_CODES)
    if isinstance(regions, Mapping):
        for key, val in regions.items():
            allowed |= ({normalise_iso3(key)} if isinstance(val, str)
                        else {normalise_iso3(m) for m in val})
    codes = set(df["reporter"]) | set(df["partner"])
    unknown = sorted(c for c in codes if c not in allowed)
    if unknown:
        rows = df[df["reporter"].isin(unknown) | df["partner"].isin(unknown)]
        raise DataError(
            f"{_WHAT}: unknown country code(s) "
            f"{', '.join(repr(u) + suggest(u, sorted(ISO3_CODES)) for u in unknown[:10])} in "
            f"{str(path)!r}, e.g.\n{show_rows(rows[['reporter', 'partner', 'flow', 'cmd']])}\n"
            f"Map them to a region (regions={{{unknown[0]!r}: 'ROW'}}) or drop them "
            f"(drop_codes=[..., {unknown[0]!r}]).", field="partnerISO", rows=rows)
    # commodity level
    cmd = df["cmd"]
    is_total = cmd.str.upper().isin(["TOTAL", "TOT", "ALL", "AG0"])
    detail_len = sorted({len(c) for c in cmd[~is_total]})
    if level is not None:
        df = df[(~is_total) & (cmd.str.len() == int(level))]
    elif is_total.any() and (one_sector or not detail_len):
        df = df[is_total]
    elif len(detail_len) > 1:
        raise DataError(f"{_WHAT}: {str(path)!r} mixes commodity code lengths {detail_len}, "
                        f"which would double count; pass level= (e.g. 2 or 6).", field="cmdCode")
    else:
        df = df[~is_total]
    if df.empty:
        raise DataError(f"{_WHAT}: no rows at commodity level {level} in {str(path)!r}.",
                        field="cmdCode")
    bad = ~df["cmd"].str.fullmatch(r"\d{1,6}") & ~df["cmd"].str.upper().isin(
        ["TOTAL", "TOT", "ALL", "AG0"])
    if bad.any():
        raise DataError(f"{_WHAT}: column cmdCode of {str(path)!r} has codes that are not HS "
                        f"digits:\n{show_rows(df[bad])}", field="cmdCode", rows=df[bad])
    value = numeric_column(df, "value", path, _WHAT, line_offset=0)
    check_magnitude(value / 1e6, df, "value", path, _WHAT, "USD", line_offset=0)
    df = df.assign(value=value / 1e6)  # USD -> USD million
    key = ["reporter", "partner", "flow", "cmd"]
    dup = df.duplicated(key, keep=False)
    if dup.any():
        raise DataError(f"{_WHAT}: {str(path)!r} has several rows for the same reporter, "
                        f"partner, flow and commodity (monthly data without a period column, "
                        f"or a breakdown by customs procedure, transport mode or second "
                        f"partner?):\n{show_rows(df[dup])}\nExport annual totals only.",
                        field=str(path), rows=df[dup])
    imp = df[df["flow"] == "M"]
    exp = df[df["flow"] == "X"]
    from_imp = pd.DataFrame({"exporter": imp["partner"], "importer": imp["reporter"],
                             "product": imp["cmd"], "value": imp["value"]})
    from_exp = pd.DataFrame({"exporter": exp["reporter"], "importer": exp["partner"],
                             "product": exp["cmd"], "value": exp["value"]})
    main, other, side = ((from_imp, from_exp, "importer") if flow == "imports"
                         else (from_exp, from_imp, "exporter"))
    if mirror:
        reporters = set(main[side])
        main = pd.concat([main, other[~other[side].isin(reporters)]], ignore_index=True)
    main = main[main["exporter"] != main["importer"]]
    main = main.assign(product=np.where(main["product"].str.fullmatch(r"\d+"),
                                        main["product"], "TOTAL"))
    return main.reset_index(drop=True), yr


def read_comtrade(path: PathLike, year: int | None = None, *,
                  regions: Mapping[str, Any] | Sequence[str] | None = None,
                  sectors: Mapping[str, Any] | str | None = None,
                  flow: ReportedFlow = "imports", mirror: bool = True, level: int | None = None,
                  domestic: Any = None, gdp: Any = None,
                  domestic_floor: float = DOMESTIC_FLOOR,
                  drop_codes: Sequence[str] = tuple(NOT_COUNTRIES),
                  other_sector: str = "other", progress: Progress = None) -> Any:
    """Read a UN Comtrade CSV export into a [`Baseline`][tariffsim.Baseline] (USD million).

    Parameters
    ----------
    path : str or path
        Comtrade CSV (current API/bulk layout or the legacy layout).
    year : int, optional
        Year to keep; required when the file holds several.
    regions, sectors, domestic, gdp, domestic_floor, other_sector
        As in [`tariffsim.io.read_baci`][] (sectors by HS prefix; domestic sales from GDP
        as ``max(GDP - exports, floor x GDP)``, or given).
    flow : {"imports", "exports"}
        Whose declaration to use: the importer's (CIF, default) or the exporter's (FOB).
    mirror : bool
        Fill the flows of economies that reported nothing on the chosen side with their
        partners' declarations (default True).
    level : int, optional
        HS code length to keep when the file mixes levels.
    drop_codes : sequence of str
        Partner/reporter codes that are not economies (default World ``W00``/``WLD`` and
        areas not elsewhere specified ``_X``/``XX``).
    progress : None, bool or callable
        Progress of the file read, one step per mebibyte: None (default) a bar where
        someone can see it (a terminal or Jupyter, with tqdm installed), True always,
        False never, or ``f(done, total)`` called after each step (see
        `tariffsim._progress.track`).

    Returns
    -------
    Baseline

    Raises
    ------
    DataError
        Missing columns, non-numeric or negative values, unknown codes, several years,
        monthly data (``freqCode`` M, ``refMonth`` 1-12, periods ``YYYYMM``: download the
        annual data), double-counting breakdowns, no domestic sales.
    """
    fine, yr = _read(path, year, flow, mirror, level, sectors is None, regions, drop_codes,
                     check_progress(progress))
    src = (f"UN Comtrade file {str(path)!r}, year {yr}, "
           f"{'importer-reported (CIF)' if flow == 'imports' else 'exporter-reported (FOB)'}"
           f"{' with mirror flows for non-reporters' if mirror else ''}, USD million")
    return trade_baseline(fine, what=f"{_WHAT} {str(path)!r}", regions=regions,
                          sectors=sectors, domestic=domestic, gdp=gdp,
                          domestic_floor=domestic_floor, year=yr, source=src,
                          other_sector=other_sector)


def read_comtrade_products(path: PathLike, year: int | None = None, *,
                           regions: Mapping[str, Any] | Sequence[str] | None = None,
                           products: Mapping[str, Any] | str | None = "HS6",
                           flow: ReportedFlow = "imports", mirror: bool = True,
                           level: int | None = None,
                           drop_codes: Sequence[str] = tuple(NOT_COUNTRIES),
                           other_sector: str = "other", progress: Progress = None
                           ) -> pd.DataFrame:
    """Read a UN Comtrade CSV export into the PE product frame.

    Parameters are those of [`read_comtrade`][tariffsim.io.comtrade.read_comtrade]; ``products``
    groups HS codes as in [`tariffsim.io.read_baci_products`][] (default ``"HS6"``: the codes as
    they are in the file, whatever their length).

    Returns
    -------
    DataFrame
        ``importer, exporter, product, value`` (USD million).
    """
    fine, _ = _read(path, year, flow, mirror, level, False, regions, drop_codes,
                    check_progress(progress))
    return product_frame(fine, regions, products, other_sector=other_sector)
