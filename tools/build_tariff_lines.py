"""Build the package data of tariffsim's product-level US tariff schedule.

Reads the public raw files of the project's data folder (``../shared/data/raw`` by default,
see its README) and writes, in ``tariffsim/data/``:

``us_lines_2024.csv.gz``
    US imports for consumption and calculated duty, 2024, by partner and HTS10 line
    (``partner, hs10, imports_usd, duty_usd``): the 50 partners of the Census HS10 pull plus
    the EU aggregate (``EU27``). Rows with zero imports are dropped (they carry no duty).
``us_imports_2024_hs2.csv.gz``
    The same by partner and HS chapter for all 225 Census partners plus ``EU27``
    (``partner, cty_code, hs2, imports_usd, duty_usd``); the line weights of partners
    without HS10 data are built from it (see ``tariffsim.tariff_lines.data``).
``us_partners_2024.csv``
    One row per partner: ``partner, cty_code, name, basis`` (``hs10`` or ``hs2``),
    ``eu_member``, ``imports_usd, duty_usd`` (2024 totals).
``us_tariff_lists.csv.gz`` and ``us_tariff_lists_index.csv``
    Named product lists (``list, code``: HTS prefixes of 2 to 10 digits, a prefix covers
    every HTS10 line that starts with it) and their index (``list, kind, n_codes,
    description, legal_basis, source, transform``).
``us_usmca_shares_2024.csv.gz``
    USMCA claim share by partner (CAN, MEX) and HTS10 line, 2024 (``partner, hs10, share``).
``us_tariff_lines_sources.csv``
    ``file, sha256, bytes``: every raw file read.

Usage::

    python tools/build_tariff_lines.py [RAW_FOLDER] [--check]

``--check`` rebuilds in memory and exits 1 if a shipped file differs. Outputs are
deterministic (gzip without timestamps), so the test suite can compare them byte for byte.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tariffsim" / "data"
DEFAULT_RAW = ROOT / ".." / "shared" / "data" / "raw"

TWT = ("tradewartracker/trade-war-redux-2025 (MIT) @726c5958e1e43eb08ac076a1e602ae3149164b03, "
       "tariff-lists/")
BL = ("Budget-Lab-Yale/tariff-rate-tracker (MIT) @8315fffd697c42559141ed5f8bf7c8fa3da47ae8, "
      "resources/")
CENSUS = ("US Census Bureau international trade API (imports for consumption CON_VAL, calculated "
          "duty CAL_DUT, 2024), pulled by tradewartracker/trade-war-redux-2025 @726c5958e1e43eb08"
          "ac076a1e602ae3149164b03 (get-country-hs2-tariff.ipynb)")

#: Census codes of the 27 EU members (Budget Lab config/policy_params.yaml, eu27_codes).
EU27_CENSUS = ("4330 4231 4870 4791 4910 4351 4099 4470 4050 4279 4280 4840 4370 4190 4759 "
               "4490 4510 4239 4730 4210 4550 4710 4850 4359 4792 4700 4010").split()
#: Census codes without an ISO3 in census_country_codes.csv.
EXTRA_ISO3 = {"5082": "PSE", "5083": "PSE"}  # Gaza Strip, West Bank (USD 6 million in 2024)

#: Proclamation 9705 (8 Mar 2018), steel articles "defined at the HTS 6-digit level as
#: 7206.10 through 7216.50, 7216.99 through 7301.10, 7302.10, 7302.40 through 7302.90, and
#: 7304.10 through 7306.90", and the steel derivatives of Proclamation 9980 (24 Jan 2020):
#: nails, tacks, staples 7317.00.30.00, 7317.00.55.03/.05/.07/.60/.80, 7317.00.65.60; bumper
#: and body stampings 8708.10.30.20, 8708.29.21.20.
STEEL_2018 = (["7206", "7207", "7208", "7209", "7210", "7211", "7212", "7213", "7214", "7215",
               "721610", "721621", "721622", "721631", "721632", "721633", "721640", "721650",
               "721699", "7217", "7218", "7219", "7220", "7221", "7222", "7223", "7224", "7225",
               "7226", "7227", "7228", "7229", "730110", "730210", "730240", "730290", "7304",
               "7305", "7306"]
              + ["7317003000", "7317005503", "7317005505", "7317005507", "7317005560",
                 "7317005580", "7317006560", "8708103020", "8708292120"])
#: Proclamation 9704 (8 Mar 2018): unwrought aluminium 7601, bars/rods/profiles 7604, wire
#: 7605, plates/sheet/strip/foil 7606-7607, tubes/pipes/fittings 7608-7609, castings and
#: forgings 7616.99.51.60/.70; Proclamation 9980 derivatives: stranded wire 7614, bumper and
#: body stampings 8708.10.30.30, 8708.29.21.30.
ALUMINIUM_2018 = ["7601", "7604", "7605", "7606", "7607", "7608", "7609", "7616995160",
                  "7616995170", "7614", "8708103030", "8708292130"]

#: Informational materials exempt from IEEPA duties by statute (50 U.S.C. 1702(b)(3), the
#: Berman amendment; EO 14257 sec. 3(b)): printed matter (chapter 49) and works of art
#: (chapter 97), the chapters the Budget Lab tracker uses.
IEEPA_1702B = ["49", "97"]

#: Products named in Malaysia's Annex III selection ("palm oil, rubber, cocoa, aircraft parts,
#: and pharmaceuticals", facts/oct2025_deals_commitments.csv, VNA relaying the Malaysian
#: government): palm and palm-kernel oil 1511/1513, natural rubber 4001, cocoa 1801-1805.
ANNEX_III_NAMED = ["1511", "1513", "4001", "1801", "1802", "1803", "1804", "1805"]


# ----------------------------------------------------------------------------- helpers
class Reader:
    """Reads raw files and records their sha256."""

    def __init__(self, raw: Path) -> None:
        self.raw = raw
        self.seen: dict[str, tuple[str, int]] = {}

    def path(self, rel: str) -> Path:
        p = self.raw / rel
        if not p.exists():
            raise SystemExit(f"missing raw file {p}; give the raw data folder as argument")
        data = p.read_bytes()
        self.seen[rel] = (hashlib.sha256(data).hexdigest(), len(data))
        return p

    def csv(self, rel: str, **kw) -> pd.DataFrame:
        return pd.read_csv(self.path(rel), dtype=str, keep_default_na=False, **kw)


def _digits(codes: pd.Series | list[str]) -> list[str]:
    s = pd.Series(list(codes), dtype=str).str.replace(".", "", regex=False).str.strip()
    s = s[s != ""]
    bad = s[~s.str.fullmatch(r"\d{2,12}")]
    if len(bad):
        raise SystemExit(f"not HTS codes: {bad.tolist()[:5]}")
    return sorted(set(s))


def _gz(text: str) -> bytes:
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def _csv(df: pd.DataFrame) -> str:
    return df.to_csv(index=False, lineterminator="\n")


# ----------------------------------------------------------------------------- lines
def build_lines(rd: Reader) -> dict[str, bytes]:
    cc = rd.csv("census_country_codes.csv")
    iso = dict(zip(cc.CTY_CODE, cc.ISO3, strict=True)) | EXTRA_ISO3 | {"0003": "EU27"}
    names = dict(zip(cc.CTY_CODE, cc.country, strict=True)) | {
        "0003": "European Union", "5082": "Gaza Strip", "5083": "West Bank"}
    hs10 = pd.read_csv(rd.path("us_imports_2024_by_partner_hs10.csv.gz"),
                       dtype={"cty_code": str, "hs10": str})
    hs2 = pd.read_csv(rd.path("us_imports_2024_by_partner_hs2.csv"),
                      dtype={"cty_code": str, "hs2": str, "cty_name": str})
    for df, name in ((hs10, "hs10"), (hs2, "hs2")):
        missing = sorted(set(df.cty_code) - set(iso))
        if missing:
            raise SystemExit(f"{name}: Census codes without ISO3: {missing}")
        if (df.imports_usd < 0).any() or (df.duty_usd < 0).any():
            raise SystemExit(f"{name}: negative values")
    lines = hs10.assign(partner=hs10.cty_code.map(iso))
    if lines.duplicated(["partner", "hs10"]).any():
        raise SystemExit("duplicate partner x hs10 rows")
    if (lines[lines.imports_usd <= 0].duty_usd > 0).any():
        raise SystemExit("duty on a line without imports")
    lines = lines[lines.imports_usd > 0]
    for col in ("imports_usd", "duty_usd"):
        if not (lines[col] == lines[col].round()).all():
            raise SystemExit(f"{col}: non-integer dollars")
        lines[col] = lines[col].astype("int64")
    lines = lines.sort_values(["partner", "hs10"])[["partner", "hs10", "imports_usd", "duty_usd"]]

    ch = hs2.assign(partner=hs2.cty_code.map(iso))
    for col in ("imports_usd", "duty_usd"):
        ch[col] = ch[col].round().astype("int64")
    ch = ch.sort_values(["partner", "cty_code", "hs2"])[
        ["partner", "cty_code", "hs2", "imports_usd", "duty_usd"]]
    # checks from raw/README.md
    tot = lines.groupby("partner")[["imports_usd", "duty_usd"]].sum()
    eu = ch[ch.cty_code.isin(EU27_CENSUS)].imports_usd.sum()
    if abs(eu - ch[ch.partner == "EU27"].imports_usd.sum()) > 1e6:
        raise SystemExit("EU members do not sum to the EU aggregate")
    for p, want in (("VNM", 3.77), ("CHN", 10.87), ("MYS", 0.64), ("KHM", 7.05)):
        got = 100 * tot.loc[p, "duty_usd"] / tot.loc[p, "imports_usd"]
        if round(got, 2) != want:
            raise SystemExit(f"{p}: 2024 rate {got:.3f}% instead of {want}%")
    by_code = ch.groupby("cty_code")[["imports_usd", "duty_usd"]].sum()
    part = pd.DataFrame({"cty_code": by_code.index})
    part["partner"] = part.cty_code.map(iso)
    part["name"] = part.cty_code.map(names)
    line_partners = set(lines.partner)
    part["basis"] = ["hs10" if p in line_partners else "hs2" for p in part.partner]
    part["eu_member"] = part.cty_code.isin(EU27_CENSUS)
    part["imports_usd"] = by_code.imports_usd.values
    part["duty_usd"] = by_code.duty_usd.values
    # Gaza Strip and West Bank share PSE: one row
    part = (part.groupby("partner", as_index=False)
            .agg(cty_code=("cty_code", "first"), name=("name", "first"),
                 basis=("basis", "first"), eu_member=("eu_member", "first"),
                 imports_usd=("imports_usd", "sum"), duty_usd=("duty_usd", "sum")))
    part.loc[part.partner == "PSE", "name"] = "Gaza Strip and West Bank"
    part = part.sort_values("partner")
    return {
        "us_lines_2024.csv.gz": _gz(_csv(lines)),
        "us_imports_2024_hs2.csv.gz": _gz(_csv(ch)),
        "us_partners_2024.csv": _csv(part).encode(),
    }


# ----------------------------------------------------------------------------- lists
def _entry(name, kind, codes, description, legal, source, transform=""):
    return {"list": name, "kind": kind, "codes": _digits(codes), "description": description,
            "legal_basis": legal, "source": source, "transform": transform}


def build_lists(rd: Reader) -> list[dict]:
    L = "us_tariff_lists/"
    B = L + "budget_lab/"
    col = lambda rel, c="HTSUS": rd.csv(rel)[c]  # noqa: E731
    out = []
    add = out.append

    # --- IEEPA reciprocal exemptions
    apr = [c[:8] for c in _digits(col(L + "annex-II-exemptions.csv"))]
    nov = _digits(col(L + "annex-II-exemptions-nov14.csv"))
    add(_entry("annex_ii_2025_04", "products", apr,
               "EO 14257 Annex II (April 2025): goods exempt from the reciprocal duties "
               "(pharmaceuticals, semiconductors, lumber, copper, critical minerals, energy)",
               "EO 14257 (2 Apr 2025) Annex II", TWT + "annex-II-exemptions.csv",
               "HTS8 codes padded to 10 digits with '00' in the source: first 8 digits kept"))
    add(_entry("annex_ii_2025_11", "products", nov,
               "Annex II as updated by EO 14360 (agricultural products: coffee, tea, bananas, "
               "beef ...), also carrying the EO 14346 additions of 8 Sep 2025 (bullion, critical "
               "minerals, pharmaceuticals) and the electronics of 11 Apr 2025",
               "EO 14360 (Nov 2025) updated Annex II to EO 14257",
               TWT + "annex-II-exemptions-nov14.csv"))
    ag_added = {c for c in nov if c[:2] <= "24" and c not in set(apr)}
    add(_entry("annex_ii_2025_09", "products", [c for c in nov if c not in ag_added],
               "APPROXIMATION of Annex II as in force 8 Sep - 12 Nov 2025 (after EO 14346, "
               "before the EO 14360 farm exemptions): annex_ii_2025_11 without its chapter 01-24 "
               "codes that annex_ii_2025_04 lacks",
               "EO 14346 (5 Sep 2025, effective 8 Sep 2025) updated Annex II",
               TWT + "annex-II-exemptions-nov14.csv; annex-II-exemptions.csv",
               f"derived: annex_ii_2025_11 minus {len(ag_added)} agricultural codes"))
    add(_entry("electronics_2025_04_11", "products",
               col(L + "consumer_electronics_EO14257_apr11.csv"),
               "Consumer electronics exempt from the reciprocal duties (not from fentanyl "
               "duties): 8471, 8473.30, 8486, 8517.13, 8517.62, 8523.51, 8524, 8528.52, 8541 "
               "(not solar 8541.42/.43), 8542",
               "Memorandum of 11 Apr 2025 (Clarification of Exceptions under EO 14257)",
               TWT + "consumer_electronics_EO14257_apr11.csv"))
    add(_entry("ieepa_1702b", "products", IEEPA_1702B,
               "Informational materials outside every IEEPA duty (printed matter ch. 49, works "
               "of art ch. 97)", "50 U.S.C. 1702(b)(3); EO 14257 sec. 3(b)",
               "statute; chapters as in Budget-Lab-Yale/tariff-rate-tracker "
               "docs/ieepa_exempt_audit_2026-04-28.md",
               "APPROXIMATION: whole chapters 49 and 97"))
    add(_entry("ieepa_exempt_budget_lab", "products",
               col(B + "ieepa_exempt_products.csv", "hts10"),
               "Budget Lab's expansion of US note 2(v)(iii) to HTS10 (Annex II as of 2026, ITA "
               "prefixes, chapters 49/97/98); a cross-check, wider than the EO annexes",
               "HTSUS ch. 99 subch. III US note 2(v)(iii) (2026)",
               BL + "ieepa_exempt_products.csv"))
    # --- fentanyl carve-outs
    fc = rd.csv(B + "fentanyl_carveout_products.csv")
    for cat, name, desc in (("energy_ca", "fentanyl_energy_can",
                             "Energy and critical minerals of Canada at the 10% fentanyl rate"),
                            ("potash_ca", "fentanyl_potash_can", "Potash of Canada at 10%"),
                            ("potash_mx", "fentanyl_potash_mex", "Potash of Mexico at 10%")):
        sub = fc[fc.category == cat]
        add(_entry(name, "products", sub.hts8, desc,
                   f"EO 14193/14194 as amended; HTSUS heading {sub.ch99_code.iloc[0]}",
                   BL + "fentanyl_carveout_products.csv"))
    # --- Brazil IEEPA (EO 14323)
    ce = rd.csv(B + "country_eo_exempt_products.csv", comment="#")
    ce = ce[ce.ch99_code == "9903.01.77"]
    orig = ce[ce.effective_date_start == "2025-08-06"].hts10
    added = ce[ce.effective_date_start == "2025-11-13"].hts10
    add(_entry("brazil_eo14323_annex", "products", orig,
               "Goods of Brazil exempt from the 40% of EO 14323 (original annex, from 6 Aug 2025)",
               "EO 14323 (30 Jul 2025) Annex I; HTSUS heading 9903.01.77",
               BL + "country_eo_exempt_products.csv (effective_date_start 2025-08-06)"))
    add(_entry("brazil_eo14323_additions_2025_11", "products", added,
               "Goods added to the Brazil exemptions from 13 Nov 2025 (beef, coffee, fruit ...)",
               "EO of 20 Nov 2025 modifying EO 14323, Annex II (effective 13 Nov 2025)",
               BL + "country_eo_exempt_products.csv (effective_date_start 2025-11-13)"))
    air_raw = set(_digits(col(L + "brazil-airplane-exemptions.csv")))
    other_raw = set(_digits(col(L + "brazil-non-airplane-exemptions.csv")))
    if not (air_raw | other_raw) <= set(_digits(orig)):
        raise SystemExit("brazil-(non-)airplane-exemptions.csv are not within the EO 14323 annex")
    # --- floor-country exemptions (EU, Japan, Korea, Switzerland deals)
    fe = rd.csv(B + "floor_exempt_products.csv")
    for (cat, grp), sub in fe.groupby(["category", "country_group"]):
        add(_entry(f"floor_exempt_{grp}_{cat}", "products", sub.hts8,
                   f"Goods of {grp} exempt from the reciprocal duties under its deal "
                   f"({cat.replace('_', ' ')})",
                   f"HTSUS heading {sub.ch99_code.iloc[0]}", BL + "floor_exempt_products.csv"))
    aircraft = set(_digits(fe[fe.category == "civil_aircraft"].hts8))
    core = sorted(c for c in aircraft if c[:2] == "88" or c[:4] == "8411")
    add(_entry("civil_aircraft_core", "products", core,
               "APPROXIMATION of the civil-aircraft carve-outs (conditional on civil-aircraft use "
               "under general note 6): the listed codes in chapter 88 and heading 8411 only "
               "(aircraft, parts, turbojets) - the other listed codes are general goods mostly "
               "used elsewhere", "HTSUS general note 6; headings 9903.02.76/.81/.85",
               BL + "floor_exempt_products.csv (civil_aircraft)",
               "derived: chapter 88 and heading 8411 codes of the EU/Korea/Swiss lists"))
    ptaap = set(_digits(fe[fe.category == "ptaap"].hts8))
    pharma = set(_digits(fe[(fe.category == "pharma") & (fe.country_group == "eu")].hts8))
    add(_entry("annex_iii_proxy", "products", sorted(ptaap | pharma | set(core) |
                                                     set(ANNEX_III_NAMED)),
               "APPROXIMATION of EO 14346 Annex III ('Potential Tariff Adjustments for Aligned "
               "Partners': aircraft and parts, generic pharmaceuticals, natural resources not "
               "available in the US, some farm goods), whose full list is not in the raw data: "
               "the PTAAP codes implemented for the EU and Switzerland, the EU generic-"
               "pharmaceutical codes, civil_aircraft_core, and the products Malaysia names "
               "(palm oil 1511/1513, natural rubber 4001, cocoa 1801-1805)",
               "EO 14346 (5 Sep 2025) Annex III; ARTs/frameworks of 26 Oct 2025",
               BL + "floor_exempt_products.csv; facts/oct2025_deals_commitments.csv (MYS)",
               "derived union; covers USD 1.7 bn of 2024 US imports from Malaysia against the "
               "USD 5.2 bn (1,711 lines) Malaysia reports: it understates the zero-rated share"))
    # --- Section 232
    add(_entry("s232_steel_2018", "products", STEEL_2018,
               "Steel articles of Proclamation 9705 and steel derivatives of Proclamation 9980 "
               "(in the 2024 duties of partners without an exemption)",
               "Proclamations 9705 (8 Mar 2018) and 9980 (24 Jan 2020)",
               "legal text (HTS ranges in the proclamations)",
               "ranges written as 4/6-digit prefixes; checked against 2024 duty/imports of "
               "Vietnam, India and Taiwan (about 25% on these lines, 0 on 7216.61-.91)"))
    add(_entry("s232_aluminium_2018", "products", ALUMINIUM_2018,
               "Aluminium articles of Proclamation 9704 and derivatives of Proclamation 9980",
               "Proclamations 9704 (8 Mar 2018) and 9980 (24 Jan 2020)",
               "legal text (HTS headings in the proclamations)",
               "checked against 2024 duty/imports (about 10% above MFN on these lines)"))
    add(_entry("s232_steel_derivatives_2025_03", "products", col(L + "steel-tariffs.csv"),
               "Steel derivative articles added from 12 Mar 2025", "Proclamation 10896",
               TWT + "steel-tariffs.csv"))
    add(_entry("s232_aluminium_derivatives_2025_03", "products", col(L + "alu-tariffs.csv"),
               "Aluminium derivative articles added from 12 Mar 2025", "Proclamation 10895",
               TWT + "alu-tariffs.csv"))
    der = rd.csv(B + "s232_derivative_products.csv")
    for typ, when, name in (("steel", "2025-08-18", "s232_steel_derivatives_2025_08"),
                            ("aluminum", "2025-08-18", "s232_aluminium_derivatives_2025_08"),
                            ("aluminum", "", "s232_aluminium_derivatives_budget_lab")):
        sub = der[(der.derivative_type == typ) & (der.effective_date == when)]
        add(_entry(name, "products", sub.hts_prefix,
                   f"{typ} derivative articles " + (f"included from {when} (BIS inclusions, "
                                                    "407 HTS codes)" if when else
                                                    "in headings 9903.85.04/.07/.08 (undated)"),
                   "90 FR 40326 (BIS notice, 19 Aug 2025)" if when else
                   "HTSUS US note 19 (aluminium derivatives)",
                   BL + "s232_derivative_products.csv"))
    add(_entry("s232_copper_2025_08", "products", col(L + "copper-list.csv"),
               "Semi-finished copper and copper derivatives (US note 36(b))",
               "Proclamation 10962 (30 Jul 2025)", TWT + "copper-list.csv"))
    add(_entry("s232_autos_twt_mask", "products", col(L + "auto-tariffs.csv"),
               "tradewartracker's mask of vehicles AND parts (parts partly at HS6, coarse: "
               "e.g. all of 8537.10); a cross-check, not the legal list",
               "Proclamation 10908", TWT + "auto-tariffs.csv"))
    vehicles = ("870322 870323 870324 870331 870332 870333 870334 870340 870350 870360 870370 "
                "870380 870390 87042101 87043101 87044100 87045100").split()
    rd.path(B + "policy_params.yaml")
    add(_entry("s232_vehicles_2025_04", "products", vehicles,
               "Passenger vehicles and light trucks (from 3 Apr 2025)",
               "Proclamation 10908 (26 Mar 2025); HTSUS 9903.94.01/.03",
               BL.replace("resources/", "") + "config/policy_params.yaml (section_232_headings: "
               "autos_passenger, autos_light_trucks), copied to raw/us_tariff_lists/budget_lab/"))
    txt = lambda rel: [x.strip() for x in rd.path(rel).read_text().split() if x.strip()]  # noqa
    add(_entry("s232_auto_parts_2025_05", "products", txt(B + "s232_auto_parts.txt"),
               "Automobile parts (from 3 May 2025); note that US note 33(g) lists all of heading "
               "8471 (computers), which pay only when they are vehicle parts",
               "Proclamation 10908 Annex I; HTSUS US note 33(g)",
               BL + "s232_auto_parts.txt"))
    add(_entry("s232_mhd_parts_2025_11", "products", txt(B + "s232_mhd_parts.txt"),
               "Medium- and heavy-duty truck parts", "Proclamation 10984 (17 Oct 2025)",
               BL + "s232_mhd_parts.txt"))
    yaml_pre = {  # Budget Lab config/policy_params.yaml, section_232_headings
        "s232_mhd_vehicles_2025_11": (
            "87012100 87012200 87012300 87012400 87012900 87041010 87041050 87042211 87042251 "
            "87042301 87043201 87044200 87044300 87045200 87046000 87049001 87054000 "
            "8705900080 87060003 8706000520 8706000575 87060025 87060050 87091100 87091900",
            "Medium- and heavy-duty trucks, tractors, chassis", "Proclamation 10984"),
        "s232_buses_2025_11": ("8702", "Buses", "Proclamation 10984"),
        "s232_softwood_2025_10": (
            "44031100 44032101 44032201 44032301 44032401 44032501 44032601 44039901 44061100 "
            "44069100 44071100 44071200 44071300 44071400 44071900",
            "Softwood timber and lumber", "Proclamation 10976 (29 Sep 2025)"),
        "s232_upholstered_furniture_2025_10": (
            "9401614011 9401614031 9401616011 9401616031", "Upholstered wooden seats",
            "Proclamation 10976"),
        "s232_kitchen_cabinets_2025_10": ("9403409060 9403608093 9403910080",
                                          "Kitchen cabinets and vanities", "Proclamation 10976"),
    }
    for name, (codes, desc, legal) in yaml_pre.items():
        add(_entry(name, "products", codes.split(), desc, legal,
                   BL.replace("resources/", "") + "config/policy_params.yaml "
                   "(section_232_headings), copied to raw/us_tariff_lists/budget_lab/"))
    semi = rd.csv(B + "s232_semi_products.csv")
    rows = rd.path(B + "semi_qualifying_shares.csv").read_text().splitlines()[1:]
    qual = pd.DataFrame([r.split(",", 2)[:2] for r in rows if r.strip()],
                        columns=["hts10", "qualifying_share"])  # notes hold bare commas
    add(_entry("s232_semiconductors_headings_2026_01", "products", semi.hts10,
               "HTS10 lines of the semiconductor action (US note 39)",
               "Proclamation 11002 (Jan 2026); HTSUS heading 9903.79.01",
               BL + "s232_semi_products.csv"))
    add(_entry("s232_semiconductors_2026_01", "products",
               qual[qual.qualifying_share.astype(float) >= 0.5].hts10,
               "APPROXIMATION of the advanced chips that qualify for the 25% (Budget Lab's "
               "interim binary calibration: GPU/AI cards 8471.80.40.00 only)",
               "Proclamation 11002; US note 39(c)", BL + "semi_qualifying_shares.csv",
               "lines with qualifying_share 1"))
    for tag, rel, desc in (("ia", "metals-annex-IA.csv", "50% tier (UK 25%)"),
                           ("ib", "metals-annex-IB.csv", "25% tier (UK 15%)"),
                           ("ii", "metals-annex-II-removed.csv", "removed from Section 232"),
                           ("iii", "metals-annex-III-temporary.csv",
                            "15% inclusive of the Column 1 rate until 31 Dec 2027")):
        add(_entry(f"s232_metals_annex_{tag}_2026_04", "products", col(L + rel),
                   f"Metals Annex {tag.upper()}: {desc}, full customs value",
                   "Proclamation of 2 Apr 2026 (effective 6 Apr 2026)", TWT + rel))
    # by chapter group: metal chapters 72/73/74/76 (taxed on full value), other manufactured
    # goods 75/78-97 and goods of chapters 01-71 (taxed on their metal content; for the
    # latter the metal is mostly the container)
    groups = (("metal_chapters", lambda c: c[:2] in ("72", "73", "74", "76"),
               "codes in chapters 72/73/74/76 (taxed on full value)"),
              ("goods", lambda c: c[:2] == "75" or c[:2] >= "78",
               "codes in chapters 75 and 78-97 (taxed on metal content)"),
              ("packaged", lambda c: c[:2] < "72",
               "codes in chapters 01-71 (taxed on metal content, mostly a container)"))
    for name in ("s232_steel_derivatives_2025_03", "s232_aluminium_derivatives_2025_03",
                 "s232_steel_derivatives_2025_08", "s232_aluminium_derivatives_2025_08",
                 "s232_aluminium_derivatives_budget_lab", "s232_copper_2025_08"):
        base = next(e for e in out if e["list"] == name)
        for tag, keep, what in groups:
            codes = [c for c in base["codes"] if keep(c)]
            if codes:
                add(_entry(f"{name}_{tag}", "products", codes,
                           f"{base['description']} - {what}", base["legal_basis"],
                           base["source"], f"derived: the {name} {what.split(' (')[0]}"))
    # --- Section 122
    for tag, rel in (("products", "section122-product-exemptions.csv"),
                     ("aircraft", "section122-aircraft-exemptions.csv"),
                     ("specific", "section122-specific-exemptions.csv")):
        add(_entry(f"s122_exempt_{tag}", "products", col(L + rel, "hts_code"),
                   f"Goods exempt from the Section 122 surcharge ({tag})",
                   "Proclamation 11012 Annex I, subdivision (aa)(ii)", TWT + rel))
    add(_entry("s122_exempt_budget_lab", "products", col(B + "s122_exempt_products.csv", "hts8"),
               "Budget Lab's Section 122 exemption list (cross-check)",
               "Proclamation 11012 Annex I", BL + "s122_exempt_products.csv"))
    # --- Section 301
    b3 = rd.csv(L + "brazil-301-exemptions.csv")
    add(_entry("brazil_301_exemptions", "products", b3.HTSUS,
               "Goods of Brazil exempt from the Section 301 duty (all four categories)",
               "USTR Notice of Action, Brazil (15 Jul 2026), US note 50",
               TWT + "brazil-301-exemptions.csv"))
    for cat, sub in b3.groupby("category"):
        add(_entry(f"brazil_301_exemptions_{cat}", "products", sub.HTSUS,
                   f"Brazil Section 301 exemptions, category '{cat}'",
                   "USTR Notice of Action, Brazil (15 Jul 2026)",
                   TWT + "brazil-301-exemptions.csv"))
    s301 = rd.csv(B + "s301_product_lists.csv")
    for lst, sub in s301.groupby("list"):
        if lst == "list":
            continue
        heads = ", ".join(sorted(set(sub.ch99_code)))
        add(_entry(f"s301_china_{lst.lower()}", "products", sub.hts8,
                   f"Section 301 China list '{lst}' (HTSUS {heads})",
                   "Section 301 China actions (2018-2026)", BL + "s301_product_lists.csv"))
    # --- Section 338 Canada
    for tag in ("alcohol", "dairy", "autos", "aircraft-exempt"):
        add(_entry(f"canada_338_{tag.replace('-', '_')}", "products",
                   col(L + f"canada-338-{tag}.csv"),
                   f"Section 338 Canada basket: {tag}",
                   "Proclamations of 20 Jul 2026 (effective 19 Aug 2026), US note 51",
                   TWT + f"canada-338-{tag}.csv"))
    # --- partner retaliation lists (partner nomenclature)
    for name, rel, desc in (
            ("canada_retaliation_2025_03", "canada-march-list.csv",
             "Canada's 25% counter-tariffs on C$30 bn of US goods (4 Mar 2025)"),
            ("canada_retaliation_125b", "canada-125b-list.csv",
             "Canada's proposed counter-tariff list on C$125 bn of US goods"),
            ("canada_retaliation_steel", "canada-steel-list.csv",
             "Canada's counter-tariffs on US steel and aluminium products (13 Mar 2025)")):
        raw = pd.read_csv(rd.path(L + rel), header=None, dtype=str).iloc[:, 0]
        add(_entry(name, "partner_products", raw, desc + "; codes are Canadian tariff items",
                   "Government of Canada", TWT + rel))
    for pct in (10, 15):
        raw = pd.read_csv(rd.path(L + f"china-{pct}-percent-030425.csv"), header=None,
                          dtype=str).iloc[:, 1]
        add(_entry(f"china_retaliation_2025_03_{pct}pct", "partner_products",
                   raw.str.zfill(8),
                   f"China's {pct}% counter-tariffs on US farm goods (10 Mar 2025); codes are "
                   f"Chinese tariff lines", "State Council Tariff Commission (4 Mar 2025)",
                   TWT + f"china-{pct}-percent-030425.csv", "leading zero restored (8 digits)"))
    return out


def build_usmca(rd: Reader) -> bytes:
    u = pd.read_csv(rd.path("us_tariff_lists/budget_lab/usmca_product_shares_2024.csv"),
                    dtype={"hts10": str, "cty_code": str})
    u["partner"] = u.cty_code.map({"1220": "CAN", "2010": "MEX"})
    if u.partner.isna().any() or not u.usmca_share.between(0, 1).all():
        raise SystemExit("usmca shares: unexpected partner or share")
    u = u.rename(columns={"hts10": "hs10", "usmca_share": "share"})
    u = u[u.share > 0].sort_values(["partner", "hs10"])
    u["share"] = u.share.round(6)
    return _gz(_csv(u[["partner", "hs10", "share"]]))


def build(raw: Path) -> dict[str, bytes]:
    rd = Reader(raw)
    files = build_lines(rd)
    entries = build_lists(rd)
    names = [e["list"] for e in entries]
    if len(names) != len(set(names)):
        raise SystemExit("duplicate list names")
    long = pd.DataFrame([(e["list"], c) for e in entries for c in e["codes"]],
                        columns=["list", "code"])
    index = pd.DataFrame([{k: (len(v) if k == "codes" else v) for k, v in e.items()}
                          for e in entries]).rename(columns={"codes": "n_codes"})
    files["us_tariff_lists.csv.gz"] = _gz(_csv(long))
    files["us_tariff_lists_index.csv"] = _csv(index).encode()
    files["us_usmca_shares_2024.csv.gz"] = build_usmca(rd)
    src = pd.DataFrame([(k, v[0], v[1]) for k, v in sorted(rd.seen.items())],
                       columns=["file", "sha256", "bytes"])
    files["us_tariff_lines_sources.csv"] = _csv(src).encode()
    return files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("raw", nargs="?", type=Path, default=DEFAULT_RAW,
                    help="the raw data folder (default ../shared/data/raw)")
    ap.add_argument("--check", action="store_true", help="compare with the shipped files")
    ap.add_argument("--out", type=Path, default=OUT, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    files = build(args.raw.resolve())
    src = pd.read_csv(io.BytesIO(files["us_tariff_lines_sources.csv"]))
    for r in src.itertuples():
        print(f"read {r.file}: sha256 {r.sha256}")
    if args.check:
        diff = [n for n, b in files.items()
                if not (args.out / n).exists() or (args.out / n).read_bytes() != b]
        print("shipped files are current" if not diff else f"shipped files DIFFER: {diff}")
        return 1 if diff else 0
    for name, data in files.items():
        (args.out / name).write_bytes(data)
        print(f"wrote tariffsim/data/{name} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
