"""Random but well-posed worlds for the GE property and robustness tests.

One recipe, so that the hypothesis properties and the fixed-seed robustness cases test
the same kind of world: some zero bilateral flows (never domestic ones), every country
with some exports and imports, domestic sales dominating as in real data (which keeps
every income positive), tariffs on about half the pairs, and IO links when asked.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import tariffsim as ts


def random_world(rng: np.random.Generator, n: int, j: int,
                 with_io: Callable[[], bool]) -> tuple[ts.Baseline, np.ndarray]:
    """A baseline of ``n`` countries and ``j`` sectors and a theta per sector (2 to 8).

    ``with_io`` is asked once, after the flows and tariffs are drawn, whether to add IO
    links (so callers decide with their own source of randomness without changing the
    order in which ``rng`` is used).
    """
    flows = rng.lognormal(0.0, 1.5, size=(n, n, j))
    zero = rng.random((n, n, j)) < 0.15
    zero[np.arange(n), np.arange(n), :] = False
    kept = flows.copy()
    flows[zero] = 0.0
    # every country keeps some exports and imports (a one-way trader cannot balance its
    # trade: see test_reliability_extremes for what the solver does then)
    intl = flows.sum(axis=2) - np.diag(np.diagonal(flows.sum(axis=2)))
    for i in range(n):
        if intl[i].sum() == 0 or intl[:, i].sum() == 0:
            flows[i, :, :] = kept[i]
            flows[:, i, :] = kept[:, i]
    # domestic sales dominate, as in real data (and keep every country's income positive:
    # a trade surplus larger than value added is rejected by the calibration)
    exports = flows.sum(axis=1) - flows[np.arange(n), np.arange(n), :]
    flows[np.arange(n), np.arange(n), :] = rng.uniform(3, 20, size=(n, j)) * (exports + 1)
    tariffs = np.where(rng.random((n, n, j)) < 0.5, rng.uniform(0, 0.3, (n, n, j)), 0.0)
    tariffs[np.arange(n), np.arange(n), :] = 0.0
    io = None
    if with_io():
        io = rng.uniform(0, 1, (n, j, j))
        io *= rng.uniform(0.2, 0.6, (n, 1, j)) / io.sum(axis=1, keepdims=True)
    base = ts.Baseline.from_arrays(tuple(f"C{k}" for k in range(n)),
                                   tuple(f"s{k}" for k in range(j)), flows, tariffs, io=io)
    return base, rng.uniform(2, 8, j)


def oracle_world(seed: int = 0, n: int = 6
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A one-sector world in the IMLS oracle's layout (tests/imls_reference.py): flows
    ``X[exporter, importer]`` with dominant domestic sales, old and new tariffs (about half
    the pairs taxed, 60% raised by up to 40 points) and local shares in [0, 0.3)."""
    rng = np.random.default_rng(seed)
    X = rng.lognormal(0, 1, (n, n))
    X[np.arange(n), np.arange(n)] = rng.uniform(3, 10, n) * X.sum(axis=1)
    t0 = np.where(rng.random((n, n)) < 0.5, rng.uniform(0, 0.15, (n, n)), 0.0)
    np.fill_diagonal(t0, 0.0)
    t1 = t0 + rng.uniform(0, 0.4, (n, n)) * (rng.random((n, n)) < 0.6)
    np.fill_diagonal(t1, 0.0)
    return X, t0, t1, rng.uniform(0.0, 0.3, n)


def stagnation_world() -> tuple[ts.Baseline, np.ndarray, np.ndarray]:
    """The 2-country, 1-sector IO world on which the first solver stalled (residual 0.15):
    the baseline, its theta, and the new tariffs (C0 -> C1 raised by 200 points)."""
    flows = np.array([[[54.67426825], [3.42954368]], [[1.64157413], [9.16231287]]])
    tar = np.array([[[0.0], [0.0]], [[0.04021251], [0.0]]])
    io = np.array([[[0.50014587]], [[0.3121635]]])
    base = ts.Baseline.from_arrays(("C0", "C1"), ("s0",), flows, tar, io=io)
    t = np.array(base.tariffs)
    t[0, 1, 0] += 2.0
    return base, np.array([4.91114585]), t


def near_autarky_world() -> tuple[ts.Baseline, np.ndarray]:
    """4 countries x 2 sectors with IO, and a 1000% tariff on every import."""
    rng = np.random.default_rng(3)
    n, j = 4, 2
    flows = rng.lognormal(0, 1, (n, n, j))
    flows[np.arange(n), np.arange(n), :] += 5 * flows.sum(axis=1)
    io = np.full((n, j, j), 0.2)
    base = ts.Baseline.from_arrays(tuple("ABCD"), ("x", "y"), flows, io=io)
    t = np.full((n, n, j), 10.0)
    t[np.arange(n), np.arange(n), :] = 0.0
    return base, t
