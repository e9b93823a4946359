"""The sector definitions of the sectoral world and the HS -> ICIO -> sector concordance."""

from __future__ import annotations

import pandas as pd
import pytest

from tariffsim import sectors
from tariffsim.errors import DataError

# The 50 industries of the OECD ICIO 2025 release (raw/concordance/OECD_ICIO_2025_sector_code_
# mapping.csv), transcribed.
ICIO_2025 = """A01 A02 A03 B05 B06 B07 B08 B09 C10T12 C13T15 C16 C17_18 C19 C20 C21 C22 C23 C24A
C24B C25 C26 C27 C28 C29 C301 C302T309 C31T33 D E F G H49 H50 H51 H52 H53 I J58T60 J61 J62_63 K
L M N O P Q R S T""".split()


def test_every_icio_industry_has_exactly_one_sector():
    assert sorted(sectors.ICIO_TO_SECTOR) == sorted(ICIO_2025)
    assert sum(len(v) for v in sectors.SECTOR_ICIO.values()) == 50
    assert set(sectors.SECTOR_LABELS) == set(sectors.SECTORS)
    assert set(sectors.GOODS_SECTORS) | set(sectors.SERVICE_SECTORS) == set(sectors.SECTORS)


def test_policy_relevant_industries_stay_apart():
    # what US tariff policy treats apart must be different model sectors
    apart = ["C26", "C27", "C28", "C29", "C24A", "C24B", "C13T15", "C31T33", "C21", "A01",
             "B06", "B07", "C302T309"]
    assert len({sectors.ICIO_TO_SECTOR[c] for c in apart}) == len(apart)


@pytest.mark.parametrize("code, sector", [
    ("8471300100", "electronics"),        # laptops: ISIC Rev.3 3000 -> C26
    ("8517130000", "electronics"),        # smartphones (HS 2022 code, from HS 2007 851712)
    ("8542310000", "electronics"),        # processors: ISIC 3210
    ("8802400070", "other_transport"),    # large aircraft: ISIC 3530
    ("8411120000", "other_transport"),    # turbofans: override (ISIC4 3030)
    ("8411820000", "machinery"),          # industrial gas turbines stay machinery
    ("3004909220", "pharmaceuticals"),    # medicaments: ISIC 2423 -> C21
    ("8703230190", "motor_vehicles"),
    ("7208510030", "iron_steel"),         # hot-rolled plate: ISIC 2710 -> C24A
    ("7601103000", "nonferrous_metals"),  # unwrought aluminium: ISIC 2720 -> C24B
    ("2709002090", "energy"),             # crude oil: ISIC 1110 -> B06
    ("2711110000", "energy"),             # LNG: override (extraction, not distribution)
    ("9018120000", "electronics"),        # ultrasonic scanners: override (ISIC4 2660)
    ("9018390040", "furniture_other"),    # needles, catheters: ISIC 3311 -> C32 (C31T33)
    ("8516600000", "electrical_equipment"),  # ovens, cookers: ISIC 2930 -> C27
    ("6109100012", "textiles_apparel"),
    ("9401610000", "furniture_other"),
    ("1001990000", "agriculture"),
])
def test_hand_checked_products(code, sector):
    assert sectors.hs_to_icio([code]).sector.iloc[0] == sector


def test_us_special_provisions_and_fallbacks():
    out = sectors.hs_to_icio(["9801001098", "9903010000", "0101210010"]).set_index("code")
    assert out.loc["9801001098", "method"] == "us_special"
    assert out.loc["9801001098", "icio"] == "C31T33"
    assert out.loc["0101210010", "method"] == "wits"
    # a six-digit code that HS 2022 does not have takes its heading's majority
    assert sectors.hs_to_icio(["8471990000"]).method.iloc[0] == "heading_majority"
    with pytest.raises(DataError, match="codes"):
        sectors.hs_to_icio(["00"])


def test_table_is_one_row_per_code_and_complete():
    t = sectors.hs6_sectors()
    assert t.hs6.is_unique and t.hs6.str.fullmatch(r"\d{6}").all()
    assert (t.sector.isin(sectors.GOODS_SECTORS) | (t.icio.isin(["D", "E", "M", "J58T60", "S"]))
            ).all()
    assert set(t.method) <= {"wits", "chapter_majority", "override"}
    # every HS 2022 chapter 01-97 but 77 (reserved) is present
    chapters = {f"{c:02d}" for c in range(1, 98)} - {"77"}
    assert chapters <= set(t.hs6.str[:2])
    assert isinstance(t, pd.DataFrame) and t is not sectors.hs6_sectors()
