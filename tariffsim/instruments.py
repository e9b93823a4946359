"""Policy instruments: what a scenario is made of.

Four instruments, each a frozen (immutable, hashable) dataclass validated when it is
built. Every bad value raises [`tariffsim.ScenarioError`][] naming the field and the fix.

* [`Tariff`][tariffsim.instruments.Tariff] -- an ad valorem tariff on an importer's imports from
  one, several or all exporters, by sector and date, in layers that stack (MFN baseline +
  reciprocal + Section 232 + Section 301 ...), with exemptions and the 40% transshipment rate.
* [`TradeCost`][tariffsim.instruments.TradeCost] -- an iceberg trade-cost change (a non-tariff
  barrier): factor 1.1 makes the pair 10% costlier, with no tariff revenue.
* [`ImportCommitment`][tariffsim.instruments.ImportCommitment] -- a purchase commitment, a floor:
  imports of ``importer`` from ``exporter`` reach at least the baseline plus an increment, or a
  level (``basis``), times the share met (``realisation``), phased in by year.
* [`ExportRestriction`][tariffsim.instruments.ExportRestriction] -- an export wedge (tax equivalent)
  or a quantity cap on an exporter's sales in some sectors to some destinations (China's rare-earth
  controls).

Conventions shared by all instruments
-------------------------------------
Dates
    ``start`` and ``end`` are `datetime.date`; strings ``"2025-08-07"``, a bare year
    ``"2030"`` or ``2030`` (meaning 1 January of that year) and datetimes are accepted
    (the one parser, `tariffsim._validate.to_date`).
    An instrument is **in force on day d when start <= d < end**: ``start`` is the first day
    in force, ``end`` the first day no longer in force (None: open-ended). So
    ``start="2025", end="2030"`` covers 2025-2029.
Codes
    Economy codes as in the baseline (ISO3 plus aggregates such as EU27, ROW). Where an
    instrument accepts several partners, give one code, a list, or ``"*"`` for all; the
    diagonal (an economy with itself) is never affected. ``exclude`` removes codes from the
    partner side (exporters of a Tariff/TradeCost, destinations of an ExportRestriction).
Sectors and coverage
    ``sectors=None`` means all sectors. Named sectors refer to the baseline's sector names.
    ``coverage`` is the share (0-1] of the targeted trade (the pair's trade in ``sectors``,
    or all of the pair's trade when ``sectors`` is None) that the instrument applies to.
    When none of the named sectors exists in the baseline (for example a one-sector
    baseline with the single sector ``"total"``), the instrument applies to every baseline
    sector with weight ``coverage``, which is then **required**: without it
    [`tariffsim.Scenario.shocks`][] raises ScenarioError asking for ``coverage=`` or a
    sectoral baseline. Weights combine linearly, which is the trade-weighted average of the
    policy over the pair's trade (exact for additive layers, see
    [`Tariff`][tariffsim.instruments.Tariff]).
Provenance
    Every instrument carries ``source`` (a citation), ``note`` and ``illustrative``
    (True when a figure it uses is an assumption rather than a sourced number).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import InitVar, dataclass, fields
from typing import Any, ClassVar

from ._validate import YEAR_RANGE, bare_year, to_date
from .errors import ScenarioError, TariffSimWarning, suggest
from .literals import (
    RENTS,
    TARIFF_MODES,
    UNITS,
    CommitmentBasis,
    InstrumentKind,
    Rents,
    TariffMode,
    Units,
    check_option,
)

__all__ = [
    "Tariff",
    "TradeCost",
    "ImportCommitment",
    "ExportRestriction",
    "Instrument",
    "ALL",
    "TRANSSHIPMENT_RATE",
    "UNIT_FACTORS",
]

#: Wildcard for "every economy in the baseline" (the diagonal is always skipped).
ALL = "*"

#: The rate on goods found transshipped to evade the reciprocal tariff: "40% in lieu of the
#: origin-country reciprocal rate" (EO 14326, 31 Jul 2025, effective 7 Aug 2025).
TRANSSHIPMENT_RATE = 0.40

#: Rates from this value (150%) to 10 (1000%) warn that they may be percentages (5 meaning
#: 5%): the highest US layers of 2025 were 1.25 (China, April 2025) and 1.0 (Section 301
#: on Chinese electric vehicles), which do not warn.
PERCENT_HINT = 1.5

#: Multipliers to US dollars, to convert commitment and quota values to baseline units.
#: (the words are `tariffsim.literals.UNITS`: USD, USD thousand, USD million, USD billion)
UNIT_FACTORS: dict[str, float] = dict(zip(UNITS, (1.0, 1e3, 1e6, 1e9), strict=True))


# ----------------------------------------------------------------------------- helpers
def _err(field_: str, message: str) -> ScenarioError:
    return ScenarioError(f"{field_}: {message}", field=field_)


def _check_str(value: Any, field_: str, *, allow_empty: bool = True) -> str:
    if not isinstance(value, str):
        raise _err(field_, f"expected text, got {type(value).__name__} {value!r}.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _err(field_, "contains characters that cannot be written as UTF-8 "
                           "(lone surrogates); remove them.") from None
    if not allow_empty and not value.strip():
        raise _err(field_, "must not be empty.")
    return value


def _code(value: Any, field_: str) -> str:
    code = _check_str(value, field_, allow_empty=False).strip()
    if code == ALL:
        raise _err(field_, "'*' (all economies) is not allowed here; give one economy code.")
    return code


def _codes(value: Any, field_: str, *, allow_all: bool = True) -> str | tuple[str, ...]:
    """One code, ``"*"`` or a non-empty list of distinct codes (stored as a tuple)."""
    if isinstance(value, str):
        code = _check_str(value, field_, allow_empty=False).strip()
        if code == ALL and not allow_all:
            raise _err(field_, "'*' (all economies) is not allowed here.")
        return code
    if isinstance(value, Iterable) and not isinstance(value, (bytes, Mapping)):
        items = tuple(value)
        if not items:
            raise _err(field_, "empty list; give at least one economy code or '*' for all.")
        codes = tuple(_code(v, f"{field_}[{k}]") for k, v in enumerate(items))
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            raise _err(field_, f"duplicate code(s) {dup}; list each economy once.")
        return codes
    raise _err(field_, f"expected an economy code, a list of codes or '*', got "
                       f"{type(value).__name__} {value!r}.")


def _names(value: Any, field_: str, *, allow_none: bool = True) -> tuple[str, ...] | None:
    """None, one name or a list of distinct names (sectors, product codes)."""
    if value is None:
        if allow_none:
            return None
        raise _err(field_, "is required; give a sector name or a list of sector names.")
    if isinstance(value, str):
        value = (value,)
    if isinstance(value, Iterable) and not isinstance(value, (bytes, Mapping)):
        items = tuple(value)
        if not items:
            raise _err(field_, "empty list; give at least one name or leave it out.")
        names = tuple(_check_str(v, f"{field_}[{k}]", allow_empty=False).strip()
                      for k, v in enumerate(items))
        dup = sorted({c for c in names if names.count(c) > 1})
        if dup:
            raise _err(field_, f"duplicate name(s) {dup}; list each once.")
        return names
    raise _err(field_, f"expected a name or a list of names, got {type(value).__name__} "
                       f"{value!r}.")


def _number(value: Any, field_: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:  # numpy scalars
            import numpy as np
            if isinstance(value, np.generic) and np.issubdtype(type(value), np.number):
                value = value.item()
            else:
                raise TypeError
        except TypeError:
            raise _err(field_, f"expected a number, got {type(value).__name__} "
                               f"{value!r}.") from None
    try:
        out = float(value)
    except OverflowError:
        raise _err(field_, f"{value!r} is too large to be a number.") from None
    if not math.isfinite(out):
        raise _err(field_, f"got {out!r}; give a finite number.")
    return out


def _share(value: Any, field_: str, *, low_open: bool, high_open: bool) -> float:
    x = _number(value, field_)
    lo_ok = x > 0 if low_open else x >= 0
    hi_ok = x < 1 if high_open else x <= 1
    if not (lo_ok and hi_ok):
        rng = f"{'(' if low_open else '['}0, 1{')' if high_open else ']'}"
        raise _err(field_, f"got {x!r}; a share must lie in {rng} (0.12 means 12%).")
    return x


def _rate(value: Any, field_: str) -> float:
    x = _number(value, field_)
    if x <= -1:
        raise _err(field_, f"got {x!r}; an ad valorem rate must be above -1 (-100%). "
                           f"Rates are fractions: 0.19 means 19%.")
    if x > 10:
        warnings.warn(f"{field_}: rate {x!r} is above 1000%; rates are fractions (0.19 means "
                      f"19%), check the units.", TariffSimWarning, stacklevel=4)
    elif x >= PERCENT_HINT:
        warnings.warn(f"{field_}: rate {x!r} means {x:.0%}; rates are fractions (0.19 means "
                      f"19%). If you meant {x:g}%, write {x / 100:g}. (No US tariff layer "
                      f"of 2025-26 was above 125%.)", TariffSimWarning, stacklevel=4)
    return x


def _dates(obj: Any) -> None:
    set_ = object.__setattr__
    start = to_date(obj.start, "start")
    end = to_date(obj.end, "end")
    if start is not None and end is not None and not start < end:
        raise _err("end", f"end {end} is not after start {start}; 'end' is the first day the "
                          f"instrument is no longer in force, so it must come after 'start'.")
    set_(obj, "start", start)
    set_(obj, "end", end)


def _common(obj: Any) -> None:
    """Validate the provenance fields every instrument has."""
    _check_str(obj.source, "source")
    _check_str(obj.note, "note")
    if not isinstance(obj.illustrative, bool):
        raise _err("illustrative", f"expected true or false, got {obj.illustrative!r}.")


def _exclude(obj: Any, side: str) -> None:
    given = obj.exclude
    ex: tuple[str, ...] = (() if given is None or (isinstance(given, tuple | list) and not given)
                           else _names(given, "exclude") or ())
    object.__setattr__(obj, "exclude", ex)
    partners = getattr(obj, side)
    if ex and isinstance(partners, tuple):
        both = sorted(set(ex) & set(partners))
        if both:
            raise _err("exclude", f"code(s) {both} are both listed in {side!r} and excluded; "
                                  f"remove them from one of the two.")


def _fmt_codes(codes: str | tuple[str, ...] | None) -> str:
    if codes is None:
        return ALL
    if isinstance(codes, str):
        return codes
    return ",".join(codes) if len(codes) <= 4 else ",".join(codes[:3]) + f",+{len(codes) - 3}"


def _fmt_when(start: _dt.date | None, end: _dt.date | None) -> str:
    if start is None and end is None:
        return "always"
    if end is None:
        return f"from {start}"
    if start is None:
        return f"until {end}"
    return f"{start} to {end}"


class _Base:
    """Behaviour shared by the instruments (the fields are declared in each class)."""

    kind: ClassVar[InstrumentKind]
    start: _dt.date | None
    end: _dt.date | None

    def in_force(self, when: Any) -> bool:
        """True when the instrument is in force on ``when`` (start <= when < end)."""
        d = to_date(when, "date")
        if d is None:
            raise _err("date", "give the day to check, e.g. '2025-08-07'.")
        return ((self.start is None or self.start <= d)
                and (self.end is None or d < self.end))

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the fields that differ from their defaults (``type`` first)."""
        out: dict[str, Any] = {"type": self.kind}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is None or value == f.default:
                continue
            if isinstance(value, tuple) and not value:
                continue
            out[f.name] = value
        return out

    @property
    def label(self) -> str:  # pragma: no cover - overridden
        return self.kind

    def __repr__(self) -> str:
        from . import _display
        return _display.instrument_repr(self)

    def _repr_html_(self) -> str:
        from . import _display
        return _display.html(_display.instrument_view(self))


# ----------------------------------------------------------------------------- line fields
_HTS_RE = re.compile(r"^\d{2}(\.?\d{2}){0,4}$")


def _product_spec(value: Any, field_: str) -> tuple[str, ...] | None:
    """HTS prefixes (2-10 digits, dots allowed) and ``list:NAME`` entries of shipped lists."""
    items = _names(value, field_)
    if items is None:
        return None
    for k, item in enumerate(items):
        if item.startswith("list:"):
            from .tariff_lines.data import list_codes

            try:
                list_codes(item)
            except ScenarioError as exc:
                raise _err(f"{field_}[{k}]", str(exc)) from None
        elif not _HTS_RE.match(item):
            raise _err(f"{field_}[{k}]", f"{item!r} is neither an HTS code (2, 4, 6, 8 or 10 "
                                         f"digits, dots allowed: '8471', '8517.13') nor a "
                                         f"shipped list ('list:annex_ii_2025_04'; see "
                                         f"tariffsim.tariff_lines.product_lists()).")
    return items


def _line_fields(obj: Any) -> None:
    """Validate the product-level fields of a Tariff (used by the line-level engine)."""
    set_ = object.__setattr__
    set_(obj, "products", _product_spec(obj.products, "products"))
    set_(obj, "exempt_products", _product_spec(obj.exempt_products, "exempt_products"))
    if obj.products and obj.exempt_products:
        both = sorted(set(obj.products) & set(obj.exempt_products))
        if both:
            raise _err("exempt_products", f"{both} are both covered (products) and exempt; "
                                          f"remove them from one of the two.")
    es = obj.exempt_share
    if isinstance(es, str):
        from .tariff_lines.data import SHARE_TABLES

        key = es.strip().removeprefix("list:")
        if key not in SHARE_TABLES:
            raise _err("exempt_share", f"unknown share table {es!r}{suggest(key, SHARE_TABLES)}"
                                       f"; give a share between 0 and 1 or one of "
                                       f"{list(SHARE_TABLES)}.")
        set_(obj, "exempt_share", key)
    elif es is not None:
        set_(obj, "exempt_share", _share(es, "exempt_share", low_open=False, high_open=False))
    set_(obj, "value_share", _share(obj.value_share, "value_share", low_open=True,
                                    high_open=False))
    y = obj.yields_to
    names = () if y is None or (isinstance(y, tuple | list) and not y) else _names(y, "yields_to")
    set_(obj, "yields_to", tuple(names or ()))
    if not isinstance(obj.in_baseline, bool):
        raise _err("in_baseline", f"expected true or false, got {obj.in_baseline!r}.")
    if obj.in_baseline and obj.mode != "add":
        raise _err("in_baseline", f"an in-baseline layer is an additional duty already in the "
                                  f"2024 applied duty; use mode='add', not {obj.mode!r}.")


# ----------------------------------------------------------------------------- Tariff
@dataclass(frozen=True, repr=False)
class Tariff(_Base):
    """An ad valorem tariff of ``importer`` on goods from ``exporter``.

    Parameters
    ----------
    importer : str or list of str or "*"
        The economy (or economies) levying the tariff.
    exporter : str or list of str or "*"
        The partner(s) whose goods are taxed; ``"*"`` for all (see ``exclude``).
    rate : float
        Ad valorem rate as a fraction (0.19 = 19%); must be above -1. A rate from 1.5 to
        10 (150%-1000%) warns that it may be a percentage (5 meaning 5%), and one above 10
        that it is above 1000% ([`TariffSimWarning`][tariffsim.errors.TariffSimWarning]).
    sectors : str or list of str, optional
        Baseline sectors covered (None: all). See the module notes on ``coverage``.
    start, end : date, str or int, optional
        In force on days ``start <= d < end``.
    exempt : list of str, optional
        Sectors (or product groups) that this instrument does not apply to: on exempt
        trade the instrument contributes nothing (the electronics carve-out). Exempt names
        that are baseline sectors are zeroed; other names need ``exempt_coverage``.
    exempt_coverage : float in [0, 1), optional
        Share of the covered trade that is exempt when the exempt products are not separate
        baseline sectors (e.g. Malaysia's zero-rated products, about 12% of its exports).
    coverage : float in (0, 1], optional
        Share of the pair's trade the instrument covers: without ``sectors``, a share of
        all the pair's trade (e.g. non-USMCA goods); with ``sectors`` that the baseline
        lacks, the share those sectors stand for (required then). On a baseline that has
        the sectors it is not used: the instrument covers them exactly.
    layer : str
        Name of the legal layer ("reciprocal", "s232_metals", "section122", "fentanyl",
        ...). ``mode`` decides how the rate combines; at the tariff line, ``yields_to`` of
        other instruments refers to layers by these names.
    mode : {"set", "add", "floor"}
        ``"set"``: the new total tariff is ``rate`` (replaces the baseline tariff);
        ``"add"``: ``rate`` is added on top (an additional duty);
        ``"floor"``: the tariff becomes ``max(tariff, rate)`` (the EU/Japan/Korea "15%
        inclusive of MFN" deals).
    exclude : list of str
        Exporters removed from ``exporter`` (useful with ``"*"``).
    transshipment_share : float in [0, 1]
        Share of the covered flows deemed transshipped; that share pays
        ``transshipment_rate`` **in lieu of** ``rate`` (EO 14326: 40%).
    transshipment_rate : float
        Default `TRANSSHIPMENT_RATE` (0.40).
    source, note : str
        Citation and remarks. ``illustrative``: True when a figure is an assumption.
    products : list of str, optional
        The tariff lines covered (None: all): HTS codes of 2 to 10 digits (a code covers
        every HTS10 line that starts with it; dots allowed, "8517.13") and named lists
        shipped with tariffsim, ``"list:NAME"`` (``tariffsim.tariff_lines.product_lists()``),
        e.g. ``["list:s232_steel_2018", "7317.00.30"]``.
    exempt_products : list of str, optional
        Lines removed from the coverage, same syntax
        (``["list:annex_ii_2025_04", "8471"]``).
    exempt_share : float in [0, 1] or str, optional
        Share of each covered line's value that is exempt: a number, or a shipped share
        table by line, ``"usmca_2024"`` (the 2024 USMCA claim share of Canada's and
        Mexico's lines; other partners 0).
    value_share : float in (0, 1]
        Share of the customs value the rate applies to (1: full value; 0.5: the metal
        content of a derivative taxed "on its steel content"). Default 1.
    yields_to : list of str
        Layers this instrument gives way to: on the share of a line's value that an
        instrument of such a layer covers (in force, same partner and line), this one does
        not apply. Names or shell patterns (``"s232_*"``). An exemption is a zero-rate
        instrument of its own layer that others yield to.
    in_baseline : bool
        True when the duty is already in the 2024 applied duty (the 2018 Section 232 duties,
        ...): while in force it changes nothing; on dates it is not in force the line
        engine takes ``min(t0, rate * share)`` out of the line's 2024 duty ``t0``.
        ``mode`` must be "add".

    Notes
    -----
    **Line-level stacking** ([`tariffsim.tariff_lines`][], docs/us_tariffs.md). For a
    partner p, an HTS10 line l and a day d, let t0 be the 2024 applied rate (duty / imports).
    Each instrument k in force that covers p and l (importer, exporter/exclude, products
    minus exempt_products, model ``sectors``) covers a share of the line's value in two
    independent dimensions: ``u_k = coverage (1 - exempt_share_{p,l})`` (which shipments)
    and ``v_k = value_share`` (which part of the value). Yielding removes the part that a
    displacing instrument j covers, taking both as starting from the same end of each
    dimension: ``c_k = u_k v_k - max_j min(u_k, u_j) min(v_k, v_j)`` (exact for nested
    shares: USMCA goods exempt from both layers, or a metal content taxed by Section 232
    and the rest by the reciprocal duty). Then

    1. baseline: ``t = t0 - [min(t0, B_all) - min(t0, B_on)]``, B the sum of
       ``rate * u * v`` of the ``in_baseline`` instruments (all of them; those in force);
    2. set instruments, in scenario order: ``t = (1 - c) t + c rate``;
    3. floors: ``t = (1 - c) t + c max(t, rate)`` -- a floor "inclusive of MFN" (Japan,
       Korea, EU: 15%) is a floor on the total including the 2024 duty;
    4. additive instruments (not in_baseline): ``t = t + c rate``.

    Instruments of the same layer add up; where the law says they do not (Section 232 autos
    before steel), give them distinct layers and ``yields_to``. A cell (partner, model
    sector) takes the 2024-import-weighted mean over its lines
    (docs/model.md#us-tariffs-from-tariff-lines-to-model-sectors;
    ``tariffsim.tariff_lines.cell_rates``). The scenario resolver reads every US Tariff this way on
    any baseline whose economies and sectors map to the line data and adds the change to the
    baseline's own tariff: ``T' = T + [t(d) - t(2024)]`` ([`tariffsim.resolve.tariff_levels`][],
    docs/us_tariffs.md).

    **Effective rate (cell-level rules).** Other importers, and the US on baselines the line
    engine cannot serve (``tariff_lines=False``, economies or sectors without line data),
    follow these rules; product fields raise there. On a cell (exporter i, importer n,
    sector j) on a date, each active
    Tariff k has a weight ``w_k`` in [0, 1] (1 when it covers the cell fully; ``coverage``
    times ``1 - exempt_coverage`` otherwise; 0 on exempt or other sectors) and an
    instrument rate ``r_k = (1 - s_k) rate_k + s_k transshipment_rate_k`` (``s_k`` the
    transshipment share). With ``t0`` the baseline tariff:

    1. set layer: ``t = sum_g W_g r_g + (1 - sum_g W_g) t0``, where g runs over the
       distinct set rates and ``W_g`` is the largest weight among set instruments with that
       rate. Distinct set rates whose weights add up to more than one contradict each other
       and raise ScenarioError; set instruments with partial coverage are read as covering
       disjoint parts of the pair's trade.
    2. floors, in scenario order: ``t = (1 - w) t + w max(t, r)``;
    3. additive layers: ``t = t + sum_k w_k r_k``.

    The result is the trade-weighted average tariff on the cell; it is exact for additive
    layers and, for set and floor layers with partial coverage, assumes the uncovered trade
    carries the cell's average baseline tariff. Example: baseline 2%, reciprocal add 19%
    with 12% of trade zero-rated and a Section 232 add of 50% covering 5%:
    ``0.02 + 0.19 * 0.88 + 0.50 * 0.05 = 0.2122``.
    """

    kind: ClassVar[InstrumentKind] = "tariff"

    importer: str | tuple[str, ...]
    exporter: str | tuple[str, ...]
    rate: float
    sectors: tuple[str, ...] | None = None
    start: _dt.date | None = None
    end: _dt.date | None = None
    exempt: tuple[str, ...] | None = None
    exempt_coverage: float | None = None
    coverage: float | None = None
    layer: str = "reciprocal"
    mode: TariffMode = "set"
    exclude: tuple[str, ...] = ()
    transshipment_share: float = 0.0
    transshipment_rate: float = TRANSSHIPMENT_RATE
    source: str = ""
    note: str = ""
    illustrative: bool = False
    products: tuple[str, ...] | None = None
    exempt_products: tuple[str, ...] | None = None
    exempt_share: float | str | None = None
    value_share: float = 1.0
    yields_to: tuple[str, ...] = ()
    in_baseline: bool = False
    sector: InitVar[str | None] = None

    MODES: ClassVar[tuple[str, ...]] = TARIFF_MODES
    #: How each mode is written in labels and tables.
    SIGNS: ClassVar[dict[TariffMode, str]] = {"set": "=", "add": "+", "floor": ">="}

    def __post_init__(self, sector: str | None) -> None:
        set_ = object.__setattr__
        set_(self, "importer", _codes(self.importer, "importer"))
        set_(self, "exporter", _codes(self.exporter, "exporter"))
        set_(self, "rate", _rate(self.rate, "rate"))
        if sector is not None:
            if self.sectors is not None:
                raise _err("sector", "give either sector= or sectors=, not both.")
            set_(self, "sectors", sector)
        set_(self, "sectors", _names(self.sectors, "sectors"))
        _dates(self)
        set_(self, "exempt", _names(self.exempt, "exempt"))
        if self.exempt and self.sectors:
            both = sorted(set(self.exempt) & set(self.sectors))
            if both:
                raise _err("exempt", f"{both} are both covered (sectors) and exempt; "
                                     f"remove them from one of the two.")
        if self.exempt_coverage is not None:
            set_(self, "exempt_coverage", _share(self.exempt_coverage, "exempt_coverage",
                                                 low_open=False, high_open=True))
        if self.coverage is not None:
            set_(self, "coverage", _share(self.coverage, "coverage",
                                          low_open=True, high_open=False))
        set_(self, "layer", _check_str(self.layer, "layer", allow_empty=False))
        check_option(self.mode, TariffMode, "mode", error=ScenarioError)
        _exclude(self, "exporter")
        set_(self, "transshipment_share", _share(self.transshipment_share,
                                                 "transshipment_share",
                                                 low_open=False, high_open=False))
        set_(self, "transshipment_rate", _rate(self.transshipment_rate, "transshipment_rate"))
        _common(self)
        _line_fields(self)

    @property
    def effective_rate(self) -> float:
        """The instrument's rate after the transshipment option:
        ``(1 - s) * rate + s * transshipment_rate``."""
        s = self.transshipment_share
        return (1.0 - s) * self.rate + s * self.transshipment_rate

    @property
    def label(self) -> str:
        sign = self.SIGNS[self.mode]
        sec = f" [{','.join(self.sectors)}]" if self.sectors else ""
        return (f"Tariff {_fmt_codes(self.importer)}<-{_fmt_codes(self.exporter)}{sec} "
                f"{sign}{self.rate:.1%} ({self.layer}) {_fmt_when(self.start, self.end)}")


# ----------------------------------------------------------------------------- TradeCost
@dataclass(frozen=True, repr=False)
class TradeCost(_Base):
    """An iceberg trade-cost change (non-tariff barrier) on imports of ``importer`` from
    ``exporter``: ``factor`` 1.1 makes delivering goods 10% costlier, 0.95 5% cheaper.

    Unlike a tariff it raises no revenue
    (docs/model.md#general-equilibrium-caliendo-parro-hat-algebra: d-hat in kappa-hat). Several
    active TradeCosts on a cell multiply; with weight w (coverage) a factor f becomes
    ``1 + w (f - 1)``.
    """

    kind: ClassVar[InstrumentKind] = "trade_cost"

    importer: str | tuple[str, ...]
    exporter: str | tuple[str, ...]
    factor: float
    sectors: tuple[str, ...] | None = None
    start: _dt.date | None = None
    end: _dt.date | None = None
    coverage: float | None = None
    exclude: tuple[str, ...] = ()
    source: str = ""
    note: str = ""
    illustrative: bool = False
    sector: InitVar[str | None] = None

    def __post_init__(self, sector: str | None) -> None:
        set_ = object.__setattr__
        set_(self, "importer", _codes(self.importer, "importer"))
        set_(self, "exporter", _codes(self.exporter, "exporter"))
        f = _number(self.factor, "factor")
        if f <= 0:
            raise _err("factor", f"got {f!r}; an iceberg factor must be positive "
                                 f"(1.1 = 10% costlier, 1 = unchanged).")
        if f > 100:
            warnings.warn(f"factor: {f!r} multiplies trade costs by more than 100; "
                          f"1.1 means 10% costlier.", TariffSimWarning, stacklevel=3)
        set_(self, "factor", f)
        if sector is not None:
            if self.sectors is not None:
                raise _err("sector", "give either sector= or sectors=, not both.")
            set_(self, "sectors", sector)
        set_(self, "sectors", _names(self.sectors, "sectors"))
        _dates(self)
        if self.coverage is not None:
            set_(self, "coverage", _share(self.coverage, "coverage",
                                          low_open=True, high_open=False))
        _exclude(self, "exporter")
        _common(self)

    @property
    def label(self) -> str:
        sec = f" [{','.join(self.sectors)}]" if self.sectors else ""
        return (f"TradeCost {_fmt_codes(self.importer)}<-{_fmt_codes(self.exporter)}{sec} "
                f"x{self.factor:g} {_fmt_when(self.start, self.end)}")


# ----------------------------------------------------------------------------- commitment
#: What ``basis`` of an ImportCommitment means, for messages.
_BASIS_HELP = ("basis='increment' (value is added to the pair's baseline imports in the "
               "sectors: 'buy USD 2 bn a year more') or basis='level' (the pair's annual "
               "imports in the sectors must reach value: 'buy USD 5.4 bn a year of energy')")


@dataclass(frozen=True, repr=False)
class ImportCommitment(_Base):
    """A purchase commitment: ``importer`` buys at least so much a year from ``exporter``.

    A commitment is a **floor** ("at least"): where the importer's imports from the
    partner in the sectors already reach the target, it changes nothing; where they fall
    short, the engines raise them to the target (docs/commitments.md).

    Parameters
    ----------
    importer, exporter : str
        One economy each.
    value : float
        The committed figure, in ``units`` (default "USD million") a year, once fully
        phased in; ``basis`` says what it is.
    basis : {"increment", "level"}
        Required. ``"increment"``: ``value`` is added to the pair's imports in the sectors
        in the reference world of the run (the baseline, or under the ``balanced`` closure
        the zero-deficit world): target ``M0 + realisation * value_in(year)``.
        ``"level"``: the pair's imports in the sectors must reach the figure: target
        ``realisation * value_in(year)``. Announced purchase deals are usually gross
        values of purchases (a level); "more than before" pledges are increments.
    realisation : float in [0, 1]
        The share of the commitment actually met (default 1.0). The 2020 US-China Phase
        One purchases reached 58% of the committed total (Bown 2022, PIIE;
        facts/oct2025_deals_commitments.csv) -- a share of the committed level; of the
        committed *increase* over 2017 China bought about none.
    sectors : list of str, optional
        Baseline sectors of the commitment (None: all goods sectors, the baseline's
        services left out). On a baseline without these sectors (a one-sector baseline)
        the commitment applies to the pair's total imports, which is exact for an
        increment when the purchases do not crowd out other imports from the partner, and
        loose for a level (the floor is on all goods).
    by : date, str or int, optional
        When the full value is reached (linear phase-in from ``start``).
    start, end : date, str or int, optional
        In force on days ``start <= d < end``.
    schedule : mapping year -> share, optional
        Cumulative phase-in shares of ``value`` by year (0-1), e.g. ``{2026: 0.3, 2028: 1}``;
        linear between listed years, 0 before the first, the last share after the last.
        Use either ``schedule`` or ``by``.
    units : str
        Units of ``value``; converted to the baseline's units when both are known
        (USD, USD thousand, USD million, USD billion).

    Notes
    -----
    Phase-in by year ([`phase`][tariffsim.instruments.ImportCommitment.phase]): let ``s`` be the
    first year in force at mid-year (1 July) and ``b = by.year``. Then
    ``phase(y) = (y - s + 1) / (b - s + 1)`` for ``s <= y <= b`` and 1 after ``b``; so start 2026,
    by 2030 gives 0.2, 0.4, ..., 1.0. Without ``by`` and ``schedule`` the full value applies from
    the first year; with ``by`` but no ``start`` the full value applies from ``by`` (a step). A
    level is phased the same way (the floor rises to the level).

    The floor is a complementarity condition on a demand shifter ``b`` on the partner's
    goods in the importer (docs/model.md#instruments-beyond-tariffs): ``b >= 1``, ``M >= target``
    and ``(b - 1)(M - target) = 0``. GE solves it with the active-set loop
    (`tariffsim.ge.active_set`), GSIM with a CES taste shifter that is zero where the floor is
    slack, SMART by buying the shortfall only.
    """

    kind: ClassVar[InstrumentKind] = "import_commitment"

    importer: str
    exporter: str
    value: float
    basis: CommitmentBasis | None = None
    realisation: float = 1.0
    sectors: tuple[str, ...] | None = None
    by: _dt.date | None = None
    start: _dt.date | None = None
    end: _dt.date | None = None
    schedule: tuple[tuple[int, float], ...] | None = None
    units: Units = "USD million"
    source: str = ""
    note: str = ""
    illustrative: bool = False
    sector: InitVar[str | None] = None

    def __post_init__(self, sector: str | None) -> None:
        set_ = object.__setattr__
        set_(self, "importer", _code(self.importer, "importer"))
        set_(self, "exporter", _code(self.exporter, "exporter"))
        if self.importer == self.exporter:
            raise _err("exporter", f"importer and exporter are both {self.importer!r}; a "
                                   f"purchase commitment is between two economies.")
        v = _number(self.value, "value")
        if v <= 0:
            raise _err("value", f"got {v!r}; give the committed annual purchases as a "
                                f"positive number (in {self.units!r}).")
        set_(self, "value", v)
        if sector is not None:
            if self.sectors is not None:
                raise _err("sector", "give either sector= or sectors=, not both.")
            set_(self, "sectors", sector)
        set_(self, "sectors", _names(self.sectors, "sectors"))
        _dates(self)
        set_(self, "by", to_date(self.by, "by"))
        if self.by is not None and self.start is not None and self.by < self.start:
            raise _err("by", f"by {self.by} is before start {self.start}; the commitment must "
                             f"be reached after it starts.")
        if self.by is not None and self.end is not None and self.by >= self.end:
            raise _err("by", f"by {self.by} is not before end {self.end}; the full value would "
                             f"never apply.")
        set_(self, "schedule", self._schedule(self.schedule))
        if self.schedule is not None and self.by is not None:
            raise _err("schedule", "give either schedule= (shares by year) or by= (linear "
                                   "phase-in), not both.")
        check_option(_check_str(self.units, "units", allow_empty=False), Units, "units",
                     error=ScenarioError)
        if self.basis is None:
            raise _err("basis", f"required: say what value={v:,.6g} is, {_BASIS_HELP}. In a "
                                f"scenario file add the line basis = \"increment\" or "
                                f"basis = \"level\" to the instrument.")
        check_option(self.basis, CommitmentBasis, "basis", error=ScenarioError,
                     hint=f"That is {_BASIS_HELP}.")
        set_(self, "realisation", _share(self.realisation, "realisation", low_open=False,
                                         high_open=False))
        _common(self)

    @staticmethod
    def _schedule(value: Any) -> tuple[tuple[int, float], ...] | None:
        if value is None:
            return None
        if isinstance(value, Mapping):
            items = list(value.items())
        elif isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
            items = list(value)
        else:
            raise _err("schedule", f"expected a mapping year -> share, got {value!r}.")
        if not items:
            raise _err("schedule", "is empty; give at least one year -> share or leave it out.")
        out: dict[int, float] = {}
        for item in items:
            if not (isinstance(item, tuple | list) and len(item) == 2):
                raise _err("schedule", f"entry {item!r} is not a (year, share) pair.")
            key, share = item
            year = bare_year(key)
            if year is None or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
                raise _err("schedule", f"key {key!r} is not a year (1900-2200).")
            if year in out:
                raise _err("schedule", f"year {year} appears twice.")
            out[year] = _share(share, f"schedule.{year}", low_open=False, high_open=False)
        return tuple(sorted(out.items()))

    def _first_year(self) -> int | None:
        if self.start is None:
            return None
        s = self.start
        return s.year if s <= _dt.date(s.year, 7, 1) else s.year + 1

    def phase(self, year: int) -> float:
        """Share of ``value`` committed in ``year`` (0-1), ignoring ``end``."""
        if self.schedule is not None:
            pts = self.schedule
            if year < pts[0][0]:
                return 0.0
            for (y0, s0), (y1, s1) in zip(pts, pts[1:], strict=False):
                if y0 <= year < y1:
                    return s0 + (s1 - s0) * (year - y0) / (y1 - y0)
            return pts[-1][1]
        first = self._first_year()
        if first is not None and year < first:
            return 0.0
        if self.by is None:
            return 1.0
        b = self.by.year
        if first is None or year >= b:
            return 1.0 if year >= b else 0.0
        return (year - first + 1) / (b - first + 1)

    def value_in(self, when: Any) -> float:
        """The committed figure (in ``units``; an increment or a level, see ``basis``)
        phased to a year or a date, before ``realisation``.

        ``when`` is a year (int or "2030", see `tariffsim._validate.bare_year`) or
        a date (`tariffsim._validate.to_date`); a year is in force when the
        commitment is in force on 1 July of it. Returns 0 when not in force.
        """
        year = bare_year(when)
        if year is not None:
            if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
                raise _err("year", f"year {year} is outside 1900-2200.")
            day = _dt.date(year, 7, 1)
        else:
            parsed = to_date(when, "date")
            if parsed is None:
                raise _err("date", "give a year such as 2030 or a date such as '2030-07-01'.")
            day, year = parsed, parsed.year
        if not self.in_force(day):
            return 0.0
        return self.value * self.phase(year)

    def realised_in(self, when: Any) -> float:
        """[`value_in`][tariffsim.instruments.ImportCommitment.value_in] times ``realisation``: what
        the engines are asked to meet."""
        return self.realisation * self.value_in(when)

    @property
    def label(self) -> str:
        sec = f" [{','.join(self.sectors)}]" if self.sectors else ""
        by = f" by {self.by}" if self.by else ""
        sign = "+" if self.basis == "increment" else ">="
        real = f" x{self.realisation:g} realised" if self.realisation != 1.0 else ""
        return (f"ImportCommitment {self.importer}<-{self.exporter}{sec} {sign}"
                f"{self.value:,.6g} {self.units}/yr{by}{real} "
                f"{_fmt_when(self.start, self.end)}")


# ----------------------------------------------------------------------------- restriction
@dataclass(frozen=True, repr=False)
class ExportRestriction(_Base):
    """An export restriction of ``exporter`` in ``sectors`` towards ``destinations``.

    Exactly one of ``tax_equivalent`` (an export wedge, 0.5 = 50%) or ``quantity_cap`` (a
    cap on the value of exports, in ``units``, solved for its shadow tax) must be given.

    Parameters
    ----------
    exporter : str
    sectors : str or list of str
        Restricted sectors (required).
    destinations : str or list of str or "*", optional
        None or "*": every destination (minus ``exclude``).
    exclude : list of str
        Destinations exempted: a no-ban / no-quota pledge such as Malaysia's
        critical-minerals commitment to the US is the absence of a wedge on that pair.
    tax_equivalent : float >= 0, optional
    quantity_cap : float > 0, optional
        Cap on the exporter's sales in the sectors to all covered destinations together
        (world prices). Needs a baseline with the restricted sectors (no ``coverage``).
    rents : {"exporter", "dissipated"}
        Whether the wedge revenue (quota rent) is income of the exporter or lost.
    coverage : float in (0, 1], optional
        Share of the exporter's exports that the restricted sectors stand for, used when
        the baseline lacks those sectors (tax equivalents only): the wedge becomes
        ``coverage * tax_equivalent`` on the covered cells. Not used on a baseline that
        has the sectors.
    units : str
        Units of ``quantity_cap``.

    Notes
    -----
    docs/model.md#instruments-beyond-tariffs. Several active tax equivalents on a cell add up.
    """

    kind: ClassVar[InstrumentKind] = "export_restriction"

    exporter: str
    sectors: tuple[str, ...] | None = None
    destinations: str | tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    tax_equivalent: float | None = None
    quantity_cap: float | None = None
    rents: Rents = "exporter"
    coverage: float | None = None
    units: Units = "USD million"
    start: _dt.date | None = None
    end: _dt.date | None = None
    source: str = ""
    note: str = ""
    illustrative: bool = False
    sector: InitVar[str | None] = None

    RENTS: ClassVar[tuple[str, ...]] = RENTS

    def __post_init__(self, sector: str | None) -> None:
        set_ = object.__setattr__
        set_(self, "exporter", _code(self.exporter, "exporter"))
        if sector is not None:
            if self.sectors is not None:
                raise _err("sector", "give either sector= or sectors=, not both.")
            set_(self, "sectors", sector)
        set_(self, "sectors", _names(self.sectors, "sectors", allow_none=False))
        if self.destinations is not None:
            dest = _codes(self.destinations, "destinations")
            set_(self, "destinations", None if dest == ALL else dest)
        _exclude(self, "destinations")
        if (self.tax_equivalent is None) == (self.quantity_cap is None):
            raise _err("tax_equivalent", "give exactly one of tax_equivalent= (an export "
                                         "wedge, 0.5 = 50%) or quantity_cap= (a cap on export "
                                         "value).")
        if self.tax_equivalent is not None:
            t = _number(self.tax_equivalent, "tax_equivalent")
            if t < 0:
                raise _err("tax_equivalent", f"got {t!r}; an export wedge must be >= 0 "
                                             f"(0.5 = 50%).")
            if t > 10:
                warnings.warn(f"tax_equivalent: {t!r} is above 1000%; 0.5 means 50%.",
                              TariffSimWarning, stacklevel=3)
            set_(self, "tax_equivalent", t)
        if self.quantity_cap is not None:
            c = _number(self.quantity_cap, "quantity_cap")
            if c <= 0:
                raise _err("quantity_cap", f"got {c!r}; a cap must be positive. A ban has no "
                                           f"finite tax equivalent: use a small cap or a high "
                                           f"tax_equivalent.")
            set_(self, "quantity_cap", c)
            if self.coverage is not None:
                raise _err("coverage", "a quantity cap needs a baseline with the restricted "
                                       "sectors; coverage= works with tax_equivalent= only.")
        check_option(self.rents, Rents, "rents", error=ScenarioError)
        if self.coverage is not None:
            set_(self, "coverage", _share(self.coverage, "coverage",
                                          low_open=True, high_open=False))
        check_option(_check_str(self.units, "units", allow_empty=False), Units, "units",
                     error=ScenarioError)
        if isinstance(self.destinations, tuple) and self.exporter in self.destinations:
            raise _err("destinations", f"the exporter {self.exporter!r} is listed as its own "
                                       f"destination; remove it.")
        _dates(self)
        _common(self)

    @property
    def label(self) -> str:
        what = (f"tax {self.tax_equivalent:.1%}" if self.tax_equivalent is not None
                else f"cap {self.quantity_cap:,.6g} {self.units}")
        dest = _fmt_codes(self.destinations)
        if self.exclude:
            dest += f" except {','.join(self.exclude)}"
        sec = ",".join(self.sectors or ())
        return (f"ExportRestriction {self.exporter}->{dest} [{sec}] {what} "
                f"{_fmt_when(self.start, self.end)}")


Instrument = Tariff | TradeCost | ImportCommitment | ExportRestriction

#: TOML ``type`` -> class
KINDS: dict[str, type] = {c.kind: c for c in (Tariff, TradeCost, ImportCommitment,
                                               ExportRestriction)}


def field_names(cls: type) -> tuple[str, ...]:
    """Constructor keywords of an instrument class (fields plus the ``sector`` alias)."""
    return tuple(f.name for f in fields(cls)) + ("sector",)

