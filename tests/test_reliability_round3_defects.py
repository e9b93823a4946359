"""Round three of issue 14 (the Python side): projections' growth and year, elasticity
schedules, the built-in name rule and the writers. Each test of a defect failed before
its fix (docs/reliability.md, "Round three")."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import tariffsim as ts
from tariffsim.errors import DataError, ModelError
from tariffsim.projection import ElasticitySchedule, as_schedule

C3 = ("AAA", "BBB", "CCC")
F3 = np.array([[100.0, 10, 5], [8, 200, 6], [4, 7, 150]])


def base3(**kw) -> ts.Baseline:
    return ts.Baseline.from_arrays(C3, None, F3, **kw)


SC = ts.Scenario("t", instruments=[ts.Tariff(importer="AAA", exporter="BBB", rate=0.1,
                                             start="2025-01-01")])


def proj(**kw):
    return ts.project(base3(year=2024), SC, **{"years": [2026], **kw})


def _raise_constant(name):
    raise ValueError(f"not JSON: {name}")


# ------------------------------------------------------------------ growth
@pytest.mark.parametrize("growth", [3, 5.0, 0.5, -0.5, 50, -3, {"BBB": 3}, {"AAA": 0.02,
                                                                          "CCC": 0.7}])
def test_growth_as_a_percentage_is_refused(growth):
    with pytest.raises(DataError, match=r"growth: .*yearly rate as a fraction") as exc:
        proj(growth=growth)
    g = next(iter(v for v in (growth.values() if isinstance(growth, dict) else [growth])
                  if abs(v) >= 0.5))
    assert f"write {g / 100:g} for {g:g}%" in str(exc.value)
    if isinstance(growth, dict):
        code = next(k for k, v in growth.items() if abs(v) >= 0.5)
        assert f"(for {code})" in str(exc.value)


@pytest.mark.parametrize("growth", [True, "0.03", [0.03], None.__class__, {"AAA": "x"},
                                    {"AAA": None}])
def test_growth_of_a_wrong_type_is_refused(growth):
    with pytest.raises(DataError, match="growth: cannot read"):
        proj(growth=growth)


@pytest.mark.parametrize("growth", [0.49, -0.49, 0.03, np.float32(0.03), 0, {"AAA": 0.1}])
def test_growth_below_the_threshold_runs_and_scales_flat_world(growth):
    p = proj(growth=growth, elasticity_schedule=5.0)
    f = p.frame
    assert np.all(np.isfinite(f[["balance_baseline", "balance_scenario"]].to_numpy()))
    if not isinstance(growth, dict):
        # uniform growth for two years scales every balance without the policy by (1+g)^2
        b0 = f[f["year"] == 2024].set_index(["country", "partner"])["balance_baseline"]
        b2 = f[f["year"] == 2026].set_index(["country", "partner"])["balance_baseline"]
        np.testing.assert_allclose(b2, b0 * (1 + float(growth)) ** 2, rtol=1e-9, atol=1e-9)


def test_growth_unknown_country_suggests():
    with pytest.raises(DataError, match="growth: .*did you mean 'AAA'"):
        proj(growth={"AAX": 0.02})


# ------------------------------------------------------------------ the baseline's year
def test_baseline_without_a_year_is_refused_not_read_from_the_clock():
    b = base3()
    assert b.year is None
    with pytest.raises(DataError, match=r"baseline.year: .*replace\(year=2024\)"):
        ts.project(b, SC, years=[2026])


def test_baseline_with_a_year_given_later_projects():
    p = ts.project(base3().replace(year=2024), SC, years=[2026])
    assert sorted(p.frame["year"].unique()) == [2024, 2026]


def test_project_baseline_not_a_baseline():
    with pytest.raises(DataError, match="baseline: expected a Baseline"):
        ts.project("default", SC, years=[2026])


# ------------------------------------------------------------------ elasticity schedules
@pytest.mark.parametrize("fn, needle", [
    (lambda h: "x", "returned 'x' at horizon 1"),
    (lambda h: None, "returned None"),
    (lambda h: [1.0, 2.0], "returned [1.0, 2.0]"),
    (lambda h: True, "returned True"),
    (lambda h: 1 / (h - 3), "raised ZeroDivisionError at horizon 3"),
    (lambda: 1.0, "raised TypeError at horizon 1"),
    (lambda h: {1: 2.0}[h], "raised KeyError at horizon 2"),
])
def test_callable_schedule_returning_junk(fn, needle):
    with pytest.raises(ModelError, match="elasticity_schedule") as exc:
        proj(elasticity_schedule=fn)
    assert needle in str(exc.value)


@pytest.mark.parametrize("fn", [lambda h: float("nan"), lambda h: -1.0, lambda h: 0,
                                lambda h: math.inf])
def test_callable_schedule_returning_a_bad_number(fn):
    with pytest.raises(ModelError, match="elasticity_schedule: value .* positive finite"):
        proj(elasticity_schedule=fn)


@pytest.mark.parametrize("points", [{True: 1.0}, {1: "2"}, {1: True}, {1: b"2"},
                                    [(1, 2.0)], "1:2", {1: 1e400}])
def test_schedule_points_of_a_wrong_type(points):
    with pytest.raises(ModelError, match="elasticity_schedule"):
        ElasticitySchedule(points)  # type: ignore[arg-type]


def test_callable_schedule_is_sampled_faithfully():
    s = as_schedule(lambda h: 0.5 + 0.1 * h)
    assert s(1) == pytest.approx(0.6) and s(30) == pytest.approx(3.5) and s(40) == s(30)


# ------------------------------------------------------------------ writers
def test_zero_shock_metadata_is_valid_json(tmp_path):
    r = ts.simulate(base3(year=2024), ts.Scenario("nothing", instruments=[]))
    r.to_csv(tmp_path)
    meta = json.loads((tmp_path / "metadata.json").read_text(),
                      parse_constant=_raise_constant)
    assert meta["scenario"] == "nothing"


def test_result_to_csv_into_a_file_names_the_path(tmp_path):
    r = ts.simulate(base3(year=2024), SC)
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(DataError, match=f"folder: cannot write '{f}"):
        r.to_csv(f)


def test_write_toml_onto_a_folder_names_the_path(tmp_path):
    with pytest.raises(DataError, match=f"cannot write '{tmp_path}'.*is a folder"):
        SC.write_toml(tmp_path)


def test_killed_writes_temporaries_are_removed_by_the_next_write(tmp_path):
    import os
    import time

    r = ts.simulate(base3(year=2024), SC)
    dead = tmp_path / ".countries.csv.999999999-deadbeef.tmp"          # a killed writer
    live = tmp_path / f".countries.csv.{os.getpid()}-0badf00d.tmp"     # a write going on
    old = tmp_path / ".flows.csv.0a0b0c0d.tmp"                         # older version, 2 h
    fresh = tmp_path / ".flows.csv.01020304.tmp"                       # older version, now
    other = tmp_path / ".notes.txt.999999999-deadbeef.tmp"             # not ours
    for p in (dead, live, old, fresh, other):
        p.write_text("half")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    r.to_csv(tmp_path)
    assert not dead.exists() and not old.exists()
    assert live.exists() and fresh.exists() and other.exists()
    assert (tmp_path / "countries.csv").is_file()
