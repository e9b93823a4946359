"""General equilibrium: Caliendo-Parro (2015) exact hat algebra.

``solve(baseline, shocks)`` is the entry point. The modules, in the order a solve uses them:

* :mod:`.calibration`: baseline arrays -> :class:`CalibratedModel` (levels);
* :mod:`.prepare`: a Shocks -> internal ``(J, N, N)`` arrays and the extra unknowns of
  commitments and quotas;
* :mod:`.solver`: :func:`solve` (options, reference equilibrium, pipeline, Result);
* :mod:`.active_set`: the loop that decides which quotas bind;
* :mod:`.hat`: one equilibrium: Anderson iteration plus a Newton fallback
  (:func:`solve_hat`, :func:`~.hat.solve_system`);
* :mod:`.system`: the residual function of one equilibrium (:class:`~.system.HatSystem`)
  and the shock's constant terms;
* :mod:`.equilibrium`: the equations as pure vectorised functions;
* :mod:`.anderson`: the Anderson fixed-point routine used by every iteration;
* :mod:`.frames`: the output frames;
* :mod:`.extensions`: elastic labour, scale economies, local share, revenue recycling
  (Ignatenko et al. 2025) and :data:`PRESETS`.
"""

from tariffsim.ge.calibration import DEFAULT_TRADE_ELASTICITY, CalibratedModel, calibrate
from tariffsim.ge.extensions import PRESETS
from tariffsim.ge.solver import CLOSURES, solve, solve_hat

__all__ = ["solve", "solve_hat", "calibrate", "CalibratedModel", "CLOSURES",
           "DEFAULT_TRADE_ELASTICITY", "PRESETS"]
