"""OECD ICIO loader on a 2-country x 2-industry table in the 2023 layout, by hand."""

import numpy as np
import pandas as pd
import pytest

from tariffsim.errors import DataError, TariffSimWarning
from tariffsim.io import read_icio

LAB = ["USA_A01", "USA_C10T12", "CHN_A01", "CHN_C10T12"]
Z = np.array([[10, 20, 1, 2], [5, 30, 3, 4], [2, 1, 40, 10], [1, 6, 5, 50]], float)
FD = ["USA_HFCE", "USA_INVNT", "USA_DPABR", "CHN_HFCE", "CHN_INVNT", "CHN_DPABR"]
F = np.array([[50, -3, 0, 4, 0, 0], [60, 2, 0, 5, 1, 0],
              [6, 0, 1, 70, -1, 0], [8, 1, 0, 90, 2, 0]], float)
VA = np.array([30, 40, 60, 50.0])
TLS = np.array([2, 3, 1, 4.0])


def _write(path, z=Z, f=F, labels=LAB, va=VA, tls=TLS):
    df = pd.DataFrame(np.hstack([z, f]), index=labels, columns=labels + FD)
    out = z.sum(0) + va + tls
    df.loc["TLS"] = list(tls) + [0] * len(FD)
    df.loc["VA"] = list(va) + [0] * len(FD)
    df.loc["OUT"] = list(out) + [0] * len(FD)
    df["OUT"] = list(np.hstack([z, f]).sum(1)) + [0, 0, 0]
    df.index.name = "V1"
    df.to_csv(path)
    return path


def test_flows_io_and_value_added(tmp_path):
    base = read_icio(_write(tmp_path / "2020.csv"), year=2020)
    assert base.countries == ("CHN", "USA") and base.sectors == ("A01", "C10T12")
    c, u = base.country_index("CHN"), base.country_index("USA")
    a, f = base.sector_index("A01"), base.sector_index("C10T12")
    # CHN A01 -> USA: intermediate 2 + 1, final HFCE 6 + INVNT 0 + DPABR 1
    assert base.flows[c, u, a] == pytest.approx(10.0)
    # USA A01 -> USA: 10 + 20 + 50, negative inventories (-3) clipped
    assert base.flows[u, u, a] == pytest.approx(80.0)
    # USA A01: output 18 + 30 + 2 = 50; A01 inputs 10 (USA) + 2 (CHN); C10T12 inputs 5 + 1
    assert base.io[u, a, a] == pytest.approx(12 / 50)
    assert base.io[u, f, a] == pytest.approx(6 / 50)
    assert base.value_added[u, a] == pytest.approx((30 + 2) / 50)
    assert np.allclose(base.value_added + base.io.sum(axis=1), 1.0)
    assert base.has_io and base.year == 2020


def test_tls_in_inputs(tmp_path):
    base = read_icio(_write(tmp_path / "2020.csv"), tls="inputs")
    u, a = base.country_index("USA"), base.sector_index("A01")
    assert base.value_added[u, a] == pytest.approx(30 / 50)
    # inputs scaled up from 18/50 to 20/50 in proportion
    assert base.io[u, a, a] == pytest.approx(12 / 18 * 20 / 50)


def test_negative_value_added_and_zero_output(tmp_path):
    """USA C10T12 with value added -10 (+3 TLS): output 57 - 10 + 3 = 50, value-added
    share -7/50 set to 0 and its inputs (A01 20 + 1, C10T12 30 + 6 of 57) rescaled to sum
    to one. CHN C10T12 with nothing in its column: no output, value-added share 1."""
    z = Z.copy()
    z[:, 3] = 0.0
    va, tls = VA.copy(), TLS.copy()
    va[1], va[3], tls[3] = -10.0, 0.0, 0.0
    with pytest.warns(TariffSimWarning, match=r"negative value added in \['USA/C10T12'\]"):
        base = read_icio(_write(tmp_path / "neg.csv", z=z, va=va, tls=tls))
    u, c = base.country_index("USA"), base.country_index("CHN")
    a, f = base.sector_index("A01"), base.sector_index("C10T12")
    assert base.value_added[u, f] == 0.0
    assert base.io[u, a, f] == pytest.approx(21 / 57)
    assert base.io[u, f, f] == pytest.approx(36 / 57)
    assert base.value_added[c, f] == 1.0 and base.io[c, :, f].sum() == 0.0


def test_aggregation_makes_region_domestic(tmp_path):
    base = read_icio(_write(tmp_path / "2020.csv"), regions={"WORLD": ["USA", "CHN"]},
                     sectors={"GOODS": ["A01", "C10T12"]})
    assert base.countries == ("WORLD",) and base.sectors == ("GOODS",)
    total = Z.sum() + np.maximum(F, 0).sum()
    assert base.flows.sum() == pytest.approx(total)
    assert base.value_added[0, 0] == pytest.approx((VA + TLS).sum() / (Z.sum(0) + VA + TLS).sum())


def test_split_china_rows_merge(tmp_path):
    labels = ["USA_A01", "USA_C10T12", "CN1_A01", "CN2_A01"]
    base = read_icio(_write(tmp_path / "x.csv", labels=labels))
    assert base.countries == ("CHN", "USA")


def test_errors(tmp_path):
    z = Z.copy()
    z[0, 1] = -1
    with pytest.raises(DataError, match="negative intermediate.*USA_A01"):
        read_icio(_write(tmp_path / "neg.csv", z=z))
    f = F.copy()
    f[0, 0] = -5
    with pytest.raises(DataError, match="USA_HFCE"):
        read_icio(_write(tmp_path / "negf.csv", f=f))
    with pytest.raises(DataError, match="unknown country code.*'XXX'"):
        read_icio(_write(tmp_path / "cc.csv", labels=["USA_A01", "USA_C10T12", "XXX_A01",
                                                     "XXX_C10T12"]))
    p = _write(tmp_path / "txt.csv")
    p.write_text(p.read_text().replace("50.0", "fifty", 1))
    with pytest.raises(DataError, match="non-numeric"):
        read_icio(p)
    with pytest.raises(DataError, match="not an industry"):
        read_icio(_write(tmp_path / "s.csv"), sectors={"A1": "agri"})


def test_malformed_tables(tmp_path):
    p = _write(tmp_path / "dup.csv")
    lines = p.read_text().splitlines()
    p.write_text("\n".join(lines[:2] + lines[1:]) + "\n")          # USA_A01 row twice
    with pytest.raises(DataError, match=r"\['USA_A01'\] appear more than once"):
        read_icio(p)
    for cell in ("inf", "1e300", "9" * 400):
        p = _write(tmp_path / "inf.csv")
        p.write_text(p.read_text().replace("50.0", cell, 1))
        with pytest.raises(DataError, match="(?s)infinite or implausibly large.*USA_HFCE"):
            read_icio(p)
    # final use by an economy that has no industry rows
    p = _write(tmp_path / "fd.csv")
    p.write_text(p.read_text().replace("CHN_DPABR", "CHE_DPABR", 1))
    with pytest.raises(DataError, match="CHE_DPABR.*CHE, which has no COUNTRY_INDUSTRY"):
        read_icio(p)
