"""Benchmark: ``tariffsim show`` on a scenario of 100,000 instruments (issue 14).

The scenario file (written to a temporary folder) has 100,000 tariffs, each with two
exporters, a sector, a start date and its own source, about 18 MB. Reference measured in
the same run: ``tomllib.loads`` of the file, the standard-library parse that any TOML
reader must do. Printed: seconds and the ratio to the reference for

* ``read``: ``scenarios.load(path)`` (parse, validate every instrument, build the Scenario);
* ``describe``: ``Scenario.describe()``, the text ``tariffsim show`` prints;
* ``show``: the whole ``tariffsim show FILE`` command (output to a buffer).

Run: python benchmarks/bench_scenario_io.py [n_instruments]
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
import time
import tomllib
from pathlib import Path


def scenario_text(n: int) -> str:
    parts = ['name = "big"\n']
    for k in range(n):
        parts.append(f'[[instruments]]\ntype = "tariff"\nimporter = "USA"\n'
                     f'exporter = ["C{k:05d}", "D{k:05d}"]\nrate = 0.1\nsectors = ["s{k % 50}"]\n'
                     f'start = 2025-01-01\nsource = "EO {k} section {k % 7}"\n')
    return "\n".join(parts)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    from tariffsim import cli, scenarios

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.toml"
        path.write_text(scenario_text(n))
        t = time.perf_counter()
        tomllib.loads(path.read_text())
        ref = time.perf_counter() - t
        t = time.perf_counter()
        sc = scenarios.load(path)
        read = time.perf_counter() - t
        t = time.perf_counter()
        text = sc.describe()
        desc = time.perf_counter() - t
        t = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            code = cli.main(["show", str(path)])
        show = time.perf_counter() - t
        size = path.stat().st_size
    assert code == 0 and text.count("\n") > n
    print(f"{n:,} instruments, {size / 1e6:.1f} MB")
    print(f"{'step':<10}{'seconds':>10}{'x tomllib':>12}")
    for name, sec in (("tomllib", ref), ("read", read), ("describe", desc), ("show", show)):
        print(f"{name:<10}{sec:>10.2f}{sec / ref:>12.2f}")


if __name__ == "__main__":
    main()
