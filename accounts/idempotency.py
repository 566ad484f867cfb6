"""Idempotency keys of the API's POSTs (IETF draft httpapi-idempotency-key-header): a request
sent again with the same `Idempotency-Key` — a client's retry after a lost answer — gets the
first answer again and never writes twice.

A key belongs to a household and a person (two people, or two households, never share one)
and lives IDEMPOTENCY_KEY_HOURS. While its first request runs, the same key is 409
IDEMPOTENCY_KEY_IN_FLIGHT; with another request (method, path or body) it is 422
IDEMPOTENCY_KEY_REUSED. colony.api_idempotency runs the request: claim_key before the
operation, then the operation and store_answer in one transaction, so a write and the answer
that replays it are committed together or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets

from django.utils import timezone

from colony.errors import Conflict, Unprocessable

from .models import Household, IdempotencyKey, User

IDEMPOTENCY_KEY_HOURS = 24
# How long a request may run before its key counts as abandoned: well past any request's
# life (gunicorn's timeout is 30 s).
IN_FLIGHT_SECONDS = 120
MAX_KEY_LENGTH = 255
# What a header may send: the key bare or, as the IETF draft writes it, quoted (the same key).
KEY_PATTERN = f'^("[!-~]{{1,{MAX_KEY_LENGTH}}}"|[!-~]{{1,{MAX_KEY_LENGTH}}})$'
# The answer's headers a replay sends again (the rest are the server's own, per response).
REPLAYED_HEADERS = ("Content-Type", "Location", "ETag")


class InvalidIdempotencyKey(Unprocessable):
    code = "INVALID_IDEMPOTENCY_KEY"
    message = (
        "Idempotency-Key must be 1 to 255 visible ASCII characters, e.g. a UUID "
        '("8e03978e-40d5-43e8-bc93-6894a57f9324").'
    )
    field = "Idempotency-Key"


class IdempotencyKeyReused(Unprocessable):
    code = "IDEMPOTENCY_KEY_REUSED"
    message = (
        "This Idempotency-Key was used for another request (another path or body). "
        "Use a new key for a new request."
    )
    field = "Idempotency-Key"


class IdempotencyKeyInFlight(Conflict):
    code = "IDEMPOTENCY_KEY_IN_FLIGHT"
    message = (
        "A request with this Idempotency-Key is still running. Wait for it, then send the "
        "request again to get its answer."
    )


def parse_key(header: str) -> str:
    """The key a header sends: a bare token or, as the draft writes it, a quoted string."""
    key = header
    if len(key) >= 3 and key[0] == key[-1] == '"':
        key = key[1:-1]
    # Visible ASCII only, as KEY_PATTERN (the OpenAPI description) says.
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all("!" <= c <= "~" for c in key):
        raise InvalidIdempotencyKey()
    return key


def fingerprint(*, method: str, path: str, body: bytes) -> str:
    """What makes two requests the same: method, path with its query, and the body — a JSON
    body compared by value, so a client that re-encodes it (key order, spacing) still matches."""
    try:
        canonical = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=True
        ).encode()
    except (ValueError, RecursionError):
        canonical = body
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), canonical):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def claim_key(
    *,
    household: Household,
    user: User,
    key: str,
    fingerprint: str,
    now: dt.datetime | None = None,
) -> IdempotencyKey:
    """The key's row, claimed for this request (a new `claim`, `status` null) — or, when an
    earlier request with the same key already finished, its stored answer (`status` set), to
    replay. Committed at once, so a second request sees the key in flight.

    Raises IdempotencyKeyReused for another request, and IdempotencyKeyInFlight while the
    key's first request has not answered — for IN_FLIGHT_SECONDS at most: a request still
    unanswered by then ended without committing anything (a killed worker; the write and the
    answer commit together), and the key is taken over. A key older than
    IDEMPOTENCY_KEY_HOURS starts again."""
    now = now or timezone.now()
    claim = secrets.token_hex(16)
    scope = {"household": household, "user": user, "key": key}
    # ON CONFLICT DO NOTHING: two first requests at once never fail on the unique index.
    IdempotencyKey.objects.bulk_create(
        [IdempotencyKey(**scope, fingerprint=fingerprint, claim=claim, created_at=now)],
        ignore_conflicts=True,
    )
    row = IdempotencyKey.objects.filter(**scope).first()
    if row is None:  # its first request failed and freed it just now
        raise IdempotencyKeyInFlight()
    if row.claim == claim:
        return row
    expired = row.created_at <= now - dt.timedelta(hours=IDEMPOTENCY_KEY_HOURS)
    if not expired and row.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    if not expired and row.status is not None:
        return row
    if not expired and row.created_at > now - dt.timedelta(seconds=IN_FLIGHT_SECONDS):
        raise IdempotencyKeyInFlight()
    # Taken over only as it was read: were its request still running, this waits for the
    # row it holds, then finds it answered (or freed) and changes nothing.
    taken = IdempotencyKey.objects.filter(
        pk=row.pk, claim=row.claim, status=row.status, created_at=row.created_at
    ).update(fingerprint=fingerprint, claim=claim, status=None, body="", headers={}, created_at=now)
    if not taken:
        row = IdempotencyKey.objects.filter(**scope).first()
        if row is not None and row.status is not None and row.fingerprint == fingerprint:
            return row  # it answered meanwhile
        raise IdempotencyKeyInFlight()
    row.fingerprint, row.claim, row.status, row.created_at = fingerprint, claim, None, now
    return row


def hold_claim(row: IdempotencyKey) -> None:
    """Inside the transaction that runs the request: lock the key's row until it commits (a
    takeover waits for it); IdempotencyKeyInFlight when another request took the key over."""
    held = (
        IdempotencyKey.objects.select_for_update()
        .filter(pk=row.pk, claim=row.claim, status__isnull=True)
        .values_list("pk", flat=True)
    )
    if held.first() is None:
        raise IdempotencyKeyInFlight()


def store_answer(row: IdempotencyKey, *, status: int, body: str, headers: dict) -> None:
    """Keep the answer a retry replays, in the transaction of the write it answers."""
    IdempotencyKey.objects.filter(pk=row.pk, claim=row.claim).update(
        status=status, body=body, headers=headers
    )


def release_key(row: IdempotencyKey) -> None:
    """The request failed and wrote nothing: the key is free for a retry."""
    IdempotencyKey.objects.filter(pk=row.pk, claim=row.claim, status__isnull=True).delete()


def remove_expired_idempotency_keys(*, now: dt.datetime | None = None) -> int:
    """Delete every key older than IDEMPOTENCY_KEY_HOURS; how many were deleted."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=IDEMPOTENCY_KEY_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lte=cutoff).delete()
    return deleted
