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
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._validate import check_when, require_columns
from .errors import ModelError, TariffSimError
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
                 centre: float) -> tuple[np.ndarray, str]:
    """All parameter draws, up front, from one generator."""
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
                raise ModelError(f"trade_elasticity: the callable must return one number "
                                 f"per call (rng -> value); draw {k} failed: {exc}.",
                                 field="trade_elasticity") from None
        return np.array(drawn), f"callable {getattr(spec, '__name__', type(spec).__name__)}"
    if isinstance(spec, str | bytes) or not isinstance(spec, Iterable):
        raise ModelError(f"trade_elasticity: expected a LogNormal, a number (the median of "
                         f"a lognormal), a callable rng -> value, a scipy.stats frozen "
                         f"distribution or a sequence of values; got {type(spec).__name__}.",
                         field="trade_elasticity")
    try:
        values = np.asarray(list(spec), dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise ModelError("trade_elasticity: the sequence of values must be numbers.",
                         field="trade_elasticity") from None
    if n is not None:
        _check_n(n)
        if int(n) != len(values):
            raise ModelError(f"n: {n} draws requested but the trade_elasticity sequence has "
                             f"{len(values)} values; leave n=None to use them all.",
                             field="n")
    if len(values) == 0:
        raise ModelError("n: the trade_elasticity sequence is empty; give at least one "
                         "value.", field="n")
    return values, f"{len(values)} given values"


def _check_values(values: np.ndarray, what: str) -> None:
    bad = np.flatnonzero(~(np.isfinite(values) & (values > 0)))
    if bad.size:
        shown = ", ".join(f"draw {k}: {float(values[k])!r}" for k in bad[:5])
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
            proj = task.engine(task.baseline, task.scenario, years=list(task.years),
                               elasticity_schedule=task.schedule.scaled(task.value),
                               closure=task.closure, model=task.model, **task.options)
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
                engine: Callable[..., Any] | None = None, **kwargs: Any) -> MonteCarlo:
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
    seed : int or numpy SeedSequence
        Seed of ``numpy.random.default_rng``; all draws are made from it before any solve.
    executor : object with ``.map(fn, iterable)``, optional
        A ``concurrent.futures`` executor (ThreadPoolExecutor, ProcessPoolExecutor) or any
        object with that method (e.g. a dask or ipyparallel executor). None: sequential.
        A ``ProcessPoolExecutor`` pickles each task (baseline, scenario, options), so they
        must be picklable (tariffsim's own types are) and on some platforms the calling
        script needs an ``if __name__ == "__main__":`` guard. Results do not depend on the
        executor.
    trade_elasticity : LogNormal, number, callable, scipy.stats distribution or sequence
        The distribution of the elasticity (or, for a projection, of the schedule factor).
        Default ``LogNormal(median=5, sigma=0.221)`` for a solve and ``LogNormal(median=1,
        sigma=0.221)`` for a projection: the spread of published long-run elasticities
        (`DEFAULT_LOG_SPREAD`). A number ``x`` means ``LogNormal(median=x)``; a
        callable is called as ``fn(rng)`` once per draw; a sequence gives the values.
    years : iterable of int, optional
        Project these years instead of one solve.
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
    **kwargs
        Passed to the engine (``tol``, ``numeraire``, ``growth`` for projections,
        ``date`` or ``year`` (not both) and ``year_rule``, ...). Every draw of a GE run
        compares the policy with the reference world of the same solve (the zero-deficit
        world under ``closure="balanced"``), so draws differ only by the elasticity.

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
    if not isinstance(partner, str):
        raise ModelError(f"partner: expected a country code, got {partner!r}.",
                         field="partner")
    if executor is not None and not callable(getattr(executor, "map", None)):
        raise ModelError(f"executor: expected an object with a .map(fn, iterable) method "
                         f"(a concurrent.futures executor), got {type(executor).__name__}.",
                         field="executor")
    if seed is None:
        seed = np.random.SeedSequence().entropy  # record it so the run can be repeated
    rng = np.random.default_rng(seed)
    projecting = years is not None
    schedule: ElasticitySchedule | None = None
    years_t: tuple[int, ...] | None = None
    if years is not None:
        years_t = tuple(sorted({int(y) for y in years}))
        if not years_t:
            raise ModelError("years: give at least one year to project.", field="years")
        schedule = as_schedule(elasticity_schedule)
        if isinstance(trade_elasticity, int | float | np.number):
            raise ModelError("trade_elasticity: in a projection the draws scale the "
                             "elasticity schedule (median 1); set the centre with "
                             "elasticity_schedule= and the spread with "
                             "trade_elasticity=LogNormal(sigma=...).",
                             field="trade_elasticity")
        centre = 1.0
    else:
        if elasticity_schedule is not None:
            raise ModelError("elasticity_schedule: only used with years= (a projection).",
                             field="elasticity_schedule")
        centre = DEFAULT_CENTRE
    values, description = _draw_values(trade_elasticity, n, rng, centre)
    _check_values(values, "schedule factor" if projecting else "trade elasticity")
    if projecting:
        description = f"schedule x {description}"
    if engine is None:
        engine = project if projecting else simulate
    elif not callable(engine):
        raise ModelError(f"engine: expected a callable such as tariffsim.simulate, got "
                         f"{type(engine).__name__}.", field="engine")

    tasks = [_Task(k, float(v), engine, baseline, scenario, partner, model, closure, years_t,
                   schedule, dict(kwargs), on_error == "skip") for k, v in enumerate(values)]
    mapped = map(_run_task, tasks) if executor is None else executor.map(_run_task, tasks)
    outputs = list(mapped)
    failures = [o for o in outputs if isinstance(o, dict)]
    frames = [o for o in outputs if isinstance(o, pd.DataFrame)]
    if not frames:
        raise ModelError(f"monte_carlo: all {len(values)} draws failed; first error: "
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
        "n": len(values), "seed": seed, "distribution": description, "model": model,
        "closure": closure, "units": units, "quantiles": qs, "partner": partner,
        "scenario": getattr(scenario, "name", scenario if isinstance(scenario, str) else None)}
    if schedule is not None:
        attrs["schedule"] = schedule.describe()
    draws.attrs = dict(attrs)
    bands.attrs = dict(attrs)
    return MonteCarlo(draws=draws, bands=bands, values=values, seed=seed, n=len(values),
                      distribution=description, quantiles=qs, partner=partner, model=model,
                      closure=closure, years=list(years_t) if years_t else None,
                      failures=failures)
