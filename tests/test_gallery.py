"""The gallery page shows every public plot function, with an image that exists, and is the
page tools/build_gallery.py writes."""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

import tariffsim.plot as plot_module

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import build_gallery  # noqa: E402

PAGE = ROOT / "docs" / "gallery.md"


def _public_plot_functions() -> list[str]:
    return [name for name in plot_module.__all__
            if inspect.isfunction(getattr(plot_module, name))]


def test_every_public_plot_function_has_a_figure_in_the_gallery():
    text = PAGE.read_text(encoding="utf-8")
    functions = _public_plot_functions()
    assert {"surplus_paths", "diversion", "fan_chart"} <= set(functions)
    for name in functions:
        # its code calls it, and an image follows the call
        m = re.search(rf"plot\.{name}\(.*?```\s*\n\s*!\[[^\]]*\]\((gallery/[^)]+\.png)\)", text,
                      re.S)
        assert m, f"plot.{name} has no example with an image in docs/gallery.md"


def test_every_gallery_image_exists_and_is_a_png():
    text = PAGE.read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\((gallery/[^)]+)\)", text)
    assert len(images) == len(build_gallery.EXAMPLES)
    for rel in images:
        path = ROOT / "docs" / rel
        assert path.is_file(), f"{rel} is missing: run python tools/build_gallery.py"
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", rel
        width = int.from_bytes(data[16:20], "big")
        assert width > 300, rel
    on_disk = {f"gallery/{p.name}" for p in (ROOT / "docs" / "gallery").glob("*.png")}
    assert on_disk == set(images), "images on disk that the page does not show, or the reverse"


def test_gallery_page_is_current_and_in_the_nav():
    assert PAGE.read_text(encoding="utf-8") == build_gallery.page(), (
        "docs/gallery.md differs from tools/build_gallery.py: run it and commit the result")
    assert "gallery.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
