"""Logging filters (settings.LOGGING).

Django logs a refused request whose host, form fields or body size are out of bounds
(DisallowedHost, TooManyFieldsSent, TooManyFilesSent, RequestDataTooBig) at ERROR with the
full traceback. Anyone can send one, so they are not our errors: a warning without a traceback
keeps the log readable and an alert on ERROR meaningful.
"""

from __future__ import annotations

import logging

CLIENT_ERRORS = frozenset(
    {"DisallowedHost", "TooManyFieldsSent", "TooManyFilesSent", "RequestDataTooBig"}
)
# The loggers Django writes these to: django.security.<exception class name>.
CLIENT_ERROR_LOGGERS = tuple(f"django.security.{name}" for name in sorted(CLIENT_ERRORS))


class ClientErrorAsWarning(logging.Filter):
    """A record of one of CLIENT_ERRORS becomes a warning and loses its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc_type = record.exc_info[0] if record.exc_info else None
        if record.name in CLIENT_ERROR_LOGGERS or (
            exc_type is not None and exc_type.__name__ in CLIENT_ERRORS
        ):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True
