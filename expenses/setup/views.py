"""Household set-up pages: payment methods and categories.

Every write works as a plain form POST (post/redirect/get) and, with HTMX, answers with the
partial it changed; invalid input comes back as the form with errors and status 422.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.scoping import get_for_household, household_required
from colony.htmx import page_or_partial, partial_or_redirect, redirect_after_write

from ..exceptions import CategoryNameExists, PaymentMethodNameExists
from ..models import Category, PaymentMethod
from . import selectors, services
from .forms import CategoryForm, PaymentMethodForm

# --- payment methods ------------------------------------------------------------------------


@household_required
def payment_method_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "expenses/payment_methods.html",
        {"payment_methods": selectors.payment_methods_for_list(request.household)},
    )


def _payment_method_form_page(request, form, payment_method=None, status=200) -> HttpResponse:
    return page_or_partial(
        request,
        page="expenses/payment_method_form.html",
        partial="expenses/partials/_payment_method_form.html",
        context={"form": form, "payment_method": payment_method},
        status=status,
    )


@household_required
@require_http_methods(["GET", "POST"])
def payment_method_create(request: HttpRequest) -> HttpResponse:
    form = PaymentMethodForm(
        request.POST or None, household=request.household, initial={"owner": request.user.pk}
    )
    if request.method == "POST" and form.is_valid():
        try:
            payment_method = services.create_payment_method(
                household=request.household, **form.cleaned_data
            )
        except PaymentMethodNameExists as error:
            form.add_error("name", error.message)
        else:
            return redirect_after_write(
                request, "expenses:payment_method_list", message=f"{payment_method.name} added."
            )
    return _payment_method_form_page(request, form, status=422 if form.is_bound else 200)


@household_required
@require_http_methods(["GET", "POST"])
def payment_method_edit(request: HttpRequest, pk: int) -> HttpResponse:
    payment_method = get_for_household(PaymentMethod, request.household, pk=pk)
    form = PaymentMethodForm(
        request.POST or None,
        household=request.household,
        initial=PaymentMethodForm.initial_for(payment_method),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_payment_method(payment_method=payment_method, **form.cleaned_data)
        except PaymentMethodNameExists as error:
            form.add_error("name", error.message)
        else:
            return redirect_after_write(
                request, "expenses:payment_method_list", message=f"{payment_method.name} saved."
            )
    return _payment_method_form_page(
        request, form, payment_method, status=422 if form.is_bound else 200
    )


@household_required
@require_POST
def payment_method_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    payment_method = get_for_household(PaymentMethod, request.household, pk=pk)
    services.set_payment_method_active(
        payment_method=payment_method, is_active=not payment_method.is_active
    )
    state = "reactivated" if payment_method.is_active else "deactivated"
    return partial_or_redirect(
        request,
        "expenses/partials/_payment_method_row.html",
        lambda: {
            "payment_method": selectors.payment_method_for_row(request.household, payment_method.pk)
        },
        to="expenses:payment_method_list",
        message=f"{payment_method.name} {state}.",
    )


@household_required
@require_POST
def payment_method_delete(request: HttpRequest, pk: int) -> HttpResponse:
    payment_method = get_for_household(PaymentMethod, request.household, pk=pk)
    services.delete_payment_method(payment_method=payment_method)
    return redirect_after_write(
        request, "expenses:payment_method_list", message=f"{payment_method.name} deleted."
    )


# --- categories -----------------------------------------------------------------------------


def _category_page(request, form, status=200) -> HttpResponse:
    return page_or_partial(
        request,
        page="expenses/categories.html",
        partial="expenses/partials/_categories.html",
        context={"categories": selectors.categories_for_list(request.household), "form": form},
        status=status,
    )


@household_required
def category_list(request: HttpRequest) -> HttpResponse:
    return _category_page(request, CategoryForm())


@household_required
@require_POST
def category_create(request: HttpRequest) -> HttpResponse:
    form = CategoryForm(request.POST)
    if form.is_valid():
        try:
            category = services.create_category(
                household=request.household, name=form.cleaned_data["name"]
            )
        except CategoryNameExists as error:
            form.add_error("name", error.message)
        else:
            return partial_or_redirect(
                request,
                "expenses/partials/_categories.html",
                lambda: {
                    "categories": selectors.categories_for_list(request.household),
                    "form": CategoryForm(),
                },
                to="expenses:category_list",
                message=f"{category.name} added.",
            )
    return _category_page(request, form, status=422)


@household_required
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_for_household(Category, request.household, pk=pk)
    form = CategoryForm(request.POST or None, initial={"name": category.name})
    if request.method == "POST" and form.is_valid():
        old_name = category.name
        try:
            services.rename_category(category=category, name=form.cleaned_data["name"])
        except CategoryNameExists as error:
            form.add_error("name", error.message)
        else:
            return redirect_after_write(
                request, "expenses:category_list", message=f"{old_name} renamed to {category.name}."
            )
    return page_or_partial(
        request,
        page="expenses/category_form.html",
        partial="expenses/partials/_category_form.html",
        context={"form": form, "category": category},
        status=422 if form.is_bound else 200,
    )


@household_required
@require_POST
def category_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_for_household(Category, request.household, pk=pk)
    services.set_category_archived(category=category, is_archived=not category.is_archived)
    state = "archived" if category.is_archived else "restored"
    return partial_or_redirect(
        request,
        "expenses/partials/_category_row.html",
        lambda: {"category": selectors.category_for_row(request.household, category.pk)},
        to="expenses:category_list",
        message=f"{category.name} {state}.",
    )
