"""Chart geometry for the reports: pure functions from Decimal amounts to SVG coordinates.

No database, no floats: lengths are computed with Decimal and formatted with two fixed decimals,
so the templates only place `<rect>`, `<path>` and `<text>` elements where these functions say.
The CSP forbids inline styles, so colours come from CSS classes in static/css/reports.css.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from formats.dates import format_month

ZERO = Decimal("0")
COORDINATE = Decimal("0.01")
_NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))


def coordinate(value: Decimal | int) -> str:
    """An SVG length: two fixed decimals, never scientific notation."""
    return format(Decimal(value).quantize(COORDINATE, ROUND_HALF_EVEN), "f")


def scaled(value: Decimal, maximum: Decimal, length: Decimal | int) -> Decimal:
    """`value`'s share of `length` when `maximum` fills it; 0 for empty data (no division by 0)
    and never negative or longer than `length`."""
    if maximum <= 0 or value <= 0:
        return ZERO
    return min(Decimal(length), Decimal(length) * value / maximum)


def nice_ceiling(value: Decimal) -> Decimal:
    """The smallest 1, 2, 2.5 or 5 x 10^k at or above `value` (1 for nothing), so axis ticks
    fall on round numbers."""
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(1).scaleb(value.adjusted())
    for step in _NICE_STEPS:
        if step * magnitude >= value:
            return step * magnitude
    return Decimal(10) * magnitude  # pragma: no cover — 10 x magnitude always suffices


def tick_label(value: Decimal) -> str:
    """An axis label: digits grouped, no trailing zeros (2500 → "2,500", 0.25 → "0.25")."""
    normalized = value.normalize()
    if normalized == normalized.to_integral_value():
        normalized = normalized.quantize(Decimal(1))
    return format(normalized, ",f")


# -- horizontal bars: one cycle's categories ---------------------------------------------------


@dataclass(frozen=True)
class HorizontalBar:
    label: str
    value: Decimal
    y: str
    width: str
    text_y: str
    value_x: str


@dataclass(frozen=True)
class HorizontalBarChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[HorizontalBar]

    @property
    def is_empty(self) -> bool:
        return not any(bar.value > 0 for bar in self.bars)


def horizontal_bars(
    items: Sequence[tuple[str, Decimal]],
    *,
    width: int = 640,
    label_width: int = 150,
    value_width: int = 120,
    row_height: int = 30,
    bar_height: int = 20,
) -> HorizontalBarChart:
    """One bar per (label, amount), the largest amount filling the plot width."""
    plot_width = width - label_width - value_width
    maximum = max((value for _label, value in items), default=ZERO)
    padding = (row_height - bar_height) // 2
    bars = []
    for index, (label, value) in enumerate(items):
        top = index * row_height + padding
        length = scaled(value, maximum, plot_width)
        bars.append(
            HorizontalBar(
                label=label,
                value=value,
                y=coordinate(top),
                width=coordinate(length),
                text_y=coordinate(top + bar_height - 5),
                value_x=coordinate(label_width + length + 6),
            )
        )
    return HorizontalBarChart(
        width=width,
        height=max(row_height, len(items) * row_height),
        label_width=label_width,
        bar_height=bar_height,
        bars=bars,
    )


# -- columns and a line: spending per cycle vs income ------------------------------------------


@dataclass(frozen=True)
class Column:
    label: str
    title: str
    value: Decimal
    line_value: Decimal
    x: str
    y: str
    width: str
    height: str
    center: str
    line_y: str
    show_label: bool


@dataclass(frozen=True)
class Tick:
    value: Decimal
    label: str
    y: str


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    baseline: str
    label_y: str
    columns: list[Column]
    ticks: list[Tick]
    line_path: str

    @property
    def is_empty(self) -> bool:
        return not self.columns


def columns_with_line(
    points: Sequence[tuple[str, str, Decimal, Decimal]],
    *,
    width: int = 720,
    height: int = 300,
    left: int = 76,
    right: int = 16,
    top: int = 16,
    bottom: int = 44,
    ticks: int = 4,
    max_labels: int = 12,
) -> ColumnChart:
    """Columns for the first amount of each (label, title, column amount, line amount) point
    and a line through the second, on one axis that starts at 0."""
    plot_width = Decimal(width - left - right)
    plot_height = Decimal(height - top - bottom)
    baseline = Decimal(top) + plot_height
    largest = max((max(column, line) for _label, _title, column, line in points), default=ZERO)
    scale = nice_ceiling(largest)
    slot = plot_width / len(points) if points else plot_width
    label_every = max(1, math.ceil(len(points) / max_labels))
    columns = []
    for index, (label, title, column_value, line_value) in enumerate(points):
        slot_left = Decimal(left) + slot * index
        column_height = scaled(column_value, scale, plot_height)
        columns.append(
            Column(
                label=label,
                title=title,
                value=column_value,
                line_value=line_value,
                x=coordinate(slot_left + slot * Decimal("0.2")),
                y=coordinate(baseline - column_height),
                width=coordinate(slot * Decimal("0.6")),
                height=coordinate(column_height),
                center=coordinate(slot_left + slot / 2),
                line_y=coordinate(baseline - scaled(line_value, scale, plot_height)),
                show_label=index % label_every == 0,
            )
        )
    line_path = " ".join(
        f"{'M' if index == 0 else 'L'}{column.center} {column.line_y}"
        for index, column in enumerate(columns)
    )
    tick_marks = [
        Tick(
            value=scale * step / ticks,
            label=tick_label(scale * step / ticks),
            y=coordinate(baseline - plot_height * step / ticks),
        )
        for step in range(ticks + 1)
    ]
    return ColumnChart(
        width=width,
        height=height,
        left=left,
        right=width - right,
        top=top,
        baseline=coordinate(baseline),
        label_y=coordinate(baseline + 18),
        columns=columns,
        ticks=tick_marks,
        line_path=line_path,
    )


# -- the reports' charts -----------------------------------------------------------------------


def category_chart(report) -> HorizontalBarChart:
    """A cycle report's spending by category."""
    return horizontal_bars([(row.label, row.total) for row in report.by_category])


def spending_chart(overview) -> ColumnChart:
    """An overview's spending (columns) against income (line), cycle by cycle."""
    return columns_with_line(
        [
            (
                format_month(summary.cycle.start_date),  # the household's date format
                summary.cycle.name,
                summary.spent,
                summary.income,
            )
            for summary in overview.cycles
        ]
    )


# -- budget vs actual: two bars a category -----------------------------------------------------


@dataclass(frozen=True)
class BudgetBar:
    label: str
    budget: Decimal | None  # None: no budget, no budget bar
    actual: Decimal  # spent: paid
    is_over: bool
    budget_y: str
    actual_y: str
    budget_width: str
    actual_width: str
    text_y: str
    value_x: str


@dataclass(frozen=True)
class BudgetChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[BudgetBar]

    @property
    def is_empty(self) -> bool:
        return not any((bar.budget or ZERO) > 0 or bar.actual > 0 for bar in self.bars)


def budget_bars(
    rows, *, width: int = 640, label_width: int = 150, value_width: int = 150
) -> BudgetChart:
    """Per category a thin budget bar over a thick actual bar, on one scale (the largest of
    either fills the plot width); `rows` have label, budget (None: none), actual (paid) and
    is_over."""
    plot_width = width - label_width - value_width
    maximum = max((max(row.budget or ZERO, row.actual) for row in rows), default=ZERO)
    row_height, budget_height, actual_height = 36, 8, 16
    bars = []
    for index, row in enumerate(rows):
        top = index * row_height + 4
        actual_length = scaled(row.actual, maximum, plot_width)
        budget_length = scaled(row.budget or ZERO, maximum, plot_width)
        bars.append(
            BudgetBar(
                label=row.label,
                budget=row.budget,
                actual=row.actual,
                is_over=row.is_over,
                budget_y=coordinate(top),
                actual_y=coordinate(top + budget_height + 2),
                budget_width=coordinate(budget_length),
                actual_width=coordinate(actual_length),
                text_y=coordinate(top + budget_height + actual_height - 2),
                value_x=coordinate(label_width + max(actual_length, budget_length) + 6),
            )
        )
    return BudgetChart(
        width=width,
        height=max(row_height, len(rows) * row_height),
        label_width=label_width,
        bar_height=actual_height,
        bars=bars,
    )
