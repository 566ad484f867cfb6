"""`{% reminder_preferences %}`: the reminders section of the account page, in its own partial
so the accounts app needs to know nothing about reminders."""

from django import template

from colony.mail import email_enabled
from reminders import selectors
from reminders.forms import ReminderPreferenceForm

register = template.Library()


@register.inclusion_tag("reminders/partials/_preferences.html", takes_context=True)
def reminder_preferences(context):
    user = context["request"].user
    preference = selectors.preference_for(user)
    return {
        "reminder_form": ReminderPreferenceForm(
            initial={"enabled": preference.enabled, "days_ahead": preference.days_ahead}
        ),
        "reminder_preference": preference,
        "email_enabled": email_enabled(),
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }
