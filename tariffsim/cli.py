"""The ``tariffsim`` command line: run, list and show scenarios.

Examples
--------
``tariffsim run us-asean-2025``            the 26 Oct 2025 deals on the embedded baseline
                                           (the sectoral world; ``--baseline goods-2024``)
``tariffsim run us-asean-2025 --as-signed`` the deals' rates as signed, held to 2030
``tariffsim run my.toml --years 2026 2030`` a scenario file of your own
``tariffsim list`` / ``tariffsim show NAME`` the built-in scenarios
``tariffsim baseline [--baseline NAME]``    an embedded baseline's summary
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import io
import json
import math
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from . import scenarios
from ._atomic import write_atomic
from .errors import DataError, TariffSimError
from .literals import CLOSURES

__all__ = ["main", "write_atomic", "illustrative_figures"]

#: The partners of the US whose balances the main job reports by default.
DEFAULT_COUNTRIES = ("VNM", "MYS", "THA", "KHM", "CHN")


def _fmt_table(table: pd.DataFrame) -> str:
    return table.to_string(float_format=lambda v: f"{v:,.0f}")


#: An "up to" amount in a source: a ceiling ("up to five million tonnes", "up to USD 3 bn";
#: not "up to 2030").
_UP_TO = re.compile(r"\bup to (?:about |around )?(?:us\$|usd |\$|\d(?!\d{3}\b)|one|two|three|"
                    r"four|five|six|seven|eight|nine|ten)")


def illustrative_figures(scenario: Any, first: int, last: int) -> list[str]:
    """The figures of ``scenario`` that are assumptions, among the instruments in force at
    some time from ``first`` to ``last`` (calendar years): instruments flagged
    ``illustrative``, whose source or note says "illustrative", or whose source quotes an
    "up to" amount (a ceiling, not a commitment: "up to five million tonnes"). One line
    each: the instrument and why."""
    lo, hi = _dt.date(first, 1, 1), _dt.date(last + 1, 1, 1)
    out = []
    for k, inst in enumerate(scenario.instruments):
        if (inst.start is not None and inst.start >= hi) or (inst.end is not None
                                                               and inst.end <= lo):
            continue
        text = f"{inst.source} {inst.note}".lower()
        why = []
        if inst.illustrative or "illustrative" in text:
            why.append("illustrative")
        if _UP_TO.search(inst.source.lower()):
            why.append("an 'up to' amount taken as the figure")
        if why:
            note = inst.note if len(inst.note) <= 120 else inst.note[:117] + "..."
            out.append(f"[{k}] {inst.label} ({' and '.join(why)})"
                       + (f": {note}" if note else ""))
    return out


def _scenario_hash(scenario: Any) -> str:
    return hashlib.sha256(scenario.to_toml().encode("utf-8")).hexdigest()


def _cmd_run(args: argparse.Namespace) -> int:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import __version__, load_baseline, project
    variant = "as-signed" if args.as_signed else args.variant
    scenario = scenarios.load(args.scenario, variant=variant)
    if args.realisation is not None:
        scenario = scenario.with_realisation(args.realisation)
    reference = scenarios.load(args.reference) if args.reference else None
    base = load_baseline(args.baseline)
    first, last = args.years
    if first > last:
        raise DataError(f"--years: the first year {first} is after the last {last}; "
                        f"write --years {last} {first}.", field="years")
    years = list(range(first, last + 1))
    proj = project(base, scenario, years=years, reference=reference, closure=args.closure,
                   growth=args.growth)
    countries = [c.strip() for c in args.countries.split(",")] if args.countries else list(
        DEFAULT_COUNTRIES)
    show_years = sorted({min(years), max(years)} | set(args.show_years or []))
    table = proj.table(partner=args.partner, countries=countries, years=show_years)
    parts = proj.decompose()
    drivers = _drivers(parts, proj, args.partner, countries, last)
    figures = illustrative_figures(scenario, first, last)
    out = Path(args.out)
    print(f"tariffsim run {scenario.name}: balance of {proj.sectors} with {args.partner}, "
          f"{base.units} (exports minus imports of the country; positive = surplus)")
    print(_fmt_table(table))
    print(f"\nWhat drives the {last} change (Shapley split over instrument families: each "
          f"family's effect averaged over every order of switching them on, so the parts "
          f"add up to the change):")
    print(_fmt_table(drivers))
    print("\nIllustrative figures used (assumptions, not sourced numbers):")
    print("\n".join(f"  {f}" for f in figures) if figures else "  none")
    if reference is None and args.growth is None:
        print(f"\nNote: the 'without' path is {proj.without}; it is not a forecast of "
              f"trade without the policy (add --growth or --reference for one).")
    else:
        print(f"\nWithout path: {proj.without}.")
    print(f"\nModel: {proj.describe()}.")
    print(f"Baseline: {base!r}")
    balances = proj.balances(partner=args.partner, countries=countries)
    write_atomic(out / "projection.csv", proj.frame.to_csv(index=False, float_format="%.6f"))
    write_atomic(out / "table.csv", table.to_csv(float_format="%.6f"))
    write_atomic(out / "decomposition.csv", parts.to_csv(index=False, float_format="%.6f"))
    meta = {"scenario": scenario.name, "scenario_sha256": _scenario_hash(scenario),
            "variant": variant, "realisation": args.realisation,
            "reference": getattr(reference, "name", None),
            "reference_sha256": _scenario_hash(reference) if reference is not None else None,
            "tariffsim_version": __version__,
            "model": proj.model, "closure": proj.closure, "schedule": proj.schedule.describe(),
            "schedule_points": {str(k): v for k, v in proj.schedule.points.items()},
            "baseline": repr(base), "baseline_name": args.baseline,
            "baseline_source": base.source, "units": base.units, "balances": proj.sectors,
            "partner": args.partner, "countries": countries, "years": years,
            "without": proj.without,
            "results": _records(table), "drivers": {"year": last,
                                                    "method": parts.attrs.get("method"),
                                                    "table": _records(drivers)},
            "illustrative": figures}
    write_atomic(out / "run.json", json.dumps(meta, indent=2, sort_keys=True) + "\n")
    from .plot import surplus_paths
    fig, ax = plt.subplots(figsize=(9, 5.5))
    surplus_paths(balances, countries=countries, partner=args.partner, ax=ax)
    fig.tight_layout()
    png = io.BytesIO()
    try:
        fig.savefig(png, dpi=120, format="png", metadata={"Software": None})
    finally:
        plt.close(fig)
    write_atomic(out / "surplus.png", png.getvalue())
    print(f"\nWrote {out / 'projection.csv'}, {out / 'table.csv'}, "
          f"{out / 'decomposition.csv'}, {out / 'run.json'}, {out / 'surplus.png'}")
    return 0


def _drivers(parts: pd.DataFrame, proj: Any, partner: str, countries: Sequence[str],
             year: int) -> pd.DataFrame:
    """Per country: the change in ``year`` and its parts by family (columns)."""
    sel = parts[(parts["partner"] == partner) & (parts["year"] == year)
                & parts["country"].isin(list(countries))]
    wide = sel.pivot(index="country", columns="family", values="change")
    wide = wide.reindex(index=list(countries),
                        columns=[f for f in parts.attrs.get("families", []) if f in wide])
    f = proj.frame
    change = f[(f["partner"] == partner) & (f["year"] == year)].set_index("country")["change"]
    wide.insert(0, "change", change.reindex(wide.index))
    wide.columns = ["change", *(f"of which {c}" for c in wide.columns[1:])]
    wide.index.name = f"{year}, balance with {partner}"
    return wide


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A table as JSON-ready records (the index as the first field)."""
    frame = table.reset_index()
    return [{str(k): (None if isinstance(v, float) and not math.isfinite(v) else v)
             for k, v in row.items()} for row in frame.to_dict("records")]


def _cmd_list(args: argparse.Namespace) -> int:
    for name in scenarios.list():
        sc = scenarios.load(name)
        desc = (sc.description or "").strip().splitlines()
        print(f"{name:28s} {desc[0] if desc else ''}")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    sc = scenarios.load(args.scenario)
    print(sc.describe())
    return 0


def _cmd_baseline(args: argparse.Namespace) -> int:
    from . import load_baseline
    base = load_baseline(args.baseline)
    print(repr(base))
    summary = base.summary()
    print(f"Exports, imports and balance: {base.trade_balance('WLD').attrs['sectors']}; "
          f"gross output and domestic sales: all sectors; {base.units}.")
    print(summary.to_string(float_format=lambda v: f"{v:,.3f}" if abs(v) < 1
                            else f"{v:,.0f}"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``tariffsim`` command."""
    p = argparse.ArgumentParser(prog="tariffsim", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="project a scenario on the embedded baseline")
    r.add_argument("scenario", help="a built-in scenario name (tariffsim list) or a TOML file")
    r.add_argument("--years", type=int, nargs=2, default=[2025, 2030],
                   metavar=("FIRST", "LAST"),
                   help="first and last year to project (default 2025 2030)")
    r.add_argument("--show-years", type=int, nargs="*", help="extra years to show in the table")
    r.add_argument("--partner", default="USA", help="the partner of the balances (default USA)")
    r.add_argument("--countries", default=None,
                   help="comma-separated codes (default VNM,MYS,THA,KHM,CHN)")
    r.add_argument("--reference", default=None,
                   help="scenario for the 'without' path (default: the baseline's tariffs)")
    r.add_argument("--closure", default="fixed_deficit",
                   choices=list(CLOSURES))
    r.add_argument("--growth", type=float, default=None, help="annual trade growth, 0.03 = 3%%")
    r.add_argument("--realisation", type=float, default=None, metavar="SHARE",
                   help="run every purchase commitment at this share met, 0-1 (the 2020 "
                        "US-China Phase One purchases: 0.58 of the committed level)")
    v = r.add_mutually_exclusive_group()
    v.add_argument("--variant", default=None,
                   help="run a variant the scenario declares (its [variants] table)")
    v.add_argument("--as-signed", action="store_true",
                   help="the scenario's 'as-signed' variant: a deal's rates as signed, "
                        "held, instead of the law as it evolved")
    r.add_argument("--baseline", default="default",
                   help="embedded baseline (default: the sectoral world; goods-2024: one sector)")
    r.add_argument("--out", default="tariffsim-output", help="output folder")
    r.set_defaults(func=_cmd_run)
    sub.add_parser("list", help="list the built-in scenarios").set_defaults(func=_cmd_list)
    s = sub.add_parser("show", help="describe a scenario")
    s.add_argument("scenario")
    s.set_defaults(func=_cmd_show)
    b = sub.add_parser("baseline", help="summary of an embedded baseline")
    b.add_argument("--baseline", default="default",
                   help="default (the sectoral world), sectoral-2024 or goods-2024")
    b.set_defaults(func=_cmd_baseline)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tariffsim`` command; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except TariffSimError as exc:
        print(f"tariffsim: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
