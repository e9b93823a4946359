"""Column checks shared by every tidy-frame entry point (Baseline, ProductData, loaders).

Each raises :class:`tariffsim.errors.DataError` naming the field, the offending rows and
the fix, so that every table-shaped input is rejected the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import DataError

__all__ = ["show_rows", "numeric_column", "code_column"]


def show_rows(rows: pd.DataFrame, n: int = 5) -> str:
    """Short text of offending rows for an error message (first ``n`` and a count)."""
    text = rows.head(n).to_string(index=False)
    more = f"\n... and {len(rows) - n} more row(s)" if len(rows) > n else ""
    return f"\n{text}{more}"


def numeric_column(df: pd.DataFrame, name: str, col: str) -> np.ndarray:
    """Column ``col`` of ``df`` as finite floats, or DataError naming the offending rows.

    ``name`` is the argument the frame came in (``"flows"``, ``"tariffs"``, ...), so the
    message names the field as ``name.col``.
    """
    raw = df[col]
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna()
    if bad.any():
        raise DataError(f"{name}.{col}: non-numeric value(s) in {int(bad.sum())} row(s):"
                        f"{show_rows(df[bad])}\nGive numbers (for example 0.19 for 19%).",
                        field=f"{name}.{col}", rows=df[bad])
    out = values.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(out)
    if bad.any():
        raise DataError(f"{name}.{col}: missing, NaN or infinite value(s) in "
                        f"{int(bad.sum())} row(s):{show_rows(df[bad])}\n"
                        f"Fill or drop those rows.", field=f"{name}.{col}", rows=df[bad])
    return out


def code_column(df: pd.DataFrame, name: str, col: str) -> pd.Series:
    """Codes as stripped strings; empty or missing codes raise DataError.

    Each distinct code is stripped once (fast on millions of rows).
    """
    codes, uniques = pd.factorize(df[col], use_na_sentinel=True)
    labels = np.array([str(u).strip() for u in uniques] + [""], dtype=object)
    empty = np.array([lab == "" for lab in labels])
    bad = empty[codes]  # code -1 (missing) picks the trailing ""
    if bad.any():
        raise DataError(f"{name}.{col}: empty code(s) in {int(bad.sum())} row(s):"
                        f"{show_rows(df[bad])}\nEvery row needs a code.",
                        field=f"{name}.{col}", rows=df[bad])
    return pd.Series(labels[codes], index=df.index, dtype="str")
