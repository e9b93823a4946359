"""The product-level US tariff schedule: 2024 line data, named product lists, the line-level
stacking engine and effective rates.

>>> import tariffsim as ts
>>> df = ts.effective_rates("us-tariffs-2025-2026", date="2025-09-01")   # doctest: +SKIP

* :func:`effective_rates` -- import-weighted rates by exporter / sector / total;
* :func:`cell_rates` -- the tariff of each (partner, sector) cell of a baseline;
* :func:`line_rates` -- the rate of every HTS10 line of some partners;
* :func:`product_lists`, :func:`list_codes`, :func:`share_table`, :func:`partners` -- the
  shipped data.

How the rules stack: :class:`tariffsim.Tariff` (Notes) and docs/us_tariffs.md.
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
