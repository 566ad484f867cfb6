"""API routes of expense templates: list (with the next occurrence), create, change, pause,
delete, preview — through templates_app.services, like the pages."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status

from accounts.scoping import get_for_household
from colony.api_schemas import (
    COMMON_ERRORS,
    WRITE_ERRORS,
    PageQuery,
    money,
    page_of,
    paginate,
    patch_merge,
)
from cycles.selectors import next_cycle_start
from expenses.exceptions import CategoryNotAvailable, PaymentMethodNotAvailable
from expenses.models import Category, PaymentMethod

from . import selectors, services
from .models import ExpenseTemplate
from .schemas import TemplateCreate, TemplatePreviewResponse, TemplateResponse, TemplateUpdate

router = Router(tags=["templates"])


def _template(request: HttpRequest, pk: int) -> ExpenseTemplate:
    template = get_for_household(
        selectors.templates_for_list(request.household), request.household, pk=pk
    )
    (template,) = selectors.with_schedule([template], timezone.localdate())
    return template


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


@router.get("", response={200: page_of(TemplateResponse), **COMMON_ERRORS})
def template_list(request: HttpRequest, page: Query[PageQuery]):
    """The household's templates, active first, each with its next occurrence."""
    found = paginate(selectors.templates_for_list(request.household), page)
    found["items"] = selectors.with_schedule(found["items"], timezone.localdate())
    return found


@router.post("", response={201: TemplateResponse, **WRITE_ERRORS})
def template_create(request: HttpRequest, payload: TemplateCreate):
    template = services.create_template(
        household=request.household,
        name=payload.name,
        amount=payload.amount,
        currency=payload.currency,
        is_income=payload.is_income,
        category=None if payload.category_id is None else _category(request, payload.category_id),
        payment_method=_payment_method(request, payload.payment_method_id),
        frequency=payload.frequency,
        day_of_month=payload.day_of_month,
        start_date=payload.start_date,
        end_date=payload.end_date,
        is_active=payload.is_active,
        note=payload.note,
    )
    return Status(201, _template(request, template.pk))


@router.get("/{int:pk}", response={200: TemplateResponse, **COMMON_ERRORS})
def template_detail(request: HttpRequest, pk: int):
    return _template(request, pk)


@router.patch("/{int:pk}", response={200: TemplateResponse, **WRITE_ERRORS})
def template_update(request: HttpRequest, pk: int, payload: TemplateUpdate):
    """Change the fields sent; expenses the template already made stay as they are."""
    template = _template(request, pk)
    services.update_template(
        template=template,
        **patch_merge(
            payload,
            template,
            fields=(
                "name",
                "amount",
                "currency",
                "is_income",
                "category",
                "payment_method",
                "frequency",
                "day_of_month",
                "start_date",
                "end_date",
                "is_active",
                "note",
            ),
            clearable={"payment_method_id", "day_of_month", "end_date"},
            load={
                "category_id": lambda pk: _category(request, pk),
                "payment_method_id": lambda pk: _payment_method(request, pk),
            },
        ),
    )
    return _template(request, pk)


@router.delete("/{int:pk}", response={204: None, **WRITE_ERRORS})
def template_delete(request: HttpRequest, pk: int):
    """Delete a template; the expenses it already made are kept."""
    services.delete_template(template=_template(request, pk))
    return Status(204, None)


@router.get("/{int:pk}/preview", response={200: TemplatePreviewResponse, **COMMON_ERRORS})
def template_preview(request: HttpRequest, pk: int):
    """How many expenses the template makes in the next cycle, and their total."""
    template = _template(request, pk)
    start = next_cycle_start(request.household, today=timezone.localdate())
    preview = selectors.template_preview(template, start=start)
    return {
        "start": preview.start,
        "end": preview.end,
        "count": preview.count,
        "total": money(preview.total, preview.currency),
        "currency": preview.currency,
    }
