from django.shortcuts import render

from accounts import selectors as account_selectors
from accounts.scoping import household_required


@household_required
def dashboard(request):
    household = request.household
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "members": account_selectors.household_members(household),
            "pending_invite_count": account_selectors.pending_invites(household).count(),
        },
    )
