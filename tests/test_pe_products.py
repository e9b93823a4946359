"""Validation of product data and shock frames: the right error, the field named."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tariffsim.pe as pe
from tariffsim.errors import DataError, ScenarioError, TariffSimWarning


def good() -> pd.DataFrame:
    return pd.DataFrame({"importer": "USA", "exporter": ["CHN", "VNM", "MYS"],
                         "product": "854140", "value": [100.0, 50.0, 25.0],
                         "tariff": [0.19, 0.20, 0.19]})


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d.drop(columns="tariff"), "data.tariff"),
    (lambda d: d.drop(columns="importer"), "data.importer"),
    (lambda d: d.drop(columns="value"), "data.value"),
    (lambda d: d.assign(value=[100.0, -1.0, 25.0]), "data.value"),
    (lambda d: d.assign(value=[100.0, np.nan, 25.0]), "data.value"),
    (lambda d: d.assign(value=[100.0, np.inf, 25.0]), "data.value"),
    (lambda d: d.assign(value=["100", "lots", "25"]), "data.value"),
    (lambda d: d.assign(tariff=[0.19, -1.5, 0.19]), "data.tariff"),
    (lambda d: d.assign(tariff=[0.19, np.nan, 0.19]), "data.tariff"),
    (lambda d: d.assign(exporter=["CHN", None, "MYS"]), "data.exporter"),
    (lambda d: d.assign(exporter=["CHN", "USA", "MYS"]), "data.exporter"),
    (lambda d: pd.concat([d, d.iloc[[0]]]), "data"),
])
def test_bad_data_raises_dataerror_naming_field(mutate, field):
    with pytest.raises(DataError) as e:
        pe.ProductData.from_frame(mutate(good()))
    assert e.value.field == field


def test_offending_rows_are_attached():
    with pytest.raises(DataError) as e:
        pe.ProductData.from_frame(good().assign(value=[100.0, -1.0, 25.0]))
    assert list(e.value.rows["exporter"]) == ["VNM"]
    assert "VNM" in str(e.value)


def test_huge_tariff_warns():
    with pytest.warns(TariffSimWarning, match="1000%"):
        pe.ProductData.from_frame(good().assign(tariff=[19.0, 0.2, 0.19]))


def test_rate_alias_importer_argument_and_zero_domestic_rows():
    d = good().rename(columns={"tariff": "rate"}).drop(columns="importer")
    d = pd.concat([d, pd.DataFrame({"exporter": ["USA"], "product": ["854140"],
                                    "value": [0.0], "rate": [0.0]})])
    pd_ = pe.ProductData.from_frame(d, importer="USA")
    assert pd_.n_rows == 3 and pd_.importers == ("USA",)


def test_unknown_codes_in_shock_frames_suggest():
    with pytest.raises(DataError, match="did you mean 'VNM'") as e:
        pe.smart(good(), pd.DataFrame({"exporter": ["VMN"], "rate": [0.4]}))
    assert e.value.field == "new_tariffs.exporter"
    with pytest.raises(DataError) as e:
        pe.smart(good(), {"CHN": 0.5, "MYSS": 0.1})
    assert e.value.field == "new_tariffs.exporter"
    with pytest.raises(DataError) as e:
        pe.smart(good(), pd.DataFrame({"product": ["854141"], "rate": [0.4]}))
    assert e.value.field == "new_tariffs.product"


@pytest.mark.parametrize("kw, field", [
    ({"new_tariffs": {"CHN": -2.0}}, "new_tariffs.rate"),
    ({"new_tariffs": {"CHN": np.nan}}, "new_tariffs.rate"),
    ({"new_tariffs": pd.DataFrame({"exporter": ["CHN"], "level": [0.3]})}, "new_tariffs.rate"),
    ({"new_tariffs": pd.DataFrame({"exporter": ["CHN", "CHN"], "rate": [0.3, 0.4]})},
     "new_tariffs"),
    ({"export_taxes": {"CHN": -0.1}}, "export_taxes.tax_equivalent"),
    ({"supply_cuts": {"CHN": 1.5}}, "supply_cuts.cut"),
    ({"commitments": pd.DataFrame({"exporter": ["CHM"], "value": [10.0]})},
     "commitments.exporter"),
    ({"new_tariffs": [0.1, 0.2]}, "new_tariffs"),
])
def test_bad_shocks(kw, field):
    with pytest.raises(DataError) as e:
        pe.smart(good(), **kw)
    assert e.value.field == field


def test_importer_selection_and_unknown_importer():
    two = pd.concat([good(), good().assign(importer="CAN")])
    res = pe.smart(two, {"CHN": 0.5}, importer="CAN")
    assert set(res.products["importer"]) == {"CAN"}
    with pytest.raises(DataError, match="did you mean 'CAN'"):
        pe.smart(two, importer="CAM")


def test_simulate_pe_rejects_bad_shock_keys():
    with pytest.raises(ScenarioError) as e:
        pe.simulate_pe(good(), {"tariffs": 0.1})
    assert e.value.field == "shocks"


def test_result_has_no_nan_or_inf():
    res = pe.smart(good(), {"CHN": 0.5}, supply_cuts={"VNM": 0.2}, commitments={"MYS": 40})
    for frame in (res.products, res.exporters, res.regions):
        assert np.isfinite(frame.select_dtypes("number").to_numpy()).all()
