"""The cycle page's layout at a phone's 390 x 844 and a laptop's 1366 x 768 (issue 25, item 13):
nothing overflows sideways, the navigation is one line on the laptop, an open inline edit keeps
Save, Cancel and Delete inside its card, no word is broken inside, the phone's Add button covers
no expense and a phone shows at least five expenses per screen."""

from __future__ import annotations

import pytest

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}

# Boxes whose content is wider than they are and scrolls or is clipped (a table wider than its
# card), and the page's own sideways overflow.
OVERFLOW = """() => ({
    page: document.documentElement.scrollWidth - window.innerWidth,
    clipped: [...document.querySelectorAll('body *')].filter(element => {
        const overflow = getComputedStyle(element).overflowX;
        return ['auto', 'scroll', 'hidden'].includes(overflow) && element.clientWidth > 2
            && element.scrollWidth > element.clientWidth + 1;
    }).map(element => element.tagName + '#' + element.id + '.' + element.className),
})"""

# Every word of the expense table's cells on one line: a word broken inside ("Electrici" / "ty")
# has two boxes.
BROKEN_WORDS = """() => {
    const broken = [];
    const cells = document.querySelectorAll('#expense-rows td');
    for (const cell of cells) {
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const match of node.data.matchAll(/[A-Za-z]{4,}/g)) {
                const range = document.createRange();
                range.setStart(node, match.index);
                range.setEnd(node, match.index + match[0].length);
                const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                if (lines.size > 1) broken.push(match[0]);
            }
        }
    }
    return broken;
}"""

# Expense rows wholly on the screen once the first one sits under the sticky top bar.
ROWS_PER_SCREEN = """() => {
    const rows = [...document.querySelectorAll('#expense-rows > tr[data-status]')];
    const bar = () => document.getElementById('topbar').getBoundingClientRect().bottom;
    window.scrollBy(0, rows[0].getBoundingClientRect().top - bar());
    const top = bar();
    return rows.filter(row => {
        const box = row.getBoundingClientRect();
        return box.top >= top - 1 && box.bottom <= window.innerHeight + 1;
    }).length;
}"""


def _open(chromium, url, viewport, **options):
    browser, base_url = chromium
    context = browser.new_context(base_url=base_url, viewport=viewport, **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, url)
    return context, page


def _inside(inner: dict, outer: dict) -> bool:
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
    )


def _edit_controls_inside_the_card(page, row: str):
    card = page.locator("#expense-table").locator("xpath=ancestor::section[1]").bounding_box()
    wrap = page.locator("#expense-table .table-wrap").bounding_box()
    for name in ("Save", "Cancel", "Delete"):
        control = page.locator(f"{row} td.actions").get_by_text(name, exact=True)
        box = control.bounding_box()
        assert box and _inside(box, card) and _inside(box, wrap), (name, box, card, wrap)


def test_the_cycle_page_on_a_laptop(household_page, chromium):
    cycle = household_page["cycle"]
    context, page = _open(chromium, f"/cycles/{cycle.pk}/", LAPTOP)
    try:
        overflow = page.evaluate(OVERFLOW)
        assert overflow["page"] <= 0 and not overflow["clipped"], overflow
        # The navigation is one line: every link at the same height.
        tops = page.eval_on_selector_all(
            "nav.nav a", "links => links.map(a => Math.round(a.getBoundingClientRect().top))"
        )
        assert len(tops) == 10 and len(set(tops)) == 1, tops
        # The expense table uses the width: wider than the old 72rem container left it.
        assert page.locator("#expense-table").bounding_box()["width"] > 1200
        assert page.evaluate(BROKEN_WORDS) == []

        # An inline edit opened in place, and the same edit as its own page.
        row = f"#expense-{household_page['rows']['Groceries'].pk}"
        page.click(f"{row} a:has-text('Edit')")
        page.locator(f"{row} input[name=description]").wait_for()
        _edit_controls_inside_the_card(page, row)
        assert not page.evaluate(OVERFLOW)["clipped"]
        page.goto(f"/expenses/{household_page['rows']['Groceries'].pk}/edit/")
        _edit_controls_inside_the_card(page, row)
        overflow = page.evaluate(OVERFLOW)
        assert overflow["page"] <= 0 and not overflow["clipped"], overflow
    finally:
        context.close()


def test_the_cycle_page_on_a_phone(household_page, chromium):
    cycle = household_page["cycle"]
    context, page = _open(chromium, f"/cycles/{cycle.pk}/", PHONE, is_mobile=True, has_touch=True)
    try:
        overflow = page.evaluate(OVERFLOW)
        assert overflow["page"] <= 0 and not overflow["clipped"], overflow
        assert page.evaluate(BROKEN_WORDS) == []
        assert page.evaluate(ROWS_PER_SCREEN) >= 5

        # The Add button is in the top bar, over no expense, wherever the page is scrolled.
        add = page.locator("[data-open-add]")
        assert add.evaluate("button => getComputedStyle(button).position") != "fixed"
        assert add.evaluate("button => !!button.closest('#topbar')")
        rows = page.locator("#expense-rows > tr[data-status]")
        last = rows.nth(rows.count() - 1)
        last.scroll_into_view_if_needed()
        box, row_box = add.bounding_box(), last.bounding_box()
        assert (
            box["y"] + box["height"] <= row_box["y"] or box["y"] >= row_box["y"] + row_box["height"]
        )
        add.tap()
        assert page.evaluate("document.activeElement.id") == "expense-add-form-description"

        # An inline edit on the phone keeps its controls inside the card too.
        row = f"#expense-{household_page['rows']['Groceries'].pk}"
        page.locator(f"{row} a:has-text('Edit')").tap()
        page.locator(f"{row} input[name=description]").wait_for()
        _edit_controls_inside_the_card(page, row)
        assert page.evaluate(OVERFLOW)["page"] <= 0
    finally:
        context.close()


@pytest.mark.parametrize("household_page", ["many"], indirect=True)
def test_a_phone_shows_five_expenses_per_screen_in_a_long_cycle(household_page, chromium):
    cycle = household_page["cycle"]
    context, page = _open(chromium, f"/cycles/{cycle.pk}/", PHONE, is_mobile=True, has_touch=True)
    try:
        assert page.evaluate(ROWS_PER_SCREEN) >= 5
    finally:
        context.close()
