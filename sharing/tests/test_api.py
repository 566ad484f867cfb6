"""The API's shared money: expenses carry paid_by_id and split; balances of a cycle and of the
household; settlements created, listed, read and deleted, with the same domain errors."""

from __future__ import annotations

import pytest

from accounts.tests.factories import api_client, make_viewer
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory
from sharing.models import ExpenseShare, Settlement

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def cycle(household):
    return CycleFactory(household=household, status=Cycle.Status.ACTIVE)


def create(client, cycle, amount="100.00", **extra):
    body = {
        "cycle_id": cycle.pk,
        "description": "Groceries",
        "amount": amount,
        "currency": cycle.household.base_currency,
        "date": cycle.start_date.isoformat(),
        "category_id": CategoryFactory(household=cycle.household, name="Food").pk,
        "status": "paid",
        **extra,
    }
    return client.post("/api/v1/expenses", body, content_type=JSON)


def error_code(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]["code"]


def test_an_expense_is_created_with_its_payer_and_split_and_reads_them_back(
    owner_api, owner, member, cycle
):
    response = create(
        owner_api,
        cycle,
        amount="10.00",
        paid_by_id=member.pk,
        split={"kind": "shares", "shares": {str(owner.pk): "2", str(member.pk): "1"}},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["paid_by_id"] == member.pk
    assert body["split"] == {
        "kind": "shares",
        "members": [],
        "shares": {str(owner.pk): "2", str(member.pk): "1"},
        "amounts": {str(owner.pk): "6.67", str(member.pk): "3.33"},
        "fell_back_to_equal": False,
    }
    assert owner_api.get(f"/api/v1/expenses/{body['id']}").json()["split"] == body["split"]
    listed = owner_api.get(f"/api/v1/expenses?cycle={cycle.pk}").json()["items"]
    assert listed[0]["split"] == body["split"] and listed[0]["paid_by_id"] == member.pk
    assert Expense.objects.get().paid_by == member


def test_without_a_payer_or_split_the_adder_pays_and_everyone_shares(
    owner_api, owner, member, cycle
):
    body = create(owner_api, cycle).json()
    assert body["paid_by_id"] == owner.pk
    assert body["split"]["kind"] == "equal"
    assert body["split"]["amounts"] == {str(owner.pk): "50.00", str(member.pk): "50.00"}


def test_a_patch_changes_payer_and_split(owner_api, owner, member, cycle):
    pk = create(owner_api, cycle).json()["id"]
    changed = owner_api.patch(
        f"/api/v1/expenses/{pk}",
        {"paid_by_id": member.pk, "split": {"kind": "personal"}},
        content_type=JSON,
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["paid_by_id"] == member.pk
    assert changed.json()["split"]["amounts"] == {}
    assert not ExpenseShare.objects.filter(expense_id=pk).exists()


@pytest.mark.parametrize(
    "extra, code",
    [
        ({"split": {"kind": "half"}}, "VALIDATION_ERROR"),
        ({"split": {"kind": "shares", "shares": {"1": "x"}}}, "SPLIT_INVALID"),
        ({"split": {"kind": "equal", "members": [999999]}}, "SPLIT_INVALID"),
        ({"paid_by_id": 999999}, "PAYER_NOT_MEMBER"),
    ],
)
def test_bad_payer_or_split_is_422_and_nothing_is_stored(owner_api, cycle, member, extra, code):
    assert error_code(create(owner_api, cycle, **extra), 422) == code
    assert not Expense.objects.exists()


def test_cycle_and_household_balances_say_who_owes_whom_in_strings(owner_api, owner, member, cycle):
    create(owner_api, cycle, amount="100.00")
    for url in (f"/api/v1/cycles/{cycle.pk}/balances", "/api/v1/household/balances"):
        body = owner_api.get(url).json()
        assert body["currency"] == cycle.household.base_currency
        assert body["members"] == [
            {
                "user_id": owner.pk,
                "name": owner.display_name,
                "paid": "100.00",
                "share": "50.00",
                "balance": "50.00",
                "planned_balance": "50.00",
            },
            {
                "user_id": member.pk,
                "name": member.display_name,
                "paid": "0.00",
                "share": "50.00",
                "balance": "-50.00",
                "planned_balance": "-50.00",
            },
        ]
        assert body["settle_up"] == [
            {"from_user_id": member.pk, "to_user_id": owner.pk, "amount": "50.00"}
        ]


def settlement(owner, member, cycle, **extra):
    return {
        "from_user_id": member.pk,
        "to_user_id": owner.pk,
        "amount": "50.00",
        "currency": cycle.household.base_currency,
        "date": cycle.start_date.isoformat(),
        "note": "Bank transfer",
        **extra,
    }


def test_settlements_are_created_listed_read_and_deleted(member_api, owner, member, cycle):
    create(member_api, cycle, paid_by_id=owner.pk)
    created = member_api.post(
        "/api/v1/settlements", settlement(owner, member, cycle, balance="-50.00"), content_type=JSON
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["amount"], body["settled_balance"], body["cycle_id"]) == (
        "50.00",
        "-50.00",
        cycle.pk,
    )
    balances = member_api.get("/api/v1/household/balances").json()
    assert [m["balance"] for m in balances["members"]] == ["0.00", "0.00"]
    assert balances["settle_up"] == []
    assert [s["id"] for s in member_api.get("/api/v1/settlements").json()["items"]] == [body["id"]]
    assert member_api.get(f"/api/v1/settlements/{body['id']}").json()["note"] == "Bank transfer"
    assert member_api.delete(f"/api/v1/settlements/{body['id']}").status_code == 204
    assert not Settlement.objects.exists()


def test_a_second_settlement_against_the_same_balance_is_409(member_api, owner, member, cycle):
    create(member_api, cycle, paid_by_id=owner.pk)
    body = settlement(owner, member, cycle, balance="-50.00")
    assert member_api.post("/api/v1/settlements", body, content_type=JSON).status_code == 201
    again = member_api.post("/api/v1/settlements", body, content_type=JSON)
    assert error_code(again, 409) == "SETTLEMENT_STALE"
    assert Settlement.objects.count() == 1


def test_settlements_to_oneself_with_a_stranger_or_of_zero_are_422(
    owner_api, owner, member, stranger, cycle
):
    for extra in (
        {"to_user_id": member.pk},
        {"to_user_id": stranger.pk},
        {"amount": "0"},
        {"amount": "0.00"},
        {"currency": "XYZ"},
    ):
        response = owner_api.post(
            "/api/v1/settlements", settlement(owner, member, cycle, **extra), content_type=JSON
        )
        assert response.status_code == 422, (extra, response.content)
    assert not Settlement.objects.exists()


def test_viewers_see_balances_and_cannot_record_settlements(household, owner, member, cycle):
    viewer_api = api_client(make_viewer(household))
    assert viewer_api.get("/api/v1/household/balances").status_code == 200
    response = viewer_api.post(
        "/api/v1/settlements", settlement(owner, member, cycle), content_type=JSON
    )
    assert response.status_code == 403
    assert not Settlement.objects.exists()


def test_another_households_cycle_and_settlement_are_404(
    owner_api, stranger_api, owner, member, cycle
):
    create(owner_api, cycle)
    pk = owner_api.post(
        "/api/v1/settlements", settlement(owner, member, cycle), content_type=JSON
    ).json()["id"]
    assert stranger_api.get(f"/api/v1/cycles/{cycle.pk}/balances").status_code == 404
    assert stranger_api.get(f"/api/v1/settlements/{pk}").status_code == 404
    assert stranger_api.delete(f"/api/v1/settlements/{pk}").status_code == 404
    assert stranger_api.get("/api/v1/settlements").json()["items"] == []
    stranger_balances = stranger_api.get("/api/v1/household/balances").json()
    assert owner.pk not in [m["user_id"] for m in stranger_balances["members"]]
    assert Settlement.objects.filter(pk=pk).exists()


def test_a_bulk_add_carries_payers_and_splits_and_refuses_a_stranger_payer(
    owner_api, owner, member, stranger, cycle
):
    food = CategoryFactory(household=cycle.household, name="Food")

    def item(**extra):
        return {
            "cycle_id": cycle.pk,
            "description": "Groceries",
            "amount": "10.00",
            "currency": cycle.household.base_currency,
            "date": cycle.start_date.isoformat(),
            "category_id": food.pk,
            "status": "paid",
            **extra,
        }

    items = [
        item(paid_by_id=member.pk),
        item(split={"kind": "personal"}),
        *(item() for _ in range(20)),
    ]
    response = owner_api.post("/api/v1/expenses/bulk", {"items": items}, content_type=JSON)
    assert response.status_code == 201, response.content
    created = response.json()["items"]
    assert created[0]["paid_by_id"] == member.pk
    assert created[0]["split"]["amounts"] == {str(owner.pk): "5.00", str(member.pk): "5.00"}
    assert created[1]["split"]["kind"] == "personal" and created[1]["split"]["amounts"] == {}
    assert ExpenseShare.objects.filter(expense_id=created[2]["id"]).count() == 2
    refused = owner_api.post(
        "/api/v1/expenses/bulk",
        {"items": [item(paid_by_id=stranger.pk)]},
        content_type=JSON,
    )
    assert refused.status_code == 422
    assert Expense.objects.count() == 22
