"""Product-level trade data for the partial-equilibrium engines (SMART, GSIM).

[`ProductData`][tariffsim.pe.products.ProductData] is a validated tidy table with one row per
importer, exporter and product: the import value at world (tariff-exclusive) prices and the applied
ad valorem tariff (0.19 means 19%). It is validated like [`tariffsim.Baseline`][]: negative, NaN or
infinite values, duplicate rows, tariffs below -100% and missing columns raise
[`tariffsim.errors.DataError`][] naming the field, the offending rows and the fix; tariffs above
1000% warn with [`tariffsim.errors.TariffSimWarning`][].

The module also holds the matching of *shock frames* (new tariffs, export restrictions,
commitments) onto the rows of the data, shared by [`tariffsim.pe.smart`][] and
[`tariffsim.pe.gsim`][].
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._validate import code_column, numeric_column, require_columns, show_rows
from ..errors import DataError, TariffSimWarning, unknown_codes_message

__all__ = ["ProductData", "DEFAULT_PRODUCT", "KEYS"]

#: Name of the single product of data given without a ``product`` column.
DEFAULT_PRODUCT = "total"

#: The key columns of product data, in this order.
KEYS = ("importer", "exporter", "product")

#: Tariffs above this (10 = 1000%) are accepted with a warning.
TARIFF_WARN = 10.0


def check_tariff_range(rates: np.ndarray, df: pd.DataFrame, field_name: str) -> None:
    """DataError for tariffs below -100%, a TariffSimWarning above 1000%."""
    bad = rates < -1.0
    if bad.any():
        raise DataError(f"{field_name}: tariff(s) below -100% in {int(bad.sum())} row(s):"
                        f"{show_rows(df[bad])}\nTariffs are ad valorem fractions (0.19 = 19%); "
                        f"a subsidy cannot exceed the whole price.",
                        field=field_name, rows=df[bad])
    high = rates > TARIFF_WARN
    if high.any():
        warnings.warn(f"{field_name}: tariff(s) above 1000% in {int(high.sum())} row(s) "
                      f"(max {rates.max():.4g}); tariffs are fractions (0.19 = 19%), did you "
                      f"give percent?", TariffSimWarning, stacklevel=4)


@dataclass(frozen=True, eq=False, repr=False)
class ProductData:
    """Imports by importer, exporter and product, with applied tariffs.

    Build it with [`from_frame`][tariffsim.pe.products.ProductData.from_frame],
    [`from_arrays`][tariffsim.pe.products.ProductData.from_arrays] or
    [`from_baseline`][tariffsim.pe.products.ProductData.from_baseline].

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns ``importer, exporter, product`` (str), ``value`` (imports at world,
        tariff-exclusive prices, in ``units``) and ``tariff`` (ad valorem, 0.19 = 19%),
        sorted by importer, product, exporter. Domestic sales are not imports: rows
        with ``exporter == importer`` are rejected unless built with
        ``intra_region=True`` (trade within an aggregate region such as the EU).
    units : str
    source : str or None
    year : int or None
    """

    frame: pd.DataFrame
    units: str = "USD million"
    source: str | None = None
    year: int | None = None
    _codes: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _labels: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_frame(cls, df: pd.DataFrame, *, units: str = "USD million",
                   source: str | None = None, year: int | None = None,
                   importer: str | None = None, product: str | None = None,
                   intra_region: bool = False, name: str = "data") -> ProductData:
        """Validate a tidy frame of imports.

        Parameters
        ----------
        df : pandas.DataFrame
            Columns ``exporter``, ``value``, ``tariff`` (``rate`` is accepted as an
            alias), ``importer`` (optional when ``importer=`` is given) and ``product``
            (optional: without it, or with ``product=``, the single product is
            ``"total"``/that name). Other columns are ignored.
        units, source, year
            Units of ``value`` (default USD million), citation and year of the data.
        importer, product : str, optional
            Fill a missing ``importer``/``product`` column with this code.
        intra_region : bool
            Accept rows with ``exporter == importer`` as imports *within* an aggregate
            region (intra-EU trade, as in the GSIM demonstration). By default such rows
            are taken for domestic sales and rejected when positive (dropped when 0).
        name : str
            Name of the input used in error messages.

        Raises
        ------
        DataError
            Missing columns; empty codes; non-numeric, NaN, infinite or negative values;
            tariffs below -100%; duplicate importer/exporter/product rows; positive
            domestic sales (``exporter == importer``).
        """
        if not isinstance(df, pd.DataFrame):
            raise DataError(f"{name}: expected a pandas DataFrame with columns "
                            f"{list(KEYS) + ['value', 'tariff']}, got {type(df).__name__}.",
                            field=name)
        df = df.copy()
        if "tariff" not in df.columns and "rate" in df.columns:
            df = df.rename(columns={"rate": "tariff"})
        if "importer" not in df.columns and importer is not None:
            df["importer"] = str(importer)
        if "product" not in df.columns:
            df["product"] = DEFAULT_PRODUCT if product is None else str(product)
        required = ["importer", "exporter", "product", "value", "tariff"]
        missing = [c for c in required if c not in df.columns]
        fixes = []
        if "importer" in missing:
            fixes.append("add an 'importer' column or pass importer='USA'")
        if "tariff" in missing:
            fixes.append("add a 'tariff' column (ad valorem fraction, 0.0 where duty-free)")
        other = [c for c in missing if c not in ("importer", "tariff")]
        if other:
            fixes.append(f"rename your columns to include {other}")
        require_columns(df, required, name, field="{name}.{column}", non_empty=True,
                        hint=f"Fix: {'; '.join(fixes)}." if fixes else "")
        out = pd.DataFrame({k: code_column(df, name, k) for k in KEYS})
        value = numeric_column(df, name, "value")
        tariff = numeric_column(df, name, "tariff")
        neg = value < 0
        if neg.any():
            raise DataError(f"{name}.value: negative import value(s) in {int(neg.sum())} "
                            f"row(s):{show_rows(df[neg])}\nImports at world prices cannot be "
                            f"negative; fix or drop those rows.", field=f"{name}.value",
                            rows=df[neg])
        check_tariff_range(tariff, df, f"{name}.tariff")
        out["value"] = value
        out["tariff"] = tariff
        dup = out.duplicated(list(KEYS), keep=False).to_numpy()
        if dup.any():
            rows = out[dup].sort_values(list(KEYS))
            raise DataError(f"{name}: duplicate rows for the same importer/exporter/product "
                            f"({int(dup.sum())} rows):{show_rows(rows)}\nSum the values (and "
                            f"take the import-weighted mean tariff) or drop the duplicates.",
                            field=name, rows=rows)
        domestic = (out["importer"] == out["exporter"]).to_numpy() & (not intra_region)
        if (domestic & (value > 0)).any():
            rows = out[domestic & (value > 0)]
            raise DataError(f"{name}: rows with exporter == importer are domestic sales, not "
                            f"imports:{show_rows(rows)}\nDrop them (the PE models use imports "
                            f"only), or pass intra_region=True if they are imports within an "
                            f"aggregate region such as intra-EU trade.",
                            field=f"{name}.exporter", rows=rows)
        out = out[~domestic]
        if out.empty:
            raise DataError(f"{name}: no import rows left after dropping domestic rows.",
                            field=name)
        return cls._build(out, units=units, source=source, year=year)

    @classmethod
    def _build(cls, out: pd.DataFrame, *, units: str, source: str | None,
               year: int | None) -> ProductData:
        out = out.sort_values(["importer", "product", "exporter"], kind="stable")
        out = out.reset_index(drop=True)
        codes: dict[str, np.ndarray] = {}
        labels: dict[str, tuple[str, ...]] = {}
        for k in KEYS:
            c, u = pd.factorize(out[k], sort=True)
            codes[k] = c.astype(np.int64)
            labels[k] = tuple(str(x) for x in u)
        regions = tuple(sorted(set(labels["importer"]) | set(labels["exporter"])))
        labels["region"] = regions
        ridx = pd.Index(regions)
        codes["importer_region"] = ridx.get_indexer(pd.Index(labels["importer"]))[
            codes["importer"]]
        codes["exporter_region"] = ridx.get_indexer(pd.Index(labels["exporter"]))[
            codes["exporter"]]
        # a "market" is one (importer, product): the unit SMART works on
        market = codes["importer"] * len(labels["product"]) + codes["product"]
        m, _ = pd.factorize(market, sort=True)
        codes["market"] = m.astype(np.int64)
        for a in codes.values():
            a.flags.writeable = False
        return cls(out, units=str(units), source=source, year=year,
                   _codes=codes, _labels=labels)

    @classmethod
    def from_arrays(cls, regions: Sequence[str], values: Any, tariffs: Any = None, *,
                    products: Sequence[str] | None = None, units: str = "USD million",
                    source: str | None = None, year: int | None = None,
                    intra_region: bool = False) -> ProductData:
        """Build from arrays ``[exporter, importer]`` or ``[product, exporter, importer]``.

        ``tariffs`` are ad valorem fractions of the same shape (or None for zero); GSIM
        tariff factors ``T = 1 + t`` convert with ``T - 1``. The diagonal is dropped
        (domestic sales) unless ``intra_region=True`` (imports within aggregate regions,
        as in the GSIM demonstration). Zero flows are kept as rows.
        """
        try:
            v = np.asarray(values, dtype=float)
            t_in = None if tariffs is None else np.asarray(tariffs, dtype=float)
        except (TypeError, ValueError) as exc:
            raise DataError(f"values/tariffs: cannot read the entries as numbers ({exc}); give "
                            f"numeric arrays.", field="values") from None
        if v.ndim == 2:
            v = v[None]
        r = [str(x) for x in regions]
        if v.ndim != 3 or v.shape[1:] != (len(r), len(r)):
            raise DataError(f"values: expected shape ({len(r)}, {len(r)}) or (P, {len(r)}, "
                            f"{len(r)}) [product, exporter, importer], got "
                            f"{np.shape(values)}.", field="values")
        t = np.zeros_like(v) if t_in is None else t_in
        if t.ndim == 2:
            t = t[None]
        if t.shape != v.shape:
            raise DataError(f"tariffs: shape {np.shape(tariffs)} does not match values "
                            f"{np.shape(values)}.", field="tariffs")
        p = [str(x) for x in products] if products is not None else (
            [DEFAULT_PRODUCT] if v.shape[0] == 1 else [f"p{i}" for i in range(v.shape[0])])
        if len(p) != v.shape[0]:
            raise DataError(f"products: {len(p)} names for {v.shape[0]} products.",
                            field="products")
        pi, ei, ii = np.meshgrid(np.arange(len(p)), np.arange(len(r)), np.arange(len(r)),
                                 indexing="ij")
        keep = np.ones(ei.size, dtype=bool) if intra_region else (ei != ii).ravel()
        frame = pd.DataFrame({
            "importer": np.asarray(r, dtype=object)[ii.ravel()[keep]],
            "exporter": np.asarray(r, dtype=object)[ei.ravel()[keep]],
            "product": np.asarray(p, dtype=object)[pi.ravel()[keep]],
            "value": v.ravel()[keep], "tariff": t.ravel()[keep]})
        return cls.from_frame(frame, units=units, source=source, year=year,
                              intra_region=intra_region, name="values")

    @classmethod
    def from_baseline(cls, baseline: Any, *, sectors: Sequence[str] | None = None
                      ) -> ProductData:
        """Imports of a [`tariffsim.Baseline`][], its sectors taken as products.

        Domestic sales (the diagonal) are dropped; only positive flows are kept.
        """
        flows = np.asarray(baseline.flows)
        tariffs = np.asarray(baseline.tariffs)
        countries = list(baseline.countries)
        secs = list(baseline.sectors)
        e, i, j = np.nonzero(flows)
        keep = e != i
        if sectors is not None:
            want = {str(s) for s in sectors}
            unknown = sorted(want - set(secs))
            if unknown:
                raise DataError(unknown_codes_message("sectors", unknown, secs),
                                field="sectors")
            keep &= np.isin(np.asarray(secs, dtype=object)[j], list(want))
        e, i, j = e[keep], i[keep], j[keep]
        frame = pd.DataFrame({
            "importer": np.asarray(countries, dtype=object)[i],
            "exporter": np.asarray(countries, dtype=object)[e],
            "product": np.asarray(secs, dtype=object)[j],
            "value": flows[e, i, j], "tariff": tariffs[e, i, j]})
        return cls.from_frame(frame, units=getattr(baseline, "units", "USD million"),
                              source=getattr(baseline, "source", None),
                              year=getattr(baseline, "year", None), name="baseline")

    # ------------------------------------------------------------------ access
    @property
    def importers(self) -> tuple[str, ...]:
        return self._labels["importer"]

    @property
    def exporters(self) -> tuple[str, ...]:
        return self._labels["exporter"]

    @property
    def products(self) -> tuple[str, ...]:
        return self._labels["product"]

    @property
    def regions(self) -> tuple[str, ...]:
        """Every economy that imports or exports, sorted (the GSIM region axis)."""
        return self._labels["region"]

    @property
    def n_rows(self) -> int:
        return len(self.frame)

    def codes(self, key: str) -> np.ndarray:
        """Integer code of every row for ``key`` (importer, exporter, product, market,
        importer_region, exporter_region)."""
        return self._codes[key]

    @property
    def value(self) -> np.ndarray:
        return self.frame["value"].to_numpy(dtype=float)

    @property
    def tariff(self) -> np.ndarray:
        return self.frame["tariff"].to_numpy(dtype=float)

    def to_frame(self) -> pd.DataFrame:
        """A copy of the validated tidy frame."""
        return self.frame.copy()

    def select(self, *, importer: str | Sequence[str] | None = None,
               products: Sequence[str] | None = None) -> ProductData:
        """Subset by importer(s) and/or products (unknown codes raise DataError)."""
        mask = np.ones(self.n_rows, dtype=bool)
        for key, want in (("importer", importer), ("product", products)):
            if want is None:
                continue
            want_list = [want] if isinstance(want, str) else [str(w) for w in want]
            known = self._labels[key]
            unknown = [w for w in want_list if w not in known]
            if unknown:
                raise DataError(unknown_codes_message(key, unknown, list(known)), field=key)
            mask &= self.frame[key].isin(want_list).to_numpy()
        return ProductData._build(self.frame[mask].copy(), units=self.units,
                                  source=self.source, year=self.year)

    def __repr__(self) -> str:
        from .. import _display
        return _display.product_data_repr(self)

    def _repr_html_(self) -> str:
        from .. import _display
        return _display.html(_display.product_data_view(self))


# ---------------------------------------------------------------------- shock frames
def as_data(data: Any, *, units: str = "USD million", source: str | None = None
            ) -> ProductData:
    """Accept ProductData, a tidy DataFrame or a Baseline."""
    if isinstance(data, ProductData):
        return data
    if isinstance(data, pd.DataFrame):
        return ProductData.from_frame(data, units=units, source=source)
    if hasattr(data, "flows") and hasattr(data, "countries"):
        return ProductData.from_baseline(data)
    raise DataError(f"data: expected ProductData, a DataFrame (importer, exporter, product, "
                    f"value, tariff) or a Baseline, got {type(data).__name__}.", field="data")


def shock_frame(spec: Any, name: str, value_cols: Sequence[str],
                aliases: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Normalise a shock given as a scalar, a mapping ``{exporter: value}`` or a frame.

    The result has the key columns present in the input (a subset of importer,
    exporter, product; absent or ``NaN``/``"*"`` keys mean "all") and ``value_cols``.
    """
    value_col = value_cols[0]
    if spec is None:
        return pd.DataFrame(columns=[value_col])
    if isinstance(spec, int | float | np.integer | np.floating):
        return pd.DataFrame({value_col: [float(spec)]})
    if isinstance(spec, pd.Series):
        spec = spec.to_dict()
    if isinstance(spec, Mapping):
        return pd.DataFrame({"exporter": [str(k) for k in spec],
                             value_col: list(spec.values())})
    if not isinstance(spec, pd.DataFrame):
        raise DataError(f"{name}: expected a number, a mapping {{exporter: {value_col}}} or a "
                        f"DataFrame (exporter, [importer], [product], {value_col}), got "
                        f"{type(spec).__name__}.", field=name)
    df = spec.copy()
    for src, dst in (aliases or {}).items():
        if dst not in df.columns and src in df.columns:
            df = df.rename(columns={src: dst})
    if not any(c in df.columns for c in value_cols):
        raise DataError(f"{name}: missing column {value_col!r} (found {list(df.columns)}); "
                        f"give one of {list(value_cols)}.", field=f"{name}.{value_col}")
    return df


def match_shocks(data: ProductData, spec: pd.DataFrame, name: str, value_col: str
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Map the rows of a shock frame onto the rows of ``data``, vectorised.

    Keys present in ``spec`` (importer, exporter, product) select rows; an absent key,
    NaN or ``"*"`` matches all. More specific shock rows override less specific ones
    (for example an exporter-and-product rate overrides an exporter-wide rate).

    Returns
    -------
    values : ndarray (n_rows,)
        The shock value for each data row (NaN where no shock row applies).
    hit : ndarray of bool (n_rows,)
    """
    n = data.n_rows
    values = np.full(n, np.nan)
    if value_col not in spec.columns or spec.empty:
        return values, np.zeros(n, dtype=bool)
    spec = spec.reset_index(drop=True)
    keys_present = [k for k in KEYS if k in spec.columns]
    # normalise keys; check codes
    norm = pd.DataFrame(index=spec.index)
    for k in keys_present:
        col = spec[k]
        blank = col.isna() | col.astype(str).str.strip().isin(["", "*"])
        s = col.astype(str).str.strip().where(~blank, None)
        known = data._labels[k]
        given = s[~blank]
        bad = ~given.isin(set(known))
        if bad.any():
            unknown = list(dict.fromkeys(given[bad]))
            rows = spec.loc[given[bad].index]
            raise DataError(unknown_codes_message(f"{name}.{k}", unknown, list(known))
                            + f"\nOffending rows:{show_rows(rows)}", field=f"{name}.{k}",
                            rows=rows)
        norm[k] = s
    v = numeric_column(spec, name, value_col)
    norm["_v"] = v
    pattern = np.zeros(len(spec), dtype=np.int64)
    for b, k in enumerate(keys_present):
        pattern |= norm[k].notna().to_numpy().astype(np.int64) << b
    sizes = {k: len(data._labels[k]) for k in KEYS}
    label_index = {k: pd.Index(data._labels[k]) for k in keys_present}
    for pat in sorted(set(pattern.tolist()), key=lambda p: (bin(p).count("1"), p)):
        sel = norm[pattern == pat]
        on = [k for b, k in enumerate(keys_present) if pat >> b & 1]
        if not on:
            if len(sel) > 1:
                raise DataError(f"{name}: {len(sel)} rows apply to everything; give one.",
                                field=name, rows=spec.loc[sel.index])
            values[:] = sel["_v"].iloc[0]
            continue
        dup = sel.duplicated(on, keep=False)
        if dup.any():
            rows = spec.loc[sel.index[dup.to_numpy()]]
            raise DataError(f"{name}: duplicate rows for the same {'/'.join(on)}:"
                            f"{show_rows(rows)}\nGive one {value_col} per key.", field=name,
                            rows=rows)
        # one integer key per row over the keys of this pattern, then a hash lookup
        row_key = np.zeros(n, dtype=np.int64)
        spec_key = np.zeros(len(sel), dtype=np.int64)
        for k in on:
            row_key = row_key * sizes[k] + data.codes(k)
            spec_key = spec_key * sizes[k] + label_index[k].get_indexer(sel[k].to_numpy())
        pos = pd.Index(spec_key).get_indexer(pd.Index(row_key))
        hit = pos >= 0
        values[hit] = sel["_v"].to_numpy()[pos[hit]]
    return values, ~np.isnan(values)


# ---------------------------------------------------------------------- results
@dataclass(frozen=True, eq=False, repr=False)
class PEResult:
    """What a partial-equilibrium run returns.

    Attributes
    ----------
    model : str
        ``"smart"`` or ``"gsim"``.
    products : pandas.DataFrame
        One row per importer, exporter and product (the tidy detail).
    exporters : pandas.DataFrame
        One row per importer and exporter, summed over products, with
        ``balance_change``: the change of the importer's bilateral trade balance with
        that exporter from the import side (imports rise -> balance falls).
    regions : pandas.DataFrame
        SMART: one row per importing market (imports, tariff revenue, consumer surplus,
        net welfare). GSIM: one row per region (producer and consumer surplus, tariff
        revenue, export-tax rents, net welfare, world price change).
    elasticities : dict
        The elasticities used (scalars, or per-product Series).
    units : str
        Units of every value column (those of the input data).
    source : str or None
        Citation of the input data.
    notes : tuple of str
        Modelling choices and warnings of this run (clipped rows, defaulted
        elasticities, ...).
    by_product : pandas.DataFrame or None
        GSIM: the ``regions`` table per product and region.
    """

    model: str
    products: pd.DataFrame
    exporters: pd.DataFrame
    regions: pd.DataFrame
    elasticities: dict[str, Any]
    units: str = "USD million"
    source: str | None = None
    notes: tuple[str, ...] = ()
    by_product: pd.DataFrame | None = None

    def __repr__(self) -> str:
        from .. import _display
        return _display.text(_display.pe_result_view(self))

    def _repr_html_(self) -> str:
        from .. import _display
        return _display.html(_display.pe_result_view(self))


# ---------------------------------------------------------------------- elasticities
def elasticity_by_label(value: Any, labels: Sequence[str], field_name: str, default: float,
                        *, kind: str) -> tuple[np.ndarray, int]:
    """An elasticity given as a scalar or by label (mapping or Series) as an array.

    Labels missing from a mapping take ``default`` (as WITS does for products without
    an estimate); the count of defaulted labels is returned. Unknown labels raise
    [`ModelError`][tariffsim.errors.ModelError] with a did-you-mean suggestion.

    ``kind`` is the sign rule: ``"negative"`` (<= 0, finite), ``"nonnegative"``
    (>= 0, finite) or ``"positive"`` (> 0, ``inf`` allowed).
    """
    from ..errors import ModelError

    n = len(labels)
    if isinstance(value, pd.Series):
        value = value.to_dict()
    if isinstance(value, Mapping):
        known = set(labels)
        unknown = [str(k) for k in value if str(k) not in known]
        if unknown:
            raise ModelError(unknown_codes_message(field_name, unknown, list(labels)),
                             field=field_name)
        lookup = {str(k): v for k, v in value.items()}
        raw = [lookup.get(lab, default) for lab in labels]
        n_default = sum(1 for lab in labels if lab not in lookup)
    else:
        raw = [value] * n
        n_default = 0
    try:
        arr = np.array(raw, dtype=float).reshape(n)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"{field_name}: expected a number or a mapping of numbers by "
                         f"label, got {value!r}.", field=field_name) from exc
    bad_nan = np.isnan(arr)
    if kind == "negative":
        bad = bad_nan | ~np.isfinite(arr) | (arr > 0)
        rule = "a finite number <= 0 (import demand falls when its price rises), e.g. -1.25"
    elif kind == "nonnegative":
        bad = bad_nan | ~np.isfinite(arr) | (arr < 0)
        rule = "a finite number >= 0, e.g. 1.5"
    elif kind == "positive":
        bad = bad_nan | (arr <= 0)
        rule = "a number > 0 (np.inf for a perfectly elastic supply), e.g. 1.5"
    else:  # pragma: no cover - internal misuse
        raise ValueError(kind)
    if bad.any():
        if isinstance(value, Mapping):
            shown = ", ".join(f"{labels[i]}: {arr[i]}" for i in np.flatnonzero(bad)[:5])
        else:
            shown = repr(value)
        raise ModelError(f"{field_name}: invalid value(s) {shown}; must be {rule}.",
                         field=field_name)
    return arr, n_default


# ---------------------------------------------------------------------- shipped example
def load_rare_earths() -> ProductData:
    """US imports of rare-earth compounds and metals by source (example data).

    Import-source shares 2020-23 from USGS Mineral Commodity Summaries 2025 (China 70%,
    Malaysia 13%, Japan 6%, Estonia 5%, other 6%) applied to the ~US$170 million of 2024
    imports, in USD million. Confidence *medium*: transcribed from secondary summaries
    of MCS 2025, to be verified against the USGS PDF; tariffs are set to 0 by
    assumption (not a sourced rate). The per-row ``source``, ``confidence`` and
    ``caveat`` are in ``tariffsim/data/pe_rare_earths.csv`` and in
    ``ProductData.source``.
    """
    from importlib import resources

    path = resources.files("tariffsim").joinpath("data/pe_rare_earths.csv")
    with resources.as_file(path) as p:
        raw = pd.read_csv(p)
    source = (f"{raw['source'].iloc[0]} Confidence: {raw['confidence'].iloc[0]}. "
              f"Caveat: {raw['caveat'].iloc[0]}")
    return ProductData.from_frame(raw, units="USD million", source=source, year=2024)


def price_shock_rows(data: ProductData, new_tariffs: Any, export_taxes: Any,
                     supply_cuts: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three row-level shocks SMART and GSIM share, validated.

    Returns the new tariff of every row (the data's own where none is given), its export
    tax equivalent (0 where none) and its supply cut (0 where none). Tariffs below -100%,
    negative export taxes and cuts outside [0, 1] raise DataError naming the rows.
    """
    spec = shock_frame(new_tariffs, "new_tariffs", ["rate"], {"tariff": "rate"})
    t1_given, hit = match_shocks(data, spec, "new_tariffs", "rate")
    if hit.any():
        check_tariff_range(t1_given[hit], data.frame[hit], "new_tariffs.rate")
    t1 = np.where(hit, t1_given, data.tariff)
    spec = shock_frame(export_taxes, "export_taxes", ["tax_equivalent"],
                       {"rate": "tax_equivalent"})
    x_given, hit_x = match_shocks(data, spec, "export_taxes", "tax_equivalent")
    x = np.where(hit_x, x_given, 0.0)
    if (x < 0).any():
        bad = data.frame[x < 0]
        raise DataError(f"export_taxes.tax_equivalent: negative export tax in {len(bad)} "
                        f"row(s); an export restriction raises the price (>= 0). Use "
                        f"new_tariffs for subsidies.", field="export_taxes.tax_equivalent",
                        rows=bad)
    spec = shock_frame(supply_cuts, "supply_cuts", ["cut"], {"rate": "cut"})
    cut_given, hit_c = match_shocks(data, spec, "supply_cuts", "cut")
    cut = np.where(hit_c, cut_given, 0.0)
    if ((cut < 0) | (cut > 1)).any():
        bad = data.frame[(cut < 0) | (cut > 1)]
        raise DataError(f"supply_cuts.cut: cuts are fractions of baseline imports between 0 "
                        f"and 1 (1 = ban); {len(bad)} row(s) outside.",
                        field="supply_cuts.cut", rows=bad)
    return t1, x, cut
