"""Quick start: a 40% US tariff on Vietnam in general equilibrium, on the embedded baseline.

Run: python examples/quickstart.py
"""

import tariffsim as ts

base = ts.load_baseline()
print(base)

# a dated scenario built in Python: the 40% "transshipment" rate applied to all of
# Vietnam's goods (an upper bound), against the 20% of the October 2025 framework
scenario = ts.Scenario(
    "vnm-40", date="2026-01-01",
    description="US tariff on Vietnamese goods raised to 40% (illustrative upper bound)",
    instruments=[ts.Tariff(importer="USA", exporter="VNM", rate=0.40, start="2025-08-07",
                           mode="add", illustrative=True,
                           source="EO 14326 s.3: 40% on goods transshipped to evade duties")])

for theta in (2.0, 5.0):
    result = ts.simulate(base, scenario, trade_elasticity=theta)
    bal = result.balances(partner="USA").set_index("country")
    print(f"\ntrade elasticity {theta}, closure {result.closure}: balance with the USA, "
          f"{result.units}")
    print(bal.loc[["VNM", "CHN", "MYS", "THA", "KHM"],
                  ["balance_baseline", "balance_scenario", "change"]].round(0).to_string())
    w = result.countries.set_index("country").loc[["VNM", "USA"], "welfare_change_pct"]
    print("welfare change (%):", w.round(3).to_dict())
