"""The catalogue of bad inputs: every public entry point rejects them at the door.

Each case names the call, the exact TariffSimError subclass it must raise, a text the
message must contain that names the field, and (where a fix makes sense) a text of the
fix hint. The whole catalogue runs with RuntimeWarning turned into an error, so a numpy
warning can never be the only sign of a problem, and a bare KeyError / IndexError /
TypeError / ValueError fails the case.

The table in docs/reliability.md is this catalogue (regenerate it with
``python tests/test_reliability_inputs.py``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tariffsim as ts
from tariffsim.errors import (
    ConvergenceError,
    DataError,
    ModelError,
    ScenarioError,
    TariffSimError,
    TariffSimWarning,
    UnreachableError,
)
from tariffsim.shocks import CommitmentTarget, QuotaTarget, Shocks

C3 = ("AAA", "BBB", "CCC")
F3 = np.array([[100.0, 10, 5], [8, 200, 6], [4, 7, 150]])


def base3(**kw) -> ts.Baseline:
    return ts.Baseline.from_arrays(C3, None, F3, **kw)


def flows_frame(**cols) -> pd.DataFrame:
    d = {"exporter": ["AAA", "AAA", "BBB", "BBB"], "importer": ["AAA", "BBB", "AAA", "BBB"],
         "value": [100.0, 10.0, 8.0, 200.0]}
    d.update(cols)
    return pd.DataFrame(d)


def tariff_shock(value: float, e: int = 1, m: int = 0) -> Shocks:
    t = np.zeros((3, 3, 1))
    t[e, m, 0] = value
    return Shocks(tariffs=t)


def pdata() -> ts.pe.ProductData:
    return ts.pe.ProductData.from_frame(pd.DataFrame({
        "importer": "USA", "exporter": ["CHN", "MEX", "VNM"], "product": "p",
        "value": [10.0, 5.0, 3.0], "tariff": [0.1, 0.0, 0.05]}))


def scen(*instruments) -> ts.Scenario:
    return ts.Scenario("bad", instruments=list(instruments))


def toml_file(tmp: Path, text: str) -> str:
    p = tmp / "bad.toml"
    p.write_text(text)
    return str(p)


@dataclass
class Case:
    id: str
    call: Callable  # takes tmp_path
    error: type[TariffSimError]
    field: str          # text naming the field, must be in the message
    hint: str | None = None   # text of the fix, when a fix makes sense
    entry: str = ""


def _c(entry, id_, call, error, field, hint=None):
    return Case(f"{entry}: {id_}", call, error, field, hint, entry)


CASES: list[Case] = []
add = CASES.append

# ------------------------------------------------------------------ Baseline.from_arrays
E = "Baseline.from_arrays"
add(_c(E, "negative flow", lambda t: ts.Baseline.from_arrays(
    C3, None, F3 - np.diag([0, 0, 200.0])), DataError, "flows", ">= 0"))
add(_c(E, "NaN flow", lambda t: ts.Baseline.from_arrays(
    C3, None, np.where(np.eye(3, dtype=bool), np.nan, F3)), DataError, "flows", "finite"))
add(_c(E, "infinite flow", lambda t: ts.Baseline.from_arrays(
    C3, None, np.where(np.eye(3, dtype=bool), np.inf, F3)), DataError, "flows", "finite"))
add(_c(E, "text flows", lambda t: ts.Baseline.from_arrays(
    C3, None, [["a"] * 3] * 3), DataError, "flows", "numeric"))
add(_c(E, "empty baseline (no countries)", lambda t: ts.Baseline.from_arrays(
    (), None, np.zeros((0, 0))), DataError, "countries", "at least"))
add(_c(E, "all flows zero", lambda t: ts.Baseline.from_arrays(
    C3, None, np.zeros((3, 3))), DataError, "flows", "no trade"))
add(_c(E, "shape does not match countries", lambda t: ts.Baseline.from_arrays(
    ("AAA", "BBB"), None, F3), DataError, "flows", "countries=2"))
add(_c(E, "duplicate country codes", lambda t: ts.Baseline.from_arrays(
    ("AAA", "AAA", "CCC"), None, F3), DataError, "countries", "once"))
add(_c(E, "tariff below -100%", lambda t: base3(
    tariffs=np.full((3, 3), -1.5)), DataError, "tariffs", "0.19 means 19%"))
add(_c(E, "NaN tariff", lambda t: base3(
    tariffs=np.full((3, 3), np.nan)), DataError, "tariffs", "finite"))
add(_c(E, "IO shares summing above one", lambda t: base3(
    io=np.full((3, 1, 1), 1.2)), DataError, "io", "fractions of gross output"))
add(_c(E, "negative IO share", lambda t: base3(
    io=np.full((3, 1, 1), -0.2)), DataError, "io", "[0, 1]"))
add(_c(E, "value added + IO not one", lambda t: base3(
    io=np.full((3, 1, 1), 0.3), value_added=np.full((3, 1), 0.5)), DataError,
    "value_added", "add up to 1"))

# ------------------------------------------------------------------ Baseline.from_frame
E = "Baseline.from_frame"
add(_c(E, "not a DataFrame", lambda t: ts.Baseline.from_frame({"a": 1}), DataError, "flows",
       "DataFrame"))
add(_c(E, "missing value column", lambda t: ts.Baseline.from_frame(
    flows_frame().rename(columns={"value": "val"})), DataError, "flows", "Rename"))
add(_c(E, "empty frame", lambda t: ts.Baseline.from_frame(flows_frame().iloc[:0]),
       DataError, "flows", "at least one row"))
add(_c(E, "negative flow", lambda t: ts.Baseline.from_frame(
    flows_frame(value=[100.0, -10, 8, 200])), DataError, "flows.value", ">= 0"))
add(_c(E, "NaN flow", lambda t: ts.Baseline.from_frame(
    flows_frame(value=[100.0, np.nan, 8, 200])), DataError, "flows.value", "Fill or drop"))
add(_c(E, "infinite flow", lambda t: ts.Baseline.from_frame(
    flows_frame(value=[100.0, np.inf, 8, 200])), DataError, "flows.value", "Fill or drop"))
add(_c(E, "text flow", lambda t: ts.Baseline.from_frame(
    flows_frame(value=["100", "ten", 8, 200])), DataError, "flows.value", "Give numbers"))
add(_c(E, "empty country code", lambda t: ts.Baseline.from_frame(
    flows_frame(exporter=["AAA", "", "BBB", "BBB"])), DataError, "flows.exporter", "needs a code"))
add(_c(E, "duplicate rows", lambda t: ts.Baseline.from_frame(
    flows_frame(importer=["AAA", "AAA", "AAA", "BBB"])), DataError, "flows", "Sum or drop"))
add(_c(E, "code missing from countries=", lambda t: ts.Baseline.from_frame(
    flows_frame(), countries=["AAA", "BBC"]), DataError, "flows.exporter", "did you mean"))
add(_c(E, "misspelled code in tariffs", lambda t: ts.Baseline.from_frame(
    flows_frame(), tariffs=pd.DataFrame({"exporter": ["AAA"], "importer": ["BBX"],
                                         "rate": [0.1]})), DataError, "tariffs.importer",
    "did you mean 'BBB'"))
add(_c(E, "tariff below -100%", lambda t: ts.Baseline.from_frame(
    flows_frame(), tariffs=pd.DataFrame({"exporter": ["AAA"], "importer": ["BBB"],
                                         "rate": [-1.2]})), DataError, "tariffs.rate",
    "0.19 means 19%"))
add(_c(E, "tariffs column named tariff", lambda t: ts.Baseline.from_frame(
    flows_frame(), tariffs=pd.DataFrame({"exporter": ["AAA"], "importer": ["BBB"],
                                         "tariff": [0.1]})), DataError, "tariffs", "Rename"))
add(_c(E, "duplicate tariff rows", lambda t: ts.Baseline.from_frame(
    flows_frame(), tariffs=pd.DataFrame({"exporter": ["AAA", "AAA"], "importer": ["BBB", "BBB"],
                                         "rate": [0.1, 0.2]})), DataError, "tariffs",
    "Sum or drop"))
add(_c(E, "IO share above one", lambda t: ts.Baseline.from_frame(
    flows_frame(), io=pd.DataFrame({"country": ["AAA"], "input_sector": ["total"],
                                    "sector": ["total"], "share": [1.5]})), DataError,
    "io.share", "fractions of gross output"))
add(_c(E, "IO shares summing above one", lambda t: ts.Baseline.from_frame(
    flows_frame(sector=["x", "x", "x", "x"]),
    io=pd.DataFrame({"country": ["AAA", "AAA"], "input_sector": ["x", "x"],
                     "sector": ["x", "x"], "share": [0.7, 0.6]})), DataError, "io",
    "Sum or drop"))
add(_c(E, "unknown IO sector", lambda t: ts.Baseline.from_frame(
    flows_frame(), io=pd.DataFrame({"country": ["AAA"], "input_sector": ["totl"],
                                    "sector": ["total"], "share": [0.5]})), DataError,
    "io.input_sector", "did you mean 'total'"))
add(_c(E, "value added without IO", lambda t: ts.Baseline.from_frame(
    flows_frame(), value_added=pd.DataFrame({"country": ["AAA", "BBB"],
                                             "sector": ["total", "total"],
                                             "share": [0.5, 0.5]})), DataError,
    "value_added", "give io too"))

# ------------------------------------------------------------------ Baseline methods
E = "Baseline.aggregate/replace/lookups"
add(_c(E, "aggregate: misspelled code", lambda t: base3().aggregate(regions={"AAX": "R"}),
       DataError, "regions", "did you mean 'AAA'"))
add(_c(E, "aggregate: not a mapping", lambda t: base3().aggregate(regions=["AAA"]),
       DataError, "regions", "mapping"))
add(_c(E, "aggregate: code in two groups", lambda t: base3().aggregate(
    regions={"R1": ["AAA"], "R2": ["AAA"]}), DataError, "regions", "one group only"))
add(_c(E, "aggregate: unknown sector", lambda t: base3().aggregate(sectors={"totl": "x"}),
       DataError, "sectors", "did you mean 'total'"))
add(_c(E, "replace: misspelled attribute", lambda t: base3().replace(flow=F3), DataError,
       "flow", "did you mean 'flows'"))
add(_c(E, "replace: negative flows", lambda t: base3().replace(flows=-base3().flows),
       DataError, "flows", ">= 0"))
add(_c(E, "replace: NaN tariffs", lambda t: base3().replace(
    tariffs=np.full((3, 3, 1), np.nan)), DataError, "tariffs", "finite"))
add(_c(E, "country_index: misspelled", lambda t: base3().country_index("ABA"), DataError,
       "country", "did you mean 'AAA'"))
add(_c(E, "sector_index: misspelled", lambda t: base3().sector_index("totl"), DataError,
       "sector", "did you mean 'total'"))
add(_c(E, "trade_balance: unknown partner", lambda t: base3().trade_balance(partner="CCD"),
       DataError, "country", "did you mean 'CCC'"))
add(_c(E, "trade_balance: misspelled sectors word", lambda t: base3().trade_balance(
    partner="AAA", sectors="good"), DataError, "sectors", "did you mean 'goods'"))
add(_c(E, "unknown service sector", lambda t: base3(services=["services"]), DataError,
       "services", "service sectors by name"))
add(_c(E, "tariff_lines not a bool", lambda t: base3(tariff_lines="yes"), DataError,
       "tariff_lines", "True or False"))

# ------------------------------------------------------------------ datasets
E = "load_baseline"
add(_c(E, "misspelled name", lambda t: ts.load_baseline("defualt"), DataError, "name",
       "did you mean 'default'"))
add(_c(E, "not a string", lambda t: ts.load_baseline(["default"]), DataError, "name",
       "list_baselines"))
add(_c(E, "us_trade_2024: bad vintage", lambda t: ts.us_trade_2024("feb2052"), DataError,
       "vintage", "did you mean 'feb2025'"))

# ------------------------------------------------------------------ ge.solve
E = "ge.solve"
add(_c(E, "theta = 0", lambda t: ts.ge.solve(base3(), trade_elasticity=0), ModelError,
       "trade_elasticity", "positive"))
add(_c(E, "theta < 0", lambda t: ts.ge.solve(base3(), trade_elasticity=-4), ModelError,
       "trade_elasticity", "4-8"))
add(_c(E, "theta NaN", lambda t: ts.ge.solve(base3(), trade_elasticity=np.nan), ModelError,
       "trade_elasticity", "finite"))
add(_c(E, "theta text", lambda t: ts.ge.solve(base3(), trade_elasticity="five"), ModelError,
       "trade_elasticity", "scalar"))
add(_c(E, "theta: misspelled sector", lambda t: ts.ge.solve(
    base3(), trade_elasticity={"totl": 5}), ModelError, "trade_elasticity",
    "did you mean 'total'"))
add(_c(E, "theta: wrong length", lambda t: ts.ge.solve(base3(), trade_elasticity=[4, 5]),
       ModelError, "trade_elasticity", "one per sector"))
add(_c(E, "misspelled closure", lambda t: ts.ge.solve(base3(), closure="fixed_deficits"),
       ModelError, "closure", "did you mean 'fixed_deficit'"))
add(_c(E, "misspelled numeraire", lambda t: ts.ge.solve(base3(), numeraire="AAB"),
       ModelError, "numeraire", "world_gdp"))
add(_c(E, "tol = 0", lambda t: ts.ge.solve(base3(), tol=0), ModelError, "tol", "(0, 1)"))
add(_c(E, "tol NaN", lambda t: ts.ge.solve(base3(), tol=float("nan")), ModelError, "tol",
       "(0, 1)"))
add(_c(E, "max_iter = 0", lambda t: ts.ge.solve(base3(), max_iter=0), ModelError,
       "max_iter", "positive integer"))
add(_c(E, "max_iter = True", lambda t: ts.ge.solve(base3(), max_iter=True), ModelError,
       "max_iter", "positive integer"))
add(_c(E, "baseline None", lambda t: ts.ge.solve(None), ModelError, "baseline",
       "Baseline.from_frame"))
add(_c(E, "shocks a dict", lambda t: ts.ge.solve(base3(), {"tariffs": 0.1}), ScenarioError,
       "shocks", "scenario.shocks(baseline)"))
add(_c(E, "shock tariffs wrong shape", lambda t: ts.ge.solve(
    base3(), Shocks(tariffs=np.zeros((2, 2, 1)))), ScenarioError, "shocks.tariffs",
    "[exporter, importer, sector]"))
add(_c(E, "shock tariff below -100%", lambda t: ts.ge.solve(
    base3(), tariff_shock(-1.5)), ScenarioError, "shocks.tariffs", "0.2 = 20%"))
add(_c(E, "shock tariff NaN", lambda t: ts.ge.solve(base3(), tariff_shock(np.nan)),
       ScenarioError, "shocks.tariffs", "finite"))
add(_c(E, "iceberg factor 0", lambda t: ts.ge.solve(
    base3(), Shocks(trade_costs=np.zeros((3, 3, 1)))), ScenarioError, "shocks.trade_costs",
    "1 = unchanged"))
add(_c(E, "export-tax rents misspelled", lambda t: ts.ge.solve(
    base3(), Shocks(export_taxes=np.full((3, 3, 1), 0.1), export_tax_rents="exporters")),
    ScenarioError, "export_tax_rents", "did you mean 'exporter'"))
add(_c(E, "commitment beyond any equilibrium", lambda t: ts.ge.solve(base3(), Shocks(
    commitments=[CommitmentTarget(0, 1, np.array([True]), 1e9)])), UnreachableError,
    "shocks.commitments", "Lower the committed value"))
add(_c(E, "commitment with itself", lambda t: ts.ge.solve(base3(), Shocks(
    commitments=[CommitmentTarget(0, 0, np.array([True]), 10.0)])), ScenarioError,
    "shocks.commitments", "two different countries"))
add(_c(E, "commitment negative", lambda t: ts.ge.solve(base3(), Shocks(
    commitments=[CommitmentTarget(0, 1, np.array([True]), -10.0)])), ScenarioError,
    "shocks.commitments", "> 0"))
add(_c(E, "quota cap 0", lambda t: ts.ge.solve(base3(), Shocks(
    quotas=[QuotaTarget(0, np.array([False, True, True]), np.array([True]), 0.0)])),
    UnreachableError, "shocks.quotas", "positive cap"))
add(_c(E, "deficits do not sum to zero", lambda t: ts.ge.solve(base3(), deficits=[1, 2, 3]),
       DataError, "deficits", "sum to zero"))
add(_c(E, "deficits wrong length", lambda t: ts.ge.solve(base3(), deficits=[1, -1]),
       DataError, "deficits", "one per country"))
add(_c(E, "deficits text", lambda t: ts.ge.solve(base3(), deficits="x"), ModelError,
       "deficits", "one per country"))
add(_c(E, "deficits misspelled code", lambda t: ts.ge.solve(base3(), deficits={"AAX": 0}),
       ModelError, "deficits", "did you mean 'AAA'"))
add(_c(E, "country with no output", lambda t: ts.ge.solve(ts.Baseline.from_arrays(
    C3, None, F3 * np.array([[0.0], [1], [1]]))), DataError, "flows", "aggregate them"))
add(_c(E, "country with no spending", lambda t: ts.ge.solve(ts.Baseline.from_arrays(
    C3, None, F3 * np.array([[0.0, 1, 1]]))), DataError, "flows", "domestic sales"))
add(_c(E, "non-convergence (max_iter=1)", lambda t: ts.ge.solve(
    base3(), tariff_shock(0.5), max_iter=1), ConvergenceError, "max_iter",
    "iterations=1"))

# ------------------------------------------------------------------ simulate / project
E = "simulate"
add(_c(E, "misspelled model", lambda t: ts.simulate(base3(), None, model="gee"), ModelError,
       "model", "did you mean 'ge'"))
add(_c(E, "misspelled option", lambda t: ts.simulate(base3(), None, closur="balanced"),
       ModelError, "closur", "did you mean 'closure'"))
add(_c(E, "scenario of the wrong type", lambda t: ts.simulate(base3(), 5), ScenarioError,
       "scenario", "Scenario"))
add(_c(E, "misspelled built-in scenario", lambda t: ts.simulate(base3(), "us-asean-2026"),
       ScenarioError, "scenario", "did you mean 'us-asean-2025'"))
add(_c(E, "bad date", lambda t: ts.simulate(base3(), scen(ts.Tariff(
    importer="AAA", exporter="BBB", rate=0.1)), date="2025-13-01"), ScenarioError, "date",
    "2025-10-26"))
add(_c(E, "GE on product data", lambda t: ts.simulate(pdata(), None, model="ge"),
       ModelError, "baseline", "Baseline.from_frame"))
add(_c(E, "PE with a date", lambda t: ts.simulate(pdata(), None, model="smart",
                                                  date="2025-01-01"),
       ModelError, "date", "drop date="))
add(_c(E, "PE misspelled option", lambda t: ts.simulate(
    pdata(), None, model="smart", substitution_elasticty=2), ModelError,
    "substitution_elasticty", "did you mean 'substitution_elasticity'"))

E = "project"
_P = dict(years=[2025])


def _proj(**kw):
    sc = scen(ts.Tariff(importer="AAA", exporter="BBB", rate=0.1))
    return ts.project(base3(year=2024), sc, **{**_P, **kw})


add(_c(E, "no years", lambda t: _proj(years=[]), DataError, "years", "at least one year"))
add(_c(E, "year before the baseline", lambda t: _proj(years=[2020]), DataError, "years",
       "after the baseline year"))
add(_c(E, "years as text", lambda t: _proj(years=["abc"]), DataError, "years", "range("))
add(_c(E, "negative elasticity", lambda t: _proj(elasticity_schedule=-1), ModelError,
       "elasticity_schedule", "theta > 0"))
add(_c(E, "elasticity horizon 0", lambda t: _proj(elasticity_schedule={0: 1.0}), ModelError,
       "elasticity_schedule", ">= 1"))
add(_c(E, "elasticity text value", lambda t: _proj(elasticity_schedule={1: "a"}),
       ModelError, "elasticity_schedule", "theta > 0"))
add(_c(E, "elasticity of a wrong type", lambda t: _proj(elasticity_schedule="blp"),
       ModelError, "elasticity_schedule", "ElasticitySchedule"))
add(_c(E, "growth below -100%", lambda t: _proj(growth=-2), DataError, "growth",
       "yearly rate as a fraction"))
add(_c(E, "growth text", lambda t: _proj(growth="x"), DataError, "growth", "0.03 means 3%"))
add(_c(E, "growth misspelled country", lambda t: _proj(growth={"AAX": 0.1}), DataError,
       "country", "did you mean 'AAA'"))
add(_c(E, "PE model", lambda t: _proj(model="smart"), ModelError, "model", "model='ge'"))
add(_c(E, "misspelled closure", lambda t: _proj(closure="balance"), ModelError, "closure",
       "did you mean 'balanced'"))

# ------------------------------------------------------------------ PE
E = "pe.ProductData"
_PD = pd.DataFrame({"importer": "USA", "exporter": ["CHN", "MEX"], "product": "p",
                    "value": [10.0, 5.0], "tariff": [0.1, 0.0]})
add(_c(E, "NaN value", lambda t: ts.pe.ProductData.from_frame(_PD.assign(value=[np.nan, 1])),
       DataError, "data.value", "Fill or drop"))
add(_c(E, "infinite value", lambda t: ts.pe.ProductData.from_frame(
    _PD.assign(value=[np.inf, 1])), DataError, "data.value", "Fill or drop"))
add(_c(E, "negative value", lambda t: ts.pe.ProductData.from_frame(
    _PD.assign(value=[-1.0, 1])), DataError, "data.value", "fix or drop"))
add(_c(E, "tariff below -100%", lambda t: ts.pe.ProductData.from_frame(
    _PD.assign(tariff=[-2.0, 0])), DataError, "data.tariff", "-100%"))
add(_c(E, "duplicate rows", lambda t: ts.pe.ProductData.from_frame(pd.concat([_PD, _PD])),
       DataError, "data", "Sum the values"))
add(_c(E, "empty frame", lambda t: ts.pe.ProductData.from_frame(_PD.iloc[:0]), DataError,
       "data", "at least one row"))
add(_c(E, "missing tariff column", lambda t: ts.pe.ProductData.from_frame(
    _PD.drop(columns="tariff")), DataError, "data", "add a 'tariff' column"))
add(_c(E, "domestic sales as imports", lambda t: ts.pe.ProductData.from_frame(
    _PD.assign(exporter=["USA", "MEX"])), DataError, "exporter == importer",
    "intra_region=True"))
add(_c(E, "from_arrays text", lambda t: ts.pe.ProductData.from_arrays(
    ["A", "B"], [["a", "b"], ["c", "d"]]), DataError, "values", "numeric"))
add(_c(E, "from_arrays wrong shape", lambda t: ts.pe.ProductData.from_arrays(
    ["A", "B"], np.ones((3, 3))), DataError, "values", "[product, exporter, importer]"))

E = "pe.smart"
add(_c(E, "import demand elasticity > 0", lambda t: ts.pe.smart(
    pdata(), 0.2, import_demand_elasticity=1.0), ModelError, "import_demand_elasticity",
    "-1.25"))
add(_c(E, "substitution elasticity < 0", lambda t: ts.pe.smart(
    pdata(), 0.2, substitution_elasticity=-1.0), ModelError, "substitution_elasticity",
    ">= 0"))
add(_c(E, "export supply elasticity 0", lambda t: ts.pe.smart(
    pdata(), 0.2, export_supply_elasticity=0), ModelError, "export_supply_elasticity",
    "np.inf"))
add(_c(E, "elasticity text", lambda t: ts.pe.smart(pdata(), 0.2, import_demand_elasticity="x"),
       ModelError, "import_demand_elasticity", "mapping of numbers"))
add(_c(E, "misspelled importer", lambda t: ts.pe.smart(pdata(), 0.2, importer="USB"),
       DataError, "importer", "did you mean 'USA'"))
add(_c(E, "new tariff below -100%", lambda t: ts.pe.smart(pdata(), -2.0), DataError,
       "new_tariffs.rate", "-100%"))
add(_c(E, "new tariff NaN", lambda t: ts.pe.smart(pdata(), np.nan), DataError,
       "new_tariffs.rate", "Fill or drop"))
add(_c(E, "misspelled exporter in new tariffs", lambda t: ts.pe.smart(pdata(), {"CHM": 0.5}),
       DataError, "new_tariffs.exporter", "did you mean 'CHN'"))
add(_c(E, "commitment beyond the market", lambda t: ts.pe.smart(pdata(), commitments=pd.DataFrame(
    {"exporter": ["MEX"], "value": [1e6]})), UnreachableError, "commitments", "Lower"))
add(_c(E, "supply cut above 1", lambda t: ts.pe.smart(pdata(), supply_cuts={"CHN": 2.0}),
       DataError, "supply_cuts.cut", "1 = ban"))
add(_c(E, "misspelled export_tax_rents", lambda t: ts.pe.smart(
    pdata(), 0.2, export_tax_rents="exporters"), ModelError, "export_tax_rents", "dissipated"))

E = "pe.gsim"
add(_c(E, "import demand elasticity > 0", lambda t: ts.pe.gsim(
    pdata(), 0.2, import_demand_elasticity=1.0), ModelError, "import_demand_elasticity",
    "-1.25"))
add(_c(E, "substitution elasticity < 0", lambda t: ts.pe.gsim(
    pdata(), 0.2, substitution_elasticity=-1.0), ModelError, "substitution_elasticity",
    ">= 0"))
add(_c(E, "export supply elasticity 0", lambda t: ts.pe.gsim(
    pdata(), 0.2, export_supply_elasticity=0.0), ModelError, "export_supply_elasticity",
    "np.inf"))
add(_c(E, "commitment beyond any equilibrium", lambda t: ts.pe.gsim(
    pdata(), commitments=pd.DataFrame({"importer": ["USA"], "exporter": ["MEX"],
                                       "value": [1e6]})), UnreachableError, "commitments",
    "Lower the committed value"))
add(_c(E, "commitment from a source with no trade", lambda t: ts.pe.gsim(
    _PD.assign(value=[10.0, 0.0]), commitments=pd.DataFrame({"importer": ["USA"],
                                                            "exporter": ["MEX"],
                                       "value": [1.0]})), UnreachableError, "commitments",
    "zero share"))
add(_c(E, "too many regions", lambda t: ts.pe.gsim(pdata(), 0.2, max_regions=2), ModelError,
       "max_regions", "aggregate regions"))
add(_c(E, "simulate_pe misspelled shock key", lambda t: ts.pe.simulate_pe(
    pdata(), {"new_tarifs": 0.1}), ScenarioError, "shocks", "new_tariffs"))

# ------------------------------------------------------------------ instruments / Scenario
E = "instruments"
add(_c(E, "Tariff below -100%", lambda t: ts.Tariff(importer="USA", exporter="CHN", rate=-2),
       ScenarioError, "rate", "0.19 means 19%"))
add(_c(E, "Tariff NaN", lambda t: ts.Tariff(importer="USA", exporter="CHN", rate=np.nan),
       ScenarioError, "rate", "finite"))
add(_c(E, "Tariff text rate", lambda t: ts.Tariff(importer="USA", exporter="CHN", rate="x"),
       ScenarioError, "rate", "number"))
add(_c(E, "dates out of order", lambda t: ts.Tariff(
    importer="USA", exporter="CHN", rate=0.1, start="2026-01-01", end="2025-01-01"),
    ScenarioError, "end", "after 'start'"))
add(_c(E, "impossible date", lambda t: ts.Tariff(
    importer="USA", exporter="CHN", rate=0.1, start="2025-02-30"), ScenarioError, "start",
    "2025-08-07"))
add(_c(E, "misspelled mode", lambda t: ts.Tariff(
    importer="USA", exporter="CHN", rate=0.1, mode="sett"), ScenarioError, "mode",
    "did you mean 'set'"))
add(_c(E, "TradeCost factor 0", lambda t: ts.TradeCost(importer="USA", exporter="CHN",
                                                       factor=0), ScenarioError, "factor",
       "1 = unchanged"))
add(_c(E, "negative commitment", lambda t: ts.ImportCommitment(
    importer="VNM", exporter="USA", value=-5, basis="increment"), ScenarioError, "value",
    "positive number"))
add(_c(E, "commitment with itself", lambda t: ts.ImportCommitment(
    importer="VNM", exporter="VNM", value=5, basis="increment"), ScenarioError, "exporter",
    "two economies"))
add(_c(E, "export restriction without sectors", lambda t: ts.ExportRestriction(
    exporter="CHN", tax_equivalent=0.5), ScenarioError, "sectors", "sector name"))

E = "Scenario"
add(_c(E, "product fields on a non-US importer", lambda t: scen(
    ts.Tariff("VNM", "USA", 0.1, products=["8471"])).validate(ts.load_baseline("goods-2024")),
    ScenarioError, "instruments[0].products", "US imports only"))
add(_c(E, "product fields where the line engine does not apply", lambda t: scen(
    ts.Tariff("USA", "BBB", 0.1, exempt_products=["8471"])).shocks(
        ts.Baseline.from_arrays(("USA", "BBB", "CCC"), None, F3)), ScenarioError,
    "instruments[0].exempt_products", "cell-level rules cannot read"))
add(_c(E, "partner without US line data", lambda t: scen(
    ts.Tariff("USA", "ZZZ", 0.1)).validate(ts.load_baseline("goods-2024")), ScenarioError,
    "instruments[0].exporter", "tariff_lines.partners()"))
add(_c(E, "include: unknown key", lambda t: ts.Scenario.from_toml(
    'name = "x"\n[[include]]\nscenario = "us-tariffs-2025-2026"\nutil = 2025-01-01\n'),
    ScenarioError, "include[0].util", "did you mean 'until'"))
add(_c(E, "include: hold without until", lambda t: ts.Scenario.from_toml(
    'name = "x"\n[[include]]\nscenario = "us-tariffs-2025-2026"\nhold = true\n'),
    ScenarioError, "include[0].hold", "needs until"))
add(_c(E, "not an instrument", lambda t: ts.Scenario("x", instruments=[5]), ScenarioError,
       "instruments[0]", "Tariff"))
add(_c(E, "empty name", lambda t: ts.Scenario("", instruments=[]), ScenarioError, "name",
       "non-empty"))
add(_c(E, "misspelled exporter (validate)", lambda t: scen(ts.Tariff(
    importer="AAA", exporter="BBX", rate=0.2)).validate(base3()), ScenarioError,
    "instruments[0].exporter", "did you mean 'BBB'"))
add(_c(E, "misspelled exporter (simulate)", lambda t: ts.simulate(base3(), scen(ts.Tariff(
    importer="AAA", exporter="BBX", rate=0.2))), ScenarioError, "instruments[0].exporter",
    "did you mean 'BBB'"))
add(_c(E, "unknown sector", lambda t: ts.simulate(base3(), scen(ts.Tariff(
    importer="AAA", exporter="BBB", rate=0.2, sectors=["totl"]))), ScenarioError,
    "instruments[0].sectors", "did you mean 'total'"))
add(_c(E, "contradictory set tariffs", lambda t: scen(
    ts.Tariff(importer="AAA", exporter="BBB", rate=0.2),
    ts.Tariff(importer="AAA", exporter="BBB", rate=0.3)).validate(), ScenarioError,
    "instruments[1]", "mode='add'"))
add(_c(E, "commitment beyond any equilibrium", lambda t: ts.simulate(base3(), scen(
    ts.ImportCommitment(importer="AAA", exporter="BBB", value=1e9,
                        basis="increment"))), UnreachableError,
    "shocks.commitments", "Lower the committed value"))
add(_c(E, "TOML: misspelled type (line, key)", lambda t: ts.Scenario.from_toml(
    'name = "x"\n[[instruments]]\ntype = "tarif"\n'), ScenarioError,
    "instruments[0].type (line 3)", "did you mean 'tariff'"))
add(_c(E, "TOML: syntax error (line)", lambda t: ts.Scenario.from_toml(
    'name = "x"\n[[instruments]\ntype = "tariff"\n'), ScenarioError, "line 2", "]]"))
add(_c(E, "TOML: misspelled key (line, key)", lambda t: ts.Scenario.from_toml(
    'name = "x"\n[[instruments]]\ntype = "tariff"\nimporter = "USA"\nexporter = "CHN"\n'
    'rat = 0.2\n'), ScenarioError, "line 6", "did you mean 'rate'"))
add(_c(E, "TOML: dates out of order (line)", lambda t: ts.Scenario.from_toml(
    'name = "x"\n[[instruments]]\ntype = "tariff"\nimporter = "USA"\nexporter = "CHN"\n'
    'rate = 0.2\nstart = 2026-01-01\nend = 2025-01-01\n'), ScenarioError,
    "instruments[0].end", "after 'start'"))
add(_c(E, "TOML: unknown top-level key", lambda t: ts.Scenario.from_toml(
    'nme = "x"\n'), ScenarioError, "nme", "did you mean 'name'"))
add(_c(E, "TOML: missing file", lambda t: ts.Scenario.from_toml(Path(t) / "nope.toml"),
       ScenarioError, "nope.toml", "check the path"))
add(_c(E, "TOML: not UTF-8", lambda t: ts.Scenario.from_toml(b'name = "\xff"'),
       ScenarioError, "scenario TOML", "UTF-8"))

# ------------------------------------------------------------------ CLI arguments
E = "cli"


# The CLI cases are checked separately (exit code 2 and stderr), but counted here.
CLI_CASES = [
    ("missing scenario file", ["run", "nope.toml"], "nope.toml", "check the path"),
    ("misspelled built-in", ["show", "us-asean-2026"], "scenario", "did you mean"),
    ("years reversed", ["run", "us-asean-2025", "--years", "2030", "2025"], "--years",
     "--years 2025 2030"),
    ("year before the baseline", ["run", "us-asean-2025", "--years", "2020", "2021"],
     "years", "after the baseline year"),
    ("unknown partner", ["run", "us-asean-2025", "--years", "2025", "2025", "--partner",
                         "USB"], "--partner", "did you mean 'USA'"),
    ("unknown country", ["run", "us-asean-2025", "--years", "2025", "2025", "--countries",
                         "VNM,VMN"], "countries", "VMN"),
    ("growth NaN", ["run", "us-asean-2025", "--years", "2025", "2025", "--growth", "nan"],
     "growth", "0.03 means 3%"),
    ("malformed TOML file", ["run", "@BAD_TOML@"], "line 2", "]]"),
]
ARGPARSE_CASES = [
    ("years not numbers", ["run", "x", "--years", "a", "b"]),
    ("unknown closure", ["run", "x", "--closure", "balance"]),
    ("unknown command", ["runn", "x"]),
]


@pytest.fixture(autouse=True)
def _strict_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", TariffSimWarning)
        yield


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_rejected(case: Case, tmp_path):
    with pytest.raises(TariffSimError) as info:
        case.call(tmp_path)
    exc = info.value
    assert type(exc) is case.error, f"{case.id}: {type(exc).__name__}: {exc}"
    msg = str(exc)
    assert case.field in msg, f"field {case.field!r} not named in: {msg}"
    if case.hint is not None:
        assert case.hint in msg, f"fix {case.hint!r} not in: {msg}"


def test_convergence_error_carries_diagnostics():
    with pytest.raises(ConvergenceError) as info:
        ts.ge.solve(base3(), tariff_shock(0.5), max_iter=1)
    d = info.value.diagnostics
    assert d["iterations"] == 1
    assert np.isfinite(d["residual"]) and d["residual"] > 1e-10


@pytest.mark.parametrize("case", CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_bad_arguments_exit_2(case, tmp_path, capsys):
    from tariffsim.cli import main
    _, args, field, hint = case
    args = list(args)
    if "@BAD_TOML@" in args:
        args[args.index("@BAD_TOML@")] = toml_file(
            tmp_path, 'name = "x"\n[[instruments]\ntype = "tariff"\n')
    if args[0] == "run":
        args += ["--out", str(tmp_path / "out")]
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("tariffsim: error: ")
    assert "Traceback" not in err
    assert field in err and hint in err, err
    assert not (tmp_path / "out" / "projection.csv").exists()


@pytest.mark.parametrize("case", ARGPARSE_CASES, ids=[c[0] for c in ARGPARSE_CASES])
def test_cli_malformed_arguments_usage_exit_2(case, capsys):
    from tariffsim.cli import main
    with pytest.raises(SystemExit) as info:
        main(case[1])
    assert info.value.code == 2
    assert "usage: tariffsim" in capsys.readouterr().err


# ------------------------------------------------------------------ warnings (valid input)
WARN_CASES = [
    ("Baseline tariff above 1000%", lambda: base3(tariffs=np.full((3, 3), 12.0)), "tariffs"),
    ("ge.solve shock tariff above 1000%", lambda: ts.ge.solve(base3(), tariff_shock(12.0)),
     "shocks.tariffs"),
    ("Tariff instrument above 1000%", lambda: ts.Tariff(importer="USA", exporter="CHN",
                                                         rate=12.0), "rate"),
    ("ProductData tariff above 1000%", lambda: ts.pe.ProductData.from_frame(
        _PD.assign(tariff=[12.0, 0])), "tariff"),
    ("smart new tariff above 1000%", lambda: ts.pe.smart(pdata(), 12.0), "tariff"),
]


@pytest.mark.parametrize("case", WARN_CASES, ids=[c[0] for c in WARN_CASES])
def test_absurd_tariff_warns_but_runs(case):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("error", RuntimeWarning)
        case[1]()
    tw = [w for w in caught if issubclass(w.category, TariffSimWarning)]
    assert tw, "no TariffSimWarning"
    assert any("1000%" in str(w.message) and case[2] in str(w.message) for w in tw), \
        [str(w.message) for w in tw]


def test_tariff_of_exactly_1000_percent_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        base3(tariffs=np.full((3, 3), 10.0))


# ------------------------------------------------------------------ loaders
# no skip: tariffsim.io exists, and an ImportError here is a failure to report
@pytest.mark.parametrize("name", ["read_baci", "read_comtrade", "read_icio", "read_census"])
def test_loader_missing_file(name, tmp_path):
    import tariffsim.io as tio
    with pytest.raises(DataError) as info:
        getattr(tio, name)(tmp_path / "missing.csv")
    assert "missing.csv" in str(info.value)


def n_cases() -> int:
    """Number of bad-input cases the suite tries (catalogue + CLI + warnings)."""
    return len(CASES) + len(CLI_CASES) + len(ARGPARSE_CASES) + len(WARN_CASES) + 1


if __name__ == "__main__":  # print the table of docs/reliability.md
    import tempfile
    print(f"{n_cases()} cases\n")
    print("| entry point | bad input | raises | message names / fix |")
    print("|---|---|---|---|")
    tmp = Path(tempfile.mkdtemp())
    for c in CASES:
        try:
            c.call(tmp)
            got = "nothing!"
        except Exception as e:  # noqa: BLE001
            got = type(e).__name__
        hint = f" / `{c.hint}`" if c.hint else ""
        print(f"| {c.entry} | {c.id.split(': ', 1)[1]} | {got} | `{c.field}`{hint} |")
    for name, _args, field, hint in CLI_CASES:
        print(f"| cli | {name} | exit 2 (message on stderr) | `{field}` / `{hint}` |")
    for name, _ in ARGPARSE_CASES:
        print(f"| cli | {name} | exit 2 (argparse usage) | usage line |")
    for name, _, field in WARN_CASES:
        print(f"| warning | {name} | TariffSimWarning (runs) | `{field}`, `1000%` |")
