"""Output frames of a GE solve: countries, flows and the welfare decomposition.

`result_frames` turns a baseline model and a [`HatSolution`][tariffsim.ge.system.HatSolution]
(the solver's ``(J, N, N)`` layout) into the tidy frames of
[`Result`][tariffsim.results.Result]: the country frame now, the flows and decomposition
frames as zero-argument builders (the Result builds them on first use).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from tariffsim.errors import ConvergenceError
from tariffsim.ge.calibration import CalibratedModel
from tariffsim.ge.equilibrium import welfare_decomposition
from tariffsim.ge.extensions import welfare_imls, welfare_utility
from tariffsim.ge.system import HatSolution

__all__ = ["result_frames"]


def result_frames(m0: CalibratedModel, sol: HatSolution, countries: Sequence[str],
                  sectors: Sequence[str], closure: str) -> dict[str, Any]:
    """Tidy frames of a solution against its baseline.

    Parameters
    ----------
    m0 : CalibratedModel
        The baseline the changes are measured from (the zero-deficit world under
        ``balanced``).
    sol : HatSolution
    countries, sectors : sequence of str
    closure : str
        Written into the frames' ``closure`` column.

    Returns
    -------
    dict
        ``countries``: DataFrame (one row per country: welfare, real wage, prices, trade,
        revenue, income, baseline and scenario); ``flows`` and ``decomposition``:
        callables returning the flows frame (exporter, importer, sector) and the CP
        welfare decomposition frame.

    Raises
    ------
    ConvergenceError
        A non-finite country value.
    """
    F0 = m0.flows()
    I0 = m0.income()
    welfare = sol.income / I0 / sol.P
    measures = welfare_measures(m0, sol, I0, welfare)
    welfare = measures["imls"]
    return {"countries": _country_frame(m0, sol, countries, closure, F0, I0, measures),
            "flows": _flows_builder(m0, sol, countries, sectors, F0),
            "decomposition": _decomposition_builder(m0, sol, countries, closure, F0, I0,
                                                    welfare)}


def welfare_measures(m0: CalibratedModel, sol: HatSolution, I0: np.ndarray,
                     real_income: np.ndarray) -> dict[str, np.ndarray]:
    """The welfare changes of a solution (factors, 1 = unchanged) and what they need.

    ``real_income`` is ``I-hat / P-hat`` (the welfare of the plain model). With elastic
    labour, ``imls`` is the formula of Ignatenko et al. (2025)
    ([`welfare_imls`][tariffsim.ge.extensions.welfare_imls]) and ``utility`` the utility change
    their labour supply implies ([`welfare_utility`][tariffsim.ge.extensions.welfare_utility]);
    without it both are ``real_income``. Also returns ``L`` (employment change) and ``tax``
    (after-tax wage factor change).
    """
    N = len(I0)
    L = np.ones(N) if sol.L is None else sol.L
    tax = np.ones(N) if sol.tax_factor is None else sol.tax_factor
    ext = m0.ext
    if ext is None or not ext.labour:
        return {"imls": real_income, "utility": real_income, "L": L, "tax": tax}
    zero = np.zeros(N)
    s0 = m0.tariff_revenue() / m0.VA if ext.income_tax else zero
    s1 = sol.R / sol.VA if ext.income_tax else zero
    return {"imls": welfare_imls(I0, sol.income / I0, sol.P, sol.VA / m0.VA, m0.VA,
                                 ext.kappa, s1),
            "utility": welfare_utility(I0, sol.income, sol.P, m0.VA, sol.VA, ext.kappa, s0,
                                       s1),
            "L": L, "tax": tax}


def _country_frame(m0: CalibratedModel, sol: HatSolution, countries: Sequence[str],
                   closure: str, F0: np.ndarray, I0: np.ndarray,
                   measures: dict[str, np.ndarray]) -> pd.DataFrame:
    eye = np.eye(len(countries), dtype=bool)[None, :, :]
    intl0 = np.where(eye, 0.0, F0)
    intl1 = np.where(eye, 0.0, sol.flows)
    welfare, L = measures["imls"], measures["L"]
    ext = m0.ext
    nu, phi = np.zeros(len(countries)), np.ones(len(countries))
    if ext is not None:
        weight = m0.X / m0.X.sum(axis=0)              # sector shares of spending
        nu, phi = (weight * ext.nu).sum(axis=0), (weight * ext.passthrough).sum(axis=0)
    dc = pd.DataFrame({
        "country": list(countries),
        "welfare_change_pct": 100 * (welfare - 1),
        "real_wage_change_pct": 100 * (sol.w / sol.P - 1),
        "real_gdp_change_pct": 100 * (sol.w * L / sol.P - 1),
        "wage_change_pct": 100 * (sol.w - 1),
        "price_index_change_pct": 100 * (sol.P - 1),
        "exports_baseline": intl0.sum(axis=(0, 1)),
        "exports_scenario": intl1.sum(axis=(0, 1)),
        "imports_baseline": intl0.sum(axis=(0, 2)),
        "imports_scenario": intl1.sum(axis=(0, 2)),
    })
    dc["balance_baseline"] = dc["exports_baseline"] - dc["imports_baseline"]
    dc["balance_scenario"] = dc["exports_scenario"] - dc["imports_scenario"]
    dc["tariff_revenue_baseline"] = m0.tariff_revenue()
    dc["tariff_revenue_scenario"] = sol.R
    dc["export_rents_scenario"] = sol.rents
    dc["value_added_baseline"] = m0.VA
    dc["value_added_scenario"] = sol.VA
    dc["income_baseline"] = I0
    dc["income_scenario"] = sol.income
    dc["employment_change_pct"] = 100 * (L - 1)
    dc["after_tax_wage_factor"] = measures["tax"]
    dc["welfare_imls_pct"] = 100 * (welfare - 1)
    dc["welfare_utility_pct"] = 100 * (measures["utility"] - 1)
    dc["transfer_baseline"] = m0.D
    dc["transfer_scenario"] = sol.D
    dc["local_share"] = nu
    dc["tariff_passthrough"] = phi
    dc["closure"] = closure
    num = dc.select_dtypes("number").to_numpy()
    if not np.all(np.isfinite(num)):
        raise ConvergenceError("GE result has non-finite country values",
                               diagnostics={k: v for k, v in sol.diagnostics.items()
                                            if not isinstance(v, list)})
    return dc


def _flows_builder(m0: CalibratedModel, sol: HatSolution, countries: Sequence[str],
                   sectors: Sequence[str], F0: np.ndarray) -> Callable[[], pd.DataFrame]:
    def flows_frame() -> pd.DataFrame:
        N, J = len(countries), len(sectors)
        idx = np.indices((N, N, J)).reshape(3, -1)
        c = np.asarray(countries, dtype=object)
        s = np.asarray(sectors, dtype=object)
        return pd.DataFrame({
            "exporter": c[idx[0]], "importer": c[idx[1]], "sector": s[idx[2]],
            "baseline": F0.transpose(2, 1, 0).ravel(),
            "scenario": sol.flows.transpose(2, 1, 0).ravel(),
            "tariff_baseline": m0.tau.transpose(2, 1, 0).ravel(),
            "tariff_scenario": sol.tau.transpose(2, 1, 0).ravel(),
        })

    return flows_frame


def _decomposition_builder(m0: CalibratedModel, sol: HatSolution, countries: Sequence[str],
                           closure: str, F0: np.ndarray, I0: np.ndarray,
                           welfare: np.ndarray) -> Callable[[], pd.DataFrame]:
    def decomposition_frame() -> pd.DataFrame:
        with np.errstate(divide="ignore", invalid="ignore"):
            Mh = np.where(F0 > 0, sol.flows / np.where(F0 > 0, F0, 1.0), 1.0)
        tot, vot = welfare_decomposition(F0.transpose(0, 2, 1), F0, m0.tau, sol.c, Mh, I0)
        return pd.DataFrame({
            "country": list(countries),
            "terms_of_trade_pct": 100 * tot,
            "volume_of_trade_pct": 100 * vot,
            "decomposition_sum_pct": 100 * (tot + vot),
            "welfare_exact_pct": 100 * (welfare - 1),
            "closure": closure,
        })

    return decomposition_frame
