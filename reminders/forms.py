from django import forms

from .models import MAX_DAYS_AHEAD


class ReminderPreferenceForm(forms.Form):
    enabled = forms.BooleanField(label="Email me reminders", required=False)
    days_ahead = forms.IntegerField(
        label="Days ahead",
        min_value=1,
        max_value=MAX_DAYS_AHEAD,
        help_text="Planned expenses due and cycles ending within this many days.",
    )
