"""Who paid, who it was for, balances and settlements, through the services every writer
calls."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.exceptions import ReadOnlyRole
from accounts.models import Membership
from accounts.tests.factories import HouseholdFactory, make_member, make_owner, make_viewer
from cycles.models import Cycle, IncomeLine
from cycles.tests.factories import CycleFactory
from expenses import services as expense_services
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, PaymentMethodFactory
from sharing import selectors, services
from sharing.exceptions import PayerNotMember, SettlementInvalid, SettlementStale, SplitInvalid
from sharing.models import ExpenseShare, ExpenseSplit, Settlement
from sharing.services import SplitChoice

pytestmark = pytest.mark.django_db

PAID = Expense.Status.PAID


@pytest.fixture
def cycle(household):
    return CycleFactory(household=household, status=Cycle.Status.ACTIVE)


def add(cycle, by, amount="90.00", **extra):
    extra.setdefault("status", PAID)
    return expense_services.add_expense(
        cycle=cycle,
        created_by=by,
        description="Groceries",
        amount=Decimal(amount),
        currency=cycle.household.base_currency,
        date=cycle.start_date,
        category=CategoryFactory(household=cycle.household, name="Food"),
        **extra,
    )


def shares_of(expense):
    return dict(ExpenseShare.objects.filter(expense=expense).values_list("user_id", "share"))


def test_payer_is_the_payment_methods_owner_else_whoever_adds_it(cycle, owner, member):
    card = PaymentMethodFactory(household=cycle.household, owner=member)
    joint = PaymentMethodFactory(household=cycle.household, owner=None)
    assert add(cycle, owner, payment_method=card).paid_by == member
    assert add(cycle, owner, payment_method=joint).paid_by == owner
    assert add(cycle, member).paid_by == member


def test_default_split_is_equal_between_current_members_and_stored(cycle, owner, member):
    expense = add(cycle, owner, amount="100.00")
    assert shares_of(expense) == {owner.pk: Decimal("50.00"), member.pk: Decimal("50.00")}
    paid = dict(ExpenseShare.objects.filter(expense=expense).values_list("user_id", "paid"))
    assert paid == {owner.pk: Decimal("100.00"), member.pk: Decimal("0")}
    split = ExpenseSplit.objects.get(expense=expense)
    assert split.kind == "equal"
    assert split.weights == {str(owner.pk): "1", str(member.pk): "1"}


def test_shares_split_two_to_one_adds_up_exactly(cycle, owner, member):
    expense = add(
        cycle,
        owner,
        amount="10.00",
        split=SplitChoice(kind="shares", shares={owner.pk: Decimal(2), member.pk: Decimal(1)}),
    )
    assert shares_of(expense) == {owner.pk: Decimal("6.67"), member.pk: Decimal("3.33")}


def test_equal_between_a_chosen_subset(cycle, owner, member):
    third = make_member(cycle.household, first_name="Kim")
    expense = add(cycle, owner, amount="10.00", split=SplitChoice(members=(owner.pk, third.pk)))
    # The member left out has no row at all: neither paid nor a share.
    assert shares_of(expense) == {owner.pk: Decimal("5.00"), third.pk: Decimal("5.00")}


def test_income_split_follows_each_members_received_income(cycle, owner, member):
    for who, amount in ((owner, "3000"), (member, "1000")):
        IncomeLine.objects.create(
            cycle=cycle,
            description="Salary",
            amount=Decimal(amount),
            currency=cycle.household.base_currency,
            expected_date=cycle.start_date,
            is_received=True,
            received_on=cycle.start_date,
            member=who,
            base_amount=Decimal(amount),
            rate=Decimal(1),
            rate_date=cycle.start_date,
            rate_source="same",
        )
    expense = add(cycle, owner, amount="100.00", split=SplitChoice(kind="income"))
    assert shares_of(expense) == {owner.pk: Decimal("75.00"), member.pk: Decimal("25.00")}
    assert not ExpenseSplit.objects.get(expense=expense).fell_back_to_equal


def test_income_split_without_known_income_falls_back_to_equal_and_says_so(cycle, owner, member):
    expense = add(cycle, owner, amount="100.00", split=SplitChoice(kind="income"))
    assert shares_of(expense) == {owner.pk: Decimal("50.00"), member.pk: Decimal("50.00")}
    assert ExpenseSplit.objects.get(expense=expense).fell_back_to_equal


def test_personal_expense_counts_in_no_balance(cycle, owner, member):
    expense = add(cycle, owner, split=SplitChoice(kind="personal"))
    assert shares_of(expense) == {}
    assert Expense.objects.filter(pk=expense.pk, status=PAID).exists()
    balances = selectors.balances(household=cycle.household)
    assert [(m.paid, m.share, m.balance) for m in balances.members] == [(0, 0, 0), (0, 0, 0)]
    assert balances.settle_up == []


def test_balances_add_up_to_zero_with_the_plan_saying_who_owes_whom(cycle, owner, member):
    add(cycle, owner, amount="100.00")
    add(cycle, member, amount="33.34")
    balances = selectors.balances(household=cycle.household, cycle=cycle)
    olive, max_ = balances.of(owner.pk), balances.of(member.pk)
    assert (olive.paid, olive.share, olive.balance) == (
        Decimal("100.00"),
        Decimal("66.67"),
        Decimal("33.33"),
    )
    assert max_.balance == Decimal("-33.33")
    assert sum(m.balance for m in balances.members) == 0
    assert [(t.from_user_id, t.to_user_id, t.amount) for t in balances.settle_up] == [
        (member.pk, owner.pk, Decimal("33.33"))
    ]


def test_skipped_counts_nothing_and_planned_only_in_the_planned_balance(cycle, owner, member):
    add(cycle, owner, amount="40.00", status=Expense.Status.PLANNED)
    balances = selectors.balances(household=cycle.household)
    olive = balances.of(owner.pk)
    assert (olive.balance, olive.planned_balance) == (0, Decimal("20.00"))
    assert balances.settle_up == []
    planned = Expense.objects.get()
    Expense.objects.filter(pk=planned.pk).update(status=Expense.Status.SKIPPED)
    assert selectors.balances(household=cycle.household).of(owner.pk).planned_balance == 0


def test_paying_at_another_amount_recomputes_the_shares(cycle, owner, member):
    expense = add(cycle, owner, amount="40.00", status=Expense.Status.PLANNED)
    expense_services.toggle_paid(expense=expense, by=owner, actual_amount=Decimal("50.00"))
    assert shares_of(expense) == {owner.pk: Decimal("25.00"), member.pk: Decimal("25.00")}
    assert selectors.balances(household=cycle.household).of(member.pk).balance == Decimal("-25")


def test_history_keeps_its_shares_when_members_change_later(cycle, owner, member):
    expense = add(cycle, owner, amount="90.00")
    make_member(cycle.household, first_name="Kim")
    expense_services.update_expense(expense=expense, updated_by=owner, description="Market")
    assert shares_of(expense) == {owner.pk: Decimal("45.00"), member.pk: Decimal("45.00")}


def test_changing_payer_and_split_on_update(cycle, owner, member):
    expense = add(cycle, owner, amount="90.00")
    expense_services.update_expense(
        expense=expense,
        updated_by=owner,
        paid_by=member,
        split=SplitChoice(kind="shares", shares={owner.pk: Decimal(2), member.pk: Decimal(1)}),
    )
    expense.refresh_from_db()
    assert expense.paid_by == member
    assert shares_of(expense) == {owner.pk: Decimal("60.00"), member.pk: Decimal("30.00")}
    assert selectors.balances(household=cycle.household).of(owner.pk).balance == Decimal("-60")


def test_a_payer_or_split_from_outside_the_household_is_refused(cycle, owner, stranger):
    with pytest.raises(PayerNotMember):
        add(cycle, owner, paid_by=stranger)
    with pytest.raises(SplitInvalid):
        add(cycle, owner, split=SplitChoice(members=(stranger.pk,)))
    assert not Expense.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        {"kind": "half"},
        {"kind": "shares"},
        {"kind": "shares", "shares": {"1": "0"}},
        {"kind": "shares", "shares": {"1": "NaN"}},
        {"kind": "equal", "members": ["x"]},
        {"kind": "equal", "members": list(range(51))},
        "equal",
    ],
)
def test_malformed_splits_are_422(raw):
    with pytest.raises(SplitInvalid):
        services.parse_split(raw)


def test_household_default_split_applies_when_none_is_chosen(cycle, owner, member):
    services.set_default_split(
        household=cycle.household,
        by=owner,
        split=SplitChoice(kind="shares", shares={owner.pk: Decimal(3), member.pk: Decimal(1)}),
    )
    assert shares_of(add(cycle, member, amount="100.00")) == {
        owner.pk: Decimal("75.00"),
        member.pk: Decimal("25.00"),
    }


def test_only_an_owner_sets_the_default_split(household, owner, member):
    with pytest.raises(ReadOnlyRole):
        services.set_default_split(household=household, by=member, split=SplitChoice())


def settle(cycle, by, from_user, to_user, amount, **extra):
    return services.record_settlement(
        household=cycle.household,
        by=by,
        from_user_id=from_user.pk,
        to_user_id=to_user.pk,
        amount=Decimal(amount),
        currency=cycle.household.base_currency,
        on_date=cycle.start_date,
        **extra,
    )


def test_settling_the_plan_zeroes_both_balances_and_keeps_the_balance_it_settled(
    cycle, owner, member
):
    add(cycle, owner, amount="66.66")
    settlement = settle(cycle, member, member, owner, "33.33", expected_balance=Decimal("-33.33"))
    assert settlement.settled_balance == Decimal("-33.33")
    assert settlement.cycle == cycle
    balances = selectors.balances(household=cycle.household)
    assert [m.balance for m in balances.members] == [0, 0]
    assert balances.settle_up == []


def test_a_settlement_against_a_stale_balance_is_409(cycle, owner, member):
    add(cycle, owner, amount="20.00")
    settle(cycle, member, member, owner, "10.00", expected_balance=Decimal("-10.00"))
    with pytest.raises(SettlementStale):
        settle(cycle, owner, member, owner, "10.00", expected_balance=Decimal("-10.00"))
    assert Settlement.objects.count() == 1


def test_settlements_to_oneself_to_strangers_of_zero_or_another_currency_are_422(
    cycle, owner, member, stranger
):
    with pytest.raises(SettlementInvalid):
        settle(cycle, owner, owner, owner, "1.00")
    with pytest.raises(SettlementInvalid):
        settle(cycle, owner, owner, stranger, "1.00")
    with pytest.raises(SettlementInvalid):
        services.record_settlement(
            household=cycle.household,
            by=owner,
            from_user_id=owner.pk,
            to_user_id=member.pk,
            amount=Decimal("1.00"),
            currency="JPY" if cycle.household.base_currency != "JPY" else "EUR",
            on_date=cycle.start_date,
        )
    with pytest.raises(Exception) as zero:
        settle(cycle, owner, owner, member, "0")
    assert zero.value.status == 422
    assert not Settlement.objects.exists()


def test_a_viewer_cannot_record_a_settlement(cycle, owner, member):
    viewer = make_viewer(cycle.household)
    with pytest.raises(ReadOnlyRole):
        settle(cycle, viewer, member, owner, "1.00")
    assert not Settlement.objects.exists()


def test_a_member_who_left_keeps_their_balance_and_can_still_be_settled_with(cycle, owner, member):
    add(cycle, member, amount="50.00")
    Membership.objects.filter(user=member).delete()
    balances = selectors.balances(household=cycle.household)
    left = balances.of(member.pk)
    assert (left.balance, left.is_member) == (Decimal("25.00"), False)
    assert left.name.endswith("(left)")
    assert [(t.from_user_id, t.to_user_id) for t in balances.settle_up] == [(owner.pk, member.pk)]
    settle(cycle, owner, owner, member, "25.00")
    assert selectors.balances(household=cycle.household).settle_up == []


def test_balances_take_constant_queries(cycle, owner, member, django_assert_max_num_queries):
    for _ in range(5):
        add(cycle, owner, amount="10.00")
    settle(cycle, member, member, owner, "5.00")
    with django_assert_max_num_queries(3):
        selectors.balances(household=cycle.household)


SPLITS = st.sampled_from(["equal", "shares", "personal", "income"])


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    expenses=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=10**9),
            st.integers(min_value=0, max_value=2),
            SPLITS,
            st.lists(st.integers(min_value=1, max_value=9), min_size=3, max_size=3),
            st.sampled_from([PAID, Expense.Status.PLANNED]),
        ),
        min_size=1,
        max_size=6,
    ),
    currency=st.sampled_from(["EUR", "JPY", "BHD"]),
)
def test_random_expenses_balance_to_zero_and_settling_the_plan_zeroes_them(expenses, currency):
    household = HouseholdFactory(base_currency=currency)
    people = [make_owner(household), make_member(household), make_member(household)]
    cycle = CycleFactory(household=household, status=Cycle.Status.ACTIVE)
    quantum = {"EUR": Decimal("0.01"), "JPY": Decimal(1), "BHD": Decimal("0.001")}[currency]
    for units, payer, kind, weights, status in expenses:
        split = SplitChoice(
            kind=kind,
            shares={p.pk: Decimal(w) for p, w in zip(people, weights, strict=True)},
        )
        expense = add(
            cycle,
            people[0],
            amount=str(units * quantum),
            paid_by=people[payer],
            split=split,
            status=status,
        )
        stored = shares_of(expense)
        assert sum(stored.values()) == (0 if kind == "personal" else expense.base_amount)
    balances = selectors.balances(household=household, cycle=cycle)
    assert sum(m.balance for m in balances.members) == 0
    assert sum(m.planned_balance for m in balances.members) == 0
    assert len(balances.settle_up) <= 2
    for transfer in balances.settle_up:
        services.record_settlement(
            household=household,
            by=people[0],
            from_user_id=transfer.from_user_id,
            to_user_id=transfer.to_user_id,
            amount=transfer.amount,
            currency=currency,
            on_date=cycle.start_date,
            cycle=cycle,
        )
    after = selectors.balances(household=household, cycle=cycle)
    assert [m.balance for m in after.members] == [0, 0, 0]
    assert selectors.balances(household=household).settle_up == []


def test_shares_wait_for_a_rate_and_come_with_it(cycle, owner, member):
    expense = add(cycle, owner, amount="10.00")
    Expense.objects.filter(pk=expense.pk).update(base_amount=None, rate=None, currency="USD")
    expense.refresh_from_db()
    services.share_expenses([expense], household=cycle.household)
    assert shares_of(expense) == {}
    expense.base_amount, expense.rate = Decimal("9.00"), Decimal("0.9")
    services.share_expenses([expense], household=cycle.household)
    assert shares_of(expense) == {owner.pk: Decimal("4.50"), member.pk: Decimal("4.50")}


def test_generated_expenses_are_paid_by_the_templates_payer_and_shared(cycle, owner, member):
    from budget.services import generate_expenses_from_templates
    from templates_app import services as template_services

    template_services.create_template(
        household=cycle.household,
        name="Rent",
        amount=Decimal("800.00"),
        currency=cycle.household.base_currency,
        category=CategoryFactory(household=cycle.household, name="Housing"),
        frequency="per_cycle",
        start_date=cycle.start_date,
        paid_by=member,
    )
    assert generate_expenses_from_templates(cycle=cycle, created_by=owner) == 1
    rent = Expense.objects.get(description="Rent")
    assert rent.paid_by == member
    assert shares_of(rent) == {owner.pk: Decimal("400.00"), member.pk: Decimal("400.00")}


def test_a_template_payer_from_outside_the_household_is_refused(household, owner, stranger):
    from templates_app import services as template_services

    with pytest.raises(PayerNotMember):
        template_services.create_template(
            household=household,
            name="Rent",
            amount=Decimal("800.00"),
            currency=household.base_currency,
            category=CategoryFactory(household=household, name="Housing"),
            frequency="per_cycle",
            start_date=datetime.date(2026, 1, 1),
            paid_by=stranger,
        )
