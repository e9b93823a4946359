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
import difflib
import hashlib
import importlib.metadata
import io
import math
import os
import re
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from . import scenarios
from ._atomic import FolderSwap, json_text, write_atomic
from .errors import DataError, TariffSimError, TariffSimWarning
from .literals import CLOSURES, check_option

__all__ = ["main", "write_atomic", "illustrative_figures"]

#: The partners of the US whose balances the main job reports by default.
DEFAULT_COUNTRIES = ("VNM", "MYS", "THA", "KHM", "CHN")
#: The files ``tariffsim run`` writes into ``--out`` (docs/outputs.md), in this order.
OUTPUT_FILES = ("projection.csv", "table.csv", "decomposition.csv", "run.json", "surplus.png")


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


def package_version() -> str:
    """The installed version of tariffsim (``importlib.metadata``, the one source: the
    version in ``pyproject.toml``); ``__version__`` of the source tree when tariffsim is
    not installed."""
    try:
        return importlib.metadata.version("tariffsim")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - source checkout
        from . import __version__
        return str(__version__)


def _codes(text: str, known: Sequence[str], field: str) -> list[str]:
    """Comma-separated country codes as the user wrote them, in their order, each checked
    against ``known`` (case-insensitive; a misspelled code gets a did-you-mean)."""
    upper = {k.upper(): k for k in known}
    out: list[str] = []
    for raw in text.split(","):
        code = raw.strip()
        if not code:
            continue
        code = upper.get(code.upper(), code)
        check_option(code, known, field, error=DataError,
                     hint="Codes are ISO3, as tariffsim baseline lists them.")
        if code not in out:
            out.append(code)
    if not out:
        raise DataError(f"{field}: no country code in {text!r}; write codes separated by "
                        f"commas, such as VNM,CHN,MEX.", field=field)
    return out


def _cmd_run(args: argparse.Namespace) -> int:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import load_baseline, project
    from .projection import growth_rates
    variant = "as-signed" if args.as_signed else args.variant
    first, last = args.years
    if first > last:
        raise DataError(f"--years: the first year {first} is after the last {last}; "
                        f"write --years {last} {first}.", field="years")
    years = list(range(first, last + 1))
    extra = sorted(set(args.show_years or []) - set(years))
    if extra:
        raise DataError(f"--show-years: {extra} are not among the projected years "
                        f"{first}-{last}; show years inside --years, or widen --years.",
                        field="--show-years")
    scenario = scenarios.load(args.scenario, variant=variant)
    if args.realisation is not None:
        scenario = scenario.with_realisation(args.realisation)
    reference = scenarios.load(args.reference) if args.reference else None
    base = load_baseline(args.baseline)
    if base.year is not None and first <= base.year:
        raise DataError(f"--years: projections start after the baseline year {base.year}; "
                        f"got {first}. Write --years {base.year + 1} {max(last, base.year + 1)}.",
                        field="--years")
    if last > 2200:
        raise DataError(f"--years: {last} is not a plausible year to project to; give a last "
                        f"year such as 2030.", field="--years")
    partner = _codes(args.partner, base.countries, "--partner")
    if len(partner) != 1:
        raise DataError(f"--partner: give one partner, got {','.join(partner)}; list the "
                        f"countries with --countries.", field="--partner")
    partner_code = partner[0]
    countries = _codes(args.countries, base.countries, "--countries")
    if partner_code in countries:
        raise DataError(f"--countries: {partner_code} is the partner (--partner "
                        f"{partner_code}); a country's balance with itself is nil. Leave it "
                        f"out of --countries, or choose another --partner.",
                        field="--countries")
    if args.growth is not None:
        growth_rates(args.growth, base, field="--growth")
    show_years = sorted({min(years), max(years)} | set(args.show_years or []))
    out_text = args.out
    # checked, and its staging folder made, before the computation: a folder that cannot
    # be written is reported at once (exit 2), not after minutes of solving
    with FolderSwap(args.out, owned=OUTPUT_FILES, field="--out") as stage:
        proj = project(base, scenario, years=years, reference=reference,
                       closure=args.closure, growth=args.growth)
        table = proj.table(partner=partner_code, countries=countries, years=show_years)
        table = table.loc[countries]  # the user's order
        parts = proj.decompose()
        drivers = _drivers(parts, proj, partner_code, countries, last)
        figures = illustrative_figures(scenario, first, last)
        balances = proj.balances(partner=partner_code, countries=countries)
        out = stage.path
        write_atomic(out / "projection.csv", proj.frame.to_csv(index=False, float_format="%.6f"),
                     field="--out")
        write_atomic(out / "table.csv", table.to_csv(float_format="%.6f"), field="--out")
        write_atomic(out / "decomposition.csv", parts.to_csv(index=False, float_format="%.6f"),
                     field="--out")
        meta = {"scenario": scenario.name, "scenario_sha256": _scenario_hash(scenario),
                "variant": variant, "realisation": args.realisation,
                "reference": getattr(reference, "name", None),
                "reference_sha256": (_scenario_hash(reference) if reference is not None
                                     else None),
                "tariffsim_version": package_version(),
                "model": proj.model, "closure": proj.closure,
                "schedule": proj.schedule.describe(),
                "schedule_points": {str(k): v for k, v in proj.schedule.points.items()},
                "baseline": repr(base), "baseline_name": args.baseline,
                "baseline_source": base.source, "units": base.units, "balances": proj.sectors,
                "growth": args.growth,
                "partner": partner_code, "countries": countries, "years": years,
                "without": proj.without,
                "results": _records(table), "drivers": {"year": last,
                                                        "method": parts.attrs.get("method"),
                                                        "table": _records(drivers)},
                "illustrative": figures}
        write_atomic(out / "run.json", json_text(meta), field="--out")
        from .plot import surplus_paths
        fig, ax = plt.subplots(figsize=(9, 5.5))
        try:
            surplus_paths(balances, countries=countries, partner=partner_code, ax=ax)
            fig.tight_layout()
            png = io.BytesIO()
            fig.savefig(png, dpi=120, format="png", metadata={"Software": None})
        finally:
            plt.close(fig)
        write_atomic(out / "surplus.png", png.getvalue(), field="--out")
    # every file is in place before anything is printed (a closed pipe loses no output)
    lines = [f"tariffsim run {scenario.name}: balance of {proj.sectors} with {partner_code}, "
             f"{base.units} (exports minus imports of the country; positive = surplus)",
             _fmt_table(table),
             f"\nWhat drives the {last} change (Shapley split over instrument families: each "
             f"family's effect averaged over every order of switching them on, so the parts "
             f"add up to the change):",
             _fmt_table(drivers),
             "\nIllustrative figures used (assumptions, not sourced numbers):",
             "\n".join(f"  {f}" for f in figures) if figures else "  none"]
    if reference is None and args.growth is None:
        lines.append(f"\nNote: the 'without' path is {proj.without}; it is not a forecast "
                     f"of trade without the policy (add --growth or --reference for one).")
    else:
        lines.append(f"\nWithout path: {proj.without}.")
    lines += [f"\nModel: {proj.describe()}.", f"Baseline: {base!r}",
              "\nWrote " + ", ".join(str(Path(out_text) / n) for n in OUTPUT_FILES)]
    sys.stdout.write("\n".join(lines) + "\n")
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


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Help with each option's default (when it has one) and the examples (epilog) kept
    as written."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        d = action.default
        if (not action.option_strings or "%(default)" in text or d is None or d is False
                or d == argparse.SUPPRESS or d == []):
            return text
        shown = " ".join(map(str, d)) if isinstance(d, list | tuple) else str(d)
        return f"{text} (default: {shown.replace('%', '%%')})"


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors suggest the closest subcommand, choice or option."""

    def error(self, message: str) -> Any:
        m = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if m:
            words = re.findall(r"'([^']*)'", m.group(2)) or [
                w.strip() for w in m.group(2).split(",")]
            close = difflib.get_close_matches(m.group(1), words, n=1, cutoff=0.5)
            if close:
                message += f"; did you mean {close[0]!r}?"
        m = re.match(r"unrecognized arguments: (.*)", message)
        if m:
            known = [o for a in self._actions for o in a.option_strings]
            for sp in self._subparsers._group_actions if self._subparsers else []:
                for sub in getattr(sp, "choices", {}).values():
                    known += [o for a in sub._actions for o in a.option_strings]
            for word in m.group(1).split():
                if word.startswith("-"):
                    close = difflib.get_close_matches(word.split("=")[0], known, n=1,
                                                      cutoff=0.6)
                    if close:
                        message += f"; did you mean {close[0]!r} (for {word!r})?"
        super().error(message)


def _closure(value: str) -> str:
    try:
        return check_option(value, CLOSURES, "--closure", error=DataError)
    except DataError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--closure: ")) from None


_RUN_EXAMPLES = """examples:
  tariffsim run us-asean-2025
      the 26 Oct 2025 deals on the tariff law as it evolved, on the sectoral world
  tariffsim run us-asean-2025 --as-signed --countries VNM,CHN,MEX
      the deals' rates as signed and held to 2030; three countries, in that order
  tariffsim run ./my-policy.toml --years 2026 2030 --growth 0.03 --out results
      a scenario file of your own, with trade growing 3% a year, into ./results
  tariffsim run us-asean-2025 | head -2
      a closed pipe is not an error: the files are written before anything is printed

The run writes projection.csv, table.csv, decomposition.csv, run.json and surplus.png
into --out, swapping the whole folder in at the end (docs/outputs.md). Exit codes:
0 success, 2 a user error (a one-line message names the option and the fix)."""

_MAIN_EXAMPLES = """examples:
  tariffsim list                       the built-in scenarios
  tariffsim show us-asean-2025         what a scenario holds, instrument by instrument
  tariffsim run us-asean-2025          project balances 2025-2030 (tariffsim run -h)
  tariffsim baseline                   the embedded baseline's summary

A built-in scenario's name means the built-in, even where a file of that name exists
(write ./name to read the file); any other SCENARIO is read as a TOML file.
Exit codes: 0 success, 2 a user error (a one-line message), 130 interrupted,
1 a bug (please report it)."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``tariffsim`` command."""
    p = _Parser(prog="tariffsim",
                description="Simulate tariffs, trade deals and export controls: run, list "
                            "and show scenarios.",
                formatter_class=_Formatter, epilog=_MAIN_EXAMPLES)
    p.add_argument("--version", action="version",
                   version=f"%(prog)s {package_version()}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND",
                           parser_class=_Parser)
    r = sub.add_parser("run", help="project a scenario on the embedded baseline",
                       description="Project bilateral balances year by year without and "
                                   "with a scenario,\nand write the results into --out.",
                       formatter_class=_Formatter, epilog=_RUN_EXAMPLES)
    r.add_argument("scenario", help="a built-in scenario name (tariffsim list) or a TOML "
                                    "file (./name, dir/name or name.toml)")
    r.add_argument("--years", type=int, nargs=2, default=[2025, 2030],
                   metavar=("FIRST", "LAST"), help="first and last year to project")
    r.add_argument("--show-years", type=int, nargs="*", metavar="YEAR", default=[],
                   help="extra years to show in the table (the first and last always are)")
    r.add_argument("--partner", default="USA", help="the partner of the balances (ISO3)")
    r.add_argument("--countries", default=",".join(DEFAULT_COUNTRIES),
                   help="comma-separated ISO3 codes, shown in this order")
    r.add_argument("--reference", default=None,
                   help="scenario for the 'without' path (none: the baseline's tariffs)")
    r.add_argument("--closure", default="fixed_deficit", type=_closure,
                   help=f"trade-balance closure: {', '.join(CLOSURES)}")
    r.add_argument("--growth", type=float, default=None, metavar="RATE",
                   help="yearly nominal growth of trade as a fraction: 0.03 = 3%% a year "
                        "(none: the baseline held flat; |RATE| >= 0.5 is refused)")
    r.add_argument("--realisation", type=float, default=None, metavar="SHARE",
                   help="run every purchase commitment at this share met, 0-1 (the 2020 "
                        "US-China Phase One purchases: 0.58 of the committed level; none: "
                        "as the scenario states)")
    v = r.add_mutually_exclusive_group()
    v.add_argument("--variant", default=None,
                   help="run a variant the scenario declares (its [variants] table)")
    v.add_argument("--as-signed", action="store_true",
                   help="the scenario's 'as-signed' variant: a deal's rates as signed, "
                        "held, instead of the law as it evolved")
    r.add_argument("--baseline", default="default",
                   help="embedded baseline: default (the sectoral world), sectoral-2024, "
                        "goods-2024 (one sector)")
    r.add_argument("--out", default="tariffsim-output",
                   help="output folder; replaced whole by each run (a folder holding other "
                        "files is refused)")
    r.set_defaults(func=_cmd_run)
    sub.add_parser("list", help="list the built-in scenarios", formatter_class=_Formatter,
                   description="List the built-in scenarios, one line each."
                   ).set_defaults(func=_cmd_list)
    s = sub.add_parser("show", help="describe a scenario", formatter_class=_Formatter,
                       description="Describe a scenario instrument by instrument.",
                       epilog="examples:\n  tariffsim show us-asean-2025\n"
                              "  tariffsim show ./my-policy.toml")
    s.add_argument("scenario", help="a built-in scenario name or a TOML file")
    s.set_defaults(func=_cmd_show)
    b = sub.add_parser("baseline", help="summary of an embedded baseline",
                       formatter_class=_Formatter,
                       description="Exports, imports, balance, gross output and domestic "
                                   "sales of each economy of an embedded baseline.")
    b.add_argument("--baseline", default="default",
                   help="default (the sectoral world), sectoral-2024 or goods-2024")
    b.set_defaults(func=_cmd_baseline)
    return p


def _show_warning(message: Any, category: Any, filename: str, lineno: int,
                  file: Any = None, line: Any = None) -> None:
    """Warnings as one line on stderr, without the source line of the library."""
    label = "warning" if issubclass(category, TariffSimWarning) else category.__name__
    print(f"tariffsim: {label}: {' '.join(str(message).split())}", file=sys.stderr)


def _stdout_to_devnull() -> None:
    """After a closed pipe: point stdout at devnull so that the interpreter's final flush
    does not fail again (the recipe of the Python docs, "Note on SIGPIPE")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tariffsim`` command; returns the exit code.

    0: success (a pipe closed by the reader, as ``| head``, included: the files are
    written before anything is printed); 2: a user error, reported as one line
    ``tariffsim: error: ...`` on stderr naming the option and the fix; 130: interrupted
    (Ctrl-C), the output folder left as it was.
    """
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            args = build_parser().parse_args(argv)
            try:
                code = int(args.func(args))
            except TariffSimError as exc:
                print(f"tariffsim: error: {' '.join(str(exc).split())}", file=sys.stderr)
                return 2
            sys.stdout.flush()
            return code
    except BrokenPipeError:
        _stdout_to_devnull()
        return 0
    except KeyboardInterrupt:
        # Ctrl-C: the output folder is as it was (the run's staging folder is removed)
        print("tariffsim: interrupted; the output folder is unchanged.", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
