"""US tariff cells of a baseline from the line engine: what the scenario resolver reads.

[`baseline_lines`][tariffsim.tariff_lines.cells.baseline_lines] maps a baseline's economies and
sectors to the units and lines of `tariffsim.tariff_lines.line_data` once, compiles a scenario's
Tariffs for the US, and returns a [`BaselineLines`][tariffsim.tariff_lines.cells.BaselineLines]
whose [`rates`][tariffsim.tariff_lines.cells.BaselineLines.rates] gives, for a day, the
2024-import-weighted mean line rate of every (exporter, sector) cell of the US column, on
the day and in 2024:

    t_{i,j}(d) = sum_{l in j} m_{i,l} rate_{i,l}(d) / sum_{l in j} m_{i,l}

(docs/model.md#us-tariffs-from-tariff-lines-to-model-sectors; the rules of ``rate_{i,l}`` are those
of [`tariffsim.Tariff`][]). [`tariffsim.resolve.tariff_levels`][] adds the change ``t(d) - t(2024)``
to the baseline's own tariff (docs/us_tariffs.md, "From lines to model cells").

When the engine applies
-----------------------
Every economy of the baseline but the US must stand for partners with 2024 US import data
(ISO3 codes of [`tariffsim.tariff_lines.partners`][], ``"EU27"``, and ``"ROW"`` for every
partner the baseline does not name), and its goods sectors must be places for HTS lines:
one sector (a partner's mean over all its lines), tariffsim's sectors
(`tariffsim.sectors.SECTORS`, lines placed with `tariffsim.sectors.goods_sector`),
OECD ICIO 2025 industry codes (`tariffsim.sectors.hs_to_icio`), or HS codes (product
data: a product takes the lines under its code, other lines are left out); "one sector" means a
single sector named ``"total"`` (a baseline built without sectors) or ``"goods"``, not a
single product of PE data. Otherwise
[`baseline_lines`][tariffsim.tariff_lines.cells.baseline_lines] returns the reason as text and the
resolver keeps the cell-level rules for US tariffs too.

Everything date-independent is cached: the mapping by baseline layout, the compiled
instruments and each instrument's line coverage by scenario, and the cell rates by the set
of instruments in force (two days with the same instruments in force share one evaluation).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from ..instruments import ALL, Tariff
from ..sectors import ICIO_TO_SECTOR, SECTORS, goods_sector
from .data import line_data
from .engine import ROW_CODE, code_units, compile_instruments, evaluate, line_table
from .rates import _rest, _unit_totals

__all__ = ["BaselineLines", "LineMap", "baseline_lines", "line_map", "US",
           "PRODUCT_FIELDS", "product_fields"]

US = "USA"
#: Fields of a Tariff that need tariff-line data (the cell-level rules cannot read them).
PRODUCT_FIELDS = ("products", "exempt_products", "exempt_share", "value_share", "yields_to",
                  "in_baseline")
#: Day used for undated scenarios (every instrument is then in force on every day).
_ANY_DAY = _dt.date(2025, 1, 1)
#: Evaluations kept per scenario (sets of instruments in force).
_MEMO = 256


def product_fields(inst: Tariff) -> list[str]:
    """The product fields a Tariff uses (empty when it is a plain cell-level tariff)."""
    out = []
    for name in PRODUCT_FIELDS:
        value = getattr(inst, name)
        if name == "value_share":
            if value != 1.0:
                out.append(name)
        elif value not in (None, (), False):
            out.append(name)
    return out


def covers_us(inst: Tariff) -> bool:
    """True when the Tariff's importer side includes the US."""
    imp = inst.importer
    return imp == ALL or imp == US or (isinstance(imp, tuple) and (US in imp or ALL in imp))


def only_us(inst: Tariff) -> bool:
    """True when the US is the Tariff's only importer."""
    return inst.importer == US or inst.importer == (US,)


# ----------------------------------------------------------------------------- mapping
@dataclass(frozen=True)
class LineMap:
    """A baseline layout mapped to line data (date and scenario independent).

    Attributes
    ----------
    importer : int
        Index of the US in the baseline.
    exporters : tuple of str
        The baseline's economies other than the US, in baseline order.
    exporter_index : ndarray of int
        Their baseline indices.
    units : tuple of ndarray
        Line-data units of each exporter.
    row_units : ndarray
        The units the exporter code ``'ROW'`` stands for (the baseline's ROW, else every
        partner no instrument names: then None).
    key : ndarray of int
        Baseline sector index of every line of the HTS10 universe.
    goods : ndarray of bool
        Goods sectors of the baseline (services get no goods tariff).
    how : str
        How lines were placed in sectors (for docs and messages).
    """

    importer: int
    exporters: tuple[str, ...]
    exporter_index: np.ndarray
    units: tuple[np.ndarray, ...]
    row_units: np.ndarray | None
    key: np.ndarray
    goods: np.ndarray
    how: str


#: Names of the single sector of a one-sector (aggregate goods) baseline.
ONE_SECTOR_NAMES = ("total", "goods")


@lru_cache(maxsize=2)
def _line_names(kind: str) -> np.ndarray:
    """Goods sector (``"sector"``) or ICIO industry (``"icio"``) of every line."""
    codes = line_data().codes
    look = line_table()
    if kind == "icio":
        return look.icio.to_numpy(dtype=str)
    return goods_sector(pd.Series(codes), look.sector).to_numpy(dtype=str)


def _sector_keys(sectors: tuple[str, ...], services: tuple[str, ...]
                 ) -> tuple[np.ndarray, str] | str:
    """Baseline sector of every line, or the reason why lines cannot be placed."""
    goods = [s for s in sectors if s not in services]
    pos = {s: k for k, s in enumerate(sectors)}
    if len(sectors) == 1 and sectors[0] in ONE_SECTOR_NAMES:
        return (np.zeros(len(line_data().codes), dtype=np.int64),
                "one goods sector: the partner's mean over all its lines")
    if goods and all(_HS.match(g) for g in goods):
        return _product_keys(sectors, services), "HS codes: the lines under each code"
    if goods and set(goods) <= set(SECTORS):
        names = _line_names("sector")
        how = "tariffsim sectors (tariffsim.sectors.goods_sector)"
    elif goods and set(goods) <= set(ICIO_TO_SECTOR):
        names = _line_names("icio")
        how = "OECD ICIO 2025 industries (tariffsim.sectors.hs_to_icio)"
    else:
        return (f"its sectors {list(sectors)[:6]} are neither one goods sector "
                f"{ONE_SECTOR_NAMES}, tariffsim's sectors (tariffsim.sectors.SECTORS) nor "
                f"OECD ICIO 2025 industry codes, so HTS lines cannot be placed in them "
                f"(aggregate the baseline to tariffsim's sectors)")
    missing = sorted(set(names) - set(goods))
    if missing:
        return (f"HTS lines of sector(s) {missing[:5]} have no goods sector in the baseline "
                f"(its goods sectors: {list(goods)[:8]})")
    return np.array([pos[n] for n in names], dtype=np.int64), how


#: A sector named by an HS code (2 to 10 digits): product data, sectors as products.
_HS = re.compile(r"^\d{2,10}$")


def _product_keys(sectors: tuple[str, ...], services: tuple[str, ...]) -> np.ndarray:
    """Sector of every line for sectors that are HS codes: the longest code that starts the
    line; lines under no code get ``len(sectors)`` (a slot that is dropped)."""
    codes = line_data().codes
    key = np.full(len(codes), len(sectors), dtype=np.int64)
    by_len: dict[int, list[tuple[str, int]]] = {}
    for j, s in enumerate(sectors):
        if s not in services:
            by_len.setdefault(len(s), []).append((s, j))
    for n in sorted(by_len):
        pairs = sorted(by_len[n])
        pre = np.array([p for p, _ in pairs], dtype=f"<U{n}")
        idx = np.array([j for _, j in pairs])
        cut = codes.astype(f"<U{n}")
        pos = np.clip(np.searchsorted(pre, cut), 0, len(pre) - 1)
        hit = pre[pos] == cut
        key[hit] = idx[pos[hit]]
    return key


@lru_cache(maxsize=16)
def line_map(countries: tuple[str, ...], sectors: tuple[str, ...],
             services: tuple[str, ...]) -> LineMap | str:
    """The `LineMap` of a baseline layout, or the reason it has none (text)."""
    if US not in countries:
        return "the baseline has no 'USA'"
    ld = line_data()
    exporters = tuple(c for c in countries if c != US)
    unknown = [c for c in exporters if c != ROW_CODE and code_units(c, ld, members=False)
               is None]
    if unknown:
        return (f"its economies {unknown[:5]} have no US tariff-line data (tariffsim."
                f"tariff_lines.partners() lists the partners; the engine needs ISO3 codes, "
                f"'EU27' and 'ROW')")
    placed = _sector_keys(sectors, services)
    if isinstance(placed, str):
        return placed
    key, how = placed
    named = [c for c in exporters if c != ROW_CODE]
    units = []
    for c in exporters:
        u = _rest(ld, named) if c == ROW_CODE else code_units(c, ld, members=False)
        assert u is not None
        units.append(np.asarray(u))
    row = units[exporters.index(ROW_CODE)] if ROW_CODE in exporters else None
    goods = np.array([s not in services for s in sectors], dtype=bool)
    return LineMap(importer=countries.index(US), exporters=exporters,
                   exporter_index=np.array([countries.index(c) for c in exporters]),
                   units=tuple(units), row_units=row, key=key, goods=goods, how=how)


# ----------------------------------------------------------------------------- rates
@dataclass
class BaselineLines:
    """A scenario's US tariffs on the cells of a baseline layout (see the module notes).

    Use [`baseline_lines`][tariffsim.tariff_lines.cells.baseline_lines];
    [`rates`][tariffsim.tariff_lines.cells.BaselineLines.rates] is what the resolver calls.
    """

    map: LineMap
    instruments: tuple
    n_countries: int
    n_sectors: int
    memo: OrderedDict = field(default_factory=OrderedDict, repr=False)
    schedule: Any = field(init=False, repr=False)
    totals: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # a baseline without ROW: the code 'ROW' means every partner no instrument names
        row = (self.map.row_units if self.map.row_units is not None
               else _default_row(self.instruments))
        self.schedule = compile_instruments(self.instruments, US, row)

    def rates(self, when: _dt.date | None) -> tuple[np.ndarray, np.ndarray]:
        """Mean line rates of the US column on ``when`` and in 2024, each (N, J).

        Rows are exporters in baseline order (the US row is 0); a goods cell without 2024
        imports takes the partner's mean over all its lines; service sectors are 0.
        """
        day = when or _ANY_DAY
        flags = tuple(bool(c.inst.in_force(day)) for c in self.schedule.items)
        hit = self.memo.get(flags)
        if hit is not None:
            self.memo.move_to_end(flags)
            return hit
        m = self.map
        J = self.n_sectors
        ev = evaluate(self.schedule, day)
        K = int(m.key.max()) + 1 if len(m.key) else J   # J + 1: lines under no product
        W, B, N = (a[:, :J] for a in _unit_totals(ev, m.key, max(K, J), self.totals))
        new = np.zeros((self.n_countries, J))
        base = np.zeros((self.n_countries, J))
        for i, units in zip(m.exporter_index, m.units, strict=True):
            w, b, n = W[units].sum(0), B[units].sum(0), N[units].sum(0)
            wt = w.sum()
            fb = (b.sum() / wt, n.sum() / wt) if wt > 0 else (0.0, 0.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                base[i] = np.where(w > 0, b / np.where(w > 0, w, 1.0), fb[0])
                new[i] = np.where(w > 0, n / np.where(w > 0, w, 1.0), fb[1])
        new[:, ~m.goods] = 0.0
        base[:, ~m.goods] = 0.0
        for a in (new, base):
            a.setflags(write=False)
        self.memo[flags] = (new, base)
        if len(self.memo) > _MEMO:
            self.memo.popitem(last=False)
        return new, base


def _default_row(instruments: tuple) -> np.ndarray:
    from .rates import _row_units
    return _row_units(instruments, None)


@lru_cache(maxsize=8)
def _cached(instruments: tuple, countries: tuple[str, ...], sectors: tuple[str, ...],
            services: tuple[str, ...]) -> BaselineLines | str:
    m = line_map(countries, sectors, services)
    if isinstance(m, str):
        return m
    return BaselineLines(map=m, instruments=instruments, n_countries=len(countries),
                         n_sectors=len(sectors))


def baseline_lines(instruments: Any, baseline: Any) -> BaselineLines | str:
    """The [`BaselineLines`][tariffsim.tariff_lines.cells.BaselineLines] of a scenario's instruments
    on a baseline, or the reason (text) why the line engine cannot serve this baseline (see the
    module notes).

    Cached by (instruments, baseline countries, sectors, services): the projection of a
    scenario year by year, its validation and its Monte Carlo draws share one object.
    """
    if not getattr(baseline, "tariff_lines", True):
        return "the baseline sets tariff_lines=False (cell-level rules only)"
    services = tuple(getattr(baseline, "services", None) or ())
    return _cached(tuple(instruments), tuple(baseline.countries), tuple(baseline.sectors),
                   services)
