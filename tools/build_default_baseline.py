"""Rebuild the embedded default baseline's package data from the transcribed facts.

Reads ``../shared/data/facts/`` (or ``--facts PATH``) and writes the CSV files in
``tariffsim/data/`` that :func:`tariffsim.load_baseline` reads. Every row written keeps
the citation of the figure it carries (``source``), and the facts' ``confidence`` and
caveats where they have them. Run from the repository root::

    python tools/build_default_baseline.py [--facts ../shared/data/facts] [--floor 0.10]

Method (see tariffsim/data/README.md and docs/data.md for the reasoning):

1. International flows: CEPII BACI HS22 V202501, 2023, 20 economies (USD million,
   exporter -> importer), as aggregated in the replication package of Ignatenko,
   Macedoni, Lashkaripour & Simonovska (2025).
2. Known false zeros of that BACI edition replaced by national figures
   (``patch_missing_pairs_2023.csv``); pairs the patch file could not fill stay at zero
   and are flagged.
3. US rows and columns for the partners of the Census 2024 table replaced by the Census
   figures (Feb-2025 vintage): US exports to p -> flow USA->p, US imports from p -> flow
   p->USA. ROW's US flows become the residual that makes US totals equal the Census 2024
   world totals (exports 2,064.5 bn, imports 3,267.4 bn).
4. Domestic sales X_ii = max(GDP_i - sum_{j != i} X_ij, floor * GDP_i), GDP from WDI 2023
   (current USD); EU27 = WDI "European Union" aggregate; ROW = WDI World minus the 19 others.
5. Tariffs: pre-2025 applied rates where a citable figure exists (US <-> China, PIIE);
   every other pair is 0 and flagged as not transcribed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEFAULT_FACTS = REPO.parent / "shared" / "data" / "facts"
OUT = REPO / "tariffsim" / "data"

#: The 20 economies of the BACI table, in the facts' order.
CODES = ("USA", "CHN", "VNM", "MYS", "THA", "KHM", "IDN", "PHL", "SGP", "JPN", "KOR", "IND",
         "MEX", "CAN", "HKG", "GBR", "AUS", "BRA", "EU27", "ROW")

#: Census partner names (as in us_goods_trade_by_partner_2024.csv) -> tariffsim codes.
#: Partners not listed (Taiwan, Laos, Burma, Brunei, Switzerland, Germany) belong to ROW or
#: EU27 and are not used one by one; Germany is inside the EU aggregate.
CENSUS_TO_CODE = {
    "China": "CHN", "Vietnam": "VNM", "Malaysia": "MYS", "Thailand": "THA",
    "Cambodia": "KHM", "Mexico": "MEX", "Canada": "CAN", "Japan": "JPN",
    "South Korea": "KOR", "India": "IND", "European Union": "EU27", "Indonesia": "IDN",
    "Philippines": "PHL", "Singapore": "SGP", "Hong Kong": "HKG", "United Kingdom": "GBR",
    "Taiwan": "ROW", "Laos": "ROW", "Burma (Myanmar)": "ROW", "Brunei": "ROW",
    "Switzerland": "ROW", "Germany": "EU27", "World (all countries)": "WLD",
}

#: Census 2024 US goods totals, first (Feb-2025) vintage, USD million. Transcribed from the
#: source text of the "World (all countries)" row of us_goods_trade_by_partner_2024.csv.
US_TOTALS_2024 = {"exports": 2_064_500.0, "imports": 3_267_400.0, "balance": -1_202_900.0}

#: Floor on domestic sales as a share of GDP (binds for VNM and MYS; see README).
DOMESTIC_FLOOR_SHARE = 0.10

#: Pre-2025 applied tariffs with a citable source:
#: (exporter, importer, rate, source, confidence, note)
PIIE_CHART = ("Chad P. Bown, 'US-China Trade War Tariffs: An Up-to-Date Chart', PIIE Charts "
              "(https://www.piie.com/research/piie-charts/2019/us-china-trade-war-tariffs-"
              "date-chart)")
KNOWN_TARIFFS = [
    ("CHN", "USA", 0.208, PIIE_CHART + ": 'the average US tariff on China of 20.8 percent when "
     "the second Trump administration began on January 20, 2025'",
     "medium",
     "trade-weighted average of statutory US tariffs on imports from China (MFN + Section 301)"
     " on 20 Jan 2025; think-tank figure, not an official statistic; collected duties / imports"
     " are lower because of exclusions and duty drawback"),
    ("USA", "CHN", 0.212, PIIE_CHART + " (2025 edition): China's average tariff on US exports"
     " 32.6 percent, 'rising by 11.4 percentage points' since 20 Jan 2025; 32.6 - 11.4 = 21.2",
     "medium",
     "DERIVED by subtraction from two PIIE figures; trade-weighted average of China's MFN plus"
     " retaliatory tariffs on US goods on 20 Jan 2025; think-tank figure"),
]
ZERO_TARIFF_SOURCE = ("not transcribed: no pre-2025 applied rate for this pair in "
                      "../shared/data/facts and no precise official figure at hand; left at 0")

BACI_KEY = "baci2023"
PATCH_KEY = "national_patch_2023"
CENSUS_KEY = "census2024_feb2025"
RESID_KEY = "census2024_residual"
DOM_KEY = "wdi2023_domestic"


def _read(facts: Path, name: str) -> pd.DataFrame:
    path = facts / name
    if not path.exists():
        raise SystemExit(f"missing facts file {path}; pass --facts PATH")
    return pd.read_csv(path, dtype={"census_cty_code": str})


def _clean(x: object) -> str:
    return "" if x is None or (isinstance(x, float) and np.isnan(x)) else str(x)


def build_gdp(facts: Path) -> pd.DataFrame:
    """GDP 2023 of the 20 economies, USD million, with sources and derivations."""
    wdi = _read(facts, "wdi_gdp_2022_2023.csv").set_index("iso3")
    src = wdi["source"].dropna().iloc[0]
    rows = []
    singles = [c for c in CODES if c not in ("EU27", "ROW")]
    for c in singles:
        rows.append((c, wdi.loc[c, "gdp_2023_usd"] / 1e6, src,
                     f"WDI {c} ({wdi.loc[c, 'name']}) 2023", "high"))
    rows.append(("EU27", wdi.loc["EUU", "gdp_2023_usd"] / 1e6, src,
                 "WDI aggregate EUU (European Union) 2023; equals the sum of the 27 members in "
                 "the same file", "high"))
    row_gdp = (wdi.loc["WLD", "gdp_2023_usd"] - wdi.loc[singles, "gdp_2023_usd"].sum()
               - wdi.loc["EUU", "gdp_2023_usd"]) / 1e6
    rows.append(("ROW", row_gdp, src,
                 "DERIVED: WDI World (WLD) 2023 minus the 18 single economies and the EUU "
                 "aggregate; Taiwan is in neither WDI World nor BACI's ROW", "medium"))
    return pd.DataFrame(rows, columns=["code", "gdp_2023_musd", "source", "note", "confidence"])


def build_census_table(facts: Path) -> pd.DataFrame:
    """The Census 2024 partner table as in the facts, plus the tariffsim code of each row."""
    c = _read(facts, "us_goods_trade_by_partner_2024.csv")
    unknown = sorted(set(c["partner"]) - set(CENSUS_TO_CODE))
    if unknown:
        raise SystemExit(f"Census partners without a code mapping: {unknown}")
    c.insert(1, "code", c["partner"].map(CENSUS_TO_CODE))
    # A partner maps to a baseline row of its own only when it is one of the 20 and is not
    # an aggregate member (Germany -> EU27, Taiwan -> ROW are members, not the aggregate).
    c.insert(2, "replaces_baseline_pair", c["partner"].map(
        lambda p: CENSUS_TO_CODE[p] in CODES and CENSUS_TO_CODE[p] != "ROW"
        and p != "Germany"))
    return c


def build_flows(facts: Path, floor: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (flows rows with sources, GDP table)."""
    baci = _read(facts, "baci2023_goods_bilateral_long.csv")
    patch = _read(facts, "patch_missing_pairs_2023.csv")
    census = build_census_table(facts)
    gdp = build_gdp(facts)

    rows: dict[tuple[str, str], dict] = {}
    for r in baci.itertuples(index=False):
        if r.exporter == r.importer:
            continue  # intra-EU27 / intra-ROW trade: folded into domestic sales (step 4)
        rows[(r.exporter, r.importer)] = dict(
            exporter=r.exporter, importer=r.importer, value=float(r.value_musd),
            data_year=2023, source_key=BACI_KEY, source=r.source, note=_clean(r.note),
            caveat=_clean(r.caveat), confidence="high" if not _clean(r.caveat) else "medium",
            original_value=float(r.value_musd), original_source_key=BACI_KEY)
    missing = [(e, i) for e in CODES for i in CODES if e != i and (e, i) not in rows]
    if missing:
        raise SystemExit(f"BACI pairs missing from the facts: {missing[:5]}")

    # Step 2: national figures for the known false zeros.
    for r in patch.itertuples(index=False):
        row = rows[(r.exporter, r.importer)]
        if pd.isna(r.value_musd):
            row.update(confidence="low",
                       note="FALSE ZERO NOT FILLED: BACI HS22 has no record (both partners "
                            "report in older HS) and no 2023 national figure was found "
                            f"({_clean(r.basis)}); kept at 0, true value is positive")
            continue
        row.update(value=float(r.value_musd), source_key=PATCH_KEY,
                   source=f"{r.source_url} -- {r.source_text}",
                   note=f"replaces BACI false zero; basis: {r.basis}",
                   confidence=_clean(r.confidence))

    # Step 3: Census 2024 (Feb-2025 vintage) for the US pairs of covered partners.
    cen = census[census["replaces_baseline_pair"]]
    for r in cen.itertuples(index=False):
        common = dict(data_year=2024, source_key=CENSUS_KEY, source=r.source_2024,
                      confidence=_clean(r.confidence))
        note = f"Census partner '{r.partner}' (code {r.census_cty_code})"
        if _clean(r.notes):
            note += f"; {r.notes}"
        rows[("USA", r.code)].update(value=float(r.exports_2024_musd),
                                     note=note + "; US exports", caveat="", **common)
        rows[(r.code, "USA")].update(value=float(r.imports_2024_musd),
                                     note=note + "; US general imports", caveat="", **common)
    covered = set(cen["code"])
    # ROW's US flows: residual to the Census world totals.
    world_src = census.loc[census["code"] == "WLD", "source_2024"].iloc[0]
    for direction in ("exports", "imports"):
        if direction == "exports":
            others = [("USA", c) for c in CODES if c not in ("USA", "ROW")]
            key = ("USA", "ROW")
        else:
            others = [(c, "USA") for c in CODES if c not in ("USA", "ROW")]
            key = ("ROW", "USA")
        resid = US_TOTALS_2024[direction] - sum(rows[k]["value"] for k in others)
        not_cov = sorted({k[0] if k[1] == "USA" else k[1] for k in others} - covered)
        rows[key].update(
            value=round(resid, 1), data_year=2024, source_key=RESID_KEY,
            source=world_src,
            note=(f"DERIVED residual: Census 2024 US {direction} to the world "
                  f"({US_TOTALS_2024[direction]:,.1f}) minus the 18 other partners as in this "
                  f"table (Census 2024 for the covered ones; BACI 2023 for {not_cov}); "
                  f"so ROW includes Taiwan for US flows only; BACI 2023 value was "
                  f"{rows[key]['original_value']:,.1f}"),
            caveat="mixes Census 2024 totals with BACI 2023 values of uncovered partners",
            confidence="medium")

    flows = pd.DataFrame(list(rows.values()))
    flows["field"] = "trade"

    # Step 4: domestic sales.
    exports = flows.groupby("exporter")["value"].sum()
    dom = []
    for g in gdp.itertuples(index=False):
        raw = g.gdp_2023_musd - exports[g.code]
        low = floor * g.gdp_2023_musd
        value = round(max(raw, low), 1)
        floored = raw < low
        note = (f"X_ii = max(GDP - exports, {floor:g} * GDP) = max({g.gdp_2023_musd:,.1f} - "
                f"{exports[g.code]:,.1f}, {low:,.1f})"
                + ("; FLOOR BINDS (GDP - exports = " f"{raw:,.1f})" if floored else ""))
        if g.code in ("EU27", "ROW"):
            note += ("; exports are extra-group, so intra-group trade (BACI "
                     f"{g.code}->{g.code}) is part of domestic sales")
        dom.append(dict(exporter=g.code, importer=g.code, value=value, data_year=2023,
                        source_key=DOM_KEY,
                        source=f"derived from {g.source} ({g.note}) and the exports in this "
                               f"table", note=note,
                        caveat="goods-only approximation: services and non-traded output are "
                               "folded into domestic absorption" + ("; floor applied"
                                                                    if floored else ""),
                        confidence="low" if floored else "medium",
                        original_value=round(raw, 1),
                        original_source_key="gdp_minus_exports_unfloored", field="domestic"))
    flows = pd.concat([flows, pd.DataFrame(dom)], ignore_index=True)
    flows["sector"] = "total"
    order = {c: k for k, c in enumerate(CODES)}
    flows = flows.sort_values(["exporter", "importer"], key=lambda s: s.map(order))
    cols = ["exporter", "importer", "sector", "field", "value", "data_year", "source_key",
            "source", "note", "caveat", "confidence", "original_value", "original_source_key"]
    return flows[cols].reset_index(drop=True), gdp


def build_tariffs() -> pd.DataFrame:
    known = {(e, i): (r, s, c, n) for e, i, r, s, c, n in KNOWN_TARIFFS}
    rows = []
    for e in CODES:
        for i in CODES:
            if e == i:
                continue
            if (e, i) in known:
                r, s, c, n = known[(e, i)]
                rows.append((e, i, "total", r, s, c, n))
            else:
                rows.append((e, i, "total", 0.0, ZERO_TARIFF_SOURCE, "missing",
                             "pre-2025 applied rate not available; 0 understates protection "
                             "(typically 1-10% trade-weighted)"))
    return pd.DataFrame(rows, columns=["exporter", "importer", "sector", "rate", "source",
                                       "confidence", "note"])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--facts", type=Path, default=DEFAULT_FACTS)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--floor", type=float, default=DOMESTIC_FLOOR_SHARE,
                    help="floor on domestic sales as a share of GDP (default %(default)s)")
    a = ap.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    flows, gdp = build_flows(a.facts, a.floor)
    tariffs = build_tariffs()
    census = build_census_table(a.facts)
    totals = pd.DataFrame([dict(
        flow=k, value_musd=v, vintage="Feb-2025 release (first vintage)",
        source=census.loc[census["code"] == "WLD", "source_2024"].iloc[0],
        confidence="medium") for k, v in US_TOTALS_2024.items()])
    flows.to_csv(a.out / "default_flows.csv", index=False)
    tariffs.to_csv(a.out / "default_tariffs.csv", index=False)
    gdp.to_csv(a.out / "default_gdp.csv", index=False)
    census.to_csv(a.out / "us_goods_trade_2024.csv", index=False)
    totals.to_csv(a.out / "us_goods_totals_2024.csv", index=False)
    for name, df in (("default_flows.csv", flows), ("default_tariffs.csv", tariffs),
                     ("default_gdp.csv", gdp), ("us_goods_trade_2024.csv", census),
                     ("us_goods_totals_2024.csv", totals)):
        print(f"wrote {a.out / name}: {len(df)} rows")


if __name__ == "__main__":
    main()
