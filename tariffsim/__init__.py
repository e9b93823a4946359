"""tariffsim: what tariffs, trade deals and export controls do to bilateral trade.

>>> import tariffsim as ts
>>> base = ts.load_baseline()                       # doctest: +SKIP
>>> ts.project(base, "us-asean-2025").table()        # doctest: +SKIP
"""

from . import datasets
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
from .projection import BLP2023, ElasticitySchedule, Projection, project
from .shocks import Shocks
from .simulate import simulate

__version__ = "0.1.0"

__all__ = [
    "BLP2023",
    "Baseline",
    "ConvergenceError",
    "DataError",
    "ElasticitySchedule",
    "ModelError",
    "Projection",
    "ScenarioError",
    "Shocks",
    "TariffSimError",
    "TariffSimWarning",
    "UnreachableError",
    "datasets",
    "list_baselines",
    "load_baseline",
    "project",
    "simulate",
    "us_trade_2024",
]
