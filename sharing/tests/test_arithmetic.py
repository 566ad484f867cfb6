"""Property tests of the pure rules: shares add up to each amount, a plan zeroes every balance
with at most n - 1 transfers."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from sharing.arithmetic import Transfer, largest_remainder, settle_up_plan

QUANTA = st.sampled_from([Decimal("0.01"), Decimal("1"), Decimal("0.001")])
WEIGHTS = st.dictionaries(
    st.integers(min_value=1, max_value=40),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1000), places=2),
    min_size=1,
    max_size=8,
)


@given(units=st.integers(min_value=1, max_value=10**14), quantum=QUANTA, weights=WEIGHTS)
def test_shares_add_up_exactly_to_the_amount(units, quantum, weights):
    total = quantum * units
    parts = largest_remainder(total, weights, quantum)
    assert sum(parts.values()) == total
    assert set(parts) == set(weights)
    for member, part in parts.items():
        assert part >= 0
        assert part % quantum == 0
        # Never more than one quantum away from the exact proportion.
        exact = total * weights[member] / sum(weights.values())
        assert abs(part - exact) < quantum


def test_a_cent_left_over_goes_to_the_largest_remainder_then_the_lower_id():
    assert largest_remainder(Decimal("100.00"), {7: 1, 3: 1, 5: 1}, Decimal("0.01")) == {
        3: Decimal("33.34"),
        5: Decimal("33.33"),
        7: Decimal("33.33"),
    }
    assert largest_remainder(Decimal("10.00"), {1: 2, 2: 1}, Decimal("0.01")) == {
        1: Decimal("6.67"),
        2: Decimal("3.33"),
    }


@given(amounts=st.lists(st.integers(min_value=-(10**9), max_value=10**9), min_size=1, max_size=12))
def test_settling_the_plan_zeroes_every_balance_in_at_most_n_minus_one_transfers(amounts):
    cents = [Decimal(a) / 100 for a in amounts]
    balances = {member: amount for member, amount in enumerate(cents, start=1)}
    balances[None] = -sum(cents)  # a former member; the balances add up to zero
    plan = settle_up_plan(balances)
    with_balance = sum(1 for amount in balances.values() if amount != 0)
    assert len(plan) <= max(with_balance - 1, 0)
    after = dict(balances)
    for transfer in plan:
        assert transfer.amount > 0
        after[transfer.from_user_id] += transfer.amount
        after[transfer.to_user_id] -= transfer.amount
    assert all(amount == 0 for amount in after.values())


def test_the_plan_of_three_members_is_two_transfers_to_the_one_owed():
    plan = settle_up_plan({1: Decimal("20"), 2: Decimal("-5"), 3: Decimal("-15")})
    assert plan == [Transfer(3, 1, Decimal("15")), Transfer(2, 1, Decimal("5"))]
