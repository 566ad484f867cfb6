from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from formats.locales import DEFAULT_LOCALE, locale_choices


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        if password is not None:
            # createsuperuser --noinput takes DJANGO_SUPERUSER_PASSWORD unchecked, and its
            # prompt can be told to bypass the validators: an administrator's password is held
            # to the same rule as everyone's (accounts.password_strength).
            password_validation.validate_password(
                password, self.model(email=email or "", **extra_fields)
            )
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # Log-in is case-insensitive: emails are stored lower-cased.
        return self.get(**{self.model.USERNAME_FIELD: (username or "").strip().lower()})


class User(AbstractUser):
    """A person who logs in with their email address."""

    class Theme(models.TextChoices):
        AUTO = "auto", "Follow the device"
        LIGHT = "light", "Light"
        DARK = "dark", "Dark"

    username = None
    email = models.EmailField("email address", unique=True)
    # Part of the session hash: raising it signs the user out of every session at once.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    # Colours: "auto" follows the browser's prefers-color-scheme.
    theme = models.CharField(max_length=5, choices=Theme.choices, default=Theme.AUTO)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email

    def _get_session_auth_hash(self, secret=None):
        # Django ties sessions to the password hash; the epoch lets a user end all sessions
        # without changing the password.
        return salted_hmac(
            "colony.accounts.User.session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class Household(models.Model):
    """The people who budget together; every budgeting object belongs to one household."""

    name = models.CharField(max_length=100)
    base_currency = models.CharField(
        max_length=3, default=settings.DEFAULT_BASE_CURRENCY, help_text="ISO 4217 code"
    )
    # How amounts and dates are written and read (formats.locales); set from the browser's
    # language at sign-up, changed by an owner.
    format_locale = models.CharField(
        "number and date format", max_length=10, choices=locale_choices, default=DEFAULT_LOCALE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Every member must log in with a second factor; those without one are sent to set it up.
    require_two_factor = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MEMBER = "member", "Member"
        # Reads everything, changes nothing (accounts.roles enforces it).
        VIEWER = "viewer", "Viewer"

    # One-to-one: a user belongs to exactly one household.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at"]
        indexes = [models.Index(fields=["household", "role"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.household} ({self.role})"

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER

    @property
    def can_write(self) -> bool:
        """Owners and members change the household's data; viewers only read it."""
        return self.role in (self.Role.OWNER, self.Role.MEMBER)


def hash_invite_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InviteQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())


class Invite(models.Model):
    """A single-use, expiring link that lets one person join a household.

    Only a hash of the token is stored: the link is a credential and is shown once.
    """

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField(help_text="Only this address can accept the invite.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # When Colony emailed the link (None: not sent, the owner shares the link by hand).
    email_sent_at = models.DateTimeField(null=True, blank=True)

    objects = InviteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invite for {self.email} to {self.household}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_used(self) -> bool:
        return self.accepted_at is not None


class InviteEmail(models.Model):
    """One invite email Colony sent for a household, kept for an hour: a household sends at
    most INVITE_EMAILS_PER_HOUR (an invite's own row is deleted when it is withdrawn or used,
    so it cannot be what is counted)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["household", "sent_at"])]

    def __str__(self) -> str:
        return f"Invite email at {self.sent_at:%Y-%m-%d %H:%M}"


class PasswordResetRequest(models.Model):
    """One request for a reset email, kept for an hour to throttle by address, by email and
    address, and the emails sent to one address.

    The typed email is stored only as a hash: unknown addresses typed by strangers are not kept.
    """

    email_hash = models.CharField(max_length=64)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    # Whether this request was answered with an email (when the address has an account).
    sent = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["email_hash", "requested_at"]),
            models.Index(fields=["client_address", "requested_at"]),
        ]

    def __str__(self) -> str:
        return f"Password reset request at {self.requested_at:%Y-%m-%d %H:%M}"


def hash_email(email: str) -> str:
    # Keyed, so the stored value cannot be matched against a list of known addresses.
    return salted_hmac(
        "colony.accounts.PasswordResetRequest.email", email.strip().lower(), algorithm="sha256"
    ).hexdigest()


def hash_recovery_code(code: str) -> str:
    # Codes carry 50 random bits; a keyed hash is enough and keeps log-in fast.
    normalized = "".join(code.split()).replace("-", "").upper()
    return salted_hmac("colony.accounts.RecoveryCode", normalized, algorithm="sha256").hexdigest()


class RecoveryCode(models.Model):
    """A single-use code that logs in instead of the authenticator app; only its hash is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "code_hash"], name="accounts_recovery_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Recovery code of {self.user} ({'used' if self.used_at else 'unused'})"


def hash_api_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A personal access token for the JSON API: it acts for its user in its household.

    Only a hash is stored (the token is shown once). It stops working when it expires, when it
    is revoked, and when its user no longer belongs to its household.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    # The first characters of the token, shown in the list so people can tell tokens apart.
    prefix = models.CharField(max_length=16, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    read_only = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired


class ApiRequestCounter(models.Model):
    """How many API requests one person (or one client address) made in the current minute.

    Counted in the database with one atomic upsert per request, so every stateless app worker
    shares the same count (production has no shared cache besides PostgreSQL).
    """

    key = models.CharField(max_length=64, primary_key=True)
    minute = models.BigIntegerField(help_text="Minutes since the epoch")
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.count} in minute {self.minute}"


class IdempotencyKey(models.Model):
    """An API POST sent with an `Idempotency-Key` header, per household and person: while it
    runs (`status` null) the same key is refused with 409; once done, the same key with the
    same request replays `status`, `body` and `headers` instead of writing again, for
    IDEMPOTENCY_KEY_HOURS (accounts.idempotency). `claim` changes whenever a request takes the
    key over, so a request that lost it can tell."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of the method, the path and the body: the same key sent with another request is
    # refused (422), never answered with the first request's response.
    fingerprint = models.CharField(max_length=64)
    claim = models.CharField(max_length=32)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["household", "user", "key"], name="accounts_idempotency_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status or 'in flight'})"
