"""Every built-in scenario loads, round-trips, validates and gives finite Shocks on a
synthetic 20-economy world and on the embedded baselines; rates on representative tariff
lines are checked against the facts they come from (facts/us_tariff_actions_2025_2026.csv,
facts/us_reciprocal_tariff_rates_2025.csv), derived here by hand: a line's new rate is its
2024 duty rate plus the layers the facts put on it."""

import datetime as dt

import numpy as np
import pytest

import tariffsim as ts
from tariffsim import scenarios
from tariffsim.baseline import Baseline
from tariffsim.errors import ScenarioError
from tariffsim.instruments import Tariff
from tariffsim.resolve import policy_dates
from tariffsim.scenario import Scenario
from tariffsim.tariff_lines import line_rates, list_codes

CODES = ("USA", "CHN", "VNM", "MYS", "THA", "KHM", "IDN", "PHL", "SGP", "JPN", "KOR", "IND",
         "MEX", "CAN", "HKG", "GBR", "AUS", "BRA", "EU27", "ROW")
NAMES = ["china-rare-earth-controls", "liberation-day-2025", "reciprocal-aug-2025",
         "section-122-2026", "us-asean-2025", "us-asean-2025-as-signed",
         "us-asean-2025-deals", "us-tariffs-2025-2026"]
#: The built-in scenarios with US tariffs (all cover 2025).
US_TARIFFS = [n for n in NAMES if n not in ("china-rare-earth-controls",
                                            "us-asean-2025-deals")]

TOYS = "9503000073"        # China's largest toy line (2024 duty ~0: list 4B suspended)
SWEATERS = "6110202079"    # cotton sweaters, 16.5% MFN (+7.5% Section 301 list 4A on China)


@pytest.fixture(scope="module")
def base():
    rng = np.random.default_rng(0)
    flows = rng.uniform(1, 100, (20, 20)) + np.eye(20) * 1000
    tariffs = np.full((20, 20), 0.03)
    np.fill_diagonal(tariffs, 0)
    return Baseline.from_arrays(CODES, None, flows, tariffs)


def test_list():
    assert scenarios.list() == sorted(NAMES)


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
            assert "illustrative" in inst.note.lower(), inst
    for kw in ({}, {"year": 2025}, {"year": 2026}, {"year": 2026, "year_rule": "average"},
               {"year": 2030}):
        sh = s.shocks(base, **kw)
        for a in (sh.tariffs, sh.trade_costs, sh.export_taxes):
            assert a is None or (np.isfinite(a).all() and a.shape == (20, 20, 1))
        assert all(np.isfinite(c.value) and c.value > 0 for c in sh.commitments)
    assert "Sources:" in s.describe()


def added(name: str, day: str, partner: str, line: str) -> float:
    """The IEEPA/Section 232/... duty a scenario adds on one line of a partner on a day."""
    r = line_rates(name, day, partner, products=[line])
    assert len(r) == 1, (partner, line)
    return float(r.rate.iloc[0] - r.rate_baseline.iloc[0])


def rate(name: str, day: str, partner: str, line: str) -> tuple[float, float]:
    r = line_rates(name, day, partner, products=[line])
    assert len(r) >= 1, (partner, line)
    r = r.nlargest(1, "imports_usd")
    return float(r.rate_baseline.iloc[0]), float(r.rate.iloc[0])


# ---------------------------------------------------------------- China's 2025 stack
#: facts/us_tariff_actions_2025_2026.csv, China and Hong Kong: fentanyl +10% from 4 Feb 2025
#: (EO 14195), +20% from 4 Mar (EO 14228), +10% from 10 Nov (EO 14357); reciprocal +10% from
#: 5 Apr, 84% on 9 Apr, 125% from 10 Apr, 10% from 14 May (EO 14298, Geneva). On goods outside
#: every exemption list and outside Section 232:
CHINA_2025 = {"2025-02-15": 0.10, "2025-03-15": 0.20, "2025-04-20": 0.20 + 1.25,
              "2025-06-01": 0.20 + 0.10, "2025-12-01": 0.10 + 0.10}


def test_representative_lines_are_outside_every_exemption():
    exempt = [n for n in ("annex_ii_2025_04", "annex_ii_2025_09", "annex_ii_2025_11",
                          "electronics_2025_04_11", "ieepa_1702b", "s232_steel_2018")]
    for line in (TOYS, SWEATERS):
        for name in exempt:
            assert not any(line.startswith(c) for c in list_codes(name)), (line, name)


@pytest.mark.parametrize("name", US_TARIFFS)
@pytest.mark.parametrize("partner", ["CHN", "HKG"])
def test_china_and_hong_kong_stack_matches_the_facts(name, partner):
    for day, duty in CHINA_2025.items():
        for line in (TOYS, SWEATERS):
            assert added(name, day, partner, line) == pytest.approx(duty, abs=1e-12), \
                (name, partner, day, line)


def test_the_rare_earth_scenario_has_no_us_tariff():
    s = scenarios.load("china-rare-earth-controls")
    assert not any(isinstance(i, Tariff) for i in s.instruments)


# ---------------------------------------------------------------- other partners
def test_liberation_day_rates():
    # EO 14257 Annex I as corrected (facts): Vietnam 46%, Cambodia 49%, India 26%, held
    for partner, r in (("VNM", 0.46), ("KHM", 0.49), ("IND", 0.26)):
        assert added("liberation-day-2025", "2025-05-01", partner, SWEATERS) == pytest.approx(r)
        assert added("liberation-day-2025", "2030-01-01", partner, SWEATERS) == pytest.approx(r)
    # 10% on every partner for 5-8 Apr 2025
    assert added("liberation-day-2025", "2025-04-06", "VNM", SWEATERS) == pytest.approx(0.10)
    # computers: Annex II? no -- the 11 Apr electronics carve-out is not in this scenario
    assert added("liberation-day-2025", "2025-05-01", "VNM", "8471300100") == pytest.approx(0.46)


def test_august_rates_exemptions_and_section_232():
    n = "reciprocal-aug-2025"
    assert added(n, "2025-09-01", "KHM", SWEATERS) == pytest.approx(0.19)
    assert added(n, "2025-09-01", "VNM", SWEATERS) == pytest.approx(0.20)
    assert added(n, "2030-06-01", "VNM", SWEATERS) == pytest.approx(0.20)        # held
    assert added(n, "2025-09-01", "IND", SWEATERS) == pytest.approx(0.25 + 0.25)  # oil duty
    assert added(n, "2025-08-20", "IND", SWEATERS) == pytest.approx(0.25)
    # the 11 Apr 2025 electronics carve-out: computers from Vietnam pay no reciprocal duty
    assert added(n, "2025-09-01", "VNM", "8471300100") == pytest.approx(0.0)
    # EU: 15% inclusive of the 2024 duty on wine
    t0, t = rate(n, "2025-09-01", "EU27", "220421")
    assert t0 < 0.15 and t == pytest.approx(0.15)
    # Section 232 steel from Vietnam (coated flat-rolled 7210.61): the 2018 duty of 25% in
    # the 2024 rate gives way to 50% from 4 Jun 2025, and no reciprocal layer
    t0, t = rate(n, "2025-09-01", "VNM", "7210610000")
    assert t == pytest.approx(0.50 + t0 - min(t0, 0.25))


@pytest.mark.parametrize("n", ["us-asean-2025", "us-asean-2025-as-signed"])
def test_asean_deals_zero_rate_annex_iii_lines(n):
    line = list_codes("annex_iii_proxy")[0]
    r = line_rates(n, "2025-10-25", "MYS", products=[line[:4]])
    proxy = r.hs10.str.startswith(tuple(list_codes("annex_iii_proxy")))
    assert proxy.any()
    np.testing.assert_allclose((r.rate - r.rate_baseline)[proxy], 0.19)
    r = line_rates(n, "2025-10-26", "MYS", products=[line[:4]])
    np.testing.assert_allclose((r.rate - r.rate_baseline)[proxy.to_numpy()], 0.0)


def test_asean_deal_rates_as_signed_and_as_the_law_evolved():
    """Malaysian sweaters: the deal's 19% until the IEEPA duties end (24 Feb 2026), then
    the 10% Section 122 surcharge (24 Feb - 23 Jul 2026), then Malaysia's 10% Section 301
    forced-labour tier (from 24 Jul 2026; facts/us_tariff_actions_2025_2026.csv);
    as signed, 19% to 2030."""
    law = "us-asean-2025"
    assert added(law, "2025-11-01", "MYS", SWEATERS) == pytest.approx(0.19)
    assert added(law, "2026-03-01", "MYS", SWEATERS) == pytest.approx(0.10)
    assert added(law, "2030-01-01", "MYS", SWEATERS) == pytest.approx(0.10)
    assert added("us-asean-2025-as-signed", "2030-01-01", "MYS", SWEATERS) == \
        pytest.approx(0.19)
    assert ts.scenarios.load(law, variant="as-signed").name == "us-asean-2025-as-signed"


def test_section_122_replaces_the_ieepa_duties_then_ends():
    n = "section-122-2026"
    assert added(n, "2026-02-23", "VNM", SWEATERS) == pytest.approx(0.20)
    assert added(n, "2026-02-24", "VNM", SWEATERS) == pytest.approx(0.10)
    assert added(n, "2026-03-01", "CHN", SWEATERS) == pytest.approx(0.10)
    assert added(n, "2026-07-24", "VNM", SWEATERS) == pytest.approx(0.0)


# ---------------------------------------------------------------- on model baselines
def test_asean_partner_cuts_and_commitments(base):
    s = scenarios.load("us-asean-2025")
    sh = s.shocks(base, year=2026)
    usa = 0
    assert sh.tariffs[usa, CODES.index("KHM"), 0] == 0.0
    assert sh.tariffs[usa, CODES.index("THA"), 0] == pytest.approx(0.03 * 0.01)
    floors = {CODES[c.importer]: c.value for c in sh.commitments}
    m0 = {c: base.flows[usa, CODES.index(c), 0] for c in floors}
    # USD million, 2026, one floor per pair on this one-sector world: the larger of the
    # baseline plus the aircraft increments and the sum of the levels
    #   VNM: max(M0 + 1600, 2900 farm); MYS: max(M0 + 1900, 3400 LNG + 30000 equipment +
    #   42.6 coal); THA: max(M0 + 3760, 2600 farm + 5400 energy); KHM: M0 + 250
    assert floors == pytest.approx({"VNM": max(m0["VNM"] + 1600, 2900),
                                    "MYS": max(m0["MYS"] + 1900, 33442.6),
                                    "THA": max(m0["THA"] + 3760, 8000),
                                    "KHM": m0["KHM"] + 250})
    t2030 = {CODES[c.importer] for c in s.shocks(base, year=2030).commitments}
    assert t2030 == {"VNM", "MYS", "THA"}


def test_rare_earths_wedge(base):
    sh = scenarios.load("china-rare-earth-controls").shocks(base)
    # coverage = US rare-earth imports from China (US$170 million x 77%, 2024 Census share)
    # over all US goods imports from China (438,947.4, Census 2024), rounded to 6 digits
    cov = round(170 * 0.77 / 438947.4, 6)
    assert sh.export_taxes[1, 0, 0] == pytest.approx(0.5 * cov)
    assert sh.export_taxes[1, 1, 0] == 0.0


@pytest.mark.parametrize("which", ["sectoral-2024", "goods-2024"])
def test_embedded_baselines(which):
    b = ts.load_baseline(which)
    for name in NAMES:
        s = scenarios.load(name).validate(b)
        for kw in ({"year": 2025, "year_rule": "average"}, {"year": 2026}):
            sh = s.shocks(b, **kw)
            assert sh.tariffs is None or np.isfinite(sh.tariffs).all()


@pytest.mark.parametrize("name", ["reciprocal-aug-2025", "us-asean-2025"])
def test_year_average_weights_each_regime_by_its_days(name):
    """The 2025 average of the US tariff on Vietnam is the mean of the policy in force on
    each day: the point tariffs at the start of each policy regime, weighted by its days."""
    b = ts.load_baseline("goods-2024")
    sc = ts.scenarios.load(name)
    u, v = b.country_index("USA"), b.country_index("VNM")
    lo, hi = dt.date(2025, 1, 1), dt.date(2026, 1, 1)
    cuts = sorted({lo, hi} | {d for d in policy_dates(sc) if lo < d < hi})
    want = 0.0
    for a, z in zip(cuts, cuts[1:], strict=False):
        sh = sc.shocks(b, date=a)
        t = b.tariffs[v, u, 0] if sh.tariffs is None else sh.tariffs[v, u, 0]
        want += t * (z - a).days / 365
    avg = sc.shocks(b, year=2025, year_rule="average").tariffs[v, u, 0]
    assert avg == pytest.approx(want, rel=1e-12)
    # the universal 10% of 5 Apr, then the 20% of 7 Aug, on a line outside every exemption
    assert added(name, "2025-04-05", "VNM", SWEATERS) == pytest.approx(0.10)
    assert added(name, "2025-08-07", "VNM", SWEATERS) == pytest.approx(0.20)
