"""One entry point for every engine: ``tariffsim.simulate``."""

from __future__ import annotations

import os
from typing import Any

from ._validate import check_when, to_date
from .baseline import Baseline
from .errors import ModelError, ScenarioError, suggest
from .literals import DEFAULT_YEAR_RULE, MODELS, Model, YearRule, check_option
from .shocks import Shocks

__all__ = ["simulate", "MODELS", "as_shocks"]



def as_shocks(baseline: Baseline, scenario: Any, *, date: Any = None,
              year: int | None = None, year_rule: YearRule = DEFAULT_YEAR_RULE) -> Shocks:
    """Turn a Scenario (or a Shocks, or None) into array shocks on ``baseline``.

    A [`Scenario`][tariffsim.scenario.Scenario] is validated against the baseline first, so
    unknown codes and contradictory rates are reported before any solve. ``date`` or
    ``year`` select the policies in force (default: the scenario's own ``date``);
    with ``year``, ``year_rule`` says how a policy that starts or ends within the year
    counts (``"average"``, the default: each policy weighted by the days it is in force;
    ``"mid-year"``: the policy in force on 1 July; see
    [`Scenario.shocks`][tariffsim.Scenario.shocks]). ``date`` and ``year`` together raise
    ScenarioError; so does either with a Shocks (not dated).
    """
    check_when(date, year)
    if scenario is None:
        return Shocks()
    if isinstance(scenario, Shocks):
        if date is not None or year is not None:
            raise ScenarioError(f"date/year: array-level Shocks are not dated (got date="
                                f"{date!r}, year={year!r}); pass a Scenario to select the "
                                f"policy in force, or drop date= and year=.", field="date")
        return scenario
    if isinstance(scenario, str | os.PathLike):
        from . import scenarios as _scenarios
        scenario = _scenarios.load(scenario)
    if not hasattr(scenario, "shocks"):
        raise ScenarioError(f"scenario: expected a tariffsim.Scenario, a built-in scenario name, "
                            f"a TOML path, a Shocks or None; got {type(scenario).__name__}.",
                            field="scenario")
    scenario.validate(baseline)
    date = to_date(date, "date")
    if year is None:
        return scenario.shocks(baseline, date=date, year_rule=year_rule)
    return scenario.shocks(baseline, year=year, year_rule=year_rule)


def simulate(baseline: Baseline, scenario: Any = None, *, model: Model = "ge",
             date: Any = None, year: int | None = None,
             year_rule: YearRule = DEFAULT_YEAR_RULE, **options: Any) -> Any:
    """Solve a scenario on a baseline with one of the engines.

    Parameters
    ----------
    baseline : Baseline
        The world before the policy (``tariffsim.load_baseline()`` for the embedded one).
    scenario : Scenario, str, Path, Shocks or None
        The policy: a [`Scenario`][tariffsim.scenario.Scenario], the name of a built-in
        scenario (``tariffsim.scenarios.list()``) or the path of a TOML file (see
        [`tariffsim.scenarios.load`][]), array-level [`Shocks`][tariffsim.simulate.Shocks], or None
        (no change: returns the baseline as an equilibrium).
    model : {"ge", "smart", "gsim"}
        ``"ge"``: Caliendo & Parro (2015) general equilibrium on the baseline
        ([`tariffsim.ge.solve`][]). ``"smart"`` / ``"gsim"``: product-level partial
        equilibrium (`tariffsim.pe`); ``baseline`` is then product data.
    date, year
        Which of the scenario's dated policies are in force: on the day ``date`` (a date,
        an ISO string, or a bare year such as ``"2026"``, read as 1 January of it; see
        `tariffsim._validate.to_date`), or in the calendar year ``year``; not both
        (ScenarioError).
    year_rule : {"average", "mid-year"}
        With ``year``: each policy regime of the year weighted by the days it is in force
        (``"average"``, the default of every engine and entry point,
        `tariffsim.literals.DEFAULT_YEAR_RULE`), or the policy in force on 1 July.
    **options
        Passed to the engine, e.g. ``trade_elasticity=``, ``closure=``, ``tol=`` for GE.

    Returns
    -------
    Result
        Tidy frames (``countries``, ``flows``, ``balances(partner)``) and the model,
        closure, elasticities and data vintage that produced them.
    """
    check_option(model, Model, "model")
    check_when(date, year)
    check_option(year_rule, YearRule, "year_rule", error=ScenarioError)
    if model == "ge":
        from .ge import solve
        _check_options(solve, options, skip=("baseline", "shocks"), engine="ge")
        if not isinstance(baseline, Baseline):
            raise ModelError(f"baseline: the GE engine needs a tariffsim.Baseline, got "
                             f"{type(baseline).__name__}; build one with Baseline.from_frame "
                             f"or tariffsim.load_baseline().", field="baseline")
        if isinstance(scenario, str | os.PathLike):
            from . import scenarios as _scenarios
            scenario = _scenarios.load(scenario)
        shocks = as_shocks(baseline, scenario, date=date, year=year, year_rule=year_rule)
        result = solve(baseline, shocks, **options)
        name = getattr(scenario, "name", None)
        try:
            result.scenario = name
            result.services = baseline.services
        except AttributeError:  # pragma: no cover - a frozen result type
            pass
        return result
    # PE: product data; a Scenario (or built-in name / TOML path) is resolved on the
    # products by tariffsim.pe.bridge, a mapping of PE shocks goes to the engine as is.
    from .pe import _SHOCK_KEYS, gsim, simulate_pe, smart
    engine = smart if model == "smart" else gsim
    _check_options(engine, options, skip=("data", "new_tariffs"), engine=model,
                   extra=_SHOCK_KEYS + ("importer",))
    return simulate_pe(baseline, scenario, model=model, date=date, year=year,
                       year_rule=year_rule, **options)


def _check_options(fn: Any, options: dict, *, skip: tuple, engine: str,
                   extra: tuple = ()) -> None:
    """Unknown keyword options raise ModelError with the closest valid name."""
    import inspect
    params = inspect.signature(fn).parameters
    allowed = sorted({k for k, p in params.items()
                      if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)} - set(skip)
                     | set(extra))
    for key in options:
        if key not in allowed:
            raise ModelError(f"{key}: not an option of the {engine!r} engine"
                             f"{suggest(key, allowed)}; options are {allowed}.", field=key)
