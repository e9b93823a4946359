"""The Baseline: a world of countries x countries x sectors, with its provenance.

A [`Baseline`][tariffsim.baseline.Baseline] holds trade flows at world (tariff-exclusive) prices
including domestic sales, applied tariffs, and optionally input-output and value-added shares,
together with the year, units and sources of the figures. It is validated when it is built and
immutable afterwards (every array is read-only); ``replace`` and ``aggregate`` return new, validated
baselines.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._validate import (
    bare_year,
    code_column,
    group_map,
    numeric_column,
    require_columns,
    sector_selection,
    show_rows,
)
from .errors import DataError, TariffSimWarning, suggest, unknown_codes_message
from .literals import BalanceSectors

__all__ = ["Baseline", "DEFAULT_SECTOR"]

#: Name of the single sector of a baseline built without a ``sector`` column.
DEFAULT_SECTOR = "total"

#: Tolerance on shares that must add up to one (value added + intermediate inputs).
SHARE_TOL = 1e-6

_FLOW_COLS = ("exporter", "importer", "value")
_TARIFF_COLS = ("exporter", "importer", "rate")
_IO_COLS = ("country", "input_sector", "sector", "share")
_VA_COLS = ("country", "sector", "share")


def _require_columns(df: Any, name: str, required: Sequence[str]) -> pd.DataFrame:
    return require_columns(df, required, name, non_empty=True,
                           hint=f"Rename your columns to {list(required)} (optional: 'sector').")


def _check_duplicates(df: pd.DataFrame, name: str, keys: Sequence[str]) -> None:
    dup = df.duplicated(list(keys), keep=False)
    if dup.any():
        raise DataError(f"{name}: duplicate rows for the same {'/'.join(keys)} "
                        f"({int(dup.sum())} rows):{show_rows(df[dup].sort_values(list(keys)))}\n"
                        f"Sum or drop the duplicates before building the baseline.",
                        field=name, rows=df[dup])


def _check_known(values: pd.Series, known: Sequence[str], name: str, df: pd.DataFrame) -> None:
    known_set = set(known)
    bad = ~values.isin(known_set)
    if bad.any():
        unknown = list(dict.fromkeys(values[bad]))
        raise DataError(unknown_codes_message(name, unknown, list(known)) +
                        f"\nOffending rows:{show_rows(df[bad])}", field=name, rows=df[bad])


def _float_array(a: Any, name: str) -> np.ndarray:
    """``np.asarray(a, dtype=float)`` with a DataError (not a bare ValueError) for text, and
    for complex numbers (numpy would drop the imaginary part with only a warning)."""
    if np.iscomplexobj(a):
        raise DataError(f"{name}: complex numbers; give real numbers.", field=name)
    try:
        return np.asarray(a, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name}: cannot read the entries as numbers ({exc}); give a numeric "
                        f"array.", field=name) from None


def _labels(value: Any, name: str, *, one: bool = False) -> tuple[str, ...]:
    """Codes or sector names as a tuple of stripped strings.

    A single string is one name when ``one`` (``sectors="goods"``) and an error otherwise
    (``countries="USA"`` would be read letter by letter); empty names are refused.
    """
    if isinstance(value, str) and one:
        value = (value,)
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise DataError(f"{name}: expected a list of names such as ['USA', 'CHN'], got "
                        f"{type(value).__name__} {value!r:.60}.", field=name)
    out = tuple(str(v).strip() for v in value)
    empty = [k for k, v in enumerate(out) if not v]
    if empty:
        raise DataError(f"{name}: empty name at position(s) {empty[:5]}; every entry needs a "
                        f"code or name.", field=name)
    return out
def _services(value: Any, sectors: tuple[str, ...]) -> tuple[str, ...]:
    """Validated service sectors (default: tariffsim's service sectors by name)."""
    from .sectors import services_of

    if value is None:
        return services_of(sectors)
    items = (value,) if isinstance(value, str) else tuple(value)
    svc = tuple(str(v) for v in items)
    bad = [v for v in svc if v not in sectors]
    if bad:
        raise DataError(unknown_codes_message("services", bad, list(sectors)) +
                        " List the baseline's service sectors by name.", field="services")
    return tuple(s for s in sectors if s in svc)


def _readonly(a: np.ndarray) -> np.ndarray:
    """A copy of ``a`` backed by an immutable ``bytes`` buffer: read-only for good (numpy
    refuses ``flags.writeable = True`` on it), so a baseline shared by a cache cannot be
    changed through any of its arrays."""
    a = np.ascontiguousarray(a, dtype=float)
    return np.frombuffer(a.tobytes(), dtype=float).reshape(a.shape)


#: Years a baseline may carry (those of the loaders' year columns).
YEAR_LIMITS = (1800, 2200)


def _year(value: Any) -> int | None:
    """``year=`` as an int (an integer, a four-digit string or a whole float), or None."""
    if value is None:
        return None
    year = bare_year(value)
    if (year is None and isinstance(value, float | np.floating) and np.isfinite(value)
            and float(value).is_integer()):
        year = int(value)
    lo, hi = YEAR_LIMITS
    if year is None or not lo <= year <= hi:
        raise DataError(f"year: got {type(value).__name__} {value!r}; give the year of the "
                        f"data as an integer from {lo} to {hi}, such as 2024 (or None).",
                        field="year")
    return year


def _case_clashes(codes: Sequence[str]) -> list[list[str]]:
    """Groups of distinct codes that are equal apart from upper/lower case."""
    groups: dict[str, list[str]] = {}
    for c in dict.fromkeys(codes):
        groups.setdefault(c.upper(), []).append(c)
    return [g for g in groups.values() if len(g) > 1]


def _clash_message(field_: str, clashes: list[list[str]]) -> str:
    pairs = "; ".join(" and ".join(repr(c) for c in g) for g in clashes[:5])
    return (f"{field_}: {pairs} differ only in upper/lower case and would be separate "
            f"{'economies' if 'sector' not in field_ else 'sectors'}; write each code one "
            f"way (ISO3 codes are upper case: 'USA').")


@dataclass(frozen=True, eq=False, repr=False)
class Baseline:
    """Trade flows, tariffs and production structure of a world economy in one year.

    Build it with [`from_frame`][tariffsim.baseline.Baseline.from_frame] (long DataFrames) or
    [`from_arrays`][tariffsim.baseline.Baseline.from_arrays]; load the embedded default with
    [`tariffsim.load_baseline`][].

    Attributes
    ----------
    countries : tuple of str
        Economy codes (ISO3, plus aggregates such as EU27 and ROW), in array order.
    sectors : tuple of str
        Sector names in array order (``("total",)`` for a one-sector baseline).
    flows : ndarray, shape (N, N, J)
        Trade flows ``[exporter, importer, sector]`` at world (tariff-exclusive) prices,
        in ``units``. The diagonal ``exporter == importer`` holds domestic sales.
    tariffs : ndarray, shape (N, N, J)
        Applied ad valorem tariffs ``[exporter, importer, sector]`` (0.19 means 19%),
        levied by the importer.
    io : ndarray, shape (N, J, J)
        ``io[n, k, j]``: share of sector j's gross output in country n spent on inputs
        from sector k (gamma_n^{k,j} in Caliendo & Parro 2015). Zeros without IO data.
    value_added : ndarray, shape (N, J)
        Value-added share of gross output (gamma_n^j); ``value_added + io.sum(axis=1)``
        equals one.
    year : int or None
    units : str
    source : str or None
        Citation of the data set as a whole.
    provenance : pandas.DataFrame
        Where figures came from: columns ``field, exporter, importer, sector, source``
        (and optionally ``note``, ``confidence``); ``"*"`` stands for all.
    services : tuple of str
        The service sectors (no customs statistics, no goods tariffs). Default: the
        sectors named as tariffsim's service sectors
        (`tariffsim.sectors.SERVICE_SECTORS`), so none for most user baselines.
        Balances count the other sectors, the goods, unless told otherwise
        ([`trade_balance`][tariffsim.baseline.Baseline.trade_balance], ``sectors=``).
    tariff_lines : bool
        True (default): US Tariffs of a scenario are read at the tariff line, from 2024 US
        imports and duties by partner and HTS10 line, wherever this baseline's economies
        and sectors allow it ([`tariffsim.resolve.tariff_levels`][]). False: the
        cell-level rules only, for replications of studies that apply headline rates to
        all of a pair's trade (`tariffsim.io.read_liberation_day`) and for toy worlds.
    """

    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    flows: np.ndarray
    tariffs: np.ndarray
    io: np.ndarray
    value_added: np.ndarray
    year: int | None = None
    units: str = "USD million"
    source: str | None = None
    provenance: pd.DataFrame = field(default_factory=pd.DataFrame)
    has_io: bool = False
    #: None when built means "by name" (see the class notes); always a tuple once built
    services: tuple[str, ...] = None  # type: ignore[assignment]
    tariff_lines: bool = True

    # ------------------------------------------------------------------ construction
    def __post_init__(self) -> None:
        # Normalise and validate; the dataclass is frozen, so write through object.
        countries = _labels(self.countries, "countries")
        sectors = _labels(self.sectors, "sectors", one=True)
        if not countries:
            raise DataError("countries: the baseline is empty; give at least two economies.",
                            field="countries")
        if not sectors:
            raise DataError("sectors: give at least one sector.", field="sectors")
        for name, codes in (("countries", countries), ("sectors", sectors)):
            dup = sorted({c for c in codes if codes.count(c) > 1})
            if dup:
                raise DataError(f"{name}: duplicate code(s) {dup}; each must appear once.",
                                field=name)
            clashes = _case_clashes(codes)
            if clashes:
                raise DataError(_clash_message(name, clashes), field=name)
        year = _year(self.year)
        if not isinstance(self.units, str) or not self.units.strip():
            raise DataError(f"units: expected the money units as text such as 'USD million', "
                            f"got {self.units!r}.", field="units")
        if self.source is not None and not isinstance(self.source, str):
            raise DataError(f"source: expected a citation as text (or None), got "
                            f"{type(self.source).__name__}.", field="source")
        n, j = len(countries), len(sectors)
        arrays = {}
        for name, shape in (("flows", (n, n, j)), ("tariffs", (n, n, j)),
                            ("io", (n, j, j)), ("value_added", (n, j))):
            a = _float_array(getattr(self, name), name)
            if a.shape != shape:
                raise DataError(f"{name}: shape {a.shape} does not match {shape} "
                                f"(countries={n}, sectors={j}).", field=name)
            if not np.all(np.isfinite(a)):
                idx = np.argwhere(~np.isfinite(a))[:5].tolist()
                raise DataError(f"{name}: NaN or infinite entries at {idx}; every entry must "
                                f"be a finite number.", field=name)
            arrays[name] = a
        flows, tariffs = arrays["flows"], arrays["tariffs"]
        if (flows < 0).any():
            idx = np.argwhere(flows < 0)[:5]
            where = [(countries[a], countries[b], sectors[c]) for a, b, c in idx]
            raise DataError(f"flows: negative value(s) at (exporter, importer, sector) {where}; "
                            f"trade flows must be >= 0.", field="flows")
        with np.errstate(over="ignore"):
            total = flows.sum()
        if not np.isfinite(total) or total > 1e300:
            raise DataError("flows: the values are too large (their total is beyond 1e300); "
                            "give them in larger units (USD million, not USD).", field="flows")
        if total <= 0:
            raise DataError("flows: all flows are zero; the baseline has no trade and no "
                            "domestic sales.", field="flows")
        if (tariffs <= -1).any():
            idx = np.argwhere(tariffs <= -1)[:5]
            where = [(countries[a], countries[b], sectors[c]) for a, b, c in idx]
            raise DataError(f"tariffs: rate(s) at or below -100% at {where}; a tariff of "
                            f"-1 would make imports free. Rates are fractions: 0.19 means 19%.",
                            field="tariffs")
        if (tariffs > 10).any():
            warnings.warn(f"tariffs: {int((tariffs > 10).sum())} rate(s) above 1000%; rates are "
                          f"fractions (0.19 means 19%), check the units.", TariffSimWarning,
                          stacklevel=3)
        io, va = arrays["io"], arrays["value_added"]
        if (io < 0).any() or (va < 0).any() or (va > 1 + SHARE_TOL).any():
            raise DataError("io/value_added: shares must lie in [0, 1].", field="io")
        total = va + io.sum(axis=1)
        bad = np.abs(total - 1) > SHARE_TOL
        if bad.any():
            idx = np.argwhere(bad)[:5]
            where = [(countries[a], sectors[b], round(float(total[a, b]), 6)) for a, b in idx]
            raise DataError(f"io/value_added: value-added share plus intermediate-input shares "
                            f"must add up to 1 for each (country, sector); got "
                            f"(country, sector, sum) {where}. Give io as shares of gross output "
                            f"and value_added = 1 - sum of io shares.", field="io")
        prov: Any = self.provenance  # what the caller passed, checked here
        if prov is None:
            prov = pd.DataFrame()
        if not isinstance(prov, pd.DataFrame):
            raise DataError(f"provenance: expected a DataFrame of sources (columns field, "
                            f"exporter, importer, sector, source) or None, got "
                            f"{type(prov).__name__}; put a citation of the whole data set "
                            f"in source=.", field="provenance")
        set_ = object.__setattr__
        set_(self, "countries", countries)
        set_(self, "sectors", sectors)
        for name, a in arrays.items():
            set_(self, name, _readonly(a))
        set_(self, "has_io", bool(io.any()))
        set_(self, "provenance", prov.reset_index(drop=True))
        set_(self, "year", year)
        set_(self, "services", _services(self.services, sectors))
        if not isinstance(self.tariff_lines, bool | np.bool_):
            raise DataError(f"tariff_lines: expected True or False, got {self.tariff_lines!r}.",
                            field="tariff_lines")
        set_(self, "tariff_lines", bool(self.tariff_lines))

    @classmethod
    def from_arrays(cls, countries: Sequence[str], sectors: Sequence[str] | None,
                    flows: np.ndarray, tariffs: np.ndarray | None = None,
                    io: np.ndarray | None = None, value_added: np.ndarray | None = None,
                    year: int | None = None, units: str = "USD million",
                    source: str | None = None,
                    provenance: pd.DataFrame | None = None,
                    services: Sequence[str] | None = None,
                    tariff_lines: bool = True) -> Baseline:
        """Build a baseline from arrays ``[exporter, importer, sector]``.

        ``flows`` may be 2-D (N, N) for one sector. Missing ``tariffs`` are zero; missing
        ``io`` means no intermediate inputs (``value_added`` = 1); with ``io`` but no
        ``value_added``, value added is ``1 - io.sum(axis=1)``. ``services``,
        ``tariff_lines``: see the attributes.
        """
        flows = _float_array(flows, "flows")
        if flows.ndim == 2:
            flows = flows[:, :, None]
        countries = _labels(countries, "countries")
        sectors = (_labels(sectors, "sectors", one=True) if sectors is not None
                   else (DEFAULT_SECTOR,))
        n, j = len(countries), len(sectors)
        tariffs = np.zeros((n, n, j)) if tariffs is None else _float_array(tariffs, "tariffs")
        if tariffs.ndim == 2:
            tariffs = tariffs[:, :, None]
        if io is None:
            io = np.zeros((n, j, j))
            if value_added is None:
                value_added = np.ones((n, j))
        else:
            io = _float_array(io, "io")
            if value_added is None:
                sums = io.sum(axis=1)
                if (sums > 1 + SHARE_TOL).any():
                    idx = np.argwhere(sums > 1 + SHARE_TOL)[:5]
                    where = [(countries[a], sectors[b], round(float(sums[a, b]), 6))
                             for a, b in idx]
                    raise DataError(f"io: intermediate-input shares sum above one for "
                                    f"(country, sector, sum) {where}; shares are fractions of "
                                    f"gross output.", field="io")
                value_added = 1.0 - sums
        return cls(tuple(countries), sectors, flows, tariffs, io,
                   _float_array(value_added, "value_added"),
                   year=year, units=units, source=source,
                   provenance=provenance if provenance is not None else pd.DataFrame(),
                   services=_services(services, tuple(str(x) for x in sectors)),
                   tariff_lines=tariff_lines)

    @classmethod
    def from_frame(cls, flows: pd.DataFrame, tariffs: pd.DataFrame | None = None,
                   io: pd.DataFrame | None = None, value_added: pd.DataFrame | None = None,
                   year: int | None = None, units: str = "USD million",
                   source: str | None = None,
                   provenance: pd.DataFrame | None = None,
                   countries: Sequence[str] | None = None,
                   sectors: Sequence[str] | None = None,
                   services: Sequence[str] | None = None,
                   tariff_lines: bool = True) -> Baseline:
        """Build a baseline from long (tidy) DataFrames.

        Parameters
        ----------
        flows : DataFrame
            Columns ``exporter``, ``importer``, optional ``sector``, ``value`` (world
            prices, tariff-exclusive; rows with ``exporter == importer`` are domestic
            sales). Pairs not listed are zero. A ``rate`` column, if present and
            ``tariffs`` is None, is read as the applied tariff.
        tariffs : DataFrame, optional
            Columns ``exporter``, ``importer``, optional ``sector``, ``rate`` (0.19 means
            19%). Pairs not listed have zero tariff; without a ``sector`` column a rate
            applies to every sector.
        io : DataFrame, optional
            Columns ``country``, ``input_sector``, ``sector``, ``share``: the share of
            ``sector``'s gross output spent on ``input_sector`` inputs.
        value_added : DataFrame, optional
            Columns ``country``, ``sector``, ``share`` (of gross output). Must equal one
            minus the io shares; derived from them when omitted.
        year, units, source, provenance
            Metadata kept with the baseline.
        countries, sectors : sequence of str, optional
            Array order. By default countries are sorted and sectors keep the order in
            which they first appear in ``flows``. Codes listed here but absent from
            ``flows`` get zero flows; codes in ``flows`` missing here raise DataError.
        services : sequence of str, optional
            The service sectors (`services`); default: tariffsim's service sector
            names found in the sectors.
        tariff_lines : bool
            Read US Tariffs at the tariff line where possible
            ([`tariff_lines`][tariffsim.tariff_lines]).

        Raises
        ------
        DataError
            Missing columns, empty frames, non-numeric, NaN, infinite or negative flows,
            duplicate rows, codes in tariffs/io/value_added that are not in flows,
            tariffs at or below -100%, shares that do not add up.
        """
        flows = _require_columns(flows, "flows", _FLOW_COLS)
        has_sector = "sector" in flows.columns
        df = pd.DataFrame({
            "exporter": code_column(flows, "flows", "exporter"),
            "importer": code_column(flows, "flows", "importer"),
            "sector": code_column(flows, "flows", "sector") if has_sector else DEFAULT_SECTOR,
            "value": numeric_column(flows, "flows", "value"),
        })
        neg = df["value"] < 0
        if neg.any():
            raise DataError(f"flows.value: negative trade flow(s) in {int(neg.sum())} row(s):"
                            f"{show_rows(df[neg])}\nTrade flows must be >= 0.",
                            field="flows.value", rows=df[neg])
        _check_duplicates(df, "flows", ("exporter", "importer", "sector"))
        clashes = _case_clashes([*df["exporter"].unique(), *df["importer"].unique()])
        if clashes:
            twins = {c for g in clashes for c in g}
            # name the column that holds two spellings (the exporter's when neither does)
            col = next((c for c in ("exporter", "importer")
                        if any(len(set(g) & set(df[c])) > 1 for g in clashes)), "exporter")
            rows = df[df["exporter"].isin(twins) | df["importer"].isin(twins)]
            raise DataError(_clash_message(f"flows.{col}", clashes) + show_rows(rows),
                            field=f"flows.{col}", rows=rows)
        seen_c = set(df["exporter"]) | set(df["importer"])
        if countries is None:
            countries = tuple(sorted(seen_c))
        else:
            countries = _labels(countries, "countries")
            _check_known(df["exporter"], countries, "flows.exporter", df)
            _check_known(df["importer"], countries, "flows.importer", df)
        if sectors is None:
            sectors = tuple(dict.fromkeys(df["sector"]))  # first-seen order
        else:
            sectors = _labels(sectors, "sectors", one=True)
            _check_known(df["sector"], sectors, "flows.sector", df)
        ci = {c: i for i, c in enumerate(countries)}
        si = {s: k for k, s in enumerate(sectors)}
        n, j = len(countries), len(sectors)
        arr = np.zeros((n, n, j))
        e = df["exporter"].map(ci).to_numpy()
        m = df["importer"].map(ci).to_numpy()
        s = df["sector"].map(si).to_numpy()
        arr[e, m, s] = df["value"].to_numpy()

        if tariffs is None and "rate" in flows.columns:
            tariffs = flows.loc[:, [c for c in ("exporter", "importer", "sector", "rate")
                                    if c in flows.columns]]
        tar = np.zeros((n, n, j))
        if tariffs is not None:
            tariffs = _require_columns(tariffs, "tariffs", _TARIFF_COLS)
            t_has_sector = "sector" in tariffs.columns
            t = pd.DataFrame({
                "exporter": code_column(tariffs, "tariffs", "exporter"),
                "importer": code_column(tariffs, "tariffs", "importer"),
                "sector": (code_column(tariffs, "tariffs", "sector") if t_has_sector
                           else DEFAULT_SECTOR),
                "rate": numeric_column(tariffs, "tariffs", "rate"),
            })
            _check_known(t["exporter"], countries, "tariffs.exporter", t)
            _check_known(t["importer"], countries, "tariffs.importer", t)
            if t_has_sector:
                _check_known(t["sector"], sectors, "tariffs.sector", t)
            _check_duplicates(t, "tariffs", ("exporter", "importer", "sector"))
            positive = t.loc[t["rate"] > 0, "rate"]
            if len(positive) and positive.median() >= 1.5:
                warnings.warn(f"tariffs.rate: the typical rate is {positive.median():g} "
                              f"({positive.median():.0%}); rates are fractions (0.19 means "
                              f"19%). If the column holds percentages, divide it by 100.",
                              TariffSimWarning, stacklevel=2)
            low = t["rate"] <= -1
            if low.any():
                raise DataError(f"tariffs.rate: rate(s) at or below -100% in {int(low.sum())} "
                                f"row(s):{show_rows(t[low])}\nRates are fractions: 0.19 means 19%.",
                                field="tariffs.rate", rows=t[low])
            te = t["exporter"].map(ci).to_numpy()
            tm = t["importer"].map(ci).to_numpy()
            if t_has_sector:
                tar[te, tm, t["sector"].map(si).to_numpy()] = t["rate"].to_numpy()
            else:
                tar[te, tm, :] = t["rate"].to_numpy()[:, None]

        io_arr = None
        if io is not None:
            io = _require_columns(io, "io", _IO_COLS)
            d = pd.DataFrame({
                "country": code_column(io, "io", "country"),
                "input_sector": code_column(io, "io", "input_sector"),
                "sector": code_column(io, "io", "sector"),
                "share": numeric_column(io, "io", "share"),
            })
            _check_known(d["country"], countries, "io.country", d)
            _check_known(d["input_sector"], sectors, "io.input_sector", d)
            _check_known(d["sector"], sectors, "io.sector", d)
            _check_duplicates(d, "io", ("country", "input_sector", "sector"))
            bad = (d["share"] < 0) | (d["share"] > 1)
            if bad.any():
                raise DataError(f"io.share: share(s) outside [0, 1] in {int(bad.sum())} row(s):"
                                f"{show_rows(d[bad])}\nShares are fractions of gross output.",
                                field="io.share", rows=d[bad])
            io_arr = np.zeros((n, j, j))
            io_arr[d["country"].map(ci).to_numpy(), d["input_sector"].map(si).to_numpy(),
                   d["sector"].map(si).to_numpy()] = d["share"].to_numpy()
        va_arr = None
        if value_added is not None:
            value_added = _require_columns(value_added, "value_added", _VA_COLS)
            d = pd.DataFrame({
                "country": code_column(value_added, "value_added", "country"),
                "sector": code_column(value_added, "value_added", "sector"),
                "share": numeric_column(value_added, "value_added", "share"),
            })
            _check_known(d["country"], countries, "value_added.country", d)
            _check_known(d["sector"], sectors, "value_added.sector", d)
            _check_duplicates(d, "value_added", ("country", "sector"))
            bad = (d["share"] < 0) | (d["share"] > 1)
            if bad.any():
                raise DataError(f"value_added.share: share(s) outside [0, 1]:{show_rows(d[bad])}\n"
                                f"Shares are fractions of gross output.",
                                field="value_added.share", rows=d[bad])
            va_arr = np.ones((n, j)) if io_arr is None else np.full((n, j), np.nan)
            va_arr[d["country"].map(ci).to_numpy(), d["sector"].map(si).to_numpy()] = (
                d["share"].to_numpy())
            if np.isnan(va_arr).any():
                idx = np.argwhere(np.isnan(va_arr))[:5]
                where = [(countries[a], sectors[b]) for a, b in idx]
                raise DataError(f"value_added: no share for (country, sector) {where}; give "
                                f"one row per country and sector, or omit value_added to "
                                f"derive it from io.", field="value_added")
            if io_arr is None:
                io_arr = np.zeros((n, j, j))
                if np.abs(va_arr - 1).max() > SHARE_TOL:
                    raise DataError("value_added: shares below one need io (the intermediate "
                                    "inputs that make up the rest of gross output); give io "
                                    "too, or omit value_added.", field="value_added")
        return cls.from_arrays(countries, sectors, arr, tar, io_arr, va_arr, year=year,
                               units=units, source=source, provenance=provenance,
                               services=services, tariff_lines=tariff_lines)

    def replace(self, **changes: Any) -> Baseline:
        """Return a new validated baseline with some attributes changed.

        Examples
        --------
        >>> scaled = base.replace(flows=base.flows * 1.05, year=2025)  # doctest: +SKIP
        """
        allowed = {"countries", "sectors", "flows", "tariffs", "io", "value_added", "year",
                   "units", "source", "provenance", "services", "tariff_lines"}
        unknown = set(changes) - allowed
        if unknown:
            bad = sorted(unknown)[0]
            raise DataError(f"replace: unknown attribute {bad!r}{suggest(bad, allowed)}; "
                            f"allowed: {sorted(allowed)}.", field=bad)
        kw = {k: getattr(self, k) for k in allowed}
        if "sectors" in changes and "services" not in changes:
            kw["services"] = None          # new sector names: the default rule again
        kw.update(changes)
        return Baseline(**kw)

    # ------------------------------------------------------------------ lookups
    @property
    def n_countries(self) -> int:
        """Number of economies N."""
        return len(self.countries)

    @property
    def n_sectors(self) -> int:
        """Number of sectors J."""
        return len(self.sectors)

    def country_index(self, code: str) -> int:
        """Position of ``code`` in `countries`; DataError with a suggestion if absent."""
        try:
            return self.countries.index(str(code))
        except ValueError:
            raise DataError(unknown_codes_message("country", [str(code)], self.countries),
                            field="country") from None

    def sector_index(self, name: str) -> int:
        """Position of ``name`` in `sectors`; DataError with a suggestion if absent."""
        try:
            return self.sectors.index(str(name))
        except ValueError:
            raise DataError(unknown_codes_message("sector", [str(name)], self.sectors),
                            field="sector") from None

    @property
    def goods(self) -> tuple[str, ...]:
        """The goods sectors: every sector but the `services`."""
        return tuple(s for s in self.sectors if s not in self.services)

    # ------------------------------------------------------------------ derived figures
    def gross_output(self) -> np.ndarray:
        """Gross output by (country, sector): sales to all destinations, shape (N, J)."""
        return self.flows.sum(axis=1)

    def absorption(self) -> np.ndarray:
        """Spending by (importer, sector) at world prices, shape (N, J)."""
        return self.flows.sum(axis=0)

    def international(self) -> np.ndarray:
        """Flows with the domestic diagonal set to zero, shape (N, N, J)."""
        out = np.array(self.flows, copy=True)
        idx = np.arange(self.n_countries)
        out[idx, idx, :] = 0.0
        return out

    def tariff_revenue(self) -> pd.Series:
        """Tariff revenue collected by each importer: sum tau * X over exporters, sectors."""
        rev = (self.tariffs * self.international()).sum(axis=(0, 2))
        return pd.Series(rev, index=pd.Index(self.countries, name="country"),
                         name="tariff_revenue")

    def trade_balance(self, partner: str | None = None,
                      sectors: BalanceSectors | Sequence[str] = "goods") -> pd.DataFrame:
        """Exports, imports and balance at world prices, per country and bilateral.

        Domestic sales are excluded. The balance is exports minus imports of ``country``
        (a positive number is a surplus).

        Parameters
        ----------
        partner : str, optional
            Keep only the rows against this partner (``"WLD"`` for the totals).
        sectors : {"goods", "all"} or list of str
            Which sectors count: the goods (default; every sector but `services`,
            what customs statistics such as the US Census report), all sectors, or the
            sectors listed (`tariffsim._validate.sector_selection`).

        Returns
        -------
        DataFrame
            Columns ``country, partner, exports, imports, balance``; the rows with
            ``partner == "WLD"`` are each country's totals. Units are `units`;
            ``attrs["sectors"]`` says which sectors were counted.
        """
        mask, text = sector_selection(sectors, self.sectors, self.services)
        x = self.international()[:, :, mask].sum(axis=2)  # [exporter, importer]
        n = self.n_countries
        c = np.repeat(np.array(self.countries, dtype=object), n)
        p = np.tile(np.array(self.countries, dtype=object), n)
        bil = pd.DataFrame({"country": c, "partner": p, "exports": x.ravel(),
                            "imports": x.T.ravel()})
        bil = bil[bil["country"] != bil["partner"]]
        tot = pd.DataFrame({"country": list(self.countries), "partner": "WLD",
                            "exports": x.sum(axis=1), "imports": x.sum(axis=0)})
        out = pd.concat([bil, tot], ignore_index=True)
        out["balance"] = out["exports"] - out["imports"]
        if partner is not None:
            if partner != "WLD":
                self.country_index(partner)
            out = out[out["partner"] == partner].reset_index(drop=True)
        out.attrs["units"] = self.units
        out.attrs["sectors"] = text
        return out

    # ------------------------------------------------------------------ frames
    def to_frame(self) -> pd.DataFrame:
        """Long frame of flows with their tariff: ``exporter, importer, sector, value, rate``.

        Only non-zero flows and non-zero tariffs are listed.
        ``Baseline.from_frame(base.to_frame())`` rebuilds flows and tariffs exactly; use
        [`to_frames`][tariffsim.baseline.Baseline.to_frames] to round-trip io, value added and
        metadata too.
        """
        n, j = self.n_countries, self.n_sectors
        e, m, s = np.meshgrid(np.arange(n), np.arange(n), np.arange(j), indexing="ij")
        keep = ((self.flows != 0) | (self.tariffs != 0)).ravel()
        c = np.array(self.countries, dtype=object)
        sec = np.array(self.sectors, dtype=object)
        return pd.DataFrame({
            "exporter": c[e.ravel()[keep]], "importer": c[m.ravel()[keep]],
            "sector": sec[s.ravel()[keep]], "value": self.flows.ravel()[keep],
            "rate": self.tariffs.ravel()[keep],
        })

    def to_frames(self) -> dict[str, Any]:
        """Everything needed to rebuild the baseline exactly.

        ``Baseline.from_frame(**base.to_frames()) == base`` (including order, io, value
        added, year, units, source and provenance).
        """
        flows = self.to_frame()
        out: dict[str, Any] = {
            "flows": flows.drop(columns="rate"),
            "tariffs": flows.loc[flows["rate"] != 0, ["exporter", "importer", "sector", "rate"]]
            .reset_index(drop=True),
            "io": None, "value_added": None, "year": self.year, "units": self.units,
            "source": self.source, "provenance": self.provenance,
            "countries": self.countries, "sectors": self.sectors, "services": self.services,
            "tariff_lines": self.tariff_lines,
        }
        if out["tariffs"].empty:
            out["tariffs"] = None
        if self.has_io:
            n, j = self.n_countries, self.n_sectors
            c, k, s = np.meshgrid(np.arange(n), np.arange(j), np.arange(j), indexing="ij")
            keep = (self.io != 0).ravel()
            cc = np.array(self.countries, dtype=object)
            ss = np.array(self.sectors, dtype=object)
            out["io"] = pd.DataFrame({"country": cc[c.ravel()[keep]],
                                      "input_sector": ss[k.ravel()[keep]],
                                      "sector": ss[s.ravel()[keep]],
                                      "share": self.io.ravel()[keep]})
            cv, sv = np.meshgrid(np.arange(n), np.arange(j), indexing="ij")
            out["value_added"] = pd.DataFrame({"country": cc[cv.ravel()],
                                               "sector": ss[sv.ravel()],
                                               "share": self.value_added.ravel()})
        return out

    # ------------------------------------------------------------------ aggregation
    def aggregate(self, regions: Mapping[str, Any] | None = None,
                  sectors: Mapping[str, Any] | None = None) -> Baseline:
        """Sum economies into regions and sectors into broader sectors.

        Flows are summed (trade among members of a region becomes the region's domestic
        sales, and its tariffs are dropped: a region is treated as a customs union).
        Tariffs are trade-weighted by the flows they apply to (a simple average where the
        aggregated flow is zero), so tariff revenue on trade between regions is preserved.
        IO and value-added shares are weighted by gross output, which preserves value
        added and intermediate purchases.

        Parameters
        ----------
        regions, sectors : mapping, optional
            Either ``{code: group}`` or ``{group: [codes]}``; codes not mentioned keep
            their own name.

        Returns
        -------
        Baseline
        """
        cmap = group_map(regions, self.countries, "regions")
        smap = group_map(sectors, self.sectors, "sectors")
        new_c = tuple(dict.fromkeys(cmap[c] for c in self.countries))
        new_s = tuple(dict.fromkeys(smap[s] for s in self.sectors))
        # aggregation matrices: A[old, new] = 1 when old belongs to new
        ac = np.zeros((self.n_countries, len(new_c)))
        ac[np.arange(self.n_countries), [new_c.index(cmap[c]) for c in self.countries]] = 1
        as_ = np.zeros((self.n_sectors, len(new_s)))
        as_[np.arange(self.n_sectors), [new_s.index(smap[s]) for s in self.sectors]] = 1

        def agg3(a: np.ndarray) -> np.ndarray:
            return np.einsum("ia,nb,ins,sc->abc", ac, ac, a, as_)

        flows = agg3(self.flows)
        revenue = agg3(self.flows * self.tariffs)
        counts = agg3(np.ones_like(self.flows))
        simple = agg3(self.tariffs) / counts
        with np.errstate(invalid="ignore", divide="ignore"):
            tariffs = np.where(flows > 0, revenue / np.where(flows > 0, flows, 1), simple)
        # trade within a region becomes its domestic sales: a region is a customs union
        tariffs[np.arange(len(new_c)), np.arange(len(new_c)), :] = 0.0
        go = self.gross_output()  # (N, J)
        # intermediate purchases io[n,k,j]*GO[n,j] and value added va*GO, summed
        inter = np.einsum("na,kb,nkj,nj,jc->abc", ac, as_, self.io, go, as_)
        va = np.einsum("na,nj,nj,jc->ac", ac, self.value_added, go, as_)
        go_new = np.einsum("na,nj,jc->ac", ac, go, as_)
        with np.errstate(invalid="ignore", divide="ignore"):
            io_new = np.where(go_new[:, None, :] > 0,
                              inter / np.where(go_new > 0, go_new, 1)[:, None, :], 0.0)
            va_new = np.where(go_new > 0, va / np.where(go_new > 0, go_new, 1),
                              1.0 - io_new.sum(axis=1))
        if not self.has_io:
            io_new = np.zeros_like(io_new)
            va_new = np.ones_like(va_new)
        # a broader sector is a service when all its members are (a mix holds goods trade)
        services = tuple(g for g in new_s
                         if all(s in self.services for s in self.sectors if smap[s] == g))
        prov = self.provenance
        note = pd.DataFrame([{"field": "aggregate", "exporter": "*", "importer": "*",
                              "sector": "*",
                              "source": "tariffsim.Baseline.aggregate: flows summed, tariffs "
                                        "trade-weighted, IO/value added weighted by gross "
                                        "output",
                              "note": f"regions={ {k: v for k, v in cmap.items() if k != v} }; "
                                      f"sectors={ {k: v for k, v in smap.items() if k != v} }"}])
        prov = pd.concat([prov, note], ignore_index=True) if not prov.empty else note
        return Baseline(new_c, new_s, flows, tariffs, io_new, va_new, year=self.year,
                        units=self.units, source=self.source, provenance=prov,
                        services=services, tariff_lines=self.tariff_lines)

    # ------------------------------------------------------------------ display
    def summary(self, sectors: BalanceSectors | Sequence[str] = "goods") -> pd.DataFrame:
        """Per country: gross output and domestic sales (all sectors); exports, imports and
        balance of the ``sectors`` counted (default the goods, see
        [`trade_balance`][tariffsim.baseline.Baseline.trade_balance]); mean tariff (revenue over all
        imports)."""
        tb = self.trade_balance(partner="WLD", sectors=sectors).set_index("country")
        dom = np.einsum("iij->i", self.flows)
        imp = self.international().sum(axis=(0, 2))
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_t = np.where(imp > 0, self.tariff_revenue().to_numpy() / np.where(imp > 0, imp, 1),
                              0.0)
        return pd.DataFrame({
            "gross_output": self.gross_output().sum(axis=1),
            "domestic_sales": dom,
            "exports": tb["exports"].to_numpy(),
            "imports": tb["imports"].to_numpy(),
            "balance": tb["balance"].to_numpy(),
            "mean_tariff": mean_t,
        }, index=pd.Index(self.countries, name="country"))

    def __repr__(self) -> str:
        from . import _display
        return _display.baseline_repr(self)

    def _repr_html_(self) -> str:
        from . import _display
        return _display.html(_display.baseline_view(self))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Baseline):
            return NotImplemented
        return (self.countries == other.countries and self.sectors == other.sectors
                and self.services == other.services
                and self.tariff_lines == other.tariff_lines
                and all(np.array_equal(getattr(self, a), getattr(other, a))
                        for a in ("flows", "tariffs", "io", "value_added"))
                and (self.year, self.units, self.source) == (other.year, other.units,
                                                             other.source))

    __hash__ = None  # type: ignore[assignment]
