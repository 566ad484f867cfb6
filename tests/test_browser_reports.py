"""Reports in a real browser: charts render, the range switches without a reload, and the
strict Content-Security-Policy is never violated."""

import datetime
from decimal import Decimal

import pytest

from accounts.tests.factories import TEST_PASSWORD, HouseholdFactory, make_owner
from cycles.tests.factories import CycleFactory
from expenses.tests.factories import CategoryFactory, ExpenseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# Tests ask for household_with_history before browser_page, so the data is made before
# Playwright starts: made after it, it went through a second database connection (Playwright's
# greenlet has its own context) that stayed open and kept the test database from being dropped.
@pytest.fixture
def household_with_history():
    household = HouseholdFactory(name="Lovelace house", base_currency="USD")
    owner = make_owner(household, email="ada@example.com", first_name="Ada")
    food = CategoryFactory(household=household, name="Food")
    housing = CategoryFactory(household=household, name="Housing")
    cycles = [
        CycleFactory(
            household=household,
            start_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=43 * i),
            income=Decimal("3000.00"),
        )
        for i in range(8)
    ]
    for i, cycle in enumerate(cycles):
        ExpenseFactory(cycle=cycle, category=housing, amount=Decimal("1200.00"))
        ExpenseFactory(cycle=cycle, category=food, amount=Decimal(300 + 25 * i))
    # One EUR expense still awaiting a rate in the latest cycle.
    ExpenseFactory(
        cycle=cycles[-1],
        category=food,
        amount=Decimal("40.00"),
        currency="EUR",
        base_amount=None,
        rate=None,
        rate_date=None,
        rate_source="",
    )
    return owner, cycles


def _log_in(page, email, next_url):
    page.goto(f"/accounts/login/?next={next_url}")
    page.fill("#id_username", email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{next_url}")


def test_reports_draw_charts_and_switch_range_without_reload(household_with_history, browser_page):
    page = browser_page
    owner, cycles = household_with_history
    csp_messages = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and csp_messages.append(message.text)
        ),
    )
    page.on("pageerror", lambda error: csp_messages.append(f"page error: {error}"))

    _log_in(page, owner.email, "/reports/")

    spending = page.locator('svg[data-chart="spending"]')
    spending.wait_for()
    assert spending.locator("rect.bar.spent").count() == 6  # the default: last 6 cycles
    assert spending.locator("path.line.income").get_attribute("d").startswith("M")
    assert spending.locator("title").first.text_content().startswith("Spent (paid) per cycle")
    box = spending.bounding_box()
    assert box["width"] > 100 and box["height"] > 50  # sized by reports.css, not collapsed
    assert "awaiting an exchange rate" in page.locator("#report-overview").inner_text()
    # The forecast section arrives by itself over htmx.
    page.locator("#forecast h2").filter(has_text="Next cycle:").wait_for()

    page.evaluate("window.__marker = 1")
    page.click("#report-overview a:text('All')")
    page.locator('#report-overview a[aria-current="true"]:text("All")').wait_for()
    page.wait_for_url("**/reports/?range=all")
    assert page.evaluate("window.__marker") == 1  # no full reload
    assert page.locator('svg[data-chart="spending"] rect.bar.spent').count() == 8

    page.click("#report-overview a:text('Last 3')")
    page.locator('#report-overview a[aria-current="true"]:text("Last 3")').wait_for()
    assert page.evaluate("window.__marker") == 1
    assert page.locator('svg[data-chart="spending"] rect.bar.spent').count() == 3

    page.click(f"#spending-table a:text('{cycles[-1].name}')")
    page.wait_for_url(f"**/reports/cycles/{cycles[-1].pk}/")
    categories = page.locator('svg[data-chart="categories"]')
    categories.wait_for()
    assert categories.locator("rect.bar.category").count() == 2
    assert "Housing" in categories.inner_html()
    assert "1 expense awaiting an exchange rate" in page.content()

    assert csp_messages == []


def test_every_report_page_is_served_under_the_strict_csp(household_with_history, browser_page):
    page = browser_page
    owner, cycles = household_with_history
    _log_in(page, owner.email, "/reports/")

    for url in ("/reports/", f"/reports/cycles/{cycles[0].pk}/", "/reports/forecast/"):
        response = page.goto(url)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, url
        assert "unsafe-inline" not in policy, url
