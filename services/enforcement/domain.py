"""Enforcement discretion rules, pure: which tier a case falls in, the range that tier allows for it,
whether a penalty is within it, the figures of similar cases, and how consistent the regions are."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from shared.contracts.enforcement import Criterion, Factors, Harm, Penalty, PenaltyRange, TierRule

DISPARITY_THRESHOLD = 1.5  # the highest regional median over the lowest, past which a code and tier is flagged
OUTSIDE_SHARE_LIMIT = 0.10  # a region deciding more than this share outside the range is flagged
MIN_CASES = 3  # a region's median counts towards the disparity from this many decisions
APPROVERS = 3  # a zone benchmark takes effect once the three regions approve the same version

_HARM_ORDER = list(Harm)


class NoRange(ValueError):
    """The case does not state what the tier's range is measured on (the illegal gains)."""


def holds(criterion: Criterion, factors: Factors) -> bool:
    value = getattr(factors, criterion.factor)
    wanted = criterion.value
    if criterion.factor == "harm":
        have, bound = _HARM_ORDER.index(Harm(value)), _HARM_ORDER.index(Harm(str(wanted)))
    elif isinstance(value, bool) or value is None:
        # A yes/no factor is compared as it is; a number the case does not state meets no bound.
        if criterion.op == "is":
            return value == wanted
        return False
    else:
        have, bound = float(value), float(wanted)
    if criterion.op == "is":
        return have == bound
    return have >= bound if criterion.op == "at_least" else have < bound


def check_tiers(tiers: Sequence[TierRule]) -> None:
    """A benchmark's tiers as a whole: each tier once, the last one the default (no criteria)."""
    if not tiers:
        raise ValueError("a benchmark states at least one tier")
    names = [t.tier for t in tiers]
    if len(set(names)) != len(names):
        raise ValueError("each tier appears once")
    if tiers[-1].criteria:
        raise ValueError("the last tier is the default: it has no criteria")
    for rule in tiers:
        for criterion in rule.criteria:
            if criterion.factor == "harm":
                if criterion.value not in list(Harm):
                    raise ValueError(f"harm is compared with one of {', '.join(Harm)}")
            elif criterion.factor in ("amount_yuan", "illegal_gains_yuan", "exceedance_ratio"):
                if isinstance(criterion.value, bool) or not isinstance(criterion.value, int | float):
                    raise ValueError(f"{criterion.factor} is compared with a number")
            elif criterion.op != "is" or not isinstance(criterion.value, bool):
                raise ValueError(f"{criterion.factor} is a yes/no factor: `is` true or false")


def tier_of(tiers: Sequence[TierRule], factors: Factors) -> TierRule:
    """The first tier, in the benchmark's order, whose criteria all hold (the last one has none)."""
    for rule in tiers:
        if all(holds(c, factors) for c in rule.criteria):
            return rule
    return tiers[-1]


@dataclass(frozen=True)
class FineRange:
    low: int | None  # None: the tier allows no fine
    high: int | None


def fine_range(allowed: PenaltyRange, factors: Factors) -> FineRange:
    """The fine the tier allows for this case, in yuan: a multiple of the illegal gains (or the amount
    involved) when the tier is so stated and the case gives it, else the tier's yuan range."""
    base = getattr(factors, allowed.multiple_of)
    if allowed.gains_multiple_min is not None and base:
        high = allowed.gains_multiple_max or 0.0
        return FineRange(math.floor(allowed.gains_multiple_min * base), math.ceil(high * base))
    if allowed.fine_min_yuan is not None:
        return FineRange(allowed.fine_min_yuan, allowed.fine_max_yuan)
    if allowed.gains_multiple_min is not None:
        raise NoRange(f"this tier's fine is a multiple of {allowed.multiple_of}: state it in the factors")
    return FineRange(None, None)


def within(allowed: PenaltyRange, fines: FineRange, penalty: Penalty) -> bool:
    """Whether a penalty is what the tier allows: its fine in the range (none where the tier has none), a
    warning only where allowed, confiscation only where it applies, suspension up to the tier's days."""
    if allowed.no_penalty and penalty == Penalty():
        return True
    if fines.low is None:
        if penalty.fine_yuan:
            return False
    elif not fines.low <= penalty.fine_yuan <= (fines.high or 0) and not (
        penalty.fine_yuan == 0 and penalty.warning and allowed.warning  # a warning instead, where allowed
    ):
        return False
    if penalty.warning and not allowed.warning:
        return False
    if penalty.confiscation and not allowed.confiscation:
        return False
    return penalty.suspension_days <= (allowed.suspension_days_max or 0)


# ---- similar cases and consistency


@dataclass(frozen=True)
class Figures:
    count: int
    median: float | None
    p10: float | None
    p90: float | None
    min: int | None
    max: int | None


def figures(fines: Sequence[int]) -> Figures:
    """Count, median, 10th and 90th percentiles (inclusive method: within the values seen), min and max."""
    if not fines:
        return Figures(0, None, None, None, None, None)
    ordered = sorted(fines)
    if len(ordered) == 1:
        only = float(ordered[0])
        return Figures(1, only, only, only, ordered[0], ordered[0])
    deciles = statistics.quantiles(ordered, n=10, method="inclusive")
    return Figures(len(ordered), float(statistics.median(ordered)), deciles[0], deciles[8], ordered[0], ordered[-1])


@dataclass(frozen=True)
class RegionConsistency:
    region: str
    decisions: int
    median_fine: float | None
    outside_share: float
    flagged: tuple[str, ...]  # "disparity" (its median far from the zone's), "outside_range"


@dataclass(frozen=True)
class Consistency:
    code: str
    tier: str
    regions: tuple[RegionConsistency, ...]
    disparity_index: float | None  # highest regional median / lowest (None: fewer than two to compare)
    flagged: bool


def consistency(
    code: str,
    tier: str,
    decided: Mapping[str, Iterable[tuple[int, bool]]],  # region -> (fine, within range) of each decision
    threshold: float = DISPARITY_THRESHOLD,
    outside_limit: float = OUTSIDE_SHARE_LIMIT,
    min_cases: int = MIN_CASES,
) -> Consistency:
    """A code and tier across the regions. The disparity index compares the regional medians (of regions
    with `min_cases` decisions and a median above zero); a region is flagged for disparity when its median
    is more than `threshold` times from the median of the regional medians, either way, and for its
    outside-range share past `outside_limit`."""
    medians: dict[str, float] = {}
    shares: dict[str, tuple[int, float]] = {}
    cases_of = {region: list(cases) for region, cases in decided.items()}
    for region, cases in cases_of.items():
        if not cases:
            continue
        shares[region] = (len(cases), sum(1 for _, inside in cases if not inside) / len(cases))
        median = float(statistics.median(fine for fine, _ in cases))
        if len(cases) >= min_cases and median > 0:
            medians[region] = median
    index = max(medians.values()) / min(medians.values()) if len(medians) >= 2 else None
    centre = statistics.median(medians.values()) if len(medians) >= 2 else None
    rows = []
    for region, (count, share) in sorted(shares.items()):
        why = []
        median = medians.get(region)
        far = centre is not None and median is not None and max(median / centre, centre / median) > threshold
        if far and index is not None and index > threshold:
            why.append("disparity")
        if share > outside_limit:
            why.append("outside_range")
        all_fines = [fine for fine, _ in cases_of[region]]
        shown = median if median is not None else float(statistics.median(all_fines))
        rows.append(RegionConsistency(region, count, shown, share, tuple(why)))
    flagged = (index is not None and index > threshold) or any(r.flagged for r in rows)
    return Consistency(code, tier, tuple(rows), index, flagged)
