"""Yotov et al. (2016), An Advanced Guide to Trade Policy Analysis, ch. 2 application 1,
"trade without borders": PPML estimates and the full-GE effects of removing the border.

Published (book's log and tables): ln DIST -0.7912879, CNTG 0.6736456, border -2.47445;
full GE (%): real GDP CAN 54.28, USA 10.60; factory-gate price CAN 32.36, USA 10.97;
exports CAN 138.08. The book's iteration stops at a loose tolerance, so agreement is
expected within about 0.2 percentage points (1.5% relative on exports).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from validation_data import import_or_skip, validation_path

pytestmark = pytest.mark.validation


_EXTRA = {"statsmodels": "the 'estimation' extra (statsmodels)",
          "pyfixest": "the 'fixest' extra (pyfixest)"}


def _ppml(frame: pd.DataFrame, backend: str):
    """PPML with exporter and importer fixed effects (DEU the reference importer), with
    tariffsim.estimate.ppml on one backend."""
    import_or_skip(backend, f"{_EXTRA[backend]} is needed for the PPML step")
    from tariffsim.estimate import ppml

    res = ppml(frame, flow="trade", regressors=["ln_DIST", "CNTG", "BRDR"],
               reference_importer="DEU", backend=backend)
    return res.coefficients.to_numpy(), res.fitted.to_numpy()


@pytest.fixture(scope="module")
def data():
    d = pd.read_stata(validation_path("agtpa_ch2_app1/Chapter2Application1.dta"))
    d = d[d["year"] == 2006].copy()
    d["exporter"] = d["exporter"].astype(str)
    d["importer"] = d["importer"].astype(str)
    d["ln_DIST"] = np.log(d["DIST"].astype(float))
    d["BRDR"] = (d["exporter"] != d["importer"]).astype(float)
    return d.reset_index(drop=True)


@pytest.fixture(scope="module", params=["statsmodels", "pyfixest"])
def estimates(data, request):
    return _ppml(data, request.param)


def test_ppml_estimates(estimates):
    beta, _ = estimates
    np.testing.assert_allclose(beta, [-0.7912879, 0.6736456, -2.47445], atol=2e-6)


@pytest.fixture(scope="module")
def border_removed(data, estimates):
    from tariffsim import Baseline
    from tariffsim.ge import solve
    from tariffsim.shocks import Shocks
    beta, fitted = estimates
    countries = sorted(set(data["exporter"]))
    idx = {c: k for k, c in enumerate(countries)}
    N = len(countries)
    flows = np.zeros((N, N))
    flows[data["exporter"].map(idx), data["importer"].map(idx)] = fitted
    base = Baseline.from_arrays(countries, None, flows, year=2006)
    # t^(1-sigma) rises by exp(-beta_border) on every international pair; theta = sigma-1 = 6
    d_hat = np.full((N, N, 1), np.exp(beta[2] / 6.0))
    d_hat[np.arange(N), np.arange(N), 0] = 1.0
    return solve(base, Shocks(trade_costs=d_hat), trade_elasticity=6.0,
                 closure="deficit_ratio", numeraire="DEU")


def test_full_ge_real_gdp_and_prices(border_removed):
    c = border_removed.countries.set_index("country")
    assert c.loc["CAN", "real_gdp_change_pct"] == pytest.approx(54.28, abs=0.2)
    assert c.loc["USA", "real_gdp_change_pct"] == pytest.approx(10.60, abs=0.2)
    # factory-gate price = wage (one sector, no IO), relative to DEU's price index
    assert c.loc["CAN", "wage_change_pct"] == pytest.approx(32.36, abs=0.2)
    assert c.loc["USA", "wage_change_pct"] == pytest.approx(10.97, abs=0.2)
    assert c.loc["DEU", "price_index_change_pct"] == pytest.approx(0.0, abs=1e-9)


def test_full_ge_exports(border_removed):
    c = border_removed.countries.set_index("country")
    change = 100 * (c.loc["CAN", "exports_scenario"] / c.loc["CAN", "exports_baseline"] - 1)
    assert change == pytest.approx(138.08, rel=0.015)
