"""Local development: `make run`. Never used in production."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
# Serve static files straight from static/ (no collectstatic in development).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# SQLite cannot make NULLs equal in a unique constraint (ExpenseTotal's payment method); the
# SQLite triggers that keep those totals match rows with `IS` instead, so nothing is lost.
SILENCED_SYSTEM_CHECKS = ["models.W047"]
