"""Two members on two sessions: one pays a shared expense on the cycle page, the other sees
what they owe on the Balances page and settles it in place, and both then see zero."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import HouseholdFactory, make_member, make_owner
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses.tests.factories import CategoryFactory
from sharing.models import Settlement

from .conftest import log_in, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def session(chromium):
    browser, base_url = chromium
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "response",
        lambda response: response.status >= 500 and problems.append(f"{response.status}"),
    )
    return context, page, problems


def squashed(page, selector: str) -> str:
    return " ".join(page.locator(selector).inner_text().split())


def test_one_pays_the_other_sees_the_debt_settles_and_both_see_zero(chromium):
    home = HouseholdFactory(name="Flat", base_currency="EUR")
    alex = make_owner(home, email="alex@example.com", first_name="Alex", last_name="Stone")
    kim = make_member(home, email="kim@example.com", first_name="Kim", last_name="Lee")
    today = timezone.localdate()
    cycle = CycleFactory(
        household=home,
        start_date=today - datetime.timedelta(days=3),
        end_date=today + datetime.timedelta(days=30),
        status=Cycle.Status.ACTIVE,
    )
    CategoryFactory(household=home, name="Food")
    alex_context, alex_page, alex_problems = session(chromium)
    kim_context, kim_page, kim_problems = session(chromium)
    try:
        # Alex pays 66.66 for the household's groceries on the cycle page.
        log_in(alex_page, cycle.get_absolute_url(), email=alex.email)
        alex_page.fill("#expense-add-form-description", "Groceries")
        alex_page.fill("#expense-add-form-amount", "66.66")
        alex_page.select_option("#expense-add-form-category", label="Food")
        alex_page.select_option("#expense-add-form-status", value="paid")
        alex_page.locator("#expense-add-row button[type=submit]").click()
        # Who owes whom comes back out of band with the new row.
        wait_until(alex_page, "document.querySelector('#cycle-balances [data-transfer]')")
        card = squashed(alex_page, "#cycle-balances")
        assert "Kim Lee owes Alex Stone" in card and "33.33" in card

        # Kim, on their own session, sees what they owe and settles it in place.
        log_in(kim_page, "/balances/", email=kim.email)
        plan = squashed(kim_page, "#balances")
        assert "Kim Lee owes Alex Stone" in plan and "33.33" in plan
        kim_page.get_by_role("button", name="Settle up").first.click()
        wait_until(kim_page, "document.querySelector('[data-settled]') !== null")
        assert "Everyone is even." in squashed(kim_page, "#balances")
        balances = [
            " ".join(cell.split())
            for cell in kim_page.locator("#member-balances [data-balance]").all_inner_texts()
        ]
        assert all("0.00" in cell and "-" not in cell for cell in balances), balances
        in_place = squashed(kim_page, "#balances")
        kim_page.reload()
        assert squashed(kim_page, "#balances") == in_place  # the page equals a reload

        # Alex sees zero too.
        alex_page.goto("/balances/")
        assert "Everyone is even." in squashed(alex_page, "#balances")
        settlement = Settlement.objects.get()
        assert (settlement.from_user, settlement.to_user, settlement.amount) == (
            kim,
            alex,
            Decimal("33.33"),
        )
        assert not alex_problems and not kim_problems, alex_problems + kim_problems
    finally:
        alex_context.close()
        kim_context.close()
