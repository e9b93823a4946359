"""General equilibrium: Caliendo-Parro (2015) exact hat algebra.

``solve(baseline, shocks)`` is the entry point. The modules, in the order a solve uses them:

* `.calibration`: baseline arrays -> `CalibratedModel` (levels);
* `.prepare`: a Shocks -> internal ``(J, N, N)`` arrays and the extra unknowns of
  commitments and quotas;
* `.solver`: [`solve`][tariffsim.ge.solve] (options, reference equilibrium, pipeline, Result);
* `.active_set`: the loop that decides which quotas bind;
* [`.hat`][tariffsim.ge.hat]: one equilibrium: Anderson iteration plus a Newton fallback
  ([`solve_hat`][tariffsim.ge.solve_hat], [`solve_system`][tariffsim.ge.hat.solve_system]);
* [`.system`][tariffsim.ge.system]: the residual function of one equilibrium
  ([`HatSystem`][tariffsim.ge.system.HatSystem]) and the shock's constant terms;
* [`.equilibrium`][tariffsim.ge.equilibrium]: the equations as pure vectorised functions;
* `.anderson`: the Anderson fixed-point routine used by every iteration;
* `.frames`: the output frames;
* [`.extensions`][tariffsim.ge.extensions]: elastic labour, scale economies, local share, revenue
  recycling (Ignatenko et al. 2025) and [`PRESETS`][tariffsim.ge.PRESETS].
"""

from tariffsim.ge.calibration import DEFAULT_TRADE_ELASTICITY, CalibratedModel, calibrate
from tariffsim.ge.extensions import PRESETS
from tariffsim.ge.solver import CLOSURES, solve, solve_hat

__all__ = ["solve", "solve_hat", "calibrate", "CalibratedModel", "CLOSURES",
           "DEFAULT_TRADE_ELASTICITY", "PRESETS"]
