"""The monthly consistency report (`yrd enforcement report --month 2026-11`): a CSV row per code, tier and
region, and a chart (SVG) of each region's median fine against the zone's, with the threshold marked. Pure:
it shapes figures already computed (queries.consistency)."""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Sequence
from xml.sax.saxutils import escape

from services.enforcement.domain import Consistency
from shared.contracts.regions import Region

COLUMNS = [
    "month",
    "code",
    "tier",
    "region",
    "decisions",
    "median_fine_yuan",
    "outside_range_share",
    "disparity_index",
    "flagged",
]
COLOURS = {Region.JIASHAN.value: "#1f77b4", Region.QINGPU.value: "#ff7f0e", Region.WUJIANG.value: "#2ca02c"}


def csv_text(month: str, found: Sequence[Consistency]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for item in found:
        index = "" if item.disparity_index is None else f"{item.disparity_index:.3f}"
        for row in item.regions:
            median = "" if row.median_fine is None else f"{row.median_fine:.2f}"
            flags = ";".join(row.flagged)
            writer.writerow(
                [
                    month,
                    item.code,
                    item.tier,
                    row.region,
                    row.decisions,
                    median,
                    f"{row.outside_share:.3f}",
                    index,
                    flags,
                ]
            )
    return out.getvalue()


def svg_chart(month: str, found: Sequence[Consistency], threshold: float) -> str:
    """Per code and tier, each region's median fine as a share of the median of the regional medians
    (1 = the zone's middle), on a log-free linear axis up to 3; the threshold and its inverse marked."""
    rows = [item for item in found if any(r.median_fine for r in item.regions)]
    width, left, bar, gap, top = 760, 230, 12, 14, 50
    height = top + max(1, len(rows)) * (3 * bar + gap) + 40
    scale = (width - left - 30) / 3.0

    def x(ratio: float) -> float:
        return left + min(ratio, 3.0) * scale

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="10" y="20" font-size="14">同案同罚 {escape(month)}: regional median fine / zone median '
        f"(threshold {threshold:g})</text>",
    ]
    for ratio, label in ((1.0, "1"), (threshold, f"{threshold:g}"), (1 / threshold, f"1/{threshold:g}")):
        colour = "#999" if ratio == 1.0 else "#d62728"
        parts.append(
            f'<line x1="{x(ratio):.1f}" y1="{top - 10}" x2="{x(ratio):.1f}" y2="{height - 30}" '
            f'stroke="{colour}" stroke-dasharray="4 3"/>'
        )
        parts.append(f'<text x="{x(ratio):.1f}" y="{top - 14}" text-anchor="middle" fill="{colour}">{label}</text>')
    y = top
    for item in rows:
        medians = [r.median_fine for r in item.regions if r.median_fine]
        centre = statistics.median(medians)
        parts.append(f'<text x="10" y="{y + 1.5 * bar + 4:.1f}">{escape(item.code)} · {escape(item.tier)}</text>')
        for position, row in enumerate(item.regions):
            if not row.median_fine:
                continue
            top_of_bar = y + position * bar
            ratio = row.median_fine / centre
            outline = ' stroke="#d62728" stroke-width="2"' if row.flagged else ""
            parts.append(
                f'<rect x="{left}" y="{top_of_bar}" width="{x(ratio) - left:.1f}" height="{bar - 2}" '
                f'fill="{COLOURS.get(row.region, "#777")}"{outline}><title>{escape(row.region)}: '
                f"{row.median_fine:.0f} yuan</title></rect>"
            )
        y += 3 * bar + gap
    for position, (region, colour) in enumerate(COLOURS.items()):
        parts.append(f'<rect x="{left + position * 110}" y="{height - 22}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{left + position * 110 + 14}" y="{height - 13}">{region}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
