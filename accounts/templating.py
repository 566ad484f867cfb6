"""What Colony's templates may call from accounts (gathered by colony/templating.py)."""

from __future__ import annotations

from django.template.loader import render_to_string
from jinja2 import pass_context
from markupsafe import Markup

from . import two_factor
from .forms import TwoFactorRequirementForm
from .selectors import has_two_factor


@pass_context
def two_factor_status(context) -> Markup:
    """`{{ two_factor_status() }}`: the two-factor section of the account page."""
    request = context["request"]
    household = request.household
    membership = request.membership
    enabled = has_two_factor(request.user)
    section = {
        "enabled": enabled,
        "unused": two_factor.unused_recovery_codes(request.user) if enabled else 0,
        "household": household,
        "is_owner": membership is not None and membership.is_owner,
        "requirement_form": TwoFactorRequirementForm(
            initial={"required": household is not None and household.require_two_factor}
        ),
    }
    # The partial escaped every value it printed.
    return Markup(render_to_string("accounts/partials/_two_factor.html", section, request))  # noqa: S704
