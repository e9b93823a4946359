"""General equilibrium: Caliendo-Parro (2015) exact hat algebra.

``solve(baseline, shocks)`` is the entry point; :mod:`.equilibrium` holds the equations as
pure functions, :mod:`.solver` the iteration, :mod:`.calibration` the calibration.
"""

from tariffsim.ge.calibration import DEFAULT_TRADE_ELASTICITY, CalibratedModel, calibrate
from tariffsim.ge.solver import CLOSURES, solve, solve_hat

__all__ = ["solve", "solve_hat", "calibrate", "CalibratedModel", "CLOSURES",
           "DEFAULT_TRADE_ELASTICITY"]
