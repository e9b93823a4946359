"""The embedded one-sector goods world ("goods-2024", the default until the sectoral world
took its place) against the published figures and the facts files.

Published numbers (US Census 2024, Feb-2025 vintage, USD million) are written here by hand;
the facts files are read from ../shared/data/facts (env TARIFFSIM_FACTS_DATA), and the
tests that need them skip when the folder is absent (and fail under
TARIFFSIM_REQUIRE_VALIDATION=1, as in CI).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from validation_data import facts_path, facts_root

import tariffsim as ts
from tariffsim import datasets
from tariffsim.errors import DataError

REPO = Path(__file__).resolve().parents[1]
FACTS = facts_root()


@pytest.fixture
def needs_facts() -> None:
    """Skip when the facts folder is absent; fail instead under TARIFFSIM_REQUIRE_VALIDATION=1."""
    facts_path("baci2023_goods_bilateral_long.csv")

CODES = {"USA", "CHN", "VNM", "MYS", "THA", "KHM", "IDN", "PHL", "SGP", "JPN", "KOR", "IND",
         "MEX", "CAN", "HKG", "GBR", "AUS", "BRA", "EU27", "ROW"}

# Partner surpluses with the US in 2024 as published by the US Census Bureau (Feb-2025
# release; the figures of the 2 Apr 2025 White House table), USD million.
PUBLISHED_SURPLUS_WITH_US = {"VNM": 123_463.0, "CHN": 295_401.6, "MYS": 24_830.1,
                             "THA": 45_608.9, "KHM": 12_340.2}
# Census 2024 US goods totals, first vintage, USD million.
US_EXPORTS_2024, US_IMPORTS_2024 = 2_064_500.0, 3_267_400.0


@pytest.fixture(scope="module")
def base() -> ts.Baseline:
    return datasets.load_baseline("goods-2024")


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return datasets._read_csv("default_flows.csv")


def _flow(base: ts.Baseline, e: str, i: str) -> float:
    return float(base.flows[base.country_index(e), base.country_index(i), 0])


# ---------------------------------------------------------------- published balances
@pytest.mark.parametrize("code,published", sorted(PUBLISHED_SURPLUS_WITH_US.items()))
def test_surplus_with_us_matches_census(base, code, published):
    tb = base.trade_balance()
    row = tb[(tb["country"] == code) & (tb["partner"] == "USA")]
    assert len(row) == 1
    assert row["balance"].iloc[0] == pytest.approx(published, rel=1e-3)
    us = tb[(tb["country"] == "USA") & (tb["partner"] == code)]
    assert us["balance"].iloc[0] == pytest.approx(-published, rel=1e-3)


def test_us_totals_equal_census_world_totals(base):
    tot = base.trade_balance(partner="WLD").set_index("country")
    assert tot.loc["USA", "exports"] == pytest.approx(US_EXPORTS_2024, abs=0.5)
    assert tot.loc["USA", "imports"] == pytest.approx(US_IMPORTS_2024, abs=0.5)


def test_shape_and_metadata(base):
    assert set(base.countries) == CODES
    assert base.sectors == ("total",)
    assert base.year == 2024 and base.units == "USD million"
    assert "BACI" in base.source and "Census" in base.source


# ---------------------------------------------------------------- against the facts files
@pytest.mark.usefixtures("needs_facts")
def test_baci_flows_equal_facts(rows):
    baci = pd.read_csv(FACTS / "baci2023_goods_bilateral_long.csv")
    ref = baci.set_index(["exporter", "importer"])["value_musd"]
    b = rows[rows["source_key"] == "baci2023"]
    assert len(b) >= 300
    for r in b.itertuples():
        assert r.value == ref[(r.exporter, r.importer)], (r.exporter, r.importer)
    # every international row keeps the BACI value it replaced
    t = rows[rows["field"] == "trade"]
    for r in t.itertuples():
        assert r.original_value == ref[(r.exporter, r.importer)]


@pytest.mark.usefixtures("needs_facts")
def test_census_flows_equal_facts(base, rows):
    cen = pd.read_csv(FACTS / "us_goods_trade_by_partner_2024.csv")
    names = {"China": "CHN", "Vietnam": "VNM", "Malaysia": "MYS", "Thailand": "THA",
             "Cambodia": "KHM", "Mexico": "MEX", "Canada": "CAN", "Japan": "JPN",
             "South Korea": "KOR", "India": "IND", "European Union": "EU27",
             "Indonesia": "IDN", "Philippines": "PHL", "Singapore": "SGP", "Hong Kong": "HKG",
             "United Kingdom": "GBR"}
    cen = cen[cen["partner"].isin(names)]
    assert len(cen) == 16
    for r in cen.itertuples():
        code = names[r.partner]
        assert _flow(base, "USA", code) == r.exports_2024_musd
        assert _flow(base, code, "USA") == r.imports_2024_musd
    used = rows[rows["source_key"] == "census2024_feb2025"]
    assert len(used) == 32


@pytest.mark.usefixtures("needs_facts")
def test_patched_pairs(base, rows):
    patch = pd.read_csv(FACTS / "patch_missing_pairs_2023.csv")
    filled = patch.dropna(subset=["value_musd"])
    assert len(filled) == 4
    for r in filled.itertuples():
        assert _flow(base, r.exporter, r.importer) == r.value_musd
    # published KITA figures, by hand
    assert _flow(base, "KOR", "VNM") == 53_490.0
    assert _flow(base, "VNM", "KOR") == 25_940.0
    # the remaining gap: KOR-PHL has no 2023 figure; it stays 0 and is documented
    for e, i in (("KOR", "PHL"), ("PHL", "KOR")):
        assert _flow(base, e, i) == 0.0
        r = rows[(rows["exporter"] == e) & (rows["importer"] == i)].iloc[0]
        assert "NOT FILLED" in r["note"] and r["confidence"] == "low"
    readme = (REPO / "tariffsim" / "data" / "README.md").read_text()
    assert "KOR-PHL" in readme


@pytest.mark.usefixtures("needs_facts")
def test_domestic_sales_recomputed_from_wdi(base):
    wdi = pd.read_csv(FACTS / "wdi_gdp_2022_2023.csv").set_index("iso3")["gdp_2023_usd"] / 1e6
    singles = sorted(CODES - {"EU27", "ROW"})
    gdp = {c: wdi[c] for c in singles}
    gdp["EU27"] = wdi["EUU"]
    gdp["ROW"] = wdi["WLD"] - sum(gdp[c] for c in singles) - wdi["EUU"]
    x = base.flows[:, :, 0]
    floored = []
    for c, g in gdp.items():
        k = base.country_index(c)
        exports = x[k].sum() - x[k, k]
        expected = max(g - exports, 0.10 * g)
        assert x[k, k] == pytest.approx(expected, abs=0.1), c
        if g - exports < 0.10 * g:
            floored.append(c)
    assert sorted(floored) == ["MYS", "VNM"]


@pytest.mark.usefixtures("needs_facts")
def test_build_script_reproduces_package_data(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "build_default_baseline", REPO / "tools" / "build_default_baseline.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.main(["--facts", str(FACTS), "--out", str(tmp_path)])
    for name in ("default_flows.csv", "default_tariffs.csv", "default_gdp.csv",
                 "us_goods_trade_2024.csv", "us_goods_totals_2024.csv"):
        shipped = (REPO / "tariffsim" / "data" / name).read_bytes()
        assert (tmp_path / name).read_bytes() == shipped, name


# ---------------------------------------------------------------- sources and hygiene
@pytest.mark.parametrize("name", ["default_flows.csv", "default_tariffs.csv",
                                  "default_gdp.csv", "us_goods_trade_2024.csv",
                                  "us_goods_totals_2024.csv"])
def test_every_row_has_a_source(name):
    df = datasets._read_csv(name)
    src = [c for c in df.columns if c.startswith("source")]
    assert src
    has = df[src].apply(lambda s: s.fillna("").astype(str).str.strip() != "").any(axis=1)
    assert has.all(), df[~has]


def test_no_nan_anywhere(base, rows):
    for a in (base.flows, base.tariffs):
        assert np.isfinite(a).all()
    assert not rows[["value", "original_value"]].isna().any().any()
    prov = base.provenance
    assert len(prov) == 400 + 380  # 20 x 20 flows + 20 x 19 international tariffs
    assert not prov.isna().any().any()
    assert (prov["source"].str.strip() != "").all()
    assert (prov["confidence"].str.strip() != "").all()


def test_provenance_names_every_source(base):
    keys = set(base.provenance["source_key"])
    assert {"baci2023", "national_patch_2023", "census2024_feb2025", "census2024_residual",
            "wdi2023_domestic", "piie", "not_transcribed"} <= keys
    p = base.provenance
    vnm = p[(p["field"] == "flows") & (p["exporter"] == "VNM") & (p["importer"] == "USA")]
    assert vnm["source_key"].tolist() == ["census2024_feb2025"]
    assert "c5520" in vnm["source"].iloc[0]


def test_tariffs_pre_2025(base):
    def rate(e, i):
        return float(base.tariffs[base.country_index(e), base.country_index(i), 0])
    assert rate("CHN", "USA") == 0.208      # PIIE: US on China, 20 Jan 2025
    assert rate("USA", "CHN") == 0.212      # PIIE: 32.6 - 11.4
    assert rate("VNM", "USA") == 0.0        # not transcribed, flagged
    p = base.provenance
    zero = p[(p["field"] == "tariffs") & (p["value"] == 0)]
    # 380 international pairs, of which only CHN->USA and USA->CHN were transcribed
    assert len(zero) == 380 - 2 and (zero["confidence"] == "missing").all()


# ---------------------------------------------------------------- public functions
def test_us_trade_2024_vintages():
    feb = datasets.us_trade_2024()
    v = feb.set_index("code").loc["VNM"]
    assert (v["exports"], v["imports"], v["balance"]) == (13_098.2, 136_561.2, -123_463.0)
    assert feb.set_index("code").loc["WLD", "imports"] == US_IMPORTS_2024
    rev = datasets.us_trade_2024("revised").set_index("partner")
    assert rev.loc["Vietnam", "imports"] == 136_317.8
    assert rev.loc["Germany", "imports"] == 160_307.0
    both = datasets.us_trade_2024("both")
    assert {"imports_2024_musd", "imports_2024_revised_musd", "source_2024",
            "source_revised"} <= set(both.columns)
    assert (feb["source"].str.len() > 0).all() and (rev["source"].str.len() > 0).all()
    with pytest.raises(DataError, match="vintage"):
        datasets.us_trade_2024("feb2024")


def test_census_table_and_baseline_agree(base):
    feb = datasets.us_trade_2024()
    feb = feb[feb["code"].isin(CODES - {"ROW"}) & (feb["partner"] != "Germany")]
    for r in feb.itertuples():
        assert _flow(base, r.code, "USA") == r.imports
        assert _flow(base, "USA", r.code) == r.exports


def test_list_and_unknown_name():
    assert datasets.list_baselines()["name"].tolist() == ["default", "sectoral-2024",
                                                          "goods-2024"]
    # the default is the sectoral world; the one-sector world stays available by name
    assert datasets.load_baseline("sectoral-2024") == datasets.load_baseline("default")
    assert datasets.load_baseline() == datasets.load_baseline("default")
    assert datasets.load_baseline("goods-2024").n_sectors == 1
    with pytest.raises(DataError, match="did you mean 'default'"):
        datasets.load_baseline("defualt")


def test_cached_and_immutable(base):
    again = datasets.load_baseline("goods-2024")  # cached data, but an independent object
    assert again == base and again is not base and again.flows is base.flows
    with pytest.raises(ValueError):
        base.flows[0, 0, 0] = 1.0
