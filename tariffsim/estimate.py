"""Gravity estimation: Poisson pseudo-maximum likelihood (PPML) with fixed effects.

The structural gravity equation (Anderson & van Wincoop 2003; Yotov, Piermartini, Monteiro
& Larch 2016, *An Advanced Guide to Trade Policy Analysis*, ch. 1-2) is estimated in its
multiplicative form

.. math::

    X_{ij} = \\exp\\left(\\pi_i + \\chi_j + \\beta' z_{ij}\\right) + \\varepsilon_{ij}

with exporter fixed effects :math:`\\pi_i` (outward multilateral resistance and output),
importer fixed effects :math:`\\chi_j` (inward multilateral resistance and expenditure) and
bilateral trade costs :math:`z_{ij}` (log distance, contiguity, borders, agreements). PPML
(Santos Silva & Tenreyro 2006, *The Log of Gravity*, REStat 88(4)) is consistent under
heteroskedasticity and keeps zero flows. The exporter and importer fixed effects are
collinear; one importer's effect is set to zero (the *reference importer*, DEU in the
Advanced Guide), which also absorbs the constant.

Standard errors are clustered by country pair as in the Advanced Guide (Stata's
``ppml ..., cluster(pair)``: the sandwich estimator times G/(G-1) with G clusters), or
heteroskedasticity-robust (times N/(N-1)).

The estimation uses statsmodels' GLM with a Poisson family, an optional dependency:
``pip install tariffsim[estimation]``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .errors import ConvergenceError, DataError, ModelError, TariffSimError

__all__ = ["ppml", "PPMLResult"]


def _statsmodels() -> Any:
    try:
        import statsmodels.api as sm
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise TariffSimError(
            "tariffsim.estimate.ppml needs statsmodels, an optional dependency: "
            "pip install tariffsim[estimation]") from exc
    return sm


@dataclass(frozen=True)
class PPMLResult:
    """Result of :func:`ppml`.

    Attributes
    ----------
    coefficients, std_errors : pandas.Series
        Estimates and standard errors of the regressors.
    cov : pandas.DataFrame
        Their covariance matrix.
    fitted : pandas.Series
        Fitted flows, indexed like the rows of ``data`` used in the estimation.
    fixed_effects : pandas.DataFrame
        ``term, level, estimate``: each fixed effect (the reference levels at 0).
    nobs : int
        Observations used; ``dropped`` counts the rows left out (zeros when
        ``drop_zeros``, rows whose fixed effect has only zero flows).
    se_type : str
        ``"cluster"`` or ``"robust"``; ``n_clusters`` the number of clusters.
    reference : dict
        Normalisation: the fixed-effect levels set to zero.
    """

    coefficients: pd.Series
    std_errors: pd.Series
    cov: pd.DataFrame
    fitted: pd.Series
    fixed_effects: pd.DataFrame
    nobs: int
    dropped: int
    se_type: str
    n_clusters: int | None
    reference: dict[str, Any]
    iterations: int
    deviance: float
    pseudo_r2: float
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def summary(self) -> pd.DataFrame:
        """Table of ``coef, std_err, z, p_value`` by regressor."""
        from scipy.stats import norm

        z = self.coefficients / self.std_errors
        return pd.DataFrame({"coef": self.coefficients, "std_err": self.std_errors, "z": z,
                             "p_value": 2 * norm.sf(np.abs(z))})

    def __repr__(self) -> str:
        return (f"PPMLResult(nobs={self.nobs}, se={self.se_type}, reference={self.reference})"
                f"\n{self.summary().round(6).to_string()}")


def _term_labels(data: pd.DataFrame, term: tuple[str, ...]) -> pd.Series:
    if len(term) == 1:
        return data[term[0]].astype(str)
    out = data[term[0]].astype(str)
    for c in term[1:]:
        out = out + "|" + data[c].astype(str)
    return out


def ppml(data: pd.DataFrame, *, flow: str = "trade", exporter: str = "exporter",
         importer: str = "importer", regressors: Sequence[str] = (),
         fixed_effects: Sequence[str | Sequence[str]] = ("exporter", "importer"),
         reference_importer: str | None = None, se: str = "cluster",
         cluster: str | Sequence[str] | None = "pair", drop_zeros: bool = False,
         tol: float = 1e-10, maxiter: int = 100) -> PPMLResult:
    """Estimate a gravity equation by Poisson pseudo-maximum likelihood.

    .. math::

        E[X_{ij} \\mid z] = \\exp\\left(\\sum_f \\alpha_{f(ij)} + \\beta' z_{ij}\\right)

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation (pair, or pair and year).
    flow : str
        Column of trade values (non-negative; zeros are kept unless ``drop_zeros``).
    exporter, importer : str
        Columns of exporter and importer codes.
    regressors : sequence of str
        Columns of bilateral variables (``ln_DIST``, ``CNTG``, ...): numeric, finite.
    fixed_effects : sequence
        Fixed-effect terms: a column name, or a tuple of columns for interactions
        (``("exporter", "year")`` gives exporter-year effects). Default exporter and importer.
    reference_importer : str, optional
        Importer whose fixed effects are set to zero (in every term that contains the
        importer column, e.g. in each year). Default: the first importer in sort order.
    se : {"cluster", "robust"}
        Clustered (default) or heteroskedasticity-robust standard errors.
    cluster : "pair", str or sequence of str
        Clusters: ``"pair"`` (the unordered country pair, as the Advanced Guide's
        ``pair_id``), or column name(s).
    drop_zeros : bool
        Drop zero flows before estimating (default False: PPML keeps them).
    tol, maxiter
        Convergence tolerance and iteration cap of the Newton iterations.

    Returns
    -------
    PPMLResult

    Raises
    ------
    DataError
        Missing columns, non-numeric, missing or negative values, too few observations.
    ConvergenceError
        The likelihood maximisation did not converge.
    TariffSimError
        statsmodels is not installed (``pip install tariffsim[estimation]``).

    References
    ----------
    Santos Silva, J. M. C. and Tenreyro, S. (2006), The Log of Gravity, Review of Economics
    and Statistics 88(4), 641-658. Yotov, Y. V., Piermartini, R., Monteiro, J.-A. and
    Larch, M. (2016), An Advanced Guide to Trade Policy Analysis: The Structural Gravity
    Model, WTO/UNCTAD, ch. 1-2.

    Examples
    --------
    >>> res = ppml(df, flow="trade", regressors=["ln_DIST", "CNTG", "BRDR"],
    ...            reference_importer="DEU")                        # doctest: +SKIP
    >>> res.coefficients["ln_DIST"]                                 # doctest: +SKIP
    -0.7912...
    """
    sm = _statsmodels()
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"ppml: data must be a pandas DataFrame, got {type(data).__name__}.",
                        field="data")
    if se not in ("cluster", "robust"):
        raise ModelError(f"ppml: se={se!r}; use 'cluster' or 'robust'.", field="se")
    terms = [tuple([t]) if isinstance(t, str) else tuple(t) for t in fixed_effects]
    regressors = list(regressors)
    needed = [flow, exporter, importer, *regressors, *{c for t in terms for c in t}]
    if se == "cluster" and cluster != "pair" and cluster is not None:
        needed += [cluster] if isinstance(cluster, str) else list(cluster)
    missing = [c for c in dict.fromkeys(needed) if c not in data.columns]
    if missing:
        raise DataError(f"ppml: column(s) {missing} not in data (columns: "
                        f"{list(data.columns)[:30]}).", field=str(missing[0]))
    df = data.copy()
    for c in [flow, *regressors]:
        vals = pd.to_numeric(df[c], errors="coerce").astype(float)
        bad = ~np.isfinite(vals.to_numpy())
        if bad.any():
            raise DataError(f"ppml: column {c!r} has {int(bad.sum())} missing, non-numeric or "
                            f"infinite value(s), e.g.\n{df[bad].head().to_string()}\nDrop or "
                            f"fill these rows (log of zero distance?).", field=c,
                            rows=df[bad])
        df[c] = vals
    if (df[flow] < 0).any():
        rows = df[df[flow] < 0]
        raise DataError(f"ppml: column {flow!r} has {len(rows)} negative value(s), e.g.\n"
                        f"{rows.head().to_string()}", field=flow, rows=rows)
    n0 = len(df)
    if drop_zeros:
        df = df[df[flow] > 0]
    # drop rows whose fixed effect has only zero flows (their effect is -infinity)
    labels = {t: _term_labels(df, t) for t in terms}
    while True:
        keep = np.ones(len(df), dtype=bool)
        for t in terms:
            tot = df[flow].groupby(labels[t].to_numpy()).transform("sum").to_numpy()
            keep &= tot > 0
        if keep.all():
            break
        df = df[keep]
        labels = {t: lab[keep] for t, lab in labels.items()}
    dropped = n0 - len(df)
    if df.empty:
        raise DataError("ppml: no observations with positive flows left.", field=flow)
    # design: regressors, then fixed-effect dummies
    if reference_importer is None:
        reference_importer = str(sorted(df[importer].astype(str).unique())[0])
    elif reference_importer not in set(df[importer].astype(str)):
        raise DataError(f"ppml: reference_importer {reference_importer!r} is not an importer "
                        f"in the data.", field="reference_importer")
    blocks, names, fe_index = [df[regressors].to_numpy(dtype=float)], list(regressors), []
    reference: dict[str, Any] = {}
    for ti, t in enumerate(terms):
        lab = labels[t]
        codes, levels = pd.factorize(lab, sort=True)
        levels = np.asarray(levels, dtype=object)
        drop = np.zeros(len(levels), dtype=bool)
        if importer in t and ti > 0:
            pos = t.index(importer)
            drop = np.array([str(lv).split("|")[pos] == reference_importer for lv in levels])
            reference[" x ".join(t)] = list(levels[drop])
        d = np.zeros((len(df), len(levels)))
        d[np.arange(len(df)), codes] = 1.0
        keepcols = ~drop
        blocks.append(d[:, keepcols])
        for lv in levels[keepcols]:
            names.append(f"{' x '.join(t)}={lv}")
            fe_index.append((" x ".join(t), lv))
        for lv in levels[drop]:
            fe_index.append((" x ".join(t), lv))
    if not terms:
        blocks.append(np.ones((len(df), 1)))
        names.append("const")
    X = np.hstack(blocks)
    y = df[flow].to_numpy(dtype=float)
    # drop fixed-effect dummies collinear with others (pivoted QR of X'X), then check that
    # the regressors are not collinear with the fixed effects or among themselves
    from scipy.linalg import qr

    xtx = X.T @ X
    k = len(regressors)

    def _rank(idx: np.ndarray) -> tuple[int, np.ndarray]:
        if len(idx) == 0:
            return 0, idx
        _, r, piv = qr(xtx[np.ix_(idx, idx)], pivoting=True, mode="economic")
        diag = np.abs(np.diag(r))
        rank = int((diag > diag[0] * 1e-10).sum())
        return rank, np.sort(idx[piv[:rank]])

    _, fe_keep = _rank(np.arange(k, X.shape[1]))
    keepcol = np.concatenate([np.arange(k), fe_keep]).astype(int)
    if _rank(keepcol)[0] < len(keepcol):
        culprits = [regressors[i] for i in range(k)
                    if _rank(np.concatenate([[i], fe_keep]).astype(int))[0] < len(fe_keep) + 1]
        raise DataError(f"ppml: regressor(s) {culprits or regressors} are collinear with the "
                        f"fixed effects{'' if culprits else ' or with each other'} (they do "
                        f"not vary within them); drop them.",
                        field=(culprits or regressors)[0])
    lost = sorted(set(range(X.shape[1])) - set(keepcol.tolist()))
    X = X[:, keepcol]
    all_names = names
    names = [names[i] for i in keepcol]
    if len(y) <= X.shape[1]:
        raise DataError(f"ppml: {len(y)} observations for {X.shape[1]} parameters.",
                        field="data")
    if se == "cluster":
        if cluster == "pair" or cluster is None:
            a = df[exporter].astype(str).to_numpy()
            b = df[importer].astype(str).to_numpy()
            key = np.where(a < b, np.char.add(np.char.add(a.astype(str), "|"), b.astype(str)),
                           np.char.add(np.char.add(b.astype(str), "|"), a.astype(str)))
            groups = pd.factorize(key)[0]
        else:
            cols = [cluster] if isinstance(cluster, str) else list(cluster)
            groups = pd.factorize(_term_labels(df, tuple(cols)))[0]
        cov_type, cov_kwds = "cluster", {"groups": groups, "use_correction": False}
    else:
        groups = None
        cov_type, cov_kwds = "HC0", None
    model = sm.GLM(y, X, family=sm.families.Poisson())
    res = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Newton on the exact Hessian is fastest on a full-rank design; IRLS (statsmodels'
        # default, least squares by pseudo-inverse) is the fallback when Newton overshoots.
        for kw in ({"method": "newton"}, {"method": "IRLS"}):
            try:
                res = model.fit(maxiter=maxiter, tol=tol, cov_type=cov_type,
                                cov_kwds=cov_kwds, **kw)
            except (np.linalg.LinAlgError, ValueError):
                res = None
                continue
            if np.all(np.isfinite(np.asarray(res.params))):
                break
            res = None
    if res is None:
        raise ConvergenceError("ppml: the Poisson likelihood maximisation failed (non-finite "
                               "estimates); rescale the flows or check for separated "
                               "observations.",
                               diagnostics={"iterations": maxiter, "residual": float("nan")})
    retvals = getattr(res, "mle_retvals", None) or {}
    conv = bool(retvals.get("converged", True))
    params = np.asarray(res.params)
    if not conv or not np.all(np.isfinite(params)):
        raise ConvergenceError("ppml: the Poisson likelihood maximisation did not converge; "
                               "raise maxiter, rescale the flows, or check for separated "
                               "observations.",
                               diagnostics={"iterations": retvals.get("iterations"),
                                            "residual": float("nan")})
    cov = np.asarray(res.cov_params())
    if se == "cluster":
        g = int(groups.max()) + 1
        cov = cov * g / (g - 1)
        n_clusters: int | None = g
    else:
        cov = cov * len(y) / (len(y) - 1)
        n_clusters = None
    coef = pd.Series(params[:k], index=regressors, name="coef")
    covk = pd.DataFrame(cov[:k, :k], index=regressors, columns=regressors)
    sd = pd.Series(np.sqrt(np.diag(cov[:k, :k])), index=regressors, name="std_err")
    est = dict(zip(names, params, strict=True))
    fe = pd.DataFrame([{"term": t, "level": lv, "estimate": est.get(f"{t}={lv}", 0.0)}
                       for t, lv in fe_index])
    mu = np.asarray(res.fittedvalues)
    ll0 = sm.GLM(y, np.ones((len(y), 1)), family=sm.families.Poisson()).fit().deviance
    return PPMLResult(
        coefficients=coef, std_errors=sd, cov=covk,
        fitted=pd.Series(mu, index=df.index, name="fitted"), fixed_effects=fe,
        nobs=len(y), dropped=dropped, se_type=se, n_clusters=n_clusters,
        reference=reference | {"reference_importer": reference_importer},
        iterations=int(retvals.get("iterations", 0)),
        deviance=float(res.deviance), pseudo_r2=float(1 - res.deviance / ll0),
        extra={"collinear_columns_dropped": [n for i, n in enumerate(all_names) if i in lost]})
