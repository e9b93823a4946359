"""Partial-equilibrium engines at product level.

* :func:`smart` -- WITS SMART: one import market (importer and product), many
  exporters, trade creation and CES trade diversion, vectorised over products.
* :func:`gsim` -- Francois & Hall (2003) GSIM: all importers and exporters of a
  product, world prices from market clearing (one linear solve).
* :class:`ProductData` -- the validated tidy input (importer, exporter, product,
  value, tariff); :class:`PEResult` -- what both return.

Formulas: ``MODEL.md`` section 5 and the module docstrings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..errors import ModelError, ScenarioError
from .gsim import (
    GSIM_EXPORT_SUPPLY_ELASTICITY,
    GSIM_IMPORT_DEMAND_ELASTICITY,
    GSIM_SUBSTITUTION_ELASTICITY,
    gsim,
    gsim_solve,
)
from .products import PEResult, ProductData, load_rare_earths
from .smart import (
    INFINITE_SUPPLY,
    WITS_EXPORT_SUPPLY_ELASTICITY,
    WITS_IMPORT_DEMAND_ELASTICITY,
    WITS_SUBSTITUTION_ELASTICITY,
    smart,
    smart_effects,
)

__all__ = [
    "ProductData",
    "PEResult",
    "smart",
    "smart_effects",
    "gsim",
    "gsim_solve",
    "simulate_pe",
    "load_rare_earths",
    "WITS_IMPORT_DEMAND_ELASTICITY",
    "WITS_SUBSTITUTION_ELASTICITY",
    "WITS_EXPORT_SUPPLY_ELASTICITY",
    "INFINITE_SUPPLY",
    "GSIM_IMPORT_DEMAND_ELASTICITY",
    "GSIM_SUBSTITUTION_ELASTICITY",
    "GSIM_EXPORT_SUPPLY_ELASTICITY",
]

_SHOCK_KEYS = ("new_tariffs", "export_taxes", "supply_cuts", "commitments")


def simulate_pe(data: Any, shocks: Any = None, *, model: str = "smart",
                **kwargs: Any) -> PEResult:
    """Run SMART or GSIM with shocks given as one mapping or as keyword arguments.

    Parameters
    ----------
    data : ProductData, DataFrame or Baseline
    shocks : mapping or DataFrame, optional
        ``{"new_tariffs": ..., "export_taxes": ..., "supply_cuts": ...,
        "commitments": ...}`` (each as accepted by :func:`smart`/:func:`gsim`), or a
        DataFrame of new tariffs.
    model : {"smart", "gsim"}
    **kwargs
        Shock keywords (as above) and model options (elasticities, ``importer`` for
        SMART, ``export_tax_rents``).

    Returns
    -------
    PEResult
    """
    engines = {"smart": smart, "gsim": gsim}
    if model not in engines:
        raise ModelError(f"model: {model!r} is not a PE model; use 'smart' or 'gsim'.",
                         field="model")
    given: dict[str, Any] = {}
    if isinstance(shocks, pd.DataFrame):
        given["new_tariffs"] = shocks
    elif isinstance(shocks, Mapping):
        unknown = [k for k in shocks if k not in _SHOCK_KEYS]
        if unknown:
            raise ScenarioError(f"shocks: unknown key(s) {unknown}; use {list(_SHOCK_KEYS)}.",
                                field="shocks")
        given.update(shocks)
    elif shocks is not None:
        raise ScenarioError(f"shocks: expected a mapping {list(_SHOCK_KEYS)} or a DataFrame "
                            f"of new tariffs, got {type(shocks).__name__}.", field="shocks")
    for k in _SHOCK_KEYS:
        if k in kwargs:
            if k in given:
                raise ScenarioError(f"{k}: given both in shocks and as a keyword; give it once.",
                                    field=k)
            given[k] = kwargs.pop(k)
    return engines[model](data, **given, **kwargs)
