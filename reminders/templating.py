"""What Colony's templates may call from reminders (gathered by colony/templating.py): the
account page's reminders section, so the accounts app needs to know nothing about reminders."""

from __future__ import annotations

from django.template.loader import render_to_string
from jinja2 import pass_context
from markupsafe import Markup

from colony.mail import email_enabled

from . import selectors
from .forms import ReminderPreferenceForm


@pass_context
def reminder_preferences(context) -> Markup:
    """`{{ reminder_preferences() }}`: the reminders section of the account page."""
    request = context["request"]
    preference = selectors.preference_for(request.user)
    section = {
        "reminder_form": ReminderPreferenceForm(
            initial={"enabled": preference.enabled, "days_ahead": preference.days_ahead}
        ),
        "reminder_preference": preference,
        "email_enabled": email_enabled(),
    }
    # The partial escaped every value it printed.
    return Markup(render_to_string("reminders/partials/_preferences.html", section, request))  # noqa: S704
