"""Embedded data sets: the 2024 baselines and the US Census 2024 partner table.

Everything here is read from package data (``tariffsim/data/*.csv``) with
`importlib.resources`; nothing is downloaded. The CSV files are written by
``tools/build_default_baseline.py`` (one-sector world) and ``tools/build_sectoral_baseline.py``
(sectoral world) from the public figures in the project's
``facts`` folder, and every row keeps the citation of the figure it carries. The files,
columns and methods are described in ``tariffsim/data/README.md`` and ``docs/data.md``.

The default baseline (``load_baseline()``, also ``"default"`` and ``"sectoral-2024"``) is
the sectoral world: 22 economies (the 20 below with Taiwan and Switzerland split from ROW)
x the 22 sectors of `tariffsim.sectors` (19 goods, 3 services), with input-output
shares from OECD ICIO 2022, US flows by sector from the Census 2024 product data scaled to
the Census partner totals, other goods pairs from BACI 2023 split with ICIO shares, and US
2024 applied tariffs by partner and sector (``tariffsim/data/sectoral_2024/``, written by
``tools/build_sectoral_baseline.py``).

The one-sector goods world ``"goods-2024"`` has 20 economies (USA, CHN, VNM, MYS, THA, KHM,
IDN, PHL, SGP, JPN, KOR, IND, MEX, CAN, HKG, GBR, AUS, BRA, EU27, ROW), USD million:

* international flows: CEPII BACI HS22 V202501, 2023 (as aggregated in the replication
  package of Ignatenko, Macedoni, Lashkaripour & Simonovska 2025), with BACI's false zeros
  for VNM-KOR and VNM-PHL replaced by national statistics (KOR-PHL stays a documented gap);
* US bilateral flows with the 16 partners of the US Census 2024 table replaced by the
  Census figures (Feb-2025 vintage; US exports -> USA->p, US imports -> p->USA); ROW's US
  flows are the residual to the Census 2024 US totals;
* domestic sales X_ii = max(GDP_i - exports_i, 0.10 GDP_i), GDP from WDI 2023 (the
  GDP-minus-exports approximation of Dekle, Eaton & Kortum 2007 and Ignatenko et al. 2025);
* pre-2025 applied tariffs for US-China (PIIE); every other pair 0, flagged as missing.

Its files are written by ``tools/build_default_baseline.py``.
"""

from __future__ import annotations

import copy
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

_GOODS_DESCRIPTION = (
    "20 economies x 1 goods sector, 2024 (BACI 2023 flows, Census 2024 US flows "
    "Feb-2025 vintage, WDI 2023 GDP-based domestic sales, pre-2025 US-China tariffs); "
    "Vietnam's surplus with the US 123,463 USD million."
)
_SECTORAL_DIR = "sectoral_2024"
_SECTORAL_SOURCE = (
    "tariffsim sectoral baseline 'sectoral-2024', 22 economies x 22 sectors (19 goods, 3 "
    "services), USD million: input-output and value-added shares and gross output from OECD "
    "ICIO 2025 release, year 2022 (gross output scaled to 2023 with WDI GDP growth); US flows "
    "by partner and sector from US Census 2024 product data (imports for consumption by "
    "HTS10, DataWeb exports by HS chapter) scaled to the Census Feb-2025 partner totals; other "
    "goods pairs CEPII BACI HS22 V202501 2023 totals (Taiwan: Taiwan MOF 2023) split by sector "
    "with ICIO shares; services trade from ICIO with imputed final demand; domestic sales = "
    "gross output - exports; US 2024 applied tariffs by partner and sector (Census duties), "
    "partners' tariffs on US goods from WTO MFN data and FTAs where available. Per-figure "
    "sources in Baseline.provenance."
)
_SECTORAL_DESCRIPTION = (
    "22 economies (the 20 of 'goods-2024' + TWN, CHE) x 22 sectors (19 goods, 3 services) "
    "with input-output links, 2024: OECD ICIO 2022 production structure, Census 2024 US "
    "flows and duties by partner and sector scaled to the Census partner totals (Vietnam's "
    "goods surplus 123,463 USD million), BACI 2023 other goods pairs split with ICIO shares."
)
#: Registered names -> description. "default" is the same world as "sectoral-2024".
_BASELINES: dict[str, str] = {
    "default": "Same as 'sectoral-2024' (the default): " + _SECTORAL_DESCRIPTION,
    "sectoral-2024": _SECTORAL_DESCRIPTION,
    "goods-2024": "The one-sector goods world: " + _GOODS_DESCRIPTION,
}

_TEXT_COLS = ("source", "note", "caveat", "confidence", "source_key", "original_source_key")


def _read_csv(name: str) -> pd.DataFrame:
    """Read a package data CSV (text columns with empty cells become '').

    ``name`` is relative to ``tariffsim/data`` (``"sectoral_2024/flows.csv"`` works).
    """
    try:
        raw = resources.files(_DATA_PACKAGE).joinpath(_DATA_DIR, *name.split("/")).read_bytes()
    except FileNotFoundError:
        tool = ("build_sectoral_baseline.py" if name.startswith(_SECTORAL_DIR)
                else "build_default_baseline.py")
        raise DataError(f"package data file tariffsim/data/{name} is missing; reinstall "
                        f"tariffsim or rebuild it with tools/{tool}.",
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
    ['default', 'sectoral-2024', 'goods-2024']
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


@functools.cache
def _sectoral_frames() -> dict[str, pd.DataFrame]:
    return {k: _read_csv(f"{_SECTORAL_DIR}/{k}.csv")
            for k in ("flows", "tariffs", "io", "economies", "sources")}


def _sectoral_provenance(fr: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per flow and per US-related tariff; block rows for io, value added and the
    tariffs that were not transcribed (``"*"`` = all; ``value`` empty)."""
    src = fr["sources"].set_index("source_key")
    flows, tariffs = fr["flows"], fr["tariffs"]
    f = flows.assign(field="flows", kind=np.where(flows.exporter == flows.importer,
                                                  "domestic", "trade"))
    t = tariffs.assign(field="tariffs", kind="tariff", value=tariffs["rate"])
    blocks = pd.DataFrame([
        dict(field="io", kind="share", exporter="*", importer="*", sector="*",
             value=np.nan, source_key="icio2022_io"),
        dict(field="value_added", kind="share", exporter="*", importer="*", sector="*",
             value=np.nan, source_key="icio2022_io"),
        dict(field="tariffs", kind="tariff", exporter="*", importer="*", sector="*",
             value=0.0, source_key="not_transcribed"),
    ])
    cols = ["field", "kind", "exporter", "importer", "sector", "value", "source_key"]
    out = pd.concat([f[cols], t[cols], blocks[cols]], ignore_index=True)
    out["source"] = out.source_key.map(src["source"])
    out["note"] = out.source_key.map(src["method"])
    out["confidence"] = out.source_key.map(src["confidence"])
    star = out.exporter == "*"
    out.loc[star & (out.field == "tariffs"), "note"] = (
        "every pair without the US (and the partners on US goods listed in the source) is 0: "
        + out.loc[star & (out.field == "tariffs"), "note"])
    return out


@functools.cache
def _load_sectoral() -> Baseline:
    from .sectors import SECTORS
    fr = _sectoral_frames()
    return Baseline.from_frame(
        fr["flows"][["exporter", "importer", "sector", "value"]],
        tariffs=fr["tariffs"][["exporter", "importer", "sector", "rate"]],
        io=fr["io"][["country", "input_sector", "sector", "share"]],
        year=2024, units="USD million", source=_SECTORAL_SOURCE,
        provenance=_sectoral_provenance(fr),
        countries=tuple(fr["economies"]["code"]), sectors=SECTORS,
    )


def load_baseline(name: str = "default") -> Baseline:
    """Load an embedded baseline.

    Parameters
    ----------
    name : str, default "default"
        One of [`list_baselines`][tariffsim.datasets.list_baselines]: ``"default"`` (the sectoral
        world, alias ``"sectoral-2024"``) or ``"goods-2024"`` (the one-sector goods world).

    Returns
    -------
    Baseline
        For ``"default"`` / ``"sectoral-2024"``: 22 economies (USA, CHN, VNM, MYS, THA, KHM,
        IDN, PHL, SGP, JPN, KOR, IND, MEX, CAN, HKG, GBR, AUS, BRA, EU27, TWN, CHE, ROW) x the
        22 sectors of `tariffsim.sectors.SECTORS` (``services``: the three service
        sectors), with ``io`` and ``value_added`` shares (``has_io`` True), ``year=2024``,
        USD million. ``provenance`` has one row per flow and per US-related tariff
        (``source_key`` as in ``tariffsim/data/sectoral_2024/sources.csv``) and block rows
        (``"*"``, empty ``value``) for io, value added and the tariffs that were not
        transcribed. Domestic sales are ICIO gross output minus exports (no GDP floor); see
        ``tariffsim/data/README.md``. Balances count goods by default
        ([`Baseline.trade_balance`][tariffsim.Baseline.trade_balance]): Vietnam's surplus with the
        US is 123,463.

        For ``"goods-2024"``: 20 economies x one goods sector, ``year=2024``, USD million.
        ``provenance`` has one row per figure: ``field`` (``flows`` or ``tariffs``),
        ``kind`` (``trade``, ``domestic``, ``tariff``), ``exporter, importer, sector, value``,
        ``source_key`` (``baci2023``, ``national_patch_2023``, ``census2024_feb2025``,
        ``census2024_residual``, ``wdi2023_domestic``, ``piie``, ``not_transcribed``),
        ``source`` (the citation), ``note`` and ``confidence``.

    Notes
    -----
    In ``"goods-2024"`` domestic sales follow the GDP-minus-exports approximation used to
    calibrate one-sector models (Dekle, Eaton & Kortum 2007; Ignatenko, Macedoni,
    Lashkaripour & Simonovska 2025, whose X_ii = max(GDP_i + T0_i - M_i, 0) reduces to it
    without their retail margin nu):

    $$
    X_{ii} = \\max\\left(\\mathrm{GDP}_i - \\sum_{j \\ne i} X_{ij},\\;
    0.10\\,\\mathrm{GDP}_i\\right)
    $$

    The floor binds for Vietnam and Malaysia, whose gross goods exports (nearly) exceed GDP.
    The sectoral default has no such floor (its domestic sales come from gross output).
    The data are read once and cached; each call returns an independent baseline: its
    arrays are read-only (use [`Baseline.replace`][tariffsim.Baseline.replace] to change it) and its
    provenance frame is a copy, so editing what one call returned never changes a later call.

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
    if name in ("default", "sectoral-2024"):
        return _independent(_load_sectoral())
    return _independent(_load_default())


def _independent(base: Baseline) -> Baseline:
    """A handle on a cached baseline that shares nothing mutable with it: the arrays are
    shared (read-only for good), the provenance frame is copied (about 0.4 ms)."""
    out = copy.copy(base)
    object.__setattr__(out, "provenance", base.provenance.copy(deep=True))
    return out


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
