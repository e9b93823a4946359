"""Project the 26 Oct 2025 US-ASEAN deals year by year and plot the surplus paths.

Compares the deal against the baseline's own (pre-2025) tariffs and against the
August-2025 reciprocal rates, under two closures. Writes us_asean_projection.png.

Run: python examples/us_asean_projection.py
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

import tariffsim as ts  # noqa: E402

pd.set_option("display.width", 160)

base = ts.load_baseline()
partners = ["VNM", "MYS", "THA", "KHM"]

fig, axes = plt.subplots(1, 2, figsize=(15, 5.5))
for ax, reference in zip(axes, [None, "reciprocal-aug-2025"], strict=True):
    proj = ts.project(base, "us-asean-2025", years=range(2025, 2031), reference=reference)
    print(proj.describe())
    print(proj.table(partner="USA", countries=partners, years=[2026, 2030]).round(0))
    proj.plot.surplus(countries=partners, ax=ax)
    ax.set_title(f"us-asean-2025 against {reference or 'pre-2025 tariffs'}")

for closure in ("fixed_deficit", "balanced"):
    proj = ts.project(base, "us-asean-2025", years=[2030], closure=closure)
    t = proj.table(partner="USA", countries=partners, years=[2030])
    print(f"\nclosure {closure}: change in 2030\n{t['2030 change'].round(0).to_string()}")

fig.tight_layout()
fig.savefig("us_asean_projection.png", dpi=100)
print("wrote us_asean_projection.png")
