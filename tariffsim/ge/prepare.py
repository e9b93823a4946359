"""Shock preparation: a [`Shocks`][tariffsim.shocks.Shocks] checked and turned into the
solver's internal arrays and extra unknowns.

The array shocks (``[exporter, importer, sector]``, the Baseline layout) become
``(J, N, N)`` arrays ``[sector, importer, exporter]``; every import commitment and export
quota becomes an `Extra`, one more unknown of the equilibrium system (a demand
shifter, or a shadow export tax) that `tariffsim.ge.active_set` switches on and off.
Nothing here depends on the calibrated model: the checks are the ones a Shocks must pass
whatever the baseline values are.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from tariffsim.errors import ScenarioError, TariffSimWarning, UnreachableError
from tariffsim.literals import RENTS, Rents, check_option
from tariffsim.shocks import CommitmentTarget, QuotaTarget, Shocks

__all__ = ["Extra", "PreparedShocks", "prepare_shocks", "reference_targets",
           "EXPORT_TAX_RENTS"]

#: Who receives the revenue of an export tax or the rents of a quota.
EXPORT_TAX_RENTS = RENTS


@dataclass(eq=False)
class Extra:
    """An extra unknown of the equilibrium: a commitment (demand shifter) or a quota
    (shadow export tax) on the flows ``[j_mask, n_mask, i]`` (compared by identity).

    Attributes
    ----------
    kind : {"commitment", "quota"}
    n_mask : ndarray (N,) of bool
        Importers covered.
    i : int
        Exporter.
    j_mask : ndarray (J,) of bool
        Sectors covered.
    target : float
        The commitment's floor, or the cap (baseline units, world prices).
    rents : {"exporter", "dissipated"}
        Quotas only: who receives the quota rents.
    label : str
        Unique name; the key of ``Result.extras``.
    commitment : CommitmentTarget or None
        Commitments only: the resolver's target, whose floor `reference_targets`
        recomputes in the reference world.
    reference : float or None
        Commitments only: the covered imports in the reference world (set by
        `reference_targets`).
    """

    kind: str
    n_mask: np.ndarray
    i: int
    j_mask: np.ndarray
    target: float
    rents: str = "exporter"
    label: str = ""
    commitment: CommitmentTarget | None = None
    reference: float | None = None

    def index(self) -> tuple[np.ndarray, ...]:
        """Index of the covered cells of a ``(J, N importer, N exporter)`` array."""
        return np.ix_(self.j_mask, self.n_mask, np.array([self.i]))

    def value(self, flows: np.ndarray) -> float:
        """Sum of the covered ``flows`` ``(J, N importer, N exporter)``."""
        return float(flows[self.index()].sum())


@dataclass
class PreparedShocks:
    """A Shocks in the solver's layout.

    Attributes
    ----------
    tau_new, trade_costs : ndarray (J, N, N) or None
        New tariff levels and iceberg factor changes; None when unchanged.
    rent_rate, dissipated_rate : ndarray (J, N, N) or None
        Export-tax rates whose revenue goes to the exporter / is lost; None when zero.
    commitments, quotas : list of Extra
        Floors and caps: inequality targets, in the system while they bind
        (`tariffsim.ge.active_set`).
    labels : list of str
        The instruments' descriptions (``Result.scenario``).
    """

    tau_new: np.ndarray | None = None
    trade_costs: np.ndarray | None = None
    rent_rate: np.ndarray | None = None
    dissipated_rate: np.ndarray | None = None
    commitments: list[Extra] = field(default_factory=list)
    quotas: list[Extra] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


def prepare_shocks(shocks: Shocks | None, countries: Sequence[str],
                   sectors: Sequence[str]) -> PreparedShocks:
    """Check a Shocks against the baseline's dimensions and convert it.

    Parameters
    ----------
    shocks : Shocks or None
        None: no shock.
    countries, sectors : sequence of str
        The baseline's codes (their lengths N and J fix the shapes; the codes name the
        default labels of commitments and quotas).

    Returns
    -------
    PreparedShocks

    Raises
    ------
    ScenarioError
        Wrong shapes, non-finite entries, rates at or below -100%, non-positive iceberg
        factors, commitments or quotas that cover no flow, unknown rent recipients.
    UnreachableError
        A quota with a zero cap (it needs an infinite export tax).
    """
    if shocks is None:
        return PreparedShocks()
    N, J = len(countries), len(sectors)
    out = PreparedShocks(labels=list(getattr(shocks, "labels", []) or []))
    if shocks.tariffs is not None:
        out.tau_new = _tariffs(shocks.tariffs, N, J)
    if shocks.trade_costs is not None:
        out.trade_costs = _shock_array("shocks.trade_costs", shocks.trade_costs, N, J,
                                       positive=True)
    if shocks.export_taxes is not None:
        out.rent_rate, out.dissipated_rate = _export_taxes(
            shocks.export_taxes, shocks.export_tax_rents, N, J)
    out.commitments = [_commitment(c, countries, J) for c in shocks.commitments]
    out.quotas = [_quota(q, countries, J) for q in shocks.quotas]
    _unique_labels(out.commitments + out.quotas)
    return out


def _shock_array(name: str, a: np.ndarray, N: int, J: int, *, positive: bool = False,
                 above: float | None = None) -> np.ndarray:
    """An ``(N, N, J)`` shock checked and transposed to ``(J, N, N)``."""
    a = np.asarray(a, dtype=float)
    if a.shape != (N, N, J):
        raise ScenarioError(f"{name}: expected shape {(N, N, J)} [exporter, importer, sector], "
                            f"got {a.shape}.", field=name)
    if not np.all(np.isfinite(a)):
        raise ScenarioError(f"{name}: NaN or infinite entries; every entry must be finite.",
                            field=name)
    if positive and (a <= 0).any():
        raise ScenarioError(f"{name}: iceberg factors must be > 0 (1 = unchanged), found "
                            f"{a.min():.4g}.", field=name)
    if above is not None and (a <= above).any():
        raise ScenarioError(f"{name}: rates must be above {above:.0%} (0.2 = 20%), found "
                            f"{a.min():.4g}.", field=name)
    return np.ascontiguousarray(a.transpose(2, 1, 0))


def _tariffs(a: np.ndarray, N: int, J: int) -> np.ndarray:
    tau = _shock_array("shocks.tariffs", a, N, J, above=-1)
    if (tau > 10).any():
        warnings.warn(f"shocks.tariffs: {int((tau > 10).sum())} rate(s) above 1000% "
                      f"(max {tau.max():.4g}); rates are fractions (0.19 means "
                      f"19%), check the units.", TariffSimWarning, stacklevel=4)
    return tau


def _export_taxes(a: np.ndarray, rents: str, N: int, J: int
                  ) -> tuple[np.ndarray | None, np.ndarray | None]:
    """``(rent_rate, dissipated_rate)``: the export taxes under their rent rule."""
    et = _shock_array("shocks.export_taxes", a, N, J, above=-1)
    check_option(rents, Rents, "shocks.export_tax_rents", error=ScenarioError)
    if not et.any():
        return None, None
    return (et, None) if rents == "exporter" else (None, et)


def _commitment(c: CommitmentTarget, countries: Sequence[str], J: int) -> Extra:
    N = len(countries)
    mask = np.asarray(c.sector_mask, dtype=bool)
    if mask.shape != (J,) or not mask.any() or not (0 <= c.importer < N) \
            or not (0 <= c.exporter < N) or c.importer == c.exporter:
        raise ScenarioError(f"shocks.commitments: {c.label or c} must name two "
                            f"different countries and at least one sector.",
                            field="shocks.commitments")
    if not (np.isfinite(c.value) and c.value > 0):
        raise ScenarioError(f"shocks.commitments: value must be > 0, got {c.value}.",
                            field="shocks.commitments")
    nm = np.zeros(N, dtype=bool)
    nm[c.importer] = True
    return Extra("commitment", nm, c.exporter, mask, float(c.value),
                 label=c.label or f"commitment {countries[c.importer]} <- "
                 f"{countries[c.exporter]}", commitment=c)


def reference_targets(commitments: Sequence[Extra], flows: np.ndarray) -> None:
    """Set each commitment's floor from the reference world's ``flows`` ``(J, N importer,
    N exporter)``, in place: ``max(M0 + increment, level)`` with ``M0`` the covered
    imports there (`floor`). Under the
    ``balanced`` closure the reference is the zero-deficit world, so the increment is
    added to imports of the same world the policy is solved in."""
    for ex in commitments:
        ex.reference = ex.value(flows)
        if ex.commitment is not None:
            ex.target = float(ex.commitment.floor(ex.reference))


def _quota(q: QuotaTarget, countries: Sequence[str], J: int) -> Extra:
    N = len(countries)
    jm = np.asarray(q.sector_mask, dtype=bool)
    nm = np.asarray(q.importer_mask, dtype=bool).copy()
    if jm.shape != (J,) or nm.shape != (N,) or not (0 <= q.exporter < N):
        raise ScenarioError(f"shocks.quotas: {q.label or q} has masks of the wrong "
                            f"shape (need ({N},) importers and ({J},) sectors).",
                            field="shocks.quotas")
    nm[q.exporter] = False
    if not jm.any() or not nm.any():
        raise ScenarioError(f"shocks.quotas: {q.label or q} covers no flows.",
                            field="shocks.quotas")
    check_option(q.rents, Rents, "shocks.quotas.rents", error=ScenarioError)
    if not (np.isfinite(q.cap) and q.cap > 0):
        raise UnreachableError(f"shocks.quotas: cap {q.cap} for {q.label or 'quota'} "
                               f"needs an infinite export tax; use a positive cap or "
                               f"a prohibitive export tax instead.",
                               field="shocks.quotas")
    return Extra("quota", nm, q.exporter, jm, float(q.cap), rents=q.rents,
                 label=q.label or f"quota {countries[q.exporter]}")


def _unique_labels(extras: list[Extra]) -> None:
    """Make the labels unique in place (``"x"``, ``"x (2)"``, ...): they key the extras."""
    seen: set[str] = set()
    for ex in extras:
        base_label, k = ex.label, 1
        while ex.label in seen:
            k += 1
            ex.label = f"{base_label} ({k})"
        seen.add(ex.label)
