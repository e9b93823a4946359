"""Build the plot gallery: docs/gallery.md and one PNG per example in docs/gallery/.

Every public function of ``tariffsim.plot`` has at least one example below, drawn from the
embedded 2024 baseline and the built-in scenarios (no user files). Run after changing a plot
or an example, and commit the page and the images:

    MPLBACKEND=Agg python tools/build_gallery.py          # page and images (about a minute)
    python tools/build_gallery.py --page-only              # the page only

``tests/test_gallery.py`` checks that every public plot function is in the gallery, that
each image exists and is a PNG, and that the page is the one this script writes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "gallery.md"
IMAGES = ROOT / "docs" / "gallery"

#: Run once, before the examples (shared data; shown on the page).
SETUP = """\
import matplotlib.pyplot as plt
import tariffsim as ts
from tariffsim import plot

base = ts.load_baseline()
proj = ts.project(base, "us-asean-2025", years=range(2025, 2031))
result = ts.simulate(base, "us-asean-2025", date="2025-11-01")
mc = ts.monte_carlo(base, "us-asean-2025", n=20, seed=0, years=range(2025, 2031))"""

#: (function, image name, heading, what it shows, code). Each code block draws one figure.
EXAMPLES: list[tuple[str, str, str, str, str]] = [
    ("surplus_paths", "surplus_paths", "Projected balances: one panel per country",
     "China's surplus with the United States is about 24 times Cambodia's, so the default "
     "layout gives each country its own panel and scale. Dashed: without the scenario; "
     "solid: with it.",
     'ax = plot.surplus_paths(proj, countries=["CHN", "VNM", "MYS", "THA", "KHM"])'),
    ("surplus_paths", "surplus_paths_overlay", "Projected balances on one axes",
     "Countries of similar size share one axes (`layout=\"overlay\"` forces it); the legend "
     "stands outside, clear of the lines.",
     'ax = plot.surplus_paths(proj, countries=["VNM", "MYS", "THA"], layout="overlay")'),
    ("surplus_paths", "surplus_paths_change", "The change against the path without the policy",
     "`layout=\"change\"` draws scenario minus without for every country on one axes: zero "
     "is the path without the policy.",
     'ax = plot.surplus_paths(proj, countries=["VNM", "MYS", "THA", "KHM"], layout="change")'),
    ("balance_changes", "balance_changes", "Bilateral balance changes in one year",
     "One bar per country: the change in its goods balance with the United States.",
     'ax = plot.balance_changes(result.balances(partner="USA"))'),
    ("diversion", "diversion", "Trade diversion: who gains the US market",
     "The change in US imports from each exporter; China's loss hatched, the exporters "
     "that move most named, the rest summed as \"others\".",
     'ax = plot.diversion(result.flows, importer="USA", source="CHN", measure="value")'),
    ("fan_chart", "fan_chart", "Monte Carlo bands",
     "Median change and the 5-95% band over 20 draws of the trade elasticity.",
     'ax = plot.fan_chart(mc, countries=["VNM", "MYS", "THA"])'),
    ("us_tariff_rates", "us_tariff_rates", "Effective US tariff rates over time",
     "The import-weighted US tariff on each partner, as steps on the days policies change.",
     'ax = plot.us_tariff_rates("us-tariffs-2025-2026", exporters=["CHN", "VNM", "MEX"],\n'
     '                          start="2025-01-01", end="2026-09-01")'),
]


def page() -> str:
    """The text of docs/gallery.md."""
    lines = [
        "# Gallery",
        "",
        "Every plot of `tariffsim.plot`, drawn from the embedded 2024 baseline and the "
        "built-in scenarios. The code under each figure draws it after this set-up (see "
        "[Plots](plots.md) for the options; `tools/build_gallery.py` makes this page and "
        "its images):",
        "",
        "```python",
        SETUP,
        "```",
        "",
    ]
    for function, image, heading, text, code in EXAMPLES:
        lines += [f"## {heading}", "", f"`plot.{function}`: {text}", "", "```python", code,
                  "```", "", f"![{heading}](gallery/{image}.png)", ""]
    return "\n".join(lines)


def images() -> list[Path]:
    """Run the set-up and every example; write one PNG each. Returns the paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    namespace: dict = {}
    exec(SETUP, namespace)  # noqa: S102 - the page's own code
    IMAGES.mkdir(exist_ok=True)
    written = []
    for _function, image, _heading, _text, code in EXAMPLES:
        plt.close("all")
        exec(code, namespace)  # noqa: S102
        fig = namespace["ax"].figure
        path = IMAGES / f"{image}.png"
        fig.savefig(path, dpi=80, bbox_inches="tight", metadata={"Software": None})
        written.append(path)
        print(f"wrote {path.relative_to(ROOT)}")
    plt.close("all")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page-only", action="store_true", help="write the page only")
    args = parser.parse_args(argv)
    PAGE.write_text(page(), encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
    if not args.page_only:
        images()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
