"""Rich display: every user-facing object has a short ``__repr__`` and a well-formed, escaped
``_repr_html_`` that names what produced it and shows the headline numbers, formatted with
thousands separators; the numbers are recomputed here from the object itself."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

import numpy as np
import pytest

import tariffsim as ts
import tariffsim.pe as pe
from tariffsim import _display

MAX_LINES = 25
NASTY = "<b>US & VN</b> \"deal\""


class _Checker(HTMLParser):
    """Fails on an end tag that does not close the innermost open element."""

    VOID = {"br", "hr", "img", "meta", "link", "input", "col", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack)
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> _Checker:
    """Parse ``html``, require every element closed in order; return the parser (its text
    is the unescaped text the reader sees)."""
    p = _Checker()
    p.feed(html)
    p.close()
    assert not p.stack, p.stack
    return p


def shown(html: str) -> str:
    return " ".join(parse(html).text)


@pytest.fixture(scope="module")
def base():
    return ts.load_baseline()


@pytest.fixture(scope="module")
def scenario():
    return ts.Scenario(NASTY, [ts.Tariff("USA", "VNM", 0.20, mode="add", start="2025-08-07"),
                               ts.Tariff("USA", "CHN", 0.30, mode="add", start="2025-04-10")],
                       date="2025-10-26", description="two tariffs & a <test>")


@pytest.fixture(scope="module")
def result(base, scenario):
    return ts.simulate(base, scenario, date="2026-01-01", trade_elasticity=4.5,
                       closure="fixed_deficit")


@pytest.fixture(scope="module")
def projection(base, scenario):
    return ts.project(base, scenario, years=range(2025, 2028))


def test_number_formatting():
    assert _display.number(123_463.04) == "123,463"
    assert _display.number(-0.0004, 2) == "0.00" and _display.number(-0.4) == "0"
    assert _display.number(-1234.5, 1) == "-1,234.5"
    assert _display.number(float("nan")) == "–" and _display.number(None) == "None"
    assert _display.decimals_for([170.0, 8.5]) == 1 and _display.decimals_for([3e5]) == 0
    assert _display.percent(-0.955) == "-0.95%" or _display.percent(-0.955) == "-0.96%"


def test_baseline_html_shows_the_surplus_with_the_us(base):
    tb = base.trade_balance(partner="USA").set_index("country")
    vnm = f"{tb.loc['VNM', 'balance']:,.0f}"
    assert vnm == "123,463"  # Census 2024, the number the debate quotes
    page = base._repr_html_()
    text = shown(page)
    assert vnm in text and f"{tb.loc['VNM', 'exports']:,.0f}" in text
    assert "22 economies x 22 sector(s)" in text and "USD million" in text
    # the table shows the largest balances: exactly the top 8 by size, largest first
    top = tb["balance"].abs().sort_values(ascending=False).index[:8].tolist()
    rows = [line.split()[0] for line in _display.text(_display.baseline_view(base))
            .splitlines()[5:13]]
    assert rows == top
    r = repr(base)
    assert r.count("\n") == 0 and len(r) < 200 and "2024" in r and "USD million" in r


def test_scenario_html_escapes_user_text(scenario):
    page = scenario._repr_html_()
    assert "<b>US" not in page and "&lt;b&gt;US &amp; VN&lt;/b&gt;" in page
    assert "&lt;test&gt;" in page
    text = shown(page)
    assert NASTY in text and "2 Tariff" in text and "2025-10-26" in text
    assert "+20%" in text and "VNM" in text
    assert repr(scenario).startswith("Scenario(")


def test_scenario_table_is_cut_for_long_scenarios():
    s = ts.scenarios.load("us-asean-2025")
    page = s._repr_html_()
    n = len(s.instruments)
    assert n > _display.MAX_ROWS
    assert page.count("<tr>") == _display.MAX_ROWS + 1  # header + shown rows
    assert f"{n - _display.MAX_ROWS} more" in page


def test_instrument_repr_is_eval_like_and_short():
    t = ts.Tariff("USA", "VNM", 0.2, mode="add", start="2025-08-07", sectors=["textiles_apparel"])
    r = repr(t)
    assert r.startswith("Tariff(importer='USA', exporter='VNM', rate=0.2")
    assert "transshipment_rate" not in r  # defaults are left out
    assert eval(r, {"Tariff": ts.Tariff, "datetime": datetime}) == t
    c = ts.ImportCommitment("VNM", "USA", 2000.0, start="2026-01-01", realisation=0.58,
                            basis="increment")
    assert eval(repr(c), {"ImportCommitment": ts.ImportCommitment,
                          "datetime": datetime}) == c
    text = shown(t._repr_html_())
    assert "0.2" in text and "2025-08-07" in text and "textiles_apparel" in text


def test_result_repr_names_what_produced_it(result, scenario):
    r = repr(result)
    lines = r.splitlines()
    assert len(lines) < MAX_LINES
    assert NASTY in lines[0] and "closure fixed_deficit" in lines[0] and "model ge" in r
    assert "trade elasticity: 4.5" in r
    bal = result.balances(partner="USA").set_index("country")
    assert f"{bal.loc['VNM', 'change']:,.0f}" in r
    assert f"{bal.loc['VNM', 'balance_baseline']:,.0f}" == "123,463" and "123,463" in r
    page = result._repr_html_()
    assert "<b>US" not in page
    text = shown(page)
    assert NASTY in text and "4.5" in text and f"{bal.loc['CHN', 'change']:,.0f}" in text
    wel = result.countries.set_index("country").loc["VNM", "welfare_change_pct"]
    assert f"{wel:+.2f}%" in text


def test_projection_repr_is_a_summary_not_the_frame(projection):
    p = projection
    assert len(p.frame) > 1000
    r = repr(p)
    assert len(r.splitlines()) < MAX_LINES
    assert "BLP2023" in r or "0.76" in r
    assert "closure fixed_deficit" in r and NASTY in r and "2024 (reported) to 2027" in r
    t = p.table(partner="USA", years=[2027])
    assert f"{t.loc['VNM', '2027 change']:,.0f}" in r
    assert f"{t.loc['CHN', '2027 with']:,.0f}" in r
    assert f"{len(p.frame):,} rows" in r
    text = shown(p._repr_html_())
    assert f"{t.loc['VNM', '2027 change']:,.0f}" in text and NASTY in text


def test_monte_carlo_repr_and_html(base):
    mc = ts.monte_carlo(base, "us-asean-2025", n=4, seed=3, date="2027-01-01")
    r = repr(mc)
    assert len(r.splitlines()) < MAX_LINES
    assert "4 draws" in r and "us-asean-2025" in r and "closure fixed_deficit" in r
    b = mc.bands.query("variable == 'change'").set_index("country")
    assert f"{b.loc['VNM', 'q50']:,.0f}" in r and f"{b.loc['VNM', 'q95']:,.0f}" in r
    med = float(np.median(mc.values))
    assert f"median {med:.3g}" in r
    assert f"{b.loc['CHN', 'q05']:,.0f}" in shown(mc._repr_html_())


def test_schedule_html():
    text = shown(ts.BLP2023._repr_html_())
    assert "BLP2023" in text and "0.76" in text and "1.75" in text and "Boehm" in text
    assert repr(ts.BLP2023).startswith("ElasticitySchedule(points={1: 0.76")


def test_product_data_and_pe_results():
    d = pe.load_rare_earths()
    r = repr(d)
    assert "5 rows" in r and "170.0 USD million" in r and len(r) < 250
    text = shown(d._repr_html_())
    assert "119.0" in text and "CHN" in text and "0.0%" in text
    res = pe.smart(d, supply_cuts={"CHN": 0.5}, import_demand_elasticity=-0.5,
                   substitution_elasticity=1.5, export_supply_elasticity=99)
    r = repr(res)
    assert len(r.splitlines()) < MAX_LINES
    assert "model smart" in r and "import demand -0.5" in r and "substitution 1.5" in r
    reg = res.regions.iloc[0]
    assert f"{reg['imports_scenario']:,.1f}" in r
    ex = res.exporters.set_index("exporter")
    assert f"{ex.loc['MYS', 'balance_change']:,.1f}" in r
    assert "shadow export tax" in r  # the notes are kept
    parse(res._repr_html_())


def test_pe_scenario_result_names_the_scenario():
    d = pe.load_rare_earths()
    s = ts.Scenario(NASTY, [ts.Tariff("USA", "CHN", 0.25, mode="add")])
    res = pe.simulate_pe(d, s, model="smart")
    r = repr(res)
    assert NASTY in r and "model smart" in r and len(r.splitlines()) < MAX_LINES
    assert "&lt;b&gt;" in res._repr_html_()


def test_gsim_result_display():
    d = pe.load_rare_earths()
    res = pe.gsim(d, {"CHN": 0.25})
    r = repr(res)
    assert len(r.splitlines()) < MAX_LINES and "model gsim" in r
    assert "import demand -1.25" in r and "substitution 5" in r
    reg = res.regions
    label = "region" if "region" in reg else "importer"
    row = reg.set_index(label).loc["USA"]
    assert f"{row['net_welfare']:,.2f}" in r or f"{row['net_welfare']:,.1f}" in r
    parse(res._repr_html_())


def test_ppml_result_html():
    pytest.importorskip("statsmodels")
    from tariffsim.estimate import ppml

    rng = np.random.default_rng(0)
    codes = [f"C{i}" for i in range(6)]
    import pandas as pd

    e = pd.DataFrame([(a, b) for a in codes for b in codes], columns=["exporter", "importer"])
    e["ln_dist"] = rng.uniform(5, 9, len(e))
    e["trade"] = np.exp(3 - 0.9 * e["ln_dist"] + rng.normal(0, 0.1, len(e)))
    res = ppml(e, regressors=["ln_dist"], se="robust", backend="statsmodels")
    text = shown(res._repr_html_())
    assert f"{res.coefficients['ln_dist']:.4f}" in text and "robust" in text
    assert f"{res.nobs:,} observations" in text
