"""The embedded sectoral baseline ("sectoral-2024") against published and hand-derived figures.

Published numbers are written here by hand: US Census 2024 partner totals (Feb-2025 release,
USD million), the OECD ICIO 2022 gross output that raw/README.md quotes, the 2024 US applied
tariff by partner (duty / imports, raw/README.md), PIIE's 21.2% and WTO MFN rates. The raw
and facts folders are read from ``$TARIFFSIM_RAW_DATA`` / ``$TARIFFSIM_FACTS_DATA`` (default
``../shared/data/...``); tests that need them skip when absent and fail under
TARIFFSIM_REQUIRE_VALIDATION=1. The full rebuild also needs the OECD ICIO array file
(``$TARIFFSIM_ICIO``: bench_cache.npz or the sanction-simulator 0.1.4 wheel, see
raw/README.md), which is not part of the shared data: without it that one test skips.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from validation_data import REPO_ROOT, facts_root, skip_or_fail

import tariffsim as ts
from tariffsim import datasets
from tariffsim.sectors import GOODS_SECTORS, SECTORS, SERVICE_SECTORS

DATA = REPO_ROOT / "tariffsim" / "data" / "sectoral_2024"
ECONOMIES = ("USA", "CHN", "VNM", "MYS", "THA", "KHM", "IDN", "PHL", "SGP", "JPN", "KOR",
             "IND", "MEX", "CAN", "HKG", "GBR", "AUS", "BRA", "EU27", "TWN", "CHE", "ROW")

# US Census 2024 goods trade, Feb-2025 release, USD million: (US exports, US imports).
CENSUS_2024 = {
    "CHN": (143_545.7, 438_947.4), "VNM": (13_098.2, 136_561.2), "MYS": (27_704.8, 52_534.8),
    "THA": (17_719.2, 63_328.2), "KHM": (321.6, 12_661.8), "TWN": (42_336.9, 116_264.0),
    "CHE": (24_962.0, 63_425.3), "MEX": (334_041.4, 505_850.6), "CAN": (349_359.9, 412_695.7),
    "EU27": (370_189.2, 605_760.4), "JPN": (79_740.8, 148_208.6), "IND": (41_752.7, 87_416.4),
}
US_EXPORTS_2024, US_IMPORTS_2024 = 2_064_500.0, 3_267_400.0
# OECD ICIO 2022 gross output, USD trillion, as quoted in raw/README.md.
ICIO_GO_2022 = {"USA": 45.30, "CHN": 45.09, "VNM": 1.545, "MYS": 1.005, "THA": 1.093,
                "KHM": 0.051, "TWN": 1.621}
# 2024 US applied tariff = calculated duty / imports for consumption (raw/README.md), percent.
US_RATE_2024 = {"VNM": 3.77, "CHN": 10.87, "MYS": 0.64, "KHM": 7.05}


def raw_root() -> Path:
    """``$TARIFFSIM_RAW_DATA``, else the ``raw`` folder beside the facts folder."""
    env = os.environ.get("TARIFFSIM_RAW_DATA")
    return Path(env) if env else facts_root().parent / "raw"


@pytest.fixture(scope="module")
def base() -> ts.Baseline:
    return ts.load_baseline("sectoral-2024")


@pytest.fixture(scope="module")
def output() -> pd.DataFrame:
    return datasets._read_csv("sectoral_2024/output.csv")


@pytest.fixture
def needs_raw() -> None:
    for folder, name in ((raw_root(), "us_imports_2024_by_partner_hs10.csv.gz"),
                         (facts_root(), "us_goods_trade_by_partner_2024.csv")):
        if not (folder / name).exists():
            skip_or_fail(f"{name} not found in {folder}; set TARIFFSIM_RAW_DATA / "
                         f"TARIFFSIM_FACTS_DATA")


@functools.cache
def _builder():
    spec = importlib.util.spec_from_file_location(
        "build_sectoral_baseline", REPO_ROOT / "tools" / "build_sectoral_baseline.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod       # dataclasses look their module up while defined
    spec.loader.exec_module(mod)
    return mod


def _goods(base: ts.Baseline, e: str, i: str) -> float:
    gi = [base.sector_index(s) for s in GOODS_SECTORS]
    return float(base.flows[base.country_index(e), base.country_index(i), gi].sum())


# ---------------------------------------------------------------- shape and registration
def test_registered_and_shaped(base):
    names = ts.list_baselines()["name"].tolist()
    assert {"default", "goods-2024", "sectoral-2024"} <= set(names)
    assert ts.load_baseline() == base                    # the default
    assert ts.load_baseline("sectoral-2024") == base
    assert base.countries == ECONOMIES
    assert base.sectors == SECTORS and len(GOODS_SECTORS) == 19 and len(SERVICE_SECTORS) == 3
    assert base.has_io and base.year == 2024 and base.units == "USD million"
    with pytest.raises(ValueError):
        base.flows[0, 0, 0] = 1.0


# ---------------------------------------------------------------- US: Census totals
@pytest.mark.parametrize("code", sorted(CENSUS_2024))
def test_us_goods_flows_equal_census(base, code):
    exports, imports = CENSUS_2024[code]
    assert _goods(base, "USA", code) == pytest.approx(exports, abs=1e-6)
    assert _goods(base, code, "USA") == pytest.approx(imports, abs=1e-6)


def test_vietnam_surplus_is_123463(base):
    assert _goods(base, "VNM", "USA") - _goods(base, "USA", "VNM") == pytest.approx(
        123_463.0, abs=1e-6)


def test_us_goods_totals_equal_census_world(base):
    gi = [base.sector_index(s) for s in GOODS_SECTORS]
    x = base.international()[:, :, gi].sum(axis=2)
    us = base.country_index("USA")
    assert x[us].sum() == pytest.approx(US_EXPORTS_2024, abs=1e-4)
    assert x[:, us].sum() == pytest.approx(US_IMPORTS_2024, abs=1e-4)


@pytest.mark.usefixtures("needs_raw")
def test_every_census_partner_balance_equals_the_facts(base):
    cen = pd.read_csv(facts_root() / "us_goods_trade_by_partner_2024.csv")
    names = _builder().CENSUS_FACTS
    cen = cen[cen.partner.isin(names)]
    assert len(cen) == 18
    for r in cen.itertuples():
        code = names[r.partner]
        assert _goods(base, "USA", code) == pytest.approx(r.exports_2024_musd, abs=1e-6)
        assert _goods(base, code, "USA") == pytest.approx(r.imports_2024_musd, abs=1e-6)
        bal = _goods(base, "USA", code) - _goods(base, code, "USA")
        assert bal == pytest.approx(r.balance_2024_musd, abs=0.15), r.partner  # facts round


# ---------------------------------------------------------------- ICIO and output
def test_icio_gross_output_as_quoted(output):
    go = output.groupby("country").gross_output_icio2022.sum() / 1e6
    for code, trn in ICIO_GO_2022.items():
        digits = len(str(trn).replace(".", "").lstrip("0"))
        assert go[code] == pytest.approx(trn, rel=10 ** (1 - digits)), code


def test_shares_sum_to_one(base, output):
    total = base.value_added + base.io.sum(axis=1)
    assert np.abs(total - 1).max() < 1e-9
    assert (base.io >= 0).all() and (base.value_added > 0).all()
    va = output.set_index(["country", "sector"]).value_added_share
    for k, c in enumerate(base.countries):
        np.testing.assert_allclose(va.loc[c].reindex(SECTORS).to_numpy(),
                                   base.value_added[k], atol=1e-11)


def test_flows_tariffs_finite_and_nonnegative(base):
    assert np.isfinite(base.flows).all() and (base.flows >= 0).all()
    assert np.isfinite(base.tariffs).all() and (base.tariffs >= 0).all()
    si = [base.sector_index(s) for s in SERVICE_SECTORS]
    assert (base.tariffs[:, :, si] == 0).all()                   # no tariffs on services
    assert (base.flows[:, :, si] > 0).any()                      # services are traded


def test_domestic_sales_are_output_minus_exports(base, output):
    o = output.set_index(["country", "sector"])
    # rows add up: gross output = domestic + exports, all rounded to USD thousand
    assert np.allclose(o.gross_output, o.domestic_sales + o.exports, atol=2.5e-3)
    # gross output = ICIO output x year/coverage scale + entrepot excess
    assert np.allclose(o.gross_output, o.gross_output_icio2022 * o.scale_2023
                       + o.entrepot_excess, atol=2.5e-3, rtol=1e-7)
    # entrepot cells: exports above 95% of output, domestic sales 5% of it
    e = o[o.entrepot_excess > 0]
    assert len(e) > 0
    np.testing.assert_allclose(e.domestic_sales, 0.05 * e.gross_output_icio2022 * e.scale_2023,
                               rtol=1e-5, atol=2e-3)
    # the baseline's diagonal is this column, its row sums are gross output
    for k, c in enumerate(base.countries):
        np.testing.assert_allclose(base.flows[k, k], o.loc[c].reindex(SECTORS).domestic_sales,
                                   atol=1e-9)
        np.testing.assert_allclose(base.gross_output()[k],
                                   o.loc[c].reindex(SECTORS).gross_output, atol=5e-3)


def _final_use(base: ts.Baseline) -> tuple[np.ndarray, np.ndarray]:
    """(absorption gross of tariffs, intermediate use), both (country, sector)."""
    absorb = (base.flows * (1 + base.tariffs)).sum(axis=0)
    use = np.einsum("nkj,nj->nk", base.io, base.flows.sum(axis=1))
    return absorb, use


def test_final_use_is_never_negative(base, output):
    # build step 9: wherever intermediate use would exceed absorption, the shares of that
    # input are scaled until final use is 1% of absorption; elsewhere they are untouched
    absorb, use = _final_use(base)
    scale = output.set_index(["country", "sector"]).input_use_scale
    adjusted = np.array([[scale[(c, s)] < 1 for s in base.sectors] for c in base.countries])
    assert adjusted.sum() >= 52                   # the 52 cells the calibration clipped
    fin = absorb - use
    np.testing.assert_allclose(fin[adjusted], 0.01 * absorb[adjusted], rtol=1e-6, atol=1e-3)
    assert (fin[~adjusted] >= 0.01 * absorb[~adjusted] - 1e-3).all()
    k, j = base.country_index("KOR"), base.sector_index("energy")
    assert adjusted[k, j]                         # KOR energy after the 2023 oil-price fall


def test_baseline_is_an_equilibrium_of_the_model(base):
    # no clipped final demand, no re-solved baseline: the result's baseline is the data
    r = ts.simulate(base, None)
    assert not any("re-solved" in n or "negative final" in n for n in r.notes)
    f = r.flows
    arr = np.zeros(base.flows.shape)
    ci = {c: i for i, c in enumerate(base.countries)}
    si = {s: k for k, s in enumerate(base.sectors)}
    arr[f.exporter.map(ci), f.importer.map(ci), f.sector.map(si)] = f.baseline
    np.testing.assert_allclose(arr, base.flows, rtol=1e-9, atol=1e-6)
    goods = f[f.sector.isin(GOODS_SECTORS)]
    vnm = (goods[(goods.exporter == "VNM") & (goods.importer == "USA")].baseline.sum()
           - goods[(goods.exporter == "USA") & (goods.importer == "VNM")].baseline.sum())
    assert vnm == pytest.approx(123_463.0, abs=0.15)   # Census 2024, Feb-2025 release


@pytest.mark.parametrize("code", ["VNM", "MYS"])
def test_no_gdp_floor_for_vietnam_and_malaysia(base, code):
    # The one-sector world floors their domestic sales at 10% of GDP (expenditure shares
    # 0.118 and 0.129). Here domestic sales are output minus exports: the domestic share of
    # absorption is far from the floor.
    k = base.country_index(code)
    dom = np.einsum("iij->i", base.flows)[k]
    absorption = base.flows[:, k, :].sum()
    assert dom / absorption > 0.5
    gi = [base.sector_index(s) for s in GOODS_SECTORS]
    assert base.flows[k, k, gi].sum() / base.flows[:, k, gi].sum() > 0.3
    one = ts.load_baseline("goods-2024")
    d = one.country_index(code)
    assert one.flows[d, d, 0] / one.flows[:, d, 0].sum() < 0.13


# ---------------------------------------------------------------- tariffs
@pytest.mark.parametrize("code", sorted(US_RATE_2024))
def test_us_tariff_is_the_import_weighted_duty(base, code):
    e, u = base.country_index(code), base.country_index("USA")
    gi = [base.sector_index(s) for s in GOODS_SECTORS]
    w = base.flows[e, u, gi]
    assert 100 * (base.tariffs[e, u, gi] * w).sum() / w.sum() == pytest.approx(
        US_RATE_2024[code], abs=0.005)


def test_partner_tariffs_on_us_goods(base):
    u = base.country_index("USA")

    def rate(p, s):
        return float(base.tariffs[u, base.country_index(p), base.sector_index(s)])

    # WTO MFN applied 2023, trade-weighted, MTN sub-category (single-category sectors)
    assert rate("EU27", "motor_vehicles") == pytest.approx(0.0865)
    assert rate("EU27", "iron_steel") == pytest.approx(0.0114)
    assert rate("IND", "iron_steel") == pytest.approx(0.1568)
    assert rate("IND", "motor_vehicles") == pytest.approx(0.2642)
    assert rate("JPN", "motor_vehicles") == 0.0
    # China: PIIE 21.2%, weighted by 2024 US exports to China
    c = base.country_index("CHN")
    w = base.flows[u, c, [base.sector_index(s) for s in GOODS_SECTORS]]
    t = base.tariffs[u, c, [base.sector_index(s) for s in GOODS_SECTORS]]
    assert (t * w).sum() / w.sum() == pytest.approx(0.212, abs=1e-6)
    for p in ("CAN", "MEX", "KOR", "AUS", "SGP", "HKG"):        # FTAs, free port
        assert base.tariffs[u, base.country_index(p)].max() == 0.0
    assert rate("VNM", "electronics") == 0.051 and rate("KHM", "food") == 0.102
    prov = base.provenance
    miss = prov[(prov.field == "tariffs") & (prov.source_key == "not_transcribed")]
    assert {"MYS", "THA", "ROW"} <= set(miss.importer)


# ---------------------------------------------------------------- provenance and files
def test_every_figure_has_a_source(base):
    prov = base.provenance
    src = datasets._read_csv("sectoral_2024/sources.csv")
    assert src.source_key.is_unique
    assert set(prov.source_key) <= set(src.source_key)
    assert (prov.source.str.strip() != "").all() and (prov.confidence.str.strip() != "").all()
    f = prov[prov.field == "flows"]
    assert len(f) == int((base.flows != 0).sum())
    assert {"io", "value_added", "flows", "tariffs"} <= set(prov.field)
    us = prov[(prov.field == "flows") & (prov.exporter == "VNM") & (prov.importer == "USA")
              & prov.sector.isin(GOODS_SECTORS)]
    assert set(us.source_key) == {"census2024_feb2025"}
    assert prov.loc[prov.field == "flows", "value"].notna().all()


def test_package_data_is_small_and_matches_its_manifest():
    man = pd.read_csv(DATA / "manifest.csv")
    out = man[man.role == "output"]
    assert set(out.file.str.replace("sectoral_2024/", "")) | {"manifest.csv"} == {
        p.name for p in DATA.glob("*.csv")}
    for r in out.itertuples():
        data = (DATA / Path(r.file).name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == r.sha256, r.file
    assert sum(p.stat().st_size for p in DATA.glob("*")) < 3e6
    assert man[man.role == "icio"].sha256.iloc[0].startswith("572753a9")


@pytest.mark.usefixtures("needs_raw")
def test_manifest_names_the_raw_files_at_hand():
    man = pd.read_csv(DATA / "manifest.csv")
    for r in man[man.role.isin(["raw", "facts"])].itertuples():
        folder = raw_root() if r.role == "raw" else facts_root()
        data = (folder / r.file.split("/", 1)[1]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == r.sha256, r.file


@pytest.mark.usefixtures("needs_raw")
def test_us_blocks_rebuild_from_the_raw_files():
    # the US rows and columns and the US tariffs need no ICIO: rebuild them from raw/facts
    b = _builder()
    reader = b.Reader(raw_root(), facts_root())
    us = b.us_data(reader)
    census = reader.csv("facts", "us_goods_trade_by_partner_2024.csv",
                        dtype={"census_cty_code": str})
    rows, _ = b.us_flows(us, census)
    shipped = datasets._read_csv("sectoral_2024/flows.csv")
    key = ["exporter", "importer", "sector"]
    m = rows[rows.value != 0].merge(shipped, on=key, how="left", suffixes=("", "_shipped"))
    assert m.value_shipped.notna().all()
    assert (m.value == m.value_shipped).all() and (m.source_key == m.source_key_shipped).all()
    t = b.us_tariffs(us).merge(datasets._read_csv("sectoral_2024/tariffs.csv"), on=key,
                               suffixes=("", "_shipped"))
    assert len(t) == 21 * 19 and (t.rate == t.rate_shipped).all()


def _icio_path() -> Path | None:
    env = os.environ.get("TARIFFSIM_ICIO")
    if env:
        if not Path(env).exists():
            pytest.fail(f"TARIFFSIM_ICIO={env} does not exist")
        return Path(env)
    local = raw_root() / "icio"
    return local if local.exists() else None


@pytest.mark.slow
@pytest.mark.usefixtures("needs_raw")
def test_build_script_reproduces_package_data(tmp_path):
    icio = _icio_path()
    if icio is None:
        pytest.skip("OECD ICIO array file not at hand: set TARIFFSIM_ICIO to bench_cache.npz "
                    "or the sanction-simulator 0.1.4 wheel (raw/README.md)")
    b = _builder()
    b.main(["--raw", str(raw_root()), "--facts", str(facts_root()), "--icio", str(icio),
            "--out", str(tmp_path)])
    for path in sorted(DATA.glob("*.csv")):
        new, old = pd.read_csv(tmp_path / path.name), pd.read_csv(path)
        assert list(new.columns) == list(old.columns) and len(new) == len(old), path.name
        for col in old.columns:
            if pd.api.types.is_numeric_dtype(old[col]) and old[col].dtype != bool:
                np.testing.assert_allclose(new[col], old[col], rtol=1e-9, atol=1e-6,
                                           err_msg=f"{path.name}:{col}")
            else:
                assert (new[col].fillna("") == old[col].fillna("")).all(), (path.name, col)
    # raw/README.md: "VNM C26 sells 8,027 to US industries"
    reader = b.Reader(raw_root(), facts_root())
    x = b.read_icio(icio, reader)
    s, c = x.industries.index("C26"), x.countries
    assert x.X[s, c.index("VNM"), :, c.index("USA")].sum() == pytest.approx(8_027, abs=1)


# ---------------------------------------------------------------- the GE model runs on it
@pytest.mark.parametrize("closure", ["fixed_deficit", "deficit_ratio", "balanced"])
def test_reciprocal_tariffs_solve_under_every_closure(base, closure):
    r = ts.simulate(base, "reciprocal-aug-2025", trade_elasticity=5, closure=closure)
    f = r.flows
    assert np.isfinite(f[["baseline", "scenario"]].to_numpy()).all()
    g = f[(f.importer == "USA") & f.sector.isin(GOODS_SECTORS)].groupby("exporter")
    change = g.scenario.sum() / g.baseline.sum() - 1
    # a 19-20% US tariff on their goods lowers US imports from them
    assert (change[["VNM", "THA", "MYS", "KHM", "IDN", "PHL"]] < 0).all()
    assert r.diagnostics["residual"] < 1e-8
