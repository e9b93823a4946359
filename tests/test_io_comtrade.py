"""UN Comtrade loader: both CSV layouts, importer vs mirror declarations, by hand."""

import pytest

from tariffsim.errors import DataError
from tariffsim.io import read_comtrade, read_comtrade_products

# current API layout (subset of its columns, same names); values in USD
NEW = """typeCode,freqCode,refYear,reporterCode,reporterISO,flowCode,partnerCode,partnerISO,partner2Code,classificationCode,cmdCode,customsCode,motCode,primaryValue
C,A,2023,842,USA,M,156,CHN,0,H6,TOTAL,C00,0,448000000000
C,A,2023,842,USA,M,704,VNM,0,H6,TOTAL,C00,0,114000000000
C,A,2023,842,USA,M,0,W00,0,H6,TOTAL,C00,0,3100000000000
C,A,2023,842,USA,M,156,CHN,0,H6,TOTAL,C01,0,1000
C,A,2023,842,USA,X,156,CHN,0,H6,TOTAL,C00,0,148000000000
C,A,2023,156,CHN,X,842,USA,0,H6,TOTAL,C00,0,500000000000
C,A,2023,156,CHN,M,842,USA,0,H6,TOTAL,C00,0,164000000000
C,A,2023,156,CHN,X,704,VNM,0,H6,TOTAL,C00,0,138000000000
C,A,2023,704,VNM,X,842,USA,0,H6,TOTAL,C00,0,97000000000
"""  # noqa: E501
# legacy layout, flow codes 1 import / 2 export
OLD = """Classification,Year,Period,Trade Flow Code,Trade Flow,Reporter Code,Reporter,Reporter ISO,Partner Code,Partner,Partner ISO,Commodity Code,Commodity,Trade Value (US$)
H4,2016,2016,1,Import,36,Australia,AUS,156,China,CHN,85,Electrical,20000000
H4,2016,2016,1,Import,36,Australia,AUS,156,China,CHN,84,Machinery,30000000
H4,2016,2016,2,Export,36,Australia,AUS,156,China,CHN,26,Ores,50000000
H4,2016,2016,1,Import,36,Australia,AUS,0,World,WLD,85,Electrical,90000000
"""  # noqa: E501


@pytest.fixture
def new(tmp_path):
    p = tmp_path / "comtrade.csv"
    p.write_text(NEW)
    return p


def test_importer_reported_with_mirror(new):
    df = read_comtrade_products(new).set_index(["exporter", "importer"])["value"]
    # USA reports imports: CHN->USA 448 bn, VNM->USA 114 bn (World and customs C01 dropped)
    assert df[("CHN", "USA")] == pytest.approx(448_000)
    assert df[("VNM", "USA")] == pytest.approx(114_000)
    # CHN reports imports from USA: 164 bn (not USA's exports of 148 bn)
    assert df[("USA", "CHN")] == pytest.approx(164_000)
    # VNM reported no imports: mirror of CHN's exports to VNM
    assert df[("CHN", "VNM")] == pytest.approx(138_000)
    assert len(df) == 4


def test_exporter_reported(new):
    df = read_comtrade_products(new, flow="exports", mirror=False)
    f = df.set_index(["exporter", "importer"])["value"]
    assert f[("CHN", "USA")] == pytest.approx(500_000)
    assert f[("USA", "CHN")] == pytest.approx(148_000)
    assert f[("VNM", "USA")] == pytest.approx(97_000)


def test_no_mirror_leaves_non_reporters_out(new):
    df = read_comtrade_products(new, mirror=False)
    assert "VNM" not in set(df.importer)


def test_baseline_with_gdp(new):
    gdp = {"USA": 27e12, "CHN": 17e12, "VNM": 0.4e12}
    base = read_comtrade(new, gdp=gdp)
    f = base.to_frame().set_index(["exporter", "importer"])["value"]
    assert f[("VNM", "VNM")] == pytest.approx(400_000 - 114_000)
    assert f[("USA", "USA")] == pytest.approx(27_000_000 - 164_000)
    assert base.year == 2023


def test_legacy_layout_and_sectors(tmp_path):
    p = tmp_path / "legacy.csv"
    p.write_text(OLD)
    df = read_comtrade_products(p, products={"84": "machinery", "85": "electrical"})
    f = df.set_index(["exporter", "importer", "product"])["value"]
    assert f[("CHN", "AUS", "electrical")] == pytest.approx(20.0)
    assert f[("CHN", "AUS", "machinery")] == pytest.approx(30.0)
    # Australia's exports to China are mirror data for China (not a reporter)
    assert f[("AUS", "CHN", "other")] == pytest.approx(50.0)


def test_unknown_code_named_with_fix(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text(NEW.replace("704,VNM", "704,VNX"))
    with pytest.raises(DataError, match="VNX.*did you mean") as err:
        read_comtrade_products(p)
    assert "regions=" in str(err.value)
    # mapping the code to a region is the fix
    df = read_comtrade_products(p, regions={"VNX": "ROW"})
    assert "ROW" in set(df.exporter)


@pytest.mark.parametrize("old, new_, match", [
    ("primaryValue", "value_usd", "lacks column"),
    ("448000000000", "4.4e11x", "non-numeric"),
    ("448000000000", "-5", "negative"),
])
def test_errors(tmp_path, old, new_, match):
    p = tmp_path / "c.csv"
    p.write_text(NEW.replace(old, new_, 1))
    with pytest.raises(DataError, match=match):
        read_comtrade_products(p)


def test_mixed_levels_need_level(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text(OLD + "H4,2016,2016,1,Import,36,Australia,AUS,156,China,CHN,8501,Motors,1\n")
    with pytest.raises(DataError, match="level="):
        read_comtrade_products(p)
    df = read_comtrade_products(p, level=2)
    assert df["value"].sum() == pytest.approx(100.0)


@pytest.mark.parametrize("year", ["inf", "-1", "20x3", "2023.5e9", "NA"])
def test_years_that_are_not_years(tmp_path, year):
    p = tmp_path / "c.csv"
    p.write_text(NEW.replace("C,A,2023,842,USA,M,704", f"C,A,{year},842,USA,M,704", 1))
    with pytest.raises(DataError, match="(?s)'refYear'.*not years.*line 3"):
        read_comtrade_products(p)


def test_bad_year_argument(new):
    with pytest.raises(DataError, match="not a year"):
        read_comtrade_products(new, year=2023.5)
