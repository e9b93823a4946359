"""Baseline: construction, validation errors, round-trips, balances, aggregation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tariffsim as ts
from tariffsim.errors import DataError


def small_frames():
    flows = pd.DataFrame({
        "exporter": ["USA", "USA", "VNM", "VNM", "CHN", "CHN", "USA", "VNM", "CHN"],
        "importer": ["VNM", "CHN", "USA", "CHN", "USA", "VNM", "USA", "VNM", "CHN"],
        "value": [13.0, 140.0, 136.0, 60.0, 440.0, 130.0, 1000.0, 200.0, 900.0],
    })
    tariffs = pd.DataFrame({"exporter": ["VNM", "CHN"], "importer": ["USA", "USA"],
                            "rate": [0.20, 0.30]})
    return flows, tariffs


def test_from_frame_places_values_and_balances_by_hand():
    flows, tariffs = small_frames()
    b = ts.Baseline.from_frame(flows, tariffs=tariffs, year=2024)
    assert b.countries == ("CHN", "USA", "VNM")
    assert b.sectors == ("total",)
    assert b.flows[b.country_index("VNM"), b.country_index("USA"), 0] == 136.0
    assert b.tariffs[b.country_index("CHN"), b.country_index("USA"), 0] == 0.30
    tb = b.trade_balance().set_index(["country", "partner"])
    # Vietnam vs USA: exports 136, imports 13 -> +123 (by hand)
    assert tb.loc[("VNM", "USA"), "balance"] == pytest.approx(123.0)
    # USA total: exports 13 + 140 = 153, imports 136 + 440 = 576
    assert tb.loc[("USA", "WLD"), "exports"] == pytest.approx(153.0)
    assert tb.loc[("USA", "WLD"), "imports"] == pytest.approx(576.0)
    # US tariff revenue: 0.2*136 + 0.3*440 = 159.2
    assert b.tariff_revenue()["USA"] == pytest.approx(159.2)


def test_bilateral_balances_are_antisymmetric_and_sum_to_zero():
    flows, tariffs = small_frames()
    tb = ts.Baseline.from_frame(flows, tariffs=tariffs).trade_balance()
    bil = tb[tb.partner != "WLD"].set_index(["country", "partner"])["balance"]
    for (c, p), v in bil.items():
        assert v == pytest.approx(-bil[(p, c)])
    assert tb[tb.partner == "WLD"]["balance"].sum() == pytest.approx(0.0)


def test_round_trips_exactly():
    rng = np.random.default_rng(1)
    b = ts.Baseline.from_arrays(["ZZZ", "AAA", "MMM"], ["s2", "s1"], rng.random((3, 3, 2)),
                                tariffs=rng.random((3, 3, 2)) * 0.3,
                                io=rng.random((3, 2, 2)) * 0.3, year=2020, source="test")
    assert ts.Baseline.from_frame(**b.to_frames()) == b
    flows, tariffs = small_frames()
    c = ts.Baseline.from_frame(flows, tariffs=tariffs)
    assert ts.Baseline.from_frame(c.to_frame()) == c


def test_arrays_are_read_only():
    flows, _ = small_frames()
    b = ts.Baseline.from_frame(flows)
    with pytest.raises(ValueError):
        b.flows[0, 0, 0] = 1.0


def test_sector_frames_and_io_value_added():
    flows = pd.DataFrame({"exporter": ["A", "A", "B", "B"], "importer": ["A", "B", "A", "B"],
                          "sector": ["x", "y", "x", "y"], "value": [1.0, 2.0, 3.0, 4.0]})
    io = pd.DataFrame({"country": ["A", "A"], "input_sector": ["x", "y"],
                       "sector": ["x", "x"], "share": [0.2, 0.3]})
    b = ts.Baseline.from_frame(flows, io=io)
    assert b.has_io
    assert b.value_added[b.country_index("A"), b.sector_index("x")] == pytest.approx(0.5)
    assert b.value_added[b.country_index("B"), b.sector_index("x")] == pytest.approx(1.0)


# ---------------------------------------------------------------- validation errors
def _err(**kw):
    flows, tariffs = small_frames()
    args = {"flows": flows, "tariffs": None}
    args.update(kw)
    with pytest.raises(DataError) as info:
        ts.Baseline.from_frame(**args)
    return info.value


def test_negative_flow_names_field_and_rows():
    flows, _ = small_frames()
    flows.loc[2, "value"] = -5.0
    e = _err(flows=flows)
    assert e.field == "flows.value" and "-5" in str(e) and ">= 0" in str(e)
    assert len(e.rows) == 1


@pytest.mark.parametrize("bad", [np.nan, np.inf, "abc"])
def test_non_finite_or_text_flow(bad):
    flows, _ = small_frames()
    flows["value"] = flows["value"].astype(object)
    flows.loc[0, "value"] = bad
    e = _err(flows=flows)
    assert e.field == "flows.value"


def test_duplicate_rows():
    flows, _ = small_frames()
    flows = pd.concat([flows, flows.iloc[[0]]], ignore_index=True)
    e = _err(flows=flows)
    assert "duplicate" in str(e) and "USA" in str(e)


def test_unknown_code_in_tariffs_suggests_closest():
    flows, tariffs = small_frames()
    tariffs.loc[0, "exporter"] = "VNN"
    e = _err(tariffs=tariffs)
    assert e.field == "tariffs.exporter" and "did you mean 'VNM'" in str(e)


def test_tariff_at_or_below_minus_100_percent():
    flows, tariffs = small_frames()
    tariffs.loc[0, "rate"] = -1.0
    e = _err(tariffs=tariffs)
    assert e.field == "tariffs.rate" and "0.19 means 19%" in str(e)


def test_absurd_tariff_warns():
    flows, tariffs = small_frames()
    tariffs.loc[0, "rate"] = 25.0
    with pytest.warns(ts.TariffSimWarning) as caught:
        ts.Baseline.from_frame(flows, tariffs=tariffs)
    messages = [str(w.message) for w in caught]
    assert any("1000%" in m for m in messages), messages
    # the typical-rate hint (12.65 means 1265%: percentages?) comes with it


def test_missing_columns_and_empty():
    flows, _ = small_frames()
    e = _err(flows=flows.rename(columns={"value": "val"}))
    assert "missing column" in str(e) and "value" in str(e)
    e = _err(flows=flows.iloc[0:0])
    assert "empty" in str(e)
    e = _err(flows=[1, 2, 3])
    assert "DataFrame" in str(e)


def test_shares_that_do_not_add_up():
    flows = pd.DataFrame({"exporter": ["A", "B"], "importer": ["B", "A"], "sector": ["x", "x"],
                          "value": [1.0, 1.0]})
    io = pd.DataFrame({"country": ["A"], "input_sector": ["x"], "sector": ["x"], "share": [0.4]})
    va = pd.DataFrame({"country": ["A", "B"], "sector": ["x", "x"], "share": [0.7, 1.0]})
    with pytest.raises(DataError, match="add up to 1"):
        ts.Baseline.from_frame(flows, io=io, value_added=va)
    io2 = pd.DataFrame({"country": ["A", "A"], "input_sector": ["x", "x"],
                        "sector": ["x", "x"], "share": [0.6, 0.6]})
    with pytest.raises(DataError, match="duplicate"):
        ts.Baseline.from_frame(flows, io=io2)
    with pytest.raises(DataError, match="sum above one"):
        ts.Baseline.from_arrays(["A", "B"], ["x", "y"], np.ones((2, 2, 2)),
                                io=np.full((2, 2, 2), 0.6))


def test_all_zero_and_unknown_lookup():
    flows, _ = small_frames()
    flows["value"] = 0.0
    assert "all flows are zero" in str(_err(flows=flows))
    b = ts.Baseline.from_frame(small_frames()[0])
    with pytest.raises(DataError, match="did you mean 'VNM'"):
        b.country_index("VIM")
    with pytest.raises(DataError, match="unknown attribute"):
        b.replace(flow=b.flows)


# ---------------------------------------------------------------- aggregation
def test_aggregate_preserves_totals_and_trade_weights_tariffs():
    flows, tariffs = small_frames()
    b = ts.Baseline.from_frame(flows, tariffs=tariffs)
    a = b.aggregate(regions={"ASIA": ["VNM", "CHN"]})
    assert a.countries == ("ASIA", "USA")
    # ASIA domestic = 200 + 900 + 60 + 130 = 1290; ASIA->USA = 136 + 440 = 576
    assert a.flows[0, 0, 0] == pytest.approx(1290.0)
    assert a.flows[0, 1, 0] == pytest.approx(576.0)
    # trade-weighted US tariff on ASIA: (0.2*136 + 0.3*440) / 576
    assert a.tariffs[0, 1, 0] == pytest.approx((0.2 * 136 + 0.3 * 440) / 576)
    assert a.flows.sum() == pytest.approx(b.flows.sum())
    assert a.tariff_revenue().sum() == pytest.approx(b.tariff_revenue().sum())
    # mapping form {code: group} gives the same
    assert b.aggregate(regions={"VNM": "ASIA", "CHN": "ASIA"}) == a


def test_aggregate_rejects_bad_mapping():
    b = ts.Baseline.from_frame(small_frames()[0])
    with pytest.raises(DataError, match="did you mean 'VNM'"):
        b.aggregate(regions={"ASIA": ["VNN"]})
    with pytest.raises(DataError, match="both"):
        b.aggregate(regions={"X": ["VNM"], "Y": ["VNM"]})


# ---------------------------------------------------------------- hypothesis
@st.composite
def baselines(draw):
    n = draw(st.integers(2, 5))
    j = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    flows = rng.lognormal(0, 3, size=(n, n, j)) * (rng.random((n, n, j)) > 0.2)
    flows[np.arange(n), np.arange(n), :] += 1.0
    tariffs = rng.random((n, n, j)) * 0.5
    io = rng.dirichlet(np.ones(j + 1), size=(n, j))[:, :, :j].transpose(0, 2, 1)
    return ts.Baseline.from_arrays([f"C{i}" for i in range(n)], [f"S{k}" for k in range(j)],
                                   flows, tariffs=tariffs, io=io)


@settings(max_examples=40, deadline=None)
@given(baselines(), st.data())
def test_invariants_on_random_baselines(b, data):
    tb = b.trade_balance()
    tot = tb[tb.partner == "WLD"]
    # world exports equal world imports; totals equal the sum of bilateral rows
    assert tot["exports"].sum() == pytest.approx(tot["imports"].sum(), rel=1e-12)
    assert tot["balance"].sum() == pytest.approx(0.0, abs=1e-9 * b.flows.sum())
    assert ts.Baseline.from_frame(**b.to_frames()) == b
    k = data.draw(st.integers(1, b.n_countries))
    regions = {c: f"R{i % k}" for i, c in enumerate(b.countries)}
    a = b.aggregate(regions=regions, sectors={s: "all" for s in b.sectors})
    assert a.flows.sum() == pytest.approx(b.flows.sum(), rel=1e-12)
    # revenue on trade between different regions is preserved; within a region it is dropped
    grp = np.array([regions[c] for c in b.countries])
    between = (grp[:, None] != grp[None, :])[:, :, None]
    expected = (b.tariffs * b.flows * between).sum()
    assert a.tariff_revenue().sum() == pytest.approx(expected, rel=1e-9, abs=1e-12)
    np.testing.assert_allclose(a.value_added + a.io.sum(axis=1), 1.0, atol=1e-9)
    va_old = (b.value_added * b.gross_output()).sum()
    va_new = (a.value_added * a.gross_output()).sum()
    assert va_new == pytest.approx(va_old, rel=1e-9)
