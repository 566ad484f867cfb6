"""`make bench`: production settings served over plain HTTP on 127.0.0.1, quiet logs."""

import os

# The benchmark sends no mail.
os.environ.setdefault("PASSWORD_RESET_BY_EMAIL", "false")

from .production import *  # noqa: F403
from .production import LOGGING

ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SECURE_SSL_REDIRECT = False
# The benchmark does not run collectstatic; hashed names are irrelevant to its numbers.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING["root"]["level"] = "WARNING"
LOGGING["loggers"]["django"]["level"] = "WARNING"

# Static files are found through the finders: no collectstatic before a benchmark run.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# Every response's status is in the bench table; a 404 on purpose is not a log line.
LOGGING["loggers"]["django.request"] = {"level": "ERROR"}
# The bench sends thousands of API requests with one token: counted (the cost is measured) but
# never refused.
API_RATE_LIMIT_PER_MINUTE = 10_000_000
