"""Schemathesis hooks for tests/test_api_schemathesis.py (loaded through SCHEMATHESIS_HOOKS).

An Idempotency-Key is single-use: sent again with another path or body it is refused with 422
IDEMPOTENCY_KEY_REUSED, as the IETF draft asks. The generator cannot know that and draws the
same few short keys ("0", "00", …) for many different requests, so each well-formed key it
generates is swapped for a fresh one; malformed keys go out as generated, so the server's
refusal of them is still checked. Replays of one key are tested in tests/test_api_idempotency.py.
"""

from __future__ import annotations

import re
import uuid

import django
import schemathesis

# colony.api_idempotency reads the header's rules next to its model: Django must be set up
# (DJANGO_SETTINGS_MODULE comes from pytest-django's environment).
django.setup()

from colony.api_idempotency import HEADER, HEADER_PARAMETER  # noqa: E402

WELL_FORMED = re.compile(HEADER_PARAMETER["schema"]["pattern"])


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers or {}
    for name, value in list(headers.items()):
        if name.lower() == HEADER.lower() and isinstance(value, str) and WELL_FORMED.match(value):
            headers[name] = uuid.uuid4().hex
