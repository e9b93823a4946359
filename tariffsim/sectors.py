"""The sectors of tariffsim's embedded sectoral world, and how products map to them.

A model sector is a group of OECD ICIO 2025 industries (ISIC Rev. 4 based). The grouping
keeps apart what US tariff policy treats apart (computers and electronics, electrical
equipment, machinery, motor vehicles, basic metals, textiles and apparel, furniture,
pharmaceuticals, agriculture, energy, mining) and keeps three service sectors, so that
domestic absorption is real.

Products (HS 2022 six-digit codes, the basis of the 2024 US tariff schedule) map to ICIO
industries through ``data/hs6_sectors.csv``, built by ``tools/build_hs_concordance.py``:
HS 2022 -> HS 2007 (UNSD correlation table) -> ISIC Rev. 3 (WITS, one class per HS 2007
code) -> ICIO industry (ISIC Rev. 3 to Rev. 4 groups, `ISIC3_TO_ICIO`), with the
fall-backs and overrides that file's ``method`` column names. Sources: UNSD / WITS tables
as shipped in the R package ``concordance`` (insongkim/concordance, MIT, commit
201c812e51f213d967d8701b6ed6398c79df4a04); OECD ICIO 2025 industry list.

>>> from tariffsim import sectors
>>> sectors.ICIO_TO_SECTOR["C26"]
'electronics'
>>> len(sectors.SECTORS)
22
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

__all__ = [
    "SECTORS",
    "SECTOR_LABELS",
    "SECTOR_ICIO",
    "ICIO_TO_SECTOR",
    "GOODS_SECTORS",
    "SERVICE_SECTORS",
    "ISIC3_TO_ICIO",
    "services_of",
    "goods_sector",
    "hs6_sectors",
    "hs_to_icio",
]

#: Model sector -> (label, OECD ICIO 2025 industry codes), in model order.
_DEFINITION: dict[str, tuple[str, tuple[str, ...]]] = {
    "agriculture": ("Agriculture, forestry and fishing", ("A01", "A02", "A03")),
    "energy": ("Coal, crude oil and natural gas; refined petroleum",
               ("B05", "B06", "C19")),
    "mining": ("Metal ores, other mining and quarrying, mining support",
               ("B07", "B08", "B09")),
    "food": ("Food products, beverages and tobacco", ("C10T12",)),
    "textiles_apparel": ("Textiles, wearing apparel, leather and footwear", ("C13T15",)),
    "wood_paper": ("Wood, paper and printing", ("C16", "C17_18")),
    "chemicals": ("Chemicals (excluding pharmaceuticals)", ("C20",)),
    "pharmaceuticals": ("Basic pharmaceutical products and preparations", ("C21",)),
    "rubber_plastics": ("Rubber and plastic products", ("C22",)),
    "nonmetallic_minerals": ("Other non-metallic mineral products", ("C23",)),
    "iron_steel": ("Basic iron and steel", ("C24A",)),
    "nonferrous_metals": ("Basic precious and other non-ferrous metals (aluminium, copper)",
                          ("C24B",)),
    "metal_products": ("Fabricated metal products", ("C25",)),
    "electronics": ("Computer, electronic and optical products", ("C26",)),
    "electrical_equipment": ("Electrical equipment", ("C27",)),
    "machinery": ("Machinery and equipment n.e.c.", ("C28",)),
    "motor_vehicles": ("Motor vehicles, trailers and semi-trailers", ("C29",)),
    "other_transport": ("Ships, aircraft, railway and other transport equipment",
                        ("C301", "C302T309")),
    "furniture_other": ("Furniture and other manufacturing", ("C31T33",)),
    "utilities_construction": ("Electricity, gas, water, waste; construction",
                               ("D", "E", "F")),
    "trade_transport": ("Wholesale and retail trade, transport, accommodation and food",
                        ("G", "H49", "H50", "H51", "H52", "H53", "I")),
    "other_services": ("Information, finance, real estate, business, public and other services",
                       ("J58T60", "J61", "J62_63", "K", "L", "M", "N", "O", "P", "Q", "R",
                        "S", "T")),
}

#: Model sectors in model order.
SECTORS: tuple[str, ...] = tuple(_DEFINITION)
#: Sector -> readable label.
SECTOR_LABELS: dict[str, str] = {s: label for s, (label, _) in _DEFINITION.items()}
#: Sector -> its ICIO industries.
SECTOR_ICIO: dict[str, tuple[str, ...]] = {s: codes for s, (_, codes) in _DEFINITION.items()}
#: ICIO industry -> model sector (all 50 ICIO 2025 industries).
ICIO_TO_SECTOR: dict[str, str] = {c: s for s, (_, codes) in _DEFINITION.items() for c in codes}
#: Sectors without trade in goods statistics (services).
SERVICE_SECTORS: tuple[str, ...] = ("utilities_construction", "trade_transport",
                                    "other_services")
#: Sectors of goods (HS products map only to these).
GOODS_SECTORS: tuple[str, ...] = tuple(s for s in SECTORS if s not in SERVICE_SECTORS)


def services_of(sectors: Iterable[str]) -> tuple[str, ...]:
    """The service sectors among ``sectors``, by name (those of `SERVICE_SECTORS`).

    The default of `tariffsim.Baseline.services`: a baseline built from tariffsim's
    sectors knows its services without being told; other baselines say so with
    ``services=``.
    """
    return tuple(s for s in sectors if s in SERVICE_SECTORS)

#: ISIC Rev. 3 division (2 digits) or class (3-4 digits; the longest prefix wins) ->
#: ICIO 2025 industry. Rev. 3 -> Rev. 4 at this level follows the UNSD ISIC 4 - ISIC 3.1
#: correspondence for the classes that move between ICIO groups: pharmaceuticals (2423 ->
#: C21), domestic appliances (2930 -> C27), weapons (2927 -> C25), office and computing
#: machinery (30 -> C26), radio/TV/communication (32 -> C26), instruments (33 -> C26,
#: medical and surgical 3311 -> C31T33), ships (351 -> C301), iron and steel (271, 2731
#: -> C24A; other basic metals -> C24B), publishing and printing (22 -> C17_18 for goods).
ISIC3_TO_ICIO: dict[str, str] = {
    "01": "A01", "02": "A02", "05": "A03",
    "10": "B05", "11": "B06", "12": "B07", "13": "B07", "14": "B08",
    "15": "C10T12", "16": "C10T12",
    "17": "C13T15", "18": "C13T15", "19": "C13T15",
    "20": "C16", "21": "C17_18", "22": "C17_18", "23": "C19",
    "24": "C20", "2423": "C21",
    "25": "C22", "26": "C23",
    "27": "C24B", "271": "C24A", "2731": "C24A",
    "28": "C25",
    "29": "C28", "2927": "C25", "2930": "C27",
    "30": "C26", "31": "C27", "32": "C26",
    "33": "C26", "3311": "C31T33",
    "34": "C29",
    "35": "C302T309", "351": "C301",
    "36": "C31T33", "37": "E",
    "40": "D", "41": "E",
    "74": "M", "92": "J58T60", "93": "S",
}


@lru_cache(maxsize=1)
def _hs6_table() -> pd.DataFrame:
    with resources.files("tariffsim.data").joinpath("hs6_sectors.csv").open("rb") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


@lru_cache(maxsize=2)
def _majority(n: int) -> pd.Series:
    """HS prefix of ``n`` digits -> the ICIO industry most of its six-digit codes map to
    (ties: the industry that comes first in the table)."""
    t = _hs6_table()
    t = pd.DataFrame({"p": t.hs6.str[:n], "icio": t.icio, "first": np.arange(len(t))})
    c = t.groupby(["p", "icio"], sort=False).agg(k=("first", "size"), first=("first", "min"))
    c = c.reset_index().sort_values(["p", "k", "first"], ascending=[True, False, True])
    return c.drop_duplicates("p").set_index("p").icio


def hs6_sectors() -> pd.DataFrame:
    """HS 2022 six-digit code -> ICIO industry and model sector (one row per code).

    Returns
    -------
    pandas.DataFrame
        Columns ``hs6`` (HS 2022), ``hs2007``, ``isic3``, ``icio``, ``sector`` and
        ``method`` (how the code was assigned: ``wits`` through the HS 2007 -> ISIC Rev. 3
        table, ``chapter_majority`` where that table says "goods n.e.c.", ``override``
        for the hand-checked codes listed in ``tools/build_hs_concordance.py``,
        ``us_special`` for US chapter 98/99 provisions). A copy: edit it freely.
    """
    return _hs6_table().copy()


def hs_to_icio(codes: pd.Series | list[str]) -> pd.DataFrame:
    """ICIO industry and model sector of HS codes of six or more digits (HTS10 works).

    A code's first six digits are looked up in `hs6_sectors`. US special provisions
    (chapters 98 and 99) go to ``C31T33`` (method ``us_special``); a six-digit code missing
    from the HS 2022 table (a national or retired code) takes the industry most codes of
    its HS heading (4 digits), else of its chapter, map to (method ``heading_majority`` /
    ``chapter_majority``).

    Parameters
    ----------
    codes : sequence of str
        HS or HTS codes, at least six digits.

    Returns
    -------
    pandas.DataFrame
        ``code``, ``icio``, ``sector``, ``method``, one row per input code, input order.
    """
    table = _hs6_table()
    codes = pd.Series(list(codes), dtype=str)
    hs6 = codes.str[:6]
    by6 = table.set_index("hs6")
    icio = hs6.map(by6.icio)
    method = hs6.map(by6.method)
    special = codes.str[:2].isin(["98", "99"])
    icio[special] = "C31T33"
    method[special] = "us_special"
    for n, label in ((4, "heading_majority"), (2, "chapter_majority")):
        miss = icio.isna()
        if not miss.any():
            break
        icio[miss] = hs6[miss].str[:n].map(_majority(n))
        method[miss & icio.notna()] = label
    if icio.isna().any():
        bad = codes[icio.isna()].unique()[:10].tolist()
        from .errors import DataError
        raise DataError(f"codes: no HS chapter known for {bad}; give HS codes of at least six "
                        f"digits.", field="codes")
    return pd.DataFrame({"code": codes, "icio": icio, "sector": icio.map(ICIO_TO_SECTOR),
                         "method": method})


def goods_sector(codes: pd.Series, sector: pd.Series) -> pd.Series:
    """Goods sector of HS lines whose `hs_to_icio` sector is ``sector``.

    The few lines the concordance puts in service industries (works of art and antiques,
    film, electricity, animal products n.e.s.; 0.4% of 2024 US imports) go to ``energy``
    (electricity, HS 2716) or ``furniture_other``, so that every good sits in a goods
    sector. The sectoral baseline's US flows and tariffs (``tools/build_sectoral_baseline.py``)
    and the resolver's US tariff cells use this mapping.
    """
    sector = pd.Series(sector)
    first4 = pd.Series(codes, dtype=str).str[:4].to_numpy()
    other = pd.Series(np.where(first4 == "2716", "energy", "furniture_other"),
                      index=sector.index)
    return sector.where(sector.isin(GOODS_SECTORS), other)
