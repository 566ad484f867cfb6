"""The owner's full household export: a zip of CSV files, formula-safe, their household only."""

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse

from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory
from reports import household_export
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = pytest.mark.django_db

D = Decimal
URL = "/reports/household-export.zip"
FILES = {
    "cycles.csv",
    "expenses.csv",
    "templates.csv",
    "payment_methods.csv",
    "categories.csv",
    "rates.csv",
}


@pytest.fixture
def data(household, owner, member):
    food = CategoryFactory(household=household, name='=HYPERLINK("http://evil")')
    card = PaymentMethodFactory(household=household, name="Visa", owner=owner, last4="1234")
    cycle = CycleFactory(
        household=household, status=Cycle.Status.ACTIVE, start_date=datetime.date(2026, 1, 1)
    )
    ExpenseFactory(
        cycle=cycle,
        category=food,
        payment_method=card,
        description="Rent",
        amount=D("900"),
        created_by=owner,
        updated_by=member,
    )
    ExpenseFactory(
        cycle=cycle,
        category=food,
        description="+cmd|' /C calc'!A0",
        currency="EUR",
        amount=D("10.00"),
        base_amount=D("10.83"),
        rate=D("1.0831"),
        rate_source="manual",
        status=Expense.Status.PAID,
        paid_on=cycle.start_date,
        planned_amount=D("9.00"),
    )
    ExpenseFactory(
        cycle=cycle,
        category=food,
        description="Dinar",
        currency="BHD",
        amount=D("1.005"),
        base_amount=None,
        rate=None,
        rate_source="",
    )
    ExpenseTemplateFactory(household=household, name="-Water", category=food, amount=D("30"))
    return cycle


def _unzip(response) -> dict[str, list[list[str]]]:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return {
        name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8"))))
        for name in archive.namelist()
    }


def test_url_is_the_household_export_route():
    assert reverse("reports:household_export") == URL


def test_owner_downloads_a_zip_attachment_with_one_csv_per_kind(owner_client, data):
    response = owner_client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="colony-the-smiths-')
    files = _unzip(response)
    assert set(files) == FILES
    for name, (header, _selector, _row) in household_export.FILES.items():
        assert files[name][0] == list(header)


def test_export_has_a_row_per_object(owner_client, data, household):
    files = _unzip(owner_client.get(URL))
    assert len(files["cycles.csv"]) == 1 + 1
    assert len(files["expenses.csv"]) == 1 + 3
    assert len(files["templates.csv"]) == 1 + 1
    assert len(files["payment_methods.csv"]) == 1 + 1
    categories = household.categories.count()  # the defaults and the one made here
    assert len(files["categories.csv"]) == 1 + categories
    # Only the EUR expense used a rate (the base-currency one is 1, the BHD one awaits).
    assert files["rates.csv"][1:] == [["EUR", "USD", "1.0831", "2026-01-02", "manual", "1"]]


def test_export_cells_keep_exact_amounts_and_who_did_what(owner_client, data):
    header, *rows = _unzip(owner_client.get(URL))["expenses.csv"]
    by_description = {row[header.index("description")]: dict(zip(header, row)) for row in rows}
    rent = by_description["Rent"]
    assert rent["amount"] == "900.00" and rent["created_by"] == "owner@example.com"
    assert rent["updated_by"] == "member@example.com" and rent["payment_method"] == "Visa"
    dinar = by_description["Dinar"]
    assert dinar["amount"] == "1.005" and dinar["base_amount"] == ""
    paid = by_description["'+cmd|' /C calc'!A0"]
    assert paid["planned_amount"] == "9.00" and paid["amount"] == "10.00"


def test_export_defuses_formulas_like_the_csv_export(owner_client, data):
    files = _unzip(owner_client.get(URL))
    names = [row[1] for row in files["categories.csv"][1:]]
    assert '\'=HYPERLINK("http://evil")' in names
    assert files["templates.csv"][1][1] == "'-Water"
    expense_descriptions = [row[4] for row in files["expenses.csv"][1:]]
    assert "'+cmd|' /C calc'!A0" in expense_descriptions


def test_a_member_is_refused_with_403(member_client, data):
    response = member_client.get(URL)
    assert response.status_code == 403
    assert "Only an owner of the household can do this." in response.content.decode()


def test_a_stranger_gets_only_their_own_household(stranger_client, data):
    response = stranger_client.get(URL)
    assert response.status_code == 200
    files = _unzip(response)
    assert len(files["cycles.csv"]) == 1 and len(files["expenses.csv"]) == 1
    assert "Rent" not in str(files)


def test_logged_out_visitors_are_sent_to_log_in(client, data):
    response = client.get(URL)
    assert response.status_code == 302


def test_the_export_reads_every_table_in_chunks(owner_client, data, monkeypatch):
    seen = []
    real = household_export.FILES

    def spy(selector):
        def wrapped(household):
            queryset = selector(household)
            iterator = queryset.iterator

            def chunked(chunk_size=None):
                seen.append(chunk_size)
                return iterator(chunk_size=chunk_size)

            queryset.iterator = chunked
            return queryset

        return wrapped

    monkeypatch.setattr(
        household_export,
        "FILES",
        {name: (header, spy(selector), row) for name, (header, selector, row) in real.items()},
    )
    assert owner_client.get(URL).status_code == 200
    assert seen == [household_export.CHUNK_SIZE] * len(real)


def test_the_household_page_offers_the_export_to_owners_only(owner_client, member_client):
    assert URL in owner_client.get(reverse("accounts:household")).content.decode()
    assert URL not in member_client.get(reverse("accounts:household")).content.decode()
