"""The public entry point of the Caliendo-Parro general equilibrium:
[`solve`][tariffsim.ge.solver.solve].

[`solve`][tariffsim.ge.solver.solve] runs the pipeline; each step lives in its own module:

1. options checked, baseline calibrated (`tariffsim.ge.calibration.calibrate`);
2. shock preparation (`tariffsim.ge.prepare.prepare_shocks`): the Shocks as
   ``(J, N, N)`` arrays plus the extra unknowns of commitments and quotas;
3. the reference equilibrium (`reference_equilibrium`): the zero-deficit world under
   ``balanced``, otherwise the calibrated baseline (re-solved when calibration clipped
   final-demand shares);
4. the shock's constant terms ([`tariffsim.ge.system.hat_terms`][]), once;
5. the active-set loop for quotas and commitments
   (`tariffsim.ge.active_set.solve_active_set`), each round one equilibrium solved
   by [`tariffsim.ge.hat.solve_system`][]: Anderson iteration
   (`tariffsim.ge.anderson`) on the residual function
   [`tariffsim.ge.system.HatSystem.evaluate`][], with a quasi-Newton fallback;
6. output frames (`tariffsim.ge.frames.result_frames`) and the Result.

The unknowns are the wage changes w-hat (one per country) plus one unknown per import
commitment (a demand shifter) and per binding quota (a shadow export tax). Given those, the
price system (CP eq. 10-11) is a contraction solved by fixed-point iteration warm-started
from the previous outer step, and the expenditure system (eq. 13) is linear and solved by
Anderson-accelerated fixed-point iteration (never as a dense (NJ x NJ) matrix). The outer
problem is labour-market clearing ``w_n L_n = sum_j gamma_n^j Y_n^j`` (equivalent to the
trade balance eq. 14 once expenditure is solved), solved by Anderson acceleration of a
damped fixed point in log w-hat (docs/ge.md, "The solver").
"""

from __future__ import annotations

import hashlib
import time
import warnings
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tariffsim.errors import ConvergenceError, ModelError, ScenarioError, TariffSimWarning
from tariffsim.ge.active_set import solve_active_set
from tariffsim.ge.calibration import CalibratedModel, calibrate
from tariffsim.ge.extensions import Extensions, extensions, returns_index
from tariffsim.ge.frames import result_frames
from tariffsim.ge.hat import model_from_solution, solve_hat, solve_system
from tariffsim.ge.prepare import Extra, prepare_shocks, reference_targets
from tariffsim.ge.system import CLOSURES, HatSolution, hat_terms
from tariffsim.literals import Closure, RevenueUse, check_option
from tariffsim.shocks import Shocks

if TYPE_CHECKING:
    from tariffsim.baseline import Baseline
    from tariffsim.results import Result

__all__ = ["solve", "solve_hat", "HatSolution", "CLOSURES", "reference_equilibrium",
           "solve_prepared"]


def solve(baseline: Baseline, shocks: Shocks | None = None, *,
          trade_elasticity: float | Sequence[float] | Mapping[str, float] | None = None,
          closure: str = "fixed_deficit", numeraire: str = "world_gdp", tol: float = 1e-10,
          max_iter: int = 2000,
          deficits: Sequence[float] | np.ndarray | Mapping[str, float] | None = None,
          labor_supply_elasticity: float | Sequence[float] | Mapping[str, float] = 0.0,
          scale_elasticity: float | Sequence[float] | Mapping[str, float] = 0.0,
          local_share: Any = 0.0, passthrough: Any = 1.0,
          revenue_use: RevenueUse = "lump_sum") -> Result:
    r"""Solve the Caliendo-Parro (2015) general equilibrium for a set of shocks.

    Multi-country, multi-sector exact hat algebra with sector trade elasticities,
    input-output linkages, tariffs whose revenue is rebated to the importer, iceberg
    trade-cost shocks, export taxes, import commitments and export quotas (docs/model.md
    sections 2-3). With one sector and no IO it is the Armington / Anderson-van Wincoop /
    Dekle-Eaton-Kortum model.

    Parameters
    ----------
    baseline : tariffsim.Baseline
        Flows ``[exporter, importer, sector]`` at world prices with domestic sales on the
        diagonal, tariffs, IO and value-added shares.
    shocks : tariffsim.Shocks, optional
        New tariff levels, iceberg factors, export taxes, commitments, quotas. None: no
        shock (returns the baseline).
    trade_elasticity : float, sequence or dict sector -> float, optional
        theta^j > 0. Default `DEFAULT_TRADE_ELASTICITY`
        (5) for every sector.
    closure : {"fixed_deficit", "deficit_ratio", "balanced"}
        ``fixed_deficit``: D'_n = D_n in numeraire units (DEK, CP). ``deficit_ratio``:
        expenditure E'_n = lambda phi_n Y'_n with phi_n = E_n / Y_n from the data (Yotov
        et al. 2016's E = phi Y; Y = value added) and one common lambda so that world
        spending equals world income (exact market clearing). ``balanced``: first solve the
        world with zero deficits, then the policy from there; changes are between the two
        (CP's NAFTA exercise) and the baseline columns are the zero-deficit world.
    numeraire : "world_gdp" or country code
        World value added fixed (default), or that country's aggregate price index fixed.
    tol : float
        Max abs log labour-market (equivalently trade-balance) error and log gap to
        commitment / quota targets, in (0, 1e-4] (`MAX_TOL`; a looser rule would
        return points that are not equilibria, so it raises ModelError).
    max_iter : int
        Outer iterations (any integer type, e.g. ``np.int64``) before
        [`ConvergenceError`][tariffsim.errors.ConvergenceError]. When they run
        out (and ``max_iter >= 100`` or the iteration stalled) a quasi-Newton solve from the
        best point is tried first; ``diagnostics["fallback"]`` reports it.
    deficits : array (N,) or dict country -> value, optional
        Baseline deficits (imports - exports) replacing the ones implied by the flows; must
        sum to zero.
    labor_supply_elasticity : float, sequence (N,) or dict country -> float
        kappa >= 0 (default 0, inelastic labour): employment responds to the after-tax real
        wage, ``L-hat = (tau-hat w-hat / P-hat)^kappa`` (Ignatenko et al. 2025 use 0.5).
    scale_elasticity : float, sequence (J,) or dict sector -> float
        psi in [0, 1) (default 0, constant returns): unit cost falls with the sector's
        input bundle, ``c-hat^(1+psi) / (w-hat L-hat^j)^psi`` (``w-hat / L-hat^psi`` with
        one sector and no IO; they use 0.67/4).
    local_share : float, (N,) array or dict / Series country -> float, (N, J) array or
        DataFrame countries x sectors
        nu in [0, 1) (default 0): the share of every tariff-exclusive purchase in a market
        that is income of that market's own factors (distribution, marketing); exporters
        keep 1 - nu. It makes trade deficits endogenous (transfers stay fixed) and raises
        the tariff pass-through (below). Their calibration:
        `tariffsim.io.liberation_day_local_share`.
    passthrough : same forms as ``local_share``
        Firm-level pass-through phi~ >= 0 (default 1). Tariffs enter prices and shares as
        ``((1+t')/(1+t))^phi`` with ``phi = phi~ + nu (1 + psi) / (1 - nu)``, and a price
        index away from phi = 1 has the variety term ``(X-hat / w-hat)^(1 - phi)``
        (reported as ``countries.tariff_passthrough``).
    revenue_use : {"lump_sum", "income_tax"}
        How tariff revenue reaches households: a lump-sum rebate (default) or a cut in the
        labour-income tax, ``tau-hat = (1 - R/Y) / (1 - R'/Y')``, which raises labour supply
        when kappa > 0. Spending is the same under both.

    Presets: ``ts.ge.solve(base, shocks, **ts.ge.PRESETS["imls2025"], local_share=nu)``
    ([`PRESETS`][tariffsim.ge.extensions.PRESETS]). With every extension option at its default
    the model is plain Caliendo-Parro. Transfers under ``fixed_deficit`` with the world-GDP
    numeraire are a fixed share of world factor income (Dekle, Eaton & Kortum 2007; the
    rule of Ignatenko et al.).

    Returns
    -------
    tariffsim.results.Result
        ``countries`` has, besides welfare (``welfare_change_pct``, the formula of
        Ignatenko et al. 2025 when labour is elastic, else real income), prices, trade and
        balances: ``employment_change_pct``, ``after_tax_wage_factor`` (tau-hat),
        ``welfare_imls_pct`` and ``welfare_utility_pct`` (the two welfare measures with
        elastic labour, equal otherwise; docs/liberation_day.md), ``transfer_baseline`` /
        ``transfer_scenario`` (the fixed transfers; the deficits when nu = 0),
        ``local_share`` and ``tariff_passthrough`` (spending-weighted over sectors).

    Raises
    ------
    ModelError, ScenarioError, ConvergenceError, UnreachableError

    References
    ----------
    Caliendo, L. and Parro, F. (2015). Estimates of the Trade and Welfare Effects of NAFTA.
    Review of Economic Studies 82(1), 1-44.
    Dekle, R., Eaton, J. and Kortum, S. (2007). Unbalanced Trade. AER P&P 97(2), 351-355.
    Yotov, Y., Piermartini, R., Monteiro, J.-A. and Larch, M. (2016). An Advanced Guide to
    Trade Policy Analysis: The Structural Gravity Model. WTO/UNCTAD.
    Ignatenko, A., Macedoni, L., Lashkaripour, A. and Simonovska, I. (2025). Making America
    Great Again? The Economic Impacts of Liberation Day Tariffs. Journal of International
    Economics 157, 104138.
    """
    from tariffsim.results import Result

    t_start = time.perf_counter()
    tol, max_iter = _check_options(baseline, shocks, closure=closure, tol=tol,
                                   max_iter=max_iter)
    countries = tuple(baseline.countries)
    sectors = tuple(baseline.sectors)
    num_idx, num_label = _numeraire(numeraire, countries)
    ext = extensions(countries, sectors, labor_supply_elasticity=labor_supply_elasticity,
                     scale_elasticity=scale_elasticity, local_share=local_share,
                     passthrough_=passthrough, revenue_use=revenue_use)
    io = baseline.io if getattr(baseline, "has_io", True) else None
    model = calibrate(baseline.flows, baseline.tariffs, io, baseline.value_added,
                      countries=countries, sectors=sectors, trade_elasticity=trade_elasticity,
                      deficits=_deficit_vector(deficits, countries))
    prepared = prepare_shocks(shocks, countries, sectors)
    with _country_names(countries):
        if ext is not None:
            model = with_extensions(model, ext, closure=closure, numeraire=num_idx, tol=tol,
                                    max_iter=max_iter)
    model0, sol, ref, extras_out = solve_prepared(model, prepared, closure=closure,
                                                  numeraire=num_idx, tol=tol,
                                                  max_iter=max_iter)
    diag = dict(sol.diagnostics)
    diag["reference_iterations"] = ref.diagnostics.get("iterations")
    diag["time_s"] = time.perf_counter() - t_start
    diag["tol"] = tol
    notes = list(model.notes)
    if closure == "balanced":
        notes.append("closure 'balanced': baseline columns are the zero-deficit world solved "
                     "from the data; changes are from that world to the policy.")
    frames = result_frames(model0, sol, countries, sectors, closure)
    vintage = " ".join(str(x) for x in (getattr(baseline, "source", None),
                                          getattr(baseline, "year", None)) if x)
    return Result(frames["countries"], frames["flows"], model="ge", closure=closure,
                  trade_elasticity=dict(zip(sectors, model.theta.tolist(), strict=True)),
                  decomposition=frames["decomposition"], diagnostics=diag,
                  data_vintage=vintage or None,
                  provenance=getattr(baseline, "provenance", None),
                  units=getattr(baseline, "units", "USD million"), numeraire=num_label,
                  scenario=", ".join(prepared.labels) or None, extras=extras_out,
                  notes=notes)


def solve_prepared(model: CalibratedModel, prepared: Any, *, closure: str,
                   numeraire: int | None, tol: float, max_iter: int
                   ) -> tuple[CalibratedModel, HatSolution, HatSolution, dict]:
    """Steps 3-5 of `solve` on a calibrated model and prepared shocks:
    ``(model0, sol, ref, extras)``.

    The reference equilibrium, the commitments' floors in it (set in place on
    ``prepared.commitments``), the shock's constant terms and the active-set loop.
    ``extras`` is the active-set loop's report of the targets (``Result.extras``).
    `tariffsim.ge.batch.solve_batch` runs a draw through this when the batch does
    not cover it, so a draw solved either way is the same solve.
    """
    countries = model.countries
    with _country_names(countries), _returns_hint(model):
        model0, ref = reference_equilibrium(model, closure=closure, numeraire=numeraire,
                                            tol=tol, max_iter=max_iter)
        reference_targets(prepared.commitments, model0.flows())
        terms = hat_terms(model0, tau_new=prepared.tau_new,
                          trade_costs=prepared.trade_costs, rent_rate=prepared.rent_rate,
                          dissipated_rate=prepared.dissipated_rate)

        def solve_with(extras: list[Extra]) -> HatSolution:
            return solve_system(model0, terms, closure=closure, numeraire=numeraire,
                                extras=extras, tol=tol, max_iter=max_iter)

        sol, extras_out = solve_active_set(solve_with, [],
                                           [*prepared.commitments, *prepared.quotas])
    return model0, sol, ref, extras_out


def reference_equilibrium(model: CalibratedModel, *, closure: str, numeraire: int | None,
                          tol: float, max_iter: int
                          ) -> tuple[CalibratedModel, HatSolution]:
    """The equilibrium changes are measured from: ``(model0, ref)``.

    Under ``balanced`` the zero-deficit world solved from the data; otherwise the
    calibrated baseline itself, re-solved when calibration adjusted the data (clipped
    final demand) so that the baseline is an equilibrium of the model (a note is added
    to ``model.notes`` then).

    Parameters
    ----------
    model : CalibratedModel
        The calibrated baseline.
    closure, numeraire, tol, max_iter
        As in [`solve`][tariffsim.ge.solver.solve] (numeraire as a country index or None).

    Returns
    -------
    model0 : CalibratedModel
        The reference levels (``model`` itself when it is consistent).
    ref : HatSolution
        The no-shock solve (its diagnostics report the reference iterations).
    """
    key = _reference_key(model, closure, numeraire, tol, max_iter)
    hit = _REFERENCES.get(key) if key is not None else None
    if hit is not None and key is not None:
        consistent, model0, ref = hit
        _REFERENCES.move_to_end(key)
    else:
        ref = solve_hat(model, closure=closure, numeraire=numeraire, tol=tol,
                        max_iter=max_iter)
        # The data are an equilibrium of the calibrated model unless calibration adjusted
        # them (clipped final demand): compare the flows, not the iteration count -- the
        # labour market can clear at w-hat = 1 while expenditure differs from the data.
        F_data = model.flows()
        consistent = np.allclose(ref.flows, F_data, rtol=1e-9,
                                 atol=1e-12 * max(float(F_data.max()), 1e-300))
        model0 = model if closure != "balanced" and consistent else \
            model_from_solution(model, ref)
        if key is not None and not (closure != "balanced" and consistent):
            # only the re-solved worlds are kept: a consistent baseline costs one
            # evaluation to confirm
            _REFERENCES[key] = (consistent, model0, ref)
            while len(_REFERENCES) > _REFERENCE_CACHE:
                _REFERENCES.popitem(last=False)
    if closure != "balanced" and consistent:
        return model, ref
    if closure != "balanced":
        model.notes.append("baseline re-solved for consistency with the calibrated "
                           "final-demand shares; baseline columns are that solution.")
    return model0.replace(notes=model.notes), ref


#: Reference equilibria kept (re-solved baselines: clipped final demand, or the
#: zero-deficit world of ``balanced``), least recently used dropped first.
_REFERENCE_CACHE = 8
_REFERENCES: OrderedDict[tuple, tuple[bool, CalibratedModel, HatSolution]] = OrderedDict()


def _reference_key(model: CalibratedModel, closure: str, numeraire: int | None, tol: float,
                   max_iter: int) -> tuple | None:
    """A digest of everything the reference solve depends on (None with extensions,
    whose reference is not cached)."""
    if model.ext is not None:
        return None
    # sha256 over the arrays' own buffers (no copy): with the SHA extensions of current
    # CPUs about twice as fast as blake2b over a copy; the (J, N, N) arrays of a large
    # world are tens of MB
    h = hashlib.sha256()
    for a in (model.pi, model.tau, model.X, model.Y, model.va_share, model.alpha,
              model.VA, model.D, model.theta, model.io):
        if a is not None:
            a = np.ascontiguousarray(a, dtype=float)
            h.update(str(a.shape).encode())
            h.update(a.data)
    return (h.hexdigest(), closure, numeraire, tol, max_iter)


def with_extensions(model: CalibratedModel, ext: Extensions, *, closure: str,
                    numeraire: int | None, tol: float, max_iter: int) -> CalibratedModel:
    """The model with extensions, calibrated on flows that are an equilibrium of the plain
    model.

    When calibration clipped final demand (the data are not an equilibrium of the plain
    model), the plain reference equilibrium (`reference_equilibrium`, under
    ``closure``, or fixed deficits for ``balanced``) replaces the data first, as it would
    in a plain solve. Those flows are an equilibrium of the extended model too (a local
    share only raises final demand), so the extended reference solve starts at its
    solution instead of at data it cannot match (a sector whose data spending is far below
    the model's would make the scale and variety terms swing by orders of magnitude).

    Raises
    ------
    ModelError
        With elastic labour, a country whose baseline utility is not positive.
    """
    plain, _ = reference_equilibrium(model, closure="fixed_deficit" if closure == "balanced"
                                     else closure, numeraire=numeraire, tol=tol,
                                     max_iter=max_iter)
    out = calibrate(plain.flows().transpose(2, 1, 0), plain.tau.transpose(2, 1, 0), plain.io,
                    plain.va_share.T, countries=plain.countries, sectors=plain.sectors,
                    trade_elasticity=plain.theta, deficits=plain.D, extensions=ext)
    out.notes = plain.notes + [n for n in out.notes if n not in plain.notes]
    _check_utility(out)
    _check_scale(out)
    _check_returns(out)
    return out


#: psi * theta above which scale economies with several sectors get a warning.
SCALE_WARNING = 0.7


def _check_scale(model: CalibratedModel) -> None:
    """Warn when scale economies are strong enough, with several sectors, to make the
    allocation of labour across sectors nearly indeterminate."""
    ext = model.ext
    if ext is None or not ext.scale or model.n_sectors == 1:
        return
    gain = ext.psi * model.theta
    if gain.max() > SCALE_WARNING:
        top = [model.sectors[k] for k in np.argsort(-gain)[:3] if gain[k] > SCALE_WARNING]
        warnings.warn(
            f"scale_elasticity: psi x theta reaches {gain.max():.3g} ({', '.join(top)}). With "
            f"several sectors a sector's output responds to its own cost with elasticity "
            f"about theta / (1 - psi theta), more with input-output links: near 1 the "
            f"allocation of labour across sectors is nearly indeterminate and the solver may "
            f"fail or find an equilibrium with extreme specialisation. Ignatenko et al. "
            f"(2025) use psi = 0.67 / theta; pass a dict sector -> psi.",
            TariffSimWarning, stacklevel=4)


#: Aggregate-returns index above which an extended solve gets a warning.
RETURNS_WARNING = 0.9


def _check_returns(model: CalibratedModel) -> None:
    """Warn when the extensions come close to aggregate increasing returns
    ([`returns_index`][tariffsim.ge.extensions.returns_index])."""
    g = returns_index(model)
    if (g >= RETURNS_WARNING).any():
        warnings.warn(_returns_text(model, g), TariffSimWarning, stacklevel=4)
    if (g <= -RETURNS_WARNING).any():
        low = np.argsort(g)[:3]
        names = ", ".join(f"{model.countries[k]} {g[k]:.3g}" for k in low if g[k] < 0)
        warnings.warn(
            f"the aggregate-returns index kappa (phi - 1 + pi psi) / (1 - pi (1 - beta)"
            f"(1 + psi)) is strongly negative: {names} (a tariff pass-through well below 1 "
            f"with elastic labour supply). The equilibrium conditions can then have more "
            f"than one solution (a two-country test world has two, with welfare changes of "
            f"opposite sign), and the one returned depends on the starting point; raise "
            f"passthrough or lower labor_supply_elasticity, or compare with another "
            f"solution before quoting the result.", TariffSimWarning, stacklevel=4)


def _returns_text(model: CalibratedModel, g: np.ndarray) -> str:
    top = np.argsort(-g)[:3]
    names = ", ".join(f"{model.countries[k]} {g[k]:.3g}" for k in top)
    return (f"the aggregate-returns index kappa (phi - 1 + pi psi) / (1 - pi (1 - beta)"
            f"(1 + psi)) reaches {names} (labor_supply_elasticity, scale_elasticity, "
            f"local_share, passthrough): near or above 1 employment and productivity "
            f"reinforce each other almost without bound and the equilibrium becomes unstable "
            f"or disappears. Ignatenko et al. (2025) have at most 0.3 (0.74 with "
            f"intermediate inputs); lower kappa, psi or the local share.")


@contextmanager
def _returns_hint(model: CalibratedModel) -> Iterator[None]:
    """Add the aggregate-returns index to a ConvergenceError of an extended solve."""
    try:
        yield
    except ConvergenceError as exc:
        if model.ext is not None:
            g = returns_index(model)
            exc.diagnostics["returns_index"] = float(g.max())
            exc.args = (f"{exc.args[0]}. Model extensions: {_returns_text(model, g)}",)
        raise


@contextmanager
def _country_names(countries: Sequence[str]) -> Iterator[None]:
    """Name countries by code instead of index in a no-equilibrium ConvergenceError."""
    try:
        yield
    except ConvergenceError as exc:
        neg = exc.diagnostics.get("negative_spending")
        if neg:
            names = [countries[k] for k in neg]
            exc.diagnostics["negative_spending"] = names
            exc.args = (exc.args[0].replace(
                "country index " + ", ".join(str(k) for k in neg), ", ".join(names)),)
        raise


#: Loosest ``tol`` accepted: a max abs log labour-market error of 1e-4 (0.01%); a looser
#: stopping rule returns points that are not equilibria.
MAX_TOL = 1e-4


def _check_options(baseline: Any, shocks: Any, *, closure: str, tol: Any,
                   max_iter: Any) -> tuple[float, int]:
    """Checked ``(tol, max_iter)`` (any real / integral numpy type accepted)."""
    check_option(closure, Closure, "closure")
    real = isinstance(tol, int | float | np.integer | np.floating) and not isinstance(
        tol, bool | np.bool_)
    if not (real and 0 < float(tol) < 1):
        raise ModelError(f"tol: must be a number in (0, 1) and at most {MAX_TOL:g}, got "
                         f"{tol!r}; the default 1e-10 is the usual choice.", field="tol")
    if float(tol) > MAX_TOL:
        raise ModelError(f"tol: {tol!r} is too loose: the solver would stop at points with "
                         f"labour-market (trade-balance) errors up to {float(tol):.0%} that "
                         f"are not an equilibrium. Use a value <= {MAX_TOL:g} (default "
                         f"1e-10).", field="tol")
    if not (isinstance(max_iter, int | np.integer) and not isinstance(max_iter, bool | np.bool_)
            and max_iter > 0):
        raise ModelError(f"max_iter: must be a positive integer such as 2000, got "
                         f"{max_iter!r}.", field="max_iter")
    tol, max_iter = float(tol), int(max_iter)
    if not all(hasattr(baseline, a) for a in ("countries", "sectors", "flows", "tariffs",
                                                 "value_added")):
        raise ModelError(f"baseline: expected a tariffsim.Baseline, got "
                         f"{type(baseline).__name__}; build one with Baseline.from_frame or "
                         f"tariffsim.load_baseline().", field="baseline")
    if shocks is not None and not isinstance(shocks, Shocks):
        raise ScenarioError(f"shocks: expected a tariffsim.Shocks (or None), got "
                            f"{type(shocks).__name__}; turn a Scenario into shocks with "
                            f"scenario.shocks(baseline) or call tariffsim.simulate.",
                            field="shocks")
    return tol, max_iter


def _check_utility(model: CalibratedModel) -> None:
    """With elastic labour, baseline utility ``F - kappa/(1+kappa) Y / (1 - s)`` must be
    positive for the welfare measures to mean anything."""
    ext = model.ext
    if ext is None or not ext.labour:
        return
    s0 = model.tariff_revenue() / model.VA if ext.income_tax else 0.0
    c = ext.kappa / (1.0 + ext.kappa)
    bad = model.income() - c * model.VA / (1.0 - s0) <= 0
    if bad.any():
        names = [model.countries[k] for k in np.flatnonzero(bad)[:10]]
        raise ModelError(f"labor_supply_elasticity: with kappa > 0 the baseline utility "
                         f"(spending minus the disutility of work, kappa/(1+kappa) of factor "
                         f"income) is not positive for {names}: their transfers out are too "
                         f"large a share of income. Give them kappa = 0 (a dict country -> "
                         f"kappa) or check the deficits.", field="labor_supply_elasticity")


def _numeraire(numeraire: str | None, countries: tuple[str, ...]) -> tuple[int | None, str]:
    """``(index or None, label)`` of the numeraire: world GDP or a country's price index."""
    if numeraire in (None, "world_gdp"):
        return None, "world_gdp"
    if numeraire not in countries:
        from tariffsim.errors import unknown_codes_message
        raise ModelError(unknown_codes_message("numeraire", [numeraire], countries)
                         + " Or use 'world_gdp'.", field="numeraire")
    return countries.index(numeraire), f"price_index:{numeraire}"


def _deficit_vector(deficits: Any, countries: tuple[str, ...]) -> np.ndarray | None:
    """Baseline deficits given by the user as an ``(N,)`` array, or None."""
    if deficits is None:
        return None
    if isinstance(deficits, str):
        raise ModelError(f"deficits: got the text {deficits!r}; give {len(countries)} numbers "
                         f"(one per country) or a dict country -> deficit.", field="deficits")
    if isinstance(deficits, dict | pd.Series):
        d = dict(deficits)
        unknown = [k for k in d if k not in countries]
        if unknown:
            from tariffsim.errors import unknown_codes_message
            raise ModelError(unknown_codes_message("deficits", unknown, countries),
                             field="deficits")
        vals = [d.get(c, 0.0) for c in countries]
    else:
        vals = deficits
    try:
        return np.asarray(vals, dtype=float)
    except (TypeError, ValueError):
        raise ModelError(f"deficits: cannot read {deficits!r} as numbers; give "
                         f"{len(countries)} numbers (imports - exports, one per country) or a "
                         f"dict country -> deficit.", field="deficits") from None
