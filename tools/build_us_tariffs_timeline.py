"""Write the built-in scenario ``us-tariffs-2025-2026``: US tariff law, day by day, at the
tariff line, from the fentanyl duties of 4 Feb 2025 to the Section 338 duties on Canada of
19 Aug 2026 (the last action in facts/us_tariff_actions_2025_2026.csv); and
``liberation-day-2025``, the rates announced on 2 Apr 2025, which starts from the
timeline's instruments (``[[include]]``) and adds the EO 14257 Annex I country rates.

Every instrument carries its ``source``; figures not in the facts are marked
``illustrative`` with the reason in ``note``. Product coverage uses the named lists of
``tools/build_tariff_lines.py`` (``tariffsim.tariff_lines.product_lists()``).

Usage::

    python tools/build_us_tariffs_timeline.py [RAW_FOLDER] [FACTS_FOLDER] [--check]

The reciprocal rates of EO 14326 Annex I are read from ``raw/us_tariff_lists/clean-august-
7-tariffs.csv`` and checked against ``facts/us_reciprocal_tariff_rates_2025.csv`` where the
facts give them; Census country codes -> ISO3 from ``raw/census_country_codes.csv``.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tariffsim.instruments import Tariff  # noqa: E402
from tariffsim.scenario import Scenario  # noqa: E402
from tariffsim.scenario_io import to_toml  # noqa: E402

OUT = ROOT / "tariffsim" / "scenarios" / "us-tariffs-2025-2026.toml"
OUT_LD = ROOT / "tariffsim" / "scenarios" / "liberation-day-2025.toml"
DEFAULT_RAW = ROOT / ".." / "shared" / "data" / "raw"
DEFAULT_FACTS = ROOT / ".." / "shared" / "data" / "facts"

US = "USA"
IEEPA_END = "2026-02-24"      # collection stopped 12:00 am ET 24 Feb 2026
CHN_HKG = ["CHN", "HKG"]
CAFTA_DR = ["CRI", "DOM", "SLV", "GTM", "HND", "NIC"]
S232 = ["s232_*"]
#: Metal content of Section 232 derivatives outside chapters 72/73/74/76 (share of value):
#: 2024-import-weighted means, over the lines of each list, of the steel / aluminium / copper
#: shares in Budget-Lab-Yale/tariff-rate-tracker resources/metal_content_shares_bea_hs10.csv
#: @8315fffd (BEA input-output based; that tracker's default method). Goods of chapters
#: 75/78-97: steel 0.1244, aluminium 0.0409, copper 0.4914; goods of chapters 01-71 (metal is
#: the container): steel 0.0052, aluminium 0.0021. Computed once, outside the package.
STEEL_GOODS, ALU_GOODS, COPPER_GOODS = 0.12, 0.04, 0.49
STEEL_PACKAGED, ALU_PACKAGED = 0.005, 0.002

# ----------------------------------------------------------------------------- sources
F_ACT = "facts/us_tariff_actions_2025_2026.csv"
F_RATES = "facts/us_reciprocal_tariff_rates_2025.csv"
F_TIME = "facts/tariff_status_timeline_2026.csv"
F_DEALS = "facts/oct2025_deals_commitments.csv"
F_EXEMPT = "facts/us_tariff_product_exemptions.csv"
TWT = "tradewartracker/trade-war-redux-2025 README @726c5958e1e43eb08ac076a1e602ae3149164b03"
BL = "Budget-Lab-Yale/tariff-rate-tracker @8315fffd697c42559141ed5f8bf7c8fa3da47ae8"
SRC = {
    "fent_chn": f"EO 14195 (+10% from 4 Feb 2025), EO 14228 (+20% from 4 Mar 2025), EO 14357 "
                f"(US-China truce, +10% from 10 Nov 2025) on China and Hong Kong; {F_ACT}",
    "fent_canmex": f"EO 14193 (Canada) / EO 14194 (Mexico) as amended 6 Mar 2025: 25% on goods "
                   f"not claiming USMCA preference, energy and potash 10%; Canada 35% from 1 Aug "
                   f"2025 (EO 14325); {F_ACT}; {F_RATES} (Canada, Mexico rows). Stacking: EO "
                   f"14289 (29 Apr 2025, from 4 Mar 2025) puts Section 232 autos first and these "
                   f"duties before Section 232 steel/aluminium, reversed from 4 Jun 2025 by "
                   f"Proclamation 10947 (steel/aluminium first); both were 25% until then, so "
                   f"yielding to Section 232 throughout gives the same duty",
    "recip_apr": f"EO 14257 (2 Apr 2025): +10% on every partner but Canada and Mexico from 5 Apr "
                 f"2025; country rates paused 9 Apr 2025 (90 days, extended to 7 Aug 2025); "
                 f"{F_ACT}",
    "recip_chn": f"EO 14257 as amended: China and Hong Kong reciprocal 84% (9 Apr 2025), 125% "
                 f"(10 Apr 2025), 10% from 14 May 2025 (EO 14298, Geneva joint statement); "
                 f"{F_ACT}; {F_RATES} (China row)",
    "recip_aug": f"EO 14326 'Further Modifying the Reciprocal Tariff Rates' (31 Jul 2025, "
                 f"effective 7 Aug 2025) Annex I; rates from raw/us_tariff_lists/clean-august-7-"
                 f"tariffs.csv ({TWT}), checked against {F_RATES}; unlisted partners 10%",
    "floor": f"EO 14326 Annex I and the EU/Japan/Korea deals: 15% inclusive of the Column 1 duty "
             f"('if Column-1 rate <15%, reciprocal = 15% minus Column-1; else 0%'); {F_ACT}; "
             f"{F_RATES} (Japan, South Korea, European Union rows)",
    "che": f"Switzerland 39% (EO 14326 Annex I) until the US-Switzerland framework, then a 15% "
           f"floor from 14 Nov 2025 (FR 2025-23316); {F_RATES} (Switzerland row); {F_ACT}",
    "ind": f"India 25% (EO 14326 Annex I); +25% Russian-oil duty (EO 14329) from 27 Aug 2025, "
           f"removed 7 Feb 2026 with the US-India framework, reciprocal then 18%; {F_ACT}; "
           f"{F_RATES} (India row)",
    "bra": f"EO 14323 (30 Jul 2025): +40% on goods of Brazil except its annex, from 6 Aug 2025 "
           f"(date of raw/us_tariff_lists/budget_lab/country_eo_exempt_products.csv; {F_ACT} "
           f"gives 7 Aug); not on Section 232 goods (HTSUS ch. 99 US note 2(x)(v)-(x), {BL} "
           f"data/us_notes/chapter99_2026_rev_6.txt)",
    "annex_ii": f"EO 14257 Annex II exemptions from the reciprocal duties, as updated by EO 14346 "
                f"(effective 8 Sep 2025) and EO 14360 (farm goods, effective 12:01 am 13 Nov "
                f"2025; {F_ACT} dates it 14 Nov); {F_EXEMPT}",
    "electronics": f"Memorandum of 11 Apr 2025: consumer electronics exempt from the reciprocal "
                   f"duties (not from fentanyl duties); {F_ACT}; {F_EXEMPT}",
    "annex_iii": f"ARTs and frameworks of 26 Oct 2025 with Malaysia, Cambodia, Thailand, Vietnam: "
                 f"rates kept at 19/19/19/20, identified EO 14346 Annex III products 0%; {F_ACT}; "
                 f"{F_DEALS}",
    "deal_exempt": f"Deal exemptions from the reciprocal floor (aircraft, generic pharmaceuticals, "
                   f"unavailable natural resources): HTSUS headings 9903.02.74-.77 (EU), "
                   f"9903.02.81 (Korea), 9903.02.84-.86 (Switzerland); {BL} resources/floor_"
                   f"exempt_products.csv and config/revision_dates.csv",
    "1702b": "50 U.S.C. 1702(b)(3) (informational materials are outside IEEPA); EO 14257 sec. "
             "3(b)",
    "s232_2018": "Proclamations 9704/9705 (2018) and 9980 (2020): steel 25%, aluminium 10%, "
                 "part of the 2024 applied duties of partners without an exemption; legacy "
                 f"country exemptions and product exclusions ended 12 Mar 2025 ({BL} config/"
                 f"policy_params.yaml, section_232_country_exemptions)",
    "s232_metals": f"Proclamations 10895/10896 (25% from 12 Mar 2025) and 10947 (50% from 4 Jun "
                   f"2025, UK 25%; derivatives on metal content); BIS inclusions from 18 Aug "
                   f"2025 (90 FR 40326); {F_ACT}; {F_EXEMPT}",
    "copper": f"Proclamation 10962: 50% on semi-finished copper and derivatives (on copper "
              f"content) from 1 Aug 2025; {F_ACT}; {F_EXEMPT}",
    "autos": f"Proclamation 10908: 25% on vehicles from 3 Apr 2025 and parts from 3 May 2025; "
             f"Japan and EU 15% deal rates from 7 Aug 2025, Korea from 4 Dec 2025; USMCA content "
             f"rules for Canada and Mexico; {F_ACT}",
    "timber": f"Proclamation 10976: softwood lumber 10%, upholstered wooden furniture and kitchen "
              f"cabinets 25% (UK 10, Japan and EU 15) from 14 Oct 2025; autos take precedence "
              f"(clause 6, {TWT}); {F_ACT}",
    "trucks": f"Proclamation 10984: medium and heavy trucks and parts 25%, buses 10% from 1 Nov "
              f"2025; {F_ACT} (confidence medium); product prefixes {BL} config/policy_params."
              f"yaml",
    "semis": f"Proclamation 11002: 25% on a narrow set of advanced chips from 16 Jan 2026; "
             f"{F_ACT}; {F_TIME}",
    "metals_2026": f"Proclamation of 2 Apr 2026 (effective 6 Apr 2026): full customs value; Annex "
                   f"I-A 50% (UK 25), I-B 25% (UK 15), III 15% inclusive of the Column 1 rate "
                   f"until 31 Dec 2027, II out of scope; {F_ACT}; raw/us_tariff_lists/"
                   f"proclamation_metals_tariffs_april2026.md",
    "s122": f"Proclamation 11012 (Section 122): 10% for 150 days, collection 24 Feb - 23 Jul 2026 "
            f"(the announced 15% was never implemented); USMCA goods and CAFTA-DR textiles "
            f"exempt; not on Section 232 goods; product exemptions (Annex I (aa)(ii)); {F_ACT}; "
            f"{F_TIME}",
    "s301_bra": f"USTR Notice of Action, Brazil (15 Jul 2026): +25% from 22 Jul 2026 on all goods "
                f"except listed subheadings, civil aircraft, pharmaceuticals and Section 232 "
                f"goods; {F_ACT}",
    "s301_fl": f"USTR Notice of Actions on forced labour (dockets USTR-2026-0265/0266), from 24 "
               f"Jul 2026: +10% on 18 listed economies, +12.5% on the other investigated "
               f"economies; EU, Taiwan, Japan, Korea, Switzerland capped net of MFN; USMCA goods, "
               f"Section 232 goods and Annex II Part A (= the combined Section 122 exemption "
               f"lists) exempt; {F_ACT}",
    "s338": f"Three Section 338 proclamations of 20 Jul 2026: +50% on Canadian alcoholic "
            f"beverages, dairy and motor-vehicle baskets from 19 Aug 2026, civil-aircraft "
            f"carve-out; {F_ACT}",
}

#: Annex I country names (clean-august-7-tariffs.csv) that differ from census_country_codes.
NAME_ALIASES = {
    "BRUNEI": "BRN", "CÔTE D`IVOIRE": "CIV", "DEMOCRATIC REPUBLIC OF THE CONGO": "COD",
    "MYANMAR (BURMA)": "MMR", "SOUTH KOREA": "KOR", "TURKEY": "TUR", "LAOS": "LAO",
}


def _iso(raw: Path) -> dict[str, str]:
    cc = pd.read_csv(raw / "census_country_codes.csv", dtype=str)
    out = {n.upper(): i for n, i in zip(cc.country, cc.ISO3, strict=True)}
    return out | NAME_ALIASES


def annex_i_rates(raw: Path, facts: Path) -> dict[str, float]:
    """EO 14326 Annex I rates by ISO3 (fractions), checked against the facts."""
    iso = _iso(raw)
    df = pd.read_csv(raw / "us_tariff_lists" / "clean-august-7-tariffs.csv")
    rates = {}
    for name, r in zip(df.country_name, df["rtariff-aug"], strict=True):
        code = iso.get(name.upper())
        if code is None:
            raise SystemExit(f"no ISO3 for Annex I country {name!r}")
        rates[code] = round(float(r) / 100, 4)
    fr = pd.read_csv(facts / "us_reciprocal_tariff_rates_2025.csv", dtype=str)
    cc = pd.read_csv(raw / "census_country_codes.csv", dtype=str)
    by_census = dict(zip(cc.CTY_CODE, cc.ISO3, strict=True))
    for code, aug in zip(fr.census_cty_code, fr.rate_eo14326_annexI_7aug2025_pct, strict=True):
        c = by_census.get(str(code))
        try:
            want = float(str(aug).split()[0]) / 100
        except ValueError:
            continue
        if c in rates and abs(rates[c] - want) > 1e-9:
            raise SystemExit(f"{c}: Annex I list {rates[c]} != facts {want}")
    return rates


def build(raw: Path, facts: Path) -> Scenario:
    insts: list[Tariff] = []

    def T(exporter, rate, start, end=None, *, layer, mode="add", source, note="", **kw):
        insts.append(Tariff(US, exporter, rate, start=start, end=end, layer=layer, mode=mode,
                            source=SRC[source] if source in SRC else source, note=note, **kw))

    ieepa_y = ["exempt_ieepa"]
    recip_y = S232 + ieepa_y + ["exempt_reciprocal"]
    # --- statutory exemption of every IEEPA layer
    T("*", 0.0, "2025-02-04", IEEPA_END, layer="exempt_ieepa", source="1702b",
      products=["list:ieepa_1702b"],
      note="zero-rate layer: every IEEPA layer yields to it (informational materials)")

    # --- fentanyl: China and Hong Kong (stacks on Section 232)
    for rate, a, b in ((0.10, "2025-02-04", "2025-03-04"), (0.20, "2025-03-04", "2025-11-10"),
                       (0.10, "2025-11-10", IEEPA_END)):
        T(CHN_HKG, rate, a, b, layer="ieepa_fentanyl", source="fent_chn", yields_to=ieepa_y)
    # --- fentanyl: Canada and Mexico
    can_low = ["list:fentanyl_energy_can", "list:fentanyl_potash_can"]
    mex_low = ["list:fentanyl_potash_mex"]
    fent_y = S232 + ieepa_y
    usmca_note = ("USMCA-claimed goods exempt at 2024 claim shares by line (38% of Canada's and "
                  "50% of Mexico's 2024 imports); claiming rose after the tariffs, so this "
                  "overstates the duty")
    pre = "amendments of 6 Mar 2025 apply from 12:01 am 7 Mar 2025: before, every good paid"
    for code, hi, low, cuts in (("CAN", 0.25, can_low, ("2025-03-04", "2025-03-07", "2025-08-01",
                                                        IEEPA_END)),
                                ("MEX", 0.25, mex_low, ("2025-03-04", "2025-03-07", IEEPA_END))):
        for a, b in zip(cuts, cuts[1:], strict=False):
            rate = 0.35 if (code == "CAN" and a >= "2025-08-01") else hi
            first = a == "2025-03-04"
            kw = {} if first else {"exempt_share": "usmca_2024"}
            note = pre if first else usmca_note
            if code == "CAN" and first:  # energy at 10% from the start, potash from 7 Mar
                hi_ex, lo = ["list:fentanyl_energy_can"], ["list:fentanyl_energy_can"]
            elif code == "MEX" and first:
                hi_ex, lo = None, None
            else:
                hi_ex, lo = low, low
            T(code, rate, a, b, layer="ieepa_fentanyl", source="fent_canmex", yields_to=fent_y,
              exempt_products=hi_ex, note=note, **kw)
            if lo:
                T(code, 0.10, a, b, layer="ieepa_fentanyl", source="fent_canmex",
                  yields_to=fent_y, products=lo, note="energy and potash at 10%; " + note, **kw)

    # --- reciprocal
    T("*", 0.10, "2025-04-05", "2025-08-07", layer="ieepa_reciprocal", source="recip_apr",
      exclude=["CAN", "MEX"] + CHN_HKG, yields_to=recip_y)
    for rate, a, b in ((0.10, "2025-04-05", "2025-04-09"), (0.84, "2025-04-09", "2025-04-10"),
                       (1.25, "2025-04-10", "2025-05-14"), (0.10, "2025-05-14", IEEPA_END)):
        T(CHN_HKG, rate, a, b, layer="ieepa_reciprocal", source="recip_chn", yields_to=recip_y)
    annex = annex_i_rates(raw, facts)
    special = {"JPN", "KOR", "CHE", "IND"}
    by_rate: dict[float, list[str]] = defaultdict(list)
    for code, r in sorted(annex.items()):
        if code not in special:
            by_rate[r].append(code)
    listed = sorted(annex) + ["EU27"]
    T("*", 0.10, "2025-08-07", IEEPA_END, layer="ieepa_reciprocal", source="recip_aug",
      exclude=["CAN", "MEX"] + CHN_HKG + listed, yields_to=recip_y,
      note="partners not listed in Annex I")
    for r, codes in sorted(by_rate.items()):
        T(codes if len(codes) > 1 else codes[0], r, "2025-08-07", IEEPA_END,
          layer="ieepa_reciprocal", source="recip_aug", yields_to=recip_y)
    T(["JPN", "KOR", "EU27"], 0.15, "2025-08-07", IEEPA_END, layer="ieepa_reciprocal",
      mode="floor", source="floor", yields_to=recip_y,
      note="floor on the total including the 2024 duty; Korea's floor per the facts from 7 Aug "
           "(Budget Lab dates it to Nov 2025; KORUS makes most Korean lines duty-free, so the "
           "floor and an additive 15% barely differ)")
    T("CHE", annex["CHE"], "2025-08-07", "2025-11-14", layer="ieepa_reciprocal", source="che",
      yields_to=recip_y)
    T("CHE", 0.15, "2025-11-14", IEEPA_END, layer="ieepa_reciprocal", mode="floor",
      source="che", yields_to=recip_y)
    T("IND", annex["IND"], "2025-08-07", "2026-02-07", layer="ieepa_reciprocal", source="ind",
      yields_to=recip_y)
    T("IND", 0.18, "2026-02-07", IEEPA_END, layer="ieepa_reciprocal", source="ind",
      yields_to=recip_y)
    T("IND", 0.25, "2025-08-27", "2026-02-07", layer="ieepa_russia_oil", source="ind",
      yields_to=recip_y, note="exceptions as the reciprocal duty (Annex II, Section 232 goods)")
    # exemptions of the reciprocal layer (zero-rate layers it yields to)
    for lst, a, b, note in (
            ("annex_ii_2025_04", "2025-04-05", "2025-09-08", ""),
            ("annex_ii_2025_09", "2025-09-08", "2025-11-13",
             "APPROXIMATION of the list in force between EO 14346 and EO 14360 (see the list's "
             "description)"),
            ("annex_ii_2025_11", "2025-11-13", IEEPA_END, "")):
        T("*", 0.0, a, b, layer="exempt_reciprocal", source="annex_ii",
          products=[f"list:{lst}"], note=note)
    T("*", 0.0, "2025-04-11", IEEPA_END, layer="exempt_reciprocal", source="electronics",
      products=["list:electronics_2025_04_11"],
      note="exemption applied from the memorandum's date (CBP refunded entries from 5 Apr)")
    T(["MYS", "KHM", "THA", "VNM"], 0.0, "2025-10-26", IEEPA_END, layer="exempt_reciprocal",
      source="annex_iii", products=["list:annex_iii_proxy"],
      note="APPROXIMATION: annex_iii_proxy (the full Annex III is not in the data) covers USD "
           "1.7 bn of 2024 imports from Malaysia against the USD 5.2 bn Malaysia reports, so "
           "Malaysia's rate is overstated by up to about 1.3 points; the ARTs had not entered "
           "into force (facts: MITI, Feb 2026)")
    T("EU27", 0.0, "2025-09-01", IEEPA_END, layer="exempt_reciprocal", source="deal_exempt",
      products=["list:floor_exempt_eu_ptaap", "list:floor_exempt_eu_pharma",
                "list:floor_exempt_eu_particular", "list:civil_aircraft_core"],
      illustrative=True,
      note="ILLUSTRATIVE start date 1 Sep 2025 (retroactive effect of the FR notice of 25 Sep 2025 "
           "implementing the US-EU framework) is not in the facts; Budget Lab publishes the "
           "entries with HTS revision 24 (19 Sep 2025). Civil aircraft as civil_aircraft_core")
    T("KOR", 0.0, "2025-12-04", IEEPA_END, layer="exempt_reciprocal", source="deal_exempt",
      products=["list:civil_aircraft_core"],
      note="from the Korea deal's implementation date in the facts (4 Dec 2025)")
    T("CHE", 0.0, "2025-11-14", IEEPA_END, layer="exempt_reciprocal", source="deal_exempt",
      products=["list:floor_exempt_swiss_ptaap", "list:floor_exempt_swiss_pharma",
                "list:civil_aircraft_core"],
      note="from the Swiss framework's 15% floor (14 Nov 2025, Budget Lab swiss_framework)")

    # --- Brazil EO 14323
    bra_y = S232 + ieepa_y + ["exempt_brazil"]
    T("BRA", 0.40, "2025-08-06", IEEPA_END, layer="ieepa_brazil", source="bra", yields_to=bra_y)
    T("BRA", 0.0, "2025-08-06", IEEPA_END, layer="exempt_brazil", source="bra",
      products=["list:brazil_eo14323_annex"])
    T("BRA", 0.0, "2025-11-13", IEEPA_END, layer="exempt_brazil", source="bra",
      products=["list:brazil_eo14323_additions_2025_11"],
      note="additions effective 13 Nov 2025 (Budget Lab country_eo_exempt_products.csv)")

    # --- Section 232
    exempt_2018 = ["CAN", "MEX", "AUS", "ARG", "BRA", "KOR", "UKR"]
    ex_note = ("; partners exempt or under quotas until 12 Mar 2025 (Canada, Mexico, Australia, "
               "Argentina, Brazil, Korea, Ukraine) excluded; the EU, Japan and UK tariff-rate "
               "quotas kept (their out-of-quota duty is in t0)")
    T("*", 0.25, None, "2025-03-12", layer="s232_2018", source="s232_2018",
      products=["list:s232_steel_2018"], in_baseline=True, exclude=exempt_2018,
      note="in the 2024 duty: min(t0, 25%) leaves it on 12 Mar 2025, when the 2025 actions "
           "replace it" + ex_note)
    T("*", 0.10, None, "2025-03-12", layer="s232_2018", source="s232_2018",
      products=["list:s232_aluminium_2018"], in_baseline=True, exclude=exempt_2018,
      note="in the 2024 duty: min(t0, 10%) leaves it on 12 Mar 2025" + ex_note)
    met_y = ["s232_autos", "s232_trucks"]
    D = "list:s232_{}_derivatives_{}_{}"
    mar = [  # (products, value share) of the 12 Mar 2025 scope
        (["list:s232_steel_2018", "list:s232_aluminium_2018", D.format("steel", "2025_03",
          "metal_chapters"), D.format("aluminium", "2025_03", "metal_chapters"),
          "list:s232_aluminium_derivatives_budget_lab_metal_chapters"], 1.0),
        ([D.format("steel", "2025_03", "goods")], STEEL_GOODS),
        ([D.format("steel", "2025_03", "packaged")], STEEL_PACKAGED),
        ([D.format("aluminium", "2025_03", "goods"),
          "list:s232_aluminium_derivatives_budget_lab_goods"], ALU_GOODS),
        ([D.format("aluminium", "2025_03", "packaged"),
          "list:s232_aluminium_derivatives_budget_lab_packaged"], ALU_PACKAGED)]
    aug = [  # BIS inclusions of 18 Aug 2025
        ([D.format("steel", "2025_08", "metal_chapters"),
          D.format("aluminium", "2025_08", "metal_chapters")], 1.0),
        ([D.format("steel", "2025_08", "goods")], STEEL_GOODS),
        ([D.format("steel", "2025_08", "packaged")], STEEL_PACKAGED),
        ([D.format("aluminium", "2025_08", "goods")], ALU_GOODS),
        ([D.format("aluminium", "2025_08", "packaged")], ALU_PACKAGED)]

    def content(vs: float) -> str:
        return "" if vs >= 1 else (
            f"APPROXIMATION: taxed on metal content, {vs:g} of value: the 2024-import-weighted "
            f"mean metal share of the list's lines in Budget Lab's BEA-based HS10 metal shares "
            f"({BL} resources/metal_content_shares_bea_hs10.csv)")
    for prods, vs in mar:
        T("*", 0.25, "2025-03-12", "2025-06-04", layer="s232_metals", source="s232_metals",
          products=prods, value_share=vs, yields_to=met_y, note=content(vs))
    for prods, vs, start in [(p, v, "2025-06-04") for p, v in mar] + [(p, v, "2025-08-18")
                                                                     for p, v in aug]:
        T("*", 0.50, start, "2026-04-06", layer="s232_metals", source="s232_metals",
          products=prods, value_share=vs, yields_to=met_y, exclude=["GBR"], note=content(vs))
        T("GBR", 0.25, start, "2026-04-06", layer="s232_metals", source="s232_metals",
          products=prods, value_share=vs, yields_to=met_y, note=content(vs))
    for prods, vs in ((["list:s232_copper_2025_08_metal_chapters"], 1.0),
                      (["list:s232_copper_2025_08_goods"], COPPER_GOODS)):
        T("*", 0.50, "2025-08-01", "2026-04-06", layer="s232_copper", source="copper",
          products=prods, value_share=vs, yields_to=met_y,
          note=content(vs) or "semi-finished copper: copper content taken as 100%")
    # autos
    autos_y = ["s232_trucks"]
    can_mex_note = ("APPROXIMATION: USMCA vehicles pay on their non-US content; here the USMCA-"
                    "claimed share (2024) is exempt in full, which understates the duty")
    parts_note = ("APPROXIMATION: heading 8471 (computers), listed whole in US note 33(g), "
                  "and the non-EV lithium-ion batteries 8507.60.00.20 under the listed 8507.60 "
                  "are left out: they pay only as vehicle parts, which line data cannot tell "
                  "(Budget Lab and tradewartracker keep all of 8507.60: USD 13 bn from China)")
    for prods, start, ex_p in ((["list:s232_vehicles_2025_04"], "2025-04-03", None),
                               (["list:s232_auto_parts_2025_05"], "2025-05-03",
                                ["8471", "8507.60.00.20"])):
        pn = parts_note if ex_p else ""
        deals = {"2025-06-30": ["GBR"], "2025-08-07": ["JPN", "EU27"],
                 "2025-12-04": ["KOR"]}  # partners with their own rate from these days
        if ex_p:
            del deals["2025-06-30"]  # the UK deal covers vehicles only
        cuts = [start, *deals, None]
        for a, b in zip(cuts, cuts[1:], strict=False):
            ex = [c for d, codes in deals.items() if d <= a for c in codes]
            T("*", 0.25, a, b, layer="s232_autos", source="autos", products=prods,
              exempt_products=ex_p, exclude=["CAN", "MEX"] + ex, yields_to=autos_y, note=pn)
        T(["CAN", "MEX"], 0.25, start, None, layer="s232_autos", source="autos",
          products=prods, exempt_products=ex_p, exempt_share="usmca_2024", yields_to=autos_y,
          note=can_mex_note + ("; " + pn if pn else ""))
        T(["JPN", "EU27"], 0.15, "2025-08-07", None, layer="s232_autos", mode="floor",
          source="autos", products=prods, exempt_products=ex_p, yields_to=autos_y,
          note="15% inclusive of the Column 1 duty" + ("; " + pn if pn else ""))
        T("KOR", 0.15, "2025-12-04", None, layer="s232_autos", mode="floor", source="autos",
          products=prods, exempt_products=ex_p, yields_to=autos_y,
          note="15% inclusive of the Column 1 duty" + ("; " + pn if pn else ""))
    T("GBR", 0.10, "2025-06-30", None, layer="s232_autos", mode="floor", source="autos",
      products=["list:s232_vehicles_2025_04"], yields_to=autos_y, illustrative=True,
      note="ILLUSTRATIVE, not in the facts: the US-UK deal's 10% on UK vehicles within an "
           "annual quota of 100,000 (Proclamation of 16 Jun 2025, from 30 Jun 2025), applied "
           "to all UK vehicles (2024 exports were about that number); the 25% above the quota "
           "is ignored")
    # timber
    T("*", 0.10, "2025-10-14", None, layer="s232_timber", source="timber",
      products=["list:s232_softwood_2025_10"], yields_to=["s232_autos", "s232_trucks"])
    furn = ["list:s232_upholstered_furniture_2025_10", "list:s232_kitchen_cabinets_2025_10"]
    T("*", 0.25, "2025-10-14", None, layer="s232_timber", source="timber", products=furn,
      exclude=["GBR", "JPN", "EU27"], yields_to=["s232_autos", "s232_trucks"])
    T("GBR", 0.10, "2025-10-14", None, layer="s232_timber", source="timber", products=furn,
      yields_to=["s232_autos", "s232_trucks"])
    T(["JPN", "EU27"], 0.15, "2025-10-14", None, layer="s232_timber", mode="floor",
      source="timber", products=furn, yields_to=["s232_autos", "s232_trucks"],
      note="'not to exceed 15%' read as 15% inclusive of the Column 1 duty")
    # trucks and buses
    T("*", 0.25, "2025-11-01", None, layer="s232_trucks", source="trucks",
      products=["list:s232_mhd_vehicles_2025_11", "list:s232_mhd_parts_2025_11"],
      exclude=["CAN", "MEX"])
    T(["CAN", "MEX"], 0.25, "2025-11-01", None, layer="s232_trucks", source="trucks",
      products=["list:s232_mhd_vehicles_2025_11", "list:s232_mhd_parts_2025_11"],
      exempt_share="usmca_2024", note="USMCA-qualifying trucks and parts exempt (2024 claims)")
    T("*", 0.10, "2025-11-01", None, layer="s232_trucks", source="trucks",
      products=["list:s232_buses_2025_11"])
    # semiconductors
    T("*", 0.25, "2026-01-16", None, layer="s232_semis", source="semis",
      products=["list:s232_semiconductors_2026_01"],
      note="APPROXIMATION: only 8471.80.40.00 (GPU/AI cards) counted as qualifying, Budget "
           "Lab's interim calibration (semi_qualifying_shares.csv)")
    # metals restructuring of April 2026 (full value)
    for lst, rate, uk in (("s232_metals_annex_ia_2026_04", 0.50, 0.25),
                          ("s232_metals_annex_ib_2026_04", 0.25, 0.15)):
        T("*", rate, "2026-04-06", None, layer="s232_metals", source="metals_2026",
          products=[f"list:{lst}"], exclude=["GBR"], yields_to=met_y)
        T("GBR", uk, "2026-04-06", None, layer="s232_metals", source="metals_2026",
          products=[f"list:{lst}"], yields_to=met_y,
          note="UK rate for UK-melted metal; all UK goods assumed to qualify")
    T("*", 0.15, "2026-04-06", "2028-01-01", layer="s232_metals", mode="floor",
      source="metals_2026", products=["list:s232_metals_annex_iii_2026_04"], yields_to=met_y,
      note="15% inclusive of the Column 1 duty")

    # --- Section 122
    s122_ex = ["list:s122_exempt_products", "list:s122_exempt_specific",
               "list:civil_aircraft_core"]
    T("*", 0.10, "2026-02-24", "2026-07-24", layer="section122", source="s122",
      exempt_products=s122_ex, exempt_share="usmca_2024", yields_to=S232 + ["exempt_cafta"],
      note="civil aircraft as civil_aircraft_core; USMCA goods of Canada and Mexico exempt at "
           "2024 claim shares")
    T(CAFTA_DR, 0.0, "2026-02-24", None, layer="exempt_cafta", source="s122",
      products=[str(c) for c in range(50, 64)],
      note="APPROXIMATION: CAFTA-DR textiles as all of chapters 50-63 of the six partners "
           "(over-exempts goods entered under MFN, as in tradewartracker)")
    # --- Section 301 Brazil
    T("BRA", 0.25, "2026-07-22", None, layer="section301_brazil", source="s301_bra",
      exempt_products=["list:brazil_301_exemptions_flat", "list:brazil_301_exemptions_named",
                       "list:brazil_301_exemptions_pharma", "list:civil_aircraft_core"],
      yields_to=S232,
      note="pharmaceutical-use exemption applied flat (over-exempts); civil aircraft as "
           "civil_aircraft_core")
    # --- Section 301 forced labour
    ten = ["ARG", "BGD", "KHM", "CAN", "ECU", "SLV", "EU27", "GTM", "HND", "IND", "IDN", "MYS",
           "MEX", "PAK", "LKA", "TWN", "TTO", "GBR"]
    fl_ex = ["list:s122_exempt_products", "list:s122_exempt_specific",
             "list:civil_aircraft_core"]
    fl_y = S232 + ["exempt_cafta"]
    T([c for c in ten if c not in ("EU27", "TWN")], 0.10, "2026-07-24", None,
      layer="section301_forced_labour", source="s301_fl", exempt_products=fl_ex,
      exempt_share="usmca_2024", yields_to=fl_y)
    T(["EU27", "TWN"], 0.10, "2026-07-24", None, layer="section301_forced_labour",
      mode="floor", source="s301_fl", exempt_products=fl_ex, yields_to=fl_y,
      note="capped net of MFN: duty = max(0, 10% - Column 1), a floor on the total")
    ld_partners = pd.read_csv(ROOT / "tariffsim" / "data" / "us_partners_2024.csv", dtype=str)
    hs10 = ld_partners[(ld_partners.basis == "hs10") & (ld_partners.eu_member == "False")]
    rest = sorted(set(hs10.partner) - set(ten) - {"EU27"})
    cap = ["JPN", "KOR", "CHE"]
    tier_note = ("ILLUSTRATIVE tier: the 12.5% list is not in the facts; tradewartracker counts "
                 "its 50 tracked economies (the HS10 partners) as 18 at 10% and 32 at 12.5%, so "
                 "every other HS10 partner is put at 12.5%; investigated economies without HS10 "
                 "data are not covered")
    T([c for c in rest if c not in cap], 0.125, "2026-07-24", None,
      layer="section301_forced_labour", source="s301_fl", exempt_products=fl_ex,
      yields_to=fl_y, illustrative=True, note=tier_note)
    T(cap, 0.125, "2026-07-24", None, layer="section301_forced_labour", mode="floor",
      source="s301_fl", exempt_products=fl_ex, yields_to=fl_y, illustrative=True,
      note="capped net of MFN (a floor on the total); " + tier_note)
    # --- Section 338 Canada
    T("CAN", 0.50, "2026-08-19", None, layer="section338_canada", source="s338",
      products=["list:canada_338_alcohol", "list:canada_338_dairy", "list:canada_338_autos"],
      exempt_products=["list:civil_aircraft_core"], yields_to=S232,
      note="civil-aircraft carve-out as civil_aircraft_core; no USMCA exemption")

    return Scenario(
        name="us-tariffs-2025-2026",
        description=("US tariff law as it stood each day from 1 Feb 2025 to 19 Aug 2026, at the "
                     "HTS10 line: IEEPA fentanyl and reciprocal duties with their exemptions "
                     "until the Supreme Court ruling (collection stopped 24 Feb 2026), the "
                     "Section 232 actions, Section 122, Section 301 (Brazil, forced labour) and "
                     "Section 338 (Canada). Read it with ts.effective_rates."),
        date="2026-08-19",
        sources=[f"{F_ACT} (every dated action and the list files that implement it)", F_RATES,
                 F_EXEMPT, F_TIME, F_DEALS,
                 "product lists: tariffsim.tariff_lines.product_lists() (built by "
                 "tools/build_tariff_lines.py)"],
        notes=("Layers and stacking: docs/us_tariffs.md. Section 232 goods take the 232 rate "
               "and not the reciprocal, Brazil, Russian-oil, Section 122, Section 301 or "
               "Section 338 layers (yields_to = s232_*); the China fentanyl duty stacks on "
               "them, the Canada/Mexico fentanyl duty does not. Exemptions are zero-rate layers "
               "(exempt_ieepa, exempt_reciprocal, exempt_brazil, exempt_cafta). Section 301 "
               "duties on China (2018 lists and the 2024 review increases of 1 Jan 2025 and 1 "
               "Jan 2026, cranes) are those of the 2024 duties: later increases are not "
               "included. Not modelled: the UK auto quota at 10%, Trade-Agreement-Partner "
               "metal rates, in-transit grace periods, the 40% transshipment rate, "
               "pharmaceutical Section 232 duties. What is not in the facts is marked "
               "illustrative or APPROXIMATION in the notes."),
        instruments=insts,
    )


def april_rates(raw: Path, facts: Path) -> tuple[dict[str, float], list[str]]:
    """EO 14257 Annex I (2 Apr 2025) rates by ISO3 (fractions): the first-published list of
    raw/us_tariff_lists/reciprocal-tariffs-annex-I.csv, with the corrected rates of the
    facts where they differ (and a note of each correction)."""
    cc = pd.read_csv(raw / "census_country_codes.csv", dtype=str)
    by_census = dict(zip(cc.CTY_CODE, cc.ISO3, strict=True)) | {"0003": "EU27"}
    df = pd.read_csv(raw / "us_tariff_lists" / "reciprocal-tariffs-annex-I.csv",
                     dtype={"CTY_CODE": str})
    by_name = _iso(raw)
    rates = {}
    for name, r, code in zip(df.CTY_NAME, df.tariff_rate, df.CTY_CODE, strict=True):
        # the code column has a typo ('79f' for South Africa): the name decides then
        iso = by_census.get(code) or by_name.get(name.upper())
        if iso is None:
            raise SystemExit(f"no ISO3 for April Annex I country {name!r} ({code})")
        rates[iso] = round(float(r) / 100, 4)
    fr = pd.read_csv(facts / "us_reciprocal_tariff_rates_2025.csv", dtype=str)
    fixes = []
    for code, apr in zip(fr.census_cty_code, fr.rate_eo14257_2apr2025_pct, strict=True):
        iso = "EU27" if code == "(27 codes)" else by_census.get(str(code))
        try:
            want = float(str(apr).split()[0]) / 100
        except ValueError:
            continue
        if iso in rates and abs(rates[iso] - want) > 1e-9:
            if iso != "CHN":  # China's own path comes with the timeline
                fixes.append(f"{iso} {rates[iso]:.0%} -> {want:.0%}")
            rates[iso] = round(want, 4)
    return rates, fixes


def build_liberation_day(raw: Path, facts: Path) -> tuple[Scenario, list[dict]]:
    """The own instruments of ``liberation-day-2025`` and its ``[[include]]`` tables."""
    rates, fixes = april_rates(raw, facts)
    del rates["CHN"]  # China's own path comes with the timeline (84% from 9 Apr, then 125%)
    # the file lists tradewartracker's effective fentanyl rates of Canada and Mexico (8.75,
    # 4.5): they are not Annex I partners (facts: "not subject to reciprocal tariff")
    for code in ("CAN", "MEX"):
        rates.pop(code, None)
    insts: list[Tariff] = []
    src = (f"EO 14257 (2 Apr 2025) Annex I: raw/us_tariff_lists/reciprocal-tariffs-annex-I.csv "
           f"({TWT}), the first-published list, with the corrected rates of {F_RATES} "
           f"({'; '.join(fixes)})")
    recip_y = S232 + ["exempt_ieepa", "exempt_reciprocal"]
    skip = ["CAN", "MEX"] + CHN_HKG
    insts.append(Tariff(US, "*", 0.10, start="2025-04-05", end="2025-04-09",
                        layer="ieepa_reciprocal", mode="add", exclude=skip,
                        yields_to=recip_y,
                        source=SRC["recip_apr"], note="every partner at 10% until the country "
                                                     "rates took effect on 9 Apr 2025"))
    insts.append(Tariff(US, "*", 0.10, start="2025-04-09", layer="ieepa_reciprocal",
                        mode="add", exclude=skip + sorted(rates), yields_to=recip_y,
                        source=SRC["recip_apr"], note="partners not listed in Annex I"))
    by_rate: dict[float, list[str]] = defaultdict(list)
    for code, r in sorted(rates.items()):
        by_rate[r].append(code)
    for r, codes in sorted(by_rate.items()):
        insts.append(Tariff(US, codes if len(codes) > 1 else codes[0], r, start="2025-04-09",
                            layer="ieepa_reciprocal", mode="add", yields_to=recip_y,
                            source=src))
    include = [
        {"scenario": "us-tariffs-2025-2026", "until": date(2025, 4, 9), "hold": True,
         "exclude_layers": ["ieepa_reciprocal"], "skip_exporters": CHN_HKG},
        {"scenario": "us-tariffs-2025-2026", "exporters": CHN_HKG, "until": date(2026, 1, 1),
         "hold": True},
    ]
    scen = Scenario(
        name="liberation-day-2025",
        description=("US 'reciprocal' tariffs as announced on 2 Apr 2025 (EO 14257 Annex I, "
                     "in force from 9 Apr) kept in force -- the 90-day pause of 9 Apr not "
                     "applied, as in the studies of the announcement -- at the tariff line, "
                     "with the Annex II exemptions, the Section 232 duties and the fentanyl "
                     "duties in force on 8 Apr 2025, and China's and Hong Kong's 2025 stack as "
                     "it happened."),
        date="2025-04-09",
        sources=[src, SRC["recip_apr"],
                 f"{F_ACT}: the law of 8 Apr 2025 and China's 2025 stack, through the "
                 f"instruments of us-tariffs-2025-2026 (tools/build_us_tariffs_timeline.py)"],
        notes=("Built from the line-level timeline us-tariffs-2025-2026: its instruments "
               "in force on 8 Apr 2025, kept in force (fentanyl duties on Canada and Mexico "
               "at 2024 USMCA claim shares, Section 232 steel and aluminium at 25% and "
               "vehicles at 25%, the Annex II exemptions of 5 Apr 2025; not its reciprocal "
               "rates), plus the announced Annex I rates from 9 Apr 2025 (every other partner "
               "10%) on every good but Annex II goods and Section 232 goods. Not included: "
               "the 11 Apr 2025 electronics carve-out (after the announcement), auto parts "
               "(from 3 May), and everything later. China and Hong Kong are not held: the "
               "pause never covered them, and their stack follows the timeline through 2025 "
               "(fentanyl 10% from 4 Feb, 20% from 4 Mar, 10% from 10 Nov; reciprocal 10% "
               "from 5 Apr, 84% from 9 Apr -- the announced 34% was raised before it took "
               "effect --, 125% from 10 Apr, 10% from 14 May under the Geneva statement), "
               "kept at its end-2025 level; so China is exempt from 11 Apr 2025 on Annex II "
               "goods only, not on electronics. Docs: docs/us_tariffs.md, docs/scenarios.md."),
        instruments=insts,
    )
    return scen, include


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("raw", nargs="?", type=Path, default=DEFAULT_RAW)
    ap.add_argument("facts", nargs="?", type=Path, default=DEFAULT_FACTS)
    ap.add_argument("--check", action="store_true", help="compare with the shipped file")
    args = ap.parse_args(argv)
    raw, facts = args.raw.resolve(), args.facts.resolve()
    ld, include = build_liberation_day(raw, facts)
    files = {OUT: build(raw, facts).to_toml(), OUT_LD: to_toml(ld, include)}
    if args.check:
        same = all(path.exists() and path.read_text() == text for path, text in files.items())
        print("shipped scenarios are current" if same else "shipped scenarios DIFFER")
        return 0 if same else 1
    for path, text in files.items():
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)} ({text.count('[[instruments]]')} instruments, "
              f"{text.count('[[include]]')} includes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
