"""Scenario input and output: TOML files and text, plain dicts, long DataFrames.

The file format of a [`tariffsim.Scenario`][] (see docs/scenarios.md)::

    name = "my-scenario"
    description = "US tariffs on Vietnam after the 26 Oct 2025 framework"
    date = 2025-10-26
    sources = ["EO 14326 Annex I"]
    notes = "..."

    [variants]                 # optional: other versions of the same policy, by name
    as-signed = "my-scenario-as-signed"   # a built-in name, or a path beside this file

    [[instruments]]
    type = "tariff"            # tariff | trade_cost | import_commitment | export_restriction
    importer = "USA"
    exporter = "VNM"
    rate = 0.20
    mode = "add"
    start = 2025-08-07
    source = "EO 14326 Annex I"

A file may start from another scenario's instruments with ``[[include]]`` tables (keys
``scenario`` -- a built-in name or a path -- and the filters of `excerpt`: ``until``,
``hold``, ``layers``, ``exclude_layers``, ``exporters``, ``skip_exporters``)::

    [[include]]
    scenario = "us-tariffs-2025-2026"
    until = 2026-01-01
    hold = true

Included instruments come first, in the order of the tables, then the file's own; the
scenario read is flat (``to_toml`` writes the instruments themselves), and its ``sources``
say what was included.

Every problem in a file raises [`tariffsim.ScenarioError`][] with the line, the key path
(``instruments[3].rate``) and the fix (`locate`, `syntax_error`). The
``Scenario`` methods ``from_toml``, ``from_dict``, ``from_frame``, ``to_dict`` and
``to_toml`` are thin calls to the functions here; `is_path` is the one rule that
tells a file path from TOML text or a built-in scenario name.
"""

from __future__ import annotations

import contextvars
import dataclasses
import datetime as _dt
import fnmatch
import functools
import math
import os
import re
import stat
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

import tomli_w

from ._validate import require_columns, to_date
from .errors import ScenarioError, suggest
from .instruments import (
    ALL,
    KINDS,
    ExportRestriction,
    Instrument,
    Tariff,
    TradeCost,
    field_names,
)
from .literals import TariffMode, check_option

if TYPE_CHECKING:
    from .scenario import Scenario

__all__ = ["is_path", "read_file", "MAX_FILE_BYTES", "from_toml", "from_dict", "from_frame",
           "to_dict", "to_toml", "instrument_from_dict", "locate", "syntax_error", "excerpt",
           "TOP_KEYS", "INCLUDE_KEYS"]

#: The top-level keys of a scenario file.
TOP_KEYS = ("name", "description", "date", "sources", "notes", "variants", "include",
            "instruments")
#: The keys of an ``[[include]]`` table.
INCLUDE_KEYS = ("scenario", "until", "hold", "layers", "exclude_layers", "exporters",
                "skip_exporters")
#: Scenarios being read, to catch an include cycle.
_READING: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("_READING",
                                                                          default=())


def _scenario_class(cls: type[Scenario] | None) -> type[Scenario]:
    if cls is not None:
        return cls
    from .scenario import Scenario
    return Scenario


# ----------------------------------------------------------------------------- paths
def is_path(source: object) -> TypeGuard[str | os.PathLike[str]]:
    """True when ``source`` names a scenario file rather than holding TOML text.

    That is an `os.PathLike` (a `pathlib.Path`), or a one-line string without
    ``=`` that ends in ``.toml``, contains a path separator (``/`` or ``\\``) or names an
    existing file. The one rule behind [`Scenario.from_toml`][tariffsim.Scenario.from_toml],
    [`tariffsim.scenarios.load`][] and every entry point that takes a scenario by name
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

# ----------------------------------------------------------------------------- reading
#: Largest scenario file read [bytes]: 64 MB, about 400,000 instruments. A larger file is
#: refused (not read into memory); raise this limit for a larger scenario.
MAX_FILE_BYTES = 64 * 2**20


def read_file(path: str | os.PathLike[str]) -> bytes:
    """The bytes of the scenario file ``path``: a regular file of at most
    `MAX_FILE_BYTES`.

    Devices (``/dev/zero``), FIFOs and sockets are refused before they are opened (reading
    them would never end or block forever), and so are folders; a file larger than the
    limit is refused without reading it, and at most the limit plus one byte is ever read
    (a file that grows while it is read is refused too).

    Raises
    ------
    ScenarioError
        Missing, not a regular file, unreadable or too large, naming the path and the fix.
    """
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such scenario file; check the path (built-in "
                            f"scenarios: tariffsim.scenarios.list()).", field="path") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        why = getattr(exc, "strerror", None) or exc
        raise ScenarioError(f"{path!r}: cannot read the file ({why}); check the "
                            f"path and its permissions.", field="path") from None
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError(f"{path}: is a folder, not a scenario file; give the path of a "
                            f".toml file in it.", field="path")
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError(f"{path}: not a regular file (a device, a pipe or a socket); "
                            f"save the scenario to a .toml file and give its path.",
                            field="path")
    limit = MAX_FILE_BYTES
    too_big = ScenarioError(f"{path}: the file is larger than {limit:,} bytes, far more than "
                            f"a scenario needs (about 150 bytes per instrument); check that "
                            f"it is the scenario file, or raise "
                            f"tariffsim.scenario_io.MAX_FILE_BYTES.", field="path")
    if info.st_size > limit:
        raise too_big
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read the file ({exc.strerror or exc}); check "
                            f"its permissions.", field="path") from None
    if len(raw) > limit:
        raise too_big
    return raw


def from_toml(source: str | bytes | os.PathLike[str], *,
              cls: type[Scenario] | None = None) -> Scenario:
    """Read a scenario from a TOML file path or TOML text.

    ``source`` is a `pathlib.Path`, a path string (see `is_path`), TOML
    text, or bytes (UTF-8 TOML, with or without a byte-order mark); ``cls`` the class to
    build (default [`tariffsim.Scenario`][]). Files are read with `read_file`.
    Every problem raises ScenarioError with the line, the key path
    (``instruments[3].rate``) and the fix.
    """
    origin = "scenario TOML"
    if is_path(source):
        path = Path(source)
        origin = str(path)
        source = read_file(path)
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
    text = text.removeprefix("\ufeff")  # the byte-order mark Notepad writes before UTF-8
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise syntax_error(exc, text, origin) from None
    except RecursionError:
        raise ScenarioError(f"{origin}: TOML nested too deeply to read; a scenario needs "
                            f"no nesting beyond [[instruments]].", field="toml") from None
    return from_dict(data, cls=cls, text=text, origin=origin)


def from_dict(data: Mapping[str, Any], *, cls: type[Scenario] | None = None,
              text: str | None = None, origin: str = "scenario") -> Scenario:
    """Build a scenario (of class ``cls``, default [`tariffsim.Scenario`][]) from a dict
    shaped like the TOML file.

    ``text`` is the TOML text the dict was read from (to name lines in errors) and
    ``origin`` the file or "scenario TOML", named first in every message.
    """
    cls = _scenario_class(cls)
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{origin}: expected a table of keys, got "
                            f"{type(data).__name__}.", field="toml")
    unknown = [k for k in data if k not in TOP_KEYS]
    if unknown:
        k = unknown[0]
        raise ScenarioError(f"{origin}: unknown top-level key {k!r}{suggest(k, TOP_KEYS)};"
                            f" allowed keys: {list(TOP_KEYS)}.", field=str(k))
    if "name" not in data:
        raise ScenarioError(f"{origin}: missing key 'name' (the scenario's name).",
                            field="name")
    raw = data.get("instruments", [])
    if isinstance(raw, Mapping):
        raise ScenarioError(f"{origin}: 'instruments' must be an array of tables; write "
                            f"each instrument under its own [[instruments]] header "
                            f"(double brackets).", field="instruments")
    if not isinstance(raw, list):
        raise ScenarioError(f"{origin}: 'instruments' must be an array of tables "
                            f"([[instruments]]), got {type(raw).__name__}.",
                            field="instruments")
    insts = [instrument_from_dict(k, d, text, origin) for k, d in enumerate(raw)]
    kwargs = {k: data[k] for k in ("description", "date", "sources", "notes", "variants")
              if k in data}
    included, cited = _includes(data.get("include", []), str(data["name"]), origin)
    if cited:
        src = kwargs.get("sources", [])
        src = [src] if isinstance(src, str) else list(src) if isinstance(src, list) else src
        if isinstance(src, list):
            kwargs["sources"] = src + [c for c in cited if c not in src]
    try:
        return cls(name=data["name"], instruments=(*included, *insts), **kwargs)
    except ScenarioError as exc:
        raise ScenarioError(f"{origin}: {exc}", field=exc.field) from None


def _includes(raw: Any, name: str, origin: str) -> tuple[list[Instrument], list[str]]:
    """The instruments of a file's ``[[include]]`` tables and a citation of each."""
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, list):
        raise ScenarioError(f"{origin}: 'include' must be an array of tables ([[include]]), "
                            f"got {type(raw).__name__}.", field="include")
    out: list[Instrument] = []
    cited: list[str] = []
    for k, spec in enumerate(raw):
        p = f"include[{k}]"
        if not isinstance(spec, Mapping):
            raise ScenarioError(f"{origin}: {p} must be a table (write it under "
                                f"[[include]]).", field=p)
        bad = [key for key in spec if key not in INCLUDE_KEYS]
        if bad:
            raise ScenarioError(f"{origin}: {p}.{bad[0]}: unknown key"
                                f"{suggest(bad[0], INCLUDE_KEYS)}; allowed: "
                                f"{list(INCLUDE_KEYS)}.", field=f"{p}.{bad[0]}")
        source = spec.get("scenario")
        if not isinstance(source, str) or not source.strip():
            raise ScenarioError(f"{origin}: {p}.scenario: give the name of a built-in scenario "
                                f"or the path of a scenario file.", field=f"{p}.scenario")
        stack = _READING.get()
        if source in stack or source == name:
            raise ScenarioError(f"{origin}: {p}.scenario: {source!r} includes itself "
                                f"({' -> '.join(dict.fromkeys((*stack, name, source)))}).",
                                field=f"{p}.scenario")
        from . import scenarios
        token = _READING.set((*stack, name, source))
        try:
            other = scenarios.load(source)
        finally:
            _READING.reset(token)
        opts = {key: spec[key] for key in INCLUDE_KEYS if key in spec and key != "scenario"}
        try:
            got = excerpt(other.instruments, **opts)
        except ScenarioError as exc:
            raise ScenarioError(f"{origin}: {p}.{exc.field}: {_after_field(exc)}",
                                field=f"{p}.{exc.field}") from None
        out.extend(got)
        what = ", ".join(f"{key}={_short(v)}" for key, v in opts.items())
        cited.append(f"{len(got)} instrument{'' if len(got) == 1 else 's'} included from "
                     f"scenario {source!r}"
                     f"{' (' + what + ')' if what else ''}; each keeps its own source")
    return out, cited


def _short(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _codes_of(side: Any) -> tuple[str, ...] | None:
    """The codes an exporter side names (None for '*' / all)."""
    if side is None or side == ALL:
        return None
    codes = (side,) if isinstance(side, str) else tuple(side)
    return None if ALL in codes else codes


def _names(value: Any, field: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable) or isinstance(value, Mapping):
        raise ScenarioError(f"{field}: expected a list of names, got {value!r}.", field=field)
    items = tuple(value)
    if not all(isinstance(v, str) and v.strip() for v in items):
        raise ScenarioError(f"{field}: expected a list of names, got {value!r}.", field=field)
    return items


def excerpt(instruments: Sequence[Instrument], *, until: Any = None, hold: Any = False,
            layers: Any = None, exclude_layers: Any = (), exporters: Any = None,
            skip_exporters: Any = ()) -> tuple[Instrument, ...]:
    """[`tariffsim.Scenario.excerpt`][] on a sequence of instruments (see there)."""
    day = to_date(until, "until")
    if not isinstance(hold, bool):
        raise ScenarioError(f"hold: expected true or false, got {hold!r}.", field="hold")
    if hold and day is None:
        raise ScenarioError("hold: needs until= (the law of the day before it is kept).",
                            field="hold")
    keep_layers = _names(layers, "layers")
    drop_layers = _names(exclude_layers, "exclude_layers") or ()
    only = _names(exporters, "exporters")
    skip = _names(skip_exporters, "skip_exporters") or ()
    last = day - _dt.timedelta(days=1) if day is not None else None
    out: list[Instrument] = []
    for inst in instruments:
        if day is not None and inst.start is not None and inst.start >= day:
            continue
        layer = getattr(inst, "layer", None) if isinstance(inst, Tariff) else None
        if keep_layers is not None and (layer is None or not any(
                fnmatch.fnmatchcase(layer, pat) for pat in keep_layers)):
            continue
        if layer is not None and any(fnmatch.fnmatchcase(layer, pat) for pat in drop_layers):
            continue
        codes = _codes_of(inst.exporter)
        if only is not None and (codes is None or not set(codes) <= set(only)):
            continue
        if skip and codes is not None and set(codes) <= set(skip):
            continue
        if hold and last is not None and inst.end is not None and inst.in_force(last):
            inst = dataclasses.replace(inst, end=None)
        out.append(inst)
    return tuple(out)


def instrument_from_dict(k: int, d: Any, text: str | None, origin: str) -> Instrument:
    """Instrument ``k`` of a scenario file from its table ``d`` (errors name the line)."""
    p = f"instruments[{k}]"
    if not isinstance(d, Mapping):
        raise ScenarioError(f"{origin}: {p} must be a table (write it under [[instruments]]), "
                            f"got {type(d).__name__} {d!r:.60}.", field=p)
    kind = d.get("type")
    if kind is None:
        raise ScenarioError(f"{origin}: {p}{locate(text, k, None)}: missing key 'type'; one of "
                            f"{list(KINDS)}.", field=f"{p}.type")
    try:
        check_option(kind, KINDS, "type", error=ScenarioError)
    except ScenarioError as exc:
        raise ScenarioError(f"{origin}: {p}.type{locate(text, k, 'type')}: "
                            f"{_after_field(exc)}", field=f"{p}.type") from None
    cls = KINDS[kind]
    allowed, must = _keys(cls)
    kwargs = {}
    for key, value in d.items():
        if key == "type":
            continue
        if key not in allowed:
            names = field_names(cls)
            raise ScenarioError(f"{origin}: {p}.{key}{locate(text, k, key)}: unknown key "
                                f"{key!r} for a {kind}{suggest(key, names)}. Allowed keys: "
                                f"{', '.join(a for a in names if a != 'sector')}.",
                                field=f"{p}.{key}")
        if isinstance(value, (_dt.time,)) or (isinstance(value, _dt.datetime)
                                              and key not in ("start", "end", "by")):
            raise ScenarioError(f"{origin}: {p}.{key}{locate(text, k, key)}: unexpected "
                                f"time value {value!r}.", field=f"{p}.{key}")
        kwargs[key] = value
    required = [name for name in must if name not in kwargs]
    if cls is ExportRestriction and "sectors" not in kwargs and "sector" not in kwargs:
        required.append("sectors")
    if required:
        raise ScenarioError(f"{origin}: {p}{locate(text, k, None)}: missing required key(s) "
                            f"{required} for a {kind}.", field=f"{p}.{required[0]}")
    try:
        return cls(**kwargs)
    except ScenarioError as exc:
        sub = exc.field or ""
        key = sub.split(".")[0].split("[")[0] if sub else None
        msg = _after_field(exc)
        where = f"{p}.{sub}" if sub else p
        raise ScenarioError(f"{origin}: {where}{locate(text, k, key)} ({kind}): {msg}",
                            field=where) from None


def _after_field(exc: ScenarioError) -> str:
    """The message of ``exc`` without its leading ``"<field>: "``."""
    msg, sub = str(exc), exc.field or ""
    return msg[len(sub) + 2:] if sub and msg.startswith(sub + ": ") else msg


@functools.cache
def _keys(cls: type) -> tuple[frozenset[str], tuple[str, ...]]:
    """The keys an instrument class accepts and those it requires (worked out once per
    class: reading 100,000 instruments spent most of its time here)."""
    required = tuple(f.name for f in dataclasses.fields(cls)
                     if f.default is dataclasses.MISSING
                     and f.default_factory is dataclasses.MISSING)
    return frozenset(field_names(cls)), required


def locate(text: str | None, k: int, key: str | None) -> str:
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


def syntax_error(exc: Exception, text: str, origin: str) -> ScenarioError:
    """ScenarioError for a TOML syntax error: the line, its key and its table."""
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


# ----------------------------------------------------------------------------- frames
def from_frame(name: str, tariffs: Any = None, trade_costs: Any = None, *,
               mode: TariffMode = "set", layer: str = "scenario", start: Any = None,
               end: Any = None, source: str = "", description: str = "",
               date: Any = None, cls: type[Scenario] | None = None) -> Scenario:
    """[`tariffsim.Scenario.from_frame`][] (see there): one [`Tariff`][tariffsim.scenario_io.Tariff]
    per row of ``tariffs`` and one [`TradeCost`][tariffsim.scenario_io.TradeCost] per row of
    ``trade_costs``; ``cls`` is the class to build (default [`tariffsim.Scenario`][]). In a frame
    with a ``sector`` column a row without a sector is refused (it would otherwise cover every
    sector)."""
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
            if "sector" in r:
                if r["sector"] is None or not str(r["sector"]).strip():
                    raise ScenarioError(f"{label} row {pos} ({r.get('exporter')}->"
                                        f"{r.get('importer')}): missing sector; fill it (an "
                                        f"empty sector would cover every sector), or give "
                                        f"the rows for all sectors in a frame without a "
                                        f"'sector' column.", field=f"{label}.sector")
                kw["sectors"] = (str(r["sector"]).strip(),)
            try:
                insts.append(make(r, kw))
            except ScenarioError as exc:
                raise ScenarioError(f"{label} row {pos} ({r.get('exporter')}->"
                                    f"{r.get('importer')}): {exc}",
                                    field=f"{label}.{exc.field}") from None
    return _scenario_class(cls)(name, tuple(insts), description=description, date=date)


def _isna(v: Any) -> bool:
    try:
        return v is None or (isinstance(v, float) and math.isnan(v)) or bool(v != v)
    except (TypeError, ValueError):
        return False


# ----------------------------------------------------------------------------- writing
def to_dict(scenario: Scenario, include: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """A TOML-ready dict of ``scenario`` (what `to_toml` writes); ``include``:
    ``[[include]]`` tables to write before the instruments (``scenario`` then holds only the
    file's own instruments)."""
    out: dict[str, Any] = {"name": scenario.name}
    if scenario.description:
        out["description"] = scenario.description
    if scenario.date is not None:
        out["date"] = scenario.date
    if scenario.sources:
        out["sources"] = list(scenario.sources)
    if scenario.notes:
        out["notes"] = scenario.notes
    if scenario.variants:
        out["variants"] = dict(scenario.variants)
    if include:
        out["include"] = [{k: _toml_value(v) for k, v in spec.items()} for spec in include]
    insts = []
    for inst in scenario.instruments:
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


def to_toml(scenario: Scenario, include: Sequence[Mapping[str, Any]] = ()) -> str:
    """``scenario`` as TOML text; ``Scenario.from_toml(s.to_toml()) == s``. With
    ``include`` (``[[include]]`` tables, see the module notes) the file starts from those
    instruments and adds ``scenario``'s (how the built-in scenarios are written)."""
    doc = to_dict(scenario, include)
    header = (f"# tariffsim scenario {scenario.name!r}; format: docs/scenarios.md\n"
              f"# Instruments apply on days start <= d < end; rates are fractions.\n\n")
    text = tomli_w.dumps(doc, multiline_strings=True)
    if tomllib.loads(text) != doc:  # multiline strings normalise \r; fall back
        text = tomli_w.dumps(doc)
    return header + text


def _toml_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_toml_value(v) for v in value]
    return value
