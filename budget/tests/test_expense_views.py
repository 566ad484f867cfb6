import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from exchange.models import ExchangeRate
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def food(household):
    return CategoryFactory(household=household, name="Food")


def _data(food, **overrides):
    data = {
        "date": "2026-01-10",
        "description": "Groceries",
        "category": str(food.pk),
        "payment_method": "",
        "amount": "12.50",
        "currency": "USD",
        "status": "planned",
        "note": "",
    }
    data.update(overrides)
    return data


def _add_url(cycle):
    return reverse("cycles:expense_add", args=[cycle.pk])


def _detail(cycle):
    return reverse("cycles:detail", args=[cycle.pk])


# -- adding ------------------------------------------------------------------------------------


def test_htmx_add_returns_row_fresh_add_row_and_oob_totals(
    owner_client, cycle, food, htmx_headers, owner
):
    response = owner_client.post(_add_url(cycle), _data(food), **htmx_headers)
    body = response.content.decode()
    expense = Expense.objects.get()
    assert response.status_code == 200
    assert f'id="expense-{expense.pk}"' in body
    assert 'id="expense-add-row"' in body
    assert 'id="cycle-totals" class="card totals" hx-swap-oob="true"' in " ".join(body.split())
    assert "12.50 USD" in body
    # The fresh add row is empty and takes the cursor back to the description.
    assert 'name="description"' in body and "autofocus" in body
    assert 'value="Groceries"' not in body
    assert expense.created_by == owner and expense.cycle == cycle


def test_plain_add_redirects_back_to_the_cycle(owner_client, cycle, food):
    response = owner_client.post(_add_url(cycle), _data(food))
    assert response.status_code == 302
    assert response["Location"] == _detail(cycle)
    assert Expense.objects.count() == 1


BAD_INPUT = [
    ({"description": ""}, "description", "Describe it."),
    ({"description": "   "}, "description", "Describe it."),
    ({"amount": "-5"}, "amount", "more than zero"),
    ({"amount": "0"}, "amount", "more than zero"),
    ({"amount": "1e309"}, "amount", "Enter an amount like 1,234.56"),  # no exponents
    ({"amount": "1e3"}, "amount", "Enter an amount like 1,234.56"),
    ({"amount": "12,50"}, "amount", "Enter an amount like 1,234.56"),  # 1,250 or 12.50?
    ({"amount": "NaN"}, "amount", "Enter an amount"),
    ({"amount": "Infinity"}, "amount", "Enter an amount"),
    ({"amount": "abc"}, "amount", "Enter an amount"),
    ({"amount": "1,000,000,000,000"}, "amount", "largest amount"),  # grouping marks are read
    ({"amount": "1000000000000"}, "amount", "largest amount"),
    ({"amount": "1.001"}, "amount", "at most 2 decimals"),
    ({"currency": "XXX"}, "currency", "valid choice"),
    ({"currency": "JPY", "amount": "1.5"}, "amount", "JPY amounts have no decimals"),
    ({"date": "2025-12-31"}, "date", "Pick a date from"),
    ({"date": "2026-02-13"}, "date", "Pick a date from"),
    ({"date": "yesterday"}, "date", "valid date"),
    ({"category": "999999"}, "category", "valid choice"),
    ({"category": "abc"}, "category", "valid choice"),
    ({"payment_method": "999999"}, "payment_method", "valid choice"),
    ({"status": "stolen"}, "status", "valid choice"),
]


@pytest.mark.parametrize(("overrides", "field", "text"), BAD_INPUT)
def test_bad_input_is_a_field_error_in_the_add_row(
    owner_client, cycle, food, htmx_headers, overrides, field, text
):
    response = owner_client.post(_add_url(cycle), _data(food, **overrides), **htmx_headers)
    body = response.content.decode()
    assert response.status_code == 422
    assert text in body
    assert body.lstrip().startswith('<tr id="expense-add-row"')
    assert not Expense.objects.exists()


@pytest.mark.parametrize(("overrides", "field", "text"), BAD_INPUT[:4])
def test_bad_input_without_js_renders_the_page_with_errors(
    owner_client, cycle, food, overrides, field, text
):
    response = owner_client.post(_add_url(cycle), _data(food, **overrides))
    assert response.status_code == 422
    assert field in response.context["add_form"].errors
    assert 'id="cycle-totals"' in response.content.decode()


def test_invalid_add_keeps_what_was_typed(owner_client, cycle, food, htmx_headers):
    body = owner_client.post(
        _add_url(cycle), _data(food, description="Coffee beans", amount="abc"), **htmx_headers
    ).content.decode()
    assert 'value="Coffee beans"' in body and 'value="abc"' in body


def test_other_households_category_and_payment_method_are_field_errors(
    owner_client, cycle, food, other_household, htmx_headers
):
    theirs = CategoryFactory(household=other_household, name="Theirs")
    card = PaymentMethodFactory(household=other_household)
    for overrides in ({"category": str(theirs.pk)}, {"payment_method": str(card.pk)}):
        response = owner_client.post(_add_url(cycle), _data(food, **overrides), **htmx_headers)
        assert response.status_code == 422
    assert not Expense.objects.exists()


def test_archived_category_and_inactive_payment_method_are_not_offered(
    owner_client, cycle, food, household, htmx_headers
):
    old = CategoryFactory(household=household, name="Old stuff", is_archived=True)
    card = PaymentMethodFactory(household=household, is_active=False)
    for overrides in ({"category": str(old.pk)}, {"payment_method": str(card.pk)}):
        response = owner_client.post(_add_url(cycle), _data(food, **overrides), **htmx_headers)
        assert response.status_code == 422


def test_foreign_expense_without_rate_is_saved_and_flagged(owner_client, cycle, food, htmx_headers):
    response = owner_client.post(
        _add_url(cycle), _data(food, currency="EUR", amount="10"), **htmx_headers
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "awaiting rate" in body
    assert "1 expense awaits an exchange rate and is not in the totals" in body
    assert Expense.objects.get().base_amount is None


def test_foreign_expense_with_stored_rate_shows_base_amount(
    owner_client, cycle, food, htmx_headers
):
    ExchangeRate.objects.create(
        base_currency="EUR",
        quote_currency="USD",
        rate=Decimal("1.2"),
        rate_date=datetime.date(2026, 1, 1),
        provider="test",
    )
    body = owner_client.post(
        _add_url(cycle), _data(food, currency="EUR", amount="10"), **htmx_headers
    ).content.decode()
    assert "10.00 EUR" in body and "12.00 USD" in body


# -- the cycle page ----------------------------------------------------------------------------


def test_cycle_page_shows_totals_and_awaiting_rate_count(owner_client, cycle, food):
    ExpenseFactory(
        cycle=cycle, amount=Decimal("100.00"), status=Expense.Status.PAID, paid_on=cycle.start_date
    )
    ExpenseFactory(cycle=cycle, amount=Decimal("50.00"))
    ExpenseFactory(
        cycle=cycle,
        currency="JPY",
        amount=Decimal("500"),
        base_amount=None,
        rate=None,
        rate_source="",
    )
    ExpenseFactory(
        cycle=cycle,
        currency="EUR",
        amount=Decimal("5"),
        base_amount=None,
        rate=None,
        rate_source="",
    )
    response = owner_client.get(_detail(cycle))
    totals = response.context["totals"]
    assert (totals.planned, totals.paid, totals.remaining, totals.balance) == (
        Decimal("150.00"),
        Decimal("100.00"),
        Decimal("50.00"),
        Decimal("850.00"),
    )
    body = response.content.decode()
    assert "2 expenses await an exchange rate and are not in the totals" in body
    assert 'data-progress="10"' in body


def test_cycle_page_filters_and_sorts(owner_client, cycle, food, household, member, htmx_headers):
    fun = CategoryFactory(household=household, name="Fun")
    ExpenseFactory(
        cycle=cycle, description="Early food", category=food, date=datetime.date(2026, 1, 2)
    )
    ExpenseFactory(
        cycle=cycle,
        description="Late fun",
        category=fun,
        date=datetime.date(2026, 1, 20),
        created_by=member,
    )
    ExpenseFactory(
        cycle=cycle,
        description="Paid food",
        category=food,
        status=Expense.Status.PAID,
        paid_on=datetime.date(2026, 1, 3),
    )

    def rows(**params):
        response = owner_client.get(_detail(cycle), params, **htmx_headers)
        assert response.status_code == 200
        return [e.description for e in response.context["expenses"]]

    assert rows() == ["Early food", "Paid food", "Late fun"]
    assert rows(sort="-date") == ["Late fun", "Paid food", "Early food"]
    assert rows(category=fun.pk) == ["Late fun"]
    assert rows(status="paid") == ["Paid food"]
    assert rows(member=member.pk) == ["Late fun"]
    assert rows(category="nonsense") == ["Early food", "Paid food", "Late fun"]


def test_htmx_filter_returns_only_the_table(owner_client, cycle, htmx_headers):
    body = owner_client.get(_detail(cycle), {"status": "paid"}, **htmx_headers).content.decode()
    assert body.lstrip().startswith('<div id="expense-table">')
    assert "<html" not in body


def test_completed_cycle_page_is_read_only(owner_client, household, food):
    cycle = CycleFactory(household=household, status=Cycle.Status.COMPLETED)
    ExpenseFactory(cycle=cycle)
    body = owner_client.get(_detail(cycle)).content.decode()
    assert 'id="expense-add-row"' not in body
    assert "toggle-paid" not in body and "/edit/" not in body and "/delete/" not in body


@pytest.mark.parametrize("count", [5, 1000])
def test_cycle_page_runs_constant_queries(
    owner_client, cycle, food, owner, count, django_assert_max_num_queries
):
    Expense.objects.bulk_create(
        Expense(
            cycle=cycle,
            description=f"E{n}",
            amount=Decimal("1.00"),
            currency="USD",
            date=cycle.start_date,
            category=food,
            base_amount=Decimal("1.00"),
            rate=Decimal(1),
            rate_source="same",
            created_by=owner,
        )
        for n in range(count)
    )
    owner_client.get(_detail(cycle))  # warm: the session's idle expiry is refreshed hourly
    # 10, and who owes whom in the cycle (sharing: its shares and its settlements).
    with django_assert_max_num_queries(12):
        response = owner_client.get(_detail(cycle))
    assert response.context["totals"].expense_count == count


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


@pytest.mark.django_db(transaction=True)
def test_htmx_add_runs_at_most_18_queries(owner, household, htmx_headers):
    # Transactional, so what is counted is what production runs: session, user with its
    # membership, cycle, categories, payment methods, cycle lock, insert, budgets and totals
    # (categories with their budgets, trigger totals) — plus the BEGIN/COMMIT around the write.
    # Sharing adds seven: the members (offered as payers, reused by the balances), the
    # expense's split and shares (member ids, default split, two inserts) and who owes whom
    # out of band (shares, settlements).
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(owner)
    cycle = CycleFactory(household=household, start_date=datetime.date(2026, 1, 1))
    food = CategoryFactory(household=household, name="Food")
    client.get(_detail(cycle))  # warm: the session's idle expiry is refreshed hourly
    with CaptureQueriesContext(connection) as captured:
        response = client.post(_add_url(cycle), _data(food), **htmx_headers)
    assert response.status_code == 200
    queries = [q["sql"] for q in captured.captured_queries]
    data_queries = [sql for sql in queries if not sql.startswith(TRANSACTION_CONTROL)]
    assert len(data_queries) <= 16, "\n".join(data_queries)
    assert len(queries) <= 18


# -- edit, toggle, delete ----------------------------------------------------------------------


def test_htmx_edit_row_then_save_returns_row_and_totals(
    owner_client, cycle, food, htmx_headers, member
):
    expense = ExpenseFactory(
        cycle=cycle, category=food, description="Bread", date=datetime.date(2026, 1, 5)
    )
    url = reverse("cycles:expense_edit", args=[expense.pk])
    form = owner_client.get(url, **htmx_headers)
    assert form.status_code == 200
    assert 'value="Bread"' in form.content.decode()
    response = owner_client.post(
        url, _data(food, description="Sourdough", amount="7.00", date="2026-01-05"), **htmx_headers
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Sourdough" in body and 'hx-swap-oob="true"' in body
    expense.refresh_from_db()
    assert (expense.description, expense.base_amount) == ("Sourdough", Decimal("7.00"))


def test_invalid_edit_is_422_with_the_edit_row(owner_client, cycle, food, htmx_headers):
    expense = ExpenseFactory(cycle=cycle, category=food)
    response = owner_client.post(
        reverse("cycles:expense_edit", args=[expense.pk]), _data(food, amount="0"), **htmx_headers
    )
    assert response.status_code == 422
    assert f'id="expense-{expense.pk}" class="edit-row"' in response.content.decode()


def test_edit_without_js_is_the_page_with_the_row_in_edit_mode(owner_client, cycle, food):
    expense = ExpenseFactory(cycle=cycle, category=food)
    url = reverse("cycles:expense_edit", args=[expense.pk])
    page = owner_client.get(url)
    assert f'id="expense-{expense.pk}" class="edit-row"' in page.content.decode()
    invalid = owner_client.post(url, _data(food, description=" "))
    assert invalid.status_code == 422
    saved = owner_client.post(url, _data(food, description="Better"))
    assert saved.status_code == 302 and saved["Location"] == _detail(cycle)


def test_toggle_paid_with_one_click(owner_client, cycle, food, htmx_headers):
    expense = ExpenseFactory(cycle=cycle, category=food, amount=Decimal("40.00"))
    response = owner_client.post(
        reverse("cycles:expense_toggle_paid", args=[expense.pk]), **htmx_headers
    )
    assert response.status_code == 200
    assert 'data-total="paid">40.00 USD' in response.content.decode()
    expense.refresh_from_db()
    assert expense.is_paid and expense.paid_on


def test_delete_returns_only_totals(owner_client, cycle, food, htmx_headers):
    expense = ExpenseFactory(cycle=cycle, category=food)
    response = owner_client.post(
        reverse("cycles:expense_delete", args=[expense.pk]), **htmx_headers
    )
    assert response.status_code == 200
    assert 'id="cycle-totals"' in response.content.decode()
    assert not Expense.objects.exists()


def test_cancel_edit_returns_the_row(owner_client, cycle, food, htmx_headers):
    expense = ExpenseFactory(cycle=cycle, category=food, description="Bread")
    response = owner_client.get(reverse("cycles:expense_row", args=[expense.pk]), **htmx_headers)
    assert "Bread" in response.content.decode()


# -- completed cycles, strangers, anonymous ----------------------------------------------------


@pytest.fixture
def completed_expense(household, food):
    cycle = CycleFactory(household=household, status=Cycle.Status.COMPLETED)
    return ExpenseFactory(cycle=cycle, category=food)


@pytest.mark.parametrize("htmx", [False, True])
def test_every_write_on_completed_cycle_is_409_and_changes_nothing(
    owner_client, completed_expense, food, htmx
):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    before = list(Expense.objects.values())
    data = _data(food, date=str(completed_expense.date))
    responses = [
        owner_client.post(_add_url(completed_expense.cycle), data, **headers),
        owner_client.post(
            reverse("cycles:expense_edit", args=[completed_expense.pk]), data, **headers
        ),
        owner_client.post(
            reverse("cycles:expense_toggle_paid", args=[completed_expense.pk]), **headers
        ),
        owner_client.post(reverse("cycles:expense_delete", args=[completed_expense.pk]), **headers),
    ]
    assert [r.status_code for r in responses] == [409] * 4
    for response in responses:
        assert "completed" in response.content.decode()
        if htmx:
            assert response["HX-Retarget"] == "#messages"
    assert list(Expense.objects.values()) == before


EXPENSE_URLS = ["expense_row", "expense_edit", "expense_toggle_paid", "expense_delete"]


@pytest.mark.parametrize("name", EXPENSE_URLS)
def test_another_households_expense_is_404_and_unchanged(
    stranger_client, cycle, food, name, htmx_headers
):
    expense = ExpenseFactory(cycle=cycle, category=food)
    before = list(Expense.objects.values())
    url = reverse(f"cycles:{name}", args=[expense.pk])
    statuses = {
        stranger_client.get(url).status_code,
        stranger_client.post(url, _data(food)).status_code,
        stranger_client.post(url, _data(food), **htmx_headers).status_code,
    }
    assert statuses <= {404, 405} and 404 in statuses
    assert list(Expense.objects.values()) == before


def test_adding_to_another_households_cycle_is_404(stranger_client, cycle, food, htmx_headers):
    assert stranger_client.post(_add_url(cycle), _data(food)).status_code == 404
    assert stranger_client.post(_add_url(cycle), _data(food), **htmx_headers).status_code == 404
    assert stranger_client.get(_detail(cycle)).status_code == 404
    assert not Expense.objects.exists()


def test_anonymous_htmx_add_gets_hx_redirect_to_log_in(client, cycle, food, htmx_headers):
    response = client.post(_add_url(cycle), _data(food), **htmx_headers)
    assert response["HX-Redirect"].startswith(reverse("accounts:login"))
    assert client.post(_add_url(cycle), _data(food))["Location"].startswith(
        reverse("accounts:login")
    )
    assert not Expense.objects.exists()
