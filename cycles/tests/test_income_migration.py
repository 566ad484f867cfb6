"""The data migration turns each cycle's one income number into one income line, nothing lost."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("cycles", "0002_budgets_income_lines_and_events")
AFTER = ("cycles", "0003_income_lines_from_cycle_income")


def _targets(cycles_node=None):
    """Every app at its latest migration, cycles at `cycles_node` (latest when None)."""
    graph = MigrationExecutor(connection).loader.graph
    if cycles_node is None:
        return graph.leaf_nodes()
    allowed = set(graph.forwards_plan(cycles_node))

    def needs_later_cycles(leaf):
        # An app built on a later cycles migration (sharing) goes back with cycles instead.
        return any(n[0] == "cycles" and n not in allowed for n in graph.forwards_plan(leaf))

    leaves = [
        node for node in graph.leaf_nodes() if node[0] != "cycles" and not needs_later_cycles(node)
    ]
    return [*leaves, cycles_node]


def _migrate(cycles_node=None):
    targets = _targets(cycles_node)
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest(transactional_db):
    yield
    _migrate()  # whatever happened, the next tests get the current schema


@pytest.mark.django_db(transaction=True)
def test_each_cycles_income_becomes_one_line(back_to_latest):
    old = _migrate(BEFORE)
    Household = old.get_model("accounts", "Household")
    Cycle = old.get_model("cycles", "Cycle")
    yen = Household.objects.create(name="Yen household", base_currency="JPY")
    dinar = Household.objects.create(name="Dinar household", base_currency="BHD")
    start = datetime.date(2026, 1, 1)
    done = Cycle.objects.create(
        household=yen,
        name="Done",
        start_date=start,
        end_date=start + datetime.timedelta(days=30),
        income=Decimal("350000"),
        status="completed",
        completed_at=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC),
    )
    open_cycle = Cycle.objects.create(
        household=dinar,
        name="Open",
        start_date=start,
        end_date=start + datetime.timedelta(days=30),
        income=Decimal("1234.567"),
        status="active",
    )
    Cycle.objects.create(
        household=dinar,
        name="No income",
        start_date=start + datetime.timedelta(days=40),
        end_date=start + datetime.timedelta(days=60),
        income=Decimal(0),
    )

    new = _migrate(AFTER)
    Cycle = new.get_model("cycles", "Cycle")
    IncomeLine = new.get_model("cycles", "IncomeLine")
    lines = {line.cycle_id: line for line in IncomeLine.objects.all()}
    assert set(lines) == {done.pk, open_cycle.pk}
    yen_line, dinar_line = lines[done.pk], lines[open_cycle.pk]
    assert (yen_line.amount, yen_line.currency, yen_line.base_amount, yen_line.is_received) == (
        Decimal("350000"),
        "JPY",
        Decimal("350000"),
        True,
    )
    assert yen_line.received_on == datetime.date(2026, 2, 1)
    assert (dinar_line.amount, dinar_line.currency, dinar_line.is_received) == (
        Decimal("1234.567"),
        "BHD",
        False,
    )
    assert dinar_line.expected_date == start and dinar_line.description == "Income"
    totals = {c.name: (c.income, c.income_received) for c in Cycle.objects.all()}
    assert totals == {
        "Done": (Decimal("350000"), Decimal("350000")),
        "Open": (Decimal("1234.567"), Decimal(0)),
        "No income": (Decimal(0), Decimal(0)),
    }
    # Running it again (a re-applied migration) adds nothing.
    _migrate(BEFORE)
    _migrate(AFTER)
    assert IncomeLine.objects.count() == 2
