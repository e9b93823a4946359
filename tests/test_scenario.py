"""Scenario: TOML round-trips and error messages, validation, frames, active(), describe()."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tariffsim.baseline import Baseline
from tariffsim.errors import ScenarioError
from tariffsim.instruments import ExportRestriction, ImportCommitment, Tariff, TradeCost
from tariffsim.scenario import Scenario

C = ("USA", "VNM", "CHN")


def base():
    """A toy world: its own (zero) US tariffs and the cell-level rules (tariff_lines=False);
    scenarios at the tariff line are tested in test_resolve_lines.py."""
    flows = np.array([[100.0, 10, 20], [30, 200, 5], [40, 6, 300]])
    return Baseline.from_arrays(C, None, flows, tariff_lines=False)


GOOD = """
name = "demo"
date = 2025-10-26

[[instruments]]
type = "tariff"
importer = "USA"
exporter = "VNM"
rate = 0.2
mode = "add"

[[instruments]]
type = "import_commitment"
importer = "VNM"
exporter = "USA"
value = 8000.0
basis = "increment"
start = 2026
by = "2030"
"""


def test_from_toml_text_and_file(tmp_path):
    s = Scenario.from_toml(GOOD)
    assert s.name == "demo" and len(s.instruments) == 2
    assert s.instruments[1].by.year == 2030
    p = s.write_toml(tmp_path / "demo.toml")
    assert Scenario.from_toml(p) == s
    assert Scenario.from_toml(str(p)) == s
    assert Scenario.from_toml(p.read_bytes()) == s
    assert not list(tmp_path.glob("*.tmp"))


def test_round_trip_all_fields():
    s = Scenario("all", [
        Tariff(["USA", "CHN"], "*", 0.1, sectors=["a", "b"], start="2025-01-01", end=2027,
               exempt=["x"], exempt_coverage=0.1, coverage=0.5, layer="l", mode="floor",
               exclude=["VNM"], transshipment_share=0.2, transshipment_rate=0.4,
               source="s\n\"q\"", note="n\r\nx", illustrative=True),
        TradeCost("USA", ["VNM", "CHN"], 1.05, coverage=0.3),
        ImportCommitment("VNM", "USA", 12.5, basis="level", realisation=0.58,
                         schedule={2026: 0.5, 2027: 1.0}, units="USD billion"),
        ExportRestriction("CHN", ["re"], destinations=["USA"], quantity_cap=3.0,
                          rents="dissipated")],
        description="d", date="2025-01-01", sources=["a", "b"], notes="multi\nline")
    assert Scenario.from_toml(s.to_toml()) == s


@pytest.mark.parametrize("text, needles", [
    ("name = \"x\"\nrate = 0.2.\n", ["line 2", "'rate'"]),
    ("name = \"x\"\n[[instruments]]\ntype = \"tariff\"\nrate = 0.2 0.3\n",
     ["line 4", "instruments[0]", "'rate'"]),
    ("name = 'x'\ndescripton = 'd'\n", ["descripton", "did you mean 'description'"]),
    ("name = 'x'\n[[instruments]]\ntype = 'tarif'\n", ["instruments[0].type", "'tariff'"]),
    ("name = 'x'\n[[instruments]]\ntype = 'tariff'\nimporter='USA'\nexporter='VNM'\nrate=0.2\n"
     "modee='add'\n", ["instruments[0].modee", "line 7", "did you mean 'mode'"]),
    ("name = 'x'\n[[instruments]]\ntype = 'tariff'\nimporter='USA'\nexporter='VNM'\n"
     "rate='0.2'\n", ["instruments[0].rate", "line 6", "expected a number"]),
    ("name = 'x'\n[[instruments]]\ntype = 'tariff'\nimporter='USA'\nexporter='VNM'\n",
     ["instruments[0]", "missing required", "rate"]),
    ("name = 'x'\n[instruments]\ntype = 'tariff'\n", ["array of tables", "[[instruments]]"]),
    ("description = 'x'\n", ["missing key 'name'"]),
    ("name = 'x'\n[[instruments]]\ntype='import_commitment'\nimporter='VNM'\nexporter='USA'\n"
     "value=5.0\nbasis='increment'\nstart=2027\nby=2026\n", ["instruments[0].by", "before start"]),
    ("name = 'x'\n[[instruments]]\ntype='tariff'\nimporter='USA'\nexporter='VNM'\nrate=0.1\n"
     "start=2026-03-01\nend=2026-01-01\n", ["instruments[0].end", "not after start"]),
])
def test_toml_errors_name_line_and_key(text, needles):
    with pytest.raises(ScenarioError) as e:
        Scenario.from_toml(text)
    for n in needles:
        assert n in str(e.value), (n, str(e.value))


def test_missing_file():
    with pytest.raises(ScenarioError, match="no such scenario file"):
        Scenario.from_toml("nowhere/none.toml")


def test_validate_unknown_codes_and_sectors():
    with pytest.raises(ScenarioError) as e:
        Scenario("x", [Tariff("USA", "VMN", 0.2)]).validate(base())
    assert "did you mean 'VNM'" in str(e.value) and e.value.field == "instruments[0].exporter"
    with pytest.raises(ScenarioError, match="did you mean 'VNM'"):
        Scenario("x", [Tariff("USA", "vnm", 0.2)]).validate(base())
    with pytest.raises(ScenarioError, match="exclude"):
        Scenario("x", [Tariff("USA", "*", 0.2, exclude=["CHNA"])]).validate(base())
    with pytest.raises(ScenarioError, match="pass coverage="):
        Scenario("x", [Tariff("USA", "VNM", 0.2, sectors=["steel"])]).validate(base())
    with pytest.raises(ScenarioError, match="exempt_coverage"):
        Scenario("x", [Tariff("USA", "VNM", 0.2, exempt=["pharma"])]).validate(base())


def test_validate_contradictory_set_rates():
    a = Tariff("USA", "VNM", 0.2, start="2025-01-01")
    b = Tariff("USA", ["VNM", "CHN"], 0.3, start="2025-06-01", end="2026-01-01")
    with pytest.raises(ScenarioError, match="contradictory") as e:
        Scenario("x", [a, b]).validate()
    assert "2025-06-01" in str(e.value)
    # not contradictory: non-overlapping dates, same rate, add mode, disjoint coverage
    Scenario("x", [a, Tariff("USA", "VNM", 0.3, end="2025-01-01")]).validate(base())
    Scenario("x", [a, Tariff("USA", "VNM", 0.2)]).validate(base())
    Scenario("x", [a, Tariff("USA", "VNM", 0.3, mode="add")]).validate(base())
    Scenario("x", [Tariff("USA", "VNM", 0.0, coverage=0.6),
                   Tariff("USA", "VNM", 0.3, coverage=0.4)]).validate(base())
    # exclude removes the overlap
    Scenario("x", [a, Tariff("USA", "*", 0.3, exclude=["VNM"])]).validate(base())
    # coverages on a one-sector baseline that add above one
    with pytest.raises(ScenarioError, match="add up to"):
        Scenario("x", [Tariff("USA", "VNM", 0.5, sectors=["steel"], coverage=0.6),
                       Tariff("USA", "VNM", 0.25, sectors=["autos"], coverage=0.6)]
                 ).validate(base())


def test_shocks_without_date_use_the_policy_once_fully_in_place():
    s = Scenario("x", [Tariff("USA", "VNM", 0.2, start="2025-01-01")])
    assert s.shocks(base()).tariffs[1, 0, 0] == 0.2
    # the day the last instrument starts: a tariff that ended before then is not in force
    s = Scenario("x", [Tariff("USA", "VNM", 0.5, start="2025-01-01", end="2025-06-01"),
                       Tariff("USA", "VNM", 0.3, start="2025-09-01")])
    assert s.shocks(base()).tariffs[1, 0, 0] == pytest.approx(0.3)
    # nothing starts: there is no such day, so a date is needed
    s = Scenario("x", [ImportCommitment("VNM", "USA", 100.0, basis="increment", by="2030")])
    with pytest.raises(ScenarioError, match="pass date= or year="):
        s.shocks(base())


def test_shocks_date_year_and_rule_errors():
    s = Scenario("x", [Tariff("USA", "VNM", 0.2, start="2025-01-01")])
    with pytest.raises(ScenarioError, match="not both"):
        s.shocks(base(), date="2025-02-01", year=2025)
    with pytest.raises(ScenarioError, match="year_rule"):
        s.shocks(base(), year=2025, year_rule="mean")
    assert Scenario("x", [Tariff("USA", "VNM", 0.2)]).shocks(base()).tariffs[1, 0, 0] == 0.2


def test_units_conversion_and_rents_conflict():
    s = Scenario("x", [ExportRestriction("CHN", "re", coverage=0.1, tax_equivalent=0.1),
                       ExportRestriction("CHN", "re", coverage=0.1, tax_equivalent=0.1,
                                         rents="dissipated")])
    with pytest.raises(ScenarioError, match="rents"):
        s.shocks(base())
    b = Baseline.from_arrays(C, None, np.ones((3, 3)), units="EUR million")
    with pytest.raises(ScenarioError, match="cannot convert"):
        Scenario("x", [ImportCommitment("VNM", "USA", 5, basis="increment")]).shocks(b)


def test_active():
    s = Scenario.from_toml(GOOD)
    assert [type(i).__name__ for i in s.active("2025-01-01")] == ["Tariff"]
    assert len(s.active("2026-01-01")) == 2


def test_from_frame():
    tariffs = pd.DataFrame({"exporter": ["VNM", "CHN"], "importer": ["USA", "USA"],
                            "rate": [0.2, 0.3]})
    costs = pd.DataFrame({"exporter": ["VNM"], "importer": ["CHN"], "factor": [1.1]})
    s = Scenario.from_frame("f", tariffs=tariffs, trade_costs=costs)
    sh = s.shocks(base())
    assert sh.tariffs[1, 0, 0] == pytest.approx(0.2) and sh.tariffs[2, 0, 0] == pytest.approx(0.3)
    assert sh.trade_costs[1, 2, 0] == pytest.approx(1.1)
    with pytest.raises(ScenarioError, match="missing column"):
        Scenario.from_frame("f", tariffs=tariffs.rename(columns={"rate": "rt"}))
    with pytest.raises(ScenarioError, match="row 1"):
        Scenario.from_frame("f", tariffs=tariffs.assign(rate=[0.2, -2.0]))
    with pytest.raises(ScenarioError, match="duplicate"):
        Scenario.from_frame("f", tariffs=pd.concat([tariffs, tariffs]))


def test_describe_and_repr():
    s = Scenario.from_toml(GOOD)
    assert repr(s) == "Scenario('demo': 1 Tariff, 1 ImportCommitment, dated 2025-10-26)"
    text = s.describe()
    assert "2026-01-01" in text and "+20% reciprocal" in text and "+8,000 million/yr" in text
    assert len(s.to_frame()) == 2


def test_scenario_constructor_errors():
    with pytest.raises(ScenarioError, match="name"):
        Scenario("", [])
    with pytest.raises(ScenarioError, match=r"instruments\[0\]"):
        Scenario("x", ["tariff"])


# ---------------------------------------------------------------- hypothesis round trips
codes = st.sampled_from(["USA", "VNM", "CHN", "EU27"])
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
shares = st.floats(0.01, 1.0)
dates = st.dates(min_value=__import__("datetime").date(2000, 1, 1),
                 max_value=__import__("datetime").date(2040, 1, 1))


@st.composite
def tariffs(draw):
    start = draw(st.none() | dates)
    end = None if start is None or draw(st.booleans()) else \
        start + __import__("datetime").timedelta(days=draw(st.integers(1, 3000)))
    return Tariff(draw(codes), draw(st.sampled_from(["*", "VNM", ("VNM", "CHN")])),
                  draw(st.floats(-0.99, 5.0)), sectors=draw(st.none() | st.just(["s1"])),
                  start=start, end=end, coverage=draw(st.none() | shares),
                  mode=draw(st.sampled_from(["set", "add", "floor"])),
                  source=draw(text), note=draw(text), illustrative=draw(st.booleans()))


commitments = st.builds(
    ImportCommitment, importer=st.just("VNM"), exporter=st.just("USA"),
    value=st.floats(0.001, 1e9), basis=st.sampled_from(["increment", "level"]),
    realisation=st.floats(0, 1), start=st.none() | dates,
    schedule=st.none() | st.dictionaries(st.integers(2000, 2100), st.floats(0, 1),
                                         min_size=1, max_size=4),
    note=text)
restrictions = st.builds(
    ExportRestriction, exporter=st.just("CHN"), sectors=st.just(["re"]),
    tax_equivalent=st.floats(0, 5), coverage=st.none() | shares,
    exclude=st.sampled_from([(), ("USA",)]))
costs = st.builds(TradeCost, importer=codes, exporter=st.just("*"),
                  factor=st.floats(0.1, 10.0))


@pytest.mark.filterwarnings("ignore:rate.*rates are fractions:tariffsim.errors.TariffSimWarning")
@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.builds(Scenario, name=text.filter(lambda s: s.strip() != ""),
                 instruments=st.lists(tariffs() | commitments | restrictions | costs,
                                      max_size=6),
                 description=text, date=st.none() | dates,
                 sources=st.lists(text, max_size=3), notes=text))
def test_hypothesis_round_trip(s):
    assert Scenario.from_toml(s.to_toml()) == s


@pytest.mark.parametrize("name", ["us-asean-2025", "china-rare-earth-controls"])
def test_describe_fits_the_width_and_keeps_the_text(name):
    import tariffsim as ts

    s = ts.scenarios.load(name)
    for width in (100, 140):
        text = s.describe(width=width)
        assert max(len(line) for line in text.splitlines()) <= width
        # wrapping moves words (and cuts URLs longer than a line) but loses no character
        chars = "".join(text.split())
        for src in {i.source.strip() for i in s.instruments} | set(s.sources):
            assert "".join(src.split()) in chars
    with pytest.raises(ScenarioError, match="width"):
        s.describe(width=10)


# ---------------------------------------------------------------- includes and excerpts
def _law() -> Scenario:
    return Scenario("law", [
        Tariff("USA", ["CHN", "HKG"], 0.2, mode="add", layer="fent", start="2025-03-04",
               end="2025-11-10"),
        Tariff("USA", ["CHN", "HKG"], 0.1, mode="add", layer="fent", start="2025-11-10"),
        Tariff("USA", "*", 0.1, mode="add", layer="recip", start="2025-04-05",
               end="2025-08-07", exclude=["CHN"]),
        Tariff("USA", "VNM", 0.2, mode="add", layer="recip", start="2025-08-07",
               end="2026-02-24"),
        Tariff("USA", "*", 0.0, mode="add", layer="exempt_recip", start="2025-04-05",
               products=["8471"]),
    ])


def test_excerpt_filters_and_hold():
    law = _law()
    held = law.excerpt(until="2025-09-01", hold=True, skip_exporters=["CHN", "HKG"])
    # China-only layers left out; the universal 10% ended before 31 Aug and keeps its end;
    # Vietnam's 20% was in force on 31 Aug: its end is dropped; the exemption has none
    assert [(i.layer, i.rate, i.end) for i in held] == [
        ("recip", 0.1, law.instruments[2].end), ("recip", 0.2, None), ("exempt_recip", 0.0, None)]
    china = law.excerpt(exporters=["CHN", "HKG"])
    assert china == law.instruments[:2]
    assert law.excerpt(layers=["exempt_*"]) == law.instruments[4:]
    assert law.excerpt(exclude_layers=["recip", "fent"]) == law.instruments[4:]
    # instruments starting on or after 7 Aug 2025 are left out: China's truce rate, Vietnam
    i = law.instruments
    assert law.excerpt(until="2025-08-07") == (i[0], i[2], i[4])
    with pytest.raises(ScenarioError, match="needs until"):
        law.excerpt(hold=True)


def test_include_tables_in_toml(tmp_path):
    law = tmp_path / "law.toml"
    _law().write_toml(law)
    text = f"""
name = "mine"
date = 2026-01-01

[[include]]
scenario = "{law.as_posix()}"
exporters = ["CHN", "HKG"]
until = 2026-01-01
hold = true

[[instruments]]
type = "tariff"
importer = "USA"
exporter = "VNM"
rate = 0.3
mode = "add"
start = 2026-01-01
"""
    s = Scenario.from_toml(text)
    assert [i.rate for i in s.instruments] == [0.2, 0.1, 0.3]     # included first, then own
    assert s.instruments[1].end is None
    assert any("2 instruments included from scenario" in x for x in s.sources)
    assert Scenario.from_toml(s.to_toml()) == s                   # written flat
    with pytest.raises(ScenarioError, match="did you mean 'exporters'"):
        Scenario.from_toml(text.replace("exporters =", "exporter ="))
    # a cycle: a file that includes itself
    loop = tmp_path / "loop.toml"
    loop.write_text(f'name = "loop"\n[[include]]\nscenario = "{loop.as_posix()}"\n')
    with pytest.raises(ScenarioError, match="includes itself"):
        Scenario.from_toml(loop)
