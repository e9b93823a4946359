"""General equilibrium: Caliendo-Parro (2015) exact hat algebra.

``solve(baseline, shocks)`` is the entry point; :mod:`.equilibrium` holds the equations as
pure functions, :mod:`.solver` the iteration, :mod:`.calibration` the calibration.
"""
