"""A household's first cycle, start to finish, in a real browser and only through the pages.

Sign up, invite a second member who joins from the link in a separate browser, set up payment
methods and templates, create a cycle from the templates, activate it, type expenses in three
currencies by keyboard (one converts at a stored rate, one awaits a rate), pay one, complete the
cycle, read the reports and export the CSV. A screenshot per step lands in the test's tmp dir;
any Content-Security-Policy violation fails the test.
"""

from __future__ import annotations

import csv
import datetime
import re
import time
from decimal import Decimal

import pytest
from django.db import connections

from exchange.tests.factories import ExchangeRateFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "amber-falcon-river-77"
OWNER_EMAIL = "olive@journey.example"
MEMBER_EMAIL = "max@journey.example"
EXPENSE_ROWS = "tr[id^=expense-]:not(#expense-add-row)"


def wait_until(page, expression: str, timeout: float = 10.0):
    """Poll a JS expression with page.evaluate: the CSP forbids wait_for_function's eval."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout}s: {expression}")
        page.wait_for_timeout(50)


def watch_csp(page, violations: list[str]) -> None:
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and violations.append(f"{page.url} ({message.location.get('url')}): {message.text}")
        ),
    )
    page.on("pageerror", lambda error: violations.append(f"page error: {error}"))


class Shots:
    """One numbered screenshot per step of the journey."""

    def __init__(self, directory):
        self.directory, self.n = directory, 0

    def __call__(self, page, step: str) -> None:
        self.n += 1
        # caret="initial": hiding the caret leaves style="" on every input, which htmx's settle
        # then copies onto the swapped-in inputs — a CSP report caused by the test, not the app.
        path = self.directory / f"{self.n:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True, caret="initial")


@pytest.fixture
def euro_rate():
    # Made before Playwright starts (see test_browser_reports.py): one USD→EUR rate, dated
    # before any cycle, so a EUR expense converts (inversely) and a GBP one awaits a rate.
    return ExchangeRateFactory(
        base_currency="USD",
        quote_currency="EUR",
        rate=Decimal("0.8000"),
        rate_date=datetime.date(2020, 1, 1),
    )


def sign_up(page, *, first_name: str, email: str, household_name: str | None = None):
    page.fill("#id_first_name", first_name)
    if page.is_editable("#id_email"):  # joining by invite: the invited address, fixed
        page.fill("#id_email", email)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    if household_name is not None:
        page.fill("#id_household_name", household_name)
        page.select_option("#id_base_currency", "USD")
    page.click("button[type=submit]")
    if household_name is not None:
        # A new household: sign-up answers alike for taken addresses, so log in next.
        page.wait_for_url("**/accounts/login/")
        page.fill("#id_username", email)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
    page.wait_for_url("**/")


def add_payment_method(page, name: str, kind: str):
    page.goto("/payment-methods/new/")
    page.fill("#id_name", name)
    page.select_option("#id_kind", kind)
    page.click("button:has-text('Add payment method')")
    page.wait_for_url("**/payment-methods/")
    page.locator(f"tr:has-text('{name}')").wait_for()


def add_template(page, name: str, amount: str, category: str, frequency: str, **extra):
    page.goto("/templates/new/")
    page.fill("#id_name", name)
    page.fill("#id_amount", amount)
    page.select_option("#id_category", label=category)
    page.select_option("#id_payment_method", label="Visa")
    page.select_option("#id_frequency", frequency)
    for field, value in extra.items():
        page.fill(f"#id_{field}", value)
    page.click("button:has-text('Add template')")
    page.wait_for_url("**/templates/")
    page.locator(f"tr:has-text('{name}')").wait_for()


def type_expense(page, description: str, amount: str, currency: str):
    """Description and amount by keyboard (Tab between them), the currency, a note and the status
    picked (planned: the journey pays one of them later; dated today it would be paid at once);
    Enter adds the row."""
    page.click("#expense-add-form-description")
    page.keyboard.type(description)
    page.keyboard.press("Tab")
    page.keyboard.type(amount)
    page.select_option("#expense-add-form-status", "planned")
    page.select_option("#expense-add-form-currency", currency)
    page.fill("#expense-add-form-note", f"typed in {currency}")
    page.click("#expense-add-form-amount")
    page.keyboard.press("Enter")
    page.locator(f"tr[id^=expense-]:has-text('{description}')").wait_for()
    wait_until(page, "document.activeElement && document.activeElement.name === 'description'")


def test_a_household_plans_pays_and_closes_its_first_cycle(
    euro_rate, live_server, browser_page, tmp_path
):
    page = browser_page
    shot = Shots(tmp_path)
    violations: list[str] = []
    watch_csp(page, violations)
    try:
        # 1. The owner signs up with a new household.
        page.goto("/accounts/signup/")
        sign_up(page, first_name="Olive", email=OWNER_EMAIL, household_name="Journey house")
        assert page.locator("h1").first.inner_text() == "Journey house"
        shot(page, "signed-up")

        # 2. …and invites a second member from the household page.
        page.goto("/accounts/household/")
        page.fill("#invites input[name=email]", MEMBER_EMAIL)
        page.click("#invites button:has-text('Create invite link')")
        link_input = page.locator("#invites input.copy")
        link_input.wait_for()
        link = link_input.input_value()
        assert "/accounts/invite/" in link
        shot(page, "invite-link")

        # 3. The member opens the link in a browser of their own and signs up through it.
        other = page.context.browser.new_context(base_url=live_server.url)
        try:
            member_page = other.new_page()
            watch_csp(member_page, violations)
            member_page.goto(link)
            assert "Join Journey house" in member_page.locator("h1").inner_text()
            member_page.click("a:has-text('Create an account and join')")
            member_page.wait_for_url("**/accounts/signup/?invite=*")
            assert member_page.input_value("#id_email") == MEMBER_EMAIL
            sign_up(member_page, first_name="Max", email=MEMBER_EMAIL)
            assert member_page.locator("h1").first.inner_text() == "Journey house"
            member_page.goto("/accounts/household/")
            assert "Olive" in member_page.content()
            shot(member_page, "member-joined")
        finally:
            other.close()
        page.goto("/accounts/household/")
        assert "Max" in page.locator("main").inner_text()
        shot(page, "household-of-two")

        # 4. Two payment methods and three templates, through their forms.
        add_payment_method(page, "Visa", "card")
        add_payment_method(page, "Cash", "cash")
        shot(page, "payment-methods")
        add_template(page, "Rent", "900", "Housing", "monthly", day_of_month="1")
        add_template(page, "Internet", "40", "Utilities", "per_cycle")
        add_template(page, "Groceries run", "60", "Food", "weekly", start_date="2026-01-05")
        shot(page, "templates")

        # 5. A cycle made from the templates; its dates include today, so it starts at once.
        page.goto("/cycles/new/")
        assert page.is_checked("#id_generate_from_templates")
        page.fill("#id_income", "5000")
        page.click("button:has-text('Create cycle')")
        page.wait_for_url(re.compile(r".*/cycles/\d+/$"))
        cycle_url = page.url
        cycle_pk = int(re.search(r"/cycles/(\d+)/$", cycle_url).group(1))
        for name in ("Rent", "Internet", "Groceries run"):
            assert page.locator(f"tr[id^=expense-]:has-text('{name}')").count() >= 1, name
        generated = page.locator(EXPENSE_ROWS).count()
        assert generated >= 8  # a rent, the internet, six weekly runs at least
        shot(page, "cycle-from-templates")
        page.locator("[data-cycle-status=active]").wait_for()
        assert "it is now the active cycle" in page.inner_text("#messages")
        shot(page, "activated")

        # 6. Expenses typed by keyboard in three currencies.
        page.select_option("#expense-add-form-category", label="Food")
        type_expense(page, "Coffee", "4.50", "USD")
        type_expense(page, "Museum", "20.00", "EUR")
        type_expense(page, "Souvenir", "10.00", "GBP")
        assert page.locator(EXPENSE_ROWS).count() == generated + 3
        assert "25.00 USD" in page.locator("tr:has-text('Museum')").inner_text()  # 20 / 0.8
        assert "awaiting rate" in page.locator("tr:has-text('Souvenir')").inner_text()
        assert "await" in page.locator("#cycle-totals").inner_text()
        shot(page, "expenses-typed")

        # 7. One paid, without a reload.
        page.evaluate("window.__marker = 1")
        page.click("tr:has-text('Coffee') form[action$='/toggle-paid/'] button")
        wait_until(
            page,
            "document.querySelector('[data-total=paid]').textContent.trim() === '4.50 USD'",
        )
        assert page.evaluate("window.__marker") == 1
        shot(page, "coffee-paid")

        # 8. The cycle is completed after its review (unpaid expenses kept) and is read-only.
        page.click("#cycle-header a:has-text('Complete')")
        page.locator("#completion-review").wait_for()
        assert "planned expenses not paid" in page.inner_text("#completion-review")
        page.check("input[name=unpaid][value=keep]")
        page.click("#completion-review button:has-text('Complete the cycle')")
        page.locator("[data-cycle-status=completed]").wait_for()
        assert page.locator("#expense-add-form-description").count() == 0
        shot(page, "completed")

        # 9. Reports: the overview and the cycle's charts are drawn.
        page.goto("/reports/")
        spending = page.locator('svg[data-chart="spending"]')
        spending.wait_for()
        assert spending.locator("rect.bar.spent").count() >= 1
        assert (spending.locator("path.line.income").get_attribute("d") or "").startswith("M")
        shot(page, "reports")
        page.goto(f"/reports/cycles/{cycle_pk}/")
        categories = page.locator('svg[data-chart="categories"]')
        categories.wait_for()
        assert categories.locator("rect.bar.category").count() >= 3  # housing, utilities, food
        shot(page, "cycle-report")

        # 10. The CSV export holds the expenses.
        with page.expect_download() as download_info:
            page.click("#cycle-report a:has-text('Export CSV')")
        download = download_info.value
        assert download.suggested_filename.endswith(".csv")
        with open(download.path(), encoding="utf-8-sig", newline="") as exported:
            rows = list(csv.DictReader(exported))
        assert len(rows) == generated + 3
        by_description = {row["description"]: row for row in rows}
        assert {"Coffee", "Museum", "Souvenir", "Rent", "Internet"} <= set(by_description)
        assert by_description["Coffee"]["status"] == "paid"
        assert by_description["Museum"]["base_amount"] == "25.00"
        assert by_description["Souvenir"]["base_amount"] == ""  # still awaiting a rate
        shot(page, "exported")

        assert violations == []
    finally:
        # Playwright's greenlet has its own database connection: close it, or the test
        # database cannot be dropped at the end of the run.
        connections.close_all()
