"""US Census 'Trade in Goods by Country' loader (country.txt layouts)."""

import importlib.util
import warnings

import pytest

from tariffsim.errors import DataError, TariffSimWarning
from tariffsim.io import read_census

MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
HEAD = (["year", "CTY_CODE", "CTYNAME"] + [f"I{m}" for m in MONTHS] + ["IYR"]
        + [f"E{m}" for m in MONTHS] + ["EYR"])
# (code, name, annual imports, annual exports), USD million; months = annual / 12
ROWS = [("0003", "European Union", 605760.0, 370190.0),
        ("0004", "World, Not Seasonally Adjusted", 3267400.0, 2064500.0),
        ("5700", "China", 438947.4, 143545.7),
        ("5520", "Vietnam", 136561.2, 13098.2),
        ("4280", "Germany", 160400.0, 75600.0),
        ("4279", "France", 70000.0, 50000.0),
        ("1XXX", "North America", 1000000.0, 700000.0),
        ("9999", "Atlantis", 12.0, 24.0)]


def _line(year, code, name, imp, exp, sep):
    vals = [f"{imp / 12:.4f}"] * 12 + [f"{imp}"] + [f"{exp / 12:.4f}"] * 12 + [f"{exp}"]
    return sep.join([str(year), code, name, *vals])


def _write(path, sep="\t", year=2024, rows=ROWS):
    lines = [sep.join(HEAD)] + [_line(year, *r, sep) for r in rows]
    lines += [_line(year - 1, *r, sep) for r in rows[:3]]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("sep", ["\t", "   "])
def test_us_row_and_column(tmp_path, sep):
    p = _write(tmp_path / "country.txt", sep=sep)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TariffSimWarning)
        df = read_census(p, partners=["CHN", "VNM"])
    f = df.set_index(["exporter", "importer"])["value"]
    assert f[("CHN", "USA")] == pytest.approx(438947.4)
    assert f[("USA", "CHN")] == pytest.approx(143545.7)
    assert f[("USA", "VNM")] == pytest.approx(13098.2)
    # ROW = World - listed partners
    assert f[("ROW", "USA")] == pytest.approx(3267400.0 - 438947.4 - 136561.2)
    assert f[("USA", "ROW")] == pytest.approx(2064500.0 - 143545.7 - 13098.2)
    assert df.attrs["year"] == 2024


def test_eu_aggregate_replaces_members(tmp_path):
    p = _write(tmp_path / "country.txt")
    with pytest.warns(TariffSimWarning, match="9999 Atlantis"):
        df = read_census(p, eu=True)
    f = df.set_index(["exporter", "importer"])["value"]
    assert f[("EU27", "USA")] == pytest.approx(605760.0)
    assert "DEU" not in set(df.exporter)
    total_imports = df[df.importer == "USA"]["value"].sum()
    assert total_imports == pytest.approx(3267400.0)


def test_months_summed_without_annual_columns(tmp_path):
    head = [h for h in HEAD if h not in ("IYR", "EYR")]
    lines = ["\t".join(head), "\t".join(["2024", "5700", "China"] + ["1.5"] * 12 + ["2"] * 12)]
    p = tmp_path / "country.txt"
    p.write_text("\n".join(lines) + "\n")
    f = read_census(p).set_index(["exporter", "importer"])["value"]
    assert f[("CHN", "USA")] == pytest.approx(18.0)
    assert f[("USA", "CHN")] == pytest.approx(24.0)


def test_year_selection_and_errors(tmp_path):
    p = _write(tmp_path / "country.txt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TariffSimWarning)
        df = read_census(p, year=2023, partners=["CHN"])
    assert df.attrs["year"] == 2023
    with pytest.raises(DataError, match="year 2019"):
        read_census(p, year=2019)
    bad = tmp_path / "bad.txt"
    bad.write_text(p.read_text().replace("438947.4", "n/a?", 1))
    with pytest.raises(DataError, match="non-numeric"):
        read_census(bad)
    neg = tmp_path / "neg.txt"
    neg.write_text(p.read_text().replace("438947.4", "-438947.4", 1))
    with pytest.raises(DataError, match="negative"):
        read_census(neg)
    nocol = tmp_path / "nocol.txt"
    nocol.write_text(p.read_text().replace("CTY_CODE", "CODE", 1))
    with pytest.raises(DataError, match="CTY_CODE"):
        read_census(nocol)


def test_xlsx_needs_openpyxl(tmp_path):
    if importlib.util.find_spec("openpyxl") is None:
        p = tmp_path / "country.xlsx"
        p.write_bytes(b"PK")
        with pytest.raises(DataError, match="openpyxl"):
            read_census(p)
    else:  # pragma: no cover - openpyxl is an optional extra
        import pandas as pd

        rows = [[2024, "5700", "China"] + [1.0] * 12 + [12.0] + [2.0] * 12 + [24.0]]
        p = tmp_path / "country.xlsx"
        pd.DataFrame(rows, columns=HEAD).to_excel(p, index=False)
        f = read_census(p).set_index(["exporter", "importer"])["value"]
        assert f[("CHN", "USA")] == pytest.approx(12.0)


# ------------------------------------------------------------------ malformed files
SMALL = ("year\tCTY_CODE\tCTYNAME\tIYR\tEYR\n"
         "2024\t0004\tWorld\t1000.0\t800.0\n"
         "2024\t5700\tChina\t400.0\t150.0\n")


def _small(tmp_path, text=SMALL, name="country.txt", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "latin-1"])
def test_other_encodings_and_line_ends_load(tmp_path, encoding):
    text = SMALL.replace("China", "Chinà").replace("\n", "\r\n")
    f = read_census(_small(tmp_path, text, encoding=encoding)).set_index(
        ["exporter", "importer"])["value"]
    assert f[("CHN", "USA")] == pytest.approx(400.0)
    assert f[("ROW", "USA")] == pytest.approx(1000.0 - 400.0)
    assert f[("USA", "ROW")] == pytest.approx(800.0 - 150.0)


@pytest.mark.parametrize("data, match", [
    (b"", "empty"),
    (b"\n  \n", "empty"),
    (b"PK\x03\x04\x14\x00", "zip archive"),
    (SMALL.encode()[:40] + b"\x00\x01\x02", "not a text file"),
    (b"\x0b\n,,", "lacks column"),                       # found by the fuzz test
    (b",\n\x80", "lacks column"),
    (SMALL.split("\n")[0].encode() + b"\n", "no rows"),
    (SMALL.encode()[:-8], r"line 3 .* 4 fields, the header \(line 1\) has 5"),
    (SMALL.replace("EYR", "iyr").encode(), "'iyr' appears twice"),
    (SMALL.replace("CTYNAME\t", "").encode(), "CTYNAME"),
    (SMALL.replace("400.0", "four hundred").encode(), "non-numeric"),
    (SMALL.replace("400.0", "").encode(), "missing"),
    (SMALL.replace("400.0", "1e13").encode(), "above 1e\\+12 USD million"),
    ((SMALL + SMALL.split("\n")[0]).encode(), "(?s)'year'.*non-numeric.*line 4"),  # header again
    (SMALL.replace("2024\t5700", "2024.5\t5700").encode(), "not years"),
    (SMALL.replace("2024\t5700", "20240\t5700").encode(), "not years"),
    ((SMALL + "2024\t5700\tChina\t1\t1\n").encode(), "double count"),
    (SMALL.replace("5700", "57A0").encode(), "4-character Census codes"),
    (b"year,CTY_CODE,CTYNAME,IYR,EYR\n2024,0003,European Union,10,20\n",
     "no trade with a partner country"),
])
def test_malformed_files_raise_data_error_naming_the_problem(tmp_path, data, match):
    p = tmp_path / "country.txt"
    p.write_bytes(data)
    with pytest.raises(DataError, match=match) as info:
        read_census(p)
    assert "country.txt" in str(info.value) or info.value.field


def test_line_numbers_count_blank_lines(tmp_path):
    text = SMALL.replace("\n2024\t5700", "\n\n\n2024\t5700").replace("400.0", "x")
    with pytest.raises(DataError, match="line 5") as info:
        read_census(_small(tmp_path, text))
    assert info.value.field == "IYR"


def test_bad_year_argument(tmp_path):
    with pytest.raises(DataError, match="not a year"):
        read_census(_small(tmp_path), year="last")
    with pytest.raises(DataError, match="year 2023 is not in"):
        read_census(_small(tmp_path), year=2023.0)
