"""PPML gravity estimation against the Advanced Guide's published estimates."""

import numpy as np
import pandas as pd
import pytest
from validation_data import import_or_skip, validation_path

import_or_skip("statsmodels", "the 'estimation' extra (statsmodels) is needed")

from tariffsim.errors import DataError  # noqa: E402
from tariffsim.estimate import ppml  # noqa: E402


@pytest.fixture(scope="module")
def agtpa():
    # skips when absent, fails under TARIFFSIM_REQUIRE_VALIDATION=1 (CI)
    return pd.read_stata(validation_path("agtpa_ch2_app1/Chapter2Application1.dta"))


@pytest.mark.validation
def test_trade_without_borders_2006(agtpa):
    """Yotov et al. (2016) ch. 2 application 1: book's log, ln DIST -0.7912879,
    CNTG 0.6736456, border -2.47445 (PPML, exporter and importer FE, DEU reference)."""
    d = agtpa[agtpa["year"] == 2006].copy()
    d["ln_DIST"] = np.log(d["DIST"])
    d["BRDR"] = (d["exporter"] != d["importer"]).astype(float)
    res = ppml(d, flow="trade", regressors=["ln_DIST", "CNTG", "BRDR"],
               reference_importer="DEU")
    # tolerance: the printed precision (7 decimals; the border 5 decimals, so half a unit
    # of its last digit), as in test_ge_advanced_guide.py
    assert res.coefficients["ln_DIST"] == pytest.approx(-0.7912879, abs=2e-6)
    assert res.coefficients["CNTG"] == pytest.approx(0.6736456, abs=2e-6)
    assert res.coefficients["BRDR"] == pytest.approx(-2.47445, abs=5e-6)
    assert res.nobs == 69 * 69
    # DEU's importer effect is the normalisation
    fe = res.fixed_effects.set_index(["term", "level"])["estimate"]
    assert fe[("importer", "DEU")] == 0.0
    # PPML with exporter and importer effects reproduces every exporter's total sales
    # and every importer's total spending (first-order conditions)
    fit = res.fitted
    assert np.allclose(fit.groupby(d["exporter"]).sum(), d.groupby("exporter")["trade"].sum(),
                       rtol=1e-6)
    assert np.allclose(fit.groupby(d["importer"]).sum(), d.groupby("importer")["trade"].sum(),
                       rtol=1e-6)


@pytest.mark.validation
@pytest.mark.slow
def test_chapter1_ppml_with_time_varying_effects(agtpa):
    """Ch. 1 application 1 (published in yotov2016_published_estimates.csv): PPML on
    international flows 1986-2006 every 4 years, exporter-year and importer-year FE,
    standard errors clustered by pair: ln DIST -0.8409 (0.0317), CNTG 0.4374 (0.0832),
    LANG 0.2475 (0.0765), CLNY -0.2225 (0.1162)."""
    d = agtpa[agtpa["year"].isin([1986, 1990, 1994, 1998, 2002, 2006])
              & (agtpa["exporter"] != agtpa["importer"])].copy()
    d["ln_DIST"] = np.log(d["DIST"])
    res = ppml(d, flow="trade", regressors=["ln_DIST", "CNTG", "LANG", "CLNY"],
               fixed_effects=[("exporter", "year"), ("importer", "year")],
               reference_importer="DEU", se="cluster", cluster="pair_id")
    published = {"ln_DIST": (-0.8409, 0.0317), "CNTG": (0.4374, 0.0832),
                 "LANG": (0.2475, 0.0765), "CLNY": (-0.2225, 0.1162)}
    for var, (coef, se) in published.items():
        assert res.coefficients[var] == pytest.approx(coef, abs=5e-5), var
        assert res.std_errors[var] == pytest.approx(se, abs=5e-5), var
    assert res.n_clusters == 2346


def _synthetic(seed=0):
    """Exact Poisson gravity: with no noise PPML recovers the parameters exactly."""
    rng = np.random.default_rng(seed)
    n = 8
    codes = [f"C{i}" for i in range(n)]
    e = pd.DataFrame([(a, b) for a in codes for b in codes], columns=["exporter", "importer"])
    pi = dict(zip(codes, rng.normal(3, 0.5, n), strict=True))
    chi = dict(zip(codes, rng.normal(2, 0.5, n), strict=True))
    e["ln_dist"] = rng.uniform(5, 9, len(e))
    e["trade"] = np.exp(e["exporter"].map(pi) + e["importer"].map(chi) - 0.9 * e["ln_dist"])
    return e


def test_recovers_exact_gravity():
    d = _synthetic()
    res = ppml(d, regressors=["ln_dist"], se="robust")
    assert res.coefficients["ln_dist"] == pytest.approx(-0.9, abs=1e-8)
    assert res.std_errors["ln_dist"] < 1e-6
    assert np.allclose(res.fitted, d["trade"], rtol=1e-8)


def test_zero_only_fixed_effect_rows_dropped():
    d = _synthetic()
    d.loc[d["exporter"] == "C3", "trade"] = 0.0
    res = ppml(d, regressors=["ln_dist"])
    assert res.dropped == 8
    assert res.coefficients["ln_dist"] == pytest.approx(-0.9, abs=1e-8)


def test_errors():
    d = _synthetic()
    with pytest.raises(DataError, match="not in data"):
        ppml(d, regressors=["ln_distance"])
    bad = d.copy()
    bad.loc[0, "trade"] = -1.0
    with pytest.raises(DataError, match="negative"):
        ppml(bad, regressors=["ln_dist"])
    bad = d.copy()
    bad.loc[0, "ln_dist"] = np.inf
    with pytest.raises(DataError, match="infinite"):
        ppml(bad, regressors=["ln_dist"])
    with pytest.raises(DataError, match="reference_importer"):
        ppml(d, regressors=["ln_dist"], reference_importer="DEU")
    d["exp_const"] = d["exporter"].map(lambda c: float(c[1:]))
    with pytest.raises(DataError, match="collinear"):
        ppml(d, regressors=["exp_const"])
