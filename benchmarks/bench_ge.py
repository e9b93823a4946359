"""Benchmarks of the GE engine (run on demand: ``python benchmarks/bench_ge.py``).

Prints wall-clock times (best of ``--repeat``) and ratios against references measured in
the same run:

1. Caliendo-Parro NAFTA (31 x 40 with IO), zero-deficit and fixed-deficit runs, against a
   straightforward port of the replication's algorithm (damped wage update with a fixed
   step, inner price fixed point, dense (NJ x NJ) solve of the expenditure system each outer
   iteration).
2. The 194-country one-sector world of ``validation/liberation_day`` with a 20% US tariff on
   every partner (fixed deficits).
3. A synthetic 200 countries x 50 sectors world with IO (time and peak memory, measured in
   a child process).
4. The 30-country one-sector counterfactual of the structural-gravity package ``gegravity``
   on its sample data (a CAN-JPN trade agreement), timed directly when it is installed.
5. The model of Ignatenko et al. (2025) (``ts.ge.PRESETS["imls2025"]`` with the calibrated
   local shares) on their 194-country world with the announced US tariffs, against the
   plain solve of the same world and shock (target: at most 3x) and against the dense
   Newton solve of the test oracle (tests/imls_reference.py); and the same options on the
   embedded 22 x 22 sectoral world with IO against its plain solve.

Data sets come from ``$TARIFFSIM_VALIDATION_DATA`` (default ``../shared/data/validation``);
parts whose data are missing are skipped with a message.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tariffsim import Baseline  # noqa: E402
from tariffsim.ge import solve  # noqa: E402
from tariffsim.ge.calibration import calibrate  # noqa: E402
from tariffsim.ge.equilibrium import (  # noqa: E402
    expenditure_operator,
    input_cost,
    price_index,
    trade_shares,
)
from tariffsim.shocks import Shocks  # noqa: E402


def data_root() -> Path:
    env = os.environ.get("TARIFFSIM_VALIDATION_DATA")
    return Path(env) if env else (ROOT / ".." / "shared" / "data" / "validation").resolve()


def best_of(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


# ------------------------------------------------------------------------ naive reference
def naive_solve(m, tau_new, *, step=0.1, tol=1e-10, max_iter=5000, balanced=False):
    """A straightforward port of the replication algorithm: fixed damped wage update,
    inner price fixed point from scratch, dense solve of the expenditure system."""
    J, N = m.n_sectors, m.n_countries
    th = m.theta
    A = m.pi * ((1 + tau_new) / (1 + m.tau)) ** (-th[:, None, None])
    G = m.io if m.io is not None else np.zeros((N, J, J))
    w = np.ones(N)
    D = np.zeros(N) if balanced else m.D
    for it in range(1, max_iter + 1):
        lp = np.zeros((J, N))
        for _ in range(10_000):
            lc = input_cost(np.log(w), lp, m.va_share, m.io)
            lp_new = price_index(A, lc, th)
            if np.abs(lp_new - lp).max() < 1e-12:
                lp = lp_new
                break
            lp = lp_new
        lc = input_cost(np.log(w), lp, m.va_share, m.io)
        pi = trade_shares(A, lc, th)
        _, parts = expenditure_operator(pi, tau_new, m.io, m.alpha)
        S, t = parts["S"], parts["t"]
        M = np.einsum("njk,kin->jnki", G, S).reshape(J * N, J * N)
        blk = (m.alpha[:, :, None] * t.T[None, :, :])            # [j, n, k]
        M4 = M.reshape(J, N, J, N)
        M4[:, np.arange(N), :, np.arange(N)] += blk.transpose(1, 0, 2)
        b = (m.alpha * (w * m.VA + D)[None, :]).ravel()
        X = np.linalg.solve(np.eye(J * N) - M, b).reshape(J, N)
        Y = np.matmul(X[:, None, :], S)[:, 0, :]
        ex = (m.va_share * Y).sum(axis=0) / (w * m.VA) - 1
        if np.abs(ex).max() < tol:
            return it
        w = w * (1 + step * ex)
        w = w * m.VA.sum() / (w * m.VA).sum()
    return max_iter


# ------------------------------------------------------------------------ parts
def bench_cp(repeat, reference):
    folder = data_root() / "cp2015"
    if not folder.exists():
        print(f"[cp2015] skipped: {folder} not found")
        return
    from tariffsim.ge._cp2015 import load_cp2015
    d = load_cp2015(folder)
    b = Baseline.from_arrays(d.countries, d.sectors, d.flows, d.tariffs1993, d.io,
                             d.value_added)
    sh = Shocks(tariffs=d.nafta_tariffs())
    for closure in ("balanced", "fixed_deficit"):
        t, r = best_of(lambda c=closure: solve(b, sh, trade_elasticity=d.theta, closure=c),
                       repeat)
        dg = r.diagnostics
        print(f"[cp2015] {closure:14s} solve(): {t:7.3f} s (two equilibria: reference + "
              f"policy; policy solve {dg['iterations']} outer iterations, residual "
              f"{dg['residual']:.1e})   target < 0.5 s")
    if reference:
        m = calibrate(d.flows, d.tariffs1993, d.io, d.value_added, trade_elasticity=d.theta)
        tn = d.nafta_tariffs().transpose(2, 1, 0).copy()
        t0 = time.perf_counter()
        its = naive_solve(m, tn, balanced=True)
        tref = time.perf_counter() - t0
        t1, _ = best_of(lambda: solve(b, sh, trade_elasticity=d.theta, closure="balanced"),
                        repeat)
        print(f"[cp2015] straightforward port, one policy solve from the data: {tref:7.2f} s "
              f"({its} outer iterations); tariffsim does two solves in {t1:.3f} s: ratio "
              f"{tref / t1:5.0f}x")


def liberation_day_baseline(folder: Path) -> Baseline:
    """194-country world: BACI 2023 goods (thousands USD, row exporter) and WDI GDP.
    Domestic sales = max(GDP - exports, 0.1 GDP) (a floor keeps re-export hubs positive)."""
    labels = pd.read_csv(folder / "country_labels.csv")
    trade = pd.read_csv(folder / "trade_cepii.csv").to_numpy(dtype=float)
    trade = np.nan_to_num(trade) / 1000.0                        # USD million
    gdp = pd.read_csv(folder / "gdp.csv")["gdp"].to_numpy(dtype=float) / 1e6
    np.fill_diagonal(trade, 0.0)
    exports = trade.sum(axis=1)
    np.fill_diagonal(trade, np.maximum(gdp - exports, 0.1 * gdp))
    return Baseline.from_arrays(labels["iso3"].astype(str).tolist(), None, trade, year=2023)


def bench_liberation(repeat, reference):
    folder = data_root() / "liberation_day"
    if not folder.exists():
        print(f"[liberation_day] skipped: {folder} not found")
        return
    b = liberation_day_baseline(folder)
    us = b.country_index("USA")
    tar = b.tariffs.copy()
    tar[:, us, :] = 0.20
    tar[us, us, :] = 0.0
    sh = Shocks(tariffs=tar)
    t, r = best_of(lambda: solve(b, sh, trade_elasticity=5.0), repeat)
    usa = r.countries.set_index("country").loc["USA"]
    print(f"[liberation_day] 194 x 1, 20% US tariff: {t:7.3f} s ({r.diagnostics['iterations']}"
          f" iterations; US welfare {usa['welfare_change_pct']:+.3f}%)   target < 0.2 s")
    if reference:
        m = calibrate(b.flows, b.tariffs, None, b.value_added, trade_elasticity=5.0)
        t0 = time.perf_counter()
        its = naive_solve(m, tar.transpose(2, 1, 0).copy(), step=0.1)
        tref = time.perf_counter() - t0
        print(f"[liberation_day] straightforward port: {tref:7.3f} s ({its} iterations): "
              f"ratio {tref / t:5.0f}x")


#: The synthetic N x J world with IO (code for a child process, formatted with N and J;
#: bench_ensembles.py solves the same world): lognormal flows, 30% zeros, domestic
#: sales 1-4x exports, Dirichlet input shares, tariffs up to 10%; the shock is a 20%
#: tariff of C000 on everyone.
SYNTH_WORLD = r"""
N, J = {N}, {J}
rng = np.random.default_rng(0)
flows = rng.lognormal(0, 2, (N, N, J))
flows[rng.random((N, N, J)) < 0.3] = 0
idx = np.arange(N)
flows[idx, idx, :] = flows.sum(axis=1) * rng.uniform(1, 4, (N, J))
io = rng.dirichlet(np.ones(J), size=(N, J)).transpose(0, 2, 1) * rng.uniform(0.3, 0.7, (N, 1, J))
tariffs = rng.uniform(0, 0.1, (N, N, J)); tariffs[idx, idx, :] = 0
b = Baseline.from_arrays([f"C{{i:03d}}" for i in range(N)], [f"S{{j}}" for j in range(J)],
                         flows, tariffs, io=io)
new = tariffs.copy(); new[:, 0, :] += 0.2; new[0, 0, :] = 0
theta = rng.uniform(2, 10, J)
"""

SYNTH = r"""
import numpy as np, time, resource, sys
sys.path.insert(0, {root!r})
from tariffsim import Baseline
from tariffsim.ge import solve
from tariffsim.shocks import Shocks
{world}t = time.perf_counter()
r = solve(b, Shocks(tariffs=new), trade_elasticity=theta)
el = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
print(f"{{el:.3f}} {{rss:.3f}} {{r.diagnostics['iterations']}} {{r.diagnostics['residual']:.1e}}")
"""


def bench_synthetic(N=200, J=50):
    code = SYNTH.format(root=str(ROOT), world=SYNTH_WORLD.format(N=N, J=J))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode:
        print(f"[synthetic {N}x{J}] failed:\n{out.stderr[-2000:]}")
        return
    el, rss, its, res = out.stdout.split()
    print(f"[synthetic {N}x{J}] with IO, 20% tariff of C000 on everyone: {float(el):7.3f} s, "
          f"peak RSS {float(rss):.2f} GB ({its} outer iterations, residual {res})   "
          f"target < 10 s, < 4 GB")


def bench_gegravity(repeat):
    path = data_root() / "gegravity_sample" / "sample_data_set.dlm"
    if not path.exists():
        print(f"[gegravity] skipped: {path} not found")
        return
    try:
        import gegravity as ge
    except ImportError:
        print("[gegravity] skipped: package not installed (pip install gegravity)")
        return
    d = pd.read_csv(path)
    d["year"] = d["year"].astype(str)
    coeff = pd.DataFrame([{"var": "lndist", "coeff": -0.3764, "ste": 0.072},
                          {"var": "contiguity", "coeff": 0.8850, "ste": 0.131},
                          {"var": "pta", "coeff": 0.4823, "ste": 0.109},
                          {"var": "common_language", "coeff": 0.0392, "ste": 0.084},
                          {"var": "international", "coeff": -3.4224, "ste": 0.215}])
    exp = d.copy()
    sel = (((exp.exporter == "CAN") & (exp.importer == "JPN"))
           | ((exp.exporter == "JPN") & (exp.importer == "CAN")))
    exp.loc[sel, "pta"] = 1

    def built_model():
        base = ge.BaselineData(d, imp_var_name="importer", exp_var_name="exporter",
                               year_var_name="year", trade_var_name="trade",
                               expend_var_name="E", output_var_name="Y")
        cp = ge.CostCoeffs(estimates=coeff, identifier_col="var", coeff_col="coeff",
                           stderr_col="ste")
        m = ge.OneSectorGE(base, year="2006", expend_var_name="E", output_var_name="Y",
                           cost_coeff_values=cp, reference_importer="DEU", sigma=5,
                           cost_variables=["lndist", "contiguity", "pta", "common_language",
                                           "international"], quiet=True)
        m.build_baseline(omr_rescale=100)
        return m

    def run_gegravity():
        m = built_model()
        m.define_experiment(exp)
        m.simulate()
        return m

    tg, m = best_of(run_gegravity, repeat)
    bt = m.bilateral_trade_results["baseline modeled trade"]
    countries = sorted(set(d["exporter"]))
    ix = {c: k for k, c in enumerate(countries)}
    N = len(countries)
    tidy = pd.DataFrame({"exporter": [e for e, _ in bt.index],
                         "importer": [i for _, i in bt.index],
                         "value": bt.to_numpy()})

    def run_tariffsim():
        # the whole pipeline, as on gegravity's side: tidy data -> baseline -> shock ->
        # general equilibrium -> results table
        b = Baseline.from_frame(tidy, year=2006)
        dh = np.ones((N, N, 1))
        dh[ix["CAN"], ix["JPN"], 0] = dh[ix["JPN"], ix["CAN"], 0] = np.exp(-0.4823 / 4)
        r = solve(b, Shocks(trade_costs=dh), trade_elasticity=4.0, closure="deficit_ratio",
                  numeraire="DEU", tol=1e-12)
        return r, r.countries

    t, (r, _) = best_of(run_tariffsim, repeat * 5)
    ours = r.countries.set_index("country")["wage_change_pct"]
    theirs = m.country_results["factory gate price change (percent)"]
    diff = float((ours - theirs.reindex(ours.index)).abs().max())
    print(f"[gegravity] 30 x 1 CAN-JPN agreement, whole pipeline both sides (tidy data -> "
          f"baseline -> counterfactual -> results): gegravity (tol 1e-8) {tg:7.3f} s; "
          f"tariffsim (tol 1e-12) {t:7.4f} s: ratio {tg / t:5.0f}x; max |factory-gate price "
          f"difference| {diff:.1e} pp")
    # the counterfactual solve alone on both sides: gegravity's experiment + GE on its
    # built baseline, tariffsim's solve on its built baseline
    b = Baseline.from_frame(tidy, year=2006)
    dh = np.ones((N, N, 1))
    dh[ix["CAN"], ix["JPN"], 0] = dh[ix["JPN"], ix["CAN"], 0] = np.exp(-0.4823 / 4)
    sh = Shocks(trade_costs=dh)

    solve_times = []
    for _ in range(repeat):
        mg = built_model()
        t0 = time.perf_counter()
        mg.define_experiment(exp)
        mg.simulate()
        solve_times.append(time.perf_counter() - t0)
    tgs = min(solve_times)
    ts_, _ = best_of(lambda: solve(b, sh, trade_elasticity=4.0, closure="deficit_ratio",
                                   numeraire="DEU", tol=1e-12), repeat * 5)
    print(f"[gegravity] solve only (experiment + GE on a built baseline): gegravity "
          f"{tgs:7.3f} s; tariffsim {ts_:7.4f} s: ratio {tgs / ts_:5.0f}x")


def bench_imls(repeat):
    import tariffsim as ts
    folder = data_root() / "liberation_day"
    if not folder.exists():
        print(f"[imls2025] skipped: {folder} not found")
        return
    base = ts.io.read_liberation_day(folder)
    shocks = ts.io.liberation_day_tariffs(folder).shocks(base)
    nu = ts.io.liberation_day_local_share(folder)
    preset = dict(ts.ge.PRESETS["imls2025"], local_share=nu)
    tp, rp = best_of(lambda: solve(base, shocks, trade_elasticity=4.0), repeat)
    te, re_ = best_of(lambda: solve(base, shocks, **preset), repeat)
    us = re_.countries.set_index("country").loc["USA"]
    print(f"[imls2025] 194 x 1, USTR tariffs: plain {tp:7.3f} s ({rp.diagnostics['iterations']}"
          f" iterations), extended {te:7.3f} s ({re_.diagnostics['iterations']} iterations; "
          f"US welfare {us['welfare_change_pct']:+.2f}%): ratio {te / tp:4.2f}x   target <= 3x")
    sys.path.insert(0, str(ROOT / "tests"))
    import imls_reference as oracle
    X = base.flows[:, :, 0]
    t1 = shocks.tariffs[:, :, 0]
    nu_a = nu.loc[list(base.countries)].to_numpy()
    to, _ = best_of(lambda: oracle.solve(X, 0.0, t1, nu=nu_a), repeat)
    print(f"[imls2025] test oracle (dense Newton, analytic Jacobian, 4N unknowns): {to:7.3f} s:"
          f" ratio {to / te:4.1f}x the extended solve")
    sect = ts.load_baseline("sectoral-2024")
    sh = ts.scenarios.load("liberation-day-2025").shocks(sect)
    opts = dict(preset, local_share=0.12, scale_elasticity=0.67 / 4.0)
    tp, rp = best_of(lambda: solve(sect, sh, trade_elasticity=4.0), repeat)
    te, re_ = best_of(lambda: solve(sect, sh, **opts), repeat)
    print(f"[imls2025] sectoral-2024 22 x 22 with IO, liberation-day-2025: plain {tp:7.3f} s "
          f"({rp.diagnostics['iterations']} iterations), extended (nu 0.12) {te:7.3f} s "
          f"({re_.diagnostics['iterations']} iterations): ratio {te / tp:4.2f}x")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-reference", action="store_true",
                    help="skip the slow straightforward-port references")
    ap.add_argument("--only", choices=["cp", "liberation", "synthetic", "gegravity", "imls"])
    a = ap.parse_args(argv)
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} cores")
    if a.only in (None, "cp"):
        bench_cp(a.repeat, not a.no_reference)
    if a.only in (None, "liberation"):
        bench_liberation(a.repeat, not a.no_reference)
    if a.only in (None, "synthetic"):
        bench_synthetic()
    if a.only in (None, "gegravity"):
        bench_gegravity(a.repeat)
    if a.only in (None, "imls"):
        bench_imls(a.repeat)


if __name__ == "__main__":
    main()
