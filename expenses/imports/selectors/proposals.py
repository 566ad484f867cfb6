"""What an import would do with each row of a statement: the one reconciliation the preview
and the API (issue 26) call. Each row goes to the open cycle holding its date; there it is new,
already there (an expense typed by hand or imported before), pays a planned expense, or is
left out (a duplicate, money in, pending, an own transfer, outside every open cycle, invalid).
The household then confirms with a choice per row (services.import_statement)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from accounts.models import Household

from .. import pipeline
from ..placement import CycleSpan, place
from ..reconciliation import PlannedExpense
from ..rows import DUPLICATE, ImportRow
from . import category_history, cycle_records, rule_book, statement_cycles

# The rows of one cycle the preview counts: what happens to them, or why they stay out.
CYCLE_COUNTS = ("new", "pay", "there", "skip")


@dataclass(frozen=True)
class CycleShare:
    """The rows of a statement whose dates fall in one cycle, and what happens to them."""

    cycle: CycleSpan
    counts: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class StatementProposals:
    proposals: list[pipeline.Proposal]
    cycles: list[CycleSpan]  # the household's cycles the rows' dates fall in
    planned: list[PlannedExpense]  # the open cycles' planned expenses, which rows may pay

    @property
    def by_cycle(self) -> list[CycleShare]:
        """Per cycle the rows' dates fall in (in date order), what happens to its rows."""
        counts: dict[int, Counter] = {span.pk: Counter() for span in self.cycles}
        for proposal in self.proposals:
            if proposal.row.cycle_id in counts:
                # A row imported before is already there, like one typed by hand.
                action = "there" if proposal.row.status == DUPLICATE else proposal.action
                counts[proposal.row.cycle_id][action] += 1
        return [
            CycleShare(cycle=span, counts={name: counts[span.pk][name] for name in CYCLE_COUNTS})
            for span in self.cycles
        ]

    @property
    def outside_every_cycle(self) -> int:
        """Rows with a date no cycle of the household holds."""
        return sum(1 for p in self.proposals if p.row.date is not None and p.row.cycle_id is None)


def statement_proposals(
    *,
    household: Household,
    rows: list[ImportRow],
    default_category_id: int | None,
    default_payment_method_id: int | None,
) -> StatementProposals:
    """Each row of a statement placed in its cycle and proposed, compared with what the open
    cycles hold in a fixed number of flat queries (the cycles, the remembered bank rows, the
    expenses a row may be or pay; the rules; the history), whatever the number of rows."""
    cycles = statement_cycles(household, rows)
    rows = place(rows, cycles)
    open_ids = [span.pk for span in cycles if not span.completed]
    records = cycle_records(household=household, cycle_ids=open_ids, rows=rows)
    proposals = pipeline.propose(
        rows,
        recorded=records.recorded,
        imported=records.imported,
        planned=records.planned,
        rule_book=rule_book(household),
        history=category_history(household),
        default_category_id=default_category_id,
        default_payment_method_id=default_payment_method_id,
    )
    return StatementProposals(proposals=proposals, cycles=cycles, planned=records.planned)
