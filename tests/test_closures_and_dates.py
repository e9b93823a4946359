"""Like-for-like closures and one way to say when (issue 11, items 1 and 5).

* Both paths of a projection, every Monte Carlo draw and every commitment floor live in
  the same closure world: a policy that changes nothing reports no change under every
  closure, also through ``tariffsim run --closure balanced``; under ``balanced`` the
  "without" path is the zero-deficit world (every country's total balance is zero).
* ``date=`` and ``year=`` together are refused everywhere; ``year_rule`` has one default,
  ``"average"``, and reaches every engine; ``date="2026"`` (1 January 2026) works in
  simulate, project and monte_carlo.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json

import numpy as np
import pandas as pd
import pytest

import tariffsim as ts
from tariffsim import cli, literals, resolve
from tariffsim.errors import ScenarioError
from tariffsim.pe import bridge, simulate_pe
from tariffsim.shocks import Shocks
from tariffsim.simulate import as_shocks

GOODS = ts.load_baseline("goods-2024")
CLOSURES = list(literals.CLOSURES)

#: A policy that changes nothing: a zero additional duty on Vietnam's goods, and a purchase
#: floor far below the data.
NOOP = ts.Scenario("noop", [
    ts.Tariff(importer="USA", exporter="VNM", rate=0.0, mode="add", start="2025-01-01"),
    ts.ImportCommitment(importer="VNM", exporter="USA", value=100.0, basis="level",
                        start="2025-01-01")])


def _scale() -> float:
    return float(GOODS.flows.sum())


# ---------------------------------------------------------------------- closures
@pytest.mark.parametrize("closure", CLOSURES)
def test_noop_projection_reports_zero_change_under_every_closure(closure):
    proj = ts.project(GOODS, NOOP, years=[2025, 2027], closure=closure)
    assert np.abs(proj.frame["change"].to_numpy()).max() < 1e-9 * _scale()
    assert "held flat" in proj.without


def test_balanced_without_path_is_the_zero_deficit_world():
    proj = ts.project(GOODS, NOOP, years=[2026], closure="balanced")
    f = proj.frame.query("year == 2026")
    # every country's total balance is zero in the zero-deficit world, with and without
    tot = f[f.partner == "WLD"]
    assert np.abs(tot[["balance_baseline", "balance_scenario"]].to_numpy()).max() \
        < 1e-9 * _scale()
    # ... and the bilateral ones are those of the zero-deficit equilibrium (at that year's
    # elasticity), not the data
    vnm = f.query("country == 'VNM' and partner == 'USA'").iloc[0]
    zero = ts.simulate(GOODS, None, closure="balanced",
                       trade_elasticity=vnm["trade_elasticity"]).balances("USA")
    zero = zero.set_index("country")
    assert vnm["balance_baseline"] == pytest.approx(zero.loc["VNM", "balance_scenario"],
                                                    rel=1e-9)
    assert vnm["balance_baseline"] != pytest.approx(123463.0, rel=0.05)   # the data
    assert "zero-deficit" in proj.without


@pytest.mark.parametrize("closure", CLOSURES)
def test_noop_monte_carlo_draws_report_zero_change(closure):
    one = ts.monte_carlo(GOODS, NOOP, n=3, closure=closure, date="2025-06-01")
    assert np.abs(one.draws["change"].to_numpy()).max() < 1e-9 * _scale()
    path = ts.monte_carlo(GOODS, NOOP, n=2, years=[2025, 2026], closure=closure)
    assert np.abs(path.draws["change"].to_numpy()).max() < 1e-9 * _scale()


def test_cli_run_balanced_noop_reports_zero_change(tmp_path, capsys):
    path = tmp_path / "noop.toml"
    NOOP.write_toml(path)
    out = tmp_path / "out"
    code = cli.main(["run", str(path), "--years", "2025", "2026", "--closure", "balanced",
                     "--out", str(out)])
    assert code == 0
    table = pd.read_csv(out / "table.csv", index_col=0)
    changes = table[[c for c in table.columns if c.endswith("change")]].to_numpy()
    assert np.abs(changes).max() < 1e-6
    assert "zero-deficit" in capsys.readouterr().out
    meta = json.loads((out / "run.json").read_text())
    assert meta["closure"] == "balanced"


# ---------------------------------------------------------------------- date / year
def _tariff_from(day: str, rate: float = 0.5) -> ts.Scenario:
    """An additional duty on every US import from Vietnam from ``day``."""
    return ts.Scenario("vn", [ts.Tariff(importer="USA", exporter="VNM", rate=rate,
                                        mode="add", start=day)])


BOTH = dict(date="2026-03-01", year=2026)


@pytest.mark.parametrize("call", [
    lambda: ts.simulate(GOODS, _tariff_from("2026-01-01"), **BOTH),
    lambda: ts.simulate(GOODS, _tariff_from("2026-01-01"), model="smart", **BOTH),
    lambda: ts.simulate(GOODS, _tariff_from("2026-01-01"), model="gsim", **BOTH),
    lambda: simulate_pe(GOODS, _tariff_from("2026-01-01"), **BOTH),
    lambda: bridge.pe_shocks(GOODS, _tariff_from("2026-01-01"), **BOTH),
    lambda: _tariff_from("2026-01-01").shocks(GOODS, **BOTH),
    lambda: as_shocks(GOODS, _tariff_from("2026-01-01"), **BOTH),
    lambda: ts.project(GOODS, _tariff_from("2026-01-01"), years=[2026], year=2026),
    lambda: ts.monte_carlo(GOODS, _tariff_from("2026-01-01"), n=2, **BOTH),
    lambda: ts.monte_carlo(GOODS, _tariff_from("2026-01-01"), n=2, years=[2026], **BOTH),
])
def test_date_with_year_is_refused_everywhere(call):
    with pytest.raises(ScenarioError) as e:
        call()
    assert e.value.field in ("date", "year")
    assert "not both" in str(e.value) or "year=" in str(e.value)


def test_shocks_are_not_dated():
    with pytest.raises(ScenarioError, match="not dated"):
        as_shocks(GOODS, Shocks(), date="2026")


def test_one_year_rule_default_everywhere():
    assert literals.DEFAULT_YEAR_RULE == "average"
    for fn in (resolve.resolve, ts.Scenario.shocks, as_shocks, ts.simulate, simulate_pe,
               bridge.pe_shocks, ts.project):
        assert inspect.signature(fn).parameters["year_rule"].default == "average", fn


def test_ge_honours_year_rule():
    """A 50% additional duty from 1 Oct 2025: in force on 1 July? no (mid-year: nothing
    changes); averaged over 2025: 92 of 365 days, so the year's tariff is the baseline's
    plus 0.5 x 92/365."""
    s = _tariff_from("2025-10-01")
    mid = ts.simulate(GOODS, s, year=2025, year_rule="mid-year")
    assert np.abs(mid.countries["welfare_change_pct"]).max() < 1e-9
    avg = ts.simulate(GOODS, s, year=2025, year_rule="average")
    default = ts.simulate(GOODS, s, year=2025)
    vnm, usa = GOODS.country_index("VNM"), GOODS.country_index("USA")
    t = np.array(GOODS.tariffs, dtype=float)
    t[vnm, usa, :] += 0.5 * 92 / 365
    hand = ts.simulate(GOODS, Shocks(tariffs=t))
    for r in (avg, default):
        pd.testing.assert_frame_equal(r.countries, hand.countries, rtol=1e-9)


@pytest.mark.parametrize("model", ["smart", "gsim"])
def test_pe_honours_year_rule(model):
    s = _tariff_from("2025-10-01")
    avg = ts.simulate(GOODS, s, model=model, year=2025)
    row = avg.products.query("exporter == 'VNM' and importer == 'USA'").iloc[0]
    assert row["tariff_scenario"] == pytest.approx(0.5 * 92 / 365, rel=1e-12)
    mid = ts.simulate(GOODS, s, model=model, year=2025, year_rule="mid-year")
    assert mid.products["tariff_scenario"].equals(mid.products["tariff_baseline"])


def test_date_2026_is_the_first_of_january():
    s = _tariff_from("2026-01-01")
    on = ts.simulate(GOODS, s, date="2026")
    same = ts.simulate(GOODS, s, date=dt.date(2026, 1, 1))
    before = ts.simulate(GOODS, s, date="2025-12-31")
    vn = on.balances("USA").set_index("country").loc["VNM"]
    assert vn["exports_scenario"] < 0.5 * vn["exports_baseline"]     # 50% tariff in force
    pd.testing.assert_frame_equal(on.countries, same.countries)
    assert np.abs(before.countries["welfare_change_pct"]).max() < 1e-9
    # project: the policy of 1 Jan 2026 held in every projected year (2025 included)
    proj = ts.project(GOODS, s, years=[2025], date="2026", elasticity_schedule=5.0)
    p25 = proj.frame.query("year == 2025 and country == 'VNM' and partner == 'USA'").iloc[0]
    vn_on = on.balances("USA").set_index("country").loc["VNM"]
    assert p25["change"] == pytest.approx(vn_on["change"], rel=1e-9)
    mc = ts.monte_carlo(GOODS, s, n=2, trade_elasticity=[5.0, 5.0], date="2026")
    assert mc.draws.query("country == 'VNM'")["change"].to_numpy() == pytest.approx(
        [vn_on["change"]] * 2, rel=1e-9)
