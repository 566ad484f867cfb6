"""Writes for reminders: each person's opt-in, and sending the day's reminder emails."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction

from colony.mail import DELIVERY_ERRORS, render_templated_mail
from formats.locales import using as using_format

from .models import MAX_DAYS_AHEAD, ReminderPreference, ReminderSent
from .selectors import household_digest, opted_in_memberships

logger = logging.getLogger("colony.reminders")


def set_reminder_preference(*, user, enabled: bool, days_ahead: int) -> ReminderPreference:
    """A person turns their reminder email on or off and says how many days ahead it looks."""
    if not 1 <= days_ahead <= MAX_DAYS_AHEAD:
        raise ValueError(days_ahead)
    preference, _ = ReminderPreference.objects.update_or_create(
        user=user, defaults={"enabled": enabled, "days_ahead": days_ahead}
    )
    return preference


@dataclass
class SendSummary:
    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    nothing_due: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


class _NotDelivered(Exception):
    pass


def send_reminders(*, today: date) -> SendSummary:
    """Email every opted-in person what is due in their household in their next days, at most
    once per person per day (a ReminderSent row, written in the same transaction as the send,
    so a failed send is retried on the next run and a repeated run sends nothing)."""
    summary = SendSummary()
    digests = {}
    for membership in opted_in_memberships():
        user = membership.user
        days = user.reminder_preference.days_ahead
        key = (membership.household_id, days)
        if key not in digests:
            digests[key] = household_digest(membership.household, today=today, days_ahead=days)
        digest = digests[key]
        if digest.is_empty:
            summary.nothing_due.append(user.email)
            continue
        try:
            with transaction.atomic():
                ReminderSent.objects.create(
                    user=user, sent_on=today, expenses=len(digest.expenses_due)
                )
                # Dates and amounts in the household's own format, as on its pages.
                with using_format(membership.household.format_locale):
                    message = render_templated_mail(
                        template="reminder",
                        context={"user": user, "digest": digest, "site_url": settings.SITE_URL},
                        to=[user.email],
                    )
                try:
                    message.send()
                except DELIVERY_ERRORS as error:
                    raise _NotDelivered(type(error).__name__) from error
        except IntegrityError:
            summary.already_sent.append(user.email)
        except _NotDelivered as error:
            logger.warning("reminder not sent", extra={"user_id": user.pk, "error": str(error)})
            summary.failed.append(user.email)
        else:
            summary.sent.append(user.email)
    return summary
