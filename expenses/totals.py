"""The trigger totals (`ExpenseTotal`): the database triggers that maintain them, and the
recount that checks them.

Why triggers: a total must change in the same transaction as the expense it sums, whoever
writes the expense — a service, the import, the admin, a `bulk_update` or `queryset.update()`.
A trigger on the expense table is the one place every such write passes through.

PostgreSQL: one statement-level trigger per event reads the statement's transition tables, so a
5,000-row import adds to each total once, not 5,000 times. Before touching totals it locks the
affected cycles' rows in id order (services already hold that lock when they write to one cycle),
so two transactions never wait on each other's totals in opposite orders.
SQLite (`make run` only): plain row-level triggers doing the same arithmetic.
"""

# SQL below is built from fixed table and column names only, never from input.
# ruff: noqa: S608

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db import connection, transaction

from exchange.money import precise_total_field

TABLE = "expenses_expensetotal"
GROUP = "cycle_id, category_id, payment_method_id, status, from_template"

# -- PostgreSQL --------------------------------------------------------------------------------


def _rows(source: str, sign: int) -> str:
    # One signed row per expense of the statement, in the totals' terms.
    return (
        f"SELECT cycle_id, category_id, payment_method_id, status, "
        f"template_id IS NOT NULL AS from_template, {sign} AS n, "
        f"CASE WHEN base_amount IS NULL THEN {sign} ELSE 0 END AS a, "
        f"{sign} * COALESCE(base_amount, 0) AS s, "
        f"{sign} * COALESCE(COALESCE(planned_amount, amount) * rate, 0) AS p FROM {source}"
    )


def _pg_function(name: str, sources: list[tuple[str, int]]) -> str:
    signed = " UNION ALL ".join(_rows(source, sign) for source, sign in sources)
    cycles = " UNION ".join(f"SELECT cycle_id FROM {source}" for source, _ in sources)
    # Groups gaining expenses may be new (insert or add); the others exist already (update).
    # Both write disjoint rows, so one statement does both; emptied rows go afterwards.
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM cycles_cycle WHERE id IN ({cycles}) ORDER BY id FOR NO KEY UPDATE;
    WITH delta AS (
        SELECT {GROUP}, SUM(n) AS n, SUM(a) AS a, SUM(s) AS s, SUM(p) AS p
        FROM ({signed}) AS signed
        GROUP BY {GROUP} HAVING SUM(n) <> 0 OR SUM(a) <> 0 OR SUM(s) <> 0 OR SUM(p) <> 0
    ), shrunk AS (
        UPDATE {TABLE} AS t SET
            expense_count = t.expense_count + d.n,
            awaiting_count = t.awaiting_count + d.a,
            base_total = t.base_total + d.s,
            planned_base_total = t.planned_base_total + d.p
        FROM delta AS d
        WHERE d.n <= 0 AND t.cycle_id = d.cycle_id AND t.category_id = d.category_id
            AND t.payment_method_id IS NOT DISTINCT FROM d.payment_method_id
            AND t.status = d.status AND t.from_template = d.from_template
        RETURNING 1
    )
    INSERT INTO {TABLE} AS t
        ({GROUP}, expense_count, awaiting_count, base_total, planned_base_total)
        SELECT {GROUP}, n, a, s, p FROM delta WHERE n > 0 ORDER BY {GROUP}
    ON CONFLICT ({GROUP}) DO UPDATE SET
        expense_count = t.expense_count + EXCLUDED.expense_count,
        awaiting_count = t.awaiting_count + EXCLUDED.awaiting_count,
        base_total = t.base_total + EXCLUDED.base_total,
        planned_base_total = t.planned_base_total + EXCLUDED.planned_base_total;
    DELETE FROM {TABLE} WHERE expense_count = 0 AND cycle_id IN ({cycles});
    RETURN NULL;
END;
$$;
"""


POSTGRESQL_FORWARD = [
    _pg_function("expenses_total_after_insert", [("new_rows", 1)]),
    _pg_function("expenses_total_after_update", [("old_rows", -1), ("new_rows", 1)]),
    _pg_function("expenses_total_after_delete", [("old_rows", -1)]),
    """CREATE TRIGGER expenses_total_after_insert AFTER INSERT ON expenses_expense
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION expenses_total_after_insert()""",
    """CREATE TRIGGER expenses_total_after_update AFTER UPDATE ON expenses_expense
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION expenses_total_after_update()""",
    """CREATE TRIGGER expenses_total_after_delete AFTER DELETE ON expenses_expense
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION expenses_total_after_delete()""",
]
POSTGRESQL_BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS expenses_total_after_{event} ON expenses_expense"
        for event in ("insert", "update", "delete")
    ),
    *(
        f"DROP FUNCTION IF EXISTS expenses_total_after_{event}()"
        for event in ("insert", "update", "delete")
    ),
]

# -- SQLite (development server only) ----------------------------------------------------------


def _sqlite_add(row: str, sign: int) -> str:
    match = (
        f"cycle_id = {row}.cycle_id AND category_id = {row}.category_id "
        f"AND payment_method_id IS {row}.payment_method_id AND status = {row}.status "
        f"AND from_template = ({row}.template_id IS NOT NULL)"
    )
    return f"""
    INSERT INTO {TABLE}
        ({GROUP}, expense_count, awaiting_count, base_total, planned_base_total)
        SELECT {row}.cycle_id, {row}.category_id, {row}.payment_method_id, {row}.status,
            {row}.template_id IS NOT NULL, 0, 0, 0, 0
        WHERE NOT EXISTS (SELECT 1 FROM {TABLE} WHERE {match});
    UPDATE {TABLE} SET
        expense_count = expense_count + {sign},
        awaiting_count = awaiting_count + {sign} * ({row}.base_amount IS NULL),
        base_total = base_total + {sign} * COALESCE({row}.base_amount, 0),
        planned_base_total = planned_base_total
            + {sign} * COALESCE(COALESCE({row}.planned_amount, {row}.amount) * {row}.rate, 0)
        WHERE {match};
    DELETE FROM {TABLE} WHERE cycle_id = {row}.cycle_id AND expense_count = 0;"""


SQLITE_FORWARD = [
    f"""CREATE TRIGGER IF NOT EXISTS expenses_total_after_insert AFTER INSERT ON expenses_expense
    BEGIN {_sqlite_add("NEW", 1)}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS expenses_total_after_update AFTER UPDATE ON expenses_expense
    BEGIN {_sqlite_add("OLD", -1)} {_sqlite_add("NEW", 1)}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS expenses_total_after_delete AFTER DELETE ON expenses_expense
    BEGIN {_sqlite_add("OLD", -1)}
    END""",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS expenses_total_after_{event}"
    for event in ("insert", "update", "delete")
]


def install_triggers(schema_editor) -> None:
    statements = (
        POSTGRESQL_FORWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    )
    for statement in statements:
        schema_editor.execute(statement)


SQLITE_TRIGGER_NAMES = tuple(
    f"expenses_total_after_{event}" for event in ("insert", "update", "delete")
)


def ensure_sqlite_triggers(*, using: str = "default") -> bool:
    """SQLite drops a table's triggers whenever Django rebuilds the table for a migration (most
    column changes do), and then the totals silently stop following the expenses. After every
    migrate: put back any trigger that is gone and, if one was, recount the totals (a
    development database is small). Returns whether anything was repaired. PostgreSQL keeps
    its triggers through ALTER TABLE, so nothing is done there."""
    from django.db import connections

    db = connections[using]
    if db.vendor != "sqlite":
        return False
    with db.cursor() as cursor:
        if "expenses_expense" not in db.introspection.table_names(cursor):
            return False
        cursor.execute(
            "SELECT name FROM sqlite_master"
            " WHERE type = 'trigger' AND tbl_name = 'expenses_expense'"
        )
        present = {row[0] for row in cursor.fetchall()}
        if present >= set(SQLITE_TRIGGER_NAMES):
            return False
        for statement in SQLITE_FORWARD:
            cursor.execute(statement)
    rebuild()
    return True


def remove_triggers(schema_editor) -> None:
    statements = (
        POSTGRESQL_BACKWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD
    )
    for statement in statements:
        schema_editor.execute(statement)


# -- the recount -------------------------------------------------------------------------------

Key = tuple[int, int, int | None, str, bool]


class Sums(NamedTuple):
    expense_count: int = 0
    awaiting_count: int = 0
    base_total: Decimal = Decimal(0)
    planned_base_total: Decimal = Decimal(0)

    def __add__(self, other: Sums) -> Sums:  # type: ignore[override]
        return Sums(*(mine + theirs for mine, theirs in zip(self, other, strict=True)))


@dataclass(frozen=True)
class Drift:
    """A group whose trigger totals differ from a fresh aggregation of its expenses."""

    key: Key
    stored: Sums  # zeros: no row stored
    actual: Sums

    def __str__(self) -> str:
        cycle, category, method, status, from_template = self.key
        return (
            f"cycle {cycle} category {category} payment method {method} {status}"
            f"{' (from template)' if from_template else ''}: stored {tuple(self.stored)}, "
            f"actual {tuple(self.actual)}"
        )


def _actual(cycle_ids=None) -> dict[Key, Sums]:
    from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Sum, Value
    from django.db.models.functions import Coalesce

    from .models import Expense

    expenses = (
        Expense.objects.all()
        if cycle_ids is None
        else Expense.objects.filter(cycle_id__in=cycle_ids)
    )
    money = precise_total_field()
    rows = (
        expenses.values(
            "cycle_id",
            "category_id",
            "payment_method_id",
            "status",
            from_template=ExpressionWrapper(Q(template__isnull=False), output_field=BooleanField()),
        )
        .annotate(
            n=Count("pk"),
            a=Count("pk", filter=Q(base_amount__isnull=True)),
            s=Coalesce(Sum("base_amount"), Value(Decimal(0)), output_field=money),
            p=Coalesce(
                Sum(Coalesce("planned_amount", "amount") * F("rate"), output_field=money),
                Value(Decimal(0)),
                output_field=money,
            ),
        )
        .order_by()
    )
    found: dict[Key, Sums] = {}
    for row in rows:
        key = (
            row["cycle_id"],
            row["category_id"],
            row["payment_method_id"],
            row["status"],
            bool(row["from_template"]),
        )
        found[key] = found.get(key, Sums()) + Sums(row["n"], row["a"], row["s"], row["p"])
    return found


def _stored(cycle_ids=None) -> dict[Key, Sums]:
    from .models import ExpenseTotal

    totals = (
        ExpenseTotal.objects.all()
        if cycle_ids is None
        else ExpenseTotal.objects.filter(cycle_id__in=cycle_ids)
    )
    return {
        (t.cycle_id, t.category_id, t.payment_method_id, t.status, t.from_template): Sums(
            t.expense_count, t.awaiting_count, t.base_total, t.planned_base_total
        )
        for t in totals
    }


def find_drift(cycle_ids=None) -> list[Drift]:
    """Every group whose trigger totals differ from its expenses (all cycles, or `cycle_ids`)."""
    actual, stored = _actual(cycle_ids), _stored(cycle_ids)
    return [
        Drift(key, stored.get(key, Sums()), actual.get(key, Sums()))
        for key in sorted(set(actual) | set(stored), key=str)
        if stored.get(key, Sums()) != actual.get(key, Sums())
    ]


@transaction.atomic
def rebuild(cycle_ids=None) -> None:
    """Recompute the trigger totals from the expenses (all cycles, or `cycle_ids`)."""
    from .models import ExpenseTotal

    if connection.vendor == "postgresql":
        # No expense write may slip between the recount and the rewrite.
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE expenses_expense IN SHARE MODE")
    totals = (
        ExpenseTotal.objects.all()
        if cycle_ids is None
        else ExpenseTotal.objects.filter(cycle_id__in=cycle_ids)
    )
    totals.delete()
    ExpenseTotal.objects.bulk_create(
        ExpenseTotal(
            cycle_id=key[0],
            category_id=key[1],
            payment_method_id=key[2],
            status=key[3],
            from_template=key[4],
            **sums._asdict(),
        )
        for key, sums in _actual(cycle_ids).items()
    )
