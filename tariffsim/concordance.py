"""Concordances: country codes (ISO 3166-1 numeric, UN Comtrade, US Census) and HS6 -> sector.

Everything here is a plain lookup table or a small pure function, shared by the loaders in
`tariffsim.io`.

Sources
-------
* ISO 3166-1 numeric and alpha-3 codes (ISO 3166 Maintenance Agency; the 249 officially
  assigned codes).
* UN Comtrade / CEPII BACI "x+1" reporter codes that include dependent territories
  (251 France, 381 Italy, 579 Norway, 699 India, 757 Switzerland, 842 USA), 490 "Other
  Asia, not elsewhere specified" (ISO3 ``S19``, which CEPII documents as Taiwan) and 58
  Belgium-Luxembourg (BACI 1995-1998 only, code ``BLX``).
* US Census Bureau, Schedule C country codes as used in "U.S. Trade in Goods by Country"
  (``country.xlsx`` / ``country.txt``, column ``CTY_CODE``); the codes for the default
  baseline's partners are those of the Census country pages (``c5700.html`` for China
  etc.), transcribed in the project's ``us_goods_trade_by_partner_2024`` facts table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._validate import group_map, group_members
from .errors import DataError, suggest
from .literals import HSLevel, check_option

__all__ = [
    "ISO_NUMERIC",
    "ISO3_CODES",
    "ALIASES_ISO3",
    "CENSUS_CODES",
    "CENSUS_EU",
    "CENSUS_WORLD",
    "AGGREGATE_CODES",
    "numeric_to_iso3",
    "normalise_iso3",
    "region_map",
    "hs_to_sector",
]

_ISO_TABLE = """
    4:AFG 8:ALB 10:ATA 12:DZA 16:ASM 20:AND 24:AGO 28:ATG 31:AZE 32:ARG 36:AUS 40:AUT 44:BHS 48:BHR
    50:BGD 51:ARM 52:BRB 56:BEL 60:BMU 64:BTN 68:BOL 70:BIH 72:BWA 74:BVT 76:BRA 84:BLZ 86:IOT
    90:SLB 92:VGB 96:BRN 100:BGR 104:MMR 108:BDI 112:BLR 116:KHM 120:CMR 124:CAN 132:CPV 136:CYM
    140:CAF 144:LKA 148:TCD 152:CHL 156:CHN 158:TWN 162:CXR 166:CCK 170:COL 174:COM 175:MYT 178:COG
    180:COD 184:COK 188:CRI 191:HRV 192:CUB 196:CYP 203:CZE 204:BEN 208:DNK 212:DMA 214:DOM 218:ECU
    222:SLV 226:GNQ 231:ETH 232:ERI 233:EST 234:FRO 238:FLK 239:SGS 242:FJI 246:FIN 248:ALA 250:FRA
    254:GUF 258:PYF 260:ATF 262:DJI 266:GAB 268:GEO 270:GMB 275:PSE 276:DEU 288:GHA 292:GIB 296:KIR
    300:GRC 304:GRL 308:GRD 312:GLP 316:GUM 320:GTM 324:GIN 328:GUY 332:HTI 334:HMD 336:VAT 340:HND
    344:HKG 348:HUN 352:ISL 356:IND 360:IDN 364:IRN 368:IRQ 372:IRL 376:ISR 380:ITA 384:CIV 388:JAM
    392:JPN 398:KAZ 400:JOR 404:KEN 408:PRK 410:KOR 414:KWT 417:KGZ 418:LAO 422:LBN 426:LSO 428:LVA
    430:LBR 434:LBY 438:LIE 440:LTU 442:LUX 446:MAC 450:MDG 454:MWI 458:MYS 462:MDV 466:MLI 470:MLT
    474:MTQ 478:MRT 480:MUS 484:MEX 492:MCO 496:MNG 498:MDA 499:MNE 500:MSR 504:MAR 508:MOZ 512:OMN
    516:NAM 520:NRU 524:NPL 528:NLD 531:CUW 533:ABW 534:SXM 535:BES 540:NCL 548:VUT 554:NZL 558:NIC
    562:NER 566:NGA 570:NIU 574:NFK 578:NOR 580:MNP 581:UMI 583:FSM 584:MHL 585:PLW 586:PAK 591:PAN
    598:PNG 600:PRY 604:PER 608:PHL 612:PCN 616:POL 620:PRT 624:GNB 626:TLS 630:PRI 634:QAT 638:REU
    642:ROU 643:RUS 646:RWA 652:BLM 654:SHN 659:KNA 660:AIA 662:LCA 663:MAF 666:SPM 670:VCT 674:SMR
    678:STP 682:SAU 686:SEN 688:SRB 690:SYC 694:SLE 702:SGP 703:SVK 704:VNM 705:SVN 706:SOM 710:ZAF
    716:ZWE 724:ESP 728:SSD 729:SDN 732:ESH 740:SUR 744:SJM 748:SWZ 752:SWE 756:CHE 760:SYR 762:TJK
    764:THA 768:TGO 772:TKL 776:TON 780:TTO 784:ARE 788:TUN 792:TUR 795:TKM 796:TCA 798:TUV 800:UGA
    804:UKR 807:MKD 818:EGY 826:GBR 831:GGY 832:JEY 833:IMN 834:TZA 840:USA 850:VIR 854:BFA 858:URY
    860:UZB 862:VEN 876:WLF 882:WSM 887:YEM 894:ZMB
"""

#: ISO 3166-1 numeric code -> alpha-3 code (the 249 assigned codes).
ISO_NUMERIC: dict[int, str] = {
    int(n): a for n, a in (item.split(":") for item in _ISO_TABLE.split())
}
# Comtrade/BACI codes that include territories, Taiwan's "Other Asia, nes" and
# Belgium-Luxembourg (BACI 1995-1998).
ISO_NUMERIC.update({58: "BLX", 251: "FRA", 381: "ITA", 490: "TWN", 579: "NOR", 699: "IND",
                    757: "CHE", 842: "USA"})

#: Codes tariffsim accepts as an economy: ISO3 plus its aggregates.
AGGREGATE_CODES: frozenset[str] = frozenset({"ROW", "EU27", "EU", "BLX", "WLD"})
ISO3_CODES: frozenset[str] = frozenset(ISO_NUMERIC.values()) | AGGREGATE_CODES

#: Non-ISO codes seen in trade data and the ISO3 code tariffsim uses for them.
ALIASES_ISO3: dict[str, str] = {
    "S19": "TWN",   # UN Comtrade / BACI 490 "Other Asia, nes" (Taiwan)
    "ROM": "ROU",   # Romania before 2002
    "ZAR": "COD",   # Zaire / DR Congo (old code)
    "TMP": "TLS",   # East Timor (old code)
    "EUN": "EU27",  # WTO/WITS European Union
    "EU28": "EU27",
}

#: US Census Schedule C country code -> ISO3 (aggregates: 0003 EU, 0004 World).
CENSUS_CODES: dict[str, str] = {
    # the default baseline's partners (Census country pages)
    "5700": "CHN", "5520": "VNM", "5570": "MYS", "5490": "THA", "5550": "KHM",
    "2010": "MEX", "1220": "CAN", "5880": "JPN", "5800": "KOR", "5830": "TWN",
    "5330": "IND", "5600": "IDN", "5650": "PHL", "5590": "SGP", "5530": "LAO",
    "5460": "MMR", "5610": "BRN", "5820": "HKG", "4120": "GBR", "4419": "CHE",
    "6021": "AUS", "3510": "BRA",
    # EU members
    "4280": "DEU", "4279": "FRA", "4759": "ITA", "4210": "NLD", "4231": "BEL",
    "4239": "LUX", "4190": "IRL", "4700": "ESP", "4710": "PRT", "4330": "AUT",
    "4010": "SWE", "4050": "FIN", "4099": "DNK", "4550": "POL", "4351": "CZE",
    "4359": "SVK", "4370": "HUN", "4850": "ROU", "4870": "BGR", "4840": "GRC",
    "4791": "HRV", "4792": "SVN", "4470": "EST", "4490": "LVA", "4510": "LTU",
    "4910": "CYP", "4730": "MLT",
    # other main partners
    "6141": "NZL", "4039": "NOR", "4000": "ISL", "4890": "TUR", "4621": "RUS",
    "4623": "UKR", "5081": "ISR", "5170": "SAU", "5200": "ARE", "5180": "QAT",
    "5130": "KWT", "5110": "JOR", "5350": "PAK", "5380": "BGD", "5420": "LKA",
    "5660": "MAC", "3570": "ARG", "3370": "CHL", "3010": "COL", "3330": "PER",
    "3310": "ECU", "3070": "VEN", "2050": "GTM", "2110": "SLV", "2150": "HND",
    "2190": "NIC", "2230": "CRI", "2250": "PAN", "2470": "DOM", "2410": "JAM",
    "2740": "TTO", "7910": "ZAF", "7290": "EGY", "7140": "MAR", "7530": "NGA",
}
#: Census aggregate codes: European Union and World (all countries).
CENSUS_EU = "0003"
CENSUS_WORLD = "0004"

#: EU27 members (ISO3), for ``regions={"EU27": EU27_MEMBERS}``.
EU27_MEMBERS: tuple[str, ...] = (
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC",
    "HUN", "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK",
    "SVN", "ESP", "SWE")


def numeric_to_iso3(codes: Iterable[Any], table: Mapping[int, str] | None = None
                    ) -> tuple[dict[Any, str], list[Any]]:
    """Map numeric country codes to ISO3.

    Parameters
    ----------
    codes : iterable
        Numeric codes (int or digit strings).
    table : mapping, optional
        ``{numeric: iso3}``; default `ISO_NUMERIC` (with the Comtrade/BACI codes).

    Returns
    -------
    mapping : dict
        ``{code: iso3}`` for the codes found.
    unknown : list
        Codes not in the table.
    """
    table = ISO_NUMERIC if table is None else table
    out: dict[Any, str] = {}
    unknown: list[Any] = []
    for c in codes:
        try:
            key = int(c)
        except (TypeError, ValueError):
            unknown.append(c)
            continue
        if key in table:
            out[c] = ALIASES_ISO3.get(table[key], table[key])
        else:
            unknown.append(c)
    return out, unknown


def normalise_iso3(code: str) -> str:
    """Upper-case, strip, and replace old or non-ISO aliases (``S19`` -> ``TWN``)."""
    c = str(code).strip().upper()
    return ALIASES_ISO3.get(c, c)


def region_map(regions: Mapping[str, Any] | Sequence[str] | None, codes: Sequence[str],
               *, rest: str = "ROW", field: str = "regions") -> dict[str, str]:
    """Map every code to its region.

    Parameters
    ----------
    regions : mapping, sequence of str or None
        ``None`` keeps every code; a list of codes keeps those and puts every other code
        in ``rest``; a mapping ``{code: region}`` or ``{region: [codes]}`` renames the
        codes it lists and keeps the others as they are.
    codes : sequence of str
        The codes present in the data.
    rest : str
        Name of the residual region for the list form (default ``"ROW"``).

    Returns
    -------
    dict
        ``{code: region}`` for every code in ``codes``.

    Raises
    ------
    DataError
        A listed code that is neither in the data nor a known ISO3 code (a typo).
    """
    codes = [str(c) for c in codes]
    if regions is None:
        return {c: c for c in codes}
    known = set(codes) | ISO3_CODES
    given: Any = regions  # typed, but checked: users pass anything
    if isinstance(given, str):
        regions = [given]
    elif not isinstance(given, Mapping | Iterable) or isinstance(given, bytes):
        raise DataError(f"{field}: expected a list of codes to keep or a mapping {{code: "
                        f"region}} / {{region: [codes]}}, got {type(regions).__name__}.",
                        field=field)
    if isinstance(regions, Mapping):
        return group_map(regions, codes, field, known=known, normalise=normalise_iso3,
                         unknown=lambda old: (f"{field}: {old!r} is not a code in the data nor "
                                              f"an ISO3 code{suggest(old, codes)}. Fix the "
                                              f"code in the mapping."))
    keep = [normalise_iso3(c) for c in regions]
    missing = [c for c in keep if c not in codes and c != rest]
    if missing:
        raise DataError(
            f"{field}: code(s) {', '.join(repr(m) + suggest(m, codes) for m in missing)} "
            f"are not in the data. Codes present: {', '.join(sorted(codes)[:40])}"
            f"{' ...' if len(codes) > 40 else ''}. Fix the spelling or drop them.",
            field=field)
    keep_set = set(keep)
    return {c: (c if c in keep_set else rest) for c in codes}


def hs_to_sector(products: Sequence[str] | np.ndarray | pd.Series,
                 sectors: Mapping[str, Any] | str | None, *, other: str = "other",
                 field: str = "sectors") -> np.ndarray:
    """Assign HS product codes to sectors by longest matching code prefix.

    Parameters
    ----------
    products : sequence of str
        HS codes (``"847130"``).
    sectors : mapping, str or None
        ``None``: one sector ``"total"``. ``"HS2"``, ``"HS4"`` or ``"HS6"``: the chapter,
        heading or subheading itself. A mapping ``{prefix: sector}`` (``{"85": "electrical",
        "8471": "computers"}``) or ``{sector: [prefixes]}``: each product goes to the
        sector of its longest matching prefix (so ``"8471"`` wins over ``"84"``); products
        that match no prefix go to ``other``.
    other : str
        Sector of products that match no prefix (default ``"other"``).

    Returns
    -------
    numpy.ndarray of str
        The sector of each product.
    """
    prods = np.asarray(pd.Series(products, dtype=str).str.strip(), dtype=object)
    if sectors is None:
        return np.full(len(prods), "total", dtype=object)
    if isinstance(sectors, str):
        level = int(check_option(sectors.upper(), HSLevel, field, error=DataError,
                                 hint="Or give a mapping {HS prefix: sector}.")[2:])
        return np.array([p[:level] for p in prods], dtype=object)
    if not isinstance(sectors, Mapping):
        raise DataError(f"{field}: expected None, 'HS2'/'HS4'/'HS6' or a mapping "
                        f"{{HS prefix: sector}}, got {type(sectors).__name__}.", field=field)
    prefix = group_members(sectors, field)
    for p, s in prefix.items():
        if not p.isdigit():
            raise DataError(f"{field}: HS prefix {p!r} (sector {s!r}) is not a string of "
                            f"digits; write HS codes as strings, e.g. '0101'.", field=field)
    by_len = sorted({len(p) for p in prefix}, reverse=True)
    uniq, inv = np.unique(prods.astype(str), return_inverse=True)
    u_out = np.full(len(uniq), other, dtype=object)
    u_done = np.zeros(len(uniq), dtype=bool)
    for n in by_len:
        for i, p in enumerate(uniq):
            if not u_done[i] and p[:n] in prefix:
                u_out[i] = prefix[p[:n]]
                u_done[i] = True
    return u_out[inv]
