"""The Balances page, who owes whom on the cycle page and the dashboard, and the Settle up
action, in place over HTMX (the page then equals a reload) and as a plain post."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import make_viewer
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses import services as expense_services
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory
from sharing.models import HouseholdSplit, Settlement
from sharing.services import SplitChoice
from tests.races import logged_in

pytestmark = pytest.mark.django_db

BALANCES = "/balances/"


@pytest.fixture
def cycle(household):
    return CycleFactory(household=household, status=Cycle.Status.ACTIVE)


@pytest.fixture
def owed(cycle, owner, member):
    """Olive paid 100.00 for both: Max owes her 50.00."""
    return expense_services.add_expense(
        cycle=cycle,
        created_by=owner,
        description="Groceries",
        amount=Decimal("100.00"),
        currency=cycle.household.base_currency,
        date=cycle.start_date,
        category=CategoryFactory(household=cycle.household, name="Food"),
        status=Expense.Status.PAID,
    )


def owes(owner, member, amount: str) -> str:
    return f"{member.display_name} owes {owner.display_name} {amount}".strip()


def unmasked(html: str) -> str:
    """The markup without its CSRF tokens, masked anew on every render."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", html)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def balances_block(html: str) -> str:
    start = html.index('<div id="balances">')
    return html[start : html.index("</main>", start) if "</main>" in html else None]


def settle_post(owner, member, balance="-50.00", **extra):
    return {
        "from_user": member.pk,
        "to_user": owner.pk,
        "amount": "50.00",
        "balance": balance,
        "back": "balances",
        **extra,
    }


def test_balances_page_shows_each_member_and_who_owes_whom(owner_client, owed, owner, member):
    page = owner_client.get(BALANCES).content.decode()
    words = text(page)
    cur = owed.currency
    assert owner.display_name.startswith("Olive")
    assert f"{member.display_name} owes {owner.display_name} 50.00 {cur}" in words
    assert "Settle up" in words
    assert "Groceries" in words  # the history of shared expenses


def test_settling_in_place_swaps_the_same_markup_a_reload_shows(
    member_client, owed, owner, member, htmx_headers
):
    swapped = member_client.post(
        reverse("sharing:settle"), settle_post(owner, member), **htmx_headers
    )
    assert swapped.status_code == 200
    fragment = swapped.content.decode()
    assert "Everyone is even." in fragment
    reloaded = member_client.get(BALANCES).content.decode()
    assert unmasked(fragment).strip() in unmasked(reloaded)
    settlement = Settlement.objects.get()
    assert (settlement.from_user, settlement.to_user, settlement.amount) == (
        member,
        owner,
        Decimal("50.00"),
    )
    assert settlement.settled_balance == Decimal("-50.00")


def test_settling_from_a_stale_page_is_409_and_records_nothing_twice(
    member_client, owner_client, owed, owner, member, htmx_headers
):
    assert (
        owner_client.post(reverse("sharing:settle"), settle_post(owner, member)).status_code == 302
    )
    again = member_client.post(
        reverse("sharing:settle"), settle_post(owner, member), **htmx_headers
    )
    assert again.status_code == 409
    assert "balance changed" in again.content.decode()
    assert Settlement.objects.count() == 1


def test_a_malformed_settle_up_is_422(member_client, owed, owner, member):
    response = member_client.post(reverse("sharing:settle"), settle_post(owner, member, amount="x"))
    assert response.status_code == 422
    assert not Settlement.objects.exists()


def test_viewers_see_balances_without_settle_up_and_cannot_post(household, owed, owner, member):
    viewer = logged_in(make_viewer(household))
    page = viewer.get(BALANCES).content.decode()
    assert owes(owner, member, "") in text(page)
    assert (
        "Settle up</button>" not in page and "Settle up" not in text(page).split("Settle up", 1)[1]
    )
    assert viewer.post(reverse("sharing:settle"), settle_post(owner, member)).status_code == 403
    assert not Settlement.objects.exists()


def test_cycle_page_and_dashboard_say_who_owes_whom(owner_client, owed, cycle, owner, member):
    cycle_page = text(owner_client.get(cycle.get_absolute_url()).content.decode())
    assert "Who owes whom" in cycle_page and owes(owner, member, "50.00") in cycle_page
    dashboard = text(owner_client.get("/").content.decode())
    assert owes(owner, member, "50.00") in dashboard


def test_settling_from_the_cycle_page_returns_to_it(member_client, owed, owner, member, cycle):
    response = member_client.post(
        reverse("sharing:settle"), settle_post(owner, member, cycle=cycle.pk, back="cycle")
    )
    assert response.status_code == 302 and response["Location"] == cycle.get_absolute_url()
    assert Settlement.objects.get().cycle == cycle
    page = text(member_client.get(cycle.get_absolute_url()).content.decode())
    assert "Everyone is even." in page


def test_paying_on_the_cycle_page_updates_who_owes_whom_out_of_band(
    member_client, cycle, owner, member, htmx_headers
):
    expense = expense_services.add_expense(
        cycle=cycle,
        created_by=owner,
        description="Rent",
        amount=Decimal("80.00"),
        currency=cycle.household.base_currency,
        date=cycle.start_date,
        category=CategoryFactory(household=cycle.household, name="Food"),
    )
    response = member_client.post(
        reverse("cycles:expense_toggle_paid", args=[expense.pk]),
        {"version": expense.version},
        **htmx_headers,
    )
    assert response.status_code == 200, response.content
    body = response.content.decode()
    assert 'id="cycle-balances"' in body and owes(owner, member, "40.00") in text(body)


def test_deleting_a_settlement_brings_the_debt_back(
    member_client, owed, owner, member, htmx_headers
):
    member_client.post(reverse("sharing:settle"), settle_post(owner, member))
    settlement = Settlement.objects.get()
    response = member_client.post(
        reverse("sharing:settlement_delete", args=[settlement.pk]), **htmx_headers
    )
    assert response.status_code == 200
    assert owes(owner, member, "50.00") in text(response.content.decode())
    assert not Settlement.objects.exists()


def test_an_owner_sets_the_default_split_and_a_member_may_not(
    owner_client, member_client, household, owner, member, htmx_headers
):
    data = {"kind": "shares", f"weight_{owner.pk}": "2", f"weight_{member.pk}": "1"}
    response = owner_client.post(reverse("sharing:default_split"), data, **htmx_headers)
    assert response.status_code == 200
    assert "split by shares" in text(response.content.decode())
    stored = HouseholdSplit.objects.get(household=household)
    assert (stored.kind, stored.weights) == ("shares", {str(owner.pk): "2", str(member.pk): "1"})
    refused = member_client.post(reverse("sharing:default_split"), {"kind": "equal"})
    assert refused.status_code == 403
    assert HouseholdSplit.objects.get(household=household).kind == "shares"


def test_another_households_settlement_is_404(stranger_client, owed, owner, member):
    settlement = Settlement.objects.create(
        household=owed.cycle.household,
        from_user=member,
        to_user=owner,
        amount=Decimal("1.00"),
        currency=owed.currency,
        date=owed.date,
    )
    response = stranger_client.post(reverse("sharing:settlement_delete", args=[settlement.pk]))
    assert response.status_code == 404
    assert Settlement.objects.filter(pk=settlement.pk).exists()


def add_row_data(cycle, **extra):
    return {
        "date": cycle.start_date.isoformat(),
        "description": "Cinema",
        "category": str(CategoryFactory(household=cycle.household, name="Fun").pk),
        "payment_method": "",
        "amount": "30.00",
        "currency": cycle.household.base_currency,
        "status": "paid",
        "note": "",
        **extra,
    }


def test_the_add_row_names_the_payer_and_split_and_keeps_them_for_the_next(
    owner_client, cycle, owner, member, htmx_headers
):
    response = owner_client.post(
        reverse("cycles:expense_add", args=[cycle.pk]),
        add_row_data(cycle, paid_by=str(member.pk), split="personal"),
        **htmx_headers,
    )
    assert response.status_code == 200, response.content
    expense = Expense.objects.get(description="Cinema")
    assert expense.paid_by == member
    assert expense.split.kind == "personal" and not expense.shares.exists()
    body = response.content.decode()
    # The next add row keeps the payer and split, highlighted as carried over.
    assert re.search(rf'<option value="{member.pk}" selected>', body)
    assert re.search(r'<option value="personal" selected>', body)
    assert "paid by" in text(body) and "for" in text(body)


def test_the_edit_row_changes_the_payer_and_split(owner_client, owed, owner, member, htmx_headers):
    response = owner_client.post(
        reverse("cycles:expense_edit", args=[owed.pk]),
        add_row_data(
            owed.cycle,
            description="Groceries",
            amount="100.00",
            paid_by=str(member.pk),
            split="equal",
            version=str(owed.version),
        ),
        **htmx_headers,
    )
    assert response.status_code == 200, response.content
    owed.refresh_from_db()
    assert owed.paid_by == member
    balances = text(response.content.decode())
    assert owes(member, owner, "50.00") in balances  # now Olive owes Max


def test_the_cycle_report_shows_paid_share_and_personal_spending_by_member(
    owner_client, owed, cycle, owner, member
):
    expense_services.add_expense(
        cycle=cycle,
        created_by=member,
        description="Haircut",
        amount=Decimal("20.00"),
        currency=cycle.household.base_currency,
        date=cycle.start_date,
        category=CategoryFactory(household=cycle.household, name="Food"),
        status=Expense.Status.PAID,
        split=SplitChoice(kind="personal"),
    )
    page = owner_client.get(reverse("reports:cycle", args=[cycle.pk])).content.decode()
    card = text(page[page.index('id="member-spending"') :].split("</section>")[0])
    assert f"{owner.display_name} 100.00" in card and "50.00" in card
    assert f"{member.display_name} 0.00" in card and "20.00" in card


def test_the_history_says_when_an_income_split_fell_back_to_equal(
    owner_client, cycle, owner, member
):
    expense_services.add_expense(
        cycle=cycle,
        created_by=owner,
        description="Internet",
        amount=Decimal("40.00"),
        currency=cycle.household.base_currency,
        date=cycle.start_date,
        category=CategoryFactory(household=cycle.household, name="Food"),
        status=Expense.Status.PAID,
        split=SplitChoice(kind="income"),
    )
    history = text(owner_client.get(BALANCES).content.decode()).split("Shared expenses", 1)[1]
    assert "By income (nobody's income known: equally)" in history
    assert f"{owner.display_name} 20.00" in history and f"{member.display_name} 20.00" in history
