"""Elasticity schedules and the balance bookkeeping used by projections (no solver)."""

from __future__ import annotations

import numpy as np
import pytest

import tariffsim as ts
from tariffsim.projection import _growth_factor, bilateral_balances


def test_blp_schedule_points_and_interpolation():
    s = ts.BLP2023
    # published anchors (Boehm, Levchenko & Pandalai-Nayar 2023): 0.76 short run, ~2 long run
    assert s(1) == pytest.approx(0.76)
    assert s(7) == pytest.approx(1.75)
    assert s(10) == pytest.approx(2.0)
    assert s(25) == pytest.approx(2.0)  # flat beyond the last point
    # linear between year 1 and 7: 0.76 + (1.75 - 0.76) * 3/6 at year 4
    assert s(4) == pytest.approx(0.76 + 0.99 * 0.5)
    assert s(0) == pytest.approx(0.76)  # before the policy: first value
    assert "Boehm" in s.describe() and "0.76" in s.describe()


def test_schedule_validation_and_scaling():
    with pytest.raises(ts.ModelError, match="theta > 0"):
        ts.ElasticitySchedule({1: -1.0})
    with pytest.raises(ts.ModelError, match="integer >= 1"):
        ts.ElasticitySchedule({0: 1.0})
    with pytest.raises(ts.ModelError, match="at least one"):
        ts.ElasticitySchedule({})
    assert ts.BLP2023.scaled(2.0)(1) == pytest.approx(1.52)
    assert ts.ElasticitySchedule.constant(5.0)(9) == 5.0


def test_bilateral_balances_by_hand():
    # A exports 10 to B and 4 to C; B exports 3 to A; C exports 1 to B
    x = np.zeros((3, 3, 1))
    x[0, 1, 0], x[0, 2, 0], x[1, 0, 0], x[2, 1, 0] = 10, 4, 3, 1
    x[0, 0, 0] = 99  # domestic sales never count
    f = bilateral_balances(x, ["A", "B", "C"], "bal").set_index(["country", "partner"])["bal"]
    assert f[("A", "B")] == 7 and f[("B", "A")] == -7
    assert f[("A", "WLD")] == 14 - 3
    assert f[("C", "WLD")] == 1 - 4
    assert f.xs("WLD", level="partner").sum() == 0


def test_growth_factor_geometric_mean():
    b = ts.Baseline.from_arrays(["A", "B"], None, np.ones((2, 2)))
    g = _growth_factor({"A": 0.10}, b, 2)[:, :, 0]
    assert g[0, 0] == pytest.approx(1.21)
    assert g[0, 1] == pytest.approx(1.1)  # sqrt(1.21 * 1)
    assert g[1, 1] == pytest.approx(1.0)
    with pytest.raises(ts.DataError, match="growth"):
        _growth_factor(-1.5, b, 1)
