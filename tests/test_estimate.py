"""PPML gravity estimation against the Advanced Guide's published estimates, with each
backend (statsmodels' GLM on dummies, pyfixest's fepois with the effects projected out)."""

import numpy as np
import pandas as pd
import pytest
from validation_data import import_or_skip, validation_path

import tariffsim.estimate as est
from tariffsim.errors import DataError, ModelError, TariffSimError
from tariffsim.estimate import ppml

_EXTRA = {"statsmodels": "the 'estimation' extra (statsmodels)",
          "pyfixest": "the 'fixest' extra (pyfixest)"}


@pytest.fixture(params=["statsmodels", "pyfixest"])
def backend(request):
    """Each backend; skipped with the reason when not installed (failed under
    TARIFFSIM_REQUIRE_VALIDATION=1: the [test] extra installs both)."""
    import_or_skip(request.param, f"{_EXTRA[request.param]} is needed for this backend")
    return request.param


@pytest.fixture(scope="module")
def agtpa():
    # skips when absent, fails under TARIFFSIM_REQUIRE_VALIDATION=1 (CI)
    return pd.read_stata(validation_path("agtpa_ch2_app1/Chapter2Application1.dta"))


@pytest.mark.validation
def test_trade_without_borders_2006(agtpa, backend):
    """Yotov et al. (2016) ch. 2 application 1: book's log, ln DIST -0.7912879,
    CNTG 0.6736456, border -2.47445 (PPML, exporter and importer FE, DEU reference)."""
    d = agtpa[agtpa["year"] == 2006].copy()
    d["ln_DIST"] = np.log(d["DIST"])
    d["BRDR"] = (d["exporter"] != d["importer"]).astype(float)
    res = ppml(d, flow="trade", regressors=["ln_DIST", "CNTG", "BRDR"],
               reference_importer="DEU", backend=backend)
    assert res.backend == backend
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
    # the reported effects and coefficients rebuild the fitted flows
    eta = (d[["ln_DIST", "CNTG", "BRDR"]].to_numpy() @ res.coefficients.to_numpy()
           + d["exporter"].astype(str).map(fe.loc["exporter"]).to_numpy()
           + d["importer"].astype(str).map(fe.loc["importer"]).to_numpy())
    np.testing.assert_allclose(np.exp(eta), fit.to_numpy(), rtol=1e-7)


@pytest.mark.validation
@pytest.mark.slow
def test_chapter1_ppml_with_time_varying_effects(agtpa, backend):
    """Ch. 1 application 1 (published in yotov2016_published_estimates.csv): PPML on
    international flows 1986-2006 every 4 years, exporter-year and importer-year FE,
    standard errors clustered by pair: ln DIST -0.8409 (0.0317), CNTG 0.4374 (0.0832),
    LANG 0.2475 (0.0765), CLNY -0.2225 (0.1162)."""
    d = agtpa[agtpa["year"].isin([1986, 1990, 1994, 1998, 2002, 2006])
              & (agtpa["exporter"] != agtpa["importer"])].copy()
    d["ln_DIST"] = np.log(d["DIST"])
    res = ppml(d, flow="trade", regressors=["ln_DIST", "CNTG", "LANG", "CLNY"],
               fixed_effects=[("exporter", "year"), ("importer", "year")],
               reference_importer="DEU", se="cluster", cluster="pair_id", backend=backend)
    published = {"ln_DIST": (-0.8409, 0.0317), "CNTG": (0.4374, 0.0832),
                 "LANG": (0.2475, 0.0765), "CLNY": (-0.2225, 0.1162)}
    for var, (coef, se) in published.items():
        assert res.coefficients[var] == pytest.approx(coef, abs=5e-5), var
        assert res.std_errors[var] == pytest.approx(se, abs=5e-5), var
    assert res.n_clusters == 2346


def _synthetic(seed=0, with_effects=False):
    """Exact Poisson gravity: with no noise PPML recovers the parameters exactly."""
    rng = np.random.default_rng(seed)
    n = 8
    codes = [f"C{i}" for i in range(n)]
    e = pd.DataFrame([(a, b) for a in codes for b in codes], columns=["exporter", "importer"])
    pi = dict(zip(codes, rng.normal(3, 0.5, n), strict=True))
    chi = dict(zip(codes, rng.normal(2, 0.5, n), strict=True))
    e["ln_dist"] = rng.uniform(5, 9, len(e))
    e["trade"] = np.exp(e["exporter"].map(pi) + e["importer"].map(chi) - 0.9 * e["ln_dist"])
    return (e, pi, chi) if with_effects else e


def test_recovers_exact_gravity(backend):
    """Noise-free flows: the coefficient, the fitted flows and the effects are the data's
    own, the importer effects net of the reference importer's (C0), which moves into
    every exporter effect."""
    d, pi, chi = _synthetic(with_effects=True)
    res = ppml(d, regressors=["ln_dist"], se="robust", backend=backend)
    assert res.coefficients["ln_dist"] == pytest.approx(-0.9, abs=1e-8)
    assert res.std_errors["ln_dist"] < 1e-6
    assert np.allclose(res.fitted, d["trade"], rtol=1e-8)
    fe = res.fixed_effects.set_index(["term", "level"])["estimate"]
    for c in pi:
        assert fe[("exporter", c)] == pytest.approx(pi[c] + chi["C0"], abs=1e-7)
        assert fe[("importer", c)] == pytest.approx(chi[c] - chi["C0"], abs=1e-7)
    assert res.reference == {"importer": ["C0"], "reference_importer": "C0"}


def test_panel_with_pair_effects(backend):
    """Exporter-year, importer-year and pair effects (the structural-gravity panel of the
    Advanced Guide ch. 1 app. 3): a time-varying agreement dummy and tariff are recovered
    exactly from noise-free flows."""
    rng = np.random.default_rng(1)
    codes = [f"C{i}" for i in range(6)]
    d = pd.DataFrame([(a, b, t) for a in codes for b in codes for t in (2000, 2004, 2008)],
                     columns=["exporter", "importer", "year"])
    eff = {key: rng.normal(0, 1, len(d)) for key in ("ex", "im", "pair")}
    ex = d.groupby(["exporter", "year"]).ngroup().to_numpy()
    im = d.groupby(["importer", "year"]).ngroup().to_numpy()
    pair = d.groupby(["exporter", "importer"]).ngroup().to_numpy()
    d["rta"] = (rng.random(len(d)) < 0.4).astype(float)
    d["ln_tariff"] = np.log1p(rng.uniform(0, 0.3, len(d)))
    d["trade"] = np.exp(eff["ex"][ex] + eff["im"][im] + eff["pair"][pair] + 0.5 * d["rta"]
                        - 4.0 * d["ln_tariff"])
    res = ppml(d, regressors=["rta", "ln_tariff"], se="robust", backend=backend,
               fixed_effects=[("exporter", "year"), ("importer", "year"),
                              ("exporter", "importer")])
    assert res.coefficients["rta"] == pytest.approx(0.5, abs=1e-7)
    assert res.coefficients["ln_tariff"] == pytest.approx(-4.0, abs=1e-6)
    np.testing.assert_allclose(res.fitted, d["trade"], rtol=1e-7)


def test_zero_only_fixed_effect_rows_dropped(backend):
    d = _synthetic()
    d.loc[d["exporter"] == "C3", "trade"] = 0.0
    res = ppml(d, regressors=["ln_dist"], backend=backend)
    assert res.dropped == 8
    assert res.coefficients["ln_dist"] == pytest.approx(-0.9, abs=1e-8)


def test_errors(backend):
    d = _synthetic()
    with pytest.raises(DataError, match="missing column"):
        ppml(d, regressors=["ln_distance"], backend=backend)
    bad = d.copy()
    bad.loc[0, "trade"] = -1.0
    with pytest.raises(DataError, match="negative"):
        ppml(bad, regressors=["ln_dist"], backend=backend)
    bad = d.copy()
    bad.loc[0, "ln_dist"] = np.inf
    with pytest.raises(DataError, match="infinite"):
        ppml(bad, regressors=["ln_dist"], backend=backend)
    with pytest.raises(DataError, match="reference_importer"):
        ppml(d, regressors=["ln_dist"], reference_importer="DEU", backend=backend)
    d["exp_const"] = d["exporter"].map(lambda c: float(c[1:]))
    with pytest.raises(DataError, match=r"\['exp_const'\] are collinear"):
        ppml(d, regressors=["exp_const"], backend=backend)
    with pytest.raises(DataError, match=r"\['exp_const'\] are collinear"):
        ppml(d, regressors=["ln_dist", "exp_const"], backend=backend)


def test_backend_choice(monkeypatch):
    d = _synthetic()
    with pytest.raises(ModelError, match="did you mean 'pyfixest'"):
        ppml(d, regressors=["ln_dist"], backend="pyfixes")
    monkeypatch.setattr(est, "_installed", lambda module: module == "statsmodels")
    with pytest.raises(TariffSimError, match=r"pip install -e \"\.\[fixest\]\""):
        ppml(d, regressors=["ln_dist"], backend="pyfixest")
    monkeypatch.setattr(est, "_installed", lambda module: False)
    with pytest.raises(TariffSimError, match=r"pip install -e \"\.\[estimation\]\""):
        ppml(d, regressors=["ln_dist"])
