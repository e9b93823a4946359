"""How tariffsim objects show themselves: a short ``__repr__`` and a Jupyter ``_repr_html_``.

Each user-facing object is described by a `View`: a title line, a few facts (scenario,
model, closure, elasticity, years, draws, units, source) and at most one or two small
headline tables. `text` and `html` render the same view, so the terminal and the notebook
say the same things. Money is shown with thousands separators in the object's units; every
piece of text that came from the user (scenario names, sources, codes) is escaped in HTML.

The classes keep only one-line methods that call the functions here (``baseline_view``,
``result_view``, ...), so that the display can change without touching the models.
"""

from __future__ import annotations

import html as _html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

#: Rows of a headline table (the largest entries; the rest are counted, not shown).
MAX_ROWS = 8
#: Longest fact value in the text repr before it is cut with an ellipsis.
MAX_FACT = 110
#: The partner whose bilateral balances make the headline tables, when present.
PARTNER = "USA"


# ----------------------------------------------------------------------------- formatting
def number(value: Any, decimals: int = 0) -> str:
    """``123463.04`` -> ``"123,463"``; NaN / None -> ``"–"``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(v):
        return "–"
    text = f"{v:,.{decimals}f}"
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]  # -0.001 shows as 0, not -0
    return text


def decimals_for(values: Iterable[Any]) -> int:
    """Decimals that keep a money column readable: 0 from 1,000 up, 1 from 10, else 2."""
    arr = np.asarray([float(v) for v in values], dtype=float)
    arr = arr[np.isfinite(arr)]
    top = float(np.abs(arr).max()) if arr.size else 0.0
    return 0 if top >= 1000 else 1 if top >= 10 else 2


def money_column(values: Sequence[Any]) -> list[str]:
    d = decimals_for(values)
    return [number(v, d) for v in values]


def percent(value: Any, decimals: int = 2) -> str:
    """``0.123`` (already in percent) -> ``"+0.12%"``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    return "–" if not math.isfinite(v) else f"{v:+.{decimals}f}%"


def shorten(text: Any, limit: int = MAX_FACT) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


def elasticity_text(value: Any) -> str:
    from .results import describe_elasticity
    return describe_elasticity(value)


# ----------------------------------------------------------------------------- the view
@dataclass
class Table:
    """A small table: ``header`` and rows of already formatted cells."""

    caption: str
    header: list[str]
    rows: list[list[str]]
    more: int = 0  # rows left out

    def left(self, k: int) -> bool:
        """Column ``k`` holds labels (left-aligned) rather than numbers."""
        return all(not _numeric(r[k]) for r in self.rows) if self.rows else True


def _numeric(cell: str) -> bool:
    s = cell.replace(",", "").replace("%", "").replace("–", "").strip()
    if not s:
        return True
    try:
        float(s)
    except ValueError:
        return False
    return True


@dataclass
class View:
    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def text(view: View) -> str:
    """The plain-text rendering (``__repr__``): a title, facts, tables; under 25 lines."""
    lines = [view.title]
    lines += [f"  {k}: {shorten(v)}" for k, v in view.facts]
    for t in view.tables:
        lines.append(f"  {t.caption}")
        lines += ["    " + row for row in _text_rows(t)]
        if t.more:
            lines.append(f"    ... {t.more} more")
    lines += [f"  note: {shorten(n)}" for n in view.notes[:3]]
    return "\n".join(lines)


def _text_rows(t: Table) -> list[str]:
    cols = list(zip(t.header, *t.rows, strict=True)) if t.rows else [(h,) for h in t.header]
    widths = [max(len(c) for c in col) for col in cols]
    out = []
    for row in [t.header, *t.rows]:
        cells = [c.ljust(w) if t.left(k) else c.rjust(w)
                 for k, (c, w) in enumerate(zip(row, widths, strict=True))]
        out.append("  ".join(cells).rstrip())
    return out


def html(view: View) -> str:
    """The Jupyter rendering (``_repr_html_``): the same view, every text escaped."""
    e = _html.escape
    parts = ['<div class="tariffsim-repr">', f"<p><b>{e(view.title)}</b></p>"]
    if view.facts:
        parts.append("<ul>")
        parts += [f"<li><i>{e(k)}</i>: {e(v)}</li>" for k, v in view.facts]
        parts.append("</ul>")
    for t in view.tables:
        parts.append("<table>")
        parts.append(f"<caption>{e(t.caption)}</caption>")
        parts.append("<thead><tr>" + "".join(
            f'<th style="text-align:{"left" if t.left(k) else "right"}">{e(h)}</th>'
            for k, h in enumerate(t.header)) + "</tr></thead>")
        parts.append("<tbody>")
        for row in t.rows:
            parts.append("<tr>" + "".join(
                f'<td style="text-align:{"left" if t.left(k) else "right"}">{e(c)}</td>'
                for k, c in enumerate(row)) + "</tr>")
        parts.append("</tbody></table>")
        if t.more:
            parts.append(f"<p>… {t.more} more</p>")
    for n in view.notes:
        parts.append(f"<p><i>note</i>: {e(n)}</p>")
    parts.append("</div>")
    return "\n".join(parts)


def _largest(df: pd.DataFrame, by: str, n: int = MAX_ROWS) -> tuple[pd.DataFrame, int]:
    """The ``n`` rows with the largest ``|by|`` (ties in the frame's order) and how many
    were left out."""
    order = df[by].abs().to_numpy(dtype=float)
    order = np.where(np.isfinite(order), order, -1.0)
    idx = np.argsort(-order, kind="stable")[:n]
    return df.iloc[idx], max(len(df) - n, 0)


def _partner(codes: Iterable[str]) -> str | None:
    return PARTNER if PARTNER in set(codes) else None


# ----------------------------------------------------------------------------- Baseline
def baseline_view(b: Any) -> View:
    svc = f" ({len(b.services)} services)" if b.services else ""
    title = (f"tariffsim Baseline {b.year or '(year unknown)'}: {b.n_countries} economies x "
             f"{b.n_sectors} sector(s){svc}, {'with' if b.has_io else 'no'} input-output "
             f"data, {b.units}")
    intl = float(b.international().sum())
    facts = [("international trade", f"{number(intl)} {b.units} (all sectors, world prices)")]
    if b.source:
        facts.append(("source", str(b.source)))
    view = View(title, facts)
    partner = _partner(b.countries)
    if partner is not None:
        tb = b.trade_balance(partner=partner)
        top, more = _largest(tb, "balance")
        exp, imp, bal = (money_column(top[c].tolist()) for c in ("exports", "imports",
                                                                   "balance"))
        view.tables.append(Table(
            f"goods balance with {partner}, largest first ({b.units})",
            ["country", f"exports to {partner}", f"imports from {partner}", "balance"],
            [[str(c), x, m, k] for c, x, m, k in zip(top["country"], exp, imp, bal,
                                                     strict=True)], more))
    return view


def baseline_repr(b: Any) -> str:
    svc = f" ({len(b.services)} services)" if b.services else ""
    io = "with IO" if b.has_io else "no IO"
    src = f"; {shorten(b.source, 70)}" if b.source else ""
    return (f"<Baseline {b.year or 'year?'}: {b.n_countries} economies x {b.n_sectors} "
            f"sector(s){svc}, {io}, {b.units}{src}>")


# ----------------------------------------------------------------------------- Scenario
def scenario_view(s: Any) -> View:
    counts: dict[str, int] = {}
    for inst in s.instruments:
        counts[type(inst).__name__] = counts.get(type(inst).__name__, 0) + 1
    what = ", ".join(f"{v} {k}" for k, v in counts.items()) or "no instruments"
    title = f"Scenario '{s.name}': {what}" + (f", dated {s.date}" if s.date else "")
    facts = []
    if s.description:
        facts.append(("description", s.description))
    if s.sources:
        facts.append(("sources", "; ".join(s.sources)))
    if s.variants:
        facts.append(("variants", ", ".join(k for k, _ in s.variants)))
    view = View(title, facts)
    if s.instruments:
        f = s.to_frame()
        shown = f.head(MAX_ROWS)
        cols = ["type", "importer", "exporter", "sectors", "policy", "start", "end"]
        rows = [[("" if v is None else str(v)) for v in r]
                for r in shown[cols].itertuples(index=False)]
        view.tables.append(Table("instruments", cols, rows, max(len(f) - MAX_ROWS, 0)))
    return view


# ----------------------------------------------------------------------------- instruments
def instrument_repr(inst: Any) -> str:
    """Eval-like: ``Tariff(importer='USA', exporter='VNM', rate=0.2, ...)`` with the fields
    that differ from their defaults (what `to_dict` holds)."""
    d = inst.to_dict()
    d.pop("type", None)
    return f"{type(inst).__name__}(" + ", ".join(f"{k}={v!r}" for k, v in d.items()) + ")"


def instrument_view(inst: Any) -> View:
    d = inst.to_dict()
    d.pop("type", None)
    label = getattr(inst, "label", type(inst).__name__)
    view = View(f"{type(inst).__name__}: {label}")
    view.tables.append(Table("fields (those that differ from the defaults)",
                             ["field", "value"], [[k, str(v)] for k, v in d.items()]))
    return view


# ----------------------------------------------------------------------------- Result
def result_view(r: Any) -> View:
    name = f"'{r.scenario}'" if r.scenario else "(unnamed scenario)"
    title = f"tariffsim Result: scenario {name}; model {r.model}, closure {r.closure}"
    facts = []
    if r.trade_elasticity is not None:
        facts.append(("trade elasticity", elasticity_text(r.trade_elasticity)))
    facts.append(("numeraire, units", f"{r.numeraire}, {r.units}"))
    d = r.diagnostics
    if "iterations" in d:
        res = d.get("residual", float("nan"))
        facts.append(("solver", f"{d['iterations']} iterations, residual "
                                f"{float(res):.1e}"))
    if r.data_vintage:
        facts.append(("data", str(r.data_vintage)))
    view = View(title, facts, notes=list(r.notes))
    if r._frames.get("countries") is None:
        return view
    c = r.countries
    partner = _partner(c["country"]) if "country" in c else None
    if partner is not None and r._frames.get("flows") is not None:
        bal = r.balances(partner=partner)
        top, more = _largest(bal, "change")
        wel = (c.set_index("country")["welfare_change_pct"]
               if "welfare_change_pct" in c else None)
        cols = [money_column(top[k].tolist()) for k in ("balance_baseline",
                                                        "balance_scenario", "change")]
        rows = []
        for k, code in enumerate(top["country"]):
            row = [str(code), cols[0][k], cols[1][k], cols[2][k]]
            if wel is not None:
                row.append(percent(wel.get(code, float("nan"))))
            rows.append(row)
        header = ["country", "balance baseline", "balance scenario", "change"]
        if wel is not None:
            header.append("welfare")
        view.tables.append(Table(f"{bal.attrs.get('sectors', 'goods')} balance with "
                                 f"{partner}, largest changes first ({r.units}; welfare "
                                 f"in percent)", header, rows, more))
    elif "welfare_change_pct" in c:
        top, more = _largest(c, "welfare_change_pct")
        view.tables.append(Table("largest welfare changes", ["country", "welfare"],
                                 [[str(a), percent(b)] for a, b in
                                  zip(top["country"], top["welfare_change_pct"],
                                      strict=True)], more))
    return view


def result_repr(r: Any) -> str:
    n = len(r.countries) if r._frames.get("countries") is not None else 0
    te = ("" if r.trade_elasticity is None
          else f" trade_elasticity={elasticity_text(r.trade_elasticity)!r}")
    return (f"<Result scenario={r.scenario!r} model={r.model!r} closure={r.closure!r}{te} "
            f"countries={n} numeraire={r.numeraire!r}>")


# ----------------------------------------------------------------------------- Projection
def projection_view(p: Any) -> View:
    f = p.frame
    years = sorted(int(y) for y in f["year"].unique()) if len(f) else []
    against = f"against '{p.reference}'" if p.reference else "against the baseline"
    title = (f"tariffsim Projection: scenario '{p.scenario}' {against}; model {p.model}, "
             f"closure {p.closure}")
    facts = [("elasticity", p.schedule.describe())]
    if years:
        facts.append(("years", f"{years[0]} (reported) to {years[-1]}, {len(years)} years"))
    n = f["country"].nunique() if len(f) else 0
    facts.append(("balances", f"{p.units} at world prices, {n} economies, "
                              f"{len(f):,} rows in .frame; {p.sectors}"))
    if p.without:
        facts.append(("without", p.without))
    view = View(title, facts)
    partners = set(f["partner"]) if len(f) else set()
    partner = PARTNER if PARTNER in partners else (sorted(partners - {"WLD"}) or [None])[0]
    if partner is None or len(years) < 2:
        return view
    sub = f[f["partner"] == partner]
    first, last = years[1], years[-1]
    base = sub[sub["year"] == years[0]].set_index("country")["balance_baseline"]
    y1 = sub[sub["year"] == first].set_index("country")["change"]
    yl = sub[sub["year"] == last].set_index("country")
    tab = pd.DataFrame({"reported": base, "first": y1, "without": yl["balance_baseline"],
                        "with": yl["balance_scenario"], "change": yl["change"]})
    tab = tab.reindex(list(dict.fromkeys(sub["country"]))).reset_index()
    top, more = _largest(tab, "change")
    cols = {k: money_column(top[k].tolist()) for k in ("reported", "first", "without",
                                                        "with", "change")}
    header = ["country", f"reported {years[0]}", f"change {first}", f"{last} without",
              f"{last} with", f"change {last}"]
    rows = [[str(code)] + [cols[k][i] for k in ("reported", "first", "without", "with",
                                                 "change")]
            for i, code in enumerate(top["country"])]
    view.tables.append(Table(f"balance with {partner}, largest {last} changes first "
                             f"({p.units})", header, rows, more))
    return view


# ----------------------------------------------------------------------------- MonteCarlo
def monte_carlo_view(mc: Any) -> View:
    attrs = getattr(mc.bands, "attrs", {}) or {}
    scen = f"scenario '{attrs['scenario']}', " if attrs.get("scenario") else ""
    title = (f"tariffsim MonteCarlo: {scen}{mc.n} draws; model {mc.model}, closure "
             f"{mc.closure}, partner {mc.partner}")
    vals = np.asarray(mc.values, dtype=float)
    what = "schedule factor" if mc.years else "trade elasticity"
    facts = [("draws", f"{mc.distribution}, seed {mc.seed}")]
    if vals.size:
        lo, med, hi = np.quantile(vals, [0.05, 0.5, 0.95])
        facts.append((what, f"median {med:.3g}, 5-95% {lo:.3g} to {hi:.3g}"))
    if attrs.get("schedule"):
        facts.append(("elasticity schedule", str(attrs["schedule"])))
    if mc.years:
        facts.append(("years", f"{mc.years[0]} to {mc.years[-1]}"))
    if mc.failures:
        facts.append(("failed draws", f"{len(mc.failures)} (see .failures)"))
    view = View(title, facts)
    b = mc.bands
    if b is None or not len(b) or "variable" not in b:
        return view
    sub = b[b["variable"] == "change"]
    year = None
    if "year" in sub and len(sub):
        year = int(sub["year"].max())
        sub = sub[sub["year"] == year]
    qcols = [c for c in sub.columns if c.startswith("q") and c[1:2].isdigit()]
    key = "q50" if "q50" in sub else ("mean" if "mean" in sub else None)
    if key is None or not len(sub):
        return view
    top, more = _largest(sub, key)
    cols = {c: money_column(top[c].tolist()) for c in ["mean", *qcols] if c in top}
    rows = [[str(code)] + [cols[c][i] for c in cols] for i, code in enumerate(top["country"])]
    when = f" in {year}" if year is not None else ""
    view.tables.append(Table(f"change of the balance with {mc.partner}{when}, quantile bands "
                             f"({attrs.get('units') or 'USD million'})", ["country", *cols],
                             rows, more))
    return view


# ----------------------------------------------------------------------------- schedule
def schedule_view(s: Any) -> View:
    view = View(f"ElasticitySchedule '{s.name}': {s.describe()}")
    view.tables.append(Table("points (linear in between, flat after the last)",
                             ["year of the policy", "trade elasticity"],
                             [[str(h), f"{v:g}"] for h, v in s.points.items()]))
    return view


# ----------------------------------------------------------------------------- PE
def product_data_repr(d: Any) -> str:
    total = float(d.value.sum())
    return (f"ProductData({d.n_rows:,} rows: {len(d.importers)} importer(s), "
            f"{len(d.exporters)} exporter(s), {len(d.products)} product(s); imports "
            f"{number(total, decimals_for([total]))} {d.units}"
            + (f", {d.year}" if d.year else "")
            + (f"; source: {shorten(d.source, 70)}" if d.source else "") + ")")


def product_data_view(d: Any) -> View:
    f = d.frame
    total = float(f["value"].sum())
    title = (f"ProductData {d.year or ''}: {d.n_rows:,} rows, {len(d.importers)} "
             f"importer(s), {len(d.exporters)} exporter(s), {len(d.products)} product(s)")
    mean_t = float((f["value"] * f["tariff"]).sum() / total) if total > 0 else float("nan")
    facts = [("imports", f"{number(total, decimals_for([total]))} {d.units}"),
             ("trade-weighted tariff", percent(100 * mean_t))]
    if d.source:
        facts.append(("source", str(d.source)))
    view = View(" ".join(title.split()), facts)
    top, more = _largest(f, "value")
    vals = money_column(top["value"].tolist())
    view.tables.append(Table(f"largest flows ({d.units})",
                             ["importer", "exporter", "product", "value", "tariff"],
                             [[str(a), str(b), str(c), v, f"{100 * t:.1f}%"]
                              for a, b, c, v, t in zip(top["importer"], top["exporter"],
                                                       top["product"], vals, top["tariff"],
                                                       strict=True)], more))
    return view


_PE_REGION_COLS = ("imports_baseline", "imports_scenario", "tariff_revenue_change",
                   "consumer_surplus", "producer_surplus", "net_welfare")


def pe_result_view(r: Any) -> View:
    scen = getattr(r, "scenario", None)
    when = getattr(r, "date", None) or getattr(r, "year", None)
    head = f"scenario '{scen}'" + (f" ({when})" if when else "") + "; " if scen else ""
    title = (f"tariffsim PEResult: {head}model {r.model}, {len(r.products):,} product rows, "
             f"{r.units}")
    el = ", ".join(f"{k.replace('_elasticity', '').replace('_', ' ')} "
                   f"{elasticity_text(v)}" for k, v in r.elasticities.items()
                   if k.endswith("_elasticity"))
    facts = [("elasticities", el)] if el else []
    if r.source:
        facts.append(("source", str(r.source)))
    view = View(title, facts, notes=list(r.notes))
    reg = r.regions
    label = next((c for c in ("importer", "region") if c in reg), None)
    cols = [c for c in _PE_REGION_COLS if c in reg]
    if label is not None and cols and len(reg):
        shown = reg.head(MAX_ROWS)
        fm = {c: money_column(shown[c].tolist()) for c in cols}
        view.tables.append(Table(f"by {label} ({r.units})", [label, *cols],
                                 [[str(x)] + [fm[c][i] for c in cols]
                                  for i, x in enumerate(shown[label])],
                                 max(len(reg) - MAX_ROWS, 0)))
    ex = r.exporters
    if "balance_change" in ex and len(ex):
        top, more = _largest(ex, "balance_change")
        vals = money_column(top["balance_change"].tolist())
        view.tables.append(Table(f"balance change of the importer with each exporter "
                                 f"({r.units})", ["importer", "exporter", "balance change"],
                                 [[str(a), str(b), v] for a, b, v in
                                  zip(top["importer"], top["exporter"], vals, strict=True)],
                                 more))
    return view


# ----------------------------------------------------------------------------- estimation
def ppml_view(r: Any) -> View:
    title = (f"PPMLResult: {r.nobs:,} observations ({r.dropped:,} dropped), backend "
             f"{r.backend}")
    se = r.se_type + (f", {r.n_clusters:,} clusters" if r.n_clusters else "")
    facts = [("standard errors", se),
             ("fit", f"pseudo R2 {r.pseudo_r2:.4f}, deviance {number(r.deviance, 1)}"
                     + (f", {r.iterations} iterations" if r.iterations else "")),
             ("reference levels", ", ".join(f"{k} = {v}" for k, v in r.reference.items()))]
    s = r.summary()
    rows = [[str(name), f"{row.coef:.4f}", f"{row.std_err:.4f}", f"{row.z:.2f}",
             f"{row.p_value:.3g}"] for name, row in s.head(MAX_ROWS * 3).iterrows()]
    return View(title, facts, [Table("coefficients", ["regressor", "coef", "std err", "z",
                                                      "p-value"], rows,
                                     max(len(s) - MAX_ROWS * 3, 0))])
