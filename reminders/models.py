from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

MAX_DAYS_AHEAD = 31


class ReminderPreference(models.Model):
    """A person's choice to get the reminder email, and how far ahead it looks."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    enabled = models.BooleanField(default=False)
    days_ahead = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS_AHEAD)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(days_ahead__gte=1, days_ahead__lte=MAX_DAYS_AHEAD),
                name="reminders_preference_days_ahead_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"Reminders for {self.user} ({'on' if self.enabled else 'off'})"


class ReminderSent(models.Model):
    """One reminder email sent to one person on one day: `send_reminders` sends at most one a
    day however often it runs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders_sent"
    )
    sent_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    expenses = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "sent_on"], name="reminders_one_per_day")
        ]

    def __str__(self) -> str:
        return f"Reminder to {self.user} on {self.sent_on}"
