"""Benchmark: the main calls on the sectoral default baseline (issue #10 targets on a 2-core
machine: ``ts.simulate`` below 0.5 s, ``ts.project`` over 2025-2030 below 3 s).

* ``simulate``: ``ts.simulate(base, "reciprocal-aug-2025", date="2025-09-01")`` on
  ``ts.load_baseline()`` (22 economies x 22 sectors with IO), split into resolving the
  scenario (``as_shocks``: validation on every policy date and the US tariff lines of 76
  instruments) and the GE solve;
* ``project``: ``ts.project(base, "us-asean-2025", years=range(2025, 2031))``, six GE solves
  with the 2025 tariffs averaged over the days of each policy regime (``year_rule="average"``).

Each is timed cold (first call in the process: reads the line data, compiles the scenario,
evaluates its policy dates) and warm (median of repeats; what a session that already ran it
pays). References measured in the same run: the same call on the one-sector world
``goods-2024`` (same scenario, line engine included), and a fixed numpy workload (a
1500 x 1500 matrix product), so that the ratios mean the same on any machine.

Run: python benchmarks/bench_sectoral.py [repeats]
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


def _once(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    import numpy as np

    import tariffsim as ts
    from tariffsim.ge import solve
    from tariffsim.simulate import as_shocks

    a = np.random.default_rng(0).standard_normal((1500, 1500))
    t_np = _time(lambda: a @ a, repeats)
    base = ts.load_baseline()
    goods = ts.load_baseline("goods-2024")
    aug = ts.scenarios.load("reciprocal-aug-2025")
    deal = ts.scenarios.load("us-asean-2025")

    def sim(b):
        return lambda: ts.simulate(b, aug, date="2025-09-01")

    def proj(b):
        return lambda: ts.project(b, deal, years=range(2025, 2031))

    cold_sim = _once(sim(base))
    warm_sim = _time(sim(base), repeats)
    t_resolve = _time(lambda: as_shocks(base, aug, date="2025-09-01"), repeats)
    shocks = as_shocks(base, aug, date="2025-09-01")
    t_solve = _time(lambda: solve(base, shocks), repeats)
    cold_proj = _once(proj(base))
    warm_proj = _time(proj(base), repeats)
    ref_sim = _time(sim(goods), repeats)
    ref_proj = _time(proj(goods), repeats)

    print(f"numpy reference (1500 x 1500 matmul): {t_np:.3f} s")
    rows = [
        ("simulate, cold (first call)", cold_sim, ref_sim),
        ("simulate, warm", warm_sim, ref_sim),
        ("  of which resolving the scenario", t_resolve, None),
        ("  of which the GE solve", t_solve, None),
        ("project 2025-2030, cold", cold_proj, ref_proj),
        ("project 2025-2030, warm", warm_proj, ref_proj),
    ]
    print(f"{'sectoral default (22 x 22, IO)':38s} {'seconds':>8s} {'x one-sector':>13s} "
          f"{'x numpy ref':>12s}")
    for label, t, ref in rows:
        r1 = f"{t / ref:13.1f}" if ref else f"{'':13s}"
        print(f"{label:38s} {t:8.3f} {r1} {t / t_np:12.1f}")
    print(f"one-sector world: simulate {ref_sim:.3f} s, project {ref_proj:.3f} s "
          f"(targets on the sectoral default: simulate < 0.5 s, project < 3 s)")


if __name__ == "__main__":
    main()
