"""Idempotency-Key on the API's POSTs: a retry replays the first answer and never writes
twice; the same key with another request is 422, and 409 while the first still runs — with
real concurrent requests on their own database connections."""

from __future__ import annotations

import datetime
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connections, transaction
from django.utils import timezone

from accounts.idempotency import IN_FLIGHT_SECONDS, fingerprint
from accounts.models import IdempotencyKey
from accounts.tests.factories import HouseholdFactory, api_client, make_member, make_owner
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory

EXP_URL = "/api/v1/expenses"
JSON = "application/json"


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


def post(client, path, body, key, **headers):
    return client.post(path, body, content_type=JSON, headers={"Idempotency-Key": key, **headers})


@pytest.fixture
def cycle(household):
    return CycleFactory(household=household, start_date=datetime.date(2026, 3, 1))


@pytest.fixture
def food(household):
    return CategoryFactory(household=household, name="Food")


@pytest.mark.django_db
class TestOneAtATime:
    def test_the_same_key_replays_the_first_answer_and_writes_once(self, owner_api, cycle, food):
        first = post(owner_api, EXP_URL, expense_body(cycle, food), "k-1")
        again = post(owner_api, EXP_URL, expense_body(cycle, food), "k-1")
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again["Location"] == first["Location"] and again["ETag"] == first["ETag"]
        assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
        assert Expense.objects.filter(cycle=cycle).count() == 1
        assert IdempotencyKey.objects.get(key="k-1").status == 201

    def test_a_body_sent_again_in_another_key_order_is_the_same_request(
        self, owner_api, cycle, food
    ):
        body = expense_body(cycle, food)
        post(owner_api, EXP_URL, body, "k-order")
        reordered = dict(reversed(list(body.items())))
        again = post(owner_api, EXP_URL, reordered, "k-order")
        assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
        assert Expense.objects.filter(cycle=cycle).count() == 1

    def test_the_same_key_with_another_body_is_422_and_writes_nothing(self, owner_api, cycle, food):
        post(owner_api, EXP_URL, expense_body(cycle, food), "k-2")
        other = post(owner_api, EXP_URL, expense_body(cycle, food, amount="99.00"), "k-2")
        assert other.status_code == 422
        assert other.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
        assert list(Expense.objects.values_list("amount", flat=True)) == [Decimal("12.50")]

    def test_the_same_key_on_another_route_is_422(self, owner_api, cycle, food):
        expense = ExpenseFactory(cycle=cycle, category=food)
        post(owner_api, f"{EXP_URL}/{expense.pk}/pay", {}, "k-3")
        other = post(owner_api, f"{EXP_URL}/{expense.pk}/unpay", {}, "k-3")
        assert other.status_code == 422
        assert other.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
        expense.refresh_from_db()
        assert expense.status == Expense.Status.PAID

    def test_keys_belong_to_one_person(self, owner_api, member_api, cycle, food):
        owners = post(owner_api, EXP_URL, expense_body(cycle, food), "shared-key")
        members = post(member_api, EXP_URL, expense_body(cycle, food), "shared-key")
        assert owners.status_code == members.status_code == 201
        assert "Idempotent-Replayed" not in members
        assert Expense.objects.filter(cycle=cycle).count() == 2

    def test_a_refused_request_keeps_no_answer_and_frees_its_key(self, owner_api, cycle, food):
        expense = ExpenseFactory(cycle=cycle, category=food)
        Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.COMPLETED)
        refused = post(owner_api, f"{EXP_URL}/{expense.pk}/pay", {}, "k-4")
        assert refused.status_code == 409
        assert not IdempotencyKey.objects.filter(key="k-4").exists()
        Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.ACTIVE)
        paid = post(owner_api, f"{EXP_URL}/{expense.pk}/pay", {}, "k-4")
        assert paid.status_code == 200 and "Idempotent-Replayed" not in paid
        expense.refresh_from_db()
        assert expense.status == Expense.Status.PAID

    def test_input_the_route_refuses_takes_no_key(self, owner_api, cycle, food):
        bad = post(owner_api, EXP_URL, expense_body(cycle, food, amount=12.5), "k-5")
        assert bad.status_code == 422
        assert not IdempotencyKey.objects.filter(key="k-5").exists()

    @pytest.mark.parametrize("key", ["", "x" * 256, "café", "tab\there"])
    def test_a_malformed_key_is_422_and_writes_nothing(self, owner_api, cycle, food, key):
        response = post(owner_api, EXP_URL, expense_body(cycle, food), key)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "INVALID_IDEMPOTENCY_KEY"
        assert not Expense.objects.exists()

    def test_a_quoted_key_is_the_same_key(self, owner_api, cycle, food):
        post(owner_api, EXP_URL, expense_body(cycle, food), "abc")
        again = post(owner_api, EXP_URL, expense_body(cycle, food), '"abc"')
        assert again["Idempotent-Replayed"] == "true"
        assert Expense.objects.count() == 1

    def test_a_bulk_sent_twice_is_added_once(self, owner_api, cycle, food):
        body = {"items": [expense_body(cycle, food, description=f"Row {i}") for i in range(3)]}
        first = post(owner_api, f"{EXP_URL}/bulk", body, "bulk-1")
        again = post(owner_api, f"{EXP_URL}/bulk", body, "bulk-1")
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert Expense.objects.filter(cycle=cycle).count() == 3

    def test_a_key_past_24_hours_starts_again(self, owner_api, cycle, food):
        post(owner_api, EXP_URL, expense_body(cycle, food), "old")
        IdempotencyKey.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
        again = post(owner_api, EXP_URL, expense_body(cycle, food), "old")
        assert again.status_code == 201 and "Idempotent-Replayed" not in again
        assert Expense.objects.count() == 2

    def test_the_cleanup_command_deletes_keys_older_than_24_hours(self, owner, household):
        now = timezone.now()
        for key, age in (("fresh", 23), ("stale", 25)):
            IdempotencyKey.objects.create(
                household=household,
                user=owner,
                key=key,
                fingerprint="f",
                claim="c",
                status=201,
                created_at=now - datetime.timedelta(hours=age),
            )
        call_command("cleanup_idempotency_keys", "--quiet")
        assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]

    def test_reads_ignore_the_header(self, owner_api, cycle, food):
        response = owner_api.get(EXP_URL, headers={"Idempotency-Key": "read"})
        assert response.status_code == 200
        assert not IdempotencyKey.objects.exists()


# --- at the same time, on real connections ------------------------------------------------------


@pytest.fixture
def busy_house(transactional_db):
    household = HouseholdFactory(name="Busy", base_currency="USD")
    owner = make_owner(household, email="owner@busy.example")
    make_member(household, email="member@busy.example")
    cycle = CycleFactory(household=household, start_date=datetime.date(2026, 3, 1))
    food = CategoryFactory(household=household, name="Food")
    return household, owner, cycle, food


def _on_own_connection(call):
    def run(*args):
        try:
            return call(*args)
        finally:
            connections.close_all()

    return run


def test_two_requests_with_one_key_at_once_write_once(busy_house):
    _, owner, cycle, food = busy_house
    clients = [api_client(owner), api_client(owner)]
    rounds = 4
    for attempt in range(rounds):
        barrier = threading.Barrier(2)
        body = expense_body(cycle, food, description=f"Round {attempt}")

        @_on_own_connection
        def send(client, body=body, barrier=barrier, attempt=attempt):
            barrier.wait(timeout=10)
            return post(client, EXP_URL, body, f"race-{attempt}")

        with ThreadPoolExecutor(max_workers=2) as pool:
            answers = list(pool.map(send, clients))
        statuses = sorted(answer.status_code for answer in answers)
        assert statuses in ([201, 201], [201, 409]), [a.content for a in answers]
        created = [a for a in answers if a.status_code == 201]
        if len(created) == 2:  # the second came after the first committed: a replay
            assert created[0].json() == created[1].json()
        else:
            refused = next(a for a in answers if a.status_code == 409)
            assert refused.json()["error"]["code"] == "IDEMPOTENCY_KEY_IN_FLIGHT"
        assert Expense.objects.filter(description=f"Round {attempt}").count() == 1
    assert IdempotencyKey.objects.filter(status=201).count() == rounds


def _in_flight(household, owner, body, *, seconds_ago: float) -> IdempotencyKey:
    """A key whose request has not answered (yet), claimed `seconds_ago`."""
    return IdempotencyKey.objects.create(
        household=household,
        user=owner,
        key="running",
        fingerprint=fingerprint(method="POST", path=EXP_URL, body=json.dumps(body).encode()),
        claim="someone-else",
        created_at=timezone.now() - datetime.timedelta(seconds=seconds_ago),
    )


def test_a_key_whose_request_has_not_answered_is_409(owner_api, household, owner, cycle, food):
    body = expense_body(cycle, food)
    _in_flight(household, owner, body, seconds_ago=1)
    busy = post(owner_api, EXP_URL, body, "running")
    assert busy.status_code == 409
    assert busy.json()["error"]["code"] == "IDEMPOTENCY_KEY_IN_FLIGHT"
    assert not Expense.objects.exists()


def test_a_key_abandoned_by_a_killed_request_is_taken_over(
    owner_api, household, owner, cycle, food
):
    body = expense_body(cycle, food)
    row = _in_flight(household, owner, body, seconds_ago=IN_FLIGHT_SECONDS + 1)
    taken_over = post(owner_api, EXP_URL, body, "running")
    assert taken_over.status_code == 201 and "Idempotent-Replayed" not in taken_over
    assert Expense.objects.count() == 1
    row.refresh_from_db()
    assert row.status == 201 and row.claim != "someone-else"


def test_a_takeover_waits_for_a_request_still_running_and_replays_it(busy_house):
    """A request running past IN_FLIGHT_SECONDS still holds its key's row: a retry waits for
    it instead of writing a second time, and then hears its answer."""
    household, owner, cycle, food = busy_house
    body = expense_body(cycle, food)
    row = _in_flight(household, owner, body, seconds_ago=IN_FLIGHT_SECONDS + 1)
    holding, release = threading.Event(), threading.Event()

    @_on_own_connection
    def slow_request():
        with transaction.atomic():
            IdempotencyKey.objects.select_for_update().get(pk=row.pk)
            holding.set()
            release.wait(timeout=10)
            IdempotencyKey.objects.filter(pk=row.pk).update(
                status=201, body='{"id": 1}', headers={"Content-Type": "application/json"}
            )

    @_on_own_connection
    def retry():
        return post(api_client(owner), EXP_URL, body, "running")

    with ThreadPoolExecutor(max_workers=2) as pool:
        running = pool.submit(slow_request)
        assert holding.wait(timeout=10)
        retried = pool.submit(retry)
        with pytest.raises(TimeoutError):
            retried.result(timeout=0.5)  # waiting for the running request's row
        release.set()
        running.result(timeout=10)
        answer = retried.result(timeout=10)
    assert answer.status_code == 201
    assert answer["Idempotent-Replayed"] == "true" and answer.json() == {"id": 1}
    assert not Expense.objects.exists()
