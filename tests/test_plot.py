"""Plots: each returns its Axes, draws exactly the input numbers, labels units and sources."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from tariffsim.errors import DataError  # noqa: E402
from tariffsim.plot import (  # noqa: E402
    PlotAccessor,
    balance_changes,
    diversion,
    fan_chart,
    surplus_paths,
)

SCHEDULE = ("trade elasticity 0.76 (2025) -> 2.0 (2030), "
            "Boehm, Levchenko & Pandalai-Nayar (2023)")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def projection() -> pd.DataFrame:
    """A projection frame as tariffsim.project(...).frame: rows in shuffled year order."""
    base = {"VNM": [123.5, 130.0, 136.0, 141.0], "MYS": [24.8, 26.0, 27.0, 28.5],
            "THA": [45.6, 47.0, 48.0, 50.0]}
    scen = {"VNM": [123.5, 118.0, 110.0, 101.0], "MYS": [24.8, 23.0, 21.5, 20.0],
            "THA": [45.6, 44.0, 43.5, 42.0]}
    years = [2024, 2025, 2026, 2027]
    rows = []
    for country in base:
        for k, year in enumerate(years):
            rows.append({"year": year, "country": country, "partner": "USA",
                         "balance_baseline": base[country][k],
                         "balance_scenario": scen[country][k],
                         "change": scen[country][k] - base[country][k],
                         "trade_elasticity": [np.nan, 0.76, 1.0, 1.25][k]})
    frame = pd.DataFrame(rows).sample(frac=1.0, random_state=3).reset_index(drop=True)
    frame.attrs.update(units="USD billion", closure="fixed_deficit", model="ge",
                       schedule=SCHEDULE, scenario="us-asean-2025")
    return frame


@pytest.fixture
def balances() -> pd.DataFrame:
    df = pd.DataFrame({"country": ["VNM", "MYS", "THA", "KHM", "CHN"],
                       "partner": ["USA"] * 5,
                       "balance_baseline": [123.5, 24.8, 45.6, 12.0, 295.0],
                       "balance_scenario": [101.0, 20.0, 42.0, 11.5, 250.0]})
    df["change"] = df["balance_scenario"] - df["balance_baseline"]
    df.attrs.update(model="ge", closure="fixed_deficit", units="USD billion")
    return df


@pytest.fixture
def flows() -> pd.DataFrame:
    """US imports: CHN loses 60, VNM gains 25, MEX 20, THA 5; domestic USA row is large."""
    rows = [
        ("CHN", "USA", "goods", 400.0, 340.0), ("VNM", "USA", "goods", 120.0, 145.0),
        ("MEX", "USA", "goods", 450.0, 470.0), ("THA", "USA", "goods", 60.0, 65.0),
        ("DEU", "USA", "goods", 150.0, 148.0), ("USA", "USA", "goods", 9000.0, 9100.0),
        ("CHN", "VNM", "goods", 160.0, 170.0), ("USA", "CHN", "goods", 140.0, 130.0),
        ("CHN", "USA", "services", 20.0, 20.0), ("VNM", "USA", "services", 5.0, 5.0),
    ]
    df = pd.DataFrame(rows, columns=["exporter", "importer", "sector", "baseline", "scenario"])
    df.attrs["units"] = "USD billion"
    return df


def _line(ax: Axes, gid: str):
    found = [ln for ln in ax.get_lines() if ln.get_gid() == gid]
    assert len(found) == 1, f"expected one line {gid!r}, got {len(found)}"
    return found[0]


def _bar(ax: Axes, gid: str):
    found = [p for p in ax.patches if p.get_gid() == gid]
    assert len(found) == 1, f"expected one bar {gid!r}, got {len(found)}"
    return found[0]


def _caption(ax: Axes) -> str:
    texts = [t for t in ax.texts if t.get_gid() == "caption"]
    assert len(texts) == 1
    return texts[0].get_text().replace("\n", " ")


# ----------------------------------------------------------------------------- surplus_paths
def test_surplus_paths_lines_equal_the_frame(projection):
    ax = surplus_paths(projection)
    assert isinstance(ax, Axes)
    vnm_base = _line(ax, "VNM:baseline")
    vnm_scen = _line(ax, "VNM:scenario")
    np.testing.assert_array_equal(vnm_base.get_xdata(), [2024, 2025, 2026, 2027])
    np.testing.assert_array_equal(vnm_base.get_ydata(), [123.5, 130.0, 136.0, 141.0])
    np.testing.assert_array_equal(vnm_scen.get_ydata(), [123.5, 118.0, 110.0, 101.0])
    assert vnm_base.get_linestyle() == "--"
    assert vnm_scen.get_linestyle() == "-"
    assert vnm_base.get_color() == vnm_scen.get_color()
    colours = {_line(ax, f"{c}:scenario").get_color() for c in ("VNM", "MYS", "THA")}
    assert len(colours) == 3
    assert "USD billion" in ax.get_ylabel()
    assert "USA" in ax.get_ylabel()


def test_surplus_paths_caption_names_schedule_model_closure(projection):
    ax = surplus_paths(projection)
    text = _caption(ax)
    assert SCHEDULE in text
    assert "closure: fixed_deficit" in text
    assert "model: ge" in text


def test_surplus_paths_without_caption_and_subset(projection):
    ax = surplus_paths(projection, countries=["MYS"], caption=False)
    assert not [t for t in ax.texts if t.get_gid() == "caption"]
    gids = {ln.get_gid() for ln in ax.get_lines()} - {"zero"}
    assert gids == {"MYS:baseline", "MYS:scenario"}
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "MYS" in legend and "without (dashed)" in legend


def test_surplus_paths_default_keeps_largest_changes(projection):
    # 2027 changes: VNM -40, MYS -8.5, THA -8: the two largest are VNM and MYS
    ax = surplus_paths(projection, max_countries=2)
    gids = {ln.get_gid() for ln in ax.get_lines()} - {"zero"}
    assert gids == {"VNM:baseline", "VNM:scenario", "MYS:baseline", "MYS:scenario"}


def test_surplus_paths_partner_sign_flips(projection):
    ax = surplus_paths(projection, countries="THA", sign="partner")
    np.testing.assert_array_equal(_line(ax, "THA:scenario").get_ydata(),
                                  [-45.6, -44.0, -43.5, -42.0])


def test_surplus_paths_on_given_axes(projection):
    fig, (ax1, ax2) = plt.subplots(1, 2)
    out = surplus_paths(projection, ax=ax2)
    assert out is ax2
    assert not ax1.get_lines()


def test_surplus_paths_accepts_projection_object(projection):
    class Projection:
        frame = projection

    ax = surplus_paths(Projection())
    assert _caption(ax).count("Boehm") == 1


@pytest.mark.parametrize("column", ["year", "country", "balance_baseline",
                                    "balance_scenario"])
def test_surplus_paths_missing_column(projection, column):
    with pytest.raises(DataError, match=column) as info:
        surplus_paths(projection.drop(columns=column))
    assert info.value.field == column


def test_surplus_paths_unknown_country_and_partner(projection):
    with pytest.raises(DataError, match="VNN.*did you mean 'VNM'") as info:
        surplus_paths(projection, countries=["VNN"])
    assert info.value.field == "countries"
    with pytest.raises(DataError, match="'CHN'") as info:
        surplus_paths(projection, partner="CHN")
    assert info.value.field == "partner"


def test_surplus_paths_rejects_nan_and_bad_sign(projection):
    bad = projection.copy()
    bad.loc[0, "balance_scenario"] = np.nan
    with pytest.raises(DataError, match="balance_scenario"):
        surplus_paths(bad)
    with pytest.raises(DataError, match="sign"):
        surplus_paths(projection, sign="usa")


def test_surplus_paths_png(projection, tmp_path):
    ax = surplus_paths(projection)
    path = tmp_path / "surplus.png"
    ax.figure.savefig(path, dpi=60, bbox_inches="tight")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > 100 and height > 100


# ----------------------------------------------------------------------------- balance_changes
def test_balance_changes_bars_equal_changes(balances):
    ax = balance_changes(balances)
    assert isinstance(ax, Axes)
    assert _bar(ax, "VNM").get_width() == pytest.approx(101.0 - 123.5)
    assert _bar(ax, "CHN").get_width() == pytest.approx(-45.0)
    assert "USD billion" in ax.get_xlabel()
    assert "USA" in ax.get_xlabel()
    # sorted: the largest fall (CHN, -45) at the bottom, the smallest (KHM, -0.5) on top
    order = [p.get_gid() for p in sorted(ax.patches, key=lambda p: p.get_y())]
    assert order == ["CHN", "VNM", "MYS", "THA", "KHM"]
    assert "closure: fixed_deficit" in _caption(ax)


def test_balance_changes_vertical_unsorted_subset(balances):
    ax = balance_changes(balances, orientation="vertical", sort=False,
                         countries=["MYS", "VNM"])
    assert [p.get_gid() for p in ax.patches] == ["MYS", "VNM"]
    assert _bar(ax, "MYS").get_height() == pytest.approx(-4.8)


def test_balance_changes_computes_change_and_picks_year(projection):
    ax = balance_changes(projection.drop(columns="change"), year=2026)
    assert _bar(ax, "VNM").get_width() == pytest.approx(110.0 - 136.0)
    ax = balance_changes(projection)  # the last year by default
    assert _bar(ax, "MYS").get_width() == pytest.approx(20.0 - 28.5)
    with pytest.raises(DataError, match="2040") as info:
        balance_changes(projection, year=2040)
    assert info.value.field == "year"


def test_balance_changes_bad_input(balances):
    with pytest.raises(DataError, match="change") as info:
        balance_changes(balances.drop(columns=["change", "balance_scenario"]))
    assert info.value.field == "change"
    with pytest.raises(DataError, match="country"):
        balance_changes(balances.drop(columns="country"))
    with pytest.raises(DataError, match="'XYZ'"):
        balance_changes(balances, countries=["XYZ"])
    two = pd.concat([balances, balances.assign(partner="CHN")])
    with pytest.raises(DataError, match="partner="):
        balance_changes(two)


# ----------------------------------------------------------------------------- diversion
def test_diversion_share_bars(flows):
    ax = diversion(flows, importer="USA", source="CHN", top=2)
    # hand-computed: imports excl. domestic, both sectors; baseline total 1205, scenario 1193
    b = {"CHN": 420.0, "VNM": 125.0, "MEX": 450.0, "THA": 60.0, "DEU": 150.0}
    s = {"CHN": 360.0, "VNM": 150.0, "MEX": 470.0, "THA": 65.0, "DEU": 148.0}
    bt, st = sum(b.values()), sum(s.values())
    assert (bt, st) == (1205.0, 1193.0)
    share = {k: 100 * (s[k] / st - b[k] / bt) for k in b}
    for code in ("CHN", "VNM", "MEX"):
        assert _bar(ax, code).get_width() == pytest.approx(share[code], rel=1e-12)
    assert _bar(ax, "others").get_width() == pytest.approx(share["THA"] + share["DEU"])
    assert sum(p.get_width() for p in ax.patches) == pytest.approx(0.0, abs=1e-12)
    assert _bar(ax, "CHN").get_hatch() == "//"
    assert _bar(ax, "VNM").get_hatch() in (None, "")
    assert "percentage points" in ax.get_xlabel()
    assert "USA" not in {p.get_gid() for p in ax.patches}  # domestic sales excluded


def test_diversion_value_one_sector(flows):
    ax = diversion(flows, measure="value", sectors=["goods"], top=8, orientation="vertical")
    assert _bar(ax, "CHN").get_height() == pytest.approx(-60.0)
    assert _bar(ax, "VNM").get_height() == pytest.approx(25.0)
    assert _bar(ax, "DEU").get_height() == pytest.approx(-2.0)
    assert "USD billion" in ax.get_ylabel()
    assert [p.get_gid() for p in ax.patches] == ["CHN", "VNM", "MEX", "THA", "DEU"]


def test_diversion_bad_input(flows):
    with pytest.raises(DataError, match="scenario") as info:
        diversion(flows.drop(columns="scenario"))
    assert info.value.field == "scenario"
    with pytest.raises(DataError, match="'CHM'.*did you mean 'CHN'") as info:
        diversion(flows, source="CHM")
    assert info.value.field == "source"
    with pytest.raises(DataError, match="'US'") as info:
        diversion(flows, importer="US")
    assert info.value.field == "importer"
    with pytest.raises(DataError, match="measure"):
        diversion(flows, measure="volume")


# ----------------------------------------------------------------------------- fan chart
def _bands(with_years: bool) -> pd.DataFrame:
    rows = []
    years = [2025, 2026, 2027] if with_years else [None]
    for c, shift in (("VNM", -10.0), ("MYS", -3.0)):
        for k, y in enumerate(years):
            row = {"country": c, "partner": "USA", "variable": "change",
                   "mean": shift * (k + 1), "q05": shift * (k + 1) - 2.0,
                   "q50": shift * (k + 1), "q95": shift * (k + 1) + 1.5}
            if with_years:
                row["year"] = y
            rows.append(row)
    df = pd.DataFrame(rows)
    df.attrs.update(n=200, seed=0, distribution="lognormal(median 5, sigma 0.22)",
                    units="USD billion", model="ge", closure="fixed_deficit")
    return df


def test_fan_chart_years():
    ax = fan_chart(_bands(True))
    np.testing.assert_array_equal(_line(ax, "VNM:median").get_ydata(), [-10.0, -20.0, -30.0])
    band = [c for c in ax.collections if c.get_gid() == "VNM:q05-q95"]
    assert len(band) == 1
    verts = band[0].get_paths()[0].vertices
    assert verts[:, 1].min() == pytest.approx(-32.0)
    assert verts[:, 1].max() == pytest.approx(-8.5)
    assert "200 draws (seed 0)" in _caption(ax)


def test_fan_chart_single_year_errorbars():
    ax = fan_chart(_bands(False), countries=["MYS"])
    line = _line(ax, "MYS:median")
    np.testing.assert_array_equal(line.get_xdata(), [-3.0])
    with pytest.raises(DataError, match="q50"):
        fan_chart(_bands(False).drop(columns=["q05", "q50", "q95"]))


# ----------------------------------------------------------------------------- accessor
def test_plot_accessor(balances, flows, projection):
    class FakeResult:
        model = "ge"
        closure = "fixed_deficit"
        units = "USD billion"

        def __init__(self):
            self.flows = flows

        def balances(self, partner="USA"):
            df = balances.loc[balances["partner"] == partner].copy()
            df.attrs = {}
            return df

    acc = PlotAccessor(FakeResult())
    ax = acc.balances(partner="USA")
    assert _bar(ax, "THA").get_width() == pytest.approx(-3.6)
    assert "model: ge; closure: fixed_deficit" in _caption(ax)
    assert "USD billion" in ax.get_xlabel()
    ax = acc.diversion(measure="value")
    assert _bar(ax, "CHN").get_width() == pytest.approx(-60.0)
    with pytest.raises(DataError, match="project"):
        acc.surplus()

    class FakeProjection:
        frame = projection

    ax = PlotAccessor(FakeProjection()).surplus(countries=["VNM"])
    np.testing.assert_array_equal(_line(ax, "VNM:scenario").get_ydata(),
                                  [123.5, 118.0, 110.0, 101.0])
    ax = PlotAccessor(FakeProjection()).balances()
    assert _bar(ax, "VNM").get_width() == pytest.approx(101.0 - 141.0)


def test_caption_names_a_single_solve_elasticity_plainly():
    from tariffsim.results import describe_elasticity
    assert describe_elasticity({"total": 5.0}) == "5"
    by_sector = {"a": 2.62, "b": 64.85, "c": 8.22}
    assert describe_elasticity(by_sector) == "2.62 to 64.85 across 3 sectors"
    assert describe_elasticity(np.array([4.0, 4.0])) == "4"
