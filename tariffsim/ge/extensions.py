"""Extensions of the Caliendo-Parro model: elastic labour, scale economies, a local share of
every purchase, revenue recycling (Ignatenko, Macedoni, Lashkaripour & Simonovska 2025).

[`extensions`][tariffsim.ge.extensions] checks the options of [`tariffsim.ge.solve`][] that switch
them on and returns an `Extensions` (None when every option is at its default, so that the default
solve runs exactly the plain model). [`PRESETS`][tariffsim.ge.extensions.PRESETS] holds the paper's
parameters. [`welfare_imls`][tariffsim.ge.extensions.welfare_imls] and
[`welfare_utility`][tariffsim.ge.extensions.welfare_utility] are the two welfare measures of the
model with elastic labour. The equations
(docs/model.md#the-one-sector-model-of-ignatenko-macedoni-lashkaripour-simonovska-2025,
docs/liberation_day.md), in CP
notation (importer n, exporter i, sector j):

* local share ``nu_n^j``: a share nu of every tariff-exclusive purchase in market n is income
  of n's own factors; the exporter keeps ``1 - nu``. Value added
  ``VA_i^j = gamma_i^j sum_n (1 - nu_n^j) F_ni^j + nu_i^j sum_k F_ik^j``;
* tariff pass-through ``phi_n^j = phi~ + nu_n^j (1 + psi^j) / (1 - nu_n^j)``: tariffs enter
  shares and prices as ``((1 + t') / (1 + t))^phi``, and the price index gains the variety
  term ``(X-hat_n^j / w-hat_n)^(1 - phi_n^j)``;
* scale economies ``psi^j``: unit cost ``c-hat^(1+psi) / (w-hat L-hat^j)^psi`` with
  ``L-hat^j`` the sector's employment (``w-hat / L-hat^psi`` with one sector and no IO);
* elastic labour ``L-hat_n = (tau-hat_n w-hat_n / P-hat_n)^kappa_n``, with
  ``tau-hat_n = (1 - R_n / Y_n) / (1 - R'_n / Y'_n)`` when tariff revenue cuts the income
  tax (``revenue_use="income_tax"``) and 1 when it is rebated lump sum.

References
----------
Ignatenko, A., Macedoni, L., Lashkaripour, A. & Simonovska, I. (2025). Making America
Great Again? The Economic Impacts of Liberation Day Tariffs. Journal of International
Economics 157, 104138, equations (1)-(8) and Section 4.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tariffsim.errors import ModelError, unknown_codes_message
from tariffsim.literals import RevenueUse, check_option

__all__ = ["Extensions", "extensions", "PRESETS", "passthrough", "returns_index",
           "welfare_imls", "welfare_utility", "ExtensionSystem"]

#: Parameters of published models as dicts of [`tariffsim.ge.solve`][] options.
#: ``"imls2025"``: Ignatenko, Macedoni, Lashkaripour & Simonovska (2025), Section 4: trade
#: elasticity 4 (Simonovska & Waugh 2014), labour-supply elasticity 0.5 (Chetty et al.
#: 2011), scale elasticity 0.67 / 4 (Lashkaripour & Lugovskyy 2023), firm-level pass-through
#: 1, tariff revenue spent on an income-tax cut, transfers a fixed share of world income
#: (``fixed_deficit`` with the world-GDP numeraire). The local shares come from the data:
#: add ``local_share=ts.io.liberation_day_local_share(folder)`` (docs/liberation_day.md).
PRESETS: dict[str, dict[str, Any]] = {
    "imls2025": {
        "trade_elasticity": 4.0,
        "labor_supply_elasticity": 0.5,
        "scale_elasticity": 0.67 / 4.0,
        "passthrough": 1.0,
        "revenue_use": "income_tax",
        "closure": "fixed_deficit",
        "numeraire": "world_gdp",
    },
}


@dataclass(frozen=True)
class Extensions:
    """The extension parameters of one solve, in the solver's layout.

    Attributes
    ----------
    kappa : ndarray (N,)
        Labour-supply elasticity by country.
    psi : ndarray (J,)
        Scale elasticity by sector.
    nu : ndarray (J, N)
        Local share by sector and market (importer).
    passthrough : ndarray (J, N)
        Tariff pass-through ``phi`` to the importer's prices (derived,
        [`passthrough`][tariffsim.ge.extensions.passthrough]).
    firm_passthrough : ndarray (J, N)
        The firm-level pass-through ``phi~`` it was derived from.
    revenue_use : {"lump_sum", "income_tax"}
    """

    kappa: np.ndarray
    psi: np.ndarray
    nu: np.ndarray
    passthrough: np.ndarray
    firm_passthrough: np.ndarray
    revenue_use: str

    @property
    def labour(self) -> bool:
        """Labour supply responds (some kappa > 0)."""
        return bool(self.kappa.any())

    @property
    def scale(self) -> bool:
        """Scale economies (some psi > 0)."""
        return bool(self.psi.any())

    @property
    def local(self) -> bool:
        """A local share (some nu > 0)."""
        return bool(self.nu.any())

    @property
    def variety(self) -> bool:
        """Pass-through other than one somewhere (tariff exponent and variety term)."""
        return bool((self.passthrough != 1.0).any())

    @property
    def income_tax(self) -> bool:
        return self.revenue_use == "income_tax"


def passthrough(nu: np.ndarray, psi: np.ndarray | float, firm: np.ndarray | float = 1.0
                ) -> np.ndarray:
    r"""Tariff pass-through to the importer's price index (Ignatenko et al. 2025).

    $$
    \phi_n = \tilde\phi + \frac{\nu_n (1 + \psi)}{1 - \nu_n}
    $$

    Parameters
    ----------
    nu : array
        Local share of the market (broadcasts).
    psi : float or array
        Scale elasticity (broadcasts).
    firm : float or array
        Firm-level pass-through phi~.
    """
    nu = np.asarray(nu, dtype=float)
    return firm + nu * (1.0 + np.asarray(psi, dtype=float)) / (1.0 - nu)


def extensions(countries: Sequence[str], sectors: Sequence[str], *,
               labor_supply_elasticity: Any = 0.0, scale_elasticity: Any = 0.0,
               local_share: Any = 0.0, passthrough_: Any = 1.0,
               revenue_use: str = "lump_sum") -> Extensions | None:
    """Check the extension options of [`tariffsim.ge.solve`][].

    Parameters
    ----------
    countries, sectors : sequence of str
        The baseline's codes.
    labor_supply_elasticity : float, sequence (N,) or mapping country -> float
        kappa >= 0.
    scale_elasticity : float, sequence (J,) or mapping sector -> float
        0 <= psi < 1.
    local_share : float, (N,) or (N, J) array, mapping / Series country -> float, or a
        DataFrame (countries x sectors)
        0 <= nu < 1.
    passthrough_ : same forms as ``local_share``
        Firm-level pass-through phi~ >= 0.
    revenue_use : {"lump_sum", "income_tax"}

    Returns
    -------
    Extensions or None
        None when every option is at its default (the plain Caliendo-Parro model).

    Raises
    ------
    ModelError
        Naming the option, the offending entries and the accepted range.
    """
    check_option(revenue_use, RevenueUse, "revenue_use")
    N = len(countries)
    kappa = _by_code("labor_supply_elasticity", labor_supply_elasticity, countries,
                     "country")
    _check_range("labor_supply_elasticity", kappa, countries, low=0.0,
                 text="a number >= 0 (0: inelastic labour; IMLS 2025 use 0.5)")
    psi = _by_code("scale_elasticity", scale_elasticity, sectors, "sector")
    _check_range("scale_elasticity", psi, sectors, low=0.0, high=1.0,
                 text="a number in [0, 1) (0: constant returns; IMLS 2025 use 0.67/4)")
    nu = _by_country_sector("local_share", local_share, countries, sectors)
    _check_range("local_share", nu.T, countries, low=0.0, high=1.0,
                 text="a share in [0, 1) (IMLS 2025: about 0.11 outside the US, 0.27 in it)")
    firm = _by_country_sector("passthrough", passthrough_, countries, sectors)
    _check_range("passthrough", firm.T, countries, low=0.0,
                 text="a number >= 0 (1: complete firm-level pass-through)")
    if (revenue_use == "lump_sum" and not kappa.any() and not psi.any() and not nu.any()
            and (firm == 1.0).all()):
        return None
    phi = passthrough(nu, psi[:, None], firm)
    return Extensions(kappa=np.broadcast_to(kappa, (N,)).copy(), psi=psi, nu=nu,
                      passthrough=phi, firm_passthrough=firm, revenue_use=revenue_use)


# ---------------------------------------------------------------------------- parsing
def _numbers(name: str, value: Any, what: str) -> np.ndarray:
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ModelError(f"{name}: cannot read {value!r} as numbers; give {what}.",
                         field=name) from None
    return a


def _mapping(name: str, value: Mapping | pd.Series, codes: Sequence[str], kind: str) -> np.ndarray:
    d = dict(value)
    unknown = [k for k in d if k not in codes]
    if unknown:
        raise ModelError(unknown_codes_message(name, unknown, codes), field=name)
    missing = [c for c in codes if c not in d]
    if missing:
        raise ModelError(f"{name}: no value for {kind}(s) {missing[:10]!r}"
                         f"{' and more' if len(missing) > 10 else ''}. Give every {kind} a "
                         f"value or pass one number.", field=name)
    return _numbers(name, [d[c] for c in codes], f"one number per {kind}")


def _by_code(name: str, value: Any, codes: Sequence[str], kind: str) -> np.ndarray:
    """A scalar, a sequence with one value per code or a mapping code -> value, as an
    array over ``codes`` (``kind``: "country" or "sector", for the messages)."""
    n = len(codes)
    if isinstance(value, str):
        raise ModelError(f"{name}: got the text {value!r}; give a number, {n} numbers (one "
                         f"per {kind}) or a dict {kind} -> number.", field=name)
    if isinstance(value, Mapping | pd.Series):
        return _mapping(name, value, codes, kind)
    a = _numbers(name, value, f"a number, {n} numbers or a dict {kind} -> number")
    if a.ndim == 0:
        return np.full(n, float(a))
    if a.shape != (n,):
        raise ModelError(f"{name}: expected a number or {n} values (one per {kind}, in the "
                         f"baseline's order), got shape {a.shape}.", field=name)
    return a


def _by_country_sector(name: str, value: Any, countries: Sequence[str],
                       sectors: Sequence[str]) -> np.ndarray:
    """A scalar, an (N,) sequence or mapping by country, an (N, J) array or a DataFrame
    (countries x sectors), as a (J, N) array."""
    N, J = len(countries), len(sectors)
    if isinstance(value, pd.DataFrame):
        unknown_r = [c for c in value.index if c not in countries]
        unknown_c = [s for s in value.columns if s not in sectors]
        if unknown_r or unknown_c:
            bad, known = (unknown_r, countries) if unknown_r else (unknown_c, sectors)
            raise ModelError(unknown_codes_message(name, [str(b) for b in bad], known),
                             field=name)
        missing = [c for c in countries if c not in value.index] + \
            [s for s in sectors if s not in value.columns]
        if missing:
            raise ModelError(f"{name}: the table lacks {missing[:10]!r}; give one row per "
                             f"country and one column per sector.", field=name)
        a = _numbers(name, value.loc[list(countries), list(sectors)].to_numpy(),
                     "numbers")
        return np.ascontiguousarray(a.T)
    if not isinstance(value, Mapping | pd.Series | str):
        a = _numbers(name, value, f"a number, {N} numbers (one per country), an ({N}, {J}) "
                                  f"array or a dict country -> number")
        if a.ndim == 2:
            if a.shape != (N, J):
                raise ModelError(f"{name}: expected ({N}, {J}) values [country, sector], "
                                 f"got shape {a.shape}.", field=name)
            return np.ascontiguousarray(a.T)
    return np.broadcast_to(_by_code(name, value, countries, "country")[None, :],
                           (J, N)).copy()


def _check_range(name: str, a: np.ndarray, labels: Sequence[str], *, low: float,
                 high: float = np.inf, text: str) -> None:
    """Every entry finite, ``>= low`` and ``< high`` (when high is finite); the first axis
    of ``a`` is labelled by ``labels``."""
    flat = np.asarray(a, dtype=float).reshape(len(labels), -1)
    bad = ~np.isfinite(flat) | (flat < low)
    if np.isfinite(high):
        bad |= flat >= high
    if bad.any():
        rows = np.flatnonzero(bad.any(axis=1))[:5]
        vals = ", ".join(f"{labels[i]}={flat[i][bad[i]][0]:g}" for i in rows)
        raise ModelError(f"{name}: must be {text}; got {vals}.", field=name)


# ---------------------------------------------------------------------------- stability
def returns_index(model: Any) -> np.ndarray:
    r"""Aggregate-returns index of each country (N,): the gain of the loop from employment
    to productivity and back, for one sector and foreign prices and wages held fixed.

    $$
    g_n = \frac{\kappa_n (\bar\phi_n - 1 + \pi_n \bar\psi_n)}
    {1 - \pi_n (1 - \bar\beta_n)(1 + \bar\psi_n)}
    $$

    A larger market lowers the price index with elasticity phi - 1 (the variety term),
    a larger input bundle lowers unit cost with psi, which reaches the price index with
    the domestic share pi and feeds back through intermediate inputs (share 1 - beta);
    labour supply responds to the real wage with kappa. phi, psi, beta and pi are averaged
    over sectors with spending and output weights. Near or above 1, employment and
    productivity reinforce each other almost without bound: the equilibrium becomes
    unstable or disappears. Infinite when the denominator is not positive. The paper's
    parameters give at most 0.3 (the US) without intermediate inputs, 0.74 with
    value-added share 0.49.
    """
    ext: Extensions = model.ext
    Y = np.maximum(model.Y, 0.0)
    out = Y.sum(axis=0)
    beta = (Y * model.va_share).sum(axis=0) / out
    psi = (Y * ext.psi[:, None]).sum(axis=0) / out
    X = model.X
    spend = X.sum(axis=0)
    phi = (X * ext.passthrough).sum(axis=0) / spend
    home = (X * np.diagonal(model.pi, axis1=1, axis2=2)).sum(axis=0) / spend
    den = 1.0 - home * (1.0 - beta) * (1.0 + psi)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = ext.kappa * (phi - 1.0 + home * psi) / np.where(den > 0, den, 1.0)
    return np.where(den > 0, g, np.inf)


# ---------------------------------------------------------------------------- welfare
def welfare_imls(income0: np.ndarray, income1_hat: np.ndarray, P_hat: np.ndarray,
                 labour_income_hat: np.ndarray, factor_income0: np.ndarray,
                 kappa: np.ndarray, tax_share1: np.ndarray) -> np.ndarray:
    r"""Welfare change as Ignatenko et al. (2025) compute it (their replication code).

    $$
    \hat W_n = \delta_n \frac{\hat F_n}{\hat P_n} + (1 - \delta_n)
    \frac{\hat w_n \hat L_n}{\hat P_n},\qquad
    \delta_n = \frac{F_n}{F_n - \frac{\kappa_n}{1+\kappa_n}(1 - s'_n) Y_n}
    $$

    F final spending (income), Y factor income, s' = R'/Y' under income-tax relief and 0
    under a lump-sum rebate. This is the change of utility ``C - kappa/(1+kappa)
    L^((1+kappa)/kappa)`` with the after-tax wage factor held at ``1 - s'`` in both
    equilibria; see [`welfare_utility`][tariffsim.ge.extensions.welfare_utility] for the one the
    labour supply implies. With kappa = 0 it is ``F-hat / P-hat``.

    Parameters
    ----------
    income0 : (N,)
        Baseline final spending F.
    income1_hat, P_hat, labour_income_hat : (N,)
        F-hat, consumer price index change, w-hat L-hat.
    factor_income0 : (N,)
        Baseline factor income Y.
    kappa, tax_share1 : (N,)
        Labour-supply elasticity and s' (zeros under a lump-sum rebate).

    Returns
    -------
    ndarray (N,)
        W-hat (1 = unchanged).
    """
    c = kappa / (1.0 + kappa)
    delta = income0 / (income0 - c * (1.0 - tax_share1) * factor_income0)
    return delta * income1_hat / P_hat + (1.0 - delta) * labour_income_hat / P_hat


def welfare_utility(income0: np.ndarray, income1: np.ndarray, P_hat: np.ndarray,
                    factor_income0: np.ndarray, factor_income1: np.ndarray,
                    kappa: np.ndarray, tax_share0: np.ndarray,
                    tax_share1: np.ndarray) -> np.ndarray:
    r"""Change of the utility that the labour supply of the model implies.

    $$
    \hat U_n = \frac{F'_n/\hat P_n - \frac{\kappa_n}{1+\kappa_n}\vartheta'_n Y'_n
    /\hat P_n}{F_n - \frac{\kappa_n}{1+\kappa_n}\vartheta_n Y_n},\qquad
    \vartheta = \frac{1}{1 - s}
    $$

    (``U = C - kappa/(1+kappa) L^((1+kappa)/kappa)`` at the optimum of
    ``L = (vartheta w / P)^kappa``; vartheta = 1 under a lump-sum rebate, where this equals
    [`welfare_imls`][tariffsim.ge.extensions.welfare_imls]). ``s`` is R/Y in the baseline and R'/Y'
    after the policy under income-tax relief, 0 otherwise. For the US in Ignatenko et al.'s Case 1
    it is +0.63% against the +1.13% of their formula.

    Parameters
    ----------
    income0, income1 : (N,)
        Final spending F and F' (same units).
    P_hat : (N,)
        Consumer price index change.
    factor_income0, factor_income1 : (N,)
        Y and Y'.
    kappa, tax_share0, tax_share1 : (N,)
        Labour-supply elasticity, s and s'.

    Returns
    -------
    ndarray (N,)
        U-hat (1 = unchanged).
    """
    c = kappa / (1.0 + kappa)
    new = (income1 - c * factor_income1 / (1.0 - tax_share1)) / P_hat
    return new / (income0 - c * factor_income0 / (1.0 - tax_share0))


# ---------------------------------------------------------------------------- equations
class ExtensionSystem:
    """The extensions' unknowns and equations inside one
    [`HatSystem`][tariffsim.ge.system.HatSystem] (all operations elementwise over countries and
    sectors).

    Unknown blocks, after the N log wages and before the extras, each present only when
    its feature is on:

    * ``L`` (N): log employment change, equation
      ``log L = kappa (log tau-hat + log w-hat - log P-hat)`` (labour supply);
    * ``l`` (J N, scale economies with J > 1): log change of the sector's share of
      employment, equation ``l-hat^j = (VA'^j / VA^j) / (VA' / VA)`` (labour moves across
      sectors at one wage);
    * ``x`` (N, pass-through != 1): ``log(E-hat / w-hat)``, the market's total spending
      (all sectors, intermediates included) in units of the local wage, which sets the
      variety term of every sector's price index. (Sector spending would be the literal
      generalisation, but in a sector whose spending the data put below its own
      intermediate use -- clipped final demand -- the term then swings the price index by
      orders of magnitude; one market size per country is what the authors' multi-sector
      code uses.)

    Parameters
    ----------
    model : CalibratedModel
        With ``model.ext`` set.
    start : int
        Index of the first extension unknown in ``z``.
    """

    def __init__(self, model: Any, start: int) -> None:
        ext: Extensions = model.ext
        J, N = model.n_sectors, model.n_countries
        self.ext = ext
        self.blocks: dict[str, slice] = {}
        k = start
        for name, on, size in (("L", ext.labour, N), ("l", ext.scale and J > 1, J * N),
                               ("x", ext.variety, N)):
            if on:
                self.blocks[name] = slice(k, k + size)
                k += size
        self.end = k
        self.shape = (J, N)
        self.nu = ext.nu if ext.local else None
        self.keep = 1.0 - ext.nu if ext.local else None
        self.psi = ext.psi[:, None] if ext.scale else None
        self.one_minus_phi = 1.0 - ext.passthrough
        self.kappa = ext.kappa
        VA0 = model.VA
        self.log_VA0 = np.log(VA0)
        self.tax_share0 = model.tariff_revenue() / VA0 if ext.income_tax else None
        VAj0 = model.sector_value_added()
        self.va_mask = VAj0 > 0
        self.log_VAj0 = np.log(np.where(self.va_mask, VAj0, 1.0))
        self.log_E0 = np.log(model.X.sum(axis=0))

    #: Step factor of each block in the outer iteration: the market-size block overshoots
    #: when the pass-through is far from one (phi = 1.5 on the 22-sector world: 298
    #: iterations at 1, 129 at 0.5; no worse elsewhere).
    STEPS = {"L": 1.0, "l": 1.0, "x": 0.5}

    def damping(self) -> np.ndarray:
        """Step factors of the extension unknowns, in their order in ``z``."""
        return np.concatenate([np.full(sl.stop - sl.start, self.STEPS[name])
                               for name, sl in self.blocks.items()] or [np.empty(0)])

    def unpack(self, z: np.ndarray
               ) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
        """``(log L-hat (N,), log l-hat (J, N), log(E-hat / w-hat) (N,))``, None for an
        absent block."""
        b = self.blocks
        lL = z[b["L"]] if "L" in b else None
        ll = z[b["l"]].reshape(self.shape) if "l" in b else None
        lx = z[b["x"]] if "x" in b else None
        return lL, ll, lx

    def cost(self, log_c: np.ndarray, log_w: np.ndarray, lL: np.ndarray | None,
             ll: np.ndarray | None) -> np.ndarray:
        """Unit cost with scale economies: ``(1 + psi) log c - psi log(w-hat L-hat^j)``."""
        if self.psi is None:
            return log_c
        lq = log_w[None, :] if lL is None else (log_w + lL)[None, :]
        if ll is not None:
            lq = lq + ll
        return (1.0 + self.psi) * log_c - self.psi * lq

    def price(self, log_P: np.ndarray, lx: np.ndarray | None) -> np.ndarray:
        """Sector price index with the variety term ``(1 - phi) log(E-hat / w-hat)``."""
        return log_P if lx is None else log_P + self.one_minus_phi * lx[None, :]

    def gaps(self, z: np.ndarray, log_w: np.ndarray, log_P: np.ndarray, X: np.ndarray,
             VAj: np.ndarray, t: np.ndarray, factor_income: np.ndarray, alpha: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray | None]:
        """Steps of the extension unknowns and the after-tax wage factor change.

        Parameters
        ----------
        z : ndarray
            All unknowns.
        log_w : (N,)
            Normalised log wage change.
        log_P : (J, N)
            Sector price indices.
        X : (J, N)
            New expenditure.
        VAj : (J, N)
            New sector value added (labour demand).
        t : (J, N)
            Tariff share of expenditure.
        factor_income : (N,)
            ``w-hat L-hat VA``.
        alpha : (J, N)
            Final-demand shares (consumer price index weights).

        Returns
        -------
        steps : ndarray
            Concatenated over the present blocks.
        tax : ndarray (N,) or None
            ``(1 - R/Y) / (1 - R'/Y')`` under income-tax relief, else None.
        """
        lL, ll, lx = self.unpack(z)
        tax = None
        if self.tax_share0 is not None:
            R = (t * X).sum(axis=0)
            with np.errstate(divide="ignore", invalid="ignore"):
                tax = (1.0 - self.tax_share0) / (1.0 - R / factor_income)
        out = []
        if lL is not None:
            log_real = log_w - (alpha * log_P).sum(axis=0)
            if tax is not None:
                with np.errstate(divide="ignore", invalid="ignore"):
                    log_real = log_real + np.log(tax)
            out.append(self.kappa * log_real - lL)
        with np.errstate(divide="ignore", invalid="ignore"):
            if ll is not None:
                share = np.log(VAj) - self.log_VAj0 - (np.log(VAj.sum(axis=0))
                                                       - self.log_VA0)[None, :]
                out.append((np.where(self.va_mask, share, 0.0) - ll).ravel())
            if lx is not None:
                out.append(np.log(X.sum(axis=0)) - self.log_E0 - log_w - lx)
        return (np.concatenate(out) if out else np.empty(0)), tax
