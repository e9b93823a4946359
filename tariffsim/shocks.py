"""Array-level shocks: what a Scenario becomes once it is applied to a Baseline.

This is the contract between the scenario layer (instruments, dates) and the model
engines (GE, PE). Every array is indexed like ``Baseline.flows``:
``[exporter, importer, sector]`` in the baseline's country and sector order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .literals import Rents

__all__ = ["Shocks", "CommitmentTarget", "QuotaTarget"]


@dataclass(frozen=True)
class CommitmentTarget:
    """An import (purchase) commitment, a floor: imports of ``importer`` from ``exporter``
    in the sectors of ``sector_mask`` must be AT LEAST the target (baseline units, world
    prices).

    The target is `floor` of the pair's imports in the covered sectors in the
    reference world of the engine (the baseline, or the zero-deficit world of the
    ``balanced`` closure): ``max(M0 + increment, level)`` with the parts that are given.
    ``value`` is the target on the baseline the scenario was resolved on (the data); a
    target built with ``value`` only is a level.

    In GE the floor is met by a demand shifter ``b`` on the committed exporter's varieties
    in the importer, an extra unknown in the active set while the floor binds
    (``b >= 1, M >= target, (b - 1)(M - target) = 0``; docs/model.md#instruments-beyond-tariffs).

    Attributes
    ----------
    importer, exporter : int
        Baseline indices.
    sector_mask : ndarray (J,) of bool
    value : float
        The floor on the resolving baseline (``floor(baseline imports)``).
    label : str
    increment : float or None
        The realised increment over the reference imports (None: no increment commitment).
    level : float or None
        The realised level (None: no level commitment).
    """

    importer: int
    exporter: int
    sector_mask: np.ndarray  # bool, shape (J,)
    value: float
    label: str = ""
    increment: float | None = None
    level: float | None = None

    def floor(self, reference: float | None = None) -> float:
        """The target given the pair's imports in the covered sectors in the reference
        world (``reference``; None: ``value``, the target on the resolving baseline)."""
        if reference is None or (self.increment is None and self.level is None):
            return self.value
        parts = [reference + self.increment] if self.increment is not None else []
        if self.level is not None:
            parts.append(self.level)
        return max(parts)


@dataclass(frozen=True)
class QuotaTarget:
    """A quantity cap on exports of ``exporter`` in ``sector_mask`` to ``importer_mask``.

    The cap (baseline units, world prices) is solved for its shadow export tax
    (complementarity: tax >= 0, exports <= cap). ``rents`` is ``"exporter"`` (quota rents
    are income of the exporting country) or ``"dissipated"`` (lost, like an iceberg cost).
    """

    exporter: int
    importer_mask: np.ndarray  # bool, shape (N,)
    sector_mask: np.ndarray  # bool, shape (J,)
    cap: float
    rents: Rents = "exporter"
    label: str = ""


@dataclass
class Shocks:
    """Counterfactual policy in array form.

    Attributes
    ----------
    tariffs : ndarray (N, N, J) or None
        NEW ad valorem tariff levels (0.19 = 19%), ``[exporter, importer, sector]``.
        None: tariffs stay at the baseline.
    trade_costs : ndarray (N, N, J) or None
        Iceberg factor changes d-hat (1 = unchanged; 1.1 = 10% costlier).
    export_taxes : ndarray (N, N, J) or None
        Tax-equivalent export wedges (0.5 = 50%) on exporter's sales to importer.
    export_tax_rents : str
        ``"exporter"``: wedge revenue is income of the exporting country;
        ``"dissipated"``: it is lost.
    commitments : list of CommitmentTarget
    quotas : list of QuotaTarget
    labels : list of str
        Human-readable descriptions of the instruments that produced these arrays.
    """

    tariffs: np.ndarray | None = None
    trade_costs: np.ndarray | None = None
    export_taxes: np.ndarray | None = None
    export_tax_rents: Rents = "exporter"
    commitments: list[CommitmentTarget] = field(default_factory=list)
    quotas: list[QuotaTarget] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        """True when nothing differs from the baseline."""
        return (self.tariffs is None and self.trade_costs is None and self.export_taxes is None
                and not self.commitments and not self.quotas)
