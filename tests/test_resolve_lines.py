"""US Tariffs through the line engine in the resolver: model cells from HTS10 lines.

Every expected value is computed here by hand from the shipped 2024 line file
(``tariffsim/data/us_lines_2024.csv.gz``: imports and duty by partner and HTS10 line) with
pandas, independently of the engine: a line's rate is its 2024 duty rate plus the layers
that cover it, and a cell is the import-weighted mean of its lines. The rule that joins
the two (docs/us_tariffs.md): new cell tariff = the baseline's own tariff + (mean line rate
on the day - mean line rate in 2024).
"""

from __future__ import annotations

import datetime as dt
import functools
from importlib import resources

import numpy as np
import pandas as pd
import pytest

import tariffsim as ts
from tariffsim.errors import ScenarioError
from tariffsim.sectors import goods_sector, hs_to_icio
from tariffsim.tariff_lines import list_codes


@functools.cache
def lines() -> pd.DataFrame:
    """The 2024 line file, with the rate and the goods sector of every line."""
    with resources.files("tariffsim.data").joinpath("us_lines_2024.csv.gz").open("rb") as fh:
        df = pd.read_csv(fh, compression="gzip", dtype={"partner": str, "hs10": str})
    codes = pd.Series(df.hs10.unique())
    sec = dict(zip(codes, goods_sector(codes, hs_to_icio(codes).sector), strict=True))
    return df.assign(t0=df.duty_usd / df.imports_usd, sector=df.hs10.map(sec))


def starts(codes: pd.Series, prefixes) -> np.ndarray:
    pre = tuple(p.replace(".", "") for p in prefixes)
    return codes.str.startswith(pre).to_numpy()


@functools.cache
def sectoral() -> ts.Baseline:
    return ts.load_baseline("sectoral-2024")


@functools.cache
def goods() -> ts.Baseline:
    return ts.load_baseline("goods-2024")


def us_tariff(base: ts.Baseline, scenario: ts.Scenario, exporter: str, sector: int = 0,
              **kw) -> float:
    sh = scenario.shocks(base, **kw)
    return float(sh.tariffs[base.country_index(exporter), base.country_index("USA"), sector])


# ------------------------------------------------------------------ a cell of a sectoral world
def test_sectoral_cell_is_the_weighted_mean_of_hand_computed_lines():
    """Cambodia's electrical equipment: a reciprocal 19% that yields to a 50% Section 232
    layer on insulated wire (8544.42) and exempts the 11 Apr 2025 electronics and 8504."""
    s = ts.Scenario("t", [
        ts.Tariff("USA", "KHM", 0.19, mode="add", layer="recip", yields_to=["s232"],
                  exempt_products=["list:electronics_2025_04_11", "8504"]),
        ts.Tariff("USA", "*", 0.50, mode="add", layer="s232", products=["8544.42"])])
    base = sectoral()
    j = base.sector_index("electrical_equipment")
    got = us_tariff(base, s, "KHM", j)
    df = lines()
    d = df[(df.partner == "KHM") & (df.sector == "electrical_equipment")]
    wire = starts(d.hs10, ["854442"])
    exempt = starts(d.hs10, list(list_codes("electronics_2025_04_11")) + ["8504"])
    assert wire.any() and exempt.any() and (~wire & ~exempt).any()   # all three kinds
    t = d.t0.to_numpy() + np.where(wire, 0.50, np.where(exempt, 0.0, 0.19))
    m = d.imports_usd.to_numpy()
    delta = (m * t).sum() / m.sum() - (m * d.t0).sum() / m.sum()
    t0 = base.tariffs[base.country_index("KHM"), base.country_index("USA"), j]
    assert got == pytest.approx(t0 + delta, abs=1e-12)
    # the baseline's US tariffs are the 2024 line duties (to their 6 decimals)
    assert t0 == pytest.approx((m * d.t0).sum() / m.sum(), abs=5e-7)


def test_services_and_the_diagonal_keep_the_baseline():
    s = ts.Scenario("t", [ts.Tariff("USA", "*", 0.30, mode="add")])
    base = sectoral()
    sh = s.shocks(base)
    u = base.country_index("USA")
    for svc in base.services:
        j = base.sector_index(svc)
        np.testing.assert_array_equal(sh.tariffs[:, u, j], base.tariffs[:, u, j])
    np.testing.assert_array_equal(sh.tariffs[u, u], base.tariffs[u, u])
    g = [base.sector_index(x) for x in base.goods]
    k = base.country_index("VNM")
    np.testing.assert_allclose(sh.tariffs[k, u, g], base.tariffs[k, u, g] + 0.30, atol=1e-12)


# ------------------------------------------------------------------ the one-sector world
def test_one_sector_world_gets_the_partner_mean():
    """Vietnam on the one-sector world: +20% on all its lines but computers and phones."""
    s = ts.Scenario("t", [ts.Tariff("USA", "VNM", 0.20, mode="add",
                                    exempt_products=["8471", "8517.13"])])
    d = lines()[lines().partner == "VNM"]
    ex = starts(d.hs10, ["8471", "851713"])
    share = d.imports_usd[ex].sum() / d.imports_usd.sum()
    assert 0.1 < share < 0.4
    # the one-sector world has no 2024 US tariff on Vietnam: 0 + the change
    assert us_tariff(goods(), s, "VNM") == pytest.approx(0.20 * (1 - share), abs=1e-12)


def test_baseline_tariff_plus_the_change_of_the_line_rates():
    """China on the one-sector world: its PIIE 20.8% plus (50% - China's 2024 duty rate)."""
    base = goods()
    d = lines()[lines().partner == "CHN"]
    rate_2024 = d.duty_usd.sum() / d.imports_usd.sum()
    assert rate_2024 == pytest.approx(0.1087, abs=5e-5)          # raw/README.md: 10.87%
    t0 = base.tariffs[base.country_index("CHN"), base.country_index("USA"), 0]
    assert t0 == pytest.approx(0.208)                             # PIIE
    s = ts.Scenario("t", [ts.Tariff("USA", "CHN", 0.50, mode="set")])
    assert us_tariff(base, s, "CHN") == pytest.approx(t0 + 0.50 - rate_2024, abs=1e-12)


def test_floor_is_a_floor_on_each_line():
    """Japan's 15% inclusive floor: max(2024 duty, 15%) line by line."""
    d = lines()[lines().partner == "JPN"]
    m, t0 = d.imports_usd.to_numpy(), d.t0.to_numpy()
    delta = (m * np.maximum(t0, 0.15)).sum() / m.sum() - (m * t0).sum() / m.sum()
    s = ts.Scenario("t", [ts.Tariff("USA", "JPN", 0.15, mode="floor")])
    assert us_tariff(goods(), s, "JPN") == pytest.approx(delta, abs=1e-12)
    assert 0.13 < delta < 0.15


def test_in_baseline_layer_leaves_the_2024_duty_when_it_ends():
    """A 25% duty already in the 2024 duties on iron and steel (chapter 72), ended: each
    line loses min(t0, 25%)."""
    s = ts.Scenario("t", [ts.Tariff("USA", "*", 0.25, mode="add", products=["72"],
                                    in_baseline=True, end="2025-03-12")])
    d = lines()[lines().partner == "CHN"]
    steel = starts(d.hs10, ["72"])
    m = d.imports_usd.to_numpy()
    cut = (m * np.where(steel, np.minimum(d.t0, 0.25), 0.0)).sum() / m.sum()
    assert cut > 0
    t0 = goods().tariffs[goods().country_index("CHN"), goods().country_index("USA"), 0]
    assert us_tariff(goods(), s, "CHN", date="2025-01-01") == pytest.approx(t0, abs=1e-15)
    assert us_tariff(goods(), s, "CHN", date="2025-04-01") == pytest.approx(t0 - cut, abs=1e-12)


def test_rest_of_world_is_every_partner_the_baseline_does_not_name():
    """Laos sits in ROW: 10% on Laos raises ROW's tariff by 10% x Laos's share of ROW."""
    base = goods()
    p = pd.read_csv(resources.files("tariffsim.data").joinpath("us_partners_2024.csv"),
                    dtype=str)
    p["imports_usd"] = p.imports_usd.astype(float)
    world = p[p.eu_member == "False"]
    named = set(base.countries) - {"ROW"}
    row = world[~world.partner.isin(named)]
    share = float(row.imports_usd[row.partner == "LAO"].iloc[0] / row.imports_usd.sum())
    s = ts.Scenario("t", [ts.Tariff("USA", "LAO", 0.10, mode="add")])
    assert us_tariff(base, s, "ROW") == pytest.approx(0.10 * share, rel=1e-6)
    # the code ROW covers the same partners
    s = ts.Scenario("t", [ts.Tariff("USA", "ROW", 0.10, mode="add")])
    assert us_tariff(base, s, "ROW") == pytest.approx(0.10, abs=1e-12)
    assert us_tariff(base, s, "VNM") == pytest.approx(0.0, abs=1e-15)


def test_model_sectors_need_no_coverage_on_the_one_sector_world():
    """Before the wiring, sectors=['iron_steel'] on one sector needed coverage=; the lines
    know which goods are iron and steel."""
    d = lines()[lines().partner == "VNM"]
    raw = hs_to_icio(pd.Series(d.hs10.unique()))
    steel = d.hs10.map(dict(zip(raw.code, raw.sector, strict=True))) == "iron_steel"
    share = d.imports_usd[steel].sum() / d.imports_usd.sum()
    s = ts.Scenario("t", [ts.Tariff("USA", "VNM", 0.25, mode="add", sectors=["iron_steel"])])
    assert us_tariff(goods(), s, "VNM") == pytest.approx(0.25 * share, abs=1e-12)


def test_year_average_weights_the_days():
    s = ts.Scenario("t", [ts.Tariff("USA", "VNM", 0.20, mode="add", start="2025-08-07",
                                    exempt_products=["8471"])])
    on = us_tariff(goods(), s, "VNM", date="2025-09-01")
    avg = us_tariff(goods(), s, "VNM", year=2025, year_rule="average")
    days = (dt.date(2026, 1, 1) - dt.date(2025, 8, 7)).days
    assert avg == pytest.approx(on * days / 365, abs=1e-12)


def test_other_importers_keep_the_cell_rules():
    base = sectoral()
    s = ts.Scenario("t", [ts.Tariff(["USA", "VNM"], "CHN", 0.10, mode="add")])
    sh = s.shocks(base)
    c, v = base.country_index("CHN"), base.country_index("VNM")
    np.testing.assert_allclose(sh.tariffs[c, v], base.tariffs[c, v] + 0.10)
    u = base.country_index("USA")
    g = [base.sector_index(x) for x in base.goods]
    np.testing.assert_allclose(sh.tariffs[c, u, g], base.tariffs[c, u, g] + 0.10, atol=1e-12)


# ------------------------------------------------------------------ errors and opt-outs
def test_product_fields_without_line_data_are_errors():
    base = sectoral()
    with pytest.raises(ScenarioError, match="US imports only") as e:
        ts.Scenario("t", [ts.Tariff("VNM", "USA", 0.1, products=["8471"])]).validate(base)
    assert e.value.field == "instruments[0].products"
    off = base.replace(tariff_lines=False)
    with pytest.raises(ScenarioError, match="tariff_lines=False"):
        ts.Scenario("t", [ts.Tariff("USA", "VNM", 0.1, exempt_products=["8471"])]).shocks(off)
    # without product fields the cell-level rules apply on such a baseline: exactly +10%
    sh = ts.Scenario("t", [ts.Tariff("USA", "VNM", 0.1, mode="add")]).shocks(off)
    k, u = base.country_index("VNM"), base.country_index("USA")
    np.testing.assert_allclose(sh.tariffs[k, u], base.tariffs[k, u] + 0.1)


def test_economies_without_line_data_fall_back_to_cell_rules():
    flows = np.array([[100.0, 10, 20], [30, 200, 5], [40, 6, 300]])
    toy = ts.Baseline.from_arrays(("USA", "AAA", "CHN"), None, flows)
    s = ts.Scenario("t", [ts.Tariff("USA", "AAA", 0.2)])
    assert s.shocks(toy).tariffs[1, 0, 0] == pytest.approx(0.2)   # set: the cell rule
    with pytest.raises(ScenarioError, match="no US tariff-line data"):
        ts.Scenario("t", [ts.Tariff("USA", "CHN", 0.2, products=["8471"])]).shocks(toy)


def test_unknown_partner_is_named():
    with pytest.raises(ScenarioError, match="did you mean 'VNM'") as e:
        ts.Scenario("t", [ts.Tariff("USA", "vnm", 0.2)]).validate(goods())
    assert e.value.field == "instruments[0].exporter"
    # a partner with US import data that the baseline folds into ROW is fine
    ts.Scenario("t", [ts.Tariff("USA", "MMR", 0.4)]).validate(goods())
