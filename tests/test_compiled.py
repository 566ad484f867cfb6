"""A query compiled once (colony/compiled.py) gives what the ORM gives, for every value, and
falls back to the ORM whenever it cannot be sure of that."""

import datetime
import itertools
import random
from decimal import Decimal

import pytest
from django.db.models import F, Window
from django.db.models.aggregates import Count, Sum

from accounts.tests.factories import HouseholdFactory, UserFactory
from colony.compiled import CompiledQuery
from cycles.tests.factories import CycleFactory
from expenses import selectors
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory

pytestmark = pytest.mark.django_db


def _expense(*, status="planned", **fields) -> Expense:
    expense = ExpenseFactory.build(status=status, **fields)
    if status == "paid":
        expense.paid_on = expense.date
    expense.save()
    return expense


def _expenses_of(cycle_id, status):
    return (
        Expense.objects.filter(cycle_id=cycle_id, status=status)
        .select_related("category", "payment_method")
        .annotate(twice=F("amount") * 2, rows=Window(Count("pk")), total=Window(Sum("amount")))
        .order_by("date", "pk")
    )


def _state(expense: Expense) -> tuple:
    columns = tuple(getattr(expense, field.attname) for field in Expense._meta.concrete_fields)
    return (
        columns,
        expense.twice,
        expense.rows,
        expense.total,
        expense.category.name,
        expense.payment_method.name if expense.payment_method else None,
    )


@pytest.fixture
def two_cycles():
    cycles = []
    for name in ("Ours", "Theirs"):
        cycle = CycleFactory(household=HouseholdFactory(name=name))
        card = PaymentMethodFactory(household=cycle.household)
        for amount, status in ((Decimal("1.005"), "planned"), (Decimal("12.50"), "paid")):
            _expense(cycle=cycle, amount=amount, status=status, payment_method=card)
        _expense(cycle=cycle, description=f"{name} <b>", status="planned")
        cycles.append(cycle)
    return cycles


def test_objects_are_what_the_orm_makes_with_their_relations_and_annotations(two_cycles):
    query = CompiledQuery(_expenses_of, cycle_id=-1, status="\x00stand-in")
    for cycle, status in itertools.product(two_cycles, ("planned", "paid", "skipped")):
        got = query.objects(cycle_id=cycle.pk, status=status)
        expected = list(_expenses_of(cycle.pk, status))
        assert [_state(e) for e in got] == [_state(e) for e in expected]
        assert all(e.cycle_id == cycle.pk for e in got)
    assert query._compiled["default"] is not None


def test_it_compiles_once_and_runs_with_each_calls_values(two_cycles, django_assert_num_queries):
    built = []

    def build(**values):
        built.append(values)
        return _expenses_of(**values)

    query = CompiledQuery(build, cycle_id=-1, status="\x00stand-in")
    ours, theirs = two_cycles
    with django_assert_num_queries(2):
        first = query.objects(cycle_id=ours.pk, status="planned")
        second = query.objects(cycle_id=theirs.pk, status="planned")
    assert len(built) == 1  # the stand-ins, once
    assert {e.pk for e in first} == set(
        ours.expenses.filter(status="planned").values_list("pk", flat=True)
    )
    assert not {e.pk for e in first} & {e.pk for e in second}


def test_a_value_of_another_type_than_its_stand_in_goes_through_the_orm(two_cycles):
    built = []

    def build(**values):
        built.append(values)
        return _expenses_of(**values)

    query = CompiledQuery(build, cycle_id=-1, status="\x00stand-in")
    cycle = two_cycles[0]
    got = query.objects(cycle_id=str(cycle.pk), status="planned")
    assert [e.pk for e in got] == [e.pk for e in _expenses_of(cycle.pk, "planned")]
    assert built == [{"cycle_id": str(cycle.pk), "status": "planned"}]


def test_a_stand_in_the_sql_does_not_carry_disables_the_cache(two_cycles):
    def build(cycle_id, status):  # `status` never reaches the SQL
        return _expenses_of(cycle_id, "planned")

    query = CompiledQuery(build, cycle_id=-1, status="\x00stand-in")
    cycle = two_cycles[0]
    assert [e.pk for e in query.objects(cycle_id=cycle.pk, status="paid")] == [
        e.pk for e in _expenses_of(cycle.pk, "planned")
    ]
    assert query._compiled["default"] is None


def test_missing_or_unknown_values_are_refused():
    query = CompiledQuery(_expenses_of, cycle_id=-1, status="x")
    with pytest.raises(TypeError):
        query.objects(cycle_id=1)
    with pytest.raises(TypeError):
        query.objects(cycle_id=1, status="paid", member=3)


def test_the_first_page_is_the_orms_for_every_filter_shape():
    """The table's first page (compiled per shape) against the plain ORM, for random filters."""
    household = HouseholdFactory()
    member = UserFactory()
    cycle = CycleFactory(household=household)
    categories = [CategoryFactory(household=household, name=n) for n in ("Food", "Rent")]
    methods = [PaymentMethodFactory(household=household), None]
    rng = random.Random(17)
    for day in range(30):
        _expense(
            cycle=cycle,
            date=cycle.start_date + datetime.timedelta(days=day % 9),
            category=rng.choice(categories),
            payment_method=rng.choice(methods),
            status=rng.choice(["planned", "paid", "skipped"]),
            created_by=rng.choice([member, None]),
            amount=Decimal(rng.randint(1, 9999)) / 100,
        )
    newest = cycle.expenses.order_by("-pk").first().pk
    options = {
        "category": [None, categories[0].pk],
        "payment_method": [None, methods[0].pk],
        "status": [None, "paid", "skipped"],
        "member": [None, member.pk],
        "sort": [selectors.SORT_ASCENDING, selectors.SORT_DESCENDING],
        "snapshot": [None, newest - 3],
    }
    for values in itertools.product(*options.values()):
        chosen = dict(zip(options, values, strict=True))
        snapshot, sort = chosen.pop("snapshot"), chosen.pop("sort")
        rows, counts = selectors._first_page(
            cycle_id=cycle.pk, snapshot=snapshot, limit=7, sort=sort, **chosen
        )
        expected = selectors._page_rows(cycle.pk, snapshot=snapshot, sort=sort, **chosen)
        assert [e.pk for e in rows] == [e.pk for e in expected[:7]], chosen
        assert counts["total"] == expected.count()
        assert counts["matched_paid"] == sum(
            (e.base_amount for e in expected if e.status == "paid"), Decimal(0)
        )
        assert counts["matched_total"] == sum(
            (e.base_amount for e in expected if e.status != "skipped"), Decimal(0)
        )
        # Later pages stop at the snapshot: every matching row is at or below it.
        if expected:
            assert counts["snapshot"] >= max(e.pk for e in expected)
            assert counts["snapshot"] <= (snapshot or newest)


def test_the_choices_union_gives_the_orms_rows(two_cycles):
    for cycle in two_cycles:
        CategoryFactory(household=cycle.household, name="Zoë's <café>")
        household_id = cycle.household_id
        assert sorted(selectors._CHOICES.rows(household_id=household_id)) == sorted(
            tuple(row) for row in selectors._choices_query(household_id)
        )
    assert selectors._CHOICES._compiled["default"] is not None


def test_the_compiled_user_query_loads_membership_and_household_like_the_orm(
    django_assert_num_queries,
):
    from accounts.backends import HouseholdModelBackend
    from accounts.tests.factories import MembershipFactory

    membership = MembershipFactory()
    loner = UserFactory()
    backend = HouseholdModelBackend()
    with django_assert_num_queries(1):
        user = backend.get_user(membership.user_id)
        assert user.membership.household.name == membership.household.name
    with django_assert_num_queries(1):
        alone = backend.get_user(loner.pk)
        assert not hasattr(alone, "membership")  # RelatedObjectDoesNotExist, as the ORM says
    with django_assert_num_queries(1):
        assert backend.get_user(-5) is None
    # A session holding the id as text (an old one) goes through the ORM, with the same answer.
    assert backend.get_user(str(loner.pk)) == loner


def test_sessions_load_through_the_compiled_query_and_expire_as_djangos_do(client):
    from django.contrib.sessions.models import Session

    from accounts.sessions import SessionStore
    from accounts.tests.factories import MembershipFactory

    membership = MembershipFactory()
    client.force_login(membership.user)
    key = client.cookies["sessionid"].value
    assert SessionStore(key).load()["_auth_user_id"] == str(membership.user_id)
    Session.objects.filter(session_key=key).update(
        expire_date=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    )
    expired = SessionStore(key)
    assert expired.load() == {}
    assert expired.session_key is None
    assert SessionStore("no-such-session-key-at-all-here").load() == {}


def _prepared_statements() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_compiled_queries_run_prepared_and_are_still_counted(two_cycles, django_assert_num_queries):
    query = CompiledQuery(_expenses_of, cycle_id=-1, status="\x00stand-in")
    ours, theirs = two_cycles
    with django_assert_num_queries(3) as captured:
        for cycle in (ours, theirs, ours):
            query.objects(cycle_id=cycle.pk, status="planned")
    assert all("expenses_expense" in entry["sql"] for entry in captured.captured_queries)
    assert any('"expenses_expense"."cycle_id" = $' in sql for sql in _prepared_statements())


def test_without_prepared_statements_the_same_rows_come_back(two_cycles, settings, monkeypatch):
    from django.db import connection

    monkeypatch.setitem(connection.settings_dict, "OPTIONS", {})
    query = CompiledQuery(_expenses_of, cycle_id=-2, status="\x00stand-in")
    cycle = two_cycles[0]
    got = query.objects(cycle_id=cycle.pk, status="paid")
    assert [_state(e) for e in got] == [_state(e) for e in _expenses_of(cycle.pk, "paid")]
