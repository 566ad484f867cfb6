"""Expense template pages: list, add, edit, pause/resume, delete, and the live preview."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.scoping import get_for_household, household_required
from colony.htmx import page_or_partial, partial_or_redirect, redirect_after_write
from cycles.selectors import next_cycle_start

from . import selectors, services
from .forms import TemplateForm
from .models import ExpenseTemplate

# Fields the preview needs; the rest of the form may still be incomplete.
PREVIEW_FIELDS = ("amount", "currency", "frequency", "day_of_month", "start_date", "end_date")


def _preview(request: HttpRequest, form: TemplateForm, saved: ExpenseTemplate | None = None):
    """The preview for the form's values (or the saved template's before any edit), or None
    while they do not make a schedule yet."""
    start = next_cycle_start(request.household, today=timezone.localdate())
    if not form.is_bound:
        return selectors.template_preview(saved, start=start) if saved else None
    form.is_valid()
    if any(field in form.errors for field in PREVIEW_FIELDS):
        return None
    values = form.cleaned_data
    plan = ExpenseTemplate(
        amount=values["amount"],
        currency=values["currency"],
        frequency=values["frequency"],
        day_of_month=values.get("day_of_month"),
        start_date=values["start_date"],
        end_date=values.get("end_date"),
    )
    return selectors.template_preview(plan, start=start)


def _form_page(request, form, template=None, *, status=200) -> HttpResponse:
    return page_or_partial(
        request,
        page="templates_app/template_form.html",
        partial="templates_app/partials/_template_form.html",
        context={"form": form, "template": template, "preview": _preview(request, form, template)},
        status=status,
    )


def _done(request: HttpRequest, message: str) -> HttpResponse:
    return redirect_after_write(request, "templates_app:template_list", message=message)


@household_required
def template_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.with_schedule(
        selectors.templates_for_list(request.household), timezone.localdate()
    )
    return render(request, "templates_app/templates.html", {"templates": rows})


@household_required
@require_http_methods(["GET", "POST"])
def template_create(request: HttpRequest) -> HttpResponse:
    form = TemplateForm(
        request.POST or None,
        household=request.household,
        initial={"start_date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        template = services.create_template(household=request.household, **form.cleaned_data)
        return _done(request, f"Template {template.name} added.")
    return _form_page(request, form, status=422 if form.is_bound else 200)


@household_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_for_household(ExpenseTemplate, request.household, pk=pk)
    form = TemplateForm(
        request.POST or None,
        household=request.household,
        template=template,
        initial=TemplateForm.initial_for(template),
    )
    if request.method == "POST" and form.is_valid():
        services.update_template(template=template, **form.cleaned_data)
        return _done(request, f"Template {template.name} saved.")
    return _form_page(request, form, template, status=422 if form.is_bound else 200)


@household_required
@require_http_methods(["GET", "POST"])
def template_preview(request: HttpRequest) -> HttpResponse:
    """The preview partial for the values currently in the form (HTMX, on every change)."""
    data = request.POST if request.method == "POST" else request.GET
    form = TemplateForm(data, household=request.household)
    return render(
        request,
        "templates_app/partials/_template_preview.html",
        {"preview": _preview(request, form)},
    )


@household_required
@require_POST
def template_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_for_household(ExpenseTemplate, request.household, pk=pk)
    services.set_template_active(template=template, is_active=not template.is_active)

    def row_context():
        row = selectors.template_for_row(request.household, template.pk)
        (row,) = selectors.with_schedule([row], timezone.localdate())
        return {"template": row}

    state = "resumed" if template.is_active else "paused"
    return partial_or_redirect(
        request,
        "templates_app/partials/_template_row.html",
        row_context,
        to="templates_app:template_list",
        message=f"Template {template.name} {state}.",
    )


@household_required
@require_POST
def template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_for_household(ExpenseTemplate, request.household, pk=pk)
    name = template.name
    kept = services.delete_template(template=template)
    if kept:
        made = "The expense it made is" if kept == 1 else f"The {kept} expenses it made are"
        message = f"Template {name} deleted. {made} kept."
    else:
        message = f"Template {name} deleted."
    return _done(request, message)
