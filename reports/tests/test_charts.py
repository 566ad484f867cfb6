from decimal import Decimal

import pytest

from reports import charts

D = Decimal


def test_horizontal_bars_are_proportional_to_the_largest_amount():
    chart = charts.horizontal_bars(
        [("Housing", D("1200.00")), ("Food", D("300.00")), ("Fun", D("100.00"))],
        width=640,
        label_width=150,
        value_width=130,
    )

    # The plot is 640 - 150 - 130 = 360 wide: 1200 fills it, 300 is a quarter, 100 a twelfth.
    assert [bar.width for bar in chart.bars] == ["360.00", "90.00", "30.00"]
    assert [bar.label for bar in chart.bars] == ["Housing", "Food", "Fun"]
    assert [bar.value_x for bar in chart.bars] == ["516.00", "246.00", "186.00"]
    assert not chart.is_empty


def test_horizontal_bars_stack_in_rows():
    chart = charts.horizontal_bars([("a", D(1)), ("b", D(2))], row_height=30, bar_height=20)

    assert [bar.y for bar in chart.bars] == ["5.00", "35.00"]
    assert chart.height == 60


def test_horizontal_bars_with_zero_amounts_do_not_divide_by_zero():
    chart = charts.horizontal_bars([("Food", D("0")), ("Fun", D("0.000"))])

    assert [bar.width for bar in chart.bars] == ["0.00", "0.00"]
    assert chart.is_empty


def test_horizontal_bars_without_data():
    chart = charts.horizontal_bars([])

    assert chart.bars == [] and chart.is_empty and chart.height > 0


def test_coordinates_are_fixed_decimals_never_floats_or_exponents():
    assert charts.coordinate(D("1E+3")) == "1000.00"
    assert charts.coordinate(D("2") / D("3")) == "0.67"
    assert charts.coordinate(D("0.125")) == "0.12"  # half-even


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [
        (D("0"), D("1")),
        (D("0.3"), D("0.5")),
        (D("7"), D("10")),
        (D("10"), D("10")),
        (D("1420.40"), D("2000")),
        (D("2100"), D("2500")),
        (D("4000"), D("5000")),
        (D("5001"), D("10000")),
    ],
)
def test_nice_ceiling(value, ceiling):
    assert charts.nice_ceiling(value) == ceiling


def test_tick_labels_group_digits_and_drop_trailing_zeros():
    assert charts.tick_label(D("2500.000")) == "2,500"
    assert charts.tick_label(D("0.25")) == "0.25"
    assert charts.tick_label(D("1E+4")) == "10,000"


def _points():
    return [
        ("Jan 2026", "January", D("1000"), D("2000")),
        ("Feb 2026", "February", D("1500"), D("2000")),
        ("Mar 2026", "March", D("0"), D("1000")),
    ]


def test_columns_share_one_axis_with_the_line():
    chart = charts.columns_with_line(
        _points(), width=700, height=300, left=100, right=0, top=0, bottom=100
    )

    # Scale 0 … 2000 over a 200-high plot whose baseline is at y = 200; slots are 200 wide.
    assert chart.baseline == "200.00"
    assert [c.height for c in chart.columns] == ["100.00", "150.00", "0.00"]
    assert [c.y for c in chart.columns] == ["100.00", "50.00", "200.00"]
    assert [c.x for c in chart.columns] == ["140.00", "340.00", "540.00"]
    assert [c.width for c in chart.columns] == ["120.00", "120.00", "120.00"]
    assert chart.line_path == "M200.00 0.00 L400.00 0.00 L600.00 100.00"
    assert [(t.label, t.y) for t in chart.ticks] == [
        ("0", "200.00"),
        ("500", "150.00"),
        ("1,000", "100.00"),
        ("1,500", "50.00"),
        ("2,000", "0.00"),
    ]


def test_columns_keep_their_labels():
    chart = charts.columns_with_line(_points())

    assert [c.label for c in chart.columns] == ["Jan 2026", "Feb 2026", "Mar 2026"]
    assert all(c.show_label for c in chart.columns)


def test_many_columns_label_only_some():
    points = [(f"c{i}", f"cycle {i}", D(i), D(10)) for i in range(40)]

    chart = charts.columns_with_line(points, max_labels=12)

    assert sum(c.show_label for c in chart.columns) == 10  # every 4th of 40
    assert len(chart.columns) == 40


def test_columns_with_only_zeros_do_not_divide_by_zero():
    chart = charts.columns_with_line([("a", "a", D(0), D(0)), ("b", "b", D(0), D(0))])

    assert {c.height for c in chart.columns} == {"0.00"}
    assert {c.line_y for c in chart.columns} == {chart.baseline}


def test_columns_without_data():
    chart = charts.columns_with_line([])

    assert chart.is_empty and chart.columns == [] and chart.line_path == ""
    assert chart.ticks[-1].label == "1"
