"""Shared helpers of the loaders: file reading, column checks, GDP and domestic sales.

Every check raises [`tariffsim.errors.DataError`][] naming the file, the column, the
offending rows (as line numbers of the file) and the fix.
"""

from __future__ import annotations

import io
import math
import os
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._progress import Progress, check_progress, track
from ..concordance import normalise_iso3
from ..errors import DataError, TariffSimWarning, unknown_codes_message

__all__ = [
    "PathLike",
    "as_path",
    "MAX_VALUE_MUSD",
    "check_magnitude",
    "read_csv_checked",
    "read_text_checked",
    "find_column",
    "require_columns",
    "numeric_column",
    "integer_column",
    "as_year",
    "show_rows",
    "gdp_series",
    "regional_gdp",
    "domestic_floor_share",
    "domestic_from_gdp",
    "domestic_frame",
    "to_baseline",
]

PathLike = str | os.PathLike

#: Default floor on domestic sales, as a share of GDP (see `domestic_from_gdp`).
DOMESTIC_FLOOR = 0.10


#: Largest trade value a loader accepts [USD million]: world goods trade is about 2.5e7,
#: so a larger value means the units are wrong (or the file is corrupt).
MAX_VALUE_MUSD = 1e12


def as_path(path: PathLike, what: str) -> Path:
    """Return ``path`` as a Path; DataError when it is not a path, does not exist, is a
    folder, or is not a regular file (a device or a pipe, which would never end or block:
    it is refused before it is opened)."""
    if not isinstance(path, str | os.PathLike) or (isinstance(path, str) and not path):
        raise DataError(f"{what}: path: expected the path of a file, got "
                        f"{type(path).__name__} {path!r}.", field="path")
    p = Path(path)
    if p.is_dir():
        raise DataError(f"{what}: {str(p)!r} is a folder; give the path of the file in it.",
                        field=str(p))
    if p.exists() and not p.is_file():
        raise DataError(f"{what}: {str(p)!r} is not a regular file (a device, a pipe or a "
                        f"socket); save the data to a file and give its path.", field=str(p))
    if not p.is_file():
        raise DataError(f"{what}: file {str(p)!r} not found. Check the path (download the "
                        f"file first; tariffsim never downloads data).", field=str(p))
    return p


def check_magnitude(values_musd: np.ndarray, df: pd.DataFrame, col: str, path: PathLike,
                    what: str, unit: str, line_offset: int = 2) -> None:
    """DataError when a value exceeds `MAX_VALUE_MUSD` once converted to USD million
    (``unit`` names the file's unit in the message); ``line_offset`` as in
    `numeric_column`."""
    huge = values_musd > MAX_VALUE_MUSD
    if huge.any():
        lines = df[huge].copy()
        lines.index = lines.index + line_offset
        raise DataError(f"{what}: column {col!r} of {str(path)!r} has value(s) above "
                        f"{MAX_VALUE_MUSD:g} USD million (world goods trade is about 2.5e7 "
                        f"USD million):\n{show_rows(lines)}\nThe values must be in {unit}; "
                        f"fix or delete these rows.", field=col, rows=lines)


_SEPARATORS = {";": "semicolon", "\t": "tab", "|": "pipe"}


#: Compression pandas would infer from a file name (what ``compression="infer"`` does).
_COMPRESSION = {".gz": "gzip", ".bz2": "bz2", ".zip": "zip", ".xz": "xz", ".zst": "zstd",
                ".tar": "tar"}

#: One progress step of a file read: a mebibyte of the file (compressed bytes for a
#: compressed file).
PROGRESS_BLOCK = 1 << 20


class _CountingFile(io.FileIO):
    """A file opened for reading that advances ``steps`` once per ``PROGRESS_BLOCK`` read."""

    def __init__(self, path: Path, steps: Iterator[int]) -> None:
        super().__init__(path, "rb")
        self._steps = steps
        self._read = 0
        self._done = 0

    def _count(self, n: int) -> None:
        self._read += n
        while self._done < self._read // PROGRESS_BLOCK:
            next(self._steps, None)
            self._done += 1

    def read(self, size: int | None = -1, /) -> bytes:
        data = super().read(size)
        self._count(len(data or b""))
        return data

    def readall(self) -> bytes:
        data = super().readall()
        self._count(len(data))
        return data

    def readinto(self, buffer: Any, /) -> int:
        n = super().readinto(buffer)
        self._count(n or 0)
        return n


def progress_steps(p: Path, progress: Progress) -> Iterator[int]:
    """The progress steps of reading file ``p``: one per mebibyte (at least one), started
    (the bar shown, ``progress`` checked); advance with ``next(steps, None)``, finish with
    `finish`."""
    n = max(1, math.ceil(p.stat().st_size / PROGRESS_BLOCK))
    steps = track(range(n), total=n, desc=f"reading {p.name}", progress=progress)
    next(steps, None)  # start: checks progress= and opens the bar
    return steps


def finish(steps: Iterator[int]) -> None:
    """Run the remaining steps (the last report is ``(total, total)``) and close the bar."""
    for _ in steps:
        pass


def read_csv_checked(path: PathLike, what: str, progress: Progress = False,
                     **kwargs: Any) -> pd.DataFrame:
    """``pandas.read_csv`` that turns parser failures and empty files into DataError.

    ``progress``: as in `tariffsim._progress.track`, one step per mebibyte read
    (default False: no bar, for the small side files).
    """
    progress = check_progress(progress)
    p = as_path(path, what)
    try:
        if progress is False:
            df = pd.read_csv(p, **kwargs)
        else:
            # pandas infers compression from a path, not from an open file: say it
            kwargs.setdefault("compression", _COMPRESSION.get(p.suffix.lower()))
            steps = progress_steps(p, progress)
            try:
                with _CountingFile(p, steps) as fh:
                    df = pd.read_csv(fh, **kwargs)
            except BaseException:
                close = getattr(steps, "close", None)
                if close is not None:
                    close()  # the bar goes away with the error
                raise
            finish(steps)
    except pd.errors.EmptyDataError:
        raise DataError(f"{what}: file {str(p)!r} is empty.", field=str(p)) from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OverflowError) as exc:
        raise DataError(f"{what}: cannot parse {str(p)!r} as a delimited text file ({exc}). "
                        f"Check the separator and that the file is not compressed or "
                        f"truncated.", field=str(p)) from None
    if "index_col" not in kwargs and not isinstance(df.index, pd.RangeIndex):
        # pandas turns the extra leading fields into an index when the rows are longer
        # than the header
        raise DataError(f"{what}: the rows of {str(p)!r} have more fields than its header "
                        f"({len(df.columns)} column(s): "
                        f"{', '.join(repr(str(c)[:30]) for c in df.columns[:20])}). Check the "
                        f"header line and the separator, or delete the extra fields.",
                        field=str(p))
    df.columns = [str(c).strip() for c in df.columns]
    if "sep" not in kwargs and len(df.columns) == 1:
        found = [name for sep, name in _SEPARATORS.items() if sep in df.columns[0]]
        if found:
            raise DataError(f"{what}: the header of {str(p)!r} is one column, "
                            f"{df.columns[0][:60]!r}: the file looks {found[0]}-separated. "
                            f"The separator must be a comma: save the file as CSV "
                            f"(comma-separated).", field=str(p))
    _refuse_repeated_header(p, what, kwargs)
    if df.empty:
        raise DataError(f"{what}: file {str(p)!r} has a header but no rows.", field=str(p))
    return df


def _refuse_repeated_header(p: Path, what: str, kwargs: Mapping[str, Any]) -> None:
    """DataError when a column name appears twice in the header (pandas would rename the
    second to ``name.1`` and the reader would use the first without a word)."""
    keep = {k: kwargs[k] for k in ("sep", "encoding", "encoding_errors", "skipinitialspace")
            if k in kwargs}
    try:
        head = pd.read_csv(p, header=None, nrows=1, dtype=str, keep_default_na=False, **keep)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError,
            ValueError):
        return
    names = [str(c).strip().lstrip("\ufeff").lower() for c in head.iloc[0]]
    twice = sorted({n for n in names if n and names.count(n) > 1})
    if twice:
        raise DataError(f"{what}: column(s) {twice} appear twice in the header of "
                        f"{str(p)!r}; delete or rename the extra one.", field=twice[0])


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def read_text_checked(path: PathLike, what: str) -> tuple[Path, list[tuple[int, str]]]:
    """The non-blank lines of a text file with their line numbers (1-based).

    Decodes UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark
    (Excel's "Unicode text"), and otherwise Latin-1, so that names such as
    "C\u00f4te d'Ivoire" saved by older tools still load. Lines end at ``\n``, ``\r\n``
    or ``\r`` only (not at the vertical tab or form feed that ``str.splitlines`` also
    splits on).

    Raises
    ------
    DataError
        The file is missing, empty, or binary (a zip/xlsx, a NUL or other control byte).
    """
    p = as_path(path, what)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise DataError(f"{what}: cannot read {str(p)!r} ({exc}). Check the file's "
                        f"permissions.", field=str(p)) from None
    if data[:4] == b"PK\x03\x04":
        raise DataError(f"{what}: {str(p)!r} is a zip archive (an .xlsx workbook or a "
                        f"compressed download). Unzip it, or give an .xlsx workbook the "
                        f".xlsx extension.", field=str(p))
    text: str | None = None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            text = None
    if text is None:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    bad = _CONTROL.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise DataError(f"{what}: {str(p)!r} is not a text file: control character "
                        f"{bad.group()!r} on line {line}. Check that the file is the "
                        f"plain-text download and not compressed, binary or truncated.",
                        field=str(p))
    lines = [(i, ln) for i, ln in enumerate(re.split(r"\r\n|\r|\n", text), start=1)
             if ln.strip()]
    if not lines:
        raise DataError(f"{what}: file {str(p)!r} is empty.", field=str(p))
    return p, lines


def find_column(df: pd.DataFrame, candidates: Sequence[str]) -> str | None:
    """First column of ``df`` whose name matches a candidate (case-insensitive)."""
    lower = {str(c).lower(): c for c in df.columns}
    for c in candidates:
        if c.lower() in lower:
            return lower[c.lower()]
    return None


def require_columns(df: pd.DataFrame, path: PathLike, what: str,
                    required: Mapping[str, Sequence[str]], hint: str = "") -> pd.DataFrame:
    """Rename the columns found under any of their accepted names to the canonical name.

    Parameters
    ----------
    required : mapping
        ``{canonical: (accepted name, ...)}``.

    Raises
    ------
    DataError
        Naming every missing column, the names accepted for it, the columns found and
        ``hint``.
    """
    rename: dict[str, str] = {}
    missing: list[str] = []
    for canon, names in required.items():
        found = find_column(df, names)
        if found is None:
            missing.append(f"{canon!r} (accepted: {', '.join(names)})")
        else:
            rename[found] = canon
    if missing:
        raise DataError(
            f"{what}: file {str(path)!r} lacks column(s) {'; '.join(missing)}. Columns found: "
            f"{', '.join(map(str, df.columns[:30]))}. {hint}".strip(), field=str(path))
    return df.rename(columns=rename)


def show_rows(df: pd.DataFrame, n: int = 5) -> str:
    """The first ``n`` rows of ``df`` as text, each labelled with its file line."""
    part = df.head(n).copy()
    part.index = [f"line {i}" for i in part.index]
    return part.to_string(max_colwidth=30)


def numeric_column(df: pd.DataFrame, col: str, path: PathLike, what: str, *,
                   nonnegative: bool = True, allow_missing: bool = False,
                   line_offset: int = 2) -> np.ndarray:
    """Column ``col`` as floats; DataError for non-numeric, missing or negative values.

    Row numbers in messages are file lines: ``index + line_offset`` (header on line 1).
    """
    s = df[col]
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        vals = s.to_numpy(dtype=float, na_value=np.nan)
        bad = np.zeros(len(vals), dtype=bool)
    else:
        text = s.astype("string").str.strip().str.replace(",", "", regex=False)
        num = pd.to_numeric(text, errors="coerce")
        vals = num.to_numpy(dtype=float, na_value=np.nan)
        bad = (np.isnan(vals) & text.notna().to_numpy() & (text.fillna("") != "").to_numpy()
               & ~text.fillna("").str.upper().isin(["NA", "NAN", "N/A"]).to_numpy())
    lines = df.copy()
    lines.index = df.index + line_offset
    if bad.any():
        raise DataError(
            f"{what}: column {col!r} of {str(path)!r} has {int(bad.sum())} non-numeric "
            f"value(s):\n{show_rows(lines[bad])}\nFix or delete these rows.",
            field=col, rows=lines[bad])
    missing = np.isnan(vals) | np.isinf(vals)
    if missing.any() and not allow_missing:
        raise DataError(
            f"{what}: column {col!r} of {str(path)!r} has {int(missing.sum())} missing or "
            f"infinite value(s):\n{show_rows(lines[missing])}\nFill them (0 if the flow is "
            f"truly zero) or delete the rows.", field=col, rows=lines[missing])
    if nonnegative:
        neg = vals < 0
        if neg.any():
            raise DataError(
                f"{what}: column {col!r} of {str(path)!r} has {int(neg.sum())} negative "
                f"value(s):\n{show_rows(lines[neg])}\nTrade values cannot be negative: fix "
                f"the sign or delete the rows.", field=col, rows=lines[neg])
    return vals


def integer_column(df: pd.DataFrame, col: str, path: PathLike, what: str, *, lo: int,
                   hi: int, kind: str, line_offset: int = 2) -> np.ndarray:
    """Column ``col`` as int64; DataError for values that are not whole numbers in [lo, hi].

    For years and numeric codes, which must not be rounded or overflow a cast.
    """
    vals = numeric_column(df, col, path, what, nonnegative=False, line_offset=line_offset)
    bad = (vals != np.round(vals)) | (vals < lo) | (vals > hi)
    if bad.any():
        lines = df.copy()
        lines.index = df.index + line_offset
        raise DataError(
            f"{what}: column {col!r} of {str(path)!r} has {int(bad.sum())} value(s) that are "
            f"not {kind}s (whole numbers from {lo} to {hi}):\n{show_rows(lines[bad])}\nFix "
            f"or delete these rows.", field=col, rows=lines[bad])
    return vals.astype(np.int64)


def as_year(year: Any) -> int:
    """The ``year=`` argument of a loader as an int; DataError when it is not a year."""
    try:
        y = int(year)
        if isinstance(year, bool) or (not isinstance(year, str) and y != year):
            raise ValueError(year)
        return y
    except (TypeError, ValueError, OverflowError):
        raise DataError(f"year: {year!r} is not a year; pass an integer such as 2024.",
                        field="year") from None


def gdp_series(gdp: Any, year: int | None = None, field: str = "gdp") -> pd.Series:
    """GDP in USD by ISO3 code from a Series, a dict or a DataFrame.

    Accepted: a Series or dict ``{iso3: USD}``; a DataFrame with a code column (``iso3``,
    ``country``, ``code``, ``country_iso3``) and a value column (``gdp``, ``value``,
    ``gdp_usd``, or ``gdp_{year}_usd`` as in the WDI extract shipped with the project).
    """
    if isinstance(gdp, Mapping):  # a Series is not a Mapping
        gdp = pd.Series(dict(gdp))
    if isinstance(gdp, pd.DataFrame):
        code = find_column(gdp, ["iso3", "country_iso3", "country", "code", "country_code"])
        cands = ([f"gdp_{year}_usd", f"gdp_{year}"] if year is not None else []) + [
            "gdp", "gdp_usd", "value"]
        val = find_column(gdp, cands)
        if code is None or val is None:
            raise DataError(f"{field}: a GDP frame needs a code column (iso3/country/code) and "
                            f"a value column ({'/'.join(cands)}) in USD; got columns "
                            f"{list(gdp.columns)}.", field=field)
        gdp = pd.Series(gdp[val].to_numpy(), index=gdp[code].astype(str).to_numpy())
    if not isinstance(gdp, pd.Series):
        raise DataError(f"{field}: expected a Series, dict or DataFrame of GDP in USD by ISO3 "
                        f"code, got {type(gdp).__name__}.", field=field)
    vals = pd.to_numeric(gdp, errors="coerce")
    bad = vals.isna() | ~np.isfinite(vals.astype(float)) | (vals <= 0)
    if bad.any():
        raise DataError(f"{field}: GDP must be a positive number; bad entries: "
                        f"{gdp[bad].head(10).to_dict()}.", field=field)
    out = pd.Series(vals.astype(float).to_numpy(),
                    index=[normalise_iso3(c) for c in gdp.index], name="gdp_usd")
    if out.index.duplicated().any():
        dup = sorted(set(out.index[out.index.duplicated()]))
        raise DataError(f"{field}: duplicate codes {dup}; give one GDP per economy.",
                        field=field)
    return out


def regional_gdp(gdp_usd: pd.Series, cmap: Mapping[str, str], regions_needed: Sequence[str],
                 field: str = "gdp") -> pd.Series:
    """GDP of each region in USD million.

    A region's GDP is taken from ``gdp_usd`` under the region's own name when present
    (e.g. ``"ROW"`` or ``"EU27"`` given directly), else summed over its member codes, all
    of which must then have a GDP.
    """
    members: dict[str, list[str]] = {}
    for code, reg in cmap.items():
        members.setdefault(reg, []).append(code)
    out = {}
    missing: list[str] = []
    for reg in regions_needed:
        if reg in gdp_usd.index:
            out[reg] = gdp_usd[reg]
            continue
        mem = members.get(reg, [reg])
        lack = [m for m in mem if m not in gdp_usd.index]
        if lack:
            missing.extend(lack if reg in lack else [f"{m} (in {reg})" for m in lack])
            continue
        out[reg] = float(gdp_usd[mem].sum())
    if missing:
        raise DataError(
            f"{field}: no GDP for {', '.join(missing[:20])}"
            f"{' ...' if len(missing) > 20 else ''}. Domestic sales are GDP minus exports, so "
            f"every economy needs a GDP: add it, give the region's GDP under its own name, "
            f"or group the economy into a region with regions=.", field=field)
    return pd.Series(out, dtype=float) / 1e6


def domestic_floor_share(floor: Any, field: str = "domestic_floor") -> float:
    """``domestic_floor=`` as a float in [0, 1); DataError naming the field otherwise."""
    if isinstance(floor, bool) or not isinstance(floor, int | float | np.integer | np.floating):
        raise DataError(f"{field}: expected a number in [0, 1), the floor on domestic sales "
                        f"as a share of GDP (0.1 = 10%), got {type(floor).__name__} "
                        f"{floor!r}.", field=field)
    value = float(floor)
    if not (math.isfinite(value) and 0 <= value < 1):
        raise DataError(f"{field}: {floor!r} must be in [0, 1), the floor on domestic sales "
                        f"as a share of GDP (0.1 = 10%).", field=field)
    return value


def domestic_from_gdp(flows: pd.DataFrame, gdp_musd: pd.Series,
                      floor: float = DOMESTIC_FLOOR) -> pd.DataFrame:
    """Domestic sales from GDP: ``max(GDP - exports, floor * GDP)``, split by import mix.

    $$
    X_{nn} = \\max\\left(Y_n - \\sum_{i \\ne n} X_{ni},\\; f\\, Y_n\\right), \\qquad
    X_{nn}^j = X_{nn}\\, \\frac{M_n^j}{\\sum_k M_n^k}
    $$

    with $Y_n$ GDP (USD million), $X_{ni}$ the exports of n to i in the file
    (goods only), $f$ the floor (default 0.10) and $M_n^j$ n's imports of sector
    j (the world import mix when n imports nothing). The floor keeps entrepot economies
    whose goods exports exceed GDP (Singapore, Hong Kong: re-exports) with a positive
    domestic share. This is the calibration of the project's embedded baseline; it treats
    GDP (value added of all industries) as the value of goods sold at home plus exports, a
    rough approximation: prefer an input-output table ([`tariffsim.io.read_icio`][]) for
    sector-level domestic sales.

    Parameters
    ----------
    flows : DataFrame
        ``exporter, importer, sector, value`` (USD million), international only.
    gdp_musd : Series
        GDP in USD million by code, covering every exporter and importer.
    floor : float
        Minimum domestic sales as a share of GDP, in [0, 1).

    Returns
    -------
    DataFrame
        ``exporter, importer, sector, value`` rows with ``exporter == importer``.

    Raises
    ------
    DataError
        ``floor`` not in [0, 1); the floor binding for **every** economy: GDP below
        (1 - floor) x exports everywhere means GDP in the wrong units (USD million given
        where USD is expected), and the message says so.

    Warns
    -----
    TariffSimWarning
        Naming the economies where the floor binds (entrepots, or a GDP in wrong units or
        for the wrong year).
    """
    floor = domestic_floor_share(floor)
    codes = sorted(set(flows["exporter"]) | set(flows["importer"]))
    exports = flows.groupby("exporter")["value"].sum().reindex(codes, fill_value=0.0)
    y = gdp_musd.reindex(codes)
    _check_floor(y, exports, floor)
    dom = np.maximum(y - exports, floor * y)
    imp = flows.pivot_table(index="importer", columns="sector", values="value",
                            aggfunc="sum", fill_value=0.0).reindex(codes, fill_value=0.0)
    world = imp.sum(axis=0)
    world = world / world.sum() if world.sum() > 0 else world * 0 + 1.0 / len(world)
    tot = imp.sum(axis=1)
    share = imp.div(tot.where(tot > 0, 1.0), axis=0)
    share.loc[tot <= 0] = world.to_numpy()
    stacked = share.mul(dom, axis=0).stack()
    assert isinstance(stacked, pd.Series)  # one column level: stacking gives a Series
    long = stacked.rename("value").reset_index()
    long.columns = ["exporter", "sector", "value"]
    long["importer"] = long["exporter"]
    return long[["exporter", "importer", "sector", "value"]]


def _check_floor(y: pd.Series, exports: pd.Series, floor: float) -> None:
    """Raise when the domestic floor binds everywhere (units), warn where it binds."""
    binds = (y - exports < floor * y) & (exports > 0)
    if not binds.any():
        return
    who = list(binds.index[binds])
    exporters = int((exports > 0).sum())
    if binds.sum() == exporters and exporters > 1:
        top = str(y.idxmax())
        raise DataError(
            f"gdp: GDP minus exports is below the floor ({floor:g} x GDP) for every exporter "
            f"({', '.join(who[:10])}{' ...' if len(who) > 10 else ''}): the GDP given is "
            f"smaller than the goods exports in the file, e.g. {top} GDP "
            f"{y[top] * 1e6:,.0f} USD against exports of {exports[top] * 1e6:,.0f} USD. "
            f"gdp= takes USD; GDP in USD million must be multiplied by 1e6 (USD billion by "
            f"1e9).", field="gdp")
    warnings.warn(
        f"domestic_floor: exports in the file exceed {1 - floor:.0%} of GDP for "
        f"{', '.join(who[:20])}{' ...' if len(who) > 20 else ''}, so their domestic sales "
        f"are set to the floor, {floor:g} x GDP. Expected for entrepots (SGP, HKG: "
        f"re-exports); otherwise check that gdp= is in USD and for the file's year.",
        TariffSimWarning, stacklevel=5)


def domestic_frame(domestic: Any, field: str = "domestic", *,
                   codes: Sequence[str] | None = None,
                   sectors: Sequence[str] | None = None) -> pd.DataFrame:
    """User-given domestic sales (USD million) as ``exporter, importer, [sector], value``.

    With ``codes`` (the economies or regions of the baseline) every code must be one of
    them -- a typo would add a phantom economy and leave the real one without domestic
    sales -- and every one of them must have a row; with ``sectors``, every sector must be
    one of them. A code is matched as given and, failing that, as an ISO3 code
    (``"vnm"`` -> ``"VNM"``), so region names such as ``"Asia"`` keep their spelling.
    """
    if isinstance(domestic, Mapping):  # a Series is not a Mapping
        domestic = pd.Series(dict(domestic))
    if isinstance(domestic, pd.Series):
        domestic = domestic.rename("value").rename_axis("country").reset_index()
    if not isinstance(domestic, pd.DataFrame):
        raise DataError(f"{field}: expected None, 'gdp', or a Series/DataFrame of domestic "
                        f"sales in USD million, got {type(domestic).__name__}.", field=field)
    code = find_column(domestic, ["country", "iso3", "exporter", "code"])
    val = find_column(domestic, ["value", "domestic"])
    if code is None or val is None:
        raise DataError(f"{field}: a domestic-sales frame needs columns country and value "
                        f"(USD million), optionally sector; got {list(domestic.columns)}.",
                        field=field)
    known = set(codes) if codes is not None else None

    def match(c: Any) -> str:
        text = str(c).strip()
        if known is not None and text in known:
            return text
        return normalise_iso3(text)

    out = pd.DataFrame({"exporter": domestic[code].map(match),
                        "value": pd.to_numeric(domestic[val], errors="coerce")})
    sec = find_column(domestic, ["sector"])
    if sec is not None:
        out["sector"] = domestic[sec].astype(str).str.strip()
    bad = ~np.isfinite(out["value"].to_numpy(dtype=float)) | (out["value"] < 0).to_numpy()
    if bad.any():
        raise DataError(f"{field}: domestic sales must be finite non-negative numbers (USD "
                        f"million); bad rows:\n{domestic[bad].head()}", field=field)
    if codes is not None and known is not None:
        unknown = [c for c in dict.fromkeys(out["exporter"]) if c not in known]
        if unknown:
            raise DataError(unknown_codes_message(field, unknown, list(codes)), field=field)
        given = set(out["exporter"])
        missing = [c for c in codes if c not in given]
        if missing:
            raise DataError(f"{field}: no domestic sales for {', '.join(map(repr, missing))}; "
                            f"give a row for every economy and region of the baseline "
                            f"({', '.join(codes)}), 0 where there truly are none.",
                            field=field)
    if sectors is not None and "sector" in out.columns:
        allowed = set(sectors)
        unknown = [c for c in dict.fromkeys(out["sector"]) if c not in allowed]
        if unknown:
            raise DataError(unknown_codes_message(f"{field}.sector", unknown, list(sectors)),
                            field=field)
    out["importer"] = out["exporter"]
    return out


def to_baseline(flows: pd.DataFrame, *, year: int | None, source: str, **kw: Any) -> Any:
    """``Baseline.from_frame`` on the loader's long frames (imported lazily)."""
    from ..baseline import Baseline

    return Baseline.from_frame(flows, year=year, source=source, **kw)


def _sector_labels(products: pd.Series, sectors: Any, other: str) -> np.ndarray:
    from ..concordance import hs_to_sector

    return hs_to_sector(products, sectors, other=other)


def aggregate_trade(fine: pd.DataFrame, regions: Any, sectors: Any, *,
                    other_sector: str = "other", product_col: str = "sector"
                    ) -> tuple[pd.DataFrame, dict[str, str]]:
    """Map codes to regions and HS products to sectors, drop intra-region trade, sum.

    Parameters
    ----------
    fine : DataFrame
        ``exporter, importer, product, value`` with ISO3 codes and HS product codes.

    Returns
    -------
    (DataFrame, dict)
        ``exporter, importer, <product_col>, value`` summed, and the code -> region map.
    """
    from ..concordance import region_map

    if not isinstance(other_sector, str) or not other_sector.strip():
        raise DataError(f"other_sector: expected the name of the sector of products that "
                        f"match no prefix, such as 'other', got {other_sector!r}.",
                        field="other_sector")
    codes = sorted(set(fine["exporter"]) | set(fine["importer"]))
    cmap = region_map(regions, codes)
    df = pd.DataFrame({
        "exporter": fine["exporter"].map(cmap).to_numpy(),
        "importer": fine["importer"].map(cmap).to_numpy(),
        product_col: _sector_labels(fine["product"], sectors, other_sector),
        "value": fine["value"].to_numpy(dtype=float),
    })
    df = df[df["exporter"] != df["importer"]]
    if df.empty:
        raise DataError(f"regions: no trade between economies or regions is left: every flow "
                        f"of the file is inside one region ({sorted(set(cmap.values()))[:10]})."
                        f" Keep at least two regions that trade with each other.",
                        field="regions")
    out = (df.groupby(["exporter", "importer", product_col], sort=True, observed=True)["value"]
           .sum().reset_index())
    return out, cmap


def trade_baseline(fine: pd.DataFrame, *, what: str, regions: Any, sectors: Any,
                   domestic: Any, gdp: Any, domestic_floor: float, year: int | None,
                   source: str, other_sector: str = "other") -> Any:
    """Baseline from international product flows plus domestic sales (GDP rule or given).

    Trade between members of one region is dropped: under the GDP rule it is part of the
    region's domestic sales (GDP of the members minus their exports outside the region).
    """
    domestic_floor = domestic_floor_share(domestic_floor)
    flows, cmap = aggregate_trade(fine, regions, sectors, other_sector=other_sector)
    if domestic is None and gdp is None:
        raise DataError(
            f"{what}: a general-equilibrium baseline needs domestic sales, which this file "
            f"does not have. Pass gdp= (GDP in USD by ISO3 code; domestic sales are then "
            f"max(GDP - exports, {domestic_floor:g} x GDP)), or domestic= (a frame of domestic "
            f"sales in USD million), or use the product-level reader for the PE engines.",
            field="domestic")
    if domestic is None or (isinstance(domestic, str) and domestic.lower() == "gdp"):
        if gdp is None:
            raise DataError(f"{what}: domestic='gdp' needs gdp= (GDP in USD by ISO3 code).",
                            field="gdp")
        regs = sorted(set(flows["exporter"]) | set(flows["importer"]))
        y = regional_gdp(gdp_series(gdp, year), cmap, regs)
        dom = domestic_from_gdp(flows, y, domestic_floor)
        how = (f"domestic sales = max(GDP - exports, {domestic_floor:g} x GDP), split by "
               f"import mix")
    elif isinstance(domestic, str):
        raise DataError(f"{what}: domestic={domestic!r} is not understood; use None, 'gdp' "
                        f"or a frame of domestic sales.", field="domestic")
    else:
        regs = sorted(set(flows["exporter"]) | set(flows["importer"]))
        dom = domestic_frame(domestic, codes=regs, sectors=sorted(set(flows["sector"])))
        if "sector" not in dom.columns:
            if flows["sector"].nunique() > 1:
                raise DataError(f"{what}: domestic= needs a sector column when the baseline "
                                f"has several sectors ({sorted(flows['sector'].unique())}).",
                                field="domestic")
            dom["sector"] = flows["sector"].iloc[0]
        how = "domestic sales given by the user"
    all_flows = pd.concat([flows, dom[["exporter", "importer", "sector", "value"]]],
                          ignore_index=True)
    return to_baseline(all_flows, year=year, source=f"{source}; {how}")


def product_frame(fine: pd.DataFrame, regions: Any, sectors: Any = "HS6", *,
                  other_sector: str = "other") -> pd.DataFrame:
    """Tidy ``importer, exporter, product, value`` frame for the PE engines."""
    flows, _ = aggregate_trade(fine, regions, sectors, other_sector=other_sector,
                               product_col="product")
    return flows[["importer", "exporter", "product", "value"]].sort_values(
        ["importer", "product", "exporter"]).reset_index(drop=True)
