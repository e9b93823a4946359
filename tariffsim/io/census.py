"""US Census Bureau: "U.S. Trade in Goods by Country" (``country.xlsx`` / ``country.txt``).

The Census Bureau's Foreign Trade Division publishes US goods trade by partner, monthly
since 1985, at census.gov/foreign-trade/balance/ (public domain). The download files have
one row per year and partner::

    year  CTY_CODE  CTYNAME        IJAN ... IDEC  IYR  EJAN ... EDEC  EYR
    2024  5700      China          ...            438947.4  ...  143545.7

``CTY_CODE`` is the Census Schedule C code (5700 China; aggregates start with 0, e.g. 0003
European Union, 0004 World, or contain X, e.g. 1XXX North America), ``I*`` are general
imports (customs value) and ``E*`` total exports (F.A.S.), in millions of US dollars, not
seasonally adjusted. ``IYR``/``EYR`` are the annual totals (the months are summed when
they are absent).

[`read_census`][tariffsim.io.census.read_census] returns the US row and column of a bilateral matrix
as a long frame ``exporter, importer, value`` (USD million), ready to patch a baseline's US flows.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import warnings
from collections.abc import Hashable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._progress import Progress, check_progress, track
from ..concordance import (
    CENSUS_CODES,
    CENSUS_EU,
    CENSUS_WORLD,
    EU27_MEMBERS,
    normalise_iso3,
    region_map,
)
from ..errors import DataError, TariffSimWarning
from ._common import (
    PathLike,
    as_path,
    as_year,
    check_magnitude,
    find_column,
    integer_column,
    numeric_column,
    read_text_checked,
    show_rows,
)

__all__ = ["read_census"]

_WHAT = "US Census trade by country"
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV",
           "DEC")


_LAYOUT = ("Expected the country.txt layout: year, CTY_CODE, CTYNAME, IJAN..IDEC, IYR, "
           "EJAN..EDEC, EYR.")
_Columns = tuple[str, str, str, dict[str, tuple[str | None, list[str | None]]]]


def _header(names: Iterable[Hashable], path: Path, line: int) -> list[str]:
    """Stripped header names; DataError for a name given twice (case-insensitive)."""
    out = [str(n).strip() or f"Unnamed: {k}" for k, n in enumerate(names)]
    seen: set[str] = set()
    for n in out:
        if n.lower() in seen:
            raise DataError(f"{_WHAT}: column {n!r} appears twice in the header (line {line}) "
                            f"of {str(path)!r}. Delete one of them. {_LAYOUT}", field=n)
        seen.add(n.lower())
    return out


def _columns(names: Iterable[Hashable], path: Path) -> _Columns:
    """Resolve year, CTY_CODE, CTYNAME and the import/export columns, or raise DataError."""
    df = pd.DataFrame(columns=list(names))
    ycol = find_column(df, ["year"])
    ccol = find_column(df, ["CTY_CODE", "cty_code"])
    ncol = find_column(df, ["CTYNAME", "cty_name"])
    missing = [n for n, c in (("year", ycol), ("CTY_CODE", ccol), ("CTYNAME", ncol))
               if c is None]
    flows = {}
    for side in ("I", "E"):
        tot = find_column(df, [f"{side}YR"])
        months = [find_column(df, [f"{side}{m}"]) for m in _MONTHS]
        if tot is None and any(m is None for m in months):
            missing.append(f"{side}YR (or {side}JAN..{side}DEC)")
        flows[side] = (tot, months)
    if missing:
        shown = ", ".join(repr(str(c)[:40]) for c in list(names)[:30])
        raise DataError(f"{_WHAT}: file {str(path)!r} lacks column(s) {', '.join(missing)}; "
                        f"columns found: {shown}. {_LAYOUT}", field=str(path))
    assert ycol is not None and ccol is not None and ncol is not None
    return ycol, ccol, ncol, flows


def _parse_text(path: Path, progress: Progress = False) -> tuple[pd.DataFrame, _Columns]:
    """country.txt: tab, pipe or comma separated, or columns aligned with spaces.

    The frame's index is the file line of each row (header on the first non-blank line).
    ``progress``: one step per data line parsed.
    """
    p, lines = read_text_checked(path, _WHAT)
    hline, header = lines[0]
    body = track(lines[1:], desc=f"reading {p.name}", progress=progress)
    sep = next((s for s in ("\t", "|", ",") if s in header), None)
    index: list[int] = []
    rows: list[list[str]] = []
    if sep is not None:
        def split(ln: str, i: int) -> list[str]:
            try:
                return [t.strip() for t in next(csv.reader([ln], delimiter=sep))]
            except (csv.Error, StopIteration) as exc:
                raise DataError(f"{_WHAT}: cannot split line {i} of {str(p)!r} at "
                                f"{sep!r} ({exc}): {ln[:120]!r}. Fix or delete the line.",
                                field=str(p)) from None

        names = _header(split(header, hline), p, hline)
        cols = _columns(names, p)
        for i, ln in body:
            tok = split(ln, i)
            while len(tok) > len(names) and tok[-1] == "":
                tok.pop()   # trailing separators
            if len(tok) != len(names):
                raise DataError(f"{_WHAT}: line {i} of {str(p)!r} has {len(tok)} fields, the "
                                f"header (line {hline}) has {len(names)}: {ln[:120]!r}. Fix "
                                f"or delete the line (a truncated download?).", field=str(p))
            rows.append(tok)
            index.append(i)
    else:
        # aligned with spaces: the name may contain spaces, so split from both ends
        names = _header(header.split(), p, hline)
        cols = _columns(names, p)
        pos = [n.lower() for n in names].index(cols[2].lower())
        n_after = len(names) - pos - 1
        for i, ln in body:
            tok = ln.split()
            if len(tok) < len(names):
                raise DataError(f"{_WHAT}: line {i} of {str(p)!r} has {len(tok)} fields, "
                                f"expected {len(names)}: {ln[:120]!r}. Fix or delete the "
                                f"line (a truncated download?).", field=str(p))
            name = " ".join(tok[pos:len(tok) - n_after])
            rows.append(tok[:pos] + [name] + tok[len(tok) - n_after:])
            index.append(i)
    if not rows:
        raise DataError(f"{_WHAT}: file {str(p)!r} has a header but no rows.", field=str(p))
    return pd.DataFrame(rows, columns=names, index=index, dtype=object), cols


def _read_table(path: Path, progress: Progress = False) -> tuple[pd.DataFrame, _Columns]:
    if path.suffix.lower() in (".xlsx", ".xls"):
        if importlib.util.find_spec("openpyxl") is None:
            raise DataError(f"{_WHAT}: reading {str(path)!r} needs the optional package "
                            f"openpyxl (pip install openpyxl), or use country.txt instead.",
                            field=str(path))
        try:
            for _ in track([path], desc=f"reading {path.name}", progress=progress):
                df = pd.read_excel(path, dtype=str)  # one step: openpyxl reads it whole
        except Exception as exc:  # noqa: BLE001 - zipfile/openpyxl/xlrd raise many types
            raise DataError(f"{_WHAT}: cannot read {str(path)!r} as an Excel workbook "
                            f"({type(exc).__name__}: {exc}). Check that the download is "
                            f"complete, or use country.txt instead.", field=str(path)) from None
        df.columns = _header(df.columns, path, 1)
        cols = _columns(df.columns, path)
        if df.empty:
            raise DataError(f"{_WHAT}: workbook {str(path)!r} has a header but no rows.",
                            field=str(path))
        df.index = df.index + 2   # spreadsheet row numbers
        return df.apply(lambda s: s.astype(str).str.strip()), cols
    return _parse_text(path, progress)


def _values(df: pd.DataFrame, col: str, path: Path, allow_missing: bool = False
            ) -> np.ndarray:
    """A value column (USD million): numeric, non-negative and below
    `tariffsim.io._common.MAX_VALUE_MUSD`."""
    vals = numeric_column(df, col, path, _WHAT, line_offset=0, allow_missing=allow_missing)
    check_magnitude(np.nan_to_num(vals), df, col, path, _WHAT, "millions of US dollars",
                    line_offset=0)
    return vals


def read_census(path: PathLike, year: int | None = None, *,
                partners: Mapping[str, Any] | Sequence[str] | None = None,
                codes: Mapping[str, str] | None = None, eu: bool = False,
                rest: str = "ROW", partial: bool = False, progress: Progress = None
                ) -> pd.DataFrame:
    """Read US goods trade by partner for one year as a long frame (USD million).

    Parameters
    ----------
    path : str or path
        ``country.txt`` (tab, pipe, comma or space aligned) or ``country.xlsx`` (needs
        openpyxl).
    year : int, optional
        Year to read (default: the latest complete year in the file). The real file always
        carries the current year to date, with the months not yet published left at 0 (or
        blank): a year is complete when each of its twelve months has data in some row.
        When the latest year is not complete, the latest complete one is read and a
        [`TariffSimWarning`][tariffsim.errors.TariffSimWarning] names the year skipped and its
        months.
    partners : list or mapping, optional
        A list of ISO3 codes to keep (every other partner is summed into ``rest``), or a
        mapping ``{code: region}``; default every partner with a known code.
    codes : mapping, optional
        Extra ``{CTY_CODE: ISO3}`` entries, added to
        `tariffsim.concordance.CENSUS_CODES` (which covers the default baseline's
        partners, the EU members and about 50 other main partners).
    eu : bool
        Use the European Union aggregate (code 0003) as one partner ``"EU27"`` instead of
        its members (default False).
    rest : str
        Name of the residual partner (default ``"ROW"``); not ``"USA"``, the reporter.
    partial : bool
        Accept a year with fewer than twelve months of data (the months published so far,
        e.g. January-August); ``attrs["months"]`` and the source say which. Default False:
        such a year is refused when asked for, and skipped when ``year`` is None.
    progress : None, bool or callable
        Progress of the read, one step per data line of a text file (one for a workbook):
        None (default) a bar where someone can see it (a terminal or Jupyter, with tqdm
        installed), True always, False never, or ``f(done, total)`` called after each step
        (see `tariffsim._progress.track`).

    Returns
    -------
    DataFrame
        ``exporter, importer, value``: US exports (``exporter == "USA"``) and imports
        (``importer == "USA"``) by partner, USD million. When the file has the World row
        (0004), ``rest`` is the World total minus the partners listed, so the frame adds up
        to US total trade; otherwise it sums the partners not listed (partners with codes
        not in the table go there, with a warning naming them). ``attrs`` holds the year,
        ``months`` (the number of months with data; None for a file with annual columns
        only, whose completeness cannot be checked), units and source.

    Raises
    ------
    DataError
        For every malformed file, naming the file, the line or column and the fix: empty,
        binary or zipped files; missing or repeated columns; lines with too few or too
        many fields; non-numeric, missing, negative or implausibly large values (above
        1e12 USD million); years that are not whole numbers in 1800-2200; malformed or
        repeated CTY_CODEs; a missing year; a year with only some months (unless
        ``partial=True``) or a file without a complete year; ``eu=True`` without the 0003
        row; a file with only aggregates; ``rest`` or a ``partners`` region named
        ``"USA"`` (its trade would vanish as US trade with itself). Text is read as UTF-8,
        UTF-16 (with a byte-order mark) or Latin-1.
    """
    progress = check_progress(progress)
    rest = _residual_name(rest)
    if not isinstance(eu, bool | np.bool_):
        raise DataError(f"eu: expected True or False, got {eu!r}.", field="eu")
    extra = _extra_codes(codes)
    p = as_path(path, _WHAT)
    df, (ycol, ccol, ncol, flows) = _read_table(p, progress)
    yv = integer_column(df, ycol, p, _WHAT, lo=1800, hi=2200, kind="year", line_offset=0)
    years = sorted({int(y) for y in yv})
    have = _months_with_data(df, yv, flows, p)
    yr = _choose_year(year, years, have, partial, p)
    df = df[yv == yr]
    vals = {}
    for side, (tot, months) in flows.items():
        if tot is not None:
            vals[side] = _values(df, tot, p)
        else:
            month_vals = [np.nan_to_num(_values(df, m, p, allow_missing=True))
                          for m in months if m is not None]
            vals[side] = np.sum(month_vals, axis=0)
    code = df[ccol].astype(str).str.strip()
    code = code.where(~code.str.fullmatch(r"\d{1,3}"), code.str.zfill(4))
    bad = ~code.str.fullmatch(r"[0-9X]{4}")
    if bad.any():
        raise DataError(f"{_WHAT}: column {ccol!r} of {str(p)!r} has codes that are not "
                        f"4-character Census codes:\n{show_rows(df[bad])}\nFix these rows.",
                        field=ccol, rows=df[bad])
    dup = code.duplicated(keep=False)
    if dup.any():
        raise DataError(f"{_WHAT}: {str(p)!r} has several rows for the same CTY_CODE in "
                        f"{yr}, which would double count:\n{show_rows(df[dup])}\nKeep one row "
                        f"per partner and year.", field=ccol, rows=df[dup])
    table = dict(CENSUS_CODES)
    table.update(extra)
    frame = pd.DataFrame({"code": code.to_numpy(), "name": df[ncol].to_numpy(),
                          "imports": vals["I"], "exports": vals["E"]})
    world = frame[frame["code"] == CENSUS_WORLD]
    eu_row = frame[frame["code"] == CENSUS_EU]
    is_country = frame["code"].str.fullmatch(r"[1-9]\d{3}")
    countries = frame[is_country].copy()
    countries["iso3"] = countries["code"].map(table)
    if eu:
        if eu_row.empty:
            raise DataError(f"{_WHAT}: eu=True but {str(p)!r} has no European Union row "
                            f"(CTY_CODE 0003) for {yr}.", field="eu")
        countries = countries[~countries["iso3"].isin(EU27_MEMBERS)]
        eu_part = eu_row.assign(iso3="EU27")
        countries = pd.concat([countries, eu_part], ignore_index=True)
    unmapped = countries[countries["iso3"].isna()]
    known = countries[countries["iso3"].notna()]
    cmap = region_map(partners, sorted(known["iso3"].unique()), rest=rest, field="partners")
    selves = sorted(c for c, reg in cmap.items() if str(reg).strip().upper() == _US)
    if selves:
        raise DataError(f"partners: {', '.join(selves)} would be put in a region named "
                        f"{_US!r}, the reporter itself, and their trade would vanish as US "
                        f"trade with the US; give the region another name.", field="partners")
    if partners is None or isinstance(partners, Mapping):
        if not unmapped.empty:
            warnings.warn(f"{_WHAT}: {len(unmapped)} partner code(s) without an ISO3 code go "
                          f"to {rest!r}: "
                          f"{', '.join(unmapped['code'] + ' ' + unmapped['name'])[:300]}. "
                          f"Add them with codes={{CTY_CODE: ISO3}}.", TariffSimWarning,
                          stacklevel=2)
    known = known.assign(region=known["iso3"].map(cmap))
    named = known[known["region"] != rest]
    agg = named.groupby("region", sort=True)[["exports", "imports"]].sum()
    if not world.empty:
        res = world[["exports", "imports"]].sum() - agg.sum()
        if (res < -1e-6 * world[["exports", "imports"]].sum().max()).any():
            raise DataError(f"{_WHAT}: the partners listed trade more than the World row "
                            f"(0004) in {str(p)!r}: residual {res.to_dict()}. Check for "
                            f"duplicate partners or aggregates coded as countries.",
                            field=ccol)
        residual = res.clip(lower=0.0)
    else:
        rest_rows = pd.concat([known[known["region"] == rest], unmapped])
        residual = rest_rows[["exports", "imports"]].sum()
    if float(residual.sum()) > 0:
        agg.loc[rest] = residual
    out = pd.concat([
        pd.DataFrame({"exporter": "USA", "importer": agg.index, "value": agg["exports"]}),
        pd.DataFrame({"exporter": agg.index, "importer": "USA", "value": agg["imports"]}),
    ], ignore_index=True)
    out = out[out["exporter"] != out["importer"]].reset_index(drop=True)
    if out.empty:
        raise DataError(f"{_WHAT}: {str(p)!r} has no trade with a partner country nor a World "
                        f"row (CTY_CODE 0004) for {yr}: only aggregates "
                        f"({', '.join(sorted(set(code))[:10])}). {_LAYOUT}", field=ccol)
    n_months = None if have is None else len(have[yr])
    out.attrs.update(year=yr, months=n_months, units="USD million",
                     source=f"US Census Bureau, U.S. Trade in Goods by Country, file "
                            f"{str(p)!r}, {yr}{_coverage_note(yr, years, have)} (exports "
                            f"F.A.S., general imports customs value, NSA)")
    return out


_US = "USA"
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")


def _extra_codes(codes: Any) -> dict[str, str]:
    """``codes=`` checked: ``{CTY_CODE: ISO3}`` with Census codes of up to four digits."""
    if codes is None:
        return {}
    if not isinstance(codes, Mapping):
        raise DataError(f"codes: expected a mapping {{CTY_CODE: ISO3}} such as "
                        f"{{'5570': 'MYS'}}, got {type(codes).__name__} {codes!r}.",
                        field="codes")
    out = {}
    for k, v in codes.items():
        key = str(k).strip().zfill(4)
        if not re.fullmatch(r"[0-9]{4}", key) or not isinstance(v, str) or not v.strip():
            raise DataError(f"codes: {k!r}: {v!r} is not a 4-digit Census CTY_CODE mapped to "
                            f"an ISO3 code, such as {{'5570': 'MYS'}}.", field="codes")
        out[key] = normalise_iso3(v)
    return out


def _residual_name(rest: Any) -> str:
    """``rest=`` checked: a non-empty name that is not the reporter's."""
    if not isinstance(rest, str) or not rest.strip():
        raise DataError(f"rest: expected the name of the residual partner such as 'ROW', got "
                        f"{rest!r}.", field="rest")
    if rest.strip().upper() == _US:
        raise DataError(f"rest: {rest!r} is the reporter itself; the trade of the partners "
                        f"not listed would vanish as US trade with the US. Name the residual "
                        f"partner otherwise, e.g. rest='ROW'.", field="rest")
    return rest.strip()


def _months_with_data(df: pd.DataFrame, yv: np.ndarray, flows: dict[str, Any], path: Path
                      ) -> dict[int, tuple[int, ...]] | None:
    """``{year: months with data}`` (0 = January), or None without monthly columns.

    A month has data in a year when some row of that year has a non-zero import or export
    value for it; the file leaves the months not yet published at 0 or blank.
    """
    cols = [m for side in ("I", "E") for m in flows[side][1]]
    if any(c is None for c in cols):
        return None
    present = np.zeros((len(df), 12), dtype=bool)
    for side in ("I", "E"):
        for k, col in enumerate(flows[side][1]):
            vals = _values(df, col, path, allow_missing=True)
            present[:, k] |= np.nan_to_num(vals) > 0
    return {int(y): tuple(np.flatnonzero(present[yv == y].any(axis=0)).tolist())
            for y in np.unique(yv)}


def _span(months: Sequence[int]) -> str:
    """``"January-August"``; ``"January-March, May"`` for gaps; ``"no month"``."""
    if not months:
        return "no month"
    runs: list[list[int]] = []
    for m in months:
        if runs and m == runs[-1][-1] + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    return ", ".join(_MONTH_NAMES[r[0]] if len(r) == 1 else
                     f"{_MONTH_NAMES[r[0]]}-{_MONTH_NAMES[r[-1]]}" for r in runs)


def _choose_year(year: Any, years: list[int], months: dict[int, tuple[int, ...]] | None,
                 partial: bool, path: Path) -> int:
    """The year to read: ``year``, else the latest complete year (see
    [`read_census`][tariffsim.io.census.read_census])."""
    if not isinstance(partial, bool | np.bool_):
        raise DataError(f"partial: expected True or False, got {partial!r}.", field="partial")

    def complete(y: int) -> bool:
        return months is None or len(months[y]) == 12

    if year is not None:
        yr = as_year(year)
        if yr not in years:
            raise DataError(f"{_WHAT}: year {yr} is not in {str(path)!r} (years present: "
                            f"{years}).", field="year")
        if not complete(yr) and not partial:
            assert months is not None
            done = [y for y in years if complete(y)]
            other = f"read a complete year ({done[-1]}), or " if done else ""
            raise DataError(f"{_WHAT}: {yr} in {str(path)!r} has data for "
                            f"{_span(months[yr])} only, not a whole year (the file carries "
                            f"the current year to date). {other.capitalize()}pass "
                            f"partial=True to read the {_span(months[yr])} total as it is.",
                            field="year")
        return yr
    if partial:
        return years[-1]
    done = [y for y in years if complete(y)]
    if not done:
        assert months is not None
        raise DataError(f"{_WHAT}: {str(path)!r} has no complete year: "
                        f"{'; '.join(f'{y} has {_span(months[y])}' for y in years)}. Pass "
                        f"year={years[-1]}, partial=True to read the months there are.",
                        field="year")
    yr = done[-1]
    later = [y for y in years if y > yr]
    if later:
        assert months is not None
        warnings.warn(f"{_WHAT}: {', '.join(f'{y} ({_span(months[y])})' for y in later)} in "
                      f"{str(path)!r} is not a whole year; reading {yr}, the latest complete "
                      f"year. Pass year={later[-1]}, partial=True to read the months of "
                      f"{later[-1]} instead.", TariffSimWarning, stacklevel=3)
    return yr


def _coverage_note(yr: int, years: list[int], months: dict[int, tuple[int, ...]] | None
                   ) -> str:
    """What the source says about the months read: partial, or a later year skipped."""
    if months is None:
        return " (annual columns only: the months were not checked)"
    if len(months[yr]) < 12:
        return f" ({_span(months[yr])} only: a partial year)"
    later = [y for y in years if y > yr]
    if later:
        return (f" (complete year; {', '.join(f'{y} has {_span(months[y])}' for y in later)}"
                f" only and was not read)")
    return ""
