"""Matplotlib figures of simulation results, projections and Monte Carlo bands.

Every function takes ``ax=None`` (a new figure is created when None), draws with the
object-oriented API, labels axes with units, never calls ``plt.show()``, passes its
``**kwargs`` to the matplotlib call that draws the data (each function's docstring names
it), keeps legends outside the axes (on the right, clear of the data) and returns the
`matplotlib.axes.Axes`. The functions read the tidy frames that tariffsim produces:

* projection frames (``tariffsim.project(...).frame``): ``year, country, partner,
  balance_baseline, balance_scenario, change, trade_elasticity`` and ``frame.attrs`` keys
  ``units, closure, model, schedule, scenario``;
* balance frames (``result.balances(partner)``): ``country, partner, balance_baseline,
  balance_scenario, change``;
* flow frames (``result.flows``): ``exporter, importer, sector, baseline, scenario``;
* Monte Carlo bands (``tariffsim.monte_carlo(...).bands``): ``country, partner, [year],
  variable, mean, q05, q50, q95`` (one column per quantile).

Balances are goods balances of ``country`` with ``partner``: exports of ``country`` to
``partner`` minus its imports from ``partner``, so a positive number is the country's surplus
(and the partner's deficit).

Artists carry a ``gid`` so that tests and users can find them: lines
``"<country>:baseline"`` / ``"<country>:scenario"`` / ``"<country>:median"``, bars
``"<country>"`` (or the exporter code), the caption ``"caption"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final, overload

import numpy as np
import pandas as pd

from ._validate import require_columns
from .errors import DataError, unknown_codes_message
from .literals import (
    BalanceSign,
    BarOrientation,
    DiversionMeasure,
    SurplusLayout,
    check_option,
)
from .results import describe_elasticity

__all__ = [
    "surplus_paths",
    "balance_changes",
    "diversion",
    "fan_chart",
    "us_tariff_rates",
    "PlotAccessor",
]

#: Units assumed when neither the frame's attrs nor the caller name them (the Baseline default).
DEFAULT_UNITS = "USD million"

_SCENARIO_STYLE: Final = "-"
_BASELINE_STYLE: Final = "--"
_GAIN_COLOUR = "#2b6cb0"
_LOSS_COLOUR = "#c05621"
_SOURCE_COLOUR = "#c53030"


# ----------------------------------------------------------------------------- helpers
def _new_ax(ax: Any, figsize: tuple[float, float] = (8.0, 5.0)) -> Any:
    if ax is not None:
        return ax
    # pyplot's figure (not a bare Figure) so that Jupyter shows it inline.
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize, layout="constrained")
    return fig.add_subplot(1, 1, 1)


def _as_frame(data: Any, name: str) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    frame = getattr(data, "frame", None)
    if isinstance(frame, pd.DataFrame):
        return frame
    raise DataError(f"{name}: expected a pandas DataFrame (or an object with a .frame "
                    f"DataFrame), got {type(data).__name__}.", field=name)


def _require(df: pd.DataFrame, name: str, columns: Sequence[str]) -> None:
    require_columns(df, columns, name, field="{column}",
                    hint=f"Expected columns {list(columns)} (see tariffsim.plot).")


def _numeric(df: pd.DataFrame, name: str, column: str) -> np.ndarray:
    try:
        values = pd.to_numeric(df[column], errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name}: column {column!r} must be numeric ({exc}).",
                        field=column) from None
    bad = ~np.isfinite(values)
    if bad.any():
        rows = df.loc[bad]
        raise DataError(f"{name}: column {column!r} has {int(bad.sum())} NaN or infinite "
                        f"value(s), e.g. rows\n{rows.head(5).to_string()}\nDrop or fill them "
                        f"before plotting.", field=column, rows=rows)
    return values


def _check_codes(field: str, wanted: Iterable[str], known: Sequence[str]) -> None:
    unknown = [c for c in wanted if c not in set(known)]
    if unknown:
        raise DataError(unknown_codes_message(field, unknown, sorted(known)), field=field)


def _select_countries(df: pd.DataFrame, countries: Any, partner: str | None
                      ) -> tuple[pd.DataFrame, list[str]]:
    """Rows of the requested countries (all but the partner by default), and their list.

    Unknown codes raise DataError with the closest known one.
    """
    known = [str(c) for c in pd.unique(df["country"]) if str(c) != partner]
    if countries is None:
        countries = known
    else:
        countries = [countries] if isinstance(countries, str) else list(countries)
        _check_codes("countries", countries, known)
    return df.loc[df["country"].astype(str).isin(countries)], countries


@overload
def _select_partner(df: pd.DataFrame, name: str, partner: str) -> tuple[pd.DataFrame, str]: ...


@overload
def _select_partner(df: pd.DataFrame, name: str, partner: None
                    ) -> tuple[pd.DataFrame, str | None]: ...


def _select_partner(df: pd.DataFrame, name: str, partner: str | None) -> tuple[pd.DataFrame,
                                                                             str | None]:
    """Keep the rows of one partner (if the frame has a partner column); the partner is
    the frame's only one when ``partner`` is None."""
    if "partner" not in df.columns:
        return df, partner
    partners = [str(p) for p in pd.unique(df["partner"])]
    if partner is None:
        if len(partners) > 1:
            raise DataError(f"{name}: the frame has several partners {partners}; pass "
                            f"partner= to choose one.", field="partner")
        return df, (partners[0] if partners else None)
    _check_codes("partner", [partner], partners)
    return df.loc[df["partner"].astype(str) == partner], partner


def _caption_text(attrs: dict, *, schedule: bool = True) -> str:
    parts = []
    if attrs.get("scenario"):
        parts.append(f"Scenario: {attrs['scenario']}")
    if schedule and attrs.get("schedule"):
        parts.append(f"Elasticity schedule: {attrs['schedule']}")
    elif attrs.get("trade_elasticity") is not None:
        parts.append(f"Trade elasticity: {describe_elasticity(attrs['trade_elasticity'])}")
    model_bits = []
    if attrs.get("model"):
        model_bits.append(f"model: {attrs['model']}")
    if attrs.get("closure"):
        model_bits.append(f"closure: {attrs['closure']}")
    if model_bits:
        parts.append("; ".join(model_bits))
    if attrs.get("sectors"):
        parts.append(f"Balances of {attrs['sectors']}")
    return ". ".join(parts) + ("." if parts else "")


def _goods_word(attrs: dict) -> str:
    """'goods' when the balances count the goods sectors (the default), else ''."""
    return "goods " if str(attrs.get("sectors", "goods")).startswith("goods") else ""


def _add_caption(ax: Any, text: str) -> None:
    if not text:
        return
    import textwrap

    wrapped = "\n".join(textwrap.wrap(text, width=110))
    ax.annotate(wrapped, xy=(0.0, 0.0), xycoords="axes fraction", xytext=(0, -36),
                textcoords="offset points", ha="left", va="top", fontsize=8,
                color="0.25", gid="caption", annotation_clip=False)


def _units(attrs: dict, units: str | None) -> str:
    return units or attrs.get("units") or DEFAULT_UNITS


def _thousands(axis: Any) -> None:
    """Tick labels with thousands separators (123,463 rather than 123463)."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}" if abs(v) >= 100
                                           else f"{v:,.3g}"))


def _colours(n: int) -> list:
    from matplotlib import colormaps

    cmap = colormaps["tab10"] if n <= 10 else colormaps["tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


def _bars(ax: Any, labels: Sequence[str], values: np.ndarray, colours: Sequence[Any],
          orientation: BarOrientation, **kw: Any) -> Any:
    check_option(orientation, BarOrientation, "orientation", error=DataError)
    if orientation == "horizontal":
        bars = ax.barh(list(labels), values, **({"color": list(colours)} | kw))
        ax.axvline(0.0, color="0.3", linewidth=0.8, gid="zero")
        _thousands(ax.xaxis)
    else:
        bars = ax.bar(list(labels), values, **({"color": list(colours)} | kw))
        ax.axhline(0.0, color="0.3", linewidth=0.8, gid="zero")
        _thousands(ax.yaxis)
    for patch, label in zip(bars.patches, labels, strict=True):
        patch.set_gid(str(label))
    return bars


# ----------------------------------------------------------------------------- surplus paths
#: ``layout="auto"`` draws one axes per country when the largest country's balance (its
#: largest absolute value over the years) is more than this many times the smallest's: on a
#: shared axis the small country's lines would fill less than a twentieth of its height and
#: look flat. The main job (China's surplus with the US ~295 billion, Cambodia's ~12) is 24x.
SMALL_MULTIPLES_SPREAD: Final = 20.0


def _legend_outside(ax: Any, *args: Any, **kw: Any) -> Any:
    """A legend to the right of the axes, outside them, so that it never covers data."""
    return ax.legend(*args, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
                     fontsize=8, **kw)


def _spread(df: pd.DataFrame, countries: Sequence[str], base: np.ndarray,
            scen: np.ndarray) -> float:
    """Largest over smallest of the countries' peak absolute balances (inf if one is 0)."""
    codes = df["country"].astype(str).to_numpy()
    peaks = [float(np.max(np.abs(np.concatenate([base[codes == c], scen[codes == c]]))))
             for c in countries]
    low, high = min(peaks), max(peaks)
    if high == 0.0:
        return 1.0
    return float("inf") if low == 0.0 else high / low


def _panel_axes(ax: Any, n: int) -> tuple[list[Any], int]:
    """``n`` axes in a grid: a new figure, or the area of the given ``ax`` divided."""
    ncols = 1 if n == 1 else (2 if n <= 4 else 3)
    nrows = -(-n // ncols)
    if ax is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(4.0 * ncols + 1.8, 2.6 * nrows + 1.2), layout="constrained")
        grid = fig.add_gridspec(nrows, ncols)
    else:
        fig = ax.figure
        spec = ax.get_subplotspec()
        if spec is None:
            raise DataError("ax: small multiples need an axes made by subplots (it is "
                            "divided into one panel per country); pass layout='overlay' or "
                            "'change' to draw on this axes.", field="ax")
        ax.remove()
        grid = spec.subgridspec(nrows, ncols, hspace=0.45, wspace=0.5)
    return [fig.add_subplot(grid[k // ncols, k % ncols]) for k in range(n)], ncols


def surplus_paths(frame: Any, countries: Sequence[str] | None = None, partner: str = "USA",
                  ax: Any = None, caption: bool = True, sign: BalanceSign = "country",
                  units: str | None = None, title: str | None = None,
                  max_countries: int = 10, layout: SurplusLayout = "auto",
                  **kwargs: Any) -> Any:
    """Projected goods balances with ``partner``, one colour per country.

    The baseline path (no policy change) is dashed, the scenario path solid, in the same
    colour; a caption names the trade-elasticity schedule, the model and the closure from
    ``frame.attrs`` (every plotted path is labelled with the elasticity schedule used). The
    legend stands outside the axes, on the right, so that it never covers a line.

    When the countries differ in size by two orders of magnitude (China and Cambodia with
    the United States), one shared axis flattens the small ones; ``layout`` chooses:

    * ``"overlay"``: all countries on one axes;
    * ``"small_multiples"``: one axes per country, each with its own y scale;
    * ``"change"``: one axes of ``scenario - baseline`` per country (zero is the
      without-policy path);
    * ``"auto"`` (default): small multiples when the largest country's balance is more than
      `SMALL_MULTIPLES_SPREAD` (20) times the smallest's, else overlay.

    Parameters
    ----------
    frame : DataFrame or object with ``.frame``
        A projection frame: ``year, country, partner, balance_baseline, balance_scenario``.
    countries : sequence of str, optional
        Countries to draw (default: every country in the frame except ``partner``).
    partner : str
        The partner whose bilateral balance is shown (default ``"USA"``).
    ax : matplotlib Axes, optional
        Where to draw. With small multiples the area of ``ax`` is divided into one panel
        per country (``ax`` itself is removed from its figure).
    caption : bool
        Write the schedule/model/closure caption under the axes.
    sign : {"country", "partner"}
        ``"country"``: the country's surplus with the partner (positive = surplus);
        ``"partner"``: the partner's balance with each country (the negative).
    units, title : str, optional
        Override ``frame.attrs["units"]`` and the default title.
    max_countries : int
        Without ``countries``, draw at most this many: those whose balance changes most
        (absolute scenario - baseline in the last year), in frame order.
    layout : {"auto", "overlay", "small_multiples", "change"}
        As above.
    **kwargs
        Passed to `matplotlib.axes.Axes.plot` for every line (e.g. ``linewidth=2``).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on; with small multiples the first panel (all panels are
        ``ax.figure.axes``, each with the gid ``"<country>:panel"``).

    Examples
    --------
    China's surplus with the US is 24 times Cambodia's, so each gets its own panel:

    >>> import pandas as pd
    >>> frame = pd.DataFrame({
    ...     "year": [2025, 2026, 2025, 2026], "country": ["CHN", "CHN", "KHM", "KHM"],
    ...     "partner": "USA", "balance_baseline": [295e3, 300e3, 12.3e3, 12.5e3],
    ...     "balance_scenario": [295e3, 260e3, 12.3e3, 11.0e3]})
    >>> ax = surplus_paths(frame)
    >>> [panel.get_title(loc="left") for panel in ax.figure.axes]
    ['CHN', 'KHM']
    >>> len(surplus_paths(frame, layout="overlay").figure.axes)
    1
    """
    df = _as_frame(frame, "frame")
    attrs = dict(getattr(frame, "attrs", None) or df.attrs)
    _require(df, "frame", ["year", "country", "balance_baseline", "balance_scenario"])
    check_option(sign, BalanceSign, "sign", error=DataError,
                 hint="'country': the country's surplus with the partner; 'partner': the "
                      "partner's balance.")
    check_option(layout, SurplusLayout, "layout", error=DataError,
                 hint="'small_multiples' gives each country its own scale.")
    df, partner = _select_partner(df, "frame", partner)
    known = [str(c) for c in pd.unique(df["country"]) if str(c) != partner]
    if countries is None:
        countries = known
        if len(known) > max_countries:
            last = df.loc[pd.to_numeric(df["year"], errors="coerce")
                          == pd.to_numeric(df["year"], errors="coerce").max()]
            size = (pd.to_numeric(last["balance_scenario"], errors="coerce")
                    - pd.to_numeric(last["balance_baseline"], errors="coerce")).abs()
            size.index = last["country"].astype(str)
            size = size.drop(partner, errors="ignore").fillna(0.0)
            keep = set(size.sort_values(ascending=False, kind="stable").index[:max_countries])
            countries = [c for c in known if c in keep]
    else:
        countries = [countries] if isinstance(countries, str) else list(countries)
        _check_codes("countries", countries, known)
    if not countries:
        raise DataError(f"frame: no country rows with partner {partner!r} to plot.",
                        field="country")
    df = df.loc[df["country"].astype(str).isin(countries)]
    dup = df.duplicated(["year", "country"], keep=False)
    if dup.any():
        raise DataError(f"frame: several rows for the same year and country, e.g.\n"
                        f"{df.loc[dup].head(5).to_string()}\nSelect one scenario/partner "
                        f"first.", field="year", rows=df.loc[dup])
    years = _numeric(df, "frame", "year")
    factor = 1.0 if sign == "country" else -1.0
    base = factor * _numeric(df, "frame", "balance_baseline")
    scen = factor * _numeric(df, "frame", "balance_scenario")
    if layout == "auto":
        layout = ("small_multiples" if len(countries) > 1
                  and _spread(df, countries, base, scen) > SMALL_MULTIPLES_SPREAD
                  else "overlay")

    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    u = _units(attrs, units)
    g = _goods_word(attrs)
    if layout == "change":
        ylabel = (f"Change in {g}balance with {partner} ({u})\nscenario minus without"
                  if sign == "country" else
                  f"Change in {partner} {g}balance ({u})\nscenario minus without")
        default_title = f"Change in the {g}trade balance with {partner}"
    elif sign == "country":
        ylabel = f"{'Goods balance' if g else 'Balance'} with {partner} ({u})\npositive = surplus"
        default_title = f"{'Goods trade' if g else 'Trade'} balance with {partner}"
    else:
        ylabel = f"{partner} {g}balance with each country ({u})"
        default_title = f"{partner} {g}trade balance by partner"
    if attrs.get("scenario"):
        default_title += f": {attrs['scenario']}"

    codes = df["country"].astype(str).to_numpy()
    colours = _colours(len(countries))
    if layout == "small_multiples":
        axes, ncols = _panel_axes(ax, len(countries))
    else:
        axes, ncols = [_new_ax(ax)] * len(countries), 1
    for country, colour, a in zip(countries, colours, axes, strict=True):
        rows = codes == country
        order = np.argsort(years[rows], kind="stable")
        x = years[rows][order]
        if layout == "change":
            a.plot(x, scen[rows][order] - base[rows][order], **({
                "linestyle": _SCENARIO_STYLE, "color": colour, "label": country,
                "gid": f"{country}:change", "marker": "o", "markersize": 3} | kwargs))
            continue
        a.plot(x, base[rows][order], **({
            "linestyle": _BASELINE_STYLE, "color": colour, "label": f"_{country} baseline",
            "gid": f"{country}:baseline"} | kwargs))
        a.plot(x, scen[rows][order], **({
            "linestyle": _SCENARIO_STYLE, "color": colour, "label": country,
            "gid": f"{country}:scenario", "marker": "o", "markersize": 3} | kwargs))
    style = ([Line2D([], [], color="0.3", linestyle=_SCENARIO_STYLE),
              Line2D([], [], color="0.3", linestyle=_BASELINE_STYLE)],
             ["with scenario (solid)", "without (dashed)"])
    if layout == "small_multiples":
        for k, (country, a) in enumerate(zip(countries, axes, strict=True)):
            a.set_gid(f"{country}:panel")
            a.set_title(country, fontsize=9, loc="left")
            a.axhline(0.0, color="0.5", linewidth=0.8, gid="zero")
            a.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
            a.tick_params(labelsize=7)
            _thousands(a.yaxis)
            if k + ncols >= len(axes):  # no panel below
                a.set_xlabel("Year", fontsize=8)
        _legend_outside(axes[min(ncols, len(axes)) - 1], *style)  # right of the top row
        fig = axes[0].figure
        fig.supylabel(ylabel.replace("\n", ", "), fontsize=9)
        fig.suptitle(title or default_title + " (each panel its own scale)")
        if caption and (text := _caption_text(attrs)):
            # the figure's bottom label, so that layout engines keep room for it and it does
            # not widen one column as an annotation of a panel would
            import textwrap

            fig.supxlabel("\n".join(textwrap.wrap(text, width=120)), x=0.02, ha="left",
                          fontsize=8, color="0.25").set_gid("caption")
        return axes[0]
    ax = axes[0]
    ax.axhline(0.0, color="0.5", linewidth=0.8, gid="zero")
    handles, labels = ax.get_legend_handles_labels()
    if layout != "change":
        handles += style[0]
        labels += style[1]
    _legend_outside(ax, handles, labels, ncol=2 if len(countries) > 12 else 1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _thousands(ax.yaxis)
    ax.set_xlabel("Year")
    ax.set_ylabel(ylabel)
    ax.set_title(title or default_title)
    if caption:
        _add_caption(ax, _caption_text(attrs))
    return ax


# ----------------------------------------------------------------------------- balance changes
def balance_changes(balances: Any, ax: Any = None, sort: bool = True,
                    countries: Sequence[str] | None = None, partner: str | None = None,
                    year: int | None = None, orientation: BarOrientation = "horizontal",
                    units: str | None = None, caption: bool = True,
                    title: str | None = None, **kwargs: Any) -> Any:
    """Bar chart of the change in each country's bilateral goods balance with a partner.

    The bar of a country is ``balance_scenario - balance_baseline`` (the ``change`` column;
    computed from the two balances when ``change`` is absent). Positive bars raise the
    country's surplus with the partner.

    Parameters
    ----------
    balances : DataFrame or object with ``.frame``
        ``country, change`` (or ``balance_baseline`` and ``balance_scenario``), optional
        ``partner`` and ``year``: ``result.balances(partner="USA")`` or a projection frame.
    ax : matplotlib Axes, optional
    sort : bool
        Order bars by their change (largest gain at the top / right).
    countries : sequence of str, optional
        Countries to show (default all but the partner).
    partner : str, optional
        Needed when the frame holds several partners.
    year : int, optional
        For a projection frame: the year to show (default the last one).
    orientation : {"horizontal", "vertical"}
    units, title : str, optional
    caption : bool
        Name the model and closure (from ``balances.attrs``) under the axes.
    **kwargs
        Passed to `matplotlib.axes.Axes.barh` (horizontal) or `matplotlib.axes.Axes.bar`
        (vertical), e.g. ``height=0.5`` or ``edgecolor="black"``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    df = _as_frame(balances, "balances")
    attrs = dict(df.attrs)
    _require(df, "balances", ["country"])
    if "change" not in df.columns:
        if {"balance_baseline", "balance_scenario"} <= set(df.columns):
            df = df.assign(change=_numeric(df, "balances", "balance_scenario")
                           - _numeric(df, "balances", "balance_baseline"))
        else:
            _require(df, "balances", ["change"])
    df, partner = _select_partner(df, "balances", partner)
    if "year" in df.columns:
        years = _numeric(df, "balances", "year")
        if year is None:
            year = int(years.max())
        elif year not in set(years.astype(int)):
            raise DataError(f"year: {year} is not in the frame (years "
                            f"{sorted(set(years.astype(int)))}).", field="year")
        df = df.loc[years.astype(int) == year]
    df, countries = _select_countries(df, countries, partner)
    # keep the caller's order of countries when not sorting
    rank = {c: i for i, c in enumerate(countries)}
    df = df.iloc[np.argsort([rank[str(c)] for c in df["country"]], kind="stable")]
    dup = df["country"].duplicated(keep=False)
    if dup.any():
        raise DataError(f"balances: several rows per country, e.g.\n"
                        f"{df.loc[dup].head(5).to_string()}\nPass partner= or year=.",
                        field="country", rows=df.loc[dup])
    labels = df["country"].astype(str).tolist()
    values = _numeric(df, "balances", "change")
    if sort:
        order = np.argsort(values, kind="stable")
        if orientation == "vertical":
            order = order[::-1]
        labels = [labels[i] for i in order]
        values = values[order]
    colours = [_GAIN_COLOUR if v >= 0 else _LOSS_COLOUR for v in values]

    ax = _new_ax(ax, (7.0, max(3.0, 0.4 * len(labels) + 1.5)))
    bars = _bars(ax, labels, values, colours, orientation, **kwargs)
    u = _units(attrs, units)
    big = len(values) and np.abs(values).max() >= 100
    ax.bar_label(bars, fmt="{:,.0f}" if big else "{:,.1f}", fontsize=7, padding=2)
    label = f"Change in {_goods_word(attrs)}balance with {partner or 'partner'} ({u})"
    if orientation == "horizontal":
        ax.set_xlabel(label)
        ax.margins(x=0.15)
    else:
        ax.set_ylabel(label)
        ax.margins(y=0.15)
    default_title = f"Bilateral balance with {partner or 'partner'}: scenario minus baseline"
    if year is not None:
        default_title += f", {year}"
    ax.set_title(title or default_title)
    if caption:
        _add_caption(ax, _caption_text(attrs))
    return ax


# ----------------------------------------------------------------------------- diversion
def diversion(flows: Any, importer: str = "USA", source: str = "CHN", ax: Any = None,
              top: int = 8, measure: DiversionMeasure = "share",
              sectors: Sequence[str] | None = None, others: bool = True,
              orientation: BarOrientation = "horizontal", units: str | None = None,
              caption: bool = True, title: str | None = None, **kwargs: Any) -> Any:
    """Who gains the importer's market that ``source`` loses: change in imports by exporter.

    For each exporter ``i != importer`` the bar is, with ``M_i`` the importer's imports from
    ``i`` (summed over the chosen sectors, at world prices):

    * ``measure="share"``: ``100 (M_i'/sum_k M_k' - M_i/sum_k M_k)`` in percentage points
      of the importer's imports (the bars, with "others", sum to zero);
    * ``measure="value"``: ``M_i' - M_i`` in the flows' units.

    Domestic sales (``exporter == importer``) are excluded. The source's bar is highlighted
    (red, hatched); the ``top`` exporters whose imports change most (by absolute value:
    the largest gainers and the largest losers) get their own bars, in order of change, and,
    with ``others=True``, the rest are summed into one "others" bar. So Vietnam, Malaysia,
    Thailand or India show by name when they move most, and partners whose trade barely
    moves are the ones summed.

    Parameters
    ----------
    flows : DataFrame
        ``exporter, importer, [sector], baseline, scenario`` (``result.flows``).
    importer, source : str
        Codes of the importing market and of the exporter that loses.
    ax : matplotlib Axes, optional
    top : int
        Number of exporters to show besides the source: those with the largest absolute
        change.
    measure : {"share", "value"}
    sectors : sequence of str, optional
        Sum only these sectors (default all).
    others : bool
        Add an "others" bar for the exporters not shown.
    orientation : {"horizontal", "vertical"}
    units, caption, title
        As in [`balance_changes`][tariffsim.plot.balance_changes].
    **kwargs
        Passed to `matplotlib.axes.Axes.barh` (horizontal) or `matplotlib.axes.Axes.bar`
        (vertical).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    A tariff on everyone: every exporter sells less. The bars name the exporters whose
    imports fall most (Mexico), not the one that barely moves (Fiji, in "others"):

    >>> import pandas as pd
    >>> flows = pd.DataFrame({"exporter": ["CHN", "MEX", "VNM", "FJI"], "importer": "USA",
    ...                       "baseline": [430.0, 480.0, 137.0, 0.3],
    ...                       "scenario": [260.0, 400.0, 110.0, 0.29]})
    >>> ax = diversion(flows, measure="value", top=2)
    >>> [bar.get_gid() for bar in ax.patches]  # bottom to top
    ['others', 'MEX', 'VNM', 'CHN']
    >>> {bar.get_gid(): float(bar.get_width()) for bar in ax.patches}["MEX"]
    -80.0
    """
    df = _as_frame(flows, "flows")
    attrs = dict(df.attrs)
    _require(df, "flows", ["exporter", "importer", "baseline", "scenario"])
    check_option(measure, DiversionMeasure, "measure", error=DataError)
    if not isinstance(top, (int, np.integer)) or top < 0:
        raise DataError(f"top: expected a non-negative integer, got {top!r}.", field="top")
    _check_codes("importer", [importer], [str(c) for c in pd.unique(df["importer"])])
    if sectors is not None:
        _require(df, "flows", ["sector"])
        sectors = [sectors] if isinstance(sectors, str) else list(sectors)
        _check_codes("sectors", sectors, [str(s) for s in pd.unique(df["sector"])])
        df = df.loc[df["sector"].astype(str).isin(sectors)]
    imp = df.loc[(df["importer"].astype(str) == importer)
                 & (df["exporter"].astype(str) != importer)]
    _check_codes("source", [source], [str(c) for c in pd.unique(imp["exporter"])])
    base = _numeric(imp, "flows", "baseline")
    scen = _numeric(imp, "flows", "scenario")
    totals = pd.DataFrame({"exporter": imp["exporter"].astype(str).to_numpy(),
                           "baseline": base, "scenario": scen})
    totals = totals.groupby("exporter", sort=True).sum()
    if measure == "share":
        b_tot, s_tot = totals["baseline"].sum(), totals["scenario"].sum()
        if b_tot <= 0 or s_tot <= 0:
            raise DataError(f"flows: {importer} has no imports to compute shares; use "
                            f"measure='value'.", field="baseline")
        change = 100.0 * (totals["scenario"] / s_tot - totals["baseline"] / b_tot)
    else:
        change = totals["scenario"] - totals["baseline"]
    rest = change.drop(source)
    movers = rest.abs().sort_values(ascending=False, kind="stable").index[:top]
    named = rest.loc[movers].sort_values(ascending=False, kind="stable")
    shown = pd.concat([change.loc[[source]], named])
    labels = list(shown.index)
    values = shown.to_numpy(dtype=float)
    hidden = rest.drop(named.index)
    if others and len(hidden):
        labels.append("others")
        values = np.append(values, float(hidden.sum()))
    colours = [_SOURCE_COLOUR if lab == source else ("0.6" if lab == "others" else
               (_GAIN_COLOUR if v >= 0 else _LOSS_COLOUR)) for lab, v in zip(labels, values,
                                                                           strict=True)]
    if orientation == "horizontal":  # source at the top
        labels, values, colours = labels[::-1], values[::-1], colours[::-1]

    ax = _new_ax(ax, (7.0, max(3.0, 0.4 * len(labels) + 1.5)))
    bars = _bars(ax, labels, values, colours, orientation, **kwargs)
    for patch in bars.patches:
        if patch.get_gid() == source:
            patch.set_hatch("//")
            patch.set_edgecolor("black")
    u = "percentage points of imports" if measure == "share" else _units(attrs, units)
    what = "import share" if measure == "share" else "imports"
    label = f"Change in {importer} {what} by exporter ({u})"
    if orientation == "horizontal":
        ax.set_xlabel(label)
    else:
        ax.set_ylabel(label)
    ax.set_title(title or f"Trade diversion: who gains the {importer} market {source} loses")
    if caption:
        _add_caption(ax, _caption_text(attrs))
    return ax


# ----------------------------------------------------------------------------- fan chart
def _quantile_columns(df: pd.DataFrame) -> list[tuple[float, str]]:
    cols = []
    for c in df.columns:
        name = str(c)
        if name.startswith("q"):
            try:
                q = float(name[1:]) / 100.0
            except ValueError:
                continue
            cols.append((q, name))
    return sorted(cols)


def fan_chart(bands: Any, countries: Sequence[str] | None = None, variable: str = "change",
              partner: str | None = None, ax: Any = None, units: str | None = None,
              caption: bool = True, title: str | None = None, **kwargs: Any) -> Any:
    """Monte Carlo bands: median with shaded quantile ranges.

    With a ``year`` column each country gets a median line (solid) and shaded bands between
    symmetric quantile pairs (e.g. 5%-95%), darker towards the median. Without years the
    chart shows each country's median as a dot with a whisker from the lowest to the highest
    quantile.

    Parameters
    ----------
    bands : DataFrame or object with ``.bands``
        ``tariffsim.monte_carlo(...).bands``: ``country, [partner], [year], variable`` and
        quantile columns named ``q05, q50, q95`` (percent).
    countries : sequence of str, optional
    variable : {"change", "balance_scenario"}
        Which simulated quantity to show.
    partner : str, optional
        Needed when the bands hold several partners.
    ax, units, caption, title
        As elsewhere.
    **kwargs
        Passed to `matplotlib.axes.Axes.plot` for each country's median (the line, or the
        dot without years), e.g. ``linewidth=2``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not isinstance(bands, pd.DataFrame) and isinstance(getattr(bands, "bands", None),
                                                          pd.DataFrame):
        bands = bands.bands
    df = _as_frame(bands, "bands")
    attrs = dict(df.attrs)
    _require(df, "bands", ["country"])
    qcols = _quantile_columns(df)
    if not qcols:
        raise DataError(f"bands: no quantile columns (named like 'q05', 'q50', 'q95'); it "
                        f"has {list(map(str, df.columns))}.", field="q50")
    if "variable" in df.columns:
        variables = [str(v) for v in pd.unique(df["variable"])]
        _check_codes("variable", [variable], variables)
        df = df.loc[df["variable"].astype(str) == variable]
    df, partner = _select_partner(df, "bands", partner)
    df, countries = _select_countries(df, countries, partner)
    qs = [q for q, _ in qcols]
    median_col = min(qcols, key=lambda qc: abs(qc[0] - 0.5))[1]
    values = {name: _numeric(df, "bands", name) for _, name in qcols}
    codes = df["country"].astype(str).to_numpy()
    ax = _new_ax(ax)
    colours = _colours(len(countries))
    u = _units(attrs, units)
    what = ("Change in goods balance" if variable == "change" else "Goods balance")
    if "year" in df.columns:
        years = _numeric(df, "bands", "year")
        pairs = [(qcols[i][1], qcols[-1 - i][1]) for i in range(len(qcols) // 2)
                 if qs[i] < 0.5 < qs[-1 - i]]
        for country, colour in zip(countries, colours, strict=True):
            rows = codes == country
            order = np.argsort(years[rows], kind="stable")
            x = years[rows][order]
            for k, (lo, hi) in enumerate(pairs):
                ax.fill_between(x, values[lo][rows][order], values[hi][rows][order],
                                color=colour, alpha=0.15 + 0.15 * k, linewidth=0,
                                gid=f"{country}:{lo}-{hi}")
            ax.plot(x, values[median_col][rows][order], **({
                "color": colour, "linestyle": "-", "label": country,
                "gid": f"{country}:median"} | kwargs))
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        _thousands(ax.yaxis)
        ax.set_xlabel("Year")
        ax.set_ylabel(f"{what} with {partner or 'partner'} ({u})")
        ax.axhline(0.0, color="0.5", linewidth=0.8, gid="zero")
    else:
        lo_col, hi_col = qcols[0][1], qcols[-1][1]
        y = np.arange(len(countries))
        for k, (country, colour) in enumerate(zip(countries, colours, strict=True)):
            rows = codes == country
            if rows.sum() != 1:
                raise DataError(f"bands: expected one row for {country!r}, found "
                                f"{int(rows.sum())}; pass partner=.", field="country")
            med = values[median_col][rows][0]
            ax.errorbar([med], [k], xerr=[[med - values[lo_col][rows][0]],
                                          [values[hi_col][rows][0] - med]],
                        fmt="none", ecolor=colour, capsize=4)
            ax.plot([med], [k], **({"marker": "o", "linestyle": "none", "color": colour,
                                    "label": country, "gid": f"{country}:median"} | kwargs))
        ax.set_yticks(y, countries)
        ax.axvline(0.0, color="0.5", linewidth=0.8, gid="zero")
        _thousands(ax.xaxis)
        ax.set_xlabel(f"{what} with {partner or 'partner'} ({u})")
    _legend_outside(ax)
    band = (f"{100 * qs[0]:g}-{100 * qs[-1]:g} percentile band" if len(qcols) > 1 else "")
    ax.set_title(title or f"Monte Carlo: median and {band}".strip())
    if caption:
        bits = []
        if attrs.get("n"):
            bits.append(f"{attrs['n']} draws (seed {attrs.get('seed')})")
        if attrs.get("distribution"):
            bits.append(f"trade elasticity ~ {attrs['distribution']}")
        text = "; ".join(bits)
        rest = _caption_text(attrs, schedule=False)
        _add_caption(ax, ". ".join(t for t in (text, rest) if t))
    return ax


# ----------------------------------------------------------------------------- US tariff rates
def us_tariff_rates(rates: Any, exporters: Sequence[str] | None = None, ax: Any = None, *,
                    start: Any = None, end: Any = None, total: bool = True,
                    max_exporters: int = 8, title: str | None = None, caption: bool = True,
                    **kwargs: Any) -> Any:
    """Effective US tariff rates by partner over time, as steps (rates change on the days
    instruments start or end).

    Parameters
    ----------
    rates : DataFrame, Scenario or str
        A frame of [`tariffsim.effective_rates`][] over several dates (``date, exporter,
        imports_weight, rate_pct``), or a scenario (object, built-in name or TOML path),
        whose rates are computed on every day its US tariff policy changes between
        ``start`` and ``end``.
    exporters : sequence of str, optional
        Partners to draw (default: the ``max_exporters`` largest by 2024 imports).
    ax : matplotlib Axes, optional
    start, end : date or str, optional
        For a scenario: the period (default: from a month before its first change to a
        month after its last start or its date).
    total : bool
        Also draw the rate on all partners of the frame (import-weighted, 2024 weights;
        with a scenario, all US imports), in black.
    max_exporters : int
    title : str, optional
    caption : bool
        Note the weights and the scenario under the axes.
    **kwargs
        Passed to `matplotlib.axes.Axes.step` for every line (``linewidth=1``).

    Returns
    -------
    matplotlib.axes.Axes
        Lines carry ``gid`` ``"<exporter>:rate"`` and ``"total:rate"``.
    """
    import datetime as _dt

    from .tariff_lines import effective_rates

    name = None
    if isinstance(rates, pd.DataFrame):
        df = rates
        name = df.attrs.get("scenario")
    else:
        from .tariff_lines.rates import _scenario

        name, insts, sdate, _ = _scenario(rates)
        from .instruments import to_date

        pts = sorted({d for i in insts if getattr(i, "importer", None) is not None
                      for d in (i.start, i.end) if d is not None})
        starts = [i.start for i in insts if getattr(i, "start", None) is not None]
        if not pts:
            raise DataError("rates: the scenario has no dated instrument to plot over time; "
                            "pass a frame of effective_rates on several dates.", field="rates")
        lo = to_date(start, "start") or pts[0] - _dt.timedelta(days=30)
        hi = to_date(end, "end") or (max(starts + ([sdate] if sdate else []))
                                     + _dt.timedelta(days=30))
        if hi <= lo:
            raise DataError(f"end: {hi} is not after start {lo}.", field="end")
        dates = [lo] + [d for d in pts if lo < d <= hi]
        if dates[-1] < hi:
            dates.append(hi)
        df = effective_rates(insts, date=dates)
        if "date" not in df.columns:
            df = df.assign(date=dates[0])
        df.attrs["scenario"] = name
    _require(df, "rates", ["date", "exporter", "imports_weight", "rate_pct"])
    df = df.assign(date=pd.to_datetime(df["date"]))
    rate = _numeric(df, "rates", "rate_pct")
    weight = _numeric(df, "rates", "imports_weight")
    known = [str(c) for c in pd.unique(df["exporter"])]
    if exporters is None:
        first = df.loc[df["date"] == df["date"].min()]
        exporters = list(first.sort_values("imports_weight", ascending=False)
                         .exporter.astype(str)[:max_exporters])
    else:
        exporters = [exporters] if isinstance(exporters, str) else list(exporters)
        _check_codes("exporters", exporters, known)
    ax = _new_ax(ax)
    kw = {"where": "post", "linewidth": 1.5} | kwargs
    codes = df["exporter"].astype(str).to_numpy()
    for exporter, colour in zip(exporters, _colours(len(exporters)), strict=True):
        rows = np.flatnonzero(codes == exporter)
        order = rows[np.argsort(df["date"].to_numpy()[rows], kind="stable")]
        ax.step(df["date"].to_numpy()[order], rate[order], color=colour, label=exporter,
                gid=f"{exporter}:rate", **kw)
    if total:
        g = pd.DataFrame({"date": df["date"], "w": weight, "wr": weight * rate})
        g = g.groupby("date", sort=True)[["w", "wr"]].sum()
        ax.step(g.index.to_numpy(), (g.wr / g.w).to_numpy(), color="black",
                label="all partners", gid="total:rate", **(kw | {"linewidth": 2.5}))
    ax.set_ylabel("Effective US tariff rate (%), 2024 import weights")
    ax.set_xlabel("Date")
    _legend_outside(ax, ncol=2 if len(exporters) > 12 else 1)
    ax.set_ylim(bottom=0)
    ax.set_title(title or "Effective US tariff rate by partner" + (f": {name}" if name else ""))
    if caption:
        _add_caption(ax, "Import-weighted mean of the duty on each HTS10 line, 2024 US imports "
                         "for consumption as weights (tariffsim.effective_rates)"
                         + (f". Scenario: {name}." if name else "."))
    return ax


# ----------------------------------------------------------------------------- accessor
class PlotAccessor:
    """``result.plot``: the plots of one result, projection or Monte Carlo run.

    Works on any object that has ``.balances(partner)`` (a simulation result), ``.flows``
    (a flows frame), ``.frame`` (a projection) or ``.bands`` (a Monte Carlo run); metadata
    (``model``, ``closure``, ``units``, ``trade_elasticity``, ``scenario``) is read from the
    object's attributes when the frames do not carry it in ``attrs``.
    """

    def __init__(self, result: Any) -> None:
        self._obj = result

    def __repr__(self) -> str:
        return f"<PlotAccessor of {type(self._obj).__name__}: surplus, balances, diversion, fan>"

    def _with_meta(self, df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        for key in ("units", "model", "closure", "scenario", "trade_elasticity", "sectors"):
            value = getattr(self._obj, key, None)
            if df.attrs.get(key) is None and value is not None and not callable(value):
                df.attrs[key] = value
        return df

    def _frame(self) -> pd.DataFrame | None:
        frame = getattr(self._obj, "frame", None)
        return frame if isinstance(frame, pd.DataFrame) else None

    def surplus(self, countries: Sequence[str] | None = None, partner: str = "USA",
                ax: Any = None, **kwargs: Any) -> Any:
        """Projected surplus paths ([`surplus_paths`][tariffsim.plot.surplus_paths]); needs a
        projection."""
        frame = self._frame()
        if frame is None:
            raise DataError(f"surplus paths need a projection (an object with a .frame of "
                            f"years); {type(self._obj).__name__} has none. Run "
                            f"tariffsim.project(...) or use .balances() for one year.",
                            field="frame")
        return surplus_paths(self._with_meta(frame), countries=countries, partner=partner,
                             ax=ax, **kwargs)

    def balances(self, partner: str = "USA", ax: Any = None, **kwargs: Any) -> Any:
        """Bar chart of bilateral balance changes
        ([`balance_changes`][tariffsim.plot.balance_changes])."""
        method = getattr(self._obj, "balances", None)
        if callable(method):
            frame = method(partner=partner)
        elif self._frame() is not None:
            frame = self._frame()
        else:
            raise DataError(f"{type(self._obj).__name__} has neither .balances(partner) nor "
                            f".frame to plot.", field="balances")
        return balance_changes(self._with_meta(frame), partner=partner, ax=ax, **kwargs)

    def diversion(self, importer: str = "USA", source: str = "CHN", ax: Any = None,
                  **kwargs: Any) -> Any:
        """Trade diversion chart ([`diversion`][tariffsim.plot.diversion])."""
        flows = getattr(self._obj, "flows", None)
        if callable(flows):
            flows = flows()
        if not isinstance(flows, pd.DataFrame):
            raise DataError(f"{type(self._obj).__name__} has no .flows frame to plot.",
                            field="flows")
        return diversion(self._with_meta(flows), importer=importer, source=source, ax=ax,
                         **kwargs)

    def fan(self, countries: Sequence[str] | None = None, ax: Any = None,
            **kwargs: Any) -> Any:
        """Monte Carlo fan chart ([`fan_chart`][tariffsim.plot.fan_chart]); needs ``.bands``."""
        bands = getattr(self._obj, "bands", None)
        if not isinstance(bands, pd.DataFrame):
            raise DataError(f"{type(self._obj).__name__} has no .bands; run "
                            f"tariffsim.monte_carlo(...).", field="bands")
        return fan_chart(self._with_meta(bands), countries=countries, ax=ax, **kwargs)
