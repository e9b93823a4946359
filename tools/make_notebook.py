"""The cells of the notebooks in notebooks/, as plain Python so that they stay reviewable in
a diff.

After editing, run ``python tools/execute_notebooks.py``: it builds each notebook from these
cells, executes it and writes it with its outputs (figures included), which is what is
committed (CI re-executes them and fails when the committed outputs are stale).
``python tools/make_notebook.py`` writes them without outputs, quicker while editing.
``NOTEBOOKS`` maps each file name to its cells.
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
    ("code", """%matplotlib inline
import matplotlib.pyplot as plt

import tariffsim as ts"""),
    ("md", """## 1. The baseline
The embedded sectoral world: 22 economies x 22 sectors (19 goods, 3 services) with
input-output links from OECD ICIO 2022, US flows and duties by partner and sector from the
US Census 2024 product data (scaled to the Feb-2025 partner totals), other goods pairs from
CEPII BACI 2023. Balances count goods, as the Census does.
Every figure keeps its source in `base.provenance`."""),
    ("code", """base = ts.load_baseline()
display(base)
usa = base.trade_balance(partner="USA").set_index("country")
usa.loc[["VNM", "CHN", "MYS", "THA", "KHM"]]"""),
    ("code", """# the surplus the public debate quotes: USD 123.5 bn (Census 2024)
assert abs(usa.loc["VNM", "balance"] - 123_463) < 0.001 * 123_463
print(f"Vietnam's 2024 goods surplus with the US: USD {usa.loc['VNM', 'balance']:,.0f} million")
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
display(result)
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
display(mc)
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


BUILD_CELLS = [
    ("md", """# Build your own scenario

A scenario is a named, dated list of policy instruments, each with its source. This
notebook writes one twice, as TOML and in Python, runs it with a purchase pledge met in
full and in part, and puts uncertainty bands around the result:

1. the scenario in TOML (the format of a scenario file: `tariffsim run my_deal.toml`),
2. the same scenario in Python,
3. Malaysia's purchase pledge met in full and at 58% (the share of its pledge China met
   under the 2020 US-China Phase One deal),
4. bands from a Monte Carlo over the trade elasticity.

The rates below are illustrative: the built-in `us-asean-2025` scenario holds the dated,
sourced law."""),
    ("code", """%matplotlib inline
import matplotlib.pyplot as plt

import tariffsim as ts

base = ts.load_baseline()
usa = base.trade_balance(partner="USA").set_index("country")
print(f"Vietnam's 2024 goods surplus with the US: USD {usa.loc['VNM', 'balance']:,.0f} million")
print(f"Malaysia's: USD {usa.loc['MYS', 'balance']:,.0f} million")"""),
    ("md", """## 1. In TOML
One `[[instruments]]` table per instrument. Rates are fractions (0.20 is 20%), `mode = "add"`
stacks the tariff on the 2024 applied rate, and an instrument is in force on the days
`start <= d < end`. A purchase pledge is an `import_commitment`: a floor under the
importer's purchases from the partner in the sectors named, either a `level` (imports
reach `value` a year) or an `increment` (imports rise by `value`); `realisation` is the
share of it that is met (see the commitments page of the documentation)."""),
    ("code", """TOML = '''
name = "my-asean-deal"
description = "US tariffs of 20% on Vietnam and 19% on Malaysia; Malaysia buys US chips"
date = 2025-10-26

[[instruments]]
type = "tariff"
importer = "USA"
exporter = "VNM"
rate = 0.20
mode = "add"
start = 2025-08-07
illustrative = true

[[instruments]]
type = "tariff"
importer = "USA"
exporter = "MYS"
rate = 0.19
mode = "add"
start = 2025-08-07
illustrative = true

[[instruments]]
type = "import_commitment"
importer = "MYS"
exporter = "USA"
value = 30000.0
basis = "level"
sectors = ["electronics", "machinery", "electrical_equipment", "other_transport"]
start = 2026-01-01
end = 2031-01-01
realisation = 1.0
source = "USD 150 bn over 5 years (MITI, The Star, 27 Oct 2025)"
'''
deal = ts.scenario_io.from_toml(TOML)  # a path to a .toml file works the same way
deal"""),
    ("md", """## 2. In Python
The same instruments as objects; `ts.scenario_io.to_toml` writes a scenario built in
Python as TOML."""),
    ("code", """same = ts.Scenario(
    "my-asean-deal",
    [ts.Tariff("USA", "VNM", 0.20, mode="add", start="2025-08-07", illustrative=True),
     ts.Tariff("USA", "MYS", 0.19, mode="add", start="2025-08-07", illustrative=True),
     ts.ImportCommitment("MYS", "USA", 30_000.0, basis="level",
                         sectors=["electronics", "machinery", "electrical_equipment",
                                  "other_transport"],
                         start="2026-01-01", end="2031-01-01", realisation=1.0,
                         source="USD 150 bn over 5 years (MITI, The Star, 27 Oct 2025)")],
    date="2025-10-26", description=deal.description)
print("the same instruments as the TOML:", same.instruments == deal.instruments)
print(ts.scenario_io.to_toml(same)[:420])"""),
    ("md", """## 3. A pledge met in full, and in part
`with_realisation(share)` runs every commitment of a scenario at one share. Malaysia
bought about USD 16.8 bn of these goods from the US in 2024, so the floor of 30,000 a year
binds at realisation 1 (it asks for about 13 bn more) and only just binds at 0.58
(17,400)."""),
    ("code", """paths = {}
for share in (1.0, 0.58):
    paths[share] = ts.project(base, deal.with_realisation(share), years=range(2025, 2031))
    t = paths[share].table(partner="USA", countries=["MYS"], years=[2030])
    print(f"realisation {share}: Malaysia's 2030 balance with the US "
          f"{t.loc['MYS', '2030 with']:,.0f} (change {t.loc['MYS', '2030 change']:+,.0f}), "
          f"USD million")
paths[1.0]"""),
    ("code", """fig, axes = plt.subplots(1, 2, figsize=(13, 4.5), sharey=True)
for ax, (share, proj) in zip(axes, paths.items()):
    proj.plot.surplus(countries=["MYS", "VNM"], ax=ax)
    ax.set_title(f"pledge met at {share:.0%}")
fig.tight_layout()"""),
    ("md", """## 4. Uncertainty bands
The trade elasticity matters most. `monte_carlo` draws the whole elasticity schedule up
and down together (a lognormal factor around 1), projects each draw and reports quantile
bands; 50 draws keep this notebook quick, use a few hundred for a report."""),
    ("code", """mc = ts.monte_carlo(base, deal, n=50, seed=7, years=range(2025, 2029))
mc"""),
    ("code", """ax = mc.plot.fan(countries=["VNM", "MYS"])"""),
    ("md", """## Where next
* `ts.scenarios.list()` names the built-in scenarios; `ts.scenarios.load(name)` reads one,
  and its TOML file is a template for your own.
* `tariffsim run my_deal.toml --realisation 0.58` runs a scenario file from the command line.
* `closure="balanced"` or `"deficit_ratio"` changes what happens to each country's total
  balance (the default `fixed_deficit` keeps it)."""),
]

#: file name in notebooks/ -> its cells
NOTEBOOKS = {"vietnam_surplus.ipynb": CELLS, "build_your_own_scenario.ipynb": BUILD_CELLS}


def build(cells: list[tuple[str, str]]) -> nbf.NotebookNode:
    """A notebook (without outputs) from ``(kind, source)`` pairs, with stable cell ids."""
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src)
                for kind, src in cells]
    for k, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{k}"  # nbformat draws random ids; fixed ones keep reruns identical
    return nb


def main() -> None:
    folder = Path(__file__).resolve().parent.parent / "notebooks"
    folder.mkdir(exist_ok=True)
    for name, cells in NOTEBOOKS.items():
        nbf.write(build(cells), folder / name)
        print(f"wrote {folder / name} without outputs; run tools/execute_notebooks.py")


if __name__ == "__main__":
    main()
