"""Settings shared by every environment; everything that differs comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ

from colony.log_filters import CLIENT_ERROR_LOGGERS

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A developer's .env is read when present; real deployments set variables in the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # The admin, behind Colony's log-in and two-factor (accounts/admin_site.py).
    "accounts.admin_site.ColonyAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's own widget templates (its Jinja2 copies), for the form renderer.
    "django.forms",
    "django_htmx",
    "corsheaders",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Only for its templates and static files: the API docs' Swagger UI comes from our own
    # static files, never from a CDN.
    "ninja",
    "formats",
    "accounts",
    "exchange",
    "sharing",
    "expenses",
    "templates_app",
    "cycles",
    "budget",
    "reports",
    "reminders",
]

# Uploads: a bank statement is at most 10 MB (expenses.imports.limits); a request body over
# MAX_UPLOAD_REQUEST_BYTES has its files discarded unread (colony.uploads), files up to the
# memory limit stay in memory, and other form fields are capped.
MAX_UPLOAD_REQUEST_BYTES = 11 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "colony.uploads.DiscardOversizedUploads",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # CORS headers (and preflight answers) for the API only, before anything that answers.
    "corsheaders.middleware.CorsMiddleware",
    # TRACE is 405 and an over-long URI 414 (JSON under /api/), before anything else runs.
    "colony.request_line.RequestLineMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "colony.errors.ApiErrorEnvelopeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Logged-in responses are never stored by a browser or proxy cache.
    "accounts.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.HouseholdMiddleware",
    # Viewers read and never write: one check for every write URL.
    "accounts.middleware.ReadOnlyRoleMiddleware",
    # A household that requires two-factor sends members without it to set it up.
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "formats.middleware.FormatLocaleMiddleware",
    "colony.errors.DomainErrorMiddleware",
    # Last, so it sees the lockout raised by the authentication backend.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "colony.urls"
# Forms render through the project's Jinja2 templates (colony/form_renderer.py).
FORM_RENDERER = "colony.form_renderer.FormRenderer"
WSGI_APPLICATION = "colony.wsgi.application"

TEMPLATES = [
    {
        # Every Colony page, partial, form and e-mail (colony/templating.py). APP_DIRS finds
        # Django's Jinja2 widget templates (django/forms/jinja2/).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "colony.templating.environment",
            "context_processors": [
                "colony.context_processors.csrf",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.household",
                "accounts.context_processors.role",
                "accounts.context_processors.account_features",
            ],
        },
    },
    {
        # The admin's and third-party apps' own templates (the API docs).
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True


DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out account or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.HouseholdModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Length and a list of common passwords let "Summer2026!" through: zxcvbn estimates how
    # many guesses a password takes (dictionary words, dates, keyboard patterns, l33t).
    {"NAME": "accounts.password_strength.ZxcvbnPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Reverse proxies in front of gunicorn that append to X-Forwarded-For; the client address (for
# log-in throttling and the audit log) is read that deep (colony.client_address). 0: no proxy,
# the socket address is the client. Production defaults to 1 (README, Production).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Log-in throttling (django-axes + accounts.throttle; policy in README, Production): failures
# within AXES_COOLOFF_TIME lock one account from one address after AXES_FAILURE_LIMIT, one
# account from everywhere but its known addresses after AXES_ACCOUNT_FAILURE_LIMIT, and one
# address for every account once it failed on AXES_ADDRESS_ACCOUNT_LIMIT different accounts.
AXES_HANDLER = "accounts.throttle.LoginThrottle"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ACCOUNT_FAILURE_LIMIT = env.int("AXES_ACCOUNT_FAILURE_LIMIT", default=20)
AXES_ADDRESS_ACCOUNT_LIMIT = env.int("AXES_ADDRESS_ACCOUNT_LIMIT", default=10)
AXES_KNOWN_ADDRESS_DAYS = env.int("AXES_KNOWN_ADDRESS_DAYS", default=30)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# What a success resets (and what axes' own filters key on): this account from this address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The log-in form posts the email as "username"; compared lower-cased like the form does.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.throttle.attempted_username"
AXES_CLIENT_IP_CALLABLE = "colony.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
# Only attempts whose password was checked count: one refused during a lock is neither a
# failure (so one address adds at most AXES_FAILURE_LIMIT to the account-wide rule, which
# therefore needs several addresses) nor a reason to renew the lock.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False

# Sessions end after SESSION_COOKIE_AGE without activity (the expiry slides, refreshed at most
# once per SESSION_REFRESH_SECONDS, or per tenth of the idle time when that is shorter, so not
# every request writes) and SESSION_ABSOLUTE_LIFETIME
# after log-in whatever the activity.
# Django's database sessions: no shared cache is configured (a per-process cache would not see
# another worker's log-out).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=60 * 60 * 24 * 14)
SESSION_ABSOLUTE_LIFETIME = env.int("SESSION_ABSOLUTE_SECONDS", default=60 * 60 * 24 * 30)
SESSION_REFRESH_SECONDS = 60 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# Only our own static files may run or style anything; no inline scripts, handlers or styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Email: EMAIL_URL is a django-environ URL (smtp+tls://user:pass@host:587, smtps://…,
# consolemail://). Unset, mail goes to the console (development); production decides below
# whether that is allowed. The URL holds a password: it is never logged.
EMAIL_URL = env.str("EMAIL_URL", default="")
vars().update(env.email_url_config(EMAIL_URL or "consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Colony <colony@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT_SECONDS", default=10)
# Whether Colony may send email at all (password reset, invite emails, reminders). The console
# counts under development; production sets it from EMAIL_URL.
EMAIL_ENABLED = True
# Emails that must not reveal whether an address has an account (reset, sign-up) are sent after
# the response, in a thread (colony.mail.send_templated_mail_after_response).
EMAIL_AFTER_RESPONSE = True
# Password reset by email; production without EMAIL_URL refuses to start unless this is off.
PASSWORD_RESET_BY_EMAIL = env.bool("PASSWORD_RESET_BY_EMAIL", default=True)
# A reset link works once, for this long (Django's setting is in seconds).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_MINUTES", default=60) * 60
# Reset requests per hour: per email from one client address (silently not sent beyond), per
# client address (refused beyond), and emails sent to one email from anywhere (a flood cap; the
# first request of an hour is always sent, so nobody can stop the owner's reset email).
PASSWORD_RESET_MAX_PER_EMAIL = env.int("PASSWORD_RESET_MAX_PER_EMAIL", default=3)
PASSWORD_RESET_MAX_PER_ADDRESS = env.int("PASSWORD_RESET_MAX_PER_ADDRESS", default=10)
PASSWORD_RESET_MAX_SENT_PER_EMAIL = env.int("PASSWORD_RESET_MAX_SENT_PER_EMAIL", default=10)

# Two-factor log-in (django-otp). Wrong codes also count as failed log-ins for axes.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Colony")
OTP_TOTP_THROTTLE_FACTOR = 1
# How long the code step waits after the password before the password must be typed again.
TWO_FACTOR_LOGIN_SECONDS = 300

# Colony's own knobs.
# Where people reach Colony: links in emails sent outside a request (reminders).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
INVITE_VALID_DAYS = env.int("INVITE_VALID_DAYS", default=7)
# Invite emails one household may have Colony send per hour (links shared by hand: no limit).
INVITE_EMAILS_PER_HOUR = env.int("INVITE_EMAILS_PER_HOUR", default=10)
DEFAULT_BASE_CURRENCY = "USD"

# Exchange rates (exchange app). {BASE} in the URL is the base currency; {DATE} (YYYY-MM-DD or
# "latest") and {API_KEY} are optional. Without {API_KEY} in the URL a set key is sent as
# "Authorization: Bearer <key>"; it is never logged.
EXCHANGE_RATES_URL = env.str(
    "EXCHANGE_RATES_URL", default="https://api.exchangerate-api.com/v4/latest/{BASE}"
)
EXCHANGE_RATES_API_KEY = env.str("EXCHANGE_RATES_API_KEY", default="")
EXCHANGE_RATES_PROVIDER_NAME = env.str("EXCHANGE_RATES_PROVIDER_NAME", default="exchangerate-api")
# (connect, read) seconds for each attempt, configured in whole milliseconds; the client
# retries a few times with back-off.
EXCHANGE_RATES_TIMEOUT = (
    env.int("EXCHANGE_RATES_CONNECT_TIMEOUT_MS", default=3050) / 1000,
    env.int("EXCHANGE_RATES_READ_TIMEOUT_MS", default=10_000) / 1000,
)
# The whole fetch of one base currency (every attempt, the body included) ends after this.
EXCHANGE_RATES_DEADLINE = env.int("EXCHANGE_RATES_DEADLINE_MS", default=60_000) / 1000
# The rates page warns when the newest stored rate is older than this.
EXCHANGE_RATES_MAX_AGE_DAYS = env.int("EXCHANGE_RATES_MAX_AGE_DAYS", default=3)

# JSON API (/api/v1/). Requests per person (all their tokens and the session together), or
# per client address for requests without a usable credential (401s included), per minute,
# counted in the database so every app worker sees the same count.
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=300)
# Browser clients on other origins (a separate front end) may call the API only from these
# origins (comma-separated, e.g. https://app.example.com); empty, the default: CORS is off and
# browsers keep other sites' scripts out. Bearer tokens only: credentials (the session cookie)
# are never allowed cross-origin, so the CSRF protection of the session stays whole.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/v1/"
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    "if-match",
    "idempotency-key",
)
# What a script may read from an answer: the version to send back, where a new object lives,
# how long to wait.
CORS_EXPOSE_HEADERS = ("ETag", "Location", "Retry-After")
CORS_PREFLIGHT_MAX_AGE = env.int("CORS_PREFLIGHT_MAX_AGE", default=600)
# A personal access token lasts at most this long.
API_TOKEN_MAX_DAYS = 365
# The last-used time and address of a token are written at most once per this many seconds
# (or when the address changes), not on every request.
API_TOKEN_TOUCH_SECONDS = 60
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 200
NINJA_NUM_PROXIES = TRUSTED_PROXY_COUNT

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    # A bad host, too many form fields or too big a body is the client's error: a warning
    # without a traceback (colony/log_filters.py), not an ERROR anyone can write.
    "filters": {"client_error_as_warning": {"()": "colony.log_filters.ClientErrorAsWarning"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        **{name: {"filters": ["client_error_as_warning"]} for name in CLIENT_ERROR_LOGGERS},
    },
}
