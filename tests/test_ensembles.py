"""Monte Carlo draws as a batch: equal to one solve per draw, reproducible whatever the
chunking or executor, distributed on dask, and the #14 input checks of the GE options and
of monte_carlo."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from worlds import random_world

import tariffsim as ts
from tariffsim.errors import ModelError, UnreachableError
from tariffsim.ge.batch import batch_anderson, solve_batch
from tariffsim.ge.calibration import calibrate
from tariffsim.ge.prepare import prepare_shocks
from tariffsim.shocks import CommitmentTarget, Shocks
from tariffsim.uncertainty import LogNormal


@pytest.fixture(scope="module")
def sectoral():
    return ts.load_baseline(), ts.scenarios.load("us-asean-2025")


def _balances(result, partner):
    return result.balances(partner=partner)[["country", "balance_baseline",
                                             "balance_scenario", "change"]]


def _close(a, b, rel=1e-9):
    """Equal to the solver's tolerance: max abs gap <= rel x the largest value."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert a.shape == b.shape
    scale = max(np.abs(b).max(), 1.0)
    assert np.abs(a - b).max() <= rel * scale, np.abs(a - b).max() / scale


def _check_against_simulate(mc, baseline, scenario, partner="USA", **options):
    assert mc.draws.attrs["solved_one_by_one"] == 0         # the batch solved them all
    for k in range(mc.n):
        d = mc.draws[mc.draws["draw"] == k].reset_index(drop=True)
        theta = float(d["trade_elasticity"].iloc[0])
        one = _balances(ts.simulate(baseline, scenario, trade_elasticity=theta, **options),
                        partner)
        assert d["country"].tolist() == one["country"].tolist()
        for col in ("balance_baseline", "balance_scenario", "change"):
            _close(d[col], one[col])


def test_batch_equals_one_simulate_per_draw_sectoral(sectoral):
    base, scen = sectoral
    mc = ts.monte_carlo(base, scen, trade_elasticity=[3.2, 5.0, 8.5, 4.4])
    assert len(base.sectors) > 1 and base.io is not None
    assert mc.draws["change"].abs().max() > 1.0          # the scenario moves balances
    _check_against_simulate(mc, base, scen)


def test_batch_equals_simulate_one_sector_world_and_options():
    base, _ = random_world(np.random.default_rng(3), 6, 1, lambda: False)
    tar = base.tariffs.copy()
    tar[0, 1:, :] += 0.25
    shocks = Shocks(tariffs=tar)
    for opts in ({"closure": "deficit_ratio"}, {"numeraire": "C2"},
                 {"closure": "balanced"}):
        closure = opts.pop("closure", "fixed_deficit")
        mc = ts.monte_carlo(base, shocks, trade_elasticity=[2.5, 6.0], partner="C0",
                            closure=closure, **opts)
        _check_against_simulate(mc, base, shocks, partner="C0", closure=closure, **opts)


def _commitment_world():
    base, _ = random_world(np.random.default_rng(11), 5, 3, lambda: True)
    tar = base.tariffs.copy()
    tar[1, 0, :] += 0.3                          # C0 taxes C1 ...
    m0 = base.flows[1, 0, :].sum()
    c = CommitmentTarget(importer=0, exporter=1, sector_mask=np.ones(3, bool),
                         value=m0 * 1.05, label="C0 buys from C1", increment=0.05 * m0)
    return base, Shocks(tariffs=tar, commitments=[c]), c     # ... and promises to buy more


def test_batch_commitment_binding_equals_solve():
    base, shocks, c = _commitment_world()
    thetas = np.array([2.0, 4.0, 7.0])
    model = calibrate(base.flows, base.tariffs, base.io, base.value_added,
                      countries=tuple(base.countries), sectors=tuple(base.sectors))
    prep = prepare_shocks(shocks, base.countries, base.sectors)
    scales = np.array([1.0, 0.5, 2.0])
    sol = solve_batch(model, prep, thetas, commitment_scale=scales,
                      closure="fixed_deficit", numeraire=None, tol=1e-10, max_iter=2000)
    assert not sol.fallback.any()                # solved as a batch, not one by one
    N, J = len(base.countries), len(base.sectors)
    binding = 0
    for k, (th, s) in enumerate(zip(thetas, scales, strict=True)):
        ck = CommitmentTarget(0, 1, c.sector_mask, c.value, c.label,
                              increment=c.increment * s)
        r = ts.ge.solve(base, Shocks(tariffs=shocks.tariffs, commitments=[ck]),
                        trade_elasticity=float(th))
        one = r.flows["scenario"].to_numpy().reshape(N, N, J).transpose(2, 1, 0)
        _close(sol.flows[k], one)
        binding += r.extras[c.label]["demand_shifter"] > 1 + 1e-9
    assert binding >= 2                          # the floor binds (shifter above one)


def test_tariff_scale_is_the_scaled_tariff_change():
    base, _ = random_world(np.random.default_rng(5), 5, 2, lambda: True)
    new = base.tariffs.copy()
    new[2, :, :] = 0.4
    new[2, 2, :] = 0.0
    model = calibrate(base.flows, base.tariffs, base.io, base.value_added,
                      countries=tuple(base.countries), sectors=tuple(base.sectors))
    prep = prepare_shocks(Shocks(tariffs=new), base.countries, base.sectors)
    sol = solve_batch(model, prep, np.array([4.0, 4.0, 4.0]),
                      tariff_scale=np.array([0.0, 0.5, 1.0]), closure="fixed_deficit",
                      numeraire=None, tol=1e-10, max_iter=2000)
    _close(sol.flows[0], sol.flows0[0], rel=1e-12)           # no change at scale 0
    N, J = 5, 2
    for k, s in ((1, 0.5), (2, 1.0)):
        r = ts.ge.solve(base, Shocks(tariffs=base.tariffs + s * (new - base.tariffs)),
                        trade_elasticity=4.0)
        one = r.flows["scenario"].to_numpy().reshape(N, N, J).transpose(2, 1, 0)
        _close(sol.flows[k], one)


def test_monte_carlo_scales_drawn_and_recorded():
    base, shocks, _ = _commitment_world()
    mc = ts.monte_carlo(base, shocks, n=4, seed=2, partner="C1",
                        tariff_scale=stats.uniform(0.5, 1.0),
                        commitment_scale=[0.0, 1.0, 1.0, 2.0])
    per = mc.draws.groupby("draw")[["tariff_scale", "commitment_scale"]].first()
    assert per["commitment_scale"].tolist() == [0.0, 1.0, 1.0, 2.0]
    assert ((per["tariff_scale"] >= 0.5) & (per["tariff_scale"] <= 1.5)).all()
    with pytest.raises(ModelError, match="tariff_scale"):
        ts.monte_carlo(base, shocks, n=2, years=[2030], tariff_scale=[1.0, 1.0])


def test_sectoral_elasticities_by_sector(sectoral):
    base, scen = sectoral
    first = base.sectors[0]
    spec = {first: stats.lognorm(s=0.3, scale=3.0), base.sectors[1]: [4.0, 9.0]}
    mc = ts.monte_carlo(base, scen, n=2, seed=5, trade_elasticity=spec)
    assert mc.values.shape == (2, len(base.sectors))
    rng = np.random.default_rng(5)
    want = stats.lognorm(s=0.3, scale=3.0).rvs(size=2, random_state=rng)
    np.testing.assert_allclose(mc.values[:, 0], want)
    np.testing.assert_allclose(mc.values[:, 1], [4.0, 9.0])
    for k in range(2):
        theta = dict(zip(base.sectors, mc.values[k], strict=True))
        one = _balances(ts.simulate(base, scen, trade_elasticity=theta), "USA")
        d = mc.draws[mc.draws["draw"] == k]
        _close(d["change"], one["change"])


def test_scipy_frozen_distribution_draws_from_the_seeded_generator(sectoral):
    base, scen = sectoral
    dist = stats.gamma(a=20, scale=0.25)
    mc = ts.monte_carlo(base, scen, n=3, seed=42, trade_elasticity=dist)
    want = dist.rvs(size=3, random_state=np.random.default_rng(42))
    np.testing.assert_allclose(mc.values, want)


def test_seeds_reproducible_whatever_chunking_and_executor(sectoral):
    base, scen = sectoral
    ref = ts.monte_carlo(base, scen, n=6, seed=9)
    with ThreadPoolExecutor(2) as pool:
        other = ts.monte_carlo(base, scen, n=6, seed=9, executor=pool, chunk_size=4)
    one = ts.monte_carlo(base, scen, n=6, seed=9, chunk_size=1)
    np.testing.assert_array_equal(ref.values, other.values)
    for mc in (other, one):
        pd.testing.assert_frame_equal(mc.draws, ref.draws, rtol=1e-12)
        pd.testing.assert_frame_equal(mc.bands, ref.bands, rtol=1e-12)


def test_dask_local_cluster_matches_sequential(sectoral):
    distributed = pytest.importorskip("distributed")
    base, scen = sectoral
    ref = ts.monte_carlo(base, scen, n=5, seed=3)
    with distributed.LocalCluster(n_workers=1, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        direct = ts.monte_carlo(base, scen, n=5, seed=3, executor=client, chunk_size=2)
        via = ts.monte_carlo(base, scen, n=5, seed=3, executor=client.get_executor(),
                             chunk_size=3)
    for mc in (direct, via):
        pd.testing.assert_frame_equal(mc.draws, ref.draws, rtol=1e-12)


def test_failing_draw_is_named():
    base, shocks, _ = _commitment_world()
    # draw 1 asks C0 to buy 500 times its imports from C1: no equilibrium reaches it
    with pytest.raises(UnreachableError, match=r"^draw 1: shocks.commitments"):
        ts.monte_carlo(base, shocks, trade_elasticity=[4.0, 4.0, 4.0], partner="C0",
                       commitment_scale=[1.0, 1e4, 1.0], chunk_size=2)
    mc = ts.monte_carlo(base, shocks, trade_elasticity=[4.0, 4.0, 4.0], partner="C0",
                        commitment_scale=[1.0, 1e4, 1.0], on_error="skip")
    assert [f["draw"] for f in mc.failures] == [1]
    assert sorted(set(mc.draws["draw"])) == [0, 2]
    w, _ = random_world(np.random.default_rng(3), 6, 1, lambda: False)
    tar = w.tariffs.copy()
    tar[0, 1:, :] += 0.25
    with pytest.raises(ModelError, match="all 2 draws failed; first error: "
                                         "ConvergenceError: GE solver did not"):
        ts.monte_carlo(w, Shocks(tariffs=tar), trade_elasticity=[4.0, 4.0],
                       partner="C0", max_iter=2, on_error="skip")


def test_progress_counts_chunks_and_years(sectoral):
    base, scen = sectoral
    calls = []
    ts.monte_carlo(base, scen, n=7, chunk_size=3, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 3), (2, 3), (3, 3)]
    calls.clear()
    ts.project(base, scen, years=[2026, 2027], progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 2), (2, 2)]


def test_batch_anderson_rows_are_independent():
    # z = cos(z) per row with different damping: each row's answer alone and in a batch
    def F(z, rows):
        f = np.cos(z * (1 + rows[:, None])) - z
        return f, np.abs(f).max(axis=1)

    z0 = np.zeros((4, 3))
    z, conv, _ = batch_anderson(F, z0, 1.0, tol=1e-13, max_iter=200, max_step=np.inf)
    assert conv.all()
    for k in range(4):
        zk, ck, _ = batch_anderson(lambda x, r, k=k: F(x, r + k), z0[k:k + 1], 1.0,
                                   tol=1e-13, max_iter=200, max_step=np.inf)
        np.testing.assert_array_equal(zk[0], z[k])


# ----------------------------------------------------------------------------- issue 14
def test_max_iter_numpy_integer_accepted(sectoral):
    base, scen = sectoral
    r = ts.simulate(base, scen, max_iter=np.int64(100))
    assert r.diagnostics["iterations"] <= 100


@pytest.mark.parametrize("tol", [0.5, 0.01, 1e-3])
def test_loose_tol_refused(sectoral, tol):
    base, scen = sectoral
    with pytest.raises(ModelError, match="tol: .*too loose") as exc:
        ts.simulate(base, scen, tol=tol)
    assert exc.value.field == "tol"


@pytest.mark.parametrize("bad", ["five", None, [5]])
def test_trade_elasticity_dict_value_named(sectoral, bad):
    base, scen = sectoral
    theta = {s: 5.0 for s in base.sectors}
    theta[base.sectors[2]] = bad
    with pytest.raises(ModelError, match=rf"trade_elasticity\['{base.sectors[2]}'\]"):
        ts.simulate(base, scen, trade_elasticity=theta)


@pytest.mark.parametrize("seed", ["abc", -1, 1.5, True])
def test_monte_carlo_bad_seed(sectoral, seed):
    base, scen = sectoral
    with pytest.raises(ModelError, match="seed: expected a non-negative integer") as exc:
        ts.monte_carlo(base, scen, n=2, seed=seed)
    assert exc.value.field == "seed"


def test_monte_carlo_years(sectoral):
    base, scen = sectoral
    with pytest.raises(ModelError, match="years: expected calendar years") as exc:
        ts.monte_carlo(base, scen, n=2, years=["x"])
    assert exc.value.field == "years"
    one = ts.monte_carlo(base, scen, n=2, years=2027)           # one year = [2027]
    assert one.years == [2027]
    assert set(one.draws["year"]) <= {2024, 2025, 2027}


def test_lognormal_text_median():
    with pytest.raises(ModelError, match="LogNormal median must be a positive finite"):
        LogNormal(median="5")


def test_reference_equilibrium_cached_per_world():
    from tariffsim.ge import solver
    base, shocks, _ = _commitment_world()              # clipped final demand: re-solved
    solver._REFERENCES.clear()
    r1 = ts.ge.solve(base, Shocks(tariffs=shocks.tariffs))
    assert len(solver._REFERENCES) == 1
    r2 = ts.ge.solve(base, Shocks(tariffs=shocks.tariffs))
    assert len(solver._REFERENCES) == 1                # reused, not solved again
    assert r2.notes == r1.notes and any("re-solved" in n for n in r2.notes)
    pd.testing.assert_frame_equal(r1.countries, r2.countries)
    other = base.replace(flows=base.flows * np.linspace(1, 1.5, base.flows.shape[0])[:, None,
                                                                                     None])
    r3 = ts.ge.solve(other, Shocks(tariffs=shocks.tariffs))
    assert len(solver._REFERENCES) == 2                # another world, another reference
    solver._REFERENCES.clear()
    fresh = ts.ge.solve(other, Shocks(tariffs=shocks.tariffs))
    pd.testing.assert_frame_equal(r3.countries, fresh.countries)
    assert not np.allclose(r3.countries["balance_baseline"],
                           r1.countries["balance_baseline"])


def test_sectoral_draws_checked_and_project_executor(sectoral):
    base, scen = sectoral
    theta = np.full((2, len(base.sectors)), 5.0)
    theta[1, 3] = -1.0
    with pytest.raises(ModelError, match=r"draw 1: -1.0"):
        ts.monte_carlo(base, scen, trade_elasticity=theta)
    ref = ts.project(base, scen, years=[2026, 2028])
    with ThreadPoolExecutor(2) as pool:
        par = ts.project(base, scen, years=[2026, 2028], executor=pool)
    pd.testing.assert_frame_equal(par.frame, ref.frame)
    with pytest.raises(ModelError, match="executor"):
        ts.project(base, scen, years=[2026], executor=object())


# ------------------------------------------------------------------ projections as a batch
def _sorted(draws):
    keys = ["draw", "year", "country"]
    return draws.sort_values(keys).reset_index(drop=True)


@pytest.mark.parametrize("closure", ["fixed_deficit", "balanced"])
def test_projection_batch_equals_draw_by_draw_projections(closure):
    """monte_carlo(years=...) solves each year's draws together; each draw equals
    ts.project with the schedule scaled by that draw's factor (the draw-by-draw path,
    engine=ts.project), in the same rows and order."""
    base = ts.load_baseline("goods-2024")
    scen = ts.scenarios.load("us-asean-2025")
    kw = dict(n=4, seed=11, years=[2025, 2027], closure=closure)
    batch = ts.monte_carlo(base, scen, **kw)
    loop = ts.monte_carlo(base, scen, engine=ts.project, **kw)
    assert list(batch.draws.columns) == list(loop.draws.columns)
    keys = ["draw", "year", "country"]
    assert (batch.draws[keys].to_numpy() == loop.draws[keys].to_numpy()).all()
    scale = loop.draws["balance_scenario"].abs().max()
    for col in ("balance_baseline", "balance_scenario", "change", "trade_elasticity",
                "factor"):
        np.testing.assert_allclose(batch.draws[col], loop.draws[col], rtol=0,
                                   atol=1e-9 * max(scale, 1.0) if "balance" in col
                                   or col == "change" else 1e-12)
    assert batch.draws.attrs["solved_one_by_one"] == 0


def test_projection_batch_on_the_sectoral_default_matches_project(sectoral):
    base, scen = sectoral
    mc = ts.monte_carlo(base, scen, n=3, seed=2, years=[2026])
    for k in range(3):
        f = float(mc.values[k])
        proj = ts.project(base, scen, years=[2026],
                          elasticity_schedule=ts.BLP2023.scaled(f), progress=False)
        ref = proj.frame.query("partner == 'USA' and year == 2026")
        got = mc.draws.query(f"draw == {k} and year == 2026")
        np.testing.assert_allclose(got["change"].to_numpy(), ref["change"].to_numpy(),
                                   rtol=0, atol=1e-9 * ref["balance_scenario"].abs().max())


def test_projection_batch_chunked_on_an_executor_is_identical():
    base = ts.load_baseline("goods-2024")
    kw = dict(n=5, seed=4, years=[2025, 2026])
    here = ts.monte_carlo(base, "reciprocal-aug-2025", **kw)
    with ThreadPoolExecutor(2) as pool:
        there = ts.monte_carlo(base, "reciprocal-aug-2025", executor=pool, chunk_size=2,
                               **kw)
    pd.testing.assert_frame_equal(here.draws, there.draws)


def test_projection_with_growth_still_runs_draw_by_draw():
    base = ts.load_baseline("goods-2024")
    mc = ts.monte_carlo(base, "reciprocal-aug-2025", n=2, seed=0, years=[2025],
                        growth=0.02)
    assert mc.draws.attrs["solved_one_by_one"] == 2
