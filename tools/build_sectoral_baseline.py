"""Build the embedded sectoral 2024 baseline ("sectoral-2024") from public raw data.

Writes the package data in ``tariffsim/data/sectoral_2024/`` that
``tariffsim.load_baseline("sectoral-2024")`` reads: 22 economies x 22 sectors (19 goods,
3 services) with input-output links. Every figure keeps a ``source_key`` that
``sources.csv`` resolves to its citation and method; ``manifest.csv`` records the sha256 of
every file read and written. Run from the repository root::

    python tools/build_sectoral_baseline.py --icio PATH [--raw ../shared/data/raw]
        [--facts ../shared/data/facts] [--out tariffsim/data/sectoral_2024]

(defaults: ``$TARIFFSIM_FACTS_DATA`` and ``$TARIFFSIM_RAW_DATA`` when set; raw defaults to
the folder beside facts).

``--icio`` is the OECD ICIO 2022 array file ``bench_cache.npz`` or the wheel that ships it
(``pip download --no-deps sanction-simulator==0.1.4``; see ``raw/README.md``); default
``$TARIFFSIM_ICIO`` or ``<raw>/icio/``. The build is deterministic: the same inputs give the
same bytes.

Method (tariffsim/data/README.md and docs/data.md give the reasoning and the biases):

1. **Production structure** (OECD ICIO 2025 release, year 2022, 80 economies x 50
   industries, USD million): intermediate flows ``A * (omb * go)``, aggregated to the 22
   economies (EU members -> EU27; ICIO economies not named -> ROW; ICIO's own rest of the
   world is not in the array file) and the 22 sectors of :mod:`tariffsim.sectors`. Input
   shares ``io[n, k, j] = inputs of sector k bought by sector j of n / gross output of j``;
   value-added share ``1 - sum_k io`` (so it also holds taxes less subsidies on products and
   inputs bought from ICIO's dropped rest of the world).
2. **Final-demand trade** (not in the array file): the final sales ``z`` of each ICIO
   industry are spread over buying countries with the buyers' source shares of
   intermediates of the same industry: ``F[i->d] = share_d(i) * FD_d``, the final demand
   ``FD_d >= 0`` solved by non-negative least squares so that sellers' final sales add up,
   then each seller's row rescaled to its ``z`` exactly.
3. **Gross output** scaled from 2022 to 2023 by each economy's nominal USD GDP growth (WDI;
   CHE and ROW: WDI world minus the named economies; TWN: not in WDI, unscaled). ROW is also
   scaled to its full size (WDI GDP of every economy not named over the ICIO value added of
   ROW's ICIO economies: ICIO's dropped rest of the world, with ROW's sector mix).
4. **US flows** (2024): imports from each partner by sector = Census imports for
   consumption by HTS10 line (``raw/us_imports_2024_by_partner_hs10.csv.gz``, lines mapped
   with :func:`tariffsim.sectors.hs_to_icio`; partners outside that file from the HS-chapter
   file, chapters split across sectors by the HS6 composition of that chapter in all US
   imports), SCALED to the partner's general imports in
   ``facts/us_goods_trade_by_partner_2024.csv``. Exports: USITC DataWeb 2024 by HS chapter,
   chapters split the same way, scaled to the facts. AUS and BRA (not in the facts table)
   keep the raw totals; ROW is the residual to the Census 2024 world totals.
5. **Other goods pairs**: CEPII BACI 2023 bilateral totals (``facts/baci2023_*``, with the
   national figures of ``patch_missing_pairs_2023.csv``); CHE split out of BACI's ROW with
   ICIO shares; Taiwan (not in BACI) from Taiwan MOF 2023 exports by destination
   (``facts/taiwan_exports_by_destination.csv``) and MOF 2023 total imports split with ICIO
   source shares; KOR<->PHL (a BACI false zero with no national figure) from ICIO. Each
   pair's total is split across goods sectors with the ICIO 2022 composition of that pair's
   trade (intermediate + imputed final).
6. **Services trade**: ICIO 2022 (intermediate + imputed final), scaled as in 3.
7. **Domestic sales** = gross output - exports, by sector. Where exports exceed 95% of
   gross output (re-exports of entrepots, data mismatch), gross output is raised to exports
   + 5% of ICIO output; the excess is costed as inputs of the same sector, so value added
   stays at its ICIO level (``entrepot_excess`` in ``output.csv``).
8. **Tariffs**: US on partner x sector = 2024 calculated duty / imports for consumption over
   the sector's HTS10 lines (import-weighted mean). Partners on US goods: WTO MFN applied
   trade-weighted averages by MTN product group (CHN, IND, JPN, EU27; China plus the PIIE
   retaliation premium), FTA zeros (CAN, MEX, KOR, AUS, SGP), Hong Kong's zero tariff, WTO
   country averages (VNM, KHM, BRA); the rest 0 and flagged. Pairs without the US: 0, flagged.
9. **Final use** (so that the baseline is an equilibrium of the calibrated model): flows
   (2023-2024), output (2022 scaled) and input shares (2022) come from different years and
   sources, so in some country-sectors intermediate use ``sum_j io[n,k,j] Y[n,j]`` exceeds
   absorption (KOR energy after the 2023 fall in oil prices, VNM electronics, ...). There
   the shares of that input are scaled down in every using sector until final use is 1%
   of absorption (``final_use_adjustment``; ``input_use_scale`` in ``output.csv``), the
   difference going to value added. Flows are untouched, so the Census US flows stay exact.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import nnls

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tariffsim.concordance import CENSUS_EU, EU27_MEMBERS  # noqa: E402
from tariffsim.sectors import (  # noqa: E402
    GOODS_SECTORS,
    ICIO_TO_SECTOR,
    SECTORS,
    SERVICE_SECTORS,
    goods_sector,
    hs_to_icio,
)

DEFAULT_FACTS = Path(os.environ.get("TARIFFSIM_FACTS_DATA",
                                    REPO.parent / "shared" / "data" / "facts"))
DEFAULT_RAW = Path(os.environ.get("TARIFFSIM_RAW_DATA", DEFAULT_FACTS.parent / "raw"))
OUT = REPO / "tariffsim" / "data" / "sectoral_2024"

#: Economies in array order: the 20 of the default baseline with TWN and CHE split from ROW.
ECONOMIES: tuple[str, ...] = (
    "USA", "CHN", "VNM", "MYS", "THA", "KHM", "IDN", "PHL", "SGP", "JPN", "KOR", "IND",
    "MEX", "CAN", "HKG", "GBR", "AUS", "BRA", "EU27", "TWN", "CHE", "ROW")
#: The 20 economies of the BACI facts (its ROW holds CHE, not TWN).
BACI_CODES: tuple[str, ...] = tuple(c for c in ECONOMIES if c not in ("TWN", "CHE"))
SINGLES = tuple(c for c in ECONOMIES if c not in ("EU27", "ROW"))
ASEAN = ("BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM")
#: Taiwan MOF's "Europe": the ICIO economies of Europe.
EUROPE = EU27_MEMBERS + ("GBR", "CHE", "NOR", "ISL", "RUS", "UKR", "BLR", "TUR")

#: sha256 of the array file named by raw/README.md ("572753a9...92f61c7").
ICIO_SHA_PREFIX, ICIO_SHA_SUFFIX = "572753a9", "92f61c7"
ICIO_MEMBER = "sanction_simulator/data/bench_cache.npz"

#: Exports above this share of ICIO gross output trigger the entrepot adjustment (step 7).
MAX_EXPORT_SHARE = 0.95
#: Final use kept in a country-sector whose intermediate use exceeds its absorption (step 8):
#: the least share of absorption that leaves a margin against rounding.
MIN_FINAL_SHARE = 0.01

#: Census 2024 US goods totals, first (Feb-2025) vintage, USD million (facts, World row).
US_TOTALS_2024 = {"exports": 2_064_500.0, "imports": 3_267_400.0}

#: Census partner names of the facts table -> economy (members of ROW/EU27 are not used
#: one by one; Germany has no Feb-2025 row).
CENSUS_FACTS = {
    "China": "CHN", "Vietnam": "VNM", "Malaysia": "MYS", "Thailand": "THA",
    "Cambodia": "KHM", "Mexico": "MEX", "Canada": "CAN", "Japan": "JPN",
    "South Korea": "KOR", "Taiwan": "TWN", "India": "IND", "European Union": "EU27",
    "Indonesia": "IDN", "Philippines": "PHL", "Singapore": "SGP", "Hong Kong": "HKG",
    "United Kingdom": "GBR", "Switzerland": "CHE",
}
#: DataWeb country spellings that are not in census_country_codes.csv -> ISO3.
DATAWEB_NAMES = {
    "Czechia (Czech Republic)": "CZE", "Turkey": "TUR", "Brunei": "BRN",
    "Myanmar (Burma)": "MMR", "Cuba": "CUB", "Curaçao": "CUW", "Côte d`Ivoire": "CIV",
    "Democratic Republic of the Congo": "COD", "Republic of the Congo": "COG",
    "Eswatini (Swaziland)": "SWZ", "Kyrgyzstan": "KGZ", "Micronesia": "FSM",
    "Montserrat ": "MSR", "North Korea": "PRK", "Pitcairn Islands": "PCN",
    "Saint Helena": "SHN", "Saint Kitts and Nevis": "KNA", "Saint Lucia": "LCA",
    "Saint Pierre and Miquelon": "SPM", "Saint Vincent and the Grenadines": "VCT",
    "Svalbard and Jan Mayen": "SJM", "São Tomé and Príncipe": "STP", "Vatican City": "VAT",
    "Wallis and Futuna": "WLF", "West Bank": "PSE", "Gaza Strip": "PSE",
    "Western Sahara": "ESH", "British Indian Ocean Territory": "IOT",
    "French Southern and Antarctic Lands": "ATF", "Heard and McDonald Islands": "HMD",
}

# ----------------------------------------------------------------------- partner tariffs
WTO_MTN_REPO = ("WTO Tariff & Trade Data, 'MFN statutory (legal/autonomous) duty' indicators "
                "by MTN product category, year 2023, trade-weighted average, as downloaded "
                "from the WTO website in "
                "github.com/sh-mukherjee/wto-tariffs-top5@bba3e0990648349c3e9cf9e9dc51174dcd6f56fd"
                ":indicators_mfn_applied_duty_2010.csv (sha256 432b0dd0...6e270e78)")
#: Model sector -> WTO MTN sub-categories whose rates are averaged (simple mean).
MTN_OF_SECTOR = {
    "agriculture": ("A01", "C01", "C02", "D01", "D03", "E01", "F01", "I01", "I02", "J01"),
    "energy": ("L01", "M01", "M02"),
    "mining": ("L02",),
    "food": ("A02", "B00", "C03", "D02", "E02", "F02", "F03", "G00", "H01", "H02", "H03",
             "J03", "K00"),
    "textiles_apparel": ("P01", "P02", "P09", "Q00", "R02", "R03"),
    "wood_paper": ("O01", "O02"),
    "chemicals": ("N01", "N02", "N05", "N09", "J02"),
    "pharmaceuticals": ("N03",),
    "rubber_plastics": ("N04", "R01"),
    "nonmetallic_minerals": ("L03",),
    "iron_steel": ("L06",),
    "nonferrous_metals": ("L05", "L04"),
    "metal_products": ("L07",),
    "electronics": ("S04", "T02", "T03", "T04", "T05", "V01", "V02"),
    "electrical_equipment": ("T01", "T06"),
    "machinery": ("S01", "S02", "S03"),
    "motor_vehicles": ("U01",),
    "other_transport": ("U02", "U03", "U04", "U05"),
    "furniture_other": ("O03", "V03", "V04", "V05", "V06", "V09"),
}
#: WTO MFN applied duty 2023 by MTN sub-category, percent: (trade-weighted, simple average)
#: for China, the EU, India and Japan, transcribed from the file named in WTO_MTN_REPO (the
#: trade-weighted figure is used; J04 "other products of animal origin" is not mapped).
WTO_MTN_2023: dict[str, dict[str, tuple[float, float]]] = {
    "CHN": {
        "A01": (6.37, 5.50), "A02": (11.79, 16.69), "B00": (10.86, 12.04),
        "C01": (17.24, 18.19), "C02": (5.40, 11.12), "C03": (6.19, 6.90),
        "D01": (10.84, 13.14), "D02": (11.24, 11.00), "D03": (15.67, 12.10),
        "E01": (43.55, 25.37), "E02": (11.71, 11.89), "F01": (3.44, 8.85),
        "F02": (11.25, 13.21), "F03": (11.57, 12.89), "G00": (39.07, 28.71),
        "H01": (5.55, 7.61), "H02": (10.55, 22.67), "H03": (13.90, 35.15),
        "I01": (40.00, 22.00), "I02": (25.31, 16.04), "J01": (9.83, 9.29),
        "J02": (14.02, 14.71), "J03": (5.94, 5.89), "K00": (6.40, 7.13),
        "L01": (2.64, 5.25), "L02": (0.21, 2.82), "L03": (10.65, 10.00),
        "L04": (6.66, 9.20), "L05": (1.34, 5.10), "L06": (3.69, 5.38), "L07": (8.22, 7.73),
        "M01": (0.00, 0.00), "M02": (6.68, 6.31), "N01": (5.03, 5.01), "N02": (4.07, 5.89),
        "N03": (2.07, 3.43), "N04": (6.76, 7.66), "N05": (9.76, 9.65), "N09": (4.57, 6.94),
        "O01": (0.40, 3.00), "O02": (1.31, 4.14), "O03": (1.27, 1.22),
        "P01": (5.47, 7.29), "P02": (5.91, 6.51), "P09": (7.19, 7.12), "Q00": (6.81, 6.78),
        "R01": (11.05, 11.31), "R02": (6.89, 10.14), "R03": (8.88, 9.36),
        "S01": (6.17, 7.05), "S02": (2.05, 7.01), "S03": (3.89, 6.51), "S04": (0.04, 0.70),
        "T01": (4.36, 7.11), "T02": (0.00, 0.00), "T03": (0.00, 0.27), "T04": (2.89, 1.66),
        "T05": (0.72, 3.20), "T06": (7.26, 7.09), "U01": (12.17, 11.49),
        "U02": (3.38, 3.90), "U03": (8.15, 7.91), "U04": (2.47, 1.84), "U05": (18.92, 13.19),
        "V01": (1.98, 5.24), "V02": (1.22, 2.25), "V03": (2.06, 2.60), "V04": (10.35, 12.89),
        "V05": (13.00, 13.11), "V06": (2.71, 4.77), "V09": (4.86, 7.28),
    },
    "EU27": {
        "A01": (1.66, 7.74), "A02": (38.11, 21.17), "B00": (29.77, 30.40),
        "C01": (8.32, 5.89), "C02": (8.54, 11.11), "C03": (15.75, 18.70),
        "D01": (1.79, 5.12), "D02": (3.00, 6.87), "D03": (2.57, 1.90),
        "E01": (11.63, 16.59), "E02": (10.93, 13.22), "F01": (0.00, 0.00),
        "F02": (5.64, 7.69), "F03": (7.62, 12.00), "G00": (36.12, 23.05),
        "H01": (18.97, 25.30), "H02": (4.52, 5.78), "H03": (17.62, 31.94),
        "I01": (0.00, 0.00), "I02": (0.00, 0.00), "J01": (3.90, 3.20),
        "J02": (4.10, 8.17), "J03": (3.16, 5.97), "K00": (9.74, 11.50),
        "L01": (0.12, 0.55), "L02": (0.07, 0.16), "L03": (2.98, 3.34),
        "L04": (1.58, 1.42), "L05": (2.50, 3.13), "L06": (1.14, 0.82), "L07": (2.53, 2.81),
        "M01": (0.00, 0.00), "M02": (2.19, 3.04), "N01": (3.61, 4.47), "N02": (4.40, 5.06),
        "N03": (0.00, 0.03), "N04": (5.74, 5.95), "N05": (3.00, 4.53), "N09": (3.47, 4.82),
        "O01": (1.89, 2.05), "O02": (0.00, 0.00), "O03": (0.78, 1.90),
        "P01": (5.55, 5.80), "P02": (5.46, 6.05), "P09": (7.42, 7.49), "Q00": (11.73, 11.47),
        "R01": (2.95, 2.56), "R02": (3.50, 3.07), "R03": (12.66, 11.05),
        "S01": (2.27, 1.88), "S02": (0.96, 1.55), "S03": (3.01, 3.28), "S04": (0.00, 0.00),
        "T01": (1.98, 2.51), "T02": (0.00, 0.00), "T03": (0.00, 0.00), "T04": (0.03, 0.18),
        "T05": (1.57, 2.28), "T06": (2.57, 2.63), "U01": (8.65, 8.48),
        "U02": (1.55, 1.73), "U03": (0.91, 1.27), "U04": (2.72, 4.36), "U05": (6.00, 5.44),
        "V01": (2.31, 2.44), "V02": (0.46, 0.73), "V03": (0.01, 0.05), "V04": (4.49, 4.19),
        "V05": (1.78, 2.14), "V06": (1.34, 2.20), "V09": (1.98, 2.74),
    },
    "IND": {
        "A01": (30.00, 30.00), "A02": (30.43, 33.68), "B00": (32.38, 35.20),
        "C01": (34.86, 39.88), "C02": (35.83, 31.92), "C03": (31.01, 30.67),
        "D01": (93.75, 75.00), "D02": (30.00, 30.00), "D03": (49.12, 41.03),
        "E01": (42.18, 38.96), "E02": (59.34, 36.00), "F01": (39.43, 35.50),
        "F02": (36.99, 37.86), "F03": (87.50, 80.64), "G00": (94.35, 51.47),
        "H01": (32.01, 43.41), "H02": (119.23, 140.56), "H03": (30.41, 32.50),
        "I01": (5.20, 13.00), "I02": (4.85, 8.50), "J01": (25.69, 30.50),
        "J02": (33.32, 30.87), "J03": (30.00, 30.00), "K00": (29.41, 29.96),
        "L01": (9.97, 9.86), "L02": (7.56, 9.76), "L03": (10.33, 12.82),
        "L04": (14.42, 16.36), "L05": (8.82, 7.40), "L06": (15.68, 15.43),
        "L07": (11.88, 11.57), "M01": (5.00, 5.00), "M02": (10.00, 10.00),
        "N01": (10.15, 9.44), "N02": (9.85, 9.97), "N03": (9.98, 9.89), "N04": (10.48, 10.89),
        "N05": (7.42, 7.50), "N09": (12.17, 11.42), "O01": (7.99, 8.94), "O02": (8.56, 9.04),
        "O03": (24.82, 24.53), "P01": (11.52, 10.38), "P02": (7.33, 12.43),
        "P09": (16.02, 13.67), "Q00": (19.94, 19.88), "R01": (14.11, 12.11),
        "R02": (10.98, 10.80), "R03": (33.09, 33.20), "S01": (9.07, 8.49),
        "S02": (7.50, 7.51), "S03": (10.37, 10.60), "S04": (1.06, 2.44),
        "T01": (13.57, 11.06), "T02": (0.00, 0.00), "T03": (8.75, 8.97), "T04": (14.06, 12.11),
        "T05": (14.95, 11.02), "T06": (15.42, 15.37), "U01": (26.42, 51.39),
        "U02": (10.00, 10.00), "U03": (10.01, 16.60), "U04": (3.25, 8.32),
        "U05": (22.83, 27.20), "V01": (11.37, 9.64), "V02": (7.39, 7.01), "V03": (9.98, 9.92),
        "V04": (18.06, 14.48), "V05": (10.00, 9.47), "V06": (26.27, 21.28),
        "V09": (14.49, 13.87),
    },
    "JPN": {
        "A01": (1.57, 1.43), "A02": (45.81, 15.59), "B00": (36.02, 60.21),
        "C01": (10.06, 7.30), "C02": (12.14, 15.49), "C03": (13.44, 14.85),
        "D01": (4.29, 13.36), "D02": (16.32, 12.89), "D03": (2.58, 2.13),
        "E01": (33.22, 30.31), "E02": (22.04, 17.81), "F01": (1.57, 64.72),
        "F02": (5.06, 3.56), "F03": (2.53, 3.69), "G00": (68.54, 30.79),
        "H01": (18.03, 19.68), "H02": (7.24, 10.17), "H03": (1.34, 6.02),
        "I01": (0.00, 0.00), "I02": (27.09, 13.36), "J01": (3.56, 2.78),
        "J02": (6.66, 5.32), "J03": (0.79, 0.54), "K00": (4.79, 5.67),
        "L01": (0.01, 0.79), "L02": (0.01, 0.15), "L03": (0.71, 1.06),
        "L04": (3.57, 2.35), "L05": (1.12, 1.95), "L06": (0.38, 0.40), "L07": (1.09, 1.22),
        "M01": (0.00, 0.00), "M02": (1.18, 0.80), "N01": (1.35, 2.36), "N02": (1.52, 2.21),
        "N03": (0.04, 0.10), "N04": (3.18, 3.50), "N05": (0.00, 0.00), "N09": (1.05, 1.81),
        "O01": (1.95, 2.36), "O02": (0.00, 0.00), "O03": (0.77, 0.42),
        "P01": (3.81, 4.35), "P02": (5.86, 6.15), "P09": (5.86, 5.28), "Q00": (9.24, 8.94),
        "R01": (0.08, 0.16), "R02": (11.81, 12.41), "R03": (16.10, 17.98),
        "S01": (0.00, 0.00), "S02": (0.00, 0.00), "S03": (0.00, 0.00), "S04": (0.00, 0.00),
        "T01": (0.09, 0.13), "T02": (0.00, 0.00), "T03": (0.00, 0.00), "T04": (0.00, 0.00),
        "T05": (0.00, 0.00), "T06": (0.00, 0.00), "U01": (0.00, 0.00),
        "U02": (0.00, 0.00), "U03": (0.00, 0.00), "U04": (0.00, 0.00), "U05": (0.00, 0.00),
        "V01": (0.52, 0.52), "V02": (0.00, 0.00), "V03": (0.00, 0.00), "V04": (0.08, 0.19),
        "V05": (7.95, 6.97), "V06": (0.26, 0.82), "V09": (1.23, 1.61),
    },
}
PIIE_CHINA = ("Chad P. Bown, 'US-China Trade War Tariffs: An Up-to-Date Chart', PIIE Charts "
              "(2025 edition): China's average tariff on US exports 32.6 percent, 'rising by "
              "11.4 percentage points' since 20 Jan 2025; 32.6 - 11.4 = 21.2 (as in the default "
              "baseline)")
PIIE_CHINA_RATE = 0.212
#: Partner -> (uniform rate on US goods, source_key) for partners without sector detail.
UNIFORM_PARTNER_RATES = {
    "CAN": 0.0, "MEX": 0.0, "KOR": 0.0, "AUS": 0.0, "SGP": 0.0, "HKG": 0.0,
    "VNM": 0.051, "KHM": 0.102, "BRA": 0.111,
}


# ----------------------------------------------------------------------- reading
@dataclass
class Reader:
    """Reads input files and records their sha256 (for the manifest)."""

    raw: Path
    facts: Path
    read: list = field(default_factory=list)

    def _record(self, role: str, path: Path, data: bytes, name: str | None = None) -> None:
        self.read.append(dict(role=role, file=name or path.name, bytes=len(data),
                              sha256=hashlib.sha256(data).hexdigest()))

    def bytes(self, folder: str, name: str) -> bytes:
        base = self.raw if folder == "raw" else self.facts
        path = base / name
        if not path.exists():
            raise SystemExit(f"missing input file {path}; pass --{folder} PATH")
        data = path.read_bytes()
        self._record(folder, path, data, f"{folder}/{name}")
        return data

    def csv(self, folder: str, name: str, **kw) -> pd.DataFrame:
        data = self.bytes(folder, name)
        comp = "gzip" if name.endswith(".gz") else None
        return pd.read_csv(io.BytesIO(data), compression=comp, **kw)


def _icio_bytes(path: Path) -> tuple[bytes, str]:
    if path.is_dir():
        cands = sorted(path.glob("*.npz")) + sorted(path.glob("sanction_simulator-*.whl"))
        if not cands:
            raise SystemExit(f"no bench_cache.npz or sanction_simulator wheel in {path}")
        path = cands[0]
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as zf:
            return zf.read(ICIO_MEMBER), f"{path.name}!{ICIO_MEMBER}"
    return path.read_bytes(), path.name


@dataclass
class Icio:
    """The OECD ICIO 2022 arrays at 80 economies x 50 industries."""

    countries: list
    industries: list
    X: np.ndarray     # (S, C, S, C) intermediate flows [sell ind, sell cty, buy ind, buy cty]
    go: np.ndarray    # (S, C) gross output
    z: np.ndarray     # (S, C) sales not to ICIO intermediate use (final + dropped ROW)
    va: np.ndarray    # (C,) gross output - ICIO intermediate inputs (value added + taxes
    #                   less subsidies on products + inputs from ICIO's dropped ROW)


def read_icio(path: Path, reader: Reader) -> Icio:
    data, name = _icio_bytes(path)
    sha = hashlib.sha256(data).hexdigest()
    if not (sha.startswith(ICIO_SHA_PREFIX) and sha.endswith(ICIO_SHA_SUFFIX)):
        raise SystemExit(f"{name}: sha256 {sha} is not the file raw/README.md names "
                         f"({ICIO_SHA_PREFIX}...{ICIO_SHA_SUFFIX}).")
    # recorded under one name whether read from the wheel or the extracted file
    reader.read.append(dict(role="icio", file="bench_cache.npz", bytes=len(data), sha256=sha))
    z = np.load(io.BytesIO(data), allow_pickle=False)
    countries = [str(c) for c in z["countries"]]
    industries = [str(s) for s in z["sectors"]]
    S, C = len(industries), len(countries)
    go = z["go"]
    X = (z["A"] * (z["omb"] * go)[None, :]).reshape(S, C, S, C)
    va = ((1.0 - z["omb"]) * go).reshape(S, C).sum(axis=0)
    return Icio(countries, industries, X, go.reshape(S, C), z["z"].reshape(S, C), va)


def impute_final(icio: Icio) -> np.ndarray:
    """Final sales F[s, i, d] of industry s of country i to country d (method step 2)."""
    Xout = icio.X.sum(axis=2)                     # (S, C sell, C buy)
    S, C = icio.go.shape
    F = np.zeros_like(Xout)
    for s in range(S):
        M = Xout[s]
        col = M.sum(axis=0)
        sh = np.where(col > 0, M / np.where(col > 0, col, 1.0), 0.0)
        sh[np.arange(C), np.arange(C)] += np.where(col > 0, 0.0, 1.0)  # no purchases: home
        fd, _ = nnls(sh, icio.z[s], maxiter=50 * C)
        F[s] = sh * fd[None, :]
    rows = F.sum(axis=2)
    scale = np.where(rows > 0, icio.z / np.where(rows > 0, rows, 1.0), 0.0)
    F *= scale[:, :, None]
    # sellers whose buyers got no final demand: their final sales stay at home
    lost = (rows <= 0) & (icio.z > 0)
    si, ci = np.nonzero(lost)
    F[si, ci, ci] = icio.z[si, ci]
    return F


def economy_of(iso: str) -> str:
    if iso in SINGLES:
        return iso
    return "EU27" if iso in EU27_MEMBERS else "ROW"


def indicator(labels: list, groups: tuple, of) -> np.ndarray:
    m = np.zeros((len(labels), len(groups)))
    for a, lab in enumerate(labels):
        m[a, groups.index(of(lab))] = 1.0
    return m


@dataclass
class IcioAgg:
    T: np.ndarray        # (E, E, J) sales e -> n by sector (intermediate + imputed final)
    Tint: np.ndarray     # (E, E, J) intermediate part
    inputs: np.ndarray   # (E, J, J) [country, input sector, using sector]
    go: np.ndarray       # (E, J)
    T80: np.ndarray      # (C, C) goods sales i -> d at ICIO country level
    countries: list


def aggregate(icio: Icio, F: np.ndarray) -> IcioAgg:
    Mc = indicator(icio.countries, ECONOMIES, economy_of)
    Ms = indicator(icio.industries, SECTORS, ICIO_TO_SECTOR.get)
    Xout = icio.X.sum(axis=2)
    Xin = icio.X.sum(axis=1)                       # (S sell, S buy, C buy)
    Tint = np.einsum("sid,ie,dn,sk->enk", Xout, Mc, Mc, Ms, optimize=True)
    Tfin = np.einsum("sid,ie,dn,sk->enk", F, Mc, Mc, Ms, optimize=True)
    inputs = np.einsum("abd,ak,bj,dn->nkj", Xin, Ms, Ms, Mc, optimize=True)
    go = np.einsum("si,ie,sk->ek", icio.go, Mc, Ms, optimize=True)
    goods = np.array([ICIO_TO_SECTOR[s] in GOODS_SECTORS for s in icio.industries])
    T80 = (Xout + F)[goods].sum(axis=0)
    return IcioAgg(Tint + Tfin, Tint, inputs, go, T80, icio.countries)


# ----------------------------------------------------------------------- helpers
def round_keep_sum(values: np.ndarray, total: float, decimals: int = 3) -> np.ndarray:
    """Round to ``decimals`` so that the rounded values add up to ``round(total)``."""
    q = 10.0 ** decimals
    scaled = np.asarray(values, dtype=float) * q
    base = np.floor(scaled)
    short = int(round(round(total, decimals) * q - base.sum()))
    if short:
        order = np.argsort(-(scaled - base), kind="stable")
        base[order[:short]] += 1.0
    return base / q


def _split(total: float, weights: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    w = weights if weights.sum() > 0 else fallback
    return total * w / w.sum()


# ----------------------------------------------------------------------- US flows
def census_maps(reader: Reader) -> tuple[dict, dict]:
    cc = reader.csv("raw", "census_country_codes.csv", dtype=str)
    code_iso = dict(zip(cc.CTY_CODE, cc.ISO3, strict=True))
    name_iso = dict(zip(cc.country, cc.ISO3, strict=True))
    return code_iso, name_iso


def chapter_split(hs10: pd.DataFrame) -> pd.DataFrame:
    """Share of each sector in each HS chapter's 2024 US imports (all partners)."""
    g = hs10.groupby(["hs2", "sector"]).imports_usd.sum().unstack(fill_value=0.0)
    g = g.reindex(columns=list(GOODS_SECTORS), fill_value=0.0)
    return g.div(g.sum(axis=1), axis=0)


@dataclass
class UsData:
    imports: pd.DataFrame   # economy x sector, USD million (consumption basis)
    duty: pd.DataFrame      # economy x sector, USD million
    exports: pd.DataFrame   # economy x sector, USD million (FAS, DataWeb)
    split: pd.DataFrame     # chapter x sector shares
    hs10_method: pd.Series  # import value by hs_to_icio method


def us_data(reader: Reader) -> UsData:
    code_iso, name_iso = census_maps(reader)
    hs10 = reader.csv("raw", "us_imports_2024_by_partner_hs10.csv.gz",
                      dtype={"cty_code": str, "hs10": str})
    hs2 = reader.csv("raw", "us_imports_2024_by_partner_hs2.csv",
                     dtype={"cty_code": str, "hs2": str})
    look = hs_to_icio(pd.Series(hs10.hs10.unique()))
    sec = dict(zip(look.code, look.sector, strict=True))
    meth = dict(zip(look.code, look.method, strict=True))
    hs10 = hs10.assign(sector=goods_sector(hs10.hs10, hs10.hs10.map(sec)),
                       hs2=hs10.hs10.str[:2])
    method = hs10.assign(m=hs10.hs10.map(meth)).groupby("m").imports_usd.sum()
    split = chapter_split(hs10)

    def econ_of_code(c: str) -> str:
        if c == CENSUS_EU:
            return "EU27"
        if c not in code_iso:
            if c in ("5082", "5083"):           # Gaza / West Bank
                return "ROW"
            raise SystemExit(f"Census country code {c} without ISO3")
        return economy_of(code_iso[c])

    in10 = set(hs10.cty_code)
    # partners of the HS10 file (the EU as its 0003 aggregate)
    a = hs10.assign(econ=hs10.cty_code.map(econ_of_code))
    by10 = a.groupby(["econ", "sector"])[["imports_usd", "duty_usd"]].sum()
    # other partners: chapters split across sectors; EU members are in 0003 already
    eu_codes = {c for c, iso in code_iso.items() if iso in EU27_MEMBERS}
    b = hs2[~hs2.cty_code.isin(in10) & ~hs2.cty_code.isin(eu_codes) & (hs2.cty_code != CENSUS_EU)]
    b = b.assign(econ=b.cty_code.map(econ_of_code))
    if set(b.econ) - {"ROW"}:
        raise SystemExit(f"named economies missing from the HS10 file: {set(b.econ) - {'ROW'}}")
    ch = b.groupby("hs2")[["imports_usd", "duty_usd"]].sum()
    ch = ch.reindex(split.index).fillna(0.0)
    extra = pd.DataFrame({"imports_usd": split.mul(ch.imports_usd, axis=0).sum(),
                          "duty_usd": split.mul(ch.duty_usd, axis=0).sum()})
    extra.index = pd.MultiIndex.from_product([["ROW"], extra.index], names=["econ", "sector"])
    tot = by10.add(extra, fill_value=0.0)
    imports = tot.imports_usd.unstack(fill_value=0.0).reindex(
        index=[e for e in ECONOMIES if e != "USA"], columns=list(GOODS_SECTORS),
        fill_value=0.0) / 1e6
    duty = tot.duty_usd.unstack(fill_value=0.0).reindex_like(imports).fillna(0.0) / 1e6

    ex = reader.csv("raw", "us_exports_2020_2024_by_partner_hs2_dataweb.csv", dtype=str)
    ex = ex.dropna(subset=["HTS Number", "Country"])
    ex["v"] = pd.to_numeric(ex["2024"].str.replace(",", ""), errors="raise") / 1e6
    iso = ex.Country.map(lambda n: name_iso.get(n, DATAWEB_NAMES.get(n)))
    if iso.isna().any():
        raise SystemExit(f"DataWeb countries without ISO3: {sorted(ex.Country[iso.isna()])[:5]}")
    ex["econ"] = iso.map(economy_of)
    ex["hs2"] = ex["HTS Number"].str.zfill(2)
    missing = sorted(set(ex.hs2) - set(split.index))
    if missing:
        raise SystemExit(f"export chapters without an import split: {missing}")
    exs = ex.groupby(["econ", "hs2"]).v.sum().unstack(fill_value=0.0)
    exports = exs.reindex(columns=split.index, fill_value=0.0) @ split
    exports = exports.reindex(index=imports.index, fill_value=0.0)
    return UsData(imports, duty, exports, split, method)


def us_flows(us: UsData, facts_census: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """US imports (rows exporter->USA) and exports (USA->importer) by goods sector, scaled.

    Returns a long frame and the totals used per partner.
    """
    fc = facts_census.set_index("partner")
    rows, totals = [], {}
    partners = [e for e in ECONOMIES if e != "USA"]
    named = {code: name for name, code in CENSUS_FACTS.items()}
    for flow, df, world in (("imports", us.imports, US_TOTALS_2024["imports"]),
                            ("exports", us.exports, US_TOTALS_2024["exports"])):
        col = f"{flow}_2024_musd"
        tot = {}
        for p in partners:
            if p in named:
                tot[p] = (float(fc.loc[named[p], col]), "census2024_feb2025")
            elif p != "ROW":
                tot[p] = (round(float(df.loc[p].sum()), 1), f"census2024_{flow}_raw")
        tot["ROW"] = (round(world - sum(v for v, _ in tot.values()), 1),
                      "census2024_residual")
        for p in partners:
            value, key = tot[p]
            comp = df.loc[p].to_numpy()
            vals = round_keep_sum(value * comp / comp.sum(), value)
            for s, v in zip(GOODS_SECTORS, vals, strict=True):
                e, i = (p, "USA") if flow == "imports" else ("USA", p)
                rows.append((e, i, s, v, key))
            totals[(flow, p)] = (value, key, float(comp.sum()))
    return pd.DataFrame(rows, columns=["exporter", "importer", "sector", "value",
                                       "source_key"]), totals


# ----------------------------------------------------------------------- other goods pairs
def goods_totals(reader: Reader, agg: IcioAgg) -> dict:
    """Bilateral goods totals (e, n) -> (value, source_key) for pairs without the US."""
    baci = reader.csv("facts", "baci2023_goods_bilateral_long.csv")
    patch = reader.csv("facts", "patch_missing_pairs_2023.csv")
    twn = reader.csv("facts", "taiwan_exports_by_destination.csv")
    b = {(r.exporter, r.importer): float(r.value_musd) for r in baci.itertuples()}
    out: dict = {}
    for (e, n), v in b.items():
        if e != n and "USA" not in (e, n):
            out[(e, n)] = (v, "baci2023")
    for r in patch.itertuples():
        if pd.notna(r.value_musd):
            out[(r.exporter, r.importer)] = (float(r.value_musd), "national_patch_2023")
    E = {c: k for k, c in enumerate(ECONOMIES)}
    Tg = agg.T[:, :, [SECTORS.index(s) for s in GOODS_SECTORS]].sum(axis=2)
    # KOR <-> PHL: BACI false zero, no national figure -> ICIO 2022
    for e, n in (("KOR", "PHL"), ("PHL", "KOR")):
        out[(e, n)] = (float(Tg[E[e], E[n]]), "icio2022_fill")
    # CHE out of BACI's ROW, with ICIO shares among ICIO economies of ROW + CHE
    ch, rw = E["CHE"], E["ROW"]
    for c in BACI_CODES:
        if c in ("USA", "ROW"):
            continue
        k = E[c]
        v, key = out.pop(("ROW", c))
        s = Tg[ch, k] / (Tg[ch, k] + Tg[rw, k])
        out[("CHE", c)] = (v * s, "baci2023_che_split")
        out[("ROW", c)] = (v * (1 - s), key)
        v, key = out.pop((c, "ROW"))
        s = Tg[k, ch] / (Tg[k, ch] + Tg[k, rw])
        out[(c, "CHE")] = (v * s, "baci2023_che_split")
        out[(c, "ROW")] = (v * (1 - s), key)
    # CHE <-> rest of ROW from BACI's intra-ROW trade (international only)
    C80 = agg.countries
    rowm = np.array([economy_of(c) == "ROW" for c in C80])
    t80 = agg.T80.copy()
    np.fill_diagonal(t80, 0.0)
    intra = t80[np.ix_(rowm, rowm)].sum()
    base = intra + Tg[ch, rw] + Tg[rw, ch]
    v = b[("ROW", "ROW")]
    out[("CHE", "ROW")] = (v * Tg[ch, rw] / base, "baci2023_che_split")
    out[("ROW", "CHE")] = (v * Tg[rw, ch] / base, "baci2023_che_split")
    # Taiwan
    t = twn[twn.year == 2023].set_index("destination")
    world = float(t.loc["WORLD", "value_musd"])
    chn = world * float(t.loc["CHN", "share_of_total_pct"]) / 100
    parts = {"CHN": chn, "HKG": float(t.loc["CHN+HKG", "value_musd"]) - chn}
    shares = {g: world * float(t.loc[g, "share_of_total_pct"]) / 100
              for g in ("USA", "ASEAN", "EUROPE", "JPN")}
    parts["JPN"] = shares["JPN"]
    rest = world - float(t.loc["CHN+HKG", "value_musd"]) - sum(shares.values())
    tw = C80.index("TWN")
    row80 = agg.T80[tw]

    def spread(total: float, members: list) -> dict:
        w: dict = {}
        for c in members:
            w[economy_of(c)] = w.get(economy_of(c), 0.0) + row80[C80.index(c)]
        s = sum(w.values())
        return {k: total * x / s for k, x in w.items()}

    groups = {"ASEAN": [c for c in ASEAN if c in C80],
              "EUROPE": [c for c in EUROPE if c in C80]}
    for g, members in groups.items():
        for k, x in spread(shares[g], members).items():
            parts[k] = parts.get(k, 0.0) + x
    covered = {"USA", "CHN", "HKG", "JPN", "TWN"} | set(groups["ASEAN"]) | set(groups["EUROPE"])
    others = [c for c in C80 if c not in covered]
    for k, x in spread(rest, others).items():
        parts[k] = parts.get(k, 0.0) + x
    for k, x in parts.items():
        out[("TWN", k)] = (x, "taiwan_mof2023")
    imp = twn[(twn.year == 2023) & (twn.destination == "IMPORTS_FROM_WORLD")].value_musd
    imp = float(imp.iloc[0])
    col = Tg[:, E["TWN"]].copy()
    col[E["TWN"]] = 0.0
    for c in ECONOMIES:
        if c not in ("TWN", "USA"):
            out[(c, "TWN")] = (imp * col[E[c]] / col.sum(), "taiwan_mof2023_imports")
    return out


def split_goods(totals: dict, agg: IcioAgg) -> pd.DataFrame:
    E = {c: k for k, c in enumerate(ECONOMIES)}
    gi = [SECTORS.index(s) for s in GOODS_SECTORS]
    Tg = agg.T[:, :, gi]
    rows = []
    for (e, n), (v, key) in sorted(totals.items(), key=lambda kv: (E[kv[0][0]], E[kv[0][1]])):
        exp_all = Tg[E[e]].sum(axis=0) - Tg[E[e], E[e]]
        vals = _split(v, Tg[E[e], E[n]], exp_all)
        for s, x in zip(GOODS_SECTORS, vals, strict=True):
            rows.append((e, n, s, round(x, 3), key))
    return pd.DataFrame(rows, columns=["exporter", "importer", "sector", "value", "source_key"])


def services(agg: IcioAgg, scale: dict) -> pd.DataFrame:
    rows = []
    for a, e in enumerate(ECONOMIES):
        for b, n in enumerate(ECONOMIES):
            if a == b:
                continue
            for s in SERVICE_SECTORS:
                v = agg.T[a, b, SECTORS.index(s)] * scale[e]
                rows.append((e, n, s, round(v, 3), "icio2022_services"))
    return pd.DataFrame(rows, columns=["exporter", "importer", "sector", "value", "source_key"])


# ----------------------------------------------------------------------- scaling, output
def gdp_scale(reader: Reader, icio: Icio) -> tuple[dict, dict]:
    """Scale of ICIO 2022 output per economy, and a note on each: nominal USD GDP 2023 /
    2022 (WDI); for ROW also its coverage (WDI GDP of all economies not named / the ICIO
    value added of ROW's ICIO economies)."""
    w = reader.csv("facts", "wdi_gdp_2022_2023.csv").set_index("iso3")
    named = [c for c in SINGLES if c not in ("TWN", "CHE")]
    g = {c: w.loc[c, "gdp_2023_usd"] / w.loc[c, "gdp_2022_usd"] for c in named}
    note = {c: f"WDI GDP {c} 2023/2022" for c in named}
    g["EU27"] = w.loc["EUU", "gdp_2023_usd"] / w.loc["EUU", "gdp_2022_usd"]
    note["EU27"] = "WDI GDP EUU 2023/2022"
    rest = [w.loc["WLD", y] - w.loc[named, y].sum() - w.loc["EUU", y]
            for y in ("gdp_2022_usd", "gdp_2023_usd")]
    g["ROW"] = g["CHE"] = rest[1] / rest[0]
    note["CHE"] = ("WDI GDP (World - 18 named economies - EUU) 2023/2022 (Switzerland is "
                   "inside that aggregate)")
    va = dict(zip(icio.countries, icio.va, strict=True))
    row_va = sum(v for c, v in va.items() if economy_of(c) == "ROW")
    cover = (rest[0] / 1e6 - va["CHE"]) / row_va
    g["ROW"] *= cover
    note["ROW"] = (f"coverage x growth = {cover:.4f} x {rest[1] / rest[0]:.4f}: WDI GDP 2022 "
                   f"of World - 18 named economies - EUU ({rest[0] / 1e6:,.0f}) minus CHE's "
                   f"ICIO value added ({va['CHE']:,.0f}) over the ICIO value added of ROW's "
                   f"ICIO economies ({row_va:,.0f}): ICIO's dropped rest of the world, "
                   f"assumed to have the sector mix of ROW's ICIO economies; then WDI GDP "
                   f"(World - 18 named - EUU) 2023/2022")
    g["TWN"] = 1.0
    note["TWN"] = "Taiwan is not in WDI: ICIO 2022 output kept unscaled"
    return g, note


def partner_tariffs(us_exports: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Partners' applied tariffs on US goods by sector, with the source key of each."""
    rows = []
    for p in ECONOMIES:
        if p == "USA":
            continue
        for s in GOODS_SECTORS:
            if p in WTO_MTN_2023:
                vals = [WTO_MTN_2023[p][c][0] for c in MTN_OF_SECTOR[s]]
                rate, key = float(np.mean(vals)) / 100, "wto_mfn2023_mtn"
            elif p in UNIFORM_PARTNER_RATES:
                rate = UNIFORM_PARTNER_RATES[p]
                key = {"CAN": "fta_usmca", "MEX": "fta_usmca", "KOR": "fta_korus",
                       "AUS": "fta_ausfta", "SGP": "fta_ussfta", "HKG": "hkg_free_port",
                       "VNM": "wto_ttd_vnm", "KHM": "wto_wtp2023", "BRA": "wto_wtp2023"}[p]
            else:
                rate, key = 0.0, "not_transcribed"
            rows.append(["USA", p, s, rate, key])
    df = pd.DataFrame(rows, columns=["exporter", "importer", "sector", "rate", "source_key"])
    # China: MFN + a uniform retaliation premium so that the mean weighted by 2024 US exports
    # equals the PIIE trade-weighted average (21.2%).
    m = df.importer == "CHN"
    w = us_exports.loc["CHN"].reindex(df.loc[m, "sector"]).to_numpy()
    mfn = df.loc[m, "rate"].to_numpy()
    premium = PIIE_CHINA_RATE - float((w * mfn).sum() / w.sum())
    df.loc[m, "rate"] = mfn + premium
    df.loc[m, "source_key"] = "wto_mfn2023_mtn+piie"
    df["rate"] = df["rate"].round(6)
    return df, {"china_premium": premium, "china_mfn_mean": float((w * mfn).sum() / w.sum())}


def us_tariffs(us: UsData) -> pd.DataFrame:
    rows = []
    for p in us.imports.index:
        imp, dut = us.imports.loc[p], us.duty.loc[p]
        mean = dut.sum() / imp.sum()
        for s in GOODS_SECTORS:
            if imp[s] > 0:
                rate, key = dut[s] / imp[s], "census2024_duty"
            else:
                rate, key = mean, "census2024_duty_partner_mean"
            rows.append([p, "USA", s, round(float(rate), 6), key])
    return pd.DataFrame(rows, columns=["exporter", "importer", "sector", "rate", "source_key"])


def final_use_adjustment(flows: pd.DataFrame, tariffs: pd.DataFrame, io_share: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Input shares scaled so that every country-sector keeps some final use (step 8).

    With the flows and tariffs as written, absorption (gross of tariffs, as the GE
    calibration reads it) is ``A[n,k] = sum_i X[i,n,k] (1 + tau[i,n,k])`` and intermediate
    use is ``U[n,k] = sum_j io[n,k,j] Y[n,j]`` (``Y`` gross output). Final use ``A - U`` must
    not be negative for the baseline to be an equilibrium of the calibrated model; where
    ``U > (1 - MIN_FINAL_SHARE) A`` the shares of input k in every sector of n are scaled by
    ``s[n,k] = (1 - MIN_FINAL_SHARE) A[n,k] / U[n,k]`` and the difference goes to value added.
    Flows (and so every trade figure) are untouched. Returns the shares and ``s``.
    """
    E = {c: k for k, c in enumerate(ECONOMIES)}
    J = {s: k for k, s in enumerate(SECTORS)}
    n, j = len(ECONOMIES), len(SECTORS)
    X = np.zeros((n, n, j))
    X[flows.exporter.map(E), flows.importer.map(E), flows.sector.map(J)] = flows.value
    tau = np.zeros((n, n, j))
    tau[tariffs.exporter.map(E), tariffs.importer.map(E), tariffs.sector.map(J)] = tariffs.rate
    absorb = (X * (1 + tau)).sum(axis=0)                             # (importer, sector)
    use = np.einsum("nkj,nj->nk", io_share, X.sum(axis=1))
    cap = (1 - MIN_FINAL_SHARE) * absorb
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(use > cap, cap / np.where(use > 0, use, 1.0), 1.0)
    return np.round(io_share * scale[:, :, None], 12), scale


# ----------------------------------------------------------------------- main build
def build(raw: Path, facts: Path, icio_path: Path) -> tuple[dict, dict, Reader]:
    reader = Reader(raw, facts)
    icio = read_icio(icio_path, reader)
    F = impute_final(icio)
    agg = aggregate(icio, F)
    scale, scale_note = gdp_scale(reader, icio)
    del icio
    us = us_data(reader)
    census = reader.csv("facts", "us_goods_trade_by_partner_2024.csv",
                        dtype={"census_cty_code": str})
    us_rows, us_tot = us_flows(us, census)
    totals = goods_totals(reader, agg)
    goods = split_goods(totals, agg)
    serv = services(agg, scale)
    trade = pd.concat([us_rows, goods, serv], ignore_index=True)
    E = {c: k for k, c in enumerate(ECONOMIES)}
    J = {s: k for k, s in enumerate(SECTORS)}
    n, j = len(ECONOMIES), len(SECTORS)
    X = np.zeros((n, n, j))
    X[trade.exporter.map(E), trade.importer.map(E), trade.sector.map(J)] = trade.value
    exports = X.sum(axis=1)                                          # (E, J)
    go_icio = agg.go
    go_scaled = go_icio * np.array([scale[c] for c in ECONOMIES])[:, None]
    # input shares of ICIO output
    with np.errstate(invalid="ignore", divide="ignore"):
        io_share = np.where(go_icio[:, None, :] > 0,
                            agg.inputs / np.where(go_icio > 0, go_icio, 1.0)[:, None, :], 0.0)
    # entrepot adjustment where exports exceed MAX_EXPORT_SHARE of output
    floor = (1 - MAX_EXPORT_SHARE) * go_scaled
    domestic = go_scaled - exports
    excess = np.where(domestic < floor, floor - domestic, 0.0)
    domestic = np.maximum(domestic, floor)
    go = go_scaled + excess
    with np.errstate(invalid="ignore", divide="ignore"):
        keep = np.where(go > 0, go_scaled / np.where(go > 0, go, 1.0), 1.0)
    io_final = io_share * keep[:, None, :]
    diag = np.arange(j)
    with np.errstate(invalid="ignore", divide="ignore"):
        io_final[:, diag, diag] += np.where(go > 0, excess / np.where(go > 0, go, 1.0), 0.0)
    # no ICIO output at all but some exports (SGP mining, 0.6 USD million): no production
    # structure to keep, so the cell is value added only (as read_icio does for empty rows)
    empty = (go_scaled <= 0) & (go > 0)
    io_final[np.broadcast_to(empty[:, None, :], io_final.shape)] = 0.0
    io_final = np.round(io_final, 12)
    dom_rows = [(c, c, s, round(float(domestic[a, J[s]]), 3), "icio2022_domestic")
                for a, c in enumerate(ECONOMIES) for s in SECTORS]
    flows = pd.concat([trade, pd.DataFrame(dom_rows, columns=trade.columns)],
                      ignore_index=True)
    flows = flows[flows.value != 0].copy()
    flows["o"] = flows.exporter.map(E) * n * j + flows.importer.map(E) * j + flows.sector.map(J)
    flows = flows.sort_values("o").drop(columns="o").reset_index(drop=True)

    tariffs_us = us_tariffs(us)
    tariffs_p, tinfo = partner_tariffs(us.exports)
    tariffs = pd.concat([tariffs_us, tariffs_p], ignore_index=True)
    io_final, input_scale = final_use_adjustment(flows, tariffs, io_final)
    va = 1.0 - io_final.sum(axis=1)

    io_rows = [(c, k, s, float(io_final[a, J[k], J[s]]))
               for a, c in enumerate(ECONOMIES) for k in SECTORS for s in SECTORS
               if io_final[a, J[k], J[s]] != 0]
    io_df = pd.DataFrame(io_rows, columns=["country", "input_sector", "sector", "share"])
    imports = X.sum(axis=0)
    out_rows = []
    for a, c in enumerate(ECONOMIES):
        for s in SECTORS:
            k = J[s]
            out_rows.append(dict(
                country=c, sector=s, gross_output_icio2022=round(float(go_icio[a, k]), 3),
                scale_2023=round(float(scale[c]), 12),
                gross_output=round(float(go[a, k]), 3),
                entrepot_excess=round(float(excess[a, k]), 3),
                value_added_share=round(float(va[a, k]), 12),
                domestic_sales=round(float(domestic[a, k]), 3),
                exports=round(float(exports[a, k]), 3), imports=round(float(imports[a, k]), 3),
                input_use_scale=round(float(input_scale[a, k]), 12)))
    output = pd.DataFrame(out_rows)
    econ = pd.DataFrame([dict(code=c, scale_2023_note=scale_note[c],
                              icio_members=" ".join(x for x in agg.countries
                                                    if economy_of(x) == c))
                         for c in ECONOMIES])
    split = us.split.stack()
    split = split[split > 0].round(12).rename("share").reset_index()
    split.columns = ["hs2", "sector", "share"]
    frames = dict(flows=flows, tariffs=tariffs, io=io_df, output=output, economies=econ,
                  us_chapter_split=split)
    info = dict(us_totals=us_tot, tariffs=tinfo, hs10_method=us.hs10_method,
                chapter_split=us.split)
    return frames, info, reader


def write(frames: dict, reader: Reader, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in frames.items():
        path = out / f"{name}.csv"
        data = df.to_csv(index=False, lineterminator="\n").encode()
        path.write_bytes(data)
        written.append(dict(role="output", file=f"sectoral_2024/{name}.csv", bytes=len(data),
                            sha256=hashlib.sha256(data).hexdigest()))
    src = pd.DataFrame(SOURCES, columns=["source_key", "block", "source", "method",
                                         "confidence"])
    data = src.to_csv(index=False, lineterminator="\n").encode()
    (out / "sources.csv").write_bytes(data)
    written.append(dict(role="output", file="sectoral_2024/sources.csv", bytes=len(data),
                        sha256=hashlib.sha256(data).hexdigest()))
    man = pd.DataFrame(reader.read + written)[["role", "file", "bytes", "sha256"]]
    (out / "manifest.csv").write_bytes(man.to_csv(index=False, lineterminator="\n").encode())


BACI_SRC = ("CEPII BACI HS22 V202501 year 2023 (sum of HS6 flows, reconciled mirror data), "
            "as aggregated in the replication package of Ignatenko, Macedoni, Lashkaripour & "
            "Simonovska (2025), github.com/JoeLoera/liberation-day-replication@"
            "e1f26fdbebd5de80daaad03bdb8dbca1cf24e22d:data/base_data/trade_cepii.csv; "
            "transcribed in facts/baci2023_goods_bilateral_long.csv")
ICIO_SRC = ("OECD Inter-Country Input-Output tables, 2025 release, year 2022 (CC BY 4.0), "
            "80 economies x 50 industries, USD million, as the arrays of "
            "sanction_simulator/data/bench_cache.npz in the PyPI wheel sanction-simulator==0.1.4 "
            "(MIT; wheel sha256 1c29bce6...4eae4909, npz sha256 572753a9...92f61c7); ICIO's "
            "rest of the world is not in the arrays")
CENSUS_SRC = ("US Census Bureau 'U.S. Trade in Goods by Country' 2024, Feb-2025 vintage "
              "(facts/us_goods_trade_by_partner_2024.csv)")
HS10_SRC = ("US Census Bureau imports for consumption (CON_VAL) and calculated duty (CAL_DUT) "
            "2024 by partner x HTS10 and x HS chapter, from the Census API via "
            "github.com/tradewartracker/trade-war-redux-2025@"
            "726c5958e1e43eb08ac076a1e602ae3149164b03 (raw/us_imports_2024_by_partner_hs10.csv.gz, "
            "raw/us_imports_2024_by_partner_hs2.csv)")
DATAWEB_SRC = ("USITC DataWeb, US total exports (FAS value) 2024 by partner x HS chapter, via "
               "github.com/twj0/2025apmcm@ecde95c070278b468e36dcaf4ee56232ebc73276 "
               "(raw/us_exports_2020_2024_by_partner_hs2_dataweb.csv)")
SPLIT = ("HTS10 lines -> sector with tariffsim.sectors.hs_to_icio (lines the concordance puts in "
         "service industries -> furniture_other, electricity -> energy); HS chapters of "
         "partners outside the HTS10 file and of exports split across sectors by the HS6 "
         "composition of that chapter in all 2024 US imports")
SHARE = ("pair total split across the 19 goods sectors by the ICIO 2022 composition of the "
         "pair's goods trade (intermediate flows + imputed final sales; final sales imputed "
         "from the buyers' source shares of intermediates, see tools/build_sectoral_baseline.py)")

#: source_key -> (block, source, method, confidence)
SOURCES: list = [
    ("census2024_feb2025", "flows: US partners", CENSUS_SRC + "; composition: " + HS10_SRC +
     " (imports) / " + DATAWEB_SRC + " (exports)",
     "partner total = the Census Feb-2025 figure (general imports / exports); split across "
     "goods sectors by the partner's 2024 product composition; " + SPLIT +
     "; rounded to USD thousand keeping the total", "high (totals); medium (composition)"),
    ("census2024_imports_raw", "flows: US imports from AUS, BRA", HS10_SRC,
     "partners not in the facts table: total and composition from the raw Census data "
     "(imports for consumption basis); " + SPLIT, "high"),
    ("census2024_exports_raw", "flows: US exports to AUS, BRA", DATAWEB_SRC,
     "partners not in the facts table: total and composition from DataWeb 2024; " + SPLIT,
     "high"),
    ("census2024_residual", "flows: US <-> ROW", CENSUS_SRC + " (World totals: exports "
     "2,064.5 bn, imports 3,267.4 bn); composition: " + HS10_SRC + " / " + DATAWEB_SRC,
     "DERIVED residual: Census 2024 world total minus the 21 named partners; composition of "
     "the Census data of every partner in ROW (incl. Laos, Burma, Brunei); " + SPLIT,
     "medium"),
    ("baci2023", "flows: goods pairs without the US", BACI_SRC, SHARE,
     "high (totals); medium (sector split)"),
    ("national_patch_2023", "flows: VNM<->KOR, VNM<->PHL",
     "national statistics replacing BACI false zeros (facts/patch_missing_pairs_2023.csv: "
     "KITA via the Vietnam government portal; Vietnam MOIT via VnEconomy)", SHARE,
     "high (KOR-VNM), medium/low (VNM-PHL)"),
    ("icio2022_fill", "flows: KOR<->PHL", ICIO_SRC,
     "BACI has a false zero and no 2023 national figure was found (facts/"
     "patch_missing_pairs_2023.csv); filled with ICIO 2022 bilateral goods trade "
     "(intermediate + imputed final), sector split as in the ICIO pair", "low"),
    ("baci2023_che_split", "flows: CHE <-> non-US economies", BACI_SRC + "; " + ICIO_SRC,
     "BACI's ROW holds Switzerland: CHE's part of each BACI ROW total is CHE's share of the "
     "ICIO 2022 goods trade of ROW's ICIO economies + CHE with that partner (for CHE<->ROW: "
     "its share of ROW's internal international trade); the rest stays ROW. BACI's ROW also "
     "holds economies outside ICIO (mostly oil exporters), so CHE's share is overstated by "
     "up to their share of each flow; " + SHARE, "medium-low"),
    ("taiwan_mof2023", "flows: TWN -> non-US economies",
     "Taiwan Ministry of Finance, 2023 exports by destination (facts/"
     "taiwan_exports_by_destination.csv: world 432,480; China+HK 152,250 with China 22.1%; "
     "ASEAN 17.6%; Europe 9.8%; Japan 7.3%)",
     "China = 22.1% of the world total, Hong Kong = China+HK - China; ASEAN and Europe "
     "spread over their members with ICIO 2022 shares of Taiwan's goods exports; the rest of "
     "the world (total - listed - the 17.6% to the US) spread over the other economies with "
     "ICIO shares; Taiwan's US flows are Census 2024 instead; " + SHARE, "medium"),
    ("taiwan_mof2023_imports", "flows: non-US economies -> TWN",
     "Taiwan Ministry of Finance, 2023 imports from the world 351,620 (CIF; facts/"
     "taiwan_exports_by_destination.csv); " + ICIO_SRC,
     "total split over source economies with ICIO 2022 shares of Taiwan's goods imports (the "
     "US share dropped: US exports to Taiwan are Census 2024); CIF, so about 3-5% above FOB; "
     + SHARE, "medium-low"),
    ("icio2022_services", "flows: services trade", ICIO_SRC,
     "ICIO 2022 intermediate services trade + imputed final services trade (buyers' source "
     "shares of intermediates), times the exporter's 2022->2023 GDP growth. The imputation "
     "gives foreign final demand the sourcing of intermediates, which overstates final "
     "services trade (tourism aside, households buy few services abroad)", "low-medium"),
    ("icio2022_domestic", "flows: domestic sales", ICIO_SRC + "; World Bank WDI "
     "NY.GDP.MKTP.CD 2022 and 2023 (facts/wdi_gdp_2022_2023.csv)",
     "DERIVED: ICIO 2022 gross output x (GDP 2023 / GDP 2022) minus exports in this table; "
     "where exports exceed 95% of that output (entrepot re-exports, concordance mismatches) "
     "domestic sales = 5% of it and gross output is raised to exports + 5% (output.csv "
     "entrepot_excess); for EU27 and ROW trade among members is domestic", "medium"),
    ("icio2022_io", "io, value_added", ICIO_SRC,
     "io[n,k,j] = inputs of sector k (all sources) bought by sector j of n / ICIO gross "
     "output of j, aggregated over ICIO economies and industries; value added = 1 - sum_k io "
     "(includes taxes less subsidies on products and inputs bought from ICIO's dropped rest "
     "of the world); cells with an entrepot excess: the excess is an input of the same "
     "sector, other shares scaled down so that value added keeps its ICIO level; where "
     "intermediate use of a good exceeds its absorption in the baseline (54 country-sectors), "
     "the shares of that input are scaled down in every using sector until final use is 1% of "
     "absorption, the difference going to value added (output.csv input_use_scale)", "medium"),
    ("census2024_duty", "tariffs: US on partners", HS10_SRC,
     "sum of calculated duty / sum of imports for consumption over the sector's HTS10 lines "
     "(import-weighted mean; ROW pools its partners, with HS-chapter data split as the flows)",
     "high"),
    ("census2024_duty_partner_mean", "tariffs: US on partners", HS10_SRC,
     "no 2024 imports in this sector: the partner's mean over all goods", "medium"),
    ("wto_mfn2023_mtn", "tariffs: EU27, IND, JPN on US goods", WTO_MTN_REPO,
     "simple mean over the sector's MTN sub-categories (tools/build_sectoral_baseline.py "
     "MTN_OF_SECTOR) of their trade-weighted MFN applied duty; MFN applies to US goods (no "
     "FTA); Japan's 2020 agreement with the US cut some farm tariffs below MFN (overstated)",
     "medium"),
    ("wto_mfn2023_mtn+piie", "tariffs: CHN on US goods", WTO_MTN_REPO + "; " + PIIE_CHINA,
     "China's MFN by sector as for wto_mfn2023_mtn plus a uniform retaliation premium chosen "
     "so that the mean weighted by 2024 US exports to China equals PIIE's 21.2% "
     "(MFN mean 6.7%, premium 14.5 points); the premium is the same in every sector, unlike "
     "China's actual retaliation lists", "medium-low"),
    ("fta_usmca", "tariffs: CAN, MEX on US goods",
     "United States-Mexico-Canada Agreement (in force 1 Jul 2020), Chapter 2 and tariff "
     "schedules: duty-free treatment of originating goods",
     "0 on all sectors; non-originating goods and Canada's over-quota dairy and poultry "
     "tariffs are ignored (understated)", "medium"),
    ("fta_korus", "tariffs: KOR on US goods",
     "US-Korea Free Trade Agreement (in force 2012; tariffs on nearly all goods eliminated "
     "by 2021)", "0 on all sectors; remaining farm tariffs ignored", "medium"),
    ("fta_ausfta", "tariffs: AUS on US goods",
     "Australia-US Free Trade Agreement (in force 2005): all Australian tariffs on US goods "
     "eliminated", "0 on all sectors", "high"),
    ("fta_ussfta", "tariffs: SGP on US goods",
     "US-Singapore Free Trade Agreement (in force 2004); Singapore's MFN tariff is zero "
     "except on a few beverages", "0 on all sectors", "high"),
    ("hkg_free_port", "tariffs: HKG on US goods",
     "Hong Kong, China levies no import tariffs (free port; WTO World Tariff Profiles: MFN "
     "applied average 0)", "0 on all sectors", "high"),
    ("wto_ttd_vnm", "tariffs: VNM on US goods",
     "WTO Tariff & Trade Data, profile Viet Nam (ttd.wto.org/en/profiles/viet-nam): "
     "trade-weighted MFN average 5.1% (2022); simple average MFN applied 9.4% (2023)",
     "5.1% on every goods sector (no sector detail at hand); weighted by Vietnam's imports "
     "from the world, not from the US", "low-medium"),
    ("wto_wtp2023", "tariffs: KHM, BRA on US goods",
     "WTO/ITC/UNCTAD World Tariff Profiles 2023, summary table 'All products', simple average "
     "MFN applied 2022: Cambodia 10.2%, Brazil 11.1% (as reproduced at "
     "scribd.com/document/677753648/World-Country-Tariffs-WTO-october-2023)",
     "the simple average on every goods sector; a simple average usually exceeds the "
     "trade-weighted one (overstated)", "low"),
    ("not_transcribed", "tariffs: other partners on US goods, all pairs without the US",
     "not transcribed: no citable applied rate by sector at hand (MYS, THA, IDN, PHL, GBR, "
     "TWN, CHE, ROW on US goods; every pair without the US)",
     "0; understates protection (trade-weighted MFN averages of a few percent)", "missing"),
]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", type=Path, default=DEFAULT_RAW)
    ap.add_argument("--facts", type=Path, default=DEFAULT_FACTS)
    ap.add_argument("--icio", type=Path, default=None,
                    help="bench_cache.npz, the sanction-simulator wheel, or a folder holding "
                         "one (default $TARIFFSIM_ICIO, else <raw>/icio)")
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args(argv)
    icio = a.icio or Path(os.environ.get("TARIFFSIM_ICIO", a.raw / "icio"))
    if not icio.exists():
        raise SystemExit(f"ICIO array file not found at {icio}; pass --icio PATH (see "
                         f"raw/README.md: pip download --no-deps sanction-simulator==0.1.4)")
    frames, _, reader = build(a.raw, a.facts, icio)
    write(frames, reader, a.out)
    print(f"wrote {len(frames)} tables to {a.out}")


if __name__ == "__main__":
    main()
