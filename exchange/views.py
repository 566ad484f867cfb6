from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.scoping import household_required

from . import selectors


@require_GET
@household_required
def rates(request):
    overview = selectors.rates_overview(
        base_currency=request.household.base_currency, today=timezone.localdate()
    )
    return render(request, "exchange/rates.html", {"overview": overview})
