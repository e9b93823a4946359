"""The Result of a simulation: tidy frames plus the metadata that produced them.

``Result`` is engine-agnostic: its constructor takes frames (or zero-argument callables that
build them lazily) and metadata, so the GE engine and a partial-equilibrium engine can both
return one. Frames use baseline units; scenario columns are expressed relative to the
numeraire named in ``result.numeraire``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tariffsim.errors import DataError, ModelError, suggest

from ._atomic import json_text, write_atomic
from ._validate import sector_selection

__all__ = ["Result"]

FrameLike = pd.DataFrame | Callable[[], pd.DataFrame]


#: Diagnostics that vary from run to run (wall-clock timings); kept on the Result but left
#: out of ``metadata.json`` so that re-running a scenario writes identical files.
_VOLATILE = ("time_s",)


def describe_elasticity(value: Any) -> str:
    """Short text of a trade elasticity: ``5``, or ``2.62 to 64.85 across 40 sectors``."""
    if isinstance(value, dict):
        vals = sorted({float(v) for v in value.values()})
        if not vals:
            return "none"
        return (f"{vals[0]:g}" if len(vals) == 1 else
                f"{vals[0]:g} to {vals[-1]:g} across {len(value)} sectors")
    if isinstance(value, np.ndarray | list | tuple):
        return describe_elasticity({i: v for i, v in enumerate(np.ravel(value))})
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


class Result:
    """Outcome of a counterfactual: per-country and per-flow tables with provenance.

    Parameters
    ----------
    countries : DataFrame or callable
        One row per country (column ``country`` first). For GE at least
        ``welfare_change_pct, real_wage_change_pct, price_index_change_pct,
        exports_baseline, exports_scenario, imports_baseline, imports_scenario,
        balance_baseline, balance_scenario, tariff_revenue_baseline,
        tariff_revenue_scenario``.
    flows : DataFrame or callable
        Columns ``exporter, importer, sector, baseline, scenario`` (domestic sales are the
        rows with exporter == importer), at world (tariff-exclusive) prices.
    model : str
        Engine that produced the result, e.g. ``"ge"``.
    closure : str or None
        Trade-balance assumption (``fixed_deficit``, ``deficit_ratio``, ``balanced``).
    trade_elasticity : dict or float or None
        Elasticities used, by sector.
    decomposition : DataFrame or callable, optional
        Welfare decomposition table (see
        [`welfare_decomposition`][tariffsim.results.Result.welfare_decomposition]).
    diagnostics : dict, optional
        Solver diagnostics (iterations, residual, time_s, ...).
    data_vintage : str, optional
        Year / source of the baseline.
    provenance : DataFrame, optional
        Sources of the baseline figures.
    units : str
        Money units of the frames.
    numeraire : str
        What scenario values are expressed relative to.
    scenario : str, optional
        Name of the scenario.
    extras : dict, optional
        Engine-specific outputs (e.g. commitment shifters, quota shadow taxes).
    notes : list of str, optional
        Caveats (calibration adjustments and the like).
    services : sequence of str, optional
        The service sectors of the baseline (`tariffsim.Baseline.services`;
        [`tariffsim.simulate`][] sets it). None: tariffsim's service sector names found
        in ``flows``.
    """

    def __init__(self, countries: FrameLike, flows: FrameLike, *, model: str,
                 closure: str | None = None, trade_elasticity: Any = None,
                 decomposition: FrameLike | None = None, diagnostics: dict | None = None,
                 data_vintage: str | None = None, provenance: pd.DataFrame | None = None,
                 units: str = "USD million", numeraire: str = "world_gdp",
                 scenario: str | None = None, extras: dict | None = None,
                 notes: list[str] | None = None,
                 services: tuple[str, ...] | list[str] | None = None) -> None:
        self._frames: dict[str, FrameLike | None] = {
            "countries": countries, "flows": flows, "decomposition": decomposition}
        self.model = model
        self.closure = closure
        self.trade_elasticity = trade_elasticity
        self.diagnostics = dict(diagnostics or {})
        self.data_vintage = data_vintage
        self.provenance = provenance if provenance is not None else pd.DataFrame()
        self.units = units
        self.numeraire = numeraire
        self.scenario = scenario
        self.extras = dict(extras or {})
        self.notes = list(notes or [])
        self.services: tuple[str, ...] | None = None if services is None else tuple(services)

    # -- frames ------------------------------------------------------------------------
    def _frame(self, name: str) -> pd.DataFrame:
        f = self._frames.get(name)
        if f is None:
            raise ModelError(f"{name}: this {self.model!r} result has no {name} table.",
                             field=name)
        if callable(f):
            f = f()
            self._frames[name] = f
        return f

    @property
    def countries(self) -> pd.DataFrame:
        """One row per country: welfare, real wage, prices, trade, balances, revenue."""
        return self._frame("countries")

    @property
    def flows(self) -> pd.DataFrame:
        """exporter, importer, sector, baseline, scenario (world prices)."""
        return self._frame("flows")

    def balances(self, partner: str = "USA",
                 sectors: str | list[str] | tuple[str, ...] = "goods") -> pd.DataFrame:
        """Each country's bilateral balance with ``partner`` (exports to it minus imports
        from it, world prices), baseline and scenario.

        Domestic sales are excluded. Under any fixed closure bilateral balances move while a
        country's total (all-sector) balance does not; the ``closure`` column says which
        closure produced the numbers.

        Parameters
        ----------
        partner : str
        sectors : {"goods", "all"} or list of str
            Which sectors count: the goods (default: every sector but the baseline's
            services, what customs statistics report), all, or those listed -- the one
            rule of `tariffsim._validate.sector_selection`. ``attrs["sectors"]``
            says which.

        Returns
        -------
        DataFrame
            ``country, partner, exports_/imports_/balance_ baseline and scenario, change,
            closure``.
        """
        f = self.flows
        known = list(dict.fromkeys(self.countries["country"].tolist()))
        if partner not in known:
            raise DataError(f"partner: unknown code {partner!r}{suggest(partner, known)}; "
                            f"known codes: {', '.join(known[:30])}.", field="partner")
        names = list(dict.fromkeys(f["sector"].astype(str))) if "sector" in f else ["total"]
        mask, text = sector_selection(sectors, names, self.service_sectors(names))
        if "sector" in f and not mask.all():
            f = f[f["sector"].astype(str).isin([n for n, m in zip(names, mask,
                                                                    strict=True) if m])]
        intl = f[f["exporter"] != f["importer"]]
        exp = intl[intl["importer"] == partner].groupby("exporter", sort=False)[
            ["baseline", "scenario"]].sum()
        imp = intl[intl["exporter"] == partner].groupby("importer", sort=False)[
            ["baseline", "scenario"]].sum()
        others = [c for c in known if c != partner]
        exp = exp.reindex(others, fill_value=0.0)
        imp = imp.reindex(others, fill_value=0.0)
        out = pd.DataFrame({
            "country": others,
            "partner": partner,
            "exports_baseline": exp["baseline"].to_numpy(),
            "exports_scenario": exp["scenario"].to_numpy(),
            "imports_baseline": imp["baseline"].to_numpy(),
            "imports_scenario": imp["scenario"].to_numpy(),
        })
        out["balance_baseline"] = out["exports_baseline"] - out["imports_baseline"]
        out["balance_scenario"] = out["exports_scenario"] - out["imports_scenario"]
        out["change"] = out["balance_scenario"] - out["balance_baseline"]
        out["closure"] = self.closure
        out.attrs["sectors"] = text
        return out

    def service_sectors(self, names: list[str] | None = None) -> tuple[str, ...]:
        """The service sectors: `services`, else tariffsim's service sector names
        among the result's sectors."""
        if self.services is not None:
            return self.services
        from .sectors import services_of
        if names is None:
            f = self.flows
            names = list(dict.fromkeys(f["sector"].astype(str))) if "sector" in f else []
        return services_of(names)

    def welfare_decomposition(self) -> pd.DataFrame:
        """Caliendo-Parro decomposition: ``terms_of_trade_pct``, ``volume_of_trade_pct``,
        their sum ``decomposition_sum_pct`` (what CP 2015 Table 2 calls welfare) and the
        exact welfare change ``welfare_exact_pct`` (income over price index) beside it."""
        return self._frame("decomposition")

    @property
    def plot(self) -> Any:
        """Plot accessor: ``result.plot.balances(partner="USA")``, ``.diversion(...)``.

        See [`tariffsim.plot.PlotAccessor`][]; each method takes ``ax=`` and returns it.
        """
        from .plot import PlotAccessor
        return PlotAccessor(self)

    # -- output ------------------------------------------------------------------------
    def metadata(self) -> dict:
        """Model, closure, elasticities, numeraire, data vintage and diagnostics."""
        diag = {k: v for k, v in self.diagnostics.items() if not isinstance(v, list | dict)}
        te = self.trade_elasticity
        if isinstance(te, np.ndarray):
            te = te.tolist()
        return {"model": self.model, "closure": self.closure, "numeraire": self.numeraire,
                "scenario": self.scenario, "units": self.units,
                "data_vintage": self.data_vintage, "trade_elasticity": te,
                "diagnostics": diag, "notes": self.notes}

    def to_csv(self, folder: str | os.PathLike) -> list[Path]:
        """Write ``countries.csv``, ``flows.csv``, ``welfare_decomposition.csv`` (when
        available) and ``metadata.json`` to ``folder``, each atomically (temporary file in
        the same folder, then ``os.replace``). Row order is the baseline's order; timings
        are left out of ``metadata.json``, so the same run writes byte-identical files.

        ``folder`` is created when missing; new files follow the umask (as any file the
        user creates). ``metadata.json`` is valid JSON: a NaN or infinite diagnostic (the
        last step of a solve that started at the solution) is written as ``null``.

        Raises
        ------
        DataError
            ``folder`` is a file, or cannot be written (permissions, a full or read-only
            disk); the message names the path and the fix.
        """
        if not isinstance(folder, str | os.PathLike):
            raise DataError(f"folder: expected a folder path, got {type(folder).__name__}.",
                            field="folder")
        folder = Path(folder)
        written = []
        tables = [("countries", self.countries), ("flows", self.flows)]
        if self._frames.get("decomposition") is not None:
            tables.append(("welfare_decomposition", self.welfare_decomposition()))
        for name, df in tables:
            path = folder / f"{name}.csv"
            write_atomic(path, df.to_csv(index=False, lineterminator="\n"), field="folder")
            written.append(path)
        path = folder / "metadata.json"
        meta = self.metadata()
        meta["diagnostics"] = {k: v for k, v in meta["diagnostics"].items()
                               if not k.endswith(_VOLATILE)}
        write_atomic(path, json_text(meta), field="folder")
        written.append(path)
        return written

    def summary(self, n: int = 10) -> str:
        """A short text summary: settings and the countries with the largest welfare
        changes."""
        head = (f"Result(model={self.model!r}, closure={self.closure!r}, "
                f"numeraire={self.numeraire!r}, scenario={self.scenario!r})")
        lines = [head]
        if self.trade_elasticity is not None:
            lines.append(f"trade elasticity: {describe_elasticity(self.trade_elasticity)}")
        if self.data_vintage:
            lines.append(f"data: {self.data_vintage}")
        d = self.diagnostics
        if "iterations" in d:
            lines.append(f"solver: {d.get('iterations')} iterations, residual "
                         f"{d.get('residual', float('nan')):.2e}, {d.get('time_s', 0):.3f} s")
        c = self.countries
        if "welfare_change_pct" in c:
            top = c.reindex(c["welfare_change_pct"].abs().sort_values(ascending=False).index)
            cols = [k for k in ("country", "welfare_change_pct", "real_wage_change_pct",
                                "balance_baseline", "balance_scenario") if k in c]
            lines.append(top[cols].head(n).to_string(index=False, float_format="%.4g"))
        return "\n".join(lines)

    def __repr__(self) -> str:
        from . import _display
        return _display.text(_display.result_view(self))

    def _repr_html_(self) -> str:
        from . import _display
        return _display.html(_display.result_view(self))
