"""A bank row the cycle already holds as an expense typed by hand (or imported from another
file) is shown as already there and linked to it, not imported twice (issue 25 #1) — through
the upload, the preview and the confirmation, checking what the database holds."""

from __future__ import annotations

import datetime
from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses.exceptions import ExpenseFoundTwice
from expenses.imports import services
from expenses.imports.models import ImportedTransaction, PendingImport
from expenses.imports.selectors.preview import import_preview
from expenses.models import Category, Expense
from expenses.tests.factories import ExpenseFactory, PaymentMethodFactory

from .test_import_features import _url, confirm, open_preview, proposal, upload
from .test_views import flash_messages, form_data, preview, token_of

pytestmark = pytest.mark.django_db

GIRO = """Buchungstag;Empfänger;Verwendungszweck;Soll;Haben;Gebühr;Status
02.12.2026;Hausverwaltung Berger GmbH;Miete Dezember;1.250,00;;;gebucht
03.12.2026;Kita Sonnenschein e.V.;Beitrag Dezember;45,00;;;gebucht
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
def giro(household):
    return PaymentMethodFactory(household=household, name="Girokonto")


def typed(cycle, description, amount, day, **fields):
    """An expense the household typed in by hand and marked paid."""
    on = datetime.date(2026, 12, day)
    return ExpenseFactory(
        cycle=cycle,
        description=description,
        amount=Decimal(amount),
        currency="EUR",
        date=on,
        status=Expense.Status.PAID,
        paid_on=on,
        category=Category.objects.get(household=cycle.household, name="Other"),
        **fields,
    )


@pytest.fixture
def rent(cycle, giro):
    # Nothing alike in the words: it is the same account that tells.
    return typed(cycle, "Rent", "1250.00", 1, payment_method=giro)


@pytest.fixture
def kita(cycle):
    return typed(cycle, "Kita", "45.00", 2)


def _line(body: str, line: int) -> str:
    return body.split(f'id="import-line-{line}"')[1].split("</tr>")[0]


def test_rows_typed_by_hand_are_shown_as_already_there_and_linked(
    owner_client, cycle, giro, rent, kita
):
    page = open_preview(owner_client, cycle, GIRO, payment_method=giro)
    body = page.content.decode()
    assert (proposal(page, 2).action, proposal(page, 2).already.pk) == ("there", rent.pk)
    assert (proposal(page, 3).action, proposal(page, 3).already.pk) == ("there", kita.pk)
    # Stadtwerke costs what the Kita does, but the Kita row is that expense already.
    assert [proposal(page, line).outcome for line in (2, 3, 4, 5, 6)] == [
        "there",
        "there",
        "new",
        "new",
        "income",
    ]
    assert '<span data-count="there">2 already there</span>' in body
    assert f'href="/cycles/{cycle.pk}/#expense-{rent.pk}"' in _line(body, 2)
    assert "already there: Rent (1,250.00 EUR" in _line(body, 2)
    assert "Import 2 new expenses, mark 0 paid, link 2 already there" in body


def test_confirming_links_the_rows_instead_of_importing_them_twice(
    owner_client, cycle, giro, rent, kita
):
    page = open_preview(owner_client, cycle, GIRO, payment_method=giro)
    response = confirm(owner_client, cycle, page)
    assert response.status_code == 302
    assert sorted(cycle.expenses.values_list("description", "amount")) == [
        ("Kita", Decimal("45.00")),
        ("REWE Markt 4411", Decimal("63.20")),
        ("Rent", Decimal("1250.00")),
        ("Stadtwerke", Decimal("45.00")),
    ]
    # The typed expenses stay as typed; the bank rows are remembered as them.
    rent.refresh_from_db()
    assert (rent.description, rent.date) == ("Rent", datetime.date(2026, 12, 1))
    assert ImportedTransaction.objects.filter(expense__in=[rent, kita]).count() == 2
    message = flash_messages(owner_client.get(response["Location"]))[0]
    assert message.startswith("Imported 2 expenses and marked 0 planned expenses paid")
    assert "2 rows already there, linked to their expenses." in message

    # The same statement again: every row is known now, nothing is offered twice.
    again = open_preview(owner_client, cycle, GIRO, payment_method=giro)
    assert again.context["counts"]["duplicate"] == 4
    assert again.context["actions"] == {"new": 0, "pay": 0, "there": 0, "skip": 5}
    outcomes = [p.outcome for p in again.context["proposals"]]
    assert outcomes == ["duplicate"] * 4 + ["income"]


def test_the_household_can_import_a_row_already_there_all_the_same(
    owner_client, cycle, giro, rent, kita
):
    page = open_preview(owner_client, cycle, GIRO, payment_method=giro)
    assert f'<option value="there-{rent.pk}" selected>' in _line(page.content.decode(), 2)
    response = confirm(owner_client, cycle, page, **{"row-2-do": "new", "row-3-do": "skip"})
    assert response.status_code == 302
    assert cycle.expenses.filter(amount=Decimal("1250.00")).count() == 2
    assert cycle.expenses.filter(amount=Decimal("45.00")).count() == 2  # Kita and Stadtwerke
    assert not ImportedTransaction.objects.filter(expense__in=[rent, kita]).exists()


def test_the_override_stays_offered_after_the_preview_is_refreshed(
    owner_client, cycle, giro, rent, htmx_headers
):
    token = token_of(upload(owner_client, cycle, GIRO, payment_method=giro))
    page = preview(owner_client, cycle, token)
    response = owner_client.post(
        _url("import_preview", cycle), form_data(page, **{"row-2-do": "new"}), **htmx_headers
    )
    line = _line(response.content.decode(), 2)
    assert 'data-action="new"' in line
    assert f'<option value="there-{rent.pk}">' in line
    assert '<option value="new" selected>' in line


def test_only_a_close_date_and_a_similar_description_or_account_count(owner_client, cycle):
    # The same amounts, but: no account and other words; ten days away; planned, not paid.
    typed(cycle, "Rent", "1250.00", 1)
    typed(cycle, "Kita", "45.00", 13)
    ExpenseFactory(
        cycle=cycle,
        description="REWE Markt 4411",
        amount=Decimal("63.20"),
        currency="EUR",
        date=datetime.date(2026, 12, 20),
    )
    page = open_preview(owner_client, cycle, GIRO)
    assert [proposal(page, line).action for line in (2, 3, 4, 5)] == ["new"] * 4
    assert '<span data-count="there">0 already there</span>' in page.content.decode()


def test_a_second_identical_purchase_is_new_when_the_first_is_already_there(
    owner_client, cycle, giro
):
    # The household typed one of two identical purchases exactly as the bank writes it.
    typed(cycle, "REWE Markt 4411", "63.20", 4)
    twice = GIRO.decode().splitlines()
    statement = "\n".join([twice[0], twice[3], twice[3]]) + "\n"
    page = open_preview(owner_client, cycle, statement.encode(), payment_method=giro)
    assert [proposal(page, line).row.status for line in (2, 3)] == ["duplicate", "import"]
    assert proposal(page, 3).action == "new" and proposal(page, 3).already is None
    confirm(owner_client, cycle, page)
    assert cycle.expenses.filter(description="REWE Markt 4411").count() == 2


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("there-{kita}", "Line 2: that expense is not one this row may be."),
        ("there-{other}", "Line 2: that expense is not one this row may be."),
        ("there-", "Line 2: choose what happens to the row."),
        ("there-1e3", "Line 2: choose what happens to the row."),
    ],
)
def test_an_expense_the_row_was_not_found_to_be_is_refused_not_a_500(
    owner_client, cycle, giro, rent, kita, other_household, value, message
):
    theirs = ExpenseFactory(cycle=CycleFactory(household=other_household))
    page = open_preview(owner_client, cycle, GIRO, payment_method=giro)
    choice = value.format(kita=kita.pk, other=theirs.pk)
    response = confirm(owner_client, cycle, page, **{"row-2-do": choice})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert cycle.expenses.count() == 2
    assert not ImportedTransaction.objects.exists()


def test_two_rows_cannot_be_the_same_expense(owner_client, owner, cycle, giro, kita):
    token = token_of(upload(owner_client, cycle, GIRO, payment_method=giro))
    pending = PendingImport.objects.get(token=token)
    decisions = import_preview(pending=pending, cycle=cycle).decisions()
    kita_row, stadtwerke = decisions[1], decisions[3]
    assert (kita_row.action, kita_row.already) == ("there", kita.pk)
    both = [kita_row, replace(stadtwerke, action="there", already=kita.pk)]
    with pytest.raises(ExpenseFoundTwice):
        services.import_statement(cycle=cycle, decisions=both, created_by=owner)
    assert not ImportedTransaction.objects.exists()


def test_matching_reads_the_same_number_of_queries_for_5_or_300_rows(
    owner_client, cycle, giro, household
):
    for day in range(1, 29):
        typed(cycle, f"Bakery {day}", f"{day}.50", day, payment_method=giro)

    def queries(rows: int) -> int:
        lines = ["Transaction Date,Description,Amount"]
        lines += [f"12/{n % 28 + 1:02d}/2026,SHOP {n} MARKET,-{n % 30 + 1}.50" for n in range(rows)]
        token = token_of(upload(owner_client, cycle, ("\n".join(lines) + "\n").encode()))
        with CaptureQueriesContext(connection) as captured:
            assert preview(owner_client, cycle, token).status_code == 200
        return len(captured)

    assert queries(5) == queries(300)


def test_an_expense_imported_from_another_file_is_already_there(owner_client, cycle, giro):
    assert confirm(owner_client, cycle, open_preview(owner_client, cycle, GIRO)).status_code == 302
    rewe = cycle.expenses.get(description="REWE Markt 4411")
    # The card's own export of the same purchase: a day later, in the card company's words.
    card = b"Date,Description,Amount\n2026-12-05,REWE MARKT 4411 KARTENZAHLUNG,-63.20\n"
    page = open_preview(owner_client, cycle, card)
    body = page.content.decode()
    assert "Import 0 new expenses, mark 0 paid, link 1 already there" in body
    assert "disabled" not in body.split('class="primary"')[1].split(">")[0]
    assert proposal(page, 2).row.status == "import"  # not the same bank row
    assert (proposal(page, 2).outcome, proposal(page, 2).already.pk) == ("there", rewe.pk)
    assert confirm(owner_client, cycle, page).status_code == 302
    assert cycle.expenses.filter(amount=Decimal("63.20")).count() == 1
    assert rewe.import_records.count() == 2
