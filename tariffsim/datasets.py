"""Embedded data sets: the default 2024 baseline and the US Census 2024 partner table.

Everything here is read from package data (``tariffsim/data/*.csv``) with
:mod:`importlib.resources`; nothing is downloaded. The CSV files are written by
``tools/build_default_baseline.py`` from the transcribed public figures in the project's
``facts`` folder, and every row keeps the citation of the figure it carries. The files,
columns and methods are described in ``tariffsim/data/README.md`` and ``docs/data.md``.

The default baseline (``load_baseline("default")``) is a one-sector goods world of 20
economies (USA, CHN, VNM, MYS, THA, KHM, IDN, PHL, SGP, JPN, KOR, IND, MEX, CAN, HKG, GBR,
AUS, BRA, EU27, ROW), USD million:

* international flows: CEPII BACI HS22 V202501, 2023 (as aggregated in the replication
  package of Ignatenko, Macedoni, Lashkaripour & Simonovska 2025), with BACI's false zeros
  for VNM-KOR and VNM-PHL replaced by national statistics (KOR-PHL stays a documented gap);
* US bilateral flows with the 16 partners of the US Census 2024 table replaced by the
  Census figures (Feb-2025 vintage; US exports -> USA->p, US imports -> p->USA); ROW's US
  flows are the residual to the Census 2024 US totals;
* domestic sales X_ii = max(GDP_i - exports_i, 0.10 GDP_i), GDP from WDI 2023 (the
  GDP-minus-exports approximation of Dekle, Eaton & Kortum 2007 and Ignatenko et al. 2025);
* pre-2025 applied tariffs for US-China (PIIE); every other pair 0, flagged as missing.
"""

from __future__ import annotations

import functools
import io
from importlib import resources

import numpy as np
import pandas as pd

from .baseline import Baseline
from .errors import DataError
from .literals import TradeVintage, check_option

__all__ = ["load_baseline", "list_baselines", "us_trade_2024"]

_DATA_PACKAGE = "tariffsim"
_DATA_DIR = "data"

_DEFAULT_SOURCE = (
    "tariffsim default goods baseline, 20 economies, USD million: CEPII BACI HS22 V202501 "
    "2023 bilateral goods flows (via the replication package of Ignatenko, Macedoni, "
    "Lashkaripour & Simonovska 2025) with national figures for BACI's false zeros; US "
    "bilateral flows from US Census 'U.S. Trade in Goods by Country' 2024 (Feb-2025 "
    "vintage); domestic sales = max(WDI GDP 2023 - goods exports, 10% of GDP); pre-2025 "
    "US-China tariffs from PIIE, other tariffs 0 (not transcribed). Per-figure sources in "
    "Baseline.provenance."
)

_BASELINES: dict[str, str] = {
    "default": (
        "20 economies x 1 goods sector, 2024 (BACI 2023 flows, Census 2024 US flows "
        "Feb-2025 vintage, WDI 2023 GDP-based domestic sales, pre-2025 US-China tariffs); "
        "Vietnam's surplus with the US 123,463 USD million."
    ),
}

_TEXT_COLS = ("source", "note", "caveat", "confidence", "source_key", "original_source_key")


def _read_csv(name: str) -> pd.DataFrame:
    """Read a package data CSV (text columns with empty cells become '')."""
    try:
        raw = resources.files(_DATA_PACKAGE).joinpath(_DATA_DIR, name).read_bytes()
    except FileNotFoundError:
        raise DataError(f"package data file tariffsim/data/{name} is missing; reinstall "
                        f"tariffsim or rebuild it with tools/build_default_baseline.py.",
                        field=name) from None
    df = pd.read_csv(io.BytesIO(raw), dtype={"census_cty_code": str})
    for col in _TEXT_COLS:
        if col in df.columns:
            df[col] = df[col].fillna("").astype(str)
    return df


def list_baselines() -> pd.DataFrame:
    """Names of the embedded baselines with a one-line description.

    Returns
    -------
    DataFrame
        Columns ``name, description``.

    Examples
    --------
    >>> import tariffsim as ts
    >>> ts.list_baselines()["name"].tolist()  # doctest: +SKIP
    ['default']
    """
    return pd.DataFrame({"name": list(_BASELINES), "description": list(_BASELINES.values())})


@functools.cache
def _default_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return (_read_csv("default_flows.csv"), _read_csv("default_tariffs.csv"),
            _read_csv("default_gdp.csv"))


def _provenance(flows: pd.DataFrame, tariffs: pd.DataFrame) -> pd.DataFrame:
    """One row per embedded figure: which source it came from."""
    f = flows.assign(field="flows", kind=flows["field"])
    t = tariffs.assign(field="tariffs", kind="tariff", value=tariffs["rate"],
                       source_key=np.where(tariffs["rate"] != 0, "piie", "not_transcribed"))
    cols = ["field", "kind", "exporter", "importer", "sector", "value", "source_key", "source",
            "note", "confidence"]
    return pd.concat([f[cols], t[cols]], ignore_index=True)


@functools.cache
def _load_default() -> Baseline:
    flows, tariffs, _ = _default_frames()
    return Baseline.from_frame(
        flows[["exporter", "importer", "sector", "value"]],
        tariffs=tariffs[["exporter", "importer", "sector", "rate"]],
        year=2024, units="USD million", source=_DEFAULT_SOURCE,
        provenance=_provenance(flows, tariffs),
    )


def load_baseline(name: str = "default") -> Baseline:
    """Load an embedded baseline.

    Parameters
    ----------
    name : str, default "default"
        One of :func:`list_baselines`.

    Returns
    -------
    Baseline
        For ``"default"``: 20 economies x one goods sector, ``year=2024``, USD million.
        ``provenance`` has one row per figure: ``field`` (``flows`` or ``tariffs``),
        ``kind`` (``trade``, ``domestic``, ``tariff``), ``exporter, importer, sector, value``,
        ``source_key`` (``baci2023``, ``national_patch_2023``, ``census2024_feb2025``,
        ``census2024_residual``, ``wdi2023_domestic``, ``piie``, ``not_transcribed``),
        ``source`` (the citation), ``note`` and ``confidence``.

    Notes
    -----
    Domestic sales follow the GDP-minus-exports approximation used to calibrate
    one-sector models (Dekle, Eaton & Kortum 2007; Ignatenko, Macedoni, Lashkaripour &
    Simonovska 2025, whose X_ii = max(GDP_i + T0_i - M_i, 0) reduces to it without their
    retail margin nu):

    .. math:: X_{ii} = \\max\\left(\\mathrm{GDP}_i - \\sum_{j \\ne i} X_{ij},\\;
              0.10\\,\\mathrm{GDP}_i\\right)

    The floor binds for Vietnam and Malaysia, whose gross goods exports (nearly) exceed GDP.
    The loaded object is cached: repeated calls return the same immutable baseline
    (its arrays are read-only; use :meth:`Baseline.replace` to change it).

    Raises
    ------
    DataError
        Unknown ``name``.

    Examples
    --------
    >>> import tariffsim as ts
    >>> base = ts.load_baseline()
    >>> tb = base.trade_balance(partner="USA")
    >>> round(float(tb.loc[tb.country == "VNM", "balance"].iloc[0]), 1)
    123463.0
    """
    check_option(name, sorted(_BASELINES), "name", error=DataError,
                 hint="See tariffsim.list_baselines().")
    return _load_default()


_FEB_COLS = {"exports_2024_musd": "exports", "imports_2024_musd": "imports",
             "balance_2024_musd": "balance"}


def us_trade_2024(vintage: TradeVintage = "feb2025") -> pd.DataFrame:
    """US goods trade with its main partners in 2024 (US Census Bureau), USD million.

    Parameters
    ----------
    vintage : {"feb2025", "revised", "both"}
        ``"feb2025"``: the first annual release (Feb 2025; the figures of the White House
        reciprocal-tariff table and of the embedded baseline): exports, imports and the
        US balance per partner, plus the world totals (``code == "WLD"``).
        ``"revised"``: general imports after the June-2025 annual revision (exports of
        that vintage are not transcribed). ``"both"``: the whole table as in the facts.

    Returns
    -------
    DataFrame
        ``partner`` (Census name), ``code`` (tariffsim code; members of an aggregate carry
        the aggregate, e.g. Taiwan -> ROW, Germany -> EU27; the world row WLD), the
        figures, ``source`` and ``confidence``. The balance is the US balance (exports
        minus imports): Vietnam -123,463.0 means a US deficit, i.e. Vietnam's surplus.

    Raises
    ------
    DataError
        Unknown ``vintage``.
    """
    check_option(vintage, TradeVintage, "vintage", error=DataError)
    table = _read_csv("us_goods_trade_2024.csv")
    if vintage == "both":
        return table
    if vintage == "revised":
        out = table[table["imports_2024_revised_musd"].notna()]
        out = out.rename(columns={"imports_2024_revised_musd": "imports",
                                  "source_revised": "source"})
        out = out.assign(vintage="post-June-2025 annual revision (general imports)")
        return out[["partner", "code", "census_cty_code", "imports", "vintage", "source",
                    "confidence"]].reset_index(drop=True)
    out = table[table["exports_2024_musd"].notna()].rename(
        columns={**_FEB_COLS, "source_2024": "source", "vintage_2024": "vintage"})
    out = out[["partner", "code", "census_cty_code", "exports", "imports", "balance",
               "vintage", "source", "confidence", "notes"]]
    tot = _read_csv("us_goods_totals_2024.csv").set_index("flow")
    world = pd.DataFrame([{
        "partner": "World (all countries)", "code": "WLD", "census_cty_code": "0004",
        "exports": tot.loc["exports", "value_musd"], "imports": tot.loc["imports", "value_musd"],
        "balance": tot.loc["balance", "value_musd"], "vintage": tot.loc["exports", "vintage"],
        "source": tot.loc["exports", "source"], "confidence": tot.loc["exports", "confidence"],
        "notes": "totals transcribed from the source text (press relay of the Census release)",
    }])
    out = pd.concat([out, world], ignore_index=True)
    out["notes"] = out["notes"].fillna("").astype(str)
    return out
