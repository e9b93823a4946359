"""Every built-in scenario loads, round-trips, validates and gives finite Shocks on a
synthetic 20-economy one-sector baseline (and on the embedded one); key rates are checked
against the facts they were transcribed from."""

import numpy as np
import pytest

from tariffsim import scenarios
from tariffsim.baseline import Baseline
from tariffsim.errors import ScenarioError
from tariffsim.scenario import Scenario

CODES = ("USA", "CHN", "VNM", "MYS", "THA", "KHM", "IDN", "PHL", "SGP", "JPN", "KOR", "IND",
         "MEX", "CAN", "HKG", "GBR", "AUS", "BRA", "EU27", "ROW")
NAMES = ["china-rare-earth-controls", "liberation-day-2025", "reciprocal-aug-2025",
         "section-122-2026", "us-asean-2025"]


@pytest.fixture(scope="module")
def base():
    rng = np.random.default_rng(0)
    flows = rng.uniform(1, 100, (20, 20)) + np.eye(20) * 1000
    tariffs = np.full((20, 20), 0.03)
    np.fill_diagonal(tariffs, 0)
    return Baseline.from_arrays(CODES, None, flows, tariffs)


#: Built-in scenarios written at the tariff line (read with ts.effective_rates; tested in
#: test_tariff_lines.py / test_us_tariffs_timeline.py until the resolver takes them).
LINE_LEVEL = ["us-tariffs-2025-2026"]


def test_list():
    assert scenarios.list() == sorted(NAMES + LINE_LEVEL)


def test_unknown_name_suggests():
    with pytest.raises(ScenarioError, match="did you mean 'us-asean-2025'"):
        scenarios.load("us-asean-2052")


@pytest.mark.parametrize("name", NAMES)
def test_builtin(name, base):
    s = scenarios.load(name)
    assert s.name == name and s.date is not None and s.instruments
    assert Scenario.from_toml(s.to_toml()) == s
    assert scenarios.load(scenarios.path(name)) == s
    s.validate(base)
    for inst in s.instruments:
        assert inst.source, inst
        if inst.illustrative:
            assert "illustrative" in inst.note, inst
    for kw in ({}, {"year": 2025}, {"year": 2026}, {"year": 2026, "year_rule": "average"},
               {"year": 2030}):
        sh = s.shocks(base, **kw)
        for a in (sh.tariffs, sh.trade_costs, sh.export_taxes):
            assert a is None or (np.isfinite(a).all() and a.shape == (20, 20, 1))
        assert all(np.isfinite(c.value) and c.value > 0 for c in sh.commitments)
    assert "Sources:" in s.describe()


def us_rate(base, name, exporter, **kw):
    sh = scenarios.load(name).shocks(base, **kw)
    return sh.tariffs[CODES.index(exporter), 0, 0]


def test_rates_against_facts(base):
    # baseline 3% + rate (facts/us_reciprocal_tariff_rates_2025.csv)
    assert us_rate(base, "liberation-day-2025", "VNM", date="2025-05-01") == pytest.approx(0.49)
    assert us_rate(base, "liberation-day-2025", "CHN", date="2025-05-01") == pytest.approx(
        0.03 + 0.34 + 0.20)
    assert us_rate(base, "reciprocal-aug-2025", "KHM", date="2025-09-01") == pytest.approx(0.22)
    assert us_rate(base, "reciprocal-aug-2025", "EU27", date="2025-09-01") == pytest.approx(0.15)
    assert us_rate(base, "reciprocal-aug-2025", "IND", date="2025-09-01") == pytest.approx(0.53)
    # China fentanyl 20% -> 10% on 10 Nov 2025
    assert us_rate(base, "reciprocal-aug-2025", "CHN", date="2025-11-10") == pytest.approx(0.23)
    # Malaysia: 19% with ~12% zero-rated after the 26 Oct 2025 agreement
    assert us_rate(base, "us-asean-2025", "MYS", date="2025-10-25") == pytest.approx(0.22)
    assert us_rate(base, "us-asean-2025", "MYS") == pytest.approx(0.03 + 0.19 * 0.88)
    assert us_rate(base, "us-asean-2025", "VNM") == pytest.approx(0.23)
    # Section 122: 10% 24 Feb - 24 Jul 2026 replaces the IEEPA duties
    assert us_rate(base, "section-122-2026", "VNM", date="2026-02-23") == pytest.approx(0.23)
    assert us_rate(base, "section-122-2026", "VNM", date="2026-02-24") == pytest.approx(0.13)
    assert us_rate(base, "section-122-2026", "CHN", date="2026-03-01") == pytest.approx(0.13)
    assert scenarios.load("section-122-2026").shocks(base, date="2026-07-24").tariffs is None


def test_asean_partner_cuts_and_commitments(base):
    s = scenarios.load("us-asean-2025")
    sh = s.shocks(base, year=2026)
    usa = 0
    assert sh.tariffs[usa, CODES.index("KHM"), 0] == 0.0
    assert sh.tariffs[usa, CODES.index("THA"), 0] == pytest.approx(0.03 * 0.01)
    targets = {CODES[c.importer]: c.value - base.flows[usa, c.importer, 0]
               for c in sh.commitments}
    # USD million, 2026: VNM aircraft 1600 + farm 2900; MYS LNG 3400 + equipment 30000 +
    # aircraft 1900 + coal 42.6; THA farm 2600 + energy 5400 + aircraft 3760; KHM 250
    assert targets == pytest.approx({"VNM": 4500, "MYS": 35342.6, "THA": 11760, "KHM": 250})
    t2030 = {CODES[c.importer] for c in s.shocks(base, year=2030).commitments}
    assert t2030 == {"VNM", "MYS", "THA"}


def test_rare_earths_wedge(base):
    sh = scenarios.load("china-rare-earth-controls").shocks(base)
    # coverage = US rare-earth imports from China (US$170 million x 77%, 2024 Census share)
    # over all US goods imports from China (438,947.4, Census 2024), rounded to 6 digits
    cov = round(170 * 0.77 / 438947.4, 6)
    assert sh.export_taxes[1, 0, 0] == pytest.approx(0.5 * cov)
    assert sh.export_taxes[1, 1, 0] == 0.0


def test_embedded_baseline():
    from tariffsim.datasets import load_baseline

    b = load_baseline()
    for name in NAMES:
        s = scenarios.load(name).validate(b)
        sh = s.shocks(b, year=2026)
        assert sh.tariffs is None or np.isfinite(sh.tariffs).all()

    def rate(name, exporter, **kw):
        t = scenarios.load(name).shocks(b, **kw).tariffs
        return t[b.country_index(exporter), b.country_index("USA"), 0]

    # the same 'add' layers as in test_rates_against_facts, now on the embedded baseline's
    # pre-2025 rates: US on China 20.8% (PIIE), on every other partner 0 (not transcribed)
    assert rate("reciprocal-aug-2025", "VNM", date="2025-09-01") == pytest.approx(0.20)
    assert rate("reciprocal-aug-2025", "CHN", date="2025-11-10") == pytest.approx(0.208 + 0.20)
    assert rate("us-asean-2025", "MYS") == pytest.approx(0.19 * 0.88)


@pytest.mark.parametrize("name", ["us-asean-2025", "reciprocal-aug-2025", "section-122-2026"])
def test_universal_ten_percent_before_the_august_rates_counts_by_days(name):
    """EO 14257's 10% ran from 5 Apr to 6 Aug 2025, Vietnam's 20% from 7 Aug: 124 days at
    10% and 147 days at 20% in 2025 (Apr 5 - Aug 6: 26 + 31 + 30 + 31 + 6 days; Aug 7 -
    Dec 31: 25 + 30 + 31 + 30 + 31), so the day-weighted 2025 rate is
    (124 * 0.10 + 147 * 0.20) / 365 on a baseline with no US tariff on Vietnam."""
    import tariffsim as ts
    b = ts.load_baseline()
    sc = ts.scenarios.load(name)
    u, v = b.country_index("USA"), b.country_index("VNM")
    assert b.tariffs[v, u, 0] == 0.0
    assert sc.shocks(b, date="2025-04-04").tariffs is None or \
        sc.shocks(b, date="2025-04-04").tariffs[v, u, 0] == 0.0
    assert sc.shocks(b, date="2025-04-05").tariffs[v, u, 0] == pytest.approx(0.10)
    assert sc.shocks(b, date="2025-08-07").tariffs[v, u, 0] == pytest.approx(0.20)
    avg = sc.shocks(b, year=2025, year_rule="average").tariffs[v, u, 0]
    assert avg == pytest.approx((124 * 0.10 + 147 * 0.20) / 365, rel=1e-12)
