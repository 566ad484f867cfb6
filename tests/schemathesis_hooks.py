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

import schemathesis

# Loaded by the schemathesis process, which has no Django set up: the header's name and pattern
# are written here, and tests/test_api_schemathesis.py checks they are colony.api_idempotency's.
HEADER = "Idempotency-Key"
WELL_FORMED = re.compile(r'^("[!-~]{1,255}"|[!-~]{1,255})$')


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers or {}
    for name, value in list(headers.items()):
        if name.lower() == HEADER.lower() and isinstance(value, str) and WELL_FORMED.match(value):
            headers[name] = uuid.uuid4().hex
