"""Loaders: turn the trade data users already have into a [`Baseline`][tariffsim.Baseline].

One module per source, each validating its file and raising
[`DataError`][tariffsim.errors.DataError] that names the file, the column or rows and the fix:

* [`read_baci`][tariffsim.io.read_baci], [`read_baci_products`][tariffsim.io.read_baci_products]:
  CEPII BACI (HS6, FOB, thousand USD).
* [`read_icio`][tariffsim.io.read_icio]: OECD Inter-Country Input-Output tables (2023 release
  layout).
* [`read_comtrade`][tariffsim.io.read_comtrade],
  [`read_comtrade_products`][tariffsim.io.read_comtrade_products]: UN Comtrade CSV exports.
* [`read_census`][tariffsim.io.read_census]: US Census "U.S. Trade in Goods by Country"
  (``country.txt/xlsx``).

All loaders return values in USD million and take ``regions=`` (a list of ISO3 codes to
keep, the rest summed into ``"ROW"``, or a mapping ``{code: region}``) and ``sectors=``.
Nothing is downloaded: download the files from the publishers first.
"""

from .baci import read_baci, read_baci_countries, read_baci_products
from .census import read_census
from .comtrade import read_comtrade, read_comtrade_products
from .icio import read_icio
from .liberation_day import liberation_day_local_share, liberation_day_tariffs, read_liberation_day

__all__ = [
    "read_baci",
    "read_baci_countries",
    "read_baci_products",
    "read_census",
    "read_comtrade",
    "read_comtrade_products",
    "read_icio",
    "read_liberation_day",
    "liberation_day_local_share",
    "liberation_day_tariffs",
]
