"""Plot layout: legends clear of the data, small multiples when sizes differ a lot, the
diversion chart naming the largest movers, and ``**kwargs`` reaching matplotlib."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from tariffsim.errors import DataError  # noqa: E402
from tariffsim.plot import (  # noqa: E402
    SMALL_MULTIPLES_SPREAD,
    balance_changes,
    diversion,
    fan_chart,
    surplus_paths,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _paths(sizes: dict[str, float]) -> pd.DataFrame:
    """A projection frame like the main job's: each country's surplus with the USA falls
    10% a year under the scenario and grows 3% a year without it."""
    rows = []
    for country, size in sizes.items():
        for k, year in enumerate(range(2025, 2031)):
            rows.append({"year": year, "country": country, "partner": "USA",
                         "balance_baseline": size * 1.03 ** k,
                         "balance_scenario": size * 0.9 ** k})
    frame = pd.DataFrame(rows)
    frame.attrs.update(units="USD million", model="ge", closure="fixed_deficit",
                       scenario="us-asean-2025")
    return frame


# The main job's countries with the USA (USD million, 2024 goods surpluses, rounded): China
# is 24 times Cambodia, above the 20x threshold.
WIDE = {"CHN": 295_000.0, "VNM": 123_000.0, "MYS": 24_800.0, "THA": 45_600.0,
        "KHM": 12_300.0}
NARROW = {"VNM": 123_000.0, "MYS": 24_800.0, "THA": 45_600.0}


def _main_job_figure(frame: pd.DataFrame, **kwargs):
    """What tariffsim/cli.py does for surplus.png: a 9 x 5.5 figure, one axes, tight layout."""
    fig, ax = plt.subplots(figsize=(9, 5.5))
    surplus_paths(frame, countries=list(pd.unique(frame["country"])), partner="USA", ax=ax,
                  **kwargs)
    fig.tight_layout()
    fig.canvas.draw()
    return fig


def _assert_legends_clear(fig) -> int:
    """Every legend: no data vertex of any axes inside it, and it overlaps no axes."""
    renderer = fig.canvas.get_renderer()
    legends = [a.get_legend() for a in fig.axes if a.get_legend() is not None]
    assert legends
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for a in fig.axes:
            assert not box.overlaps(a.get_window_extent(renderer)), (
                f"legend {box} overlaps axes {a.get_gid() or a.get_title()}")
            for line in a.get_lines():
                if line.get_gid() == "zero":
                    continue
                xy = a.transData.transform(np.column_stack(
                    [np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)]))
                inside = ((xy[:, 0] >= box.x0) & (xy[:, 0] <= box.x1)
                          & (xy[:, 1] >= box.y0) & (xy[:, 1] <= box.y1))
                assert not inside.any(), f"legend covers {line.get_gid()}"
        # inside the figure, so that it is in the PNG
        assert box.x1 <= fig.bbox.x1 + 1 and box.y0 >= fig.bbox.y0 - 1
    return len(legends)


def test_main_job_legend_clear_of_the_data_overlay():
    fig = _main_job_figure(_paths(NARROW))
    assert len(fig.axes) == 1
    assert _assert_legends_clear(fig) == 1


def test_main_job_legend_clear_of_the_data_small_multiples():
    fig = _main_job_figure(_paths(WIDE))
    assert len(fig.axes) == len(WIDE)
    assert _assert_legends_clear(fig) == 1


def test_auto_layout_switches_at_the_spread():
    assert 295_000 / 12_300 > SMALL_MULTIPLES_SPREAD > 123_000 / 24_800
    fig = _main_job_figure(_paths(WIDE))
    panels = {a.get_gid(): a for a in fig.axes}
    assert set(panels) == {f"{c}:panel" for c in WIDE}
    # each panel has its own scale: Cambodia's axis spans Cambodia's numbers, not China's
    khm = panels["KHM:panel"]
    lo, hi = khm.get_ylim()
    assert hi < 20_000 and lo > -2_000
    assert {ln.get_gid() for ln in khm.get_lines()} >= {"KHM:baseline", "KHM:scenario"}
    scen = [ln for ln in khm.get_lines() if ln.get_gid() == "KHM:scenario"][0]
    assert np.asarray(scen.get_ydata()) == pytest.approx(12_300.0 * 0.9 ** np.arange(6))
    # the caption is the figure's bottom label (so layouts keep room for it)
    (cap,) = [t for t in fig.texts if t.get_gid() == "caption"]
    assert "closure: fixed_deficit" in cap.get_text().replace("\n", " ")
    # below the threshold: one axes
    assert len(_main_job_figure(_paths(NARROW)).axes) == 1


def test_overlay_kept_by_option_and_change_layout():
    fig = _main_job_figure(_paths(WIDE), layout="overlay")
    assert len(fig.axes) == 1
    assert len(fig.axes[0].get_lines()) == 2 * len(WIDE) + 1  # + zero line
    fig = _main_job_figure(_paths(WIDE), layout="change")
    (ax,) = fig.axes
    line = [ln for ln in ax.get_lines() if ln.get_gid() == "KHM:change"][0]
    k = np.arange(6)
    assert np.asarray(line.get_ydata()) == pytest.approx(12_300.0 * (0.9 ** k - 1.03 ** k))
    assert "scenario minus without" in ax.get_ylabel()
    _assert_legends_clear(fig)


def test_small_multiples_without_ax_and_bad_layout():
    ax = surplus_paths(_paths(WIDE), layout="small_multiples")
    assert len(ax.figure.axes) == len(WIDE)
    assert ax.get_gid() == "CHN:panel"
    with pytest.raises(DataError, match="small_multiples") as info:
        surplus_paths(_paths(WIDE), layout="panels")
    assert info.value.field == "layout"


def test_surplus_kwargs_reach_the_lines():
    ax = surplus_paths(_paths(NARROW), linewidth=3.5)
    lines = [ln for ln in ax.get_lines() if ln.get_gid() != "zero"]
    assert len(lines) == 6 and all(ln.get_linewidth() == 3.5 for ln in lines)


# ----------------------------------------------------------------------------- diversion
def _flows() -> pd.DataFrame:
    """US imports after a tariff on everyone: every exporter sells less. The big partners
    (VNM, MYS, THA, IND) lose most in value; five tiny partners barely move. The old chart
    ranked by signed change, so the tiny partners (changes near zero) got the bars and the
    big losers went into 'others'."""
    base = {"CHN": 430.0, "VNM": 137.0, "MYS": 52.0, "THA": 63.0, "IND": 87.0,
            "FJI": 0.3, "TON": 0.02, "WSM": 0.05, "PLW": 0.01, "NRU": 0.004}
    fall = {"CHN": 0.40, "VNM": 0.25, "MYS": 0.20, "THA": 0.22, "IND": 0.18}
    rows = [(e, "USA", "goods", v, v * (1 - fall.get(e, 0.05))) for e, v in base.items()]
    return pd.DataFrame(rows, columns=["exporter", "importer", "sector", "baseline",
                                       "scenario"])


def test_diversion_names_the_largest_movers_not_tiny_partners():
    ax = diversion(_flows(), measure="value", top=4)
    gids = [p.get_gid() for p in ax.patches]
    assert set(gids) == {"CHN", "VNM", "MYS", "THA", "IND", "others"}
    vnm = [p for p in ax.patches if p.get_gid() == "VNM"][0]
    assert vnm.get_width() == pytest.approx(-0.25 * 137.0)
    others = [p for p in ax.patches if p.get_gid() == "others"][0]
    assert others.get_width() == pytest.approx(-0.05 * (0.3 + 0.02 + 0.05 + 0.01 + 0.004))


def test_diversion_gainers_and_losers_by_absolute_change():
    flows = _flows()
    flows.loc[flows.exporter == "VNM", "scenario"] = 137.0 * 1.3  # Vietnam gains
    ax = diversion(flows, measure="value", top=2)
    shown = {p.get_gid(): p.get_width() for p in ax.patches}
    assert set(shown) == {"CHN", "VNM", "IND", "others"}  # +41.1 and -15.7: the two largest
    assert shown["VNM"] == pytest.approx(0.3 * 137.0)


def test_bar_kwargs_reach_the_bars():
    ax = diversion(_flows(), measure="value", edgecolor="black", linewidth=2.0)
    assert all(p.get_linewidth() == 2.0 for p in ax.patches)
    bal = pd.DataFrame({"country": ["VNM", "MYS"], "change": [-5.0, 2.0]})
    ax = balance_changes(bal, linewidth=1.25, edgecolor="black")
    assert [p.get_linewidth() for p in ax.patches] == [1.25, 1.25]


def test_fan_kwargs_reach_the_median():
    bands = pd.DataFrame({"country": ["VNM"] * 2, "year": [2025, 2026],
                          "q05": [-3.0, -5.0], "q50": [-2.0, -3.0], "q95": [-1.0, -1.5]})
    ax = fan_chart(bands, linewidth=4.0)
    (median,) = [ln for ln in ax.get_lines() if ln.get_gid() == "VNM:median"]
    assert median.get_linewidth() == 4.0
    ax.figure.canvas.draw()
    _assert_legends_clear(ax.figure)


def test_the_main_job_png_has_one_panel_per_country_and_a_clear_legend():
    """The real main job (tariffsim run us-asean-2025): its projection drawn the way
    tariffsim/cli.py draws surplus.png. China's balance is more than 20 times Cambodia's, so
    each country gets its own panel; the legend covers no line."""
    import tariffsim as ts
    from tariffsim.cli import DEFAULT_COUNTRIES

    proj = ts.project(ts.load_baseline(), "us-asean-2025", years=range(2025, 2031))
    countries = list(DEFAULT_COUNTRIES)
    balances = proj.balances(partner="USA", countries=countries)
    fig, ax = plt.subplots(figsize=(9, 5.5))
    surplus_paths(balances, countries=countries, partner="USA", ax=ax)
    fig.tight_layout()
    fig.canvas.draw()
    assert {a.get_gid() for a in fig.axes} == {f"{c}:panel" for c in countries}
    assert _assert_legends_clear(fig) == 1
    # each panel's scale is its own country's: Cambodia's top is far below China's
    tops = {a.get_gid(): a.get_ylim()[1] for a in fig.axes}
    assert tops["CHN:panel"] > 10 * tops["KHM:panel"]
