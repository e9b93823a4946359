"""The line-level stacking engine: the US duty on every (partner, HTS10) line on a day.

The rules are those of [`tariffsim.Tariff`][] (Notes, "Line-level stacking"); this module
applies them to the arrays of `tariffsim.tariff_lines.data.line_data`:

* rows of HS10 partners are their 2024 (partner, line) pairs;
* partners with chapter data only are grouped by *signature* (the set of the scenario's
  instruments whose exporter side covers them, on any day, so that a partner keeps its group
  on every day); each group is one pooled pseudo-partner whose lines follow the pooled HS10
  composition (see `tariffsim.tariff_lines.data`). Added duties are computed on the
  group's lines and given to each member chapter by chapter, so additive layers are exact
  for each member and floors / set layers use the group's pooled base rates.

Everything is vectorised over rows (about 210,000 HS10 rows plus a few hundred thousand
pooled rows). What does not depend on the day is computed once per scenario and kept on the
compiled `Schedule`: the groups, the pooled rows and the rows each instrument covers;
a day costs the stacking arithmetic only.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import re
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ScenarioError, suggest
from ..instruments import ALL, Tariff, to_date
from ..sectors import SECTORS, hs_to_icio
from .data import LineData, line_data, product_mask, share_rows

__all__ = ["Evaluation", "compile_instruments", "evaluate", "line_sectors"]

#: Codes that stand for the EU aggregate on the exporter side.
EU_CODE = "EU27"
ROW_CODE = "ROW"


@lru_cache(maxsize=1)
def line_table() -> pd.DataFrame:
    """`tariffsim.sectors.hs_to_icio` of every line of the HTS10 universe."""
    return hs_to_icio(list(line_data().codes))


@lru_cache(maxsize=1)
def line_sectors() -> np.ndarray:
    """Model sector (tariffsim.sectors) of every line of the HTS10 universe."""
    return line_table().sector.to_numpy(dtype=str)


# ----------------------------------------------------------------------------- compile
@dataclass(frozen=True)
class _Compiled:
    """One Tariff made ready for the arrays (date independent)."""

    k: int                      # position in the scenario
    inst: Tariff
    units: np.ndarray           # bool over units: exporter side covers the unit
    lines: np.ndarray | None    # bool over codes: products covered (None: all)
    u: float                    # coverage * (1 - exempt_coverage) * (1 - numeric exempt_share)
    share: str | None           # share table name (exempt share by row)
    v: float                    # value share
    rate: float

    @property
    def layer(self) -> str:
        return self.inst.layer


def _covers_importer(inst: Tariff, importer: str) -> bool:
    imp = inst.importer
    return imp == ALL or imp == importer or (isinstance(imp, tuple) and
                                             (importer in imp or ALL in imp))


def code_units(code: str, ld: LineData, row_units: Iterable[int] = (), *,
               members: bool = True) -> np.ndarray | None:
    """Unit indices an economy code stands for, or None when it has no US import data.

    ``"*"``: every unit; ISO3: that partner; ``"EU27"``: the EU aggregate and, with
    ``members=True``, its member states (an instrument on the EU covers them too); ``"ROW"``:
    ``row_units``.
    """
    if code == ALL:
        return np.arange(len(ld.units))
    if code == ROW_CODE:
        return np.asarray(sorted(row_units), dtype=int)
    idx = ld.unit_index()
    if code not in idx:
        return None
    if code == EU_CODE and members:
        return np.concatenate([[idx[EU_CODE]], np.flatnonzero(ld.units.eu_member.to_numpy())])
    return np.array([idx[code]])


def unknown_code(code: str, ld: LineData) -> str:
    """The end of an error message for an economy code without US import data."""
    known = list(ld.unit_index()) + [ROW_CODE]
    upper = {k.upper(): k for k in known}
    hint = (f" (did you mean {upper[code.upper()]!r}?)" if code.upper() in upper
            else suggest(code, known))
    return (f"{code!r}{hint} has no US import data; give ISO3 codes of "
            f"partners with 2024 US imports (e.g. 'VNM'), 'EU27' or 'ROW' "
            f"(tariffsim.tariff_lines.partners()).")


def _resolve_units(codes: Any, ld: LineData, row_units: frozenset[int], field_: str
                   ) -> np.ndarray:
    """Bool over units of exporter codes ('*', ISO3, 'EU27' with its members, 'ROW')."""
    out = np.zeros(len(ld.units), dtype=bool)
    if codes is None:
        out[:] = True
        return out
    for code in ((codes,) if isinstance(codes, str) else codes):
        units = code_units(code, ld, row_units)
        if units is None:
            raise ScenarioError(f"{field_}: {unknown_code(code, ld)}", field=field_)
        out[units] = True
    return out


def _sector_lines(names: tuple[str, ...]) -> np.ndarray:
    return np.isin(line_sectors(), list(names))


#: A sector name that is an HS code (2 to 10 digits, dots allowed): the lines under it.
_HS_NAME = re.compile(r"^\d{2}(\.?\d{2}){0,4}$")


def _named_lines(names: tuple[str, ...], field_: str) -> tuple[np.ndarray, list[str]]:
    """Lines of named model sectors and HS codes (as on product data, where products are the
    sectors), and the names that are neither."""
    model = [s for s in names if s in SECTORS]
    codes = [s for s in names if s not in SECTORS and _HS_NAME.match(s)]
    sel = (_sector_lines(tuple(model)) if model
           else np.zeros(len(line_data().codes), dtype=bool))
    if codes:
        sel = sel | product_mask(tuple(codes), field_)
    return sel, [s for s in names if s not in model and s not in codes]


def _compile_one(k: int, inst: Tariff, ld: LineData, row_units: frozenset[int]) -> _Compiled:
    p = f"instruments[{k}]"
    units = _resolve_units(inst.exporter, ld, row_units, f"{p}.exporter")
    if inst.exclude:
        units &= ~_resolve_units(inst.exclude, ld, row_units, f"{p}.exclude")
    lines: np.ndarray | None = None
    u = 1.0
    if inst.products is not None:
        lines = product_mask(inst.products, f"{p}.products").copy()
    if inst.sectors is not None:
        sel, unknown = _named_lines(inst.sectors, f"{p}.sectors")
        if unknown:
            if inst.coverage is None:
                raise ScenarioError(
                    f"{p}.sectors: {unknown} are neither model sectors "
                    f"({', '.join(SECTORS)}){suggest(unknown[0], SECTORS)} nor HS codes; at "
                    f"the tariff line give products= (HTS codes or lists), model sectors, or "
                    f"coverage= (the share of the partner's trade they stand for).",
                    field=f"{p}.sectors")
            u *= inst.coverage
        else:
            lines = sel if lines is None else lines & sel
    elif inst.coverage is not None:
        u *= inst.coverage
    if inst.exempt:
        sel, unknown = _named_lines(inst.exempt, f"{p}.exempt")
        if sel.any():
            lines = ~sel if lines is None else lines & ~sel
        if unknown:
            if inst.exempt_coverage is None:
                raise ScenarioError(
                    f"{p}.exempt: {unknown} are neither model sectors nor HS codes; give "
                    f"exempt_products= (HTS codes or lists) or exempt_coverage= (the exempt "
                    f"share).", field=f"{p}.exempt")
            u *= 1.0 - inst.exempt_coverage
    if inst.exempt_products is not None:
        ex = product_mask(inst.exempt_products, f"{p}.exempt_products")
        lines = ~ex if lines is None else lines & ~ex
    share: str | None = None
    if isinstance(inst.exempt_share, str):
        share = inst.exempt_share
    elif inst.exempt_share is not None:
        u *= 1.0 - inst.exempt_share
    if lines is not None:
        lines.setflags(write=False)
    return _Compiled(k=k, inst=inst, units=units, lines=lines, u=u, share=share,
                     v=inst.value_share, rate=inst.effective_rate)


@dataclass(frozen=True)
class Schedule:
    """The Tariff instruments of a scenario compiled for one importer (date independent).

    ``cache`` keeps what does not depend on the date: the row layout and the rows each
    instrument covers (``_layout``).
    """

    items: tuple[_Compiled, ...]
    importer: str
    cache: dict = field(default_factory=dict, compare=False, hash=False, repr=False)


@lru_cache(maxsize=1)
def _index() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(unit_ptr, line_order, line_ptr): HS10 rows of unit u are ``unit_ptr[u]:unit_ptr[u+1]``
    (rows are sorted by unit); rows of line l are ``line_order[line_ptr[l]:line_ptr[l+1]]``."""
    ld = line_data()
    unit_ptr = np.searchsorted(ld.row_unit, np.arange(len(ld.units) + 1))
    line_order = np.argsort(ld.row_line, kind="stable")
    line_ptr = np.searchsorted(ld.row_line[line_order], np.arange(len(ld.codes) + 1))
    return unit_ptr, line_order, line_ptr


def _gather(ptr: np.ndarray, keys: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """Concatenated ranges ``ptr[k]:ptr[k+1]`` for every k in ``keys`` (through ``order``)."""
    starts, counts = ptr[keys], ptr[keys + 1] - ptr[keys]
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offs = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    pos = np.arange(total) + offs
    return pos if order is None else order[pos]


def _real_rows(c: _Compiled, ld: LineData) -> tuple[np.ndarray, np.ndarray]:
    """HS10 rows an instrument covers and their share u (before yields), date independent."""
    unit_ptr, line_order, line_ptr = _index()
    units = np.flatnonzero(c.units[: len(unit_ptr) - 1])
    n_unit_rows = int((unit_ptr[units + 1] - unit_ptr[units]).sum())
    if c.lines is not None:
        lines = np.flatnonzero(c.lines)
        n_line_rows = int((line_ptr[lines + 1] - line_ptr[lines]).sum())
    if c.lines is not None and n_line_rows < n_unit_rows:
        idx = np.sort(_gather(line_ptr, lines, line_order))
        idx = idx[c.units[ld.row_unit[idx]]]
    else:
        idx = _gather(unit_ptr, units)
        if c.lines is not None:
            idx = idx[c.lines[ld.row_line[idx]]]
    if c.share is None:
        u = np.full(len(idx), c.u)
    else:
        u = c.u * (1.0 - share_rows(c.share)[idx])
    keep = u > 0
    return idx[keep], u[keep]


@lru_cache(maxsize=12)
def _compile_cached(instruments: tuple, importer: str, row_units: frozenset[int]) -> Schedule:
    ld = line_data()
    items = []
    for k, inst in enumerate(instruments):
        if not isinstance(inst, Tariff) or not _covers_importer(inst, importer):
            continue
        items.append(_compile_one(k, inst, ld, row_units))
    return Schedule(items=tuple(items), importer=importer)


def compile_instruments(instruments: Sequence[Any], importer: str = "USA",
                        row_units: Iterable[int] = ()) -> Schedule:
    """Compile the Tariff instruments that ``importer`` levies (others are ignored).

    ``row_units``: indices of the units that the exporter code ``'ROW'`` stands for.
    """
    return _compile_cached(tuple(instruments), importer, frozenset(row_units))


# ----------------------------------------------------------------------------- evaluate
@dataclass
class Evaluation:
    """Line rates on one day.

    Rows ``0 .. n_real-1`` are the HS10 rows of `line_data` (same order); the rest
    are pooled rows of groups of chapter-data partners (``row_group`` >= 0).

    Attributes
    ----------
    row_unit : ndarray of int
        Unit of the row (for pooled rows: the first member of the group).
    row_group : ndarray of int
        -1 for HS10 rows, else the group index (see ``group_units``).
    row_line, row_m, row_t0, row_t : ndarrays
        Line index, 2024 imports (USD), 2024 applied rate and the rate on the day.
    group_units : list of ndarray
        Units of each group of chapter-data partners.
    """

    date: _dt.date
    row_unit: np.ndarray
    row_group: np.ndarray
    row_line: np.ndarray
    row_m: np.ndarray
    row_t0: np.ndarray
    row_t: np.ndarray
    group_units: list[np.ndarray]
    n_real: int


def _groups(ld: LineData, relevant: list[_Compiled]) -> tuple[list[np.ndarray], np.ndarray]:
    """Chapter-data units grouped by which instruments cover them; group index per unit."""
    hs2 = np.flatnonzero(ld.units.basis.to_numpy() == "hs2")
    if relevant:
        sig = np.stack([c.units[hs2] for c in relevant], axis=1)
        _, inv = np.unique(sig, axis=0, return_inverse=True)
        inv = inv.ravel()
    else:
        inv = np.zeros(len(hs2), dtype=int)
    groups = [hs2[inv == g] for g in range(inv.max() + 1 if len(inv) else 0)]
    gid = np.full(len(ld.units), -1)
    for g, members in enumerate(groups):
        gid[members] = g
    return groups, gid


def _pooled_rows(ld: LineData, groups: list[np.ndarray]) -> tuple[np.ndarray, ...]:
    """Rows of the pooled pseudo-partners: line weights and base rates by chapter."""
    pos = np.flatnonzero(ld.ref_share > 0)
    ch = ld.chapter[pos]
    s, r = ld.ref_share[pos], ld.ref_rate[pos]
    chap_rate = np.bincount(ch, weights=s * r, minlength=100)
    out_g, out_u, out_l, out_m, out_t0 = [], [], [], [], []
    for g, members in enumerate(groups):
        M = ld.chap_m[members].sum(0)
        D = ld.chap_d[members].sum(0)
        m = M[ch] * s
        keep = m > 0
        if not keep.any():
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            uniform = np.where(M > 0, D / M, 0.0)
            scale = np.where(chap_rate > 0, uniform / chap_rate, 0.0)
        t0 = np.where(chap_rate[ch] > 0, r * scale[ch], uniform[ch])
        n = int(keep.sum())
        out_g.append(np.full(n, g))
        out_u.append(np.full(n, members[0]))
        out_l.append(pos[keep])
        out_m.append(m[keep])
        out_t0.append(t0[keep])
    if not out_g:
        e = np.zeros(0)
        return e.astype(int), e.astype(int), e.astype(int), e, e
    return tuple(np.concatenate(x) for x in (out_g, out_u, out_l, out_m, out_t0))


@dataclass(frozen=True)
class _Layout:
    """The rows of a schedule, independent of the day: HS10 rows, then the pooled rows of
    each group of chapter-data partners; ``cover[k]`` the rows instrument k covers and its
    share u there (before yields; a 0-d array when it is the same on every row)."""

    groups: list[np.ndarray]
    n_real: int
    row_unit: np.ndarray
    row_group: np.ndarray
    row_line: np.ndarray
    row_m: np.ndarray
    t0: np.ndarray
    cover: dict[int, tuple[np.ndarray, np.ndarray]]


def _layout(schedule: Schedule) -> _Layout:
    """The schedule's `_Layout`, built on first use and kept in its cache."""
    hit = schedule.cache.get("layout")
    if hit is not None:
        return hit
    ld = line_data()
    groups, _ = _groups(ld, list(schedule.items))
    pg, pu, pl, pm, pt0 = _pooled_rows(ld, groups)
    n_real = len(ld.row_unit)
    row_line = np.concatenate([ld.row_line, pl]).astype(np.int32)
    gptr = np.searchsorted(pg, np.arange(len(groups) + 1)) + n_real
    cover: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for c in schedule.items:
        idx, u = _real_rows(c, ld)
        parts_i, parts_u = [idx], [u]
        for g, members in enumerate(groups):
            if not c.units[members[0]]:
                continue
            rows = np.arange(gptr[g], gptr[g + 1])
            if c.lines is not None:
                rows = rows[c.lines[row_line[rows]]]
            if len(rows):
                parts_i.append(rows)
                parts_u.append(np.full(len(rows), c.u))
        if len(parts_i) > 1:
            idx, u = np.concatenate(parts_i), np.concatenate(parts_u)
        # memory: int32 rows, and one number for u when it is the same on every row
        if len(u) and (u == u[0]).all():
            u = np.asarray(u[0])
        cover[c.k] = (idx.astype(np.int32), u)
    lay = _Layout(groups=groups, n_real=n_real,
                  row_unit=np.concatenate([ld.row_unit, pu]).astype(np.int32),
                  row_group=np.concatenate([np.full(n_real, -1), pg]).astype(np.int32),
                  row_line=row_line, row_m=np.concatenate([ld.row_m, pm]),
                  t0=np.concatenate([ld.row_t0, pt0]), cover=cover)
    for a in (lay.row_unit, lay.row_group, lay.row_line, lay.row_m, lay.t0):
        a.setflags(write=False)
    schedule.cache["layout"] = lay
    return lay


#: Coverage arrays kept per schedule across days (float64 elements, about 24 MB).
_COVERAGE_MEMO = 3_000_000


def _baseline_layers(schedule: Schedule, lay: _Layout, inbase: list[_Compiled]
                     ) -> tuple[np.ndarray, np.ndarray, list]:
    """Rows the in-baseline layers cover, their summed rate ``B_all`` there, and each
    layer's (compiled, positions in those rows, rate x u x v) -- date independent."""
    hit = schedule.cache.get("inbase")
    if hit is not None:
        return hit
    rows = np.unique(np.concatenate([lay.cover[c.k][0] for c in inbase]))
    b_all = np.zeros(len(rows))
    parts = []
    for c in inbase:
        idx, u = lay.cover[c.k]
        pos = np.searchsorted(rows, idx)
        add = c.rate * u * c.v
        np.add.at(b_all, pos, add)
        parts.append((c, pos, add))
    out = (rows, b_all, parts)
    schedule.cache["inbase"] = out
    return out


def _yields(schedule: Schedule) -> dict[int, frozenset[int]]:
    """For each instrument, the instruments it yields to (by layer; never itself; only
    those that cover some row) -- date independent."""
    hit = schedule.cache.get("yields")
    if hit is None:
        cover = _layout(schedule).cover
        hit = {c.k: frozenset(j.k for j in schedule.items
                              if j.k != c.k and len(cover[j.k][0])
                              and c.inst.yields_to and _matches(j.layer, c.inst.yields_to))
               for c in schedule.items}
        schedule.cache["yields"] = hit
    return hit


def _matches(layer: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(layer, p) for p in patterns)


def evaluate(schedule: Schedule, date: Any) -> Evaluation:
    """Rates of every (partner, line) row on ``date`` under ``schedule``."""
    when = to_date(date, "date")
    if when is None:
        raise ScenarioError("date: give the day to evaluate, e.g. '2025-09-01'.", field="date")
    ld = line_data()
    active = [c for c in schedule.items if c.inst.in_force(when)]
    inbase = [c for c in schedule.items if c.inst.in_baseline]
    lay = _layout(schedule)
    groups, n_real, n = lay.groups, lay.n_real, len(lay.row_unit)
    row_unit, row_line, row_m, t0 = lay.row_unit, lay.row_line, lay.row_m, lay.t0

    def share_of(c: _Compiled, idx: np.ndarray) -> np.ndarray:
        """u of instrument c on rows idx (pooled rows have no share table entries)."""
        if c.share is None:
            return np.full(len(idx), c.u)
        sh = np.zeros(len(idx))
        real = idx < n_real
        sh[real] = share_rows(c.share)[idx[real]]
        return c.u * (1.0 - sh)

    cover = lay.cover

    # 1. baseline layers no longer in force leave the 2024 duty
    t = t0.copy()
    if inbase:
        rows, b_all, parts = _baseline_layers(schedule, lay, inbase)
        b_on = np.zeros(len(rows))
        for c, pos, add in parts:
            if c.inst.in_force(when):
                np.add.at(b_on, pos, add)
        base = t0[rows]
        t[rows] -= np.minimum(base, b_all) - np.minimum(base, b_on)

    # yields: the share of an instrument's rows that the displacing instruments in force
    # take, kept per (instrument, displacing instruments) across days
    memo: OrderedDict = schedule.cache.setdefault("coverage", OrderedDict())
    displaced: dict[tuple, np.ndarray] = {}

    def coverage(c: _Compiled) -> tuple[np.ndarray, np.ndarray]:
        idx, u = cover[c.k]
        if not c.inst.yields_to or len(idx) == 0:
            return idx, u * c.v
        yields = _yields(schedule)[c.k]
        js = tuple(j.k for j in active if j.k in yields)
        if not js:
            return idx, u * c.v
        mk = (c.k, js)
        hit = memo.get(mk)
        if hit is not None:
            memo.move_to_end(mk)
            return idx, hit
        key = (c.share, c.u, c.v, js)
        if key not in displaced:
            d = np.zeros(n)
            for jk in js:
                j = by_k[jk]
                jdx, ju = cover[jk]
                uf = share_of(c, jdx)
                d[jdx] = np.maximum(d[jdx], np.minimum(uf, ju) * min(c.v, j.v))
            displaced[key] = d
        cov = np.maximum(u * c.v - displaced[key][idx], 0.0)
        cov.setflags(write=False)
        memo[mk] = cov
        memo_size[0] += len(cov)
        while memo_size[0] > _COVERAGE_MEMO and len(memo) > 1:
            _, old = memo.popitem(last=False)
            memo_size[0] -= len(old)
        return idx, cov

    by_k = {c.k: c for c in schedule.items}
    memo_size = schedule.cache.setdefault("coverage_size", [0])

    # 2-4. set, floor, add
    for mode in ("set", "floor", "add"):
        for c in active:
            if c.inst.mode != mode or c.inst.in_baseline:
                continue
            idx, cov = coverage(c)
            if not len(idx):
                continue
            if mode == "set":
                t[idx] = (1.0 - cov) * t[idx] + cov * c.rate
            elif mode == "floor":
                t[idx] = (1.0 - cov) * t[idx] + cov * np.maximum(t[idx], c.rate)
            else:
                t[idx] += cov * c.rate
    if (t <= -1).any():
        i = int(np.argmax(t <= -1))
        raise ScenarioError(f"tariffs on {when}: the layers add up to {t[i]:.4g} (at or below "
                            f"-100%) on {ld.units.partner.iloc[row_unit[i]]} line "
                            f"{ld.codes[row_line[i]]}; check negative additive rates.",
                            field="tariffs")
    return Evaluation(date=when, row_unit=row_unit, row_group=lay.row_group,
                      row_line=row_line, row_m=row_m, row_t0=t0, row_t=t,
                      group_units=groups, n_real=n_real)
