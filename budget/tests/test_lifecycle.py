"""The cycle lifecycle: starting the current cycle on its own, the completion review with its
three choices for unpaid expenses, and reopening the last completed cycle."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from budget import services
from budget.selectors.budgets import cycle_budget
from budget.selectors.lifecycle import completion_review
from budget.services import budgets as budget_services
from budget.services import income as income_services
from cycles.exceptions import (
    InvalidStatusTransition,
    NoNextCycle,
    NotLastCompletedCycle,
    OnlyOwnerMayReopen,
)
from cycles.models import CategoryBudget, Cycle, CycleEvent
from cycles.tests.factories import CycleFactory
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


def _cycle(household, start, status=Cycle.Status.DRAFT, **kwargs):
    return CycleFactory(
        household=household,
        start_date=start,
        end_date=start + datetime.timedelta(days=30),
        status=status,
        income=Decimal(0),
        **kwargs,
    )


@pytest.fixture
def active(household):
    return _cycle(household, datetime.date(2026, 2, 1), Cycle.Status.ACTIVE)


@pytest.fixture
def following(household):
    return _cycle(household, datetime.date(2026, 3, 4))


@pytest.fixture
def food(household):
    return CategoryFactory(household=household, name="Food")


def _status(cycle):
    return Cycle.objects.get(pk=cycle.pk).status


# --- starting the current cycle ----------------------------------------------------------------


def test_a_new_cycle_for_today_starts_when_no_cycle_is_active(household, owner):
    cycle = services.create_cycle(
        household=household, start_date=datetime.date(2026, 3, 1), created_by=owner, today=TODAY
    )
    assert cycle.started and _status(cycle) == Cycle.Status.ACTIVE
    event = CycleEvent.objects.get(cycle=cycle)
    assert (event.action, event.by) == ("activated", owner)


def test_a_new_cycle_stays_a_draft_beside_an_active_one_or_when_not_current(household, active):
    current = services.create_cycle(
        household=household, start_date=datetime.date(2026, 3, 4), today=TODAY
    )
    assert not current.started and _status(current) == Cycle.Status.DRAFT
    later = services.create_cycle(
        household=household, start_date=datetime.date(2026, 5, 1), today=TODAY
    )
    assert _status(later) == Cycle.Status.DRAFT


def test_completing_the_active_cycle_starts_the_draft_for_today(active, following):
    done = services.complete_cycle(cycle=active, today=TODAY)
    assert done.started_next.pk == following.pk
    assert _status(following) == Cycle.Status.ACTIVE


def test_dashboard_offers_to_start_a_draft_for_today(owner_client, household):
    today = datetime.date.today()
    draft = _cycle(household, today - datetime.timedelta(days=2))
    body = owner_client.get(reverse("dashboard")).content.decode()
    assert "No active cycle" not in body
    assert "is ready to start" in body
    assert reverse("cycles:activate", args=[draft.pk]) in body


# --- completion review and the three choices ---------------------------------------------------


def _unpaid_and_paid(cycle, food):
    unpaid = ExpenseFactory(cycle=cycle, category=food, amount=Decimal("30"))
    paid = ExpenseFactory(
        cycle=cycle,
        category=food,
        amount=Decimal("20"),
        status=Expense.Status.PAID,
        paid_on=cycle.start_date,
    )
    return unpaid, paid


def test_review_counts_what_is_still_open(active, following, food):
    _unpaid_and_paid(active, food)
    ExpenseFactory(cycle=active, category=food, currency="EUR", base_amount=None, rate=None)
    budget_services.set_budget(cycle=active, category=food, amount=Decimal("10"))
    income_services.add_income_line(
        cycle=active,
        description="Salary",
        amount=Decimal("900"),
        currency="USD",
        expected_date=active.start_date,
    )
    review = completion_review(active)
    assert (review.unpaid_count, review.unpaid_total, review.awaiting_rate) == (
        2,
        Decimal("30"),
        1,
    )
    assert (review.income_not_received_count, review.income_not_received) == (1, Decimal("900"))
    assert [line.name for line in review.over_budget] == ["Food"]
    assert review.can_move and not review.all_settled


def test_keeping_unpaid_expenses_leaves_them_planned(active, food):
    unpaid, _paid = _unpaid_and_paid(active, food)
    services.complete_cycle(cycle=active, unpaid="keep", today=TODAY)
    unpaid.refresh_from_db()
    assert (unpaid.cycle_id, unpaid.status) == (active.pk, "planned")


def test_skipping_unpaid_expenses_takes_them_out_of_the_totals(active, food):
    unpaid, paid = _unpaid_and_paid(active, food)
    services.complete_cycle(cycle=active, unpaid="skip", today=TODAY)
    unpaid.refresh_from_db()
    paid.refresh_from_db()
    assert (unpaid.status, paid.status) == ("skipped", "paid")


def test_moving_unpaid_expenses_puts_them_in_the_next_cycle(active, following, food):
    unpaid, paid = _unpaid_and_paid(active, food)
    services.complete_cycle(cycle=active, unpaid="move", today=TODAY)
    unpaid.refresh_from_db()
    paid.refresh_from_db()
    assert (unpaid.cycle_id, unpaid.date, unpaid.status) == (
        following.pk,
        following.start_date,
        "planned",
    )
    assert paid.cycle_id == active.pk


def test_moving_without_a_next_cycle_is_refused_and_nothing_changes(active, food):
    _unpaid_and_paid(active, food)
    with pytest.raises(NoNextCycle):
        services.complete_cycle(cycle=active, unpaid="move", today=TODAY)
    assert _status(active) == Cycle.Status.ACTIVE
    assert Expense.objects.filter(status="planned").count() == 1


def test_completion_page_shows_the_review_and_takes_the_choice(
    owner_client, active, following, food
):
    _unpaid_and_paid(active, food)
    url = reverse("cycles:complete", args=[active.pk])
    page = owner_client.get(url).content.decode()
    assert "planned expense not paid" in page and "Move them to the next cycle" in page
    response = owner_client.post(url, {"unpaid": "skip"})
    assert response.status_code == 302
    assert _status(active) == Cycle.Status.COMPLETED
    assert Expense.objects.filter(status="skipped").count() == 1
    bad = owner_client.post(reverse("cycles:complete", args=[following.pk]), {"unpaid": "x"})
    assert bad.status_code in {409, 422}


def test_an_unknown_choice_is_a_field_error(owner_client, active):
    response = owner_client.post(reverse("cycles:complete", args=[active.pk]), {"unpaid": "burn"})
    assert response.status_code == 422
    assert _status(active) == Cycle.Status.ACTIVE


def test_completing_a_draft_is_refused(owner_client, following):
    with pytest.raises(InvalidStatusTransition):
        services.complete_cycle(cycle=following)
    assert owner_client.get(reverse("cycles:complete", args=[following.pk])).status_code == 409


# --- reopening ---------------------------------------------------------------------------------


def test_owner_reopens_the_last_completed_cycle_logged_who_and_when(
    owner_client, owner, active, following
):
    services.complete_cycle(cycle=active, today=TODAY)  # starts `following`
    response = owner_client.post(reverse("cycles:reopen", args=[active.pk]))
    assert response.status_code == 302
    assert _status(active) == Cycle.Status.ACTIVE
    assert _status(following) == Cycle.Status.DRAFT
    event = CycleEvent.objects.filter(cycle=active, action="reopened").get()
    assert event.by == owner
    page = owner_client.get(reverse("cycles:detail", args=[active.pk])).content.decode()
    assert "Reopened by Olive" in page


def test_a_member_cannot_reopen(member_client, member, active):
    services.complete_cycle(cycle=active, today=TODAY)
    with pytest.raises(OnlyOwnerMayReopen):
        services.reopen_cycle(cycle=active, by=member)
    assert member_client.post(reverse("cycles:reopen", args=[active.pk])).status_code == 403
    assert _status(active) == Cycle.Status.COMPLETED


def test_only_the_last_completed_cycle_reopens(household, owner, active, following):
    services.complete_cycle(cycle=active, today=TODAY)
    services.complete_cycle(cycle=Cycle.objects.get(pk=following.pk), today=TODAY)
    with pytest.raises(NotLastCompletedCycle):
        services.reopen_cycle(cycle=active, by=owner)
    services.reopen_cycle(cycle=following, by=owner)
    assert _status(following) == Cycle.Status.ACTIVE


def test_reopening_recomputes_the_rollover(household, owner, active, following, food):
    food.rolls_over = True
    food.save()
    CategoryBudget.objects.create(cycle=active, category=food, amount=Decimal("100"))
    ExpenseFactory(cycle=active, category=food, amount=Decimal("60"))
    services.complete_cycle(cycle=active, today=TODAY)

    def rollover():
        return next(
            line.rollover for line in cycle_budget(following).lines if line.category_id == food.pk
        )

    assert rollover() == Decimal("40")
    services.reopen_cycle(cycle=active, by=owner)
    assert rollover() == 0
