"""Reconciling bank rows with the cycle's plan, household rules and their precedence, and
category suggestions from history — pure functions."""

from __future__ import annotations

import datetime
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from expenses.imports.reconciliation import (
    PlannedExpense,
    RecordedExpense,
    already_there,
    candidates,
    plausible,
    reconcile,
)
from expenses.imports.rows import IMPORT, ImportRow
from expenses.imports.rules import (
    CONTAINS,
    EQUALS,
    REGEX,
    History,
    Rule,
    RuleBook,
    UnsafePattern,
    check_pattern,
)


def row(line=1, description="Abschlag Strom", amount="88.00", on=date(2026, 11, 3), ccy="EUR"):
    return ImportRow(
        line=line,
        cells=(),
        status=IMPORT,
        date=on,
        description=description,
        amount=Decimal(amount),
        currency=ccy,
    )


def planned(pk=1, description="Electric bill", amount="88.20", on=date(2026, 11, 1), ccy="EUR"):
    return PlannedExpense(pk, description, Decimal(amount), ccy, on)


# -- reconciliation ------------------------------------------------------------------------------


def test_exact_amount_and_date_is_matched():
    bill = planned(amount="88.00", on=date(2026, 11, 3))
    assert reconcile([row()], [bill]) == {1: bill}


def test_amount_within_tolerance_and_a_close_date_is_matched():
    # "Abschlag Strom 88,00" pays the planned "Electric bill 88.20" two days earlier.
    bill = planned()
    assert reconcile([row()], [bill]) == {1: bill}


@pytest.mark.parametrize(
    "changes",
    [
        {"amount": "120.00"},  # beyond a tenth of the plan
        {"on": date(2026, 11, 30)},  # beyond the date window
        {"ccy": "USD"},  # another currency
    ],
    ids=["amount", "date", "currency"],
)
def test_no_match_outside_the_tolerances(changes):
    assert reconcile([row(**changes)], [planned()]) == {}


def test_of_two_candidates_the_more_similar_description_wins():
    water = planned(pk=1, description="Water bill", amount="88.00")
    electric = planned(pk=2, description="Stadtwerke Strom Abschlag", amount="88.00")
    assert [e.pk for _, e in candidates(row(), [water, electric])] == [2, 1]
    assert reconcile([row()], [water, electric]) == {1: electric}


def test_one_planned_expense_pays_at_most_one_row():
    bill = planned(amount="88.00", on=date(2026, 11, 3))
    rows = [row(line=1), row(line=2, on=date(2026, 11, 6))]
    assert reconcile(rows, [bill]) == {1: bill}


def test_two_rows_and_two_bills_pair_off_best_first():
    first = planned(pk=1, description="Rent", amount="1450.00", on=date(2026, 11, 1))
    second = planned(pk=2, description="Electric bill", amount="88.20", on=date(2026, 11, 1))
    rows = [row(line=1), row(line=2, description="RIVERSIDE RENT", amount="1450.00")]
    assert reconcile(rows, [first, second]) == {1: second, 2: first}


def test_no_planned_expenses_no_matches():
    assert reconcile([row()], []) == {}


# -- rules ---------------------------------------------------------------------------------------


def rule(pk, match, pattern, **fields):
    return Rule(pk=pk, match=match, pattern=pattern, label=pattern, **fields)


def test_contains_equals_and_regex_ignore_case():
    book = RuleBook([rule(1, CONTAINS, "lidl", category_id=10)])
    assert book.first(row(description="LIDL SAGT DANKE 1234")).pk == 1
    book = RuleBook([rule(2, EQUALS, "netflix.com", category_id=10)])
    assert book.first(row(description="NETFLIX.COM")).pk == 2
    assert book.first(row(description="NETFLIX.COM 2")) is None
    book = RuleBook([rule(3, REGEX, r"^amazon mktpl\*\w+$", category_id=10)])
    assert book.first(row(description="AMAZON MKTPL*ZX81K2")).pk == 3


def test_precedence_position_then_equals_regex_contains_then_longer_pattern():
    lidl = row(description="LIDL SAGT DANKE")
    contains_short = rule(1, CONTAINS, "lidl", category_id=1)
    contains_long = rule(2, CONTAINS, "lidl sagt", category_id=2)
    regex = rule(3, REGEX, "^lidl", category_id=3)
    equals = rule(4, EQUALS, "lidl sagt danke", category_id=4)
    assert RuleBook([contains_short, contains_long]).first(lidl).pk == 2
    assert RuleBook([contains_long, regex]).first(lidl).pk == 3
    assert RuleBook([regex, equals, contains_short]).first(lidl).pk == 4
    first = rule(5, CONTAINS, "lidl", category_id=5, position=1)
    assert RuleBook([equals, first]).first(lidl).pk == 5


def test_amount_range_and_currency_narrow_a_rule():
    small = rule(1, CONTAINS, "amazon", category_id=1, max_amount=Decimal("50"))
    big = rule(2, CONTAINS, "amazon", category_id=2, min_amount=Decimal("50"), currency="EUR")
    book = RuleBook([small, big])
    assert book.first(row(description="Amazon", amount="20.00")).pk == 1
    assert book.first(row(description="Amazon", amount="120.00")).pk == 2
    assert book.first(row(description="Amazon", amount="120.00", ccy="USD")) is None


@pytest.mark.parametrize(
    "pattern", [r"(a|aa)+$", r"(x+x+)+y", "a" * 101, "([a-z"], ids=["alt", "nested", "long", "bad"]
)
def test_dangerous_or_broken_regular_expressions_are_refused(pattern):
    with pytest.raises(UnsafePattern):
        check_pattern(pattern)


def test_a_rule_that_times_out_stops_being_applied():
    slow = rule(1, REGEX, r"(a|aa)+$", category_id=1)
    book = RuleBook([slow, rule(2, CONTAINS, "a", category_id=2)])
    hostile = row(description="a" * 60 + "!")
    assert book.first(hostile).pk == 2
    assert 1 in book.broken


def test_a_crowded_plan_is_scored_a_bounded_number_of_times_per_row(monkeypatch):
    """A thousand planned expenses on one day at one amount, and rows that all fit them: each
    row scores at most MAX_SCORED_PER_ROW of them,
    not every pair of rows and plan; every row is still offered some."""
    from expenses.imports import reconciliation

    day = date(2026, 11, 2)
    planned = [PlannedExpense(n, "Bill", Decimal("10.00"), "EUR", day) for n in range(1, 1001)]
    rows = [
        ImportRow(
            line=n,
            cells=(),
            status=IMPORT,
            date=day,
            description="Bill",
            amount=Decimal("10.00"),
            currency="EUR",
        )
        for n in range(1, 301)
    ]
    calls = 0
    real = reconciliation.score

    def counted(*args, **kwargs):
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(reconciliation, "score", counted)
    options = plausible(rows, planned)
    assert calls <= len(rows) * reconciliation.MAX_SCORED_PER_ROW
    assert len(options) == len(rows)  # every row is still offered the bills it fits


def recorded(pk=1, description="Kita", amount="45.00", on=date(2026, 11, 2), **fields):
    defaults = {"cycle_id": None, "currency": "EUR", "payment_method_id": None}
    defaults.update(paid=True, imported=False)
    defaults.update(fields)
    return RecordedExpense(
        pk=pk, description=description, amount=Decimal(amount), date=on, **defaults
    )


def test_a_paid_expense_alike_in_words_or_account_is_already_there():
    rows = [
        row(1, "KITA SONNENSCHEIN E.V.", "45.00", date(2026, 11, 3)),
        row(2, "HAUSVERWALTUNG BERGER", "1250.00", date(2026, 11, 2)),
    ]
    kita, rent = recorded(1), recorded(2, "Rent", "1250.00", date(2026, 11, 1), payment_method_id=7)
    found = already_there(rows, [kita, rent], imported={}, payment_methods={2: 7})
    assert found == {1: kita, 2: rent}
    # Without the account, "Rent" is nothing like the bank's words.
    assert already_there(rows, [rent], imported={}, payment_methods={}) == {}


@pytest.mark.parametrize(
    "changes",
    [
        {"amount": "45.01"},
        {"on": date(2026, 11, 8)},
        {"currency": "USD"},
        {"paid": False},
        {"cycle_id": 2},
    ],
)
def test_not_already_there_at_another_amount_date_currency_status_or_cycle(changes):
    assert (
        already_there(
            [row(1, "Kita", "45.00")], [recorded(**changes)], imported={}, payment_methods={}
        )
        == {}
    )


def test_an_expense_is_already_there_for_one_row_only():
    rows = [row(1, "Kita", "45.00"), row(2, "Kita", "45.00", date(2026, 11, 4))]
    assert list(already_there(rows, [recorded()], imported={}, payment_methods={})) == [1]


def test_a_crowded_cycle_is_scored_a_bounded_number_of_times_per_row(monkeypatch):
    """A thousand coffees paid at one price on one day and 300 coffee rows: each row scores at
    most MAX_SCORED_PER_ROW of them, and each expense is still one row at most."""
    from expenses.imports import reconciliation

    day = date(2026, 11, 2)
    coffees = [recorded(n, "Coffee", "3.50", day) for n in range(1, 1001)]
    rows = [row(n, "COFFEE BAR", "3.50", day) for n in range(1, 301)]
    calls = 0
    real = reconciliation.there_score

    def counted(*args, **kwargs):
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(reconciliation, "there_score", counted)
    found = already_there(rows, coffees, imported={}, payment_methods={})
    assert calls <= len(rows) * reconciliation.MAX_SCORED_PER_ROW
    assert 0 < len(found) == len({expense.pk for expense in found.values()})


# -- suggestions from history --------------------------------------------------------------------


def test_history_suggests_the_most_used_category_for_the_same_words():
    history = History([("Albert Heijn 1403", 7, 5), ("ALBERT HEIJN 2211", 9, 1), ("Shell", 3, 2)])
    assert history.suggest("ALBERT HEIJN 0999") == 7


def test_history_suggests_for_a_similar_description():
    history = History([("Vattenfall energie termijn", 4, 3)])
    assert history.suggest("Vattenfall termijnbedrag energie") == 4


def test_history_suggests_nothing_for_a_new_payee():
    history = History([("Albert Heijn", 7, 5)])
    assert history.suggest("Bakkerij De Korenbloem") is None


def test_history_suggests_for_a_typo_in_a_one_word_description():
    history = History([("NETFLIX", 5, 4)])
    assert history.suggest("NETFLX") == 5


def test_history_keeps_its_most_used_descriptions_only():
    history = History([("Rare shop", 1, 1), ("Bakery", 2, 9), ("Cafe", 3, 5)], limit=2)
    assert history.suggest_all(["Rare shop", "Bakery", "Cafe"]) == {
        "Rare shop": None,
        "Bakery": 2,
        "Cafe": 3,
    }


PAYEES = ["albert heijn", "albert heijn to go", "jumbo supermarkt", "shell station", "ns reizen"]


@settings(max_examples=60, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(["albert", "heijn", "jumbo", "shell", "ns", "reis", "to", "go", "zzz"]),
        min_size=1,
        max_size=4,
    )
)
def test_similar_descriptions_answer_as_a_full_scan_when_they_share_a_word(words):
    from rapidfuzz import fuzz, process

    from expenses.imports.matching import SimilarDescriptions

    query = " ".join(words)
    found = SimilarDescriptions(PAYEES, cutoff=85, budget=1_000).most_similar([query])[query]
    full = process.extractOne(query, PAYEES, scorer=fuzz.token_set_ratio, score_cutoff=85)
    assert found == (full[0] if full else None)


def test_similar_descriptions_serve_the_most_frequent_first_within_the_budget():
    from expenses.imports.matching import SimilarDescriptions

    similar = SimilarDescriptions(["shell station", "shell"], cutoff=85, budget=2)
    # "shell station x" recurs most: its two candidates spend the whole budget.
    found = similar.most_similar(["shell x", "shell station x", "shell station x"])
    assert found == {"shell station x": "shell station", "shell x": None}


@settings(max_examples=60, deadline=None)
@given(
    planned=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=60),
            st.sampled_from(["10.00", "10.50", "99.99", "100.00", "1450.00"]),
            st.sampled_from(["USD", "EUR"]),
            st.sampled_from(["Rent", "Groceries", "Streaming"]),
        ),
        max_size=40,
    ),
    rows=st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(min_value=-15, max_value=75)),
            st.sampled_from(["10.20", "99.00", "100.00", "1440.00", "5.00"]),
            st.sampled_from(["USD", "EUR"]),
            st.sampled_from(["RENT MAY", "groceries market", "NETFLIX"]),
        ),
        max_size=15,
    ),
)
def test_plausible_scores_only_the_date_window_and_finds_what_scoring_everything_finds(
    planned, rows
):
    """plausible() looks only at the planned expenses within a row's date window; scoring
    every planned expense of the currency finds exactly the same candidates."""
    start = datetime.date(2026, 1, 1)
    expenses = [
        PlannedExpense(pk, description, Decimal(amount), currency, start + datetime.timedelta(day))
        for pk, (day, amount, currency, description) in enumerate(planned, start=1)
    ]
    import_rows = [
        ImportRow(
            line=line,
            cells=(),
            status=IMPORT,
            date=None if day is None else start + datetime.timedelta(day),
            description=description,
            amount=Decimal(amount),
            currency=currency,
        )
        for line, (day, amount, currency, description) in enumerate(rows, start=2)
    ]
    everything = {}
    for row in import_rows:
        scored = candidates(row, [e for e in expenses if e.currency == row.currency])
        if scored:
            everything[row.line] = scored
    assert plausible(import_rows, expenses) == everything
