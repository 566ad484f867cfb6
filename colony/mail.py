"""Sending Colony's emails: every message is a plain-text body with an HTML alternative, both
rendered from templates/emails/<name>.txt and .html, with the subject from <name>_subject.txt.

Failures are logged with the template name and the error's class only: never the address
list's content beyond the count, the body (it can hold a reset or invite link) nor the server's
credentials.
"""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

logger = logging.getLogger("colony.mail")

# What a failed delivery raises: SMTP refusals, DNS/connection errors, timeouts.
DELIVERY_ERRORS = (smtplib.SMTPException, OSError)


def email_enabled() -> bool:
    """True when this server may send email (a real backend, or the console in development)."""
    return bool(settings.EMAIL_ENABLED)


def render_templated_mail(*, template: str, context: dict, to: list[str]) -> EmailMultiAlternatives:
    subject = render_to_string(f"emails/{template}_subject.txt", context)
    # A header cannot hold a newline.
    subject = " ".join(subject.split())
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(html, "text/html")
    return message


def send_templated_mail(*, template: str, context: dict, to: list[str]) -> bool:
    """Send one email; True when the backend accepted it, False (logged) when delivery failed."""
    message = render_templated_mail(template=template, context=context, to=to)
    try:
        message.send()
    except DELIVERY_ERRORS as error:
        logger.warning(
            "email not sent",
            extra={"template": template, "recipients": len(to), "error": type(error).__name__},
        )
        return False
    logger.info("email sent", extra={"template": template, "recipients": len(to)})
    return True
