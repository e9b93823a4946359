"""Purchase commitments are floors ("at least"), solved as a complementarity problem in
GE, GSIM and SMART alike (docs/commitments.md).

Hand-derived numbers: the one-sector world's 2024 US exports to Vietnam are 13,098.2 (USD
million, Census); a floor is ``M0 + realisation * increment`` or ``realisation * level``.
The issue's example (tariffsim issue 11): with a 20% cut in US-Vietnam trade costs,
Vietnam's imports from the US are 36.9 bn, and a USD 1 mn commitment must leave them there
(the old exact-target rule cut them to 13.1 bn).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

import tariffsim as ts
import tariffsim.pe as pe
from tariffsim.errors import ScenarioError

GOODS = ts.load_baseline("goods-2024")
US_TO_VN = 13098.2   # Census 2024 US exports to Vietnam (USD million), the one-sector data


def _imports(result, importer="VNM", exporter="USA"):
    f = result.flows
    return float(f[(f.exporter == exporter) & (f.importer == importer)]["scenario"].sum())


def _commit(value, basis="increment", realisation=1.0, importer="VNM", **kw):
    return ts.ImportCommitment(importer=importer, exporter="USA", value=value, basis=basis,
                               realisation=realisation, **kw)


# ---------------------------------------------------------------------- GE
def test_ge_commitment_already_met_changes_nothing_issue_example():
    cut = ts.TradeCost(importer="VNM", exporter="USA", factor=0.8)
    without = ts.simulate(GOODS, ts.Scenario("cut", [cut]))
    with_c = ts.simulate(GOODS, ts.Scenario("cut+1mn", [cut, _commit(1.0)]))
    # the trade-cost cut alone: 36.9 bn (issue 11); the commitment (floor 13,099.2) is slack
    assert _imports(without) == pytest.approx(36_900, abs=50)
    assert _imports(with_c) == pytest.approx(_imports(without), rel=1e-9)
    pdt.assert_frame_equal(with_c.countries, without.countries, rtol=1e-9)
    (ex,) = with_c.extras.values()
    assert ex["target"] == pytest.approx(US_TO_VN + 1.0)
    assert ex["binding"] is False and ex["demand_shifter"] == 1.0


@pytest.mark.parametrize("realisation", [0.58, 1.0])
def test_ge_binding_increment_is_met_at_each_realisation(realisation):
    r = ts.simulate(GOODS, ts.Scenario("buy", [_commit(8000.0, realisation=realisation)]))
    target = US_TO_VN + realisation * 8000.0      # 17,738.2 and 21,098.2
    assert _imports(r) == pytest.approx(target, rel=1e-8)
    (ex,) = r.extras.values()
    assert ex["binding"] is True and ex["demand_shifter"] > 1.0
    assert ex["target"] == pytest.approx(target, rel=1e-12)


@pytest.mark.parametrize("realisation, binds", [(1.0, True), (0.58, False)])
def test_ge_level_binds_only_above_the_data(realisation, binds):
    """A level of 20,000 binds at realisation 1 (above 13,098.2); at 0.58 the floor is
    11,600, below the data, so nothing changes."""
    r = ts.simulate(GOODS, ts.Scenario("lvl", [_commit(20000.0, "level", realisation)]))
    (ex,) = r.extras.values()
    assert ex["target"] == pytest.approx(20000.0 * realisation)
    assert ex["binding"] is binds
    assert _imports(r) == pytest.approx(20000.0 if binds else US_TO_VN, rel=1e-8)


def test_ge_complementarity_holds_on_several_floors():
    """b >= 1, M >= floor, (b - 1)(M - floor) = 0 for each of four commitments, two of
    them slack (a tariff cut by Thailand and Cambodia lifts their imports past a small
    floor), two binding."""
    s = ts.Scenario("mix", [
        ts.Tariff(importer=["THA", "KHM"], exporter="USA", rate=-0.3, mode="add"),
        _commit(1.0, importer="THA"), _commit(1.0, importer="KHM"),
        _commit(5000.0, importer="VNM"), _commit(3000.0, importer="MYS")])
    r = ts.simulate(GOODS, s)
    assert len(r.extras) == 4
    for ex in r.extras.values():
        b, m, floor = ex["demand_shifter"], ex["value"], ex["target"]
        assert b >= 1.0 - 1e-12 and m >= floor * (1 - 1e-8)
        assert (b - 1.0) * (m - floor) == pytest.approx(0.0, abs=1e-6 * floor)
    binding = {k.split("<-")[0][-3:]: v["binding"] for k, v in r.extras.items()}
    assert binding == {"THA": False, "KHM": False, "VNM": True, "MYS": True}


def test_ge_increment_is_added_in_the_balanced_world():
    """Under the balanced closure the floor is the zero-deficit world's imports plus the
    increment, not the data's."""
    zero = ts.simulate(GOODS, None, closure="balanced")
    r = ts.simulate(GOODS, ts.Scenario("buy", [_commit(2000.0)]), closure="balanced")
    (ex,) = r.extras.values()
    assert _imports(zero) != pytest.approx(US_TO_VN, rel=1e-3)  # the worlds differ
    assert ex["target"] == pytest.approx(_imports(zero) + 2000.0, rel=1e-9)
    assert _imports(r) == pytest.approx(_imports(zero) + 2000.0, rel=1e-8)


def test_ge_sector_commitment_on_the_sectoral_world():
    b = ts.load_baseline("sectoral-2024")
    s = ts.Scenario("air", [_commit(5000.0, importer="MYS", sectors=["other_transport"])])
    r = ts.simulate(b, s)
    f = r.flows
    cell = f[(f.exporter == "USA") & (f.importer == "MYS") & (f.sector == "other_transport")]
    (ex,) = r.extras.values()
    assert float(cell["scenario"].iloc[0]) == pytest.approx(ex["target"], rel=1e-8)
    assert ex["target"] == pytest.approx(float(cell["baseline"].iloc[0]) + 5000.0, rel=1e-9)


# ---------------------------------------------------------------------- resolver
def test_floors_from_the_resolver():
    s = ts.Scenario("t", [
        _commit(1000.0, start="2026", by="2030", realisation=0.5),   # 0.5 * 1000 * 2/5
        _commit(3000.0, "level", realisation=0.5, start="2026"),     # 1,500
    ])
    (c,) = s.shocks(GOODS, year=2027).commitments
    assert c.increment == pytest.approx(200.0) and c.level == pytest.approx(1500.0)
    assert c.value == pytest.approx(max(US_TO_VN + 200.0, 1500.0))
    assert c.floor(100.0) == pytest.approx(1500.0)        # in a world with small imports
    # realisation 0: no floor at all (not a floor at the baseline)
    assert ts.Scenario("z", [_commit(10.0, realisation=0.0)]).shocks(GOODS).commitments == []


def test_missing_basis_in_a_file_names_the_fix():
    text = ('name = "x"\n[[instruments]]\ntype = "import_commitment"\nimporter = "MYS"\n'
            'exporter = "USA"\nvalue = 3400.0\n')
    with pytest.raises(ScenarioError) as e:
        ts.Scenario.from_toml(text)
    msg = str(e.value)
    assert "instruments[0].basis" in msg and "line 2" in msg
    assert 'basis = "increment"' in msg and 'basis = "level"' in msg
    ok = ts.Scenario.from_toml(text + 'basis = "level"\nrealisation = 0.58\n')
    assert ok.instruments[0].basis == "level" and ok.instruments[0].realisation == 0.58
    assert ts.Scenario.from_toml(ok.to_toml()) == ok
    assert "realisation = 0.58" in ok.to_toml()


# ---------------------------------------------------------------------- PE
@pytest.fixture
def market() -> pd.DataFrame:
    """Vietnam's imports of two products from four sources (illustrative values)."""
    return pd.DataFrame({
        "importer": "VNM", "exporter": ["USA", "CHN", "KOR", "USA", "CHN", "JPN"],
        "product": ["p1", "p1", "p1", "p2", "p2", "p2"],
        "value": [100.0, 300.0, 200.0, 50.0, 250.0, 100.0],
        "tariff": [0.20, 0.05, 0.0, 0.15, 0.05, 0.0]})


def _cut_us(*extra):
    return ts.Scenario("cut", [ts.Tariff(importer="VNM", exporter="USA", rate=0.0), *extra])


@pytest.mark.parametrize("model", ["smart", "gsim"])
def test_pe_commitment_already_met_changes_nothing(market, model):
    without = ts.simulate(market, _cut_us(), model=model)
    us = without.products.query("exporter == 'USA'")
    assert us["imports_scenario"].sum() > 150.0 + 1.0      # the cut lifts them past 151
    with_c = ts.simulate(market, _cut_us(_commit(1.0)), model=model)
    pdt.assert_frame_equal(with_c.products, without.products)


@pytest.mark.parametrize("model", ["smart", "gsim"])
@pytest.mark.parametrize("realisation", [0.58, 1.0])
def test_pe_binding_commitment_is_met(market, model, realisation):
    """Without any tariff change a commitment of 40 more binds: imports from the US over
    both products reach 150 + realisation * 40 (one floor on the pair's total)."""
    s = ts.Scenario("buy", [_commit(40.0, realisation=realisation)])
    r = ts.simulate(market, s, model=model)
    us = r.products.query("exporter == 'USA'")["imports_scenario"].sum()
    assert us == pytest.approx(150.0 + realisation * 40.0, rel=1e-9)


@pytest.mark.parametrize("model", ["smart", "gsim"])
def test_pe_floor_on_a_product_subset_is_one_floor(market, model):
    """A commitment on p1 and p2 is one floor on their sum (150 + 15), not one per
    product: binding, the sum reaches it; after a tariff cut on p1 alone (which lifts p1
    by more than 15) it is slack and p2 keeps its 50, where a floor per product
    (50 + 15 * 50 / 150 = 55) would have bound."""
    data = pd.concat([market, market[market["product"] == "p1"].assign(product="p3")],
                     ignore_index=True)
    buy = _commit(15.0, sectors=["p1", "p2"])
    r = ts.simulate(data, ts.Scenario("buy", [buy]), model=model)
    us = r.products.query("exporter == 'USA'").groupby("product")["imports_scenario"].sum()
    assert us["p1"] + us["p2"] == pytest.approx(150.0 + 15.0, rel=1e-9)
    assert us["p3"] == pytest.approx(100.0, rel=1e-12)
    cut = ts.Tariff(importer="VNM", exporter="USA", rate=0.0, sectors=["p1"])
    r = ts.simulate(data, ts.Scenario("cut+buy", [cut, buy]), model=model)
    us = r.products.query("exporter == 'USA'").groupby("product")["imports_scenario"].sum()
    assert us["p1"] > 100.0 + 15.0
    assert us["p2"] == pytest.approx(50.0, rel=1e-12)


def test_gsim_floor_is_a_complementarity(market):
    """Two floors on one pair's two products: the one below its imports after a cut on p1
    stays slack (shifter 0), the other binds."""
    s = ts.Scenario("two", [ts.Tariff(importer="VNM", exporter="USA", rate=0.0,
                                      sectors=["p1"]),
                            _commit(5.0, sectors=["p1"]), _commit(20.0, sectors=["p2"])])
    r = ts.simulate(market, s, model="gsim")
    us = r.products.query("exporter == 'USA'").set_index("product")["imports_scenario"]
    assert us["p1"] > 105.0                      # the cut alone lifts p1 above 100 + 5
    assert us["p2"] == pytest.approx(70.0, rel=1e-9)
    notes = " ".join(r.notes)
    assert "already met" in notes and "binds" in notes
    # products are separate markets in GSIM: p1 is what the cut alone gives
    direct = pe.gsim(market, pd.DataFrame({"importer": ["VNM"], "exporter": ["USA"],
                                           "product": ["p1"], "rate": [0.0]}))
    p1 = direct.products.query("exporter == 'USA' and product == 'p1'")
    assert us["p1"] == pytest.approx(float(p1["imports_scenario"].iloc[0]), rel=1e-12)
    assert np.isfinite(r.products.select_dtypes("number").to_numpy()).all()


# ---------------------------------------------------------------------- built-in scenarios
def _builtin_commitments():
    for name in ts.scenarios.list():
        for k, inst in enumerate(ts.scenarios.load(name).instruments):
            if isinstance(inst, ts.ImportCommitment):
                yield name, k, inst


def test_builtin_commitments_follow_their_sources():
    sectoral = set(ts.load_baseline("sectoral-2024").sectors)
    found = list(_builtin_commitments())
    assert found
    for name, k, c in found:
        where = f"{name} instruments[{k}]"
        assert c.source and "facts/oct2025_deals_commitments.csv" in c.source, where
        assert c.sectors and set(c.sectors) <= sectoral, where
        text = f"{c.source} {c.note}".lower()
        if "up to" in text:
            assert c.illustrative, f"{where}: an 'up to' amount must be illustrative"
        if "aircraft" in text:
            assert c.basis == "increment" and c.sectors == ("other_transport",), where


def test_malaysia_pledge_is_a_level_of_30bn_a_year_for_five_years():
    """USD 150 bn over five years of semiconductors, aerospace components and data-centre
    equipment (MITI): 150,000 / 5 = 30,000 a year in 2026-2030, a level, not an increment
    over all goods."""
    (c,) = [c for n, _, c in _builtin_commitments()
            if n == "us-asean-2025" and c.importer == "MYS" and c.value == 30000.0]
    assert c.basis == "level" and c.realisation == 1.0
    assert (c.start, c.end) == (pd.Timestamp("2026-01-01").date(),
                                pd.Timestamp("2031-01-01").date())
    assert [c.value_in(y) for y in (2025, 2026, 2030, 2031)] == [0.0, 30000.0, 30000.0, 0.0]
    assert "electronics" in c.sectors and "other_transport" in c.sectors


@pytest.mark.parametrize("realisation", [0.58, 1.0])
def test_malaysia_floors_are_met_in_the_main_job(realisation):
    """us-asean-2025 in 2030 on the default (sectoral) world, every Malaysian floor binds:
    electronics + machinery + electrical equipment + other transport reach
    realisation x 150,000 / 5; energy reaches realisation x (3,400 LNG + 42.6 coal); other
    transport reaches its 2024 level plus realisation x 9,500 / 5 (aircraft)."""
    b = ts.load_baseline()
    s = ts.scenarios.load("us-asean-2025").with_realisation(realisation)
    r = ts.simulate(b, s, year=2030)
    f = r.flows[(r.flows.exporter == "USA") & (r.flows.importer == "MYS")].set_index("sector")
    four = ["electronics", "machinery", "electrical_equipment", "other_transport"]
    assert f.loc[four, "scenario"].sum() == pytest.approx(realisation * 30_000.0, rel=1e-6)
    assert f.loc["energy", "scenario"] == pytest.approx(realisation * 3_442.6, rel=1e-6)
    assert f.loc["other_transport", "scenario"] == pytest.approx(
        f.loc["other_transport", "baseline"] + realisation * 1_900.0, rel=1e-6)
    assert all(v["binding"] for k, v in r.extras.items() if "MYS<-USA" in k)
