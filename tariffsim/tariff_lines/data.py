"""Line data and named product lists of the US tariff schedule (package data).

Everything here is read from ``tariffsim/data/`` (built by ``tools/build_tariff_lines.py``
from the project's raw folder; see ``tariffsim/data/README.md`` for sources):

* 2024 US imports for consumption and calculated duty by partner and HTS10 line for the
  50 partners of the Census HS10 pull and the EU aggregate ``EU27`` (`line_data`);
* the same by partner and HS chapter for every Census partner: partners without HS10 data
  get line weights from it (`line_data`, "partners without HS10 data");
* named product lists ([`product_lists`][tariffsim.tariff_lines.data.product_lists],
  [`list_codes`][tariffsim.tariff_lines.data.list_codes]) and the USMCA claim shares by line
  ([`share_table`][tariffsim.tariff_lines.data.share_table]).

Partners without HS10 data
--------------------------
About 175 small partners (2024 imports USD 42 bn of 3,251 bn, plus the EU members, which are
covered by ``EU27``) have only HS-chapter data. Within a chapter ``c`` such a partner ``p``
gets the HTS10 composition of the pooled HS10 partners (``s_l``, the share of line ``l`` in
the chapter's imports from all of them) and the pooled applied rates ``r_l``, scaled so
that its chapter duty is exact:

    m_{p,l} = M_{p,c} s_l,     t_{p,l} = r_l D_{p,c} / sum_{k in c} s_k r_k

(``M``, ``D``: the partner's 2024 chapter imports and duty; a uniform rate ``D/M`` where the
pooled chapter carries no duty). Its 2024 rate by chapter, and so in total, equals the data;
its composition within a chapter is an approximation (a partner that exports crude oil and
nothing else in chapter 27 gets the chapter's mix of crude, products and gas).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from ..errors import DataError, ScenarioError, suggest

__all__ = [
    "LineData",
    "line_data",
    "product_lists",
    "list_codes",
    "share_table",
    "partners",
    "expand_products",
    "product_mask",
    "LIST_PREFIX",
]

#: Prefix of a named list in ``products`` / ``exempt_products`` / ``exempt_share``.
LIST_PREFIX = "list:"


def _open(name: str):
    return resources.files("tariffsim.data").joinpath(name).open("rb")


@dataclass(frozen=True)
class LineData:
    """The 2024 US import lines, as arrays (built once, cached by `line_data`).

    Attributes
    ----------
    codes : ndarray of str, (L,)
        The HTS10 universe (every line with 2024 imports from an HS10 partner), sorted.
    chapter : ndarray of int, (L,)
        HS chapter of each line (1-99).
    units : pandas.DataFrame
        One row per partner (``partner, name, basis, eu_member, in_world, imports_usd,
        duty_usd``); ``basis`` is ``hs10`` or ``hs2``; ``in_world`` is False for the EU
        members (inside ``EU27``), so summing ``in_world`` partners gives US imports from
        the world without double counting.
    row_unit, row_line : ndarray of int, (R,)
        Unit (index into ``units``) and line (index into ``codes``) of each HS10 row.
    row_m, row_t0 : ndarray of float, (R,)
        2024 imports (USD) and applied rate (duty / imports) of each HS10 row.
    ref_share, ref_rate : ndarray of float, (L,)
        Pooled composition within the chapter and pooled applied rate of each line, over the
        HS10 partners that are in the world total: the basis of the lines of HS2 partners.
    chap_m, chap_d : ndarray of float, (U, 100)
        2024 imports and duty (USD) by unit and chapter.
    """

    codes: np.ndarray
    chapter: np.ndarray
    units: pd.DataFrame
    row_unit: np.ndarray
    row_line: np.ndarray
    row_m: np.ndarray
    row_t0: np.ndarray
    ref_share: np.ndarray
    ref_rate: np.ndarray
    chap_m: np.ndarray
    chap_d: np.ndarray

    def unit_index(self) -> dict[str, int]:
        """Partner code -> unit index (built once; do not modify it)."""
        return self._unit_index

    @cached_property
    def _unit_index(self) -> dict[str, int]:
        return dict(zip(self.units.partner, range(len(self.units)), strict=True))


@lru_cache(maxsize=1)
def line_data() -> LineData:
    """The cached `LineData` of the shipped files."""
    with _open("us_partners_2024.csv") as fh:
        units = pd.read_csv(fh, dtype={"partner": str, "cty_code": str, "name": str,
                                       "basis": str})
    units["eu_member"] = units.eu_member.astype(bool)
    units = units.sort_values(["basis", "partner"], ascending=[True, True],
                              ignore_index=True)  # HS10 partners first
    units["in_world"] = ~units.eu_member
    uidx = dict(zip(units.partner, range(len(units)), strict=True))
    with _open("us_lines_2024.csv.gz") as fh:
        rows = pd.read_csv(fh, compression="gzip", dtype={"partner": str, "hs10": str,
                                                          "imports_usd": np.float64,
                                                          "duty_usd": np.float64})
    codes, row_line = np.unique(rows.hs10.to_numpy(dtype=str), return_inverse=True)
    pcodes, pinv = np.unique(rows.partner.to_numpy(dtype=str), return_inverse=True)
    missing = [c for c in pcodes if c not in uidx]
    if missing:
        raise DataError(f"us_lines_2024.csv.gz: partners {missing} not in "
                        f"us_partners_2024.csv", field="partner")
    row_unit = np.array([uidx[c] for c in pcodes], dtype=np.int32)[pinv.ravel()]
    order = np.lexsort((row_line, row_unit))
    row_unit, row_line = row_unit[order], row_line[order].astype(np.int32)
    m = rows.imports_usd.to_numpy()[order]
    d = rows.duty_usd.to_numpy()[order]
    chapter = np.array([int(c[:2]) for c in codes], dtype=np.int16)
    # pooled reference over HS10 partners in the world total (SVK is inside EU27)
    world = units.in_world.to_numpy()[row_unit]
    L = len(codes)
    ref_m = np.bincount(row_line[world], weights=m[world], minlength=L)
    ref_d = np.bincount(row_line[world], weights=d[world], minlength=L)
    chap_tot = np.bincount(chapter, weights=ref_m, minlength=100)
    ref_share = np.divide(ref_m, chap_tot[chapter], out=np.zeros(L), where=chap_tot[chapter] > 0)
    ref_rate = np.divide(ref_d, ref_m, out=np.zeros(L), where=ref_m > 0)
    with _open("us_imports_2024_hs2.csv.gz") as fh:
        ch = pd.read_csv(fh, compression="gzip", dtype={"partner": str, "cty_code": str,
                                                        "hs2": str})
    ch = ch.groupby(["partner", "hs2"], as_index=False)[["imports_usd", "duty_usd"]].sum()
    chap_m = np.zeros((len(units), 100))
    chap_d = np.zeros((len(units), 100))
    ui = ch.partner.map(uidx).to_numpy(dtype=int)
    ci = ch.hs2.astype(int).to_numpy()
    np.add.at(chap_m, (ui, ci), ch.imports_usd.to_numpy(dtype=float))
    np.add.at(chap_d, (ui, ci), ch.duty_usd.to_numpy(dtype=float))
    return LineData(codes=codes, chapter=chapter, units=units, row_unit=row_unit,
                    row_line=row_line, row_m=m, row_t0=np.divide(d, m), ref_share=ref_share,
                    ref_rate=ref_rate, chap_m=chap_m, chap_d=chap_d)


def partners() -> pd.DataFrame:
    """Partners with 2024 US import data: ``partner`` (ISO3, ``EU27`` for the EU aggregate),
    ``name``, ``basis`` (``hs10``: line data; ``hs2``: chapter data, lines imputed),
    ``eu_member``, ``in_world``, ``imports_usd``, ``duty_usd``. A copy."""
    return line_data().units.copy()


# ----------------------------------------------------------------------------- lists
@lru_cache(maxsize=1)
def _lists() -> tuple[pd.DataFrame, dict[str, tuple[str, ...]]]:
    with _open("us_tariff_lists_index.csv") as fh:
        index = pd.read_csv(fh, dtype=str, keep_default_na=False)
    index["n_codes"] = index.n_codes.astype(int)
    with _open("us_tariff_lists.csv.gz") as fh:
        long = pd.read_csv(fh, compression="gzip", dtype=str)
    codes = {str(name): tuple(g.code) for name, g in long.groupby("list", sort=False)}
    return index, codes


def product_lists() -> pd.DataFrame:
    """Index of the named product lists shipped with tariffsim.

    Returns
    -------
    pandas.DataFrame
        ``list`` (the name used as ``"list:NAME"`` in instruments), ``kind``
        (``products``: US HTS prefixes; ``partner_products``: a partner's own tariff lines,
        for reference only), ``n_codes``, ``description``, ``legal_basis``, ``source``
        (repository, commit and file, or the legal text) and ``transform`` (what was done
        to the source codes). Plus the share table ``usmca_2024`` (kind ``shares``).
    """
    index, _ = _lists()
    extra = pd.DataFrame([{
        "list": "usmca_2024", "kind": "shares", "n_codes": len(_usmca()),
        "description": "Share of 2024 US imports from Canada and Mexico entered claiming USMCA "
                       "preference, by HTS10 line (USITC DataWeb, special programs S/S+)",
        "legal_basis": "USMCA; EO 14193/14194 as amended 6 Mar 2025",
        "source": "Budget-Lab-Yale/tariff-rate-tracker (MIT) @8315fffd697c42559141ed5f8bf7c8fa"
                  "3da47ae8, resources/usmca_product_shares_2024.csv",
        "transform": "zero shares dropped"}])
    return pd.concat([index, extra], ignore_index=True)


def list_codes(name: str) -> tuple[str, ...]:
    """The HTS prefixes of named list ``name`` (with or without the ``list:`` prefix)."""
    key = name[len(LIST_PREFIX):] if name.startswith(LIST_PREFIX) else name
    _, codes = _lists()
    if key not in codes:
        raise ScenarioError(f"unknown product list {name!r}{suggest(key, codes)}; the shipped "
                            f"lists are listed by tariffsim.tariff_lines.product_lists().",
                            field="products")
    return codes[key]


def expand_products(items: tuple[str, ...] | list[str],
                    field_: str = "products") -> tuple[str, ...]:
    """HTS prefixes of a mix of codes and ``list:NAME`` entries (dots removed)."""
    out: list[str] = []
    for item in items:
        if item.startswith(LIST_PREFIX):
            try:
                codes = list_codes(item)
            except ScenarioError as exc:
                raise ScenarioError(f"{field_}: {exc}", field=field_) from None
            index, _ = _lists()
            kind = index.set_index("list").kind.get(item[len(LIST_PREFIX):], "products")
            if kind != "products":
                raise ScenarioError(f"{field_}: list {item!r} holds a partner's own tariff "
                                    f"lines ({kind}), not US HTS codes.", field=field_)
            out.extend(codes)
        else:
            out.append(item.replace(".", "").strip())
    return tuple(out)


@lru_cache(maxsize=512)
def product_mask(items: tuple[str, ...], field_: str = "products") -> np.ndarray:
    """Boolean mask over `LineData.codes` of the lines a product spec covers.

    A code covers every HTS10 line that starts with it.
    """
    codes = line_data().codes
    prefixes = expand_products(items, field_)
    by_len: dict[int, set[str]] = {}
    for p in prefixes:
        by_len.setdefault(len(p), set()).add(p)
    mask = np.zeros(len(codes), dtype=bool)
    for n, pre in by_len.items():
        cut = _cut_codes(n)
        sorted_pre = np.unique(np.array(sorted(pre), dtype=f"<U{n}"))
        pos = np.clip(np.searchsorted(sorted_pre, cut), 0, len(sorted_pre) - 1)
        mask |= sorted_pre[pos] == cut
    mask.setflags(write=False)
    return mask


@lru_cache(maxsize=8)
def _cut_codes(n: int) -> np.ndarray:
    """The first ``n`` digits of every line of the HTS10 universe."""
    return line_data().codes.astype(f"<U{n}")


@lru_cache(maxsize=1)
def _usmca() -> pd.DataFrame:
    with _open("us_usmca_shares_2024.csv.gz") as fh:
        return pd.read_csv(fh, compression="gzip", dtype={"partner": str, "hs10": str})


SHARE_TABLES = ("usmca_2024",)


def share_table(name: str) -> pd.DataFrame:
    """A shipped share table (``partner, hs10, share``); lines not listed have share 0.

    ``usmca_2024``: share of 2024 imports from CAN and MEX entered claiming USMCA (38% and
    50% of the value). After the 2025 tariffs claiming rose (Budget Lab: about 85-88% of
    trade in H2 2025), so exempting 2024 claims overstates the duty on CAN/MEX goods.
    """
    key = name[len(LIST_PREFIX):] if name.startswith(LIST_PREFIX) else name
    if key not in SHARE_TABLES:
        raise ScenarioError(f"exempt_share: unknown share table {name!r}"
                            f"{suggest(key, SHARE_TABLES)}; shipped: {list(SHARE_TABLES)}, or "
                            f"give a share between 0 and 1.", field="exempt_share")
    return _usmca().copy()


@lru_cache(maxsize=8)
def share_rows(name: str) -> np.ndarray:
    """The share table as an array over the HS10 rows of `line_data` (0 elsewhere)."""
    ld = line_data()
    tab = share_table(name)
    out = np.zeros(len(ld.row_unit))
    uidx = ld.unit_index()
    for key, sub in tab.groupby("partner"):
        partner = str(key)
        if partner not in uidx:
            continue
        rows = np.flatnonzero(ld.row_unit == uidx[partner])
        codes = ld.codes[ld.row_line[rows]]
        keys = sub.hs10.to_numpy(dtype=str)
        order = np.argsort(keys)
        keys, vals = keys[order], sub.share.to_numpy()[order]
        pos = np.clip(np.searchsorted(keys, codes), 0, max(len(keys) - 1, 0))
        hit = keys[pos] == codes if len(keys) else np.zeros(len(codes), dtype=bool)
        out[rows[hit]] = vals[pos[hit]]
    out.setflags(write=False)
    return out
