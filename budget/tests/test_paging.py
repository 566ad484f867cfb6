"""The cycle page shows its expenses a page at a time: the first page, then "show more" rows
over HTMX (or a plain link without JS), with the totals always over every expense."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses.models import Category, Expense
from expenses.selectors import EXPENSES_PER_PAGE
from expenses.templating import ROW_ACTIONS, expense_links
from expenses.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 1, 1)
ROW_ID = re.compile(r'<tr id="expense-(\d+)"')


@pytest.fixture
def cycle(household):
    return CycleFactory(
        household=household,
        start_date=START,
        income=Decimal("100000.00"),
        status=Cycle.Status.ACTIVE,
    )


@pytest.fixture
def food(household):
    return CategoryFactory(household=household, name="Food")


def _add(cycle, category, user, count, *, description="E", status=Expense.Status.PLANNED):
    """`count` expenses of 1.00 over the cycle's first 40 days (several on each day)."""
    Expense.objects.bulk_create(
        Expense(
            cycle=cycle,
            description=f"{description}{n}",
            amount=Decimal("1.00"),
            planned_amount=Decimal("1.00"),
            currency="USD",
            date=START + datetime.timedelta(days=n % 40),
            category=category,
            status=status,
            paid_on=START if status == Expense.Status.PAID else None,
            base_amount=Decimal("1.00"),
            rate=Decimal(1),
            rate_source="same",
            created_by=user,
        )
        for n in range(count)
    )


def _detail(cycle):
    return reverse("cycles:detail", args=[cycle.pk])


def _row_ids(body: str) -> list[int]:
    return [int(pk) for pk in ROW_ID.findall(body)]


def _more_link(body: str) -> str:
    """The "show more" row's hx-get URL (the same as its href)."""
    match = re.search(r'<a href="([^"]+)"\s+hx-get="([^"]+)"[^>]*data-show-more', body)
    assert match, "no show-more link"
    assert match.group(1) == match.group(2)
    return match.group(1).replace("&amp;", "&")


def _in_table_order(sort="date", **filters):
    expenses = Expense.objects.filter(**filters)
    order = ("-date", "-id") if sort == "-date" else ("date", "id")
    return list(expenses.order_by(*order).values_list("pk", flat=True))


def test_first_page_shows_one_page_of_rows_and_says_how_many(owner_client, cycle, food, owner):
    _add(cycle, food, owner, 1000)
    response = owner_client.get(_detail(cycle))
    body = response.content.decode()
    assert response.status_code == 200
    assert _row_ids(body) == _in_table_order()[:EXPENSES_PER_PAGE]
    assert f"Showing {EXPENSES_PER_PAGE} of 1,000 expenses" in body
    assert f"Show {EXPENSES_PER_PAGE} more" in body
    # The totals still cover every expense.
    assert response.context["totals"].expense_count == 1000
    assert 'data-total="planned">1,000.00 USD' in body
    # The add row comes first (reached by "n" or "Add expense"), the show-more row last.
    assert body.index('id="expense-add-row"') < body.index('id="expense-more"')


def test_a_short_cycle_has_no_show_more_row(owner_client, cycle, food, owner):
    _add(cycle, food, owner, 3)
    body = owner_client.get(_detail(cycle)).content.decode()
    assert len(_row_ids(body)) == 3
    assert 'id="expense-more"' not in body and "Showing" not in body


def test_show_more_over_htmx_returns_the_next_rows_and_a_new_show_more_row(
    owner_client, cycle, food, owner, htmx_headers
):
    total = 2 * EXPENSES_PER_PAGE + 50
    _add(cycle, food, owner, total)
    order = _in_table_order()
    first = owner_client.get(_detail(cycle)).content.decode()
    second = owner_client.get(_more_link(first), **htmx_headers)
    body = second.content.decode()
    assert second.status_code == 200
    assert "<html" not in body and 'id="expense-table"' not in body
    assert _row_ids(body) == order[EXPENSES_PER_PAGE : 2 * EXPENSES_PER_PAGE]
    assert body.count('id="expense-more"') == 1
    assert f"Showing {2 * EXPENSES_PER_PAGE} of {total} expenses" in body
    assert "Show 50 more" in body

    last = owner_client.get(_more_link(body), **htmx_headers).content.decode()
    assert _row_ids(last) == order[2 * EXPENSES_PER_PAGE :]
    assert 'id="expense-more"' not in last


def test_show_more_keeps_the_filters_and_the_sort(
    owner_client, cycle, food, household, owner, htmx_headers
):
    fun = CategoryFactory(household=household, name="Fun")
    _add(cycle, food, owner, EXPENSES_PER_PAGE + 20, description="Food ")
    _add(cycle, fun, owner, EXPENSES_PER_PAGE + 50, description="Fun ")
    params = {"category": fun.pk, "sort": "-date"}
    first = owner_client.get(_detail(cycle), params, **htmx_headers).content.decode()
    order = _in_table_order(sort="-date", category=fun)
    assert _row_ids(first) == order[:EXPENSES_PER_PAGE]
    assert f"Showing {EXPENSES_PER_PAGE} of {EXPENSES_PER_PAGE + 50} expenses" in first
    link = _more_link(first)
    assert f"category={fun.pk}" in link and "sort=-date" in link
    more = owner_client.get(link, **htmx_headers).content.decode()
    assert _row_ids(more) == order[EXPENSES_PER_PAGE:]
    assert "Food " not in more and 'id="expense-more"' not in more


def test_show_more_without_js_is_the_full_page_with_the_next_rows(owner_client, cycle, food, owner):
    total = EXPENSES_PER_PAGE + 50
    _add(cycle, food, owner, total)
    order = _in_table_order()
    first = owner_client.get(_detail(cycle)).content.decode()
    response = owner_client.get(_more_link(first))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="cycle-totals"' in body and 'id="expense-add-row"' in body
    assert _row_ids(body) == order[EXPENSES_PER_PAGE:]
    assert f"Showing {EXPENSES_PER_PAGE + 1}–{total} of {total} expenses" in body
    assert "Back to the first expenses" in body


def test_rows_added_or_deleted_since_the_first_page_do_not_shift_the_next_one(
    owner_client, cycle, food, owner, htmx_headers
):
    _add(cycle, food, owner, EXPENSES_PER_PAGE + 50)
    order = _in_table_order()
    first = owner_client.get(_detail(cycle)).content.decode()
    # A row of the first page is deleted and one is added (it is already in the table, above
    # the add row): the next page neither skips a row nor shows the new one again.
    Expense.objects.filter(pk=order[0]).delete()
    _add(cycle, food, owner, 1, description="Added later ")
    more = owner_client.get(_more_link(first), **htmx_headers).content.decode()
    assert _row_ids(more) == order[EXPENSES_PER_PAGE:]
    assert "Added later" not in more


def test_sorting_starts_again_from_the_first_page(owner_client, cycle, food, owner):
    _add(cycle, food, owner, 150)
    first = owner_client.get(_detail(cycle)).content.decode()
    page_two = owner_client.get(_more_link(first)).content.decode()
    sort_link = re.search(r'<th>\s*<a href="([^"]+)"', page_two)
    assert sort_link and "after=" not in sort_link.group(1) and "upto=" not in sort_link.group(1)


def test_a_row_edited_without_js_past_the_first_page_is_shown_in_edit_mode(
    owner_client, cycle, food, owner
):
    total = EXPENSES_PER_PAGE + 50
    _add(cycle, food, owner, total)
    late = Expense.objects.get(pk=_in_table_order()[EXPENSES_PER_PAGE + 20])
    body = owner_client.get(reverse("cycles:expense_edit", args=[late.pk])).content.decode()
    assert f'id="expense-{late.pk}" class="edit-row"' in body
    assert f"Showing {EXPENSES_PER_PAGE + 21}–{total} of {total} expenses" in body


def test_htmx_add_returns_the_add_row_then_the_new_row_with_oob_totals(
    owner_client, cycle, food, owner, htmx_headers
):
    _add(cycle, food, owner, 150)
    response = owner_client.post(
        reverse("cycles:expense_add", args=[cycle.pk]),
        {
            "date": "2026-01-10",
            "description": "Groceries",
            "category": str(food.pk),
            "amount": "12.50",
            "currency": "USD",
            "status": "planned",
        },
        **htmx_headers,
    )
    body = response.content.decode()
    added = Expense.objects.get(description="Groceries")
    assert response.status_code == 200
    # The fresh add row replaces the old one, the new expense right under it.
    assert body.index('id="expense-add-row"') < body.index(f'id="expense-{added.pk}"')
    assert 'data-total="planned">162.50 USD' in body


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999"},
        {"after": "abc"},
        {"after": "-1"},
        {"after": "2026-13-45_1"},
        {"after": "2026-01-05_-3"},
        {"after": "2026-01-05_99999999999999999999999"},
        {"after": "9999-12-31_1"},
        {"after": "2026-01-05_1", "upto": "abc"},
        {"after": "2026-01-05_1", "upto": "-1"},
        {"after": "2026-01-05_1", "upto": "99999999999999999999999"},
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_paging_values_never_fail(owner_client, cycle, food, owner, params, htmx):
    _add(cycle, food, owner, 120)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = owner_client.get(_detail(cycle), params, **headers)
    assert response.status_code == 200


def test_a_stranger_gets_404_with_paging_params(stranger_client, cycle, food, owner, htmx_headers):
    _add(cycle, food, owner, 120)
    params = {"after": "2026-01-05_1", "upto": "999999", "page": "2"}
    assert stranger_client.get(_detail(cycle), params).status_code == 404
    assert stranger_client.get(_detail(cycle), params, **htmx_headers).status_code == 404


@pytest.mark.parametrize("count", [5, 1000])
@pytest.mark.parametrize("htmx", [False, True])
def test_first_and_next_pages_run_constant_queries(
    owner_client, cycle, food, owner, member, count, htmx, django_assert_max_num_queries
):
    _add(cycle, food, owner, count)
    # Rows added or changed by another member (or one who has since left) cost no query each.
    Expense.objects.filter(pk__in=_in_table_order()[:3]).update(updated_by=member)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    owner_client.get(_detail(cycle))  # warm: the session's idle expiry is refreshed hourly
    with django_assert_max_num_queries(10):
        first = owner_client.get(_detail(cycle), **headers)
    assert first.status_code == 200
    if count > EXPENSES_PER_PAGE:
        # A later page counts its rows apart (one query more than the first page's 10).
        with django_assert_max_num_queries(11):
            more = owner_client.get(_more_link(first.content.decode()), **headers)
        assert len(_row_ids(more.content.decode())) == EXPENSES_PER_PAGE


def test_rows_of_a_former_member_show_who_added_them_in_one_query(
    owner_client, cycle, food, member, django_assert_max_num_queries
):
    _add(cycle, food, member, 30)
    member.membership.delete()
    owner_client.get(_detail(cycle))  # warm: the session's idle expiry is refreshed hourly
    # The cycle page's 10, and one for every user no longer in the household.
    with django_assert_max_num_queries(11):
        body = owner_client.get(_detail(cycle)).content.decode()
    assert body.count(f"<td>{member.first_name or member.email}</td>") == 30


def test_row_links_are_what_reverse_gives():
    links = expense_links(4321)
    assert links == {action: reverse(name, args=[4321]) for action, name in ROW_ACTIONS.items()}


def test_unused_categories_do_not_matter_to_the_rows(owner_client, cycle, food, owner):
    _add(cycle, food, owner, 2)
    Category.objects.create(household=cycle.household, name="Unused", is_archived=True)
    body = owner_client.get(_detail(cycle)).content.decode()
    assert body.count("<td>Food</td>") == 2
