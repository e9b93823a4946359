"""Build ``tariffsim/data/hs6_sectors.csv``: HS 2022 six-digit codes -> ICIO industry -> sector.

Chain (each step a public table):

1. HS 2022 -> HS 2007: UNSD "HS2022 to HS2007 Conversion and Correlation Tables"
   (every HS 2022 code has exactly one HS 2007 source code in that table);
2. HS 2007 -> ISIC Rev. 3: WITS concordance H3 to I3 (JobID-48; one ISIC class per code);
3. ISIC Rev. 3 -> OECD ICIO 2025 industry: ``tariffsim.sectors.ISIC3_TO_ICIO`` (longest
   prefix wins);
4. ICIO industry -> model sector: ``tariffsim.sectors.ICIO_TO_SECTOR``.

Both tables are read from the R package ``concordance`` (insongkim/concordance, MIT,
commit 201c812e51f213d967d8701b6ed6398c79df4a04, folder ``data-raw/``; the same commit as
``raw/concordance/hs_isic4.csv``). That package's combined ``hs_isic4`` table pools every HS
vintage and maps 57% of 2024 US import value to several ISIC Rev. 4 divisions (laptops to
computers, office machinery and repair; aircraft to machinery, other transport and repair),
so it is not used for the assignment; it is the cross-check printed at the end.

Fall-backs, each recorded in the ``method`` column:

* ``chapter_majority``: WITS class 9999 ("goods not elsewhere classified", 75 codes such as
  bran, feathers, waste) takes the ICIO industry most HS 2007 codes of its HS chapter map to;
* ``override``: hand-checked codes where ISIC Rev. 4 moved the product to another ICIO group
  than the Rev. 3 class implies (:data:`OVERRIDES`);
* ``us_special``: US chapters 98 and 99 (American goods returned, special provisions) are not
  HS products; they go to ``C31T33`` (other manufacturing) and carry little duty.

Usage::

    python tools/build_hs_concordance.py /path/to/concordance/data-raw [--check]

``--check`` rebuilds in memory and fails if the shipped file differs (the test suite does not
need the source tables; it checks the shipped file's invariants).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tariffsim.sectors import ICIO_TO_SECTOR, ISIC3_TO_ICIO  # noqa: E402

OUT = ROOT / "tariffsim" / "data" / "hs6_sectors.csv"
WITS = "JobID-48_Concordance_H3_to_I3.CSV"
UNSD = "HS2022toHS2007ConversionAndCorrelationTables.xlsx"

#: HS 2022 prefix -> ICIO industry, where the ISIC Rev. 3 class puts the product in another
#: ICIO group than ISIC Rev. 4 does.
OVERRIDES: dict[str, str] = {
    "901811": "C26", "901812": "C26", "901813": "C26", "901814": "C26", "901819": "C26",
    "9022": "C26",  # electro-diagnostic and X-ray apparatus: ISIC4 2660 (C26), Rev. 3 3311
    "2711": "B06",  # natural gas (liquefied or gaseous): extraction, not gas distribution
    # aircraft engines and their parts: ISIC4 3030 (C302T309); Rev. 3 puts all engines and
    # turbines in 2911 (machinery). Industrial gas turbines (841181, 841182, 841199) stay C28.
    "840710": "C302T309", "840910": "C302T309",
    "841111": "C302T309", "841112": "C302T309", "841121": "C302T309", "841122": "C302T309",
    "841191": "C302T309",
}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _icio(isic3: str) -> str:
    for n in (4, 3, 2):
        code = ISIC3_TO_ICIO.get(isic3[:n])
        if code is not None:
            return code
    raise KeyError(isic3)


def build(src: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    wits = pd.read_csv(src / WITS, dtype=str, encoding="latin-1")
    wits = wits.iloc[:, [0, 2]].set_axis(["hs2007", "isic3"], axis=1)
    corr = pd.read_excel(src / UNSD, dtype=str).set_axis(["hs6", "hs2007"], axis=1)
    corr = corr[corr.hs6.str[:2] != "99"]  # "999999" is not an HS product
    if corr.hs6.duplicated().any():
        raise SystemExit("HS 2022 code with several HS 2007 sources: extend the builder")
    df = corr.merge(wits, on="hs2007", how="left")
    df["isic3"] = df.isic3.fillna("9999")
    known = df.isic3 != "9999"
    df["icio"] = ""
    df.loc[known, "icio"] = df.loc[known, "isic3"].map(_icio)
    df["method"] = "wits"
    chapter = df.hs6.str[:2]
    majority = df[known].groupby(chapter[known]).icio.agg(lambda s: s.value_counts().index[0])
    df.loc[~known, "icio"] = chapter[~known].map(majority)
    df.loc[~known, "method"] = "chapter_majority"
    for prefix, code in OVERRIDES.items():
        hit = df.hs6.str.startswith(prefix)
        df.loc[hit, ["icio", "method"]] = [code, "override"]
    if (df.icio == "").any() or df.icio.isna().any():
        raise SystemExit(f"unassigned codes: {df[df.icio.isna()].hs6.tolist()[:20]}")
    df["sector"] = df.icio.map(ICIO_TO_SECTOR)
    df = df.sort_values("hs6").reset_index(drop=True)
    sha = {WITS: _sha256(src / WITS), UNSD: _sha256(src / UNSD)}
    return df[["hs6", "hs2007", "isic3", "icio", "sector", "method"]], sha


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", type=Path, help="insongkim/concordance data-raw folder")
    ap.add_argument("--check", action="store_true", help="compare with the shipped file")
    args = ap.parse_args()
    df, sha = build(args.source)
    text = df.to_csv(index=False, lineterminator="\n")
    for name, digest in sha.items():
        print(f"read {name}: sha256 {digest}")
    if args.check:
        same = OUT.read_text() == text
        print("shipped file is current" if same else "shipped file DIFFERS")
        raise SystemExit(0 if same else 1)
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(df)} codes; methods "
          f"{df.method.value_counts().to_dict()}")


if __name__ == "__main__":
    main()
