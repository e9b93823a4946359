"""Docstring markup that the docs renderer (mkdocstrings, Markdown) displays: no Sphinx.

The API pages are built by mkdocstrings, which reads docstrings as Markdown: a Sphinx role
(``:func:`x```) or a ``.. math::`` directive is printed literally. This script

* without options, lists every Sphinx role and reST directive left in ``tariffsim/`` and
  exits 1 if there is one (CI runs it through ``tests/test_docstring_markup.py``);
* with ``--fix``, converts them mechanically:

  - ``:func:`name```, ``:class:``, ``:meth:``, ``:mod:``, ``:attr:``, ``:data:``,
    ``:exc:``, ``:obj:``, ``:const:`` become a cross-reference
    ``[`name`][tariffsim.module.name]`` when the object is on the API pages (the site's
    ``objects.inv``; a ``~`` prefix shows the last part only; ``[`tariffsim.x`][]`` when the
    text is the identifier), else ``` `name` ```;
  - ``:math:`x``` becomes ``$x$``, and a ``.. math::`` block becomes a ``$$ ... $$``
    block (rendered by ``pymdownx.arithmatex`` and ``tools/mkdocs_mathml.py``);
  - a citation of the internal ``MODEL.md`` (not in the repository) becomes the section of
    ``docs/model.md`` that replaces it.

``--fix`` builds the site once to read which objects the API pages document
(``--inventory PATH`` reuses an ``objects.inv``). Run it again after merging branches that
bring new Sphinx markup::

    python tools/check_docstrings.py --fix && python tools/check_docstrings.py
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import re
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tariffsim"

#: The project's line length (ruff, pyproject.toml): converted lines are wrapped to it.
LINE_LENGTH = 100
XREF_ROLES = ("func", "class", "meth", "mod", "attr", "data", "exc", "obj", "const")
#: A Sphinx role: ``:func:`x```, ``:py:func:`x```, ``:math:`x``` (the text may span lines).
ROLE = re.compile(r":(?:py:)?(?P<role>[a-z]+):`(?P<text>[^`]+)`")
#: A reST directive at the start of a line (``.. math::``, ``.. note::``).
DIRECTIVE = re.compile(r"^(?P<indent>[ \t]*)\.\. (?P<name>[a-z-]+)::(?P<rest>.*)$", re.M)


#: A citation of the internal design notes, which are not in the repository: the docs'
#: model page replaces them (``MODEL.md section 3``, ``MODEL.md §4``, ````MODEL.md````).
MODEL_REF = re.compile(r"(?:``)?MODEL\.md(?:``)?(?:\s+(?:section|§)\s*(?P<n>\d))?")
#: The page and anchor of docs/model.md that holds each section of the design notes.
MODEL_SECTIONS = {
    "1": "docs/model.md#two-tiers",
    "2": "docs/model.md#general-equilibrium-caliendo-parro-hat-algebra",
    "3": "docs/model.md#instruments-beyond-tariffs",
    "3-lines": "docs/model.md#us-tariffs-from-tariff-lines-to-model-sectors",
    "4": "docs/model.md#projections-surpluses-over-time",
    "5": "docs/model.md#partial-equilibrium",
    "6": "docs/model.md#parameters-and-their-sources",
    "7": "docs/model.md#the-one-sector-model-of-ignatenko-macedoni-lashkaripour-simonovska-2025",
}


# ----------------------------------------------------------------------------- finding
def problems(root: Path = PACKAGE) -> list[str]:
    """Every Sphinx role and reST directive in the package, as ``path:line: text``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        for m in ROLE.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            found.append(f"{rel}:{line}: Sphinx role {m.group(0)!r}")
        for m in DIRECTIVE.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            found.append(f"{rel}:{line}: reST directive '.. {m.group('name')}::'")
        for m in MODEL_REF.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            found.append(f"{rel}:{line}: cites {m.group(0)!r}, not in the repository "
                         f"(docs/model.md)")
    return found


# ----------------------------------------------------------------------------- inventory
def read_inventory(path: Path) -> list[str]:
    """The object names of a Sphinx ``objects.inv`` (version 2), as mkdocstrings writes."""
    data = path.read_bytes()
    header_end = 0
    for _ in range(4):
        header_end = data.index(b"\n", header_end) + 1
    body = zlib.decompress(data[header_end:]).decode("utf-8")
    return [line.split(" ", 1)[0] for line in body.splitlines() if line.strip()]


def build_inventory() -> Path:
    """Build the docs once into a temporary folder; return its ``objects.inv``."""
    site = Path(tempfile.mkdtemp(prefix="tariffsim-site-"))
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir",
                    str(site)], cwd=ROOT, check=True)
    return site / "objects.inv"


def _resolve(dotted: str) -> Any:
    """The Python object at a dotted path, or None."""
    parts = dotted.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:k]))
        except Exception:  # noqa: BLE001 - not a module at this depth
            continue
        try:
            for attr in parts[k:]:
                obj = inspect.getattr_static(obj, attr) if inspect.isclass(obj) else getattr(
                    obj, attr)
        except AttributeError:
            return None
        return obj
    return None


def _identity(obj: Any) -> Any:
    """What makes two names the same documented object: modules, classes, functions and
    properties by identity (data by name only: equal strings share an id)."""
    if isinstance(obj, (staticmethod, classmethod)):
        obj = obj.__func__
    if inspect.ismodule(obj) or inspect.isclass(obj) or inspect.isfunction(obj) \
            or isinstance(obj, property):
        return id(obj)
    return None


class Resolver:
    """Maps a role's target, as written in a module, to a documented identifier."""

    def __init__(self, names: list[str]) -> None:
        self.names = set(names)
        self.by_object: dict[Any, str] = {}
        for name in sorted(names, key=lambda n: (n.count("."), n)):  # prefer public paths
            key = _identity(_resolve(name))
            if key is not None:
                self.by_object.setdefault(key, name)

    def __call__(self, target: str, module: str, classes: list[str]) -> str | None:
        target = target.lstrip(".")
        parents = [".".join(module.split(".")[:k]) for k in range(module.count(".") + 1, 0, -1)]
        candidates = [target] + [f"{p}.{target}" for p in parents]
        candidates += [f"{module}.{c}.{target}" for c in classes]
        for cand in candidates:
            if cand in self.names:
                return cand
        for cand in candidates:
            key = _identity(_resolve(cand))
            if key is not None and key in self.by_object:
                return self.by_object[key]
        return None


# ----------------------------------------------------------------------------- converting
def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _convert_math_blocks(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    k = 0
    while k < len(lines):
        m = DIRECTIVE.match(lines[k])
        if not m or m.group("name") != "math":
            out.append(lines[k])
            k += 1
            continue
        indent = m.group("indent")
        body: list[str] = []
        first = m.group("rest").strip()
        if first:
            body.append(first)
        k += 1
        if not first:  # blank lines, then the indented block
            while k < len(lines) and not lines[k].strip():
                k += 1
        while k < len(lines) and lines[k].strip() and (
                len(lines[k]) - len(lines[k].lstrip()) > len(indent)):
            body.append(lines[k].strip())
            k += 1
        if out and out[-1].strip():
            out.append("")
        out += [f"{indent}$$"] + [f"{indent}{b}" for b in body] + [f"{indent}$$"]
        if k < len(lines) and lines[k].strip():
            out.append("")
    return "\n".join(out)


#: Spans a line may not be broken inside: a cross-reference, a code span, inline math.
_UNBREAKABLE = re.compile(r"\[`[^`]*`\]\[[^\]]*\]|``.*?``|`[^`]*`|\$[^$]*\$")
#: What a broken-off line must not start with (it would become a list item or a heading).
_BLOCK_START = re.compile(r"([-*+>#]|\d+[.)])(\s|$)")


def _wrap(line: str, width: int = LINE_LENGTH) -> list[str]:
    """Break a line that a conversion made longer than ``width`` at spaces outside links,
    code and math; the continuation keeps the indentation (and a ``#:`` prefix), which
    Markdown reads as the same paragraph."""
    stripped = line.lstrip()
    indent = line[:len(line) - len(stripped)]
    prefix = indent + ("#: " if stripped.startswith("#:") else "")
    bullet = re.match(r"([-*+]|\d+\.) ", stripped)
    if bullet and not stripped.startswith("#:"):
        prefix = indent + " " * len(bullet.group(0))
    out = []
    while len(line) > width:
        protected = [m.span() for m in _UNBREAKABLE.finditer(line)]
        cuts = [k for k in range(len(prefix) + 1, width + 1)
                if k < len(line) and line[k] == " "
                and not any(a < k < b for a, b in protected)
                and not _BLOCK_START.match(line[k + 1:])]
        if not cuts:
            break
        k = cuts[-1]
        out.append(line[:k].rstrip())
        line = prefix + line[k + 1:].lstrip()
    return out + [line]


def convert(text: str, module: str, resolve: Resolver) -> str:
    """The source ``text`` of ``module`` with its Sphinx markup converted."""
    classes = re.findall(r"^class (\w+)", text, re.M)

    def role(m: re.Match[str]) -> str:
        kind, raw = m.group("role"), m.group("text")
        if kind == "math":
            return f"${raw}$"
        if kind not in XREF_ROLES:
            return f"`{raw}`"
        titled = re.fullmatch(r"(?s)(?P<title>.*?)\s*<(?P<target>[^>]+)>", raw)
        target = (titled.group("target") if titled else raw).strip()
        short = target.startswith("~")
        target = target.lstrip("~")
        shown = (titled.group("title") if titled else
                 target.rsplit(".", 1)[-1] if short else target)
        ident = resolve(target, module, classes)
        if not ident:
            return f"`{shown}`"
        return f"[`{shown}`][]" if shown == ident else f"[`{shown}`][{ident}]"

    converted = ROLE.sub(role, text)

    def model_ref(m: re.Match[str]) -> str:
        n = m.group("n")
        line = converted[converted.rfind("\n", 0, m.start()) + 1:converted.find("\n", m.end())]
        if '"' in line:  # a string in code (an error message): the page, no anchor
            return "docs/model.md"
        if n == "3" and ("tariff_lines" in module or "line" in line.replace("MODEL", "")):
            n = "3-lines"
        return MODEL_SECTIONS.get(n or "", "docs/model.md")

    return _convert_math_blocks(_reflow(MODEL_REF.sub(model_ref, converted)))


def _joinable(carry: str, nxt: str) -> bool:
    """Whether ``nxt`` continues the paragraph of ``carry`` (same indentation, plain text)."""
    body = nxt.strip()
    indent = len(carry) - len(carry.lstrip())
    return bool(body) and len(nxt) - len(nxt.lstrip()) == indent \
        and not carry.lstrip().startswith("#") and not body.startswith(
            ('"""', "'''", ">>>", "...", "$$", "|", "..", "#")) \
        and not set(body) <= set("-=") and not _BLOCK_START.match(body) \
        and not carry.rstrip().endswith(('"""', "'''", "::")) and not body.endswith(":")


def _reflow(text: str) -> str:
    """Wrap the lines a conversion made too long, refilling the rest of their paragraph."""
    lines = text.split("\n")
    out: list[str] = []
    k = 0
    while k < len(lines):
        line = lines[k]
        k += 1
        linked = "][tariffsim." in line or "`][]" in line or (
            "docs/model.md" in line and '"' not in line)  # not a string in code
        if not (linked and len(line) > LINE_LENGTH):
            out.append(line)
            continue
        pieces = _wrap(line)
        carry = pieces.pop()
        out += pieces
        while k < len(lines) and _joinable(carry, lines[k]):
            pieces = _wrap(f"{carry} {lines[k].strip()}")
            k += 1
            carry = pieces.pop()
            out += pieces
        out.append(carry)
    return "\n".join(out)


def fix(inventory: Path | None = None, root: Path = PACKAGE) -> list[Path]:
    """Convert every file of the package in place; return the files changed."""
    inv = inventory or build_inventory()
    sys.path.insert(0, str(ROOT))
    resolve = Resolver(read_inventory(inv))
    changed = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        new = convert(text, _module_name(path), resolve)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fix", action="store_true", help="convert in place")
    parser.add_argument("--inventory", type=Path, help="an objects.inv (default: build)")
    args = parser.parse_args(argv)
    if args.fix:
        changed = fix(args.inventory)
        print(f"check_docstrings: converted {len(changed)} file(s)")
    found = problems()
    for line in found:
        print(line)
    print(f"check_docstrings: {len(found)} Sphinx role(s), directive(s) or MODEL.md citation(s) "
          f"left in tariffsim/")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
