"""Replication data of Ignatenko, Macedoni, Lashkaripour & Simonovska (2025, JIE).

"Making America Great Again? The Economic Impacts of Liberation Day Tariffs", Journal of
International Economics 157, 104138. Their replication folder (``data/base_data``) holds a
194-country world, read here IN PLACE (the files are the authors'; never copy them into a
repository):

* ``country_labels.csv``: ``iso3, iso_code, CountryName``, the country order of the others;
* ``trade_cepii.csv``: a 194 x 194 matrix of 2023 goods trade (CEPII BACI HS22 V202501,
  thousand USD), row = exporter, column = importer, blank = zero, no domestic sales;
* ``gdp.csv``: ``gdp``, WDI GDP 2023 (or latest) in USD, same order;
* ``tariffs.csv``: ``applied_tariff``, the US "reciprocal" tariff announced on 2 April 2025
  on each exporter (USTR formula; China 0.54 = reciprocal + fentanyl).

Domestic sales follow THEIR rule (paper Section 4, code ``main_baseline.m``): with imports
``M_i`` and a local share ``nu`` of every purchase that is income of the buyer's own factors,
the exogenous transfer is ``T0_i = (1 - nu_i) (M_i - sum_n (1 - nu_n) X_in)``, expenditure
``E_i = GDP_i + T0_i`` and ``X_ii = max(E_i - M_i, 0)``. ``nu`` takes one value outside the
US and one in the US, calibrated (`calibrate_local_share`) so that the sales-weighted
local share is 0.12 for non-US producers and 0.26 for US producers (their SG&A targets);
on their data ``nu`` is about 0.114 (non-US) and 0.270 (US).

The announced US tariffs enter the model with a 10% floor (their code: ``max(0.1, t)``, so
Russia's 0 becomes 10%) and no US tariff on itself; baseline tariffs are zero (the paper
treats 2023 tariff revenue as negligible).
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize

from ..baseline import Baseline
from ..concordance import normalise_iso3
from ..errors import DataError, ScenarioError
from ..instruments import Instrument, Tariff
from ..literals import Retaliation, check_option
from ..scenario import Scenario
from ._common import PathLike, numeric_column, read_csv_checked, require_columns, show_rows

__all__ = [
    "read_liberation_day",
    "liberation_day_local_share",
    "liberation_day_tariffs",
    "calibrate_local_share",
    "LOCAL_SHARE_TARGETS",
    "US_TARIFF_FLOOR",
]

_WHAT = "Liberation Day replication data"
_FILES = ("country_labels.csv", "trade_cepii.csv", "gdp.csv", "tariffs.csv")
_CITATION = ("Ignatenko, Macedoni, Lashkaripour & Simonovska (2025), Making America Great "
             "Again? The Economic Impacts of Liberation Day Tariffs, Journal of International "
             "Economics 157, 104138: replication data")

#: Sales-weighted local shares targeted by the calibration: non-US producers, US producers.
LOCAL_SHARE_TARGETS: tuple[float, float] = (0.12, 0.26)
#: Lower bound the authors put on every announced US tariff.
US_TARIFF_FLOOR = 0.10


def _folder(folder: PathLike) -> Path:
    p = Path(folder)
    if not p.is_dir():
        raise DataError(f"{_WHAT}: folder {str(p)!r} not found. Pass the folder that holds "
                        f"{', '.join(_FILES)} (data/base_data of the authors' replication "
                        f"package).", field="folder")
    missing = [f for f in _FILES if not (p / f).is_file()]
    if missing:
        raise DataError(f"{_WHAT}: {str(p)!r} lacks {missing}; the folder must hold "
                        f"{', '.join(_FILES)}.", field=missing[0])
    return p


def _one_column(path: Path, column: str, n: int | None) -> np.ndarray:
    df = read_csv_checked(path, _WHAT)
    df = require_columns(df, path, _WHAT, {column: (column,)},
                         hint="Use the file of the authors' replication package.")
    if n is not None and len(df) != n:
        raise DataError(f"{_WHAT}: {str(path)!r} has {len(df)} rows but country_labels.csv "
                        f"lists {n} countries; the files must have one row per country, in "
                        f"the same order.", field=column)
    return numeric_column(df, column, path, _WHAT)


def _labels(path: Path) -> list[str]:
    df = read_csv_checked(path, _WHAT, dtype=str, keep_default_na=False)
    df = require_columns(df, path, _WHAT, {"iso3": ("iso3",)},
                         hint="Use the file of the authors' replication package.")
    codes = [normalise_iso3(c) for c in df["iso3"]]
    dup = sorted({c for c in codes if codes.count(c) > 1})
    if dup or "" in codes:
        raise DataError(f"{_WHAT}: {str(path)!r} has duplicate or empty iso3 codes "
                        f"{dup or ['']}; each country must appear once.", field="iso3")
    if "USA" not in codes:
        raise DataError(f"{_WHAT}: {str(path)!r} has no USA row; the calibration and the "
                        f"tariffs need the United States.", field="iso3")
    return codes


def _trade(path: Path, n: int) -> np.ndarray:
    df = read_csv_checked(path, _WHAT)
    if df.shape != (n, n):
        raise DataError(f"{_WHAT}: {str(path)!r} is {df.shape[0]} x {df.shape[1]} but "
                        f"country_labels.csv lists {n} countries; it must be the n x n matrix "
                        f"(row exporter, column importer) in that order.", field="trade")
    # one-column frames: numeric_column copies the frame it is given
    trade = np.column_stack([numeric_column(df[[c]], c, path, _WHAT, allow_missing=True)
                             for c in df.columns])
    if np.isinf(trade).any():
        rows = df[np.isinf(trade).any(axis=1)]
        rows.index = rows.index + 2
        raise DataError(f"{_WHAT}: {str(path)!r} has infinite entries:\n{show_rows(rows)}",
                        field="trade", rows=rows)
    trade = np.nan_to_num(trade)                                  # blank = no trade
    if np.diag(trade).any():
        k = np.flatnonzero(np.diag(trade))[:5].tolist()
        raise DataError(f"{_WHAT}: {str(path)!r} has exports of a country to itself on the "
                        f"diagonal (rows {[i + 2 for i in k]}); the replication file leaves "
                        f"them blank and domestic sales are built from GDP.", field="trade")
    return trade


def _read(folder: PathLike) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Codes, trade (thousand USD), GDP (USD) and announced US tariffs, validated."""
    p = _folder(folder)
    codes = _labels(p / "country_labels.csv")
    n = len(codes)
    trade = _trade(p / "trade_cepii.csv", n)
    gdp = _one_column(p / "gdp.csv", "gdp", n)
    if (gdp <= 0).any():
        bad = [codes[i] for i in np.flatnonzero(gdp <= 0)[:10]]
        raise DataError(f"{_WHAT}: gdp.csv has zero GDP for {bad}; every country needs a "
                        f"positive GDP.", field="gdp")
    rates = _one_column(p / "tariffs.csv", "applied_tariff", n)
    if (rates > 10).any():
        raise DataError(f"{_WHAT}: tariffs.csv has rates above 1000%; rates are fractions "
                        f"(0.54 means 54%).", field="applied_tariff")
    return codes, trade, gdp, rates


def calibrate_local_share(trade: np.ndarray, gdp: np.ndarray, us: int,
                          targets: tuple[float, float] = LOCAL_SHARE_TARGETS
                          ) -> tuple[float, float]:
    """Local shares (non-US, US) that hit the sales-weighted targets.

    On the world aggregated to two regions, the rest of the world (RoW, 1) and the US (2),
    with ``X`` the 2 x 2 trade matrix (intra-RoW trade on the RoW diagonal, no domestic
    sales) and ``Y`` GDP, expenditure is ``E = Y + (1 - nu) (colsum X - X (1 - nu))`` and
    ``r_11 = (E_1 - X_21) / (E_1 - X_21 + X_12)`` the share of RoW producers' sales sold in
    RoW, ``r_22`` likewise for the US. ``nu`` solves::

        r_11 nu_1 + (1 - r_11) nu_2 = targets[0]
        (1 - r_22) nu_1 + r_22 nu_2 = targets[1]

    (negative solutions are set to 0), as in the authors' ``solveNu``.

    Parameters
    ----------
    trade : (N, N) array
        Bilateral trade [exporter, importer] without domestic sales (any currency unit).
    gdp : (N,) array
        GDP in the same unit as ``trade``.
    us : int
        Index of the United States.
    targets : (float, float)
        Sales-weighted local shares of non-US and US producers (SG&A in sales).

    Returns
    -------
    (float, float)
        ``nu`` of non-US markets and of the US market.
    """
    agg = np.zeros((2, trade.shape[0]))
    agg[0] = 1.0
    agg[0, us], agg[1, us] = 0.0, 1.0
    X2, Y2 = agg @ trade @ agg.T, agg @ gdp

    def gaps(nu: np.ndarray) -> np.ndarray:
        E = Y2 + (1 - nu) * (X2.sum(axis=0) - X2 @ (1 - nu))
        r11 = (E[0] - X2[1, 0]) / (E[0] - X2[1, 0] + X2[0, 1])
        r22 = (E[1] - X2[0, 1]) / (E[1] - X2[0, 1] + X2[1, 0])
        return np.array([r11 * nu[0] + (1 - r11) * nu[1] - targets[0],
                         (1 - r22) * nu[0] + r22 * nu[1] - targets[1]])

    sol = optimize.root(gaps, np.array(targets, dtype=float), method="hybr", tol=1e-14)
    if not sol.success or np.abs(gaps(sol.x)).max() > 1e-10:
        raise DataError(f"{_WHAT}: the local-share calibration has no solution for targets "
                        f"{targets} ({sol.message}); check the trade and GDP units (both in "
                        f"the same currency unit).", field="targets")
    return max(float(sol.x[0]), 0.0), max(float(sol.x[1]), 0.0)


def _local_share(codes: list[str], trade: np.ndarray, gdp_k: np.ndarray) -> np.ndarray:
    us = codes.index("USA")
    nu_row, nu_us = calibrate_local_share(trade, gdp_k, us)
    nu = np.full(len(codes), nu_row)
    nu[us] = nu_us
    return nu


def read_liberation_day(folder: PathLike) -> Baseline:
    """Read the 194-country world of Ignatenko et al. (2025) as a one-sector Baseline.

    Parameters
    ----------
    folder : str or path
        The folder holding ``country_labels.csv``, ``trade_cepii.csv``, ``gdp.csv`` and
        ``tariffs.csv`` (``data/base_data`` of the authors' replication package). It is read
        in place; nothing is copied.

    Returns
    -------
    Baseline
        One sector (``"total"``), ``year=2023``, USD million at world prices, row exporter;
        ``tariff_lines=False``: the paper applies its rates to all of a pair's trade, so US
        Tariffs keep the cell-level rules here;
        domestic sales on the diagonal by the authors' rule
        ``X_ii = max(GDP_i + T0_i - M_i, 0)``, ``T0_i = (1 - nu_i) (M_i - sum_n (1 - nu_n)
        X_in)`` with the calibrated local shares (`liberation_day_local_share`); zero
        baseline tariffs. ``provenance`` says where each part comes from.

    Raises
    ------
    DataError
        When the folder or a file is missing, a file is malformed (shape, codes, non-numeric
        or negative values) or the calibration fails.

    See Also
    --------
    liberation_day_local_share : the calibrated ``nu`` by country.
    liberation_day_tariffs : the announced US tariffs as a Scenario.

    References
    ----------
    Ignatenko, A., Macedoni, L., Lashkaripour, A. & Simonovska, I. (2025). Making America
    Great Again? The Economic Impacts of Liberation Day Tariffs. Journal of International
    Economics 157, 104138 (Section 4 and the replication code ``main_baseline.m``).

    Examples
    --------
    >>> folder = "replication_package/data/base_data"
    >>> base = ts.io.read_liberation_day(folder)  # doctest: +SKIP
    >>> shocks = ts.io.liberation_day_tariffs(folder).shocks(base)  # doctest: +SKIP
    """
    codes, trade, gdp, _ = _read(folder)
    gdp_k = gdp / 1000.0                                          # thousand USD, as trade
    nu = _local_share(codes, trade, gdp_k)
    imports = trade.sum(axis=0)
    transfer = (1 - nu) * (imports - trade @ (1 - nu))
    flows = trade.copy()
    np.fill_diagonal(flows, np.maximum(gdp_k + transfer - imports, 0.0))
    flows /= 1000.0                                               # USD million
    where = str(Path(folder).resolve())
    us = codes.index("USA")
    rule = (f"X_ii = max(GDP_i + T0_i - M_i, 0), T0_i = (1 - nu_i)(M_i - sum_n (1 - nu_n) "
            f"X_in), nu = {nu[0]:.4f} outside the US and {nu[us]:.4f} in the US (sales-"
            f"weighted local shares {LOCAL_SHARE_TARGETS[0]} / {LOCAL_SHARE_TARGETS[1]})")
    prov = pd.DataFrame([
        dict(field="flows", kind="trade", exporter="*", importer="*", sector="*",
             source=f"{_CITATION}: trade_cepii.csv (CEPII BACI HS22 2023 V202501, thousand "
                    f"USD / 1000)", note=f"replication data read in place from {where}"),
        dict(field="flows", kind="domestic", exporter="*", importer="*", sector="*",
             source=f"{_CITATION}: gdp.csv (World Bank WDI GDP, USD / 1e6) and their rule",
             note=rule),
        dict(field="tariffs", kind="tariff", exporter="*", importer="*", sector="*",
             source=_CITATION, note="zero: 2023 tariff revenue treated as negligible"),
    ])
    return Baseline.from_arrays(codes, None, flows, year=2023, units="USD million",
                                source=f"{_CITATION}, read in place from {where}",
                                provenance=prov, tariff_lines=False)


def liberation_day_local_share(folder: PathLike) -> pd.Series:
    """The calibrated local shares ``nu`` of Ignatenko et al. (2025), by ISO3 code.

    ``nu_n`` is the share of every tariff-exclusive purchase in market n that is income of
    n's own factors (fixed costs paid to local labour); see `calibrate_local_share`.
    On their data about 0.114 for every non-US market and 0.270 for the US.
    """
    codes, trade, gdp, _ = _read(folder)
    nu = _local_share(codes, trade, gdp / 1000.0)
    return pd.Series(nu, index=pd.Index(codes, name="country"), name="local_share")


def liberation_day_tariffs(folder: PathLike,
                           retaliation: Retaliation = "none") -> Scenario:
    """The US tariffs announced on 2 April 2025, as used by Ignatenko et al. (2025).

    Parameters
    ----------
    folder : str or path
        The replication folder (see `read_liberation_day`).
    retaliation : {"none", "reciprocal"}
        ``"reciprocal"`` adds every partner's tariff on US goods at the rate the US levies on
        it (their Table 2, case 1).

    Returns
    -------
    Scenario
        One ``Tariff(importer="USA", exporter=i, rate=max(0.10, t_i), mode="set")`` per
        partner (rates from ``tariffs.csv`` with the authors' 10% floor), plus the
        retaliatory tariffs; dated 2 April 2025, instruments in force at all dates.

    Notes
    -----
    These are the rates their published tables use, which differ from the paper's text in
    two places: Mexico is at 17% (the text says Canada and Mexico get 10%) and Russia at the
    10% floor (the text says embargo-level tariffs are kept).
    """
    check_option(retaliation, Retaliation, "retaliation", error=ScenarioError,
                 hint="Optimal retaliation depends on the model's parameters and is not a "
                      "data set.")
    codes, _, _, rates = _read(folder)
    source = f"{_CITATION}: tariffs.csv (USTR reciprocal tariff formula), floored at 10%"
    insts: list[Instrument] = []
    for code, rate in zip(codes, np.maximum(rates, US_TARIFF_FLOOR), strict=True):
        if code == "USA":
            continue
        insts.append(Tariff("USA", code, float(rate), mode="set", layer="reciprocal",
                            source=source))
        if retaliation == "reciprocal":
            insts.append(Tariff(code, "USA", float(rate), mode="set", layer="retaliation",
                                source=source, note="reciprocal retaliation"))
    name = "imls2025-ustr" + ("-reciprocal" if retaliation == "reciprocal" else "")
    return Scenario(name, tuple(insts), date=_dt.date(2025, 4, 2), sources=(source,),
                    description="US tariffs announced on 2 April 2025 as modelled by "
                                "Ignatenko et al. (2025)"
                                + (", with reciprocal retaliation" if retaliation ==
                                   "reciprocal" else ""))
