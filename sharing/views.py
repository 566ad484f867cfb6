"""The Balances page: who owes whom, the settle-up plan with its Settle up buttons, the
history of shared expenses and settlements, and the household's default split."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.scoping import get_for_household, household_required
from accounts.selectors import member_list
from colony.htmx import page_or_partial, redirect_after_write
from cycles.selectors import household_cycle

from . import selectors, services
from .exceptions import SplitInvalid
from .forms import DefaultSplitForm, SettleForm
from .models import Settlement

PAGE = "sharing/balances.html"
PARTIAL = "sharing/partials/_balances.html"


def _context(request: HttpRequest, **extra) -> dict:
    household = request.household
    members = member_list(household)
    default = selectors.household_default_split(household)
    return {
        "balances": selectors.balances(household=household),
        "settlements": selectors.settlements(household=household)[:50],
        "history": selectors.shared_expense_history(household=household),
        "default_split": default,
        "split_form": extra.pop("split_form", None)
        or DefaultSplitForm(
            members=members,
            initial={
                "kind": default.kind if default else "equal",
                **{f"weight_{k}": v for k, v in (default.weights if default else {}).items()},
            },
        ),
        "is_owner": request.membership is not None and request.membership.is_owner,
        **extra,
    }


@household_required
@require_GET
def balances(request: HttpRequest) -> HttpResponse:
    return page_or_partial(request, page=PAGE, partial=PARTIAL, context=_context(request))


@household_required
@require_POST
def settle(request: HttpRequest) -> HttpResponse:
    """Record one transfer of the settle-up plan; the Balances page swaps in place, the cycle
    page and the dashboard reload."""
    form = SettleForm(request.POST)
    if not form.is_valid():
        return render(request, PARTIAL, _context(request, settle_error=True), status=422)
    data = form.cleaned_data
    cycle = household_cycle(request.household, data["cycle"]) if data["cycle"] else None
    services.record_settlement(
        household=request.household,
        by=request.user,
        from_user_id=data["from_user"],
        to_user_id=data["to_user"],
        amount=data["amount"],
        currency=request.household.base_currency,
        on_date=timezone.localdate(),
        note=data["note"],
        cycle=cycle,
        expected_balance=data["balance"],
    )
    if data["back"] == "cycle" and cycle is not None:
        return redirect_after_write(request, "cycles:detail", cycle.pk, message="Settled.")
    if data["back"] == "dashboard":
        return redirect_after_write(request, "dashboard", message="Settled.")
    if request.htmx:
        return render(request, PARTIAL, _context(request))
    return redirect_after_write(request, "sharing:balances", message="Settled.")


@household_required
@require_POST
def settlement_delete(request: HttpRequest, pk: int) -> HttpResponse:
    settlement = get_for_household(Settlement, request.household, pk=pk)
    services.delete_settlement(settlement=settlement, by=request.user)
    if request.htmx:
        return render(request, PARTIAL, _context(request))
    return redirect_after_write(request, "sharing:balances", message="Settlement deleted.")


@household_required
@require_POST
def default_split(request: HttpRequest) -> HttpResponse:
    """An owner sets the split new expenses get when none is chosen."""
    form = DefaultSplitForm(request.POST, members=member_list(request.household))
    if form.is_valid():
        try:
            services.set_default_split(
                household=request.household,
                by=request.user,
                split=services.SplitChoice(kind=form.cleaned_data["kind"], shares=form.weights()),
            )
        except SplitInvalid as error:
            form.add_error(None, error.message)
        else:
            if request.htmx:
                return render(request, PARTIAL, _context(request, split_saved=True))
            return redirect_after_write(request, "sharing:balances", message="Default saved.")
    return render(request, PARTIAL, _context(request, split_form=form), status=422)
