"""Importing a bank statement into a cycle: upload → preview (change how the file is read and
what happens to each row; HTMX re-renders the preview, "Refresh preview" does it without JS) →
confirm. Plus the household's import rules.

The uploaded text waits, compressed, in the user's own session under a random token, with the
household, user and cycle it was uploaded for: another household (or another member, or another
cycle) cannot use the token, and the browser never sends the rows back — only the choices. Each
request reads the text once (pipeline.read_statement) and derives everything from that.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
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

from ..exceptions import ImportNotFound, ImportTooLarge
from ..models import PaymentMethod
from ..setup.selectors import selectable_categories, selectable_payment_methods
from . import pipeline, selectors, services
from .forms import ImportPreviewForm, ImportRuleForm, ImportUploadForm, row_choices
from .limits import UnreadableFile
from .models import ImportRule
from .rows import STATUSES, nothing_to_import_message

SESSION_KEY = "expense_imports"
# Uploads waiting in one session (each up to pipeline.MAX_STORED_BYTES); older ones are dropped.
MAX_PENDING_IMPORTS = 2
# Rows the preview shows with their own controls; the rest follow their proposals.
PREVIEW_ROWS = 100


def _open_cycle(request, cycle_pk) -> Cycle:
    return household_cycle(request.household, cycle_pk, open_only=True)


# -- the upload waiting in the session -------------------------------------------------------------


def _remember_upload(request, cycle: Cycle, *, form: ImportUploadForm) -> str:
    packed = pipeline.pack_text(form.decoded.text)
    if packed is None:
        raise ImportTooLarge()
    token = secrets.token_urlsafe(16)
    method = form.cleaned_data["payment_method"]
    pending = dict(request.session.get(SESSION_KEY, {}))
    pending[token] = {
        "household": request.household.pk,
        "user": request.user.pk,
        "cycle": cycle.pk,
        "filename": form.cleaned_data["file"].name[:100],
        "encoding": form.decoded.encoding,
        "payment_method": method.pk if method else None,
        "text": packed,
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


# -- the preview -----------------------------------------------------------------------------------


class Preview:
    """Everything one preview request derives from the upload, read once."""

    def __init__(self, request, cycle: Cycle, token: str, *, data=None, confirming=False):
        self.cycle, self.token = cycle, token
        self.upload = _pending_upload(request, cycle, token)
        household = request.household
        try:
            self.statement = pipeline.read_statement(
                pipeline.unpack_text(self.upload["text"]), encoding=self.upload["encoding"]
            )
        except UnreadableFile as error:  # pragma: no cover — it was read at the upload
            raise ImportNotFound() from error
        self.categories = list(selectable_categories(household))
        self.payment_methods = list(selectable_payment_methods(household))
        methods = {method.pk: method for method in self.payment_methods}
        self.payment_method: PaymentMethod | None = methods.get(self.upload["payment_method"])
        window = (cycle.start_date, cycle.end_date)
        self.detected = pipeline.detect_choices(
            self.statement,
            base_currency=household.base_currency,
            window=window,
            remembered=selectors.remembered_mapping(self.payment_method),
        )
        default_category = next(
            (c.pk for c in self.categories if c.name.lower() == "other"),
            self.categories[0].pk if self.categories else None,
        )
        self.form = ImportPreviewForm(
            data,
            statement=self.statement,
            detected=self.detected,
            categories=self.categories,
            default_category=default_category,
            confirming=confirming,
        )
        self.valid = not self.form.is_bound or self.form.is_valid()
        # A refusal of the whole import (a non-field error) still shows the rows it is about.
        readable = self.valid or set(self.form.errors) <= {NON_FIELD_ERRORS}
        self.proposals = []
        self.planned = selectors.planned_expenses(cycle)
        if readable:
            choices = self.form.choices()
            rows = pipeline.read_rows(
                self.statement,
                choices,
                start=cycle.start_date,
                end=cycle.end_date,
                own_last4=frozenset(m.last4 for m in self.payment_methods if m.last4),
            )
            default_category_id = (
                self.form.cleaned_data["category"].pk
                if self.form.is_bound and self.valid
                else default_category
            )
            self.proposals = pipeline.propose(
                rows,
                existing=selectors.imported_counts(cycle=cycle, rows=rows),
                planned=self.planned,
                rule_book=selectors.rule_book(household),
                history=selectors.category_history(household),
                default_category_id=default_category_id,
                default_payment_method_id=self.payment_method.pk if self.payment_method else None,
            )
        self._apply_row_choices(data)

    def _apply_row_choices(self, data) -> None:
        self.row_errors = []
        if data is None or not self.proposals:
            return
        categories = {category.pk: category for category in self.categories}
        planned = {expense.pk: expense for expense in self.planned}
        chosen, self.row_errors = row_choices(
            data, self.proposals, categories=categories, planned=planned
        )
        for proposal in self.proposals:
            if proposal.row.line not in chosen:
                continue
            action, pays, category = chosen[proposal.row.line]
            if action != "skip" and not proposal.row.importable:
                continue
            proposal.action = action
            proposal.pays = planned.get(pays) if pays else None
            if proposal.pays and proposal.pays not in proposal.options:
                proposal.options.insert(0, proposal.pays)
            if category is not None and category.pk != proposal.category_id:
                proposal.category_id, proposal.category_source = category.pk, "chosen"

    def decisions(self) -> list[services.RowDecision]:
        categories = {category.pk: category for category in self.categories}
        methods = {method.pk: method for method in self.payment_methods}
        return [
            services.RowDecision(
                row=proposal.row,
                action=proposal.action,
                category=categories.get(proposal.category_id),
                payment_method=methods.get(proposal.payment_method_id),
                description=proposal.description,
                pays=proposal.pays.pk if proposal.pays else None,
            )
            for proposal in self.proposals
        ]

    def nothing_to_import(self) -> str | None:
        if any(p.action in ("new", "pay") for p in self.proposals):
            return None
        return nothing_to_import_message([p.row for p in self.proposals])

    def context(self) -> dict:
        shown = self.proposals[:PREVIEW_ROWS]
        method_names = {method.pk: str(method) for method in self.payment_methods}
        for proposal in shown:
            proposal.payment_method_name = method_names.get(proposal.payment_method_id, "")
        counts = {status: 0 for status in STATUSES}
        actions = {"new": 0, "pay": 0, "skip": 0}
        for proposal in self.proposals:
            counts[proposal.row.status] += 1
            actions[proposal.action] += 1
        by_currency: dict[str, list] = {}
        for expense in self.planned:
            by_currency.setdefault(expense.currency, []).append(expense)
        categories = {category.pk: category for category in self.categories}
        return {
            "cycle": self.cycle,
            "token": self.token,
            "filename": self.upload["filename"],
            "statement": self.statement,
            "encoding": pipeline.DecodedText(text="", encoding=self.upload["encoding"]).label,
            "payment_method": self.payment_method,
            "form": self.form,
            "proposals": shown,
            "hidden_rows": max(0, len(self.proposals) - PREVIEW_ROWS),
            "counts": counts,
            "actions": actions,
            "importing": actions["new"] + actions["pay"],
            "row_errors": self.row_errors,
            "planned_by_currency": by_currency,
            "category_names": {pk: category.name for pk, category in categories.items()},
            "categories": self.categories,
            "remembered": self.detected.remembered,
            "needs_date_choice": self.form.needs_date_choice if self.valid else False,
            "separator": {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}.get(
                self.statement.table.delimiter if self.statement.table else "", ""
            ),
        }

    def render(self, request, *, status=200) -> HttpResponse:
        if not self.valid or self.row_errors:
            status = 422
        return page_or_partial(
            request,
            page="expenses/imports/preview.html",
            partial="expenses/imports/partials/_preview.html",
            context=self.context(),
            status=status,
        )


def _result_message(result: services.ImportResult) -> str:
    message = (
        f"Imported {result.created} expense{pluralize(result.created)}"
        f" and marked {result.paid} planned expense{pluralize(result.paid)} paid; "
        f"{result.skipped_duplicates} duplicate{pluralize(result.skipped_duplicates)} and "
        f"{result.skipped_invalid} invalid row{pluralize(result.skipped_invalid)} skipped."
    )
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
                token = _remember_upload(request, cycle, form=form)
            except ImportTooLarge as error:
                form.add_error("file", error.message)
            else:
                url = reverse("expenses:import_preview", args=[cycle.pk])
                return redirect_after_write(request, f"{url}?{urlencode({'token': token})}")
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
    return Preview(request, cycle, params.get("token", ""), data=data).render(request)


@household_required
@require_POST
def import_confirm(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    cycle = _open_cycle(request, cycle_pk)
    token = request.POST.get("token", "")
    preview = Preview(request, cycle, token, data=request.POST, confirming=True)
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
                _forget_upload(request, token)
                return redirect_after_write(
                    request, "cycles:detail", cycle.pk, message=_result_message(result)
                )
        preview.valid = False
    return preview.render(request, status=422)


@household_required
@require_POST
def import_rule_from_row(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    """ "Always put LIDL in Food": a rule from one preview row (its description, contains, the
    category chosen for it), then the preview again with the rule applied."""
    cycle = _open_cycle(request, cycle_pk)
    token = request.POST.get("token", "")
    preview = Preview(request, cycle, token, data=request.POST)
    line = request.POST.get("line", "")
    proposal = next((p for p in preview.proposals if str(p.row.line) == line), None)
    if proposal is None or not proposal.row.description:
        preview.form.add_error(None, "That row cannot become a rule.")
        return preview.render(request, status=422)
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
        return preview.render(request, status=422)
    messages.success(request, f"New rule: description {rule} → {rule.category}.")
    # Read again so every row the rule matches shows it.
    return Preview(request, cycle, token, data=request.POST).render(request)


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
