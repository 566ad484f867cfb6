"""Sending Colony's emails: every message is a plain-text body with an HTML alternative, both
rendered from templates/emails/<name>.txt and .html, with the subject from <name>_subject.txt.

Failures are logged with the template name and the error's class only: never the address
list's content beyond the count, the body (it can hold a reset or invite link) nor the server's
credentials.
"""

from __future__ import annotations

import logging
import smtplib
import threading

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connections, transaction
from django.template.loader import render_to_string

logger = logging.getLogger("colony.mail")

# What a failed delivery raises: SMTP refusals, DNS/connection errors, timeouts.
DELIVERY_ERRORS = (smtplib.SMTPException, OSError)
# Backends that write an email where only the server's operator sees it (the console of
# `make run`, a folder): it was "sent" without reaching anyone.
WRITE_ONLY_BACKENDS = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    }
)


def email_enabled() -> bool:
    """True when this server may send email (a real backend, or the console in development)."""
    return bool(settings.EMAIL_ENABLED)


def reaches_recipients() -> bool:
    """True when a sent email goes to its recipients, False when the backend only writes it
    down for the operator (development's console)."""
    return settings.EMAIL_BACKEND not in WRITE_ONLY_BACKENDS


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
        accepted = message.send()
    except DELIVERY_ERRORS as error:
        logger.warning(
            "email not sent",
            extra={"template": template, "recipients": len(to), "error": type(error).__name__},
        )
        return False
    if not accepted:  # the backend took nothing (e.g. no recipient survived)
        logger.warning("email not sent", extra={"template": template, "recipients": len(to)})
        return False
    logger.info("email sent", extra={"template": template, "recipients": len(to)})
    return True


def send_templated_mail_after_response(*, template: str, context: dict, to: list[str]) -> None:
    """Send one email outside the request: once the transaction commits, in a thread of its
    own, so the answer takes as long whether or not an email goes (a reset request or a
    sign-up must not tell anyone that an address has an account). EMAIL_AFTER_RESPONSE off
    (the tests) sends it at once instead."""
    if not settings.EMAIL_AFTER_RESPONSE:
        send_templated_mail(template=template, context=context, to=to)
        return
    kwargs = {"template": template, "context": context, "to": to}

    def start() -> None:
        threading.Thread(target=_send_in_thread, kwargs=kwargs, name="colony-mail").start()

    transaction.on_commit(start)


def _send_in_thread(**kwargs) -> None:
    try:
        send_templated_mail(**kwargs)
    except Exception:
        # A template error must be seen, not kill the thread silently.
        logger.exception("email not sent", extra={"template": kwargs["template"]})
    finally:
        # Only this thread's connections (rendering may have queried).
        connections.close_all()
