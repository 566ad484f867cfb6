"""Many people on one cycle at once, against the threaded live server and real PostgreSQL.

Each client is a `requests.Session` that logged in through the real log-in form and posts the
add-expense form the way htmx does (HX-Request + X-CSRFToken). Afterwards the database must
hold exactly the expenses that were acknowledged, and the cycle's totals must be their sum; a
cycle completed in the middle of the rush must not gain an expense after its completion.
"""

from __future__ import annotations

import datetime
import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal

import pytest
import requests
from django.db.models import Sum
from django.urls import reverse

from accounts.tests.factories import TEST_PASSWORD, HouseholdFactory, make_member, make_owner
from budget.selectors import cycle_totals
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses.models import Category, Expense

pytestmark = pytest.mark.django_db(transaction=True)

USERS = 10
SESSIONS_PER_USER = 5  # 50 concurrent clients: half of PostgreSQL's default max_connections
ADDS_PER_CLIENT = 4
TIMEOUT = 10  # seconds, per request


@dataclass
class Household:
    cycle: Cycle
    category_id: int
    emails: list[str]


@pytest.fixture
def household() -> Household:
    home = HouseholdFactory(name="Busy house", base_currency="USD")
    owner = make_owner(home, email="owner@busy.example")
    members = [make_member(home, email=f"member{i}@busy.example") for i in range(USERS - 1)]
    cycle = CycleFactory(
        household=home,
        name="Rush cycle",
        start_date=datetime.date(2026, 3, 1),
        status=Cycle.Status.ACTIVE,
    )
    category = Category.objects.filter(household=home).order_by("pk").first()
    return Household(cycle, category.pk, [owner.email] + [m.email for m in members])


def logged_in_session(base_url: str, email: str) -> requests.Session:
    session = requests.Session()
    login = f"{base_url}{reverse('accounts:login')}"
    session.get(login, timeout=TIMEOUT).raise_for_status()
    response = session.post(
        login,
        data={
            "username": email,
            "password": TEST_PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 302, (email, response.status_code)
    return session


def log_in_everyone(base_url: str, emails: list[str], pool: ThreadPoolExecutor):
    logins = [email for email in emails for _ in range(SESSIONS_PER_USER)]
    return list(pool.map(lambda email: logged_in_session(base_url, email), logins))


@dataclass
class Add:
    description: str
    amount: Decimal
    status: int


def add_expense(base_url: str, session: requests.Session, home: Household, description, amount):
    response = session.post(
        f"{base_url}{reverse('cycles:expense_add', args=[home.cycle.pk])}",
        data={
            "date": home.cycle.start_date.isoformat(),
            "description": description,
            "category": home.category_id,
            "amount": str(amount),
            "currency": "USD",
            "status": "planned",
            "note": "",
        },
        headers={"HX-Request": "true", "X-CSRFToken": session.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    return Add(description, amount, response.status_code)


def amount_for(client: int, n: int) -> Decimal:
    return Decimal(f"{client + 1}.{(7 * n + client) % 100:02d}")


def assert_rows_match(home: Household, adds: list[Add]) -> None:
    """The rows are exactly the acknowledged adds; the totals are the SQL sum of the rows."""
    added = [a for a in adds if a.status == 200]
    rows = Expense.objects.filter(cycle=home.cycle)
    assert rows.count() == len(added)
    assert sorted(rows.values_list("description", flat=True)) == sorted(
        a.description for a in added
    )
    sql_sum = rows.aggregate(total=Sum("base_amount"))["total"] or Decimal(0)
    assert sql_sum == sum((a.amount for a in added), Decimal(0))
    totals = cycle_totals(Cycle.objects.select_related("household").get(pk=home.cycle.pk))
    assert totals.planned == sql_sum
    assert totals.expense_count == len(added)
    assert totals.remaining == sql_sum and totals.paid == 0


def test_fifty_clients_adding_at_once_lose_and_duplicate_nothing(live_server, household):
    home = household
    with ThreadPoolExecutor(max_workers=USERS * SESSIONS_PER_USER) as pool:
        sessions = log_in_everyone(live_server.url, home.emails, pool)
        start = threading.Barrier(len(sessions), timeout=TIMEOUT)

        def client(index: int) -> list[Add]:
            start.wait()  # everyone starts together
            return [
                add_expense(
                    live_server.url,
                    sessions[index],
                    home,
                    f"client {index} expense {n}",
                    amount_for(index, n),
                )
                for n in range(ADDS_PER_CLIENT)
            ]

        adds = list(itertools.chain.from_iterable(pool.map(client, range(len(sessions)))))

    assert {a.status for a in adds} == {200}, sorted({a.status for a in adds})
    assert len(adds) == len(sessions) * ADDS_PER_CLIENT
    assert_rows_match(home, adds)


def test_completing_a_cycle_during_a_rush_of_adds_keeps_it_closed(live_server, household):
    home = household
    adders_done = 0
    halfway = threading.Event()
    lock = threading.Lock()
    with ThreadPoolExecutor(max_workers=USERS * SESSIONS_PER_USER) as pool:
        sessions = log_in_everyone(live_server.url, home.emails, pool)
        completer, adders = sessions[0], sessions[1:]
        total_adds = len(adders) * ADDS_PER_CLIENT

        def adder(index: int) -> list[Add]:
            nonlocal adders_done
            results = []
            for n in range(ADDS_PER_CLIENT):
                results.append(
                    add_expense(
                        live_server.url,
                        adders[index],
                        home,
                        f"racer {index} expense {n}",
                        amount_for(index, n),
                    )
                )
                with lock:
                    adders_done += 1
                    if adders_done >= total_adds // 3:
                        halfway.set()
            return results

        def complete() -> int:
            assert halfway.wait(timeout=30), "the adds never got going"
            response = completer.post(
                f"{live_server.url}{reverse('cycles:complete', args=[home.cycle.pk])}",
                headers={"X-CSRFToken": completer.cookies["csrftoken"]},
                allow_redirects=False,
                timeout=TIMEOUT,
            )
            return response.status_code

        completion = pool.submit(complete)
        adds = list(itertools.chain.from_iterable(pool.map(adder, range(len(adders)))))
        assert completion.result(timeout=30) == 302

    cycle = Cycle.objects.get(pk=home.cycle.pk)
    assert cycle.status == Cycle.Status.COMPLETED and cycle.completed_at is not None
    statuses = {a.status for a in adds}
    assert statuses <= {200, 409}, sorted(statuses)  # added, or refused as completed
    assert 409 in statuses, "the completion came after every add: no race was exercised"
    assert 200 in statuses
    late = Expense.objects.filter(cycle=cycle, created_at__gt=cycle.completed_at)
    assert not late.exists(), list(late.values("description", "created_at"))
    assert_rows_match(home, adds)
