"""CEPII BACI: bilateral trade flows at the HS6 level.

BACI (Gaulier & Zignago 2010, CEPII Working Paper 2010-23) reconciles the declarations of
exporters and importers in UN Comtrade into one FOB value per exporter, importer and HS6
product. A release is a zip of one CSV per year, ``BACI_HS22_Y2023_V202501.csv``, with
columns::

    t,i,j,k,v,q
    2023,4,31,050400,1.234,0.567

``t`` year, ``i`` exporter and ``j`` importer (numeric country codes, see
``country_codes_V202501.csv``: ``country_code, country_name, country_iso2, country_iso3``),
``k`` HS6 product, ``v`` value in thousand USD, ``q`` quantity in metric tons (``NA`` when
unknown). Licence: Etalab Open Licence 2.0 (reuse with attribution to CEPII).

BACI has no domestic sales: a general-equilibrium [`Baseline`][tariffsim.Baseline] needs them,
so [`read_baci`][tariffsim.io.baci.read_baci] takes GDP (``gdp=``) and sets domestic sales to
``max(GDP - exports, floor x GDP)`` (see `tariffsim.io._common.domestic_from_gdp`),
or takes them directly (``domestic=``). The partial-equilibrium engines need no domestic
sales: [`read_baci_products`][tariffsim.io.baci.read_baci_products] returns the tidy product frame.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._progress import Progress, check_progress
from ..concordance import ISO_NUMERIC, normalise_iso3, numeric_to_iso3
from ..errors import DataError
from ._common import (
    DOMESTIC_FLOOR,
    PathLike,
    as_year,
    check_magnitude,
    integer_column,
    numeric_column,
    product_frame,
    read_csv_checked,
    require_columns,
    show_rows,
    trade_baseline,
)

__all__ = ["read_baci", "read_baci_products", "read_baci_countries"]

_WHAT = "BACI"
_COLUMNS = {"t": ("t",), "i": ("i",), "j": ("j",), "k": ("k",), "v": ("v",)}


def read_baci_countries(path: PathLike) -> dict[int, str]:
    """Read BACI's country code file into ``{numeric code: ISO3}``.

    Parameters
    ----------
    path : str or path
        ``country_codes_V202501.csv`` (columns ``country_code``, ``country_iso3``; the
        older layout with ``iso_3digit_alpha`` is accepted too).

    Returns
    -------
    dict
        Numeric code -> ISO3 code (``S19``, BACI's "Other Asia, nes", becomes ``TWN``).
    """
    what = "BACI country codes"
    df = read_csv_checked(path, what, dtype=str, keep_default_na=False)
    df = require_columns(df, path, what, {
        "country_code": ("country_code",),
        "country_iso3": ("country_iso3", "iso_3digit_alpha")},
        hint="Pass the country_codes_V*.csv file of the same BACI release.")
    codes = pd.to_numeric(df["country_code"].str.strip(), errors="coerce")
    bad = codes.isna() | (df["country_iso3"].str.strip() == "")
    if bad.any():
        rows = df[bad].copy()
        rows.index = rows.index + 2
        raise DataError(f"{what}: {str(path)!r} has rows without a numeric country_code or an "
                        f"ISO3 code:\n{show_rows(rows)}\nFix or delete them.",
                        field="country_code", rows=rows)
    out: dict[int, str] = {}
    for line, (c, a) in enumerate(zip(codes, df["country_iso3"], strict=True), start=2):
        iso = normalise_iso3(a)
        if out.setdefault(int(c), iso) != iso:
            raise DataError(f"{what}: {str(path)!r} maps country_code {int(c)} to both "
                            f"{out[int(c)]!r} and {iso!r} (line {line}); keep one row per "
                            f"code.", field="country_code")
    return out


def _read_fine(path: PathLike, year: int | None,
               countries: PathLike | Mapping[int, str] | None,
               progress: Progress = False) -> tuple[pd.DataFrame, int]:
    """BACI rows of one year as ``exporter, importer, product, value`` (USD million)."""
    df = read_csv_checked(path, _WHAT, progress=progress, dtype={"k": str, "q": str},
                          skipinitialspace=True, keep_default_na=False, na_values=[""])
    df = require_columns(df, path, _WHAT, _COLUMNS,
                         hint="A BACI year file has columns t,i,j,k,v,q "
                              "(BACI_HS22_Y2023_V202501.csv).")
    t = integer_column(df, "t", path, _WHAT, lo=1800, hi=2200, kind="year")
    years = sorted({int(y) for y in np.unique(t)})
    if year is None:
        if len(years) > 1:
            raise DataError(f"{_WHAT}: {str(path)!r} holds years {years}; pass year= to "
                            f"choose one.", field="year")
        year = years[0]
    elif as_year(year) not in years:
        raise DataError(f"{_WHAT}: year {year} is not in {str(path)!r} (years present: "
                        f"{years}).", field="year")
    year = as_year(year)
    keep = t == year
    df = df[keep]
    v = numeric_column(df, "v", path, _WHAT)
    check_magnitude(v / 1000.0, df, "v", path, _WHAT, "thousand USD")
    table = (read_baci_countries(countries) if isinstance(countries, str | os.PathLike) else
             (dict(countries) if countries is not None else ISO_NUMERIC))
    ij = {col: integer_column(df, col, path, _WHAT, lo=0, hi=99_999, kind="country code")
          for col in ("i", "j")}
    uniq, inv = np.unique(np.concatenate([ij["i"], ij["j"]]), return_inverse=True)
    mapping, unknown = numeric_to_iso3(uniq.tolist(), table)
    if unknown:
        ustr = {int(u) for u in unknown}
        mask = np.isin(ij["i"], list(ustr)) | np.isin(ij["j"], list(ustr))
        rows = df[mask].copy()
        rows.index = rows.index + 2
        raise DataError(
            f"{_WHAT}: unknown country code(s) {sorted(ustr)[:20]} in columns i/j of "
            f"{str(path)!r}, e.g.\n{show_rows(rows)}\nPass countries= the "
            f"country_codes_V*.csv file of the same BACI release (or a dict {{code: ISO3}}).",
            field="i/j", rows=rows)
    iso = np.array([mapping[u] for u in uniq.tolist()], dtype=object)[inv]
    k = df["k"].astype(str).str.strip()
    badk = ~k.str.fullmatch(r"\d{1,6}")
    if badk.any():
        rows = df[badk.to_numpy()].copy()
        rows.index = rows.index + 2
        raise DataError(f"{_WHAT}: column 'k' of {str(path)!r} has product codes that are not "
                        f"HS6 digits:\n{show_rows(rows)}\nFix or delete these rows.",
                        field="k", rows=rows)
    # the same exporter, importer and product twice would be summed: refuse, as the
    # Comtrade and Census readers do (one integer key per row: fast on 10 million rows)
    key = (ij["i"] * 100_000 + ij["j"]) * 1_000_000 + k.astype(np.int64).to_numpy()
    dup = pd.Series(key).duplicated(keep=False).to_numpy()
    if dup.any():
        rows = df[dup].copy()
        rows.index = rows.index + 2
        rows = rows.assign(_key=key[dup]).sort_values(["_key"], kind="stable").drop(
            columns="_key")
        raise DataError(f"{_WHAT}: {str(path)!r} has several rows for the same year, "
                        f"exporter, importer and product (t, i, j, k), which would be summed "
                        f"({int(dup.sum())} rows):\n{show_rows(rows, 10)}\nKeep one row per "
                        f"flow: a BACI file has one; check that files were not concatenated "
                        f"twice.", field="k", rows=rows)
    fine = pd.DataFrame({
        "exporter": iso[:len(df)],
        "importer": iso[len(df):],
        "product": k.str.zfill(6).to_numpy(),
        "value": v / 1000.0,          # thousand USD -> USD million
    })
    return fine, int(year)


def read_baci(path: PathLike, year: int | None = None, *,
              countries: PathLike | Mapping[int, str] | None = None,
              regions: Mapping[str, Any] | Sequence[str] | None = None,
              sectors: Mapping[str, Any] | str | None = None,
              domestic: Any = None, gdp: Any = None,
              domestic_floor: float = DOMESTIC_FLOOR,
              other_sector: str = "other", progress: Progress = None) -> Any:
    """Read a BACI year file into a [`Baseline`][tariffsim.Baseline] (USD million).

    Parameters
    ----------
    path : str or path
        A BACI CSV (``t,i,j,k,v,q``; values in thousand USD).
    year : int, optional
        Year to keep; required when the file holds several.
    countries : path or dict, optional
        BACI's ``country_codes_V202501.csv`` (recommended) or ``{code: ISO3}``. By default
        the ISO 3166-1 numeric table plus the Comtrade codes (251 France, 381 Italy,
        579 Norway, 699 India, 757 Switzerland, 842 USA, 490 Taiwan) is used.
    regions : list or mapping, optional
        A list of ISO3 codes to keep (every other economy is summed into ``"ROW"``), or a
        mapping ``{code: region}`` / ``{region: [codes]}`` (unlisted codes keep their
        name). Trade inside a region is not international trade: it becomes part of the
        region's domestic sales.
    sectors : mapping or str, optional
        ``None``: one sector ``"total"``; ``"HS2"``/``"HS4"``; or ``{HS prefix: sector}``
        assigned by longest prefix, unmatched products going to ``other_sector``.
    domestic : None, "gdp" or DataFrame
        How to get domestic sales, which BACI lacks: ``"gdp"`` (the default when ``gdp`` is
        given) uses ``max(GDP - exports, domestic_floor x GDP)``, split across sectors by
        the economy's import mix; a DataFrame/Series/dict gives them directly (``country,
        [sector], value`` in USD million, at the region level: one row, or one per sector,
        for every economy and region of the baseline).
    gdp : Series, dict or DataFrame, optional
        GDP in USD (not million) by ISO3 code; regions sum their members' GDP unless the
        region's own name is given.
    domestic_floor : float
        Floor on domestic sales as a share of GDP (default 0.10, as in the embedded
        baseline).
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
        Missing columns, non-numeric or negative values, unknown country codes, a missing
        year, several rows for the same flow (t, i, j, k), no way to build domestic sales,
        economies without GDP, GDP in the wrong units (the floor binding for every
        economy), ``domestic=`` codes or sectors not in the baseline or economies without
        a row there, ``domestic_floor`` not a number in [0, 1).

    Warns
    -----
    TariffSimWarning
        Economies whose exports exceed (1 - floor) x GDP, whose domestic sales are set to
        the floor (see `tariffsim.io._common.domestic_from_gdp`).

    Examples
    --------
    >>> base = read_baci("BACI_HS22_Y2023_V202501.csv",        # doctest: +SKIP
    ...                  countries="country_codes_V202501.csv",
    ...                  regions=["USA", "CHN", "VNM"], gdp=wdi_gdp)
    """
    fine, year = _read_fine(path, year, countries, check_progress(progress))
    return trade_baseline(fine, what=f"{_WHAT} {str(path)!r}", regions=regions,
                          sectors=sectors, domestic=domestic, gdp=gdp,
                          domestic_floor=domestic_floor, year=year,
                          source=f"CEPII BACI file {str(path)!r}, year {year} (FOB, thousand "
                                 f"USD converted to USD million)",
                          other_sector=other_sector)


def read_baci_products(path: PathLike, year: int | None = None, *,
                       countries: PathLike | Mapping[int, str] | None = None,
                       regions: Mapping[str, Any] | Sequence[str] | None = None,
                       products: Mapping[str, Any] | str | None = "HS6",
                       other_sector: str = "other", progress: Progress = None
                       ) -> pd.DataFrame:
    """Read a BACI year file into the tidy product frame of the PE engines.

    Parameters
    ----------
    path, year, countries, regions, progress
        As in [`read_baci`][tariffsim.io.baci.read_baci]. Trade inside a region is dropped.
    products : str or mapping
        ``"HS6"`` (default) keeps the products; ``"HS2"``/``"HS4"`` or a mapping
        ``{HS prefix: name}`` groups them (see [`tariffsim.concordance.hs_to_sector`][]).

    Returns
    -------
    DataFrame
        Columns ``importer, exporter, product, value`` (USD million at FOB prices), sorted.
        Add a ``tariff`` column before passing it to the PE engines.
    """
    fine, _ = _read_fine(path, year, countries, check_progress(progress))
    return product_frame(fine, regions, products, other_sector=other_sector)
