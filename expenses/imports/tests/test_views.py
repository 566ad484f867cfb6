"""Importing a bank statement into a cycle, end to end: upload → preview (HTMX and without JS)
→ confirm; bad files; completed cycles; other households; the export → import round trip."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from colony.errors import DomainError
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from exchange.tests.factories import ExchangeRateFactory
from expenses import services as expense_services
from expenses.imports import limits, pipeline, services
from expenses.imports.csv_reader import POSITIVE_IS_OUT, Mapping
from expenses.imports.models import PendingImport
from expenses.models import Category, Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
US, NL = "bank-us-card.csv", "bank-nl-semicolon.csv"


@pytest.fixture
def cycle(household):
    return CycleFactory(
        household=household,
        name="November",
        start_date=datetime.date(2026, 11, 1),
        end_date=datetime.date(2026, 12, 12),
        status=Cycle.Status.ACTIVE,
    )


@pytest.fixture
def other(household):
    return Category.objects.get(household=household, name="Other")


@pytest.fixture
def euro_rate(db):
    return ExchangeRateFactory(
        base_currency="USD",
        quote_currency="EUR",
        rate=Decimal("0.8"),
        rate_date=datetime.date(2026, 10, 30),
    )


def _url(name, cycle):
    return reverse(f"expenses:{name}", args=[cycle.pk])


def upload(client, cycle, content, filename="statement.csv", **headers):
    if isinstance(content, str) and content.endswith(".csv"):
        content = (DATA / content).read_bytes()
    elif isinstance(content, str):
        content = content.encode()
    file = SimpleUploadedFile(filename, content, content_type="text/csv")
    return client.post(_url("import_upload", cycle), {"file": file}, **headers)


def token_of(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    location = urlparse(response["Location"])
    assert location.path == reverse(
        "expenses:import_preview", args=[int(location.path.split("/")[2])]
    )
    return parse_qs(location.query)["token"][0]


def preview(client, cycle, token, **headers):
    return client.get(_url("import_preview", cycle), {"token": token}, **headers)


def form_data(response, **changes) -> dict:
    """The preview form as the browser would send it, with `changes`."""
    form = response.context["form"]
    data = {"token": response.context["token"]}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else str(value)
    data.update({name: str(value) for name, value in changes.items()})
    return data


def import_file(client, cycle, content, **changes):
    """Upload, preview and confirm with the detected mapping (plus `changes`)."""
    token = token_of(upload(client, cycle, content))
    page = preview(client, cycle, token)
    return client.post(_url("import_confirm", cycle), form_data(page, **changes))


def statement_text(rows: int, *, start=datetime.date(2026, 11, 1)) -> str:
    lines = ["date,description,amount,currency"]
    for n in range(rows):
        day = start + datetime.timedelta(days=n % 40)
        currency = "EUR" if n % 2 else "USD"
        lines.append(f"{day.isoformat()},Shop {n},-{n + 1}.25,{currency}")
    return "\n".join(lines) + "\n"


def counts(response) -> dict:
    """The preview's row counts the older tests pin (money out, duplicates, in, errors)."""
    shown = response.context["counts"]
    return {
        "import": shown["import"],
        "duplicate": shown["duplicate"],
        "income": shown["income"],
        "invalid": shown["invalid"],
    }


def flash_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# -- the US card sample, end to end --------------------------------------------------------------


def test_upload_redirects_to_a_preview_of_the_us_sample(owner_client, cycle):
    token = token_of(upload(owner_client, cycle, US))
    response = preview(owner_client, cycle, token)
    body = response.content.decode()
    assert response.status_code == 200
    assert counts(response) == {"import": 8, "duplicate": 0, "income": 2, "invalid": 0}
    assert "SHELL OIL 57442, AUSTIN TX" in body
    assert "Skipped: money in, not an expense" in body
    assert body.count('data-status="income"') == 2
    # The formula cell: shown as text with its apostrophe, flagged, and nothing evaluated.
    formula = body.split('id="import-line-11"')[1].split("</tr>")[0]
    # Escaped (the rows are Jinja2's, which writes ' as &#39;), never a live quote.
    assert "&#39;=HYPERLINK(&#34;http" in formula and "'=HYPERLINK" not in formula
    assert 'data-flag="note"' in formula and "spreadsheet formula" in formula
    assert "Import 8 new expenses" in body
    assert Expense.objects.count() == 0


def test_preview_offers_the_detected_mapping_and_the_other_category(owner_client, cycle, other):
    token = token_of(upload(owner_client, cycle, US))
    form = preview(owner_client, cycle, token).context["form"]
    assert form["date_column"].value() == 0
    assert form["date_format"].value() == "mdy_slash"
    assert form["description_column"].value() == 2
    assert form["amount_column"].value() == 5
    assert form["currency"].value() == "USD"
    assert form["category"].value() == other.pk


def test_confirming_the_us_sample_imports_its_eight_purchases(owner_client, owner, cycle, other):
    response = import_file(owner_client, cycle, US)
    assert response.status_code == 302
    assert response["Location"] == reverse("cycles:detail", args=[cycle.pk])
    expenses = list(Expense.objects.filter(cycle=cycle).order_by("date", "id"))
    assert len(expenses) == 8
    first = expenses[0]
    assert (first.date, first.description, first.amount, first.currency) == (
        datetime.date(2026, 11, 2),
        "TRADER JOE'S #552",
        Decimal("84.170"),
        "USD",
    )
    assert isinstance(first.amount, Decimal)
    assert first.category == other and first.created_by == owner
    assert first.status == Expense.Status.PAID and first.paid_on == first.date
    assert first.planned_amount == first.amount
    assert (first.base_amount, first.rate) == (Decimal("84.17"), Decimal(1))
    twins = [e for e in expenses if e.date == datetime.date(2026, 11, 12)]
    assert [e.amount for e in twins] == [Decimal("63.05"), Decimal("63.05")]
    assert expenses[-1].description == '\'=HYPERLINK("http://example.invalid",refund)'
    assert not Expense.objects.filter(description__in=["PAYMENT THANK YOU"]).exists()
    page = owner_client.get(response["Location"])
    assert (
        "Imported 8 expenses and marked 0 planned expenses paid; 0 duplicates and 0 invalid "
        "rows skipped." in flash_messages(page)[0]
    )


def test_importing_the_same_file_again_imports_nothing(owner_client, cycle):
    import_file(owner_client, cycle, US)
    token = token_of(upload(owner_client, cycle, US))
    page = preview(owner_client, cycle, token)
    assert counts(page) == {"import": 0, "duplicate": 8, "income": 2, "invalid": 0}
    assert page.content.decode().count("Skipped: already in this cycle") == 8
    response = owner_client.post(_url("import_confirm", cycle), form_data(page), follow=True)
    assert Expense.objects.count() == 8
    assert flash_messages(response)[0].startswith(
        "Imported 0 expenses and marked 0 planned expenses paid; 8 duplicates and 0 invalid "
        "rows skipped."
    )


def test_one_existing_purchase_cancels_one_of_two_identical_rows(owner_client, cycle, other):
    ExpenseFactory(
        cycle=cycle,
        description="trader joe's #552",  # case differs
        amount=Decimal("63.05"),
        date=datetime.date(2026, 11, 12),
        category=other,
    )
    import_file(owner_client, cycle, US)
    twins = Expense.objects.filter(cycle=cycle, date=datetime.date(2026, 11, 12))
    assert twins.count() == 2  # the one before plus one imported
    assert Expense.objects.filter(cycle=cycle).count() == 1 + 7


def test_member_can_import_too(member_client, member, cycle):
    import_file(member_client, cycle, US)
    assert Expense.objects.filter(created_by=member).count() == 8


# -- the Dutch sample ----------------------------------------------------------------------------


def test_dutch_sample_imports_euros_and_skips_the_salary(owner_client, cycle, euro_rate):
    token = token_of(upload(owner_client, cycle, NL))
    page = preview(owner_client, cycle, token)
    assert counts(page) == {"import": 5, "duplicate": 0, "income": 1, "invalid": 0}
    assert page.context["form"]["direction_column"].value() == 5
    assert "Bakkerij &#34;De Korenbloem&#34;" in page.content.decode()
    response = owner_client.post(_url("import_confirm", cycle), form_data(page))
    assert response.status_code == 302
    imported = {
        e.description: (e.date, e.amount, e.currency, e.base_amount)
        for e in Expense.objects.filter(cycle=cycle)
    }
    assert imported == {
        "Albert Heijn 1403": (
            datetime.date(2026, 11, 2),
            Decimal("23.45"),
            "EUR",
            Decimal("29.31"),
        ),
        "NS Reizigers": (datetime.date(2026, 11, 3), Decimal("4.80"), "EUR", Decimal("6.00")),
        "Vattenfall": (datetime.date(2026, 11, 5), Decimal("142.00"), "EUR", Decimal("177.50")),
        'Bakkerij "De Korenbloem"': (
            datetime.date(2026, 11, 6),
            Decimal("7.95"),
            "EUR",
            Decimal("9.94"),
        ),
        "Ziggo": (datetime.date(2026, 11, 8), Decimal("1049.99"), "EUR", Decimal("1312.49")),
    }
    assert not Expense.objects.filter(description="Werkgever BV").exists()
    again = import_file(owner_client, cycle, NL)
    assert again.status_code == 302
    assert Expense.objects.count() == 5


# -- changing the mapping ------------------------------------------------------------------------


def test_htmx_mapping_change_re_renders_only_the_preview(owner_client, cycle, htmx_headers):
    token = token_of(upload(owner_client, cycle, US))
    page = preview(owner_client, cycle, token)
    response = owner_client.post(
        _url("import_preview", cycle), form_data(page, date_format="dmy_slash"), **htmx_headers
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="import-preview">')
    assert "<html" not in body
    # Read day first, 11/02/2026 is Feb 11 (outside every cycle), 11/15/2026 no date at all,
    # and only the twins of 11/12/2026 (Dec 11) fall in the cycle.
    assert counts(response) == {"import": 2, "duplicate": 0, "income": 2, "invalid": 1}
    assert response.context["counts"]["outside"] == 5
    assert "Not a DD/MM/YYYY date." in body and "Outside every cycle" in body


def test_refresh_preview_without_js_renders_the_whole_page(owner_client, cycle):
    token = token_of(upload(owner_client, cycle, US))
    page = preview(owner_client, cycle, token)
    body = page.content.decode()
    assert 'hx-post="' in body and 'hx-trigger="change"' in body
    assert 'formaction="' + _url("import_preview", cycle) + '"' in body
    response = owner_client.post(
        _url("import_preview", cycle), form_data(page, sign=POSITIVE_IS_OUT)
    )
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    # Positive amounts as money out: the payment and the return are now the expenses.
    assert counts(response) == {"import": 2, "duplicate": 0, "income": 8, "invalid": 0}


def test_the_same_column_twice_is_a_form_error(owner_client, cycle, htmx_headers):
    token = token_of(upload(owner_client, cycle, US))
    page = preview(owner_client, cycle, token)
    response = owner_client.post(
        _url("import_preview", cycle), form_data(page, amount_column=0), **htmx_headers
    )
    assert response.status_code == 422
    assert "That column is already the date." in response.content.decode()


def test_a_mapping_that_reads_no_row_cannot_be_confirmed(owner_client, cycle):
    token = token_of(upload(owner_client, cycle, US))
    page = preview(owner_client, cycle, token)
    response = owner_client.post(_url("import_confirm", cycle), form_data(page, date_format="ymd"))
    assert response.status_code == 422
    assert "None of the 10 rows can be imported" in response.content.decode()
    assert Expense.objects.count() == 0


def test_an_archived_category_cannot_be_chosen(owner_client, cycle, household):
    archived = CategoryFactory(household=household, name="Old stuff", is_archived=True)
    token = token_of(upload(owner_client, cycle, US))
    page = preview(owner_client, cycle, token)
    response = owner_client.post(
        _url("import_confirm", cycle), form_data(page, category=archived.pk)
    )
    assert response.status_code == 422
    assert Expense.objects.count() == 0


# -- bad files -----------------------------------------------------------------------------------

BAD_FILES = {
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), limits.NOT_CSV),
    "nul-bytes": (b"date,description,amount\n2026-11-02,x\x00y,-1.00\n", limits.NOT_CSV),
    "workbook": (b"PK\x03\x04" + bytes(100), limits.WORKBOOK),
    "no-delimiter": (b"Dear customer,\nHere is your statement.\n", limits.NO_COLUMNS),
    "empty": (b"", limits.EMPTY),
    "header-only": (b"Date,Description,Amount\r\n", limits.HEADER_ONLY),
}


NOTHING_TO_IMPORT = {
    "all-rows-invalid": (
        b"date,description,amount\n2026-01-02,Coffee,-3.50\n2026-01-03,Tea,-2.00\n",
        "None of the 2 rows can be imported. Outside every cycle: no cycle of the household "
        "holds this date. (2 rows)",
    ),
    "all-money-in": (
        b"date,description,amount,direction\n2026-11-02,Salary,100.00,credit\n",
        "Every row of this file is money in",
    ),
}


@pytest.mark.parametrize("case", NOTHING_TO_IMPORT, ids=list(NOTHING_TO_IMPORT))
def test_a_file_with_nothing_to_import_is_previewed_and_its_confirm_explains(
    owner_client, cycle, case
):
    # Never refused at the upload: the preview shows the rows and how they were read.
    content, message = NOTHING_TO_IMPORT[case]
    token = token_of(upload(owner_client, cycle, content))
    page = preview(owner_client, cycle, token)
    assert page.status_code == 200
    response = owner_client.post(_url("import_confirm", cycle), form_data(page))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Expense.objects.count() == 0


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_bad_file_gets_a_clear_message_and_changes_nothing(owner_client, cycle, case):
    content, message = BAD_FILES[case]
    response = upload(owner_client, cycle, content)
    assert response.status_code == 422
    body = response.content.decode()
    assert message in body
    assert 'id="import-upload-form"' in body
    assert Expense.objects.count() == 0
    assert not PendingImport.objects.exists()


def test_a_file_over_10_mb_is_refused_by_its_size(owner_client, cycle):
    row = b"2026-11-02,Coffee,-3.50\n"
    content = b"date,description,amount\n" + row * (limits.MAX_UPLOAD_BYTES // len(row) + 1)
    assert len(content) > limits.MAX_UPLOAD_BYTES
    response = upload(owner_client, cycle, content)
    assert response.status_code == 422
    assert limits.TOO_LARGE in response.content.decode()
    assert Expense.objects.count() == 0
    assert not PendingImport.objects.exists()


def test_no_file_chosen(owner_client, cycle):
    response = owner_client.post(_url("import_upload", cycle), {})
    assert response.status_code == 422
    assert "Choose a file to upload." in response.content.decode()


def test_upload_page_shows_the_form(owner_client, cycle):
    response = owner_client.get(_url("import_upload", cycle))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in body and 'type="file"' in body
    assert "style=" not in body and "onclick" not in body


# -- completed cycles ----------------------------------------------------------------------------


def test_completed_cycle_refuses_the_upload_with_409(owner_client, cycle):
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.COMPLETED)
    assert owner_client.get(_url("import_upload", cycle)).status_code == 409
    response = upload(owner_client, cycle, US)
    assert response.status_code == 409
    assert "completed" in response.content.decode()
    assert Expense.objects.count() == 0


def test_cycle_completed_after_the_preview_refuses_the_confirm_with_409(owner_client, cycle):
    token = token_of(upload(owner_client, cycle, US))
    page = preview(owner_client, cycle, token)
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.COMPLETED)
    response = owner_client.post(_url("import_confirm", cycle), form_data(page))
    assert response.status_code == 409
    assert Expense.objects.count() == 0


def _decisions(cycle, category):
    statement = pipeline.read_statement(statement_text(3))
    choices = pipeline.Choices(
        mapping=Mapping(0, "ymd", 1, 2, currency="USD", currency_column=3), date_format="ymd"
    )
    rows = pipeline.read_rows(statement, choices)
    return [services.RowDecision(row=row, action="new", category=category) for row in rows]


def test_service_refuses_a_completed_cycle_with_409(owner, cycle, other):
    from cycles.exceptions import CycleAlreadyCompleted

    decisions = _decisions(cycle, other)
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.COMPLETED)
    with pytest.raises(CycleAlreadyCompleted) as error:
        services.import_statement(cycle=cycle, decisions=decisions, created_by=owner)
    assert error.value.status == 409
    assert Expense.objects.count() == 0


def test_service_rechecks_dates_against_the_locked_cycle_and_imports_nothing(owner, cycle, other):
    decisions = _decisions(cycle, other)
    # The cycle got shorter between the preview and the confirm: Nov 1 is now outside it.
    Cycle.objects.filter(pk=cycle.pk).update(start_date=datetime.date(2026, 11, 2))
    with pytest.raises(DomainError) as error:
        services.import_statement(cycle=cycle, decisions=decisions, created_by=owner)
    assert error.value.status == 422
    assert Expense.objects.count() == 0


# -- who may use an import -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["import_upload", "import_preview", "import_confirm", "import_cancel"]
)
def test_another_household_gets_404_on_every_import_url(stranger_client, owner_client, cycle, name):
    token = token_of(upload(owner_client, cycle, US))
    url = _url(name, cycle)
    get = stranger_client.get(url, {"token": token})
    post = stranger_client.post(url, {"token": token, "file": SimpleUploadedFile("a.csv", b"x")})
    assert get.status_code in {404, 405}
    assert post.status_code == 404
    assert Expense.objects.count() == 0
    assert PendingImport.objects.filter(token=token).exists()


def test_stranger_cannot_use_another_users_token_on_their_own_cycle(
    stranger_client, owner_client, cycle, other_household
):
    token = token_of(upload(owner_client, cycle, US))
    owner_page = preview(owner_client, cycle, token)
    theirs = CycleFactory(
        household=other_household,
        start_date=cycle.start_date,
        end_date=cycle.end_date,
        status=Cycle.Status.ACTIVE,
    )
    data = form_data(owner_page)
    assert stranger_client.get(_url("import_preview", theirs), {"token": token}).status_code == 404
    response = stranger_client.post(_url("import_confirm", theirs), data)
    assert response.status_code == 404
    assert "Upload the file again" in response.content.decode()
    assert Expense.objects.count() == 0


def test_another_member_cannot_use_the_owners_token(member_client, owner_client, cycle):
    token = token_of(upload(owner_client, cycle, US))
    page = preview(owner_client, cycle, token)
    response = member_client.post(_url("import_confirm", cycle), form_data(page))
    assert response.status_code == 404
    assert Expense.objects.count() == 0


def test_a_token_works_only_for_the_cycle_it_was_uploaded_for(owner_client, cycle, household):
    token = token_of(upload(owner_client, cycle, US))
    page = preview(owner_client, cycle, token)
    december = CycleFactory(
        household=household,
        start_date=datetime.date(2026, 12, 13),
        end_date=datetime.date(2027, 1, 20),
    )
    response = owner_client.post(_url("import_confirm", december), form_data(page))
    assert response.status_code == 404
    assert Expense.objects.count() == 0


def test_a_made_up_token_is_404(owner_client, cycle):
    assert preview(owner_client, cycle, "not-a-token").status_code == 404
    assert preview(owner_client, cycle, "").status_code == 404
    # Not even the shape of a token (a NUL byte cannot reach PostgreSQL): 404, not 500.
    assert preview(owner_client, cycle, "a\x00b").status_code == 404
    assert preview(owner_client, cycle, "x" * 33).status_code == 404


def test_a_confirmed_import_cannot_be_confirmed_twice(owner_client, cycle):
    token = token_of(upload(owner_client, cycle, US))
    page = preview(owner_client, cycle, token)
    assert owner_client.post(_url("import_confirm", cycle), form_data(page)).status_code == 302
    again = owner_client.post(_url("import_confirm", cycle), form_data(page))
    assert again.status_code == 404
    assert Expense.objects.count() == 8
    assert not PendingImport.objects.exists()


def test_a_person_keeps_only_their_latest_uploads_waiting(owner_client, cycle):
    tokens = [
        token_of(upload(owner_client, cycle, US)) for _ in range(services.MAX_PENDING_IMPORTS + 1)
    ]
    waiting = PendingImport.objects.order_by("created_at", "pk").values_list("token", flat=True)
    assert list(waiting) == tokens[1:]
    assert preview(owner_client, cycle, tokens[0]).status_code == 404


@pytest.mark.parametrize("name", ["import_upload", "import_preview", "import_confirm"])
def test_anonymous_visitor_is_sent_to_log_in(client, cycle, name, htmx_headers):
    url = _url(name, cycle)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    htmx = client.post(url, **htmx_headers)
    assert htmx["HX-Redirect"].startswith(reverse("accounts:login"))


# -- export → import round trip ------------------------------------------------------------------


def test_exported_cycle_imports_into_an_empty_cycle_with_nothing_lost(
    owner_client, owner, cycle, other, stranger_client, other_household
):
    for quote, rate in (("EUR", "0.9234"), ("JPY", "154.12"), ("BHD", "0.376")):
        ExchangeRateFactory(
            base_currency="USD",
            quote_currency=quote,
            rate=Decimal(rate),
            rate_date=datetime.date(2026, 10, 31),
        )
    made = [
        ("Groceries", "84.17", "USD", datetime.date(2026, 11, 2)),
        ("Shell, Austin TX", "41.20", "USD", datetime.date(2026, 11, 3)),
        ('Bakkerij "De Korenbloem"', "7.95", "EUR", datetime.date(2026, 11, 6)),
        ("Ramen", "1235", "JPY", datetime.date(2026, 11, 7)),
        ("Dinar dinner", "12.345", "BHD", datetime.date(2026, 11, 8)),
        ("Twice", "5.00", "USD", datetime.date(2026, 11, 9)),
        ("Twice", "5.00", "USD", datetime.date(2026, 11, 9)),
        ("Big one", "999999.99", "USD", datetime.date(2026, 12, 12)),
    ]
    for description, amount, currency, day in made:
        expense_services.add_expense(
            cycle=cycle,
            created_by=owner,
            description=description,
            amount=Decimal(amount),
            currency=currency,
            date=day,
            category=other,
        )
    export = owner_client.get(reverse("reports:cycle_export", args=[cycle.pk]))
    assert export.status_code == 200
    csv_bytes = b"".join(export.streaming_content)

    empty = CycleFactory(
        household=other_household,
        start_date=cycle.start_date,
        end_date=cycle.end_date,
        status=Cycle.Status.ACTIVE,
    )
    response = import_file(stranger_client, empty, csv_bytes)
    assert response.status_code == 302

    def facts(of_cycle):
        return sorted(
            (e.date, e.description, e.amount, e.currency, e.base_amount, e.rate)
            for e in Expense.objects.filter(cycle=of_cycle)
        )

    assert facts(empty) == facts(cycle)
    assert len(facts(empty)) == len(made)
    again = import_file(stranger_client, empty, csv_bytes)
    assert again.status_code == 302
    assert Expense.objects.filter(cycle=empty).count() == len(made)


def test_export_escaped_formula_comes_back_with_one_apostrophe(
    owner_client, owner, cycle, other, stranger_client, other_household
):
    expense_services.add_expense(
        cycle=cycle,
        created_by=owner,
        description="=SUM(A1:A2)",
        amount=Decimal("1.00"),
        currency="USD",
        date=datetime.date(2026, 11, 2),
        category=other,
    )
    csv_bytes = b"".join(
        owner_client.get(reverse("reports:cycle_export", args=[cycle.pk])).streaming_content
    )
    assert b"'=SUM(A1:A2)" in csv_bytes
    empty = CycleFactory(
        household=other_household, start_date=cycle.start_date, end_date=cycle.end_date
    )
    import_file(stranger_client, empty, csv_bytes)
    import_file(stranger_client, empty, csv_bytes)
    assert list(Expense.objects.filter(cycle=empty).values_list("description", flat=True)) == [
        "'=SUM(A1:A2)"
    ]


# -- query count ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [10, 200])
def test_confirm_takes_a_constant_number_of_queries(
    owner_client, cycle, rows, euro_rate, django_assert_max_num_queries
):
    token = token_of(upload(owner_client, cycle, statement_text(rows)))
    page = preview(owner_client, cycle, token)
    assert page.context["counts"]["import"] == rows
    data = form_data(page)
    # Session, user, cycle, the pending upload, categories, payment methods, planned expenses,
    # what was imported before (two), rules, history (the latest cycles, then what the open
    # ones hold: completed ones are counted once per worker); then under the lock: the cycle,
    # the duplicate check again (two), two rate queries, one INSERT of expenses and one of their
    # import records; the upload deleted, the session's message (plus savepoints): the same 26
    # for 10 rows as for 200. Sharing adds four: the members, the default split, one INSERT of
    # the new expenses' splits and one of their shares.
    with django_assert_max_num_queries(30) as captured:
        response = owner_client.post(_url("import_confirm", cycle), data)
    inserts = [q for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 4
    assert response.status_code == 302
    assert Expense.objects.filter(cycle=cycle).count() == rows
    assert not Expense.objects.filter(cycle=cycle, base_amount__isnull=True).exists()
