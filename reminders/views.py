from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.roles import allowed_for_viewers
from accounts.scoping import household_required
from colony.mail import email_enabled

from . import selectors, services
from .forms import ReminderPreferenceForm


@household_required
@require_http_methods(["GET", "POST"])
@allowed_for_viewers
def preferences(request):
    """A person's own reminder opt-in (viewers too: it changes nothing of the household)."""
    preference = selectors.preference_for(request.user)
    form = ReminderPreferenceForm(
        data=request.POST or None,
        initial={"enabled": preference.enabled, "days_ahead": preference.days_ahead},
    )
    if request.method == "POST":
        if form.is_valid():
            preference = services.set_reminder_preference(user=request.user, **form.cleaned_data)
            if not request.htmx:
                messages.success(
                    request,
                    "Reminders are on." if preference.enabled else "Reminders are off.",
                )
                return redirect("accounts:household")
            form = ReminderPreferenceForm(
                initial={"enabled": preference.enabled, "days_ahead": preference.days_ahead}
            )
            status = 200
        else:
            status = 422
    else:
        status = 200
    context = {
        "reminder_form": form,
        "reminder_preference": preference,
        "email_enabled": email_enabled(),
        "saved": request.method == "POST" and status == 200,
    }
    template = (
        "reminders/partials/_preferences.html" if request.htmx else "reminders/preferences.html"
    )
    return render(request, template, context, status=status)
