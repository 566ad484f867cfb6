"""API routes of expenses: payment methods, categories, and the expenses of cycles."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Header, Query, Router
from ninja.renderers import JSONRenderer
from ninja.responses import Status

from accounts.models import User
from accounts.scoping import get_for_household
from colony.api_schemas import (
    COMMON_ERRORS,
    WRITE_ERRORS,
    PageQuery,
    next_page,
    page_of,
    paginate,
    patch_changes,
    patch_merge,
)
from cycles.selectors import household_cycle

from . import selectors, services
from .exceptions import CategoryNotAvailable, InvalidIfMatch, PaymentMethodNotAvailable
from .models import Category, Expense, PaymentMethod
from .schemas import (
    CategoryCreate,
    CategoryResponse,
    CategoryUpdate,
    ExpenseCreate,
    ExpenseFilters,
    ExpenseListItem,
    ExpenseResponse,
    ExpensesBulkCreate,
    ExpensesBulkResponse,
    ExpenseUpdate,
    PaymentCreate,
    PaymentMethodCreate,
    PaymentMethodResponse,
    PaymentMethodUpdate,
    PaymentUpdate,
    expense_json,
)
from .services.bulk import NewExpense, add_expenses
from .setup import selectors as setup_selectors
from .setup import services as setup_services

payment_methods_router = Router(tags=["payment methods"])
categories_router = Router(tags=["categories"])
expenses_router = Router(tags=["expenses"])
# The API's own JSON rendering (the NinjaAPI's default), for a list already in its schema's
# shape.
_RENDERER = JSONRenderer()


def _member(user_id: int | None) -> User | None:
    # Not loaded: the service checks the id belongs to a member of the household.
    return None if user_id is None else User(pk=user_id)


# --- payment methods ----------------------------------------------------------------------------


@payment_methods_router.get("", response={200: page_of(PaymentMethodResponse), **COMMON_ERRORS})
def payment_method_list(request: HttpRequest, page: Query[PageQuery]):
    """The household's payment methods, active first."""
    return paginate(setup_selectors.payment_methods_for_list(request.household), page)


@payment_methods_router.post("", response={201: PaymentMethodResponse, **WRITE_ERRORS})
def payment_method_create(request: HttpRequest, payload: PaymentMethodCreate):
    method = setup_services.create_payment_method(
        household=request.household,
        name=payload.name,
        kind=payload.kind,
        owner=_member(payload.owner_id),
        last4=payload.last4,
        is_active=payload.is_active,
    )
    return Status(201, method)


@payment_methods_router.get("/{int:pk}", response={200: PaymentMethodResponse, **COMMON_ERRORS})
def payment_method_detail(request: HttpRequest, pk: int):
    return get_for_household(PaymentMethod, request.household, pk=pk)


@payment_methods_router.patch("/{int:pk}", response={200: PaymentMethodResponse, **WRITE_ERRORS})
def payment_method_update(request: HttpRequest, pk: int, payload: PaymentMethodUpdate):
    """Change the fields sent; `is_active: false` deactivates (kept on past expenses)."""
    method = get_for_household(PaymentMethod, request.household, pk=pk)
    details = ("name", "kind", "owner", "last4")
    changes = patch_changes(payload, clearable={"owner_id"}, load={"owner_id": _member})
    if changes.keys() & set(details):
        method = setup_services.update_payment_method(
            payment_method=method,
            **patch_merge(
                payload,
                method,
                fields=details,
                clearable={"owner_id"},
                load={"owner_id": _member},
            ),
        )
    if "is_active" in changes:
        method = setup_services.set_payment_method_active(
            payment_method=method, is_active=changes["is_active"]
        )
    return method


@payment_methods_router.delete("/{int:pk}", response={204: None, **WRITE_ERRORS})
def payment_method_delete(request: HttpRequest, pk: int):
    """Delete a payment method no expense or template uses (else 409 PAYMENT_METHOD_IN_USE)."""
    method = get_for_household(PaymentMethod, request.household, pk=pk)
    setup_services.delete_payment_method(payment_method=method)
    return Status(204, None)


# --- categories ---------------------------------------------------------------------------------


@categories_router.get("", response={200: page_of(CategoryResponse), **COMMON_ERRORS})
def category_list(request: HttpRequest, page: Query[PageQuery]):
    """The household's categories, archived last."""
    return paginate(setup_selectors.categories_for_list(request.household), page)


@categories_router.post("", response={201: CategoryResponse, **WRITE_ERRORS})
def category_create(request: HttpRequest, payload: CategoryCreate):
    return Status(
        201, setup_services.create_category(household=request.household, name=payload.name)
    )


@categories_router.get("/{int:pk}", response={200: CategoryResponse, **COMMON_ERRORS})
def category_detail(request: HttpRequest, pk: int):
    return get_for_household(Category, request.household, pk=pk)


@categories_router.patch("/{int:pk}", response={200: CategoryResponse, **WRITE_ERRORS})
def category_update(request: HttpRequest, pk: int, payload: CategoryUpdate):
    """Rename, archive (`is_archived: true`: kept on past rows, no longer offered) or restore."""
    category = get_for_household(Category, request.household, pk=pk)
    changes = patch_changes(payload)
    if "name" in changes:
        category = setup_services.rename_category(category=category, name=changes["name"])
    if "is_archived" in changes:
        category = setup_services.set_category_archived(
            category=category, is_archived=changes["is_archived"]
        )
    return category


# --- expenses -----------------------------------------------------------------------------------


def _expense(request: HttpRequest, pk: int) -> Expense:
    return get_for_household(selectors.expenses_for_api(), request.household, pk=pk)


# The header as the OpenAPI description shows it on the routes that take it (read by _if_match).
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The ETag this expense was read with, e.g. "3": a change made meanwhile '
        "is refused with 409 EXPENSE_CHANGED. Only the strong tag Colony sent; not * or W/.",
    ),
]
_LOCATION = {
    201: {
        "headers": {
            "Location": {
                "description": "The new expense's URL.",
                "schema": {"type": "string"},
            },
            "ETag": {"description": "Its version, for If-Match.", "schema": {"type": "string"}},
        }
    }
}
_ETAG = {
    200: {
        "headers": {
            "ETag": {"description": "Its version, for If-Match.", "schema": {"type": "string"}}
        }
    }
}


def _if_match(request: HttpRequest) -> int | None:
    """The expense version an If-Match header names: exactly the strong ETag Colony sent
    ("3"); None without the header (the write then applies to the expense as it is now, like a
    page without a version). `*` and weak tags (W/"3") are refused: a version check is only
    worth it against the one version the client saw."""
    value = request.headers.get("If-Match")
    if value is None:
        return None
    text = value  # the server (gunicorn) already took the spaces around it off
    if len(text) < 3 or text[0] != '"' or text[-1] != '"':
        raise InvalidIfMatch()
    digits = text[1:-1]
    if not digits.isascii() or not digits.isdigit() or len(digits) > 12:
        raise InvalidIfMatch()
    return int(digits)


def _tagged(response: HttpResponse, expense: Expense) -> Expense:
    """The expense, its version sent as the ETag a later If-Match names."""
    response["ETag"] = f'"{expense.version}"'
    return expense


def _category(request: HttpRequest, pk: int) -> Category:
    found = Category.objects.filter(household=request.household, pk=pk).first()
    if found is None:
        raise CategoryNotAvailable()
    return found


def _payment_method(request: HttpRequest, pk: int | None) -> PaymentMethod | None:
    if pk is None:
        return None
    found = PaymentMethod.objects.filter(household=request.household, pk=pk).first()
    if found is None:
        raise PaymentMethodNotAvailable()
    return found


@expenses_router.get("", response={200: page_of(ExpenseListItem), **COMMON_ERRORS})
def expense_list(request: HttpRequest, page: Query[PageQuery], filters: Query[ExpenseFilters]):
    """The household's expenses, filtered and sorted by date; two queries a page whatever its
    size. Filters are named like the expense's fields (`cycle_id`, `category_id`,
    `payment_method_id`, `created_by_id`, `status`, `date`, `amount`, `external_id`), with
    ranges (`date_from`/`date_to`, `amount_min`/`amount_max`); `next` is the next page's URL."""
    selected = filters.selected()
    rows = selectors.expenses_for_api(household=request.household, **selected)
    count = selectors.expense_count_from_totals(household=request.household, **selected)
    listed = paginate(rows, page, count=count)
    base_currency = request.household.base_currency
    listed["items"] = [expense_json(expense, base_currency) for expense in listed["items"]]
    listed["next"] = next_page(request, listed)
    # Already in the response schema's shape and types (expense_json; a test compares every
    # item with the detail route's answer): rendered as is, without validating 100 rows again,
    # which was half of this route's time.
    return HttpResponse(
        _RENDERER.render(request, listed, response_status=200),
        content_type=_RENDERER.media_type,
    )


def _located(response: HttpResponse, expense: Expense) -> Expense:
    response["Location"] = reverse("api:expense_detail", kwargs={"pk": expense.pk})
    return _tagged(response, expense)


@expenses_router.post(
    "",
    response={201: ExpenseResponse, **WRITE_ERRORS},
    openapi_extra={"responses": _LOCATION},
)
def expense_create(
    request: HttpRequest,
    response: HttpResponse,
    payload: ExpenseCreate,
):
    """Add an expense to a cycle that is not completed, converted at the stored rate for its
    date (or the `rate` the bank charged); no rate stored yet: it awaits one. An
    `external_id` another expense of the household has is 409 EXTERNAL_ID_EXISTS."""
    cycle = household_cycle(request.household, payload.cycle_id)
    cycle.household = request.household
    expense = services.add_expense(
        cycle=cycle,
        created_by=request.user,
        description=payload.description,
        amount=payload.amount,
        currency=payload.currency,
        date=payload.date,
        category=_category(request, payload.category_id),
        payment_method=_payment_method(request, payload.payment_method_id),
        status=payload.status,
        note=payload.note,
        manual_rate=payload.rate,
        external_id=payload.external_id,
    )
    return Status(201, _located(response, expense))


@expenses_router.post("/bulk", response={201: ExpensesBulkResponse, **WRITE_ERRORS})
def expense_bulk_create(request: HttpRequest, payload: ExpensesBulkCreate):
    """Add up to 500 expenses, all or none, in one transaction, each under the rules of POST
    /expenses. Any expense that breaks one refuses them all: 422 (409 when every error is a
    conflict, e.g. EXTERNAL_ID_EXISTS) EXPENSES_REJECTED, with `details.items` giving each
    refused expense's error by its position ("0", "1", …). A cycle that is not the
    household's is 404, like for one expense. The answer lists the expenses in the order
    sent."""
    new = [
        NewExpense(
            cycle_id=item.cycle_id,
            description=item.description,
            amount=item.amount,
            currency=item.currency,
            date=item.date,
            category_id=item.category_id,
            payment_method_id=item.payment_method_id,
            status=item.status,
            note=item.note,
            manual_rate=item.rate,
            external_id=item.external_id,
        )
        for item in payload.items
    ]
    household = request.household
    created = add_expenses(household=household, created_by=request.user, expenses=new)
    base_currency = household.base_currency
    body = {"items": [expense_json(expense, base_currency) for expense in created]}
    # In the schema's shape already (expense_json), like the list: 500 rows are not validated
    # again on the way out.
    return HttpResponse(
        _RENDERER.render(request, body, response_status=201),
        status=201,
        content_type=_RENDERER.media_type,
    )


@expenses_router.get("/{int:pk}", response={200: ExpenseResponse, **COMMON_ERRORS})
def expense_detail(request: HttpRequest, response: HttpResponse, pk: int):
    """The expense, with its version as ETag: send it back as If-Match on a change, and a
    change made meanwhile by someone else is refused with 409 EXPENSE_CHANGED."""
    return _tagged(response, _expense(request, pk))


@expenses_router.patch("/{int:pk}", response={200: ExpenseResponse, **WRITE_ERRORS})
def expense_update(
    request: HttpRequest,
    response: HttpResponse,
    pk: int,
    payload: ExpenseUpdate,
    if_match: IfMatch = None,
):
    """Change the fields sent; a new amount, currency or date takes a new rate snapshot."""
    expense = _expense(request, pk)
    fields = patch_changes(
        payload,
        clearable={"payment_method_id", "rate"},
        load={
            "category_id": lambda pk: _category(request, pk),
            "payment_method_id": lambda pk: _payment_method(request, pk),
        },
    )
    if "rate" in fields:  # null: back to the stored rates
        fields["manual_rate"] = fields.pop("rate")
    services.update_expense(
        expense=expense,
        updated_by=request.user,
        expected_version=_if_match(request),
        **fields,
    )
    return _tagged(response, _expense(request, pk))


@expenses_router.delete("/{int:pk}", response={204: None, **WRITE_ERRORS})
def expense_delete(request: HttpRequest, pk: int, if_match: IfMatch = None):
    services.delete_expense(
        expense=_expense(request, pk), by=request.user, expected_version=_if_match(request)
    )
    return Status(204, None)


@expenses_router.post(
    "/{int:pk}/pay",
    response={200: ExpenseResponse, **WRITE_ERRORS},
    openapi_extra={"responses": _ETAG},
)
def expense_pay(
    request: HttpRequest,
    response: HttpResponse,
    pk: int,
    payload: PaymentUpdate,
    if_match: IfMatch = None,
):
    """Mark the expense paid at `amount` on `date` (see the fields for their defaults); the
    plan is kept, so the difference shows. Paying an expense already paid at that amount on
    that day changes nothing (200, same version, even with an older If-Match): a retry is
    safe. A skipped expense is 409 EXPENSE_NOT_SKIPPED (restore it first)."""
    services.pay_expense(
        expense=_expense(request, pk),
        by=request.user,
        amount=payload.amount,
        paid_on=payload.date,
        expected_version=_if_match(request),
    )
    return _tagged(response, _expense(request, pk))


@expenses_router.post(
    "/{int:pk}/unpay",
    response={200: ExpenseResponse, **WRITE_ERRORS},
    openapi_extra={"responses": _ETAG},
)
def expense_unpay(
    request: HttpRequest,
    response: HttpResponse,
    pk: int,
    if_match: IfMatch = None,
):
    """Plan a paid expense again, at its planned amount. One that is not paid is left as it
    is (200, same version): a retry is safe."""
    services.unpay_expense(
        expense=_expense(request, pk), by=request.user, expected_version=_if_match(request)
    )
    return _tagged(response, _expense(request, pk))


@expenses_router.post(
    "/{int:pk}/toggle-paid",
    response={200: ExpenseResponse, **WRITE_ERRORS},
    deprecated=True,
)
def expense_toggle_paid(
    request: HttpRequest,
    response: HttpResponse,
    pk: int,
    payload: PaymentCreate,
    if_match: IfMatch = None,
):
    """Deprecated: use /pay and /unpay, which say what they want and are safe to retry; a
    toggle sent twice undoes itself. Kept for existing clients: like the cycle page's paid
    box, a planned expense becomes paid at `amount` (default: its planned amount), a paid one
    planned again."""
    services.toggle_paid(
        expense=_expense(request, pk),
        by=request.user,
        actual_amount=payload.amount,
        expected_version=_if_match(request),
    )
    return _tagged(response, _expense(request, pk))


@expenses_router.post("/{int:pk}/skip", response={200: ExpenseResponse, **WRITE_ERRORS})
def expense_skip(
    request: HttpRequest,
    response: HttpResponse,
    pk: int,
    if_match: IfMatch = None,
):
    """Skip a planned occurrence this time: kept, out of every total, never generated again."""
    services.skip_expense(
        expense=_expense(request, pk), by=request.user, expected_version=_if_match(request)
    )
    return _tagged(response, _expense(request, pk))


@expenses_router.post("/{int:pk}/restore", response={200: ExpenseResponse, **WRITE_ERRORS})
def expense_restore(
    request: HttpRequest,
    response: HttpResponse,
    pk: int,
    if_match: IfMatch = None,
):
    services.restore_expense(
        expense=_expense(request, pk), by=request.user, expected_version=_if_match(request)
    )
    return _tagged(response, _expense(request, pk))
