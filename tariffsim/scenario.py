"""Scenarios: named, described, dated lists of policy instruments, with TOML in and out.

A :class:`Scenario` is what a user writes (in Python or in a TOML file); applied to a
:class:`tariffsim.Baseline` on a date or in a year it becomes array-level
:class:`tariffsim.shocks.Shocks` for the model engines.

TOML format (see docs/scenarios.md)::

    name = "my-scenario"
    description = "US tariffs on Vietnam after the 26 Oct 2025 framework"
    date = 2025-10-26
    sources = ["EO 14326 Annex I"]
    notes = "..."

    [[instruments]]
    type = "tariff"            # tariff | trade_cost | import_commitment | export_restriction
    importer = "USA"
    exporter = "VNM"
    rate = 0.20
    mode = "add"
    start = 2025-08-07
    source = "EO 14326 Annex I"

Evaluating a scenario in a year
-------------------------------
``shocks(baseline, year=Y)`` uses, by default (``year_rule="mid-year"``), the policy in
force on 1 July of Y, with purchase commitments phased by year
(:meth:`ImportCommitment.value_in`). ``year_rule="average"`` instead averages tariffs,
trade-cost factors and export taxes over the year, weighting each policy regime by the
number of days it is in force (quotas and commitments still use the mid-year rule).
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import tomli_w

from ._atomic import write_atomic
from ._validate import require_columns, to_date
from .errors import ScenarioError, suggest
from .instruments import (
    ALL,
    KINDS,
    UNIT_FACTORS,
    ExportRestriction,
    ImportCommitment,
    Instrument,
    Tariff,
    TradeCost,
    field_names,
)
from .literals import YearRule, check_option
from .shocks import CommitmentTarget, QuotaTarget, Shocks

__all__ = ["Scenario"]

_TOP_KEYS = ("name", "description", "date", "sources", "notes", "instruments")
_EPS = 1e-9


# ----------------------------------------------------------------------------- helpers
def _suggest_code(code: str, known: Sequence[str]) -> str:
    upper = {k.upper(): k for k in known}
    if code.upper() in upper:
        return f" (did you mean {upper[code.upper()]!r}?)"
    return suggest(code, known)


def _unknown(field_: str, what: str, unknown: Sequence[str], known: Sequence[str],
             fix: str) -> ScenarioError:
    parts = [f"{u!r}{_suggest_code(u, known)}" for u in list(unknown)[:10]]
    shown = ", ".join(list(known)[:30]) + (" ..." if len(known) > 30 else "")
    return ScenarioError(f"{field_}: unknown {what} {', '.join(parts)}. Known: {shown}. {fix}",
                         field=field_)


def _overlap_dates(a: Any, b: Any) -> bool:
    lo = max((d for d in (a.start, b.start) if d is not None), default=None)
    hi = min((d for d in (a.end, b.end) if d is not None), default=None)
    return lo is None or hi is None or lo < hi


def _overlap_codes(a: str | tuple, ex_a: tuple, b: str | tuple, ex_b: tuple) -> bool:
    if a == ALL and b == ALL:
        return True
    if a == ALL:
        sb = {b} if isinstance(b, str) else set(b)
        return bool(sb - set(ex_a) - set(ex_b))
    if b == ALL:
        return _overlap_codes(b, ex_b, a, ex_a)
    sa = {a} if isinstance(a, str) else set(a)
    sb = {b} if isinstance(b, str) else set(b)
    return bool((sa & sb) - set(ex_a) - set(ex_b))


def _overlap_sectors(a: tuple | None, b: tuple | None) -> bool:
    return a is None or b is None or bool(set(a) & set(b))


def _weight(inst: Tariff) -> float:
    w = 1.0 if inst.coverage is None else inst.coverage
    if inst.exempt_coverage is not None:
        w *= 1.0 - inst.exempt_coverage
    return w


def _toml_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_toml_value(v) for v in value]
    return value


def _locate(text: str | None, k: int, key: str | None) -> str:
    """' (line L)' of key ``key`` in the k-th [[instruments]] table of ``text``."""
    if not text:
        return ""
    lines = text.splitlines()
    header = re.compile(r"^\s*\[\[\s*instruments\s*\]\]")
    count = -1
    for i, line in enumerate(lines):
        if header.match(line):
            count += 1
            if count == k:
                if key is None:
                    return f" (line {i + 1})"
                pat = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
                for j in range(i + 1, len(lines)):
                    if lines[j].lstrip().startswith("["):
                        break
                    if pat.match(lines[j]):
                        return f" (line {j + 1})"
                return f" (table at line {i + 1})"
    return ""


def _syntax_error(exc: Exception, text: str, origin: str) -> ScenarioError:
    msg = str(exc)
    m = re.search(r"line (\d+)", msg)
    where, key, table = "", "", ""
    if m:
        n = int(m.group(1))
        lines = text.splitlines()
        if 1 <= n <= len(lines):
            line = lines[n - 1]
            where = f" Line {n}: {line.strip()[:80]!r}."
            km = re.match(r"\s*([A-Za-z0-9_\-\"'.]+)\s*=", line)
            if km:
                key = f" key {km.group(1).strip(chr(34) + chr(39))!r},"
            headers = [(i, ln.strip()) for i, ln in enumerate(lines[:n])
                       if ln.lstrip().startswith("[")]
            if headers:
                hdr = headers[-1][1]
                if re.match(r"^\[\[\s*instruments\s*\]\]", hdr):
                    idx = sum(1 for _, h in headers if re.match(r"^\[\[\s*instruments", h)) - 1
                    table = f" in instruments[{idx}],"
                else:
                    table = f" in table {hdr[:40]!r},"
    return ScenarioError(f"{origin}: TOML syntax error{table}{key} {msg}.{where} Fix the "
                         f"syntax (strings in double quotes, dates as 2025-08-07, one key = "
                         f"value per line).", field="toml")


class _Resolver:
    """Maps codes and sector names of instruments to baseline indices."""

    def __init__(self, baseline: Any) -> None:
        for attr in ("countries", "sectors", "flows", "tariffs"):
            if not hasattr(baseline, attr):
                raise ScenarioError(f"baseline: expected a tariffsim.Baseline (missing "
                                    f"{attr!r}), got {type(baseline).__name__}.",
                                    field="baseline")
        self.base = baseline
        self.countries = tuple(baseline.countries)
        self.sectors = tuple(baseline.sectors)
        self.cidx = {c: i for i, c in enumerate(self.countries)}
        self.sidx = {s: j for j, s in enumerate(self.sectors)}
        self.N, self.J = len(self.countries), len(self.sectors)
        self.units = getattr(baseline, "units", "USD million")

    def index(self, code: str, field_: str) -> int:
        if code not in self.cidx:
            raise _unknown(field_, "economy code", [code], self.countries,
                           "Fix the spelling or add the economy to the baseline.")
        return self.cidx[code]

    def mask(self, codes: Any, exclude: tuple, field_: str) -> np.ndarray:
        m = np.zeros(self.N, dtype=bool)
        if codes is None or codes == ALL:
            m[:] = True
        else:
            items = (codes,) if isinstance(codes, str) else codes
            bad = [c for c in items if c not in self.cidx]
            if bad:
                raise _unknown(field_, "economy code(s)", bad, self.countries,
                               "Fix the spelling or add the economy to the baseline.")
            m[[self.cidx[c] for c in items]] = True
        bad = [c for c in exclude if c not in self.cidx]
        if bad:
            raise _unknown(field_.rsplit(".", 1)[0] + ".exclude", "economy code(s)", bad,
                           self.countries, "Fix the spelling or remove it from exclude.")
        m[[self.cidx[c] for c in exclude]] = False
        return m

    def sector_weights(self, inst: Any, prefix: str) -> np.ndarray:
        """Weight (0-1) of the instrument on each baseline sector."""
        sectors = inst.sectors
        coverage = getattr(inst, "coverage", None)
        w = np.ones(self.J)
        if sectors is not None:
            known = [s for s in sectors if s in self.sidx]
            unknown = [s for s in sectors if s not in self.sidx]
            if not unknown:
                w[:] = 0.0
                w[[self.sidx[s] for s in known]] = 1.0
            elif known:
                raise _unknown(f"{prefix}.sectors", "sector(s)", unknown, self.sectors,
                               "Use the baseline's sector names, or give only sectors that "
                               "are not in the baseline together with coverage=.")
            elif isinstance(inst, ImportCommitment):
                if self.J != 1:
                    raise _unknown(f"{prefix}.sectors", "sector(s)", unknown, self.sectors,
                                   "Use the baseline's sector names (a commitment on a "
                                   "one-sector baseline applies to the pair's total imports).")
            elif isinstance(inst, ExportRestriction) and inst.quantity_cap is not None:
                raise _unknown(f"{prefix}.sectors", "sector(s)", unknown, self.sectors,
                               "A quantity cap needs a baseline with the restricted sectors; "
                               "use a sectoral baseline, or tax_equivalent= with coverage= "
                               "(share of the pair's exports covered) on this baseline.")
            elif coverage is None:
                raise _unknown(f"{prefix}.sectors", "sector(s)", unknown, self.sectors,
                               f"This baseline has no such sector: pass coverage= (the share "
                               f"of the pair's trade the instrument covers, e.g. 0.12) or use a "
                               f"sectoral baseline.{self._hint()}")
        # coverage is the share of the pair's trade that the named sectors stand for, used
        # when the baseline lacks them; on a baseline that has them the weight is exact
        if coverage is not None and (sectors is None or not all(s in self.sidx
                                                                for s in sectors)):
            w *= coverage
        exempt = getattr(inst, "exempt", None)
        exempt_cov = getattr(inst, "exempt_coverage", None)
        if exempt:
            unknown = [s for s in exempt if s not in self.sidx]
            for s in exempt:
                if s in self.sidx:
                    w[self.sidx[s]] = 0.0
            if unknown and exempt_cov is None:
                raise _unknown(f"{prefix}.exempt", "sector(s)", unknown, self.sectors,
                               "Exempt products that are not baseline sectors need "
                               "exempt_coverage= (the share of the covered trade that is "
                               "exempt), or use a sectoral baseline.")
        if exempt_cov is not None:
            w *= 1.0 - exempt_cov
        return w

    def _hint(self) -> str:
        return " (this baseline has the single sector 'total')" if self.J == 1 else ""

    def unit_factor(self, units: str, field_: str) -> float:
        if units == self.units:
            return 1.0
        if units in UNIT_FACTORS and self.units in UNIT_FACTORS:
            return UNIT_FACTORS[units] / UNIT_FACTORS[self.units]
        raise ScenarioError(f"{field_}: cannot convert {units!r} to the baseline's units "
                            f"{self.units!r}; give the value in {self.units!r}.", field=field_)


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
        The scenario's reference date: the date :meth:`shocks` uses when neither ``date``
        nor ``year`` is given.
    sources : sequence of str
        Citations for the scenario as a whole (each instrument has its own ``source``).
    notes : str

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

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if not isinstance(self.name, str) or not self.name.strip():
            raise ScenarioError(f"name: give the scenario a non-empty name, got "
                                f"{self.name!r}.", field="name")
        insts = self.instruments
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
        src = self.sources
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
        """A text table of the instruments with their dates and (numbered) sources."""
        lines = [f"Scenario {self.name!r}" + (f" (dated {self.date})" if self.date else "")]
        if self.description:
            lines.append(self.description)
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
        table = [head, *rows]
        cap = {1: 18, 2: 22, 3: 22, 4: 20, 5: 40}
        widths = [min(max(len(r[i]) for r in table), cap.get(i, 99)) for i in range(len(head))]

        def fmt(r: tuple) -> str:
            cells = [(c if len(c) <= w else c[: w - 1] + "~").ljust(w)
                     for c, w in zip(r, widths, strict=True)]
            return "  ".join(cells).rstrip()

        lines.append(fmt(head))
        lines.append("  ".join("-" * w for w in widths))
        lines.extend(fmt(r) for r in rows)
        if any(i.illustrative for i in self.instruments):
            lines.append("* illustrative: a figure is an assumption, not a sourced number "
                         "(see the instrument's note)")
        if src_ids:
            lines.append("Sources:")
            for src, i in src_ids.items():
                lines.append(f"  [{i}] {src}")
        if self.sources:
            lines.append("Scenario sources:")
            lines.extend(f"  - {s}" for s in self.sources)
        if self.notes:
            lines.append("Notes:")
            lines.extend(f"  {ln}" for ln in self.notes.strip().splitlines())
        return "\n".join(lines)

    # ------------------------------------------------------------------ TOML
    def to_dict(self) -> dict[str, Any]:
        """A TOML-ready dict (what :meth:`to_toml` writes)."""
        out: dict[str, Any] = {"name": self.name}
        if self.description:
            out["description"] = self.description
        if self.date is not None:
            out["date"] = self.date
        if self.sources:
            out["sources"] = list(self.sources)
        if self.notes:
            out["notes"] = self.notes
        insts = []
        for inst in self.instruments:
            d = inst.to_dict()
            row: dict[str, Any] = {}
            for key, value in d.items():
                if key == "schedule":
                    row[key] = {str(y): s for y, s in value}
                else:
                    row[key] = _toml_value(value)
            insts.append(row)
        if insts:
            out["instruments"] = insts
        return out

    def to_toml(self) -> str:
        """The scenario as TOML text; ``Scenario.from_toml(s.to_toml()) == s``."""
        doc = self.to_dict()
        header = (f"# tariffsim scenario {self.name!r}; format: docs/scenarios.md\n"
                  f"# Instruments apply on days start <= d < end; rates are fractions.\n\n")
        text = tomli_w.dumps(doc, multiline_strings=True)
        if tomllib.loads(text) != doc:  # multiline strings normalise \r; fall back
            text = tomli_w.dumps(doc)
        return header + text

    def write_toml(self, path: str | Path) -> Path:
        """Write :meth:`to_toml` to ``path`` atomically (write a temporary file, then rename)."""
        return write_atomic(path, self.to_toml())

    @classmethod
    def from_toml(cls, source: str | bytes | os.PathLike[str]) -> Scenario:
        """Read a scenario from a TOML file path or TOML text.

        ``source`` is a :class:`pathlib.Path`, a path string (see :func:`is_path`), TOML
        text, or bytes (UTF-8 TOML). Every problem raises ScenarioError with the line, the
        key path (``instruments[3].rate``) and the fix.
        """
        origin = "scenario TOML"
        if is_path(source):
            path = Path(source)
            origin = str(path)
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                raise ScenarioError(f"{path}: no such scenario file; check the path (built-in "
                                    f"scenarios: tariffsim.scenarios.list()).",
                                    field="path") from None
            except OSError as exc:
                raise ScenarioError(f"{path}: cannot read the file ({exc}).",
                                    field="path") from None
            source = raw
        if isinstance(source, (bytes, bytearray)):
            try:
                text = bytes(source).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ScenarioError(f"{origin}: not UTF-8 text (byte {exc.start}); save the "
                                    f"file as UTF-8.", field="toml") from None
        elif isinstance(source, str):
            text = source
        else:
            raise ScenarioError(f"from_toml: expected a path or TOML text, got "
                                f"{type(source).__name__}.", field="source")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise _syntax_error(exc, text, origin) from None
        except RecursionError:
            raise ScenarioError(f"{origin}: TOML nested too deeply to read; a scenario needs "
                                f"no nesting beyond [[instruments]].", field="toml") from None
        return cls.from_dict(data, _text=text, _origin=origin)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, _text: str | None = None,
                  _origin: str = "scenario") -> Scenario:
        """Build a scenario from a dict shaped like the TOML file."""
        if not isinstance(data, Mapping):
            raise ScenarioError(f"{_origin}: expected a table of keys, got "
                                f"{type(data).__name__}.", field="toml")
        unknown = [k for k in data if k not in _TOP_KEYS]
        if unknown:
            k = unknown[0]
            raise ScenarioError(f"{_origin}: unknown top-level key {k!r}{suggest(k, _TOP_KEYS)};"
                                f" allowed keys: {list(_TOP_KEYS)}.", field=str(k))
        if "name" not in data:
            raise ScenarioError(f"{_origin}: missing key 'name' (the scenario's name).",
                                field="name")
        raw = data.get("instruments", [])
        if isinstance(raw, Mapping):
            raise ScenarioError(f"{_origin}: 'instruments' must be an array of tables; write "
                                f"each instrument under its own [[instruments]] header "
                                f"(double brackets).", field="instruments")
        if not isinstance(raw, list):
            raise ScenarioError(f"{_origin}: 'instruments' must be an array of tables "
                                f"([[instruments]]), got {type(raw).__name__}.",
                                field="instruments")
        insts = [_instrument_from_dict(k, d, _text, _origin) for k, d in enumerate(raw)]
        kwargs = {k: data[k] for k in ("description", "date", "sources", "notes") if k in data}
        try:
            return cls(name=data["name"], instruments=insts, **kwargs)
        except ScenarioError as exc:
            raise ScenarioError(f"{_origin}: {exc}", field=exc.field) from None

    # ------------------------------------------------------------------ frames
    @classmethod
    def from_frame(cls, name: str, tariffs: Any = None, trade_costs: Any = None, *,
                   mode: str = "set", layer: str = "scenario", start: Any = None,
                   end: Any = None, source: str = "", description: str = "",
                   date: Any = None) -> Scenario:
        """Build a scenario from long frames of new tariff levels and iceberg factors.

        Parameters
        ----------
        tariffs : DataFrame with columns exporter, importer, [sector], rate
            One :class:`Tariff` per row (``mode="set"``: the rate is the new tariff level).
        trade_costs : DataFrame with columns exporter, importer, [sector], factor
            One :class:`TradeCost` per row.
        mode, layer, start, end, source
            Applied to every tariff row (``start``/``end``/``source`` also to trade costs);
            optional columns ``start``, ``end``, ``source`` override them row by row.
        """

        insts: list[Instrument] = []
        for label, frame, value_col, make in (
                ("tariffs", tariffs, "rate",
                 lambda r, kw: Tariff(importer=r["importer"], exporter=r["exporter"],
                                      rate=r["rate"], mode=mode, layer=layer, **kw)),
                ("trade_costs", trade_costs, "factor",
                 lambda r, kw: TradeCost(importer=r["importer"], exporter=r["exporter"],
                                         factor=r["factor"], **kw))):
            if frame is None:
                continue
            require_columns(frame, ("exporter", "importer", value_col), label,
                            error=ScenarioError,
                            hint=f"Expected exporter, importer, [sector], {value_col}.")
            keys = [c for c in ("exporter", "importer", "sector") if c in frame.columns]
            dup = frame[frame.duplicated(keys, keep=False)]
            if len(dup):
                raise ScenarioError(f"{label}: duplicate rows for {keys}:\n"
                                    f"{dup.head().to_string()}\nGive each pair once.",
                                    field=label)
            for pos, (_, row) in enumerate(frame.iterrows()):
                r = {c: (None if _isna(v) else v) for c, v in row.items()}
                if r[value_col] is None:
                    raise ScenarioError(f"{label} row {pos}: missing {value_col} "
                                        f"({r.get('exporter')}->{r.get('importer')}).",
                                        field=f"{label}.{value_col}")
                kw: dict[str, Any] = {
                    "start": r.get("start", start) if r.get("start") is not None else start,
                    "end": r.get("end") if r.get("end") is not None else end,
                    "source": r.get("source") if r.get("source") is not None else source,
                }
                if "sector" in r and r["sector"] is not None:
                    kw["sectors"] = (str(r["sector"]),)
                try:
                    insts.append(make(r, kw))
                except ScenarioError as exc:
                    raise ScenarioError(f"{label} row {pos} ({r.get('exporter')}->"
                                        f"{r.get('importer')}): {exc}",
                                        field=f"{label}.{exc.field}") from None
        return cls(name, insts, description=description, date=date)

    # ------------------------------------------------------------------ dates
    def active(self, date: Any) -> list[Instrument]:
        """Instruments in force on ``date`` (start <= date < end)."""
        d = to_date(date, "date")
        return [inst for inst in self.instruments if inst.in_force(d)]

    def _dated(self) -> bool:
        return any(i.start is not None or i.end is not None
                   or (isinstance(i, ImportCommitment) and (i.by or i.schedule))
                   for i in self.instruments)

    def _latest_start(self) -> _dt.date | None:
        """The day the last instrument started: the scenario's policy once fully in place."""
        starts = [i.start for i in self.instruments if i.start is not None]
        return max(starts) if starts else None

    def _breakpoints(self) -> list[_dt.date]:
        pts = {d for i in self.instruments for d in (i.start, i.end) if d is not None}
        if self.date is not None:
            pts.add(self.date)
        return sorted(pts)

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
        self._check_contradictions()
        if baseline is None:
            return self
        res = _Resolver(baseline)
        for k, inst in enumerate(self.instruments):
            _resolve(res, k, inst)
        dates = self._breakpoints() or [None]
        for d in dates:
            insts = [(k, i) for k, i in enumerate(self.instruments)
                     if d is None or i.in_force(d)]
            _point(res, insts, d)
        return self

    def _check_contradictions(self) -> None:
        sets = [(k, i) for k, i in enumerate(self.instruments)
                if isinstance(i, Tariff) and i.mode == "set"]
        buckets: dict[tuple, list] = {}
        general = []
        for k, i in sets:
            if isinstance(i.importer, str) and isinstance(i.exporter, str) and i.exporter != ALL \
                    and i.importer != ALL:
                buckets.setdefault((i.importer, i.exporter), []).append((k, i))
            else:
                general.append((k, i))
        pairs: list[tuple] = []
        for items in buckets.values():
            pairs.extend((a, b) for n, a in enumerate(items) for b in items[n + 1:])
        for n, a in enumerate(general):
            pairs.extend((a, b) for b in general[n + 1:])
            pairs.extend((a, b) for items in buckets.values() for b in items)
        for (ka, a), (kb, b) in pairs:
            if abs(a.effective_rate - b.effective_rate) <= _EPS:
                continue
            if _weight(a) + _weight(b) <= 1 + _EPS and (a.coverage is not None
                                                        or b.coverage is not None
                                                        or a.exempt_coverage is not None
                                                        or b.exempt_coverage is not None):
                continue
            if (_overlap_dates(a, b)
                    and _overlap_codes(a.importer, (), b.importer, ())
                    and _overlap_codes(a.exporter, a.exclude, b.exporter, b.exclude)
                    and _overlap_sectors(a.sectors, b.sectors)):
                lo, hi = ka, kb
                when = _overlap_text(a, b)
                raise ScenarioError(
                    f"instruments[{lo}] and instruments[{hi}]: contradictory 'set' tariffs "
                    f"({a.effective_rate:.4g} and {b.effective_rate:.4g}) on the same importer, "
                    f"exporter and sectors {when}. Give them non-overlapping dates, use "
                    f"mode='add' for a duty on top, or split their coverage.",
                    field=f"instruments[{hi}]")

    # ------------------------------------------------------------------ shocks
    def shocks(self, baseline: Any, date: Any = None, year: int | None = None,
               year_rule: YearRule = "mid-year") -> Shocks:
        """Array-level shocks of this scenario on ``baseline`` on a date or in a year.

        Parameters
        ----------
        baseline : tariffsim.Baseline
        date : date or str, optional
            Evaluate the policy in force on this day.
        year : int, optional
            Evaluate a year: ``year_rule="mid-year"`` (default) takes the policy in force on
            1 July; ``"average"`` averages tariffs, trade costs and export taxes over the
            year weighted by days in force. Commitments phase by year either way.
        year_rule : {"mid-year", "average"}
            How a policy that starts or ends within ``year`` counts. Without ``date``
            and ``year`` the scenario's own ``date`` is used; without that, the day its
            last instrument starts (the policy once fully in place); a scenario with no
            dated instrument is evaluated with all its instruments.

        Returns
        -------
        tariffsim.shocks.Shocks
            ``tariffs``: new tariff levels (baseline plus the layers, see
            :class:`tariffsim.Tariff`); ``trade_costs``: iceberg factors; ``export_taxes``;
            ``commitments``: target LEVELS of imports (baseline imports from the partner in
            the sectors + the committed increment phased to the year, baseline units);
            ``quotas``. Arrays are None when no instrument of that kind is in force.
        """
        if date is not None and year is not None:
            raise ScenarioError("shocks: give date= or year=, not both.", field="date")
        check_option(year_rule, YearRule, "year_rule", error=ScenarioError)
        res = _Resolver(baseline)
        for k, inst in enumerate(self.instruments):
            _resolve(res, k, inst)
        if year is not None:
            if isinstance(year, bool) or not isinstance(year, (int, np.integer)) \
                    or not 1900 <= int(year) <= 2200:
                raise ScenarioError(f"year: got {year!r}; give a year such as 2026.",
                                    field="year")
            year = int(year)
            mid = _dt.date(year, 7, 1)
            if year_rule == "mid-year":
                out = _point(res, self._in_force(mid), mid)
            else:
                out = self._average(res, year)
                quotas = _point(res, self._in_force(mid), mid).quotas
                out.quotas = quotas
            out.commitments = _commitments(res, self.instruments, mid, year)
        else:
            when = to_date(date, "date") if date is not None else self.date
            if when is None and self._dated():
                when = self._latest_start()
            if when is None and self._dated():
                raise ScenarioError(f"shocks: scenario {self.name!r} has dated instruments but "
                                    f"no date; pass date= or year=.", field="date")
            insts = self._in_force(when)
            out = _point(res, insts, when)
            out.commitments = _commitments(res, self.instruments, when,
                                           when.year if when else None)
        for c in out.commitments:
            if c.label and c.label not in out.labels:
                out.labels.append(c.label)
        return out

    def _in_force(self, when: _dt.date | None) -> list[tuple[int, Instrument]]:
        return [(k, i) for k, i in enumerate(self.instruments)
                if when is None or i.in_force(when)]

    def _average(self, res: _Resolver, year: int) -> Shocks:
        """Day-weighted average of the point shocks over the regimes of ``year``."""
        lo, hi = _dt.date(year, 1, 1), _dt.date(year + 1, 1, 1)
        cuts = sorted({lo, hi} | {d for d in self._breakpoints() if lo < d < hi})
        total = (hi - lo).days
        N, J = res.N, res.J
        neutral = {"tariffs": np.asarray(res.base.tariffs, dtype=float),
                   "trade_costs": np.ones((N, N, J)), "export_taxes": np.zeros((N, N, J))}
        acc = {key: np.zeros((N, N, J)) for key in neutral}
        seen = {key: False for key in neutral}
        labels: list[str] = []
        rents = "exporter"
        for a, b in zip(cuts, cuts[1:], strict=False):
            w = (b - a).days / total
            seg = _point(res, self._in_force(a), a)
            labels.extend(lab for lab in seg.labels if lab not in labels)
            if seg.export_taxes is not None:
                rents = seg.export_tax_rents
            for key in acc:
                arr = getattr(seg, key)
                seen[key] = seen[key] or arr is not None
                acc[key] += w * (neutral[key] if arr is None else arr)
        return Shocks(**{key: (acc[key] if seen[key] else None) for key in acc},
                      export_tax_rents=rents, labels=labels)


# ----------------------------------------------------------------------------- internals
def is_path(source: Any) -> bool:
    """True when ``source`` names a scenario file rather than holding TOML text.

    That is an :class:`os.PathLike` (a :class:`pathlib.Path`), or a one-line string without
    ``=`` that ends in ``.toml``, contains a path separator (``/`` or ``\\``) or names an
    existing file. The one rule behind :meth:`Scenario.from_toml`,
    :func:`tariffsim.scenarios.load` and every entry point that takes a scenario by name
    or path (``simulate``, ``project``, the PE bridge, the CLI).
    """
    if isinstance(source, os.PathLike):
        return True
    if not isinstance(source, str) or "\n" in source or "=" in source:
        return False
    text = source.strip()
    if text.endswith(".toml") or "/" in text or "\\" in text:
        return True
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False


def _isna(v: Any) -> bool:
    try:
        return v is None or (isinstance(v, float) and math.isnan(v)) or bool(v != v)
    except (TypeError, ValueError):
        return False


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
        sign = {"set": "=", "add": "+", "floor": ">="}[inst.mode]
        text = f"{sign}{inst.rate * 100:.4g}% {inst.layer}"
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


def _overlap_text(a: Any, b: Any) -> str:
    lo = max((d for d in (a.start, b.start) if d is not None), default=None)
    hi = min((d for d in (a.end, b.end) if d is not None), default=None)
    if lo is None and hi is None:
        return "at all dates"
    return f"between {lo or 'the beginning'} and {hi or 'open end'}"


def _kind_of(inst: Instrument) -> str:
    if isinstance(inst, Tariff):
        return "tariffs"
    if isinstance(inst, TradeCost):
        return "trade_costs"
    if isinstance(inst, ExportRestriction) and inst.tax_equivalent is not None:
        return "export_taxes"
    return ""


def _resolve(res: _Resolver, k: int, inst: Instrument) -> dict[str, Any]:
    """Baseline indices and sector weights of one instrument (raises on unknown codes)."""
    p = f"instruments[{k}]"
    out: dict[str, Any] = {}
    if isinstance(inst, (Tariff, TradeCost)):
        out["imp"] = res.mask(inst.importer, (), f"{p}.importer")
        out["exp"] = res.mask(inst.exporter, inst.exclude, f"{p}.exporter")
    elif isinstance(inst, ImportCommitment):
        out["imp_i"] = res.index(inst.importer, f"{p}.importer")
        out["exp_i"] = res.index(inst.exporter, f"{p}.exporter")
        out["factor"] = res.unit_factor(inst.units, f"{p}.units")
    else:
        out["exp_i"] = res.index(inst.exporter, f"{p}.exporter")
        dest = res.mask(inst.destinations, inst.exclude, f"{p}.destinations")
        dest[out["exp_i"]] = False
        out["dest"] = dest
        if inst.quantity_cap is not None:
            out["factor"] = res.unit_factor(inst.units, f"{p}.units")
    out["w"] = res.sector_weights(inst, p)
    return out


def _block(exp: np.ndarray, imp: np.ndarray) -> tuple:
    return np.ix_(np.flatnonzero(exp), np.flatnonzero(imp))


def _point(res: _Resolver, insts: list[tuple[int, Instrument]],
           when: _dt.date | None) -> Shocks:
    """Shocks from the instruments in force on one day (commitments excluded)."""
    N, J = res.N, res.J
    diag = np.arange(N)
    T0 = np.asarray(res.base.tariffs, dtype=float)
    tariffs = [(k, i) for k, i in insts if isinstance(i, Tariff)]
    costs = [(k, i) for k, i in insts if isinstance(i, TradeCost)]
    restr = [(k, i) for k, i in insts if isinstance(i, ExportRestriction)]
    labels = [i.label for _, i in insts if not isinstance(i, ImportCommitment)]
    out = Shocks(labels=labels)
    on = f" on {when}" if when else ""
    if tariffs:
        setw = np.zeros((N, N, J))
        setwr = np.zeros((N, N, J))
        rmin = np.full((N, N, J), np.inf)
        rmax = np.full((N, N, J), -np.inf)
        resolved = {k: _resolve(res, k, i) for k, i in tariffs}
        for k, inst in tariffs:
            if inst.mode != "set":
                continue
            r = resolved[k]
            ix = _block(r["exp"], r["imp"])
            w = np.broadcast_to(r["w"], setw[ix].shape)
            setw[ix] += w
            setwr[ix] += w * inst.effective_rate
            hit = w > 0
            rmin[ix] = np.where(hit, np.minimum(rmin[ix], inst.effective_rate), rmin[ix])
            rmax[ix] = np.where(hit, np.maximum(rmax[ix], inst.effective_rate), rmax[ix])
        setw[diag, diag, :] = 0.0
        bad = (setw > 1 + _EPS) & (rmax - rmin > _EPS)
        if bad.any():
            i, n, j = (int(x) for x in np.argwhere(bad)[0])
            who = [f"instruments[{k}] ({inst.effective_rate:.4g})" for k, inst in tariffs
                   if inst.mode == "set" and resolved[k]["exp"][i] and resolved[k]["imp"][n]
                   and resolved[k]["w"][j] > 0]
            raise ScenarioError(
                f"contradictory 'set' tariffs{on} on {res.countries[i]}->{res.countries[n]} "
                f"sector {res.sectors[j]!r}: {', '.join(who)} set different rates and their "
                f"coverage adds up to {setw[i, n, j]:.3g} > 1. Give them non-overlapping "
                f"dates or coverages that add up to at most 1, or use mode='add'.",
                field=f"instruments[{tariffs[-1][0]}]")
        same = setw > 1 + _EPS  # several set instruments with the same rate: full coverage
        setwr = np.where(same, rmax, setwr)
        setw = np.minimum(setw, 1.0)
        level = setwr + (1.0 - setw) * T0
        for k, inst in tariffs:
            if inst.mode != "floor":
                continue
            r = resolved[k]
            ix = _block(r["exp"], r["imp"])
            sub = level[ix]
            level[ix] = (1 - r["w"]) * sub + r["w"] * np.maximum(sub, inst.effective_rate)
        for k, inst in tariffs:
            if inst.mode != "add":
                continue
            r = resolved[k]
            ix = _block(r["exp"], r["imp"])
            level[ix] += r["w"] * inst.effective_rate
        level[diag, diag, :] = T0[diag, diag, :]
        if (level <= -1).any():
            i, n, j = (int(x) for x in np.argwhere(level <= -1)[0])
            raise ScenarioError(f"tariffs{on}: the layers add up to {level[i, n, j]:.4g} (at "
                                f"or below -100%) on {res.countries[i]}->{res.countries[n]} "
                                f"sector {res.sectors[j]!r}; check negative additive rates.",
                                field="tariffs")
        out.tariffs = level
    if costs:
        d = np.ones((N, N, J))
        for k, inst in costs:
            r = _resolve(res, k, inst)
            ix = _block(r["exp"], r["imp"])
            d[ix] *= 1.0 + r["w"] * (inst.factor - 1.0)
        d[diag, diag, :] = 1.0
        out.trade_costs = d
    taxes = [(k, i) for k, i in restr if i.tax_equivalent is not None]
    if taxes:
        rents = {i.rents for _, i in taxes}
        if len(rents) > 1:
            ks = [k for k, _ in taxes]
            raise ScenarioError(f"instruments{ks}: export restrictions in force{on} disagree on "
                                f"where the rents go ({sorted(rents)}); the model takes one "
                                f"setting for all export taxes. Make 'rents' the same.",
                                field=f"instruments[{ks[-1]}].rents")
        e = np.zeros((N, N, J))
        for k, inst in taxes:
            r = _resolve(res, k, inst)
            e[r["exp_i"], r["dest"], :] += r["w"] * inst.tax_equivalent
        e[diag, diag, :] = 0.0
        out.export_taxes = e
        out.export_tax_rents = rents.pop()
    for k, inst in restr:
        if inst.quantity_cap is None:
            continue
        r = _resolve(res, k, inst)
        out.quotas.append(QuotaTarget(exporter=r["exp_i"], importer_mask=r["dest"],
                                      sector_mask=r["w"] > 0,
                                      cap=inst.quantity_cap * r["factor"], rents=inst.rents,
                                      label=inst.label))
    return out


def _commitments(res: _Resolver, instruments: Sequence[Instrument], when: _dt.date | None,
                 year: int | None) -> list[CommitmentTarget]:
    """Merge commitments on the same importer, exporter and sectors into one target level."""
    acc: dict[tuple, list] = {}
    for k, inst in enumerate(instruments):
        if not isinstance(inst, ImportCommitment):
            continue
        if when is not None and not inst.in_force(when):
            continue
        r = _resolve(res, k, inst)
        phase = inst.phase(year) if year is not None else 1.0
        inc = inst.value * phase * r["factor"]
        if inc <= 0:
            continue
        mask = r["w"] > 0
        key = (r["imp_i"], r["exp_i"], mask.tobytes())
        entry = acc.setdefault(key, [r["imp_i"], r["exp_i"], mask, 0.0, []])
        entry[3] += inc
        entry[4].append(inst.label)
    out = []
    for n, i, mask, inc, labs in acc.values():
        base = float(np.asarray(res.base.flows)[i, n, mask].sum())
        label = " + ".join(labs)
        out.append(CommitmentTarget(importer=n, exporter=i, sector_mask=mask,
                                    value=base + inc, label=label))
    return out


def _instrument_from_dict(k: int, d: Any, text: str | None, origin: str) -> Instrument:
    p = f"instruments[{k}]"
    if not isinstance(d, Mapping):
        raise ScenarioError(f"{origin}: {p} must be a table (write it under [[instruments]]), "
                            f"got {type(d).__name__} {d!r:.60}.", field=p)
    kind = d.get("type")
    if kind is None:
        raise ScenarioError(f"{origin}: {p}{_locate(text, k, None)}: missing key 'type'; one of "
                            f"{list(KINDS)}.", field=f"{p}.type")
    try:
        check_option(kind, KINDS, "type", error=ScenarioError)
    except ScenarioError as exc:
        raise ScenarioError(f"{origin}: {p}.type{_locate(text, k, 'type')}: "
                            f"{_after_field(exc)}", field=f"{p}.type") from None
    cls = KINDS[kind]
    allowed = field_names(cls)
    kwargs = {}
    for key, value in d.items():
        if key == "type":
            continue
        if key not in allowed:
            raise ScenarioError(f"{origin}: {p}.{key}{_locate(text, k, key)}: unknown key "
                                f"{key!r} for a {kind}{suggest(key, allowed)}. Allowed keys: "
                                f"{', '.join(a for a in allowed if a != 'sector')}.",
                                field=f"{p}.{key}")
        if isinstance(value, (_dt.time,)) or (isinstance(value, _dt.datetime)
                                              and key not in ("start", "end", "by")):
            raise ScenarioError(f"{origin}: {p}.{key}{_locate(text, k, key)}: unexpected "
                                f"time value {value!r}.", field=f"{p}.{key}")
        kwargs[key] = value
    required = [f.name for f in fields(cls) if f.name not in kwargs and _is_required(cls, f.name)]
    if cls is ExportRestriction and "sectors" not in kwargs and "sector" not in kwargs:
        required.append("sectors")
    if required:
        raise ScenarioError(f"{origin}: {p}{_locate(text, k, None)}: missing required key(s) "
                            f"{required} for a {kind}.", field=f"{p}.{required[0]}")
    try:
        return cls(**kwargs)
    except ScenarioError as exc:
        sub = exc.field or ""
        key = sub.split(".")[0].split("[")[0] if sub else None
        msg = _after_field(exc)
        where = f"{p}.{sub}" if sub else p
        raise ScenarioError(f"{origin}: {where}{_locate(text, k, key)} ({kind}): {msg}",
                            field=where) from None


def _after_field(exc: ScenarioError) -> str:
    """The message of ``exc`` without its leading ``"<field>: "``."""
    msg, sub = str(exc), exc.field or ""
    return msg[len(sub) + 2:] if sub and msg.startswith(sub + ": ") else msg


def _is_required(cls: type, name: str) -> bool:
    import dataclasses

    for f in dataclasses.fields(cls):
        if f.name == name:
            return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    return False
