"""The docs render their formulas without a CDN: the mkdocs hook turns TeX into MathML, and
tools/check_site.py rejects a built page that loads anything from another host."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import check_site  # noqa: E402


def _site(tmp_path: Path, body: str) -> Path:
    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "index.html").write_text(f"<html><head></head><body>{body}</body>"
                                                  f"</html>", encoding="utf-8")
    return tmp_path


def test_check_site_flags_cdn_scripts_fonts_and_raw_tex(tmp_path):
    site = _site(tmp_path, '<script src="https://unpkg.com/mathjax@3/es5/tex-mml-chtml.js">'
                           '</script><link rel="stylesheet" href="//fonts.googleapis.com/css">'
                           '<span class="arithmatex">\\(x^2\\)</span>'
                           '<a href="https://example.org/paper">a paper</a>')
    found = check_site.problems(site)
    assert any("unpkg.com" in f for f in found)
    assert any("fonts.googleapis.com" in f for f in found)
    assert any("left as TeX" in f for f in found)
    assert not any("example.org" in f for f in found)  # a link to click is fine
    assert check_site.main([str(site)]) == 1


def test_check_site_passes_a_local_page(tmp_path):
    site = _site(tmp_path, '<script src="../assets/javascripts/bundle.js"></script>'
                           '<span class="arithmatex"><math><mi>x</mi></math></span>')
    assert check_site.problems(site) == []
    assert check_site.main([str(site)]) == 0
    assert check_site.problems(tmp_path / "nothing")  # no pages is a problem too


def test_mkdocs_config_loads_no_remote_asset():
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert not re.search(r"^\s*-\s*(https?:)?//", text, re.MULTILINE), "remote extra_* asset"
    assert "tools/mkdocs_mathml.py" in text
    assert re.search(r"^\s*font:\s*false", text, re.MULTILINE)  # no Google Fonts request


@pytest.mark.skipif(importlib.util.find_spec("latex2mathml") is None,
                    reason="latex2mathml is in the [test] and [docs] extras")
def test_hook_renders_inline_and_block_formulas_as_mathml():
    import mkdocs_mathml

    page = ('<p>A rate <span class="arithmatex">\\(t_{ij} &lt; 1\\)</span> and</p>'
            '<div class="arithmatex">\\[\\hat{w}_i = \\sum_{j} \\pi_{ij}\\]</div>')
    out = mkdocs_mathml.render(page)
    assert out.count("<math") == 2
    assert 'display="block"' in out
    assert "\\(" not in out and "\\[" not in out
    assert "<mo>&#x0003C;</mo>" in out  # the page's '&lt;' is read as '<', then escaped
    assert "<mo>&#x02211;</mo>" in out  # the sum
    assert check_site.RAW_TEX.search(out) is None


def test_docs_cite_nothing_outside_the_repository():
    """The docs and README must not send readers to files or issue numbers they cannot see:
    the model documentation is docs/model.md, not an internal MODEL.md."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    found = []
    for page in pages:
        for k, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            if "MODEL.md" in line or re.search(r"\bissues? #\d", line, re.IGNORECASE):
                found.append(f"{page.relative_to(ROOT)}:{k}: {line.strip()}")
    assert not found, "\n".join(found)
    assert (ROOT / "docs" / "model.md").is_file()
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "model.md" in nav
    for page in ("ge.md", "pe.md", "us_tariffs.md", "liberation_day.md"):
        assert "model.md" in (ROOT / "docs" / page).read_text(encoding="utf-8"), page


def test_api_pages_show_the_modules_that_hold_the_equations():
    api = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for module in ("tariffsim.ge.equilibrium", "tariffsim.ge.system", "tariffsim.ge.extensions",
                   "tariffsim.pe.smart", "tariffsim.pe.gsim"):
        assert re.search(rf"^::: {re.escape(module)}$", api, re.MULTILINE), module
