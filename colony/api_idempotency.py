"""`Idempotency-Key` on every POST of the API (the rules: accounts.idempotency).

Two of django-ninja's operation decorators share the work, because the key belongs to the
authenticated person and the answer exists only once rendered:

- `claim_then_run` (mode "operation": after authentication and input validation) claims the
  key — or answers with the stored response, or 409/422 — then opens the transaction the
  operation runs in and holds the key's row in it;
- `answer_once` (mode "view": around the whole operation, rendering included) stores the
  rendered answer in that same transaction and commits, so the write and its replay are
  committed together; an operation that fails (an error answer or an exception) rolls back
  and frees the key.

A request without the header, or on an operation without a household (POST /auth/token),
runs as before. Input the operation refuses (422) takes no key: it ran nothing.
"""

from __future__ import annotations

import hashlib
import sys
from functools import wraps

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException

from accounts import idempotency

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# For the OpenAPI description of a POST.
HEADER_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {
        "type": "string",
        "pattern": idempotency.KEY_PATTERN,  # e.g. a UUID
    },
    "description": (
        "1 to 255 visible ASCII characters, e.g. a UUID. "
        f"Send the same key again within {idempotency.IDEMPOTENCY_KEY_HOURS} h and the first "
        "answer is replayed (header Idempotent-Replayed: true), never written twice; the same "
        "key with another request is 422 IDEMPOTENCY_KEY_REUSED, and 409 "
        "IDEMPOTENCY_KEY_IN_FLIGHT while the first is still running."
    ),
}


class _Run:
    """One POST's key and the transaction its operation runs in."""

    def __init__(self, row) -> None:
        self.row = row
        self.atomic = transaction.atomic()

    def begin(self) -> None:
        self.atomic.__enter__()
        try:
            idempotency.hold_claim(self.row)
        except BaseException:
            self.fail(sys.exc_info())
            raise

    def finish(self, response: HttpResponse) -> None:
        if response.status_code >= 400:
            self.fail((None, None, None))
            return
        headers = {
            name: response[name] for name in idempotency.REPLAYED_HEADERS if name in response
        }
        try:
            idempotency.store_answer(
                self.row,
                status=response.status_code,
                body=response.content.decode(response.charset or "utf-8"),
                headers=headers,
            )
        except BaseException:
            self.fail(sys.exc_info())
            raise
        self.atomic.__exit__(None, None, None)

    def fail(self, exc_info) -> None:
        if exc_info[0] is None:
            transaction.set_rollback(True)
        self.atomic.__exit__(*exc_info)
        idempotency.release_key(self.row)


def _replay(row) -> HttpResponse:
    response = HttpResponse(row.body, status=row.status)
    for name, value in row.headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _body(request: HttpRequest) -> bytes:
    try:
        return request.body
    except RawPostDataException:  # a multipart form, already parsed: its fields stand for it
        return repr((sorted(request.POST.lists()), _files(request))).encode()


def _files(request: HttpRequest) -> list[tuple[str, str, int, str]]:
    """Each uploaded file by its field, name, size and content's digest: the same key with
    another file is another request (IDEMPOTENCY_KEY_REUSED), not a replay of the first."""
    found = []
    for field, uploads in sorted(request.FILES.lists()):
        for upload in uploads:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            found.append((field, upload.name or "", upload.size or 0, digest.hexdigest()))
    return found


def claim_then_run(view_func):
    @wraps(view_func)
    def wrapper(request: HttpRequest, *args, **kwargs):
        header = request.headers.get(HEADER) if request.method == "POST" else None
        household = getattr(request, "household", None)
        if header is None or household is None:
            return view_func(request, *args, **kwargs)
        row = idempotency.claim_key(
            household=household,
            user=request.user,
            key=idempotency.parse_key(header),
            fingerprint=idempotency.fingerprint(
                method=request.method, path=request.get_full_path(), body=_body(request)
            ),
        )
        if row.status is not None:
            return _replay(row)
        run = _Run(row)
        run.begin()
        try:
            result = view_func(request, *args, **kwargs)
        except BaseException:
            run.fail(sys.exc_info())
            raise
        request.idempotent_run = run
        return result

    return wrapper


def answer_once(operation_run):
    @wraps(operation_run)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.method != "POST" or HEADER not in request.headers:
            return operation_run(request, *args, **kwargs)
        try:
            response = operation_run(request, *args, **kwargs)
        except BaseException:
            run = getattr(request, "idempotent_run", None)
            if run is not None:
                del request.idempotent_run
                run.fail(sys.exc_info())
            raise
        run = getattr(request, "idempotent_run", None)
        if run is not None:
            del request.idempotent_run
            run.finish(response)
        return response

    return wrapper
