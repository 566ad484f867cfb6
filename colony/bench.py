"""`python -m colony.bench` (or `make bench`): seed a big household, print how fast Colony is.

Measures, in one run, on the database at DATABASE_URL (a dedicated one: it is filled with
100,000 expenses):
  - SQL queries and in-process server time (p50/p95) of the cycle page (1,000 expenses),
    the HTMX add-expense request and the 5-year report (40 cycles, 100,000 expenses);
  - requests/second of the cycle page under gunicorn (2 workers) with wrk, side by side with
    a bare Django view returning "ok" in the same gunicorn.
It prints numbers and asserts nothing: targets are read by people, not by CI.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from colony.dbcheck import ensure_database

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "40"))
WRK_SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "10"))
TOTAL_EXPENSES = 100_000
CYCLES = 40
ACTIVE_CYCLE_EXPENSES = 1_000
BENCH_EMAIL = "bench@colony.local"

TARGETS = {"cycle page": 30.0, "htmx add": 15.0, "5-year report": 150.0}


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "colony.settings.bench")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed():
    """The bench household: 40 six-week cycles, 100,000 expenses, 1,000 in the active cycle."""
    import datetime
    import random
    from decimal import Decimal

    from django.db import transaction

    from accounts import services as account_services
    from accounts.models import User
    from cycles.models import Cycle
    from expenses.models import Category, Expense, PaymentMethod

    user = User.objects.filter(email=BENCH_EMAIL).first()
    if user is not None:
        household = user.membership.household
        if Expense.objects.filter(cycle__household=household).count() >= TOTAL_EXPENSES:
            return user, household
        account_services.delete_household(household=household, by=user)
        user.delete()
    user = account_services.register_user(
        email=BENCH_EMAIL,
        password=secrets.token_urlsafe(16),
        first_name="Bench",
        household_name="Bench household",
    )
    household = user.membership.household
    rng = random.Random(42)
    categories = list(Category.objects.filter(household=household))
    methods = [
        PaymentMethod.objects.create(household=household, name=name, kind=kind, owner=user)
        for name, kind in [("Visa", "card"), ("Cash", "cash"), ("Checking", "bank_account")]
    ]
    # Consecutive cycles ending with the active one, which starts today.
    first = datetime.date.today() - datetime.timedelta(days=43 * (CYCLES - 1))
    with transaction.atomic():
        cycles = []
        for n in range(CYCLES):
            start = first + datetime.timedelta(days=43 * n)
            last = n == CYCLES - 1
            cycles.append(
                Cycle.objects.create(
                    household=household,
                    name=f"Cycle {n + 1:02d}",
                    start_date=start,
                    end_date=start + datetime.timedelta(days=42),
                    income=Decimal("5200.00"),
                    status=Cycle.Status.ACTIVE if last else Cycle.Status.COMPLETED,
                )
            )
        # The completed cycles share the rest evenly; the first ones take the remainder.
        per_cycle, remainder = divmod(TOTAL_EXPENSES - ACTIVE_CYCLE_EXPENSES, CYCLES - 1)
        batch = []
        for n, cycle in enumerate(cycles):
            if cycle.status == Cycle.Status.ACTIVE:
                count = ACTIVE_CYCLE_EXPENSES
            else:
                count = per_cycle + (1 if n < remainder else 0)
            for i in range(count):
                amount = Decimal(rng.randint(100, 20_000)) / 100
                foreign = rng.random() < 0.2
                rate = Decimal("1.0850000000") if foreign else Decimal("1")
                paid = rng.random() < 0.6
                date = cycle.start_date + datetime.timedelta(days=rng.randint(0, 42))
                batch.append(
                    Expense(
                        cycle=cycle,
                        description=f"Expense {i}",
                        amount=amount,
                        currency="EUR" if foreign else "USD",
                        date=date,
                        category=rng.choice(categories),
                        payment_method=rng.choice(methods),
                        status=Expense.Status.PAID if paid else Expense.Status.PLANNED,
                        paid_on=date if paid else None,
                        base_amount=(amount * rate).quantize(Decimal("0.01")),
                        rate=rate,
                        rate_date=date,
                        rate_source="stored" if foreign else "same",
                        created_by=user,
                    )
                )
                if len(batch) >= 5_000:
                    Expense.objects.bulk_create(batch)
                    batch = []
        Expense.objects.bulk_create(batch)
    return user, household


def _percentiles(samples):
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def measure_in_process(user, household):
    """Server time and SQL queries per request, through Django's full middleware stack."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from cycles.models import Cycle
    from expenses.models import Expense

    client = Client()
    client.force_login(user)
    active = Cycle.objects.get(household=household, status=Cycle.Status.ACTIVE)
    category = household.categories.first()
    scenarios = {
        "cycle page": lambda: client.get(reverse("cycles:detail", args=[active.pk])),
        "htmx add": lambda: client.post(
            reverse("expenses:expense_add", args=[active.pk]),
            {
                "description": "Bench coffee",
                "amount": "3.50",
                "currency": household.base_currency,
                "date": active.start_date.isoformat(),
                "category": category.pk,
                "status": "planned",
            },
            HTTP_HX_REQUEST="true",
        ),
        "5-year report": lambda: client.get(reverse("reports:overview") + "?range=all"),
    }
    rows = []
    for label, request in scenarios.items():
        for _ in range(3):
            request()
        timings, queries, status = [], 0, None
        for _ in range(RUNS):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = request()
                timings.append((time.perf_counter() - started) * 1000)
            queries, status = len(captured), response.status_code
        p50, p95 = _percentiles(timings)
        rows.append((label, status, queries, p50, p95, TARGETS[label]))
    Expense.objects.filter(cycle=active, description="Bench coffee").delete()
    return rows, active


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure_throughput(user, active):
    """Requests/second under gunicorn (2 workers) with wrk: cycle page vs a bare view."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    wrk = shutil.which("wrk")
    if wrk is None:
        return None, "wrk is not installed (apt-get install wrk): throughput not measured"
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.HouseholdModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "colony.settings.bench"}
    server = subprocess.Popen(  # noqa: S603 — fixed argv, no user input
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
        results = {}
        for label, path in [
            ("bare view /healthz", "/healthz"),
            ("cycle page", f"/cycles/{active.pk}/"),
        ]:
            output = subprocess.run(  # noqa: S603 — fixed argv
                [
                    wrk,
                    "-t2",
                    "-c8",
                    f"-d{WRK_SECONDS}s",
                    "-H",
                    f"Cookie: {cookie}",
                    f"http://127.0.0.1:{port}{path}",
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            rps = Decimal(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
            non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
            results[label] = (rps, int(non2xx.group(1)) if non2xx else 0)
        return results, None
    finally:
        server.terminate()
        server.wait(timeout=30)
        session.delete()


def main() -> int:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/colony_bench")
    os.environ["DATABASE_URL"] = url
    ensure_database(url)
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    user, household = seed()
    print(
        f"Bench household ready in {time.perf_counter() - started:.1f}s: {TOTAL_EXPENSES:,} "
        f"expenses, {CYCLES} cycles, {ACTIVE_CYCLE_EXPENSES:,} in the active one"
    )
    rows, active = measure_in_process(user, household)
    print()
    print(f"{'request':<16}{'status':>7}{'queries':>9}{'p50 ms':>9}{'p95 ms':>9}{'target p50':>12}")
    for label, status, queries, p50, p95, target in rows:
        print(
            f"{label:<16}{status:>7}{queries:>9}{p50:>9.1f}{p95:>9.1f}{'≤ ' + str(int(target)):>12}"
        )
    results, problem = measure_throughput(user, active)
    print()
    if problem:
        print(problem)
        return 0
    bare, _ = results["bare view /healthz"]
    page, errors = results["cycle page"]
    print(f"gunicorn, 2 workers, wrk -t2 -c8 -d{WRK_SECONDS}s")
    print(f"{'bare view /healthz':<22}{bare:>10.1f} req/s")
    warning = f"  ({errors} non-2xx responses!)" if errors else ""
    print(f"{'cycle page':<22}{page:>10.1f} req/s{warning}")
    print(f"{'ratio':<22}{page / bare * 100:>10.1f} %   (target ≥ 50 %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
