"""Benchmark: ``ts.effective_rates`` for every partner on one date (target below 0.5 s).

Scenario: the built-in timeline ``us-tariffs-2025-2026`` (110 instruments, about 210,000
HS10 rows plus pooled rows for the partners with chapter data only). Reference measured in
the same run: one pandas groupby of the 2024 line table (partner -> imports and duty), the
least work any import-weighted rate by partner needs. Printed: seconds and the ratio to the
reference for

* ``cold``: the first call in the process (reads the package data, compiles the scenario);
* ``new scenario``: a scenario not seen before (compile + evaluate; data already loaded);
* ``new date``: the same scenario on another date (HS10 coverage cached per scenario);
* ``by sector``: rates by partner and model sector on a new date.

Run: python benchmarks/bench_tariff_lines.py [repeats]
"""

from __future__ import annotations

import statistics
import sys
import time


def _time(fn, repeats: int) -> float:
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    t = time.perf_counter()
    import tariffsim as ts
    from tariffsim.tariff_lines import engine
    from tariffsim.tariff_lines.data import line_data

    t_import = time.perf_counter() - t
    scen = ts.scenarios.load("us-tariffs-2025-2026")
    t = time.perf_counter()
    df = ts.effective_rates(scen, "2025-09-01")
    t_cold = time.perf_counter() - t

    ld = line_data()
    import pandas as pd

    table = pd.DataFrame({"partner": ld.units.partner.to_numpy()[ld.row_unit],
                          "imports": ld.row_m, "duty": ld.row_m * ld.row_t0})
    t_ref = _time(lambda: table.groupby("partner")[["imports", "duty"]].sum(), repeats)

    def new_scenario() -> None:
        engine._compile_cached.cache_clear()
        ts.effective_rates(scen, "2025-09-01")

    # days when most layers are in force (IEEPA, Section 232 and the deals)
    dates = iter(pd.date_range("2025-08-10", periods=2 * repeats + 2, freq="9D").date)
    t_new = _time(new_scenario, repeats)
    t_date = _time(lambda: ts.effective_rates(scen, next(dates)), repeats)
    t_sector = _time(lambda: ts.effective_rates(scen, next(dates), by="sector"), repeats)

    print(f"effective_rates, {len(df)} exporters, scenario us-tariffs-2025-2026 "
          f"({len(scen.instruments)} instruments), {len(ld.row_unit):,} HS10 rows")
    print(f"  import tariffsim:            {t_import:7.3f} s")
    print(f"  reference (pandas groupby):  {t_ref:7.3f} s")
    for label, sec in (("cold (first call)", t_cold), ("new scenario, one date", t_new),
                       ("known scenario, new date", t_date),
                       ("by sector, new date", t_sector)):
        print(f"  {label:27s}  {sec:7.3f} s   {sec / t_ref:6.1f} x reference   "
              f"{'OK' if sec < 0.5 else 'above'} 0.5 s target")


if __name__ == "__main__":
    main()
