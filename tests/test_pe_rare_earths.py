"""The rare-earths example: directions of a Chinese export restriction (SMART)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

import tariffsim.pe as pe

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("rare_earths", ROOT / "examples" /
                                                  "rare_earths.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_shipped_data_keeps_usgs_shares_and_caveat():
    data = pe.load_rare_earths()
    shares = data.frame.set_index("exporter")["value"] / data.value.sum()
    # USGS MCS 2025 import sources 2020-23: China 70%, Malaysia 13%, Japan 6%, Estonia 5%
    assert shares["CHN"] == pytest.approx(0.70) and shares["MYS"] == pytest.approx(0.13)
    assert shares["JPN"] == pytest.approx(0.06) and shares["EST"] == pytest.approx(0.05)
    assert data.value.sum() == pytest.approx(170.0)
    assert "USGS" in data.source and "medium" in data.source and "verify" in data.source


def test_chinese_restriction_raises_price_and_diverts_to_malaysia(example):
    res = example.run()
    pledge = res["China cuts 50%, Malaysia pledge kept"]
    p = pledge.products.set_index("exporter")
    assert p.loc["CHN", "imports_scenario"] == pytest.approx(0.5 * 119.0, abs=1e-6)
    assert p.loc["CHN", "price_change_pct"] > 0
    assert pledge.regions["import_price_change_pct"].iloc[0] > 0
    others = p.drop(index="CHN")
    assert (others["trade_diversion"] > 0).all()
    # Malaysia, the largest other source, gains most
    assert others["trade_diversion"].idxmax() == "MYS"
    tax = res["China 50% export-tax equivalent"].products.set_index("exporter")
    assert tax.loc["MYS", "trade_diversion"] > 0 and tax.loc["CHN", "total_change"] < 0


def test_without_pledge_malaysia_supplies_less_and_prices_rise_more(example):
    res = example.run()
    kept = res["China cuts 50%, Malaysia pledge kept"]
    broken = res["China cuts 50%, no pledge (Malaysia cuts 50%)"]
    k = kept.products.set_index("exporter")
    b = broken.products.set_index("exporter")
    assert k.loc["MYS", "imports_scenario"] > k.loc["MYS", "imports_baseline"]
    assert b.loc["MYS", "imports_scenario"] < b.loc["MYS", "imports_baseline"]
    for r in ("JPN", "EST", "ROW"):
        assert b.loc[r, "imports_scenario"] > k.loc[r, "imports_scenario"]
    assert (broken.regions["import_price_change_pct"].iloc[0]
            > kept.regions["import_price_change_pct"].iloc[0])
    assert broken.regions["consumer_surplus"].iloc[0] < kept.regions["consumer_surplus"].iloc[0]


def test_example_prints_a_table(example, capsys):
    example.main()
    out = capsys.readouterr().out
    assert "MYS" in out and "pledge" in out
    assert isinstance(example.table(example.run()), pd.DataFrame)
