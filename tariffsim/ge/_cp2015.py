"""Reader for the Caliendo & Parro (2015) NAFTA replication files (1993, 31 x 40).

This only READS the published replication layout from a folder the user supplies; no data
ships with tariffsim. Layout (tab-separated, no headers):

* ``xbilat1993.txt`` (20*31 x 31), thousands of USD, block j = tradable sector j, row =
  importer, column = exporter; read as flows at world (tariff-exclusive) prices (reading them
  as tariff-inclusive instead moves Mexico's volume-of-trade term from 1.72 to 1.60 and away
  from Table 2);
* ``tariffs1993.txt``, ``tariffs2005.txt``: same layout, percent;
* ``IO.txt`` (31*40 x 40): block n = country n, entry [k, j] = share of input k in sector
  j's intermediate cost (columns sum to one);
* ``B.txt`` (40 x 31): value-added share of gross output [sector, country];
* ``GO.txt`` (40 x 31): gross output; ``T.txt``: theta of the 20 tradable sectors.

Preparation follows the replication: domestic sales = gross output - exports (gross output
clipped at exports), IO shares times ``1 - B``; the single negative IO entry (Canada,
input 20 into sector 11, -0.00057) is set to zero and its column renormalised; columns
(which sum to one only to about 1.6e-6 in the published file) are rescaled to sum to one
exactly so that cost shares add up and Walras' law holds.

Reference: Caliendo, L. and Parro, F. (2015), Review of Economic Studies 82(1), 1-44.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tariffsim.errors import DataError

COUNTRIES = ("ARG", "AUS", "AUT", "BRA", "CAN", "CHL", "CHN", "DNK", "FIN", "FRA", "DEU",
             "GRC", "HUN", "IND", "IDN", "IRL", "ITA", "JPN", "KOR", "MEX", "NLD", "NZL",
             "NOR", "PRT", "ZAF", "ESP", "SWE", "TUR", "GBR", "USA", "ROW")
TRADABLE_SECTORS = ("Agriculture", "Mining", "Food", "Textile", "Wood", "Paper", "Petroleum",
                    "Chemicals", "Plastic", "Minerals", "Basic metals", "Metal products",
                    "Machinery n.e.c.", "Office", "Electrical", "Communication", "Medical",
                    "Auto", "Other transport", "Other")
SERVICE_SECTORS = tuple(f"Services {k}" for k in range(1, 21))
SECTORS = TRADABLE_SECTORS + SERVICE_SECTORS
SERVICES_THETA = 8.22
NAFTA = ("CAN", "MEX", "USA")


@dataclass
class CP2015Data:
    """Arrays in tariffsim's baseline layout ([exporter, importer, sector])."""

    countries: tuple
    sectors: tuple
    flows: np.ndarray          # (N, N, J) world prices, USD, domestic on the diagonal
    tariffs1993: np.ndarray    # (N, N, J) rates
    tariffs2005: np.ndarray    # (N, N, J) rates
    io: np.ndarray             # (N, J, J) [country, input, sector] share of gross output
    value_added: np.ndarray    # (N, J)
    theta: np.ndarray          # (J,)
    negative_io_entries: int

    def nafta_tariffs(self) -> np.ndarray:
        """1993 tariffs except the pairs among Canada, Mexico and the USA, which get 2005's."""
        t = self.tariffs1993.copy()
        idx = [self.countries.index(c) for c in NAFTA]
        for a in idx:
            for b in idx:
                if a != b:
                    t[a, b, :] = self.tariffs2005[a, b, :]
        return t


def _read(folder: Path, name: str) -> np.ndarray:
    path = folder / name
    if not path.exists():
        raise DataError(f"{path}: file not found; the CP (2015) replication folder must hold "
                        f"xbilat1993.txt, tariffs1993.txt, tariffs2005.txt, IO.txt, B.txt, "
                        f"GO.txt and T.txt.", field=name)
    return np.loadtxt(path, delimiter="\t", ndmin=2)


def load_cp2015(folder) -> CP2015Data:
    """Read and prepare the CP (2015) replication files in ``folder``."""
    folder = Path(folder)
    N, Jt, J = 31, 20, 40
    xb = _read(folder, "xbilat1993.txt") * 1000.0
    t93 = _read(folder, "tariffs1993.txt") / 100.0
    t05 = _read(folder, "tariffs2005.txt") / 100.0
    IO = _read(folder, "IO.txt")
    B = _read(folder, "B.txt")
    GO = _read(folder, "GO.txt")
    T = _read(folder, "T.txt").ravel()
    for name, a, shape in (("xbilat1993.txt", xb, (Jt * N, N)),
                           ("tariffs1993.txt", t93, (Jt * N, N)),
                           ("tariffs2005.txt", t05, (Jt * N, N)), ("IO.txt", IO, (N * J, J)),
                           ("B.txt", B, (J, N)), ("GO.txt", GO, (J, N)), ("T.txt", T, (Jt,))):
        if a.shape != shape:
            raise DataError(f"{name}: expected shape {shape}, got {a.shape}.", field=name)

    def to_exp_imp(a):  # (Jt*N [j, importer], N exporter) -> (N exporter, N importer, J)
        out = np.zeros((N, N, J))
        out[:, :, :Jt] = a.reshape(Jt, N, N).transpose(2, 1, 0)
        return out

    tau93 = to_exp_imp(t93)
    tau05 = to_exp_imp(t05)
    flows = to_exp_imp(xb)
    exports = flows.sum(axis=1).T                      # (J, N exporter)
    go = np.maximum(GO, exports)
    dom = go - exports
    for n in range(N):
        flows[n, n, :] = dom[:, n]
    io = IO.reshape(N, J, J).copy()                    # [country, input k, sector j]
    neg = int((io < 0).sum())
    if neg:
        cols = np.argwhere((io < 0).any(axis=1))          # (country, sector) columns
        io = np.clip(io, 0.0, None)
        for n, j in cols:
            io[n, :, j] /= io[n, :, j].sum()
    colsum = io.sum(axis=1, keepdims=True)
    io = np.where(colsum > 0, io / np.where(colsum > 0, colsum, 1.0), 0.0)
    va = B.T.copy()                                    # (N, J)
    io = io * (1.0 - va)[:, None, :]
    theta = np.concatenate([T, np.full(J - Jt, SERVICES_THETA)])
    return CP2015Data(countries=COUNTRIES, sectors=SECTORS, flows=flows, tariffs1993=tau93,
                      tariffs2005=tau05, io=io, value_added=va, theta=theta,
                      negative_io_entries=neg)
