"""plot.us_tariff_rates: effective US tariff rates by partner over time."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import tariffsim as ts  # noqa: E402
from tariffsim.errors import DataError  # noqa: E402

TIMELINE = "us-tariffs-2025-2026"


def _y_at(line, day: str) -> float:
    x = pd.to_datetime(np.asarray(line.get_xdata()))
    k = np.searchsorted(x, pd.Timestamp(day), side="right") - 1
    return float(np.asarray(line.get_ydata())[k])


def test_steps_by_partner_and_total():
    fig, ax = plt.subplots()
    out = ts.plot.us_tariff_rates(TIMELINE, exporters=["CHN", "VNM"], ax=ax, linewidth=0.7)
    assert out is ax
    lines = {ln.get_gid(): ln for ln in ax.get_lines()}
    assert set(lines) == {"CHN:rate", "VNM:rate", "total:rate"}
    assert lines["CHN:rate"].get_linewidth() == 0.7          # kwargs reach matplotlib
    # China between 10 Apr and 13 May 2025: 2024 rate + 125% reciprocal + 20% fentanyl on
    # most lines: far above 100%
    assert _y_at(lines["CHN:rate"], "2025-04-20") > 100
    day = ts.effective_rates(TIMELINE, "2026-03-01", by="total").rate_pct.iloc[0]
    assert _y_at(lines["total:rate"], "2026-03-01") == pytest.approx(day)
    assert "2024" in ax.get_ylabel()
    plt.close(fig)


def test_frame_input_and_errors():
    df = ts.effective_rates(TIMELINE, date=["2025-01-15", "2025-09-01"],
                            exporters=["CHN", "MEX"])
    ax = ts.plot.us_tariff_rates(df, total=False, caption=False)
    # largest 2024 importer first
    assert [ln.get_gid() for ln in ax.get_lines()] == ["MEX:rate", "CHN:rate"]
    with pytest.raises(DataError, match="exporters"):
        ts.plot.us_tariff_rates(df, exporters=["VMN"])
    with pytest.raises(DataError, match="date"):
        ts.plot.us_tariff_rates(df.drop(columns="date"))
    plt.close("all")
