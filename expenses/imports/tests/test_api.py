"""Bank import through the JSON API (issue 26 #4): upload a statement (or send rows) to a cycle
→ the preview with each row's outcome → confirm with per-row choices, on the same selectors
and services as the pages — checking what the client sees and what the database holds."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import api_client
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses.imports.models import ImportedTransaction, PendingImport
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory

pytestmark = pytest.mark.django_db

GIRO = """Buchungstag;Empfänger;Verwendungszweck;Soll;Haben;Gebühr;Status
02.12.2026;Hausverwaltung Berger GmbH;Miete Dezember;1.250,00;;;gebucht
04.12.2026;REWE Markt 4411;Einkauf;63,20;;;gebucht
05.12.2026;Stadtwerke;Abschlag Strom;45,00;;;gebucht
06.12.2026;Arbeitgeber GmbH;Gehalt;;3.100,00;;gebucht
""".encode()


@pytest.fixture
def household(household):
    household.base_currency = "EUR"
    household.save(update_fields=["base_currency"])
    return household


@pytest.fixture
def cycle(household):
    return CycleFactory(
        household=household,
        name="December",
        start_date=datetime.date(2026, 12, 1),
        end_date=datetime.date(2026, 12, 31),
        status=Cycle.Status.ACTIVE,
    )


@pytest.fixture
def other(household):
    return CategoryFactory(household=household, name="Other")


@pytest.fixture
def power_bill(cycle, other):
    return ExpenseFactory(
        cycle=cycle,
        description="Stadtwerke Strom",
        amount=Decimal("45.00"),
        date=datetime.date(2026, 12, 5),
        category=other,
    )


def upload(client, cycle, content: bytes = GIRO, name="giro.csv", **fields):
    """POST the file as multipart; HTTP_* keywords go as headers, the rest as form fields."""
    headers = {k: v for k, v in fields.items() if k.startswith("HTTP_")}
    data = {k: v for k, v in fields.items() if not k.startswith("HTTP_")}
    file = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(f"/api/v1/cycles/{cycle.pk}/imports", {"file": file, **data}, **headers)


def post_json(client, url, body):
    return client.post(url, body, content_type="application/json")


def row_of(preview: dict, text: str) -> dict:
    return next(row for row in preview["rows"] if text in row["description"])


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    return body["error"]


def rows_body(count: int, **extra) -> dict:
    return {
        "rows": [
            {
                "date": f"2026-12-{1 + index % 28:02d}",
                "description": f"Shop {index}",
                "amount": f"{index + 1}.50",
                "currency": "EUR",
            }
            for index in range(count)
        ],
        **extra,
    }


def test_syncing_the_same_statement_twice_pays_the_bill_once_and_adds_nothing_twice(
    owner_api, household, cycle, power_bill
):
    first = upload(owner_api, cycle)
    assert first.status_code == 201, first.content
    preview = first.json()
    assert first["Location"] == f"/api/v1/imports/{preview['id']}"
    assert row_of(preview, "Stadtwerke")["outcome"] == "pay"
    assert row_of(preview, "Stadtwerke")["expense_id"] == power_bill.pk
    assert row_of(preview, "Arbeitgeber")["outcome"] == "income"
    assert row_of(preview, "REWE")["outcome"] == "new"
    assert row_of(preview, "REWE")["amount"] == "63.20"
    assert preview["counts"] == {"new": 2, "pay": 1, "income": 1}

    done = post_json(owner_api, f"/api/v1/imports/{preview['id']}/confirm", {})
    assert done.status_code == 200, done.content
    result = done.json()
    assert (result["created"], result["paid"], result["paid_ids"]) == (2, 1, [power_bill.pk])
    power_bill.refresh_from_db()
    assert power_bill.status == Expense.Status.PAID and power_bill.amount == Decimal("45.00")
    created = Expense.objects.filter(pk__in=result["created_ids"])
    assert sorted(e.description for e in created) == [
        "Hausverwaltung Berger GmbH",
        "REWE Markt 4411",
    ]
    assert not PendingImport.objects.exists()
    expenses_after_first = Expense.objects.count()

    again = upload(owner_api, cycle)
    assert again.status_code == 201
    outcomes = {row["outcome"] for row in again.json()["rows"]}
    assert outcomes == {"duplicate", "income"}
    second = post_json(owner_api, f"/api/v1/imports/{again.json()['id']}/confirm", {})
    assert second.status_code == 200, second.content
    assert (second.json()["created"], second.json()["paid"]) == (0, 0)
    assert second.json()["skipped_duplicates"] == 3
    assert Expense.objects.count() == expenses_after_first
    assert ImportedTransaction.objects.filter(expense=power_bill).count() == 1
    power_bill.refresh_from_db()
    assert power_bill.status == Expense.Status.PAID


def test_rows_sent_as_json_are_previewed_and_imported_like_a_file(owner_api, cycle, other):
    response = post_json(
        owner_api,
        f"/api/v1/cycles/{cycle.pk}/imports/rows",
        {
            "rows": [
                {
                    "date": "2026-12-03",
                    "description": "Bakery",
                    "amount": "4.20",
                    "currency": "EUR",
                },
                {
                    "date": "2026-12-04",
                    "description": 'Cinema, "late"',
                    "amount": "18.00",
                    "currency": "EUR",
                },
            ]
        },
    )
    assert response.status_code == 201, response.content
    preview = response.json()
    assert response["Location"] == f"/api/v1/imports/{preview['id']}"
    assert [(r["line"], r["description"], r["amount"], r["outcome"]) for r in preview["rows"]] == [
        (2, "Bakery", "4.20", "new"),
        (3, 'Cinema, "late"', "18.00", "new"),
    ]
    assert {r["category_id"] for r in preview["rows"]} == {other.pk}

    done = post_json(owner_api, f"/api/v1/imports/{preview['id']}/confirm", {})
    assert done.json()["created"] == 2
    bakery = Expense.objects.get(description="Bakery")
    assert (bakery.amount, bakery.currency, bakery.date, bakery.status) == (
        Decimal("4.20"),
        "EUR",
        datetime.date(2026, 12, 3),
        Expense.Status.PAID,
    )
    # The same rows again: found as imported, nothing to add.
    again = post_json(
        owner_api,
        f"/api/v1/cycles/{cycle.pk}/imports/rows",
        {
            "rows": [
                {"date": "2026-12-03", "description": "Bakery", "amount": "4.20", "currency": "EUR"}
            ]
        },
    )
    assert again.json()["rows"][0]["outcome"] == "duplicate"


def test_per_row_choices_are_honoured(owner_api, household, cycle, power_bill, other):
    food = CategoryFactory(household=household, name="Food")
    preview = upload(owner_api, cycle).json()
    rewe = row_of(preview, "REWE")["line"]
    rent = row_of(preview, "Hausverwaltung")["line"]
    power = row_of(preview, "Stadtwerke")["line"]

    chosen = post_json(
        owner_api,
        f"/api/v1/imports/{preview['id']}/preview",
        {"choices": {str(rent): "skip", str(power): "new"}, "categories": {str(rewe): food.pk}},
    )
    assert chosen.status_code == 200, chosen.content
    assert row_of(chosen.json(), "Hausverwaltung")["outcome"] == "skip"
    assert row_of(chosen.json(), "Stadtwerke")["outcome"] == "new"
    assert row_of(chosen.json(), "REWE")["category_id"] == food.pk
    assert (
        Expense.objects.filter(status=Expense.Status.PAID).count() == 0
    )  # a preview writes nothing

    done = post_json(
        owner_api,
        f"/api/v1/imports/{preview['id']}/confirm",
        {"choices": {str(rent): "skip", str(power): "new"}, "categories": {str(rewe): food.pk}},
    )
    result = done.json()
    assert (result["created"], result["paid"], result["skipped_chosen"]) == (2, 0, 1)
    assert Expense.objects.get(description="REWE Markt 4411").category == food
    assert not Expense.objects.filter(description__startswith="Hausverwaltung").exists()
    power_bill.refresh_from_db()
    assert power_bill.status == Expense.Status.PLANNED


def test_a_row_chosen_to_pay_a_planned_expense_pays_it(owner_api, cycle, power_bill, other):
    preview = upload(owner_api, cycle).json()
    rewe = row_of(preview, "REWE")["line"]
    # Unpaid by the Stadtwerke row so the REWE row may pay it instead.
    power = row_of(preview, "Stadtwerke")["line"]
    done = post_json(
        owner_api,
        f"/api/v1/imports/{preview['id']}/confirm",
        {"choices": {str(rewe): f"pay:{power_bill.pk}", str(power): "skip"}},
    )
    assert done.status_code == 200, done.content
    assert done.json()["paid_ids"] == [power_bill.pk]
    power_bill.refresh_from_db()
    assert power_bill.status == Expense.Status.PAID
    assert power_bill.amount == Decimal("63.20")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"choices": {"99": "new"}}, "choices.99"),
        ({"choices": {"2": "pay:999999"}}, "choices"),
        ({"categories": {"2": 999999}}, "choices"),
        ({"choices": {"2": "maybe"}}, "choices.2"),
        ({"reading": {"currency": "XXX1"}}, "reading.currency"),
        ({"reading": {"date_column": 50}}, "reading.date_column"),
        ({"reading": {"date_column": None}}, "reading.date_column"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_choices_that_are_not_offered_are_422_naming_them(owner_api, cycle, other, body, field):
    preview = upload(owner_api, cycle).json()
    response = post_json(owner_api, f"/api/v1/imports/{preview['id']}/confirm", body)
    assert field in error(response, 422)["details"]["fields"]
    assert Expense.objects.count() == 0
    assert PendingImport.objects.filter(pk=preview["id"]).exists()


def test_a_file_that_is_not_a_statement_is_422_on_the_file(owner_api, cycle):
    response = upload(owner_api, cycle, b"\x89PNG\r\n\x1a\n\x00\x00binary", name="cat.png")
    assert list(error(response, 422)["details"]["fields"]) == ["file"]
    assert not PendingImport.objects.exists()


def test_an_upload_over_10_mb_is_413(owner_api, cycle):
    response = upload(owner_api, cycle, b"a;b;1\n" * (2 * 1024 * 1024))
    assert error(response, 413)["code"] == "PAYLOAD_TOO_LARGE"
    assert not PendingImport.objects.exists()


def test_another_households_payment_method_is_422(owner_api, cycle, other_household):
    theirs = PaymentMethodFactory(household=other_household, name="Their card")
    response = upload(owner_api, cycle, payment_method_id=str(theirs.pk))
    assert "payment_method_id" in error(response, 422)["details"]["fields"]
    response = post_json(
        owner_api,
        f"/api/v1/cycles/{cycle.pk}/imports/rows",
        rows_body(1, payment_method_id=theirs.pk),
    )
    assert "payment_method_id" in error(response, 422)["details"]["fields"]


def test_another_households_import_and_cycle_are_404(owner_api, stranger_api, cycle, other):
    preview = upload(owner_api, cycle).json()
    url = f"/api/v1/imports/{preview['id']}"
    assert error(stranger_api.get(url), 404)["code"] == "IMPORT_NOT_FOUND"
    assert error(post_json(stranger_api, f"{url}/confirm", {}), 404)
    assert error(stranger_api.delete(url), 404)
    assert error(upload(stranger_api, cycle), 404)
    assert error(
        post_json(stranger_api, f"/api/v1/cycles/{cycle.pk}/imports/rows", rows_body(1)), 404
    )
    assert PendingImport.objects.count() == 1 and Expense.objects.count() == 0


def test_another_members_upload_is_404_to_them(owner_api, member, cycle, other):
    preview = upload(owner_api, cycle).json()
    assert error(api_client(member).get(f"/api/v1/imports/{preview['id']}"), 404)


def test_a_read_only_token_may_look_but_not_import(owner, owner_api, cycle, other):
    preview = upload(owner_api, cycle).json()
    viewer = api_client(owner, read_only=True)
    assert viewer.get(f"/api/v1/imports/{preview['id']}").status_code == 200
    assert error(upload(viewer, cycle), 403)["code"] == "READ_ONLY"
    assert error(post_json(viewer, f"/api/v1/imports/{preview['id']}/confirm", {}), 403)
    assert error(viewer.delete(f"/api/v1/imports/{preview['id']}"), 403)
    assert Expense.objects.count() == 0 and PendingImport.objects.count() == 1


def test_a_completed_cycle_takes_no_import(owner_api, cycle):
    cycle.status = Cycle.Status.COMPLETED
    cycle.save(update_fields=["status"])
    assert error(upload(owner_api, cycle), 409)["code"] == "CYCLE_ALREADY_COMPLETED"


def test_cancelling_forgets_the_upload(owner_api, cycle, other):
    preview = upload(owner_api, cycle).json()
    url = f"/api/v1/imports/{preview['id']}"
    assert owner_api.get(url).json()["rows"] == preview["rows"]
    assert owner_api.delete(url).status_code == 204
    assert error(owner_api.get(url), 404)["code"] == "IMPORT_NOT_FOUND"
    assert not PendingImport.objects.exists()


def test_json_to_the_upload_and_a_form_to_the_rows_are_refused(owner_api, cycle):
    assert error(post_json(owner_api, f"/api/v1/cycles/{cycle.pk}/imports", {}), 422)
    response = owner_api.post(f"/api/v1/cycles/{cycle.pk}/imports/rows", {"rows": "x"})
    assert error(response, 415)["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_more_rows_than_an_import_takes_are_422(owner_api, cycle):
    response = post_json(owner_api, f"/api/v1/cycles/{cycle.pk}/imports/rows", rows_body(5_001))
    assert "rows" in error(response, 422)["details"]["fields"]
    assert not PendingImport.objects.exists()


def test_the_preview_takes_as_many_queries_for_ten_rows_as_for_three_hundred(
    owner_api, cycle, other
):
    def queries(count: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = post_json(
                owner_api, f"/api/v1/cycles/{cycle.pk}/imports/rows", rows_body(count)
            )
        assert response.status_code == 201 and len(response.json()["rows"]) == count
        return len(captured)

    queries(1)  # the token's first use is recorded once
    assert queries(10) == queries(300)


@pytest.mark.parametrize(
    "description, shown",
    [
        ("12345", "12345"),
        ("2026-12-01", "2026-12-01"),
        ("-4.20", "-4.20"),
        ("EUR", "EUR"),
        ("Date", "Date"),
        # Cleaned as a bank file's description is: spaces collapsed, a formula made text.
        ("Line one\nline two", "Line one line two"),
        ("=SUM(A1)", "'=SUM(A1)"),
    ],
)
def test_rows_are_read_as_sent_whatever_their_descriptions_look_like(
    owner_api, cycle, other, description, shown
):
    rows = [
        {"date": "2026-12-03", "description": description, "amount": "4.20", "currency": "USD"},
        {"date": "2026-12-04", "description": description, "amount": "7.00", "currency": "EUR"},
    ]
    response = post_json(owner_api, f"/api/v1/cycles/{cycle.pk}/imports/rows", {"rows": rows})
    assert response.status_code == 201, response.content
    got = [
        (r["date"], r["description"], r["amount"], r["currency"]) for r in response.json()["rows"]
    ]
    assert got == [("2026-12-03", shown, "4.20", "USD"), ("2026-12-04", shown, "7.00", "EUR")]


def test_an_upload_field_the_operation_does_not_take_is_422(owner_api, cycle, other):
    response = upload(owner_api, cycle, mapping="date=0")
    assert error(response, 422)["details"]["fields"] == {
        "mapping": ["Unknown field: this operation does not take it."]
    }
    assert not PendingImport.objects.exists()


def test_an_upload_retried_with_its_key_is_kept_once_and_another_file_is_refused(
    owner_api, cycle, other
):
    key = {"HTTP_IDEMPOTENCY_KEY": "sync-2026-12-07"}
    first = upload(owner_api, cycle, **key)
    again = upload(owner_api, cycle, **key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert PendingImport.objects.count() == 1
    other_file = upload(owner_api, cycle, GIRO.replace(b"63,20", b"64,20"), **key)
    assert error(other_file, 422)["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert PendingImport.objects.count() == 1
