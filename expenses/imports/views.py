"""Importing a bank statement into a cycle: upload → preview (change how the file is read and
what happens to each row; HTMX re-renders the preview, "Refresh preview" does it without JS) →
confirm or cancel. Plus the household's import rules.

The uploaded file waits, compressed, in a PendingImport under a random token, with the
household, person and cycle it was uploaded for: another household (or another member, or
another cycle) cannot use the token, and the browser never sends the rows back — only the
choices (the encoding among them: the kept bytes are read again in it). Each request reads
the file once (selectors.preview.import_preview) and derives everything from that.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.scoping import get_for_household, household_required
from colony.errors import DomainError
from colony.htmx import page_or_partial, redirect_after_write
from cycles.models import Cycle
from cycles.selectors import household_cycle

from ..exceptions import ImportTooLarge
from ..setup.selectors import selectable_categories, selectable_payment_methods
from . import selectors, services
from .decoding import encoding_label
from .forms import ImportRuleForm, ImportUploadForm
from .models import ImportRule
from .selectors import preview as previews

# Rows the preview shows with their own controls; the rest follow their proposals.
PREVIEW_ROWS = 100
SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}


def _open_cycle(request, cycle_pk) -> Cycle:
    return household_cycle(request.household, cycle_pk, open_only=True)


def _pending(request, cycle: Cycle, token: str):
    pending = previews.pending_import(
        household=request.household, user=request.user, cycle=cycle, token=token
    )
    services.keep_using(pending=pending)
    return pending


def _preview(request, cycle: Cycle, token: str, *, data=None, confirming=False):
    pending = _pending(request, cycle, token)
    return previews.import_preview(pending=pending, cycle=cycle, data=data, confirming=confirming)


def _render_preview(request, preview: previews.ImportPreview, *, status=200) -> HttpResponse:
    if not preview.valid or preview.row_errors:
        status = 422
    shown = preview.proposals[:PREVIEW_ROWS]
    method_names = {method.pk: str(method) for method in preview.payment_methods}
    for proposal in shown:
        proposal.payment_method_name = method_names.get(proposal.payment_method_id, "")
    planned_by_currency: dict[str, list] = {}
    for expense in preview.planned:
        planned_by_currency.setdefault(expense.currency, []).append(expense)
    actions, table = preview.actions, preview.statement.table
    context = {
        "cycle": preview.cycle,
        "token": preview.pending.token,
        "filename": preview.pending.filename,
        "statement": preview.statement,
        "encoding": encoding_label(preview.statement.encoding),
        "payment_method": preview.payment_method,
        "form": preview.form,
        "proposals": shown,
        "hidden_rows": max(0, len(preview.proposals) - PREVIEW_ROWS),
        "counts": preview.counts,
        "actions": actions,
        "by_cycle": preview.by_cycle,
        "outside_every_cycle": preview.outside_every_cycle,
        # Linking rows already there is worth confirming on its own: the file is known next time.
        "importing": actions["new"] + actions["pay"] + actions["there"],
        "row_errors": preview.row_errors,
        "planned_by_currency": planned_by_currency,
        "category_names": {category.pk: category.name for category in preview.categories},
        "categories": preview.categories,
        "remembered": preview.detected.remembered,
        "needs_date_choice": preview.form.needs_date_choice if preview.valid else False,
        "separator": SEPARATORS.get(table.delimiter if table else "", ""),
    }
    return page_or_partial(
        request,
        page="expenses/imports/preview.html",
        partial="expenses/imports/partials/_preview.html",
        context=context,
        status=status,
    )


def _result_message(result: services.ImportResult) -> str:
    message = (
        f"Imported {result.created} expense{pluralize(result.created)}"
        f" and marked {result.paid} planned expense{pluralize(result.paid)} paid; "
        f"{result.skipped_duplicates} duplicate{pluralize(result.skipped_duplicates)} and "
        f"{result.skipped_invalid} invalid row{pluralize(result.skipped_invalid)} skipped."
    )
    if result.already_there:
        count = result.already_there
        expenses = pluralize(count, "its expense,their expenses")
        message += f" {count} row{pluralize(count)} already there, linked to {expenses}."
    if result.skipped_outside:
        count = result.skipped_outside
        message += f" {count} row{pluralize(count)} outside the open cycles left out."
    if result.skipped_income:
        count = result.skipped_income
        message += f" {count} row{pluralize(count)} of money in left out."
    if result.skipped_chosen:
        count = result.skipped_chosen
        message += f" {count} row{pluralize(count)} left out as chosen."
    return message


@household_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    cycle = _open_cycle(request, cycle_pk)
    payment_methods = list(selectable_payment_methods(request.household))
    if request.method == "GET":
        form = ImportUploadForm(payment_methods=payment_methods)
    else:
        form = ImportUploadForm(request.POST, request.FILES, payment_methods=payment_methods)
        if form.is_valid():
            try:
                pending = services.keep_upload(
                    household=request.household,
                    uploaded_by=request.user,
                    cycle=cycle,
                    decoded=form.decoded,
                    filename=form.cleaned_data["file"].name,
                    payment_method=form.cleaned_data["payment_method"],
                )
            except ImportTooLarge as error:
                form.add_error("file", error.message)
            else:
                url = reverse("expenses:import_preview", args=[cycle.pk])
                query = urlencode({"token": pending.token})
                return redirect_after_write(request, f"{url}?{query}")
    return render(
        request,
        "expenses/imports/upload.html",
        {"cycle": cycle, "form": form},
        status=422 if form.is_bound else 200,
    )


@household_required
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    cycle = _open_cycle(request, cycle_pk)
    params = request.POST if request.method == "POST" else request.GET
    data = request.POST if request.method == "POST" else None
    return _render_preview(request, _preview(request, cycle, params.get("token", ""), data=data))


@household_required
@require_POST
def import_confirm(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    cycle = _open_cycle(request, cycle_pk)
    token = request.POST.get("token", "")
    preview = _preview(request, cycle, token, data=request.POST, confirming=True)
    if preview.valid and not preview.row_errors:
        problem = preview.nothing_to_import()
        if problem:
            preview.form.add_error(None, problem)
        else:
            remember = None
            if preview.payment_method is not None:
                remember = (preview.payment_method, preview.form.remembered_settings())
            try:
                result = services.import_statement(
                    cycle=cycle,
                    decisions=preview.decisions(),
                    created_by=request.user,
                    remember=remember,
                )
            except DomainError as error:
                if error.status != 422:
                    raise
                preview.form.add_error(None, error.message)
            else:
                services.discard_pending_import(pending=preview.pending)
                return redirect_after_write(
                    request, "cycles:detail", cycle.pk, message=_result_message(result)
                )
        preview.valid = False
    return _render_preview(request, preview, status=422)


@household_required
@require_POST
def import_cancel(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    """Leave the import: the upload is forgotten at once, then back to the cycle."""
    cycle = household_cycle(request.household, cycle_pk)
    pending = _pending(request, cycle, request.POST.get("token", ""))
    services.discard_pending_import(pending=pending)
    return redirect_after_write(request, "cycles:detail", cycle.pk, message="Import cancelled.")


@household_required
@require_POST
def import_rule_from_row(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    """ "Always put LIDL in Food": a rule from one preview row (its description, contains, the
    category chosen for it), then the preview again with the rule applied."""
    cycle = _open_cycle(request, cycle_pk)
    token = request.POST.get("token", "")
    preview = _preview(request, cycle, token, data=request.POST)
    line = request.POST.get("line", "")
    proposal = next((p for p in preview.proposals if str(p.row.line) == line), None)
    if proposal is None or not proposal.row.description:
        preview.form.add_error(None, "That row cannot become a rule.")
        return _render_preview(request, preview, status=422)
    categories = {category.pk: category for category in preview.categories}
    try:
        rule = services.create_rule(
            household=request.household,
            match="contains",
            pattern=proposal.row.description[:100],
            category=categories.get(proposal.category_id),
        )
    except DomainError as error:
        if error.status != 422:
            raise
        preview.form.add_error(None, error.message)
        return _render_preview(request, preview, status=422)
    messages.success(request, f"New rule: description {rule} → {rule.category}.")
    # Read again so every row the rule matches shows it.
    return _render_preview(request, _preview(request, cycle, token, data=request.POST))


# -- rules -----------------------------------------------------------------------------------------


def _rule_form(request, data=None, instance=None) -> ImportRuleForm:
    return ImportRuleForm(
        data,
        instance=instance,
        categories=selectable_categories(
            request.household, keep=getattr(instance, "category", None)
        ),
        payment_methods=selectable_payment_methods(
            request.household, keep=getattr(instance, "payment_method", None)
        ),
    )


@household_required
def rule_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "expenses/imports/rules.html",
        {"rules": selectors.household_rules(request.household)},
    )


def _save_rule(request, form: ImportRuleForm, rule: ImportRule | None) -> HttpResponse | None:
    if not form.is_valid():
        return None
    try:
        if rule is None:
            services.create_rule(household=request.household, **form.service_fields())
        else:
            services.update_rule(rule=rule, **form.service_fields())
    except DomainError as error:
        if error.status != 422:
            raise
        # Next to its field when the form has that field, above the form otherwise.
        field = getattr(error, "field", None)
        form.add_error(field if field in form.fields else None, error.message)
        return None
    return redirect_after_write(request, "expenses:import_rule_list", message="Rule saved.")


@household_required
@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest) -> HttpResponse:
    form = _rule_form(request, request.POST or None)
    if request.method == "POST":
        done = _save_rule(request, form, None)
        if done:
            return done
    return render(
        request,
        "expenses/imports/rule_form.html",
        {"form": form, "rule": None},
        status=422 if form.is_bound else 200,
    )


@household_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_for_household(ImportRule, request.household, pk=pk)
    form = _rule_form(request, request.POST or None, instance=rule)
    if request.method == "POST":
        done = _save_rule(request, form, rule)
        if done:
            return done
    return render(
        request,
        "expenses/imports/rule_form.html",
        {"form": form, "rule": rule},
        status=422 if form.is_bound else 200,
    )


@household_required
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_for_household(ImportRule, request.household, pk=pk)
    services.delete_rule(rule=rule)
    return redirect_after_write(request, "expenses:import_rule_list", message="Rule deleted.")
