"""Production: many stateless gunicorn workers behind a TLS-terminating load balancer."""

import copy

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import LOGGING, env

DEBUG = False

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Production refuses to start without it: set SECRET_KEY in the "
        "environment to a long random value (python -c 'import secrets; "
        "print(secrets.token_urlsafe(50))')."
    )

# Mail is sent only through a real backend (SMTP). Without EMAIL_URL Colony still runs — invites
# are shared as copied links, no reminders — but password reset needs email, so it must be
# turned off explicitly rather than failing silently for someone locked out.
EMAIL_ENABLED = EMAIL_BACKEND not in {  # noqa: F405
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
}
PASSWORD_RESET_BY_EMAIL = env.bool("PASSWORD_RESET_BY_EMAIL", default=True)
if PASSWORD_RESET_BY_EMAIL and not EMAIL_ENABLED:
    raise ImproperlyConfigured(
        "Password reset needs email but EMAIL_URL is not set to a sending backend. Set EMAIL_URL "
        "(e.g. smtp+tls://user:password@mail.example.com:587) and DEFAULT_FROM_EMAIL, or set "
        "PASSWORD_RESET_BY_EMAIL=false to run without email."
    )

# Behind the load balancer: the client address is the last X-Forwarded-For entry it appended
# (one proxy). Set TRUSTED_PROXY_COUNT to the real number of proxies (README, Production).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
NINJA_NUM_PROXIES = TRUSTED_PROXY_COUNT

# The load balancer terminates TLS and says so in this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# The __Host- prefix makes browsers refuse the cookie unless it is Secure, host-only and Path=/.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# A copy, so the base dictionary other settings modules import is left as it is.
LOGGING = copy.deepcopy(LOGGING)
LOGGING["handlers"]["console"]["formatter"] = "json"
