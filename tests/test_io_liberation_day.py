"""ts.io.read_liberation_day: the replication world of Ignatenko, Macedoni, Lashkaripour &
Simonovska (2025), read in place from $TARIFFSIM_VALIDATION_DATA/liberation_day.

Checks: the published calibration (nu_US = 0.27, nu_non-US = 0.11, paper Section 4), the
published tariff facts (China 54%, EU 20%, Canada 10%, paper Sections 1 and 3), the domestic
sales rule against an independent construction (tests/imls_reference.py), and the errors on
small synthetic folders (written here; nothing of the replication data is copied).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from imls_reference import paper_world
from validation_data import validation_path

import tariffsim as ts
from tariffsim.errors import DataError, ScenarioError
from tariffsim.io.liberation_day import LOCAL_SHARE_TARGETS, calibrate_local_share

EU27 = ["AUT", "BEL", "BGR", "CYP", "CZE", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GRC",
        "HRV", "HUN", "IRL", "ITA", "LTU", "LUX", "LVA", "MLT", "NLD", "POL", "PRT", "ROU",
        "SVK", "SVN", "SWE"]


@pytest.fixture(scope="module")
def folder():
    return validation_path("liberation_day")


@pytest.fixture(scope="module")
def base(folder):
    return ts.io.read_liberation_day(folder)


def test_shape_units_and_provenance(base, folder):
    assert base.n_countries == 194 and base.sectors == ("total",)
    assert base.year == 2023 and base.units == "USD million"
    assert not base.tariffs.any()
    assert "read in place" in " ".join(base.provenance["note"])
    assert str(folder.resolve()) in base.source
    # world goods trade in 2023 was about 24 trillion USD (WTO): the unit is USD million
    assert 20e6 < base.international().sum() < 26e6


def test_local_share_matches_the_paper(folder):
    nu = ts.io.liberation_day_local_share(folder)
    # paper, Section 4: "nu_US = 0.27 for the U.S. market, and nu_non-US = 0.11"
    assert round(nu["USA"], 2) == 0.27
    assert (nu.drop("USA").round(2) == 0.11).all()
    assert nu.drop("USA").nunique() == 1


def test_calibration_hits_its_sales_weighted_targets(base, folder):
    """The local share faced by the sales of non-US (US) producers is 0.12 (0.26). Exact in
    the two-region calibration; in the built world two countries (GMB, MHL) have their
    domestic sales floored at 0, which moves the non-US figure by about 1e-7."""
    nu = ts.io.liberation_day_local_share(folder).to_numpy()
    X = base.flows[:, :, 0]
    us = base.country_index("USA")
    sales = X.sum(axis=1)
    faced = X @ nu / sales
    rest = np.arange(base.n_countries) != us
    assert (faced[rest] * sales[rest]).sum() / sales[rest].sum() == pytest.approx(
        LOCAL_SHARE_TARGETS[0], abs=1e-5)
    assert faced[us] == pytest.approx(LOCAL_SHARE_TARGETS[1], abs=1e-10)


def test_domestic_sales_agree_with_an_independent_construction(base, folder):
    """Their rule X_ii = max(GDP_i + T0_i - M_i, 0), rebuilt in plain numpy by the test
    oracle (thousand USD) from the same files."""
    ref = paper_world(folder)
    assert list(base.countries) == list(ref["iso3"])
    np.testing.assert_allclose(base.flows[:, :, 0], ref["X"] / 1000.0, rtol=1e-10, atol=1e-9)
    nu = ts.io.liberation_day_local_share(folder).to_numpy()
    np.testing.assert_allclose(nu, ref["nu"], rtol=1e-10)


def test_announced_tariffs(base, folder):
    sh = ts.io.liberation_day_tariffs(folder).shocks(base)
    us = base.country_index("USA")
    rate = pd.Series(sh.tariffs[:, us, 0], index=base.countries)
    # paper: 54% on China (reciprocal + fentanyl), 20% on the EU, 10% on Canada; Russia's
    # 0 in tariffs.csv becomes the 10% floor of the replication code
    assert rate["CHN"] == pytest.approx(0.54)
    np.testing.assert_allclose(rate[EU27], 0.20)
    assert rate["CAN"] == pytest.approx(0.10) and rate["RUS"] == pytest.approx(0.10)
    assert rate["USA"] == 0 and rate.drop("USA").min() == pytest.approx(0.10)
    others = np.ones(base.n_countries, dtype=bool)
    others[us] = False
    assert not sh.tariffs[:, others, :].any()             # nobody else changes a tariff


def test_reciprocal_retaliation_mirrors_the_us_tariffs(base, folder):
    sh = ts.io.liberation_day_tariffs(folder, retaliation="reciprocal").shocks(base)
    us = base.country_index("USA")
    np.testing.assert_array_equal(sh.tariffs[us, :, 0], sh.tariffs[:, us, 0])
    assert sh.tariffs[us, base.country_index("CHN"), 0] == pytest.approx(0.54)
    with pytest.raises(ScenarioError, match="retaliation"):
        ts.io.liberation_day_tariffs(folder, retaliation="optimal")


# ------------------------------------------------------------------ synthetic folders
CODES = ["AAA", "USA", "BBB"]
TRADE = [[None, 30.0, 10.0], [20.0, None, 5.0], [8.0, 12.0, None]]   # thousand USD
GDP = [400e3, 2000e3, 100e3]                                         # USD


def write(folder, codes=CODES, trade=TRADE, gdp=GDP, rates=(0.3, 0.0, 0.05)):
    folder.mkdir(exist_ok=True)
    pd.DataFrame({"iso3": codes, "iso_code": range(1, len(codes) + 1),
                  "CountryName": codes}).to_csv(folder / "country_labels.csv", index=False)
    pd.DataFrame(trade, columns=[f"export_ij{k + 1}" for k in range(len(trade[0]))]).to_csv(
        folder / "trade_cepii.csv", index=False)
    pd.DataFrame({"gdp": gdp}).to_csv(folder / "gdp.csv", index=False)
    pd.DataFrame({"applied_tariff": rates}).to_csv(folder / "tariffs.csv", index=False)
    return folder


def test_synthetic_world_follows_the_rule(tmp_path):
    folder = write(tmp_path / "w")
    b = ts.io.read_liberation_day(folder)
    nu = ts.io.liberation_day_local_share(folder).to_numpy()
    X = np.nan_to_num(np.array(TRADE, dtype=float))
    M = X.sum(axis=0)
    T0 = (1 - nu) * (M - X @ (1 - nu))
    dom = np.maximum(np.array(GDP) / 1000 + T0 - M, 0.0) / 1000
    np.testing.assert_allclose(np.diag(b.flows[:, :, 0]), dom, rtol=1e-12)
    np.testing.assert_allclose(b.flows[0, 1, 0], 0.030)
    # nu solves the two target equations
    assert nu[0] == nu[2] != nu[1]
    assert calibrate_local_share(X, np.array(GDP) / 1000, 1) == pytest.approx((nu[0], nu[1]))
    sh = ts.io.liberation_day_tariffs(folder).shocks(b)
    np.testing.assert_allclose(sh.tariffs[:, 1, 0], [0.3, 0.0, 0.10])


@pytest.mark.parametrize("change, match", [
    (dict(codes=["AAA", "CAN", "BBB"]), "no USA row"),
    (dict(codes=["AAA", "USA", "AAA"]), "duplicate"),
    (dict(trade=[r[:2] for r in TRADE]), "3 x 2"),
    (dict(trade=[[None, "x", 1.0], [2.0, None, 1.0], [1.0, 1.0, None]]), "non-numeric"),
    (dict(trade=[[None, -1.0, 1.0], [2.0, None, 1.0], [1.0, 1.0, None]]), "negative"),
    (dict(trade=[[5.0, 1.0, 1.0], [2.0, None, 1.0], [1.0, 1.0, None]]), "diagonal"),
    (dict(gdp=[1.0, 2.0]), "2 rows"),
    (dict(gdp=[400e3, 0.0, 100e3]), "zero GDP"),
    (dict(rates=(0.3, None, 0.1)), "missing"),
    (dict(rates=(30.0, 0.0, 0.1)), "above 1000%"),
])
def test_malformed_folders_raise_data_errors(tmp_path, change, match):
    folder = write(tmp_path / "w", **change)
    with pytest.raises(DataError, match=match):
        ts.io.read_liberation_day(folder)


def test_missing_folder_or_file(tmp_path):
    with pytest.raises(DataError, match="not found"):
        ts.io.read_liberation_day(tmp_path / "nowhere")
    folder = write(tmp_path / "w")
    (folder / "gdp.csv").unlink()
    with pytest.raises(DataError, match="gdp.csv"):
        ts.io.read_liberation_day(folder)
