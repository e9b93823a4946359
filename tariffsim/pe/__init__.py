"""Partial-equilibrium engines at product level.

* [`smart`][tariffsim.pe.smart] -- WITS SMART: one import market (importer and product), many
  exporters, trade creation and CES trade diversion, vectorised over products.
* [`gsim`][tariffsim.pe.gsim] -- Francois & Hall (2003) GSIM: all importers and exporters of a
  product, world prices from market clearing (one linear solve).
* [`ProductData`][tariffsim.pe.ProductData] -- the validated tidy input (importer, exporter,
  product, value, tariff); `PEResult` -- what both return.
* [`simulate_pe`][tariffsim.pe.simulate_pe] -- either engine with PE shocks or with a
  [`tariffsim.Scenario`][] (resolved on the products by `tariffsim.pe.bridge`: `pe_shocks`).

Formulas: docs/model.md#partial-equilibrium and the module docstrings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from .._validate import check_when
from ..errors import ModelError, ScenarioError
from ..literals import DEFAULT_YEAR_RULE, PEModel, YearRule, check_option
from .bridge import (
    PEScenarioResult,
    PEShocks,
    as_product_data,
    is_scenario_like,
    pe_shocks,
    product_baseline,
)
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
    "pe_shocks",
    "PEShocks",
    "PEScenarioResult",
    "product_baseline",
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


def simulate_pe(data: Any, shocks: Any = None, *, model: PEModel = "smart", date: Any = None,
                year: int | None = None, year_rule: YearRule = DEFAULT_YEAR_RULE,
                **kwargs: Any) -> PEResult:
    """Run SMART or GSIM with PE shocks or with a scenario.

    Parameters
    ----------
    data : ProductData, DataFrame or Baseline
        Product data (importer, exporter, product, value, tariff). A Baseline's sectors are
        taken as products and its diagonal (domestic sales) is dropped: PE uses imports only.
    shocks : Scenario, str, Path, Shocks, mapping, DataFrame or None
        A [`tariffsim.Scenario`][], a built-in scenario name or a TOML path (resolved on
        the products, see `tariffsim.pe.bridge`); array [`tariffsim.shocks.Shocks`][]
        built on `product_baseline`; or PE shocks ``{"new_tariffs": ...,
        "export_taxes": ..., "supply_cuts": ..., "commitments": ...}`` (each as accepted by
        [`smart`][tariffsim.pe.smart]/[`gsim`][tariffsim.pe.gsim]), or a DataFrame of new tariffs.
    model : {"smart", "gsim"}
    date, year, year_rule
        Which of a scenario's dated policies are in force (see
        [`tariffsim.Scenario.shocks`][]); only for scenarios; ``date`` and ``year``
        together raise ScenarioError.
    **kwargs
        PE shock keywords (with PE shocks only) and model options: elasticities,
        ``importer`` (SMART: run only this importer's markets; default all importers, each
        (importer, product) an independent SMART market), ``export_tax_rents``.

    Returns
    -------
    PEResult
        With a scenario, a `PEScenarioResult` that also carries the scenario name,
        the instruments in force and the date/year; its ``notes`` record how instruments
        were translated.
    """
    engines: dict[str, Callable[..., PEResult]] = {"smart": smart, "gsim": gsim}
    check_option(model, PEModel, "model")
    check_when(date, year)
    check_option(year_rule, YearRule, "year_rule", error=ScenarioError)
    if model == "gsim" and "importer" in kwargs:
        raise ModelError("importer: GSIM solves every importer and exporter of a product "
                         "together (world prices clear all markets); drop importer= and read "
                         "result.products for one importer, or select the data first with "
                         "ProductData.select(importer=...).", field="importer")
    if is_scenario_like(shocks):
        both = [k for k in _SHOCK_KEYS if k in kwargs]
        if both:
            raise ScenarioError(f"{both[0]}: give the policy either as a scenario or as PE "
                                f"shock keywords, not both; add the instrument to the "
                                f"scenario instead.", field=both[0])
        pe_data, notes = as_product_data(data)
        importer = kwargs.pop("importer", None)
        if importer is not None:
            pe_data = pe_data.select(importer=importer)
        inputs = pe_shocks(pe_data, shocks, date=date, year=year, year_rule=year_rule)
        engine_kw = inputs.engine_inputs()
        rents = kwargs.pop("export_tax_rents", None)
        if rents is not None:
            if "export_tax_rents" in engine_kw and engine_kw["export_tax_rents"] != rents:
                raise ScenarioError(f"export_tax_rents: {rents!r} given, but the scenario's "
                                    f"restrictions say {engine_kw['export_tax_rents']!r}; set "
                                    f"rents on the instruments.", field="export_tax_rents")
            engine_kw["export_tax_rents"] = rents
        result = engines[model](pe_data, **engine_kw, **kwargs)
        fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(PEResult)}
        fields["notes"] = tuple(notes) + tuple(inputs.notes) + tuple(result.notes)
        name = inputs.name if inputs.name is not None else getattr(shocks, "name", None)
        return PEScenarioResult(**fields, scenario=name, instruments=tuple(inputs.labels),
                                date=inputs.date, year=year)
    if date is not None or year is not None:
        raise ModelError(f"date/year: PE shocks given as a mapping, a frame or None are not "
                         f"dated; pass a tariffsim.Scenario to select policies by date, or "
                         f"drop date= and year= (got date={date!r}, year={year!r}).",
                         field="date" if date is not None else "year")
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
        raise ScenarioError(f"shocks: expected a tariffsim.Scenario, a built-in scenario name, "
                            f"a TOML path, a mapping {list(_SHOCK_KEYS)} or a DataFrame of new "
                            f"tariffs, got {type(shocks).__name__}.", field="shocks")
    for k in _SHOCK_KEYS:
        if k in kwargs:
            if k in given:
                raise ScenarioError(f"{k}: given both in shocks and as a keyword; give it once.",
                                    field=k)
            given[k] = kwargs.pop(k)
    return engines[model](data, **given, **kwargs)

