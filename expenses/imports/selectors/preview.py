"""The upload waiting for its confirmation, and the preview assembled from it once per request:
the statement read, how it is read (the form: detected, remembered or POSTed choices), and
what would happen to each row. Views call `pending_import` and `import_preview`, nothing else."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone

from accounts.models import Household, User
from accounts.scoping import scoped
from cycles.models import Cycle

from ...exceptions import ImportNotFound
from ...models import Category, PaymentMethod
from ...setup.selectors import selectable_categories, selectable_payment_methods
from .. import pipeline
from ..forms import ImportPreviewForm, row_choices
from ..limits import UnreadableFile
from ..models import PendingImport
from ..placement import CycleSpan
from ..reconciliation import PlannedExpense
from ..rows import STATUSES, nothing_to_import_message
from . import remembered_mapping
from .proposals import CycleShare, StatementProposals, statement_proposals

_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,32}")


def pending_import(*, household: Household, user: User, cycle: Cycle, token: str) -> PendingImport:
    """The upload this person made for this cycle of the household, or ImportNotFound (404):
    another household's, another member's, another cycle's, an expired upload, or a token
    that is not one (services.keep_upload makes them URL-safe, at most 32 characters)."""
    found = None
    if _TOKEN.fullmatch(token or ""):
        found = (
            scoped(PendingImport, household)
            .filter(uploaded_by=user, cycle=cycle, token=token, expires_at__gt=timezone.now())
            .first()
        )
    if found is None:
        raise ImportNotFound()
    return found


def pending_import_by_id(*, household: Household, user: User, pk: int) -> PendingImport:
    """The API's way to an upload: by its id, only this person's in this household and not
    expired (ImportNotFound otherwise, the same 404 as any other id), with its cycle."""
    found = (
        scoped(PendingImport, household)
        .filter(uploaded_by=user, pk=pk, expires_at__gt=timezone.now())
        .select_related("cycle__household")
        .first()
    )
    if found is None:
        raise ImportNotFound()
    return found


@dataclass
class ImportPreview:
    """Everything one preview request derives from the upload, read once: the statement, how
    it is read (the form), and what would happen to each row (the proposals)."""

    cycle: Cycle
    pending: PendingImport
    statement: pipeline.Statement
    detected: pipeline.Choices
    categories: list[Category]
    payment_methods: list[PaymentMethod]
    payment_method: PaymentMethod | None
    form: ImportPreviewForm
    planned: list[PlannedExpense]
    proposals: list[pipeline.Proposal]
    cycles: list[CycleSpan]
    row_errors: list[str]
    # The choices were valid; the confirmation sets it to False when it refuses the import.
    valid: bool

    @property
    def counts(self) -> dict[str, int]:
        """Rows per status (to import, duplicate, money in, …)."""
        counts = dict.fromkeys(STATUSES, 0)
        for proposal in self.proposals:
            counts[proposal.row.status] += 1
        return counts

    @property
    def actions(self) -> dict[str, int]:
        """Rows per action: new expenses, payments of planned ones, left out."""
        actions = {"new": 0, "pay": 0, "there": 0, "skip": 0}
        for proposal in self.proposals:
            actions[proposal.action] += 1
        return actions

    @property
    def by_cycle(self) -> list[CycleShare]:
        """Per cycle the rows' dates fall in, what happens to its rows (as chosen so far)."""
        return self._proposed.by_cycle

    @property
    def outside_every_cycle(self) -> int:
        return self._proposed.outside_every_cycle

    @property
    def _proposed(self) -> StatementProposals:
        return StatementProposals(
            proposals=self.proposals, cycles=self.cycles, planned=self.planned
        )

    def decisions(self) -> list[pipeline.RowDecision]:
        """What the household decided for each row, for services.import_statement."""
        categories = {category.pk: category for category in self.categories}
        methods = {method.pk: method for method in self.payment_methods}
        return [
            pipeline.RowDecision(
                row=proposal.row,
                action=proposal.action,
                category=categories.get(proposal.category_id),
                payment_method=methods.get(proposal.payment_method_id),
                description=proposal.description,
                pays=proposal.pays.pk if proposal.pays else None,
                already=proposal.already.pk if proposal.already else None,
            )
            for proposal in self.proposals
        ]

    def nothing_to_import(self) -> str | None:
        """Why confirming would import nothing, else None."""
        if any(p.action in ("new", "pay", "there") for p in self.proposals):
            return None
        return nothing_to_import_message([p.row for p in self.proposals])


def import_preview(
    *, pending: PendingImport, cycle: Cycle, data=None, confirming: bool = False
) -> ImportPreview:
    """The preview of a pending upload in `cycle`: the statement read with the detected (or
    remembered) choices, or with those POSTed in `data`; every row proposed (reconciled with
    the plan, rules and history applied), then the row choices POSTed applied."""
    household = cycle.household
    statement = _read_pending(pending, encoding=(data or {}).get("encoding"))
    categories = list(selectable_categories(household))
    payment_methods = list(selectable_payment_methods(household))
    payment_method = next((m for m in payment_methods if m.pk == pending.payment_method_id), None)
    detected = pipeline.detect_choices(
        statement,
        base_currency=household.base_currency,
        window=(cycle.start_date, cycle.end_date),
        remembered=remembered_mapping(payment_method),
    )
    default_category = _default_category(categories)
    form = ImportPreviewForm(
        data,
        statement=statement,
        detected=detected,
        categories=categories,
        default_category=default_category,
        confirming=confirming,
    )
    valid = not form.is_bound or form.is_valid()
    proposed = StatementProposals(proposals=[], cycles=[], planned=[])
    # A refusal of the whole import (a non-field error) still shows the rows it is about.
    if valid or set(form.errors) <= {NON_FIELD_ERRORS}:
        proposed = statement_proposals(
            household=household,
            # Passed on, not kept here: the rows as read are dropped once placed in cycles.
            rows=pipeline.read_rows(
                statement,
                form.choices(),
                own_last4=frozenset(m.last4 for m in payment_methods if m.last4),
            ),
            default_category_id=(
                form.cleaned_data["category"].pk if form.is_bound and valid else default_category
            ),
            default_payment_method_id=payment_method.pk if payment_method else None,
        )
    proposals, planned = proposed.proposals, proposed.planned
    row_errors = _apply_row_choices(data, proposals, categories=categories, planned=planned)
    return ImportPreview(
        cycle=cycle,
        pending=pending,
        statement=statement,
        detected=detected,
        categories=categories,
        payment_methods=payment_methods,
        payment_method=payment_method,
        form=form,
        planned=planned,
        proposals=proposals,
        cycles=proposed.cycles,
        row_errors=row_errors,
        valid=valid,
    )


def _read_pending(pending: PendingImport, *, encoding: str | None = None) -> pipeline.Statement:
    """The upload read in the encoding the household chose; when it does not read in that one,
    in the detected one (the form then says so next to its choice)."""
    if encoding and encoding != pending.encoding:
        try:
            return pipeline.read_kept_upload(bytes(pending.content), encoding=encoding)
        except UnreadableFile:
            pass
    try:
        return pipeline.read_kept_upload(bytes(pending.content), encoding=pending.encoding)
    except UnreadableFile as error:  # pragma: no cover — it was read at the upload
        raise ImportNotFound() from error


def _default_category(categories: list[Category]) -> int | None:
    """The category of rows nothing else decides: "Other", else the first."""
    return next(
        (c.pk for c in categories if c.name.lower() == "other"),
        categories[0].pk if categories else None,
    )


def _apply_row_choices(
    data, proposals: list[pipeline.Proposal], *, categories, planned
) -> list[str]:
    """The action, planned expense and category POSTed for each row shown, applied to its
    proposal; the errors of values that are not offered."""
    if data is None or not proposals:
        return []
    categories = {category.pk: category for category in categories}
    planned = {expense.pk: expense for expense in planned}
    chosen, errors = row_choices(data, proposals, categories=categories, planned=planned)
    for proposal in proposals:
        if proposal.row.line not in chosen:
            continue
        action, pays, category = chosen[proposal.row.line]
        if action != "skip" and not proposal.row.importable:
            continue
        proposal.action = action
        proposal.pays = planned.get(pays) if action == "pay" else None
        if proposal.pays and proposal.pays not in proposal.options:
            proposal.options.insert(0, proposal.pays)
        if category is not None and category.pk != proposal.category_id:
            proposal.category_id, proposal.category_source = category.pk, "chosen"
    return errors
