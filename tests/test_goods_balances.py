"""Goods and all-sector balances: one rule (``sectors="goods" | "all" | [names]``) for
Baseline.trade_balance, Result.balances and project, with hand-derived figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tariffsim as ts
from tariffsim._validate import sector_selection
from tariffsim.errors import DataError


def _world(services: tuple[str, ...] | None = None) -> ts.Baseline:
    """Two economies, goods sectors 'food' and 'cars', a service sector 'trade_transport'.

    AAA sells BBB 10 food + 20 cars + 5 services; BBB sells AAA 4 food + 6 cars + 8 services.
    """
    rows = []
    own = {"food": 100.0, "cars": 80.0, "trade_transport": 300.0}
    for c in ("AAA", "BBB"):
        for s, v in own.items():
            rows.append((c, c, s, v))
    rows += [("AAA", "BBB", "food", 10.0), ("AAA", "BBB", "cars", 20.0),
             ("AAA", "BBB", "trade_transport", 5.0),
             ("BBB", "AAA", "food", 4.0), ("BBB", "AAA", "cars", 6.0),
             ("BBB", "AAA", "trade_transport", 8.0)]
    flows = pd.DataFrame(rows, columns=["exporter", "importer", "sector", "value"])
    return ts.Baseline.from_frame(flows, services=services, year=2024)


def test_services_default_by_name_and_explicit():
    base = _world()
    assert base.services == ("trade_transport",)          # tariffsim's service sector name
    assert base.goods == ("food", "cars")
    mine = _world(services=("cars",))                       # whatever the user says
    assert mine.services == ("cars",) and mine.goods == ("food", "trade_transport")
    assert ts.load_baseline("goods-2024").services == ()   # one goods sector
    sec = ts.load_baseline("sectoral-2024")
    assert sec.services == ("utilities_construction", "trade_transport", "other_services")


def test_unknown_service_sector_is_an_error():
    with pytest.raises(DataError, match="services"):
        _world(services=("trade_transprt",))


def test_trade_balance_goods_all_and_named():
    base = _world()
    goods = base.trade_balance("BBB").set_index("country")
    assert goods.loc["AAA", "balance"] == pytest.approx((10 + 20) - (4 + 6))  # 20
    assert "services excluded" in goods.attrs["sectors"]
    everything = base.trade_balance("BBB", sectors="all").set_index("country")
    assert everything.loc["AAA", "balance"] == pytest.approx(35 - 18)        # 17
    cars = base.trade_balance("BBB", sectors=["cars"]).set_index("country")
    assert cars.loc["AAA", "balance"] == pytest.approx(14)
    with pytest.raises(DataError, match="did you mean 'goods'"):
        base.trade_balance("BBB", sectors="good")
    with pytest.raises(DataError, match="sectors"):
        base.trade_balance("BBB", sectors=["caars"])


def test_sectoral_default_goods_balance_is_census():
    sec = ts.load_baseline("sectoral-2024")
    tb = sec.trade_balance("USA").set_index("country")
    assert tb.loc["VNM", "balance"] == pytest.approx(123_463.0, abs=0.15)     # Census 2024
    alls = sec.trade_balance("USA", sectors="all").set_index("country")
    k, u = sec.country_index("VNM"), sec.country_index("USA")
    svc = [sec.sector_index(s) for s in sec.services]
    services = sec.flows[k, u, svc].sum() - sec.flows[u, k, svc].sum()
    assert alls.loc["VNM", "balance"] == pytest.approx(123_463.0 + services, abs=0.2)
    assert services < 0                               # VNM imports more US services


def test_aggregate_keeps_services_only_when_all_members_are():
    base = _world()
    agg = base.aggregate(sectors={"goods": ["food", "cars"]})
    assert agg.services == ("trade_transport",)
    mixed = base.aggregate(sectors={"other": ["cars", "trade_transport"]})
    assert mixed.services == ()                     # a mix holds goods trade
    assert ts.Baseline.from_frame(**base.to_frames()) == base
    assert base.replace(year=2030).services == base.services


def test_result_and_projection_count_goods_by_default():
    base = _world()
    r = ts.simulate(base, None, trade_elasticity=4)
    b = r.balances("BBB").set_index("country")
    assert b.loc["AAA", "balance_baseline"] == pytest.approx(20.0)
    assert r.balances("BBB", sectors="all").set_index("country").loc[
        "AAA", "balance_baseline"] == pytest.approx(17.0)
    assert "goods" in b.attrs["sectors"]
    proj = ts.project(base, ts.Scenario("none", instruments=[]), years=[2025])
    row = proj.balances("BBB").query("country == 'AAA' and year == 2025")
    assert float(row.balance_baseline.iloc[0]) == pytest.approx(20.0)
    assert "goods" in proj.frame.attrs["sectors"] and "goods" in proj.describe()
    proj_all = ts.project(base, ts.Scenario("none", instruments=[]), years=[2025],
                          sectors="all")
    row = proj_all.balances("BBB").query("country == 'AAA' and year == 2025")
    assert float(row.balance_baseline.iloc[0]) == pytest.approx(17.0)


def test_sector_selection_rule():
    mask, text = sector_selection("goods", ("a", "b", "c"), ("c",))
    assert mask.tolist() == [True, True, False] and text.startswith("goods (2 of 3")
    mask, text = sector_selection("goods", ("total",), ())
    assert mask.tolist() == [True] and text == "goods"
    with pytest.raises(DataError, match="every sector"):
        sector_selection("goods", ("c",), ("c",))
    with pytest.raises(DataError, match="empty"):
        sector_selection([], ("a",), ())
    assert np.array_equal(sector_selection("all", ("a", "c"), ("c",))[0], [True, True])
