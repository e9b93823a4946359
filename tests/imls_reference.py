"""Reference implementation (test oracle) of the one-sector model of Ignatenko, Macedoni,
Lashkaripour & Simonovska (2025).

Ignatenko, A., Macedoni, L., Lashkaripour, A. & Simonovska, I. (2025). Making America
Great Again? The Economic Impacts of Liberation Day Tariffs. Journal of International
Economics 157, 104138. Equations (1)-(8) of the paper and its roundabout-production
extension (Appendix A.3); the exact system solved is the one of their replication code
(MATLAB, ``code/analysis/main_baseline.m`` and ``main_io.m``), re-derived and written here
from scratch in plain numpy so that it can check the production solver.

Notation: exporter i, importer n (as in MODEL.md); arrays are ``[exporter, importer]``.
``X[i, n]`` are flows at world (tariff-exclusive) prices, the diagonal domestic sales.
A hat is new/old. Parameters:

* ``eps`` trade elasticity epsilon;
* ``kappa`` labour-supply elasticity: ``L-hat_n = (tax-hat_n w-hat_n / P-hat_n)^kappa``;
* ``psi`` scale elasticity: productivity rises with the input bundle, ``L^psi``;
* ``nu[n]`` local share: the share of every tariff-exclusive purchase in market n that is
  income of n's own factors (fixed costs paid to local labour);
* ``phi[n]`` tariff pass-through to n's import price index,
  ``phi = phi_tilde + nu (1 + psi) / (1 - nu)`` in the paper (:func:`passthrough`);
* ``beta`` value-added (labour) share of producers' costs, 1 without intermediate inputs;
  the rest, ``1 - beta``, buys the local final good (roundabout production).

Equilibrium (unknowns w-hat, E-hat, L-hat, P-hat; 4N equations), with
T-hat_in = (1+t'_in)/(1+t_in):

1. unit cost over scale ``c_i = w-hat_i^beta P-hat_i^(1-beta) / (e_i L-hat_i)^psi``,
   ``e_i = (w-hat_i / P-hat_i)^(1-beta)`` (the input bundle per worker);
   ``a_in = lambda_in c_i^(-eps) T-hat_in^(-eps phi_n)``, ``S_n = sum_i a_in``,
   ``lambda'_in = a_in / S_n``;
2. price index ``P-hat_n = (E-hat_n / w-hat_n)^(1 - phi_n) S_n^(-1/eps)``;
3. ``X'_in = lambda'_in E'_n / (1 + t'_in)``, revenue ``R'_n = sum_i t'_in X'_in``;
4. labour market (factor income):
   ``Y'_i = beta sum_n (1 - nu_n) X'_in + nu_i sum_k X'_ki`` with ``Y'_i = w-hat_i L-hat_i Y_i``;
   the equation of the LAST country is replaced by the numeraire (Walras' law makes one
   redundant): ``sum_n E_n (P-hat_n - 1) = 0`` (their one-sector runs) or
   ``sum_n Y_n (w-hat_n - 1) = 0`` (their IO runs);
5. budget ``E'_n = Y'_n + R'_n + (1-beta) sum_i (1-nu_i) X'_ni + T_n (sum_k Y'_k / sum_k Y_k)``:
   spending is final spending plus intermediate inputs; transfers are a fixed share of
   world factor income (Dekle, Eaton & Kortum 2007);
6. labour supply ``L-hat_n = (tax-hat_n w-hat_n / P-hat_n)^kappa``, ``tax-hat_n = 1`` under a
   lump-sum rebate, ``(1 - R_n/Y_n) / (1 - R'_n/Y'_n)`` under income-tax relief.

Welfare (their code): ``W-hat = delta F-hat/P-hat + (1 - delta) w-hat L-hat / P-hat`` with
final spending ``F = E - (1-beta) sum_i (1-nu_i) X_ni`` (= E without IO; = Y + R + T when the
transfers are the baseline's),
``delta_n = F_n / (F_n - kappa/(1+kappa) (1 - s_n) Y_n)``, ``s_n = R'_n / Y'_n`` under
income-tax relief and 0 under a lump-sum rebate.

Their welfare formula is the utility change ``U = F/P - kappa/(1+kappa) theta w L / P``
(``U = C - kappa/(1+kappa) L^((1+kappa)/kappa)``, labour supply ``L = (theta w/P)^kappa``)
with the after-tax factor ``theta`` held at ``1 - s'`` in BOTH equilibria, whereas their
labour supply moves it by ``1 / (1 - s')``. ``utility_hat`` evaluates U with the theta the
labour supply uses (``theta = 1/(1 - R/Y)`` under income-tax relief, 1 under a lump-sum
rebate, where both agree): for the US in their Case 1 it is +0.63%, against the published
(and ``welfare_hat``) +1.13%.

Baseline accounting from the data: ``E_n = sum_i (1 + t_in) X_in``,
``lambda_in = (1 + t_in) X_in / E_n``, ``Y_i = beta sum_n (1-nu_n) X_in + nu_i sum_k X_ki``,
``R_n = sum_i t_in X_in`` and ``T_n = E_n - Y_n - R_n - (1-beta) sum_i (1-nu_i) X_ni`` unless
transfers are given.

With ``kappa = psi = 0``, ``nu = 0``, ``phi = beta = 1`` this is plain Eaton-Kortum/Armington
hat algebra with tariff revenue rebated and deficits fixed as a share of world GDP.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize

#: The paper's parameters (Section 4): eps 4 (Simonovska & Waugh 2014), kappa 0.5
#: (Chetty et al. 2011), eps * psi = 0.67 (Lashkaripour & Lugovskyy 2023), phi_tilde 1.
EPS = 4.0
KAPPA = 0.5
PSI = 0.67 / EPS
#: Value-added share of gross output in their roundabout-production runs (Table 4).
BETA_IO = 0.49
#: Sales-weighted local shares targeted by the calibration (non-US markets, US market).
NU_TARGETS = (0.12, 0.26)


def passthrough(nu: np.ndarray, psi: float, phi_tilde: float = 1.0) -> np.ndarray:
    """Variety-adjusted pass-through ``phi = phi_tilde + nu (1 + psi) / (1 - nu)``."""
    nu = np.asarray(nu, dtype=float)
    return phi_tilde + nu * (1.0 + psi) / (1.0 - nu)


def factor_income(X: np.ndarray, nu: np.ndarray, beta: float = 1.0) -> np.ndarray:
    """``Y_i = beta sum_n (1 - nu_n) X_in + nu_i sum_k X_ki`` (tariff-exclusive flows)."""
    return beta * (X @ (1.0 - nu)) + nu * X.sum(axis=0)


def _unpack(z, N):
    return np.exp(z[:N]), np.exp(z[N:2 * N]), np.exp(z[2 * N:3 * N]), np.exp(z[3 * N:])


def _state(z, d):
    """Everything the equations need at log-unknowns ``z = log(w, E, L, P)-hat``."""
    N, beta, psi, eps = d["N"], d["beta"], d["psi"], d["eps"]
    w, E, L, P = _unpack(z, N)
    cost = w ** beta * P ** (1 - beta) / ((w / P) ** (1 - beta) * L) ** psi
    a = d["lam"] * cost[:, None] ** (-eps) * d["That_phi"]
    S = a.sum(axis=0)
    lam1 = a / S
    E1 = E * d["E"]
    X1 = lam1 * E1 / (1.0 + d["t1"])
    R1 = (d["t1"] * X1).sum(axis=0)
    Y1 = w * L * d["Y"]
    if d["revenue_use"] == "income_tax":
        share1 = R1 / Y1
        tax_hat = (1.0 - d["R"] / d["Y"]) / (1.0 - share1)
    else:
        share1 = np.zeros(N)
        tax_hat = np.ones(N)
    return dict(w=w, E=E, L=L, P=P, S=S, lam1=lam1, X1=X1, R1=R1, Y1=Y1, E1=E1,
                retained=X1 @ (1.0 - d["nu"]), share1=share1, tax_hat=tax_hat)


def _residuals(z, d):
    s = _state(z, d)
    beta, nu, N = d["beta"], d["nu"], d["N"]
    sales = beta * s["retained"] + nu * s["X1"].sum(axis=0)
    labour = sales / s["Y1"] - 1.0
    if d["numeraire"] == "price_index":
        labour[-1] = (d["E"] * (s["P"] - 1.0)).sum() / d["E"].sum()
    else:
        labour[-1] = (d["Y"] * (s["w"] - 1.0)).sum() / d["Y"].sum()
    world = s["Y1"].sum() / d["Y"].sum()
    budget = (s["Y1"] + s["R1"] + (1 - beta) * s["retained"] + d["T"] * world) / s["E1"] - 1.0
    supply = np.log(s["L"]) - d["kappa"] * np.log(s["tax_hat"] * s["w"] / s["P"])
    logP = (1.0 - d["phi"]) * z[N:2 * N] - (1.0 - d["phi"]) * z[:N] \
        - np.log(s["S"]) / d["eps"]
    price = z[3 * N:] - logP
    return np.concatenate([labour, budget, supply, price])


def _jacobian(z, d):
    """Analytic Jacobian of :func:`_residuals` (checked against finite differences in
    tests/test_imls_reference.py).

    Every unknown but E moves trade through the exporter's log unit cost c: with
    ``d log X'_in / d c_k = -eps ([i == k] - lambda'_kn)`` and
    ``d c / d(log w, log P, log L) = (beta - psi (1-beta), (1-beta)(1+psi), -psi)``;
    ``d log X'_in / d log E-hat_m = [n == m]``, ``d log S_n / d c_k = -eps lambda'_kn``.
    """
    s = _state(z, d)
    N, eps, psi, kappa, nu, phi, beta = (d[k] for k in ("N", "eps", "psi", "kappa", "nu",
                                                        "phi", "beta"))
    lam1, X1, Y1, E1, R1 = s["lam1"], s["X1"], s["Y1"], s["E1"], s["R1"]
    g = {"w": beta - psi * (1 - beta), "P": (1 - beta) * (1 + psi), "L": -psi}
    eye, zero = np.eye(N), np.zeros((N, N))
    A = X1 * (1.0 - nu)[None, :]
    M = X1.sum(axis=0)
    # derivatives with respect to the exporters' log unit costs c_k and to log E-hat_m
    dret_c = eps * (-np.diag(A.sum(axis=1)) + A @ lam1.T)        # retained sales
    dsales_c = beta * dret_c + eps * (-nu[:, None] * X1.T + (nu * M)[:, None] * lam1.T)
    dsales_e = beta * A + np.diag(nu * M)
    dR_c = eps * (-(d["t1"] * X1).T + lam1.T * R1[:, None])
    dR_e = np.diag(R1)
    # own direct effects of log w, log L, log P
    dY = {"w": np.diag(Y1), "L": np.diag(Y1), "P": zero}
    dtax_direct = {"w": eye, "L": zero, "P": -eye}                # log(w/P) in supply
    dprice_direct = {"w": np.diag(1 - phi), "L": zero, "P": eye}
    share = s["share1"]
    inc_tax = d["revenue_use"] == "income_tax"
    c = 1.0 / (1.0 - share)
    num = Y1 + R1 + (1 - beta) * s["retained"] + d["T"] * Y1.sum() / d["Y"].sum()
    blocks = {}
    for x in ("w", "L", "P"):
        dsales = g[x] * dsales_c
        dR = g[x] * dR_c
        dret = g[x] * dret_c
        blocks["lab", x] = dsales / Y1[:, None] - np.diag(s["retained"] * beta + nu * M) \
            / Y1[:, None] * (x != "P")
        dworld = d["T"][:, None] * (np.diag(dY[x]) / d["Y"].sum())[None, :]
        blocks["bud", x] = (dY[x] + dR + (1 - beta) * dret + dworld) / E1[:, None]
        dlogtax = c[:, None] * (dR / Y1[:, None] - np.diag(share) * (x != "P")) if inc_tax \
            else zero
        blocks["sup", x] = (eye if x == "L" else zero) - kappa * (dlogtax + dtax_direct[x])
        blocks["pri", x] = dprice_direct[x] - g[x] * lam1.T
    blocks["lab", "e"] = dsales_e / Y1[:, None]
    blocks["bud", "e"] = (dR_e + (1 - beta) * A) / E1[:, None] - np.diag(num / E1)
    blocks["sup", "e"] = -kappa * c[:, None] * dR_e / Y1[:, None] if inc_tax else zero
    blocks["pri", "e"] = -np.diag(1 - phi)
    # numeraire row
    for x in ("w", "e", "L", "P"):
        blocks["lab", x][-1] = 0.0
    if d["numeraire"] == "price_index":
        blocks["lab", "P"][-1] = d["E"] * s["P"] / d["E"].sum()
    else:
        blocks["lab", "w"][-1] = d["Y"] * s["w"] / d["Y"].sum()
    return np.block([[blocks[r, x] for x in ("w", "e", "L", "P")]
                     for r in ("lab", "bud", "sup", "pri")])


def _newton(z, d, tol, max_iter=100):
    """Newton's method with step halving on the Euclidean norm of the residuals; converged
    when the largest residual is below ``tol``."""
    F = _residuals(z, d)
    for it in range(max_iter):
        if np.abs(F).max() <= tol:
            return z, np.abs(F).max(), it
        step = np.linalg.solve(_jacobian(z, d), -F)
        norm, t = np.linalg.norm(F), 1.0
        while t > 1e-6:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                F_new = _residuals(z + t * step, d)
            if np.isfinite(F_new).all() and np.linalg.norm(F_new) < (1 - 1e-4 * t) * norm:
                break
            t /= 2
        else:
            break
        z, F = z + t * step, F_new
    raise RuntimeError(f"IMLS reference solve did not converge: residual "
                       f"{np.abs(F).max():.2e} after {it} Newton steps")


def setup(X, t_old, t_new, *, eps=EPS, kappa=KAPPA, psi=PSI, nu=0.0, phi=None, beta=1.0,
          revenue_use="income_tax", transfers=None, numeraire=None) -> dict:
    """Baseline accounting and parameters as the equations read them (see :func:`solve`)."""
    X = np.asarray(X, dtype=float)
    N = X.shape[0]
    t0 = np.asarray(t_old, dtype=float) * np.ones((N, N))
    t1 = np.asarray(t_new, dtype=float) * np.ones((N, N))
    nu = np.asarray(nu, dtype=float) * np.ones(N)
    phi = passthrough(nu, psi) if phi is None else np.asarray(phi, dtype=float) * np.ones(N)
    if revenue_use not in ("income_tax", "lump_sum"):
        raise ValueError(f"revenue_use={revenue_use!r}")
    if numeraire is None:
        numeraire = "price_index" if beta == 1 else "wage"
    if numeraire not in ("price_index", "wage"):
        raise ValueError(f"numeraire={numeraire!r}")
    gross = (1.0 + t0) * X
    E = gross.sum(axis=0)
    Y = factor_income(X, nu, beta)
    R = (t0 * X).sum(axis=0)
    inputs = (1 - beta) * (X @ (1 - nu))
    T = E - Y - R - inputs if transfers is None else np.asarray(transfers, dtype=float)
    return dict(N=N, eps=float(eps), kappa=float(kappa), psi=float(psi), nu=nu, phi=phi,
                beta=float(beta), lam=gross / E, X=X, E=E, Y=Y, R=R, T=T, t1=t1,
                revenue_use=revenue_use, numeraire=numeraire,
                That_phi=((1.0 + t1) / (1.0 + t0)) ** (-eps * phi[None, :]))


def solve(X, t_old, t_new, *, eps=EPS, kappa=KAPPA, psi=PSI, nu=0.0, phi=None, beta=1.0,
          revenue_use="income_tax", transfers=None, numeraire=None, tol=1e-12,
          guess=None) -> dict:
    """Solve the counterfactual equilibrium of the one-sector IMLS model.

    Parameters
    ----------
    X : (N, N) array
        Baseline flows ``[exporter, importer]`` at tariff-exclusive prices, diagonal =
        domestic sales (of final and, with ``beta < 1``, intermediate goods).
    t_old, t_new : (N, N) arrays or floats
        Baseline and counterfactual ad valorem tariffs levied by the importer (column).
    eps, kappa, psi : float
        Trade, labour-supply and scale elasticities.
    nu : float or (N,) array
        Local share of every purchase in market n paid to n's own factors.
    phi : float or (N,) array, optional
        Tariff pass-through to the importer's price index; default
        ``passthrough(nu, psi, 1)``.
    beta : float
        Value-added share of costs (1: no intermediate inputs).
    revenue_use : {"income_tax", "lump_sum"}
    transfers : (N,) array, optional
        Fixed transfers T_n (share of world factor income). Default: the baseline residual
        ``E - Y - R - intermediate inputs`` (then the baseline is an equilibrium).
    numeraire : {"price_index", "wage"}, optional
        Expenditure-weighted price index or factor-income-weighted wage fixed (default: the
        first without IO, the second with, as in their code). Real outcomes do not depend
        on it; the "prices" column does.
    tol : float
        Tolerance on the scaled residuals (relative errors of each equation).
    guess : (4N,) array, optional
        Starting log-unknowns.

    Returns
    -------
    dict
        Hats ``w_hat, E_hat, L_hat, P_hat, welfare_hat`` (their formula, the published
        one), ``utility_hat`` (the change of the utility their labour supply implies, see
        the module notes) (N,), baseline and new levels
        ``X, X_new, E, E_new, Y, Y_new, R_new, T, T_new`` and ``deficit, deficit_new`` (imports
        minus exports at world prices), ``lambda_new``, ``tax_hat``, plus ``residual``,
        ``iterations`` (Newton steps) and ``z`` (the log-unknowns, a warm start).
    """
    d = setup(X, t_old, t_new, eps=eps, kappa=kappa, psi=psi, nu=nu, phi=phi, beta=beta,
              revenue_use=revenue_use, transfers=transfers, numeraire=numeraire)
    N = d["N"]
    z = np.zeros(4 * N) if guess is None else np.asarray(guess, dtype=float)
    z, res, its = _newton(z, d, tol)
    s = _state(z, d)
    Y, E, T, beta = d["Y"], d["E"], d["T"], d["beta"]
    world = s["Y1"].sum() / Y.sum()
    final = E - (1 - beta) * (d["X"] @ (1 - d["nu"]))
    final1 = s["E1"] - (1 - beta) * s["retained"]
    c = kappa / (1.0 + kappa)
    delta = final / (final - c * (1.0 - s["share1"]) * Y)
    welfare = delta * (final1 / final) / s["P"] + (1.0 - delta) * s["w"] * s["L"] / s["P"]
    # the utility U = F/P - c theta w L / P that their labour supply implies, with the
    # after-tax wage factor theta = 1 / (1 - R/Y) under income-tax relief (1 otherwise)
    if d["revenue_use"] == "income_tax":
        theta0, theta1 = 1.0 / (1.0 - d["R"] / Y), 1.0 / (1.0 - s["share1"])
    else:
        theta0 = theta1 = np.ones(N)
    utility = (final1 / s["P"] - c * theta1 * s["Y1"] / s["P"]) / (final - c * theta0 * Y)
    X0, X1 = d["X"], s["X1"]
    return dict(
        w_hat=s["w"], E_hat=s["E"], L_hat=s["L"], P_hat=s["P"], welfare_hat=welfare,
        utility_hat=utility,
        tax_hat=s["tax_hat"], X=X0, X_new=X1, lambda_new=s["lam1"], E=E, E_new=s["E1"],
        Y=Y, Y_new=s["Y1"], R_new=s["R1"], T=T, T_new=T * world,
        deficit=X0.sum(axis=0) - X0.sum(axis=1), deficit_new=X1.sum(axis=0) - X1.sum(axis=1),
        residual=res, iterations=its, z=z)


def paper_columns(r: dict) -> np.ndarray:
    """The seven columns of their ``results`` matrix (and of ``output_map.csv``), (N, 7).

    1 welfare change (%), 2 change in the trade deficit relative to its absolute baseline
    value (%), 3 change in exports/GDP (%), 4 change in imports/GDP (%), 5 employment (%),
    6 price index (%, relative to the numeraire), 7 new tariff revenue as a share of
    BASELINE expenditure (a fraction, not %). Exports and imports exclude domestic sales
    and are divided by factor income Y.
    """
    X, X1, Y, Y1 = r["X"], r["X_new"], r["Y"], r["Y_new"]
    off = 1.0 - np.eye(X.shape[0])
    exports = ((X1 * off).sum(axis=1) / Y1) / ((X * off).sum(axis=1) / Y)
    imports = ((X1 * off).sum(axis=0) / Y1) / ((X * off).sum(axis=0) / Y)
    d = r["deficit"]
    return np.column_stack([
        100 * (r["welfare_hat"] - 1), 100 * (r["deficit_new"] - d) / np.abs(d),
        100 * (exports - 1), 100 * (imports - 1), 100 * (r["L_hat"] - 1),
        100 * (r["P_hat"] - 1), r["R_new"] / r["E"]])


# ---------------------------------------------------------------------------- optimal tariffs
def optimal_tariff(X: np.ndarray, nu: np.ndarray, phi: np.ndarray, eps: float, i: int,
                   income: str = "E") -> float:
    """Unilaterally optimal uniform tariff of country i (paper, Proposition 2).

    ``t* = 1 / ((1 + delta_i eps) phi_i - 1)`` with
    ``delta_i = sum_{n != i} (1 - nu_n) X_in (1 - lambda_in) / ((1 - nu_i) (Z_i - X_ii))``,
    ``lambda_in = X_in / E_n``. ``Z = E`` (expenditure; then ``Z_i - X_ii`` are i's imports,
    as in the paper and their Table 1 case 3) or ``Z = Y`` (factor income, what their code
    uses for Table 2 case 4).
    """
    N = X.shape[0]
    lam = X / X.sum(axis=0)
    Z = X.sum(axis=0) if income == "E" else factor_income(X, nu)
    off = 1.0 - np.eye(N)
    delta = (X * (1 - nu)[None, :] * off * (1 - lam)).sum(axis=1) / ((1 - nu) * (Z - np.diag(X)))
    return float(1.0 / ((1.0 + delta[i] * eps) * phi[i] - 1.0))


def optimal_retaliation(X: np.ndarray, nu: np.ndarray, phi: np.ndarray, eps: float,
                        us: int) -> float:
    """The uniform tariff every other country puts on US goods under "optimal retaliation"
    (their code): Proposition 2 for the rest of the world treated as one country, on the
    two-region world (intra-RoW trade on its diagonal), with factor income ``Y`` in the
    denominator and the non-US ``phi``."""
    agg = np.zeros((2, X.shape[0]))
    agg[0] = 1.0
    agg[0, us], agg[1, us] = 0.0, 1.0
    X2 = agg @ X @ agg.T
    Y2 = agg @ factor_income(X, nu)
    nu2 = np.array([np.delete(nu, us)[0], nu[us]])
    lam2 = X2 / X2.sum(axis=0)
    delta = (X2[0, 1] * (1 - nu2[1]) * (1 - lam2[0, 1])) / ((1 - nu2[0]) * (Y2[0] - X2[0, 0]))
    return float(1.0 / ((1.0 + delta * eps) * np.delete(phi, us)[0] - 1.0))


# ---------------------------------------------------------------------------- their data
def calibrate_nu(trade: np.ndarray, gdp: np.ndarray, us: int,
                 targets: tuple[float, float] = NU_TARGETS) -> tuple[float, float]:
    """Local shares (non-US, US) so that the sales-weighted share is ``targets``.

    On the two-region world (rest of world, US) aggregated from ``trade`` (no domestic
    sales; intra-RoW trade stays on the RoW diagonal) and ``gdp``:
    ``E = Y + (1 - nu) (colsum X - X (1 - nu))``, ``r_11 = (E_1 - X_21) / (E_1 - X_21 + X_12)``
    (share of RoW producers' sales sold in RoW), ``r_22`` likewise for the US, and
    ``r_11 nu_1 + (1 - r_11) nu_2 = 0.12``, ``(1 - r_22) nu_1 + r_22 nu_2 = 0.26``.
    Negative solutions are set to 0 (as in the replication code).
    """
    A = np.zeros((2, trade.shape[0]))
    A[0] = 1.0
    A[0, us], A[1, us] = 0.0, 1.0
    X2, Y2 = A @ trade @ A.T, A @ gdp

    def eqs(nu):
        E = Y2 + (1 - nu) * (X2.sum(axis=0) - X2 @ (1 - nu))
        r11 = (E[0] - X2[1, 0]) / (E[0] - X2[1, 0] + X2[0, 1])
        r22 = (E[1] - X2[0, 1]) / (E[1] - X2[0, 1] + X2[1, 0])
        return [r11 * nu[0] + (1 - r11) * nu[1] - targets[0],
                (1 - r22) * nu[0] + r22 * nu[1] - targets[1]]

    nu = optimize.fsolve(eqs, [0.1, 0.24], xtol=1e-14)
    return max(float(nu[0]), 0.0), max(float(nu[1]), 0.0)


def paper_world(folder: Path | str) -> dict:
    """Their 194-country world, built straight from the replication CSVs.

    Returns ``X`` (thousand USD, with their domestic sales), ``gdp`` (thousand USD),
    ``nu`` (N,), ``tariffs`` (the USTR rates on US imports by exporter, floored at 10%,
    (N,)), ``iso3`` and ``us``.
    Domestic sales: ``X_ii = max(GDP_i + T0_i - M_i, 0)`` with
    ``T0_i = (1 - nu_i) (M_i - sum_n (1 - nu_n) X_in)``, ``M_i`` imports.
    """
    folder = Path(folder)
    iso3 = pd.read_csv(folder / "country_labels.csv")["iso3"].to_numpy(str)
    trade = np.nan_to_num(pd.read_csv(folder / "trade_cepii.csv").to_numpy(float))
    gdp = pd.read_csv(folder / "gdp.csv")["gdp"].to_numpy(float) / 1000.0   # thousand USD
    rates = np.nan_to_num(pd.read_csv(folder / "tariffs.csv")["applied_tariff"].to_numpy(float))
    us = int(np.flatnonzero(iso3 == "USA")[0])
    nu_row, nu_us = calibrate_nu(trade, gdp, us)
    nu = np.full(len(iso3), nu_row)
    nu[us] = nu_us
    imports = trade.sum(axis=0)
    T0 = (1 - nu) * (imports - trade @ (1 - nu))
    X = trade.copy()
    np.fill_diagonal(X, np.maximum(gdp + T0 - imports, 0.0))
    rates = np.maximum(rates, 0.10)
    rates[us] = 0.0
    return dict(X=X, gdp=gdp, nu=nu, tariffs=rates, iso3=iso3, us=us)


def us_tariffs(rates: np.ndarray, us: int) -> np.ndarray:
    """(N, N) tariff matrix: the US levies ``rates[i]`` on exporter i, nobody else taxes."""
    t = np.zeros((len(rates), len(rates)))
    t[:, us] = rates
    t[us, us] = 0.0
    return t
