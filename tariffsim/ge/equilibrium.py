"""Equilibrium conditions of the Caliendo-Parro (2015) model in exact hat algebra.

Pure, vectorised numpy functions; the iteration lives in `tariffsim.ge.solver`.

Internal layout (sector-major, so that each sector is one contiguous matrix and the
sums over exporters are batched matrix products):

* bilateral arrays ``(J, N, N)`` indexed ``[sector j, importer n, exporter i]``;
* country-sector arrays ``(J, N)`` indexed ``[sector, country]``;
* input-output ``io`` ``(N, J, J)`` indexed ``[country, input sector k, sector j]``: share
  of sector j's gross output spent on input k, so ``va_share + io.sum(axis=1) == 1``.

Notation follows Caliendo & Parro (2015): w wage (value added) change, c input-bundle cost,
P sector price index, pi trade share, X expenditure gross of tariffs, theta dispersion,
kappa trade-cost factor (1 + tariff) * iceberg.

References
----------
Caliendo, L. and Parro, F. (2015). Estimates of the Trade and Welfare Effects of NAFTA.
Review of Economic Studies 82(1), 1-44, equations (10)-(14) and the welfare decomposition
of section 4.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "input_cost",
    "price_index",
    "trade_shares",
    "expenditure_operator",
    "solve_expenditure",
    "welfare_decomposition",
]


def input_cost(log_w: np.ndarray, log_P: np.ndarray, va_share: np.ndarray,
               io: np.ndarray | None) -> np.ndarray:
    r"""Change in the cost of the input bundle (CP 2015, eq. 10).

    $$
    \hat c_n^j = \hat w_n^{\gamma_n^j} \prod_k (\hat P_n^k)^{\gamma_n^{k,j}}
    $$

    Parameters
    ----------
    log_w : ndarray (N,)
        log wage (value-added price) change.
    log_P : ndarray (J, N)
        log sector price-index change.
    va_share : ndarray (J, N)
        value-added share of gross output, gamma_n^j.
    io : ndarray (N, J, J) or None
        input shares gamma_n^{k,j} ``[country, input k, sector j]``; None without IO.

    Returns
    -------
    ndarray (J, N)
        log c-hat.
    """
    out = va_share * log_w[None, :]
    if io is not None:
        # sum_k io[n, k, j] * log_P[k, n]
        out = out + np.einsum("nkj,kn->jn", io, log_P, optimize=False)
    return out


def _log_sum(A: np.ndarray, u: np.ndarray) -> np.ndarray:
    """log(sum_i A[j, n, i] exp(u[j, i])) computed stably, shape (J, N)."""
    s = u.max(axis=1, keepdims=True)
    e = np.exp(u - s)
    S = np.matmul(A, e[:, :, None])[:, :, 0]
    with np.errstate(divide="ignore"):
        return np.log(S) + s


def price_index(A: np.ndarray, log_c: np.ndarray, theta: np.ndarray,
                A_true: np.ndarray | None = None) -> np.ndarray:
    r"""Sector price-index change (CP 2015, eq. 11).

    $$
    \hat P_n^j = \Big[\sum_i \pi_{ni}^j (\hat\kappa_{ni}^j \hat c_i^j)^{-\theta^j}
    \Big]^{-1/\theta^j}
    $$

    Parameters
    ----------
    A : ndarray (J, N, N)
        ``pi * kappa_hat**(-theta)`` [sector, importer, exporter] (times a demand shifter b
        where an import commitment applies).
    log_c : ndarray (J, N)
        log input-cost change by exporter.
    theta : ndarray (J,)
        trade elasticity (dispersion) by sector.
    A_true : ndarray (J, N, N), optional
        With demand shifters b != 1, ``pi * b**(theta/(1+theta)) * kappa_hat**(-theta)``:
        the price index is then the cost of one unit of the CES composite under the
        unshifted preferences when purchases follow the shifted shares,
        ``Phi_b * Psi**(-(1+theta)/theta)`` (derivation in docs/ge.md).

    Returns
    -------
    ndarray (J, N)
        log P-hat.
    """
    u = -theta[:, None] * log_c
    lphi = _log_sum(A, u)
    if A_true is None:
        return -lphi / theta[:, None]
    lpsi = _log_sum(A_true, u)
    return lphi - (1.0 + theta[:, None]) / theta[:, None] * lpsi


def trade_shares(A: np.ndarray, log_c: np.ndarray, theta: np.ndarray) -> np.ndarray:
    r"""New trade shares (CP 2015, eq. 12).

    $$
    \pi_{ni}^{j\prime} = \pi_{ni}^j
    \big(\hat\kappa_{ni}^j \hat c_i^j / \hat P_n^j\big)^{-\theta^j}
    $$

    normalised so that the shares of each importer and sector sum to one (the normaliser is
    the same sum that defines the price index).

    Returns
    -------
    ndarray (J, N, N)
        pi' [sector, importer, exporter].
    """
    u = -theta[:, None] * log_c
    s = u.max(axis=1, keepdims=True)
    e = np.exp(u - s)                       # (J, N_exporter)
    # the denominators by a matrix-vector product (a read of A, faster than reducing
    # the product), the division in place: one (J, N, N) array, not two
    den = np.matmul(A, e[:, :, None])
    den[den == 0] = 1.0
    num = np.multiply(A, e[:, None, :])
    return np.divide(num, den, out=num)


def expenditure_operator(pi_new: np.ndarray, tau_new: np.ndarray, io: np.ndarray | None,
                         alpha: np.ndarray, rent_rate: np.ndarray | None = None,
                         keep: np.ndarray | None = None, *,
                         inv: np.ndarray | None = None, tinv: np.ndarray | None = None,
                         out: np.ndarray | None = None):
    r"""Linear operator of the expenditure system (CP 2015, eq. 13 with eq. 14's income).

    $$
    X_n^{j\prime} = \sum_k \gamma_n^{j,k} \sum_i X_i^{k\prime}
    \frac{\pi_{in}^{k\prime}}{1+\tau_{in}^{k\prime}} + \alpha_n^j I_n^\prime,
    \quad I_n^\prime = \hat w_n w_n L_n + D_n^\prime + R_n^\prime (+ \text{rents}_n)
    $$

    with tariff revenue $R_n' = \sum_j X_n^{j\prime} \sum_i \pi_{ni}^{j\prime}
    \tau_{ni}^{j\prime}/(1+\tau_{ni}^{j\prime})$. The system is ``X = L(X) + b`` with
    ``b = alpha * (w-hat w L + D')``.

    Parameters
    ----------
    pi_new, tau_new : ndarray (J, N, N)
        new shares and tariffs [sector, importer, exporter].
    io : ndarray (N, J, J) or None
    alpha : ndarray (J, N)
        final-demand shares.
    rent_rate : ndarray (J, N, N) or None
        export-tax rate whose revenue is income of the exporter.
    keep : ndarray (J, N) or None
        Share ``1 - nu_n^j`` of a purchase in market n that goes to the exporter (the rest
        is income of n's factors, Ignatenko et al. 2025); None: all of it.
    inv, tinv : ndarray (J, N, N), optional
        ``1 / (1 + tau_new)`` and ``tau_new / (1 + tau_new)``, constant across the
        evaluations of one counterfactual: pass them to skip recomputing them
        ([`tariffsim.ge.system.HatSystem`][] does).
    out : ndarray (J, N, N), optional
        Buffer for ``S`` (reused across evaluations; ``S`` is then overwritten by the
        next call).

    Returns
    -------
    L : callable
        ``L(X) -> (X_intermediate_and_revenue_part, Y)`` where Y (J, N) is gross output at
        producer prices (net of the local share when ``keep`` is given).
    parts : dict
        ``S`` producer share (J, N, N), ``K`` the part of it the exporter keeps (``S``
        itself without ``keep``), ``t`` tariff share of expenditure (J, N), ``r``
        export-rent share (J, N, N) or None.
    """
    if inv is None:
        inv = 1.0 / (1.0 + tau_new)
    if tinv is None:
        tinv = tau_new * inv
    S = np.multiply(pi_new, inv, out=out)  # world-price share
    t = np.einsum("jni,jni->jn", pi_new, tinv, optimize=False)   # one pass, no temporary
    r = None
    if rent_rate is not None:
        r = S * (rent_rate / (1.0 + rent_rate))
        S = S / (1.0 + rent_rate)
    K = S
    if keep is not None:
        K = S * keep[:, :, None]
        if r is not None:
            r = r * keep[:, :, None]

    def L(X: np.ndarray):
        # Y[k, i] = sum_n X[k, n] K[k, n, i]
        Y = np.matmul(X[:, None, :], K)[:, 0, :]
        inc = (t * X).sum(axis=0)
        if r is not None:
            inc = inc + np.matmul(X[:, None, :], r)[:, 0, :].sum(axis=0)
        out = alpha * inc[None, :]
        if io is not None:
            out = out + np.einsum("njk,kn->jn", io, Y, optimize=False)
        return out, Y

    return L, {"S": S, "K": K, "t": t, "r": r}


def solve_expenditure(L, b: np.ndarray, X0: np.ndarray, *, tol: float = 1e-13,
                      max_iter: int = 500) -> tuple[np.ndarray, np.ndarray, int]:
    """Solve ``X = L(X) + b`` by Anderson-accelerated fixed-point iteration.

    The operator is a contraction (its spectral radius is at most the largest
    intermediate-plus-tariff share of spending, below one), so plain iteration converges;
    Anderson mixing (memory 6, `tariffsim.ge.anderson.anderson`) with the previous
    solution as warm start needs only a few matrix-vector products. Never forms the
    (N J) x (N J) matrix.

    Parameters
    ----------
    L : callable
        ``L(X) -> (LX, Y)`` from
        [`expenditure_operator`][tariffsim.ge.equilibrium.expenditure_operator].
    b : ndarray (J, N)
        Final demand out of value added and deficits.
    X0 : ndarray (J, N)
        Warm start.
    tol : float
        Stopping rule on ``sum|L(X) + b - X| / sum|b|``.
    max_iter : int
        Iterations; when they run out the last iterate's image is returned (the outer
        residual, computed from it, then shows the error).

    Returns
    -------
    X, Y, iterations
        ``X = L(X_k) + b`` and ``Y`` at the last iterate ``X_k``.
    """
    from tariffsim.ge.anderson import anderson

    shape = X0.shape
    scale = max(float(np.abs(b).sum()), 1e-300)
    last: list = [None, None]                 # image and gross output at the last iterate

    def step(x: np.ndarray) -> tuple[np.ndarray, float]:
        LX, Y = L(x.reshape(shape))
        g = LX + b
        last[0], last[1] = g, Y
        f = (g - x.reshape(shape)).ravel()
        return f, float(np.abs(f).sum()) / scale

    fp = anderson(step, X0.ravel(), 1.0, tol=tol, max_iter=max_iter, m=6, rcond=None,
                  max_step=np.inf)
    if fp.converged:
        return last[0], last[1], fp.diagnostics["iterations"]
    LX, Y = L(fp.z.reshape(shape))
    return LX + b, Y, max_iter


def welfare_decomposition(exports: np.ndarray, imports: np.ndarray, tau: np.ndarray,
                          c_hat: np.ndarray, imports_hat: np.ndarray,
                          income: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Caliendo-Parro first-order welfare decomposition, as in their replication code.

    $$
    ToT_n = \frac{1}{I_n}\sum_j\sum_i \big[E_{ni}^j(\hat c_n^j-1) - M_{ni}^j(\hat c_i^j-1)\big]
    $$

        VoT_n = \frac{1}{I_n}\sum_j\sum_i \tau_{ni}^j M_{ni}^j(\hat M_{ni}^j - \hat c_i^j)

    Parameters
    ----------
    exports : ndarray (J, N, N)
        E[j, n, i]: baseline exports of n to i at world prices.
    imports : ndarray (J, N, N)
        M[j, n, i]: baseline imports of n from i at world prices.
    tau : ndarray (J, N, N)
        baseline tariff of n on i.
    c_hat : ndarray (J, N)
        input-cost change (level, relative to the numeraire).
    imports_hat : ndarray (J, N, N)
        change in the value of n's imports from i (M'/M; 1 where M = 0).
    income : ndarray (N,)
        baseline income I_n.

    Returns
    -------
    tot, vot : ndarray (N,)
        in fractions (multiply by 100 for %).

    References
    ----------
    Caliendo & Parro (2015), section 4.2, eq. (19)-(20), and their Matlab replication.
    """
    dc = c_hat - 1.0                                   # (J, N)
    tot = (exports * dc[:, :, None]).sum(axis=(0, 2)) - (imports * dc[:, None, :]).sum(axis=(0, 2))
    vot = (tau * imports * (imports_hat - c_hat[:, None, :])).sum(axis=(0, 2))
    return tot / income, vot / income
