"""The cycle page's add row and expense rows by keyboard, in a real browser (issue 25, items 8,
9 and 14): a purchase typed in after the fact is paid without touching the status; the status
is one Tab after the amount and follows the date until picked; the focus comes back to the row
after paying, editing, saving and Esc; every row button is named with its expense."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from expenses.models import Expense

from .conftest import wait_until
from .test_browser_page_whole import CyclePage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTIVE = "document.activeElement"


def _active_id(page) -> str:
    return page.evaluate(f"{ACTIVE}.id")


def test_a_purchase_typed_in_today_costs_the_text_the_amount_and_enter(household_page, chromium):
    """Category and payment method kept from the last expense: only the description, Tab, the
    amount and Enter. It is saved paid (dated today), as the service decides for any caller."""
    cycle_page = CyclePage(chromium, household_page)
    page, keyboard = cycle_page.page, cycle_page.page.keyboard
    try:
        keyboard.press("n")
        assert _active_id(page) == "expense-add-form-description"
        assert page.input_value("#expense-add-form-status") == "paid"  # today's date: paid
        keyboard.type("Coffee")
        keyboard.press("Tab")
        assert _active_id(page) == "expense-add-form-amount"
        keyboard.type("3.80")
        page.select_option("#expense-add-form-category", label="Food")  # the first one only
        page.focus("#expense-add-form-amount")
        keyboard.press("Enter")
        cycle_page.settled()
        # The second one: category and payment method are kept, so text, amount, Enter.
        assert _active_id(page) == "expense-add-form-description"
        keyboard.type("Croissant")
        keyboard.press("Tab")
        keyboard.type("2.40")
        keyboard.press("Enter")
        cycle_page.settled()

        croissant = Expense.objects.get(description="Croissant")
        assert croissant.status == Expense.Status.PAID
        assert croissant.category == household_page["food"]
        assert croissant.amount == Decimal("2.40")
        row = f"#expense-{croissant.pk}"
        assert page.get_attribute(row, "data-status") == "paid"
        assert page.inner_text(f"{row} button.badge.completed") == "Paid"
        assert _active_id(page) == "expense-add-form-description"
        assert not cycle_page.problems, cycle_page.problems
    finally:
        cycle_page.context.close()


def test_the_status_is_one_tab_after_the_amount_and_follows_the_date(household_page, chromium):
    cycle_page = CyclePage(chromium, household_page)
    page, keyboard = cycle_page.page, cycle_page.page.keyboard
    later = datetime.date.today() + datetime.timedelta(days=5)
    try:
        # A later date makes it planned; an earlier one paid again.
        page.fill("#expense-add-form-date", later.isoformat())
        assert page.input_value("#expense-add-form-status") == "planned"
        page.fill("#expense-add-form-date", household_page["cycle"].start_date.isoformat())
        assert page.input_value("#expense-add-form-status") == "paid"

        page.focus("#expense-add-form-amount")
        keyboard.type("60")
        keyboard.press("Tab")  # one key from the amount, not through the date's parts
        assert _active_id(page) == "expense-add-form-status"
        keyboard.press("ArrowUp")  # picked by hand: the date no longer moves it
        assert page.input_value("#expense-add-form-status") == "planned"
        page.fill("#expense-add-form-date", datetime.date.today().isoformat())
        assert page.input_value("#expense-add-form-status") == "planned"

        page.fill("#expense-add-form-description", "Concert tickets")
        page.select_option("#expense-add-form-category", label="Fun")
        page.press("#expense-add-form-description", "Enter")
        cycle_page.settled()
        tickets = Expense.objects.get(description="Concert tickets")
        assert tickets.status == Expense.Status.PLANNED
        assert tickets.date == datetime.date.today()
        assert page.get_attribute(f"#expense-{tickets.pk}", "data-status") == "planned"

        # The next add row starts following the date again, from the date kept.
        assert page.get_attribute("#expense-add-form-status", "data-follows-date") is not None
        page.fill("#expense-add-form-date", later.isoformat())
        assert page.input_value("#expense-add-form-status") == "planned"
        assert not cycle_page.problems, cycle_page.problems
    finally:
        cycle_page.context.close()


def test_focus_comes_back_to_the_row_after_pay_edit_save_and_escape(household_page, chromium):
    cycle_page = CyclePage(chromium, household_page)
    page = cycle_page.page
    groceries = cycle_page.row("Groceries")
    try:
        # Pay by Enter in the amount: the focus is on the row's "Paid" button.
        page.press(f"{groceries} input[name=amount]", "Enter")
        cycle_page.settled()
        assert page.get_attribute(groceries, "data-status") == "paid"
        assert cycle_page.focused_row() == groceries[1:]
        assert page.evaluate(f"{ACTIVE}.textContent") == "Paid"

        # Edit by keyboard: the edit row's description has the focus.
        page.focus(f"{groceries} a:has-text('Edit')")
        page.keyboard.press("Enter")
        cycle_page.settled()
        assert cycle_page.focused_row() == groceries[1:]
        assert page.evaluate(f"{ACTIVE}.name") == "description"

        # Save by Enter: back on the row's Edit link.
        page.keyboard.press("End")
        page.keyboard.type(" and soap")
        page.keyboard.press("Enter")
        cycle_page.settled()
        assert "Groceries and soap" in page.inner_text(groceries)
        assert cycle_page.focused_row() == groceries[1:]
        assert page.evaluate(f"{ACTIVE}.textContent") == "Edit"

        # Edit again, Esc: back on the same Edit link, nothing saved.
        page.keyboard.press("Enter")
        cycle_page.settled()
        page.keyboard.type(" nope")
        page.keyboard.press("Escape")
        cycle_page.settled()
        assert cycle_page.focused_row() == groceries[1:]
        assert page.evaluate(f"{ACTIVE}.textContent") == "Edit"
        expense = Expense.objects.get(pk=household_page["rows"]["Groceries"].pk)
        assert expense.description == "Groceries and soap"
        assert expense.status == Expense.Status.PAID
        assert not cycle_page.problems, cycle_page.problems
    finally:
        cycle_page.context.close()


def test_row_buttons_are_named_with_their_expense(household_page, chromium):
    cycle_page = CyclePage(chromium, household_page)
    page = cycle_page.page
    try:
        for role, name in (
            ("link", "Edit Groceries"),
            ("button", "Delete Groceries"),
            ("button", "Mark as paid: Groceries"),
            ("button", "Skip Gym"),
            ("button", "Paid: Rent"),
            ("button", "Restore Streaming"),
        ):
            control = page.get_by_role(role, name=name, exact=True)
            assert control.count() == 1, name
            row = control.evaluate("element => element.closest('tr').id")
            description = name.split()[-1]
            assert row == f"expense-{household_page['rows'][description].pk}", name
        # The theme button's name is what it says.
        theme = page.locator("[data-theme-toggle]")
        assert page.get_by_role("button", name=theme.inner_text(), exact=True).count() == 1

        # Delete asks about the expense by name before anything is sent; refused, nothing is.
        page.evaluate("window.confirm = message => { window.__asked = message; return false; }")
        cinema = household_page["rows"]["Cinema"]
        page.get_by_role("button", name="Delete Cinema", exact=True).click()
        wait_until(page, "window.__asked !== undefined")
        page.wait_for_timeout(200)
        asked = [page.evaluate("window.__asked")]
        assert "Delete “Cinema”?" in asked
        assert Expense.objects.filter(pk=cinema.pk).exists()
        assert page.locator(f"#expense-{cinema.pk}").count() == 1
    finally:
        cycle_page.context.close()
