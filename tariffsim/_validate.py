"""Input checks shared by every entry point: one implementation of each.

* `to_date` -- the one date parser (dates, ISO strings, bare years);
* `require_columns` -- a frame has the columns a function needs;
* `numeric_column`, `code_column`, `show_rows` -- tidy-frame columns;
* `group_map` -- ``{code: group}`` or ``{group: [codes]}`` mappings (regions,
  sectors, industries, HS prefixes) normalised to ``{code: group}``.

Word-valued options are checked by `tariffsim.literals.check_option`.
Each check raises a [`tariffsim.errors.TariffSimError`][] naming the field, the
offending value or rows and the fix, so that every input is rejected the same way.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .errors import DataError, ModelError, ScenarioError, suggest, unknown_codes_message

__all__ = [
    "to_date",
    "check_when",
    "bare_year",
    "require_columns",
    "show_rows",
    "numeric_column",
    "code_column",
    "group_members",
    "group_map",
]

#: Years a bare-year date may name.
YEAR_RANGE = (1900, 2200)

_YEAR_RE = re.compile(r"^\s*(\d{4})\s*$")
_DATE_HINT = "give an ISO date such as '2025-08-07' or '2025-10-26', or a year such as 2030"


# ----------------------------------------------------------------------------- dates
def bare_year(value: Any) -> int | None:
    """The year when ``value`` is a bare year, else None.

    A bare year is an integer (Python or numpy, not a bool) or a string of four digits
    (``"2030"``, surrounding spaces allowed). The range is not checked here.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, str):
        m = _YEAR_RE.match(value)
        return int(m.group(1)) if m else None
    return None


def check_when(date: Any, year: Any) -> None:
    """The one rule for saying when: ``date=`` (a day) or ``year=`` (a calendar year, read
    with a ``year_rule``), never both; raises [`ScenarioError`][tariffsim.errors.ScenarioError] the
    same way in every entry point (``simulate``, ``project``, ``monte_carlo``, the PE
    engines, [`tariffsim.Scenario.shocks`][])."""
    if date is not None and year is not None:
        raise ScenarioError(f"date/year: got date={date!r} and year={year!r}; give date= (the "
                            f"policy in force on that day; a bare year such as '2026' is 1 "
                            f"January) or year= (the calendar year, see year_rule), not both.",
                            field="date")


def to_date(value: Any, field: str = "date") -> _dt.date | None:
    """The one date parser of tariffsim.

    Parameters
    ----------
    value : date, datetime, numpy.datetime64, str, int or None
        A `datetime.date`; a `datetime.datetime` or pandas Timestamp (its
        day); a `numpy.datetime64`; an ISO 8601 date string (``"2025-08-07"``);
        or a bare year (`bare_year`: ``2030`` or ``"2030"``, 1900-2200). None
        stays None.
    field : str
        The argument or key the value came in, named in the error.

    Returns
    -------
    datetime.date or None

    Notes
    -----
    A bare year means **1 January of that year** wherever a day is needed:

    * instrument ``start`` / ``end`` / ``by``: ``start="2025", end="2030"`` is in force
      from 1 Jan 2025 to 31 Dec 2029 (``end`` is the first day no longer in force);
      ``by="2030"`` reaches the full value on 1 Jan 2030, so in the year 2030;
    * ``Scenario(date=...)``, [`Scenario.active`][tariffsim.Scenario.active],
      [`Scenario.shocks`][tariffsim.Scenario.shocks] (``date=``), [`tariffsim.simulate`][]
      (``date=``) and the PE entry points (``date=``): the policy in force on 1 January of the year.
      To evaluate a whole year, pass ``year=`` instead (the policy on 1 July, or day-weighted with
      ``year_rule="average"``);
    * [`ImportCommitment.value_in`][tariffsim.ImportCommitment.value_in] is the exception: it reads
      a bare year as the year itself (the phase-in share of that year, in force on 1 July) and
      parses other values here.

    Raises
    ------
    ScenarioError
        A value that is not a date (NaT and NaN included), an impossible date, or a year
        outside 1900-2200.
    """
    if value is None:
        return None
    if value is pd.NaT:  # a datetime subclass whose date() is NaT again
        raise ScenarioError(f"{field}: got NaT (no date); {_DATE_HINT}, or leave it out.",
                            field=field)
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise ScenarioError(f"{field}: got NaT (no date); {_DATE_HINT}.", field=field)
        return _dt.date.fromisoformat(str(value.astype("datetime64[D]")))
    year = bare_year(value)
    if year is not None:
        lo, hi = YEAR_RANGE
        if lo <= year <= hi:
            return _dt.date(year, 1, 1)
        raise ScenarioError(f"{field}: year {year} is outside {lo}-{hi}; {_DATE_HINT}.",
                            field=field)
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
        raise ScenarioError(f"{field}: cannot read {value!r} as a date; {_DATE_HINT}.",
                            field=field)
    raise ScenarioError(f"{field}: got {type(value).__name__} {value!r}; {_DATE_HINT}.",
                        field=field)


# ----------------------------------------------------------------------------- columns
def require_columns(df: Any, required: Sequence[str], name: str, *, hint: str = "",
                    field: str = "{name}", error: type[DataError | ScenarioError | ModelError]
                    = DataError, non_empty: bool = False) -> pd.DataFrame:
    """Check that ``df`` is a DataFrame with the columns ``required``; return it.

    Parameters
    ----------
    df : object
        The frame a caller was given.
    required : sequence of str
        Columns that must be present.
    name : str
        The argument the frame came in (``"flows"``, ``"tariffs"``, ``"frame"``).
    hint : str
        The fix, appended to the message (``"Rename your columns to ..."``).
    field : str
        The ``field`` of a missing-column error: a format string with ``{name}`` and
        ``{column}`` (the first missing column); default ``"{name}"``. The other errors
        name ``name``.
    error : DataError, ScenarioError or ModelError
        The error to raise.
    non_empty : bool
        Also reject a frame without rows.

    Raises
    ------
    DataError (or ``error``)
        Not a DataFrame; ``"<name>: missing column(s) [...] (did you mean ...); found
        [...]. <hint>"``; an empty frame when ``non_empty``.
    """
    more = f" {hint}" if hint else ""
    if not isinstance(df, pd.DataFrame):
        raise error(f"{name}: expected a pandas DataFrame with columns {list(required)}, got "
                    f"{type(df).__name__}.{more}", field=name)
    found = [str(c) for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        close = suggest(missing[0], [c for c in found if c not in required])
        raise error(f"{name}: missing column(s) {missing}{close}; found {found}.{more}",
                    field=field.format(name=name, column=missing[0]))
    if non_empty and df.empty:
        raise error(f"{name}: the frame is empty; give at least one row.", field=name)
    return df




def show_rows(rows: pd.DataFrame, n: int = 5) -> str:
    """Short text of offending rows for an error message (first ``n`` and a count)."""
    text = rows.head(n).to_string(index=False)
    more = f"\n... and {len(rows) - n} more row(s)" if len(rows) > n else ""
    return f"\n{text}{more}"


def numeric_column(df: pd.DataFrame, name: str, col: str) -> np.ndarray:
    """Column ``col`` of ``df`` as finite floats, or DataError naming the offending rows.

    ``name`` is the argument the frame came in (``"flows"``, ``"tariffs"``, ...), so the
    message names the field as ``name.col``.
    """
    raw = df[col]
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna()
    if bad.any():
        raise DataError(f"{name}.{col}: non-numeric value(s) in {int(bad.sum())} row(s):"
                        f"{show_rows(df[bad])}\nGive numbers (for example 0.19 for 19%).",
                        field=f"{name}.{col}", rows=df[bad])
    out = values.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(out)
    if bad.any():
        raise DataError(f"{name}.{col}: missing, NaN or infinite value(s) in "
                        f"{int(bad.sum())} row(s):{show_rows(df[bad])}\n"
                        f"Fill or drop those rows.", field=f"{name}.{col}", rows=df[bad])
    return out


def code_column(df: pd.DataFrame, name: str, col: str) -> pd.Series:
    """Codes as stripped strings; empty or missing codes raise DataError.

    Each distinct code is stripped once (fast on millions of rows).
    """
    codes, uniques = pd.factorize(df[col], use_na_sentinel=True)
    labels = np.array([str(u).strip() for u in uniques] + [""], dtype=object)
    empty = np.array([lab == "" for lab in labels])
    bad = empty[codes]  # code -1 (missing) picks the trailing ""
    if bad.any():
        raise DataError(f"{name}.{col}: empty code(s) in {int(bad.sum())} row(s):"
                        f"{show_rows(df[bad])}\nEvery row needs a code.",
                        field=f"{name}.{col}", rows=df[bad])
    return pd.Series(labels[codes], index=df.index, dtype="str")


# ----------------------------------------------------------------------------- mappings
def group_members(mapping: Any, field: str, *,
                  normalise: Callable[[str], str] | None = None) -> dict[str, str]:
    """``{member: group}`` of a grouping given as ``{member: group}`` or
    ``{group: [members]}`` (the two forms may be mixed).

    Parameters
    ----------
    mapping : mapping
        The grouping.
    field : str
        The argument it came in, named in errors.
    normalise : callable, optional
        Applied to every member first (e.g. [`tariffsim.concordance.normalise_iso3`][]).

    Raises
    ------
    DataError
        ``mapping`` is not a mapping, a value is neither a name nor a list of names, or a
        member is put in two different groups.
    """
    if not isinstance(mapping, Mapping):
        raise DataError(f"{field}: expected a mapping {{code: group}} or {{group: [codes]}}, "
                        f"got {type(mapping).__name__}.", field=field)
    out: dict[str, str] = {}
    for key, val in mapping.items():
        if isinstance(val, str):
            pairs = [(str(key), val)]
        elif isinstance(val, Iterable) and not isinstance(val, bytes | Mapping):
            pairs = [(str(m), str(key)) for m in val]
        else:
            raise DataError(f"{field}[{key!r}]: expected a group name or a list of codes, "
                            f"got {val!r}.", field=field)
        for member, group in pairs:
            if normalise is not None:
                member = normalise(member)
            if member in out and out[member] != group:
                raise DataError(f"{field}: {member!r} is mapped to both {out[member]!r} and "
                                f"{group!r}; put every code in one group only.", field=field)
            out[member] = group
    return out


def group_map(mapping: Mapping[str, Any] | None, codes: Sequence[str], field: str, *,
              known: Collection[str] | None = None,
              normalise: Callable[[str], str] | None = None,
              unknown: Callable[[str], str] | None = None) -> dict[str, str]:
    """Normalise a grouping to ``{code: group}`` for every code in ``codes``.

    Parameters
    ----------
    mapping : mapping or None
        ``{code: group}`` or ``{group: [codes]}`` (see `group_members`); codes it
        does not mention keep their own name. None keeps every code.
    codes : sequence of str
        The codes present (countries, sectors, industries of the data).
    field : str
        The argument the mapping came in, named in errors (``"regions"``).
    known : collection of str, optional
        Codes a mapping may name besides ``codes``; such a code absent from ``codes`` has
        no effect (e.g. any ISO3 code in a region mapping).
    normalise : callable, optional
        Applied to every member before the checks (e.g.
        [`tariffsim.concordance.normalise_iso3`][]).
    unknown : callable, optional
        ``unknown(code) -> message`` for a member that is neither in ``codes`` nor
        ``known``; default `tariffsim.errors.unknown_codes_message` (with a
        did-you-mean).

    Returns
    -------
    dict
        ``{code: group}`` for every code in ``codes``, in their order.

    Raises
    ------
    DataError
        Not a mapping, a value of the wrong type, an unknown code, a code in two groups.

    Examples
    --------
    >>> group_map({"ASEAN": ["VNM", "THA"]}, ["THA", "USA", "VNM"], "regions")
    {'THA': 'ASEAN', 'USA': 'USA', 'VNM': 'ASEAN'}
    """
    if mapping is None:
        return {c: c for c in codes}
    accept = set(codes) if known is None else set(known) | set(codes)
    members = group_members(mapping, field, normalise=normalise)
    for code in members:
        if code not in accept:
            msg = (unknown(code) if unknown is not None
                   else unknown_codes_message(field, [code], list(codes)))
            raise DataError(msg, field=field)
    return {c: members.get(c, c) for c in codes}


def sector_selection(spec: Any, sectors: Sequence[str], services: Collection[str],
                     field: str = "sectors") -> tuple[np.ndarray, str]:
    """The sectors a trade balance counts: a boolean mask over ``sectors`` and a caption.

    The one rule of every balance in tariffsim
    ([`Baseline.trade_balance`][tariffsim.Baseline.trade_balance],
    [`Result.balances`][tariffsim.Result.balances], [`tariffsim.project`][]): ``"goods"`` (the
    default) counts every sector but the ``services`` -- what customs statistics (the US Census)
    report; ``"all"`` counts every sector; a list of sector names counts those.

    Raises
    ------
    DataError
        An unknown word, an unknown sector name or an empty list.
    """
    from .literals import BalanceSectors, check_option

    names = tuple(sectors)
    if isinstance(spec, str):
        check_option(spec, BalanceSectors, field, error=DataError,
                     hint="Or give a list of sector names.")
        if spec == "all":
            mask = np.ones(len(names), dtype=bool)
            text = ("all sectors" if len(names) == 1 or not services
                    else f"all {len(names)} sectors, services included")
            return mask, text
        mask = np.array([s not in services for s in names], dtype=bool)
        if not mask.any():
            raise DataError(f"{field}: every sector of this baseline is a service, so there "
                            f"is no goods balance; use {field}='all'.", field=field)
        text = ("goods" if mask.all() else
                f"goods ({int(mask.sum())} of {len(names)} sectors; services excluded)")
        return mask, text
    if isinstance(spec, Iterable) and not isinstance(spec, bytes | Mapping):
        chosen = [str(s) for s in spec]
        if not chosen:
            raise DataError(f"{field}: empty list; give sector names, 'goods' or 'all'.",
                            field=field)
        bad = [s for s in chosen if s not in names]
        if bad:
            raise DataError(unknown_codes_message(field, bad, list(names)), field=field)
        mask = np.isin(np.array(names, dtype=object), chosen)
        return mask, "sectors " + ", ".join(s for s in names if s in chosen)
    raise DataError(f"{field}: expected 'goods', 'all' or a list of sector names, got "
                    f"{type(spec).__name__} {spec!r}.", field=field)
