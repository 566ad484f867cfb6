"""No lost writes on budgets: two people open the budget form of a cycle; the first saves; the
second, saving over values that changed since, gets 409 with what is saved now and a message,
and nothing of the first save is overwritten — in the service, the page (HTMX and a plain
post) and the API's `expected` (tests in test_api_plan.py)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from budget.services import budgets as budget_services
from cycles.exceptions import BudgetsChanged
from cycles.models import CategoryBudget, Cycle
from cycles.tests.factories import CycleFactory
from expenses.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

INPUT = re.compile(r"<input\b[^>]*>")
ATTR = re.compile(r'(\w[\w-]*)(?:="([^"]*)")?')


@pytest.fixture
def cycle(household):
    return CycleFactory(household=household, status=Cycle.Status.ACTIVE)


@pytest.fixture
def food(household):
    return CategoryFactory(household=household, name="Food")


@pytest.fixture
def fun(household):
    return CategoryFactory(household=household, name="Fun")


def saved(cycle) -> dict[int, Decimal]:
    return dict(CategoryBudget.objects.filter(cycle=cycle).values_list("category_id", "amount"))


def form_data(html: str) -> dict[str, str]:
    """What the browser would post for the budget form as rendered (checked boxes only)."""
    data = {}
    for tag in INPUT.findall(html):
        attrs = {name: value or "" for name, value in ATTR.findall(tag[len("<input") :])}
        name = attrs.get("name")
        if not name or (attrs.get("type") == "checkbox" and "checked" not in attrs):
            continue
        data[name] = "on" if attrs.get("type") == "checkbox" else attrs.get("value", "")
    return data


def open_form(client: Client, cycle, **headers) -> dict[str, str]:
    response = client.get(reverse("cycles:budgets", args=[cycle.pk]), **headers)
    assert response.status_code == 200
    return form_data(response.content.decode())


def post(client: Client, cycle, data, **headers):
    return client.post(reverse("cycles:budgets", args=[cycle.pk]), data, **headers)


# --- the service --------------------------------------------------------------------------------


def test_a_write_expecting_what_is_saved_goes_through(cycle, food):
    budget_services.set_budgets(cycle=cycle, amounts={food.pk: Decimal("100.00")})
    budget_services.set_budgets(
        cycle=cycle,
        amounts={food.pk: Decimal("120.00")},
        expected={food.pk: Decimal("100.000")},
        expected_rolls_over={food.pk: False},
    )
    assert saved(cycle) == {food.pk: Decimal("120.00")}


def test_a_write_expecting_an_older_amount_is_refused_and_writes_nothing(cycle, food, fun):
    budget_services.set_budgets(cycle=cycle, amounts={food.pk: Decimal("150.00")})
    with pytest.raises(BudgetsChanged) as refused:
        budget_services.set_budgets(
            cycle=cycle,
            amounts={food.pk: Decimal("100.00"), fun.pk: Decimal("30.00")},
            rolls_over={food.pk: True},
            expected={food.pk: Decimal("100.00"), fun.pk: None},
        )
    assert refused.value.status == 409
    assert refused.value.current == {food.pk: (Decimal("150.00"), False)}
    assert saved(cycle) == {food.pk: Decimal("150.00")}
    food.refresh_from_db()
    assert food.rolls_over is False


def test_a_budget_added_meanwhile_is_a_change(cycle, food):
    budget_services.set_budgets(cycle=cycle, amounts={food.pk: Decimal("40.00")})
    with pytest.raises(BudgetsChanged) as refused:
        budget_services.set_budgets(cycle=cycle, amounts={food.pk: None}, expected={food.pk: None})
    assert refused.value.current == {food.pk: (Decimal("40.00"), False)}
    assert saved(cycle) == {food.pk: Decimal("40.00")}


def test_a_roll_over_flag_changed_meanwhile_is_a_change(cycle, food):
    budget_services.set_budgets(cycle=cycle, amounts={}, rolls_over={food.pk: True})
    with pytest.raises(BudgetsChanged):
        budget_services.set_budgets(
            cycle=cycle,
            amounts={food.pk: Decimal("5.00")},
            rolls_over={food.pk: False},
            expected_rolls_over={food.pk: False},
        )
    food.refresh_from_db()
    assert food.rolls_over is True and saved(cycle) == {}


def test_without_expected_values_the_last_write_wins_as_before(cycle, food):
    budget_services.set_budgets(cycle=cycle, amounts={food.pk: Decimal("150.00")})
    budget_services.set_budgets(cycle=cycle, amounts={food.pk: Decimal("100.00")})
    assert saved(cycle) == {food.pk: Decimal("100.00")}


# --- the page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_the_second_save_from_a_stale_form_gets_409_with_the_saved_values(
    owner_client, member_client, cycle, food, fun, htmx
):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    budget_services.set_budgets(cycle=cycle, amounts={food.pk: Decimal("100.00")})
    seen_by_owner = open_form(owner_client, cycle, **headers)
    seen_by_member = open_form(member_client, cycle, **headers)
    assert seen_by_member[f"seen_{food.pk}"] == "100.00"
    assert seen_by_member[f"seen_{fun.pk}"] == ""

    first = post(owner_client, cycle, {**seen_by_owner, f"amount_{food.pk}": "150"}, **headers)
    assert first.status_code == (200 if htmx else 302)

    late = post(member_client, cycle, {**seen_by_member, f"amount_{fun.pk}": "40"}, **headers)
    assert late.status_code == 409
    body = late.content.decode()
    assert "Someone else saved these budgets while you were editing them" in body
    assert 'id="budget-form"' in body
    # The form now holds what is saved, and says what changed against what was typed.
    shown = form_data(body)
    assert shown[f"amount_{food.pk}"] == "150.00" and shown[f"seen_{food.pk}"] == "150.00"
    assert shown[f"amount_{fun.pk}"] == ""
    assert re.search(r"Food: saved\s+150\.00 USD[^<]*— you entered\s+100\.00 USD", body)
    if not htmx:
        assert "<html" in body  # the budgets page, not a fragment
    # Nothing of the first save was overwritten, and nothing of the second was written.
    assert saved(cycle) == {food.pk: Decimal("150.00")}

    again = post(member_client, cycle, {**shown, f"amount_{fun.pk}": "40"}, **headers)
    assert again.status_code == (200 if htmx else 302)
    assert saved(cycle) == {food.pk: Decimal("150.00"), fun.pk: Decimal("40.00")}


def test_a_roll_over_ticked_meanwhile_is_not_undone(owner_client, member_client, cycle, food):
    seen_by_member = open_form(member_client, cycle)
    first = post(
        owner_client, cycle, {**open_form(owner_client, cycle), f"rolls_over_{food.pk}": "on"}
    )
    assert first.status_code == 302
    late = post(member_client, cycle, {**seen_by_member, f"amount_{food.pk}": "20"})
    assert late.status_code == 409
    food.refresh_from_db()
    assert food.rolls_over is True and saved(cycle) == {}


def test_a_form_without_the_seen_values_saves_as_before(member_client, cycle, food):
    budget_services.set_budgets(cycle=cycle, amounts={food.pk: Decimal("150.00")})
    response = post(member_client, cycle, {f"amount_{food.pk}": "90"})
    assert response.status_code == 302
    assert saved(cycle) == {food.pk: Decimal("90.00")}


@pytest.mark.parametrize("value", ["abc", "NaN", "sNaN", "1e999999", "-Infinity"])
def test_a_tampered_seen_value_is_never_a_500(member_client, cycle, food, value):
    response = post(member_client, cycle, {f"amount_{food.pk}": "9", f"seen_{food.pk}": value})
    assert response.status_code in {302, 409}
