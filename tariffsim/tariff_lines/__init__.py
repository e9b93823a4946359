"""The product-level US tariff schedule: 2024 line data, named product lists, the line-level
stacking engine and effective rates.

>>> import tariffsim as ts
>>> df = ts.effective_rates("us-tariffs-2025-2026", date="2025-09-01")   # doctest: +SKIP

* [`effective_rates`][tariffsim.tariff_lines.effective_rates] -- import-weighted rates by exporter /
  sector / total;
* [`cell_rates`][tariffsim.tariff_lines.cell_rates] -- the tariff of each (partner, sector) cell of
  a baseline;
* [`line_rates`][tariffsim.tariff_lines.line_rates] -- the rate of every HTS10 line of some
  partners;
* [`product_lists`][tariffsim.tariff_lines.product_lists],
  [`list_codes`][tariffsim.tariff_lines.list_codes],
  [`share_table`][tariffsim.tariff_lines.share_table], [`partners`][tariffsim.tariff_lines.partners]
  -- the shipped data.

How the rules stack: [`tariffsim.Tariff`][] (Notes) and docs/us_tariffs.md.
"""

from .data import line_data, list_codes, partners, product_lists, share_table
from .engine import compile_instruments, evaluate, line_sectors
from .rates import cell_rates, effective_rates, line_rates

__all__ = [
    "cell_rates",
    "compile_instruments",
    "effective_rates",
    "evaluate",
    "line_data",
    "line_rates",
    "line_sectors",
    "list_codes",
    "partners",
    "product_lists",
    "share_table",
]
