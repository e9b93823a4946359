"""tariffsim: what tariffs, trade deals and export controls do to bilateral trade.

>>> import tariffsim as ts
>>> base = ts.load_baseline()                       # doctest: +SKIP
>>> ts.project(base, "us-asean-2025").table()        # doctest: +SKIP
"""

from . import concordance, datasets, estimate, ge, io, pe, plot, scenarios
from .baseline import Baseline
from .datasets import list_baselines, load_baseline, us_trade_2024
from .errors import (
    ConvergenceError,
    DataError,
    ModelError,
    ScenarioError,
    TariffSimError,
    TariffSimWarning,
    UnreachableError,
)
from .instruments import ExportRestriction, ImportCommitment, Tariff, TradeCost
from .projection import BLP2023, ElasticitySchedule, Projection, project
from .results import Result
from .scenario import Scenario
from .shocks import Shocks
from .simulate import simulate
from .tariff_lines import effective_rates
from .uncertainty import monte_carlo


def _version() -> str:
    """The installed distribution's version: pyproject.toml is its one source. A source
    tree that was never installed says so instead of guessing a number."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tariffsim")
    except PackageNotFoundError:
        return "0+not.installed"  # PEP 440 local version; fix: pip install -e . in the clone


__version__ = _version()

__all__ = [
    "BLP2023",
    "Baseline",
    "ConvergenceError",
    "DataError",
    "ElasticitySchedule",
    "ExportRestriction",
    "ImportCommitment",
    "ModelError",
    "Projection",
    "Result",
    "Scenario",
    "ScenarioError",
    "Shocks",
    "Tariff",
    "TariffSimError",
    "TariffSimWarning",
    "TradeCost",
    "UnreachableError",
    "concordance",
    "datasets",
    "effective_rates",
    "estimate",
    "list_baselines",
    "ge",
    "io",
    "load_baseline",
    "monte_carlo",
    "pe",
    "plot",
    "project",
    "scenarios",
    "simulate",
    "us_trade_2024",
]
