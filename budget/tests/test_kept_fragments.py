"""The cycle page keeps its empty add row, its income form and its filters rendered between
requests (colony/fragments.py, keys in budget/views/page.py): a kept fragment shows every change
to what it shows, never another household's, and never holds a CSRF token."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from jinja2 import Undefined

from colony import fragments
from cycles.models import Cycle
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, PaymentMethodFactory

pytestmark = pytest.mark.django_db

TOKEN_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')
TOKEN_HEADER = re.compile(r'"X-CSRFToken": "[^"]*"')


@pytest.fixture(autouse=True)
def no_kept_fragments():
    fragments.FRAGMENTS.clear()
    yield
    fragments.FRAGMENTS.clear()


@pytest.fixture
def choices(cycle):
    return (
        CategoryFactory(household=cycle.household, name="Food"),
        PaymentMethodFactory(household=cycle.household, name="Visa", last4="4242"),
    )


def _page(client, cycle, query: str = "") -> str:
    html = client.get(reverse("cycles:detail", args=[cycle.pk]) + query).content.decode()
    return TOKEN_HEADER.sub("", TOKEN_INPUT.sub("TOKEN", html))


def _fresh(client, cycle, query: str = "") -> str:
    """The page rendered with nothing kept."""
    fragments.FRAGMENTS.clear()
    html = _page(client, cycle, query)
    fragments.FRAGMENTS.clear()
    return html


def _kept(client, cycle, query: str = "") -> str:
    """The page rendered twice, the second time from what the first one kept."""
    _page(client, cycle, query)
    assert len(fragments.FRAGMENTS) == 3  # add row, income form, filters
    return _page(client, cycle, query)


def test_the_page_from_kept_fragments_is_the_page_rendered_afresh(owner_client, cycle, choices):
    assert _kept(owner_client, cycle) == _fresh(owner_client, cycle)
    for query in ("?status=paid", "?category=999999", "?member=abc&status=nope"):
        assert _kept(owner_client, cycle, query) == _fresh(owner_client, cycle, query), query


def _after(change, client, cycle) -> str:
    """The page kept before `change`, then rendered again after it (with what was kept)."""
    _kept(client, cycle)
    change()
    kept = _page(client, cycle)
    assert kept == _fresh(client, cycle)
    return kept


def test_kept_forms_show_a_renamed_or_new_category(owner_client, cycle, choices):
    category, _method = choices

    def rename():
        category.name = "Groceries"
        category.save()
        CategoryFactory(household=cycle.household, name="Pets")

    page = _after(rename, owner_client, cycle)
    assert ">Groceries</option>" in page and ">Pets</option>" in page


def test_kept_forms_drop_an_archived_category_from_the_add_row(owner_client, cycle, choices):
    category, _method = choices

    def archive():
        category.is_archived = True
        category.save()

    page = _after(archive, owner_client, cycle)
    add_row = page[
        page.index('id="expense-add-row"') : page.index("</tr>", page.index('id="expense-add-row"'))
    ]
    assert "Food" not in add_row


def test_kept_forms_show_a_renamed_or_retired_payment_method(owner_client, cycle, choices):
    _category, method = choices

    def rename():
        method.name = "Debit"
        method.last4 = "9999"
        method.save()

    assert "Debit ··9999" in _after(rename, owner_client, cycle)

    def retire():
        method.is_active = False
        method.save()

    _after(retire, owner_client, cycle)


def test_kept_forms_show_a_member_renamed(owner_client, cycle, owner):
    def rename():
        owner.first_name = "Olivia"
        owner.last_name = "Stone"
        owner.save()

    assert "Olivia Stone" in _after(rename, owner_client, cycle)


def test_kept_forms_follow_the_base_currency_and_the_cycle_dates(owner_client, cycle, household):
    def switch_currency():
        household.base_currency = "JPY"
        household.save()

    page = _after(switch_currency, owner_client, cycle)
    assert '<option value="JPY" selected>' in page

    def move_dates():
        Cycle.objects.filter(pk=cycle.pk).update(end_date=cycle.start_date + datetime.timedelta(9))

    page = _after(move_dates, owner_client, cycle)
    assert f'max="{(cycle.start_date + datetime.timedelta(9)).isoformat()}"' in page


def test_kept_forms_propose_the_new_day_when_the_date_changes(owner_client, cycle, monkeypatch):
    inside = cycle.start_date + datetime.timedelta(days=3)
    monkeypatch.setattr(timezone, "localdate", lambda *args: cycle.start_date)
    _kept(owner_client, cycle)
    monkeypatch.setattr(timezone, "localdate", lambda *args: inside)
    page = _page(owner_client, cycle)
    assert page == _fresh(owner_client, cycle)
    assert f'value="{inside.isoformat()}"' in page


def test_a_completed_cycle_keeps_no_add_forms(owner_client, cycle):
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.COMPLETED)
    page = _page(owner_client, cycle)
    assert 'id="expense-add-row"' not in page
    assert len(fragments.FRAGMENTS) == 1  # the filters only


def test_another_household_never_gets_our_kept_forms(
    owner_client, cycle, stranger_client, other_household
):
    CategoryFactory(household=cycle.household, name="Zanzibar tea")
    PaymentMethodFactory(household=cycle.household, name="Okapi card")
    theirs = Cycle.objects.create(
        household=other_household,
        name="Theirs",
        start_date=cycle.start_date,
        end_date=cycle.end_date,
        status=Cycle.Status.ACTIVE,
    )
    assert "Okapi card" in _kept(owner_client, cycle)
    page = _page(stranger_client, theirs)
    assert "Okapi" not in page and "Zanzibar" not in page
    assert reverse("cycles:expense_add", args=[theirs.pk]) in page
    assert reverse("cycles:expense_add", args=[cycle.pk]) not in page


def test_no_token_is_kept_and_each_visitor_posts_with_their_own(owner, member, cycle, choices):
    tokens = []
    for user in (owner, member, owner):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        html = client.get(reverse("cycles:detail", args=[cycle.pk])).content.decode()
        add_row = html[html.index('id="expense-add-row"') :]
        [token, *_] = TOKEN_INPUT.findall(add_row)
        tokens.append(token)
        response = client.post(
            reverse("cycles:expense_add", args=[cycle.pk]),
            {
                "csrfmiddlewaretoken": token,
                "description": f"Bread for {user.first_name}",
                "amount": "2.50",
                "currency": cycle.household.base_currency,
                "date": cycle.start_date.isoformat(),
                "category": choices[0].pk,
                "status": "planned",
            },
        )
        assert response.status_code in (200, 302)
    assert len(set(tokens)) == 3
    assert Expense.objects.filter(cycle=cycle, description__startswith="Bread for").count() == 3
    for html in fragments.FRAGMENTS.values():
        assert all(token == "" for token in TOKEN_INPUT.findall(html))


def test_a_fragment_mentioning_a_token_elsewhere_is_not_kept():
    html = (
        '<div hx-headers=\'{"X-CSRFToken": "abc"}\'>'
        '<input name="csrfmiddlewaretoken" value="abc"></div>'
    )
    assert fragments.kept(("k",), lambda: html, csrf_token=lambda: "new") == html
    assert len(fragments.FRAGMENTS) == 0


@pytest.mark.parametrize("key", [None, "", "key", ["k"], Undefined()])
def test_only_a_tuple_is_a_key(key):
    calls = []
    for _ in range(2):
        fragments.kept(key, lambda: calls.append(1) or "<p>", csrf_token=lambda: "t")
    assert len(calls) == 2 and len(fragments.FRAGMENTS) == 0


def test_kept_forms_follow_the_number_format_the_household_picked(owner_client, cycle, household):
    def pick_german_format():
        household.format_locale = "de_DE"
        household.save()

    _after(pick_german_format, owner_client, cycle)
    from formats.locales import active_locale

    assert active_locale in fragments.KEY_PARTS
