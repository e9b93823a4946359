"""tariffsim: what tariffs, trade deals and export controls do to bilateral trade."""

from .baseline import Baseline
from .errors import (
    ConvergenceError,
    DataError,
    ModelError,
    ScenarioError,
    TariffSimError,
    TariffSimWarning,
    UnreachableError,
)
from .shocks import Shocks

__version__ = "0.1.0"

__all__ = [
    "Baseline",
    "ConvergenceError",
    "DataError",
    "ModelError",
    "ScenarioError",
    "Shocks",
    "TariffSimError",
    "TariffSimWarning",
    "UnreachableError",
]
