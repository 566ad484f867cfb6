"""Writes and rules for users, households, memberships and invites."""

from __future__ import annotations

import contextlib
import enum
import logging
import secrets
from datetime import timedelta

from axes.utils import reset as reset_login_failures
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from colony.mail import (
    reaches_recipients,
    send_templated_mail,
    send_templated_mail_after_response,
)
from colony.names import clean_name
from formats.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES

from .exceptions import (
    AlreadyMember,
    AlreadyOwner,
    ApiTokenNotFound,
    EmailAlreadyRegistered,
    InviteAlreadyUsed,
    InviteEmailMismatch,
    InviteExpired,
    InviteInvalid,
    LastOwnerCannotLeave,
    MemberAlreadyInvited,
    MemberGone,
    NotHouseholdMember,
    NotHouseholdOwner,
    OnlyMemberCannotLeave,
    OwnerMustHandOver,
    PasswordTooWeak,
    TokenExpiryInvalid,
    TooManyInviteEmails,
    TwoFactorSetupRequired,
    UnknownFormat,
)
from .models import (
    ApiRequestCounter,
    ApiToken,
    Household,
    Invite,
    InviteEmail,
    Membership,
    PasswordResetRequest,
    User,
    hash_api_token,
    hash_email,
    hash_invite_token,
)
from .selectors import has_two_factor
from .signals import household_created

audit = logging.getLogger("colony.auth")


def _require_owner(*, household: Household, user: User) -> None:
    if not Membership.objects.filter(
        household=household, user=user, role=Membership.Role.OWNER
    ).exists():
        raise NotHouseholdOwner()


@transaction.atomic
def create_household(
    *, owner: User, name: str, base_currency: str, format_locale: str = DEFAULT_LOCALE
) -> Household:
    """Create a household with `owner` as its first owner; the user must not have one yet."""
    household = Household.objects.create(
        name=clean_name(name),
        base_currency=base_currency.upper(),
        format_locale=format_locale if format_locale in SUPPORTED_LOCALES else DEFAULT_LOCALE,
    )
    Membership.objects.create(user=owner, household=household, role=Membership.Role.OWNER)
    household_created.send(sender=Household, household=household)
    return household


def check_password_strength(*, password: str, user: User) -> None:
    """A password is refused unless every AUTH_PASSWORD_VALIDATORS rule (zxcvbn's strength
    estimate among them) accepts it for this user."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise PasswordTooWeak(" ".join(error.messages)) from None


def _create_account(*, email: str, password: str, first_name: str, last_name: str) -> User:
    """A new user; an email taken meanwhile (a parallel sign-up won the race) is refused."""
    check_password_strength(
        password=password,
        user=User(email=email, first_name=first_name.strip(), last_name=last_name.strip()),
    )
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=email,
                password=password,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
            )
    except IntegrityError:
        if User.objects.filter(email__iexact=email.strip()).exists():
            raise EmailAlreadyRegistered() from None
        raise


@transaction.atomic
def register_user(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str = "",
    household_name: str = "",
    base_currency: str = settings.DEFAULT_BASE_CURRENCY,
    format_locale: str = DEFAULT_LOCALE,
) -> User:
    """Create an account and its own household, of which the new user is the owner."""
    user = _create_account(
        email=email, password=password, first_name=first_name, last_name=last_name
    )
    name = (
        clean_name(household_name, required=False) or f"{user.first_name or user.email}’s household"
    )
    create_household(
        owner=user, name=name, base_currency=base_currency, format_locale=format_locale
    )
    return user


def sign_up(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str = "",
    household_name: str = "",
    base_currency: str = settings.DEFAULT_BASE_CURRENCY,
    format_locale: str = DEFAULT_LOCALE,
    log_in_link: str,
    reset_link: str | None,
) -> User | None:
    """Sign-up that tells nobody whether the address has an account: a new address gets its
    account, household and a welcome email; a taken one an email to its owner saying someone
    tried to sign up (its password hashed all the same, so both take as long). Both emails go
    after the response. Returns the new user, or None."""
    email = email.strip().lower()
    user = None
    if not User.objects.filter(email__iexact=email).exists():
        # A parallel sign-up that takes the address first: answered like any taken address.
        with contextlib.suppress(EmailAlreadyRegistered):
            user = register_user(
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                household_name=household_name,
                base_currency=base_currency,
                format_locale=format_locale,
            )
    else:
        # Refused as it would be for a new address, then hashed as a new account's would be.
        check_password_strength(
            password=password, user=User(email=email, first_name=first_name, last_name=last_name)
        )
        make_password(password)  # the time a new account's hashing takes
    send_templated_mail_after_response(
        template="signup",
        context={
            "taken": user is None,
            "user": user,
            "household": user.membership.household if user else None,
            "email": email,
            "log_in_link": log_in_link,
            "reset_link": reset_link,
        },
        to=[email],
    )
    return user


@transaction.atomic
def register_user_from_invite(
    *, token: str, email: str, password: str, first_name: str, last_name: str = ""
) -> User:
    """Create an account that joins the inviting household instead of getting its own."""
    invite = _lock_usable_invite(token)
    if invite.email.lower() != email.lower():
        raise InviteEmailMismatch()
    user = _create_account(
        email=email, password=password, first_name=first_name, last_name=last_name
    )
    Membership.objects.create(user=user, household=invite.household, role=Membership.Role.MEMBER)
    _mark_accepted(invite, user)
    return user


@transaction.atomic
def create_invite(
    *, household: Household, invited_by: User, email: str, to_be_emailed: bool = False
) -> tuple[Invite, str]:
    """An owner invites someone by email; returns the invite and the one-time token for its link.
    One Colony is to email (`to_be_emailed`, then send_invite_email) counts towards the
    household's INVITE_EMAILS_PER_HOUR, beyond which it is refused with nothing created."""
    _require_owner(household=household, user=invited_by)
    email = email.strip().lower()
    if household.memberships.filter(user__email__iexact=email).exists():
        raise MemberAlreadyInvited()
    if to_be_emailed:
        _count_invite_email(household)
    token = secrets.token_urlsafe(32)
    invite = Invite.objects.create(
        household=household,
        email=email,
        token_hash=hash_invite_token(token),
        created_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITE_VALID_DAYS),
    )
    return invite, token


def _count_invite_email(household: Household) -> None:
    # The household's row is locked so that parallel invites are counted one after the other.
    # (No key update: rows that only refer to the household are not held up.)
    list(Household.objects.select_for_update(no_key=True).filter(pk=household.pk).values_list("pk"))
    since = timezone.now() - timedelta(hours=1)
    InviteEmail.objects.filter(household=household, sent_at__lt=since).delete()
    limit = settings.INVITE_EMAILS_PER_HOUR
    if InviteEmail.objects.filter(household=household).count() >= limit:
        raise TooManyInviteEmails(limit)
    InviteEmail.objects.create(household=household)


class InviteDelivery(enum.Enum):
    SENT = "sent"
    # Development's console backend took it: it was printed, nobody received it.
    WRITTEN_ONLY = "written-only"
    FAILED = "failed"


def send_invite_email(*, invite: Invite, link: str) -> InviteDelivery:
    """Email the invite's link to its address; the time is recorded only when the email went to
    its recipient (not when the server only printed it)."""
    sent = send_templated_mail(
        template="invite",
        context={
            "invite": invite,
            "household": invite.household,
            "inviter": invite.created_by,
            "link": link,
        },
        to=[invite.email],
    )
    if not sent:
        return InviteDelivery.FAILED
    if not reaches_recipients():
        return InviteDelivery.WRITTEN_ONLY
    invite.email_sent_at = timezone.now()
    invite.save(update_fields=["email_sent_at"])
    return InviteDelivery.SENT


def revoke_invite(*, invite: Invite, by: User) -> None:
    """An owner withdraws an invite that has not been used yet."""
    _require_owner(household=invite.household, user=by)
    if invite.is_used:
        raise InviteAlreadyUsed()
    invite.delete()


def get_invite_for_token(token: str) -> Invite:
    """The invite behind a link, or the error that says why the link cannot be used."""
    invite = (
        Invite.objects.select_related("household")
        .filter(token_hash=hash_invite_token(token or ""))
        .first()
    )
    _check_usable(invite)
    return invite


def _check_usable(invite: Invite | None) -> None:
    if invite is None:
        raise InviteInvalid()
    if invite.is_used:
        raise InviteAlreadyUsed()
    if invite.is_expired:
        raise InviteExpired()


def _lock_usable_invite(token: str) -> Invite:
    # Locked so two people clicking the same link at once cannot both join.
    invite = (
        Invite.objects.select_for_update()
        .select_related("household")
        .filter(token_hash=hash_invite_token(token or ""))
        .first()
    )
    _check_usable(invite)
    return invite


def _mark_accepted(invite: Invite, user: User) -> None:
    invite.accepted_at = timezone.now()
    invite.accepted_by = user
    invite.save(update_fields=["accepted_at", "accepted_by"])
    # Any other link for the same person is spent too: none may be left to rejoin with later.
    _revoke_invites_for(household_id=invite.household_id, email=user.email)


def _revoke_invites_for(*, household_id: int, email: str) -> None:
    Invite.objects.filter(
        household_id=household_id, email__iexact=email, accepted_at__isnull=True
    ).delete()


def _lock_user(user: User) -> None:
    # Every change of a user's membership locks the user's row first, so two of them (two
    # invites accepted at once) run one after the other instead of racing to a second
    # membership.
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk"))


@transaction.atomic
def accept_invite(*, token: str, user: User) -> Household:
    """A logged-in user joins the inviting household, leaving the one they are in.

    A user who was the only member of their previous household takes it with them: that
    household and its data are deleted. The last owner of a shared household cannot leave.
    """
    _lock_user(user)
    invite = _lock_usable_invite(token)
    if invite.email.lower() != user.email.lower():
        raise InviteEmailMismatch()
    current = Membership.objects.select_for_update().filter(user=user).first()
    if current is not None:
        if current.household_id == invite.household_id:
            raise AlreadyMember()
        _leave(current)
    Membership.objects.create(user=user, household=invite.household, role=Membership.Role.MEMBER)
    _mark_accepted(invite, user)
    return invite.household


def _lock_memberships(household_id: int) -> dict[int, Membership]:
    # Every membership of the household, so two owners cannot both step down at once.
    return {
        locked.pk: locked
        for locked in Membership.objects.select_for_update().filter(household_id=household_id)
    }


def _lock_as_owner(
    *, household: Household, user: User, membership: Membership | None = None
) -> Membership | None:
    """Lock the household's memberships, then check `user` is one of its owners and
    `membership` still one of them — in that order, so an owner demoted or removed by a
    request that held the lock first is refused instead of acting on what it read before.
    Returns `membership` as locked (its role as it is now)."""
    locked = _lock_memberships(household.pk)
    if not any(m.user_id == user.pk and m.role == Membership.Role.OWNER for m in locked.values()):
        raise NotHouseholdOwner()
    if membership is None:
        return None
    current = locked.get(membership.pk)
    if current is None:
        raise MemberGone()
    membership.role = current.role
    return membership


def _is_only_owner(membership: Membership) -> bool:
    return (
        membership.is_owner
        and not Membership.objects.filter(
            household_id=membership.household_id, role=Membership.Role.OWNER
        )
        .exclude(pk=membership.pk)
        .exists()
    )


def _leave(membership: Membership, *, only_owner_error=LastOwnerCannotLeave) -> None:
    """The membership ends; alone, the household goes with it; its only owner cannot leave
    others behind without an owner."""
    _lock_memberships(membership.household_id)
    household = membership.household
    if not household.memberships.exclude(pk=membership.pk).exists():
        household.delete()
        return
    if _is_only_owner(membership):
        raise only_owner_error()
    _end_membership(membership)


def _end_membership(membership: Membership) -> None:
    """The person is no longer in the household, and no invite of theirs (nor token) can bring
    them back."""
    membership.delete()
    _revoke_invites_for(household_id=membership.household_id, email=membership.user.email)
    _revoke_api_tokens(ApiToken.objects.filter(user_id=membership.user_id))


@transaction.atomic
def leave_household(*, user: User) -> None:
    """A member leaves their household; the last owner of a shared household cannot, and its
    only member cannot either (that would delete it: "Delete household" asks for its name)."""
    _lock_user(user)
    membership = (
        Membership.objects.select_for_update().select_related("household", "user").get(user=user)
    )
    _lock_memberships(membership.household_id)
    if not membership.household.memberships.exclude(pk=membership.pk).exists():
        raise OnlyMemberCannotLeave()
    _leave(membership)


@transaction.atomic
def remove_member(*, household: Household, by: User, membership: Membership) -> None:
    """An owner removes a member; the household always keeps at least one owner."""
    membership = _lock_as_owner(household=household, user=by, membership=membership)
    if _is_only_owner(membership):
        raise LastOwnerCannotLeave()
    _end_membership(membership)


@transaction.atomic
def change_member_role(
    *, household: Household, by: User, membership: Membership, role: str
) -> Membership:
    """An owner gives a member the role owner, member or viewer; the household always keeps an
    owner, so its last owner cannot step down."""
    if role not in Membership.Role.values:
        raise ValueError(role)
    membership = _lock_as_owner(household=household, user=by, membership=membership)
    if role != Membership.Role.OWNER and _is_only_owner(membership):
        raise LastOwnerCannotLeave()
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def transfer_ownership(*, household: Household, by: User, membership: Membership) -> Membership:
    """An owner hands the household over: `membership` becomes an owner and `by` a member."""
    membership = _lock_as_owner(household=household, user=by, membership=membership)
    if membership.is_owner:
        raise AlreadyOwner()
    membership.role = Membership.Role.OWNER
    membership.save(update_fields=["role"])
    Membership.objects.filter(household=household, user=by).update(role=Membership.Role.MEMBER)
    return membership


def rename_household(*, household: Household, by: User, name: str) -> Household:
    """An owner renames the household."""
    _require_owner(household=household, user=by)
    household.name = clean_name(name)
    household.save(update_fields=["name"])
    return household


def set_format_locale(*, household: Household, by: User, format_locale: str) -> Household:
    """An owner chooses how the household's amounts and dates are written and read."""
    _require_owner(household=household, user=by)
    if format_locale not in SUPPORTED_LOCALES:
        raise UnknownFormat()
    household.format_locale = format_locale
    household.save(update_fields=["format_locale"])
    return household


def set_theme(*, user: User, theme: str) -> User:
    """Remember the user's colour theme (auto, light or dark) on every device."""
    if theme not in User.Theme.values:
        raise ValueError(f"Unknown theme {theme!r}")
    user.theme = theme
    user.save(update_fields=["theme"])
    return user


def end_other_sessions(*, user: User) -> User:
    """Sign the user out of every session; the caller re-keys the current one."""
    User.objects.filter(pk=user.pk).update(session_epoch=models.F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    return user


@transaction.atomic
def delete_household(*, household: Household, by: User) -> None:
    """An owner deletes the household with all its cycles, expenses and templates."""
    _lock_as_owner(household=household, user=by)
    Household.objects.select_for_update().filter(pk=household.pk).delete()


@transaction.atomic
def delete_account(*, user: User) -> None:
    """A user deletes their account; the only owner of a shared household must hand over first,
    and a user alone in a household takes it with them."""
    membership = (
        Membership.objects.select_for_update().select_related("household").filter(user=user).first()
    )
    if membership is not None:
        _leave(membership, only_owner_error=OwnerMustHandOver)
    user.delete()


class ResetDecision(enum.Enum):
    SEND = "send"
    # Too many requests for this email from this address, or too many emails to it this hour:
    # answer as usual, send nothing (no account enumeration).
    QUIET = "quiet"
    # Too many requests from this address: refused with 429.
    REFUSE = "refuse"


@transaction.atomic
def record_password_reset_request(*, email: str, client_address: str | None) -> ResetDecision:
    """Count a reset request. Per hour: an address making too many is refused; beyond the limit
    per (email, address), or once enough emails went to the email, nothing is sent — but the
    first request of an hour for an email always sends, so nobody elsewhere can stop the
    owner's reset email."""
    since = timezone.now() - timedelta(hours=1)
    PasswordResetRequest.objects.filter(requested_at__lt=since).delete()
    recent = PasswordResetRequest.objects.filter(requested_at__gte=since)
    if (
        client_address
        and recent.filter(client_address=client_address).count()
        >= settings.PASSWORD_RESET_MAX_PER_ADDRESS
    ):
        return ResetDecision.REFUSE
    email_hash = hash_email(email)
    for_email = recent.filter(email_hash=email_hash)
    sent = for_email.filter(sent=True).count()
    send = sent == 0 or (
        sent < settings.PASSWORD_RESET_MAX_SENT_PER_EMAIL
        and for_email.filter(client_address=client_address).count()
        < settings.PASSWORD_RESET_MAX_PER_EMAIL
    )
    PasswordResetRequest.objects.create(
        email_hash=email_hash, client_address=client_address, sent=send
    )
    return ResetDecision.SEND if send else ResetDecision.QUIET


@transaction.atomic
def reset_password(*, user: User, password: str) -> User:
    """Set a new password from a reset link: every session of the user ends (the password and
    the session epoch both change) and their log-in lock-out is lifted."""
    check_password_strength(password=password, user=user)
    user.set_password(password)
    user.session_epoch = models.F("session_epoch") + 1
    user.save(update_fields=["password", "session_epoch"])
    user.refresh_from_db(fields=["session_epoch"])
    reset_login_failures(username=user.email)
    _revoke_api_tokens(ApiToken.objects.filter(user=user))
    audit.info("password reset", extra={"event": "password_reset", "user_id": user.pk})
    return user


@transaction.atomic
def change_password(*, user: User, password: str) -> User:
    """The user sets a new password (knowing the old one): their other sessions end (the
    caller keeps the current one) and so do their API tokens."""
    check_password_strength(password=password, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])
    _revoke_api_tokens(ApiToken.objects.filter(user=user))
    audit.info("password changed", extra={"event": "password_change", "user_id": user.pk})
    return user


def set_password_by_admin(*, user: User, password: str | None) -> User:
    """An administrator sets a user's password (None: no password works any more): as with a
    change by the user, their API tokens end with the old password."""
    if password is None:
        user.set_unusable_password()
    else:
        check_password_strength(password=password, user=user)
        user.set_password(password)
    user.save(update_fields=["password"])
    _revoke_api_tokens(ApiToken.objects.filter(user=user))
    audit.info("password set by admin", extra={"event": "password_admin", "user_id": user.pk})
    return user


# --- personal access tokens for the JSON API ----------------------------------------------------

API_TOKEN_PREFIX = "colony_"


def create_api_token(
    *, user: User, name: str, expires_in_days: int, read_only: bool
) -> tuple[ApiToken, str]:
    """A member creates a token for their household that expires within API_TOKEN_MAX_DAYS;
    returns it with the secret, which is shown once and only its hash kept."""
    membership = Membership.objects.select_related("household").filter(user=user).first()
    if membership is None:
        raise NotHouseholdMember()
    if membership.household.require_two_factor and not has_two_factor(user):
        raise TwoFactorSetupRequired()
    if not 1 <= expires_in_days <= settings.API_TOKEN_MAX_DAYS:
        raise TokenExpiryInvalid()
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        household=membership.household,
        name=" ".join((name or "").split())[:100] or "API token",
        prefix=secret[: len(API_TOKEN_PREFIX) + 6],
        token_hash=hash_api_token(secret),
        read_only=read_only,
        expires_at=timezone.now() + timedelta(days=expires_in_days),
    )
    return token, secret


def revoke_api_token(*, token: ApiToken, by: User) -> ApiToken:
    """A user revokes one of their own tokens; it stops working at once."""
    if token.user_id != by.pk:
        raise ApiTokenNotFound()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def _revoke_api_tokens(tokens: models.QuerySet[ApiToken]) -> int:
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def revoke_tokens_owing_two_factor(*, household: Household) -> int:
    """The household now requires two-factor: the tokens of its members who have no second
    factor stop working (new ones are refused until they set it up)."""
    with_device = TOTPDevice.objects.filter(confirmed=True).values("user_id")
    return _revoke_api_tokens(
        ApiToken.objects.filter(household=household).exclude(user_id__in=with_device)
    )


def token_for_secret(secret: str) -> ApiToken | None:
    """The usable token behind a secret, with its user, membership and household loaded (one
    query), or None: unknown, revoked, expired, its user left the token's household, or
    joined it again after the token was made (a removed member's token stays dead)."""
    if not secret or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.usable()
        .select_related("user__membership__household")
        .filter(token_hash=hash_api_token(secret))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    membership = getattr(token.user, "membership", None)
    if (
        membership is None
        or membership.household_id != token.household_id
        or token.created_at < membership.joined_at
    ):
        return None
    return token


def record_token_use(*, token: ApiToken, ip: str | None) -> None:
    """Remember when and from where a token was last used — written at most once per
    API_TOKEN_TOUCH_SECONDS (or when the address changes), not on every request."""
    now = timezone.now()
    fresh = token.last_used_at is not None and (now - token.last_used_at).total_seconds() < (
        settings.API_TOKEN_TOUCH_SECONDS
    )
    if fresh and token.last_used_ip == ip:
        return
    token.last_used_at, token.last_used_ip = now, ip
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)


def count_api_request(*, key: str, minute: int) -> int:
    """Count one request for `key` in `minute` and return the count so far: one atomic upsert,
    so concurrent workers never lose a count.

    Its own transaction commits without waiting for the disk (synchronous_commit off): a crash
    can lose the last few counts, never corrupt or reorder them, and a request does not pay a
    flush for its counter. Inside a caller's transaction it is simply part of that one (a SET
    LOCAL there would last for the caller's writes too)."""
    if connection.in_atomic_block:
        return _count_api_request(key=key, minute=minute)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        return _count_api_request(key=key, minute=minute)


def _count_api_request(*, key: str, minute: int) -> int:
    table = connection.ops.quote_name(ApiRequestCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, minute, count) VALUES (%s, %s, 1) "  # noqa: S608
            "ON CONFLICT (key) DO UPDATE SET "
            f"count = CASE WHEN {table}.minute = EXCLUDED.minute "
            f"THEN {table}.count + 1 ELSE 1 END, "
            "minute = EXCLUDED.minute "
            "RETURNING count",
            [key, minute],
        )
        return cursor.fetchone()[0]
