"""The test suite: always PostgreSQL, so constraints and locking are the real ones."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-key-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/colony"),
}
# Hashing with Argon2 on every created user would make the suite slow; the one test that proves
# Argon2 is used overrides this back.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Jinja2 pages fill `response.context` in tests too (tests/rendering.py).
TEMPLATES[0]["BACKEND"] = "tests.rendering.RecordingJinja2"  # noqa: F405
# Emails sent after the response go at once, so tests read them from mail.outbox.
EMAIL_AFTER_RESPONSE = False
