"""Everyday use in a real browser at a laptop (1366 x 900) and a phone (390 x 844) size.

Every main page fits its width (nothing scrolls sideways), logs no console error and no
Content-Security-Policy violation; an expense is added by keyboard alone from page load; on
the phone each expense is a card and the sticky "Add expense" works; dark mode is shown.
Screenshots are kept in test-artifacts/everyday/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import datetime
import shutil
import time
from decimal import Decimal
from pathlib import Path

import pytest

from accounts.tests.factories import TEST_PASSWORD, HouseholdFactory, make_owner
from conftest import CHROMIUM, LAUNCH_ARGS
from cycles.tests.factories import CycleFactory
from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTEFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "everyday"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SIZES = {"desktop": DESKTOP, "phone": PHONE}
EMAIL = "ada@everyday.example"
LONG_WORD = "Supercalifragilistic" * 10  # 200 characters without a space


def wait_until(page, expression: str, timeout: float = 10.0):
    """Poll a JS expression with page.evaluate: the CSP forbids wait_for_function's eval."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout}s: {expression}")
        page.wait_for_timeout(50)


# Made before Playwright starts (see test_browser_reports.py).
@pytest.fixture
def household_in_use():
    household = HouseholdFactory(name="Lovelace house", base_currency="USD")
    owner = make_owner(household, email=EMAIL, first_name="Ada")
    food = CategoryFactory(household=household, name="Food")
    housing = CategoryFactory(household=household, name="Housing")
    card = PaymentMethodFactory(household=household, name="Visa")
    ExpenseTemplateFactory(household=household, name="Rent", category=housing)
    today = datetime.date.today()
    past = CycleFactory(
        household=household,
        start_date=today - datetime.timedelta(days=60),
        end_date=today - datetime.timedelta(days=20),
        income=Decimal("3000.00"),
        status="completed",
    )
    cycle = CycleFactory(
        household=household,
        start_date=today - datetime.timedelta(days=10),
        end_date=today + datetime.timedelta(days=30),
        income=Decimal("5200.00"),
        status="active",
    )
    for c in (past, cycle):
        ExpenseFactory(cycle=c, category=housing, amount=Decimal("1450.00"), description="Rent")
        ExpenseFactory(
            cycle=c,
            category=food,
            amount=Decimal("120.00"),
            payment_method=card,
            description="Groceries",
        )
    ExpenseFactory(cycle=cycle, category=food, amount=Decimal("9.99"), description=LONG_WORD)
    ExpenseFactory(
        cycle=cycle,
        category=food,
        amount=Decimal("40.00"),
        currency="EUR",
        base_amount=None,
        rate=None,
        rate_date=None,
        rate_source="",
        description="Museum tickets",
    )
    return owner, cycle, past


@pytest.fixture
def browser(live_server, monkeypatch):
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield chromium, live_server.url
        finally:
            chromium.close()


class Watched:
    """A page whose console errors, page errors and CSP violations are collected."""

    def __init__(self, chromium, base_url, viewport, **options):
        self.context = chromium.new_context(base_url=base_url, viewport=viewport, **options)
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on(
            "console",
            lambda message: (
                message.type == "error" and self.problems.append(f"{self.page.url}: {message.text}")
            ),
        )
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def log_in(self, next_url="/"):
        page = self.page
        page.goto(f"/accounts/login/?next={next_url}")
        page.fill("#id_username", EMAIL)
        page.fill("#id_password", TEST_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"**{next_url}")

    def check_fits(self, name: str, *, inner_scroll_allowed: bool = False):
        page = self.page
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True, caret="initial")
        assert overflow <= 0, f"{name}: the page is {overflow}px wider than the window"
        # Nothing inside scrolls or is clipped sideways either (a table wider than its card).
        clipped = page.evaluate(
            """[...document.querySelectorAll('main *')].filter(e => {
                const o = getComputedStyle(e).overflowX;
                return (o === 'auto' || o === 'scroll' || o === 'hidden')
                    && e.clientWidth > 2 && e.scrollWidth > e.clientWidth + 1
                    && !e.classList.contains('sr-only');
            }).map(e => e.tagName + '#' + e.id + '.' + e.className)"""
        )
        if inner_scroll_allowed:  # a wide reference table may scroll inside its own box
            clipped = [box for box in clipped if "table-wrap" not in box]
        assert not clipped, f"{name}: content scrolls sideways inside {clipped}"

    def close(self):
        self.context.close()


def _import_preview(watched, cycle):
    page = watched.page
    page.goto(f"/cycles/{cycle.pk}/import/")
    csv_text = (
        "Date,Description,Amount\n"
        f"{cycle.start_date.isoformat()},Coffee beans,-12.50\n"
        f"{cycle.start_date.isoformat()},Bakery,-4.20\n"
    )
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "bank.csv", "mimeType": "text/csv", "buffer": csv_text.encode()}],
    )
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_main_pages_fit_the_window_without_console_errors(household_in_use, browser, size):
    _owner, cycle, past = household_in_use
    chromium, base_url = browser
    anonymous = Watched(chromium, base_url, SIZES[size])
    anonymous.page.goto("/accounts/signup/")
    anonymous.check_fits(f"signup-{size}")
    assert not anonymous.problems, anonymous.problems
    anonymous.close()

    watched = Watched(chromium, base_url, SIZES[size])
    watched.log_in()
    pages = {
        "dashboard": "/",
        "cycle": f"/cycles/{cycle.pk}/",
        "templates": "/templates/",
        "template-form": "/templates/new/",
        "reports": "/reports/",
        "cycle-report": f"/reports/cycles/{past.pk}/",
        "budgets-report": "/reports/budgets/?range=all",
        "household": "/accounts/household/",
        "api-tokens": "/accounts/api-tokens/",
    }
    for name, url in pages.items():
        watched.page.goto(url)
        # On the phone the cycle page shows cards; other wide tables may scroll in their box.
        watched.check_fits(
            f"{name}-{size}", inner_scroll_allowed=size == "phone" and name != "cycle"
        )
    _import_preview(watched, cycle)
    assert "Coffee beans" in watched.page.content()
    # The preview's rows are cards on a phone: nothing in it scrolls sideways.
    watched.check_fits(f"import-preview-{size}")
    assert not watched.problems, watched.problems
    watched.close()


def test_add_an_expense_by_keyboard_alone_from_page_load(household_in_use, browser):
    _owner, cycle, _past = household_in_use
    chromium, base_url = browser
    watched = Watched(chromium, base_url, DESKTOP)
    watched.log_in(f"/cycles/{cycle.pk}/")
    page = watched.page
    keyboard = page.keyboard
    before = page.inner_text('[data-total="paid"]')

    keyboard.press("?")  # lists the shortcuts
    assert page.locator("#shortcuts").is_visible()
    assert "Go to the add-expense row" in page.inner_text("#shortcuts")
    keyboard.press("Escape")
    assert not page.locator("#shortcuts").is_visible()
    keyboard.press("n")  # the documented shortcut to the add row
    assert page.evaluate("document.activeElement.id") == "expense-add-form-description"
    keyboard.type("Bus pass")
    # To the amount by Tab alone, then Enter from a select: Enter adds from any field.
    for _ in range(8):
        if page.evaluate("document.activeElement.id") == "expense-add-form-amount":
            break
        keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "expense-add-form-amount"
    keyboard.type("1,234.50")
    # The status, one key on: dated today, it is already "Paid" (the service's default).
    keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "expense-add-form-status"
    assert page.input_value("#expense-add-form-status") == "paid"
    keyboard.press("Tab")  # the category, picked by typing its name
    assert page.evaluate("document.activeElement.id") == "expense-add-form-category"
    keyboard.type("Food")
    keyboard.press("Enter")  # Enter adds from a select too (it does not open it)

    wait_until(page, "document.body.innerText.includes('Bus pass')")
    wait_until(page, f"document.querySelector('[data-total=paid]').innerText !== '{before}'")
    assert "1,234.50 USD" in page.inner_text("#expense-rows")
    # A screen reader hears the totals change: the live region now says them.
    assert "Totals now: planned 2,814.49 USD" in page.inner_text("#totals-announcement")
    # Ready for the next one, with what was kept from this one shown, and Esc resets it.
    assert page.evaluate("document.activeElement.id") == "expense-add-form-description"
    assert page.input_value("#expense-add-form-currency") == "USD"
    page.screenshot(path=str(ARTEFACTS / "keyboard-add-desktop.png"), full_page=True)
    assert not watched.problems, watched.problems
    watched.close()


def test_shift_tab_into_the_date_starts_at_its_first_part(household_in_use, browser):
    """Typed digits after Shift+Tab go into the whole date, not into its year alone."""
    _owner, cycle, _past = household_in_use
    chromium, base_url = browser
    watched = Watched(chromium, base_url, DESKTOP)
    watched.log_in(f"/cycles/{cycle.pk}/")
    page = watched.page
    page.keyboard.press("n")
    page.focus("#expense-add-form-currency")  # the field after the date
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "expense-add-form-date"
    day = cycle.start_date + datetime.timedelta(days=3)
    page.keyboard.type(day.strftime("%m%d%Y"))  # Chromium's en-US order: month, day, year
    assert page.input_value("#expense-add-form-date") == day.isoformat()
    assert not watched.problems, watched.problems
    watched.close()


def test_escape_cancels_an_inline_edit(household_in_use, browser):
    _owner, cycle, _past = household_in_use
    chromium, base_url = browser
    watched = Watched(chromium, base_url, DESKTOP)
    watched.log_in(f"/cycles/{cycle.pk}/")
    page = watched.page
    row = page.locator("#expense-rows tr", has_text="Groceries").first
    row_id = row.get_attribute("id")
    row.get_by_role("link", name="Edit").click()
    page.locator(f"#{row_id} input[name=description]").wait_for()
    page.focus(f"#{row_id} input[name=description]")
    page.keyboard.press("Escape")
    wait_until(page, f"!document.querySelector('#{row_id} input[name=description]')")
    assert "Groceries" in page.inner_text(f"#{row_id}")
    assert not watched.problems, watched.problems
    watched.close()


def test_phone_shows_expenses_as_cards_and_adds_from_the_sticky_button(household_in_use, browser):
    _owner, cycle, _past = household_in_use
    chromium, base_url = browser
    watched = Watched(chromium, base_url, PHONE, is_mobile=True, has_touch=True)
    watched.log_in(f"/cycles/{cycle.pk}/")
    page = watched.page
    card = page.locator("#expense-rows tr", has_text="Groceries").first
    box = card.bounding_box()
    assert box["width"] <= PHONE["width"] and box["height"] > 60  # a card, not a thin row
    # Amount, status and actions are on the card, within the screen.
    for part in (
        "td:nth-child(6)",
        "td:nth-child(8)",
        "td:nth-child(9)",
    ):  # amount, status, actions
        part_box = card.locator(part).bounding_box()
        assert part_box and part_box["x"] >= 0
        assert part_box["x"] + part_box["width"] <= PHONE["width"] + 1, part
    page.locator("[data-open-add]").tap()
    assert page.evaluate("document.activeElement.id") == "expense-add-form-description"
    page.fill("#expense-add-form-description", "Ice cream")
    page.fill("#expense-add-form-amount", "3.50")
    page.select_option("#expense-add-form-category", label="Food")
    page.locator("#expense-add-row button[type=submit]").tap()
    wait_until(page, "document.querySelector('#expense-rows').innerText.includes('Ice cream')")
    watched.check_fits("cycle-cards-phone")
    assert not watched.problems, watched.problems
    watched.close()


def test_menu_folds_navigation_on_the_phone(household_in_use, browser):
    chromium, base_url = browser
    watched = Watched(chromium, base_url, PHONE)
    watched.log_in()
    page = watched.page
    assert not page.locator("nav.nav a", has_text="Reports").is_visible()
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] < 70  # one row, not three sticky rows
    page.click("[data-menu-toggle]")
    page.locator("nav.nav a", has_text="Reports").click()
    page.wait_for_url("**/reports/")
    assert not watched.problems, watched.problems
    watched.close()


def test_dark_mode_follows_the_browser_and_the_toggle_is_remembered(household_in_use, browser):
    _owner, cycle, past = household_in_use
    chromium, base_url = browser
    watched = Watched(chromium, base_url, DESKTOP, color_scheme="dark")
    watched.log_in(f"/reports/cycles/{past.pk}/")
    page = watched.page
    background = "getComputedStyle(document.body).backgroundColor"
    assert page.evaluate(background) == "rgb(15, 20, 25)"
    page.screenshot(path=str(ARTEFACTS / "cycle-report-dark.png"), full_page=True)
    page.goto(f"/cycles/{cycle.pk}/")
    page.screenshot(path=str(ARTEFACTS / "cycle-dark.png"), full_page=True)
    assert page.inner_text("[data-theme-toggle]") == "Light mode"
    with page.expect_response("**/accounts/theme/") as answer:
        page.click("[data-theme-toggle]")
    assert answer.value.status == 204
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    assert page.evaluate(background) == "rgb(246, 247, 249)"
    assert not watched.problems, watched.problems
    watched.close()
