"""mkdocs hook: render the pages' TeX as MathML when the site is built, so that no page
loads a script or font from anywhere (the docs build and read offline).

``pymdownx.arithmatex`` (``generic: true``) wraps each formula of a page (and of every
docstring mkdocstrings renders into it) as ``<span class="arithmatex">\\(...\\)</span>`` or
``<div class="arithmatex">\\[...\\]</div>``; this hook replaces each one by the MathML of
``latex2mathml``, which browsers display natively (Chrome, Edge, Firefox, Safari). A
formula ``latex2mathml`` cannot parse fails the build, naming the page and the formula.

Wired in ``mkdocs.yml`` as ``hooks: [tools/mkdocs_mathml.py]``.
"""

from __future__ import annotations

import html
import re
from typing import Any

from latex2mathml.converter import convert

_MATH = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\s*'
    r"(?:\\\((?P<inline>.*?)\\\)|\\\[(?P<block>.*?)\\\])\s*</(?P=tag)>",
    re.DOTALL)


def render(page_html: str, where: str = "page") -> str:
    """Every arithmatex formula of ``page_html`` as MathML."""

    def one(match: re.Match[str]) -> str:
        block = match.group("block") is not None
        tex = html.unescape(match.group("block") if block else match.group("inline"))
        try:
            mathml = convert(tex.strip(), display="block" if block else "inline")
        except Exception as exc:  # latex2mathml raises many kinds; name the formula
            raise ValueError(f"{where}: cannot render the formula {tex!r} as MathML "
                             f"({type(exc).__name__}: {exc}); simplify its TeX.") from exc
        if block:
            return f'<div class="arithmatex">{mathml}</div>'
        return f'<span class="arithmatex">{mathml}</span>'

    return _MATH.sub(one, page_html)


def on_page_content(html_text: str, page: Any, config: Any, files: Any) -> str:
    return render(html_text, where=str(page.file.src_path))
