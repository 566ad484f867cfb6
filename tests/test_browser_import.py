"""Importing a bank statement in a real browser into a cycle generated from templates: the
bills the statement pays become paid (at the bank's amounts), nothing is doubled, and the one
purchase that was not planned is added. On a phone (390 x 844) the preview of a Sparkasse file
fits its card, folds what was detected, reads the kept upload in another encoding and keeps
its contrast."""

import contextlib
import datetime
import time
from decimal import Decimal
from pathlib import Path

import pytest

from accounts.tests.factories import TEST_PASSWORD, HouseholdFactory, make_owner
from budget import services as cycle_services
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses.models import Category, Expense
from templates_app.tests.factories import ExpenseTemplateFactory

from .conftest import wait_until
from .test_browser_contrast import AXE, RUN_AXE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATEMENT = """Transaction Date,Post Date,Description,Category,Type,Amount,Memo
12/03/2026,12/04/2026,CITY OF AUSTIN UTIL ELECTRIC,Bills & Utilities,Sale,-88.00,
12/01/2026,12/02/2026,RIVERSIDE APARTMENTS RENT,Home,Sale,-1450.00,
12/04/2026,12/05/2026,TRADER JOE'S #552,Groceries,Sale,-42.10,
12/05/2026,12/06/2026,PAYMENT THANK YOU,,Payment,500.00,
"""


def _december(household, owner, **options):
    return cycle_services.create_cycle(
        household=household,
        name="December",
        start_date=datetime.date(2026, 12, 1),
        end_date=datetime.date(2026, 12, 28),
        created_by=owner,
        **options,
    )


def _logged_in(page, email: str):
    page.goto("/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def test_import_pays_the_planned_bills_instead_of_doubling_them(browser_page, tmp_path):
    household = HouseholdFactory(name="Import home")
    owner = make_owner(household, email="ida@example.com", first_name="Ida")
    utilities = Category.objects.get(household=household, name="Utilities")
    housing = Category.objects.get(household=household, name="Housing")
    ExpenseTemplateFactory(
        household=household,
        name="Electric bill",
        amount=Decimal("88.20"),
        category=utilities,
        day_of_month=2,
    )
    ExpenseTemplateFactory(
        household=household,
        name="Rent",
        amount=Decimal("1450.00"),
        category=housing,
        day_of_month=1,
    )
    cycle = _december(household, owner, generate_from_templates=True)
    assert cycle.expenses.count() == 2
    statement = tmp_path / "december.csv"
    statement.write_text(STATEMENT)

    page = _logged_in(browser_page, "ida@example.com")
    page.goto(f"/cycles/{cycle.pk}/")
    page.click("a:has-text('Import bank statement')")
    page.wait_for_url("**/import/")
    page.set_input_files("#id_file", str(statement))
    page.click("button:has-text('Upload and preview')")
    page.wait_for_url("**/import/preview/**")

    electric = page.locator("#import-line-2")
    assert "pays: Electric bill (planned 88.20 USD)" in electric.inner_text()
    assert "pays: Rent (planned 1,450.00 USD)" in page.inner_text("#import-line-3")
    assert page.get_attribute("#import-line-4", "data-action") == "new"
    assert page.get_attribute("#import-line-5", "data-status") == "income"
    # All December dates are at most 12, but the cycle decides: month first, nothing refused.
    assert page.locator("[data-note=ambiguous-dates]").count() == 0

    page.click("button:has-text('Import 1 new expense, mark 2 paid')")
    page.wait_for_url(f"**/cycles/{cycle.pk}/")
    body = page.inner_text("main")
    assert "Imported 1 expense and marked 2 planned expenses paid" in body
    assert page.locator("tr[id^=expense-]:has-text('Electric bill')").count() == 1
    assert page.locator("tr[id^=expense-]:has-text('TRADER JOE')").count() == 1

    expenses = {e.description: e for e in Expense.objects.filter(cycle=cycle)}
    assert len(expenses) == 3
    bill = expenses["Electric bill"]
    assert (bill.status, bill.amount, bill.planned_amount, bill.paid_on) == (
        Expense.Status.PAID,
        Decimal("88.00"),
        Decimal("88.20"),
        datetime.date(2026, 12, 3),
    )
    assert expenses["Rent"].status == Expense.Status.PAID


def test_cancelling_a_preview_forgets_the_upload_at_once(browser_page, tmp_path):
    from expenses.imports.models import PendingImport

    household = HouseholdFactory(name="Cancel home")
    owner = make_owner(household, email="cal@example.com", first_name="Cal")
    cycle = _december(household, owner)
    statement = tmp_path / "december.csv"
    statement.write_text(STATEMENT)

    page = _logged_in(browser_page, "cal@example.com")
    page.goto(f"/cycles/{cycle.pk}/import/")
    page.set_input_files("#id_file", str(statement))
    page.click("button:has-text('Upload and preview')")
    page.wait_for_url("**/import/preview/**")
    assert PendingImport.objects.filter(household=household).count() == 1

    page.click("#import-form button:has-text('Cancel')")
    page.wait_for_url(f"**/cycles/{cycle.pk}/")

    assert "Import cancelled." in page.inner_text("main")
    assert PendingImport.objects.filter(household=household).count() == 0
    assert cycle.expenses.count() == 0


PHONE = {"width": 390, "height": 844}
ARTEFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "import"
SPARKASSE = (
    Path(__file__).resolve().parent.parent / "expenses/imports/tests/data/sparkasse-camt-cp1252.csv"
)
# Elements inside the preview card whose content is wider than they are (a table that would
# scroll sideways, a select cut off), and the card itself.
OVERFLOWING = """() => {
    const card = document.querySelector('#import-preview');
    return [card, ...card.querySelectorAll('*')].filter(e => {
        if (e.closest('.sr-only') || e.closest('details:not([open])')) return false;
        const o = getComputedStyle(e).overflowX;
        const scrolls = o === 'auto' || o === 'scroll' || o === 'hidden' || e === card;
        return scrolls && e.clientWidth > 2 && e.scrollWidth > e.clientWidth + 1;
    }).map(e => e.tagName + '#' + e.id + '.' + e.className);
}"""
# The cells a person needs on each row, and whether each is shown inside the card.
CELLS_IN_CARD = """() => {
    const card = document.querySelector('#import-preview').getBoundingClientRect();
    return [...document.querySelectorAll('#import-rows tbody tr')].map(row => {
        const cell = n => row.querySelector(`td:nth-child(${n})`);
        const action = cell(5).querySelector('select') || cell(5);
        return [cell(2), cell(3), cell(4), action].map(e => {
            const box = e.getBoundingClientRect();
            return box.width > 0 && box.height > 0 && getComputedStyle(e).visibility !== 'hidden'
                && box.left >= card.left - 0.5 && box.right <= card.right + 0.5;
        });
    });
}"""


def test_the_preview_fits_a_phone_and_folds_what_was_detected(browser_page):
    household = HouseholdFactory(name="Phone home", base_currency="EUR")
    make_owner(household, email="pia@example.com", first_name="Pia")
    cycle = CycleFactory(
        household=household,
        start_date=datetime.date(2026, 11, 1),
        end_date=datetime.date(2026, 12, 12),
        status=Cycle.Status.ACTIVE,
    )
    page = _logged_in(browser_page, "pia@example.com")
    page.set_viewport_size(PHONE)
    page.goto(f"/cycles/{cycle.pk}/import/")
    page.set_input_files("#id_file", str(SPARKASSE))
    page.click("button:has-text('Upload and preview')")
    page.wait_for_url("**/import/preview/**")
    page.wait_for_load_state("networkidle")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "import-preview-phone.png"), full_page=True)

    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert page.evaluate(OVERFLOWING) == []
    rows = page.evaluate(CELLS_IN_CARD)
    assert len(rows) == 7
    assert all(all(cells) for cells in rows), rows
    assert "Crèche Sonnenschein e.V." in page.inner_text("#import-line-7")
    assert page.get_attribute("#import-line-7", "data-action") == "skip"  # Umsatz vorgemerkt
    # Everything was detected: the sixteen choices are folded away.
    assert page.locator("#import-undetected").count() == 0
    assert not page.locator("#id_date_column").is_visible()
    assert "Windows-1252" in page.inner_text("[data-fact=encoding]")

    # Opened, the choices stay open through the preview's re-render; another encoding reads
    # the kept upload again.
    page.click("details.import-choices summary")
    page.focus("#id_encoding")
    page.select_option("#id_encoding", "cp1250")
    _wait_for_text(page, "[data-fact=encoding]", "Windows-1250")
    # The focus stays on the choice made, in the re-rendered form.
    wait_until(page, "document.activeElement && document.activeElement.id === 'id_encoding'")
    assert "Crčche Sonnenschein" in page.inner_text("#import-line-7")
    assert page.locator("details.import-choices[open]").count() == 1
    assert page.locator("#id_encoding").is_visible()
    page.select_option("#id_encoding", "cp1252")
    _wait_for_text(page, "[data-fact=encoding]", "Windows-1252")
    assert "Crèche Sonnenschein e.V." in page.inner_text("#import-line-7")
    assert page.evaluate(OVERFLOWING) == []
    assert all(all(cells) for cells in page.evaluate(CELLS_IN_CARD))

    page.click("button:has-text('Import 4 new expenses, mark 0 paid')")
    page.wait_for_url(f"**/cycles/{cycle.pk}/")
    assert set(Expense.objects.filter(cycle=cycle).values_list("description", flat=True)) == {
        "REWE Markt GmbH",
        "Stadtwerke München GmbH",
        "Bäckerei Müller",
        "dm-drogerie markt",
    }


def _wait_for_text(page, selector: str, text: str, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while text not in page.inner_text(selector):
        if time.monotonic() > deadline:
            raise AssertionError(f"{selector} never said {text!r}")
        page.wait_for_timeout(25)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_preview_on_a_phone_has_enough_contrast(browser_page, live_server, scheme):
    household = HouseholdFactory(name="Contrast home", base_currency="EUR")
    make_owner(household, email="cora@example.com", first_name="Cora")
    cycle = CycleFactory(
        household=household,
        start_date=datetime.date(2026, 11, 1),
        end_date=datetime.date(2026, 12, 12),
        status=Cycle.Status.ACTIVE,
    )
    context = browser_page.context.browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        color_scheme=scheme,
        bypass_csp=True,  # to inject axe, which the app's CSP rightly refuses
    )
    context.set_default_timeout(10_000)
    try:
        page = _logged_in(context.new_page(), "cora@example.com")
        page.goto(f"/cycles/{cycle.pk}/import/")
        page.set_input_files("#id_file", str(SPARKASSE))
        page.click("button:has-text('Upload and preview')")
        page.wait_for_url("**/import/preview/**")
        # Booked, money in and pending (struck through) rows, and the choices unfolded.
        page.click("details.import-choices summary")
        page.add_script_tag(path=str(AXE))
        found = [
            f"{v['target']} “{v['text'][:40]}”: {v['fg']} on {v['bg']} is {v['ratio']}:1"
            for v in page.evaluate(RUN_AXE)
        ]
        assert found == []
        assert page.locator("#import-rows tbody tr").count() == 7
    finally:
        context.close()


PURCHASES = """Transaction Date,Description,Amount
12/02/2026,BAKERY ROSE,-4.50
12/03/2026,BOOKSHOP LINDE,-18.90
12/04/2026,GARAGE TORVELD,-61.00
12/05/2026,PHARMACY DAMWIJK,-12.35
12/06/2026,CAFE MARBERG,-7.80
"""


def test_quick_row_choices_hold_against_slower_earlier_answers(browser_page, tmp_path):
    """Five rows, three left out one after the other while the server's answers are held and
    then come back newest first: the earliest (slowest) answers never undo a later choice, and
    the import writes exactly the rows kept."""
    from playwright.sync_api import Error as PlaywrightError

    from tests.conftest import wait_until

    household = HouseholdFactory(name="Quick home")
    owner = make_owner(household, email="quin@example.com", first_name="Quin")
    cycle = _december(household, owner)
    statement = tmp_path / "december.csv"
    statement.write_text(PURCHASES)

    page = _logged_in(browser_page, "quin@example.com")
    page.goto(f"/cycles/{cycle.pk}/import/")
    page.set_input_files("#id_file", str(statement))
    page.click("button:has-text('Upload and preview')")
    page.wait_for_url("**/import/preview/**")

    held, settled = [], []
    previews = "**/import/preview/"
    page.route(previews, lambda route: held.append(route))
    page.on("requestfinished", lambda request: settled.append(request.url))
    page.on("requestfailed", lambda request: settled.append(request.url))
    left_out = (2, 4, 6)
    for line in left_out:
        page.select_option(f"#row-{line}-do", "skip")
    # The answers come back newest first: each earlier one is slower than the ones after it.
    for route in reversed(held):
        # The browser may have given up on it already (a newer change replaced it).
        with contextlib.suppress(PlaywrightError):
            route.continue_()
    page.unroute(previews)
    # Every request the changes sent has been answered or given up before the page is read.
    for _ in range(400):
        if len(settled) >= len(held):
            break
        page.wait_for_timeout(25)
    wait_until(page, "!document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')")

    for line in (2, 3, 4, 5, 6):
        expected = "skip" if line in left_out else "new"
        assert page.input_value(f"#row-{line}-do") == expected
        assert page.get_attribute(f"#import-line-{line}", "data-action") == expected
    assert page.inner_text("#import-counts").startswith("2 new")

    page.click("button:has-text('Import 2 new expenses, mark 0 paid')")
    page.wait_for_url(f"**/cycles/{cycle.pk}/")
    assert "Imported 2 expenses" in page.inner_text("main")
    assert "3 rows left out as chosen" in page.inner_text("main")
    assert sorted(Expense.objects.filter(cycle=cycle).values_list("description", flat=True)) == [
        "BOOKSHOP LINDE",
        "PHARMACY DAMWIJK",
    ]


def test_a_second_upload_in_another_tab_leaves_the_first_preview_working(browser_page, tmp_path):
    household = HouseholdFactory(name="Two tabs home")
    owner = make_owner(household, email="tab@example.com", first_name="Tab")
    cycle = _december(household, owner)
    card, checking = tmp_path / "card.csv", tmp_path / "checking.csv"
    card.write_text(PURCHASES)
    checking.write_text(STATEMENT)

    first = _logged_in(browser_page, "tab@example.com")
    second = first.context.new_page()
    for page, statement in ((first, card), (second, checking)):
        page.goto(f"/cycles/{cycle.pk}/import/")
        page.set_input_files("#id_file", str(statement))
        page.click("button:has-text('Upload and preview')")
        page.wait_for_url("**/import/preview/**")

    # Back in the first tab: its preview still answers and imports.
    first.bring_to_front()
    first.select_option("#row-3-do", "skip")
    first.wait_for_selector("#import-line-3[data-action=skip]")
    assert first.locator("[data-error-code]").count() == 0
    first.click("button:has-text('Import 4 new expenses, mark 0 paid')")
    first.wait_for_url(f"**/cycles/{cycle.pk}/")
    assert "Imported 4 expenses" in first.inner_text("main")
    assert "BOOKSHOP LINDE" not in set(
        Expense.objects.filter(cycle=cycle).values_list("description", flat=True)
    )
    assert Expense.objects.filter(cycle=cycle).count() == 4
    # The second tab's upload waits for its own confirmation.
    second.click("#import-form button.primary")
    second.wait_for_url(f"**/cycles/{cycle.pk}/")
    assert "Imported 3 expenses" in second.inner_text("main")
    assert Expense.objects.filter(cycle=cycle).count() == 7
