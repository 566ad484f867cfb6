"""API 1.1's expense writes and finding: bulk adds (all or none), external ids, explicit pay
and unpay (safe to retry), strict If-Match, filters named like the body, and `next` links."""

from __future__ import annotations

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connections

from accounts.tests.factories import HouseholdFactory, api_client, make_owner, make_viewer
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from exchange.tests.factories import ExchangeRateFactory
from expenses.models import Expense, ExpenseExternalId, ExpenseTotal
from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory

pytestmark = pytest.mark.django_db

EXP_URL = "/api/v1/expenses"
BULK_URL = f"{EXP_URL}/bulk"
JSON = "application/json"


@pytest.fixture
def cycle(household):
    return CycleFactory(household=household, start_date=datetime.date(2026, 3, 1))


@pytest.fixture
def food(household):
    return CategoryFactory(household=household, name="Food")


def expense_body(cycle, category, **fields):
    return {
        "cycle_id": cycle.pk,
        "description": "Groceries",
        "amount": "12.50",
        "currency": "USD",
        "date": "2026-03-05",
        "category_id": category.pk,
        **fields,
    }


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    return body["error"]


def counted(cycle) -> int:
    """The cycle's expenses as its trigger totals count them."""
    return sum(row.expense_count for row in ExpenseTotal.objects.filter(cycle=cycle))


# --- bulk ---------------------------------------------------------------------------------------


def test_bulk_adds_every_expense_in_order_in_one_insert(
    owner_api, cycle, food, django_assert_max_num_queries
):
    ExchangeRateFactory(
        base_currency="EUR",
        quote_currency="USD",
        rate_date=datetime.date(2026, 3, 1),
        rate=Decimal("1.10"),
    )
    items = [expense_body(cycle, food, description=f"Row {i}") for i in range(20)]
    items[3] = expense_body(cycle, food, description="In euros", currency="EUR", amount="10.00")
    items[7] = expense_body(cycle, food, description="Mine", external_id="bank-7")
    with django_assert_max_num_queries(20) as captured:
        response = owner_api.post(BULK_URL, {"items": items}, content_type=JSON)
    assert response.status_code == 201, response.content
    listed = response.json()["items"]
    assert [item["description"] for item in listed] == [item["description"] for item in items]
    assert listed[3]["base_amount"] == "11.00" and listed[3]["rate"] == "1.1"
    assert listed[7]["external_id"] == "bank-7" and listed[0]["external_id"] is None
    inserts = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith('INSERT INTO "expenses_expense"')
    ]
    assert len(inserts) == 1
    assert Expense.objects.filter(cycle=cycle).count() == 20
    assert ExpenseExternalId.objects.get(external_id="bank-7").expense_id == listed[7]["id"]
    # Each answer is what the expense's own route says.
    assert owner_api.get(f"{EXP_URL}/{listed[7]['id']}").json() == listed[7]


def test_bulk_with_one_bad_row_writes_nothing_and_says_which(owner_api, cycle, food):
    ExpenseFactory(cycle=cycle, category=food, description="Already there")
    items = [
        expense_body(cycle, food, description="Fine"),
        expense_body(cycle, food, description="Far away", date="2027-01-01"),
        expense_body(cycle, food, description="Fine too"),
        expense_body(cycle, food, description="Ramen", amount="12.50", currency="JPY"),
    ]
    response = owner_api.post(BULK_URL, {"items": items}, content_type=JSON)
    refused = error(response, 422)
    assert refused["code"] == "EXPENSES_REJECTED"
    rows = refused["details"]["items"]
    assert set(rows) == {"1", "3"}
    assert rows["1"]["code"] == "EXPENSE_DATE_OUTSIDE_CYCLE" and set(rows["1"]["fields"]) == {
        "date"
    }
    assert set(rows["3"]["fields"]) == {"amount"}
    assert list(Expense.objects.values_list("description", flat=True)) == ["Already there"]
    assert counted(cycle) == 1


def test_bulk_input_errors_name_the_item_and_field(owner_api, cycle, food):
    items = [expense_body(cycle, food), expense_body(cycle, food, amount=12.5)]
    refused = error(owner_api.post(BULK_URL, {"items": items}, content_type=JSON), 422)
    assert refused["code"] == "VALIDATION_ERROR"
    assert list(refused["details"]["fields"]) == ["items.1.amount"]
    assert not Expense.objects.exists()


@pytest.mark.parametrize("count", [0, 501])
def test_bulk_takes_1_to_500_expenses(owner_api, cycle, food, count):
    items = [expense_body(cycle, food)] * count
    refused = error(owner_api.post(BULK_URL, {"items": items}, content_type=JSON), 422)
    assert refused["code"] == "VALIDATION_ERROR"
    assert not Expense.objects.exists()


def test_bulk_into_another_households_cycle_is_404_for_all(owner_api, cycle, food, other_household):
    theirs = CycleFactory(household=other_household, start_date=datetime.date(2026, 3, 1))
    items = [expense_body(cycle, food), expense_body(theirs, food)]
    assert error(owner_api.post(BULK_URL, {"items": items}, content_type=JSON), 404)
    assert not Expense.objects.exists()


def test_bulk_with_another_households_category_or_method_refuses_that_row(
    owner_api, cycle, food, other_household
):
    their_food = CategoryFactory(household=other_household, name="Food")
    their_card = PaymentMethodFactory(household=other_household)
    items = [
        expense_body(cycle, food),
        expense_body(cycle, their_food),
        expense_body(cycle, food, payment_method_id=their_card.pk),
    ]
    rows = error(owner_api.post(BULK_URL, {"items": items}, content_type=JSON), 422)["details"]
    assert rows["items"]["1"]["code"] == "CATEGORY_NOT_AVAILABLE"
    assert rows["items"]["2"]["code"] == "PAYMENT_METHOD_NOT_AVAILABLE"
    assert not Expense.objects.exists()


def test_bulk_external_ids_taken_or_repeated_are_409(owner_api, cycle, food):
    first = owner_api.post(
        EXP_URL, expense_body(cycle, food, external_id="a"), content_type=JSON
    ).json()
    items = [
        expense_body(cycle, food, external_id="a"),
        expense_body(cycle, food, external_id="b"),
        expense_body(cycle, food, external_id="b"),
    ]
    refused = error(owner_api.post(BULK_URL, {"items": items}, content_type=JSON), 409)
    rows = refused["details"]["items"]
    assert rows["0"]["code"] == "EXTERNAL_ID_EXISTS" and rows["0"]["expense_id"] == first["id"]
    assert set(rows) == {"0", "2"}
    assert Expense.objects.count() == 1


def test_bulk_into_a_completed_cycle_is_409(owner_api, cycle, food):
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.COMPLETED)
    refused = error(
        owner_api.post(BULK_URL, {"items": [expense_body(cycle, food)]}, content_type=JSON), 409
    )
    assert refused["details"]["items"]["0"]["code"] == "CYCLE_ALREADY_COMPLETED"
    assert not Expense.objects.exists()


def test_a_viewer_cannot_bulk_add(household, cycle, food):
    viewer_api = api_client(make_viewer(household))
    response = viewer_api.post(BULK_URL, {"items": [expense_body(cycle, food)]}, content_type=JSON)
    assert response.status_code == 403
    assert not Expense.objects.exists()


# --- external ids -------------------------------------------------------------------------------


def test_an_external_id_is_kept_shown_and_found(owner_api, cycle, food):
    created = owner_api.post(
        EXP_URL, expense_body(cycle, food, external_id="bank:42"), content_type=JSON
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created["Location"] == f"/api/v1/expenses/{pk}"
    assert owner_api.get(created["Location"]).json()["external_id"] == "bank:42"
    ExpenseFactory(cycle=cycle, category=food)
    found = owner_api.get(EXP_URL, {"external_id": "bank:42"}).json()
    assert [item["id"] for item in found["items"]] == [pk] and found["count"] == 1


def test_the_same_external_id_twice_is_409_naming_the_first(owner_api, stranger_api, cycle, food):
    first = owner_api.post(EXP_URL, expense_body(cycle, food, external_id="x1"), content_type=JSON)
    again = owner_api.post(EXP_URL, expense_body(cycle, food, external_id="x1"), content_type=JSON)
    refused = error(again, 409)
    assert refused["code"] == "EXTERNAL_ID_EXISTS"
    assert refused["details"]["expense_id"] == first.json()["id"]
    assert Expense.objects.filter(cycle=cycle).count() == 1


def test_another_household_may_use_the_same_external_id(
    owner_api, stranger_api, cycle, food, other_household
):
    theirs = CycleFactory(household=other_household, start_date=datetime.date(2026, 3, 1))
    their_food = CategoryFactory(household=other_household, name="Food")
    mine = owner_api.post(EXP_URL, expense_body(cycle, food, external_id="x"), content_type=JSON)
    their = stranger_api.post(
        EXP_URL, expense_body(theirs, their_food, external_id="x"), content_type=JSON
    )
    assert mine.status_code == their.status_code == 201
    # Neither sees the other's through the filter.
    assert owner_api.get(EXP_URL, {"external_id": "x"}).json()["count"] == 1


# --- pay and unpay ------------------------------------------------------------------------------


@pytest.fixture
def bill(cycle, food):
    return ExpenseFactory(
        cycle=cycle, category=food, amount=Decimal("80.00"), date=datetime.date(2026, 3, 10)
    )


def test_pay_sets_the_amount_and_day_and_keeps_the_plan(owner_api, bill):
    response = owner_api.post(
        f"{EXP_URL}/{bill.pk}/pay", {"amount": "82.40", "date": "2026-03-09"}, content_type=JSON
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "paid" and body["amount"] == "82.40"
    assert body["planned_amount"] == "80.00" and body["paid_on"] == "2026-03-09"
    assert response["ETag"] == '"2"'
    bill.refresh_from_db()
    assert (bill.status, bill.amount, bill.paid_on, bill.version) == (
        "paid",
        Decimal("82.40"),
        datetime.date(2026, 3, 9),
        2,
    )
    assert bill.base_amount == Decimal("82.40")


def test_paying_again_the_same_changes_nothing(owner_api, bill):
    url = f"{EXP_URL}/{bill.pk}/pay"
    first = owner_api.post(url, {"amount": "82.40", "date": "2026-03-09"}, content_type=JSON)
    bill.refresh_from_db()
    updated_at = bill.updated_at
    # The retry still carries the version the first try was made from.
    again = owner_api.post(
        url,
        {"amount": "82.40", "date": "2026-03-09"},
        content_type=JSON,
        HTTP_IF_MATCH='"1"',
    )
    assert again.status_code == 200 and again.json() == first.json()
    bill.refresh_from_db()
    assert bill.version == 2 and bill.updated_at == updated_at
    # Without values: the payment as it stands.
    assert owner_api.post(url, {}, content_type=JSON).json()["version"] == 2


def test_paying_a_paid_expense_at_another_amount_changes_the_payment(owner_api, bill):
    url = f"{EXP_URL}/{bill.pk}/pay"
    owner_api.post(url, {"amount": "82.40", "date": "2026-03-09"}, content_type=JSON)
    changed = owner_api.post(url, {"amount": "81.00"}, content_type=JSON).json()
    assert changed["amount"] == "81.00" and changed["paid_on"] == "2026-03-09"
    assert changed["version"] == 3


def test_pay_without_values_pays_the_plan(owner_api, bill):
    body = owner_api.post(f"{EXP_URL}/{bill.pk}/pay", {}, content_type=JSON).json()
    assert body["status"] == "paid" and body["amount"] == "80.00" and body["paid_on"]


def test_unpay_plans_again_at_the_planned_amount_and_again_changes_nothing(owner_api, bill):
    owner_api.post(f"{EXP_URL}/{bill.pk}/pay", {"amount": "90.00"}, content_type=JSON)
    unpaid = owner_api.post(f"{EXP_URL}/{bill.pk}/unpay")
    assert unpaid.status_code == 200
    assert unpaid.json()["status"] == "planned" and unpaid.json()["amount"] == "80.00"
    assert unpaid.json()["paid_on"] is None
    again = owner_api.post(f"{EXP_URL}/{bill.pk}/unpay", HTTP_IF_MATCH='"2"')
    assert again.status_code == 200 and again.json()["version"] == 3
    bill.refresh_from_db()
    assert (bill.status, bill.amount, bill.version) == ("planned", Decimal("80.00"), 3)


def test_pay_refuses_a_day_outside_the_cycle_and_a_skipped_expense(owner_api, bill, cycle, food):
    outside = owner_api.post(f"{EXP_URL}/{bill.pk}/pay", {"date": "2027-01-01"}, content_type=JSON)
    assert error(outside, 422)["code"] == "PAYMENT_DATE_OUTSIDE_CYCLE"
    skipped = ExpenseFactory(cycle=cycle, category=food, status=Expense.Status.SKIPPED)
    assert (
        error(owner_api.post(f"{EXP_URL}/{skipped.pk}/pay", {}, content_type=JSON), 409)["code"]
        == "EXPENSE_NOT_SKIPPED"
    )
    bill.refresh_from_db()
    skipped.refresh_from_db()
    assert bill.status == "planned" and skipped.status == "skipped"


def test_pay_and_unpay_in_a_completed_cycle(owner_api, bill, cycle):
    owner_api.post(f"{EXP_URL}/{bill.pk}/pay", {"date": "2026-03-09"}, content_type=JSON)
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.COMPLETED)
    same = owner_api.post(f"{EXP_URL}/{bill.pk}/pay", {"date": "2026-03-09"}, content_type=JSON)
    assert same.status_code == 200  # nothing to change, nothing refused
    other = owner_api.post(f"{EXP_URL}/{bill.pk}/pay", {"amount": "1.00"}, content_type=JSON)
    assert error(other, 409)["code"] == "CYCLE_ALREADY_COMPLETED"
    assert error(owner_api.post(f"{EXP_URL}/{bill.pk}/unpay"), 409)["code"] == (
        "CYCLE_ALREADY_COMPLETED"
    )
    bill.refresh_from_db()
    assert bill.status == "paid" and bill.amount == Decimal("80.00")


@pytest.mark.parametrize("action", ["pay", "unpay", "toggle-paid"])
def test_another_households_expense_is_404_on_pay_and_unpay(stranger_api, bill, action):
    response = stranger_api.post(f"{EXP_URL}/{bill.pk}/{action}", {}, content_type=JSON)
    assert error(response, 404)["code"] == "NOT_FOUND"
    bill.refresh_from_db()
    assert bill.status == "planned" and bill.version == 1


def test_toggle_paid_is_documented_as_deprecated(owner_api):
    paths = owner_api.get("/api/v1/openapi.json").json()["paths"]
    assert paths["/api/v1/expenses/{pk}/toggle-paid"]["post"]["deprecated"] is True
    pay = paths["/api/v1/expenses/{pk}/pay"]["post"]
    headers = {p["name"] for p in pay["parameters"] if p["in"] == "header"}
    assert headers == {"If-Match", "Idempotency-Key"}
    bulk = paths["/api/v1/expenses/bulk"]["post"]
    assert {"201", "409", "422"} <= set(bulk["responses"])
    created = paths["/api/v1/expenses"]["post"]["responses"]["201"]
    assert "Location" in created["headers"]


# --- If-Match: the strong tag only --------------------------------------------------------------


@pytest.mark.parametrize("tag", ["*", 'W/"1"', "1", '"one"', '""', '"1'])
def test_if_match_takes_only_the_strong_tag_colony_sent(owner_api, bill, tag):
    patched = owner_api.patch(
        f"{EXP_URL}/{bill.pk}", {"note": "x"}, content_type=JSON, HTTP_IF_MATCH=tag
    )
    assert error(patched, 422)["code"] == "INVALID_IF_MATCH"
    paid = owner_api.post(f"{EXP_URL}/{bill.pk}/pay", {}, content_type=JSON, HTTP_IF_MATCH=tag)
    assert error(paid, 422)["code"] == "INVALID_IF_MATCH"
    bill.refresh_from_db()
    assert bill.note == "" and bill.status == "planned" and bill.version == 1


def test_the_strong_tag_of_the_current_version_is_accepted(owner_api, bill):
    etag = owner_api.get(f"{EXP_URL}/{bill.pk}")["ETag"]
    paid = owner_api.post(f"{EXP_URL}/{bill.pk}/pay", {}, content_type=JSON, HTTP_IF_MATCH=etag)
    assert paid.status_code == 200
    stale = owner_api.post(f"{EXP_URL}/{bill.pk}/unpay", HTTP_IF_MATCH=etag)
    assert error(stale, 409)["code"] == "EXPENSE_CHANGED"
    bill.refresh_from_db()
    assert bill.status == "paid"


# --- finding ------------------------------------------------------------------------------------


@pytest.fixture
def three(cycle, food):
    return [
        ExpenseFactory(cycle=cycle, category=food, amount=Decimal(amount), date=day)
        for amount, day in (
            ("5.00", datetime.date(2026, 3, 2)),
            ("10.00", datetime.date(2026, 3, 3)),
            ("20.00", datetime.date(2026, 3, 3)),
        )
    ]


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])
    return [item["id"] for item in body["items"]]


def test_expenses_are_found_by_amount_range_and_day(owner_api, three):
    five, ten, twenty = (e.pk for e in three)
    assert ids(owner_api.get(EXP_URL, {"amount": "10.00"})) == [ten]
    assert ids(owner_api.get(EXP_URL, {"amount": "10"})) == [ten]
    assert ids(owner_api.get(EXP_URL, {"amount_min": "6", "amount_max": "20.00"})) == [ten, twenty]
    assert ids(owner_api.get(EXP_URL, {"amount_max": "9.99"})) == [five]
    assert ids(owner_api.get(EXP_URL, {"date": "2026-03-03"})) == [ten, twenty]
    assert ids(owner_api.get(EXP_URL, {"date": "2026-03-03", "amount_min": "15"})) == [twenty]


def test_an_amount_filter_takes_money_text_only(owner_api, three):
    refused = error(owner_api.get(EXP_URL, {"amount_min": "ten"}), 422)
    assert "amount_min" in refused["details"]["fields"]


def test_filters_are_named_like_the_body_and_the_old_names_still_work(
    owner_api, household, cycle, food, three
):
    later = CycleFactory(household=household, start_date=datetime.date(2026, 5, 1))
    elsewhere = ExpenseFactory(cycle=later, category=food)
    assert ids(owner_api.get(EXP_URL, {"cycle_id": later.pk})) == [elsewhere.pk]
    assert ids(owner_api.get(EXP_URL, {"cycle": later.pk})) == [elsewhere.pk]
    assert ids(owner_api.get(EXP_URL, {"cycle": later.pk, "cycle_id": later.pk})) == [elsewhere.pk]
    assert len(ids(owner_api.get(EXP_URL, {"category_id": food.pk}))) == 4
    refused = error(owner_api.get(EXP_URL, {"cycle": cycle.pk, "cycle_id": later.pk}), 422)
    assert refused["code"] == "VALIDATION_ERROR"


def test_a_list_links_its_next_page_with_the_same_filters(owner_api, cycle, three):
    first = owner_api.get(EXP_URL, {"cycle_id": cycle.pk, "limit": 2}).json()
    assert first["next"] == (
        f"http://testserver/api/v1/expenses?cycle_id={cycle.pk}&limit=2&offset=2"
    )
    second = owner_api.get(first["next"]).json()
    assert [item["id"] for item in second["items"]] == [three[2].pk]
    assert second["next"] is None


def test_every_list_links_its_next_page(owner_api, household):
    for name in ("Rent", "Travel"):
        CategoryFactory(household=household, name=name)
    page = owner_api.get("/api/v1/categories", {"limit": 1}).json()
    assert page["next"] == "http://testserver/api/v1/categories?limit=1&offset=1"
    last = owner_api.get("/api/v1/categories", {"limit": 1, "offset": page["count"] - 1}).json()
    assert last["next"] is None


def test_cycles_are_found_by_a_date_they_contain(owner_api, household, cycle):
    later = CycleFactory(household=household, start_date=datetime.date(2026, 5, 1))
    found = owner_api.get("/api/v1/cycles", {"contains": "2026-05-01"}).json()
    assert [c["id"] for c in found["items"]] == [later.pk] and found["count"] == 1
    end = owner_api.get("/api/v1/cycles", {"contains": cycle.end_date.isoformat()}).json()
    assert [c["id"] for c in end["items"]] == [cycle.pk]
    assert owner_api.get("/api/v1/cycles", {"contains": "2030-01-01"}).json()["items"] == []


@pytest.mark.parametrize(
    "query",
    [
        {"amount": "999999999999999.9999999999"},
        {"amount_min": "-5", "amount_max": "0.0000000001"},
        {"date": "1999-12-31"},
        {"external_id": "x" * 101},
        {"external_id": "nul\x00"},
        {"cycle_id": "99999999999999999999"},
    ],
)
def test_odd_filters_answer_200_or_422_never_500(owner_api, three, query):
    response = owner_api.get(EXP_URL, query)
    assert response.status_code in (200, 422), response.content
    if response.status_code == 200:
        assert response.json()["items"] == []


@pytest.mark.parametrize(
    "payment",
    [
        {"amount": "999999999999999.9999999999"},
        {"amount": "-1.00"},
        {"amount": "0.001"},
        {"date": "2300-01-01"},
        {"date": "not a day"},
        {"amount": 5},
    ],
)
def test_odd_payments_are_422_and_change_nothing(owner_api, bill, payment):
    response = owner_api.post(f"{EXP_URL}/{bill.pk}/pay", payment, content_type=JSON)
    error(response, 422)
    bill.refresh_from_db()
    assert bill.status == "planned" and bill.version == 1


@pytest.mark.parametrize("body", [{"items": "many"}, {"items": [None]}, {}])
def test_odd_bulk_bodies_are_422(owner_api, body):
    response = owner_api.post(BULK_URL, body, content_type=JSON)
    error(response, 422)
    assert not Expense.objects.exists()


def test_two_clients_racing_for_one_external_id_get_201_and_409(transactional_db):
    """Two clients send the same external_id at the same moment: one expense is added, the
    other client hears 409 (never a 500, never two expenses)."""
    household = HouseholdFactory(name="Racers", base_currency="USD")
    owner = make_owner(household, email="racer@example.com")
    cycle = CycleFactory(household=household, start_date=datetime.date(2026, 3, 1))
    food = CategoryFactory(household=household, name="Food")
    barrier = threading.Barrier(2)

    def send(client):
        try:
            barrier.wait(timeout=10)
            return client.post(
                EXP_URL, expense_body(cycle, food, external_id="same"), content_type=JSON
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(send, [api_client(owner), api_client(owner)]))
    assert sorted(a.status_code for a in answers) == [201, 409], [a.content for a in answers]
    refused = next(a for a in answers if a.status_code == 409)
    assert refused.json()["error"]["code"] == "EXTERNAL_ID_EXISTS"
    assert Expense.objects.filter(cycle=cycle).count() == 1
    assert ExpenseExternalId.objects.filter(household=household).count() == 1


def test_bulk_items_without_a_status_follow_their_date_like_one_expense(owner_api, household, food):
    """Paid once the day has come, planned while it is ahead (status_for_date), as POST
    /expenses does; a status sent wins."""
    today = datetime.date.today()
    running = CycleFactory(
        household=household,
        start_date=today - datetime.timedelta(days=5),
        end_date=today + datetime.timedelta(days=20),
    )
    items = [
        expense_body(running, food, description="Bakery", date=str(today)),
        expense_body(running, food, description="Rent", date=str(today + datetime.timedelta(3))),
        expense_body(running, food, description="Gym", date=str(today), status="planned"),
    ]
    response = owner_api.post(BULK_URL, {"items": items}, content_type=JSON)
    assert response.status_code == 201, response.content
    statuses = dict(Expense.objects.values_list("description", "status"))
    assert statuses == {"Bakery": "paid", "Rent": "planned", "Gym": "planned"}
    assert Expense.objects.get(description="Bakery").paid_on == today
