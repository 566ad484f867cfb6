"""The running API against its own OpenAPI description, with Schemathesis (pinned in the dev
dependencies): every check, over the examples, coverage and fuzzing phases, with a fixed seed.
Any failure fails the test — a 500, a status the description does not list, a request the
schema refuses that the server accepts (or one it accepts that the server refuses, beyond the
allowances in tests/schemathesis.toml), an answer that breaks its schema or its content type.

The server is pytest-django's live server on the test database, with a household built by
the API suites' walker (tests.urlwalk) plus an income template, and a read-write token of its
owner. Run it alone with
`pytest tests/test_api_schemathesis.py` (README, "JSON API").
"""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from accounts import services as account_services
from colony import api_idempotency
from templates_app.tests.factories import ExpenseTemplateFactory
from tests import schemathesis_hooks
from tests.urlwalk import build_household

pytestmark = pytest.mark.django_db(transaction=True)

CONFIG = Path(__file__).with_name("schemathesis.toml")
ROOT = Path(__file__).resolve().parent.parent
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
SEED = "20261207"
# Cases per operation in the fuzzing phase; the coverage phase adds its own (every boundary
# and every kind of wrong value once), which is most of the run.
MAX_EXAMPLES = "10"
# DELETE /tokens/{pk} could revoke the very token the run authenticates with (token ids are
# small integers, the first a generator tries); accounts/tests/test_api.py covers it.
EXCLUDED_PATHS = ["/api/v1/tokens/{pk}"]


@pytest.fixture
def api_token(settings):
    # Thousands of requests in a few minutes, from one person: the rate limit is not under
    # test here (accounts/tests/test_api.py covers it), the description is.
    settings.API_RATE_LIMIT_PER_MINUTE = 0
    world = build_household("Schemathesis")
    ExpenseTemplateFactory(
        household=world.owner.membership.household,
        name="Salary",
        is_income=True,
        category=None,
        payment_method=None,
        amount=Decimal("2500.00"),
    )
    _, secret = account_services.create_api_token(
        user=world.owner, name="Schemathesis", expires_in_days=1, read_only=False
    )
    return secret


def test_the_hooks_know_the_idempotency_header_as_the_api_describes_it():
    assert schemathesis_hooks.HEADER == api_idempotency.HEADER
    assert (
        schemathesis_hooks.WELL_FORMED.pattern
        == api_idempotency.HEADER_PARAMETER["schema"]["pattern"]
    )


def test_the_api_keeps_every_promise_of_its_openapi_description(live_server, api_token):
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "--no-color",
        "run",
        f"{live_server.url}/api/v1/openapi.json",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing",
        "--seed",
        SEED,
        "--max-examples",
        MAX_EXAMPLES,
        "--workers",
        "1",
        "--no-shrink",
        # Nothing kept between runs: the seed alone decides what is generated.
        "--generation-database",
        "none",
        "--header",
        f"Authorization: Bearer {api_token}",
        *(option for path in EXCLUDED_PATHS for option in ("--exclude-path", path)),
    ]
    environment = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.schemathesis_hooks",
        "PYTHONPATH": str(ROOT),
    }
    run = subprocess.run(
        command, capture_output=True, text=True, timeout=600, check=False, env=environment
    )
    report = run.stdout[-20_000:] + run.stderr[-5_000:]
    assert run.returncode == 0, report
    assert " passed" in run.stdout and "failed" not in run.stdout.split("SUMMARY")[-1], report
