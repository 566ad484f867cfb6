"""Search across cycles: every criterion, the totals of all matches against hand-computed sums,
paging, bookmarkable URLs and the household boundary."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from budget.selectors.search import ExpenseSearch, search_expenses, search_totals
from cycles.tests.factories import CycleFactory
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(household, owner, member):
    first = CycleFactory(household=household, start_date=datetime.date(2026, 1, 1))
    second = CycleFactory(household=household, start_date=datetime.date(2026, 2, 13))
    food = CategoryFactory(household=household, name="Food")
    fun = CategoryFactory(household=household, name="Fun")
    card = PaymentMethodFactory(household=household, name="Visa")
    rows = {
        "bakery": ExpenseFactory(
            cycle=first,
            description="Bakery",
            amount=Decimal("12.50"),
            category=food,
            created_by=owner,
            date=datetime.date(2026, 1, 3),
        ),
        "market": ExpenseFactory(
            cycle=first,
            description="Farmers market",
            note="bread and cheese",
            amount=Decimal("40.00"),
            category=food,
            payment_method=card,
            created_by=member,
            status=Expense.Status.PAID,
            paid_on=datetime.date(2026, 1, 5),
            date=datetime.date(2026, 1, 5),
        ),
        "cinema": ExpenseFactory(
            cycle=second,
            description="Cinema",
            amount=Decimal("25.00"),
            category=fun,
            payment_method=card,
            created_by=owner,
            date=datetime.date(2026, 2, 20),
        ),
        "bread": ExpenseFactory(
            cycle=second,
            description="BREAD 100%_off",
            amount=Decimal("3.10"),
            category=food,
            created_by=owner,
            status=Expense.Status.SKIPPED,
            date=datetime.date(2026, 2, 21),
        ),
        "euro": ExpenseFactory(
            cycle=second,
            description="Bread in Paris",
            amount=Decimal("9.00"),
            currency="EUR",
            base_amount=None,
            rate=None,
            category=food,
            created_by=owner,
            date=datetime.date(2026, 2, 22),
        ),
    }
    return rows


def _found(household, **criteria):
    return {e.description for e in search_expenses(household, ExpenseSearch(**criteria))}


def test_text_matches_description_or_note_ignoring_case(household, data):
    assert _found(household, text="bread") == {"Farmers market", "BREAD 100%_off", "Bread in Paris"}
    assert _found(household, text="100%_") == {"BREAD 100%_off"}  # % and _ are literal
    assert _found(household, text="  farmers   MARKET ") == {"Farmers market"}


def test_each_criterion_narrows_the_matches(household, owner, data):
    assert _found(household, amount_min=Decimal("20"), amount_max=Decimal("30")) == {"Cinema"}
    assert _found(
        household, date_from=datetime.date(2026, 1, 4), date_to=datetime.date(2026, 2, 20)
    ) == {"Farmers market", "Cinema"}
    assert _found(household, category=data["cinema"].category_id) == {"Cinema"}
    assert _found(household, payment_method=data["cinema"].payment_method_id) == {
        "Farmers market",
        "Cinema",
    }
    assert _found(household, member=data["market"].created_by_id) == {"Farmers market"}
    assert _found(household, status="skipped") == {"BREAD 100%_off"}
    assert _found(household, text="b", category=data["bakery"].category_id, status="planned") == {
        "Bakery",
        "Bread in Paris",
    }


def test_totals_cover_every_match_in_the_base_currency(household, data):
    matches = search_expenses(household, ExpenseSearch(category=data["bakery"].category_id))
    totals = search_totals(household, matches)
    # Bakery 12.50 + market 40.00 (paid); the skipped bread and the awaiting euro count nowhere.
    assert (totals.count, totals.total, totals.paid, totals.planned, totals.awaiting_rate) == (
        4,
        Decimal("52.50"),
        Decimal("40.00"),
        Decimal("12.50"),
        1,
    )


@pytest.mark.parametrize(
    "criteria",
    [
        {},
        {"status": "paid"},
        {"status": "skipped"},
        {"status": "planned"},
        {"category": "bakery"},
        {"category": "bakery", "status": "planned"},
    ],
)
def test_kept_totals_equal_the_totals_over_the_matches(household, other_household, data, criteria):
    """Without text, amounts, dates or a member, the totals come from the trigger totals (a few
    rows per cycle, not the household's whole history) and are exactly the matches' totals."""
    ExpenseFactory(cycle=CycleFactory(household=other_household), description="Not ours")
    if "category" in criteria:
        criteria = {**criteria, "category": data[criteria["category"]].category_id}
    search = ExpenseSearch(**criteria)
    matches = search_expenses(household, search)
    assert search_totals(household, matches, search) == search_totals(household, matches)


def test_another_households_expenses_are_never_found(household, other_household, data):
    ExpenseFactory(cycle=CycleFactory(household=other_household), description="Bakery secret")
    assert _found(household, text="secret") == set()


def test_search_page_is_a_bookmarkable_get_with_totals(owner_client, data):
    url = reverse("cycles:search")
    response = owner_client.get(url, {"q": "bread", "status": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert "3 expenses found" in body
    assert 'data-search="total">40.00 USD' in body
    assert 'value="bread"' in body


def test_search_pages_through_many_matches(owner_client, household, data):
    cycle = CycleFactory(household=household, start_date=datetime.date(2026, 4, 1))
    for day in range(45):
        ExpenseFactory(
            cycle=cycle, description=f"Coffee {day}", date=cycle.start_date, amount=Decimal("2")
        )
    url = reverse("cycles:search")
    first = owner_client.get(url, {"q": "coffee"}).content.decode()
    assert "45 expenses found" in first and "Page 1 of 2" in first
    assert 'data-search="total">90.00 USD' in first
    second = owner_client.get(url, {"q": "coffee", "page": "2"}).content.decode()
    assert second.count('id="search-expense-') == 5
    assert owner_client.get(url, {"q": "coffee", "page": "x"}).status_code == 200
    assert owner_client.get(url, {"q": "coffee", "page": "999"}).status_code == 200


def test_bad_criteria_are_field_errors_not_500(owner_client, data):
    url = reverse("cycles:search")
    response = owner_client.get(
        url,
        {"amount_min": "NaN", "amount_max": "1e999999", "date_from": "soon", "category": "x"},
    )
    assert response.status_code == 200
    response = owner_client.get(url, {"amount_min": "5", "amount_max": "1"})
    assert "The upper amount is below the lower one." in response.content.decode()
    response = owner_client.get(url, {"q": "x" * 5000})
    assert response.status_code == 200


def test_search_runs_constant_queries(owner_client, household, data, django_assert_max_num_queries):
    url = reverse("cycles:search")
    owner_client.get(url)
    with django_assert_max_num_queries(8):
        assert owner_client.get(url, {"q": "bread", "category": "1"}).status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram index is PostgreSQL's")
def test_the_trigram_indexes_exist_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'expenses_expense' "
            "AND indexname LIKE '%%_trgm'"
        )
        names = {row[0] for row in cursor.fetchall()}
    assert names == {"expenses_expense_description_trgm", "expenses_expense_note_trgm"}


def test_an_empty_search_sums_the_kept_totals_not_every_expense(
    household, data, django_assert_num_queries
):
    search = ExpenseSearch()
    matches = search_expenses(household, search)
    with django_assert_num_queries(1) as captured:
        search_totals(household, matches, search)
    (query,) = captured.captured_queries
    assert '"expenses_expensetotal"' in query["sql"]
    assert '"expenses_expense"' not in query["sql"]


def test_a_search_result_links_to_the_expense_itself(owner_client, data):
    cinema = data["cinema"]
    html = owner_client.get(reverse("cycles:search"), {"q": "cinema"}).content.decode()
    link = f'href="/expenses/{cinema.pk}/#expense-{cinema.pk}">Cinema</a>'
    assert link in html


def test_the_expenses_link_opens_its_cycle_page_starting_with_its_row(owner_client, household):
    cycle = CycleFactory(household=household, start_date=datetime.date(2026, 3, 1))
    food = CategoryFactory(household=household, name="Food")
    rows = [
        ExpenseFactory(
            cycle=cycle,
            description=f"Row {n}",
            category=food,
            date=cycle.start_date + datetime.timedelta(days=n % 40),
        )
        for n in range(60)
    ]
    wanted = max(rows, key=lambda row: (row.date, row.pk))  # the last row: past the first 50
    page = owner_client.get(reverse("cycles:expense_row", args=[wanted.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert page.context["cycle"] == cycle
    # The table starts with the expense (so the #expense-<id> anchor finds it), not with the
    # cycle's first 50 rows.
    first_row = re.search(r'<tr id="expense-(\d+)"', html).group(1)
    assert int(first_row) == wanted.pk
    assert f'id="expense-{wanted.pk}"' in html


def test_another_households_expense_link_is_404(stranger_client, data):
    response = stranger_client.get(reverse("cycles:expense_row", args=[data["cinema"].pk]))
    assert response.status_code == 404
