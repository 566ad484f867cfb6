"""`{% two_factor_status %}`: the two-factor section of the account page, in its own partial."""

from django import template

from accounts import two_factor
from accounts.forms import TwoFactorRequirementForm

register = template.Library()


@register.inclusion_tag("accounts/partials/_two_factor.html", takes_context=True)
def two_factor_status(context):
    request = context["request"]
    household = request.household
    membership = request.membership
    enabled = two_factor.has_two_factor(request.user)
    return {
        "enabled": enabled,
        "unused": two_factor.unused_recovery_codes(request.user) if enabled else 0,
        "household": household,
        "is_owner": membership is not None and membership.is_owner,
        "requirement_form": TwoFactorRequirementForm(
            initial={"required": household is not None and household.require_two_factor}
        ),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
