"""Monte Carlo: reproducible draws, executor independence, hand-computed bands, errors."""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

import tariffsim
from tariffsim.errors import ConvergenceError, ModelError
from tariffsim.uncertainty import (
    DEFAULT_LOG_SPREAD,
    LogNormal,
    MonteCarlo,
    bands_from_draws,
    monte_carlo,
    qname,
)

# A fake engine: VNM's surplus with the USA falls by 10 * theta, MYS's by 3 * theta.
SLOPES = {"VNM": 10.0, "MYS": 3.0}
BASE = {"VNM": 120.0, "MYS": 25.0}


class _FakeResult:
    def __init__(self, theta: float) -> None:
        self.theta = theta

    def balances(self, partner: str = "USA") -> pd.DataFrame:
        rows = [{"country": c, "partner": partner, "balance_baseline": BASE[c],
                 "balance_scenario": BASE[c] - SLOPES[c] * self.theta,
                 "change": -SLOPES[c] * self.theta, "exports_baseline": 0.0}
                for c in SLOPES]
        return pd.DataFrame(rows)


class _FakeProjection:
    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame


def _fake_simulate(baseline, scenario, *, model="ge", trade_elasticity=None, **options):
    assert model == "ge" and options.get("closure") == "fixed_deficit"
    return _FakeResult(float(trade_elasticity))


def _fake_project(baseline, scenario, years, *, elasticity_schedule, closure, model,
                  **options):
    rows = [{"year": 2024, "country": c, "partner": "USA", "balance_baseline": BASE[c],
             "balance_scenario": BASE[c], "change": 0.0, "trade_elasticity": 0.0}
            for c in SLOPES]
    for y in years:
        theta = elasticity_schedule(y - 2024)
        for c in SLOPES:
            rows.append({"year": y, "country": c, "partner": "USA",
                         "balance_baseline": BASE[c],
                         "balance_scenario": BASE[c] - SLOPES[c] * theta,
                         "change": -SLOPES[c] * theta, "trade_elasticity": theta})
            rows.append({"year": y, "country": c, "partner": "WLD",
                         "balance_baseline": 0.0, "balance_scenario": 0.0, "change": 0.0,
                         "trade_elasticity": theta})
    return _FakeProjection(pd.DataFrame(rows))


def fake_mc(*args, **kwargs):
    """monte_carlo with the fake engine passed explicitly (solve or projection)."""
    engine = _fake_project if kwargs.get("years") is not None else _fake_simulate
    return monte_carlo(*args, engine=engine, **kwargs)


def test_default_spread_is_the_literature_range():
    # 4 (Simonovska & Waugh) to 8.28 (Eaton & Kortum) as a central 90% interval
    assert DEFAULT_LOG_SPREAD == pytest.approx(math.log(8.28 / 4) / (2 * 1.6448536), rel=1e-6)
    assert DEFAULT_LOG_SPREAD == pytest.approx(0.2211, abs=1e-4)
    draws = LogNormal(median=5.0).draw(np.random.default_rng(1), 20_000)
    assert np.median(draws) == pytest.approx(5.0, rel=0.01)
    assert np.std(np.log(draws)) == pytest.approx(0.2211, rel=0.02)
    # 90% of draws within 5 * exp(+-1.645 * 0.2211) = 3.47 .. 7.20
    assert np.mean((draws > 3.47) & (draws < 7.20)) == pytest.approx(0.90, abs=0.01)


def test_hand_computed_bands_from_given_values():
    mc = fake_mc(None, None, trade_elasticity=[2.0, 6.0, 4.0], seed=0)
    assert isinstance(mc, MonteCarlo) and mc.n == 3
    assert mc.draws["draw"].tolist() == [0, 0, 1, 1, 2, 2]
    vnm = mc.draws[mc.draws["country"] == "VNM"]
    np.testing.assert_allclose(vnm["change"], [-20.0, -60.0, -40.0])
    np.testing.assert_allclose(vnm["trade_elasticity"], [2.0, 6.0, 4.0])
    b = mc.bands.set_index(["country", "variable"])
    # sorted VNM changes -60, -40, -20; linear interpolation: q05 at position 0.1
    assert b.loc[("VNM", "change"), "q05"] == pytest.approx(-58.0)
    assert b.loc[("VNM", "change"), "q50"] == pytest.approx(-40.0)
    assert b.loc[("VNM", "change"), "q95"] == pytest.approx(-22.0)
    assert b.loc[("MYS", "balance_scenario"), "mean"] == pytest.approx(25.0 - 12.0)
    assert list(mc.bands.columns) == ["country", "partner", "variable", "mean", "q05", "q50",
                                      "q95"]


def test_same_seed_same_draws_and_default_distribution():
    a = fake_mc(None, None, n=50, seed=7)
    b = fake_mc(None, None, n=50, seed=7)
    c = fake_mc(None, None, n=50, seed=8)
    pd.testing.assert_frame_equal(a.draws, b.draws)
    pd.testing.assert_frame_equal(a.bands, b.bands)
    assert not np.allclose(a.values, c.values)
    expected = 5.0 * np.exp(DEFAULT_LOG_SPREAD * np.random.default_rng(7).standard_normal(50))
    np.testing.assert_allclose(a.values, expected, rtol=1e-12)
    assert len(a.draws) == 50 * 2 and a.draws["draw"].nunique() == 50
    assert a.bands.attrs["n"] == 50 and a.bands.attrs["seed"] == 7
    assert "lognormal" in a.distribution


def test_executor_does_not_change_results():
    seq = fake_mc(None, None, n=40, seed=3)
    with ThreadPoolExecutor(max_workers=4) as pool:
        par = fake_mc(None, None, n=40, seed=3, executor=pool)
    pd.testing.assert_frame_equal(seq.draws, par.draws)
    pd.testing.assert_frame_equal(seq.bands, par.bands)


def test_executor_out_of_order_map():
    class Reversed:
        """An executor that runs tasks in reverse order (results still in input order)."""

        def map(self, fn, iterable):
            items = list(iterable)
            out = [fn(x) for x in reversed(items)]
            return list(reversed(out))

    seq = fake_mc(None, None, n=10, seed=11)
    rev = fake_mc(None, None, n=10, seed=11, executor=Reversed())
    pd.testing.assert_frame_equal(seq.draws, rev.draws)


def test_bands_are_ordered():
    mc = fake_mc(None, None, n=60, seed=5, quantiles=(0.95, 0.05, 0.5, 0.25))
    assert mc.quantiles == (0.05, 0.25, 0.5, 0.95)
    q = mc.bands[["q05", "q25", "q50", "q95"]].to_numpy()
    assert np.all(np.diff(q, axis=1) >= 0)


def test_callable_and_scipy_distributions():
    calls = []

    def uniform(rng):
        calls.append(1)
        return rng.uniform(2.0, 8.0)

    mc = fake_mc(None, None, n=5, seed=2, trade_elasticity=uniform)
    assert len(calls) == 5
    np.testing.assert_allclose(mc.values, np.random.default_rng(2).uniform(2.0, 8.0, 5))
    from scipy import stats  # a core dependency: no skip

    mc = fake_mc(None, None, n=4, seed=2, trade_elasticity=stats.gamma(9.0, scale=0.5))
    np.testing.assert_allclose(mc.values, stats.gamma(9.0, scale=0.5).rvs(
        size=4, random_state=np.random.default_rng(2)))


def test_projection_scales_the_schedule():
    mc = fake_mc(None, None, years=[2025, 2027], trade_elasticity=[0.5, 2.0], seed=0)
    d = mc.draws
    assert set(d["partner"]) == {"USA"}  # the WLD rows are dropped
    # BLP 2023 schedule: 0.76 at horizon 1, 0.76 + 0.99/3 at horizon 3; times the factor
    row = d[(d["draw"] == 1) & (d["year"] == 2027) & (d["country"] == "VNM")].iloc[0]
    assert row["trade_elasticity"] == pytest.approx(2.0 * (0.76 + 0.99 / 3))
    assert row["change"] == pytest.approx(-10 * 2.0 * (0.76 + 0.99 / 3))
    assert row["factor"] == 2.0
    base_year = mc.bands[(mc.bands["year"] == 2024) & (mc.bands["variable"] == "change")]
    assert np.all(base_year[["q05", "q50", "q95"]].to_numpy() == 0.0)
    assert "Boehm" in mc.bands.attrs["schedule"]
    assert mc.years == [2025, 2027]


@pytest.mark.parametrize("kwargs, field", [
    ({"n": 0}, "n"),
    ({"n": -3}, "n"),
    ({"n": 2.5}, "n"),
    ({"quantiles": (0.05, 1.0)}, "quantiles"),
    ({"quantiles": (0.0, 0.5)}, "quantiles"),
    ({"quantiles": ()}, "quantiles"),
    ({"trade_elasticity": [2.0, -1.0]}, "trade_elasticity"),
    ({"trade_elasticity": [2.0, float("nan")]}, "trade_elasticity"),
    ({"trade_elasticity": lambda rng: rng.normal(0.0, 1.0), "n": 30}, "trade_elasticity"),
    ({"trade_elasticity": [1.0, 2.0], "n": 3}, "n"),
    ({"trade_elasticity": "five"}, "trade_elasticity"),
    ({"executor": object()}, "executor"),
    ({"on_error": "ignore"}, "on_error"),
    ({"elasticity_schedule": {1: 1.0}}, "elasticity_schedule"),
])
def test_bad_inputs_raise_model_error(kwargs, field):
    with pytest.raises(ModelError, match=field) as info:
        fake_mc(None, None, **kwargs)
    assert info.value.field == field


def test_negative_draw_is_named():
    with pytest.raises(ModelError, match=r"draw 1: -1\.0"):
        fake_mc(None, None, trade_elasticity=[2.0, -1.0])
    with pytest.raises(ModelError, match="median"):
        LogNormal(median=-5.0)


def test_on_error_skip_records_failures():
    def flaky(baseline, scenario, *, model="ge", trade_elasticity=None, **options):
        if trade_elasticity > 5:
            raise ConvergenceError("no convergence", diagnostics={"iterations": 9,
                                                                  "residual": 1.0})
        return _FakeResult(trade_elasticity)

    with pytest.raises(ConvergenceError):
        monte_carlo(None, None, trade_elasticity=[2.0, 6.0, 4.0], engine=flaky)
    mc = monte_carlo(None, None, trade_elasticity=[2.0, 6.0, 4.0], on_error="skip",
                     engine=flaky)
    assert [f["draw"] for f in mc.failures] == [1]
    assert "ConvergenceError" in mc.failures[0]["error"]
    assert sorted(mc.draws["draw"].unique()) == [0, 2]
    with pytest.raises(ModelError, match="all 1 draws failed"):
        monte_carlo(None, None, trade_elasticity=[9.0], on_error="skip", engine=flaky)


def test_qname_and_bands_helper():
    assert [qname(q) for q in (0.05, 0.5, 0.95, 0.025)] == ["q05", "q50", "q95", "q2.5"]
    draws = pd.DataFrame({"draw": [0, 1, 2, 3], "country": ["A"] * 4, "partner": "USA",
                          "change": [1.0, 2.0, 3.0, 4.0],
                          "balance_scenario": [0.0, 0.0, 0.0, 0.0]})
    b = bands_from_draws(draws, (0.5,))
    assert b.loc[b["variable"] == "change", "q50"].item() == pytest.approx(2.5)


def test_fan_chart_of_a_run():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mc = fake_mc(None, None, years=[2025, 2026], n=20, seed=0)
    ax = mc.plot.fan(countries=["VNM"])
    med = [ln for ln in ax.get_lines() if ln.get_gid() == "VNM:median"][0]
    expected = mc.bands[(mc.bands["country"] == "VNM") & (mc.bands["variable"] == "change")]
    np.testing.assert_allclose(med.get_ydata(), expected.sort_values("year")["q50"])
    plt.close("all")


# ----------------------------------------------------------------------------- real engine
@pytest.fixture(scope="module")
def tiny_world():
    # no skip: these modules exist, and an ImportError here is a failure to report
    from tariffsim.instruments import Tariff
    from tariffsim.scenario import Scenario

    countries = ["USA", "VNM", "CHN"]
    # [exporter, importer]; domestic sales on the diagonal (USD million)
    flows = np.array([[2000.0, 15.0, 140.0],
                      [120.0, 300.0, 60.0],
                      [430.0, 160.0, 1800.0]])
    base = tariffsim.Baseline.from_arrays(countries, None, flows, year=2024)
    scen = Scenario("vnm-20", [Tariff("USA", "VNM", 0.20, mode="add", start="2025-08-07")])
    return base, scen


def test_real_engine_monte_carlo(tiny_world):
    base, scen = tiny_world
    values = [1.5, 3.0, 5.0, 8.0]
    mc = monte_carlo(base, scen, trade_elasticity=values, date="2025-09-01")
    vnm = mc.draws[mc.draws["country"] == "VNM"].sort_values("draw")
    # the baseline column is the data: VNM exports 120 to the USA, imports 15 from it
    np.testing.assert_allclose(vnm["balance_baseline"], 105.0, rtol=1e-9)
    # a US tariff on Vietnam lowers Vietnam's surplus with the US in every draw, and the
    # fall grows with the trade elasticity (a larger response of US imports to the tariff)
    changes = vnm["change"].to_numpy()
    assert np.all(changes < 0)
    assert np.all(np.diff(changes) < 0)
    with ThreadPoolExecutor(max_workers=2) as pool:
        par = monte_carlo(base, scen, trade_elasticity=values, executor=pool,
                          date="2025-09-01")
    pd.testing.assert_frame_equal(mc.draws, par.draws)


def test_real_engine_projection(tiny_world):
    base, scen = tiny_world
    mc = monte_carlo(base, scen, years=[2026, 2028], trade_elasticity=[0.5, 1.0, 2.0])
    d = mc.draws[mc.draws["country"] == "VNM"]
    # policy starts in 2025 (horizon 1); BLP 2023 at horizon 2 is 0.76 + 0.99 / 6, scaled
    y26 = d[d["year"] == 2026].sort_values("draw")
    np.testing.assert_allclose(y26["trade_elasticity"], np.array([0.5, 1.0, 2.0])
                               * (0.76 + 0.99 / 6), rtol=1e-12)
    assert np.all(y26["change"] < 0)
    assert np.all(np.diff(y26["change"].to_numpy()) < 0)  # larger elasticity, larger fall
    reported = d[d["year"] == 2024]
    np.testing.assert_allclose(reported["balance_scenario"], 105.0, rtol=1e-9)
    assert mc.bands.attrs["units"] == "USD million"


@pytest.mark.slow
def test_real_engine_process_pool(tiny_world):
    base, scen = tiny_world
    seq = monte_carlo(base, scen, n=4, seed=1, date="2025-09-01")
    with ProcessPoolExecutor(max_workers=2) as pool:
        par = monte_carlo(base, scen, n=4, seed=1, executor=pool, date="2025-09-01")
    pd.testing.assert_frame_equal(seq.draws, par.draws)


def test_engine_is_an_explicit_argument():
    calls = []

    def engine(baseline, scenario, **kw):
        calls.append(kw["trade_elasticity"])
        return _FakeResult(kw["trade_elasticity"])

    mc = monte_carlo("B", "S", trade_elasticity=[2.0, 4.0], engine=engine)
    assert calls == [2.0, 4.0]
    np.testing.assert_allclose(mc.draws.loc[mc.draws["country"] == "MYS", "change"],
                               [-6.0, -12.0])
    with pytest.raises(ModelError, match="engine: expected a callable") as info:
        monte_carlo(None, None, trade_elasticity=[2.0], engine="simulate")
    assert info.value.field == "engine"
