"""The published tables of Ignatenko, Macedoni, Lashkaripour & Simonovska (2025) and the
cases behind each panel, shared by the oracle's reproduction
(tests/test_liberation_day_published.py) and the production solver's
(tests/test_liberation_day_production.py).

A case is a dict: ``t`` the new tariffs ``[exporter, importer]`` (baseline tariffs are
zero), ``revenue_use``, ``firm`` (firm-level pass-through phi~), ``eps`` (trade elasticity;
psi stays 0.67/4 and phi as calibrated, as in their code), ``plain_nu`` (nu = 0 and
phi = 1: their "EK" specification), ``beta`` (value-added share; 0.49 in the roundabout-
production runs) and ``balanced`` (Table 10 (2)/(4): the difference between runs with and
without the policy under their transfers ``T - bilateral deficit with the US``).
Which case is behind which panel is read from their replication code (the notes in
/work/wt/_notes/imls_equations.md, section 5).
"""

from __future__ import annotations

import functools
import re

import imls_reference as ref
import numpy as np
from validation_data import validation_path

import tariffsim as ts

# columns of paper_columns(): 0 welfare, 1 deficit, 2 exports/GDP, 3 imports/GDP,
# 4 employment, 5 prices, 6 revenue / E
COLS_6 = [0, 1, 2, 3, 4, 5]          # Tables 1, 4, 9
COLS_4 = [0, 1, 4, 5]                # Tables 2, 8
COLS_T10 = [0, 2, 3, 4, 5]           # Table 10
EU25 = ["AUT", "BEL", "BGR", "CYP", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GRC", "HRV",
        "HUN", "IRL", "ITA", "LTU", "LUX", "LVA", "MLT", "NLD", "POL", "PRT", "ROU", "SVN",
        "SWE"]


# ------------------------------------------------------------------ published tables
def parse_table(path):
    """Panels of a published LaTeX table: ``[(title, [(label, [(value, decimals), ...])])]``.

    A panel starts at a ``\\textbf{...}`` heading; a data row is ``label & 1.13\\% & ...``.
    """
    panels = [("", [])]
    for seg in path.read_text().replace("\n", " ").split("\\\\"):
        title = re.search(r"\\textbf\{(.*?)\}\s*\}?", seg)
        if title:
            panels.append((title.group(1), []))
        if "&" not in seg:
            continue
        label, _, rest = seg.partition("&")
        label = re.sub(r"\\addlinespace\[\w+\]|\\midrule|\\bottomrule|\\toprule", "",
                       label).strip()
        cells = re.findall(r"(-?\d+\.(\d+))\s*\\%", rest)
        if cells:
            panels[-1][1].append((label, [(float(v), len(d)) for v, d in cells]))
    return [(t, rows) for t, rows in panels if rows]


@functools.cache
def published(name):
    return parse_table(validation_path("liberation_day") / "published" / f"{name}.tex")


def panel(table, key):
    hits = [rows for title, rows in published(table) if key in title]
    assert len(hits) == 1, f"{table}: {len(hits)} panels match {key!r}"
    return dict(hits[0])


def near(ours, value, decimals):
    """Within half a unit of the printed last digit (plus 1e-6)."""
    return abs(ours - value) <= 0.5 * 10.0 ** -decimals + 1e-6


# ------------------------------------------------------------------ the world and its cases
@functools.cache
def world():
    folder = validation_path("liberation_day")
    base = ts.io.read_liberation_day(folder)
    nu = ts.io.liberation_day_local_share(folder).loc[list(base.countries)].to_numpy()
    t_ustr = ts.io.liberation_day_tariffs(folder).shocks(base).tariffs[:, :, 0]
    codes = list(base.countries)
    us = codes.index("USA")
    groups = {"USA": np.array([c == "USA" for c in codes]),
              "CHN": np.array([c == "CHN" for c in codes]),
              "EU": np.isin(codes, EU25)}
    groups["non-US (average)"] = ~groups["USA"]
    groups["RoW"] = ~(groups["USA"] | groups["CHN"] | groups["EU"])
    X = base.flows[:, :, 0]
    X_io = X.copy()
    np.fill_diagonal(X_io, np.diag(X) / ref.BETA_IO)
    return dict(folder=folder, base=base, X=X, X_io=X_io, nu=nu, t=t_ustr, us=us,
                codes=codes, groups=groups, phi=ref.passthrough(nu, ref.PSI),
                gdp=ref.paper_world(folder)["gdp"])


def with_rates(t, rows=None, cols=None, value=None):
    """``t`` with every tariff levied on exporter(s) ``rows`` / by importer(s) ``cols``
    set to ``value`` (none on a country's own goods)."""
    t = t.copy()
    if rows is not None:
        t[rows, :] = value
    if cols is not None:
        t[:, cols] = value
    np.fill_diagonal(t, 0.0)
    return t


def regional(china_rate=None, with_eu=True):
    """Table 8: 10% both ways between the US and everyone, USTR rates both ways with China
    (or ``china_rate``) and, in case 1, with the EU."""
    w = world()
    us, g, t = w["us"], w["groups"], np.zeros_like(w["X"])
    t[:, us] = 0.10
    t[us, :] = 0.10
    partners = g["CHN"] | g["EU"] if with_eu else g["CHN"]
    rate = w["t"][:, us] if china_rate is None else np.full(len(t), china_rate)
    t[partners, us] = rate[partners]
    t[us, partners] = rate[partners]
    np.fill_diagonal(t, 0.0)
    return t


@functools.cache
def spec(name):
    """The case behind a published panel (module docstring)."""
    w = world()
    t, us, nu, phi, X = w["t"], w["us"], w["nu"], w["phi"], w["X"]
    eps = ref.EPS
    # Proposition 2 and the authors' "optimal retaliation" (formulas of the paper)
    retal = ref.optimal_retaliation(X, nu, phi, eps, us)
    t_opt = ref.optimal_tariff(X, nu, phi, eps, us, income="E")
    t_opt_y = ref.optimal_tariff(X, nu, phi, eps, us, income="Y")
    zero = np.zeros_like(t)
    cases = {
        "case1": dict(t=t),
        "case2": dict(t=t, revenue_use="lump_sum"),
        "case3": dict(t=with_rates(zero, cols=us, value=t_opt)),
        "partial_passthrough": dict(t=t, firm=0.25),
        "eps8": dict(t=t, eps=8.0),
        "ek": dict(t=t, plain_nu=True),
        "reciprocal": dict(t=with_rates(t, rows=us, value=t[:, us])),
        "optimal_retaliation": dict(t=with_rates(t, rows=us, value=retal)),
        "optimal_both": dict(t=with_rates(with_rates(zero, cols=us, value=t_opt_y),
                                          rows=us, value=retal)),
        "war_eu_china": dict(t=regional()),
        "war_china": dict(t=regional(with_eu=False)),
        "war_china_108": dict(t=regional(china_rate=1.08, with_eu=False)),
        "ek_retaliation": dict(t=with_rates(t, rows=us, value=1 / eps), plain_nu=True),
        "io": dict(t=t, beta=ref.BETA_IO),
        "io_reciprocal": dict(t=with_rates(t, rows=us, value=t[:, us]), beta=ref.BETA_IO),
        "balanced": dict(t=t, balanced=True),
        "balanced_retaliation": dict(
            t=with_rates(t, rows=us, value=1 / ((1 + eps) * phi[us] - 1)), balanced=True),
    }
    out = dict(revenue_use="income_tax", firm=1.0, eps=eps, plain_nu=False, beta=1.0,
               balanced=False)
    out.update(cases[name])
    return out


def row_value(columns, label, col, simple_mean=False, weights="E"):
    """A published row: the group's expenditure-weighted (or GDP-weighted, or simple) mean
    of column ``col`` of the (N, 7) ``columns``."""
    w = world()
    c = columns[:, col]
    m = w["groups"][label]
    if simple_mean:
        return c[m].mean()
    W = w["X"].sum(axis=0) if weights == "E" else w["gdp"]
    return (W[m] * c[m]).sum() / W[m].sum()


def check_panel(columns_of, table, key, name, cols, simple_mean_welfare=False, weights="E"):
    """Every cell of a published panel against ``columns_of(name)`` (an (N, 7) array)."""
    bad = []
    columns = columns_of(name)
    for label, cells in panel(table, key).items():
        label = label.replace("\\cmidrule(lr){1-1}", "").strip()
        assert len(cells) == len(cols), (table, key, label)
        for (value, dec), col in zip(cells, cols, strict=True):
            mean = simple_mean_welfare and col == 0 and label != "USA"
            ours = row_value(columns, label, col, simple_mean=mean, weights=weights)
            if not near(ours, value, dec):
                bad.append(f"{label} col {col}: published {value}, ours {ours:.4f}")
    assert not bad, f"{table} {key}: " + "; ".join(bad)


def check_table3(columns_of):
    """Table 3: US tariff revenue as % of GDP (their results(US, 7): revenue / baseline
    expenditure) and of the federal budget (23% of GDP), for Table 1 cases 1 and 3 and
    Table 2 (3) and (1)."""
    (_, rows), = published("Table_3")
    rows = dict(rows)
    us = world()["us"]
    ours = [100 * columns_of(n)[us, 6] for n in ("case1", "case3", "optimal_retaliation",
                                                "reciprocal")]
    for (value, dec), x in zip(rows["\\% of GDP"], ours, strict=True):
        assert near(x, value, dec), (value, x)
    for (value, dec), x in zip(rows["\\% of Federal Budget"], ours, strict=True):
        assert near(x / 0.23, value, dec), (value, x / 0.23)


def check_table4(columns_of):
    """Table 4, panels "(1) USTR tariffs + one sector" (before retaliation) and "(1)
    reciprocal retaliation + one sector" (after; the table has two panels labelled (1)):
    roundabout production, non-US rows weighted by WDI GDP."""
    ones = [rows for title, rows in published("Table_4") if title == "(1)"]
    assert len(ones) == 2
    for rows, name in zip(ones, ("io", "io_reciprocal"), strict=True):
        columns = columns_of(name)
        for label, cells in rows:
            label = label.replace("\\cmidrule(lr){1-1}", "").strip()
            for (value, dec), col in zip(cells, COLS_6, strict=True):
                ours = row_value(columns, label, col, weights="gdp")
                assert near(ours, value, dec), (name, label, col, value, ours)
