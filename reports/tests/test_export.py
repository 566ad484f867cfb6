import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from colony.spreadsheet import text_cell
from cycles.tests.factories import CycleFactory
from expenses.tests.factories import CategoryFactory
from reports.csv_export import HEADER

from .conftest import make_expense

pytestmark = pytest.mark.django_db

D = Decimal


def _rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body)))


def _cycle_export(client, cycle):
    return client.get(reverse("reports:cycle_export", args=[cycle.pk]))


def test_cycle_export_is_a_streamed_csv_attachment(budget, owner_client):
    response = _cycle_export(owner_client, budget)

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse) and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="colony-2026-01-01-january.csv"'
    )


def test_cycle_export_has_a_header_and_one_row_per_expense(budget, owner_client):
    rows = _rows(_cycle_export(owner_client, budget))

    # Then one share column per member (sharing).
    assert rows[0][: len(HEADER)] == list(HEADER)
    assert [cell.split(":")[0] for cell in rows[0][len(HEADER) :]] == ["share", "share"]
    assert [row[1] for row in rows[1:]] == ["Rent", "Groceries", "Dinner", "Train", "Bus", "Sushi"]


def test_export_cells_use_iso_dates_decimal_points_and_the_rate_snapshot(budget, owner_client):
    header, *lines = _rows(_cycle_export(owner_client, budget))
    rows = {row[1]: dict(zip(header, row, strict=True)) for row in lines}

    assert rows["Groceries"] == {
        "date": "2026-01-04",
        "description": "Groceries",
        "amount": "100.00",
        "currency": "EUR",
        "base_amount": "110.00",
        "base_currency": "USD",
        "rate": "1.1",
        "category": "Food",
        "payment_method": "Max's card",
        "status": "paid",
        "paid_on": "2026-01-04",
        "note": "",
        "cycle": "January",
        # Made by a factory, as rows from before sharing: no payer, no split, no shares.
        "paid_by": "",
        "split": "",
        **{name: "" for name in header[len(HEADER) :]},
    }
    # Awaiting a rate: no base amount and no rate; JPY has no minor units.
    assert (rows["Sushi"]["amount"], rows["Sushi"]["base_amount"], rows["Sushi"]["rate"]) == (
        "2000",
        "",
        "",
    )
    assert rows["Bus"]["payment_method"] == "" and rows["Bus"]["paid_on"] == "2026-01-10"


@pytest.mark.parametrize(
    "dangerous",
    ["=cmd|' /C calc'!A0", "+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"],
)
def test_export_escapes_cells_a_spreadsheet_would_run_as_formulas(
    household, owner_client, dangerous
):
    cycle = CycleFactory(household=household)
    category = CategoryFactory(household=household, name=f"{dangerous} category")
    make_expense(cycle, description=dangerous, amount=D("12.50"), category=category, note=dangerous)

    header, row, *_ = _rows(_cycle_export(owner_client, cycle))
    row = dict(zip(header, row, strict=True))

    assert row["description"] == f"'{dangerous}"
    assert row["note"] == f"'{dangerous}"
    assert row["category"] == f"'{dangerous} category"
    assert row["amount"] == "12.50" and row["base_amount"] == "12.50"


def test_harmless_text_is_left_alone():
    assert text_cell("Groceries - weekly") == "Groceries - weekly"
    assert text_cell("") == "" and text_cell(None) == ""


def test_range_export_keeps_expenses_dated_in_the_range(budget, owner_client):
    response = owner_client.get(
        reverse("reports:range_export"), {"start": "2026-01-04", "end": "2026-01-08"}
    )

    rows = _rows(response)
    assert [row[1] for row in rows[1:]] == ["Groceries", "Dinner", "Train"]
    assert response["Content-Disposition"] == (
        'attachment; filename="colony-expenses-2026-01-04-to-2026-01-08.csv"'
    )


def test_range_export_spans_cycles(budget, household, owner_client):
    later = CycleFactory(household=household, start_date=datetime.date(2026, 2, 13))
    make_expense(later, description="Later", amount=D("5.00"), date=datetime.date(2026, 2, 14))

    rows = _rows(
        owner_client.get(
            reverse("reports:range_export"), {"start": "2026-01-10", "end": "2026-02-28"}
        )
    )

    assert [(row[1], row[12]) for row in rows[1:]] == [
        ("Bus", "January"),
        ("Sushi", "January"),
        ("Later", later.name),
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-13-01", "end": "2026-12-31"}, "Enter the start date as YYYY-MM-DD."),
        ({"start": "2026-01-01", "end": "31/12/2026"}, "Enter the end date as YYYY-MM-DD."),
        ({"start": "2026-02-30", "end": "2026-03-01"}, "Enter the start date as YYYY-MM-DD."),
        ({"end": "2026-03-01"}, "Enter the start date."),
        ({}, "Enter the start date. Enter the end date."),
        (
            {"start": "2026-03-01", "end": "2026-02-01"},
            "The end date must be on or after the start date.",
        ),
        ({"start": "x" * 5000, "end": "\x00"}, "Enter the start date as YYYY-MM-DD."),
    ],
)
def test_range_export_with_bad_dates_is_a_422_page_with_a_message(
    owner_client, household, params, message
):
    response = owner_client.get(reverse("reports:range_export"), params)

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not response.streaming


def test_range_export_with_bad_dates_over_htmx_is_a_422_message(
    owner_client, household, htmx_headers
):
    response = owner_client.get(reverse("reports:range_export"), {"start": "nope"}, **htmx_headers)

    assert response.status_code == 422
    assert response["HX-Retarget"] == "#messages"


def test_export_reads_a_constant_number_of_queries_for_many_rows(
    household, owner_client, django_assert_max_num_queries
):
    from expenses.models import Expense

    cycle = CycleFactory(household=household)
    food = CategoryFactory(household=household, name="Food")
    Expense.objects.bulk_create(
        Expense(
            cycle=cycle,
            description=f"E{i}",
            amount=D("1.00"),
            currency="USD",
            date=cycle.start_date,
            category=food,
            base_amount=D("1.00"),
            rate=D("1"),
        )
        for i in range(4500)
    )
    with django_assert_max_num_queries(12):
        rows = _rows(_cycle_export(owner_client, cycle))
    assert len(rows) == 4501


def test_export_reads_the_rows_in_chunks_as_it_streams():
    from reports.csv_export import CHUNK_SIZE, streaming_csv

    class SpyQuerySet:
        chunk_size = None

        def iterator(self, chunk_size):
            self.chunk_size = chunk_size
            yield (
                datetime.date(2026, 1, 2),
                "Tea",
                D("3.500"),
                "USD",
                D("3.500"),
                D("1"),
                "Food",
                None,
                "planned",
                None,
                "",
                "January",
                None,
                None,
                None,
                None,
            )

    expenses = SpyQuerySet()
    response = streaming_csv(expenses, base_currency="USD", filename="x.csv")

    assert expenses.chunk_size is None  # nothing read before the response is sent
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert expenses.chunk_size == CHUNK_SIZE == 2000
    assert lines[1] == "2026-01-02,Tea,3.50,USD,3.50,USD,1,Food,,planned,,,January,,"


def test_excel_option_starts_the_csv_with_a_utf8_byte_order_mark(budget, owner_client):
    url = reverse("reports:cycle_export", args=[budget.pk])
    excel = b"".join(owner_client.get(url, {"excel": "1"}).streaming_content)
    plain = b"".join(owner_client.get(url).streaming_content)
    assert excel.startswith(b"\xef\xbb\xbfdate,description,")
    assert plain.startswith(b"date,description,")
    assert excel[3:] == plain


def test_csv_keeps_machine_format_whatever_the_household_locale(budget, owner_client, household):
    household.format_locale = "de_DE"
    household.save()
    rows = {row[1]: row for row in _rows(_cycle_export(owner_client, budget))[1:]}
    assert rows["Groceries"][2] == "100.00"
    assert rows["Groceries"][0] == "2026-01-04"
