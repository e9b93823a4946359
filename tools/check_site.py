"""Check a built docs site reads offline: no page loads a script, stylesheet, font, image or
frame from another host, and every formula was rendered (MathML, no TeX left for a script).

Usage: ``python tools/check_site.py SITE_DIR`` (after ``mkdocs build --site-dir SITE_DIR``);
exits 1 naming each page and URL found. Links a reader clicks (``<a href>``) may point out.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

#: A tag that fetches something when the page loads, with an absolute or protocol-relative URL.
EXTERNAL = re.compile(
    r"<(?:script|link|img|iframe|source|embed|object)\b[^>]*?\b(?:src|href|data)\s*=\s*"
    r"[\"'](?P<url>(?:https?:)?//[^\"']+)[\"']", re.IGNORECASE)
#: TeX that arithmatex wrapped and nothing rendered.
RAW_TEX = re.compile(r'class="arithmatex">\s*\\[(\[]')


def problems(site: Path) -> list[str]:
    """What is wrong with the site at ``site``, one line each (empty when it is fine)."""
    pages = sorted(site.rglob("*.html"))
    if not pages:
        return [f"{site}: no HTML pages; build the site first (mkdocs build --site-dir ...)."]
    found = []
    for page in pages:
        text = page.read_text(encoding="utf-8", errors="replace")
        rel = page.relative_to(site)
        found += [f"{rel}: loads {m.group('url')}" for m in EXTERNAL.finditer(text)]
        if RAW_TEX.search(text):
            found.append(f"{rel}: a formula left as TeX (is the MathML hook in mkdocs.yml?)")
    return found


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python tools/check_site.py SITE_DIR", file=sys.stderr)
        return 2
    found = problems(Path(args[0]))
    for line in found:
        print(line)
    n = len(list(Path(args[0]).rglob("*.html")))
    print(f"check_site: {n} pages, {len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
