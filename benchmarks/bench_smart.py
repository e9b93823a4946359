"""Benchmark: vectorised SMART on 5,000 HS6 products x 200 exporters (1,000,000 rows).

Compares ``tariffsim.pe.smart`` with a naive reference that loops over products in
Python (the way a spreadsheet port would), both measured in this run, and checks that
they agree. Run: python benchmarks/bench_smart.py [n_products] [n_exporters]
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

import tariffsim.pe as pe


def make_data(n_products: int, n_exporters: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    prod = np.repeat([f"{i:06d}" for i in range(n_products)], n_exporters)
    expo = np.tile([f"X{j:03d}" for j in range(n_exporters)], n_products)
    return pd.DataFrame({"importer": "USA", "exporter": expo, "product": prod,
                         "value": rng.lognormal(0.0, 2.0, prod.size),
                         "tariff": rng.choice([0.0, 0.025, 0.05, 0.1, 0.19], prod.size)})


def naive(value, t0, t1, eps, sigma, n_products, n_exporters):
    """Per-product loop: creation and CES diversion, one product at a time."""
    tc_all, td_all = [], []
    for p in range(n_products):
        sl = slice(p * n_exporters, (p + 1) * n_exporters)
        m, a, b = value[sl], t0[sl], t1[sl]
        tc, w = [], []
        for k in range(n_exporters):  # as a spreadsheet would
            dp = (b[k] - a[k]) / (1 + a[k])
            tc.append(eps[p] * m[k] * dp)
            w.append(m[k] * (1 + dp) ** (-sigma))
        tot, ws = sum(m), sum(w)
        tc_all.extend(tc)
        td_all.extend(wk / ws * tot - mk for wk, mk in zip(w, m, strict=True))
    return np.array(tc_all), np.array(td_all)


def main() -> None:
    n_products = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    n_exporters = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    df = make_data(n_products, n_exporters)
    t = time.perf_counter()
    data = pe.ProductData.from_frame(df)
    t_build = time.perf_counter() - t
    rng = np.random.default_rng(1)
    eps = pd.Series(-rng.uniform(0.3, 2.0, n_products), index=data.products)
    new = pd.DataFrame({"exporter": ["X000", "X001", "X002"], "rate": [0.30, 0.25, 0.0]})

    runs = []
    for _ in range(3):
        t = time.perf_counter()
        res = pe.smart(data, new, import_demand_elasticity=eps)
        runs.append(time.perf_counter() - t)
    t_smart = min(runs)

    # the array-level engine alone (creation and diversion, no tables)
    market = data.codes("market")
    eps_rows = eps.to_numpy()[data.codes("product")]
    t1_rows = res.products["tariff_scenario"].to_numpy()
    t = time.perf_counter()
    pe.smart_effects(data.value, data.tariff, t1_rows, market,
                     import_demand_elasticity=eps_rows)
    t_core = time.perf_counter() - t

    # naive reference on the same rows (data are sorted by product, then exporter)
    t1 = res.products["tariff_scenario"].to_numpy()
    t = time.perf_counter()
    tc, td = naive(data.value, data.tariff, t1, eps.to_numpy(), 1.5, n_products, n_exporters)
    t_naive = time.perf_counter() - t
    err = max(np.abs(tc - res.products["trade_creation"].to_numpy()).max(),
              np.abs(td - res.products["trade_diversion"].to_numpy()).max())
    print(f"SMART, {n_products} products x {n_exporters} exporters = {data.n_rows:,} rows")
    print(f"  ProductData.from_frame (validation)   {t_build:8.3f} s")
    print(f"  tariffsim.pe.smart (best of 3)        {t_smart:8.3f} s")
    print(f"  pe.smart_effects (array engine only)  {t_core:8.3f} s")
    print(f"  naive per-product Python loop         {t_naive:8.3f} s")
    print(f"  ratio naive / smart (full tables)     {t_naive / t_smart:8.1f} x")
    print(f"  ratio naive / array engine            {t_naive / t_core:8.1f} x")
    print(f"  max abs difference                    {err:.2e}")


if __name__ == "__main__":
    main()
