"""Reliability, round three (issue 14): an adversarial campaign over projections,
elasticity schedules, the writers, the whole-folder swap, scenario names and the command
line -- the parts round two left out.

The contract for every case: a tariffsim error naming the field and the fix, or a
warning where the docs say so, or a consistent result (checked against an independently
computed value) -- never a bare exception, a hang, NaN, or a silently wrong number.

* ``CASES``: one test each, naming the outcome: the exact error class and a text of its
  message, a warning, or ``ok`` with a check of the result. ``fixed=True`` marks the
  cases that failed on the tree before this round (the table in docs/reliability.md;
  regenerate it with ``python tests/test_reliability_round3_campaign.py``).
* ``PROPERTIES``: hypothesis over random inputs of the same entry points.

Everything runs with RuntimeWarning turned into an error.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from campaign import Case, run_case
from campaign import table as campaign_table
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tariffsim as ts
from tariffsim import _atomic, cli
from tariffsim.errors import (
    DataError,
    ModelError,
    ScenarioError,
    TariffSimError,
    TariffSimWarning,
)
from tariffsim.projection import BLP2023, ElasticitySchedule, as_schedule

PROPS = settings(max_examples=30, deadline=10000, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow,
                                        HealthCheck.function_scoped_fixture])

C3 = ("AAA", "BBB", "CCC")
F3 = np.array([[100.0, 10, 5], [8, 200, 6], [4, 7, 150]])
OWNED = ("projection.csv", "table.csv", "decomposition.csv", "run.json", "surplus.png")


def base3(**kw: Any) -> ts.Baseline:
    return ts.Baseline.from_arrays(C3, None, F3, **{"year": 2024, **kw})


SC = ts.Scenario("t", instruments=[ts.Tariff(importer="AAA", exporter="BBB", rate=0.1,
                                             start="2025-01-01")])
NO_COMMITMENT = ts.Scenario("none", instruments=[])


def proj(**kw: Any) -> Any:
    return ts.project(base3(), SC, **{"years": [2026], **kw})


_P = None


def the_projection() -> Any:
    global _P
    if _P is None:
        _P = proj(years=[2025, 2026])
    return _P


def balances(p: Any, year: int = 2026) -> dict:
    f = p.frame[p.frame["year"] == year]
    return {(c, q): v for c, q, v in zip(f["country"], f["partner"], f["balance_scenario"],
                                        strict=True)}


CASES: list[Case] = []


def case(area: str, what: str, call: Callable[[Path], Any], outcome: Any, match: str = "", *,
         check: Callable[[Any], Any] | None = None, fixed: bool = False,
         new: bool = False) -> None:
    CASES.append(Case(area, what, call, outcome, match, check, fixed, new))


def same_as(reference: Callable[[], Any]) -> Callable[[Any], bool]:
    def check(p: Any) -> bool:
        a, b = balances(p), balances(reference())
        return a.keys() == b.keys() and all(math.isclose(a[k], b[k], rel_tol=1e-12,
                                                         abs_tol=1e-9) for k in a)
    return check


# ---- project: years
case("project", "years=[2026.5]", lambda t: proj(years=[2026.5]), DataError, "years",
     fixed=True)
case("project", "years=[True]", lambda t: proj(years=[True]), DataError, "range(",
     fixed=True)
case("project", "years=[nan]", lambda t: proj(years=[float("nan")]), DataError, "years")
case("project", "years=np.array([2026])", lambda t: proj(years=np.array([2026])), "ok",
     check=same_as(proj))
case("project", "years=['2026'] (text)", lambda t: proj(years=["2026"]), "ok",
     check=same_as(proj))
case("project", "years unsorted with repeats", lambda t: proj(years=(2026, 2025, 2026)),
     "ok", check=lambda p: sorted(set(p.frame["year"])) == [2024, 2025, 2026])
case("project", "years=range(2026, 2026) (empty)", lambda t: proj(years=range(2026, 2026)),
     DataError, "at least one year")
case("project", "years=[10**6]", lambda t: proj(years=[10**6]), ScenarioError, "year")
case("project", "years=2026 (one int)", lambda t: proj(years=2026), DataError, "range(")
case("project", "first_policy_year=-5", lambda t: proj(first_policy_year=-5), DataError,
     "first_policy_year", fixed=True)
case("project", "first_policy_year=10**30", lambda t: proj(first_policy_year=10**30),
     DataError, "first_policy_year", fixed=True)
case("project", "first_policy_year=np.int64(2025)",
     lambda t: proj(first_policy_year=np.int64(2025)), "ok", check=same_as(proj))
case("project", "first_policy_year='2025'", lambda t: proj(first_policy_year="2025"),
     DataError, "first_policy_year")
# ---- project: growth
case("project", "growth=nan", lambda t: proj(growth=float("nan")), DataError, "finite")
case("project", "growth=inf", lambda t: proj(growth=math.inf), DataError, "growth")
case("project", "growth=-inf", lambda t: proj(growth=-math.inf), DataError, "growth")
case("project", "growth={'AAA': nan}", lambda t: proj(growth={"AAA": float("nan")}),
     DataError, "finite")
case("project", "growth=1e308", lambda t: proj(growth=1e308), DataError,
     "yearly rate as a fraction", fixed=True)
case("project", "growth=0.4999 (just below the limit)", lambda t: proj(growth=0.4999), "ok",
     check=lambda p: math.isclose(
         balances(p, 2024)[("BBB", "AAA")] * 1.4999 ** 2,
         p.frame.query("year == 2026 and country == 'BBB' and partner == 'AAA'")
         ["balance_baseline"].iloc[0], rel_tol=1e-9))
case("project", "growth=5e-324 (denormal)", lambda t: proj(growth=5e-324), "ok",
     check=same_as(proj))
case("project", "growth={} (no country grows)", lambda t: proj(growth={}), "ok",
     check=same_as(proj))
case("project", "growth=np.float32(0.03)", lambda t: proj(growth=np.float32(0.03)), "ok",
     check=same_as(lambda: proj(growth=float(np.float32(0.03)))))
case("project", "growth='3%'", lambda t: proj(growth="3%"), DataError, "cannot read")
case("project", "growth={'AAA': True}", lambda t: proj(growth={"AAA": True}), DataError,
     "cannot read", fixed=True)
# ---- project: schedules, dates, options
case("project", "elasticity {1.0: 2.0} (float horizon)",
     lambda t: proj(elasticity_schedule={1.0: 2.0}), ModelError, "horizon")
case("project", "elasticity {'1': 2.0}", lambda t: proj(elasticity_schedule={"1": 2.0}),
     ModelError, "horizon")
case("project", "elasticity {1: '2'} (text value)",
     lambda t: proj(elasticity_schedule={1: "2"}), ModelError, "positive finite", fixed=True)
case("project", "elasticity {1: np.float32(0.5)}",
     lambda t: proj(elasticity_schedule={1: np.float32(0.5)}), "ok",
     check=same_as(lambda: proj(elasticity_schedule=0.5)))
case("project", "elasticity lambda returning np.float64",
     lambda t: proj(elasticity_schedule=lambda h: np.float64(2.0)), "ok",
     check=same_as(lambda: proj(elasticity_schedule=2.0)))
case("project", "elasticity lambda raising", lambda t: proj(elasticity_schedule=lambda h: 1 / 0),
     ModelError, "ZeroDivisionError at horizon 1", fixed=True)
case("project", "date='2026-02-30'", lambda t: proj(date="2026-02-30"), ScenarioError, "date")
case("project", "closure='Balanced'", lambda t: proj(closure="Balanced"), ModelError,
     "did you mean 'balanced'")
case("project", "year_rule='midyear'", lambda t: proj(year_rule="midyear"), ScenarioError,
     "did you mean 'mid-year'")
case("project", "sectors=[] (no sector)", lambda t: proj(sectors=[]), DataError, "sectors")
case("project", "baseline=None", lambda t: ts.project(None, SC, years=[2026]), DataError,
     "baseline", fixed=True)
case("project", "baseline without a year", lambda t: ts.project(
    ts.Baseline.from_arrays(C3, None, F3), SC, years=[2026]), DataError, "baseline.year",
     fixed=True)
# ---- Projection methods
case("Projection", "table(countries='AAA') (one code as text)",
     lambda t: the_projection().table(partner="BBB", countries="AAA"), "ok",
     check=lambda tab: list(tab.index) == ["AAA"], fixed=True)
case("Projection", "table(years='2026') (text)",
     lambda t: the_projection().table(partner="BBB", years="2026"), DataError, "years")
case("Projection", "table(years=2026) (one int)",
     lambda t: the_projection().table(partner="BBB", years=2026), "ok",
     check=lambda tab: "2026 change" in tab.columns, fixed=True)
case("Projection", "table(years=[2030]) (not projected)",
     lambda t: the_projection().table(partner="BBB", years=[2030]), DataError,
     "not projected")
case("Projection", "balances(partner='BBX') suggests",
     lambda t: the_projection().balances(partner="BBX"), DataError, "did you mean 'BBB'",
     fixed=True)
case("Projection", "balances(countries=['CCD']) suggests",
     lambda t: the_projection().balances(partner="BBB", countries=["CCD"]), DataError,
     "did you mean 'CCC'", fixed=True)
case("Projection", "balances(partner=5)", lambda t: the_projection().balances(partner=5),
     DataError, "partner")
# ---- ElasticitySchedule
case("ElasticitySchedule", "schedule('x')", lambda t: BLP2023("x"), ModelError, "horizon",
     fixed=True)
case("ElasticitySchedule", "schedule(nan)", lambda t: BLP2023(float("nan")), ModelError,
     "horizon", fixed=True)
case("ElasticitySchedule", "schedule(2.5)", lambda t: BLP2023(2.5), ModelError, "horizon",
     fixed=True)
case("ElasticitySchedule", "schedule(np.int64(4))", lambda t: BLP2023(np.int64(4)), "ok",
     check=lambda v: math.isclose(v, 0.76 + 3 * (1.75 - 0.76) / 6))
case("ElasticitySchedule", "schedule(-5) (before the policy)", lambda t: BLP2023(-5), "ok",
     check=lambda v: v == 0.76)
case("ElasticitySchedule", "scaled('x')", lambda t: BLP2023.scaled("x"), ModelError,
     "factor", fixed=True)
case("ElasticitySchedule", "scaled(True)", lambda t: BLP2023.scaled(True), ModelError,
     "factor", fixed=True)
case("ElasticitySchedule", "scaled(0)", lambda t: BLP2023.scaled(0), ModelError,
     "positive")
case("ElasticitySchedule", "constant('x')", lambda t: ElasticitySchedule.constant("x"),
     ModelError, "elasticity_schedule", fixed=True)
case("ElasticitySchedule", "points a list of pairs",
     lambda t: ElasticitySchedule([(1, 2.0)]), ModelError, "mapping", fixed=True)
case("ElasticitySchedule", "points a pandas Series",
     lambda t: ElasticitySchedule(__import__("pandas").Series({1: 0.5, 5: 2.0})), "ok",
     check=lambda s: s(3) == 1.25, fixed=True)
case("ElasticitySchedule", "points=None", lambda t: ElasticitySchedule(None), ModelError,
     "mapping")
case("ElasticitySchedule", "horizon 10**30", lambda t: ElasticitySchedule({10**30: 1.0}),
     "ok", check=lambda s: s(5) == 1.0)
case("ElasticitySchedule", "as_schedule(1e308)", lambda t: as_schedule(1e308), "ok",
     check=lambda s: s(1) == 1e308)
# ---- writers
case("writers", "write_toml(5)", lambda t: SC.write_toml(5), DataError, "path", fixed=True)
case("writers", "write_toml(None)", lambda t: SC.write_toml(None), DataError, "path",
     fixed=True)
case("writers", "write_toml('')", lambda t: SC.write_toml(""), DataError, "path")
case("writers", "write_toml: a name of 300 characters",
     lambda t: SC.write_toml(t / ("a" * 300 + ".toml")), DataError, "too long", fixed=True)
case("writers", "write_toml: a NUL byte in the name",
     lambda t: SC.write_toml(str(t / "a\x00.toml")), DataError, "NUL", fixed=True)
case("writers", "to_csv: a folder name of 300 characters",
     lambda t: ts.simulate(base3(), SC).to_csv(t / ("a" * 300)), DataError, "too long",
     fixed=True)
case("writers", "to_csv: a NUL byte in the folder",
     lambda t: ts.simulate(base3(), SC).to_csv(str(t / "a\x00b")), DataError, "NUL",
     fixed=True)
case("writers", "write_toml below a file", lambda t: (
    (t / "f").write_text("x"), SC.write_toml(t / "f" / "s.toml")), DataError, "is a file")
case("writers", "write_toml unicode name round trip",
     lambda t: ts.Scenario.from_toml(SC.write_toml(t / "szenario-ü-日本.toml")), "ok",
     check=lambda s: s == SC)
# ---- the whole-folder swap
case("FolderSwap", "out=None", lambda t: _atomic.FolderSwap(None, owned=OWNED), DataError,
     "folder path", new=True)
case("FolderSwap", "out=''", lambda t: _atomic.FolderSwap("", owned=OWNED), DataError,
     "folder path", new=True)
case("FolderSwap", "out a symlink to a folder", lambda t: (
    (t / "real").mkdir(), (t / "link").symlink_to(t / "real"),
    _atomic.FolderSwap(t / "link", owned=OWNED)), DataError, "not a plain folder",
     new=True)
case("FolderSwap", "out holding a hidden '.keep'", lambda t: (
    (t / "o").mkdir(), (t / "o" / ".keep").write_text(""),
    _atomic.FolderSwap(t / "o", owned=OWNED)), DataError, ".keep", new=True)
case("FolderSwap", "out holding a sub-folder", lambda t: (
    (t / "o").mkdir(), (t / "o" / "sub").mkdir(),
    _atomic.FolderSwap(t / "o", owned=OWNED)), DataError, "sub", new=True)
case("FolderSwap", "out below folders that do not exist yet", lambda t: _atomic.FolderSwap(
    t / "a" / "b" / "out", owned=OWNED).commit(), "ok",
     check=lambda out: out.is_dir() and not any(out.iterdir()), new=True)

# ---- Scenario and scenario names
case("Scenario", "with_realisation('0.5')", lambda t: SC.with_realisation("0.5"),
     ScenarioError, "realisation", fixed=True)
case("Scenario", "with_realisation(2) without commitments",
     lambda t: NO_COMMITMENT.with_realisation(2), ScenarioError, "[0, 1]", fixed=True)
case("Scenario", "with_realisation(nan)", lambda t: NO_COMMITMENT.with_realisation(math.nan),
     ScenarioError, "realisation", fixed=True)
case("Scenario", "with_realisation(0)", lambda t: NO_COMMITMENT.with_realisation(0), "ok",
     check=lambda s: s.instruments == ())
case("scenarios.load", "a NUL byte in a path", lambda t: ts.scenarios.load("a/\x00b"),
     ScenarioError, "cannot read", fixed=True)
case("scenarios.load", "a name of 5,000 characters", lambda t: ts.scenarios.load("a" * 5000),
     ScenarioError, "scenario")
case("scenarios.load", "./missing.toml", lambda t: ts.scenarios.load(str(t / "missing.toml")),
     ScenarioError, "no such scenario file")
case("scenarios.load", "a folder as a Path", lambda t: ts.scenarios.load(t), ScenarioError,
     "is a folder")
case("scenarios.load", "variant=''", lambda t: ts.scenarios.load("us-asean-2025", variant=""),
     ScenarioError, "variant")


# ---- read_icio (the item left by round two) and the shared region mapping
def icio(t: Path, **kw: Any) -> Any:
    from test_io_icio import _write

    from tariffsim.io import read_icio
    return read_icio(_write(t / "icio.csv"), **kw)


case("read_icio", "year='abc' names the file", lambda t: icio(t, year="abc"), DataError,
     "icio.csv", fixed=True)
case("read_icio", "year=2023.5", lambda t: icio(t, year=2023.5), DataError, "year")
case("read_icio", "sectors={'A01': 5}", lambda t: icio(t, sectors={"A01": 5}), DataError,
     "sectors['A01']")
case("read_icio", "regions=5", lambda t: icio(t, regions=5), DataError, "regions",
     fixed=True)
case("read_icio", "tls='value_add'", lambda t: icio(t, tls="value_add"), DataError,
     "did you mean 'value_added'", fixed=True)
case("read_icio", "dpabr='Drop'", lambda t: icio(t, dpabr="Drop"), DataError,
     "did you mean 'drop'", fixed=True)
case("read_icio", "year=np.int64(2023)", lambda t: icio(t, year=np.int64(2023)), "ok",
     check=lambda b: b.year == 2023)
case("concordance", "region_map(regions=b'USA')", lambda t: __import__(
    "tariffsim.concordance", fromlist=["region_map"]).region_map(b"USA", ["USA", "CHN"]),
     DataError, "regions")


# ---- the command line (the projection replaced by a sentinel: validation only)
class Reached(Exception):
    pass


def cli_run(t: Path, *args: str) -> tuple[int, str]:
    """Run ``tariffsim run`` with ``args``; the projection raises ``Reached``."""
    import contextlib
    import io

    def reached(*a: Any, **k: Any) -> Any:
        raise Reached(k)

    real, ts.project = ts.project, reached
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            argv = ["run", "us-asean-2025-deals", "--baseline", "goods-2024", *args]
            if "--out" not in args:
                argv += ["--out", str(t / "o")]
            code = cli.main(argv)
    except Reached:
        code = -1
    finally:
        ts.project = real
    return code, err.getvalue()


def exit_2(needle: str) -> Callable[[Any], bool]:
    def check(result: tuple[int, str]) -> bool:
        code, err = result
        assert code == 2 and err.startswith("tariffsim: error: ") and needle in err, result
        return err.count("\n") == 1
    return check


case("CLI", "--realisation 1.5", lambda t: cli_run(t, "--realisation", "1.5"), "ok",
     check=exit_2("realisation"))
case("CLI", "--years 2026 2400", lambda t: cli_run(t, "--years", "2026", "2400"), "ok",
     check=exit_2("--years"))
case("CLI", "--years 1990 2000", lambda t: cli_run(t, "--years", "1990", "2000"), "ok",
     check=exit_2("after the baseline year 2024"))
case("CLI", "--out ''", lambda t: cli_run(t, "--out", ""), "ok", check=exit_2("--out"),
     fixed=True)
case("CLI", "--partner VNM --countries VNM,CHN",
     lambda t: cli_run(t, "--partner", "VNM", "--countries", "VNM,CHN"), "ok",
     check=exit_2("is the partner"), fixed=True)
case("CLI", "--partner vnm (lower case)",
     lambda t: cli_run(t, "--partner", "vnm", "--countries", "CHN"), "ok",
     check=lambda r: r[0] == -1)
case("CLI", "--show-years 2026 inside --years", lambda t: cli_run(
    t, "--years", "2026", "2027", "--show-years", "2026"), "ok", check=lambda r: r[0] == -1)
case("CLI", "--growth 0.03 reaches the projection", lambda t: cli_run(t, "--growth", "0.03"),
     "ok", check=lambda r: r[0] == -1)
case("CLI", "--growth 5 (meaning 5%)", lambda t: cli_run(t, "--growth", "5"), "ok",
     check=exit_2("write 0.05 for 5%"), fixed=True)


def real_run(t: Path, *args: str) -> Any:
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = cli.main(["run", "us-asean-2025-deals", "--baseline", "goods-2024", "--years",
                         "2026", "2026", "--out", str(t / "o"), *args])
    assert code == 0
    import pandas as pd
    return pd.read_csv(t / "o" / "projection.csv")


case("CLI", "--reference equal to the scenario (nothing changes)",
     lambda t: real_run(t, "--reference", "us-asean-2025-deals"), "ok",
     check=lambda f: f["change"].abs().max() < 1e-6 and len(f) > 0)


@pytest.mark.parametrize("c", CASES, ids=[f"{c.area}: {c.what}" for c in CASES])
def test_case(c: Case, tmp_path):
    run_case(c, tmp_path)


def test_catalogue_has_enough_cases():
    assert len(CASES) >= 50
    assert len({(c.area, c.what) for c in CASES}) == len(CASES)


# ================================================================== properties
@PROPS
@given(old=st.dictionaries(st.sampled_from(OWNED), st.binary(max_size=64), max_size=5),
       new=st.dictionaries(st.sampled_from(OWNED), st.binary(max_size=64), min_size=1,
                           max_size=5),
       fail_after=st.one_of(st.none(), st.integers(0, 4)))
def test_property_folder_swap_is_all_or_nothing(old, new, fail_after, tmp_path_factory):
    t = tmp_path_factory.mktemp("swap")
    out = t / "out"
    if old:
        out.mkdir()
        for name, data in old.items():
            (out / name).write_bytes(data)
    before = {p.name: p.read_bytes() for p in out.iterdir()} if old else None
    try:
        with _atomic.FolderSwap(out, owned=OWNED, field="--out") as swap:
            for k, (name, data) in enumerate(new.items()):
                if fail_after is not None and k == fail_after:
                    raise KeyboardInterrupt
                _atomic.write_atomic(swap.path / name, data)
    except KeyboardInterrupt:
        assert fail_after is not None and fail_after < len(new)
        after = {p.name: p.read_bytes() for p in out.iterdir()} if out.exists() else None
        assert after == before
    else:
        assert {p.name: p.read_bytes() for p in out.iterdir()} == new
    assert [p.name for p in t.iterdir()] in ([], ["out"])


@PROPS
@given(g=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10, 10),
                   st.booleans(), st.text(max_size=4), st.none()))
def test_property_growth_rates(g):
    from tariffsim.projection import growth_rates
    if g is None:
        return
    try:
        rates = growth_rates(g, base3())
    except DataError as exc:
        assert str(exc).startswith("growth: ")
        ok = (not isinstance(g, bool) and isinstance(g, int | float) and math.isfinite(g)
              and abs(g) < 0.5)
        assert not ok, exc
        return
    assert not isinstance(g, bool | str) and abs(g) < 0.5
    assert np.all(rates == float(g))


@PROPS
@given(points=st.dictionaries(st.integers(1, 60), st.floats(0.01, 50), min_size=1,
                              max_size=6),
       horizons=st.lists(st.integers(-5, 100), min_size=1, max_size=10))
def test_property_schedule_interpolates_within_its_points(points, horizons):
    s = ElasticitySchedule(points)
    lo, hi = min(points.values()), max(points.values())
    hs = sorted(points)
    for h in horizons:
        v = s(h)
        assert lo - 1e-12 <= v <= hi + 1e-12
        assert v == pytest.approx(float(np.interp(max(h, 1), hs, [points[k] for k in hs])))


junk = st.one_of(st.none(), st.booleans(), st.text(max_size=5), st.binary(max_size=3),
                 st.floats(allow_nan=True, allow_infinity=True), st.integers(-3, 3),
                 st.lists(st.floats(0.1, 3), max_size=2),
                 st.dictionaries(st.one_of(st.integers(-2, 5), st.text(max_size=2)),
                                 st.one_of(st.floats(allow_nan=True), st.text(max_size=2),
                                           st.none()), max_size=3))


@PROPS
@given(value=junk)
def test_property_as_schedule_of_anything(value):
    try:
        s = as_schedule(value)
    except ModelError as exc:
        assert "elasticity_schedule" in str(exc)
        return
    assert all(math.isfinite(v) and v > 0 for v in s.points.values())


@PROPS
@given(years=st.lists(st.one_of(st.integers(2020, 2032), st.floats(2024, 2030),
                                st.sampled_from(["2026", "x", None, True])),
                      min_size=0, max_size=4))
def test_property_project_years(years):
    try:
        p = proj(years=years)
    except TariffSimError as exc:
        assert "year" in str(exc)
        return
    asked = sorted({int(y) for y in years})
    assert sorted(set(p.frame["year"])) == [2024, *asked]
    for y in years:
        assert not isinstance(y, bool) and y is not None
        assert not isinstance(y, float) or float(y).is_integer()
    assert np.all(np.isfinite(p.frame[["balance_baseline", "balance_scenario"]]))


@PROPS
@given(text=st.text(alphabet=st.sampled_from(list("VNMCHUSAvn, ;xX")), max_size=14))
def test_property_cli_countries(text, tmp_path_factory):
    t = tmp_path_factory.mktemp("c")
    code, err = cli_run(t, "--countries", text)
    if code == 2:
        assert err.startswith("tariffsim: error: --countries:") and err.count("\n") == 1
    else:
        assert code == -1  # the codes were accepted and the projection reached
        codes = [c.strip().upper() for c in text.split(",") if c.strip()]
        assert codes and all(c in ("VNM", "CHN") for c in codes)


@PROPS
@given(g=st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                   st.sampled_from(["3", "0.03", "-0.5", "1e400", "nan"])))
def test_property_cli_growth(g, tmp_path_factory):
    t = tmp_path_factory.mktemp("g")
    code, err = cli_run(t, f"--growth={g}")
    x = float(g)
    if math.isfinite(x) and abs(x) < 0.5:
        assert code == -1, err
    else:
        assert code == 2 and "--growth" in err and err.count("\n") == 1, err


@PROPS
@given(name=st.text(min_size=1, max_size=40))
def test_property_scenarios_load_any_text(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TariffSimWarning)
        try:
            s = ts.scenarios.load(name)
        except ScenarioError:
            return
    assert isinstance(s, ts.Scenario)


@PROPS
@given(name=st.text(min_size=1, max_size=300).filter(lambda s: "/" not in s),
       data=st.binary(max_size=100))
def test_property_write_atomic_any_name(name, data, tmp_path_factory):
    t = tmp_path_factory.mktemp("w")
    try:
        path = _atomic.write_atomic(t / name, data)
    except DataError as exc:
        assert "path" in str(exc)
        return
    assert path.read_bytes() == data
    assert [p.name for p in t.iterdir()] == [path.name]


@PROPS
@given(meta=st.recursive(st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                                   st.integers(), st.text(max_size=3), st.none()),
                         lambda c: st.lists(c, max_size=3) | st.dictionaries(
                             st.text(max_size=3), c, max_size=3), max_leaves=8))
def test_property_run_json_records(meta):
    import pandas as pd
    frame = pd.DataFrame({"a": [meta if not isinstance(meta, list | dict) else 0.0],
                          "b": [math.nan]}).set_index("a")
    text = _atomic.json_text({"results": cli._records(frame), "m": meta})
    json.loads(text, parse_constant=lambda c: (_ for _ in ()).throw(AssertionError(c)))


PROPERTIES = [n for n in dir() if n.startswith("test_property_")]


def table() -> str:
    """The markdown table of docs/reliability.md (round three)."""
    return campaign_table(CASES, "round three", "ok, checked")


if __name__ == "__main__":  # print the counts and the table of docs/reliability.md
    fixed, new = sum(c.fixed for c in CASES), sum(c.new for c in CASES)
    print(f"{len(CASES)} catalogue cases: {len(CASES) - fixed - new} handled, {fixed} fixed, "
          f"{new} of a new API; "
          f"{len(PROPERTIES)} property tests")
    print(table())
