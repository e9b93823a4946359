"""The product-level US tariff schedule: line data, stacking rules, hand-derived line cases.

Expected rates are derived by hand from the legal texts (cited at each case) and from the
2024 line data read here directly from the package files: ``t0`` is the line's 2024
duty / imports, ``s`` its 2024 USMCA claim share. Nothing below is a number the engine
produced.
"""

from __future__ import annotations

import gzip
import importlib.util
import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from validation_data import facts_root, skip_or_fail

import tariffsim as ts
from tariffsim.errors import DataError, ScenarioError
from tariffsim.tariff_lines import cell_rates, effective_rates, line_rates, product_lists

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tariffsim" / "data"
TIMELINE = "us-tariffs-2025-2026"


@lru_cache(maxsize=1)
def _lines() -> pd.DataFrame:
    with gzip.open(DATA / "us_lines_2024.csv.gz", "rt") as fh:
        df = pd.read_csv(fh, dtype={"partner": str, "hs10": str})
    return df.set_index(["partner", "hs10"])


@lru_cache(maxsize=1)
def _usmca() -> pd.Series:
    with gzip.open(DATA / "us_usmca_shares_2024.csv.gz", "rt") as fh:
        df = pd.read_csv(fh, dtype={"partner": str, "hs10": str})
    return df.set_index(["partner", "hs10"]).share


def t0(partner: str, hs10: str) -> float:
    """2024 applied rate of a line: duty / imports (package data, read directly)."""
    r = _lines().loc[(partner, hs10)]
    return r.duty_usd / r.imports_usd


def usmca(partner: str, hs10: str) -> float:
    return float(_usmca().get((partner, hs10), 0.0))


def rate(partner: str, hs10: str, date: str, scenario=TIMELINE) -> float:
    df = line_rates(scenario, date, partner, products=[hs10])
    row = df[df.hs10 == hs10]
    assert len(row) == 1, (partner, hs10)
    return float(row.rate.iloc[0])


# ----------------------------------------------------------------------------- data
@pytest.mark.parametrize("partner, pct", [("VNM", 3.77), ("CHN", 10.87), ("MYS", 0.64),
                                          ("KHM", 7.05)])
def test_2024_rate_is_duty_over_imports(partner, pct):
    # raw/README.md: "duty_usd / imports_usd is the 2024 applied US tariff, e.g. Vietnam
    # 3.77%, China 10.87%, Malaysia 0.64%, Cambodia 7.05%"
    df = effective_rates(TIMELINE, "2025-01-15").set_index("exporter")
    assert round(df.loc[partner, "rate_baseline_pct"], 2) == pct
    sub = _lines().loc[partner]
    assert df.loc[partner, "rate_baseline_pct"] == pytest.approx(
        100 * sub.duty_usd.sum() / sub.imports_usd.sum(), rel=1e-12)


def test_nothing_changes_before_the_first_action():
    # 15 Jan 2025: no 2025 action in force; the 2018 Section 232 duties are in force and in
    # the 2024 duties, so every partner keeps its 2024 rate.
    df = effective_rates(TIMELINE, "2025-01-15")
    assert np.allclose(df.rate_pct, df.rate_baseline_pct, atol=1e-12)


def test_world_total_and_eu_aggregate():
    # raw/README.md checks: all partners 3,251.15 bn; the EU aggregate 597.47 bn.
    df = effective_rates(TIMELINE, "2025-09-01")
    assert df.imports_weight.sum() == pytest.approx(3_251_151.78, abs=0.01)
    assert df.set_index("exporter").loc["EU27", "imports_weight"] == pytest.approx(
        597_473.24, abs=0.01)
    assert df.exporter.is_unique and "DEU" not in set(df.exporter)
    tot = effective_rates(TIMELINE, "2025-09-01", by="total").iloc[0]
    assert tot.rate_pct == pytest.approx(
        (df.rate_pct * df.imports_weight).sum() / df.imports_weight.sum(), rel=1e-12)


def _hs2(partner: str) -> pd.DataFrame:
    with gzip.open(DATA / "us_imports_2024_hs2.csv.gz", "rt") as fh:
        df = pd.read_csv(fh, dtype={"partner": str, "hs2": str, "cty_code": str})
    return df[df.partner == partner]


def test_chapter_data_partner_keeps_its_2024_rate_and_gets_exact_additive_layers():
    # Laos has no HS10 data: its lines are imputed within chapters, with its chapter duty
    # kept. An additive 40% on its chapter 61-62 goods adds 40% x their share of its imports.
    ch = _hs2("LAO")
    m, d = ch.imports_usd.sum(), ch.duty_usd.sum()
    apparel = ch[ch.hs2.isin(["61", "62"])].imports_usd.sum()
    t = ts.Tariff("USA", "LAO", 0.40, mode="add", products=["61", "62"], start="2025-08-07")
    df = effective_rates([t], "2025-09-01", exporters=["LAO"]).iloc[0]
    assert df.basis == "hs2"
    assert df.imports_weight == pytest.approx(m / 1e6, rel=1e-12)
    assert df.rate_baseline_pct == pytest.approx(100 * d / m, rel=1e-9)
    assert df.added_pp == pytest.approx(40 * apparel / m, rel=1e-9)


def test_eu27_instrument_covers_member_states_and_rest_of_world():
    t = ts.Tariff("USA", "EU27", 0.10, mode="add", start="2025-01-01")
    df = effective_rates([t], "2025-06-01", exporters=["EU27", "DEU", "SVK", "JPN"])
    assert df.set_index("exporter").added_pp.to_dict() == pytest.approx(
        {"EU27": 10, "DEU": 10, "SVK": 10, "JPN": 0})
    row = ts.Tariff("USA", "ROW", 0.20, mode="add", start="2025-01-01")
    df = effective_rates([row, t], "2025-06-01").set_index("exporter")
    # no instrument names Laos or Japan, so both are in ROW; EU27 is named
    assert df.loc["LAO", "added_pp"] == pytest.approx(20)
    assert df.loc["JPN", "added_pp"] == pytest.approx(20)
    assert df.loc["EU27", "added_pp"] == pytest.approx(10)


def test_named_lists_carry_their_source():
    idx = product_lists()
    assert idx.list.is_unique
    assert (idx.source.str.len() > 10).all() and (idx.legal_basis.str.len() > 3).all()
    for name in ("annex_ii_2025_04", "annex_ii_2025_11", "electronics_2025_04_11",
                 "s232_steel_2018", "s232_copper_2025_08", "s232_vehicles_2025_04",
                 "s232_auto_parts_2025_05", "s232_metals_annex_ia_2026_04",
                 "s122_exempt_products", "brazil_eo14323_annex", "brazil_301_exemptions",
                 "canada_338_autos", "annex_iii_proxy", "usmca_2024", "s301_china_3",
                 "china_retaliation_2025_03_10pct"):
        assert name in set(idx.list), name
    # the April Annex II is HTS8 in the EO (padded to 10 digits in the source file)
    assert set(len(c) for c in ts.tariff_lines.list_codes("annex_ii_2025_04")) == {8}
    approx = idx[idx.description.str.contains("APPROXIMATION")].list
    assert {"annex_iii_proxy", "annex_ii_2025_09", "civil_aircraft_core"} <= set(approx)


# ----------------------------------------------------------------------------- hand cases
def test_section232_steel_line_from_vietnam():
    # Welded steel tube 7306.29.60.50 from Vietnam. Column 1 rate: Free; 2024 duty = the
    # 2018 Section 232 steel duty of 25% (Proclamation 9705), so t0 = 0.25.
    code = "7306296050"
    assert t0("VNM", code) == pytest.approx(0.25, abs=1e-6)
    assert rate("VNM", code, "2025-01-15") == pytest.approx(t0("VNM", code))
    # 1 Sep 2025: Section 232 steel 50% (Proclamation 10947, from 4 Jun 2025) replaces the
    # 2018 25%; the 20% reciprocal duty on Vietnam does not apply to Section 232 goods.
    assert rate("VNM", code, "2025-09-01") == pytest.approx(0.50, abs=1e-6)
    # 7 Apr 2026: 7306 is in metals Annex I-A: 50% on full value.
    assert rate("VNM", code, "2026-04-07") == pytest.approx(0.50, abs=1e-6)


@pytest.mark.parametrize("date, expected", [
    ("2025-01-15", 0.0),
    ("2025-02-05", 0.10),   # fentanyl 10% on China (EO 14195)
    ("2025-04-10", 1.45),   # reciprocal 125% + fentanyl 20%, before the 11 Apr memorandum
    ("2025-04-12", 0.20),   # electronics out of the reciprocal layer, fentanyl stays
    ("2025-11-15", 0.10),   # fentanyl cut to 10% on 10 Nov 2025 (EO 14357)
    ("2026-02-25", 0.0),    # IEEPA void; smartphones are exempt from Section 122
])
def test_smartphones_from_china(date, expected):
    code = "8517130000"
    assert t0("CHN", code) < 1e-8
    assert rate("CHN", code, date) == pytest.approx(t0("CHN", code) + expected, abs=1e-9)


@pytest.mark.parametrize("date, expected", [
    ("2025-04-06", 0.10),   # universal 10% from 5 Apr 2025
    ("2025-04-12", 0.0),    # electronics carve-out (memorandum of 11 Apr 2025)
    ("2025-09-01", 0.0),    # still exempt under the 20% rate of 7 Aug 2025
    ("2026-02-25", 0.0),    # exempt from Section 122 (Annex I (aa)(ii))
])
def test_laptops_from_vietnam(date, expected):
    code = "8471300100"
    assert t0("VNM", code) == 0.0
    assert rate("VNM", code, date) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("code", ["1511900000", "1804000000"])
def test_annex_iii_zero_rate_for_malaysia(code):
    # Palm oil and cocoa butter from Malaysia (Column 1: Free). Reciprocal 19% from
    # 7 Aug 2025 (EO 14326 Annex I); 0% for the identified Annex III products from
    # 26 Oct 2025 (USTR fact sheet: "19 percent ... except for identified products from the
    # list set out in Annex III to Executive Order 14346"); palm oil, rubber and cocoa are
    # named by the Malaysian government.
    assert t0("MYS", code) == 0.0
    assert rate("MYS", code, "2025-10-25") == pytest.approx(0.19, abs=1e-12)
    assert rate("MYS", code, "2025-10-27") == pytest.approx(0.0, abs=1e-12)
    # the same product from Indonesia (no Annex III selection) keeps its 19%
    if ("IDN", code) in _lines().index:
        assert rate("IDN", code, "2025-10-27") == pytest.approx(t0("IDN", code) + 0.19,
                                                                abs=1e-9)


def test_usmca_claim_shares_for_canada_and_mexico():
    # Crude oil from Canada: energy pays the 10% fentanyl rate, only on the share not
    # claiming USMCA (EO 14193 as amended 6 Mar 2025, from 7 Mar 2025).
    code = "2709001000"
    base, s = t0("CAN", code), usmca("CAN", code)
    assert 0.2 < s < 0.3
    assert rate("CAN", code, "2025-03-05") == pytest.approx(base + 0.10, abs=1e-12)
    assert rate("CAN", code, "2025-09-01") == pytest.approx(base + 0.10 * (1 - s), abs=1e-12)
    # Canadian hot-rolled steel 7208.37.00.60 (Free, no USMCA claims in 2024): Canada was
    # exempt from Section 232 until 12 Mar 2025, so the 25% fentanyl duty applies; from
    # 12 Mar the 25% Section 232 duty replaces it (fentanyl yields), 50% from 4 Jun 2025.
    code = "7208370060"
    assert t0("CAN", code) == 0.0 and usmca("CAN", code) == 0.0
    for date, expected in (("2025-03-10", 0.25), ("2025-03-13", 0.25), ("2025-06-05", 0.50)):
        assert rate("CAN", code, date) == pytest.approx(expected, abs=1e-12), date
    # Mexican engine 8407.34.48.00: before the auto-parts duty the 25% fentanyl duty on the
    # non-USMCA share; from 3 May 2025 the 25% auto-parts duty on that share (USMCA-
    # compliant parts exempt) and the fentanyl duty gives way to Section 232.
    code = "8407344800"
    base, s = t0("MEX", code), usmca("MEX", code)
    assert 0.6 < s < 0.7
    for date in ("2025-04-15", "2025-06-01"):
        assert rate("MEX", code, date) == pytest.approx(base + 0.25 * (1 - s), abs=1e-12)
    # 25 Feb 2026: the 232 duty stays, no Section 122 on it
    assert rate("MEX", code, "2026-02-25") == pytest.approx(base + 0.25 * (1 - s), abs=1e-12)


def test_japanese_line_under_the_15_percent_floor():
    # Handbags 4202.21.90.00 (Column 1: 9%). 1 Aug 2025: universal 10% on top; 1 Sep 2025:
    # 15% inclusive of the Column 1 duty (EO 14326 / US-Japan deal): max(t0, 15%).
    code = "4202219000"
    base = t0("JPN", code)
    assert base == pytest.approx(0.09, abs=1e-4)
    assert rate("JPN", code, "2025-08-01") == pytest.approx(base + 0.10, abs=1e-12)
    assert rate("JPN", code, "2025-09-01") == pytest.approx(0.15, abs=1e-12)
    # a duty-free Japanese line goes to 15% too
    assert rate("JPN", "9018390050", "2025-09-01") == pytest.approx(0.15, abs=1e-12)


@pytest.mark.parametrize("date, added", [
    ("2025-02-05", 0.10),   # fentanyl 10% (EO 14195)
    ("2025-03-05", 0.20),   # fentanyl 20% (EO 14228)
    ("2025-04-06", 0.30),   # + reciprocal 10% (EO 14257)
    ("2025-04-09", 1.04),   # reciprocal 84%
    ("2025-04-10", 1.45),   # reciprocal 125%
    ("2025-05-14", 0.30),   # Geneva: reciprocal back to 10% (EO 14298)
    ("2025-11-10", 0.20),   # truce: fentanyl 10% (EO 14357)
    ("2026-02-25", 0.10),   # Section 122 only
])
def test_chinese_toys_through_the_escalation_and_truce(date, added):
    code = "9503000090"   # toys: Column 1 Free, Section 301 list 4B suspended -> t0 = 0
    assert t0("CHN", code) == 0.0
    assert rate("CHN", code, date) == pytest.approx(added, abs=1e-12)


def test_lines_on_25_february_2026_under_section_122():
    d = "2026-02-25"
    # Vietnamese cotton sweaters (Column 1: 16.5%): + 10%
    assert rate("VNM", "6110202079", d) == pytest.approx(t0("VNM", "6110202079") + 0.10,
                                                         abs=1e-12)
    # Brazilian coffee: exempt (agricultural products of Annex I (aa)(ii))
    assert rate("BRA", "0901110025", d) == pytest.approx(0.0, abs=1e-12)
    # Vietnamese steel tube: Section 232 only
    assert rate("VNM", "7306296050", d) == pytest.approx(0.50, abs=1e-6)
    # Mexican televisions: 10% on the non-USMCA share
    code = "8528726460"
    assert rate("MEX", code, d) == pytest.approx(
        t0("MEX", code) + 0.10 * (1 - usmca("MEX", code)), abs=1e-12)


def test_brazilian_coffee_matches_the_census_implied_rate():
    # Budget Lab (docs/country_eo_annex_overshoot.md @8315fffd): Census-implied rate of
    # Brazilian coffee 0901.11.00.25 in October 2025 = 49.97% = 10% reciprocal + 40% EO 14323.
    assert rate("BRA", "0901110025", "2025-10-15") == pytest.approx(0.4997, abs=0.001)
    # coffee joined Annex II and the Brazil exemptions on 13 Nov 2025
    assert rate("BRA", "0901110025", "2025-11-20") == pytest.approx(0.0, abs=1e-12)


# ----------------------------------------------------------------------------- rules
V = "7306296050"   # Vietnamese steel tube, t0 = 0.25
L = "6110202079"   # Vietnamese sweater, t0 = 0.165


def _r(insts, code=L, date="2025-09-01", partner="VNM"):
    return rate(partner, code, date, scenario=insts)


def test_yield_on_a_value_share():
    # a derivative taxed on 12% metal content at 50%; the reciprocal 20% on the rest
    s232 = ts.Tariff("USA", "*", 0.5, mode="add", layer="s232_x", products=[L],
                     value_share=0.12)
    rec = ts.Tariff("USA", "VNM", 0.2, mode="add", layer="rec", yields_to=["s232_*"])
    assert _r([s232, rec]) == pytest.approx(t0("VNM", L) + 0.5 * 0.12 + 0.2 * 0.88)
    # an exemption is a zero-rate layer that others yield to
    ex = ts.Tariff("USA", "*", 0.0, mode="add", layer="exempt_rec", products=["6110"])
    rec2 = ts.Tariff("USA", "VNM", 0.2, mode="add", layer="rec", yields_to=["exempt_*"])
    assert _r([ex, rec2]) == pytest.approx(t0("VNM", L))
    assert _r([ex, rec2], code=V) == pytest.approx(t0("VNM", V) + 0.2)


def test_shares_in_the_same_dimension_overlap():
    # both layers exempt the USMCA share s: the non-claimed share pays 232, not fentanyl
    code = "8407344800"
    s = usmca("MEX", code)
    a = ts.Tariff("USA", "MEX", 0.25, mode="add", layer="s232_a", products=["8407"],
                  exempt_share="usmca_2024")
    f = ts.Tariff("USA", "MEX", 0.25, mode="add", layer="fent", exempt_share="usmca_2024",
                  yields_to=["s232_*"])
    assert _r([a, f], code, partner="MEX") == pytest.approx(t0("MEX", code) + 0.25 * (1 - s))
    # a uniform exempt share and a value share are independent dimensions
    f2 = ts.Tariff("USA", "MEX", 0.10, mode="add", layer="f", exempt_share=0.5,
                   yields_to=["m"])
    m = ts.Tariff("USA", "MEX", 0.30, mode="add", layer="m", products=["8407"],
                  value_share=0.4)
    # f2 covers 0.5 of shipments; m covers 0.4 of the value of all shipments: overlap 0.5*0.4
    expected = t0("MEX", code) + 0.3 * 0.4 + 0.10 * (0.5 - 0.5 * 0.4)
    assert _r([m, f2], code, partner="MEX") == pytest.approx(expected)


def test_modes_set_floor_add_and_order():
    base = t0("VNM", L)
    s = ts.Tariff("USA", "VNM", 0.05, mode="set", layer="a")
    fl = ts.Tariff("USA", "VNM", 0.12, mode="floor", layer="b")
    ad = ts.Tariff("USA", "VNM", 0.02, mode="add", layer="c")
    assert _r([s]) == pytest.approx(0.05)
    assert _r([fl]) == pytest.approx(max(base, 0.12))   # 0.165 stays
    assert _r([ad, fl, s]) == pytest.approx(max(0.05, 0.12) + 0.02)  # set, floor, add
    half = ts.Tariff("USA", "VNM", 0.30, mode="floor", layer="b", value_share=0.5)
    assert _r([half]) == pytest.approx(0.5 * base + 0.5 * 0.30)


def test_in_baseline_layers_leave_the_2024_duty_only_when_they_end():
    old = ts.Tariff("USA", "*", 0.25, mode="add", layer="old", products=["7306"],
                    in_baseline=True, end="2025-03-12")
    new = ts.Tariff("USA", "*", 0.50, mode="add", layer="new", products=["7306"],
                    start="2025-06-04")
    assert _r([old, new], V, "2025-01-15") == pytest.approx(t0("VNM", V))
    assert _r([old, new], V, "2025-04-01") == pytest.approx(t0("VNM", V) - 0.25)
    assert _r([old, new], V, "2025-09-01") == pytest.approx(t0("VNM", V) - 0.25 + 0.50)
    # removal is capped at the 2024 duty: a duty-free line stays at zero
    assert _r([old], "7306301000", "2025-04-01") == pytest.approx(
        max(t0("VNM", "7306301000") - 0.25, 0.0))


def test_legacy_sector_and_coverage_fields():
    # model sectors filter lines; other names need coverage (share of the pair's trade)
    t = ts.Tariff("USA", "VNM", 0.1, mode="add", sectors=["textiles_apparel"])
    assert _r([t]) == pytest.approx(t0("VNM", L) + 0.1)
    assert _r([t], V) == pytest.approx(t0("VNM", V))
    t = ts.Tariff("USA", "VNM", 0.1, mode="add", sectors=["total"], coverage=0.3)
    assert _r([t], V) == pytest.approx(t0("VNM", V) + 0.03)
    t = ts.Tariff("USA", "VNM", 0.1, mode="add", exempt=["Annex III"], exempt_coverage=0.2)
    assert _r([t], V) == pytest.approx(t0("VNM", V) + 0.08)
    with pytest.raises(ScenarioError, match="model sectors"):
        effective_rates([ts.Tariff("USA", "VNM", 0.1, sectors=["total"])], "2025-01-01")


def test_partner_rates_equal_line_sums_computed_independently():
    # Random additive layers on chapters, and a floor, checked against the line table read
    # with pandas: added_pp = sum_k rate_k x (share of the partner's imports in k's chapters);
    # a 15% floor gives sum_l m_l max(t0_l, 0.15) / sum_l m_l.
    rng = np.random.default_rng(7)
    lines = _lines().reset_index()
    lines["ch"] = lines.hs10.str[:2]
    partners = ["VNM", "MEX", "EU27", "KOR", "IND"]
    for _ in range(5):
        insts, expected = [], {p: 0.0 for p in partners}
        for _k in range(4):
            chapters = sorted({f"{c:02d}" for c in rng.integers(1, 98, 6)} - {"77"})
            who = list(rng.choice(partners, 2, replace=False))
            r = float(rng.uniform(0.01, 0.5))
            insts.append(ts.Tariff("USA", who, r, mode="add", products=chapters))
            for p in who:
                sub = lines[lines.partner == p]
                expected[p] += 100 * r * sub[sub.ch.isin(chapters)].imports_usd.sum() \
                    / sub.imports_usd.sum()
        got = effective_rates(insts, "2025-06-01", exporters=partners).set_index("exporter")
        for p in partners:
            assert got.loc[p, "added_pp"] == pytest.approx(expected[p], rel=1e-9, abs=1e-9)
    sub = lines[lines.partner == "JPN"]
    t = sub.duty_usd / sub.imports_usd
    want = 100 * (sub.imports_usd * np.maximum(t, 0.15)).sum() / sub.imports_usd.sum()
    floor = ts.Tariff("USA", "JPN", 0.15, mode="floor")
    got = effective_rates([floor], "2025-06-01", exporters=["JPN"]).iloc[0]
    assert got.rate_pct == pytest.approx(want, rel=1e-12)


# ----------------------------------------------------------------------------- cell rates
def test_cell_rates_are_import_weighted_means_of_line_rates():
    insts = ts.scenarios.load(TIMELINE).instruments
    partners = ["USA", "VNM", "EU27", "CHN", "ROW"]
    one = cell_rates(insts, "2025-09-01", partners=partners, sector_of_line="total")
    by = effective_rates(TIMELINE, "2025-09-01").set_index("exporter")
    o = one.set_index("partner")
    for p in ("VNM", "EU27", "CHN"):
        assert 100 * o.loc[p, "rate"] == pytest.approx(by.loc[p, "rate_pct"], rel=1e-12)
    assert o.loc["USA", "rate"] == 0 and o.loc["USA", "imports_weight"] == 0
    # ROW = every partner but VNM, EU27 (with its members) and CHN
    rest = by.drop(index=["VNM", "EU27", "CHN"])
    assert o.loc["ROW", "imports_weight"] == pytest.approx(rest.imports_weight.sum())
    assert 100 * o.loc["ROW", "rate"] == pytest.approx(
        (rest.rate_pct * rest.imports_weight).sum() / rest.imports_weight.sum())
    sec = cell_rates(insts, "2025-09-01", partners=partners, sectors=list(ts.sectors.SECTORS))
    assert len(sec) == len(partners) * len(ts.sectors.SECTORS)
    v = sec[sec.partner == "VNM"]
    assert (v.rate * v.imports_weight).sum() / v.imports_weight.sum() == pytest.approx(
        o.loc["VNM", "rate"])
    # sectors without 2024 imports (trade and transport services): weight 0 and the
    # partner's mean rate, so no rate is missing
    zero = v[v.imports_weight == 0]
    assert "trade_transport" in set(zero.sector)
    assert np.allclose(zero.rate, o.loc["VNM", "rate"])
    assert np.isfinite(sec[["rate", "rate_baseline"]].to_numpy()).all()


def test_cell_rates_with_a_custom_sector_map_and_aggregates():
    t = ts.Tariff("USA", "*", 0.1, mode="add", products=["61", "62"])
    out = cell_rates([t], "2025-09-01", partners={"ASEAN": ["VNM", "KHM"], "ROW": ["ROW"]},
                     sector_of_line={"61": "apparel", "62": "apparel", "0": "other",
                                     "1": "other", "2": "other", "3": "other", "4": "other",
                                     "5": "other", "7": "other", "8": "other", "9": "other",
                                     "60": "other", "63": "other", "64": "other",
                                     "65": "other", "66": "other", "67": "other",
                                     "68": "other", "69": "other"})
    a = out.set_index(["partner", "sector"])
    assert a.loc[("ASEAN", "apparel"), "rate"] - a.loc[("ASEAN", "apparel"),
                                                       "rate_baseline"] == pytest.approx(0.1)
    assert a.loc[("ASEAN", "other"), "rate"] == pytest.approx(
        a.loc[("ASEAN", "other"), "rate_baseline"])


# ----------------------------------------------------------------------------- errors
def test_errors_name_the_field_and_the_fix():
    with pytest.raises(DataError, match="US imports only"):
        effective_rates(TIMELINE, "2025-09-01", importer="CHN")
    with pytest.raises(DataError, match="did you mean 'VNM'"):
        effective_rates(TIMELINE, "2025-09-01", exporters=["VMN"])
    with pytest.raises(ScenarioError, match="by"):
        effective_rates(TIMELINE, "2025-09-01", by="country")
    with pytest.raises(ScenarioError, match="exporter"):
        effective_rates([ts.Tariff("USA", "XYZ", 0.1)], "2025-09-01")
    with pytest.raises(DataError, match="sector_of_line"):
        cell_rates([], "2025-09-01", partners=["VNM"], sector_of_line="isic")
    with pytest.raises(DataError, match="partners"):
        cell_rates([], "2025-09-01", partners=["ZZZ"])
    with pytest.raises(ScenarioError, match="choose one of"):
        effective_rates("no-such-scenario", "2025-09-01")
    with pytest.raises(ScenarioError, match="date"):
        effective_rates([ts.Tariff("USA", "VNM", 0.1)])


@pytest.mark.parametrize("kw, match", [
    ({"products": ["list:annex_ii_2025_4"]}, "did you mean 'annex_ii_2025_04'"),
    ({"products": ["847"]}, "neither an HTS code"),
    ({"products": ["list:canada_retaliation_2025_03"]}, None),  # accepted by the instrument
    ({"exempt_share": "usmca"}, "did you mean 'usmca_2024'"),
    ({"exempt_share": 1.5}, "share must lie"),
    ({"value_share": 0}, "share must lie"),
    ({"in_baseline": True, "mode": "set"}, "mode='add'"),
    ({"in_baseline": "yes"}, "true or false"),
    ({"yields_to": [""]}, "must not be empty"),
    ({"products": ["8471"], "exempt_products": ["8471"]}, "both covered"),
])
def test_bad_product_fields(kw, match):
    if match is None:
        t = ts.Tariff("USA", "VNM", 0.1, **kw)
        with pytest.raises(ScenarioError, match="partner's own tariff"):
            effective_rates([t], "2025-09-01")
        return
    with pytest.raises(ScenarioError, match=match):
        ts.Tariff("USA", "VNM", 0.1, **kw)


def test_new_fields_round_trip_through_toml():
    t = ts.Tariff("USA", ["CAN", "MEX"], 0.25, mode="add", layer="s232_autos",
                  products=["list:s232_vehicles_2025_04", "8708.10"],
                  exempt_products=["8708.10.30"], exempt_share="usmca_2024",
                  value_share=0.5, yields_to=["s232_trucks", "exempt_*"], start="2025-04-03",
                  source="Proclamation 10908")
    u = ts.Tariff("USA", "*", 0.25, mode="add", layer="old", in_baseline=True,
                  exempt_share=0.3, end="2025-03-12")
    s = ts.Scenario("rt", [t, u])
    text = s.to_toml()
    assert 'exempt_share = "usmca_2024"' in text and "in_baseline = true" in text
    back = ts.Scenario.from_toml(text)
    assert back == s
    assert back.instruments[0].products == ("list:s232_vehicles_2025_04", "8708.10")
    assert back.instruments[1].exempt_share == 0.3


def test_built_in_timeline_round_trips_and_is_sourced():
    s = ts.scenarios.load(TIMELINE)
    assert ts.Scenario.from_toml(s.to_toml()) == s
    assert all(i.source for i in s.instruments)
    # what is not in the facts is flagged
    fl = [i for i in s.instruments if i.layer == "section301_forced_labour" and i.rate == 0.125]
    assert fl and all(i.illustrative for i in fl)
    assert s.describe()  # the text table renders every instrument


def _raw_root() -> Path:
    env = os.environ.get("TARIFFSIM_RAW_DATA")
    return Path(env) if env else facts_root().parent / "raw"


def _load_tool(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "tools" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_build_script_reproduces_the_package_data(tmp_path):
    raw = _raw_root()
    if not (raw / "us_imports_2024_by_partner_hs10.csv.gz").exists():
        skip_or_fail(f"raw data not found at {raw}; set TARIFFSIM_RAW_DATA")
    mod = _load_tool("build_tariff_lines")
    assert mod.main([str(raw), "--out", str(tmp_path)]) == 0
    for name in ("us_lines_2024.csv.gz", "us_imports_2024_hs2.csv.gz", "us_partners_2024.csv",
                 "us_tariff_lists.csv.gz", "us_tariff_lists_index.csv",
                 "us_usmca_shares_2024.csv.gz", "us_tariff_lines_sources.csv"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
    src = pd.read_csv(DATA / "us_tariff_lines_sources.csv")
    assert src.sha256.str.fullmatch(r"[0-9a-f]{64}").all()


def test_timeline_script_reproduces_the_scenario():
    raw, facts = _raw_root(), facts_root()
    if not (raw / "us_tariff_lists").exists() or not facts.exists():
        skip_or_fail(f"raw or facts data not found at {raw}, {facts}")
    mod = _load_tool("build_us_tariffs_timeline")
    shipped = (REPO / "tariffsim" / "scenarios" / f"{TIMELINE}.toml").read_text()
    assert mod.build(raw, facts).to_toml() == shipped
    # liberation-day-2025 is written by the same script: includes of the timeline and the
    # April Annex I rates
    ld, include = mod.build_liberation_day(raw, facts)
    shipped = (REPO / "tariffsim" / "scenarios" / "liberation-day-2025.toml").read_text()
    assert mod.to_toml(ld, include) == shipped
    assert mod.main([str(raw), str(facts), "--check"]) == 0
