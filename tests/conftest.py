"""Fixtures of the browser tests in this folder that look at the cycle page: one browser per
module, one household with a cycle that has something of everything."""

from __future__ import annotations

import datetime
import shutil
import time
from decimal import Decimal

import pytest

from accounts.tests.factories import TEST_PASSWORD, HouseholdFactory, make_owner
from budget.services.income import add_income_line
from conftest import CHROMIUM, LAUNCH_ARGS
from cycles.models import CategoryBudget, Cycle
from cycles.tests.factories import CycleFactory
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory
from templates_app.tests.factories import ExpenseTemplateFactory

EMAIL = "whole@example.com"


def log_in(page, next_url: str, email: str = EMAIL):
    page.goto(f"/accounts/login/?next={next_url}")
    page.fill("#id_username", email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{next_url}")


def wait_until(page, expression: str, timeout: float = 10.0):
    """Poll a JS expression with page.evaluate: the CSP forbids wait_for_function's eval."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout}s: {expression}")
        page.wait_for_timeout(25)


@pytest.fixture(scope="module")
def chromium(live_server):
    """One browser for the module; each test gets its own context (cookies, storage)."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls stay synchronous.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            try:
                yield browser, live_server.url
            finally:
                browser.close()


@pytest.fixture
def household_page(request):
    """A cycle with budgets (one category over, one without), paid, planned, template and
    skipped expenses and an income line; a completed cycle before it to copy budgets from."""
    household = HouseholdFactory(name="Whole house", base_currency="USD")
    owner = make_owner(household, email=EMAIL, first_name="Wanda")
    food = CategoryFactory(household=household, name="Food")
    housing = CategoryFactory(household=household, name="Housing")
    fun = CategoryFactory(household=household, name="Fun")
    card = PaymentMethodFactory(household=household, name="Visa")
    gym = ExpenseTemplateFactory(household=household, name="Gym", category=fun)
    today = datetime.date.today()
    past = CycleFactory(
        household=household,
        start_date=today - datetime.timedelta(days=60),
        end_date=today - datetime.timedelta(days=20),
        income=Decimal("3000.00"),
        status=Cycle.Status.COMPLETED,
    )
    cycle = CycleFactory(
        household=household,
        start_date=today - datetime.timedelta(days=10),
        end_date=today + datetime.timedelta(days=30),
        income=Decimal("0"),
        status=Cycle.Status.ACTIVE,
    )
    for category, amount in ((food, "100.00"), (housing, "1500.00"), (fun, "60.00")):
        CategoryBudget.objects.create(cycle=past, category=category, amount=Decimal(amount))
    CategoryBudget.objects.create(cycle=cycle, category=food, amount=Decimal("100.00"))
    day = cycle.start_date + datetime.timedelta(days=2)
    rows = {}
    for name, category, amount, status, extra in (
        ("Rent", housing, "1450.00", Expense.Status.PAID, {"paid_on": day}),
        ("Groceries", food, "120.00", Expense.Status.PLANNED, {"payment_method": card}),
        ("Bakery", food, "30.00", Expense.Status.PAID, {"paid_on": day}),
        ("Cinema", fun, "15.00", Expense.Status.PLANNED, {}),
        ("Gym", fun, "40.00", Expense.Status.PLANNED, {"template": gym}),
        ("Streaming", fun, "12.00", Expense.Status.SKIPPED, {"template": gym}),
    ):
        rows[name] = ExpenseFactory(
            cycle=cycle,
            category=category,
            description=name,
            amount=Decimal(amount),
            status=status,
            date=day,
            **extra,
        )
    if getattr(request, "param", None) == "many":
        for n in range(55):
            ExpenseFactory(cycle=cycle, category=fun, description=f"Snack {n}", date=day)
    salary = add_income_line(
        cycle=cycle,
        description="Salary",
        amount=Decimal("5000.00"),
        currency="USD",
        expected_date=day,
        created_by=owner,
    )
    return {
        "owner": owner,
        "past": past,
        "cycle": cycle,
        "rows": rows,
        "salary": salary,
        "food": food,
    }
