"""Write notebooks/vietnam_surplus.ipynb (without outputs) from the cells below.

The notebook is generated so that its cells stay reviewable as plain Python in a diff;
run ``python tools/make_notebook.py`` after editing, and commit both files.
"""

from pathlib import Path

import nbformat as nbf

CELLS = [
    ("md", """# Vietnam's goods surplus with the United States under the October 2025 deal

This notebook walks from the embedded baseline to projected surpluses and plots:

1. load the real 2024 baseline and check Vietnam's reported surplus with the US,
2. read the built-in `us-asean-2025` scenario (dated, sourced instruments),
3. solve it once in general equilibrium (Caliendo & Parro 2015 hat algebra),
4. project the balances year by year with a trade elasticity that rises from the short to
   the long run (Boehm, Levchenko & Pandalai-Nayar 2023),
5. plot the paths, the changes and who gains the US market share that China loses,
6. put uncertainty bands around the result.

Every number below says which model, closure and elasticity produced it."""),
    ("code", """import matplotlib
matplotlib.use("Agg")  # headless; drop this line in Jupyter for inline figures
import matplotlib.pyplot as plt

import tariffsim as ts"""),
    ("md", """## 1. The baseline
The embedded sectoral world: 22 economies x 22 sectors (19 goods, 3 services) with
input-output links from OECD ICIO 2022, US flows and duties by partner and sector from the
US Census 2024 product data (scaled to the Feb-2025 partner totals), other goods pairs from
CEPII BACI 2023. Balances count goods, as the Census does.
Every figure keeps its source in `base.provenance`."""),
    ("code", """base = ts.load_baseline()
print(base)
usa = base.trade_balance(partner="USA").set_index("country")
usa.loc[["VNM", "CHN", "MYS", "THA", "KHM"]]"""),
    ("code", """# the surplus the public debate quotes: USD 123.5 bn (Census 2024)
assert abs(usa.loc["VNM", "balance"] - 123_463) < 0.001 * 123_463
base.provenance.query("exporter == 'VNM' and importer == 'USA'")[["field", "source"]]"""),
    ("md", """## 2. The scenario
Built-in scenarios are TOML files with a date and a source for every instrument;
`illustrative` marks assumptions that are not sourced figures. The US tariffs are written
at the HTS10 tariff line (product lists, exemptions, which layers stack) and start from the
built-in timeline `us-tariffs-2025-2026`; on the baseline, each (partner, sector) cell takes
the 2024-import-weighted mean of its lines."""),
    ("code", """scenario = ts.scenarios.load("us-asean-2025")
print(scenario.describe()[:3000])"""),
    ("code", """# the effective US tariff by partner on a date, from the tariff lines
rates = ts.effective_rates(scenario, date="2026-01-01").set_index("exporter")
rates.loc[["VNM", "MYS", "THA", "KHM", "CHN"], ["rate_baseline_pct", "rate_pct"]]"""),
    ("md", """## 3. One general-equilibrium solve
The policies in force on 1 January 2027, a long-run trade elasticity of 5, deficits held
fixed (`fixed_deficit`, the default closure): tariffs move *bilateral* balances, while each
country's total balance stays where it was."""),
    ("code", """result = ts.simulate(base, scenario, date="2027-01-01", trade_elasticity=5.0)
print(result)
bal = result.balances(partner="USA").set_index("country")
bal.loc[["VNM", "CHN", "MYS", "THA", "KHM"],
        ["balance_baseline", "balance_scenario", "change"]]"""),
    ("code", """result.countries.set_index("country").loc[
    ["VNM", "USA", "CHN"], ["welfare_change_pct", "real_wage_change_pct",
                            "tariff_revenue_baseline", "tariff_revenue_scenario"]]"""),
    ("md", """## 4. Year by year
`project` solves one equilibrium a year: the policies in force that year (weighted by the
days they are in force), purchase commitments phased in, and the elasticity of that
year's horizon (0.76 in the first year rising to 2 by the tenth, BLP 2023)."""),
    ("code", """proj = ts.project(base, scenario, years=range(2025, 2031))
print(proj.describe())
proj.table(partner="USA", countries=["VNM", "MYS", "THA", "KHM", "CHN"], years=[2026, 2030])"""),
    ("md", """## 5. Plots
Each plotting function takes `ax=` and returns it."""),
    ("code", """fig, axes = plt.subplots(1, 2, figsize=(14, 5))
proj.plot.surplus(countries=["VNM", "MYS", "THA", "KHM"], ax=axes[0])
result.plot.balances(partner="USA", ax=axes[1])
fig.tight_layout()"""),
    ("code", """ax = result.plot.diversion(importer="USA", source="CHN")"""),
    ("md", """## 6. How sure are we?
The elasticity matters most. Draw the whole schedule up and down together (a lognormal
factor around 1) and look at the spread of Vietnam's projected surplus."""),
    ("code", """mc = ts.monte_carlo(base, scenario, n=20, seed=1, years=range(2025, 2031))
mc.bands.query("country == 'VNM' and variable == 'balance_scenario'")"""),
    ("code", """ax = mc.plot.fan(countries=["VNM"])"""),
    ("md", """## What this does and does not say
* Tariffs reach the model as the import-weighted mean line rate of each (partner, sector)
  cell with 2024 weights; substitution between lines within a sector is left out, and the
  scenario holds the deal rates to 2030 (the 2026 Supreme Court ruling is in
  `section-122-2026`).
* `fixed_deficit` keeps each country's total balance: a lower surplus with the US is a
  higher surplus with the rest of the world. Try `closure="balanced"` or `"deficit_ratio"`.
* The short-run elasticity is low: most of the trade response comes after several years."""),
]


def main() -> None:
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src)
                for kind, src in CELLS]
    out = Path(__file__).resolve().parent.parent / "notebooks" / "vietnam_surplus.ipynb"
    out.parent.mkdir(exist_ok=True)
    nbf.write(nb, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
