"""Caliendo & Parro (2015) NAFTA: Table 2 and the fixed-deficit run, within 0.01 pp.

Published (Table 2, zero deficits, % change): welfare (= ToT + VoT) MEX 1.31, CAN -0.06,
USA 0.08; terms of trade MEX -0.41, CAN -0.11, USA 0.04; volume of trade MEX 1.72, CAN 0.04,
USA 0.04; real wage MEX 1.72, CAN 0.32, USA 0.11; intra-NAFTA imports about +118% (MEX),
+11% (CAN), +41% (USA). With deficits held fixed the decomposition sums to MEX 1.17,
CAN -0.04, USA 0.08. Exact welfare for Mexico is about +0.007% (data README).
"""

from __future__ import annotations

import numpy as np
import pytest
from validation_data import validation_path

pytestmark = pytest.mark.validation

NAFTA = ["MEX", "CAN", "USA"]
# The printed values have two decimals: agreement within 0.01 pp is the test. A value such
# as our USA sum 0.085 against the printed 0.08 sits inside that band.
TOL_PP = 0.01 + 1e-9


@pytest.fixture(scope="module")
def cp():
    from tariffsim.ge._cp2015 import load_cp2015
    return load_cp2015(validation_path("cp2015"))


@pytest.fixture(scope="module")
def baseline(cp):
    from tariffsim import Baseline
    return Baseline.from_arrays(cp.countries, cp.sectors, cp.flows, cp.tariffs1993, cp.io,
                                cp.value_added, year=1993, units="USD",
                                source="Caliendo & Parro (2015) replication")


def _run(cp, baseline, closure):
    from tariffsim.ge import solve
    from tariffsim.shocks import Shocks
    return solve(baseline, Shocks(tariffs=cp.nafta_tariffs()), trade_elasticity=cp.theta,
                 closure=closure, tol=1e-10)


@pytest.fixture(scope="module")
def zero_deficit(cp, baseline):
    return _run(cp, baseline, "balanced")


@pytest.fixture(scope="module")
def fixed_deficit(cp, baseline):
    return _run(cp, baseline, "fixed_deficit")


def test_loader_handles_negative_io_entry(cp):
    assert cp.negative_io_entries == 1
    assert (cp.io >= 0).all()
    np.testing.assert_allclose(cp.value_added + cp.io.sum(axis=1), 1.0, atol=1e-12)
    # non-tradable sectors have no trade
    off = ~np.eye(31, dtype=bool)
    assert not cp.flows[:, :, 20:][off].any()
    assert cp.theta[20:].tolist() == [8.22] * 20


@pytest.mark.parametrize("column,published", [
    ("terms_of_trade_pct", {"MEX": -0.41, "CAN": -0.11, "USA": 0.04}),
    ("volume_of_trade_pct", {"MEX": 1.72, "CAN": 0.04, "USA": 0.04}),
    ("decomposition_sum_pct", {"MEX": 1.31, "CAN": -0.06, "USA": 0.08}),
])
def test_table2_decomposition(zero_deficit, column, published):
    d = zero_deficit.welfare_decomposition().set_index("country")
    for c, v in published.items():
        assert d.loc[c, column] == pytest.approx(v, abs=TOL_PP), (c, column)


def test_table2_real_wage(zero_deficit):
    c = zero_deficit.countries.set_index("country")
    for k, v in {"MEX": 1.72, "CAN": 0.32, "USA": 0.11}.items():
        assert c.loc[k, "real_wage_change_pct"] == pytest.approx(v, abs=TOL_PP), k


def test_intra_nafta_imports(zero_deficit):
    # printed as whole percents ("about"): tolerance 1 pp
    f = zero_deficit.flows
    f = f[f["exporter"].isin(NAFTA) & f["importer"].isin(NAFTA) & (f["exporter"] != f["importer"])]
    g = f.groupby("importer")[["baseline", "scenario"]].sum()
    change = 100 * (g["scenario"] / g["baseline"] - 1)
    for k, v in {"MEX": 118, "CAN": 11, "USA": 41}.items():
        assert change[k] == pytest.approx(v, abs=1.0), k


def test_exact_welfare_mexico_near_zero(zero_deficit):
    # data README: exact I-hat/P-hat for Mexico about +0.007%; tariff revenue falls ~80%
    d = zero_deficit.welfare_decomposition().set_index("country")
    assert d.loc["MEX", "welfare_exact_pct"] == pytest.approx(0.007, abs=0.002)
    c = zero_deficit.countries.set_index("country")
    drop = 1 - c.loc["MEX", "tariff_revenue_scenario"] / c.loc["MEX", "tariff_revenue_baseline"]
    assert drop == pytest.approx(0.8, abs=0.05)


def test_fixed_deficit_decomposition(fixed_deficit):
    d = fixed_deficit.welfare_decomposition().set_index("country")
    for k, v in {"MEX": 1.17, "CAN": -0.04, "USA": 0.08}.items():
        assert d.loc[k, "decomposition_sum_pct"] == pytest.approx(v, abs=TOL_PP), k


def test_fixed_deficit_keeps_total_balances(fixed_deficit):
    c = fixed_deficit.countries
    np.testing.assert_allclose(c["balance_scenario"], c["balance_baseline"],
                               rtol=0, atol=1e-6 * c["exports_baseline"].sum())


def test_converged_with_diagnostics(zero_deficit):
    d = zero_deficit.diagnostics
    assert d["residual"] < 1e-10 and d["iterations"] > 1
