"""Two-factor log-in (TOTP): enrolment, recovery codes, verification, and the household rule.

The service layer for everything two-factor; views and the log-in step call only these.
A TOTP secret being set up lives in the session until the first code confirms it, so opening the
set-up page writes nothing.
"""

from __future__ import annotations

import enum
import secrets
import time
from binascii import unhexlify

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.db import models, transaction
from django.dispatch import receiver
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from .exceptions import InvalidTwoFactorCode, TwoFactorRequiredByHousehold, WrongPassword
from .models import Household, Membership, RecoveryCode, User, hash_recovery_code
from .selectors import has_two_factor
from .services import _require_owner, revoke_tokens_owing_two_factor

# Set in a session once it has passed (or just set up) a second factor.
VERIFIED_SESSION_KEY = "_colony_two_factor_verified"
# Set in a session whose user had no second factor: the password was all there was to pass.
# It stays true for the session's life: turning two-factor on ends every other session.
NO_SECOND_FACTOR_SESSION_KEY = "_colony_two_factor_none"
RECOVERY_CODE_COUNT = 10
# Base32 without look-alikes (0/O, 1/I/L).
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
DEVICE_NAME = "Authenticator app"


def new_totp_key() -> str:
    """A fresh hex secret for an authenticator app."""
    return default_key()


def provisioning_uri(*, user: User, key: str) -> str:
    """The otpauth:// URI the QR code carries (issuer and account name included)."""
    return TOTPDevice(user=user, key=key, name=DEVICE_NAME).config_url


class SessionFactor(enum.Enum):
    """What a logged-in session did about the second factor."""

    # This session passed the code step (or just set two-factor up).
    PASSED = "passed"
    # The user has no second factor, so the password was the whole log-in.
    NONE = "none"
    # The user has a second factor and this session never passed it (a log-in path that
    # checked only the password): it counts as logged out.
    OWED = "owed"


def session_factor(*, user: User, session) -> SessionFactor:
    """The one rule for "verified": only a session that passed the second step itself is;
    a user with a second factor is never verified by having one. Costs a query once per
    session at most (log-in usually records the answer, see note_log_in)."""
    if session.get(VERIFIED_SESSION_KEY):
        return SessionFactor.PASSED
    if session.get(NO_SECOND_FACTOR_SESSION_KEY):
        return SessionFactor.NONE
    if has_two_factor(user):
        return SessionFactor.OWED
    session[NO_SECOND_FACTOR_SESSION_KEY] = True
    return SessionFactor.NONE


def note_log_in(*, user: User, session) -> None:
    """At log-in: remember whether the user has a second factor to pass (the code step marks
    the session verified right after, when it was passed)."""
    session.pop(NO_SECOND_FACTOR_SESSION_KEY, None)
    if not has_two_factor(user):
        session[NO_SECOND_FACTOR_SESSION_KEY] = True


@receiver(user_logged_in)
def _note_session_log_in(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    # Only a log-in of this session (django.contrib.auth.login): the API's token endpoint sends
    # the signal too, and logs no session in.
    if session is not None and session.get(SESSION_KEY) == str(user.pk):
        note_log_in(user=user, session=session)


def mark_verified(session) -> None:
    """This session just passed (or set up) the second factor."""
    session[VERIFIED_SESSION_KEY] = True
    session.pop(NO_SECOND_FACTOR_SESSION_KEY, None)


def mark_turned_off(session) -> None:
    """Two-factor was turned off in this session: from now on the password is the log-in."""
    session.pop(VERIFIED_SESSION_KEY, None)
    session[NO_SECOND_FACTOR_SESSION_KEY] = True


def owes_household_setup(*, household: Household | None, factor: SessionFactor) -> bool:
    """A member of a household that requires two-factor who has none must set it up first."""
    return household is not None and household.require_two_factor and factor is SessionFactor.NONE


def _matches_totp(key: str, token: str) -> bool:
    token = token.strip().replace(" ", "")
    if not token.isdigit() or len(token) != 6:
        return False
    totp = TOTP(unhexlify(key.encode()))
    return totp.verify(int(token), tolerance=1)


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _replace_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=hash_recovery_code(code)) for code in codes
    )
    return codes


@transaction.atomic
def enable_two_factor(*, user: User, key: str, token: str) -> list[str]:
    """Turn on two-factor with the app set up on `key`, once a current code from it matches;
    returns ten new single-use recovery codes (shown once, stored hashed) and ends the user's
    other sessions, which never passed a second factor."""
    if not _matches_totp(key, token):
        raise InvalidTwoFactorCode("That code does not match. Check the app and try again.")
    User.objects.select_for_update().filter(pk=user.pk).first()
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice(user=user, key=key, name=DEVICE_NAME, confirmed=True)
    # The code just used cannot log in again.
    device.last_t = TOTP(unhexlify(key.encode())).t()
    device.save()
    codes = _replace_recovery_codes(user)
    User.objects.filter(pk=user.pk).update(session_epoch=models.F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    return codes


def pending_login(user: User) -> dict:
    """What the session keeps between the password step and the code step."""
    return {"user_id": user.pk, "backend": user.backend, "at": int(time.time())}


def pending_login_user(pending: dict | None) -> User | None:
    """The user who passed the password step, while the code step is still open."""
    if not isinstance(pending, dict):
        return None
    started = pending.get("at", 0)
    if not isinstance(started, int) or time.time() - started > settings.TWO_FACTOR_LOGIN_SECONDS:
        return None
    return User.objects.filter(pk=pending.get("user_id"), is_active=True).first()


def verify_second_factor(*, user: User, token: str) -> bool:
    """True when `token` is the user's current TOTP code (each used once; django-otp slows
    down repeated failures) or one of their unused recovery codes, which is then spent."""
    token = (token or "").strip()[:32]
    if not token:
        return False
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return False
    compact = token.replace(" ", "")
    if compact.isdigit():
        return device.verify_token(compact)
    with transaction.atomic():
        code = (
            RecoveryCode.objects.select_for_update()
            .filter(user=user, code_hash=hash_recovery_code(token), used_at__isnull=True)
            .first()
        )
        if code is None:
            return False
        code.used_at = timezone.now()
        code.save(update_fields=["used_at"])
    return True


def unused_recovery_codes(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def disable_two_factor(*, user: User, password: str, token: str) -> None:
    """Turn two-factor off: needs the password and a current code (or a recovery code), and is
    refused while the household requires two-factor. (Not one transaction: a wrong code's
    throttling must be kept.)"""
    membership = Membership.objects.select_related("household").filter(user=user).first()
    if membership is not None and membership.household.require_two_factor:
        raise TwoFactorRequiredByHousehold()
    if not user.check_password(password):
        raise WrongPassword()
    if not verify_second_factor(user=user, token=token):
        raise InvalidTwoFactorCode()
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()


def new_recovery_codes(*, user: User, token: str) -> list[str]:
    """Replace the recovery codes (after a current code proves the app is at hand)."""
    if not verify_second_factor(user=user, token=token):
        raise InvalidTwoFactorCode()
    with transaction.atomic():
        return _replace_recovery_codes(user)


@transaction.atomic
def set_two_factor_requirement(*, household: Household, by: User, required: bool) -> Household:
    """An owner requires (or stops requiring) two-factor log-in for every member; requiring it
    revokes the API tokens of members who have no second factor yet."""
    _require_owner(household=household, user=by)
    household.require_two_factor = required
    household.save(update_fields=["require_two_factor"])
    if required:
        revoke_tokens_owing_two_factor(household=household)
    return household
