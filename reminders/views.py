from django.views.decorators.http import require_http_methods

from accounts.roles import allowed_for_viewers
from accounts.scoping import household_required
from colony.htmx import page_or_partial, partial_or_redirect
from colony.mail import email_enabled

from . import selectors, services
from .forms import ReminderPreferenceForm

PARTIAL = "reminders/partials/_preferences.html"


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
    status = 200
    if request.method == "POST":
        if form.is_valid():
            preference = services.set_reminder_preference(user=request.user, **form.cleaned_data)
            saved = "Reminders are on." if preference.enabled else "Reminders are off."
            form = ReminderPreferenceForm(
                initial={"enabled": preference.enabled, "days_ahead": preference.days_ahead}
            )
            context = _context(form, preference, saved=True)
            return partial_or_redirect(
                request, PARTIAL, context, to="accounts:household", message=saved
            )
        status = 422
    return page_or_partial(
        request,
        page="reminders/preferences.html",
        partial=PARTIAL,
        context=_context(form, preference, saved=False),
        status=status,
    )


def _context(form, preference, *, saved: bool) -> dict:
    return {
        "reminder_form": form,
        "reminder_preference": preference,
        "email_enabled": email_enabled(),
        "saved": saved,
    }
