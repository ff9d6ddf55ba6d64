"""The pure rules of 同案同罚: which tier a case falls in, the range that applies to it, whether a penalty is
within it, similar-case figures and the regions' consistency; and the starting catalogue loads."""

from __future__ import annotations

import pytest

from services.enforcement import catalogue, domain, report
from shared.contracts.enforcement import Criterion, Factors, Penalty, PenaltyRange, TierRule

DUST = next(v for v in catalogue.load().violations if v.code == "ENV-DUST").tiers
FOOD = next(v for v in catalogue.load().violations if v.code == "MKT-FOOD-EXPIRED").tiers


@pytest.mark.parametrize(
    ("factors", "tier"),
    [
        (Factors(obstruction=True, first_offence=True, rectified_in_time=True), "grave"),  # the first that holds
        (Factors(repeat_offence=True), "serious"),
        (Factors(first_offence=True, rectified_in_time=True), "minor"),
        (Factors(first_offence=True, rectified_in_time=True, harm="minor"), "ordinary"),  # harm done: not minor
        (Factors(), "ordinary"),  # the default
    ],
)
def test_the_first_tier_whose_criteria_all_hold_applies(factors, tier):
    assert domain.tier_of(DUST, factors).tier == tier


def test_criteria_over_numbers_and_harm():
    at_least = Criterion(factor="exceedance_ratio", op="at_least", value=1.0)
    assert domain.holds(at_least, Factors(exceedance_ratio=1.0))
    assert not domain.holds(at_least, Factors(exceedance_ratio=0.99))
    assert not domain.holds(at_least, Factors())  # a number the case does not state meets no bound
    below = Criterion(factor="amount_yuan", op="below", value=10_000)
    assert domain.holds(below, Factors(amount_yuan=9_999)) and not domain.holds(below, Factors(amount_yuan=10_000))
    harm = Criterion(factor="harm", op="at_least", value="significant")
    assert domain.holds(harm, Factors(harm="severe")) and not domain.holds(harm, Factors(harm="minor"))


def test_a_benchmarks_tiers_are_checked_as_a_whole():
    ordinary = TierRule(tier="ordinary", range=PenaltyRange(fine_min_yuan=1, fine_max_yuan=2))
    grave = TierRule(
        tier="grave", criteria=[Criterion(factor="obstruction", op="is", value=True)], range=PenaltyRange()
    )
    domain.check_tiers([grave, ordinary])
    with pytest.raises(ValueError, match="default"):
        domain.check_tiers([ordinary, grave])
    with pytest.raises(ValueError, match="once"):
        domain.check_tiers([ordinary, ordinary])
    bad = TierRule(
        tier="grave", criteria=[Criterion(factor="obstruction", op="at_least", value=2)], range=PenaltyRange()
    )
    with pytest.raises(ValueError, match="yes/no"):
        domain.check_tiers([bad, ordinary])
    with pytest.raises(ValueError, match="fine_min_yuan is above"):
        PenaltyRange(fine_min_yuan=5, fine_max_yuan=1)


def test_a_range_stated_as_a_multiple_is_measured_on_the_case():
    serious = domain.tier_of(FOOD, Factors(amount_yuan=12_000))
    assert serious.tier == "serious"
    assert domain.fine_range(serious.range, Factors(amount_yuan=12_000)) == domain.FineRange(120_000, 240_000)
    ordinary = domain.tier_of(FOOD, Factors(amount_yuan=3_000))
    assert domain.fine_range(ordinary.range, Factors(amount_yuan=3_000)) == domain.FineRange(50_000, 100_000)
    gains_only = PenaltyRange(gains_multiple_min=2, gains_multiple_max=10)
    with pytest.raises(domain.NoRange):
        domain.fine_range(gains_only, Factors())


def test_within_the_range():
    allowed = PenaltyRange(fine_min_yuan=10_000, fine_max_yuan=40_000, suspension_days_max=10)
    fines = domain.FineRange(10_000, 40_000)
    assert domain.within(allowed, fines, Penalty(fine_yuan=10_000))
    assert domain.within(allowed, fines, Penalty(fine_yuan=40_000, suspension_days=10))
    assert not domain.within(allowed, fines, Penalty(fine_yuan=9_999))
    assert not domain.within(allowed, fines, Penalty(fine_yuan=40_001))
    assert not domain.within(allowed, fines, Penalty(fine_yuan=20_000, suspension_days=11))
    assert not domain.within(allowed, fines, Penalty(fine_yuan=20_000, confiscation=True))
    minor = PenaltyRange(no_penalty=True, warning=True)
    assert domain.within(minor, domain.FineRange(None, None), Penalty())  # 首违不罚
    assert domain.within(minor, domain.FineRange(None, None), Penalty(warning=True))
    assert not domain.within(minor, domain.FineRange(None, None), Penalty(fine_yuan=100))


def test_similar_case_figures():
    assert domain.figures([]) == domain.Figures(0, None, None, None, None, None)
    assert domain.figures([5]) == domain.Figures(1, 5.0, 5.0, 5.0, 5, 5)
    found = domain.figures([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100])
    assert (found.count, found.median, found.min, found.max) == (11, 600.0, 100, 1100)
    assert (found.p10, found.p90) == (200.0, 1000.0)


def test_consistency_flags_the_region_that_stands_out():
    decided = {
        "jiashan": [(100, True), (110, True), (120, True)],
        "qingpu": [(100, True), (105, True), (90, True)],
        "wujiang": [(300, True), (310, True), (290, True)],
    }
    found = domain.consistency("C", "ordinary", decided)
    assert found.flagged and found.disparity_index == 300 / 100
    assert {r.region: r.flagged for r in found.regions} == {"jiashan": (), "qingpu": (), "wujiang": ("disparity",)}

    alike = {region: [(100, True), (105, True), (110, True)] for region in decided}
    assert not domain.consistency("C", "ordinary", alike).flagged

    outside = {**alike, "qingpu": [(100, True)] * 9 + [(10, False)] * 2}  # 2 of 11 outside: > 10%
    found = domain.consistency("C", "ordinary", outside)
    assert {r.region: r.flagged for r in found.regions}["qingpu"] == ("outside_range",)

    few = {"jiashan": [(100, True)], "qingpu": [(900, True)]}  # below min_cases: no index from one decision
    assert domain.consistency("C", "ordinary", few).disparity_index is None


def test_the_report_has_a_row_per_region_and_draws_each_code():
    decided = {"jiashan": [(100, True)] * 3, "qingpu": [(100, True)] * 3, "wujiang": [(300, False)] * 3}
    found = [domain.consistency("ENV-DUST", "ordinary", decided)]
    lines = report.csv_text("2026-11", found).splitlines()
    assert lines[0].startswith("month,code,tier,region") and len(lines) == 4
    assert lines[3] == "2026-11,ENV-DUST,ordinary,wujiang,3,300.00,1.000,3.000,disparity;outside_range"
    chart = report.svg_chart("2026-11", found, 1.5)
    assert chart.startswith("<svg") and "ENV-DUST · ordinary" in chart and chart.count("<rect") == 1 + 3 + 3


def test_the_catalogue_loads_and_says_what_is_invented():
    loaded = catalogue.load()
    codes = {v.code for v in loaded.violations}
    assert {"ENV-WATER-EXCEED", "MKT-FOOD-EXPIRED", "RT-OVERLOAD"} <= codes
    assert all("invented" in v.source for v in loaded.violations)


def test_the_operations_page_counts_each_regions_codes_out_of_line():
    from datetime import UTC, datetime

    from services.console.figures import overview
    from tests.unit.test_console_figures import answers, vector

    flagged = vector(({"decided_region": "wujiang"}, 2))
    figures = overview(answers(penalties_out_of_line=flagged), [], datetime.now(UTC))
    assert {r: figures["sla"][r]["penalties_out_of_line"] for r in figures["regions"]} == {
        "jiashan": 0,
        "qingpu": 0,
        "wujiang": 2,
    }
