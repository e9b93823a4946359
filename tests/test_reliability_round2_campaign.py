"""Reliability, round two (issue 14): an adversarial campaign over the loaders, the
Baseline, scenarios, instruments, TOML and the result writers.

The contract for every case: a tariffsim error naming the field and the fix, or a
warning where the docs say so, or a consistent result (checked against a hand-derived or
an independently computed value) -- never a bare exception, a hang, NaN, or a silently
wrong number.

* ``CASES``: a catalogue of malformed inputs, one test each: wrong encodings and byte-order
  marks, separators, headers, duplicated and missing columns, units, codes, dates, NaN and
  infinities, empty and huge inputs, wrong argument types. Each names the outcome it must
  have: the exact error class and a text of its message (field, fix), a warning, or
  ``ok`` with a check of the result. ``fixed=True`` marks the cases that failed before
  this round (the table in docs/reliability.md; regenerate it with
  ``python tests/test_reliability_round2_campaign.py``).
* Property tests (hypothesis, modest example counts and deadlines): random valid inputs
  give results consistent with the input (sums, round trips, invariance to file layout);
  random invalid inputs raise a tariffsim error.

Everything runs with RuntimeWarning turned into an error, so a numpy warning is never the
only sign of a problem.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import stat
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from campaign import Case, run_case
from campaign import table as campaign_table
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tariffsim as ts
from tariffsim import _atomic, _validate
from tariffsim.errors import DataError, ScenarioError, TariffSimWarning
from tariffsim.io import (
    read_baci,
    read_baci_products,
    read_census,
    read_comtrade,
    read_comtrade_products,
)
from tariffsim.shocks import Shocks

PROPS = settings(max_examples=30, deadline=5000, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow,
                                        HealthCheck.function_scoped_fixture])

# ------------------------------------------------------------------ data
# BACI: t,i,j,k,v,q; v in thousand USD (USA 842, CHN 156, VNM 704)
BACI = ("t,i,j,k,v,q\n"
        "2023,842,156,847130,147800000,1\n"
        "2023,156,842,847130,427200000,1\n"
        "2023,156,704,850440,138000000,NA\n"
        "2023,704,842,847130,114000000,1\n"
        "2023,842,704,010121,9000000,1\n")
# flows in USD million: (exporter, importer) -> value
BACI_MUSD = {("USA", "CHN"): 147_800.0, ("CHN", "USA"): 427_200.0, ("CHN", "VNM"): 138_000.0,
             ("VNM", "USA"): 114_000.0, ("USA", "VNM"): 9_000.0}
GDP = {"USA": 27_360_935e6, "CHN": 17_794_782e6, "VNM": 429_717e6}     # WDI 2023, USD

COMTRADE = ("freqCode,refYear,reporterISO,flowCode,partnerISO,cmdCode,primaryValue\n"
            "A,2023,USA,M,CHN,TOTAL,448000000000\n"
            "A,2023,USA,M,VNM,TOTAL,114000000000\n"
            "A,2023,USA,M,W00,TOTAL,3100000000000\n"
            "A,2023,CHN,M,USA,TOTAL,164000000000\n"
            "A,2023,VNM,M,CHN,TOTAL,138000000000\n"
            "A,2023,USA,X,CHN,TOTAL,148000000000\n")
COMTRADE_MUSD = {("CHN", "USA"): 448_000.0, ("VNM", "USA"): 114_000.0,
                 ("USA", "CHN"): 164_000.0, ("CHN", "VNM"): 138_000.0}

CENSUS = ("year\tCTY_CODE\tCTYNAME\tIYR\tEYR\n"
          "2024\t0004\tWorld\t1000.0\t800.0\n"
          "2024\t5700\tChina\t400.0\t150.0\n"
          "2024\t5520\tVietnam\t100.0\t10.0\n")


def write(tmp: Path, text: str | bytes, name: str = "data.csv") -> Path:
    p = tmp / name
    p.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return p


def flows_of(base: ts.Baseline) -> dict[tuple[str, str], float]:
    """International flows summed over sectors: (exporter, importer) -> value."""
    x = base.international().sum(axis=2)
    return {(e, m): float(x[a, b]) for a, e in enumerate(base.countries)
            for b, m in enumerate(base.countries) if x[a, b] != 0}


def product_flows(df: pd.DataFrame) -> dict[tuple[str, str], float]:
    g = df.groupby(["exporter", "importer"])["value"].sum()
    return {k: float(v) for k, v in g.items()}


def same_flows(expected: dict) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        got = flows_of(result) if isinstance(result, ts.Baseline) else product_flows(result)
        assert got.keys() == expected.keys(), (got, expected)
        for k, v in expected.items():
            assert got[k] == pytest.approx(v, rel=1e-12), k
    return check


def baci(tmp: Path, text: str | bytes = BACI, **kw: Any) -> Any:
    return read_baci(write(tmp, text), gdp=kw.pop("gdp", GDP), **kw)


def comtrade(tmp: Path, text: str | bytes = COMTRADE, **kw: Any) -> Any:
    return read_comtrade_products(write(tmp, text), **kw)


def census(tmp: Path, text: str | bytes = CENSUS, **kw: Any) -> Any:
    return read_census(write(tmp, text, "country.txt"), **kw)


def flows_frame(**cols: Any) -> pd.DataFrame:
    d = {"exporter": ["AAA", "AAA", "BBB", "BBB"], "importer": ["AAA", "BBB", "AAA", "BBB"],
         "value": [100.0, 10.0, 8.0, 200.0]}
    d.update(cols)
    return pd.DataFrame(d)


C3 = ("AAA", "BBB", "CCC")
F3 = np.array([[100.0, 10, 5], [8, 200, 6], [4, 7, 150]])


def base3(**kw: Any) -> ts.Baseline:
    return ts.Baseline.from_arrays(C3, None, F3, **kw)


def toml(tmp: Path, text: str | bytes) -> ts.Scenario:
    return ts.Scenario.from_toml(write(tmp, text, "s.toml"))


TOML = ('name = "t"\n[[instruments]]\ntype = "tariff"\nimporter = "USA"\nexporter = "VNM"\n'
        'rate = 0.2\nstart = 2025-08-07\n')
TOML_SCENARIO = ts.Scenario("t", [ts.Tariff("USA", "VNM", 0.2, start="2025-08-07")])


def equals(expected: Any) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        assert result == expected
    return check


# ------------------------------------------------------------------ the catalogue
CASES: list[Case] = []


def case(area, what, call, outcome, match="", check=None, fixed=False):
    CASES.append(Case(area, what, call, outcome, match, check, fixed))


# ---- BACI: encodings, separators, headers
case("BACI", "UTF-8 byte-order mark before the header", lambda t: baci(t, "\ufeff" + BACI),
     "ok", check=same_flows(BACI_MUSD))
case("BACI", "Windows line ends (CRLF)", lambda t: baci(t, BACI.replace("\n", "\r\n")),
     "ok", check=same_flows(BACI_MUSD))
case("BACI", "every field quoted", lambda t: baci(t, "\n".join(
    ",".join(f'"{f}"' for f in ln.split(",")) for ln in BACI.splitlines()) + "\n"),
     "ok", check=same_flows(BACI_MUSD))
case("BACI", "header in upper case", lambda t: baci(t, BACI.replace("t,i,j,k,v,q", "T,I,J,K,V,Q")),
     "ok", check=same_flows(BACI_MUSD))
case("BACI", "spaces around the header names",
     lambda t: baci(t, BACI.replace("t,i,j,k,v,q", " t , i , j , k , v , q ")),
     "ok", check=same_flows(BACI_MUSD))
case("BACI", "semicolon-separated", lambda t: baci(t, BACI.replace(",", ";")),
     DataError, "separator", fixed=True)
case("BACI", "tab-separated", lambda t: baci(t, BACI.replace(",", "\t")),
     DataError, "separator", fixed=True)
case("BACI", "column 'v' twice in the header",
     lambda t: baci(t, BACI.replace("t,i,j,k,v,q", "t,i,j,k,v,v")), DataError, "twice",
     fixed=True)
case("BACI", "column 'k' missing", lambda t: baci(t, "t,i,j,v\n2023,842,156,5\n"),
     DataError, "'k'")
case("BACI", "UTF-16 file", lambda t: baci(t, BACI.encode("utf-16")), DataError,
     "cannot parse")
case("BACI", "a Latin-1 byte in a row",
     lambda t: baci(t, BACI.encode() + b"2023,842,156,84,1,\xe9\n"), DataError, "cannot parse")
case("BACI", "gzip data under a .csv name", lambda t: read_baci(write(
    t, b"\x1f\x8b\x08\x00" + bytes(range(40))), gdp=GDP), DataError, "")
case("BACI", "empty file", lambda t: baci(t, ""), DataError, "empty")
case("BACI", "header only", lambda t: baci(t, "t,i,j,k,v,q\n"), DataError, "no rows")
case("BACI", "a row with an extra field", lambda t: baci(t, BACI + "2023,842,156,84,1,1,9\n"),
     DataError, "line 7")
case("BACI", "a row without its value", lambda t: baci(t, BACI + "2023,842,156,847150\n"),
     DataError, "missing")
case("BACI", "a blank line at the end", lambda t: baci(t, BACI + "\n\n"), "ok",
     check=same_flows(BACI_MUSD))
# ---- BACI: values and units
case("BACI", "negative value", lambda t: baci(t, BACI.replace("9000000", "-9000000")),
     DataError, "negative")
case("BACI", "value NaN", lambda t: baci(t, BACI.replace("9000000", "NaN")), DataError,
     "missing")
case("BACI", "value inf", lambda t: baci(t, BACI.replace("9000000", "inf")), DataError,
     "infinite")
case("BACI", "value 1e300 thousand USD", lambda t: baci(t, BACI.replace("9000000", "1e300")),
     DataError, "USD million", fixed=True)
case("BACI", "value as text", lambda t: baci(t, BACI.replace("9000000", "nine")), DataError,
     "non-numeric")
case("BACI", "thousands separator inside quotes",
     lambda t: baci(t, BACI.replace("9000000", '"9,000,000"')), "ok",
     check=same_flows(BACI_MUSD))
# ---- BACI: years and codes
case("BACI", "year written 2023.0", lambda t: baci(t, BACI.replace("2023,", "2023.0,")),
     "ok", check=same_flows(BACI_MUSD))
case("BACI", "two years and no year=", lambda t: baci(t, BACI + "2022,842,156,847130,1,1\n"),
     DataError, "pass year=")
case("BACI", "year='abc'", lambda t: baci(t, year="abc"), DataError, "not a year")
case("BACI", "year=2023.5", lambda t: baci(t, year=2023.5), DataError, "not a year")
case("BACI", "year=True", lambda t: baci(t, year=True), DataError, "not a year")
case("BACI", "year 1700 in the file", lambda t: baci(t, BACI.replace("2023,", "1700,")),
     DataError, "year")
case("BACI", "unknown country code 99999", lambda t: baci(t, BACI + "2023,99999,156,84,1,1\n"),
     DataError, "unknown country code")
case("BACI", "HS code with letters", lambda t: baci(t, BACI.replace("850440", "85044A")),
     DataError, "HS6")
case("BACI", "HS code of 7 digits", lambda t: baci(t, BACI.replace("850440", "8504401")),
     DataError, "HS6")
case("BACI", "countries= a dict missing codes", lambda t: baci(t, countries={842: "USA"}),
     DataError, "unknown country code")
case("BACI", "countries= a missing file", lambda t: baci(t, countries=t / "nope.csv"),
     DataError, "not found")
# ---- BACI: paths
case("BACI", "a folder given as the file", lambda t: read_baci(t, gdp=GDP), DataError,
     "is a folder", fixed=True)
case("BACI", "a FIFO given as the file", lambda t: (os.mkfifo(t / "fifo.csv"),
                                                    read_baci(t / "fifo.csv", gdp=GDP)),
     DataError, "not a regular file", fixed=True)
case("BACI", "path=None", lambda t: read_baci(None, gdp=GDP), DataError, "path",
     fixed=True)
# ---- BACI: GDP and domestic sales
case("BACI", "GDP as a list", lambda t: baci(t, gdp=[1.0, 2.0]), DataError, "gdp")
case("BACI", "GDP NaN", lambda t: baci(t, gdp=dict(GDP, VNM=float("nan"))), DataError,
     "positive")
case("BACI", "GDP 0", lambda t: baci(t, gdp=dict(GDP, VNM=0.0)), DataError, "positive")
case("BACI", "GDP missing an economy", lambda t: baci(t, gdp={"USA": 1e13, "CHN": 1e13}),
     DataError, "no GDP for VNM")
case("BACI", "GDP codes in lower case",
     lambda t: baci(t, gdp={k.lower(): v for k, v in GDP.items()}), "ok",
     check=same_flows(BACI_MUSD))
case("BACI", "GDP in USD billion", lambda t: baci(t, gdp={k: v / 1e9 for k, v in GDP.items()}),
     DataError, "every exporter", fixed=True)
case("BACI", "GDP frame without a value column",
     lambda t: baci(t, gdp=pd.DataFrame({"iso3": ["USA"], "gdp_2020": [1.0]})),
     DataError, "value column")
case("BACI", "domestic sales negative",
     lambda t: baci(t, gdp=None, domestic={"USA": -1.0, "CHN": 1e6, "VNM": 1e5}), DataError,
     "non-negative")
case("BACI", "domestic sales infinite",
     lambda t: baci(t, gdp=None, domestic={"USA": np.inf, "CHN": 1e6, "VNM": 1e5}),
     DataError, "finite")
case("BACI", "domestic= a number", lambda t: baci(t, gdp=None, domestic=5.0), DataError,
     "expected None, 'gdp'")
case("BACI", "domestic='GDP' in capitals", lambda t: baci(t, domestic="GDP"), "ok",
     check=same_flows(BACI_MUSD))
case("BACI", "domestic='gpd'", lambda t: baci(t, domestic="gpd"), DataError,
     "not understood")
case("BACI", "domestic for a region by its own name",
     lambda t: baci(t, gdp=None, regions={"Asia": ["CHN", "VNM"]},
                    domestic={"Asia": 2e7, "USA": 2.7e7}),
     "ok", check=lambda b: (same_flows({("Asia", "USA"): 541_200.0,
                                         ("USA", "Asia"): 156_800.0})(b),
                              b.countries == ("Asia", "USA"),
                              b.flows[0, 0, 0] == 2e7) == (None, True, True),
     fixed=True)
case("BACI", "domestic_floor=0", lambda t: baci(t, domestic_floor=0), "ok",
     check=same_flows(BACI_MUSD))
# ---- BACI: regions and sectors
case("BACI", "regions list with a typo", lambda t: baci(t, regions=["USA", "CNH"]),
     DataError, "did you mean 'CHN'")
case("BACI", "regions mapping a code to two groups",
     lambda t: baci(t, regions={"A": ["CHN", "VNM"], "B": ["VNM"]}), DataError,
     "one group only")
case("BACI", "regions='USA' (one code as text)", lambda t: baci(t, regions="USA"), "ok",
     check=same_flows({("USA", "ROW"): 156_800.0, ("ROW", "USA"): 541_200.0}))
case("BACI", "every economy in one region (no trade left)",
     lambda t: baci(t, regions={"W": ["USA", "CHN", "VNM"]}), DataError, "no trade",
     fixed=True)
case("BACI", "products: every economy in one region",
     lambda t: read_baci_products(write(t, BACI), regions={"W": ["USA", "CHN", "VNM"]}),
     DataError, "no trade", fixed=True)
case("BACI", "sectors='HS3'", lambda t: baci(t, sectors="HS3"), DataError, "HS2")
case("BACI", "sectors with a prefix that is not digits", lambda t: baci(t, sectors={"8a": "x"}),
     DataError, "digits")
case("BACI", "sectors with an integer prefix", lambda t: baci(t, sectors={84: "machinery"}),
     "ok", check=same_flows(BACI_MUSD))
case("BACI", "other_sector=''", lambda t: baci(t, sectors={"84": "m"}, other_sector=""),
     DataError, "other_sector", fixed=True)
case("BACI", "other_sector=None", lambda t: baci(t, sectors={"84": "m"}, other_sector=None),
     DataError, "other_sector", fixed=True)

# ---- BACI country codes and the Liberation Day replication folder
CODES = "country_code,country_name,country_iso2,country_iso3\n156,China,CN,CHN\n"
case("BACI", "country codes: one code with two ISO3",
     lambda t: ts.io.read_baci_countries(write(t, CODES + "156,Taiwan,TW,TWN\n")), DataError,
     "both 'CHN' and 'TWN'", fixed=True)
case("BACI", "country codes: the same row twice",
     lambda t: ts.io.read_baci_countries(write(t, CODES + "156,China,CN,CHN\n")), "ok",
     check=lambda m: m == {156: "CHN"})
case("BACI", "country codes: old layout (iso_3digit_alpha)",
     lambda t: ts.io.read_baci_countries(write(t, "country_code,iso_3digit_alpha\n490,S19\n")),
     "ok", check=lambda m: m == {490: "TWN"})


def liberation(tmp: Path, rates: tuple = (0.3, 0.0, 0.05), gdp: tuple = (4e5, 2e6, 1e5)) -> Path:
    folder = tmp / "imls"
    folder.mkdir(exist_ok=True)
    write(folder, "iso3,iso_code,CountryName\nAAA,1,A\nUSA,2,U\nBBB,3,B\n",
          "country_labels.csv")
    write(folder, "export_ij1,export_ij2,export_ij3\n,30,10\n20,,5\n8,12,\n",
          "trade_cepii.csv")
    write(folder, "gdp\n" + "".join(f"{g}\n" for g in gdp), "gdp.csv")
    write(folder, "applied_tariff\n" + "".join(f"{r}\n" for r in rates), "tariffs.csv")
    return folder


case("Liberation Day", "retaliation='Reciprocal'",
     lambda t: ts.io.liberation_day_tariffs(liberation(t), retaliation="Reciprocal"),
     ScenarioError, "did you mean 'reciprocal'", fixed=True)
case("Liberation Day", "tariffs in percent (5 for 5%)",
     lambda t: ts.io.liberation_day_tariffs(liberation(t, rates=(5.0, 0.0, 0.05))), "warn",
     "0.05", fixed=True)
case("Liberation Day", "a file given instead of the folder",
     lambda t: ts.io.read_liberation_day(write(t, "x")), DataError, "not found")
case("Liberation Day", "GDP negative",
     lambda t: ts.io.read_liberation_day(liberation(t, gdp=(4e5, -2e6, 1e5))), DataError,
     "negative")

# ---- Comtrade
case("Comtrade", "UTF-8 byte-order mark (year column first)",
     lambda t: comtrade(t, "\ufeff" + COMTRADE.replace("freqCode,refYear", "refYear,freqCode")
                        .replace("A,2023", "2023,A") + "2022,A,USA,M,CHN,TOTAL,1\n",
                        year=2023),
     "ok", check=same_flows(COMTRADE_MUSD))
case("Comtrade", "semicolon-separated", lambda t: comtrade(t, COMTRADE.replace(",", ";")),
     DataError, "separator", fixed=True)
case("Comtrade", "reporter codes in lower case",
     lambda t: comtrade(t, COMTRADE.replace(",USA,", ",usa,")), "ok",
     check=same_flows(COMTRADE_MUSD))
case("Comtrade", "value 'N/A'", lambda t: comtrade(t, COMTRADE.replace("164000000000", "N/A")),
     DataError, "missing")
case("Comtrade", "value 1e20 USD", lambda t: comtrade(t, COMTRADE.replace("164000000000", "1e20")),
     DataError, "USD million", fixed=True)
case("Comtrade", "level='x'", lambda t: comtrade(t, level="x"), DataError, "level",
     fixed=True)
case("Comtrade", "level=True", lambda t: comtrade(t, level=True), DataError, "level")
case("Comtrade", "level=3 with no such codes", lambda t: comtrade(t, level=3), DataError,
     "level 3")
case("Comtrade", "mirror='no'", lambda t: comtrade(t, mirror="no"), DataError, "mirror",
     fixed=True)
case("Comtrade", "drop_codes='W00' (one code as text)",
     lambda t: comtrade(t, drop_codes="W00"), "ok", check=same_flows(COMTRADE_MUSD),
     fixed=True)
case("Comtrade", "flow='import'", lambda t: comtrade(t, flow="import"), DataError,
     "did you mean 'imports'")
case("Comtrade", "year not in the file", lambda t: comtrade(t, year=2022), DataError,
     "not in")
case("Comtrade", "two years and no year=",
     lambda t: comtrade(t, COMTRADE + "A,2022,USA,M,CHN,TOTAL,1\n"), DataError, "pass year=")
case("Comtrade", "year '2023a'", lambda t: comtrade(t, COMTRADE.replace("A,2023,USA,M,CHN",
                                                                        "A,2023a,USA,M,CHN")),
     DataError, "not years")
case("Comtrade", "unknown partner code", lambda t: comtrade(t, COMTRADE.replace(",VNM,", ",VMN,")),
     DataError, "did you mean 'VNM'")
case("Comtrade", "commodity code with dots",
     lambda t: comtrade(t, COMTRADE.replace("TOTAL", "85.04")), DataError, "HS")
case("Comtrade", "mixed commodity levels",
     lambda t: comtrade(t, COMTRADE + "A,2023,USA,M,CHN,8504,1\nA,2023,USA,M,CHN,850440,1\n"),
     DataError, "level=")
case("Comtrade", "column primaryValue twice",
     lambda t: comtrade(t, COMTRADE.replace("cmdCode,primaryValue", "primaryValue,primaryValue")),
     DataError, "twice", fixed=True)
case("Comtrade", "header only", lambda t: comtrade(t, COMTRADE.splitlines()[0] + "\n"),
     DataError, "no rows")
case("Comtrade", "baseline: GDP in USD million",
     lambda t: read_comtrade(write(t, COMTRADE), gdp={"USA": 27e6, "CHN": 17e6, "VNM": 4e5}),
     DataError, "every exporter", fixed=True)

# ---- Census
case("Census", "partners mapped to the residual 'ROW'",
     lambda t: census(t, partners={"CHN": "ROW"}), "ok",
     check=lambda df: (df.set_index(["exporter", "importer"])["value"][("ROW", "USA")]
                       == pytest.approx(1000.0 - 100.0)))
case("Census", "eu='yes'", lambda t: census(t, eu="yes"), DataError, "eu")
case("Census", "partial='yes'", lambda t: census(t, partial="yes"), DataError, "partial",
     fixed=True)
case("Census", "codes= not a mapping", lambda t: census(t, codes="5700"), DataError, "codes",
     fixed=True)
case("Census", "codes= with a code that is not 4 digits",
     lambda t: census(t, codes={"57000": "CHN"}), DataError, "codes", fixed=True)
case("Census", "year given as text '2024'", lambda t: census(t, year="2024"), "ok",
     check=lambda df: df.attrs["year"] == 2024)
case("Census", "UTF-8 byte-order mark", lambda t: census(t, "\ufeff" + CENSUS), "ok",
     check=lambda df: df["value"].sum() == pytest.approx(1800.0))
case("Census", "partners trade more than the World row",
     lambda t: census(t, CENSUS.replace("400.0\t150.0", "4000.0\t150.0")), DataError,
     "more than the World")

# ---- Baseline.from_frame / from_arrays / aggregate / replace
case("Baseline", "from_frame: flows a dict", lambda t: ts.Baseline.from_frame(
    {"exporter": ["A"], "importer": ["B"], "value": [1.0]}), DataError, "DataFrame")
case("Baseline", "from_frame: value '1,000' (text)",
     lambda t: ts.Baseline.from_frame(flows_frame(value=["1,000", 1, 1, 1])), DataError,
     "non-numeric")
case("Baseline", "from_frame: a code with spaces and the same code",
     lambda t: ts.Baseline.from_frame(pd.DataFrame({"exporter": ["AAA", " AAA"],
                                                    "importer": ["BBB", "BBB"],
                                                    "value": [1.0, 2.0]})),
     DataError, "duplicate rows")
case("Baseline", "from_frame: sectors= a string",
     lambda t: ts.Baseline.from_frame(flows_frame(), sectors="total"), "ok",
     check=lambda b: b.sectors == ("total",), fixed=True)
case("Baseline", "from_frame: countries= a string",
     lambda t: ts.Baseline.from_frame(flows_frame(), countries="AAA"), DataError,
     "countries", fixed=True)
case("Baseline", "from_frame: country listed but absent gets zero flows",
     lambda t: ts.Baseline.from_frame(flows_frame(), countries=["AAA", "BBB", "CCC"]), "ok",
     check=lambda b: b.flows[2].sum() == 0 and b.flows.sum() == 318.0)
case("Baseline", "from_frame: year=np.float64(2024.0)",
     lambda t: ts.Baseline.from_frame(flows_frame(), year=np.float64(2024.0)), "ok",
     check=lambda b: b.year == 2024)
case("Baseline", "from_frame: year=float('nan')",
     lambda t: ts.Baseline.from_frame(flows_frame(), year=float("nan")), DataError, "year",
     fixed=True)
case("Baseline", "from_frame: values whose total overflows",
     lambda t: ts.Baseline.from_frame(flows_frame(value=[1e308, 1e308, 1, 1])), DataError,
     "too large", fixed=True)
case("Baseline", "from_frame: tariffs in percent", lambda t: ts.Baseline.from_frame(
    flows_frame(), tariffs=pd.DataFrame({"exporter": ["AAA"], "importer": ["BBB"],
                                         "rate": [25.0]})), "warn", "divide it by 100",
     fixed=True)
case("Baseline", "from_arrays: countries=None",
     lambda t: ts.Baseline.from_arrays(None, None, np.ones((2, 2))), DataError, "countries",
     fixed=True)
case("Baseline", "from_arrays: countries a string",
     lambda t: ts.Baseline.from_arrays("AB", None, np.ones((2, 2))), DataError, "countries",
     fixed=True)
case("Baseline", "from_arrays: sectors a string",
     lambda t: ts.Baseline.from_arrays(["A", "B"], "goods", np.ones((2, 2))), "ok",
     check=lambda b: b.sectors == ("goods",), fixed=True)
case("Baseline", "from_arrays: flows 4-D",
     lambda t: ts.Baseline.from_arrays(["A", "B"], None, np.ones((2, 2, 1, 1))), DataError,
     "shape")
case("Baseline", "from_arrays: complex flows",
     lambda t: ts.Baseline.from_arrays(["A", "B"], None, np.ones((2, 2)) * (1 + 1j)),
     DataError, "complex", fixed=True)
case("Baseline", "from_arrays: flows as nested lists",
     lambda t: ts.Baseline.from_arrays(["A", "B"], None, [[1, 2], [3, 4]]), "ok",
     check=lambda b: b.flows[:, :, 0].tolist() == [[1, 2], [3, 4]])
case("Baseline", "from_arrays: an empty code",
     lambda t: ts.Baseline.from_arrays(["A", " "], None, np.ones((2, 2))), DataError,
     "empty", fixed=True)
case("Baseline", "provenance given as text",
     lambda t: ts.Baseline.from_arrays(["A", "B"], None, np.ones((2, 2)), provenance="WDI"),
     DataError, "provenance", fixed=True)
case("Baseline", "aggregate: a region named ''",
     lambda t: base3().aggregate(regions={"AAA": ""}), DataError, "empty", fixed=True)
case("Baseline", "aggregate: regions a list", lambda t: base3().aggregate(regions=["AAA"]),
     DataError, "mapping")
case("Baseline", "aggregate: two into one keeps the total",
     lambda t: base3().aggregate(regions={"AB": ["AAA", "BBB"]}), "ok",
     check=lambda b: b.flows.sum() == pytest.approx(F3.sum())
     and flows_of(b) == {("AB", "CCC"): 11.0, ("CCC", "AB"): 11.0})
case("Baseline", "aggregate: a region with a member's name",
     lambda t: base3().aggregate(regions={"BBB": ["AAA", "BBB"]}), "ok",
     check=lambda b: b.countries == ("BBB", "CCC") and b.flows.sum() == pytest.approx(F3.sum()))
case("Baseline", "aggregate: one economy merged into another",
     lambda t: base3().aggregate(regions={"AAA": "CCC"}), "ok",
     check=lambda b: b.countries == ("CCC", "BBB") and b.flows.sum() == pytest.approx(F3.sum())
     and flows_of(b) == {("CCC", "BBB"): 17.0, ("BBB", "CCC"): 14.0})
case("Baseline", "replace: year='x'", lambda t: base3().replace(year="x"), DataError, "year",
     fixed=True)
case("Baseline", "replace: flows=None", lambda t: base3().replace(flows=None), DataError,
     "flows")
case("Baseline", "trade_balance: partner 5", lambda t: base3().trade_balance(partner=5),
     DataError, "country")

# ---- instruments
case("instruments", "Tariff rate '0.1' (text)", lambda t: ts.Tariff("USA", "CHN", "0.1"),
     ScenarioError, "rate")
case("instruments", "Tariff rate np.float32", lambda t: ts.Tariff("USA", "CHN", np.float32(0.25)),
     "ok", check=lambda i: i.rate == 0.25)
case("instruments", "Tariff sectors=5", lambda t: ts.Tariff("USA", "CHN", 0.1, sectors=5),
     ScenarioError, "sectors")
case("instruments", "Tariff start 30 February",
     lambda t: ts.Tariff("USA", "CHN", 0.1, start="2025-02-30"), ScenarioError, "start")
case("instruments", "Tariff start 20250101 (an integer)",
     lambda t: ts.Tariff("USA", "CHN", 0.1, start=20250101), ScenarioError, "start")
case("instruments", "Tariff start with a time zone",
     lambda t: ts.Tariff("USA", "CHN", 0.1, start=pd.Timestamp("2025-08-07 23:00", tz="UTC")),
     "ok", check=lambda i: i.start == _dt.date(2025, 8, 7))
case("instruments", "Tariff coverage 0", lambda t: ts.Tariff("USA", "CHN", 0.1, coverage=0),
     ScenarioError, "coverage")
case("instruments", "Tariff mode 'Set'", lambda t: ts.Tariff("USA", "CHN", 0.1, mode="Set"),
     ScenarioError, "did you mean 'set'")
case("instruments", "Tariff exclude one code as text",
     lambda t: ts.Tariff("USA", "*", 0.1, exclude="CHN"), "ok",
     check=lambda i: i.exclude == ("CHN",))
case("instruments", "Tariff importer ['USA', 'USA']",
     lambda t: ts.Tariff(["USA", "USA"], "CHN", 0.1), ScenarioError, "duplicate")
case("instruments", "Tariff rate 45 (meaning 45%)", lambda t: ts.Tariff("USA", "CHN", 45),
     "warn", "above 1000%")
case("instruments", "Tariff rate 3 (meaning 3%)", lambda t: ts.Tariff("USA", "CHN", 3),
     "warn", "0.03", fixed=True)
case("instruments", "ImportCommitment value inf",
     lambda t: ts.ImportCommitment("CHN", "USA", np.inf), ScenarioError, "finite")
case("instruments", "ImportCommitment units 'usd million'",
     lambda t: ts.ImportCommitment("CHN", "USA", 1.0, units="usd million"), ScenarioError,
     "did you mean 'USD million'")
case("instruments", "ImportCommitment schedule share 1.5",
     lambda t: ts.ImportCommitment("CHN", "USA", 1.0, schedule={2026: 1.5}), ScenarioError,
     "schedule")
case("instruments", "ImportCommitment schedule key '2026x'",
     lambda t: ts.ImportCommitment("CHN", "USA", 1.0, schedule={"2026x": 0.5}),
     ScenarioError, "schedule")
case("instruments", "ExportRestriction sectors=[]",
     lambda t: ts.ExportRestriction("CHN", sectors=[], tax_equivalent=0.5), ScenarioError,
     "sectors")
case("instruments", "ExportRestriction tax -0.1",
     lambda t: ts.ExportRestriction("CHN", sectors="x", tax_equivalent=-0.1), ScenarioError,
     "tax_equivalent")
case("instruments", "TradeCost factor True",
     lambda t: ts.TradeCost("USA", "CHN", True), ScenarioError, "factor")

# ---- Scenario and Scenario.from_frame
case("Scenario", "name=5", lambda t: ts.Scenario(5), ScenarioError, "name")
case("Scenario", "an instrument that is text",
     lambda t: ts.Scenario("x", [ts.Tariff("USA", "CHN", 0.1), "tariff"]), ScenarioError,
     "instruments[1]")
case("Scenario", "sources=[1]", lambda t: ts.Scenario("x", [], sources=[1]), ScenarioError,
     "sources[0]")
case("Scenario", "describe(width=True)", lambda t: ts.Scenario("x", []).describe(width=True),
     ScenarioError, "width")
case("Scenario", "from_frame: rate '10%'", lambda t: ts.Scenario.from_frame("x", pd.DataFrame(
    {"exporter": ["CHN"], "importer": ["USA"], "rate": ["10%"]})), ScenarioError, "rate")
case("Scenario", "from_frame: rate 10 (meaning 10%)",
     lambda t: ts.Scenario.from_frame("x", pd.DataFrame(
         {"exporter": ["CHN"], "importer": ["USA"], "rate": [10]})), "warn", "0.1",
     fixed=True)
case("Scenario", "from_frame: duplicate rows", lambda t: ts.Scenario.from_frame("x", pd.DataFrame(
    {"exporter": ["CHN", "CHN"], "importer": ["USA", "USA"], "rate": [0.1, 0.2]})),
     ScenarioError, "duplicate")
case("Scenario", "from_frame: missing exporter", lambda t: ts.Scenario.from_frame("x", pd.DataFrame(
    {"exporter": [None], "importer": ["USA"], "rate": [0.1]})), ScenarioError, "exporter")
case("Scenario", "from_frame: numeric exporter code 156",
     lambda t: ts.Scenario.from_frame("x", pd.DataFrame(
         {"exporter": [156], "importer": ["USA"], "rate": [0.1]})), ScenarioError, "exporter")
case("Scenario", "from_frame: tariffs a dict", lambda t: ts.Scenario.from_frame(
    "x", {"exporter": ["CHN"], "importer": ["USA"], "rate": [0.1]}), ScenarioError, "DataFrame")
case("Scenario", "from_frame: column 'rat'", lambda t: ts.Scenario.from_frame("x", pd.DataFrame(
    {"exporter": ["CHN"], "importer": ["USA"], "rat": [0.1]})), ScenarioError,
     "missing column(s) ['rate'] (did you mean 'rat'?)")
case("Scenario", "from_frame: sector 84 as a number",
     lambda t: ts.Scenario.from_frame("x", pd.DataFrame(
         {"exporter": ["CHN"], "importer": ["USA"], "sector": [84], "rate": [0.1]})), "ok",
     check=lambda s: s.instruments[0].sectors == ("84",))
case("Scenario", "from_frame: an empty sector ''",
     lambda t: ts.Scenario.from_frame("x", pd.DataFrame(
         {"exporter": ["CHN"], "importer": ["USA"], "sector": [" "], "rate": [0.1]})),
     ScenarioError, "missing sector", fixed=True)

# ---- TOML
case("TOML", "UTF-8 byte-order mark", lambda t: toml(t, "\ufeff" + TOML), "ok",
     check=equals(TOML_SCENARIO), fixed=True)
case("TOML", "UTF-16 file", lambda t: toml(t, TOML.encode("utf-16")), ScenarioError,
     "UTF-8")
case("TOML", "Windows line ends", lambda t: toml(t, TOML.replace("\n", "\r\n")), "ok",
     check=equals(TOML_SCENARIO))
case("TOML", "rate as text", lambda t: toml(t, TOML.replace("0.2", '"0.2"')), ScenarioError,
     "line 6")
case("TOML", "start as a quoted date",
     lambda t: toml(t, TOML.replace("2025-08-07", '"2025-08-07"')), "ok",
     check=equals(TOML_SCENARIO))
case("TOML", "start as a local date-time",
     lambda t: toml(t, TOML.replace("2025-08-07", "2025-08-07T10:00:00")), "ok",
     check=equals(TOML_SCENARIO))
case("TOML", "rate = nan", lambda t: toml(t, TOML.replace("0.2", "nan")), ScenarioError,
     "finite")
case("TOML", "rate = inf", lambda t: toml(t, TOML.replace("0.2", "inf")), ScenarioError,
     "finite")
case("TOML", "a key twice", lambda t: toml(t, TOML + "rate = 0.3\n"), ScenarioError,
     "syntax")
case("TOML", "an empty file", lambda t: toml(t, ""), ScenarioError, "missing key 'name'")
case("TOML", "name = ''", lambda t: toml(t, TOML.replace('"t"', '""')), ScenarioError,
     "non-empty")
case("TOML", "instruments = []", lambda t: toml(t, 'name = "t"\ninstruments = []\n'), "ok",
     check=equals(ts.Scenario("t", [])))
case("TOML", "start = NaT-like text", lambda t: toml(t, TOML.replace("2025-08-07", '"NaT"')),
     ScenarioError, "start")

# ---- Result writers
case("Result", "to_csv(None)", lambda t: _solved().to_csv(None), DataError, "folder",
     fixed=True)
case("Result", "to_csv(123)", lambda t: _solved().to_csv(123), DataError, "folder",
     fixed=True)
case("Result", "metadata with inf and numpy values is valid JSON",
     lambda t: _with_diagnostics({"x": np.inf, "y": np.float32(1.5), "z": np.int64(3)}
                                 ).to_csv(t), "ok",
     check=lambda paths: {k: v for k, v in json.loads(
         paths[-1].read_text(), parse_constant=_no_constant)["diagnostics"].items()
         if k in "xyz"} == {"x": None, "y": 1.5, "z": 3}, fixed=True)
case("Result", "write_toml then from_toml gives the scenario back",
     lambda t: ts.Scenario.from_toml(TOML_SCENARIO.write_toml(t / "a" / "s.toml")), "ok",
     check=equals(TOML_SCENARIO))


def _no_constant(name: str) -> None:
    raise AssertionError(f"{name} is not JSON")


def _solved(shock: float = 0.3) -> Any:
    t = np.zeros((3, 3, 1))
    t[1, 0, 0] = shock
    return ts.ge.solve(base3(), Shocks(tariffs=t))


def _with_diagnostics(extra: dict) -> Any:
    r = _solved()
    r.diagnostics.update(extra)
    return r


@pytest.mark.parametrize("c", CASES, ids=[f"{c.area}: {c.what}" for c in CASES])
def test_case(c: Case, tmp_path):
    run_case(c, tmp_path)


def test_catalogue_has_enough_cases():
    assert len(CASES) >= 150
    assert len({(c.area, c.what) for c in CASES}) == len(CASES)


# ================================================================== properties
codes = st.sampled_from(["USA", "CHN", "VNM", "usa", " CHN", "MEX", "", "U S", "EU27"])
values = st.one_of(st.floats(min_value=0, max_value=1e12, allow_nan=False),
                   st.sampled_from([np.nan, np.inf, -np.inf, -1.0, 0.0, 1e300]),
                   st.sampled_from(["1", "x", "", None]))


@PROPS
@given(rows=st.lists(st.tuples(codes, codes, st.sampled_from(["a", "b", "A"]), values),
                     min_size=1, max_size=8))
def test_property_baseline_from_frame(rows):
    """A frame of random codes and values: DataError, or a baseline that holds every row's
    value in its cell and the frame's total."""
    df = pd.DataFrame(rows, columns=["exporter", "importer", "sector", "value"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            base = ts.Baseline.from_frame(df)
        except DataError:
            return
    for e, m, s, v in rows:
        a, b = base.country_index(str(e).strip()), base.country_index(str(m).strip())
        assert base.flows[a, b, base.sector_index(s)] == float(v)
    assert base.flows.sum() == pytest.approx(sum(float(r[3]) for r in rows), rel=1e-12)
    upper = [c.upper() for c in base.countries]
    assert len(set(upper)) == len(upper)                   # no case twins
    assert np.isfinite(base.flows).all()


arrays = st.integers(1, 4).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                                   st.floats(0, 1e6)), min_size=n * n, max_size=n * n)))


@PROPS
@given(a=arrays, tariff=st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                                  st.floats(-0.5, 2)))
def test_property_baseline_from_arrays(a, tariff):
    n, vals = a
    codes_ = [f"C{k}" for k in range(n)]
    flows = np.array(vals).reshape(n, n)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", TariffSimWarning)
        try:
            base = ts.Baseline.from_arrays(codes_, None, flows, tariffs=np.full((n, n), tariff))
        except DataError:
            assert not (np.isfinite(flows).all() and (flows >= 0).all() and flows.sum() > 0
                        and np.isfinite(tariff) and tariff > -1)
            return
    assert np.array_equal(base.flows[:, :, 0], flows)
    assert not base.flows.flags.writeable


def _world(draw: Any) -> ts.Baseline:
    n = draw(st.integers(2, 5))
    j = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    flows = rng.random((n, n, j)) * 100 + np.eye(n)[:, :, None] * 500
    tariffs = rng.random((n, n, j)) * 0.3 * (1 - np.eye(n))[:, :, None]
    return ts.Baseline.from_arrays([f"C{k}" for k in range(n)], [f"s{k}" for k in range(j)],
                                   flows, tariffs=tariffs)


@PROPS
@given(data=st.data())
def test_property_aggregate_preserves_totals_and_revenue(data):
    """Any grouping: flows keep their world total; tariff revenue on trade between
    regions is preserved; trade inside a region becomes domestic sales."""
    base = _world(data.draw)
    groups = data.draw(st.lists(st.sampled_from(["R1", "R2", None]),
                                min_size=base.n_countries, max_size=base.n_countries))
    regions = {c: g for c, g in zip(base.countries, groups, strict=True) if g is not None}
    agg = base.aggregate(regions=regions)
    assert agg.flows.sum() == pytest.approx(base.flows.sum(), rel=1e-12)
    region = {c: regions.get(c, c) for c in base.countries}
    between = np.array([[region[a] != region[b] for b in base.countries]
                        for a in base.countries])[:, :, None]
    revenue = (base.flows * base.tariffs * between).sum()
    assert (agg.flows * agg.tariffs).sum() == pytest.approx(revenue, rel=1e-9)


wrong = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                  st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
                  st.lists(st.text(max_size=4), max_size=3),
                  st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
                  st.dates(), st.just(pd.NaT), st.just(np.datetime64("NaT")),
                  st.just(b"USA"), st.just(np.float64(0.1)), st.just(object()))
FIELDS = {ts.Tariff: ("importer", "exporter", "rate", "sectors", "start", "end", "exempt",
                      "exempt_coverage", "coverage", "layer", "mode", "exclude",
                      "transshipment_share", "transshipment_rate", "source", "note",
                      "illustrative", "value_share", "yields_to", "in_baseline"),
          ts.TradeCost: ("importer", "exporter", "factor", "sectors", "start", "end",
                         "coverage", "exclude"),
          ts.ImportCommitment: ("importer", "exporter", "value", "basis", "realisation",
                                "sectors", "by", "start", "end", "schedule", "units"),
          ts.ExportRestriction: ("exporter", "sectors", "destinations", "exclude",
                                 "tax_equivalent", "rents", "coverage", "units", "start",
                                 "end")}
VALID = {ts.Tariff: dict(importer="USA", exporter="CHN", rate=0.1),
         ts.TradeCost: dict(importer="USA", exporter="CHN", factor=1.1),
         ts.ImportCommitment: dict(importer="CHN", exporter="USA", value=10.0,
                                   basis="increment"),
         ts.ExportRestriction: dict(exporter="CHN", sectors=("rare",), tax_equivalent=0.5)}


@PROPS
@given(kind=st.sampled_from(list(FIELDS)), data=st.data())
def test_property_instrument_fields_of_any_type(kind, data):
    """A random value of a random type in any field of any instrument: ScenarioError naming
    the field, or a valid instrument that survives a TOML round trip."""
    name = data.draw(st.sampled_from(FIELDS[kind]))
    value = data.draw(wrong)
    kw = dict(VALID[kind], **{name: value})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TariffSimWarning)
        warnings.simplefilter("error", RuntimeWarning)
        try:
            inst = kind(**kw)
        except ScenarioError as exc:
            assert exc.field and exc.field.split("[")[0].split(".")[0] in (
                name, "end", "start", "exclude", "tax_equivalent", "by", "schedule"), exc
            return
        sc = ts.Scenario("p", [inst])
        assert ts.Scenario.from_toml(sc.to_toml()) == sc


@PROPS
@given(rows=st.lists(st.tuples(st.sampled_from(["CHN", "VNM", None, "", 5]),
                               st.sampled_from(["USA", "usa", None]),
                               st.sampled_from(["C26", "A01", None, np.nan, ""]),
                               st.one_of(st.floats(-2, 12),
                                         st.sampled_from(["0.1", None, np.nan]))),
                     min_size=1, max_size=5))
def test_property_scenario_from_frame(rows):
    """Random rows: ScenarioError, or one Tariff per row with the row's rate and sector."""
    df = pd.DataFrame(rows, columns=["exporter", "importer", "sector", "rate"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TariffSimWarning)
        warnings.simplefilter("error", RuntimeWarning)
        try:
            sc = ts.Scenario.from_frame("p", df)
        except ScenarioError:
            return
    assert len(sc.instruments) == len(rows)
    for inst, (_, _, sector, rate) in zip(sc.instruments, rows, strict=True):
        assert inst.rate == float(rate) and inst.sectors == (str(sector).strip(),)


@PROPS
@given(prefix=st.sampled_from(["", "\ufeff"]), newline=st.sampled_from(["\n", "\r\n"]),
       trailing=st.sampled_from(["", "\n", "\n\n  \n"]), comment=st.booleans())
def test_property_toml_layout_does_not_change_the_scenario(prefix, newline, trailing, comment,
                                                          tmp_path):
    text = TOML + ("# a comment\n" if comment else "") + trailing
    sc = toml(tmp_path, prefix + text.replace("\n", newline))
    assert sc == TOML_SCENARIO


@PROPS
@given(data=st.data(), bom=st.booleans(), crlf=st.booleans(), quote=st.booleans(),
       upper=st.booleans())
def test_property_baci_layout_does_not_change_the_numbers(data, bom, crlf, quote, upper,
                                                          tmp_path):
    """Any column order, header case, quoting, line ends and byte-order mark: the same
    flows as the hand-derived BACI_MUSD."""
    lines = [ln.split(",") for ln in BACI.splitlines()]
    order = data.draw(st.permutations(range(6)))
    lines = [[row[k] for k in order] for row in lines]
    if upper:
        lines[0] = [h.upper() for h in lines[0]]
    text = "\n".join(",".join(f'"{f}"' if quote else f for f in row) for row in lines) + "\n"
    if crlf:
        text = text.replace("\n", "\r\n")
    p = write(tmp_path, ("\ufeff" if bom else "") + text)
    same_flows(BACI_MUSD)(read_baci_products(p))


@PROPS
@given(rows=st.lists(st.tuples(st.sampled_from([842, 156, 704, 36]),
                               st.sampled_from([842, 156, 704, 36]),
                               st.sampled_from(["010121", "847130", "850440", "270900"]),
                               st.floats(0, 1e9, allow_nan=False)),
                     min_size=1, max_size=12))
def test_property_baci_products_sum_the_file(rows, tmp_path):
    """Random valid BACI rows: the product frame holds each flow / 1000 once (USD
    million), without trade of an economy with itself; a repeated flow is refused."""
    text = "t,i,j,k,v,q\n" + "".join(f"2023,{i},{j},{k},{v!r},1\n" for i, j, k, v in rows)
    keys = [(i, j, k) for i, j, k, _ in rows]
    try:
        df = read_baci_products(write(tmp_path, text))
    except DataError as exc:
        assert len(set(keys)) < len(keys) and "several rows" in str(exc) or \
            all(i == j for i, j, _, _ in rows) and "no trade" in str(exc)
        return
    assert len(set(keys)) == len(keys)
    iso = {842: "USA", 156: "CHN", 704: "VNM", 36: "AUS"}
    expected: dict = {}
    for i, j, _, v in rows:
        if i != j:
            expected[(iso[i], iso[j])] = expected.get((iso[i], iso[j]), 0.0) + v / 1000
    expected = {k: v for k, v in expected.items()}
    got = product_flows(df)
    assert got.keys() == expected.keys()
    for k, v in expected.items():
        assert got[k] == pytest.approx(v, rel=1e-9, abs=1e-12)


@PROPS
@given(col=st.sampled_from(["v", "i", "j", "k", "t"]),
       bad=st.sampled_from(["", "nan", "inf", "-5", "x", "1e400", "2.5", "999999999999"]),
       row=st.integers(1, 5))
def test_property_baci_bad_cell_names_the_column(col, bad, row, tmp_path):
    """One bad cell anywhere: DataError naming its column (or a consistent load when the
    value is valid there)."""
    lines = [ln.split(",") for ln in BACI.splitlines()]
    lines[row][lines[0].index(col)] = bad
    p = write(tmp_path, "\n".join(",".join(r) for r in lines) + "\n")
    try:
        df = read_baci_products(p)
    except DataError as exc:
        assert exc.field in (col, "k", "i/j", str(p), "year") or col in str(exc), exc
        return
    assert np.isfinite(df["value"]).all() and (df["value"] >= 0).all()


@PROPS
@given(months=st.lists(st.booleans(), min_size=12, max_size=12), blank=st.sampled_from(["0", ""]))
def test_property_census_month_coverage(months, blank, tmp_path):
    """Random months with data in the latest year: read only when all twelve have data
    (else the complete year before is read, with a warning naming the months)."""
    head = (["year", "CTY_CODE", "CTYNAME"] + [f"I{m}" for m in _MON] + ["IYR"]
            + [f"E{m}" for m in _MON] + ["EYR"])

    def line(year: int, have: list[bool]) -> str:
        i = ["3" if h else blank for h in have]
        return "\t".join([str(year), "5700", "China", *i, str(3 * sum(have)), *i,
                          str(3 * sum(have))])
    text = "\n".join(["\t".join(head), line(2024, [True] * 12), line(2025, months)]) + "\n"
    p = write(tmp_path, text, "country.txt")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = read_census(p)
    n = sum(months)
    if n == 12:
        assert df.attrs["year"] == 2025 and not caught
    else:
        assert df.attrs["year"] == 2024 and df.attrs["months"] == 12
        assert any("2025" in str(w.message) for w in caught)
    assert df["value"].sum() == pytest.approx(72.0 if n < 12 else 72.0)


_MON = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


@PROPS
@given(meta=st.recursive(st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                                   st.integers(), st.text(max_size=5), st.none(),
                                   st.sampled_from([np.float64(np.nan), np.int32(4),
                                                    np.float32(np.inf)])),
                         lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                 st.dictionaries(st.text(max_size=3), inner,
                                                                 max_size=3)),
                         max_leaves=10))
def test_property_json_text_is_always_valid_json(meta):
    text = _atomic.json_text({"m": meta})
    back = json.loads(text, parse_constant=_no_constant)

    def finite(x: Any) -> bool:
        if isinstance(x, float):
            return math.isfinite(x)
        if isinstance(x, list):
            return all(finite(v) for v in x)
        if isinstance(x, dict):
            return all(finite(v) for v in x.values())
        return True
    assert finite(back)


@PROPS
@given(data=st.binary(max_size=2000), umask=st.sampled_from([0o022, 0o077, 0o002]),
       existing=st.booleans())
def test_property_write_atomic(data, umask, existing, tmp_path):
    p = tmp_path / "sub" / "f.bin"
    p.unlink(missing_ok=True)              # tmp_path is shared by the examples
    if existing:
        p.parent.mkdir(exist_ok=True)
        p.write_bytes(b"old")
        p.chmod(0o640)
    old = os.umask(umask)
    try:
        _atomic.write_atomic(p, data)
    finally:
        os.umask(old)
    assert p.read_bytes() == data
    assert stat.S_IMODE(p.stat().st_mode) == (0o640 if existing else 0o666 & ~umask)
    assert [q.name for q in p.parent.iterdir()] == ["f.bin"]


@PROPS
@given(value=st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                       st.text(max_size=12), st.dates(), st.datetimes(),
                       st.just(pd.NaT), st.just(np.datetime64("NaT")),
                       st.just(np.datetime64("2025-08-07")), st.just(np.int64(2030)),
                       st.lists(st.integers(), max_size=2)))
def test_property_to_date(value):
    try:
        d = _validate.to_date(value, "when")
    except ScenarioError as exc:
        assert exc.field == "when"
        return
    assert d is None or (type(d) is _dt.date and 1 <= d.year <= 9999)


@PROPS
@given(mapping=st.one_of(
    st.dictionaries(st.sampled_from(["AAA", "BBB", "CCC", "ZZZ", "G1"]),
                    st.one_of(st.sampled_from(["G1", "G2", "AAA"]),
                              st.lists(st.sampled_from(["AAA", "BBB", "CCC", "QQQ"]),
                                       max_size=3),
                              st.integers(), st.none()), max_size=3),
    st.lists(st.text(max_size=3), max_size=2), st.text(max_size=3), st.none()))
def test_property_group_map(mapping):
    try:
        out = _validate.group_map(mapping, C3, "regions")
    except DataError as exc:
        assert exc.field == "regions"
        return
    assert list(out) == list(C3) and all(isinstance(v, str) for v in out.values())


@PROPS
@given(year=st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                      st.text(max_size=6), st.booleans(), st.none()))
def test_property_baseline_year(year):
    try:
        base = base3(year=year)
    except DataError as exc:
        assert exc.field == "year"
        return
    assert base.year is None or (isinstance(base.year, int) and 1800 <= base.year <= 2200)


PROPERTIES = [n for n in list(globals()) if n.startswith("test_property_")]


def table() -> str:
    """The markdown table of docs/reliability.md (round two)."""
    return campaign_table(CASES, "round two", "loads, checked")


if __name__ == "__main__":  # print the counts and the table of docs/reliability.md
    fixed = sum(c.fixed for c in CASES)
    print(f"{len(CASES)} catalogue cases: {len(CASES) - fixed} handled, {fixed} fixed; "
          f"{len(PROPERTIES)} property tests")
    print(table())
