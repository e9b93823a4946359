"""BACI loader: files built in tmp_path in BACI's exact layout, checked by hand."""

import numpy as np
import pandas as pd
import pytest

from tariffsim.errors import DataError, TariffSimWarning
from tariffsim.io import read_baci, read_baci_countries, read_baci_products

# t,i,j,k,v,q : v in thousand USD; q "NA" padded with spaces as in the V2025 files
BACI = """t,i,j,k,v,q
2023,842,156,847130,1500.0,2.0
2023,156,842,847130,3000.5,           NA
2023,704,842,850110,250.0,1.5
2023,156,704,010121,100.0,1
2023,156,842,850440,999.5,3
"""
CODES = """country_code,country_name,country_iso2,country_iso3
156,China,CN,CHN
704,Viet Nam,VN,VNM
842,USA,US,USA
490,"Other Asia, nes",,S19
"""
GDP = {"USA": 27_000_000e6, "CHN": 17_000_000e6, "VNM": 400_000e6}  # USD


@pytest.fixture
def files(tmp_path):
    p = tmp_path / "BACI_HS22_Y2023_V202501.csv"
    p.write_text(BACI)
    c = tmp_path / "country_codes_V202501.csv"
    c.write_text(CODES)
    return p, c


def test_products_in_usd_million(files):
    p, c = files
    df = read_baci_products(p, countries=c)
    assert list(df.columns) == ["importer", "exporter", "product", "value"]
    row = df[(df.exporter == "CHN") & (df.importer == "USA") & (df["product"] == "847130")]
    assert row["value"].item() == pytest.approx(3.0005)      # 3000.5 thousand USD
    # leading zero of HS 010121 kept
    assert "010121" in set(df["product"])
    assert df["value"].sum() == pytest.approx((1500 + 3000.5 + 250 + 100 + 999.5) / 1000)


def test_country_codes_file_maps_s19_to_taiwan(files):
    assert read_baci_countries(files[1])[490] == "TWN"


def test_baseline_with_gdp_domestic_and_sectors(files):
    p, c = files
    base = read_baci(p, countries=c, gdp=GDP, sectors={"84": "machinery", "85": "electrical"})
    assert set(base.sectors) == {"machinery", "electrical", "other"}
    f = base.to_frame().set_index(["exporter", "importer", "sector"])["value"]
    assert f[("CHN", "USA", "electrical")] == pytest.approx(0.9995)
    # USA: GDP 27e6 musd minus exports 1.5; split by US import mix:
    # US imports machinery 3.0005, electrical 0.25 + 0.9995 = 1.2495 (total 4.25)
    dom = 27_000_000 - 1.5
    assert f[("USA", "USA", "machinery")] == pytest.approx(dom * 3.0005 / 4.25)
    assert f[("USA", "USA", "electrical")] == pytest.approx(dom * 1.2495 / 4.25)
    assert base.year == 2023


def test_regions_list_sums_rest_into_row_and_floor(files):
    p, c = files
    # VNM with GDP below its exports -> floor 10% of GDP
    gdp = dict(GDP, VNM=1.0e6)  # 1 USD million GDP, exports 0.25
    base = read_baci(p, countries=c, gdp=gdp, regions=["USA", "CHN"])
    assert base.countries == ("CHN", "ROW", "USA")
    f = base.to_frame().set_index(["exporter", "importer"])["value"]
    assert f[("ROW", "ROW")] == pytest.approx(max(1.0 - 0.25, 0.1))
    gdp2 = dict(GDP, VNM=0.2e6)  # 0.2 musd < exports 0.25 -> floor 0.1 * 0.2
    with pytest.warns(TariffSimWarning, match="domestic_floor.*ROW"):
        base2 = read_baci(p, countries=c, gdp=gdp2, regions=["USA", "CHN"])
    f2 = base2.to_frame().set_index(["exporter", "importer"])["value"]
    assert f2[("ROW", "ROW")] == pytest.approx(0.02)
    # CHN -> ROW is CHN -> VNM
    assert f[("CHN", "ROW")] == pytest.approx(0.1)


def test_region_mapping_drops_intra_region_trade(files):
    p, c = files
    df = read_baci_products(p, countries=c, regions={"ASIA": ["CHN", "VNM"]})
    assert set(df.exporter) | set(df.importer) == {"ASIA", "USA"}
    assert df["value"].sum() == pytest.approx((1500 + 3000.5 + 250 + 999.5) / 1000)


def test_builtin_iso_numeric_table_without_codes_file(files):
    df = read_baci_products(files[0])
    assert set(df.exporter) == {"USA", "CHN", "VNM"}


def test_needs_domestic_sales(files):
    with pytest.raises(DataError, match="domestic sales"):
        read_baci(files[0], countries=files[1])


def test_missing_gdp_named(files):
    with pytest.raises(DataError, match="VNM"):
        read_baci(files[0], countries=files[1], gdp={"USA": 1e12, "CHN": 1e12})


@pytest.mark.parametrize("text, match", [
    ("t,i,j,k,q\n2023,842,156,847130,1\n", "lacks column.*'v'"),
    ("t,i,j,k,v,q\n2023,842,156,847130,abc,1\n", "non-numeric"),
    ("t,i,j,k,v,q\n2023,842,156,847130,-5,1\n", "negative"),
    ("t,i,j,k,v,q\n2023,842,999,847130,5,1\n", "unknown country code.*999"),
    ("t,i,j,k,v,q\n2023,842,156,84713X,5,1\n", "HS6"),
    ("t,i,j,k,v,q\n2022,842,156,847130,5,1\n2023,842,156,847130,5,1\n", "year="),
])
def test_errors_name_the_problem(tmp_path, text, match):
    p = tmp_path / "baci.csv"
    p.write_text(text)
    with pytest.raises(DataError, match=match) as err:
        read_baci_products(p)
    assert "baci.csv" in str(err.value) or "year" in str(err.value)


def test_bad_line_number_reported(tmp_path):
    p = tmp_path / "baci.csv"
    p.write_text("t,i,j,k,v,q\n2023,842,156,847130,5,1\n2023,842,156,847130,-1,1\n")
    with pytest.raises(DataError, match="line 3"):
        read_baci_products(p)


def test_missing_file():
    with pytest.raises(DataError, match="not found"):
        read_baci_products("/nonexistent/baci.csv")


def test_year_filter(tmp_path):
    p = tmp_path / "baci.csv"
    p.write_text("t,i,j,k,v,q\n2022,842,156,847130,5,1\n2023,842,156,847130,7,1\n")
    df = read_baci_products(p, year=2023)
    assert df["value"].item() == pytest.approx(0.007)
    assert np.isfinite(df["value"]).all()
    assert isinstance(df, pd.DataFrame)


@pytest.mark.parametrize("old, new, match", [
    # rows longer than the header: pandas would make the extra field an index
    ("t,i,j,k,v,q\n", "t,i,j,k,v\n", "more fields than its header"),
    ("2023,842,156,847130", "2023,1e308,156,847130", "(?s)'i'.*not country codes.*line 2"),
    ("2023,704,842", "2023,704.5,842", "(?s)'i'.*not country codes.*line 4"),
    ("2023,156,704", "2023.5,156,704", "(?s)'t'.*not years.*line 5"),
    ("2023,156,704", "inf,156,704", "(?s)'t'.*infinite"),
    ("2023,156,704", "9" * 400 + ",156,704", "(?s)'t'.*infinite.*line 5"),
])
def test_malformed_rows_raise_data_error(files, old, new, match):
    p, c = files
    p.write_text(BACI.replace(old, new, 1))
    with pytest.raises(DataError, match=match):
        read_baci_products(p, countries=c)


def test_bad_year_argument(files):
    with pytest.raises(DataError, match="'twenty' is not a year"):
        read_baci_products(files[0], year="twenty")
