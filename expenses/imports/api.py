"""API routes of a bank import: upload a statement to a cycle (or send rows a client parsed
itself) → the preview (each row's proposed outcome) → confirm with per-row choices, or cancel.

The same steps as the pages (expenses.imports.views), on the same selectors and services: the
upload waits in a PendingImport of this person, the preview is
selectors.preview.import_preview (which calls proposals.statement_proposals), the import is
services.import_statement. What a client sends is turned into the page's own choices (the
preview form's fields, `row-<line>-do`), so both are judged by the same form and rules."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Form, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from colony import api_contract
from colony.api_schemas import COMMON_ERRORS, WRITE_ERRORS, ErrorResponse, money
from cycles.selectors import household_cycle

from ..exceptions import ImportChoicesInvalid, ImportFileTooLarge
from ..setup.selectors import selectable_payment_methods
from . import services
from .forms import ImportUploadForm
from .limits import MAX_UPLOAD_BYTES, TOO_LARGE
from .schemas import (
    ImportChoices,
    ImportPreviewResponse,
    ImportResultResponse,
    StatementRowsIn,
)
from .selectors import preview as previews

router = Router(tags=["imports"])

UPLOAD_ERRORS = {**WRITE_ERRORS, 413: ErrorResponse}
UPLOAD_FIELDS, UPLOAD_FILES = frozenset({"payment_method_id"}), frozenset({"file"})
# The preview form's names as the API spells them (the rest are the same).
API_NAMES = {"category": "category_id", "payment_method": "payment_method_id"}
FORM_NAMES = {api: form for form, api in API_NAMES.items()}


def _fields(errors, *, within: str = "") -> dict[str, list[str]]:
    """A Django form's errors by the names the API takes (`within` the object that holds
    them, e.g. "reading."; "body" for the whole)."""
    return {
        ("body" if name == "__all__" else within + API_NAMES.get(name, name)): list(messages)
        for name, messages in errors.items()
    }


def _payment_method(request: HttpRequest, pk: int | None):
    if pk is None:
        return None
    methods = {method.pk: method for method in selectable_payment_methods(request.household)}
    if pk not in methods:
        raise ImportChoicesInvalid(
            {"payment_method_id": ["Choose one of the household's payment methods."]}
        )
    return methods[pk]


def _preview_json(preview: previews.ImportPreview) -> dict[str, Any]:
    counts: dict[str, int] = {}
    rows = []
    for proposal in preview.proposals:
        row, outcome = proposal.row, proposal.outcome
        counts[outcome] = counts.get(outcome, 0) + 1
        target = {"pay": proposal.pays, "there": proposal.already}.get(proposal.action)
        rows.append(
            {
                "line": row.line,
                "date": row.date,
                "description": proposal.description or row.description,
                "amount": money(row.amount, row.currency) if row.currency else None,
                "currency": row.currency,
                "outcome": outcome,
                "cycle_id": row.cycle_id,
                "expense_id": target.pk if target is not None else None,
                "options": [option.pk for option in proposal.options],
                "category_id": proposal.category_id,
                "payment_method_id": proposal.payment_method_id,
                "problems": list(row.problems),
                "notes": list(row.notes),
            }
        )
    pending = preview.pending
    return {
        "id": pending.pk,
        "cycle_id": pending.cycle_id,
        "filename": pending.filename,
        "format": preview.statement.format,
        "encoding": preview.statement.encoding,
        "expires_at": pending.expires_at,
        "reading": _reading(preview),
        "needs_date_format": preview.form.needs_date_choice if preview.valid else False,
        "counts": counts,
        "rows": rows,
    }


def _reading(preview: previews.ImportPreview) -> dict[str, Any]:
    """How the statement is read now, by the API's names (ImportReading)."""
    form = preview.form
    values = form.data if form.is_bound else form.initial
    reading = {}
    for name in form.fields:
        value = values.get(name)
        if name.endswith("_column") or name == "category":
            value = int(value) if str(value or "").isdigit() else None
        else:
            value = value or None
        reading[API_NAMES.get(name, name)] = value
    return reading


def _page_choices(preview: previews.ImportPreview, payload: ImportChoices) -> dict[str, str]:
    """The page's POST for what the client chose: the form's detected values, the reading
    sent over them, and each chosen row as `row-<line>-do` / `row-<line>-category`."""
    form = preview.form
    data = {name: "" if value is None else str(value) for name, value in form.initial.items()}
    sent = payload.reading.model_dump(exclude_unset=True) if payload.reading else {}
    unknown = [name for name in sent if FORM_NAMES.get(name, name) not in form.fields]
    if unknown:
        raise ImportChoicesInvalid(
            {
                f"reading.{name}": ["This statement is not read with that choice."]
                for name in unknown
            }
        )
    for name, value in sent.items():
        data[FORM_NAMES.get(name, name)] = "" if value is None else str(value)
    lines = {str(proposal.row.line) for proposal in preview.proposals}
    stray = [line for line in (*payload.choices, *payload.categories) if line not in lines]
    if stray:
        raise ImportChoicesInvalid(
            {f"choices.{line}": ["The statement has no such row."] for line in stray}
        )
    for line, choice in payload.choices.items():
        data[f"row-{line}-do"] = choice.replace(":", "-")
    for line, category_id in payload.categories.items():
        data[f"row-{line}-category"] = str(category_id)
    return data


def _chosen_preview(request: HttpRequest, pk: int, payload: ImportChoices, *, confirming: bool):
    pending = previews.pending_import_by_id(household=request.household, user=request.user, pk=pk)
    cycle = household_cycle(request.household, pending.cycle_id)
    services.keep_using(pending=pending)
    detected = previews.import_preview(pending=pending, cycle=cycle)
    preview = previews.import_preview(
        pending=pending,
        cycle=cycle,
        data=_page_choices(detected, payload),
        confirming=confirming,
    )
    if not preview.valid:
        raise ImportChoicesInvalid(_fields(preview.form.errors, within="reading."))
    if preview.row_errors:
        raise ImportChoicesInvalid({"choices": preview.row_errors})
    return preview


@router.post(
    "/cycles/{int:pk}/imports",
    response={201: ImportPreviewResponse, **UPLOAD_ERRORS},
)
def import_upload(
    request: HttpRequest,
    pk: int,
    file: File[UploadedFile],
    payment_method_id: Form[int] = None,  # a form field has no null: left out is none
):
    """Upload a bank statement (CSV, OFX/QFX, QIF or CAMT.053, up to 10 MB) to an open cycle:
    the preview of what importing it would do with each row. It waits 24 hours from its last
    preview for its confirmation."""
    cycle = household_cycle(request.household, pk, open_only=True)
    # A form field this operation does not take is refused, as in a JSON body.
    unknown = sorted((set(request.POST) - UPLOAD_FIELDS) | (set(request.FILES) - UPLOAD_FILES))
    if unknown:
        raise ImportChoicesInvalid(
            {name: ["Unknown field: this operation does not take it."] for name in unknown}
        )
    # Refused by its size before any of it is read.
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise ImportFileTooLarge(TOO_LARGE)
    form = ImportUploadForm(
        {"payment_method": "" if payment_method_id is None else str(payment_method_id)},
        {"file": file},
        payment_methods=list(selectable_payment_methods(request.household)),
    )
    if not form.is_valid():
        raise ImportChoicesInvalid(_fields(form.errors))
    pending = services.keep_upload(
        household=request.household,
        uploaded_by=request.user,
        cycle=cycle,
        decoded=form.decoded,
        filename=file.name or "statement",
        payment_method=form.cleaned_data["payment_method"],
    )
    return Status(201, _preview_json(previews.import_preview(pending=pending, cycle=cycle)))


@router.post(
    "/cycles/{int:pk}/imports/rows",
    response={201: ImportPreviewResponse, **WRITE_ERRORS},
    # Its new object lives at /imports/{pk}, which api_contract cannot tell from this path.
    openapi_extra={"responses": {201: {"headers": {"Location": api_contract.LOCATION}}}},
)
def import_rows(request: HttpRequest, response: HttpResponse, pk: int, payload: StatementRowsIn):
    """Rows a client parsed itself (money out, at most 5,000), previewed and imported exactly
    like an uploaded statement."""
    cycle = household_cycle(request.household, pk, open_only=True)
    pending = services.keep_rows(
        household=request.household,
        uploaded_by=request.user,
        cycle=cycle,
        rows=[dict(row) for row in payload.rows],  # typed: dates and Decimals
        payment_method=_payment_method(request, payload.payment_method_id),
    )
    response["Location"] = reverse("api:import_detail", kwargs={"pk": pending.pk})
    return Status(201, _preview_json(previews.import_preview(pending=pending, cycle=cycle)))


@router.get("/imports/{int:pk}", response={200: ImportPreviewResponse, **COMMON_ERRORS})
def import_detail(request: HttpRequest, pk: int):
    """The preview of an upload again, as detected (or remembered for its payment method)."""
    pending = previews.pending_import_by_id(household=request.household, user=request.user, pk=pk)
    cycle = household_cycle(request.household, pending.cycle_id)
    services.keep_using(pending=pending)
    return _preview_json(previews.import_preview(pending=pending, cycle=cycle))


@router.post("/imports/{int:pk}/preview", response={200: ImportPreviewResponse, **WRITE_ERRORS})
def import_repreview(request: HttpRequest, pk: int, payload: ImportChoices):
    """The preview with other reading choices or per-row choices; nothing is written."""
    return _preview_json(_chosen_preview(request, pk, payload, confirming=False))


@router.post("/imports/{int:pk}/confirm", response={200: ImportResultResponse, **WRITE_ERRORS})
def import_confirm(request: HttpRequest, pk: int, payload: ImportChoices):
    """Import the statement with the choices sent (rows not named keep their proposal), in one
    transaction; the upload is then forgotten. Rows already imported are never added twice."""
    preview = _chosen_preview(request, pk, payload, confirming=True)
    problem = preview.nothing_to_import()
    if problem:
        raise ImportChoicesInvalid({"choices": [problem]})
    remember = None
    if preview.payment_method is not None:
        remember = (preview.payment_method, preview.form.remembered_settings())
    result = services.import_statement(
        cycle=preview.cycle,
        decisions=preview.decisions(),
        created_by=request.user,
        remember=remember,
    )
    services.discard_pending_import(pending=preview.pending)
    return {
        "created": result.created,
        "paid": result.paid,
        "already_there": result.already_there,
        "skipped_duplicates": result.skipped_duplicates,
        "skipped_invalid": result.skipped_invalid,
        "skipped_income": result.skipped_income,
        "skipped_chosen": result.skipped_chosen,
        "skipped_outside": result.skipped_outside,
        "created_ids": list(result.created_ids),
        "paid_ids": list(result.paid_ids),
        "linked_ids": list(result.linked_ids),
    }


@router.delete("/imports/{int:pk}", response={204: None, **WRITE_ERRORS})
def import_cancel(request: HttpRequest, pk: int):
    """Cancel an upload: it is forgotten at once."""
    pending = previews.pending_import_by_id(household=request.household, user=request.user, pk=pk)
    services.discard_pending_import(pending=pending)
    return Status(204, None)
