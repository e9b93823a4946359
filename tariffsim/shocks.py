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
    """An import (purchase) commitment: imports of ``importer`` from ``exporter`` in the
    sectors of ``sector_mask`` must reach ``value`` (baseline units, world prices).

    In GE this is met by a demand shifter on the committed exporter's varieties in the
    importer, solved as one extra unknown (MODEL.md section 3).
    """

    importer: int
    exporter: int
    sector_mask: np.ndarray  # bool, shape (J,)
    value: float
    label: str = ""


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
