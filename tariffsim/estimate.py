"""Gravity estimation: Poisson pseudo-maximum likelihood (PPML) with fixed effects.

The structural gravity equation (Anderson & van Wincoop 2003; Yotov, Piermartini, Monteiro
& Larch 2016, *An Advanced Guide to Trade Policy Analysis*, ch. 1-2) is estimated in its
multiplicative form

$$
X_{ij} = \\exp\\left(\\pi_i + \\chi_j + \\beta' z_{ij}\\right) + \\varepsilon_{ij}
$$

with exporter fixed effects $\\pi_i$ (outward multilateral resistance and output),
importer fixed effects $\\chi_j$ (inward multilateral resistance and expenditure) and
bilateral trade costs $z_{ij}$ (log distance, contiguity, borders, agreements). PPML
(Santos Silva & Tenreyro 2006, *The Log of Gravity*, REStat 88(4)) is consistent under
heteroskedasticity and keeps zero flows. The exporter and importer fixed effects are
collinear; one importer's effect is set to zero (the *reference importer*, DEU in the
Advanced Guide), which also absorbs the constant.

Standard errors are clustered by country pair as in the Advanced Guide (Stata's
``ppml ..., cluster(pair)``: the sandwich estimator times G/(G-1) with G clusters), or
heteroskedasticity-robust (times N/(N-1)).

Two backends, both optional dependencies:

* ``"pyfixest"`` (``pip install -e ".[fixest]"`` in a clone): pyfixest's ``fepois``, which projects
  the fixed effects out (the ppmlhdfe algorithm of Correia, Guimarães & Zylkin 2020), so
  panels with exporter-year, importer-year and pair effects scale to large data;
* ``"statsmodels"`` (``pip install -e ".[estimation]"`` in a clone): a Poisson GLM on an explicit
  dummy design, dense in the number of effects (fine up to a few hundred effects).

``backend="auto"`` (the default) uses pyfixest when it is installed, statsmodels otherwise.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._validate import require_columns
from .errors import ConvergenceError, DataError, ModelError, TariffSimError, suggest

__all__ = ["ppml", "PPMLResult", "BACKENDS"]

Backend = Literal["auto", "statsmodels", "pyfixest"]
#: Estimation backends of [`ppml`][tariffsim.estimate.ppml].
BACKENDS: tuple[str, ...] = ("auto", "statsmodels", "pyfixest")
_INSTALL = {"statsmodels": "pip install -e \".[estimation]\" in the tariffsim clone",
            "pyfixest": "pip install -e \".[fixest]\" in the tariffsim clone"}


@dataclass(frozen=True)
class PPMLResult:
    """Result of [`ppml`][tariffsim.estimate.ppml].

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
    iterations : int or None
        Newton / IRLS iterations (None when the backend does not report them).
    deviance, pseudo_r2 : float
        Poisson deviance and ``1 - deviance / deviance of the constant-only model``.
    backend : str
        ``"statsmodels"`` or ``"pyfixest"``.
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
    iterations: int | None
    deviance: float
    pseudo_r2: float
    extra: dict[str, Any] = field(default_factory=dict, repr=False)
    backend: str = "statsmodels"

    def summary(self) -> pd.DataFrame:
        """Table of ``coef, std_err, z, p_value`` by regressor."""
        from scipy.stats import norm

        z = self.coefficients / self.std_errors
        return pd.DataFrame({"coef": self.coefficients, "std_err": self.std_errors, "z": z,
                             "p_value": 2 * norm.sf(np.abs(z))})

    def __repr__(self) -> str:
        return (f"PPMLResult(nobs={self.nobs}, se={self.se_type}, reference={self.reference},"
                f" backend={self.backend})\n{self.summary().round(6).to_string()}")

    def _repr_html_(self) -> str:
        from . import _display
        return _display.html(_display.ppml_view(self))


# ------------------------------------------------------------------------------ the data
@dataclass
class _Spec:
    """A checked estimation problem: the rows kept, the outcome, the regressors, the
    fixed-effect terms with their factorised levels, and the clusters."""

    df: pd.DataFrame
    y: np.ndarray
    regressors: list[str]
    terms: list[tuple[str, ...]]
    levels: list[_Levels]
    groups: np.ndarray | None
    dropped: int
    reference_importer: str


@dataclass
class _Levels:
    """One fixed-effect term: ``codes`` (row -> level index), ``levels`` (labels, joined
    by ``|`` for interactions), ``drop`` (levels normalised to zero) and whether the
    term carries the reference-importer normalisation."""

    name: str
    codes: np.ndarray
    levels: np.ndarray
    drop: np.ndarray
    normalised: bool


def ppml(data: pd.DataFrame, *, flow: str = "trade", exporter: str = "exporter",
         importer: str = "importer", regressors: Sequence[str] = (),
         fixed_effects: Sequence[str | Sequence[str]] = ("exporter", "importer"),
         reference_importer: str | None = None, se: str = "cluster",
         cluster: str | Sequence[str] | None = "pair", drop_zeros: bool = False,
         tol: float = 1e-10, maxiter: int = 100, backend: Backend = "auto") -> PPMLResult:
    """Estimate a gravity equation by Poisson pseudo-maximum likelihood.

    $$
    E[X_{ij} \\mid z] = \\exp\\left(\\sum_f \\alpha_{f(ij)} + \\beta' z_{ij}\\right)
    $$

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
        (``("exporter", "year")`` gives exporter-year effects; ``("exporter",
        "importer")`` pair effects). Default exporter and importer.
    reference_importer : str, optional
        Importer whose fixed effects are set to zero (in every term after the first that
        contains the importer column, e.g. in each year). Default: the first importer in
        sort order.
    se : {"cluster", "robust"}
        Clustered (default) or heteroskedasticity-robust standard errors.
    cluster : "pair", str or sequence of str
        Clusters: ``"pair"`` (the unordered country pair, as the Advanced Guide's
        ``pair_id``), or column name(s).
    drop_zeros : bool
        Drop zero flows before estimating (default False: PPML keeps them).
    tol, maxiter
        Convergence tolerance and iteration cap of the Newton / IRLS iterations.
    backend : {"auto", "statsmodels", "pyfixest"}
        ``"pyfixest"``: fixed effects projected out (scales to large panels);
        ``"statsmodels"``: explicit dummies (dense). ``"auto"``: pyfixest when installed.

    Returns
    -------
    PPMLResult

    Raises
    ------
    DataError
        Missing columns, non-numeric, missing or negative values, too few observations,
        regressors collinear with the fixed effects.
    ConvergenceError
        The likelihood maximisation did not converge.
    ModelError
        Unknown ``se`` or ``backend``.
    TariffSimError
        The backend is not installed (the message names the pip extra).

    References
    ----------
    Santos Silva, J. M. C. and Tenreyro, S. (2006), The Log of Gravity, Review of Economics
    and Statistics 88(4), 641-658. Yotov, Y. V., Piermartini, R., Monteiro, J.-A. and
    Larch, M. (2016), An Advanced Guide to Trade Policy Analysis: The Structural Gravity
    Model, WTO/UNCTAD, ch. 1-2. Correia, S., Guimarães, P. and Zylkin, T. (2020), Fast
    Poisson estimation with high-dimensional fixed effects, Stata Journal 20(1), 95-115.

    Examples
    --------
    >>> res = ppml(df, flow="trade", regressors=["ln_DIST", "CNTG", "BRDR"],
    ...            reference_importer="DEU")                        # doctest: +SKIP
    >>> res.coefficients["ln_DIST"]                                 # doctest: +SKIP
    -0.7912...
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"ppml: data must be a pandas DataFrame, got {type(data).__name__}.",
                        field="data")
    if se not in ("cluster", "robust"):
        raise ModelError(f"ppml: se={se!r}; use 'cluster' or 'robust'.", field="se")
    fit = _backend(backend)
    spec = _spec(data, flow=flow, exporter=exporter, importer=importer,
                 regressors=list(regressors), fixed_effects=fixed_effects,
                 reference_importer=reference_importer, se=se, cluster=cluster,
                 drop_zeros=drop_zeros)
    return fit(spec, se, tol, maxiter)


def _backend(backend: str) -> Callable[[_Spec, str, float, int], PPMLResult]:
    """The fitting function of ``backend``; TariffSimError when it is not installed."""
    if backend not in BACKENDS:
        raise ModelError(f"ppml: backend={backend!r}{suggest(str(backend), BACKENDS)}; use "
                         f"one of {BACKENDS}.", field="backend")
    if backend == "auto":
        backend = "pyfixest" if _installed("pyfixest") else "statsmodels"
    if not _installed(backend):
        other = "statsmodels" if backend == "pyfixest" else "pyfixest"
        raise TariffSimError(
            f"tariffsim.estimate.ppml with backend={backend!r} needs {backend}, an optional "
            f"dependency: {_INSTALL[backend]} (or use backend={other!r}, or 'auto').")
    return _fit_pyfixest if backend == "pyfixest" else _fit_statsmodels


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _spec(data: pd.DataFrame, *, flow: str, exporter: str, importer: str,
          regressors: list[str], fixed_effects: Sequence[str | Sequence[str]],
          reference_importer: str | None, se: str, cluster: str | Sequence[str] | None,
          drop_zeros: bool) -> _Spec:
    """Check the data and build the estimation problem (independent of the backend)."""
    terms = [(t,) if isinstance(t, str) else tuple(t) for t in fixed_effects]
    needed = [flow, exporter, importer, *regressors, *{c for t in terms for c in t}]
    if se == "cluster" and cluster != "pair" and cluster is not None:
        needed += [cluster] if isinstance(cluster, str) else list(cluster)
    require_columns(data, list(dict.fromkeys(needed)), "data", field="{column}",
                    hint="Name the ppml columns after the data's, or add the missing ones.")
    df = data.copy()
    for c in [flow, *regressors]:
        df[c] = _finite_column(df, c)
    if (df[flow] < 0).any():
        rows = df[df[flow] < 0]
        raise DataError(f"ppml: column {flow!r} has {len(rows)} negative value(s), e.g.\n"
                        f"{rows.head().to_string()}", field=flow, rows=rows)
    n0 = len(df)
    if drop_zeros:
        df = df[df[flow] > 0]
    df = _drop_zero_effects(df, flow, terms)
    if df.empty:
        raise DataError("ppml: no observations with positive flows left.", field=flow)
    reference_importer = _reference_importer(df, importer, reference_importer)
    levels = [_term_levels(df, t, ti, importer, reference_importer)
              for ti, t in enumerate(terms)]
    groups = _cluster_groups(df, exporter, importer, cluster) if se == "cluster" else None
    return _Spec(df=df, y=df[flow].to_numpy(dtype=float), regressors=regressors,
                 terms=terms, levels=levels, groups=groups, dropped=n0 - len(df),
                 reference_importer=reference_importer)


def _finite_column(df: pd.DataFrame, c: str) -> pd.Series:
    vals = pd.to_numeric(df[c], errors="coerce").astype(float)
    bad = ~np.isfinite(vals.to_numpy())
    if bad.any():
        raise DataError(f"ppml: column {c!r} has {int(bad.sum())} missing, non-numeric or "
                        f"infinite value(s), e.g.\n{df[bad].head().to_string()}\nDrop or "
                        f"fill these rows (log of zero distance?).", field=c, rows=df[bad])
    return vals


def _term_labels(data: pd.DataFrame, term: tuple[str, ...]) -> pd.Series:
    """Level labels of a term: the column as text, interactions joined by ``|``."""
    out = data[term[0]].astype(str)
    for c in term[1:]:
        out = out + "|" + data[c].astype(str)
    return out


def _drop_zero_effects(df: pd.DataFrame, flow: str, terms: list[tuple[str, ...]]
                       ) -> pd.DataFrame:
    """Drop rows whose fixed effect has only zero flows (their effect is minus infinity),
    until none is left."""
    labels = {t: _term_labels(df, t) for t in terms}
    while True:
        keep = np.ones(len(df), dtype=bool)
        for t in terms:
            tot = df[flow].groupby(labels[t].to_numpy()).transform("sum").to_numpy()
            keep &= tot > 0
        if keep.all():
            return df
        df = df[keep]
        labels = {t: lab[keep] for t, lab in labels.items()}


def _reference_importer(df: pd.DataFrame, importer: str, ref: str | None) -> str:
    if ref is None:
        return str(sorted(df[importer].astype(str).unique())[0])
    if ref not in set(df[importer].astype(str)):
        raise DataError(f"ppml: reference_importer {ref!r} is not an importer "
                        f"in the data.", field="reference_importer")
    return ref


def _term_levels(df: pd.DataFrame, term: tuple[str, ...], ti: int, importer: str,
                 reference_importer: str) -> _Levels:
    """Factorised levels of a term; in every term after the first that contains the
    importer, the reference importer's levels are the normalisation (set to zero)."""
    codes, uniques = pd.factorize(_term_labels(df, term), sort=True)
    levels = np.asarray(uniques, dtype=object)
    drop = np.zeros(len(levels), dtype=bool)
    normalised = importer in term and ti > 0
    if normalised:
        pos = term.index(importer)
        drop = np.array([str(lv).split("|")[pos] == reference_importer for lv in levels],
                        dtype=bool)
    return _Levels(name=" x ".join(term), codes=np.asarray(codes), levels=levels, drop=drop,
                   normalised=normalised)


def _cluster_groups(df: pd.DataFrame, exporter: str, importer: str,
                    cluster: str | Sequence[str] | None) -> np.ndarray:
    """Cluster index per row: the unordered country pair, or the given column(s)."""
    if cluster == "pair" or cluster is None:
        a = df[exporter].astype(str).to_numpy().astype(str)
        b = df[importer].astype(str).to_numpy().astype(str)
        key = np.where(a < b, np.char.add(np.char.add(a, "|"), b),
                       np.char.add(np.char.add(b, "|"), a))
        return pd.factorize(key)[0]
    cols = [cluster] if isinstance(cluster, str) else list(cluster)
    return pd.factorize(_term_labels(df, tuple(cols)))[0]


# ------------------------------------------------------------------------------ results
def _result(spec: _Spec, *, params: np.ndarray, cov: np.ndarray, mu: np.ndarray,
            fe_estimates: list[np.ndarray], se: str, iterations: int | None,
            backend: str, extra: dict[str, Any]) -> PPMLResult:
    """The PPMLResult from a backend's estimates: ``params`` and ``cov`` of the
    regressors (cov before the small-sample factor), fitted ``mu``, and one array of
    level estimates per term (normalised levels at zero)."""
    y, k, names = spec.y, len(spec.regressors), spec.regressors
    if se == "cluster":
        assert spec.groups is not None
        g = int(spec.groups.max()) + 1
        cov = cov * g / (g - 1)
        n_clusters: int | None = g
    else:
        cov = cov * len(y) / (len(y) - 1)
        n_clusters = None
    # each term's estimated levels, then its normalised ones (at zero)
    order = [(lv, i) for lv in spec.levels
             for i in [*np.flatnonzero(~lv.drop), *np.flatnonzero(lv.drop)]]
    est = {id(lv): e for lv, e in zip(spec.levels, fe_estimates, strict=True)}
    fe = pd.DataFrame([{"term": lv.name, "level": lv.levels[i],
                        "estimate": float(est[id(lv)][i])} for lv, i in order],
                      columns=["term", "level", "estimate"])
    reference = {lv.name: list(lv.levels[lv.drop]) for lv in spec.levels if lv.normalised}
    deviance = _poisson_deviance(y, mu)
    return PPMLResult(
        coefficients=pd.Series(params[:k], index=names, name="coef"),
        std_errors=pd.Series(np.sqrt(np.diag(cov)), index=names, name="std_err"),
        cov=pd.DataFrame(cov, index=names, columns=names),
        fitted=pd.Series(mu, index=spec.df.index, name="fitted"), fixed_effects=fe,
        nobs=len(y), dropped=spec.dropped, se_type=se, n_clusters=n_clusters,
        reference=reference | {"reference_importer": spec.reference_importer},
        iterations=iterations, deviance=deviance,
        pseudo_r2=1 - deviance / _poisson_deviance(y, np.full_like(y, y.mean())),
        extra=extra, backend=backend)


def _poisson_deviance(y: np.ndarray, mu: np.ndarray) -> float:
    """``2 sum(y log(y / mu) - (y - mu))`` with ``0 log 0 = 0``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0)
    return float(2 * np.sum(term - (y - mu)))


def _collinear(culprits: list[str], regressors: list[str]) -> DataError:
    return DataError(f"ppml: regressor(s) {culprits or regressors} are collinear with the "
                     f"fixed effects{'' if culprits else ' or with each other'} (they do "
                     f"not vary within them); drop them.", field=(culprits or regressors)[0])


def _not_converged(iterations: int | None) -> ConvergenceError:
    return ConvergenceError("ppml: the Poisson likelihood maximisation did not converge; "
                            "raise maxiter, rescale the flows, or check for separated "
                            "observations.",
                            diagnostics={"iterations": iterations, "residual": float("nan")})


# ------------------------------------------------------------------------------ statsmodels
def _fit_statsmodels(spec: _Spec, se: str, tol: float, maxiter: int) -> PPMLResult:
    """Poisson GLM (statsmodels) on the explicit dummy design."""
    try:
        import statsmodels.api as sm
    except ImportError as exc:  # pragma: no cover - checked by _backend
        raise TariffSimError(f"ppml needs statsmodels: {_INSTALL['statsmodels']}") from exc
    X, names = _dummy_design(spec)
    keep, lost = _independent_columns(X, spec.regressors)
    X = X[:, keep]
    if len(spec.y) <= X.shape[1]:
        raise DataError(f"ppml: {len(spec.y)} observations for {X.shape[1]} parameters.",
                        field="data")
    res = _glm_fit(sm, spec, X, se, tol, maxiter)
    retvals = getattr(res, "mle_retvals", None) or {}
    params = np.asarray(res.params)
    if not bool(retvals.get("converged", True)) or not np.all(np.isfinite(params)):
        raise _not_converged(retvals.get("iterations"))
    k = len(spec.regressors)
    est = dict(zip([names[i] for i in keep], params, strict=True))
    fe_estimates = [np.array([est.get(f"{lv.name}={level}", 0.0) for level in lv.levels])
                    for lv in spec.levels]
    return _result(spec, params=params, cov=np.asarray(res.cov_params())[:k, :k],
                   mu=np.asarray(res.fittedvalues), fe_estimates=fe_estimates, se=se,
                   iterations=int(retvals.get("iterations", 0)), backend="statsmodels",
                   extra={"collinear_columns_dropped": [names[i] for i in lost]})


def _dummy_design(spec: _Spec) -> tuple[np.ndarray, list[str]]:
    """Regressors, then one dummy per kept fixed-effect level (a constant when there
    are no fixed effects); the column names."""
    n = len(spec.df)
    blocks = [spec.df[spec.regressors].to_numpy(dtype=float)]
    names = list(spec.regressors)
    for lv in spec.levels:
        d = np.zeros((n, len(lv.levels)))
        d[np.arange(n), lv.codes] = 1.0
        blocks.append(d[:, ~lv.drop])
        names += [f"{lv.name}={level}" for level in lv.levels[~lv.drop]]
    if not spec.levels:
        blocks.append(np.ones((n, 1)))
        names.append("const")
    return np.hstack(blocks), names


def _independent_columns(X: np.ndarray, regressors: list[str]
                         ) -> tuple[np.ndarray, list[int]]:
    """``(kept, lost)`` column indices: fixed-effect dummies collinear with others are
    dropped (pivoted QR of X'X); DataError when a regressor is collinear with the fixed
    effects or with the other regressors."""
    from scipy.linalg import qr

    xtx = X.T @ X
    k = len(regressors)

    def rank(idx: np.ndarray) -> tuple[int, np.ndarray]:
        if len(idx) == 0:
            return 0, idx
        _, r, piv = qr(xtx[np.ix_(idx, idx)], pivoting=True, mode="economic")
        diag = np.abs(np.diag(r))
        n = int((diag > diag[0] * 1e-10).sum())
        return n, np.sort(idx[piv[:n]])

    _, fe_keep = rank(np.arange(k, X.shape[1]))
    keep = np.concatenate([np.arange(k), fe_keep]).astype(int)
    if rank(keep)[0] < len(keep):
        culprits = [regressors[i] for i in range(k)
                    if rank(np.concatenate([[i], fe_keep]).astype(int))[0] < len(fe_keep) + 1]
        raise _collinear(culprits, regressors)
    lost = sorted(set(range(X.shape[1])) - set(keep.tolist()))
    return keep, lost


def _glm_fit(sm: Any, spec: _Spec, X: np.ndarray, se: str, tol: float, maxiter: int) -> Any:
    """Fit the Poisson GLM: Newton on the exact Hessian (fastest on a full-rank design),
    IRLS (least squares by pseudo-inverse) when Newton fails or overshoots."""
    if se == "cluster":
        cov_type, cov_kwds = "cluster", {"groups": spec.groups, "use_correction": False}
    else:
        cov_type, cov_kwds = "HC0", None
    model = sm.GLM(spec.y, X, family=sm.families.Poisson())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for kw in ({"method": "newton"}, {"method": "IRLS"}):
            try:
                res = model.fit(maxiter=maxiter, tol=tol, cov_type=cov_type,
                                cov_kwds=cov_kwds, **kw)
            except (np.linalg.LinAlgError, ValueError):
                continue
            if np.all(np.isfinite(np.asarray(res.params))):
                return res
    raise ConvergenceError("ppml: the Poisson likelihood maximisation failed (non-finite "
                           "estimates); rescale the flows or check for separated "
                           "observations.",
                           diagnostics={"iterations": maxiter, "residual": float("nan")})


# ------------------------------------------------------------------------------ pyfixest
def _fit_pyfixest(spec: _Spec, se: str, tol: float, maxiter: int) -> PPMLResult:
    """pyfixest's ``fepois``: the fixed effects are projected out (never a dummy per
    level), so the cost grows with the observations, not with observations x effects."""
    frame, fml = _pyfixest_frame(spec, se)
    fit = _fepois(spec, frame, fml, se, tol, maxiter)
    k = len(spec.regressors)
    coef = fit.coef()
    params = np.array([coef[f"x{i}"] for i in range(k)], dtype=float)
    pos = _positions(fit, k)
    cov = np.asarray(fit._vcov, dtype=float)[np.ix_(pos, pos)]
    if not (np.all(np.isfinite(params)) and np.all(np.isfinite(cov))):
        raise _not_converged(None)
    mu = np.asarray(fit._Y_hat_response, dtype=float)
    eta = np.log(mu) - frame[[f"x{i}" for i in range(k)]].to_numpy() @ params
    return _result(spec, params=params, cov=cov, mu=mu,
                   fe_estimates=_fixed_effects_from_eta(spec.levels, eta), se=se,
                   iterations=None, backend="pyfixest",
                   extra={"collinear_columns_dropped": []})


def _pyfixest_frame(spec: _Spec, se: str) -> tuple[pd.DataFrame, str]:
    """The data under formula-safe names (``y``, ``x0..``, effects ``f0..`` as level
    codes, clusters ``cl``) and the fixest formula ``y ~ x0 + x1 | f0 + f1``."""
    frame = pd.DataFrame({"y": spec.y})
    for i, c in enumerate(spec.regressors):
        frame[f"x{i}"] = spec.df[c].to_numpy(dtype=float)
    for t, lv in enumerate(spec.levels):
        frame[f"f{t}"] = lv.codes
    if se == "cluster":
        frame["cl"] = spec.groups
    rhs = " + ".join(f"x{i}" for i in range(len(spec.regressors))) or "1"
    fes = " + ".join(f"f{t}" for t in range(len(spec.levels)))
    return frame, f"y ~ {rhs}" + (f" | {fes}" if fes else "")


def _fepois(spec: _Spec, frame: pd.DataFrame, fml: str, se: str, tol: float,
            maxiter: int) -> Any:
    """Run ``pyfixest.fepois`` on the prepared sample (no singleton or separation drops:
    the sample is the statsmodels backend's), without small-sample factors (applied in
    `_result`); tariffsim errors for collinearity and non-convergence.

    fepois stops on the relative change of the deviance (quadratic in the step) and
    evaluates the covariance at the last-but-one weights: a criterion 100 times tighter
    than ``tol`` makes the standard errors as accurate as the estimates.
    """
    import pyfixest as pf

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = pf.fepois(fml, data=frame,
                            vcov={"CRV1": "cl"} if se == "cluster" else "hetero",
                            ssc=pf.ssc(k_adj=False, G_adj=False), fixef_rm="none",
                            iwls_tol=tol * 1e-2, iwls_maxiter=maxiter,
                            demeaner=pf.MapDemeaner(fixef_tol=min(tol * 100, 1e-8),
                                                    fixef_maxiter=100_000))
    except (ValueError, np.linalg.LinAlgError, ArithmeticError) as exc:
        if "all variables are collinear" in str(exc).lower():
            raise _collinear(list(spec.regressors), spec.regressors) from None
        raise ConvergenceError(f"ppml: pyfixest failed ({exc}); rescale the flows or check "
                               f"for separated observations.",
                               diagnostics={"iterations": None, "residual": float("nan")}
                               ) from exc
    collinear = [spec.regressors[int(str(v)[1:])] for v in getattr(fit, "_collin_vars", [])]
    if collinear:
        raise _collinear(collinear, spec.regressors)
    if not getattr(fit, "convergence", True) or fit._N != len(spec.y):
        raise _not_converged(None)
    return fit


def _positions(fit: Any, k: int) -> list[int]:
    names = [str(n) for n in fit._coefnames]
    return [names.index(f"x{i}") for i in range(k)]


def _fixed_effects_from_eta(levels: list[_Levels], eta: np.ndarray) -> list[np.ndarray]:
    """Level estimates that add up to the fitted fixed-effect part ``eta`` of the linear
    predictor, with the normalised levels at zero: the sparse least-squares solution
    (exact, as ``eta`` lies in the span of the dummies; the minimum-norm one where the
    normalisation leaves the levels unidentified)."""
    if not levels:
        return []
    import scipy.sparse as sp
    from scipy.sparse.linalg import lsqr

    n = len(eta)
    cols, offsets, start = [], [], 0
    for lv in levels:
        kept = np.flatnonzero(~lv.drop)
        where = np.full(len(lv.levels), -1)
        where[kept] = np.arange(len(kept)) + start
        cols.append(where[lv.codes])
        offsets.append(where)
        start += len(kept)
    rows = np.concatenate([np.flatnonzero(c >= 0) for c in cols])
    col = np.concatenate([c[c >= 0] for c in cols])
    D = sp.csr_matrix((np.ones(len(rows)), (rows, col)), shape=(n, start))
    sol = lsqr(D, eta, atol=1e-14, btol=1e-14, iter_lim=100 * start + 1000)[0]
    return [np.where(w >= 0, sol[np.maximum(w, 0)], 0.0) for w in offsets]
