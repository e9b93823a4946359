"""Fuzz the scenario reader: random bytes and mutated built-in TOML raise ScenarioError (or
load), never another exception, never hang (hypothesis deadlines)."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tariffsim import scenarios
from tariffsim.baseline import Baseline
from tariffsim.errors import ScenarioError, TariffSimWarning
from tariffsim.scenario import Scenario

TEXTS = {n: scenarios.path(n).read_text(encoding="utf-8") for n in scenarios.list()}
CODES = ("USA", "CHN", "VNM", "MYS", "THA", "KHM", "IDN", "PHL", "SGP", "JPN", "KOR", "IND",
         "MEX", "CAN", "HKG", "GBR", "AUS", "BRA", "EU27", "ROW")
BASE = Baseline.from_arrays(CODES, None, np.ones((20, 20)) + np.eye(20))
FUZZ = settings(max_examples=300, deadline=1000,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
COUNT = {"ok": 0, "error": 0}


def read(source):
    """Read and apply; only ScenarioError may escape."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TariffSimWarning)
        try:
            s = Scenario.from_toml(source)
            s.validate(BASE)
            if s.date is not None or not s._dated():
                s.shocks(BASE)
            s.shocks(BASE, year=2026)
        except ScenarioError as exc:
            assert str(exc)
            COUNT["error"] += 1
            return None
    COUNT["ok"] += 1
    return s


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes(data):
    read(data)


@FUZZ
@given(st.text(max_size=300))
def test_random_text(text):
    if "\n" not in text:
        text += "\n"  # keep it TOML text, not a path
    read(text)


TOML_ATOMS = st.sampled_from(['"x"', "1", "-1", "0.5", "1e999", "nan", "inf", "true",
                              "2025-13-40", "2025-01-01", "2025-01-01T10:00:00", "10:00:00",
                              "[]", "[1, 2]", '["VNM"]', "{}", '{ a = 1 }', '"*"', '""',
                              "99999999999999999999", "-0.0", '"2030"', "1900", "3000"])


@st.composite
def mutated(draw):
    name = draw(st.sampled_from(sorted(TEXTS)))
    lines = TEXTS[name].splitlines()
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "swap", "retype", "duplicate", "truncate"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "truncate":
            lines[i] = lines[i][: draw(st.integers(0, max(0, len(lines[i]) - 1)))]
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            if "=" in lines[i] and "=" in lines[j]:
                ki, vi = lines[i].split("=", 1)
                kj, vj = lines[j].split("=", 1)
                lines[i], lines[j] = ki + "=" + vj, kj + "=" + vi
        elif op == "retype" and "=" in lines[i]:
            lines[i] = lines[i].split("=", 1)[0] + "= " + draw(TOML_ATOMS)
    return "\n".join(lines) + "\n"


@FUZZ
@given(mutated())
def test_mutated_builtins(text):
    read(text)


@pytest.mark.parametrize("text", [
    "a = " + "[" * 3000 + "]" * 3000,
    "name = 'x'\n" + "[[instruments]]\ntype='tariff'\n" * 3,
    "name = 'x'\ninstruments = [1, 2]\n",
    "name = 'x'\ninstruments = 'tariff'\n",
    "name = 5\n",
    "name = 'x'\nsources = [1]\n",
    "name = 'x'\ndate = 10:00:00\n",
    "name = 'x'\n[[instruments]]\ntype='tariff'\nimporter='USA'\nexporter='VNM'\nrate=1e999\n",
    "name = 'x'\n[[instruments]]\ntype='tariff'\nimporter='USA'\nexporter='VNM'\nrate=0.1\n"
    "start=10:00:00\n",
    "name = 'x'\n[[instruments]]\ntype='import_commitment'\nimporter='VNM'\nexporter='USA'\n"
    "value=99999999999999999999999999999999999999999999999999999999999999999999999999999999"
    "9999999999999999999999999999999999999999999999999999999999999999999999999999999999999"
    "99999999999999999999999999999999999999999999999999999999999999999999999999999999999999"
    "9999999999999999999999999999999999999999999999999999999999999999999999999999999999999\n",
    "\ufeffname = 5\n",        # a byte-order mark is skipped (round two); the rest is read
    b"\xff\xfe",
])
def test_edge_cases(text):
    with pytest.raises(ScenarioError):
        s = Scenario.from_toml(text)
        s.validate(BASE)


def test_mutations_are_not_all_rejected():
    # the mutation fuzzer must exercise both outcomes, or it tests nothing; run it here so
    # the check does not depend on test order or on which worker ran the fuzzer
    COUNT["ok"] = COUNT["error"] = 0

    @settings(max_examples=200, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(mutated())
    def run(text):
        read(text)

    run()
    assert COUNT["ok"] > 0 and COUNT["error"] > 0, COUNT
