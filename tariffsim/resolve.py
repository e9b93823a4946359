"""The resolver: from a scenario's instruments to array-level shocks on a baseline.

`resolve` turns a [`tariffsim.Scenario`][] into [`tariffsim.shocks.Shocks`][]
indexed like ``Baseline.flows`` (``[exporter, importer, sector]``): the policy in force
on a day, or in a year (``year_rule``). `check` validates a scenario (contradictory
"set" tariffs; with a baseline, unknown codes and sectors and the tariffs on every date
the policy changes). ``Scenario.shocks`` and ``Scenario.validate`` are thin calls to them.

The work is split by step, so that a new rule lands in one function:

1. `Resolver` maps the codes and sector names of instruments to baseline indices
   (with did-you-mean errors), sector weights (``sectors``, ``coverage``, ``exempt``)
   and unit factors; `cells` says where one instrument applies (`Cells`).
2. `in_force` selects the instruments in force on a day.
3. One function per instrument kind turns the instruments of that kind into arrays or
   targets: [`tariff_levels`][tariffsim.resolve.tariff_levels] (the stacking rules of
   ``mode="set"/"floor"/"add"``, documented on [`tariffsim.Tariff`][]), `trade_cost_factors`,
   `export_tax_wedges`, `quota_targets`, `commitment_targets`.
4. `point` assembles the shocks of one day; `average` weights the days of a
   year; `resolve` picks the day or year and adds the commitments.

Evaluating a scenario in a year
-------------------------------
``year_rule="average"`` (the default everywhere, `tariffsim.literals.DEFAULT_YEAR_RULE`)
averages tariffs, trade-cost factors and export taxes over the year, weighting each policy
regime by the number of days it is in force (quotas still use the policy of 1 July);
``"mid-year"`` uses the policy in force on 1 July of the year. Purchase commitments are
phased by year either way ([`tariffsim.ImportCommitment.phase`][]).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ._validate import YEAR_RANGE, check_when, to_date
from .errors import ScenarioError, suggest
from .instruments import (
    ALL,
    UNIT_FACTORS,
    ExportRestriction,
    ImportCommitment,
    Instrument,
    Tariff,
    TradeCost,
)
from .literals import DEFAULT_YEAR_RULE, Rents, YearRule, check_option
from .shocks import CommitmentTarget, QuotaTarget, Shocks
from .tariff_lines.cells import (
    US,
    BaselineLines,
    baseline_lines,
    covers_us,
    only_us,
    product_fields,
)

if TYPE_CHECKING:
    from .scenario import Scenario

__all__ = [
    "resolve",
    "check",
    "Resolver",
    "Cells",
    "cells",
    "in_force",
    "policy_dates",
    "point",
    "average",
    "tariff_levels",
    "cell_levels",
    "trade_cost_factors",
    "export_tax_wedges",
    "quota_targets",
    "commitment_targets",
    "check_contradictions",
]

#: Tolerance on coverage sums and rate differences.
_EPS = 1e-9

#: An instrument with its position in the scenario (named in errors: ``instruments[k]``).
Item = tuple[int, Instrument]


# ----------------------------------------------------------------------------- entry points
def resolve(scenario: Scenario, baseline: Any, *, date: Any = None, year: int | None = None,
            year_rule: YearRule = DEFAULT_YEAR_RULE) -> Shocks:
    """Array-level shocks of ``scenario`` on ``baseline`` on a date or in a year.

    Parameters
    ----------
    scenario : Scenario
    baseline : tariffsim.Baseline
    date : date, str or int, optional
        Evaluate the policy in force on this day (`tariffsim._validate.to_date`; a
        bare year is 1 January of it).
    year : int, optional
        Evaluate a calendar year (see ``year_rule``).
    year_rule : {"average", "mid-year"}
        How a policy that starts or ends within ``year`` counts (default
        `DEFAULT_YEAR_RULE`, ``"average"``). Without ``date`` and
        ``year`` the scenario's own ``date`` is used; without that, the day its last
        instrument starts (the policy once fully in place); a scenario with no dated
        instrument is evaluated with all its instruments.

    Returns
    -------
    Shocks
        See [`tariffsim.Scenario.shocks`][].

    Raises
    ------
    ScenarioError
        ``date`` and ``year`` together, an unknown ``year_rule``, a year outside
        1900-2200, unknown codes or sectors, contradictory tariffs, disagreeing rents, a
        dated scenario without a date.
    """
    check_when(date, year)
    check_option(year_rule, YearRule, "year_rule", error=ScenarioError)
    instruments = scenario.instruments
    res = Resolver(baseline, instruments)
    for k, inst in enumerate(instruments):  # unknown codes first, whatever the date
        res.validate(k, inst)
    if year is not None:
        year = _check_year(year)
        mid = _dt.date(year, 7, 1)
        if year_rule == "mid-year":
            out = point(res, in_force(instruments, mid), mid)
        else:
            out = average(res, instruments, policy_dates(scenario), year)
            out.quotas = point(res, in_force(instruments, mid), mid).quotas
        out.commitments = commitment_targets(res, in_force(instruments, mid), year)
    else:
        when = to_date(date, "date") if date is not None else scenario.date
        if when is None and is_dated(instruments):
            when = latest_start(instruments)
            if when is None:
                raise ScenarioError(f"shocks: scenario {scenario.name!r} has dated instruments "
                                    f"but no date; pass date= or year=.", field="date")
        out = point(res, in_force(instruments, when), when)
        out.commitments = commitment_targets(res, in_force(instruments, when),
                                             when.year if when else None)
    for c in out.commitments:
        if c.label and c.label not in out.labels:
            out.labels.append(c.label)
    return out


def check(scenario: Scenario, baseline: Any = None) -> None:
    """Validate ``scenario``; raise ScenarioError on the first problem.

    Without a baseline: contradictory "set" tariffs (`check_contradictions`). With
    a baseline, also: unknown economy codes and sectors (with suggestions), sector-
    restricted instruments without ``coverage`` on a baseline that lacks those sectors,
    unit conversions, and the effective tariffs on every date where the policy changes.
    """
    check_contradictions(scenario.instruments)
    if baseline is None:
        return
    res = Resolver(baseline, scenario.instruments)
    for k, inst in enumerate(scenario.instruments):
        res.validate(k, inst)
    days: list[_dt.date | None] = list(policy_dates(scenario)) or [None]
    for d in days:
        point(res, in_force(scenario.instruments, d), d)


def _check_year(year: Any) -> int:
    lo, hi = YEAR_RANGE
    if isinstance(year, bool) or not isinstance(year, int | np.integer) \
            or not lo <= int(year) <= hi:
        raise ScenarioError(f"year: got {year!r}; give a year such as 2026.", field="year")
    return int(year)


# ----------------------------------------------------------------------------- dates
def in_force(instruments: Sequence[Instrument], when: _dt.date | None) -> list[Item]:
    """The instruments in force on ``when`` with their positions (all when None)."""
    return [(k, i) for k, i in enumerate(instruments) if when is None or i.in_force(when)]


def is_dated(instruments: Iterable[Instrument]) -> bool:
    """True when some instrument has a start, an end or a phase-in."""
    return any(i.start is not None or i.end is not None
               or (isinstance(i, ImportCommitment) and (i.by or i.schedule))
               for i in instruments)


def latest_start(instruments: Iterable[Instrument]) -> _dt.date | None:
    """The day the last instrument started: the scenario's policy once fully in place."""
    starts = [i.start for i in instruments if i.start is not None]
    return max(starts) if starts else None


def policy_dates(scenario: Scenario) -> list[_dt.date]:
    """The days the policy changes (starts and ends of instruments, the scenario's date)."""
    pts = {d for i in scenario.instruments for d in (i.start, i.end) if d is not None}
    if scenario.date is not None:
        pts.add(scenario.date)
    return sorted(pts)


# ----------------------------------------------------------------------------- indices
def _suggest_code(code: str, known: Sequence[str]) -> str:
    upper = {k.upper(): k for k in known}
    if code.upper() in upper:
        return f" (did you mean {upper[code.upper()]!r}?)"
    return suggest(code, known)


def _unknown(field: str, what: str, unknown: Sequence[str], known: Sequence[str],
             fix: str) -> ScenarioError:
    parts = [f"{u!r}{_suggest_code(u, known)}" for u in list(unknown)[:10]]
    shown = ", ".join(list(known)[:30]) + (" ..." if len(known) > 30 else "")
    return ScenarioError(f"{field}: unknown {what} {', '.join(parts)}. Known: {shown}. {fix}",
                         field=field)


class Resolver:
    """Maps the codes and sector names of instruments to baseline indices.

    Parameters
    ----------
    baseline : tariffsim.Baseline
        Anything with ``countries``, ``sectors``, ``flows`` and ``tariffs`` (and
        optionally ``units``, ``services``).
    instruments : sequence of instruments
        The scenario's instruments, all of them (the line engine reads US Tariffs on every
        day, including in-baseline layers not in force; see
        [`tariff_levels`][tariffsim.resolve.tariff_levels]).
    """

    def __init__(self, baseline: Any, instruments: Sequence[Instrument] = ()) -> None:
        for attr in ("countries", "sectors", "flows", "tariffs"):
            if not hasattr(baseline, attr):
                raise ScenarioError(f"baseline: expected a tariffsim.Baseline (missing "
                                    f"{attr!r}), got {type(baseline).__name__}.",
                                    field="baseline")
        self.base = baseline
        self.countries: tuple[str, ...] = tuple(baseline.countries)
        self.sectors: tuple[str, ...] = tuple(baseline.sectors)
        self.cidx = {c: i for i, c in enumerate(self.countries)}
        self.sidx = {s: j for j, s in enumerate(self.sectors)}
        self.N, self.J = len(self.countries), len(self.sectors)
        self.units: str = getattr(baseline, "units", "USD million")
        self.instruments: tuple[Instrument, ...] = tuple(instruments)
        self._lines: BaselineLines | str | None = None

    def lines(self) -> BaselineLines | str:
        """The line engine on this baseline for the scenario's US Tariffs
        ([`tariffsim.tariff_lines.cells.baseline_lines`][]), or why it does not apply."""
        if self._lines is None:
            if not any(isinstance(i, Tariff) and covers_us(i) for i in self.instruments):
                self._lines = "the scenario has no US Tariff"
            else:
                self._lines = baseline_lines(self.instruments, self.base)
        return self._lines

    def in_baseline_layers(self) -> bool:
        """True when the line engine serves this baseline and the scenario has layers that
        are part of the 2024 duties (they change the tariffs on days they are not in force)."""
        lines = self.lines()
        return not isinstance(lines, str) and any(c.inst.in_baseline
                                                  for c in lines.schedule.items)

    def line_tariff(self, inst: Instrument) -> bool:
        """True when the US side of ``inst`` goes through the line engine."""
        return (isinstance(inst, Tariff) and covers_us(inst)
                and not isinstance(self.lines(), str))

    def validate(self, k: int, inst: Instrument) -> None:
        """Check the codes, sectors and units of instrument ``k`` on this baseline.

        The US side of a Tariff that the line engine serves is checked by the engine
        (partners with US import data, product lists, model sectors); everything else
        against the baseline (`cells`). Product fields where there is no line data
        raise ScenarioError.
        """
        if self.line_tariff(inst):
            assert isinstance(inst, Tariff)
            if not only_us(inst):
                _no_product_fields(self, k, inst, non_us=True)
                cells(self, k, inst)
            return
        if isinstance(inst, Tariff):
            _no_product_fields(self, k, inst, non_us=not covers_us(inst))
        cells(self, k, inst)

    def index(self, code: str, field: str) -> int:
        """Position of one economy code."""
        if code not in self.cidx:
            raise _unknown(field, "economy code", [code], self.countries,
                           "Fix the spelling or add the economy to the baseline.")
        return self.cidx[code]

    def mask(self, codes: str | Sequence[str] | None, exclude: Sequence[str],
             field: str) -> np.ndarray:
        """Boolean (N,) mask of one code, a list, ``"*"`` or None (all), minus ``exclude``."""
        m = np.zeros(self.N, dtype=bool)
        if codes is None or codes == ALL:
            m[:] = True
        else:
            items = (codes,) if isinstance(codes, str) else tuple(codes)
            bad = [c for c in items if c not in self.cidx]
            if bad:
                raise _unknown(field, "economy code(s)", bad, self.countries,
                               "Fix the spelling or add the economy to the baseline.")
            m[[self.cidx[c] for c in items]] = True
        bad = [c for c in exclude if c not in self.cidx]
        if bad:
            raise _unknown(field.rsplit(".", 1)[0] + ".exclude", "economy code(s)", bad,
                           self.countries, "Fix the spelling or remove it from exclude.")
        m[[self.cidx[c] for c in exclude]] = False
        return m

    def sector_weights(self, inst: Instrument, prefix: str) -> np.ndarray:
        """Weight (0-1) of the instrument on each baseline sector, shape (J,).

        Named sectors the baseline has get weight 1 (others 0); named sectors it lacks
        need ``coverage`` (the share of the pair's trade they stand for), which then
        weighs every sector; ``exempt`` sectors get 0 and ``exempt_coverage`` scales the
        rest (see the module notes of `tariffsim.instruments`).
        """
        sectors = inst.sectors
        coverage = getattr(inst, "coverage", None)
        w = np.ones(self.J)
        if sectors is None and isinstance(inst, ImportCommitment):
            # a purchase commitment is about goods: the baseline's services are left out
            w[[self.sidx[x] for x in getattr(self.base, "services", ()) or ()]] = 0.0
        if sectors is not None:
            known = [s for s in sectors if s in self.sidx]
            unknown = [s for s in sectors if s not in self.sidx]
            if not unknown:
                w[:] = 0.0
                w[[self.sidx[s] for s in known]] = 1.0
            elif known:
                raise _unknown(f"{prefix}.sectors", "sector(s)", unknown, self.sectors,
                               "Use the baseline's sector names, or give only sectors that "
                               "are not in the baseline together with coverage=.")
            elif isinstance(inst, ImportCommitment):
                if self.J != 1:
                    raise _unknown(f"{prefix}.sectors", "sector(s)", unknown, self.sectors,
                                   "Use the baseline's sector names (a commitment on a "
                                   "one-sector baseline applies to the pair's total imports).")
            elif isinstance(inst, ExportRestriction) and inst.quantity_cap is not None:
                raise _unknown(f"{prefix}.sectors", "sector(s)", unknown, self.sectors,
                               "A quantity cap needs a baseline with the restricted sectors; "
                               "use a sectoral baseline, or tax_equivalent= with coverage= "
                               "(share of the pair's exports covered) on this baseline.")
            elif coverage is None:
                raise _unknown(f"{prefix}.sectors", "sector(s)", unknown, self.sectors,
                               f"This baseline has no such sector: pass coverage= (the share "
                               f"of the pair's trade the instrument covers, e.g. 0.12) or use a "
                               f"sectoral baseline.{self._hint()}")
        # coverage is the share of the pair's trade that the named sectors stand for, used
        # when the baseline lacks them; on a baseline that has them the weight is exact
        if coverage is not None and (sectors is None or not all(s in self.sidx
                                                                for s in sectors)):
            w *= coverage
        exempt = getattr(inst, "exempt", None)
        exempt_cov = getattr(inst, "exempt_coverage", None)
        if exempt:
            unknown = [s for s in exempt if s not in self.sidx]
            for s in exempt:
                if s in self.sidx:
                    w[self.sidx[s]] = 0.0
            if unknown and exempt_cov is None:
                raise _unknown(f"{prefix}.exempt", "sector(s)", unknown, self.sectors,
                               "Exempt products that are not baseline sectors need "
                               "exempt_coverage= (the share of the covered trade that is "
                               "exempt), or use a sectoral baseline.")
        if exempt_cov is not None:
            w *= 1.0 - exempt_cov
        return w

    def _hint(self) -> str:
        return " (this baseline has the single sector 'total')" if self.J == 1 else ""

    def unit_factor(self, units: str, field: str) -> float:
        """Multiplier from ``units`` to the baseline's units."""
        if units == self.units:
            return 1.0
        if units in UNIT_FACTORS and self.units in UNIT_FACTORS:
            return UNIT_FACTORS[units] / UNIT_FACTORS[self.units]
        raise ScenarioError(f"{field}: cannot convert {units!r} to the baseline's units "
                            f"{self.units!r}; give the value in {self.units!r}.", field=field)


@dataclass(frozen=True)
class Cells:
    """Where one instrument applies on the baseline.

    Attributes
    ----------
    exporters : ndarray of bool, shape (N,)
        The exporting side (one economy for commitments and export restrictions).
    importers : ndarray of bool, shape (N,)
        The importing side (the destinations of an export restriction, never its
        exporter; one economy for a commitment).
    weights : ndarray, shape (J,)
        Weight of the instrument on each sector (`Resolver.sector_weights`).
    factor : float
        Multiplier from the instrument's units to the baseline's (values and caps).
    """

    exporters: np.ndarray
    importers: np.ndarray
    weights: np.ndarray
    factor: float = 1.0

    @property
    def exporter(self) -> int:
        """The (first) exporter's index."""
        return int(np.flatnonzero(self.exporters)[0])

    @property
    def importer(self) -> int:
        """The (first) importer's index."""
        return int(np.flatnonzero(self.importers)[0])

    @property
    def block(self) -> tuple[np.ndarray, ...]:
        """``np.ix_`` index of the (exporter, importer) block."""
        return np.ix_(np.flatnonzero(self.exporters), np.flatnonzero(self.importers))


def _no_product_fields(res: Resolver, k: int, inst: Tariff, *, non_us: bool) -> None:
    """ScenarioError when a Tariff that the cell-level rules resolve has product fields."""
    used = product_fields(inst)
    if not used:
        return
    field = f"instruments[{k}].{used[0]}"
    if non_us:
        why = (f"tariffsim has tariff-line data for US imports only, and this Tariff's "
               f"importer {inst.importer!r} reaches other economies. Give those importers "
               f"sectors=/coverage= (cell-level rules) in a Tariff of their own, or drop "
               f"{', '.join(used)}.")
    else:
        why = (f"the line engine cannot serve this baseline: {res.lines()}; without it the "
               f"cell-level rules cannot read {', '.join(used)}. Use a baseline it can "
               f"serve (tariffsim.load_baseline()) or sectors=/coverage= instead.")
    raise ScenarioError(f"{field}: {why}", field=field)


def _one(res: Resolver, code: str, field: str) -> np.ndarray:
    m = np.zeros(res.N, dtype=bool)
    m[res.index(code, field)] = True
    return m


def cells(res: Resolver, k: int, inst: Instrument) -> Cells:
    """Baseline indices and sector weights of instrument ``k`` (raises on unknown codes)."""
    p = f"instruments[{k}]"
    if isinstance(inst, Tariff | TradeCost):
        imp = res.mask(inst.importer, (), f"{p}.importer")
        exp = res.mask(inst.exporter, inst.exclude, f"{p}.exporter")
        return Cells(exp, imp, res.sector_weights(inst, p))
    if isinstance(inst, ImportCommitment):
        imp = _one(res, inst.importer, f"{p}.importer")
        exp = _one(res, inst.exporter, f"{p}.exporter")
        factor = res.unit_factor(inst.units, f"{p}.units")
        return Cells(exp, imp, res.sector_weights(inst, p), factor)
    exp = _one(res, inst.exporter, f"{p}.exporter")
    dest = res.mask(inst.destinations, inst.exclude, f"{p}.destinations")
    dest[exp] = False
    factor = (res.unit_factor(inst.units, f"{p}.units") if inst.quantity_cap is not None
              else 1.0)
    return Cells(exp, dest, res.sector_weights(inst, p), factor)


# ----------------------------------------------------------------------------- one day
def point(res: Resolver, items: Sequence[Item], when: _dt.date | None) -> Shocks:
    """Shocks of the instruments ``items`` in force on ``when`` (commitments excluded).

    Arrays of a kind without instruments stay None.
    """
    out = Shocks(labels=[i.label for _, i in items if not isinstance(i, ImportCommitment)])
    tariffs = [(k, i) for k, i in items if isinstance(i, Tariff)]
    costs = [(k, i) for k, i in items if isinstance(i, TradeCost)]
    taxes = [(k, i) for k, i in items
             if isinstance(i, ExportRestriction) and i.tax_equivalent is not None]
    caps = [(k, i) for k, i in items
            if isinstance(i, ExportRestriction) and i.quantity_cap is not None]
    if tariffs or res.in_baseline_layers():
        out.tariffs = tariff_levels(res, tariffs, when)
    if costs:
        out.trade_costs = trade_cost_factors(res, costs)
    if taxes:
        out.export_taxes, out.export_tax_rents = export_tax_wedges(res, taxes, when)
    out.quotas = quota_targets(res, caps)
    return out


def _on(when: _dt.date | None) -> str:
    return f" on {when}" if when else ""


def tariff_levels(res: Resolver, items: Sequence[tuple[int, Tariff]],
                  when: _dt.date | None) -> np.ndarray:
    """New tariff levels (N, N, J) from the tariffs in force; the diagonal keeps the baseline.

    **US imports, through the line engine.** When the engine serves the baseline
    ([`tariffsim.tariff_lines.cells.baseline_lines`][]: every economy has US line data,
    every goods sector is a place for HTS lines), the US column is read from the HTS10
    lines of all the scenario's US Tariffs (product lists, exemptions, stacking; the rules
    on [`tariffsim.Tariff`][]):

        T'_{i,US,j}(d) = T_{i,US,j} + [t_{i,j}(d) - t_{i,j}(2024)]

    with ``T`` the baseline's own tariff and ``t`` the 2024-import-weighted mean line rate
    of the cell (a one-sector baseline: the partner's mean over all its lines). On a
    baseline whose US tariffs are the 2024 line duties (``sectoral-2024``) this is the mean
    line rate itself; on one with other tariffs (the one-sector world's 20.8% PIIE rate on
    China, zero elsewhere) the line data give the change in the duty and the baseline keeps
    its level. Service sectors keep the baseline tariff.

    **Everything else, cell by cell** (other importers, and the US where the engine does not
    apply): the set layer, floors and additive layers on sector weights
    ([`tariffsim.Tariff`][], "Effective rate"); Tariffs with product fields raise there.
    """
    lines = res.lines()
    engine = not isinstance(lines, str)
    pieces: list[tuple[int, Tariff, Cells]] = []
    for k, inst in items:
        if engine and covers_us(inst):
            if only_us(inst):
                continue
            c = cells(res, k, inst)
            imp = c.importers.copy()
            imp[res.cidx[US]] = False
            c = Cells(c.exporters, imp, c.weights)
        else:
            c = cells(res, k, inst)
        pieces.append((k, inst, c))
    level = cell_levels(res, pieces, when)
    if engine:
        assert not isinstance(lines, str)
        new, base = lines.rates(when)
        m = lines.map
        rows, col, g = m.exporter_index, m.importer, np.flatnonzero(m.goods)
        ix = np.ix_(rows, np.array([col]), g)
        T0 = np.asarray(res.base.tariffs, dtype=float)
        level[ix] = T0[ix] + (new - base)[np.ix_(rows, g)][:, None, :]
        low = level[ix] <= -1
        if low.any():
            a, _, j = (int(x) for x in np.argwhere(low)[0])
            raise ScenarioError(f"tariffs{_on(when)}: the baseline tariff plus the change of "
                                f"the US line rates is {level[ix][a, 0, j]:.4g} (at or below "
                                f"-100%) on {res.countries[rows[a]]}->USA sector "
                                f"{res.sectors[g[j]]!r}; check negative rates.",
                                field="tariffs")
    return level


def cell_levels(res: Resolver, pieces: Sequence[tuple[int, Tariff, Cells]],
                when: _dt.date | None) -> np.ndarray:
    """The cell-level rules (set layer, floors, adds) of Tariffs on their cells.

    The stacking rules and the effective rate are documented on [`tariffsim.Tariff`][]
    (Notes, "Effective rate"). The diagonal keeps the baseline.
    """
    N, J = res.N, res.J
    diag = np.arange(N)
    T0 = np.asarray(res.base.tariffs, dtype=float)
    on = _on(when)
    setw = np.zeros((N, N, J))
    setwr = np.zeros((N, N, J))
    rmin = np.full((N, N, J), np.inf)
    rmax = np.full((N, N, J), -np.inf)
    where = {k: c for k, _, c in pieces}
    sets = [(k, i) for k, i, _ in pieces if i.mode == "set"]
    for k, inst in sets:
        c = where[k]
        ix = c.block
        w = np.broadcast_to(c.weights, setw[ix].shape)
        setw[ix] += w
        setwr[ix] += w * inst.effective_rate
        hit = w > 0
        rmin[ix] = np.where(hit, np.minimum(rmin[ix], inst.effective_rate), rmin[ix])
        rmax[ix] = np.where(hit, np.maximum(rmax[ix], inst.effective_rate), rmax[ix])
    setw[diag, diag, :] = 0.0
    bad = (setw > 1 + _EPS) & (rmax - rmin > _EPS)
    if bad.any():
        i, n, j = (int(x) for x in np.argwhere(bad)[0])
        who = [f"instruments[{k}] ({inst.effective_rate:.4g})" for k, inst in sets
               if where[k].exporters[i] and where[k].importers[n] and where[k].weights[j] > 0]
        raise ScenarioError(
            f"contradictory 'set' tariffs{on} on {res.countries[i]}->{res.countries[n]} "
            f"sector {res.sectors[j]!r}: {', '.join(who)} set different rates and their "
            f"coverage adds up to {setw[i, n, j]:.3g} > 1. Give them non-overlapping "
            f"dates or coverages that add up to at most 1, or use mode='add'.",
            field=f"instruments[{pieces[-1][0]}]")
    same = setw > 1 + _EPS  # several set instruments with the same rate: full coverage
    setwr = np.where(same, rmax, setwr)
    setw = np.minimum(setw, 1.0)
    level = setwr + (1.0 - setw) * T0
    for _, inst, c in pieces:
        if inst.mode == "floor":
            ix = c.block
            sub = level[ix]
            level[ix] = (1 - c.weights) * sub + c.weights * np.maximum(sub, inst.effective_rate)
    for _, inst, c in pieces:
        if inst.mode == "add":
            level[c.block] += c.weights * inst.effective_rate
    level[diag, diag, :] = T0[diag, diag, :]
    if (level <= -1).any():
        i, n, j = (int(x) for x in np.argwhere(level <= -1)[0])
        raise ScenarioError(f"tariffs{on}: the layers add up to {level[i, n, j]:.4g} (at "
                            f"or below -100%) on {res.countries[i]}->{res.countries[n]} "
                            f"sector {res.sectors[j]!r}; check negative additive rates.",
                            field="tariffs")
    return level


def trade_cost_factors(res: Resolver, items: Sequence[tuple[int, TradeCost]]) -> np.ndarray:
    """Iceberg factors (N, N, J): the factors of the cost changes in force multiply, each
    weighted as ``1 + w (factor - 1)``; the diagonal stays 1."""
    N, J = res.N, res.J
    diag = np.arange(N)
    d = np.ones((N, N, J))
    for k, inst in items:
        c = cells(res, k, inst)
        d[c.block] *= 1.0 + c.weights * (inst.factor - 1.0)
    d[diag, diag, :] = 1.0
    return d


def export_tax_wedges(res: Resolver, items: Sequence[tuple[int, ExportRestriction]],
                      when: _dt.date | None) -> tuple[np.ndarray, Rents]:
    """Export-tax wedges (N, N, J) of the tax-equivalent restrictions in force (they add
    up on a cell) and their common rents setting (they must agree)."""
    rents = {i.rents for _, i in items}
    if len(rents) > 1:
        ks = [k for k, _ in items]
        raise ScenarioError(f"instruments{ks}: export restrictions in force{_on(when)} "
                            f"disagree on where the rents go ({sorted(rents)}); the model "
                            f"takes one setting for all export taxes. Make 'rents' the same.",
                            field=f"instruments[{ks[-1]}].rents")
    N, J = res.N, res.J
    diag = np.arange(N)
    e = np.zeros((N, N, J))
    for k, inst in items:
        c = cells(res, k, inst)
        assert inst.tax_equivalent is not None
        e[c.exporter, c.importers, :] += c.weights * inst.tax_equivalent
    e[diag, diag, :] = 0.0
    return e, rents.pop()


def quota_targets(res: Resolver, items: Sequence[tuple[int, ExportRestriction]]
                  ) -> list[QuotaTarget]:
    """One `QuotaTarget` per quantity cap in force (cap in baseline units)."""
    out = []
    for k, inst in items:
        assert inst.quantity_cap is not None
        c = cells(res, k, inst)
        out.append(QuotaTarget(exporter=c.exporter, importer_mask=c.importers,
                               sector_mask=c.weights > 0, cap=inst.quantity_cap * c.factor,
                               rents=inst.rents, label=inst.label))
    return out


def commitment_targets(res: Resolver, items: Sequence[Item], year: int | None
                       ) -> list[CommitmentTarget]:
    """The floors of the purchase commitments among ``items`` (baseline units).

    A commitment asks for imports of at least ``M0 + r * value`` (``basis="increment"``)
    or ``r * value`` (``basis="level"``), with ``M0`` the pair's imports in the covered
    sectors, ``r`` the ``realisation`` and ``value`` phased to ``year`` (all of it without
    a year). Commitments on the same importer, exporter and sectors are merged into one
    floor: their increments add up, their levels add up (separate purchases), and the
    floor is the larger of ``M0 + increments`` and ``levels``. A commitment whose realised
    value is zero sets no floor. ``value`` of each target is the floor on this baseline;
    the engines recompute it from ``M0`` in their reference world
    (`CommitmentTarget.floor`).
    """
    acc: dict[tuple[int, int, bytes], tuple[np.ndarray, list[float], list[float],
                                              list[str]]] = {}
    for k, inst in items:
        if not isinstance(inst, ImportCommitment):
            continue
        c = cells(res, k, inst)
        phase = inst.phase(year) if year is not None else 1.0
        amount = inst.realisation * inst.value * phase * c.factor
        if amount <= 0:
            continue
        mask = c.weights > 0
        key = (c.importer, c.exporter, mask.tobytes())
        _, incs, levels, labels = acc.setdefault(key, (mask, [], [], []))
        (incs if inst.basis == "increment" else levels).append(amount)
        labels.append(inst.label)
    flows = np.asarray(res.base.flows)
    out = []
    for (n, i, _), (mask, incs, levels, labels) in acc.items():
        target = CommitmentTarget(importer=n, exporter=i, sector_mask=mask, value=0.0,
                                  label=" + ".join(labels),
                                  increment=sum(incs) if incs else None,
                                  level=sum(levels) if levels else None)
        value = target.floor(float(flows[i, n, mask].sum()))
        out.append(dataclasses.replace(target, value=value))
    return out


# ----------------------------------------------------------------------------- a year
def average(res: Resolver, instruments: Sequence[Instrument], dates: Iterable[_dt.date],
            year: int) -> Shocks:
    """Day-weighted average of the point shocks over the policy regimes of ``year``.

    ``dates`` are the days the policy changes (`policy_dates`). Tariffs, trade-cost
    factors and export taxes are averaged (a kind absent on some days counts with its
    neutral value: the baseline tariff, factor 1, no tax); quotas and commitments are not
    (see `resolve`).
    """
    lo, hi = _dt.date(year, 1, 1), _dt.date(year + 1, 1, 1)
    cuts = sorted({lo, hi} | {d for d in dates if lo < d < hi})
    total = (hi - lo).days
    N, J = res.N, res.J
    neutral = {"tariffs": np.asarray(res.base.tariffs, dtype=float),
               "trade_costs": np.ones((N, N, J)), "export_taxes": np.zeros((N, N, J))}
    acc = {key: np.zeros((N, N, J)) for key in neutral}
    seen = dict.fromkeys(neutral, False)
    labels: list[str] = []
    rents: Rents = "exporter"
    for a, b in zip(cuts, cuts[1:], strict=False):
        w = (b - a).days / total
        seg = point(res, in_force(instruments, a), a)
        labels.extend(lab for lab in seg.labels if lab not in labels)
        if seg.export_taxes is not None:
            rents = seg.export_tax_rents
        for key in acc:
            arr = getattr(seg, key)
            seen[key] = seen[key] or arr is not None
            acc[key] += w * (neutral[key] if arr is None else arr)
    return Shocks(tariffs=acc["tariffs"] if seen["tariffs"] else None,
                  trade_costs=acc["trade_costs"] if seen["trade_costs"] else None,
                  export_taxes=acc["export_taxes"] if seen["export_taxes"] else None,
                  export_tax_rents=rents, labels=labels)


# ----------------------------------------------------------------------------- overlaps
def _overlap_dates(a: Instrument, b: Instrument) -> bool:
    lo = max((d for d in (a.start, b.start) if d is not None), default=None)
    hi = min((d for d in (a.end, b.end) if d is not None), default=None)
    return lo is None or hi is None or lo < hi


def _overlap_text(a: Instrument, b: Instrument) -> str:
    lo = max((d for d in (a.start, b.start) if d is not None), default=None)
    hi = min((d for d in (a.end, b.end) if d is not None), default=None)
    if lo is None and hi is None:
        return "at all dates"
    return f"between {lo or 'the beginning'} and {hi or 'open end'}"


def _overlap_codes(a: str | tuple[str, ...], ex_a: tuple[str, ...],
                   b: str | tuple[str, ...], ex_b: tuple[str, ...]) -> bool:
    if a == ALL and b == ALL:
        return True
    if a == ALL:
        sb = {b} if isinstance(b, str) else set(b)
        return bool(sb - set(ex_a) - set(ex_b))
    if b == ALL:
        return _overlap_codes(b, ex_b, a, ex_a)
    sa = {a} if isinstance(a, str) else set(a)
    sb = {b} if isinstance(b, str) else set(b)
    return bool((sa & sb) - set(ex_a) - set(ex_b))


def _overlap_sectors(a: tuple[str, ...] | None, b: tuple[str, ...] | None) -> bool:
    return a is None or b is None or bool(set(a) & set(b))


def _weight(inst: Tariff) -> float:
    w = 1.0 if inst.coverage is None else inst.coverage
    if inst.exempt_coverage is not None:
        w *= 1.0 - inst.exempt_coverage
    return w


def check_contradictions(instruments: Sequence[Instrument]) -> None:
    """Raise ScenarioError for two "set" tariffs with different rates on the same importer,
    exporter and sectors on overlapping dates, unless their coverages add up to at most
    one (they then cover disjoint parts of the trade). Needs no baseline."""
    sets = [(k, i) for k, i in enumerate(instruments)
            if isinstance(i, Tariff) and i.mode == "set"]
    buckets: dict[tuple[str, str], list[tuple[int, Tariff]]] = {}
    general: list[tuple[int, Tariff]] = []
    for k, i in sets:
        if isinstance(i.importer, str) and isinstance(i.exporter, str) and i.exporter != ALL \
                and i.importer != ALL:
            buckets.setdefault((i.importer, i.exporter), []).append((k, i))
        else:
            general.append((k, i))
    pairs: list[tuple[tuple[int, Tariff], tuple[int, Tariff]]] = []
    for items in buckets.values():
        pairs.extend((x, y) for n, x in enumerate(items) for y in items[n + 1:])
    for n, x in enumerate(general):
        pairs.extend((x, y) for y in general[n + 1:])
        pairs.extend((x, y) for items in buckets.values() for y in items)
    for (ka, a), (kb, b) in pairs:
        if abs(a.effective_rate - b.effective_rate) <= _EPS:
            continue
        if _weight(a) + _weight(b) <= 1 + _EPS and (a.coverage is not None
                                                    or b.coverage is not None
                                                    or a.exempt_coverage is not None
                                                    or b.exempt_coverage is not None):
            continue
        if (_overlap_dates(a, b)
                and _overlap_codes(a.importer, (), b.importer, ())
                and _overlap_codes(a.exporter, a.exclude, b.exporter, b.exclude)
                and _overlap_sectors(a.sectors, b.sectors)):
            raise ScenarioError(
                f"instruments[{ka}] and instruments[{kb}]: contradictory 'set' tariffs "
                f"({a.effective_rate:.4g} and {b.effective_rate:.4g}) on the same importer, "
                f"exporter and sectors {_overlap_text(a, b)}. Give them non-overlapping "
                f"dates, use mode='add' for a duty on top, or split their coverage.",
                field=f"instruments[{kb}]")
