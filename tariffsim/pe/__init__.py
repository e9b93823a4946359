"""Partial-equilibrium engines at product level: SMART (one import market) and GSIM
(all importers and exporters of a product, endogenous world prices)."""
