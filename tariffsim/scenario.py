"""Scenarios: named, described, dated lists of policy instruments.

A [`Scenario`][tariffsim.scenario.Scenario] is what a user writes (in Python or in a TOML file);
applied to a [`tariffsim.Baseline`][] on a date or in a year it becomes array-level
[`tariffsim.shocks.Shocks`][] for the model engines.

The container lives here, with its text rendering (``describe``, ``to_frame``). Its file
format (TOML in and out, frames) is `tariffsim.scenario_io`; the resolver from
instruments to arrays (dates, stacking rules, coverage, commitments) is
`tariffsim.resolve`. The methods that use them are thin calls.

The TOML format is shown in `tariffsim.scenario_io` and docs/scenarios.md.

Evaluating a scenario in a year
-------------------------------
``shocks(baseline, year=Y)`` by default (``year_rule="average"``, the one default of every
entry point: `tariffsim.literals.DEFAULT_YEAR_RULE`) averages tariffs, trade-cost
factors and export taxes over Y, weighting each policy regime by the number of days it is
in force (quotas and commitments use the policy of 1 July); ``year_rule="mid-year"`` takes
the policy in force on 1 July of Y. Purchase commitments are phased by year
([`ImportCommitment.value_in`][tariffsim.ImportCommitment.value_in]).
"""

from __future__ import annotations

import datetime as _dt
import os
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import resolve as _resolve
from . import scenario_io as _io
from ._atomic import write_atomic
from ._validate import to_date
from .errors import ScenarioError
from .instruments import (
    ALL,
    KINDS,
    ExportRestriction,
    ImportCommitment,
    Instrument,
    Tariff,
    TradeCost,
)
from .literals import DEFAULT_YEAR_RULE, TariffMode, YearRule
from .shocks import Shocks

__all__ = ["Scenario"]


# ----------------------------------------------------------------------------- Scenario
@dataclass(frozen=True, repr=False)
class Scenario:
    """A named, described, dated list of policy instruments.

    Parameters
    ----------
    name : str
    instruments : sequence of Tariff, TradeCost, ImportCommitment, ExportRestriction
    description : str
    date : date, str or int, optional
        The scenario's reference date: the date [`shocks`][tariffsim.scenario.Scenario.shocks] uses
        when neither ``date`` nor ``year`` is given.
    sources : sequence of str
        Citations for the scenario as a whole (each instrument has its own ``source``).
    notes : str
    variants : mapping name -> scenario, optional
        Other versions of the same policy that a reader may want to compare, each the
        name of a built-in scenario or the path of a TOML file (relative paths are read
        from the folder of this scenario's file): a deal "as signed" against the law as it
        evolved (``variants = {"as-signed": "us-asean-2025-as-signed"}``). Read one with
        ``tariffsim.scenarios.load(name, variant="as-signed")`` or ``tariffsim run NAME
        --as-signed`` (``--variant NAME``).

    Examples
    --------
    >>> import tariffsim as ts
    >>> s = ts.Scenario("vn20", [ts.Tariff("USA", "VNM", 0.20, mode="add",
    ...                                   start="2025-08-07")])
    >>> s.active("2025-09-01")[0].rate
    0.2
    """

    name: str
    instruments: tuple[Instrument, ...] = ()
    description: str = ""
    date: _dt.date | None = None
    sources: tuple[str, ...] = ()
    notes: str = ""
    variants: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if not isinstance(self.name, str) or not self.name.strip():
            raise ScenarioError(f"name: give the scenario a non-empty name, got "
                                f"{self.name!r}.", field="name")
        insts: Any = self.instruments  # what the caller passed, checked here
        if isinstance(insts, (str, bytes, Mapping)) or not isinstance(insts, Iterable):
            raise ScenarioError("instruments: expected a list of Tariff, TradeCost, "
                                "ImportCommitment or ExportRestriction.", field="instruments")
        insts = tuple(insts)
        for k, inst in enumerate(insts):
            if not isinstance(inst, tuple(KINDS.values())):
                raise ScenarioError(f"instruments[{k}]: expected a Tariff, TradeCost, "
                                    f"ImportCommitment or ExportRestriction, got "
                                    f"{type(inst).__name__}.", field=f"instruments[{k}]")
        set_(self, "instruments", insts)
        for attr in ("description", "notes"):
            if not isinstance(getattr(self, attr), str):
                raise ScenarioError(f"{attr}: expected text, got "
                                    f"{type(getattr(self, attr)).__name__}.", field=attr)
        set_(self, "date", to_date(self.date, "date"))
        src: Any = self.sources
        if isinstance(src, str):
            src = (src,)
        if not isinstance(src, Iterable) or isinstance(src, Mapping):
            raise ScenarioError("sources: expected a list of citations.", field="sources")
        src = tuple(src)
        for k, s in enumerate(src):
            if not isinstance(s, str):
                raise ScenarioError(f"sources[{k}]: expected text, got {type(s).__name__}.",
                                    field=f"sources[{k}]")
        set_(self, "sources", src)
        set_(self, "variants", _variants(self.variants))
        for attr in ("name", "description", "notes", *(f"sources[{k}]" for k in
                                                        range(len(src)))):
            val = (src[int(attr[8:-1])] if attr.startswith("sources[")
                   else getattr(self, attr))
            try:
                val.encode("utf-8")
            except UnicodeEncodeError:
                raise ScenarioError(f"{attr}: contains characters that cannot be written as "
                                    f"UTF-8; remove them.", field=attr) from None

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        counts: dict[str, int] = {}
        for inst in self.instruments:
            counts[type(inst).__name__] = counts.get(type(inst).__name__, 0) + 1
        what = ", ".join(f"{v} {k}" for k, v in counts.items()) or "no instruments"
        dated = f", dated {self.date}" if self.date else ""
        return f"Scenario({self.name!r}: {what}{dated})"

    def _repr_html_(self) -> str:
        from . import _display
        return _display.html(_display.scenario_view(self))

    def to_frame(self) -> Any:
        """One row per instrument: type, importer, exporter, sectors, what, start, end,
        illustrative, source, note."""
        import pandas as pd

        rows = []
        for k, inst in enumerate(self.instruments):
            rows.append({
                "index": k,
                "type": inst.kind,
                "importer": _codes_text(getattr(inst, "importer", None)
                                        if not isinstance(inst, ExportRestriction)
                                        else _dest_text(inst)),
                "exporter": _codes_text(inst.exporter),
                "sectors": ",".join(inst.sectors) if inst.sectors else "all",
                "policy": _policy_text(inst),
                "start": inst.start,
                "end": inst.end,
                "illustrative": inst.illustrative,
                "source": inst.source,
                "note": inst.note,
            })
        return pd.DataFrame(rows, columns=["index", "type", "importer", "exporter", "sectors",
                                           "policy", "start", "end", "illustrative", "source",
                                           "note"])

    def describe(self, width: int = 100) -> str:
        """A text table of the instruments with their dates and (numbered) sources.

        Parameters
        ----------
        width : int
            Longest line [characters], at least 40. The description, sources and notes
            are wrapped to fit; table columns (codes and sectors, then the policy and the
            type) are shortened, with ``~`` marking a cut, down to a readable minimum, so
            below about 90 characters the table can stay wider than ``width``.
        """
        if isinstance(width, bool) or not isinstance(width, int) or width < 40:
            raise ScenarioError(f"width: got {width!r}; give a line length of at least 40 "
                                f"characters.", field="width")

        def wrap(text: str, indent: str = "", more: str = "") -> list[str]:
            return textwrap.wrap(text, width, initial_indent=indent,
                                 subsequent_indent=more or indent,
                                 break_on_hyphens=False) or [indent.rstrip()]

        lines = [f"Scenario {self.name!r}" + (f" (dated {self.date})" if self.date else "")]
        if self.description:
            lines.extend(wrap(self.description))
        if not self.instruments:
            lines.append("(no instruments)")
            return "\n".join(lines)
        src_ids: dict[str, int] = {}
        rows = []
        for k, inst in enumerate(self.instruments):
            src = inst.source.strip()
            ref = ""
            if src:
                ref = f"[{src_ids.setdefault(src, len(src_ids) + 1)}]"
            imp = (_dest_text(inst) if isinstance(inst, ExportRestriction)
                   else _codes_text(inst.importer))
            rows.append((str(k), inst.kind, _codes_text(inst.exporter), imp,
                         ",".join(inst.sectors) if inst.sectors else "all",
                         _policy_text(inst), str(inst.start or "-"), str(inst.end or "-"),
                         ("*" if inst.illustrative else "") + ref))
        head = ("#", "type", "exporter", "importer", "sectors", "policy", "start", "end",
                "src")
        widths = _column_widths([head, *rows], width)

        def fmt(r: tuple[str, ...]) -> str:
            cells = [(c if len(c) <= w else c[: w - 1] + "~").ljust(w)
                     for c, w in zip(r, widths, strict=True)]
            return "  ".join(cells).rstrip()

        lines.append(fmt(head))
        lines.append("  ".join("-" * w for w in widths))
        lines.extend(fmt(r) for r in rows)
        if any(i.illustrative for i in self.instruments):
            lines.extend(wrap("* illustrative: a figure is an assumption, not a sourced "
                              "number (see the instrument's note)", "", "  "))
        if src_ids:
            lines.append("Sources:")
            for src, i in src_ids.items():
                lines.extend(wrap(src, f"  [{i}] ", " " * (len(str(i)) + 5)))
        if self.sources:
            lines.append("Scenario sources:")
            for s in self.sources:
                lines.extend(wrap(s, "  - ", "    "))
        if self.variants:
            lines.append("Variants (tariffsim.scenarios.load(name, variant=...)):")
            for key, target in self.variants:
                lines.extend(wrap(f"{key}: {target}", "  - ", "    "))
        if self.notes:
            lines.append("Notes:")
            for ln in self.notes.strip().splitlines():
                lines.extend(wrap(ln, "  "))
        return "\n".join(lines)

    # ------------------------------------------------------------------ TOML, frames
    def to_dict(self) -> dict[str, Any]:
        """A TOML-ready dict (what [`to_toml`][tariffsim.scenario.Scenario.to_toml] writes)."""
        return _io.to_dict(self)

    def to_toml(self) -> str:
        """The scenario as TOML text; ``Scenario.from_toml(s.to_toml()) == s``."""
        return _io.to_toml(self)

    def write_toml(self, path: str | os.PathLike[str]) -> Path:
        """Write [`to_toml`][tariffsim.scenario.Scenario.to_toml] to ``path`` atomically (write a
        temporary file, then rename)."""
        return write_atomic(path, self.to_toml())

    @classmethod
    def from_toml(cls, source: str | bytes | os.PathLike[str]) -> Scenario:
        """Read a scenario from a TOML file path or TOML text.

        ``source`` is a `pathlib.Path`, a path string (see
        `tariffsim.scenario_io.is_path`), TOML text, or bytes (UTF-8 TOML). Every
        problem raises ScenarioError with the line, the key path (``instruments[3].rate``)
        and the fix.
        """
        return _io.from_toml(source, cls=cls)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, _text: str | None = None,
                  _origin: str = "scenario") -> Scenario:
        """Build a scenario from a dict shaped like the TOML file."""
        return _io.from_dict(data, cls=cls, text=_text, origin=_origin)

    @classmethod
    def from_frame(cls, name: str, tariffs: Any = None, trade_costs: Any = None, *,
                   mode: TariffMode = "set", layer: str = "scenario", start: Any = None,
                   end: Any = None, source: str = "", description: str = "",
                   date: Any = None) -> Scenario:
        """Build a scenario from long frames of new tariff levels and iceberg factors.

        Parameters
        ----------
        tariffs : DataFrame with columns exporter, importer, [sector], rate
            One [`Tariff`][tariffsim.scenario.Tariff] per row (``mode="set"``: the rate is the new
            tariff level).
        trade_costs : DataFrame with columns exporter, importer, [sector], factor
            One [`TradeCost`][tariffsim.scenario.TradeCost] per row.
        mode, layer, start, end, source
            Applied to every tariff row (``start``/``end``/``source`` also to trade costs);
            optional columns ``start``, ``end``, ``source`` override them row by row.
        """
        return _io.from_frame(name, tariffs, trade_costs, mode=mode, layer=layer, start=start,
                              end=end, source=source, description=description, date=date,
                              cls=cls)

    # ------------------------------------------------------------------ excerpts
    def excerpt(self, *, until: Any = None, hold: bool = False,
                layers: Iterable[str] | None = None, exclude_layers: Iterable[str] = (),
                exporters: Iterable[str] | None = None,
                skip_exporters: Iterable[str] = ()) -> tuple[Instrument, ...]:
        """Some of this scenario's instruments, for another scenario to build on.

        What a scenario file's ``[[include]]`` table does (docs/scenarios.md): the built-in
        scenarios start from the instruments of the line-level timeline
        ``us-tariffs-2025-2026`` instead of re-typing its rates and product lists.

        Parameters
        ----------
        until : date, str or int, optional
            Leave out the instruments that start on or after this day.
        hold : bool
            With ``until``: the instruments in force on the day before ``until`` stay in
            force after it (their ``end`` is dropped) -- "the law as it stood then, kept".
        layers, exclude_layers : list of str, optional
            Keep only the Tariffs whose ``layer`` matches one of ``layers`` (shell patterns,
            ``"s232_*"``; instruments of other kinds are then left out); leave out those
            matching ``exclude_layers``.
        exporters, skip_exporters : list of str, optional
            Keep only the instruments whose exporter side names nothing but these codes (an
            instrument on ``"*"`` never qualifies); leave out those whose exporter side names
            nothing but ``skip_exporters``.

        Returns
        -------
        tuple of instruments, in this scenario's order.

        Examples
        --------
        >>> import tariffsim as ts
        >>> law = ts.scenarios.load("us-tariffs-2025-2026")
        >>> china = law.excerpt(exporters=["CHN", "HKG"], until="2026-01-01", hold=True)
        >>> sorted({i.layer for i in china})
        ['ieepa_fentanyl', 'ieepa_reciprocal']
        """
        return _io.excerpt(self.instruments, until=until, hold=hold, layers=layers,
                           exclude_layers=exclude_layers, exporters=exporters,
                           skip_exporters=skip_exporters)

    # ------------------------------------------------------------------ dates
    def active(self, date: Any) -> list[Instrument]:
        """Instruments in force on ``date`` (start <= date < end)."""
        d = to_date(date, "date")
        return [inst for inst in self.instruments if inst.in_force(d)]

    def _dated(self) -> bool:
        """True when some instrument has a start, an end or a phase-in."""
        return _resolve.is_dated(self.instruments)

    # ------------------------------------------------------------------ validation
    def validate(self, baseline: Any = None) -> Scenario:
        """Check the scenario; raise ScenarioError on the first problem, else return self.

        Without a baseline: contradictory "set" tariffs (two set rates that differ, on the
        same importer, exporter and sector, on overlapping dates, whose coverages add above
        one). Dates out of order are rejected when instruments are built. With a baseline,
        also: unknown economy codes and sectors (with suggestions), sector-restricted
        instruments without ``coverage`` on a baseline that lacks those sectors, unit
        conversions, and the effective tariffs on every date where the policy changes.
        """
        _resolve.check(self, baseline)
        return self

    # ------------------------------------------------------------------ shocks
    def shocks(self, baseline: Any, date: Any = None, year: int | None = None,
               year_rule: YearRule = DEFAULT_YEAR_RULE) -> Shocks:
        """Array-level shocks of this scenario on ``baseline`` on a date or in a year.

        Parameters
        ----------
        baseline : tariffsim.Baseline
        date : date, str or int, optional
            Evaluate the policy in force on this day (a bare year such as ``"2026"`` is
            1 January of it; see `tariffsim._validate.to_date`).
        year : int, optional
            Evaluate a year: ``year_rule="average"`` (default) averages tariffs, trade
            costs and export taxes over the year weighted by days in force;
            ``"mid-year"`` takes the policy in force on 1 July. Commitments phase by year
            either way. ``date`` and ``year`` together raise ScenarioError.
        year_rule : {"average", "mid-year"}
            How a policy that starts or ends within ``year`` counts. Without ``date``
            and ``year`` the scenario's own ``date`` is used; without that, the day its
            last instrument starts (the policy once fully in place); a scenario with no
            dated instrument is evaluated with all its instruments.

        Returns
        -------
        tariffsim.shocks.Shocks
            ``tariffs``: new tariff levels (baseline plus the layers, see
            [`tariffsim.Tariff`][]); ``trade_costs``: iceberg factors; ``export_taxes``;
            ``commitments``: target LEVELS of imports (baseline imports from the partner in
            the sectors + the committed increment phased to the year, baseline units);
            ``quotas``. Arrays are None when no instrument of that kind is in force.

        See Also
        --------
        tariffsim.resolve.resolve : the resolver this method calls.
        """
        return _resolve.resolve(self, baseline, date=date, year=year, year_rule=year_rule)

    # ------------------------------------------------------------------ variations
    def with_realisation(self, share: float) -> Scenario:
        """The same scenario with every purchase commitment met to ``share`` (0-1): the
        ``realisation`` of each [`ImportCommitment`][tariffsim.scenario.ImportCommitment] replaced
        (the 2020 US-China Phase One purchases reached 0.58 of the committed level). The name says
        so.

        Raises
        ------
        ScenarioError
            ``share`` is not a number in [0, 1] (checked also when the scenario holds no
            commitment)."""
        import dataclasses

        from .instruments import _share
        share = _share(share, "realisation", low_open=False, high_open=False)
        insts = tuple(dataclasses.replace(i, realisation=share)
                      if isinstance(i, ImportCommitment) else i for i in self.instruments)
        return dataclasses.replace(self, name=f"{self.name} (commitments x{share:g})",
                                   instruments=insts)


def _variants(value: Any) -> tuple[tuple[str, str], ...]:
    """``variants`` as sorted (name, scenario) pairs, checked."""
    if value is None:
        return ()
    items = list(value.items()) if isinstance(value, Mapping) else value
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise ScenarioError("variants: expected a table name -> scenario (a built-in name or "
                            "a TOML path), e.g. variants = {as-signed = \"my-deal-as-signed\"}.",
                            field="variants")
    out: dict[str, str] = {}
    for item in items:
        if not (isinstance(item, tuple | list) and len(item) == 2
                and all(isinstance(x, str) and x.strip() for x in item)):
            raise ScenarioError(f"variants: entry {item!r} is not a name and a scenario (a "
                                f"built-in name or a TOML path).", field="variants")
        out[item[0].strip()] = item[1].strip()
    return tuple(sorted(out.items()))


# ----------------------------------------------------------------------------- text
#: Widest a describe() column may be (type, exporter, importer, sectors, policy).
_COLUMN_CAPS = {1: 18, 2: 22, 3: 22, 4: 20, 5: 40}


#: The order in which describe() shortens columns to fit a width: (columns, narrowest).
#: Codes and sectors first, then the policy text, the instrument type, the policy again.
_SHRINK = (((2, 3, 4), 8), ((5,), 24), ((1,), 10), ((5,), 16))


def _column_widths(table: list[tuple[str, ...]], width: int) -> list[int]:
    """Column widths of a describe() table: each column's longest cell up to its cap;
    then, until the table (two spaces between columns) fits in ``width``, columns lose
    one character at a time in the order of `_SHRINK` (the widest of a group
    first), never below their header."""
    n = len(table[0])
    widths = [min(max(len(r[i]) for r in table), _COLUMN_CAPS.get(i, 99)) for i in range(n)]
    for cols, narrowest in _SHRINK:
        while sum(widths) + 2 * (n - 1) > width:
            shrink = [i for i in cols if widths[i] > max(narrowest, len(table[0][i]))]
            if not shrink:
                break
            widths[max(shrink, key=lambda i: widths[i])] -= 1
    return widths

def _codes_text(codes: Any) -> str:
    if codes is None:
        return ALL
    if isinstance(codes, str):
        return codes
    return ",".join(codes)


def _dest_text(inst: ExportRestriction) -> str:
    text = _codes_text(inst.destinations)
    if inst.exclude:
        text += " except " + ",".join(inst.exclude)
    return text


def _policy_text(inst: Instrument) -> str:
    if isinstance(inst, Tariff):
        text = f"{Tariff.SIGNS[inst.mode]}{inst.rate * 100:.4g}% {inst.layer}"
        if inst.coverage is not None:
            text += f" cov {inst.coverage:.3g}"
        if inst.exempt_coverage is not None:
            text += f" exempt {inst.exempt_coverage:.3g}"
        elif inst.exempt:
            text += " exempt " + ",".join(inst.exempt)
        if inst.transshipment_share:
            text += f" tship {inst.transshipment_share:.3g}@{inst.transshipment_rate:.3g}"
        return text
    if isinstance(inst, TradeCost):
        text = f"x{inst.factor:g} trade cost"
        if inst.coverage is not None:
            text += f" cov {inst.coverage:.3g}"
        return text
    if isinstance(inst, ImportCommitment):
        unit = inst.units.replace("USD ", "")
        text = f"+{inst.value:,.6g} {unit}/yr"
        if inst.by:
            text += f" by {inst.by.year}"
        if inst.schedule:
            text += " sched " + ",".join(f"{y}:{s:g}" for y, s in inst.schedule)
        return text
    text = (f"tax {inst.tax_equivalent * 100:.4g}%" if inst.tax_equivalent is not None
            else f"cap {inst.quantity_cap:,.6g}")
    if inst.coverage is not None:
        text += f" cov {inst.coverage:.3g}"
    return text + f" rents:{inst.rents}"
