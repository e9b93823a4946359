"""Instrument validation, stacking and exemptions (hand-computed), commitment phase-in."""

import datetime as dt
import warnings

import numpy as np
import pytest

from tariffsim.baseline import Baseline
from tariffsim.errors import ScenarioError, TariffSimWarning
from tariffsim.instruments import ExportRestriction, ImportCommitment, Tariff, TradeCost
from tariffsim.scenario import Scenario

C = ("USA", "VNM", "CHN")


def base(t_vnm_usa=0.02, sectors=None):
    """A toy world with US tariffs of its own: the cell-level rules (tariff_lines=False;
    the line-level wiring is tested in test_resolve_lines.py)."""
    flows = np.array([[100.0, 10, 20], [30, 200, 5], [40, 6, 300]])
    tariffs = np.zeros((3, 3))
    tariffs[1, 0] = t_vnm_usa
    tariffs[2, 0] = 0.2
    if sectors:
        flows = np.repeat(flows[:, :, None], len(sectors), axis=2)
        tariffs = np.repeat(tariffs[:, :, None], len(sectors), axis=2)
    return Baseline.from_arrays(C, sectors, flows, tariffs, tariff_lines=False)


def rate(insts, b=None, when="2026-01-01", exp="VNM", imp="USA", sector=0):
    b = b or base()
    sh = Scenario("t", insts).shocks(b, date=when)
    return sh.tariffs[b.countries.index(exp), b.countries.index(imp), sector]


# ---------------------------------------------------------------- validation errors
@pytest.mark.parametrize("kw, field", [
    (dict(rate=-1.0), "rate"),
    (dict(rate=float("nan")), "rate"),
    (dict(rate="0.2"), "rate"),
    (dict(rate=True), "rate"),
    (dict(mode="sett"), "mode"),
    (dict(start="2026-01-01", end="2025-01-01"), "end"),
    (dict(start="2026-01-01", end="2026-01-01"), "end"),
    (dict(start="Aug 2025"), "start"),
    (dict(coverage=0.0), "coverage"),
    (dict(coverage=1.5), "coverage"),
    (dict(exempt_coverage=1.0), "exempt_coverage"),
    (dict(transshipment_share=2), "transshipment_share"),
    (dict(exporter=[]), "exporter"),
    (dict(exporter=["VNM", "VNM"]), "exporter"),
    (dict(exporter=5), "exporter"),
    (dict(sectors=["a"], exempt=["a"]), "exempt"),
    (dict(exporter=["VNM"], exclude=["VNM"]), "exclude"),
    (dict(illustrative="yes"), "illustrative"),
    (dict(source=3), "source"),
    (dict(layer=""), "layer"),
])
def test_tariff_validation(kw, field):
    args = dict(importer="USA", exporter="VNM", rate=0.2)
    args.update(kw)
    with pytest.raises(ScenarioError) as e:
        Tariff(**args)
    assert e.value.field == field
    assert field in str(e.value)


def test_mode_suggestion_and_high_rate_warning():
    with pytest.raises(ScenarioError, match="did you mean 'set'"):
        Tariff("USA", "VNM", 0.2, mode="sett")
    with pytest.warns(TariffSimWarning):
        Tariff("USA", "VNM", 11.0)


def test_dates_parse():
    t = Tariff("USA", "VNM", 0.2, start="2025-08-07", end=2030)
    assert t.start == dt.date(2025, 8, 7) and t.end == dt.date(2030, 1, 1)
    assert Tariff("USA", "VNM", 0.2, start="2030").start == dt.date(2030, 1, 1)
    assert t.in_force("2025-08-07") and not t.in_force("2025-08-06")
    assert t.in_force("2029-12-31") and not t.in_force("2030-01-01")


def test_sector_alias_and_hashable():
    a = Tariff("USA", "VNM", 0.2, sector="steel")
    assert a.sectors == ("steel",)
    assert a == Tariff("USA", "VNM", 0.2, sectors=["steel"])
    assert len({a, Tariff("USA", "VNM", 0.2, sectors=("steel",))}) == 1
    with pytest.raises(ScenarioError, match="not both"):
        Tariff("USA", "VNM", 0.2, sector="a", sectors=["b"])


@pytest.mark.parametrize("kw, field", [
    (dict(factor=0), "factor"),
    (dict(factor=-1.1), "factor"),
    (dict(factor=float("inf")), "factor"),
    (dict(coverage=0), "coverage"),
])
def test_trade_cost_validation(kw, field):
    args = dict(importer="USA", exporter="VNM", factor=1.1)
    args.update(kw)
    with pytest.raises(ScenarioError) as e:
        TradeCost(**args)
    assert e.value.field == field


@pytest.mark.parametrize("kw, field", [
    (dict(value=0), "value"),
    (dict(value=-5), "value"),
    (dict(exporter="VNM"), "exporter"),
    (dict(exporter="*"), "exporter"),
    (dict(start="2027", by="2026"), "by"),
    (dict(by="2030", end="2029"), "by"),
    (dict(schedule={2026: 1.5}), "schedule.2026"),
    (dict(schedule={"20x6": 0.5}), "schedule"),
    (dict(schedule={}), "schedule"),
    (dict(schedule={2026: 0.5}, by=2030), "schedule"),
    (dict(units="USD bn"), "units"),
    (dict(basis=None), "basis"),
    (dict(basis="increase"), "basis"),
    (dict(realisation=1.2), "realisation"),
    (dict(realisation=-0.1), "realisation"),
    (dict(realisation="half"), "realisation"),
])
def test_commitment_validation(kw, field):
    args = dict(importer="VNM", exporter="USA", value=100.0, basis="increment")
    args.update(kw)
    with pytest.raises(ScenarioError) as e:
        ImportCommitment(**args)
    assert e.value.field == field


@pytest.mark.parametrize("kw, field", [
    (dict(), "tax_equivalent"),
    (dict(tax_equivalent=0.5, quantity_cap=10), "tax_equivalent"),
    (dict(tax_equivalent=-0.1), "tax_equivalent"),
    (dict(quantity_cap=0), "quantity_cap"),
    (dict(quantity_cap=10, coverage=0.5), "coverage"),
    (dict(tax_equivalent=0.5, rents="importer"), "rents"),
    (dict(tax_equivalent=0.5, destinations=["CHN"]), "destinations"),
    (dict(tax_equivalent=0.5, sectors=None), "sectors"),
])
def test_export_restriction_validation(kw, field):
    args = dict(exporter="CHN", sectors=["rare_earths"])
    args.update(kw)
    with pytest.raises(ScenarioError) as e:
        ExportRestriction(**args)
    assert e.value.field == field


# ---------------------------------------------------------------- effective rates
def test_set_replaces_baseline():
    assert rate([Tariff("USA", "VNM", 0.25)]) == pytest.approx(0.25)


def test_add_stacks_on_baseline():
    # 2% baseline + 19% reciprocal + 50% Section 232 on 5% of trade
    insts = [Tariff("USA", "VNM", 0.19, mode="add"),
             Tariff("USA", "VNM", 0.50, mode="add", layer="section232", sectors=["steel"],
                    coverage=0.05)]
    assert rate(insts) == pytest.approx(0.02 + 0.19 + 0.025)


def test_exempt_coverage_and_layers():
    # docstring example: 0.02 + 0.19 * 0.88 + 0.50 * 0.05 = 0.2122
    insts = [Tariff("USA", "VNM", 0.19, mode="add", exempt_coverage=0.12),
             Tariff("USA", "VNM", 0.50, mode="add", sectors="steel", coverage=0.05)]
    assert rate(insts) == pytest.approx(0.2122)


def test_set_then_floor_then_add():
    # set 5%, floor 15% -> 15%, add 10% -> 25%
    insts = [Tariff("USA", "VNM", 0.10, mode="add"), Tariff("USA", "VNM", 0.15, mode="floor"),
             Tariff("USA", "VNM", 0.05, mode="set")]
    assert rate(insts) == pytest.approx(0.25)
    # a floor below the tariff does nothing: baseline 20% on CHN
    assert rate([Tariff("USA", "CHN", 0.15, mode="floor")], exp="CHN") == pytest.approx(0.2)


def test_partial_set_blends_with_baseline():
    # Thailand-style: zero on 99% of trade, baseline 2% on the rest
    assert rate([Tariff("USA", "VNM", 0.0, coverage=0.99)]) == pytest.approx(0.0002)


def test_exempt_sector_on_sectoral_baseline():
    b = base(sectors=["electronics", "apparel"])
    insts = [Tariff("USA", "VNM", 0.20, mode="add", exempt=["electronics"])]
    assert rate(insts, b, sector=0) == pytest.approx(0.02)
    assert rate(insts, b, sector=1) == pytest.approx(0.22)


def test_sectors_on_sectoral_baseline_no_coverage_needed():
    b = base(sectors=["electronics", "apparel"])
    insts = [Tariff("USA", "VNM", 0.30, sectors=["apparel"])]
    assert rate(insts, b, sector=0) == pytest.approx(0.02)
    assert rate(insts, b, sector=1) == pytest.approx(0.30)


def test_transshipment_share():
    # 10% of flows pay 40% in lieu of 20%: 0.9 * 0.2 + 0.1 * 0.4 = 0.22, on top of 2%
    t = Tariff("USA", "VNM", 0.20, mode="add", transshipment_share=0.1)
    assert t.effective_rate == pytest.approx(0.22)
    assert rate([t]) == pytest.approx(0.24)


def test_wildcard_exclude_and_diagonal():
    b = base()
    sh = Scenario("t", [Tariff("USA", "*", 0.10, mode="add", exclude=["CHN"])]).shocks(b)
    assert sh.tariffs[1, 0, 0] == pytest.approx(0.12)
    assert sh.tariffs[2, 0, 0] == pytest.approx(0.20)  # excluded
    assert sh.tariffs[0, 0, 0] == 0.0  # diagonal untouched


def test_dates_select_layers():
    insts = [Tariff("USA", "VNM", 0.2, mode="add", start="2025-08-07", end="2026-02-24"),
             Tariff("USA", "VNM", 0.1, mode="add", start="2026-02-24", end="2026-07-24")]
    assert rate(insts, when="2025-12-31") == pytest.approx(0.22)
    assert rate(insts, when="2026-02-24") == pytest.approx(0.12)
    sh = Scenario("t", insts).shocks(base(), date="2026-08-01")
    assert sh.tariffs is None  # nothing in force: tariffs stay at the baseline


def test_year_rules():
    insts = [Tariff("USA", "VNM", 0.2, mode="add", start="2026-02-24", end="2026-07-24")]
    s = Scenario("t", insts)
    mid = s.shocks(base(), year=2026, year_rule="mid-year").tariffs[1, 0, 0]
    assert mid == pytest.approx(0.22)
    avg = s.shocks(base(), year=2026, year_rule="average").tariffs[1, 0, 0]
    assert avg == pytest.approx(0.02 + 0.2 * 150 / 365)
    assert s.shocks(base(), year=2026).tariffs[1, 0, 0] == avg   # the default
    assert s.shocks(base(), year=2027).tariffs is None


def test_trade_cost_and_export_tax():
    b = base()
    s = Scenario("t", [TradeCost("USA", "VNM", 1.1), TradeCost("USA", "VNM", 1.2, coverage=0.5),
                       ExportRestriction("CHN", ["rare_earths"], tax_equivalent=0.5,
                                         coverage=0.01, exclude=["USA"])])
    sh = s.shocks(b)
    assert sh.trade_costs[1, 0, 0] == pytest.approx(1.1 * 1.1)
    assert sh.trade_costs[0, 1, 0] == 1.0
    assert sh.export_taxes[2, 1, 0] == pytest.approx(0.005)
    assert sh.export_taxes[2, 0, 0] == 0.0  # pledge: no wedge on CHN->USA
    assert sh.export_tax_rents == "exporter"


def test_quota_needs_sector():
    b = base(sectors=["rare_earths", "other"])
    s = Scenario("t", [ExportRestriction("CHN", "rare_earths", quantity_cap=2.0,
                                         units="USD billion", rents="dissipated")])
    q = s.shocks(b).quotas[0]
    assert q.cap == pytest.approx(2000.0) and q.rents == "dissipated"
    assert q.sector_mask.tolist() == [True, False]
    assert q.importer_mask.tolist() == [True, True, False]
    with pytest.raises(ScenarioError, match="quantity cap needs"):
        s.shocks(base())


# ---------------------------------------------------------------- commitments
def test_commitment_linear_phase_in():
    c = ImportCommitment("VNM", "USA", 8000, basis="increment", start=2026, by=2030)
    assert [c.value_in(y) for y in range(2025, 2032)] == pytest.approx(
        [0, 1600, 3200, 4800, 6400, 8000, 8000])
    # a start after 1 July counts from the next year
    c2 = ImportCommitment("VNM", "USA", 8000, basis="increment", start="2025-10-26",
                          by=2030)
    assert c2.value_in(2025) == 0 and c2.value_in(2026) == pytest.approx(1600)


def test_commitment_schedule_and_end():
    c = ImportCommitment("VNM", "USA", 1000, basis="level", schedule={"2026": 0.2, 2028: 1.0},
                         end=2030)
    assert [c.value_in(y) for y in range(2025, 2031)] == pytest.approx(
        [0, 200, 600, 1000, 1000, 0])
    assert ImportCommitment("VNM", "USA", 10, basis="level", by=2028).value_in(2027) == 0
    assert ImportCommitment("VNM", "USA", 10, basis="level",
                            by=2028).value_in("2028-03-01") == 10


def test_commitment_target_level_and_merge():
    b = base()
    s = Scenario("t", [ImportCommitment("VNM", "USA", 2, basis="increment", sectors=["aircraft"],
                                        start=2026),
                       ImportCommitment("VNM", "USA", 1, basis="increment", units="USD thousand",
                                        start=2026,
                                        by=2027)])
    cs = s.shocks(b, year=2026).commitments
    assert len(cs) == 1  # merged: same pair, same sectors on a one-sector baseline
    # baseline USA->VNM 10 + 2 + 0.001 * 0.5
    assert cs[0].value == pytest.approx(12.0005)
    assert (cs[0].importer, cs[0].exporter) == (1, 0)
    assert s.shocks(b, year=2025).commitments == []


def test_no_warnings_on_valid_input():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Tariff("USA", "VNM", 0.2)
        ImportCommitment("VNM", "USA", 5, basis="increment", start=2026, by=2030)
