import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from cycles.tests.factories import CycleFactory
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory

from .conftest import PAID, make_expense

pytestmark = pytest.mark.django_db

D = Decimal


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _urls(cycle):
    return [
        reverse("reports:overview"),
        reverse("reports:forecast"),
        reverse("reports:cycle", args=[cycle.pk]),
        reverse("reports:cycle_export", args=[cycle.pk]),
        reverse("reports:range_export") + "?start=2026-01-01&end=2026-12-31",
    ]


# -- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["reports:cycle", "reports:cycle_export"])
def test_another_households_cycle_is_404(budget, stranger_client, name):
    response = stranger_client.get(reverse(name, args=[budget.pk]))

    assert response.status_code == 404


def test_a_stranger_sees_only_their_own_household_in_overview_and_export(budget, stranger_client):
    overview = stranger_client.get(reverse("reports:overview"))
    export = stranger_client.get(
        reverse("reports:range_export"), {"start": "2026-01-01", "end": "2026-12-31"}
    )

    assert "January" not in _text(overview)
    body = b"".join(export.streaming_content).decode()
    assert body.splitlines()[1:] == []


def test_anonymous_visitor_is_sent_to_log_in(budget, client):
    for url in _urls(budget):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_anonymous_htmx_request_gets_hx_redirect_to_log_in(budget, client, htmx_headers):
    for url in _urls(budget):
        response = client.get(url, **htmx_headers)
        assert response["HX-Redirect"].startswith(reverse("accounts:login")), url


def test_a_member_sees_the_household_reports(budget, member_client):
    assert member_client.get(reverse("reports:cycle", args=[budget.pk])).status_code == 200


def test_reports_refuse_post(budget, owner_client):
    assert owner_client.post(reverse("reports:overview")).status_code == 405


# -- one cycle ---------------------------------------------------------------------------------


def test_cycle_report_shows_totals_and_says_what_awaits_a_rate(budget, owner_client):
    text = _text(owner_client.get(reverse("reports:cycle", args=[budget.pk])))

    # "Spent" is paid money only; planned is shown as planned.
    assert 'Spent (paid)</div> <div class="value" data-testid="paid">1,335.40 USD' in text
    assert 'Planned, not paid yet</div> <div class="value" data-testid="planned">85.00 USD' in text
    assert 'Paid + planned</div> <div class="value" data-testid="total">1,420.40 USD' in text
    assert 'data-testid="left">1,579.60 USD' in text
    assert "Spent (planned + paid)" not in text
    assert "1 expense awaiting an exchange rate is not included in these totals." in text


def test_cycle_report_shows_breakdowns_and_largest_expenses(budget, owner_client, owner):
    text = _text(owner_client.get(reverse("reports:cycle", args=[budget.pk])))

    labels = ("Housing", "Transport", "Max's card", "Cash", "No payment method", "Unassigned")
    for label in (*labels, "Shared (household)"):
        assert label in text.replace("&#39;", "'")
    assert owner.display_name in text
    assert 'Food</th> <td class="num">3 <span class="muted">(1 awaiting a rate)</span>' in text
    assert "100.00 EUR" in text and "110.00 USD" in text


def test_cycle_report_draws_a_category_chart_with_a_title(budget, owner_client):
    html = owner_client.get(reverse("reports:cycle", args=[budget.pk])).content.decode()

    svg = re.search(r"<svg[^>]*data-chart=\"categories\".*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg
    assert svg.count('<rect class="bar category"') == 3
    assert "<table" in html  # the same numbers as a table


def test_cycle_report_of_an_empty_cycle(household, owner_client):
    cycle = CycleFactory(household=household)

    response = owner_client.get(reverse("reports:cycle", args=[cycle.pk]))

    assert response.status_code == 200
    assert "This cycle has no expenses yet." in _text(response)


def test_pages_send_no_inline_styles_or_scripts(budget, owner_client):
    for url in (
        reverse("reports:overview"),
        reverse("reports:cycle", args=[budget.pk]),
        reverse("reports:forecast"),
    ):
        html = owner_client.get(url).content.decode()
        assert "style=" not in html and "<style" not in html, url
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert not re.search(r"\son[a-z]+=", html), url


def test_cycle_report_runs_a_bounded_number_of_queries(
    household, owner_client, django_assert_max_num_queries
):
    food = CategoryFactory(household=household, name="Food")
    for count in (5, 1000):
        cycle = CycleFactory(household=household)
        Expense.objects.bulk_create(
            Expense(
                cycle=cycle,
                description=f"E{i}",
                amount=D("3.00"),
                currency="USD",
                date=cycle.start_date,
                category=food,
                base_amount=D("3.00"),
                rate=D("1"),
            )
            for i in range(count)
        )
        # 13: the budget lines are two flat queries (categories with budgets, trigger totals);
        # and four for the per-member view (sharing: members, shares, settlements, personal).
        with django_assert_max_num_queries(17):
            response = owner_client.get(reverse("reports:cycle", args=[cycle.pk]))
        assert response.status_code == 200


# -- across cycles -----------------------------------------------------------------------------


@pytest.fixture
def history(household, budget):
    """Two cycles before `budget` (January 2026: 1,335.40 paid, 85.00 planned), each paid in
    full: 1,000.00 and 1,291.28."""
    housing = CategoryFactory(household=household, name="Housing")
    older = CycleFactory(household=household, start_date=datetime.date(2025, 10, 8))
    previous = CycleFactory(household=household, start_date=datetime.date(2025, 11, 19))
    make_expense(older, description="x", amount=D("1000.00"), category=housing, status=PAID)
    make_expense(previous, description="y", amount=D("1291.28"), category=housing, status=PAID)
    return [older, previous, budget]


def test_overview_shows_spending_per_cycle_with_change_and_average(history, owner_client):
    text = _text(owner_client.get(reverse("reports:overview")))

    assert "+29.1 %" in text  # 1,000.00 → 1,291.28
    assert "+10.0 %" in text  # 1,291.28 → 1,420.40 (paid + planned)
    # Spent is what was paid: (1,000 + 1,291.28 + 1,335.40) / 3; January's 85.00 is planned.
    assert 'data-testid="average-spent">1,208.89 USD' in text
    assert 'data-testid="total-spent">3,626.68 USD' in text
    assert 'data-testid="total-planned">85.00 USD more planned' in text
    assert "1 expense awaiting an exchange rate is not included in these totals." in text
    assert 'id="category-matrix"' in text


def test_overview_says_that_a_wholly_planned_next_cycle_is_compared_with_real_spending(
    history, household, owner_client
):
    # The next cycle, generated from templates: nothing in it is paid yet.
    february = CycleFactory(
        household=household, name="February", start_date=datetime.date(2026, 2, 13)
    )
    make_expense(february, description="Rent", amount=D("1200.00"))
    html = owner_client.get(reverse("reports:overview")).content.decode()
    row = html[html.index(f'id="overview-cycle-{february.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Only planned" in row
    assert "(plan vs paid)" in row  # its change (-15.5 %) compares a plan with January's spending
    assert "\u221215.5 %" in row
    note = html[html.index('data-testid="latest-change-note"') :]
    assert "Nothing in February is paid yet: its plan is compared with real spending." in (
        " ".join(note[: note.index("</div>")].split())
    )
    # A cycle with nothing paid is left out of the average instead of counting as zero.
    assert 'data-testid="average-spent">1,208.89 USD' in html
    assert "1 cycle with nothing paid yet left out" in html


def test_overview_range_limits_the_cycles_and_marks_the_choice(history, owner_client):
    text = _text(owner_client.get(reverse("reports:overview"), {"range": "3"}))

    assert 'aria-current="true">Last 3<' in text
    assert text.count('<rect class="bar spent"') == 3


def test_overview_htmx_request_gets_only_the_report_section(history, owner_client, htmx_headers):
    response = owner_client.get(reverse("reports:overview"), {"range": "12"}, **htmx_headers)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card report" id="report-overview">')
    assert "<html" not in html
    assert 'aria-current="true">Last 12<' in html
    assert "HX-Request" in response["Vary"]


def test_overview_history_restore_gets_the_full_page(history, owner_client, htmx_headers):
    response = owner_client.get(
        reverse("reports:overview"),
        {"range": "3"},
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
        **htmx_headers,
    )

    assert "<html" in response.content.decode()


def test_overview_range_links_switch_with_htmx_and_push_the_url(owner_client, household):
    html = owner_client.get(reverse("reports:overview")).content.decode()

    assert 'hx-get="/reports/?range=all"' in html
    assert 'hx-target="#report-overview"' in html and 'hx-push-url="true"' in html
    assert 'href="/reports/?range=all"' in html  # works without JavaScript too


def test_overview_without_cycles_says_so(owner_client, household):
    response = owner_client.get(reverse("reports:overview"))

    assert response.status_code == 200
    assert "No cycles yet." in _text(response)


@pytest.mark.parametrize(("cycles", "per_cycle"), [(3, 5), (40, 30)])
def test_overview_of_all_cycles_runs_a_bounded_number_of_queries(
    household, owner_client, django_assert_max_num_queries, cycles, per_cycle
):
    food = CategoryFactory(household=household, name="Food")
    made = [
        CycleFactory(
            household=household,
            start_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=43 * i),
        )
        for i in range(cycles)
    ]
    Expense.objects.bulk_create(
        Expense(
            cycle=cycle,
            description=f"E{i}",
            amount=D("2.00"),
            currency="USD",
            date=cycle.start_date,
            category=food,
            base_amount=D("2.00"),
            rate=D("1"),
        )
        for cycle in made
        for i in range(per_cycle)
    )
    with django_assert_max_num_queries(12):
        response = owner_client.get(reverse("reports:overview"), {"range": "all"})
    assert response.status_code == 200
    assert _text(response).count('<rect class="bar spent"') == cycles


# -- forecast ----------------------------------------------------------------------------------


def test_forecast_page_and_partial(budget, owner_client, htmx_headers):
    page = _text(owner_client.get(reverse("reports:forecast")))
    partial = owner_client.get(reverse("reports:forecast"), **htmx_headers).content.decode()

    assert "Next cycle: Feb 13, 2026 – Mar 26, 2026" in page  # the household's date format
    assert partial.lstrip().startswith('<section class="card report" id="forecast">')
    assert "<html" not in partial


def test_overview_loads_the_forecast_lazily(owner_client, household):
    html = owner_client.get(reverse("reports:overview")).content.decode()

    assert 'hx-get="/reports/forecast/" hx-trigger="load"' in " ".join(html.split())


@pytest.mark.parametrize("range_key", ["3", "all"])
def test_overview_lists_cycles_oldest_first(history, owner_client, range_key):
    text = _text(owner_client.get(reverse("reports:overview"), {"range": range_key}))

    positions = [text.index(f">{cycle.name}</a>") for cycle in history]
    assert positions == sorted(positions)
