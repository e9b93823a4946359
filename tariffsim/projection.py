"""Year-by-year projections of bilateral balances under a dated scenario.

Each projected year solves the model once: the baseline grown to that year, the
policies in force that year (by their dates), commitments phased in by their schedules,
and a trade elasticity that rises with the years since the policy began
(docs/model.md#projections-surpluses-over-time).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._executor import check_executor, map_chunks
from ._progress import check_progress, track
from ._validate import sector_selection, to_date
from .baseline import YEAR_LIMITS, Baseline
from .errors import DataError, ModelError, ScenarioError, suggest, unknown_codes_message
from .literals import (
    DEFAULT_YEAR_RULE,
    POLICY_FAMILIES,
    BalanceSectors,
    Closure,
    Model,
    PolicyFamily,
    YearRule,
    check_option,
)
from .shocks import Shocks
from .simulate import as_shocks, simulate

__all__ = ["ElasticitySchedule", "BLP2023", "Projection", "project", "bilateral_balances",
           "as_schedule", "ScheduleLike", "policy_family", "decompose", "growth_rates",
           "MAX_GROWTH"]


@dataclass(frozen=True)
class ElasticitySchedule:
    """A trade elasticity that changes with the years since a policy began.

    ``points`` maps the horizon (1 = the calendar year in which the policy starts) to an
    elasticity; between points the value is interpolated linearly, beyond the last
    point it stays flat.

    Examples
    --------
    >>> ElasticitySchedule({1: 0.76, 10: 2.0})(4)
    1.173...
    >>> ElasticitySchedule({1: 0.76, 10: 2.0})(12)
    2.0
    """

    points: Mapping[int, float]
    name: str = "custom"
    source: str = ""

    def __post_init__(self) -> None:
        given: Any = self.points  # typed a Mapping, but checked: users pass anything
        if isinstance(given, str | bytes) or not hasattr(given, "items"):
            raise ModelError(f"elasticity_schedule: points must be a mapping {{horizon: "
                             f"elasticity}}, such as {{1: 0.76, 10: 2.0}}; got "
                             f"{type(given).__name__}.", field="elasticity_schedule")
        points = dict(given.items())  # a dict, a pandas Series, ...
        if not points:
            raise ModelError("elasticity_schedule: give at least one (horizon, value) point.",
                             field="elasticity_schedule")
        for h, v in points.items():
            if isinstance(h, bool) or not (isinstance(h, int | np.integer) and h >= 1):
                raise ModelError(f"elasticity_schedule: horizon {h!r} must be an integer >= 1 "
                                 f"(1 = the first year of the policy).",
                                 field="elasticity_schedule")
            try:
                ok = (not isinstance(v, bool | str | bytes)
                      and bool(np.isfinite(float(v)) and float(v) > 0))
            except (TypeError, ValueError, OverflowError):
                ok = False
            if not ok:
                raise ModelError(f"elasticity_schedule: value {v!r} at horizon {h} must be a "
                                 f"positive finite trade elasticity (theta > 0).",
                                 field="elasticity_schedule")
        object.__setattr__(self, "points", dict(sorted((int(h), float(v))
                                                       for h, v in points.items())))

    def __call__(self, horizon: int) -> float:
        if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer):
            raise ModelError(f"elasticity_schedule: the horizon must be a whole number of "
                             f"years (1 = the first year of the policy), got {horizon!r}.",
                             field="horizon")
        hs = np.array(list(self.points), dtype=float)
        vs = np.array(list(self.points.values()))
        return float(np.interp(max(int(horizon), 1), hs, vs))

    def scaled(self, factor: float) -> ElasticitySchedule:
        """The same schedule multiplied by ``factor`` (used by Monte Carlo draws)."""
        if (isinstance(factor, bool) or not isinstance(factor, int | float | np.number)
                or not math.isfinite(float(factor)) or float(factor) <= 0):
            raise ModelError(f"factor: the schedule is scaled by a positive finite number, "
                             f"got {factor!r}.", field="factor")
        return ElasticitySchedule({h: v * factor for h, v in self.points.items()},
                                  name=f"{self.name} x {factor:.3g}", source=self.source)

    def describe(self) -> str:
        """One line for captions: the values at the first and last points, and the source."""
        (h0, v0), (h1, v1) = next(iter(self.points.items())), list(self.points.items())[-1]
        text = (f"trade elasticity {v0:g} (year {h0})" if h0 == h1 else
                f"trade elasticity {v0:g} (year {h0}) -> {v1:g} (year {h1}+)")
        return f"{text}; {self.source}" if self.source else text

    @classmethod
    def constant(cls, value: float, source: str = "") -> ElasticitySchedule:
        """The same elasticity in every year."""
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise ModelError(f"elasticity_schedule: a constant elasticity is a positive "
                             f"number such as 2.0, got {value!r}.", field="elasticity_schedule")
        return cls({1: float(value)}, name=f"constant {value:g}", source=source)

    def _repr_html_(self) -> str:
        from . import _display
        return _display.html(_display.schedule_view(self))


#: Default schedule: Boehm, Levchenko & Pandalai-Nayar (2023), "The Long and Short (Run)
#: of Trade Elasticities", American Economic Review 113(4): about 0.76 in the first year
#: and 1.75-2.25 after 7-10 years. Points: 0.76 (year 1), 1.75 (year 7), 2.0 (year 10,
#: the middle of the long-run range), flat afterwards; linear in between.
BLP2023 = ElasticitySchedule(
    {1: 0.76, 7: 1.75, 10: 2.0}, name="BLP2023",
    source="Boehm, Levchenko & Pandalai-Nayar (2023, AER 113(4))")

#: What an ``elasticity_schedule=`` argument may be (see `as_schedule`).
ScheduleLike = ElasticitySchedule | Mapping[int, float] | Callable[[int], float] | float

#: Horizons (years 1..30) at which a callable schedule is sampled.
_CALLABLE_HORIZONS = range(1, 31)


def as_schedule(value: ScheduleLike | None,
                field: str = "elasticity_schedule") -> ElasticitySchedule:
    """The one coercer of ``elasticity_schedule=`` arguments (projections, Monte Carlo).

    Parameters
    ----------
    value : ElasticitySchedule, mapping, callable, number or None
        None: `BLP2023`. An [`ElasticitySchedule`][tariffsim.projection.ElasticitySchedule]: itself.
        A number: the same elasticity every year
        ([`ElasticitySchedule.constant`][tariffsim.projection.ElasticitySchedule.constant]). A
        mapping ``{horizon: elasticity}``: points of a schedule. A callable
        ``f(horizon) -> elasticity``: sampled at horizons 1 to 30 (flat afterwards).
    field : str
        The argument named in errors.

    Returns
    -------
    ElasticitySchedule

    Raises
    ------
    ModelError
        Any other type (a bool or a string included), or points that are not positive
        finite elasticities at integer horizons >= 1.
    """
    if value is None:
        return BLP2023
    if isinstance(value, ElasticitySchedule):
        return value
    if isinstance(value, int | float | np.number) and not isinstance(value, bool):
        return ElasticitySchedule.constant(float(value))
    if isinstance(value, Mapping):
        return ElasticitySchedule(dict(value))
    if callable(value):
        points = {}
        for h in _CALLABLE_HORIZONS:
            try:
                v = value(h)
            except Exception as exc:  # the user's function: say where it failed
                raise ModelError(f"{field}: the callable raised {type(exc).__name__} at "
                                 f"horizon {h}: {exc}. It must take the horizon (1, 2, ...) "
                                 f"and return a positive trade elasticity.",
                                 field=field) from exc
            if isinstance(v, bool) or not isinstance(v, int | float | np.number):
                raise ModelError(f"{field}: the callable returned {v!r} at horizon {h}; it "
                                 f"must return a positive number, the trade elasticity "
                                 f"(0.76 in year 1, say).", field=field)
            points[h] = float(v)
        return ElasticitySchedule(points, name="callable")
    raise ModelError(f"{field}: give an ElasticitySchedule, a mapping {{horizon: value}}, a "
                     f"number or a callable(horizon); got {type(value).__name__}.",
                     field=field)


def bilateral_balances(flows: np.ndarray, countries: Iterable[str], column: str,
                       sector_mask: np.ndarray | None = None) -> pd.DataFrame:
    """Long frame (country, partner, <column>) of balances from [exp, imp, sector] flows.

    The balance of ``country`` with ``partner`` is its exports to the partner minus its
    imports from it at world prices, over the sectors of ``sector_mask`` (all when None;
    [`project`][tariffsim.projection.project] passes the goods); ``partner == "WLD"`` rows are
    totals. Domestic sales are excluded.
    """
    codes = np.array(list(countries), dtype=object)
    arr = np.asarray(flows, dtype=float)
    x = (arr if sector_mask is None else arr[:, :, sector_mask]).sum(axis=2)
    np.fill_diagonal(x, 0.0)
    n = len(codes)
    bal = x - x.T
    c = np.repeat(codes, n)
    p = np.tile(codes, n)
    keep = c != p
    out = pd.DataFrame({"country": c[keep], "partner": p[keep], column: bal.ravel()[keep]})
    tot = pd.DataFrame({"country": codes, "partner": "WLD", column: bal.sum(axis=1)})
    return pd.concat([out, tot], ignore_index=True)


def _flows_from_result(result: Any, baseline: Baseline, column: str = "scenario"
                       ) -> np.ndarray:
    """Flows of a GE result as an array [exporter, importer, sector]: its ``"scenario"``
    column, or its ``"baseline"`` column (the reference world of the solve: the data, or
    the zero-deficit world under the balanced closure)."""
    f = result.flows
    ci = {c: i for i, c in enumerate(baseline.countries)}
    si = {s: k for k, s in enumerate(baseline.sectors)}
    arr = np.zeros(baseline.flows.shape)
    arr[f["exporter"].map(ci).to_numpy(), f["importer"].map(ci).to_numpy(),
        f["sector"].map(si).to_numpy()] = f[column].to_numpy(dtype=float)
    return arr


def _shock_key(shocks: Shocks) -> str:
    h = hashlib.sha1()
    for a in (shocks.tariffs, shocks.trade_costs, shocks.export_taxes):
        h.update(b"-" if a is None else np.ascontiguousarray(a).tobytes())
    h.update(shocks.export_tax_rents.encode())
    for t in list(shocks.commitments) + list(shocks.quotas):
        h.update(repr(sorted((k, v.tobytes() if isinstance(v, np.ndarray) else v)
                             for k, v in vars(t).items())).encode())
    return h.hexdigest()


#: Largest yearly growth rate (in absolute value) that ``growth=`` accepts: 0.5, 50% a
#: year. A larger rate is far more likely a percentage (``growth=3`` meant as 3%, which
#: would be 300% a year: trade 4^6 = 4,096 times larger after six years) than a forecast;
#: project a boom by growing the baseline's flows yourself (``Baseline.replace``).
MAX_GROWTH = 0.5


def growth_rates(growth: Any, baseline: Baseline, field: str = "growth") -> np.ndarray:
    """The yearly growth rates of ``growth=`` by country of ``baseline``, checked.

    ``growth`` is a yearly rate as a fraction (0.03 means 3% a year), one for every
    economy or a mapping ``{country: rate}`` (economies not named: 0). Rates must be
    finite and less than `MAX_GROWTH` (50% a year) in absolute value.

    Raises
    ------
    DataError
        Not a number or a mapping of numbers (bool and text included), a code not in the
        baseline (with a did-you-mean), a rate that is not finite, or ``|rate| >= 0.5``
        (most likely a percentage: the message gives the fraction to write instead).
    """
    def rate(value: Any, who: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise DataError(f"{field}: cannot read {value!r}{who} as a yearly growth rate; "
                            f"give a number (0.03 means 3% a year) or a mapping "
                            f"{{country: rate}}.", field=field)
        g = float(value)
        if not math.isfinite(g):
            raise DataError(f"{field}: growth rates must be finite numbers (0.03 means 3% a "
                            f"year); got {value!r}{who}.", field=field)
        if abs(g) >= MAX_GROWTH:
            raise DataError(f"{field}: {g:g}{who} would be {g:.0%} a year; growth is a "
                            f"yearly rate as a fraction: write {g / 100:g} for {g:g}%. Rates "
                            f"of 50% a year or more (up or down) are refused as likely "
                            f"percentages; to project such a boom, grow the baseline's flows "
                            f"yourself (Baseline.replace(flows=...)).", field=field)
        return g

    if isinstance(growth, Mapping):
        g = np.zeros(baseline.n_countries)
        for code, value in growth.items():
            try:
                i = baseline.country_index(code)
            except DataError as exc:
                raise DataError(f"{field}: {exc}", field=field) from None
            g[i] = rate(value, f" (for {code})")
        return g
    return np.full(baseline.n_countries, rate(growth, ""))


def _growth_factor(growth: Any, baseline: Baseline, years: int) -> np.ndarray:
    """Multiplier on flows [exporter, importer, 1] after ``years`` years of growth."""
    if growth is None:
        return np.ones((1, 1, 1))
    level = (1.0 + growth_rates(growth, baseline)) ** years
    # a flow grows with the geometric mean of its exporter's and importer's growth
    return np.sqrt(level[:, None] * level[None, :])[:, :, None]


def _policy_start_year(scenario: Any, default: int) -> int:
    starts = []
    for inst in getattr(scenario, "instruments", ()) or ():
        s = getattr(inst, "start", None)
        if isinstance(s, _dt.date):
            starts.append(s.year)
    return min(starts) if starts else default


@dataclass
class Projection:
    """Projected bilateral balances, year by year, without and with a scenario.

    Attributes
    ----------
    frame : DataFrame
        Tidy: ``year, country, partner, balance_baseline, balance_scenario, change,
        trade_elasticity, horizon``. ``partner == "WLD"`` rows are totals. The first
        year is the baseline's own (reported) year, where both balances are the data
        and the change is zero (horizon 0, no policy, elasticity 0). ``frame.attrs``
        carries ``units, model, closure, schedule, scenario, reference, sectors`` (which
        sectors the balances count: the goods by default) and ``without``.
    results : dict
        The solved model result of each projected year (``{year: (without, with)}``;
        ``without`` is None when there is no reference scenario: the "without" path is
        then the reference world of the "with" solve).
    schedule : ElasticitySchedule
    closure, model : str
    without : str
        What the "without" path is, in words (the baseline held flat, grown, or solved
        under a reference scenario; the zero-deficit world under ``balanced``).
    spec : dict
        The arguments of the [`project`][tariffsim.projection.project] call (to re-run parts of it:
        [`decompose`][tariffsim.projection.decompose]).
    """

    frame: pd.DataFrame
    schedule: ElasticitySchedule
    closure: str
    model: str
    scenario: str | None
    reference: str | None
    units: str
    results: dict = field(default_factory=dict, repr=False)
    sectors: str = "goods"
    without: str = ""
    spec: dict = field(default_factory=dict, repr=False)
    _parts: pd.DataFrame | None = field(default=None, repr=False)

    def balances(self, partner: str = "USA", countries: Iterable[str] | None = None
                 ) -> pd.DataFrame:
        """Rows of `frame` against one partner (optionally some countries only)."""
        f = self.frame[self.frame["partner"] == partner]
        if f.empty:
            partners = sorted(self.frame["partner"].unique())
            close = suggest(partner, partners) if isinstance(partner, str) else ""
            raise DataError(f"partner: {partner!r} is not in the projection{close}; partners "
                            f"are {partners}.", field="partner")
        if countries is not None:
            countries = [countries] if isinstance(countries, str) else list(countries)
            unknown = [c for c in countries if c not in set(f["country"])]
            if unknown:
                raise DataError(unknown_codes_message("countries", [str(u) for u in unknown],
                                                      list(dict.fromkeys(f["country"]))),
                                field="countries")
            f = f[f["country"].isin(countries)]
        out = f.reset_index(drop=True)
        out.attrs = dict(self.frame.attrs)
        return out

    def table(self, partner: str = "USA", countries: Iterable[str] | None = None,
              years: Iterable[int] | int | None = None) -> pd.DataFrame:
        """Wide table: reported base-year balance, then without/with/change per year
        (``years``: one year or several; default every projected year)."""
        f = self.balances(partner, countries)
        base_year = int(f["year"].min())
        if isinstance(years, str | bytes | bool):
            raise DataError(f"years: expected calendar years such as [2026, 2030], got "
                            f"{years!r}.", field="years")
        if isinstance(years, int | np.integer):
            years = [int(years)]
        years = sorted(set(f["year"]) - {base_year}) if years is None else list(years)
        missing = sorted(set(years) - set(f["year"]))
        if missing:
            raise DataError(f"years: {missing} were not projected; projected years are "
                            f"{sorted(set(f['year']))}.", field="years")
        order = list(dict.fromkeys(f["country"]))
        rep = f[f["year"] == base_year].set_index("country")["balance_baseline"]
        cols = {f"reported {base_year}": rep}
        for y in years:
            fy = f[f["year"] == y].set_index("country")
            cols[f"{y} without"] = fy["balance_baseline"]
            cols[f"{y} with"] = fy["balance_scenario"]
            cols[f"{y} change"] = fy["change"]
        out = pd.DataFrame(cols).loc[order]
        out.index.name = f"balance with {partner}"
        out.attrs = dict(self.frame.attrs)
        return out

    def describe(self) -> str:
        """Which model, closure and elasticity schedule produced the numbers, and what the
        "without" path is."""
        ref = f" against '{self.reference}'" if self.reference else " against the baseline"
        without = f"; without = {self.without}" if self.without else ""
        return (f"scenario '{self.scenario}'{ref}; model {self.model}, closure {self.closure}; "
                f"{self.schedule.describe()}; balances of {self.sectors} at world prices, "
                f"{self.units}, exports minus imports of the country{without}")

    @property
    def plot(self) -> Any:
        """Plot accessor: ``projection.plot.surplus(...)``."""
        from .plot import PlotAccessor
        return PlotAccessor(self)

    def decompose(self) -> pd.DataFrame:
        """Each change split into the parts its instrument families drive (Shapley).

        See [`decompose`][tariffsim.projection.decompose]; the result is computed once and kept.

        Returns
        -------
        DataFrame
            Tidy: ``year, country, partner, family, change`` with ``family`` in
            ``"tariff"``, ``"commitment"``, ``"other"`` (the families the scenario or the
            reference has); for every (year, country, partner) the parts add up to the
            projection's ``change``. ``attrs``: ``method``, ``families`` and those of
            `frame`.
        """
        if self._parts is None:
            self._parts = decompose(self)
        return self._parts

    def __repr__(self) -> str:
        from . import _display
        return _display.text(_display.projection_view(self))

    def _repr_html_(self) -> str:
        from . import _display
        return _display.html(_display.projection_view(self))


def policy_family(inst: Any) -> PolicyFamily:
    """The family an instrument belongs to in [`decompose`][tariffsim.projection.decompose]:
    ``"tariff"`` ([`Tariff`][tariffsim.Tariff]), ``"commitment"``
    ([`ImportCommitment`][tariffsim.ImportCommitment]) or ``"other"`` (trade costs, export
    restrictions)."""
    from .instruments import ImportCommitment, Tariff
    if isinstance(inst, Tariff):
        return "tariff"
    if isinstance(inst, ImportCommitment):
        return "commitment"
    return "other"


def decompose(projection: Projection) -> pd.DataFrame:
    r"""Split each change of a projection into the contributions of instrument families.

    The families are `policy_family`'s: tariffs, purchase commitments, the rest. For
    a set S of families, ``v(S)`` is the change the projection reports when the scenario's
    instruments of the families in S apply and, for the other families, those of the
    reference scenario (none without one); so ``v(none) = 0`` and ``v(all)`` is the
    projection's change. The contribution of family f is its Shapley value

    $$
    \phi_f = \sum_{S \subseteq F \setminus \{f\}}
    \frac{|S|!\,(n - |S| - 1)!}{n!}\,[v(S \cup \{f\}) - v(S)],
    $$

    the average of f's marginal effect over every order in which the families can be
    switched on, so the parts add up exactly to the change (which switching each family
    off in turn would not: families interact, e.g. a purchase floor binds less when a
    tariff cut already lifts imports). Every ``v(S)`` is a full projection with the same
    years, growth, closure, schedule and first policy year (so the same elasticity in each
    year): ``2^n - 2`` extra projections for n families.

    Parameters
    ----------
    projection : Projection

    Returns
    -------
    DataFrame
        ``year, country, partner, family, change`` (see
        [`Projection.decompose`][tariffsim.projection.Projection.decompose]).
    """
    spec = projection.spec
    if not spec:
        raise ModelError("decompose: this Projection does not carry the arguments of its "
                         "project() call; build it with tariffsim.project.",
                         field="projection")
    scenario, reference = spec["scenario"], spec["reference"]
    insts = list(getattr(scenario, "instruments", ()))
    ref_insts = list(getattr(reference, "instruments", ())) if reference is not None else []
    present = [f for f in POLICY_FAMILIES
               if any(policy_family(i) == f for i in insts + ref_insts)]
    n = len(present)
    keys = ["year", "country", "partner"]
    base = projection.frame[keys + ["change"]]
    values: dict[frozenset[str], np.ndarray] = {
        frozenset(): np.zeros(len(base)),
        frozenset(present): base["change"].to_numpy(dtype=float)}
    from itertools import combinations

    from .scenario import Scenario
    for size in range(1, n):
        for combo in combinations(present, size):
            on = set(combo)
            chosen = tuple([i for i in insts if policy_family(i) in on]
                           + [i for i in ref_insts if policy_family(i) not in on])
            sub = Scenario(f"{getattr(scenario, 'name', 'scenario')} [{'+'.join(combo)}]",
                           chosen, date=getattr(scenario, "date", None))
            proj = project(spec["baseline"], sub, spec["years"],
                           elasticity_schedule=projection.schedule, growth=spec["growth"],
                           reference=reference, closure=spec["closure"], model=spec["model"],
                           year_rule=spec["year_rule"], date=spec["date"],
                           first_policy_year=spec["first_policy_year"],
                           sectors=spec["sectors"], **spec["options"])
            got = proj.frame.merge(base[keys], on=keys, how="right")["change"]
            values[frozenset(on)] = got.to_numpy(dtype=float)
    rows = []
    for f in present:
        others = [g for g in present if g != f]
        phi = np.zeros(len(base))
        for size in range(n):
            w = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for combo in combinations(others, size):
                s0 = frozenset(combo)
                phi += w * (values[s0 | {f}] - values[s0])
        rows.append(base[keys].assign(family=f, change=phi))
    out = (pd.concat(rows, ignore_index=True) if rows else
           base[keys].assign(family=pd.Series(dtype=object), change=0.0).iloc[:0])
    out = out.sort_values(keys, kind="stable").reset_index(drop=True)
    out.attrs = {**projection.frame.attrs, "families": present,
                 "method": "Shapley split over instrument families (tariff, commitment, "
                           "other): each family's marginal effect averaged over every order "
                           "of switching the families on; the parts add up to the change"}
    return out


def project(baseline: Baseline, scenario: Any, years: Iterable[int] | None = None, *,
            elasticity_schedule: ScheduleLike | None = None,
            growth: float | Mapping[str, float] | None = None,
            reference: Any = None, closure: Closure = "fixed_deficit", model: Model = "ge",
            year_rule: YearRule = DEFAULT_YEAR_RULE, date: Any = None,
            first_policy_year: int | None = None,
            sectors: BalanceSectors | Sequence[str] = "goods", executor: Any = None,
            progress: Any = None, **options: Any) -> Projection:
    """Project bilateral balances year by year without and with a scenario.

    For every year t in ``years`` the baseline is grown to t (``growth``), the policies
    of ``scenario`` in force in t are applied (commitments phased in by their
    schedules), and the model is solved with the trade elasticity of that year's
    horizon h = t - (first policy year) + 1 (docs/model.md#projections-surpluses-over-time).

    Both paths live in the same world (like for like): the path "without" is the
    reference world of the same solve -- the grown baseline under ``fixed_deficit`` and
    ``deficit_ratio``, its zero-deficit equilibrium under ``balanced`` (the Caliendo-Parro
    NAFTA exercise: first the world without deficits, then the policy from there) -- or,
    with ``reference``, the same model solved under the reference scenario from that same
    world. A policy that changes nothing reports a change of zero under every closure.

    Parameters
    ----------
    baseline : Baseline
    scenario : Scenario, str or Path
        The policy (a built-in name or a TOML path is loaded with
        [`tariffsim.scenarios.load`][]).
    years : iterable of int, optional
        Calendar years to project; default: from the baseline year + 1 to 2030.
    elasticity_schedule : ElasticitySchedule, mapping, callable or float, optional
        Trade elasticity by horizon. Default `BLP2023` (0.76 in year 1 rising to
        2.0 by year 10; Boehm, Levchenko & Pandalai-Nayar 2023). A float is a constant
        elasticity; a callable gets the horizon and returns the elasticity (see
        `as_schedule`).
    growth : float or mapping, optional
        Annual nominal growth of trade (0.03 = 3%), uniform or by country (a flow grows
        with the geometric mean of its exporter's and importer's rates).
    reference : Scenario, str or Path, optional
        The "without" path's policy; default none (the baseline's own tariffs).
    closure, model
        Passed to [`tariffsim.simulate`][]. Only ``model="ge"`` projects balances.
    year_rule : {"average", "mid-year"}
        How a policy that starts or ends within a year counts in that year: weighted by
        the days it is in force (default, `tariffsim.literals.DEFAULT_YEAR_RULE`),
        or as in force on 1 July.
    date : date, str or int, optional
        Hold the policy in force on this day (a bare year such as ``"2026"`` is 1 January
        of it) in every projected year instead of each year's own policy; commitments are
        phased to the year of ``date``. ``year=`` is refused: the years are ``years``.
    first_policy_year : int, optional
        The calendar year of horizon 1 of the elasticity schedule; default: the year the
        first instrument of ``scenario`` (or ``reference``) starts, else the year after the
        baseline's.
    sectors : {"goods", "all"} or list of str
        Which sectors the balances count: the goods (default; every sector but the
        baseline's services, as customs statistics report them), all, or those listed
        (`tariffsim._validate.sector_selection`). The model always solves all sectors.
    executor : executor or dask ``distributed.Client``, optional
        Solve the years on it, one task per year (each year has its own shocks and
        elasticity): a ``concurrent.futures`` executor, ``client.get_executor()`` or a
        dask ``Client`` (see ``tariffsim._executor.map_chunks``). None: here, in order.
        Results do not depend on it.
    progress : bool, None or callable
        Progress per year solved (``tariffsim._progress.track``). None (default): a bar
        on standard error when a person can see it (a terminal or a running Jupyter
        kernel) and tqdm is installed, silent otherwise (pipes, files, tests); True
        always, False never; a callable is called as ``f(done, total)``.
    **options
        Passed to the engine (``tol``, ``numeraire``, ...).

    Returns
    -------
    Projection
    """
    check_option(model, Model, "model")
    if model != "ge":
        raise ModelError(f"model: projections of bilateral balances need the general-"
                         f"equilibrium engine; got {model!r}. Use model='ge'.", field="model")
    check_option(closure, Closure, "closure")
    check_option(year_rule, YearRule, "year_rule", error=ScenarioError)
    if "year" in options:
        raise ScenarioError(f"date/year: project evaluates each of years=; got year="
                            f"{options['year']!r}. Give years=[...] (each year's policy) or "
                            f"date= (one day's policy held in every year), not year=.",
                            field="year")
    when = to_date(date, "date")
    from . import scenarios as _scenarios
    if isinstance(scenario, str | os.PathLike):
        scenario = _scenarios.load(scenario)
    if isinstance(reference, str | os.PathLike):
        reference = _scenarios.load(reference)
    if not isinstance(baseline, Baseline):
        raise DataError(f"baseline: expected a Baseline (ts.load_baseline()), got "
                        f"{type(baseline).__name__}.", field="baseline")
    if baseline.year is None:
        # not today's year from the clock: the same call must give the same numbers
        raise DataError("baseline.year: the baseline has no year, and projections count "
                        "years from it; give it one: baseline.replace(year=2024).",
                        field="baseline.year")
    base_year = int(baseline.year)
    if growth is not None:
        growth_rates(growth, baseline)
    if years is None:
        years = list(range(base_year + 1, 2031))
    else:
        try:
            if isinstance(years, str | bytes):
                raise TypeError
            years = list(years)
            if any(isinstance(y, bool) or (isinstance(y, float | np.floating)
                                           and not float(y).is_integer()) for y in years):
                raise TypeError  # True is not a year; 2026.5 is not a whole year
            years = sorted({int(y) for y in years})
        except (TypeError, ValueError):
            raise DataError(f"years: expected calendar years such as range(2025, 2031), got "
                            f"{years!r}.", field="years") from None
    if not years:
        raise DataError("years: give at least one year to project.", field="years")
    if years[0] <= base_year:
        raise DataError(f"years: projections start after the baseline year {base_year}; got "
                        f"{years[0]}.", field="years")
    sched = as_schedule(elasticity_schedule)
    mask, sector_text = sector_selection(sectors, baseline.sectors, baseline.services)
    start = _policy_start_year(scenario, base_year + 1)
    if reference is not None:
        start = min(start, _policy_start_year(reference, start))
    if first_policy_year is not None:
        if isinstance(first_policy_year, bool) or not isinstance(first_policy_year,
                                                                 int | np.integer):
            raise DataError(f"first_policy_year: expected a calendar year such as 2025, got "
                            f"{first_policy_year!r}.", field="first_policy_year")
        if not YEAR_LIMITS[0] <= first_policy_year <= YEAR_LIMITS[1]:
            raise DataError(f"first_policy_year: {first_policy_year} is not a plausible "
                            f"calendar year; give the year the policy starts, such as 2025.",
                            field="first_policy_year")
        start = int(first_policy_year)
    spec = {"baseline": baseline, "scenario": scenario, "years": list(years),
            "growth": growth, "reference": reference, "closure": closure, "model": model,
            "year_rule": year_rule, "date": date, "first_policy_year": start,
            "sectors": sectors, "options": dict(options)}

    rows = [bilateral_balances(baseline.flows, baseline.countries, "balance_baseline", mask)
            .assign(year=base_year, horizon=0, trade_elasticity=0.0)]
    rows[0]["balance_scenario"] = rows[0]["balance_baseline"]
    results: dict[int, tuple[Any, Any]] = {}
    check_executor(executor)
    check_progress(progress)

    def shocks_in(base_t: Baseline, policy: Any, t: int) -> Shocks:
        if when is not None:
            return as_shocks(base_t, policy, date=when, year_rule=year_rule)
        return as_shocks(base_t, policy, year=t, year_rule=year_rule)

    # every year's inputs first (validation and shocks here), then the distinct solves,
    # one task per year, on the executor
    plan = []
    tasks: list[list[tuple]] = []
    seen: set[tuple] = set()
    for t in years:
        gf = _growth_factor(growth, baseline, t - base_year)
        base_t = baseline.replace(flows=baseline.flows * gf, year=t) if growth else baseline
        horizon = max(t - start + 1, 1)
        theta = sched(horizon)
        gkey = gf.tobytes()
        keys: list[tuple | None] = []
        todo = []
        for policy in (scenario, reference):
            if policy is None:
                keys.append(None)
                continue
            shocks = shocks_in(base_t, policy, t)
            key = (_shock_key(shocks), theta, gkey)
            keys.append(key)
            if key not in seen:
                seen.add(key)
                todo.append((key, base_t, shocks, theta, closure, options))
        plan.append((t, base_t, horizon, theta, keys))
        tasks.append(todo)
    cache: dict[tuple, Any] = {}
    for solved in track(map_chunks(executor, _solve_year, tasks), total=len(tasks),
                        desc="project", progress=progress):
        cache.update(solved)
    for t, base_t, horizon, theta, (key_with, key_without) in plan:
        assert key_with is not None
        with_r = cache[key_with]
        if key_without is None:
            # like for like: the reference world of the same solve (the data, or the
            # zero-deficit world under the balanced closure), not the data as such
            without_r = None
            without_flows = _flows_from_result(with_r, base_t, "baseline")
        else:
            without_r = cache[key_without]
            without_flows = _flows_from_result(without_r, base_t)
        results[t] = (without_r, with_r)
        f = bilateral_balances(without_flows, baseline.countries, "balance_baseline", mask)
        f["balance_scenario"] = bilateral_balances(_flows_from_result(with_r, base_t),
                                                   baseline.countries, "b",
                                                   mask)["b"].to_numpy()
        rows.append(f.assign(year=t, horizon=horizon, trade_elasticity=theta))
    frame = pd.concat(rows, ignore_index=True)
    frame["change"] = frame["balance_scenario"] - frame["balance_baseline"]
    frame = frame[["year", "country", "partner", "balance_baseline", "balance_scenario",
                   "change", "trade_elasticity", "horizon"]]
    values = frame[["balance_baseline", "balance_scenario", "change"]].to_numpy()
    if not np.all(np.isfinite(values)):  # pragma: no cover - engines raise before this
        raise ModelError("projection: a non-finite balance came out of the model; this is a "
                         "bug, please report it with the scenario.", field="projection")
    scen_name = getattr(scenario, "name", None)
    ref_name = getattr(reference, "name", None)
    without = _without_text(base_year, growth, ref_name, closure)
    frame.attrs.update({"units": baseline.units, "model": model, "closure": closure,
                        "year_rule": year_rule, "date": str(when) if when else None,
                        "schedule": sched.describe(), "scenario": scen_name,
                        "reference": ref_name, "sectors": sector_text, "without": without})
    return Projection(frame=frame, schedule=sched, closure=closure, model=model,
                      scenario=scen_name, reference=ref_name, units=baseline.units,
                      results=results, sectors=sector_text, without=without, spec=spec)


def _solve_year(todo: list[tuple]) -> dict[tuple, Any]:
    """The GE solves of one projection year (module-level, so that process pools and dask
    can pickle it); the results' lazy frames are built here so that they travel."""
    out = {}
    for key, base_t, shocks, theta, closure, options in todo:
        r = simulate(base_t, shocks, model="ge", trade_elasticity=theta, closure=closure,
                     **options)
        r.flows  # noqa: B018 - materialise the lazy frames before pickling
        r.welfare_decomposition()
        out[key] = r
    return out


def _without_text(base_year: int, growth: Any, reference: str | None, closure: str) -> str:
    """What the "without" path of a projection is, in words."""
    world = (f"the {base_year} baseline held flat (no growth)" if growth is None
             else f"the {base_year} baseline grown year by year")
    if closure == "balanced":
        world += ", in its zero-deficit equilibrium (closure 'balanced')"
    if reference is not None:
        return f"{world}, solved under the reference scenario '{reference}'"
    return f"{world}, with no policy change"
