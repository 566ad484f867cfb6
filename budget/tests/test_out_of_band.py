"""The cycle page's answers carry their out-of-band fragments inside a <template>: an answer
whose main content is a <tr> is parsed as table content, where a <section> is not allowed and
was torn apart into the expense table (issue 23). The browser proof is
tests/test_browser_page_whole.py; this is the fast guard on the markup."""

import datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from expenses.models import Expense
from expenses.tests.factories import ExpenseFactory
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


class OutOfBand(HTMLParser):
    """The out-of-band elements of an answer, each with whether a <template> holds it."""

    def __init__(self):
        super().__init__()
        self.templates = 0
        self.found: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "template":
            self.templates += 1
        if "hx-swap-oob" in attrs:
            self.found.append((attrs.get("id", tag), self.templates > 0))

    def handle_endtag(self, tag):
        if tag == "template":
            self.templates -= 1


def _out_of_band(response) -> list[tuple[str, bool]]:
    parser = OutOfBand()
    parser.feed(response.content.decode())
    return parser.found


@pytest.fixture
def gym(cycle):
    template = ExpenseTemplateFactory(household=cycle.household, name="Gym")
    return ExpenseFactory(
        cycle=cycle,
        description="Gym",
        amount=Decimal("40.00"),
        category=template.category,
        template=template,
        occurrence_date=datetime.date(2026, 1, 3),
    )


def _row_actions(cycle, gym):
    version = {"version": str(gym.version)}
    return {
        "add": (
            reverse("cycles:expense_add", args=[cycle.pk]),
            {
                "description": "Coffee",
                "amount": "4.50",
                "currency": "USD",
                "category": str(gym.category_id),
                "date": "2026-01-05",
                "status": "planned",
            },
        ),
        "pay": (reverse("cycles:expense_toggle_paid", args=[gym.pk]), {**version, "amount": "41"}),
        "skip": (reverse("cycles:expense_skip", args=[gym.pk]), version),
        "delete": (reverse("cycles:expense_delete", args=[gym.pk]), version),
        "stale": (reverse("cycles:expense_skip", args=[gym.pk]), {"version": "99"}),
    }


@pytest.mark.parametrize("action", ["add", "pay", "skip", "delete", "stale"])
def test_a_row_answer_sends_its_panels_out_of_band_inside_a_template(
    owner_client, cycle, gym, action
):
    url, data = _row_actions(cycle, gym)[action]
    response = owner_client.post(url, data, **HTMX)
    assert response.status_code == (409 if action == "stale" else 200)
    found = _out_of_band(response)
    ids = [element for element, _held in found]
    assert "cycle-totals" in ids and "cycle-budgets" in ids
    assert len(ids) == len(set(ids))
    assert all(held for _element, held in found), found


def test_an_income_answer_sends_its_panels_out_of_band_inside_a_template(owner_client, cycle):
    response = owner_client.post(
        reverse("cycles:income_add", args=[cycle.pk]),
        {"description": "Bonus", "amount": "250", "currency": "USD", "expected_date": "2026-01-05"},
        **HTMX,
    )
    assert response.status_code == 200
    found = _out_of_band(response)
    assert {"cycle-totals", "cycle-budgets"} <= {element for element, _held in found}
    assert all(held for _element, held in found), found


def test_a_paid_row_answer_keeps_the_row_first(owner_client, cycle, gym):
    """The row stays the answer's main content: htmx swaps it for the old row."""
    response = owner_client.post(
        reverse("cycles:expense_toggle_paid", args=[gym.pk]),
        {"version": str(gym.version), "amount": "41"},
        **HTMX,
    )
    assert response.content.decode().lstrip().startswith(f'<tr id="expense-{gym.pk}"')
    assert Expense.objects.get(pk=gym.pk).status == Expense.Status.PAID


def test_a_row_answer_announces_the_totals_and_only_the_changed_category(owner_client, cycle, gym):
    """The budget panel is swapped whole but is no live region (a screen reader would read the
    whole table): the totals announcement says the totals and the changed category's line."""
    url, data = _row_actions(cycle, gym)["pay"]
    response = owner_client.post(url, data, **HTMX)
    body = response.content.decode()
    announcement = body.split('id="totals-announcement"')[1].split("</div>")[0]
    category = gym.category.name
    assert "Totals now: planned" in announcement
    assert f"{category}: " in announcement and " available" in announcement
    assert announcement.count("available") == 1  # that category only
    budgets = body.split('id="cycle-budgets"')[1].split(">")[0]
    assert "aria-live" not in budgets
    gym.refresh_from_db()
    assert gym.status == Expense.Status.PAID and gym.amount == Decimal("41")
    page = owner_client.get(reverse("cycles:detail", args=[cycle.pk])).content.decode()
    assert page.count('aria-live="polite"') == 2  # the messages and the totals announcement
