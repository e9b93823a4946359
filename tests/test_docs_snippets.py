"""The Python examples in the README and the docs pages run as written.

The blocks of one page run in order in one namespace (a later block may use what an
earlier one defined). Blocks that read the user's own files (BACI, ICIO, Comtrade, Census
downloads) cannot run here and are left out by what they call.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest

import tariffsim as ts

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
NEEDS_USER_FILES = ("read_baci(", "read_baci_products(", "read_icio(", "read_comtrade(",
                    "read_comtrade_products(", "read_census(", "Chapter1Application",
                    "Chapter2Application")
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def python_blocks(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    return [b for b in blocks if not any(k in b for k in NEEDS_USER_FILES)]


CASES = [p for p in PAGES if python_blocks(p)]


def _gids(fig) -> set[str]:
    return {a.get_gid() for ax in fig.axes for a in ax.get_children() if a.get_gid()}


def _check_pe(ns: dict) -> None:
    # The Tariff instrument *sets* VNM's rate on HS 854142 to 40%; the other rows keep 19%.
    rows = ns["res"].products.set_index(["exporter", "product"])["tariff_scenario"]
    assert ns["res"].scenario == "vn40"
    assert rows[("VNM", "854142")] == pytest.approx(0.40, abs=1e-12)
    assert rows[("MYS", "854142")] == pytest.approx(0.19, abs=1e-12)
    assert rows[("VNM", "854143")] == pytest.approx(0.19, abs=1e-12)


def _check_plots(ns: dict) -> None:
    import matplotlib.pyplot as plt

    assert ns["mc"].n == 20 and len(ns["mc"].values) == 20
    assert "VNM:median" in _gids(plt.gcf())


def _check_scenarios(ns: dict) -> None:
    base, shocks = ns["base"], ns["shocks"]
    usa, vnm = base.country_index("USA"), base.country_index("VNM")
    goods = [base.sector_index(x) for x in base.goods]
    services = [base.sector_index(x) for x in base.services]
    # "add" 20% on US imports of goods from Vietnam, on top of the baseline tariff;
    # services carry no goods tariff.
    assert shocks.tariffs[vnm, usa, goods] - base.tariffs[vnm, usa, goods] == pytest.approx(
        0.20, abs=1e-12)
    assert (shocks.tariffs[vnm, usa, services] == base.tariffs[vnm, usa, services]).all()
    # start=2026, by=2030: 2027 is year 2 of 5, so the target is the goods imports + 0.4 x 8,000.
    (target,) = shocks.commitments
    assert target.value == pytest.approx(base.flows[usa, vnm, goods].sum() + 3_200.0,
                                         rel=1e-12)
    assert ns["s2"].name == "vn-20" and len(ns["s2"].instruments) == 2  # read back from TOML
    assert ns["s"].name == "us-asean-2025"


def _check_uncertainty(ns: dict) -> None:
    import matplotlib.pyplot as plt

    assert ns["mc"].n == 50 and ns["path"].n == 20
    # draws as a batch: scipy.stats distributions, a tariff scale in [0.5, 1.5]
    per = ns["batch"].draws.groupby("draw")["tariff_scale"].first()
    assert ns["batch"].n == 40 and per.between(0.5, 1.5).all() and per.std() > 0.1
    assert ns["on_cluster"].n == 40
    # The projected years (a projection also reports the data's base year, 2024 here).
    years = set(ns["path"].bands["year"].astype(int))
    assert set(range(2025, 2031)) <= years and max(years) == 2030
    assert {"VNM:median", "MYS:median", "THA:median"} <= _gids(plt.gcf())


def _check_us_tariffs(ns: dict) -> None:
    # Vietnamese steel tube (2024: 25% Section 232) + 50%, no reciprocal (it yields to
    # Section 232); sweater (2024: 16.5%) + 20%.
    r = ns["lines"].set_index("hs10").rate
    assert r["7306296050"] == pytest.approx(0.25 + 0.50, abs=1e-5)
    assert r["6110202079"] == pytest.approx(0.165 + 0.20, abs=1e-5)
    assert ns["df"].imports_weight.sum() == pytest.approx(3_251_151.78, abs=0.01)


def _check_liberation_day(ns: dict) -> None:
    # Published: Table 1 cases 1-2 and Table 2 panel (1) of Ignatenko et al. (2025), to the
    # printed digit (welfare, deficit, exports/GDP, imports/GDP, employment, prices).
    published = {
        ("Case 1: income-tax relief", "USA"): [1.13, -18.1, -52.7, -43.6, 0.32, 12.8],
        ("Case 1: income-tax relief", "non-US (average)"): [-0.58, 11.6, -3.2, -3.3, -0.14,
                                                            -4.7],
        ("Case 2: lump-sum rebate", "USA"): [-0.01, -18.4, -52.5, -43.3, -0.41, 13.1],
        ("Case 2: lump-sum rebate", "non-US (average)"): [-0.57, 11.7, -3.3, -3.4, -0.14,
                                                          -4.8],
    }
    table = ns["table"]
    for key, values in published.items():
        ours = table.loc[key].to_numpy()
        decimals = [len(str(v).split(".")[1]) for v in values]
        for x, v, d in zip(ours, values, decimals, strict=True):
            assert abs(x - v) <= 0.5 * 10.0 ** -d + 1e-9, (key, v, x)
    retaliation = table.loc[("Reciprocal retaliation", "USA")]
    assert round(retaliation["welfare"], 2) == -0.36 and round(retaliation["deficit"], 1) == -26.7
    steps = ns["steps"]
    assert round(steps.loc["+ scale economies", "VNM welfare"], 1) == -11.0   # output_map.csv
    assert round(steps.loc["+ scale economies", "MYS welfare"], 1) == -4.4


# What a page's examples must leave behind (values derived by hand from the page's text).
def _check_commitments(ns: dict) -> None:
    # the pledge of the page: USD 150 bn over five years is a level of 30,000 a year
    assert ns["pledge"].basis == "level" and ns["pledge"].value_in(2028) == 30_000.0
    # the last loop's run is at realisation 0.58, and its parts add up to the change
    proj, parts = ns["proj"], ns["parts"]
    assert all(c.realisation == 0.58 for c in ns["deal"].instruments
               if isinstance(c, ts.ImportCommitment))
    mys = parts.query("year == 2030 and country == 'MYS' and partner == 'USA'")
    total = proj.frame.query("year == 2030 and country == 'MYS' and partner == 'USA'")
    assert mys["change"].sum() == pytest.approx(float(total["change"].iloc[0]), rel=1e-9)


CHECKS = {"pe.md": _check_pe, "commitments.md": _check_commitments, "plots.md": _check_plots,
          "scenarios.md": _check_scenarios, "uncertainty.md": _check_uncertainty,
          "us_tariffs.md": _check_us_tariffs, "liberation_day.md": _check_liberation_day}

# Pages whose examples read validation data: (data set, the placeholder path in the page).
NEEDS_VALIDATION = {"liberation_day.md": ("liberation_day",
                                          '"replication_package/data/base_data"')}


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_page_snippets_run(path, tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    plt.close("all")
    # Run as a script would: code under `if __name__ == "__main__":` runs too.
    namespace: dict = {"__name__": "__main__"}
    blocks = python_blocks(path)
    if path.name in NEEDS_VALIDATION:
        from validation_data import validation_path

        name, placeholder = NEEDS_VALIDATION[path.name]
        folder = repr(str(validation_path(name)))
        blocks = [b.replace(placeholder, folder) for b in blocks]
    try:
        for i, code in enumerate(blocks):
            exec(compile(code, f"{path.name}[block {i}]", "exec"), namespace)  # noqa: S102
        if path.name in CHECKS:
            CHECKS[path.name](namespace)
    finally:
        plt.close("all")


def test_readme_and_home_page_have_runnable_snippets():
    names = {p.name for p in CASES}
    assert {"README.md", "index.md"} <= names
