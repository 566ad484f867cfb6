"""The API's expenses side: payment methods, categories and expenses, through the same
services as the pages, with the same domain errors in the envelope."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import HouseholdFactory, api_client, make_owner
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from exchange.tests.factories import ExchangeRateFactory
from expenses.models import Category, Expense, PaymentMethod
from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = pytest.mark.django_db

PM_URL = "/api/v1/payment-methods"
CAT_URL = "/api/v1/categories"


def error_code(response, status: int) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    return body["error"]["code"]


# --- payment methods ----------------------------------------------------------------------------


def test_payment_methods_are_created_listed_read_changed_and_deleted(owner_api, owner, household):
    created = owner_api.post(
        PM_URL,
        {"name": " Joint  card ", "kind": "card", "owner_id": owner.pk, "last4": "4242"},
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["name"] == "Joint card" and body["label"] == "Joint card ··4242"
    pk = body["id"]
    listed = owner_api.get(PM_URL).json()
    assert [item["id"] for item in listed["items"]] == [pk] and listed["count"] == 1
    assert owner_api.get(f"{PM_URL}/{pk}").json()["owner_id"] == owner.pk
    changed = owner_api.patch(
        f"{PM_URL}/{pk}", {"name": "Cash box", "kind": "cash"}, content_type="application/json"
    )
    assert changed.json()["kind"] == "cash" and changed.json()["last4"] == "4242"
    off = owner_api.patch(f"{PM_URL}/{pk}", {"is_active": False}, content_type="application/json")
    assert off.json()["is_active"] is False
    assert owner_api.delete(f"{PM_URL}/{pk}").status_code == 204
    assert not PaymentMethod.objects.filter(pk=pk).exists()


def test_payment_method_name_taken_is_409(owner_api, household):
    PaymentMethodFactory(household=household, name="Visa")
    response = owner_api.post(PM_URL, {"name": "VISA"}, content_type="application/json")
    assert error_code(response, 409) == "PAYMENT_METHOD_NAME_EXISTS"


def test_payment_method_blank_name_is_422(owner_api):
    response = owner_api.post(PM_URL, {"name": "   "}, content_type="application/json")
    # The schema says a name is not blank (its pattern), so the service never sees it.
    assert error_code(response, 422) == "VALIDATION_ERROR"
    assert list(response.json()["error"]["details"]["fields"]) == ["name"]


def test_payment_method_owner_from_another_household_is_422(owner_api, stranger):
    response = owner_api.post(
        PM_URL, {"name": "Theirs", "owner_id": stranger.pk}, content_type="application/json"
    )
    assert error_code(response, 422) == "PAYMENT_METHOD_OWNER_NOT_MEMBER"
    assert not PaymentMethod.objects.filter(name="Theirs").exists()


def test_payment_method_in_use_cannot_be_deleted(owner_api, household):
    method = PaymentMethodFactory(household=household)
    category = CategoryFactory(household=household, name="Rent")
    ExpenseTemplateFactory(household=household, category=category, payment_method=method)
    response = owner_api.delete(f"{PM_URL}/{method.pk}")
    assert error_code(response, 409) == "PAYMENT_METHOD_IN_USE"


def test_payment_method_validation_errors_name_the_field(owner_api):
    response = owner_api.post(
        PM_URL, {"name": "x", "kind": "gold", "last4": "12"}, content_type="application/json"
    )
    assert error_code(response, 422) == "VALIDATION_ERROR"
    assert {"kind", "last4"} <= set(response.json()["error"]["details"]["fields"])


def test_payment_methods_list_is_paged_with_constant_queries(
    owner_api, household, django_assert_max_num_queries
):
    for n in range(30):
        PaymentMethodFactory(household=household, name=f"Card {n:02}")
    with django_assert_max_num_queries(6):
        small = owner_api.get(f"{PM_URL}?limit=2").json()
    with django_assert_max_num_queries(6):
        large = owner_api.get(f"{PM_URL}?limit=200").json()
    assert len(small["items"]) == 2 and len(large["items"]) == 30 == large["count"]
    page_two = owner_api.get(f"{PM_URL}?limit=10&offset=10").json()
    assert page_two["items"][0]["name"] == "Card 10"


def test_page_size_has_a_maximum(owner_api):
    response = owner_api.get(f"{PM_URL}?limit=201")
    assert error_code(response, 422) == "VALIDATION_ERROR"
    assert "limit" in response.json()["error"]["details"]["fields"]


# --- categories ---------------------------------------------------------------------------------


def test_categories_are_created_renamed_archived_and_restored(owner_api, household):
    created = owner_api.post(CAT_URL, {"name": "Pets"}, content_type="application/json")
    assert created.status_code == 201
    pk = created.json()["id"]
    renamed = owner_api.patch(
        f"{CAT_URL}/{pk}", {"name": "Animals"}, content_type="application/json"
    )
    assert renamed.json()["name"] == "Animals"
    archived = owner_api.patch(
        f"{CAT_URL}/{pk}", {"is_archived": True}, content_type="application/json"
    )
    assert archived.json()["is_archived"] is True
    assert Category.objects.get(pk=pk).is_archived
    listed = owner_api.get(CAT_URL).json()["items"]
    assert listed[-1]["name"] == "Animals"  # archived last


def test_category_name_taken_is_409(owner_api, household):
    response = owner_api.post(CAT_URL, {"name": "food"}, content_type="application/json")
    assert error_code(response, 409) == "CATEGORY_NAME_EXISTS"


def test_renaming_a_category_to_a_taken_name_is_409(owner_api, household):
    pets = CategoryFactory(household=household, name="Pets")
    response = owner_api.patch(
        f"{CAT_URL}/{pets.pk}", {"name": "FOOD"}, content_type="application/json"
    )
    assert error_code(response, 409) == "CATEGORY_NAME_EXISTS"


def test_members_use_the_api_like_owners(member_api, household):
    assert (
        member_api.post(CAT_URL, {"name": "Kids"}, content_type="application/json").status_code
        == 201
    )


def test_another_households_category_is_404(owner_api, other_household):
    theirs = ExpenseFactory(cycle__household=other_household).category
    response = owner_api.get(f"{CAT_URL}/{theirs.pk}")
    assert error_code(response, 404) == "NOT_FOUND"


# --- expenses -----------------------------------------------------------------------------------

EXP_URL = "/api/v1/expenses"
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


def test_an_expense_created_by_the_api_shows_on_the_cycle_page(
    owner_api, owner_client, cycle, food
):
    response = owner_api.post(
        EXP_URL, expense_body(cycle, food, description="Farm shop"), content_type=JSON
    )
    assert response.status_code == 201
    body = response.json()
    assert body["amount"] == "12.50" and body["base_amount"] == "12.50"
    # Dated in a cycle that has passed, with no status sent: paid (services.status_for_date).
    assert body["status"] == "paid" and body["awaits_rate"] is False
    page = owner_client.get(reverse("cycles:detail", args=[cycle.pk])).content.decode()
    assert "Farm shop" in page


def test_an_expense_added_on_the_page_shows_in_the_api(owner_api, owner_client, cycle, food):
    owner_client.post(
        reverse("cycles:expense_add", args=[cycle.pk]),
        {
            "date": "2026-03-06",
            "description": "Bakery",
            "category": food.pk,
            "amount": "3.20",
            "currency": "USD",
            "status": "planned",
        },
    )
    items = owner_api.get(f"{EXP_URL}?cycle={cycle.pk}").json()["items"]
    assert [(i["description"], i["amount"]) for i in items] == [("Bakery", "3.20")]


def test_a_foreign_expense_is_converted_at_the_stored_rate(owner_api, cycle, food):
    ExchangeRateFactory(
        base_currency="EUR",
        quote_currency="USD",
        rate=Decimal("1.1"),
        rate_date=datetime.date(2026, 3, 1),
    )
    body = owner_api.post(
        EXP_URL, expense_body(cycle, food, amount="10.00", currency="EUR"), content_type=JSON
    ).json()
    assert body["currency"] == "EUR" and body["base_currency"] == "USD"
    assert body["base_amount"] is not None and isinstance(body["rate"], str)


def test_without_a_rate_an_expense_awaits_one_never_1(owner_api, cycle, food):
    body = owner_api.post(
        EXP_URL, expense_body(cycle, food, amount="1000", currency="JPY"), content_type=JSON
    ).json()
    assert body["base_amount"] is None and body["rate"] is None and body["awaits_rate"] is True


def test_a_manual_rate_is_what_the_bank_charged(owner_api, cycle, food):
    body = owner_api.post(
        EXP_URL,
        expense_body(cycle, food, amount="10.00", currency="EUR", rate="1.2345"),
        content_type=JSON,
    ).json()
    # 12.345 rounded once, half-even, to the base currency's cents.
    assert body["rate"] == "1.2345" and body["base_amount"] == "12.34"
    assert body["rate_source"] == "manual"


@pytest.mark.parametrize(
    ("currency", "amount"), [("JPY", "1850"), ("BHD", "1.005"), ("VND", "999999")]
)
def test_amounts_round_trip_exactly(currency, amount):
    household = HouseholdFactory(base_currency=currency)
    client = api_client(make_owner(household))
    cycle = CycleFactory(household=household, start_date=datetime.date(2026, 3, 1))
    category = CategoryFactory(household=household, name="Food")
    created = client.post(
        EXP_URL,
        expense_body(cycle, category, amount=amount, currency=currency),
        content_type=JSON,
    ).json()
    assert created["amount"] == amount and created["base_amount"] == amount
    assert client.get(f"{EXP_URL}/{created['id']}").json()["amount"] == amount
    assert Expense.objects.get(pk=created["id"]).amount == Decimal(amount)
    totals = client.get(f"/api/v1/cycles/{cycle.pk}/totals").json()
    assert totals["planned"] == amount


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"date": "2026-05-01"}, 422, "EXPENSE_DATE_OUTSIDE_CYCLE"),
        ({"amount": "10.005"}, 422, "INVALID_AMOUNT"),
        # Refused by the schema's own constraints (money pattern, currencies, a name not blank)
        # before the service sees them.
        ({"amount": "1000000000000.00"}, 422, "VALIDATION_ERROR"),  # above any amount bound
        ({"amount": "0"}, 422, "VALIDATION_ERROR"),
        ({"currency": "JPY", "amount": "10.5"}, 422, "INVALID_AMOUNT"),
        ({"currency": "XXX"}, 422, "VALIDATION_ERROR"),
        ({"description": "   "}, 422, "VALIDATION_ERROR"),
        ({"rate": "1.1"}, 422, "MANUAL_RATE_NOT_NEEDED"),
    ],
)
def test_expense_rules_answer_with_their_domain_error(owner_api, cycle, food, fields, status, code):
    response = owner_api.post(EXP_URL, expense_body(cycle, food, **fields), content_type=JSON)
    assert error_code(response, status) == code
    assert not Expense.objects.exists()


def test_another_households_category_or_method_is_not_available(
    owner_api, cycle, food, other_household
):
    theirs = CategoryFactory(household=other_household, name="Theirs")
    method = PaymentMethodFactory(household=other_household)
    one = owner_api.post(EXP_URL, expense_body(cycle, theirs), content_type=JSON)
    assert error_code(one, 422) == "CATEGORY_NOT_AVAILABLE"
    two = owner_api.post(
        EXP_URL, expense_body(cycle, food, payment_method_id=method.pk), content_type=JSON
    )
    assert error_code(two, 422) == "PAYMENT_METHOD_NOT_AVAILABLE"


def test_another_households_cycle_is_404(owner_api, food, other_household):
    theirs = CycleFactory(household=other_household)
    response = owner_api.post(EXP_URL, expense_body(theirs, food), content_type=JSON)
    assert error_code(response, 404) == "NOT_FOUND"


def test_a_completed_cycle_refuses_every_expense_change(owner_api, cycle, food):
    expense = ExpenseFactory(cycle=cycle, category=food)
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.COMPLETED)
    for response in (
        owner_api.post(EXP_URL, expense_body(cycle, food), content_type=JSON),
        owner_api.patch(f"{EXP_URL}/{expense.pk}", {"note": "x"}, content_type=JSON),
        owner_api.post(f"{EXP_URL}/{expense.pk}/toggle-paid", {}, content_type=JSON),
        owner_api.post(f"{EXP_URL}/{expense.pk}/skip"),
        owner_api.delete(f"{EXP_URL}/{expense.pk}"),
    ):
        assert error_code(response, 409) == "CYCLE_ALREADY_COMPLETED"


def test_paying_with_the_actual_amount_keeps_the_plan(owner_api, cycle, food):
    expense = ExpenseFactory(cycle=cycle, category=food, amount=Decimal("80.00"))
    paid = owner_api.post(
        f"{EXP_URL}/{expense.pk}/toggle-paid", {"amount": "92.15"}, content_type=JSON
    ).json()
    assert (paid["status"], paid["amount"], paid["planned_amount"]) == ("paid", "92.15", "80.00")
    assert paid["paid_on"]
    back = owner_api.post(f"{EXP_URL}/{expense.pk}/toggle-paid", {}, content_type=JSON).json()
    assert (back["status"], back["amount"]) == ("planned", "80.00")


def test_skip_and_restore(owner_api, cycle, food):
    template = ExpenseTemplateFactory(household=cycle.household, category=food)
    expense = ExpenseFactory(
        cycle=cycle, category=food, template=template, occurrence_date=cycle.start_date
    )
    assert owner_api.post(f"{EXP_URL}/{expense.pk}/skip").json()["status"] == "skipped"
    assert owner_api.post(f"{EXP_URL}/{expense.pk}/restore").json()["status"] == "planned"
    again = owner_api.post(f"{EXP_URL}/{expense.pk}/restore")
    assert error_code(again, 409) == "EXPENSE_NOT_SKIPPED"
    owner_api.patch(f"{EXP_URL}/{expense.pk}", {"status": "paid"}, content_type=JSON)
    refused = owner_api.post(f"{EXP_URL}/{expense.pk}/skip")
    assert error_code(refused, 409) == "PAID_EXPENSE_NOT_SKIPPABLE"


def test_only_a_template_occurrence_can_be_skipped(owner_api, cycle, food):
    one_off = ExpenseFactory(cycle=cycle, category=food)
    refused = owner_api.post(f"{EXP_URL}/{one_off.pk}/skip")
    assert error_code(refused, 422) == "EXPENSE_NOT_SKIPPABLE"
    by_patch = owner_api.patch(f"{EXP_URL}/{one_off.pk}", {"status": "skipped"}, content_type=JSON)
    assert error_code(by_patch, 422) == "EXPENSE_NOT_SKIPPABLE"
    one_off.refresh_from_db()
    assert one_off.is_planned


def test_patch_changes_only_what_is_sent(owner_api, cycle, food):
    method = PaymentMethodFactory(household=cycle.household)
    expense = ExpenseFactory(cycle=cycle, category=food, payment_method=method)
    changed = owner_api.patch(
        f"{EXP_URL}/{expense.pk}", {"amount": "20.00", "note": "big shop"}, content_type=JSON
    ).json()
    assert (changed["amount"], changed["note"], changed["payment_method_id"]) == (
        "20.00",
        "big shop",
        method.pk,
    )
    cleared = owner_api.patch(
        f"{EXP_URL}/{expense.pk}", {"payment_method_id": None}, content_type=JSON
    ).json()
    assert cleared["payment_method_id"] is None


def test_delete(owner_api, cycle, food):
    expense = ExpenseFactory(cycle=cycle, category=food)
    assert owner_api.delete(f"{EXP_URL}/{expense.pk}").status_code == 204
    assert not Expense.objects.filter(pk=expense.pk).exists()


def test_expenses_are_filtered_searched_and_sorted(owner_api, owner, member, cycle, food):
    fun = CategoryFactory(household=cycle.household, name="Fun")
    ExpenseFactory(cycle=cycle, category=food, description="Milk", date=datetime.date(2026, 3, 2))
    ExpenseFactory(
        cycle=cycle,
        category=fun,
        description="Cinema",
        date=datetime.date(2026, 3, 9),
        created_by=member,
        note="with Max",
    )
    ExpenseFactory(
        cycle=cycle,
        category=food,
        description="Bread",
        date=datetime.date(2026, 3, 20),
        status=Expense.Status.PAID,
        paid_on=datetime.date(2026, 3, 20),
    )

    def names(query):
        return [i["description"] for i in owner_api.get(f"{EXP_URL}?{query}").json()["items"]]

    assert names(f"cycle={cycle.pk}") == ["Milk", "Cinema", "Bread"]
    assert names(f"cycle={cycle.pk}&sort=-date") == ["Bread", "Cinema", "Milk"]
    assert names(f"category={food.pk}") == ["Milk", "Bread"]
    assert names("status=paid") == ["Bread"]
    assert names(f"member={member.pk}") == ["Cinema"]
    assert names("date_from=2026-03-05&date_to=2026-03-19") == ["Cinema"]
    assert names("search=max") == ["Cinema"]
    assert names("search=BREAD") == ["Bread"]


def test_expense_list_queries_do_not_grow_with_the_page(
    owner_api, cycle, food, django_assert_max_num_queries
):
    ExpenseFactory.create_batch(60, cycle=cycle, category=food)
    with django_assert_max_num_queries(6):
        small = owner_api.get(f"{EXP_URL}?cycle={cycle.pk}&limit=1").json()
    with django_assert_max_num_queries(6):
        large = owner_api.get(f"{EXP_URL}?cycle={cycle.pk}&limit=200").json()
    assert len(small["items"]) == 1 and len(large["items"]) == 60 == large["count"]


def test_expense_list_count_comes_from_the_kept_totals_and_matches_the_rows(
    owner_api, owner, member, cycle, food, other_household, django_assert_num_queries
):
    """The list's `count` is read from ExpenseTotal when the filters allow (no COUNT over the
    household's whole history), and is always what the filters really match."""
    fun = CategoryFactory(household=cycle.household, name="Fun")
    later = CycleFactory(
        household=cycle.household, start_date=cycle.end_date + datetime.timedelta(1)
    )
    ExpenseFactory.create_batch(3, cycle=cycle, category=food)
    ExpenseFactory.create_batch(2, cycle=later, category=fun, created_by=member)
    ExpenseFactory(cycle=cycle, category=fun, status=Expense.Status.PAID, paid_on=cycle.start_date)
    ExpenseFactory.create_batch(4, cycle=CycleFactory(household=other_household))

    queries = [
        "",
        f"cycle={cycle.pk}",
        f"cycle={later.pk}",
        f"category={fun.pk}",
        "status=paid",
        f"category={fun.pk}&status=planned",
        f"member={member.pk}",
        "search=zzz",
    ]
    for query in queries:
        body = owner_api.get(f"{EXP_URL}?{query}&limit=1").json()
        expected = owner_api.get(f"{EXP_URL}?{query}&limit=200").json()["items"]
        assert body["count"] == len(expected), query
    assert owner_api.get(EXP_URL).json()["count"] == 6

    # Token and rate limit, the kept count, the page: no COUNT over expenses.
    with django_assert_num_queries(4) as captured:
        owner_api.get(f"{EXP_URL}?limit=1")
    assert not any(
        "COUNT(" in q["sql"].upper() and '"expenses_expense"' in q["sql"]
        for q in captured.captured_queries
    )


# --- stale writes: ETag / If-Match ----------------------------------------------------------


def test_an_expense_carries_its_version_as_etag(owner_api, cycle, food):
    expense = ExpenseFactory(cycle=cycle, category=food)
    response = owner_api.get(f"{EXP_URL}/{expense.pk}")
    version = response.json()["version"]
    assert response["ETag"] == f'"{version}"'


def test_a_change_from_a_stale_version_is_409_and_writes_nothing(
    owner_api, member_api, cycle, food
):
    expense = ExpenseFactory(cycle=cycle, category=food, amount=Decimal("10.00"))
    etag = owner_api.get(f"{EXP_URL}/{expense.pk}")["ETag"]
    # Another member pays it meanwhile.
    paid = member_api.post(
        f"{EXP_URL}/{expense.pk}/toggle-paid", {}, content_type=JSON, HTTP_IF_MATCH=etag
    )
    assert paid.status_code == 200 and paid["ETag"] != etag
    stale = owner_api.patch(
        f"{EXP_URL}/{expense.pk}", {"amount": "99.00"}, content_type=JSON, HTTP_IF_MATCH=etag
    )
    assert error_code(stale, 409) == "EXPENSE_CHANGED"
    assert stale.json()["error"]["details"]["current_version"] == paid.json()["version"]
    expense.refresh_from_db()
    assert expense.amount == Decimal("10.00") and expense.status == "paid"
    fresh = owner_api.patch(
        f"{EXP_URL}/{expense.pk}", {"note": "ok"}, content_type=JSON, HTTP_IF_MATCH=paid["ETag"]
    )
    assert fresh.status_code == 200
    for call in (
        lambda: owner_api.post(f"{EXP_URL}/{expense.pk}/skip", HTTP_IF_MATCH=etag),
        lambda: owner_api.delete(f"{EXP_URL}/{expense.pk}", HTTP_IF_MATCH=etag),
    ):
        assert error_code(call(), 409) == "EXPENSE_CHANGED"
    assert Expense.objects.filter(pk=expense.pk).exists()


def test_a_write_without_if_match_applies_to_the_expense_as_it_is(owner_api, cycle, food):
    expense = ExpenseFactory(cycle=cycle, category=food)
    changed = owner_api.patch(f"{EXP_URL}/{expense.pk}", {"note": "a"}, content_type=JSON)
    assert changed.status_code == 200 and changed["ETag"] == '"2"'
    assert changed.json()["version"] == 2


def test_a_malformed_if_match_is_refused(owner_api, cycle, food):
    expense = ExpenseFactory(cycle=cycle, category=food)
    response = owner_api.patch(
        f"{EXP_URL}/{expense.pk}", {"note": "x"}, content_type=JSON, HTTP_IF_MATCH="yesterday"
    )
    assert error_code(response, 422) == "INVALID_IF_MATCH"
    expense.refresh_from_db()
    assert expense.note == "" and expense.version == 1


def test_a_listed_expense_is_exactly_what_its_own_route_answers(owner_api, cycle, food):
    """The list builds its items without per-field resolvers (expense_json); each must be the
    same JSON as GET /expenses/{id}: amounts in every currency's decimals, awaiting rates,
    manual rates, paid and skipped ones."""
    ExchangeRateFactory(
        base_currency="EUR",
        quote_currency="USD",
        rate=Decimal("1.0831"),
        rate_date=cycle.start_date,
    )
    bodies = [
        expense_body(cycle, food, amount="12.50", currency="USD"),
        expense_body(cycle, food, amount="1000", currency="JPY"),  # awaits a rate
        expense_body(cycle, food, amount="1.005", currency="BHD", rate="2.6596"),
        expense_body(cycle, food, amount="40.00", currency="EUR", status="paid"),
    ]
    for body in bodies:
        assert owner_api.post(EXP_URL, body, content_type=JSON).status_code == 201
    listed = owner_api.get(f"{EXP_URL}?cycle={cycle.pk}").json()["items"]
    assert len(listed) == 4
    for item in listed:
        assert item == owner_api.get(f"{EXP_URL}/{item['id']}").json()


def test_a_payment_method_without_owner_is_shared(owner_api, owner, household):
    created = owner_api.post(
        PM_URL,
        {"name": "Joint account", "kind": "bank_account", "owner_id": None},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["owner_id"], body["label"]) == (None, "Joint account")
    assert PaymentMethod.objects.get(pk=body["id"]).owner is None
    mine = owner_api.patch(
        f"{PM_URL}/{body['id']}", {"owner_id": owner.pk}, content_type="application/json"
    )
    assert mine.json()["owner_id"] == owner.pk
    shared = owner_api.patch(
        f"{PM_URL}/{body['id']}", {"owner_id": None}, content_type="application/json"
    )
    assert shared.status_code == 200 and shared.json()["owner_id"] is None
    assert PaymentMethod.objects.get(pk=body["id"]).owner is None


def test_an_expense_with_a_shared_method_is_created_and_read(owner_api, household):
    cycle = CycleFactory(household=household, status=Cycle.Status.ACTIVE)
    food = CategoryFactory(household=household, name="Groceries")
    cash = PaymentMethodFactory(household=household, name="Cash box", kind="cash", owner=None)
    response = owner_api.post(
        EXP_URL,
        {
            "cycle_id": cycle.pk,
            "date": cycle.start_date.isoformat(),
            "description": "Bread",
            "category_id": food.pk,
            "payment_method_id": cash.pk,
            "amount": "3.50",
            "currency": "USD",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert Expense.objects.get(description="Bread").payment_method == cash
    listed = owner_api.get(EXP_URL, {"cycle": cycle.pk, "payment_method": cash.pk}).json()
    assert [item["payment_method_id"] for item in listed["items"]] == [cash.pk]


def test_an_expense_created_without_a_status_is_paid_up_to_today_and_planned_after(
    owner_api, household, food
):
    """The API gets the service's default: no status sent, the date decides."""
    today = datetime.date.today()
    running = CycleFactory(
        household=household,
        start_date=today - datetime.timedelta(days=3),
        end_date=today + datetime.timedelta(days=30),
    )
    statuses = {}
    for name, day in (("Bread", today), ("Rent", today + datetime.timedelta(days=10))):
        response = owner_api.post(
            EXP_URL,
            expense_body(running, food, description=name, date=day.isoformat()),
            content_type=JSON,
        )
        assert response.status_code == 201
        statuses[name] = response.json()["status"]
    assert statuses == {"Bread": "paid", "Rent": "planned"}
    stored = dict(Expense.objects.filter(cycle=running).values_list("description", "status"))
    assert stored == {"Bread": "paid", "Rent": "planned"}
