"""Cross-checks of the built-in timeline ``us-tariffs-2025-2026`` against published trackers.

These are cross-checks, not exact tests (the exact tests are the hand-derived line cases in
test_tariff_lines.py): each tracker makes its own choices, so the tolerances below are the
honest size of the disagreement, with the reasons.

* tradewartracker/trade-war-redux-2025 @726c5958e1e43eb08ac076a1e602ae3149164b03 (Mike
  Waugh's tracker; README "Updated: 2026-07-22"): ``daily-tariff-latest-data.csv`` (national
  import-weighted average including the 2024 base) and ``country-by-time.csv`` ("effective
  tariff": the added rate by partner). Same 2024 Census weights and mostly the same list
  files, so after the Supreme Court ruling (when both trackers carry only Section 232,
  Section 122, 301 and 338) they agree within 0.5 pp overall. Differences: it treats all
  Canadian and Mexican goods as USMCA-exempt from Section 122 and the forced-labour duty
  (we use 2024 claim shares), it leaves out the truck and semiconductor duties, it taxes
  civil-aircraft goods under Section 122.
* The Budget Lab at Yale, "State of U.S. Tariffs" reports (pre-substitution average effective
  tariff rate on all imports, 2024 weights): 15 Apr 2025 28%; 12 May 2025 17.8%; 17 Jun 2025
  15.8%; 4 Sep 2025 17.4%; 30 Oct 2025 17.9% (with the China truce); SCOTUS ruling update
  (Feb 2026) 16.9% with IEEPA and 9.1% without IEEPA tariffs (budgetlab.yale.edu/research/
  state-us-tariffs-*). Agreement within 3.5 pp: the Budget Lab uses post-tariff USMCA claim
  shares from Sep 2025, wider Section 232 scopes (all of 8471 and 8507.60 as auto parts,
  metal content shares) and its own lists; its no-IEEPA 9.1% is 3 pp above both this
  timeline and tradewartracker (6.2%).
"""

from __future__ import annotations

import pytest

import tariffsim as ts
from tariffsim.tariff_lines import effective_rates

TIMELINE = "us-tariffs-2025-2026"


def overall(date: str, scenario=TIMELINE) -> float:
    return float(effective_rates(scenario, date, by="total").rate_pct.iloc[0])


@pytest.mark.parametrize("date, published", [
    ("2026-02-24", 9.955),    # Section 122 starts
    ("2026-04-06", 10.800),   # metals annexes
    ("2026-07-22", 10.891),   # Section 301 on Brazil (Section 122 still in force)
    ("2026-07-24", 11.391),   # forced-labour Section 301 replaces Section 122
    ("2026-08-19", 11.628),   # Section 338 on Canada
])
def test_overall_rate_against_tradewartracker(date, published):
    # daily-tariff-latest-data.csv @726c5958 (values as of README 2026-07-22)
    assert overall(date) == pytest.approx(published, abs=0.5)


def test_section232_only_world_against_tradewartracker():
    # 20 Feb 2026 in tradewartracker: IEEPA gone, Section 122 not yet: 6.205%
    s = ts.scenarios.load(TIMELINE)
    no122 = [i for i in s.instruments if i.layer != "section122"]
    assert overall("2026-02-24", no122) == pytest.approx(6.205, abs=0.5)


# country-by-time.csv @726c5958, "effective tariff" (added pp over 2024)
TWT = {
    "2026-04-06": {"EU27": 8.9, "MEX": 7.7, "CHN": 10.3, "CAN": 5.8, "JPN": 12.7, "VNM": 8.7,
                   "KOR": 12.9, "TWN": 5.8, "IND": 9.6, "GBR": 8.1, "THA": 10.3, "CHE": 4.4,
                   "MYS": 6.6, "BRA": 10.6, "SGP": 4.4, "IDN": 10.4, "KHM": 11.4},
    "2026-08-19": {"EU27": 9.1, "MEX": 7.7, "CHN": 11.9, "CAN": 7.7, "JPN": 13.7, "VNM": 10.3,
                   "KOR": 13.6, "TWN": 5.9, "IND": 9.7, "GBR": 8.1, "THA": 11.5, "CHE": 5.3,
                   "MYS": 6.6, "BRA": 17.8, "SGP": 5.4, "IDN": 10.5, "KHM": 11.6},
}


@pytest.mark.parametrize("date", sorted(TWT))
def test_rates_by_partner_against_tradewartracker(date):
    # The 17 largest partners: mean absolute difference within 0.75 pp, none above 2 pp
    # (largest gaps: Canada, USMCA claims under Section 338/122; Taiwan, semiconductors;
    # the country-by-time figures are rounded to 0.1).
    df = effective_rates(TIMELINE, date).set_index("exporter")
    diff = {p: df.loc[p, "added_pp"] - v for p, v in TWT[date].items()}
    assert sum(abs(d) for d in diff.values()) / len(diff) < 0.75, diff
    assert max(abs(d) for d in diff.values()) < 2.0, diff


@pytest.mark.parametrize("date, published", [
    ("2025-04-15", 28.0),
    ("2025-05-14", 17.8),     # report of 12 May 2025: the Geneva rates as if in force
    ("2025-06-17", 15.8),
    ("2025-09-03", 17.4),
    ("2025-11-10", 17.9),     # report of 30 Oct 2025, with the China truce rates
    ("2026-02-01", 16.9),     # SCOTUS update: the February 2026 policy with IEEPA
])
def test_overall_rate_against_budget_lab(date, published):
    assert overall(date) == pytest.approx(published, abs=3.5)


def test_no_ieepa_world_against_budget_lab():
    s = ts.scenarios.load(TIMELINE)
    no122 = [i for i in s.instruments if i.layer != "section122"]
    assert overall("2026-02-24", no122) == pytest.approx(9.1, abs=3.5)


def test_escalation_ordering():
    # the peak of the China escalation is the highest day, the SCOTUS ruling the largest drop
    peak, before, after = overall("2025-04-10"), overall("2025-04-04"), overall("2025-05-14")
    assert peak > after > before
    assert overall("2026-02-23") - overall("2026-02-24") > 5
