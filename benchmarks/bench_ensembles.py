"""Ensembles and solver speed (run on demand: ``python benchmarks/bench_ensembles.py``).

Every figure is a ratio to a reference measured in the same run:

1. ``ts.monte_carlo`` of the main scenario (us-asean-2025 on the default sectoral baseline
   ``ts.load_baseline()``), ``--draws`` draws (default 1,000) as a batch, against one
   ``ts.simulate`` of the same scenario (goal: at most 50x), and against the draw-by-draw
   path (``engine=ts.simulate``, the pre-batch behaviour) on a sample of draws;
2. memory per draw of the batch (peak traced allocation of one chunk, ``tracemalloc``,
   which sees numpy's buffers), for the chunk size guidance in docs/uncertainty.md;
3. the sectoral default: one ``ts.simulate`` and one ``ts.ge.solve`` on prepared shocks;
4. the synthetic 200 x 50 world with IO (``bench_ge.py``'s) against a memory-streaming
   floor measured in the same child process: ``K = 3`` passes over a ``(J, N, N)`` array
   (one ``np.multiply(A, x, out=C)`` each) per outer evaluation of the solve (goal:
   within 5x of it).

5. ``ts.monte_carlo`` of a projection (us-asean-2025, 2025-2030, ``--projection-draws``
   draws, default 100; each year's draws solved as a batch) against one ``ts.project`` of
   the same years and against the draw-by-draw path (``engine=ts.project``) on a sample.

``--quick`` runs 200 draws (20 for the projection) and skips part 4.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_ge import SYNTH_WORLD  # noqa: E402  (the same synthetic world)

import tariffsim as ts  # noqa: E402
from tariffsim.simulate import as_shocks  # noqa: E402


def best_of(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def bench_monte_carlo(draws: int, repeat: int) -> None:
    base = ts.load_baseline()
    scen = ts.scenarios.load("us-asean-2025")
    ts.simulate(base, scen)                                      # warm caches
    t1, r = best_of(lambda: ts.simulate(base, scen), repeat)
    tb, mc = best_of(lambda: ts.monte_carlo(base, scen, n=draws, seed=0), 1)
    sample = min(50, draws)
    tl, _ = best_of(lambda: ts.monte_carlo(base, scen, n=sample, seed=0,
                                           engine=ts.simulate), 1)
    per_loop = tl / sample
    print(f"[monte_carlo] {len(base.countries)} x {len(base.sectors)} sectoral default, "
          f"us-asean-2025: one simulate {t1 * 1e3:.1f} ms ({r.diagnostics['iterations']} "
          f"iterations); {draws} draws as a batch {tb:.2f} s = {tb / t1:.0f} x one solve "
          f"(goal <= 50); draw by draw {per_loop * 1e3:.1f} ms/draw = "
          f"{per_loop * draws / t1:.0f} x; batch speed-up {per_loop * draws / tb:.1f}x; "
          f"{mc.draws.attrs['solved_one_by_one']} draws left the batch")


def bench_memory() -> None:
    from tariffsim.ge.batch import solve_batch
    from tariffsim.ge.calibration import calibrate
    from tariffsim.ge.prepare import prepare_shocks
    base = ts.load_baseline()
    shocks = as_shocks(base, ts.scenarios.load("us-asean-2025"))
    c, s = tuple(base.countries), tuple(base.sectors)
    model = calibrate(base.flows, base.tariffs, base.io, base.value_added, countries=c,
                      sectors=s)
    prep = prepare_shocks(shocks, c, s)
    out = []
    for b in (25, 100):
        theta = np.full(b, 5.0)
        tracemalloc.start()
        solve_batch(model, prep, theta, closure="fixed_deficit", numeraire=None, tol=1e-10,
                    max_iter=2000)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out.append((b, peak))
    (b0, p0), (b1, p1) = out
    per = (p1 - p0) / (b1 - b0)
    print(f"[memory] peak traced allocation: {p0 / 2**20:.0f} MB for a chunk of {b0} draws, "
          f"{p1 / 2**20:.0f} MB for {b1}: {per / 2**20:.2f} MB per draw "
          f"({per / (len(c) ** 2 * len(s) * 8):.0f} (J, N, N) float64 arrays)")


def bench_sectoral(repeat: int) -> None:
    base = ts.load_baseline()
    scen = ts.scenarios.load("us-asean-2025")
    shocks = as_shocks(base, scen)
    ts.ge.solve(base, shocks)
    t1, _ = best_of(lambda: ts.simulate(base, scen), repeat)
    t2, r = best_of(lambda: ts.ge.solve(base, shocks), repeat)
    print(f"[sectoral] default baseline {len(base.countries)} x {len(base.sectors)}, "
          f"us-asean-2025: ts.simulate {t1 * 1e3:.1f} ms (validation + shocks + solve), "
          f"ts.ge.solve on prepared shocks {t2 * 1e3:.1f} ms "
          f"({r.diagnostics['evaluations']} evaluations)")


STREAM = r"""
import numpy as np, time, sys
sys.path.insert(0, {root!r})
from tariffsim import Baseline
from tariffsim.ge import solve
from tariffsim.shocks import Shocks
{world}sh = Shocks(tariffs=new)
times = []
for _ in range({repeat}):
    t = time.perf_counter()
    r = solve(b, sh, trade_elasticity=theta)
    times.append(time.perf_counter() - t)
A = rng.random((J, N, N)); x = rng.random((J, 1, N)); C = np.empty_like(A)
passes = []
for _ in range(20):
    t = time.perf_counter()
    np.multiply(A, x, out=C)
    passes.append(time.perf_counter() - t)
d = r.diagnostics
print(min(times), min(passes), d["evaluations"], d["iterations"], d["inner_price_iterations"],
      d["inner_expenditure_iterations"])
"""


def bench_stream(repeat: int, N: int = 200, J: int = 50, K: int = 3) -> None:
    code = STREAM.format(root=str(ROOT), world=SYNTH_WORLD.format(N=N, J=J),
                         repeat=repeat)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode:
        print(f"[stream {N}x{J}] failed:\n{out.stderr[-2000:]}")
        return
    t, tp, ev, it, ip, ix = out.stdout.split()
    t, tp, ev = float(t), float(tp), int(ev)
    floor = ev * K * tp
    print(f"[stream {N}x{J}] IO solve {t:.3f} s ({ev} evaluations, {it} iterations, "
          f"{ip} inner price and {ix} inner expenditure iterations); one pass over a "
          f"(J, N, N) array {tp * 1e3:.2f} ms; floor = {ev} evaluations x K={K} passes = "
          f"{floor:.3f} s; ratio {t / floor:.1f}x (goal <= 5); "
          f"{t / (ev * tp):.0f} pass-equivalents per evaluation")


def bench_projection(draws: int, repeat: int) -> None:
    base = ts.load_baseline()
    scen = ts.scenarios.load("us-asean-2025")
    years = range(2025, 2031)
    ts.project(base, scen, years=years, progress=False)          # warm caches
    tp, _ = best_of(lambda: ts.project(base, scen, years=years, progress=False), repeat)
    tb, mc = best_of(lambda: ts.monte_carlo(base, scen, n=draws, seed=0, years=years), 1)
    sample = min(10, draws)
    tl, _ = best_of(lambda: ts.monte_carlo(base, scen, n=sample, seed=0, years=years,
                                           engine=ts.project), 1)
    per_loop = tl / sample
    print(f"[projection monte_carlo] us-asean-2025 2025-2030 on the sectoral default: one "
          f"project {tp:.2f} s; {draws} draws batched per year {tb:.2f} s = "
          f"{tb / tp:.0f} x one projection; draw by draw {per_loop:.2f} s/draw = "
          f"{per_loop * draws / tp:.0f} x; batch speed-up {per_loop * draws / tb:.1f}x; "
          f"{mc.draws.attrs['solved_one_by_one']} draws left the batch")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--projection-draws", type=int, default=100)
    ap.add_argument("--only", choices=["mc", "memory", "sectoral", "stream", "projection"])
    a = ap.parse_args(argv)
    draws = 200 if a.quick else a.draws
    if a.only in (None, "sectoral"):
        bench_sectoral(a.repeat)
    if a.only in (None, "mc"):
        bench_monte_carlo(draws, a.repeat)
    if a.only in (None, "projection"):
        bench_projection(20 if a.quick else a.projection_draws, a.repeat)
    if a.only in (None, "memory"):
        bench_memory()
    if a.only in (None, "stream") and not a.quick:
        bench_stream(max(1, a.repeat // 2))


if __name__ == "__main__":
    main()
