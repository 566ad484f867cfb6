"""Every text on the cycle page, the dashboard and the reports is readable: axe-core's
color-contrast rule (WCAG 2 AA: 4.5:1, 3:1 for large text) finds no violation in the light
theme, in the dark one the browser asks for (prefers-color-scheme) and in the dark one a person
chose (data-theme on <html>); what axe leaves undecided (the charts' SVG text, lone symbols) is
measured in the page from the computed colours, against 4.5:1.

axe-core is vendored in tests/vendor/ (axe-core 4.10.3, MPL-2.0, its licence beside it), so the
test runs offline; it is injected into the page by the test only (the app never serves it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-4.10.3.min.js"
RUN_AXE = """async () => {
    const result = await axe.run(document, {
        runOnly: {type: 'rule', values: ['color-contrast']},
        resultTypes: ['violations', 'incomplete'],
    });
    const found = result.violations.flatMap(rule => rule.nodes.map(node => {
        const data = (node.any[0] || {}).data || {};
        return {
            target: node.target.join(' '),
            text: (document.querySelector(node.target[0]) || {}).innerText || node.html,
            fg: data.fgColor, bg: data.bgColor, ratio: data.contrastRatio,
            expected: data.expectedContrastRatio,
        };
    }));
    // What axe leaves undecided (the charts' SVG text, a lone symbol such as the pay button's
    // check mark) is measured here: its colour (an SVG text's fill) against the first opaque
    // background behind it.
    const rgb = value => (value.match(/[\\d.]+/g) || []).map(Number);
    const luminance = ([r, g, b]) => [r, g, b].map(c => {
        c /= 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }).reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
    const background = element => {
        for (let e = element; e; e = e.parentElement) {
            const [r, g, b, a = 1] = rgb(getComputedStyle(e).backgroundColor);
            if (a >= 0.99) return [r, g, b];
        }
        return [255, 255, 255];
    };
    for (const node of result.incomplete.flatMap(rule => rule.nodes)) {
        const element = document.querySelector(node.target[0]);
        if (!element || !element.getClientRects().length) continue;
        const style = getComputedStyle(element);
        if (style.visibility === 'hidden' || element.closest('[aria-hidden=true]')) continue;
        const fg = rgb(element instanceof SVGElement ? style.fill : style.color);
        const bg = background(element);
        const [light, dark] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
        const ratio = Math.round((light + 0.05) / (dark + 0.05) * 100) / 100;
        if (ratio < 4.5) found.push({
            target: node.target.join(' '), text: element.textContent.trim(),
            fg: 'rgb(' + fg + ')', bg: 'rgb(' + bg + ')', ratio: ratio, expected: '4.5:1',
        });
    }
    return found;
}"""


def _pages(data) -> list[str]:
    cycle, past = data["cycle"], data["past"]
    return [
        f"/cycles/{cycle.pk}/",
        "/",
        "/reports/",
        f"/reports/cycles/{cycle.pk}/",
        f"/reports/cycles/{past.pk}/",
        "/reports/budgets/",
        "/reports/forecast/",
    ]


@pytest.mark.parametrize("theme", ["light", "dark", "dark-chosen"])
def test_every_text_has_enough_contrast(household_page, chromium, theme):
    if theme == "dark-chosen":
        owner = household_page["owner"]
        owner.theme = "dark"
        owner.save(update_fields=["theme"])
    browser, base_url = chromium
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": 1366, "height": 900},
        color_scheme="dark" if theme == "dark" else "light",
        bypass_csp=True,  # to inject axe, which the app's CSP rightly refuses
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        pages = _pages(household_page)
        log_in(page, pages[0])
        found = []

        def check(where):
            # Colours are read at rest: htmx fades a form while its request runs
            # (.htmx-request) and back after the swap, and a running transition blends them.
            # htmx's swap classes go first, then two frames let a transition they start
            # register before the animations are checked.
            page.wait_for_function(
                "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, "
                ".htmx-added')"
            )
            page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
            if not page.evaluate("typeof axe !== 'undefined'"):
                page.add_script_tag(path=str(AXE))
            found.extend(
                f"{where} {v['target']} “{v['text'][:40]}”: {v['fg']} on {v['bg']} is "
                f"{v['ratio']}:1, needs {v['expected']}"
                for v in page.evaluate(RUN_AXE)
            )

        for url in pages:
            if page.url.split(base_url)[-1] != url:
                page.goto(url)
            page.wait_for_load_state("networkidle")
            check(url)
        # The cycle page's states after actions: the add row keeping values from the last
        # expense (highlighted, with its note), a refused add with its errors, a row being
        # edited, the budget form, a paid row.
        page.goto(pages[0])
        page.fill("#expense-add-form-description", "Coffee")
        page.fill("#expense-add-form-amount", "3")
        page.select_option("#expense-add-form-category", label="Food")
        page.press("#expense-add-form-amount", "Enter")
        page.wait_for_selector("[data-carried-note]")
        check("after an add")
        page.fill("#expense-add-form-amount", "")
        page.press("#expense-add-form-amount", "Enter")
        page.wait_for_selector("#expense-add-row .errorlist")
        check("a refused add")
        page.click(f"#expense-{household_page['rows']['Groceries'].pk} form button")
        page.click(f"#expense-{household_page['rows']['Bakery'].pk} a:has-text('Edit')")
        page.wait_for_selector("[data-edit-row]")
        page.click("#cycle-budgets a:has-text('Set budgets')")
        page.wait_for_selector("#budget-form")
        page.wait_for_load_state("networkidle")
        check("editing")
        if found:
            pytest.fail(f"{theme}: {len(found)} texts lack contrast:\n" + "\n".join(found))
    finally:
        context.close()
