"""Importing a bank statement into a cycle: upload → preview (change the column mapping; HTMX
re-renders the preview, a "Refresh preview" button does it without JS) → confirm.

The uploaded text waits in the user's own session under a random token, with the household,
user and cycle it was uploaded for: another household (or another member, or another cycle)
cannot use the token, and the browser never sends the rows back — only the mapping.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.scoping import get_for_household, household_required
from colony.errors import DomainError
from cycles.exceptions import CycleAlreadyCompleted
from cycles.models import Cycle

from . import importing, services
from .exceptions import ImportNotFound
from .forms_import import ImportMappingForm, ImportUploadForm
from .selectors_setup import selectable_categories

SESSION_KEY = "expense_imports"
# Uploads waiting in one session (each up to importing.MAX_TEXT_CHARS); older ones are dropped.
MAX_PENDING_IMPORTS = 2
PREVIEW_ROWS = 500


def _open_cycle(request, cycle_pk) -> Cycle:
    """The household's cycle (404 for anyone else), refused with 409 once completed."""
    cycle = get_for_household(
        Cycle.objects.select_related("household"), request.household, pk=cycle_pk
    )
    if cycle.is_completed:
        raise CycleAlreadyCompleted()
    return cycle


def _remember_upload(request, cycle: Cycle, *, text: str, filename: str) -> str:
    token = secrets.token_urlsafe(16)
    pending = dict(request.session.get(SESSION_KEY, {}))
    pending[token] = {
        "household": request.household.pk,
        "user": request.user.pk,
        "cycle": cycle.pk,
        "filename": filename[:100],
        "text": text,
    }
    while len(pending) > MAX_PENDING_IMPORTS:
        pending.pop(next(iter(pending)))
    request.session[SESSION_KEY] = pending
    return token


def _pending_upload(request, cycle: Cycle, token: str) -> dict:
    entry = request.session.get(SESSION_KEY, {}).get(token) if token else None
    owner = (request.household.pk, request.user.pk, cycle.pk)
    if not entry or (entry["household"], entry["user"], entry["cycle"]) != owner:
        raise ImportNotFound()
    return entry


def _forget_upload(request, token: str) -> None:
    pending = dict(request.session.get(SESSION_KEY, {}))
    if pending.pop(token, None) is not None:
        request.session[SESSION_KEY] = pending


def _redirect(request, url: str):
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _mapping_form(request, cycle: Cycle, upload: dict, *, data=None, require_importable=False):
    return ImportMappingForm(
        data,
        table=importing.read_table(upload["text"]),
        cycle=cycle,
        categories=list(selectable_categories(request.household)),
        require_importable=require_importable,
    )


def _render_preview(request, cycle: Cycle, token: str, upload: dict, form, *, status=200):
    valid = not form.is_bound or form.is_valid()
    # A refusal of the whole import (a non-field error) still shows the rows it is about.
    readable = valid or set(form.errors) <= {NON_FIELD_ERRORS}
    rows = form.rows() if readable else []
    if rows:
        rows = importing.mark_duplicates(rows, services.existing_expense_counts(cycle=cycle))
    mapping = form.mapping() if readable else form.detected
    context = {
        "cycle": cycle,
        "token": token,
        "filename": upload["filename"],
        "form": form,
        "table": form.table,
        "separator": {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}.get(
            form.table.delimiter, form.table.delimiter
        ),
        "rows": rows[:PREVIEW_ROWS],
        "hidden_rows": max(0, len(rows) - PREVIEW_ROWS),
        "counts": importing.count_by_status(rows),
        "ambiguous_dates": readable and form.ambiguous_dates,
        "date_format_label": importing.DATE_FORMATS.get(mapping.date_format, ("", ""))[1],
    }
    template = (
        "expenses/partials/_import_preview.html" if request.htmx else "expenses/import_preview.html"
    )
    return render(request, template, context, status=status if valid else 422)


def _result_message(result: services.ImportResult) -> str:
    message = (
        f"Imported {result.created} expense{pluralize(result.created)}; "
        f"{result.skipped_duplicates} duplicate{pluralize(result.skipped_duplicates)} and "
        f"{result.skipped_invalid} invalid row{pluralize(result.skipped_invalid)} skipped."
    )
    if result.skipped_income:
        count = result.skipped_income
        message += f" {count} row{pluralize(count)} of money in left out."
    return message


@household_required
@require_http_methods(["GET", "POST"])
def import_upload(request, cycle_pk):
    cycle = _open_cycle(request, cycle_pk)
    if request.method == "GET":
        form = ImportUploadForm(cycle=cycle)
    else:
        form = ImportUploadForm(request.POST, request.FILES, cycle=cycle)
        if form.is_valid():
            token = _remember_upload(
                request, cycle, text=form.text, filename=form.cleaned_data["file"].name
            )
            url = reverse("expenses:import_preview", args=[cycle.pk])
            return _redirect(request, f"{url}?{urlencode({'token': token})}")
    return render(
        request,
        "expenses/import_upload.html",
        {"cycle": cycle, "form": form},
        status=422 if form.is_bound else 200,
    )


@household_required
@require_http_methods(["GET", "POST"])
def import_preview(request, cycle_pk):
    cycle = _open_cycle(request, cycle_pk)
    params = request.POST if request.method == "POST" else request.GET
    token = params.get("token", "")
    upload = _pending_upload(request, cycle, token)
    data = request.POST if request.method == "POST" else None
    form = _mapping_form(request, cycle, upload, data=data)
    return _render_preview(request, cycle, token, upload, form)


@household_required
@require_POST
def import_confirm(request, cycle_pk):
    cycle = _open_cycle(request, cycle_pk)
    token = request.POST.get("token", "")
    upload = _pending_upload(request, cycle, token)
    form = _mapping_form(request, cycle, upload, data=request.POST, require_importable=True)
    if form.is_valid():
        try:
            result = services.import_expenses(
                cycle=cycle,
                rows=form.rows(),
                created_by=request.user,
                category=form.cleaned_data["category"],
            )
        except DomainError as error:
            if error.status != 422:
                raise
            form.add_error(None, error.message)
        else:
            _forget_upload(request, token)
            messages.success(request, _result_message(result))
            return _redirect(request, reverse("cycles:detail", args=[cycle.pk]))
    return _render_preview(request, cycle, token, upload, form, status=422)
