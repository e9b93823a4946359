"""Who supplies US rare-earth compounds if China restricts its exports? (SMART)

Data: US imports of rare-earth compounds and metals by source, from the USGS Mineral
Commodity Summaries 2025 import-source shares (2020-23: China 70%, Malaysia 13%,
Japan 6%, Estonia 5%, other 6%) applied to ~US$170 million of 2024 imports
(confidence medium: transcribed from secondary summaries, verify against the USGS PDF).

Scenarios (illustrative sizes, not forecasts):
* China cuts its rare-earth exports to the US by half (a supply cut, solved for its
  shadow export tax) -- Malaysia keeps its 26 Oct 2025 pledge to impose no export bans or
  quotas on critical minerals to the US (joint statement, Reuters);
* the same without the pledge: Malaysia also cuts its exports to the US by half;
* China's restriction as a 50% export-tax equivalent instead of a quantity cut.

Elasticities: import demand -0.5 (critical inputs have few substitutes in the short run),
substitution between sources 1.5 (WITS default), export supply infinite (WITS 99).

Run: python examples/rare_earths.py   (no network, about a second)
"""

from __future__ import annotations

import pandas as pd

import tariffsim.pe as pe

ELASTICITIES = dict(import_demand_elasticity=-0.5, substitution_elasticity=1.5,
                    export_supply_elasticity=99)


def run() -> dict[str, pe.PEResult]:
    """The three scenarios on the shipped USGS-based data."""
    data = pe.load_rare_earths()
    return {
        "China cuts 50%, Malaysia pledge kept": pe.smart(
            data, supply_cuts={"CHN": 0.5}, **ELASTICITIES),
        "China cuts 50%, no pledge (Malaysia cuts 50%)": pe.smart(
            data, supply_cuts={"CHN": 0.5, "MYS": 0.5}, **ELASTICITIES),
        "China 50% export-tax equivalent": pe.smart(
            data, export_taxes={"CHN": 0.5}, **ELASTICITIES),
    }


def table(results: dict[str, pe.PEResult]) -> pd.DataFrame:
    rows = []
    for name, res in results.items():
        for _, r in res.products.iterrows():
            rows.append({"scenario": name, "exporter": r["exporter"],
                         "imports_baseline": r["imports_baseline"],
                         "imports_scenario": r["imports_scenario"],
                         "change": r["total_change"],
                         "diversion": r["trade_diversion"],
                         "price_change_pct": r["price_change_pct"],
                         "export_tax_equivalent": r["export_tax_equivalent"]})
    return pd.DataFrame(rows)


def main() -> None:
    results = run()
    data = pe.load_rare_earths()
    print(f"Data: {data}\n")
    pd.set_option("display.width", 160)
    pd.set_option("display.float_format", lambda v: f"{v:,.2f}")
    tab = table(results)
    for name, sub in tab.groupby("scenario", sort=False):
        print(f"== {name}  (USD million, baseline world prices)")
        print(sub.drop(columns="scenario").to_string(index=False))
        reg = results[name].regions.iloc[0]
        print(f"   US imports {reg['imports_baseline']:.1f} -> {reg['imports_scenario']:.1f}; "
              f"average import price {reg['import_price_change_pct']:+.1f}%; "
              f"consumer surplus {reg['consumer_surplus']:+.2f}\n")


if __name__ == "__main__":
    main()
