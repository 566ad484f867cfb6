"""The bench households: seeded once with COPY, found again on the next run.

Each household has an active cycle of 1,000 expenses (the cycle page measured everywhere) and
its history in completed six-week cycles before it: at least twelve cycles, so that a page
showing "the last twelve cycles" shows twelve in every household and its 100k/1k ratio measures
history rather than how many cycles exist. 1k: twelve cycles of 25 expenses (1,300 in all);
10k: twelve of 750; 100k: forty of about 2,475 (nearly five years). A household whose name
does not carry the current `SEED_VERSION`, or whose expense count is off, is deleted and seeded
again.
"""

from __future__ import annotations

import datetime
import random
import secrets
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

SEED_VERSION = 2
ACTIVE_CYCLE_EXPENSES = 1_000
HISTORY_CYCLE_EXPENSES = 2_500
MIN_HISTORY_CYCLES = 12
MIN_HISTORY_CYCLE_EXPENSES = 25
CYCLE_DAYS = 42


def bench_email(size: str) -> str:
    return f"bench-{size}@colony.local"


def household_name(size: str) -> str:
    return f"Bench {size} (seed v{SEED_VERSION})"


def copy_rows(model, rows) -> None:
    """Insert unsaved model instances with PostgreSQL COPY: every concrete column but the
    serial id, each value prepared like `save()` prepares it (defaults, auto_now)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    statement = f"COPY {table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [
                    f.get_db_prep_save(f.pre_save(row, add=True), connection=connection)
                    for f in fields
                ]
            )


def _history_cycles(
    total: int, active: int, per_cycle: int, min_cycles: int = MIN_HISTORY_CYCLES
) -> list[int]:
    """How many expenses each completed cycle holds, oldest first (see the module docstring)."""
    rest = max(0, total - active)
    count = max(min_cycles, round(rest / per_cycle))
    each, remainder = divmod(rest, count)
    if each < MIN_HISTORY_CYCLE_EXPENSES:
        return [MIN_HISTORY_CYCLE_EXPENSES] * count
    return [each + (1 if n < remainder else 0) for n in range(count)]


def seeded_count(total: int) -> int:
    """How many expenses the household seeded for a size of `total` holds."""
    return ACTIVE_CYCLE_EXPENSES + sum(
        _history_cycles(total, ACTIVE_CYCLE_EXPENSES, HISTORY_CYCLE_EXPENSES)
    )


def _find(size: str, total: int):
    from accounts.models import User
    from expenses.models import Expense

    user = User.objects.filter(email=bench_email(size)).select_related("membership").first()
    if user is None:
        return None
    household = user.membership.household
    count = Expense.objects.filter(cycle__household=household).count()
    if household.name == household_name(size) and count == seeded_count(total):
        return user, household
    from accounts import services as account_services

    for membership in list(household.memberships.select_related("user")):
        if membership.user_id != user.pk:
            membership.user.delete()
    account_services.delete_household(household=household, by=user)
    user.delete()
    return None


@transaction.atomic
def seed_household(
    size: str,
    total: int,
    *,
    active: int = ACTIVE_CYCLE_EXPENSES,
    per_history_cycle: int = HISTORY_CYCLE_EXPENSES,
    min_history_cycles: int = MIN_HISTORY_CYCLES,
):
    """A household of `total` expenses: `active` in its active cycle, the rest in completed
    cycles of about `per_history_cycle` before it (at least `min_history_cycles` of them)."""
    from accounts import services as account_services
    from cycles.models import Cycle
    from expenses.models import Category, Expense, PaymentMethod
    from templates_app import services as template_services

    user = account_services.register_user(
        email=bench_email(size),
        password=secrets.token_urlsafe(16),
        first_name="Bench",
        household_name=household_name(size),
    )
    household = user.membership.household
    _, token = account_services.create_invite(
        household=household, invited_by=user, email=f"member-{size}@colony.local"
    )
    member = account_services.register_user_from_invite(
        token=token,
        email=f"member-{size}@colony.local",
        password=secrets.token_urlsafe(16),
        first_name="Member",
    )
    account_services.create_invite(
        household=household, invited_by=user, email=f"invitee-{size}@colony.local"
    )
    rng = random.Random(42)
    categories = list(Category.objects.filter(household=household))
    methods = [
        PaymentMethod.objects.create(household=household, name=name, kind=kind, owner=owner)
        for name, kind, owner in [
            ("Visa", "card", user),
            ("Cash", "cash", member),
            ("Checking", "bank_account", user),
        ]
    ]
    sizes = [*_history_cycles(total, active, per_history_cycle, min_history_cycles), active]
    today = timezone.localdate()
    first = today - datetime.timedelta(days=(CYCLE_DAYS + 1) * (len(sizes) - 1))
    now = timezone.now()
    cycles = []
    for n in range(len(sizes)):
        start = first + datetime.timedelta(days=(CYCLE_DAYS + 1) * n)
        active = n == len(sizes) - 1
        cycles.append(
            Cycle(
                household=household,
                name=f"Cycle {n + 1:02d}",
                start_date=start,
                end_date=start + datetime.timedelta(days=CYCLE_DAYS),
                income=Decimal("5200.00"),
                status=Cycle.Status.ACTIVE if active else Cycle.Status.COMPLETED,
                activated_at=now,
                completed_at=None if active else now,
            )
        )
    cycles = Cycle.objects.bulk_create(cycles)
    template_services.create_template(
        household=household,
        name="Rent",
        amount=Decimal("1200.00"),
        currency=household.base_currency,
        category=categories[0],
        payment_method=methods[2],
        frequency="monthly",
        day_of_month=1,
        start_date=first,
    )

    def expenses():
        for cycle, count in zip(cycles, sizes, strict=True):
            for i in range(count):
                amount = Decimal(rng.randint(100, 20_000)) / 100
                foreign = rng.random() < 0.2
                rate = Decimal("1.0850000000") if foreign else Decimal("1")
                paid = rng.random() < 0.6
                skipped = not paid and rng.random() < 0.05
                date = cycle.start_date + datetime.timedelta(days=rng.randint(0, CYCLE_DAYS))
                if paid:
                    status = Expense.Status.PAID
                elif skipped:
                    status = Expense.Status.SKIPPED
                else:
                    status = Expense.Status.PLANNED
                yield Expense(
                    cycle=cycle,
                    description=f"Expense {i}",
                    amount=amount,
                    planned_amount=amount,
                    currency="EUR" if foreign else household.base_currency,
                    date=date,
                    category=rng.choice(categories),
                    payment_method=rng.choice(methods),
                    status=status,
                    paid_on=date if paid else None,
                    base_amount=(amount * rate).quantize(Decimal("0.01")),
                    rate=rate,
                    rate_date=date,
                    rate_source="stored" if foreign else "same",
                    created_by=rng.choice((user, member)),
                )

    copy_rows(Expense, expenses())
    return user, household


def _settle() -> None:
    """What autovacuum does soon after such a load, done at once (outside the seeding
    transaction: VACUUM cannot run in one). VACUUM merges the rows COPY left in the trigram
    indexes' pending lists, which every text search otherwise scans whole (14-22 ms instead of
    2 ms at 100k); ANALYZE gives the planner the new row counts."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) expenses_expense")
        cursor.execute("ANALYZE cycles_cycle")


def bench_household(size: str, total: int):
    """The (user, household) of the bench household of `size`, seeded unless already there."""
    found = _find(size, total)
    if found:
        return found
    seeded = seed_household(size, total)
    _settle()
    return seeded
