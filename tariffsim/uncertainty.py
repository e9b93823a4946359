"""Monte Carlo over the trade elasticity, on any concurrent.futures-style executor.

The trade elasticity is the parameter that moves simulated balances most and is known
least precisely: long-run estimates in the literature run from about 4 (Simonovska & Waugh
2014) to 8.28 (Eaton & Kortum 2002), and reduced-form elasticities rise from about 0.76 in
the first year to 1.75-2.25 after 7-10 years (Boehm, Levchenko & Pandalai-Nayar 2023, AER
113(4)). [`monte_carlo`][tariffsim.uncertainty.monte_carlo] draws it ``n`` times, solves the
scenario once per draw and summarises the bilateral balances by quantiles.

Reproducibility: every parameter value is drawn up front from
``numpy.random.default_rng(seed)``, before any model is solved, so the draws and the
results are the same whatever the executor, the number of workers or the order in which
the draws finish.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._executor import check_executor, map_chunks
from ._progress import Progress, check_progress, track
from ._validate import check_when, require_columns, sector_selection
from .errors import DataError, ModelError, TariffSimError, suggest
from .literals import Closure, OnError, check_option
from .projection import ElasticitySchedule, as_schedule, project
from .simulate import simulate

__all__ = ["LogNormal", "MonteCarlo", "monte_carlo", "DEFAULT_LOG_SPREAD"]

#: Default log standard deviation of the trade-elasticity draws. The range of published
#: long-run trade elasticities, 4 (Simonovska & Waugh 2014, JIE 92(1)) to 8.28 (Eaton &
#: Kortum 2002, Econometrica 70(5)), read as a central 90% interval of a lognormal:
#: ln(8.28 / 4) / (2 x 1.645) = 0.221. Centred on 5 this gives a 90% interval 3.5-7.2.
DEFAULT_LOG_SPREAD = math.log(8.28 / 4.0) / (2.0 * 1.6448536269514722)

#: Central trade elasticity of a GE draw when none is given (the GE engine's default).
DEFAULT_CENTRE = 5.0


@dataclass(frozen=True)
class LogNormal:
    r"""A lognormal distribution for the trade elasticity (or for a scaling factor).

    ``value = median * exp(sigma * z)`` with ``z ~ N(0, 1)``, so ``median`` is the median
    draw and ``sigma`` the standard deviation of ``log(value)``; draws are always positive.

    Parameters
    ----------
    median : float, optional
        The centre. None: the chosen elasticity (`DEFAULT_CENTRE` = 5 for a single
        GE solve; 1, i.e. the elasticity schedule itself, for a projection).
    sigma : float
        Log spread, default `DEFAULT_LOG_SPREAD` (0.221, from the 4-8.28 range of
        published long-run elasticities).
    """

    median: float | None = None
    sigma: float = DEFAULT_LOG_SPREAD

    def __post_init__(self) -> None:
        def real(value: Any) -> float | None:
            ok = isinstance(value, int | float | np.integer | np.floating)
            return float(value) if ok and not isinstance(value, bool | np.bool_) else None

        median = None if self.median is None else real(self.median)
        if self.median is not None and not (median is not None and math.isfinite(median)
                                            and median > 0):
            raise ModelError(f"trade_elasticity: LogNormal median must be a positive finite "
                             f"number such as 5, got {self.median!r}.",
                             field="trade_elasticity")
        sigma = real(self.sigma)
        if not (sigma is not None and math.isfinite(sigma) and sigma >= 0):
            raise ModelError(f"trade_elasticity: LogNormal sigma must be a non-negative "
                             f"finite number such as 0.221, got {self.sigma!r}.",
                             field="trade_elasticity")
        object.__setattr__(self, "median", median)
        object.__setattr__(self, "sigma", sigma)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws from ``rng`` (the median must be set)."""
        if self.median is None:
            raise ModelError("trade_elasticity: LogNormal has no median; monte_carlo fills "
                             "it in, or pass LogNormal(median=...).", field="trade_elasticity")
        return self.median * np.exp(self.sigma * rng.standard_normal(n))

    def __call__(self, rng: np.random.Generator) -> float:
        return float(self.draw(rng, 1)[0])

    def describe(self) -> str:
        med = "the chosen value" if self.median is None else f"{self.median:g}"
        return f"lognormal(median {med}, log-sd {self.sigma:.3g})"


@dataclass
class MonteCarlo:
    """Draws and quantile bands of a Monte Carlo run (see
    [`monte_carlo`][tariffsim.uncertainty.monte_carlo]).

    Attributes
    ----------
    draws : DataFrame
        Tidy, one row per draw x [year] x country: ``draw, [year], country, partner,
        balance_baseline, balance_scenario, change, trade_elasticity`` (and ``factor``, the
        drawn multiplier of the schedule, for projections).
    bands : DataFrame
        ``country, partner, [year], variable, mean, q05, q50, q95`` (one ``q`` column per
        quantile, in percent) for ``variable`` in ``change`` and ``balance_scenario``.
    values : ndarray
        The ``n`` drawn parameter values (elasticities, or schedule factors for a
        projection), in draw order.
    seed, n, distribution, quantiles, partner, model, closure, years
        What produced the run.
    failures : list of dict
        Draws that raised a tariffsim error with ``on_error="skip"``: draw, value, error.
    """

    draws: pd.DataFrame
    bands: pd.DataFrame
    values: np.ndarray
    seed: Any
    n: int
    distribution: str
    quantiles: tuple[float, ...]
    partner: str
    model: str
    closure: str
    years: list[int] | None = None
    failures: list[dict] = field(default_factory=list)

    @property
    def plot(self) -> Any:
        """Plot accessor: ``mc.plot.fan(countries=[...])``."""
        from .plot import PlotAccessor
        return PlotAccessor(self)

    def fan_chart(self, countries: Sequence[str] | None = None, ax: Any = None,
                  **kwargs: Any) -> Any:
        """[`tariffsim.plot.fan_chart`][] of `bands`."""
        from .plot import fan_chart
        return fan_chart(self.bands, countries=countries, ax=ax, **kwargs)

    def __repr__(self) -> str:
        from . import _display
        return _display.text(_display.monte_carlo_view(self))

    def _repr_html_(self) -> str:
        from . import _display
        return _display.html(_display.monte_carlo_view(self))


# ----------------------------------------------------------------------------- helpers
def qname(q: float) -> str:
    """Column name of quantile ``q``: 0.05 -> ``"q05"``, 0.5 -> ``"q50"``, 0.025 ->
    ``"q2.5"``."""
    pct = 100.0 * q
    return f"q{round(pct):02d}" if abs(pct - round(pct)) < 1e-9 else f"q{pct:g}"


def _check_n(n: Any) -> None:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ModelError(f"n: the number of draws must be an integer >= 1, got {n!r}.",
                         field="n")


def _check_quantiles(quantiles: Any) -> tuple[float, ...]:
    try:
        qs = [float(q) for q in (quantiles if isinstance(quantiles, Iterable)
                                 else [quantiles])]
    except (TypeError, ValueError):
        raise ModelError(f"quantiles: expected numbers strictly between 0 and 1, got "
                         f"{quantiles!r}.", field="quantiles") from None
    bad = [q for q in qs if not (np.isfinite(q) and 0.0 < q < 1.0)]
    if not qs or bad:
        raise ModelError(f"quantiles: each must be strictly between 0 and 1 (0.05 = 5th "
                         f"percentile); got {bad or quantiles!r}.", field="quantiles")
    return tuple(sorted(set(qs)))


def _draw_values(spec: Any, n: int | None, rng: np.random.Generator,
                 centre: float, field: str = "trade_elasticity") -> tuple[np.ndarray, str]:
    """All parameter draws, up front, from one generator (``(n,)``, or ``(n, J)`` for a
    2-D array of values by draw and sector)."""
    if spec is None:
        spec = LogNormal()
    if isinstance(spec, int | float | np.number) and not isinstance(spec, bool):
        spec = LogNormal(median=float(spec))
    if isinstance(spec, LogNormal):
        if spec.median is None:
            spec = LogNormal(median=centre, sigma=spec.sigma)
        n = 200 if n is None else n
        _check_n(n)
        return spec.draw(rng, int(n)), spec.describe()
    if hasattr(spec, "rvs"):  # a frozen scipy.stats distribution
        n = 200 if n is None else n
        _check_n(n)
        values = np.asarray(spec.rvs(size=int(n), random_state=rng), dtype=float)
        name = getattr(getattr(spec, "dist", None), "name", type(spec).__name__)
        return values.reshape(-1), f"scipy.stats {name}{getattr(spec, 'args', '')}"
    if callable(spec):
        n = 200 if n is None else n
        _check_n(n)
        drawn: list[float] = []
        for k in range(int(n)):
            try:
                drawn.append(float(spec(rng)))
            except (TypeError, ValueError) as exc:
                raise ModelError(f"{field}: the callable must return one number "
                                 f"per call (rng -> value); draw {k} failed: {exc}.",
                                 field=field) from None
        return np.array(drawn), f"callable {getattr(spec, '__name__', type(spec).__name__)}"
    if isinstance(spec, str | bytes) or not isinstance(spec, Iterable):
        raise ModelError(f"{field}: expected a LogNormal, a number (the median of "
                         f"a lognormal), a callable rng -> value, a scipy.stats frozen "
                         f"distribution or a sequence of values; got {type(spec).__name__}.",
                         field=field)
    try:
        values = np.asarray(spec if isinstance(spec, np.ndarray) else list(spec),
                            dtype=float)
        if values.ndim != 2:
            values = values.reshape(-1)
    except (TypeError, ValueError):
        raise ModelError(f"{field}: the sequence of values must be numbers.",
                         field=field) from None
    if n is not None:
        _check_n(n)
        if int(n) != len(values):
            raise ModelError(f"n: {n} draws requested but the {field} sequence has "
                             f"{len(values)} values; leave n=None to use them all.",
                             field="n")
    if len(values) == 0:
        raise ModelError(f"n: the {field} sequence is empty; give at least one "
                         "value.", field="n")
    return values, f"{len(values)} given values"


def _draw_by_sector(spec: Mapping, n: int | None, rng: np.random.Generator, centre: float,
                    sectors: Sequence[str]) -> tuple[np.ndarray, str]:
    """``(n, J)`` draws from a mapping sector -> distribution (or number, the median of a
    lognormal), drawn sector by sector in the baseline's order; sectors not named get
    the default lognormal."""
    if not sectors:
        raise ModelError("trade_elasticity: draws by sector need a baseline with sectors.",
                         field="trade_elasticity")
    unknown = [k for k in spec if k not in sectors]
    if unknown:
        raise ModelError(f"trade_elasticity: unknown sector {unknown[0]!r}"
                         f"{suggest(str(unknown[0]), list(sectors))}; the baseline's sectors "
                         f"are {list(sectors)[:10]}...", field="trade_elasticity")
    n = 200 if n is None else n
    cols = []
    for sec in sectors:
        v, _ = _draw_values(spec.get(sec), n, rng, centre,
                            field=f"trade_elasticity[{sec!r}]")
        if v.ndim != 1 or len(v) != n:
            raise ModelError(f"trade_elasticity[{sec!r}]: expected {n} draws, got shape "
                             f"{v.shape}.", field="trade_elasticity")
        cols.append(v)
    return np.column_stack(cols), f"by sector ({len(spec)} of {len(sectors)} given)"


def _check_scale_values(values: np.ndarray, name: str) -> None:
    if values.ndim != 1 or not np.all(np.isfinite(values) & (values >= 0)):
        raise ModelError(f"{name}: draws must be one non-negative finite number per draw "
                         f"(1 = the scenario as given).", field=name)


def _check_values(values: np.ndarray, what: str) -> None:
    ok = np.isfinite(values) & (values > 0)
    bad = np.flatnonzero(~ok.reshape(len(values), -1).all(axis=1))
    if bad.size:
        flat = values.reshape(len(values), -1)
        shown = ", ".join(f"draw {k}: {float(flat[k][~ok.reshape(len(values), -1)[k]][0])!r}"
                          for k in bad[:5])
        raise ModelError(f"trade_elasticity: {bad.size} {what} draw(s) are not positive and "
                         f"finite ({shown}); the trade elasticity must be > 0. Use a "
                         f"distribution with positive support, e.g. LogNormal.",
                         field="trade_elasticity")


_COLUMNS = ["country", "partner", "balance_baseline", "balance_scenario", "change"]


@dataclass(frozen=True)
class _Task:
    """One draw: everything a worker needs (picklable when its parts are)."""

    draw: int
    value: float
    engine: Callable[..., Any]
    baseline: Any
    scenario: Any
    partner: str
    model: str
    closure: str
    years: tuple[int, ...] | None
    schedule: Any
    options: dict
    skip_errors: bool


def _run_task(task: _Task) -> pd.DataFrame | dict:
    """Solve one draw; module-level so that process pools can pickle it."""
    try:
        if task.years is None:
            opts = dict(task.options)
            if task.model == "ge":
                opts["closure"] = task.closure
            result = task.engine(task.baseline, task.scenario, model=task.model,
                                 trade_elasticity=task.value, **opts)
            frame = result.balances(partner=task.partner)
            _require_result(frame, _COLUMNS, "result.balances(partner)")
            out = frame[_COLUMNS].reset_index(drop=True)
            out["trade_elasticity"] = task.value
        else:
            opts = dict(task.options)
            if task.engine is project:  # one bar, monte_carlo's, not one per draw
                opts.setdefault("progress", False)
            proj = task.engine(task.baseline, task.scenario, years=list(task.years),
                               elasticity_schedule=task.schedule.scaled(task.value),
                               closure=task.closure, model=task.model, **opts)
            frame = getattr(proj, "frame", proj)
            _require_result(frame, ["year", *_COLUMNS, "trade_elasticity"],
                            "project(...).frame")
            frame = frame.loc[frame["partner"] == task.partner]
            out = frame[["year", *_COLUMNS, "trade_elasticity"]].reset_index(drop=True)
            out["factor"] = task.value
    except TariffSimError as exc:
        if not task.skip_errors:
            raise
        return {"draw": task.draw, "value": task.value,
                "error": f"{type(exc).__name__}: {exc}"}
    out.insert(0, "draw", task.draw)
    return out


def _require_result(frame: Any, columns: Sequence[str], name: str) -> None:
    require_columns(frame, columns, name, field="{column}",
                    hint=f"Monte Carlo needs {list(columns)}.")


def _check_seed(seed: Any) -> Any:
    """A seed ``numpy.random.default_rng`` takes: a non-negative integer, a sequence of
    them, or a ``numpy.random.SeedSequence``; else ModelError naming ``seed``."""
    if isinstance(seed, np.random.SeedSequence | np.random.Generator | np.random.BitGenerator):
        return seed
    ok = (isinstance(seed, int | np.integer) and not isinstance(seed, bool | np.bool_)
          and seed >= 0)
    if isinstance(seed, list | tuple) and seed:
        ok = all(isinstance(x, int | np.integer) and not isinstance(x, bool) and x >= 0
                 for x in seed)
    if not ok:
        raise ModelError(f"seed: expected a non-negative integer such as 0 (or a numpy "
                         f"SeedSequence, or None for a fresh one that is recorded), got "
                         f"{seed!r}.", field="seed")
    return int(seed) if isinstance(seed, int | np.integer) else seed


def _check_years(years: Any) -> tuple[int, ...]:
    """Projection years: an iterable of calendar years, or one year (``2030`` means
    ``[2030]``); else ModelError naming ``years``."""
    if isinstance(years, int | np.integer) and not isinstance(years, bool):
        years = [years]
    bad = isinstance(years, str | bytes) or not isinstance(years, Iterable)
    out: set[int] = set()
    if not bad:
        for y in years:
            if isinstance(y, bool) or not isinstance(y, int | np.integer | float) or (
                    isinstance(y, float) and not y.is_integer()):
                bad = True
                break
            out.add(int(y))
    if bad:
        raise ModelError(f"years: expected calendar years such as range(2026, 2031) or one "
                         f"year such as 2030, got {years!r}.", field="years")
    if not out:
        raise ModelError("years: give at least one year to project.", field="years")
    return tuple(sorted(out))


def _chunk_size(chunk_size: Any, n: int, executor: Any) -> int:
    if chunk_size is None:
        # a chunk per task, several tasks per worker for balance, at most 100 draws (the
        # batch arrays of 100 draws on the 22 x 22 world take about 100 MB); here, chunks
        # of 25: per draw about 10% faster than 100 on the 22 x 22 default (a chunk's
        # arrays stay in the processor's caches; benchmarks/bench_ensembles.py)
        return max(1, min(100, math.ceil(n / 8))) if executor is not None else 25
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int | np.integer) \
            or chunk_size < 1:
        raise ModelError(f"chunk_size: expected a positive integer (draws per task), got "
                         f"{chunk_size!r}.", field="chunk_size")
    return int(chunk_size)


@dataclass(frozen=True)
class _Chunk:
    """Draws ``ids`` of a batched GE Monte Carlo: everything a worker needs."""

    ids: tuple[int, ...]
    theta: np.ndarray                 # (b, J)
    tariff_scale: np.ndarray | None
    commitment_scale: np.ndarray | None
    model: Any
    prepared: Any
    closure: str
    numeraire: int | None
    tol: float
    max_iter: int
    partner: int
    goods: np.ndarray
    countries: tuple[str, ...]
    skip_errors: bool


def _run_chunk(chunk: _Chunk) -> tuple[pd.DataFrame | None, list[dict], int]:
    """Solve one chunk with `tariffsim.ge.batch.solve_batch` and return its tidy
    balances (module-level so that process pools and dask can pickle it)."""
    from .ge.batch import solve_batch
    sol = solve_batch(chunk.model, chunk.prepared, chunk.theta,
                      tariff_scale=chunk.tariff_scale,
                      commitment_scale=chunk.commitment_scale, closure=chunk.closure,
                      numeraire=chunk.numeraire, tol=chunk.tol, max_iter=chunk.max_iter,
                      skip_errors=chunk.skip_errors, labels=chunk.ids)
    p, g = chunk.partner, chunk.goods
    others = np.array([k for k in range(len(chunk.countries)) if k != p])

    def balance(F: np.ndarray) -> np.ndarray:
        # exports of each country to the partner minus its imports from it, goods only
        Fg = F[:, g]
        return (Fg[:, :, p, :].sum(axis=1) - Fg[:, :, :, p].sum(axis=1))[:, others]

    b0, b1 = balance(sol.flows0), balance(sol.flows)
    keep = np.array([k not in sol.errors for k in range(len(chunk.ids))])
    failures = [{"draw": chunk.ids[k], "value": float(chunk.theta[k].mean()),
                 "error": f"{type(e).__name__}: {e}"} for k, e in sol.errors.items()]
    n_one = int(sol.fallback.sum())
    if not keep.any():
        return None, failures, n_one
    nb, no = int(keep.sum()), len(others)
    ids = np.asarray(chunk.ids)[keep]
    frame = pd.DataFrame({
        "draw": np.repeat(ids, no),
        "country": np.tile(np.asarray(chunk.countries, dtype=object)[others], nb),
        "partner": chunk.countries[p],
        "balance_baseline": b0[keep].ravel(),
        "balance_scenario": b1[keep].ravel(),
    })
    frame["change"] = frame["balance_scenario"] - frame["balance_baseline"]
    theta = chunk.theta[keep]
    frame["trade_elasticity"] = np.repeat(theta.mean(axis=1), no)
    if chunk.tariff_scale is not None:
        frame["tariff_scale"] = np.repeat(np.asarray(chunk.tariff_scale)[keep], no)
    if chunk.commitment_scale is not None:
        frame["commitment_scale"] = np.repeat(np.asarray(chunk.commitment_scale)[keep],
                                              no)
    return frame, failures, n_one


def _run_tasks(tasks: Sequence[_Task]) -> list[pd.DataFrame | dict]:
    """A chunk of one-draw tasks (the engine path)."""
    return [_run_task(t) for t in tasks]


#: Engine options the batched GE path takes (others go draw by draw through the engine).
_BATCH_OPTIONS = {"tol", "max_iter", "numeraire", "deficits", "date", "year", "year_rule"}
#: Options a batched projection takes (a projection's years replace date= and year=).
_PROJECTION_BATCH_OPTIONS = _BATCH_OPTIONS - {"date", "year"}


def _batch_chunks(baseline: Any, scenario: Any, values: np.ndarray,
                  scales: dict[str, np.ndarray], size: int, partner: str, closure: str,
                  options: dict, skip: bool) -> list[_Chunk]:
    """Validate once, build the shocks and the calibrated model once, and cut the draws
    into chunks for `_run_chunk`."""
    import os

    from .baseline import Baseline
    from .ge.batch import check_theta
    from .ge.calibration import calibrate
    from .ge.prepare import prepare_shocks
    from .ge.solver import _check_options, _deficit_vector, _numeraire
    from .literals import DEFAULT_YEAR_RULE, YearRule
    from .simulate import as_shocks

    if not isinstance(baseline, Baseline):
        raise ModelError(f"baseline: the GE engine needs a tariffsim.Baseline, got "
                         f"{type(baseline).__name__}; build one with Baseline.from_frame or "
                         f"tariffsim.load_baseline().", field="baseline")
    opts = dict(options)
    tol = opts.pop("tol", 1e-10)
    max_iter = opts.pop("max_iter", 2000)
    year_rule = opts.pop("year_rule", DEFAULT_YEAR_RULE)
    check_option(year_rule, YearRule, "year_rule")
    check_option(closure, Closure, "closure")
    countries, sectors = tuple(baseline.countries), tuple(baseline.sectors)
    if partner not in countries:
        raise DataError(f"partner: unknown code {partner!r}{suggest(partner, countries)}; "
                        f"known codes: {', '.join(countries[:30])}.", field="partner")
    if isinstance(scenario, str | os.PathLike):
        from . import scenarios as _scenarios
        scenario = _scenarios.load(scenario)
    shocks = as_shocks(baseline, scenario, date=opts.pop("date", None),
                       year=opts.pop("year", None), year_rule=year_rule)
    tol, max_iter = _check_options(baseline, shocks, closure=closure, tol=tol,
                                   max_iter=max_iter)
    num_idx, _ = _numeraire(opts.pop("numeraire", "world_gdp"), countries)
    io = baseline.io if getattr(baseline, "has_io", True) else None
    model = calibrate(baseline.flows, baseline.tariffs, io, baseline.value_added,
                      countries=countries, sectors=sectors, trade_elasticity=None,
                      deficits=_deficit_vector(opts.pop("deficits", None), countries))
    prepared = prepare_shocks(shocks, countries, sectors)
    theta = check_theta(values, len(sectors))
    goods, _ = sector_selection("goods", sectors, baseline.services)
    p = countries.index(partner)
    out = []
    for start in range(0, theta.shape[0], size):
        sl = slice(start, start + size)
        out.append(_Chunk(
            ids=tuple(range(start, min(start + size, theta.shape[0]))), theta=theta[sl],
            tariff_scale=scales["tariff_scale"][sl] if "tariff_scale" in scales else None,
            commitment_scale=(scales["commitment_scale"][sl]
                              if "commitment_scale" in scales else None),
            model=model, prepared=prepared, closure=closure, numeraire=num_idx, tol=tol,
            max_iter=max_iter, partner=p, goods=goods, countries=countries,
            skip_errors=skip))
    return out


def _projection_chunks(baseline: Any, scenario: Any, factors: np.ndarray,
                       years: Sequence[int], schedule: ElasticitySchedule, size: int,
                       partner: str, closure: str, options: dict, skip: bool
                       ) -> tuple[list[_Chunk], list[int], pd.DataFrame]:
    """A projection's draws as batches: for each year the scenario's shocks of that year
    with ``theta_k = schedule(horizon) * factor_k``, the same elasticity
    [`tariffsim.project`][] uses with ``elasticity_schedule=schedule.scaled(factor_k)``.
    Returns the chunks, each chunk's year and the base year's balances."""
    import os

    from .projection import _policy_start_year, bilateral_balances

    if isinstance(scenario, str | os.PathLike):
        from . import scenarios as _scenarios
        scenario = _scenarios.load(scenario)
    base_year = getattr(baseline, "year", None)
    if base_year is None:
        raise DataError("baseline.year: a projection counts years from the baseline's year; "
                        "give it one: baseline.replace(year=2024).", field="baseline.year")
    if years[0] <= base_year:
        raise DataError(f"years: projections start after the baseline year {base_year}; got "
                        f"{years[0]}.", field="years")
    start = _policy_start_year(scenario, base_year + 1)
    chunks: list[_Chunk] = []
    tags: list[int] = []
    for t in years:
        theta = schedule(max(t - start + 1, 1)) * factors
        year_chunks = _batch_chunks(baseline, scenario, theta, {}, size, partner, closure,
                                    {**options, "year": t}, skip)
        chunks.extend(year_chunks)
        tags.extend(t for _ in year_chunks)
    goods, _ = sector_selection("goods", baseline.sectors, baseline.services)
    base = bilateral_balances(baseline.flows, baseline.countries, "balance_baseline", goods)
    base = base.loc[base["partner"] == partner].reset_index(drop=True)
    base["balance_scenario"] = base["balance_baseline"]
    base["change"] = 0.0
    base.insert(0, "year", base_year)
    base["trade_elasticity"] = 0.0
    return chunks, tags, base[["year", *_COLUMNS, "trade_elasticity"]]


def bands_from_draws(draws: pd.DataFrame, quantiles: Sequence[float] = (0.05, 0.5, 0.95),
                     variables: Sequence[str] = ("change", "balance_scenario")
                     ) -> pd.DataFrame:
    """Quantiles and mean of each variable across draws, per country (and year).

    Returns ``country, partner, [year], variable, mean, q05, ...`` with rows in the order
    countries (and years) first appear in ``draws``.
    """
    qs = _check_quantiles(quantiles)
    keys = [k for k in ("country", "partner", "year") if k in draws.columns]
    long = draws.melt(id_vars=keys, value_vars=list(variables), var_name="variable")
    grouped = long.groupby([*keys, "variable"], sort=False)["value"]
    out = grouped.mean().rename("mean").to_frame()
    for q in qs:
        out[qname(q)] = grouped.quantile(q)
    out = out.reset_index()
    order = {v: i for i, v in enumerate(variables)}
    out["_v"] = out["variable"].map(order)
    sort_keys = ["_v"] + (["year"] if "year" in keys else [])
    out = out.sort_values(sort_keys, kind="stable").drop(columns="_v").reset_index(drop=True)
    return out


# ----------------------------------------------------------------------------- main entry
def monte_carlo(baseline: Any, scenario: Any, n: int | None = None, seed: Any = 0,
                executor: Any = None, trade_elasticity: Any = None,
                years: Iterable[int] | None = None, partner: str = "USA", model: str = "ge",
                closure: Closure = "fixed_deficit",
                quantiles: Sequence[float] = (0.05, 0.5, 0.95),
                elasticity_schedule: Any = None, on_error: OnError = "raise",
                engine: Callable[..., Any] | None = None, *, tariff_scale: Any = None,
                commitment_scale: Any = None, chunk_size: int | None = None,
                progress: Progress = None, **kwargs: Any) -> MonteCarlo:
    """Run a scenario ``n`` times with drawn trade elasticities and summarise the balances.

    Single solve (``years=None``): draw ``theta_k`` (k = 1..n) and run
    ``engine(baseline, scenario, model=model, trade_elasticity=theta_k, closure=closure)``
    (``engine`` is [`tariffsim.simulate`][] by default), reading
    ``result.balances(partner)``.

    Projection (``years`` given): draw factors ``f_k`` (median 1) and run
    ``engine(baseline, scenario, years=years, elasticity_schedule=schedule.scaled(f_k),
    closure=closure, model=model)`` ([`tariffsim.project`][] by default), reading its
    ``.frame``: the whole short-to-long-run schedule (default Boehm, Levchenko &
    Pandalai-Nayar 2023) moves up or down together.

    Parameters
    ----------
    baseline : Baseline
    scenario : Scenario, str or Shocks
    n : int, optional
        Number of draws (default 200; with a sequence of values, its length).
    seed : int >= 0, sequence of them, or numpy SeedSequence
        Seed of ``numpy.random.default_rng``; all draws are made from it before any solve
        (the elasticities, then ``tariff_scale``, then ``commitment_scale``). None: a fresh
        seed, recorded in the result. Anything else (text, a negative or fractional
        number) raises ModelError.
    executor : executor or dask ``distributed.Client``, optional
        Where the chunks of draws run: a ``concurrent.futures`` executor
        (ThreadPoolExecutor, ProcessPoolExecutor), a dask ``distributed.Client`` (its
        futures are gathered), ``client.get_executor()``, or any object with
        ``.map(fn, iterable)``. None: here, one chunk after the other. A process pool or
        a cluster pickles each chunk (calibrated model, shocks, draws), so the calling
        script may need an ``if __name__ == "__main__":`` guard. Results do not depend on
        the executor or the chunking (docs/uncertainty.md, "Many draws on a cluster").
    trade_elasticity : LogNormal, number, callable, scipy.stats distribution, sequence,
        2-D array or mapping sector -> any of these
        The distribution of the elasticity (or, for a projection, of the schedule factor).
        Anything with ``.rvs(size=, random_state=)`` (a frozen ``scipy.stats``
        distribution) is drawn from the seeded generator. A mapping draws each sector of
        the baseline independently (sectors not named get the default lognormal); a
        ``(n, J)`` array gives the values by draw and sector.
        Default ``LogNormal(median=5, sigma=0.221)`` for a solve and ``LogNormal(median=1,
        sigma=0.221)`` for a projection: the spread of published long-run elasticities
        (`DEFAULT_LOG_SPREAD`). A number ``x`` means ``LogNormal(median=x)``; a
        callable is called as ``fn(rng)`` once per draw; a sequence gives the values.
    years : iterable of int, or one int, optional
        Project these years instead of one solve (``2030`` means ``[2030]``).
    partner : str
        Balances are with this partner (default ``"USA"``).
    model, closure : str
        Passed to ``simulate`` / ``project`` (``closure`` only for the GE engine).
    quantiles : sequence of float
        Quantiles in (0, 1) for `MonteCarlo.bands`.
    elasticity_schedule : ElasticitySchedule, mapping, number or callable, optional
        The central schedule of a projection (default `tariffsim.BLP2023`).
    on_error : {"raise", "skip"}
        What a draw that raises a tariffsim error (e.g. no convergence at an extreme
        elasticity) does: stop the run, or be recorded in `MonteCarlo.failures`.
    engine : callable, optional
        What solves one draw, called as shown above: default [`tariffsim.simulate`][]
        for a single solve and [`tariffsim.project`][] for a projection. Pass your own
        (a wrapper with extra settings, another model with the same signature, a stub in
        tests); with a ``ProcessPoolExecutor`` it must be picklable (a module-level
        function).
    tariff_scale, commitment_scale : distribution or sequence, optional
        Also drawn, for a single GE solve: the tariff change ``t' - t`` of the scenario
        times ``tariff_scale`` (1 = as given, 0 = no tariff change), and every import
        commitment's realised increment and level times ``commitment_scale`` (1 = as
        given; with the scenario at realisation 1 it is the share met). Same forms as
        ``trade_elasticity`` (a number ``x`` means ``LogNormal(median=x)``); recorded as
        columns of `MonteCarlo.draws`.
    chunk_size : int, optional
        Draws per task (default 25 without an executor, else ``ceil(n / 8)`` capped at
        100). Does not change the results.
    progress : None, bool or callable
        Progress per chunk (``tariffsim._progress.track``): None shows a bar when
        interactive and tqdm is installed; a callable is called as ``f(done, total)``.
    **kwargs
        Passed to the engine (``tol``, ``numeraire``, ``growth`` for projections,
        ``date`` or ``year`` (not both) and ``year_rule``, ...). Every draw of a GE run
        compares the policy with the reference world of the same solve (the zero-deficit
        world under ``closure="balanced"``), so draws differ only by the elasticity.

    With the default engine, ``model="ge"`` and options among ``tol``, ``max_iter``,
    ``numeraire``, ``deficits``, ``date``/``year``, ``year_rule``, a single solve runs
    as a batch (`tariffsim.ge.batch.solve_batch`): the scenario is validated and
    its shocks built once, and the draws of each chunk are solved together; each draw's
    result equals ``tariffsim.simulate`` with that draw's parameters to the solver's
    tolerance. ``draws.attrs["solved_one_by_one"]`` counts the draws the batch handed
    to the one-draw solver. A projection with the default engine, ``model="ge"`` and
    options among ``tol``, ``max_iter``, ``numeraire``, ``deficits``, ``year_rule`` runs
    as a batch per year too (each year's shocks once, every draw's
    ``schedule(horizon) * f_k`` together), equal to `tariffsim.project` with
    ``schedule.scaled(f_k)`` to the solver's tolerance; a draw that fails in any year is
    dropped from every year. Other options (``growth``, ``reference``, ...) and engines
    run draw by draw (chunked the same way).

    Returns
    -------
    MonteCarlo

    Raises
    ------
    ModelError
        ``n`` < 1, quantiles outside (0, 1), non-positive or non-finite draws, every draw
        failing.
    """
    qs = _check_quantiles(quantiles)
    check_when(kwargs.get("date"), kwargs.get("year"))
    if n is not None:
        _check_n(n)
    check_option(on_error, OnError, "on_error")
    progress = check_progress(progress)
    if not isinstance(partner, str):
        raise ModelError(f"partner: expected a country code, got {partner!r}.",
                         field="partner")
    check_executor(executor)
    if seed is None:
        seed = np.random.SeedSequence().entropy  # record it so the run can be repeated
    seed = _check_seed(seed)
    rng = np.random.default_rng(seed)
    projecting = years is not None
    schedule: ElasticitySchedule | None = None
    years_t: tuple[int, ...] | None = None
    if years is not None:
        years_t = _check_years(years)
        schedule = as_schedule(elasticity_schedule)
        if isinstance(trade_elasticity, int | float | np.number):
            raise ModelError("trade_elasticity: in a projection the draws scale the "
                             "elasticity schedule (median 1); set the centre with "
                             "elasticity_schedule= and the spread with "
                             "trade_elasticity=LogNormal(sigma=...).",
                             field="trade_elasticity")
        for name, spec in (("tariff_scale", tariff_scale),
                           ("commitment_scale", commitment_scale)):
            if spec is not None:
                raise ModelError(f"{name}: drawn only for a single GE solve (years=None); "
                                 f"in a projection scale the scenario itself.", field=name)
        centre = 1.0
    else:
        if elasticity_schedule is not None:
            raise ModelError("elasticity_schedule: only used with years= (a projection).",
                             field="elasticity_schedule")
        centre = DEFAULT_CENTRE
    sectors = tuple(getattr(baseline, "sectors", ()) or ())
    if isinstance(trade_elasticity, Mapping) and not projecting:
        values, description = _draw_by_sector(trade_elasticity, n, rng, centre, sectors)
    else:
        values, description = _draw_values(trade_elasticity, n, rng, centre)
    _check_values(values, "schedule factor" if projecting else "trade elasticity")
    n_draws = values.shape[0]
    scales = {}
    for name, spec in (("tariff_scale", tariff_scale), ("commitment_scale",
                                                        commitment_scale)):
        if spec is not None:
            v, d = _draw_values(spec, n_draws, rng, 1.0, field=name)
            _check_scale_values(v, name)
            scales[name] = v
            description += f"; {name} {d}"
    if projecting:
        description = f"schedule x {description}"
    if engine is not None and not callable(engine):
        raise ModelError(f"engine: expected a callable such as tariffsim.simulate, got "
                         f"{type(engine).__name__}.", field="engine")
    size = _chunk_size(chunk_size, n_draws, executor)
    batched = (engine is None and not projecting and model == "ge"
               and set(kwargs) <= _BATCH_OPTIONS)
    if scales and not batched:
        raise ModelError("tariff_scale / commitment_scale: drawn by the batched GE solve "
                         "only (model='ge', no engine=, options among "
                         f"{sorted(_BATCH_OPTIONS)}).", field=next(iter(scales)))
    if values.ndim == 2 and not batched:
        raise ModelError("trade_elasticity: draws by sector need the batched GE solve "
                         "(model='ge', no engine=, no projection).",
                         field="trade_elasticity")
    batched_projection = (engine is None and projecting and model == "ge"
                          and values.ndim == 1 and set(kwargs) <= _PROJECTION_BATCH_OPTIONS)
    outputs: list[Any] = []
    one_by_one = n_draws
    if batched_projection:
        assert years_t is not None and schedule is not None
        one_by_one = 0
        chunks_p, tags, base_rows = _projection_chunks(
            baseline, scenario, values, years_t, schedule, size, partner, closure, kwargs,
            on_error == "skip")
        failed: dict[int, dict] = {}
        year_frames = []
        results = track(map_chunks(executor, _run_chunk, chunks_p), total=len(chunks_p),
                        desc="monte carlo", progress=progress)
        for year, (frame, fails, n_one) in zip(tags, results, strict=True):
            one_by_one += n_one
            for f in fails:  # a draw that fails in any year is dropped from every year
                failed.setdefault(f["draw"], {"draw": f["draw"],
                                              "value": float(values[f["draw"]]),
                                              "error": f"{year}: {f['error']}"})
            if frame is not None:
                frame.insert(1, "year", year)
                frame["factor"] = values[frame["draw"].to_numpy()]
                year_frames.append(frame)
        ok = [k for k in range(n_draws) if k not in failed]
        outputs.extend(failed[k] for k in sorted(failed))
        if ok:
            draws_base = pd.concat([base_rows.assign(draw=k, factor=values[k]) for k in ok],
                                   ignore_index=True)
            draws_base = draws_base[["draw", "year", *_COLUMNS, "trade_elasticity",
                                     "factor"]]
            outputs.append(draws_base)
            outputs.extend(f.loc[f["draw"].isin(ok)] for f in year_frames)
    elif batched:
        one_by_one = 0
        chunks = _batch_chunks(baseline, scenario, values, scales, size, partner, closure,
                               kwargs, on_error == "skip")
        for frame, fails, n_one in track(map_chunks(executor, _run_chunk, chunks),
                                         total=len(chunks), desc="monte carlo",
                                         progress=progress):
            outputs.extend(fails)
            one_by_one += n_one
            if frame is not None:
                outputs.append(frame)
    else:
        if engine is None:
            engine = project if projecting else simulate
        tasks = [_Task(k, float(v), engine, baseline, scenario, partner, model, closure,
                       years_t, schedule, dict(kwargs), on_error == "skip")
                 for k, v in enumerate(values)]
        if chunk_size is None and executor is None:
            size = 1  # here, in order: a step per draw (each can be a whole projection)
        groups = [tasks[i:i + size] for i in range(0, len(tasks), size)]
        for out in track(map_chunks(executor, _run_tasks, groups), total=len(groups),
                         desc="monte carlo", progress=progress):
            outputs.extend(out)
    failures = sorted((o for o in outputs if isinstance(o, dict)), key=lambda d: d["draw"])
    frames = [o for o in outputs if isinstance(o, pd.DataFrame)]
    if not frames:
        raise ModelError(f"monte_carlo: all {n_draws} draws failed; first error: "
                         f"{failures[0]['error'] if failures else 'none'}.", field="n")
    draws = pd.concat(frames, ignore_index=True)
    draws = draws.sort_values("draw", kind="stable").reset_index(drop=True)
    numbers = draws[["balance_baseline", "balance_scenario", "change"]].to_numpy(dtype=float)
    if not np.all(np.isfinite(numbers)):
        raise ModelError("monte_carlo: a draw returned NaN or infinite balances; this is a "
                         "bug in the engine, please report it with the draw's elasticity.",
                         field="draws")
    bands = bands_from_draws(draws, qs)
    units = getattr(baseline, "units", None)
    attrs: dict[Hashable | None, Any] = {
        "n": n_draws, "seed": seed, "solved_one_by_one": one_by_one,
        "distribution": description, "model": model,
        "closure": closure, "units": units, "quantiles": qs, "partner": partner,
        "scenario": getattr(scenario, "name", scenario if isinstance(scenario, str) else None)}
    if schedule is not None:
        attrs["schedule"] = schedule.describe()
    draws.attrs = dict(attrs)
    bands.attrs = dict(attrs)
    return MonteCarlo(draws=draws, bands=bands, values=values, seed=seed, n=n_draws,
                      distribution=description, quantiles=qs, partner=partner, model=model,
                      closure=closure, years=list(years_t) if years_t else None,
                      failures=failures)
