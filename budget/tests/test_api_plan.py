"""The API's plan of a cycle: completing with the unpaid choice, reopening, category budgets
(read, set several, copy, usual — with `expected` refusing a stale write) and income lines,
through budget.services with their errors in the envelope; money as strings in the base
currency's decimals."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from accounts.tests.factories import api_client, make_viewer
from budget.services import budgets as budget_services
from budget.services import income as income_services
from cycles.models import CategoryBudget, Cycle, CycleEvent, IncomeLine
from cycles.tests.factories import CycleFactory
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/cycles"
INCOME_URL = "/api/v1/income"
JSON = "application/json"


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    return body["error"]


@pytest.fixture
def cycle(household):
    return CycleFactory(
        household=household, status=Cycle.Status.ACTIVE, start_date=datetime.date(2026, 3, 1)
    )


@pytest.fixture
def food(household):
    return CategoryFactory(household=household, name="Food")


@pytest.fixture
def fun(household):
    return CategoryFactory(household=household, name="Fun")


# --- complete and reopen ------------------------------------------------------------------------


def test_completing_without_a_body_keeps_the_unpaid_expenses(owner_api, cycle):
    planned = ExpenseFactory(cycle=cycle)
    response = owner_api.post(f"{URL}/{cycle.pk}/complete")
    assert response.status_code == 200 and response.json()["status"] == "completed"
    planned.refresh_from_db()
    assert planned.status == Expense.Status.PLANNED and planned.cycle_id == cycle.pk


def test_completing_can_skip_the_unpaid_expenses(owner_api, cycle):
    planned = ExpenseFactory(cycle=cycle)
    response = owner_api.post(f"{URL}/{cycle.pk}/complete?unpaid=skip")
    assert response.status_code == 200
    planned.refresh_from_db()
    assert planned.status == Expense.Status.SKIPPED


def test_completing_moves_the_unpaid_expenses_to_the_next_cycle(owner_api, household, cycle):
    later = CycleFactory(household=household, start_date=cycle.end_date + datetime.timedelta(1))
    planned = ExpenseFactory(cycle=cycle)
    response = owner_api.post(f"{URL}/{cycle.pk}/complete?unpaid=move")
    assert response.status_code == 200
    planned.refresh_from_db()
    assert planned.cycle_id == later.pk and planned.date == later.start_date


def test_an_expense_moved_by_completing_refuses_a_patch_with_its_old_version(
    owner_api, household, cycle
):
    later = CycleFactory(household=household, start_date=cycle.end_date + datetime.timedelta(1))
    planned = ExpenseFactory(cycle=cycle, description="Rent")
    etag = owner_api.get(f"/api/v1/expenses/{planned.pk}")["ETag"]

    assert owner_api.post(f"{URL}/{cycle.pk}/complete?unpaid=move").status_code == 200
    response = owner_api.patch(
        f"/api/v1/expenses/{planned.pk}",
        {"description": "Rent (stale)"},
        content_type=JSON,
        HTTP_IF_MATCH=etag,
    )

    assert error(response, 409)["code"] == "EXPENSE_CHANGED"
    planned.refresh_from_db()
    assert planned.description == "Rent" and planned.cycle_id == later.pk
    assert owner_api.get(f"/api/v1/expenses/{planned.pk}")["ETag"] != etag


def test_an_expense_skipped_by_completing_has_a_new_version(owner_api, cycle):
    planned = ExpenseFactory(cycle=cycle)
    etag = owner_api.get(f"/api/v1/expenses/{planned.pk}")["ETag"]
    assert owner_api.post(f"{URL}/{cycle.pk}/complete?unpaid=skip").status_code == 200
    assert owner_api.get(f"/api/v1/expenses/{planned.pk}")["ETag"] != etag


def test_moving_unpaid_expenses_without_a_next_cycle_is_refused_and_changes_nothing(
    owner_api, cycle
):
    planned = ExpenseFactory(cycle=cycle)
    response = owner_api.post(f"{URL}/{cycle.pk}/complete?unpaid=move")
    assert error(response, 409)["code"] == "NO_NEXT_CYCLE"
    cycle.refresh_from_db()
    planned.refresh_from_db()
    assert cycle.status == Cycle.Status.ACTIVE and planned.cycle_id == cycle.pk


def test_an_unknown_unpaid_choice_is_a_validation_error(owner_api, cycle):
    response = owner_api.post(f"{URL}/{cycle.pk}/complete?unpaid=burn")
    assert "unpaid" in error(response, 422)["details"]["fields"]
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.ACTIVE


def test_the_owner_reopens_the_last_completed_cycle(owner_api, owner, household, cycle):
    later = CycleFactory(
        household=household,
        start_date=cycle.end_date + datetime.timedelta(1),
    )
    owner_api.post(f"{URL}/{cycle.pk}/complete")
    later.refresh_from_db()
    response = owner_api.post(f"{URL}/{cycle.pk}/reopen")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "active" and body["completed_at"] is None
    cycle.refresh_from_db()
    assert cycle.reopened_by == owner
    assert cycle.events.filter(action=CycleEvent.Action.REOPENED, by=owner).exists()


def test_a_member_may_not_reopen_a_cycle(member_api, cycle):
    cycle.status = Cycle.Status.COMPLETED
    cycle.save()
    assert error(member_api.post(f"{URL}/{cycle.pk}/reopen"), 403)["code"] == (
        "ONLY_OWNER_MAY_REOPEN"
    )
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.COMPLETED


def test_only_the_last_completed_cycle_reopens(owner_api, household, cycle):
    CycleFactory(
        household=household,
        status=Cycle.Status.COMPLETED,
        start_date=cycle.end_date + datetime.timedelta(1),
    )
    cycle.status = Cycle.Status.COMPLETED
    cycle.save()
    response = owner_api.post(f"{URL}/{cycle.pk}/reopen")
    assert error(response, 409)["code"] == "NOT_LAST_COMPLETED_CYCLE"
    active = owner_api.post(f"{URL}/{CycleFactory(household=household).pk}/reopen")
    assert error(active, 409)["code"] == "NOT_LAST_COMPLETED_CYCLE"


def test_a_read_only_token_may_not_reopen(owner, cycle):
    cycle.status = Cycle.Status.COMPLETED
    cycle.save()
    response = api_client(owner, read_only=True).post(f"{URL}/{cycle.pk}/reopen")
    assert error(response, 403)["code"] == "READ_ONLY"
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.COMPLETED


# --- category budgets ---------------------------------------------------------------------------


def test_budgets_list_every_category_with_its_numbers(owner_api, cycle, food, fun):
    budget_services.set_budgets(cycle=cycle, amounts={food.pk: Decimal("100.00")})
    ExpenseFactory(
        cycle=cycle,
        category=food,
        amount=Decimal("60.00"),
        status=Expense.Status.PAID,
        paid_on=cycle.start_date,
    )
    ExpenseFactory(cycle=cycle, category=food, amount=Decimal("55.50"))
    ExpenseFactory(cycle=cycle, category=fun, amount=Decimal("20.00"))
    body = owner_api.get(f"{URL}/{cycle.pk}/budgets").json()
    assert body["currency"] == "USD"
    assert (body["income"], body["budgeted"], body["unassigned"]) == (
        "4000.00",
        "100.00",
        "3900.00",
    )
    assert body["unbudgeted_spending"] == "20.00"
    lines = {line["name"]: line for line in body["lines"]}
    assert lines["Food"] == {
        "category_id": food.pk,
        "name": "Food",
        "is_archived": False,
        "rolls_over": False,
        "budget": "100.00",
        "rollover": "0.00",
        "planned": "115.50",
        "paid": "60.00",
        "available": "-15.50",
        "over": True,
        "over_by": "15.50",
    }
    # Spending without a budget is over by all of it (the selector's rule).
    assert lines["Fun"]["budget"] is None and lines["Fun"]["over_by"] == "20.00"


def test_budgets_are_in_the_base_currencys_decimals(owner_api, household, cycle, food):
    household.base_currency = "JPY"
    household.save()
    budget_services.set_budgets(cycle=cycle, amounts={food.pk: Decimal("30000")})
    body = owner_api.get(f"{URL}/{cycle.pk}/budgets").json()
    assert body["lines"][0]["budget"] == "30000" and body["budgeted"] == "30000"


def test_several_budgets_are_set_and_removed_at_once(owner_api, cycle, food, fun):
    budget_services.set_budgets(cycle=cycle, amounts={fun.pk: Decimal("50.00")})
    response = owner_api.put(
        f"{URL}/{cycle.pk}/budgets",
        {
            "budgets": [
                {"category_id": food.pk, "amount": "400.00", "rolls_over": True},
                {"category_id": fun.pk, "amount": None},
            ]
        },
        content_type=JSON,
    )
    assert response.status_code == 200
    lines = {line["name"]: line for line in response.json()["lines"]}
    assert lines["Food"]["budget"] == "400.00" and lines["Food"]["rolls_over"] is True
    assert lines["Fun"]["budget"] is None
    assert dict(CategoryBudget.objects.filter(cycle=cycle).values_list("category", "amount")) == {
        food.pk: Decimal("400.00")
    }
    food.refresh_from_db()
    assert food.rolls_over is True


@pytest.mark.parametrize(
    ("amount", "status", "code"),
    [("-1.00", 422, "VALIDATION_ERROR"), ("1.005", 422, "INVALID_BUDGET"), (12.5, 422, None)],
)
def test_a_bad_budget_is_refused_and_nothing_is_written(
    owner_api, cycle, food, fun, amount, status, code
):
    response = owner_api.put(
        f"{URL}/{cycle.pk}/budgets",
        {
            "budgets": [
                {"category_id": fun.pk, "amount": "10.00"},
                {"category_id": food.pk, "amount": amount},
            ]
        },
        content_type=JSON,
    )
    body = error(response, status)
    if code:
        assert body["code"] == code
    assert not CategoryBudget.objects.filter(cycle=cycle).exists()


def test_another_households_category_cannot_get_a_budget(owner_api, cycle, other_household):
    theirs = CategoryFactory(household=other_household)
    response = owner_api.put(
        f"{URL}/{cycle.pk}/budgets",
        {"budgets": [{"category_id": theirs.pk, "amount": "10.00"}]},
        content_type=JSON,
    )
    assert error(response, 422)["code"] == "BUDGET_CATEGORY_NOT_AVAILABLE"
    assert not CategoryBudget.objects.exists()


def test_a_completed_cycles_budgets_are_read_only(owner_api, cycle, food):
    cycle.status = Cycle.Status.COMPLETED
    cycle.save()
    response = owner_api.put(
        f"{URL}/{cycle.pk}/budgets",
        {"budgets": [{"category_id": food.pk, "amount": "10.00"}]},
        content_type=JSON,
    )
    assert error(response, 409)["code"] == "CYCLE_ALREADY_COMPLETED"
    assert owner_api.get(f"{URL}/{cycle.pk}/budgets").status_code == 200


def test_a_stale_expected_budget_refuses_the_write_with_the_current_values(
    owner_api, member_api, cycle, food, fun
):
    budget_services.set_budgets(cycle=cycle, amounts={food.pk: Decimal("100.00")})
    seen = owner_api.get(f"{URL}/{cycle.pk}/budgets").json()["lines"]
    expected = [
        {"category_id": line["category_id"], "amount": line["budget"], "rolls_over": False}
        for line in seen
    ]
    # A member saves first, from the same reading.
    first = member_api.put(
        f"{URL}/{cycle.pk}/budgets",
        {"budgets": [{"category_id": food.pk, "amount": "150.00"}], "expected": expected},
        content_type=JSON,
    )
    assert first.status_code == 200
    late = owner_api.put(
        f"{URL}/{cycle.pk}/budgets",
        {
            "budgets": [
                {"category_id": food.pk, "amount": "100.00"},
                {"category_id": fun.pk, "amount": "70.00"},
            ],
            "expected": expected,
        },
        content_type=JSON,
    )
    body = error(late, 409)
    assert body["code"] == "BUDGETS_CHANGED"
    assert body["details"]["current"] == [
        {"category_id": food.pk, "amount": "150.00", "rolls_over": False}
    ]
    saved = dict(CategoryBudget.objects.filter(cycle=cycle).values_list("category", "amount"))
    assert saved == {food.pk: Decimal("150.00")}


def test_a_changed_roll_over_flag_is_a_conflict_too(owner_api, cycle, food):
    food.rolls_over = True
    food.save()
    response = owner_api.put(
        f"{URL}/{cycle.pk}/budgets",
        {
            "budgets": [{"category_id": food.pk, "amount": "5.00", "rolls_over": False}],
            "expected": [{"category_id": food.pk, "amount": None, "rolls_over": False}],
        },
        content_type=JSON,
    )
    assert error(response, 409)["details"]["current"] == [
        {"category_id": food.pk, "amount": None, "rolls_over": True}
    ]
    food.refresh_from_db()
    assert food.rolls_over is True and not CategoryBudget.objects.exists()


def test_without_expected_the_last_write_wins_as_before(owner_api, cycle, food):
    budget_services.set_budgets(cycle=cycle, amounts={food.pk: Decimal("100.00")})
    response = owner_api.put(
        f"{URL}/{cycle.pk}/budgets",
        {"budgets": [{"category_id": food.pk, "amount": "80.00"}]},
        content_type=JSON,
    )
    assert response.status_code == 200
    assert CategoryBudget.objects.get(cycle=cycle).amount == Decimal("80.00")


def test_budgets_are_copied_from_the_previous_cycle(owner_api, household, cycle, food):
    earlier = CycleFactory(household=household, start_date=datetime.date(2026, 1, 1))
    budget_services.set_budgets(cycle=earlier, amounts={food.pk: Decimal("321.00")})
    response = owner_api.post(f"{URL}/{cycle.pk}/budgets/copy-previous")
    assert response.status_code == 200
    body = response.json()
    assert body["copied"] == 1 and body["budgets"]["budgeted"] == "321.00"
    assert CategoryBudget.objects.get(cycle=cycle).amount == Decimal("321.00")


def test_copying_without_an_earlier_budget_is_refused(owner_api, cycle):
    response = owner_api.post(f"{URL}/{cycle.pk}/budgets/copy-previous")
    assert error(response, 409)["code"] == "NO_PREVIOUS_BUDGETS"


def test_usual_budgets_fill_only_categories_without_one(owner_api, household, cycle, food, fun):
    for start in (datetime.date(2025, 11, 1), datetime.date(2026, 1, 1)):
        earlier = CycleFactory(household=household, start_date=start)
        budget_services.set_budgets(
            cycle=earlier, amounts={food.pk: Decimal("200.00"), fun.pk: Decimal("40.00")}
        )
    budget_services.set_budgets(cycle=cycle, amounts={fun.pk: Decimal("10.00")})
    body = owner_api.post(f"{URL}/{cycle.pk}/budgets/usual").json()
    assert body["added"] == 1
    saved = dict(CategoryBudget.objects.filter(cycle=cycle).values_list("category", "amount"))
    assert saved == {food.pk: Decimal("200.00"), fun.pk: Decimal("10.00")}


def test_a_viewer_reads_budgets_but_cannot_set_them(household, cycle, food):
    client = api_client(make_viewer(household))
    assert client.get(f"{URL}/{cycle.pk}/budgets").status_code == 200
    response = client.put(
        f"{URL}/{cycle.pk}/budgets",
        {"budgets": [{"category_id": food.pk, "amount": "1.00"}]},
        content_type=JSON,
    )
    assert error(response, 403)
    assert not CategoryBudget.objects.exists()


# --- income lines -------------------------------------------------------------------------------


def _income_body(**overrides):
    return {
        "description": "Salary",
        "amount": "2500.00",
        "currency": "USD",
        "expected_date": "2026-03-05",
        **overrides,
    }


def test_income_is_added_and_the_cycle_income_follows(owner_api, member, cycle):
    response = owner_api.post(
        f"{URL}/{cycle.pk}/income", _income_body(member_id=member.pk), content_type=JSON
    )
    assert response.status_code == 201
    body = response.json()
    assert body["amount"] == "2500.00" and body["base_amount"] == "2500.00"
    assert body["member_id"] == member.pk and body["is_received"] is False
    assert body["cycle_id"] == cycle.pk and body["awaits_rate"] is False
    cycle.refresh_from_db()
    assert cycle.income == Decimal("2500.00")
    assert owner_api.get(f"{INCOME_URL}/{body['id']}").json() == body


def test_income_lines_are_listed_a_page_at_a_time(owner_api, cycle):
    for day in (9, 3, 6):
        income_services.add_income_line(
            cycle=cycle,
            description=f"Day {day}",
            amount=Decimal("10.00"),
            currency="USD",
            expected_date=datetime.date(2026, 3, day),
        )
    page = owner_api.get(f"{URL}/{cycle.pk}/income?limit=2").json()
    assert page["count"] == 3 and page["limit"] == 2
    assert [line["description"] for line in page["items"]] == ["Day 3", "Day 6"]
    rest = owner_api.get(f"{URL}/{cycle.pk}/income?limit=2&offset=2").json()
    assert [line["description"] for line in rest["items"]] == ["Day 9"]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"amount": "0"}, "VALIDATION_ERROR"),  # the schema's pattern: more than zero
        ({"amount": "10.005"}, "INVALID_INCOME"),
        ({"expected_date": "2026-06-01"}, "INCOME_DATE_OUTSIDE_CYCLE"),
        ({"description": "   "}, "VALIDATION_ERROR"),  # the schema: not blank
        ({"amount": 10.5}, "VALIDATION_ERROR"),
    ],
)
def test_bad_income_is_refused_and_nothing_is_added(owner_api, cycle, overrides, code):
    response = owner_api.post(
        f"{URL}/{cycle.pk}/income", _income_body(**overrides), content_type=JSON
    )
    assert error(response, 422)["code"] == code
    assert not IncomeLine.objects.exists()


def test_income_from_someone_outside_the_household_is_refused(owner_api, cycle, stranger):
    response = owner_api.post(
        f"{URL}/{cycle.pk}/income", _income_body(member_id=stranger.pk), content_type=JSON
    )
    assert error(response, 422)["code"] == "INCOME_MEMBER_NOT_IN_HOUSEHOLD"
    assert not IncomeLine.objects.exists()


def test_income_is_changed_field_by_field(owner_api, member, cycle):
    line = income_services.add_income_line(
        cycle=cycle,
        description="Salary",
        amount=Decimal("2500.00"),
        currency="USD",
        expected_date=datetime.date(2026, 3, 5),
        member=member,
    )
    response = owner_api.patch(f"{INCOME_URL}/{line.pk}", {"amount": "2600.00"}, content_type=JSON)
    assert response.status_code == 200
    body = response.json()
    assert body["amount"] == "2600.00" and body["description"] == "Salary"
    assert body["member_id"] == member.pk
    cleared = owner_api.patch(f"{INCOME_URL}/{line.pk}", {"member_id": None}, content_type=JSON)
    assert cleared.json()["member_id"] is None
    line.refresh_from_db()
    cycle.refresh_from_db()
    assert line.amount == Decimal("2600.00") and line.member is None
    assert cycle.income == Decimal("2600.00")


def test_income_is_received_and_expected_again(owner_api, cycle):
    line = income_services.add_income_line(
        cycle=cycle,
        description="Salary",
        amount=Decimal("2500.00"),
        currency="USD",
        expected_date=datetime.date(2026, 3, 5),
    )
    url = f"{INCOME_URL}/{line.pk}/received"
    body = owner_api.post(
        url, {"received": True, "received_on": "2026-03-06"}, content_type=JSON
    ).json()
    assert body["is_received"] is True and body["received_on"] == "2026-03-06"
    cycle.refresh_from_db()
    assert cycle.income_received == Decimal("2500.00")
    back = owner_api.post(url, {"received": False}, content_type=JSON).json()
    assert back["is_received"] is False and back["received_on"] is None
    cycle.refresh_from_db()
    assert cycle.income_received == Decimal(0)


def test_income_is_deleted_and_the_cycle_income_follows(owner_api, cycle):
    line = income_services.add_income_line(
        cycle=cycle,
        description="Salary",
        amount=Decimal("2500.00"),
        currency="USD",
        expected_date=datetime.date(2026, 3, 5),
    )
    response = owner_api.delete(f"{INCOME_URL}/{line.pk}")
    assert response.status_code == 204
    assert not IncomeLine.objects.exists()
    cycle.refresh_from_db()
    assert cycle.income == Decimal(0)


def test_a_completed_cycles_income_is_read_only(owner_api, cycle):
    line = income_services.add_income_line(
        cycle=cycle,
        description="Salary",
        amount=Decimal("2500.00"),
        currency="USD",
        expected_date=datetime.date(2026, 3, 5),
    )
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.COMPLETED)
    for response in (
        owner_api.patch(f"{INCOME_URL}/{line.pk}", {"amount": "1.00"}, content_type=JSON),
        owner_api.post(f"{INCOME_URL}/{line.pk}/received", {"received": True}, content_type=JSON),
        owner_api.delete(f"{INCOME_URL}/{line.pk}"),
        owner_api.post(f"{URL}/{cycle.pk}/income", _income_body(), content_type=JSON),
    ):
        assert error(response, 409)["code"] == "CYCLE_ALREADY_COMPLETED"
    line.refresh_from_db()
    assert line.amount == Decimal("2500.00") and not line.is_received
    assert IncomeLine.objects.count() == 1


def test_another_households_income_is_not_found(owner_api, stranger_api, cycle):
    line = income_services.add_income_line(
        cycle=cycle,
        description="Salary",
        amount=Decimal("2500.00"),
        currency="USD",
        expected_date=datetime.date(2026, 3, 5),
    )
    assert error(stranger_api.get(f"{INCOME_URL}/{line.pk}"), 404)["code"] == "NOT_FOUND"
    assert error(stranger_api.delete(f"{INCOME_URL}/{line.pk}"), 404)
    assert error(stranger_api.get(f"{URL}/{cycle.pk}/income"), 404)
    assert IncomeLine.objects.filter(pk=line.pk).exists()


def test_a_read_only_token_cannot_add_income(owner, cycle):
    response = api_client(owner, read_only=True).post(
        f"{URL}/{cycle.pk}/income", _income_body(), content_type=JSON
    )
    assert error(response, 403)["code"] == "READ_ONLY"
    assert not IncomeLine.objects.exists()
