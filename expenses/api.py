"""API routes of expenses: payment methods, categories, and the expenses of cycles."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from accounts.models import User
from accounts.scoping import get_for_household
from colony.api_schemas import COMMON_ERRORS, WRITE_ERRORS, PageQuery, page_of, paginate

from . import selectors_setup, services
from .models import Category, PaymentMethod
from .schemas import (
    CategoryCreate,
    CategoryResponse,
    CategoryUpdate,
    PaymentMethodCreate,
    PaymentMethodResponse,
    PaymentMethodUpdate,
)

payment_methods_router = Router(tags=["payment methods"])
categories_router = Router(tags=["categories"])


def _member(user_id: int | None) -> User | None:
    # Not loaded: the service checks the id belongs to a member of the household.
    return None if user_id is None else User(pk=user_id)


# --- payment methods ----------------------------------------------------------------------------


@payment_methods_router.get("", response={200: page_of(PaymentMethodResponse), **COMMON_ERRORS})
def payment_method_list(request: HttpRequest, page: Query[PageQuery]):
    """The household's payment methods, active first."""
    return paginate(selectors_setup.payment_methods_for_list(request.household), page)


@payment_methods_router.post("", response={201: PaymentMethodResponse, **WRITE_ERRORS})
def payment_method_create(request: HttpRequest, payload: PaymentMethodCreate):
    method = services.create_payment_method(
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
    sent = payload.model_dump(exclude_unset=True)
    details = {"name", "kind", "owner_id", "last4"}
    if details & sent.keys():
        method = services.update_payment_method(
            payment_method=method,
            name=sent.get("name", method.name),
            kind=sent.get("kind") or method.kind,
            owner=_member(sent["owner_id"]) if "owner_id" in sent else method.owner,
            last4=sent["last4"] if sent.get("last4") is not None else method.last4,
        )
    if sent.get("is_active") is not None:
        method = services.set_payment_method_active(
            payment_method=method, is_active=sent["is_active"]
        )
    return method


@payment_methods_router.delete("/{int:pk}", response={204: None, **WRITE_ERRORS})
def payment_method_delete(request: HttpRequest, pk: int):
    """Delete a payment method no expense or template uses (else 409 PAYMENT_METHOD_IN_USE)."""
    method = get_for_household(PaymentMethod, request.household, pk=pk)
    services.delete_payment_method(payment_method=method)
    return Status(204, None)


# --- categories ---------------------------------------------------------------------------------


@categories_router.get("", response={200: page_of(CategoryResponse), **COMMON_ERRORS})
def category_list(request: HttpRequest, page: Query[PageQuery]):
    """The household's categories, archived last."""
    return paginate(selectors_setup.categories_for_list(request.household), page)


@categories_router.post("", response={201: CategoryResponse, **WRITE_ERRORS})
def category_create(request: HttpRequest, payload: CategoryCreate):
    return Status(201, services.create_category(household=request.household, name=payload.name))


@categories_router.get("/{int:pk}", response={200: CategoryResponse, **COMMON_ERRORS})
def category_detail(request: HttpRequest, pk: int):
    return get_for_household(Category, request.household, pk=pk)


@categories_router.patch("/{int:pk}", response={200: CategoryResponse, **WRITE_ERRORS})
def category_update(request: HttpRequest, pk: int, payload: CategoryUpdate):
    """Rename, archive (`is_archived: true`: kept on past rows, no longer offered) or restore."""
    category = get_for_household(Category, request.household, pk=pk)
    sent = payload.model_dump(exclude_unset=True)
    if sent.get("name") is not None:
        category = services.rename_category(category=category, name=sent["name"])
    if sent.get("is_archived") is not None:
        category = services.set_category_archived(
            category=category, is_archived=sent["is_archived"]
        )
    return category
