"""Every GET page of the URLconf and every GET route of the JSON API as a bench measurement,
found by the isolation matrices' walkers (tests/urlwalk.py, tests/apiwalk.py).

A route the walker cannot fill from a bench household's objects fails the bench (teach
tests/urlwalk.py FILLERS, as the isolation matrix asks). Routes restricted to other methods
(`require_POST`) are left out; a route that answers GET with 405 is left out too.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import BenchHousehold

# Extra query strings a page is measured with: url name → [(label suffix, query, all-time?)].
VARIANTS: dict[str, list[tuple[str, str, bool]]] = {
    # Filtered, the page also shows what the filtered rows add up to (same query as the rows).
    "cycles:detail": [("", "", False), (" (filtered)", "status=planned&sort=-date", False)],
    "reports:overview": [
        ("", "", False),
        (" (12 cycles)", "range=12", False),
        (" (all time: the 5-year report)", "range=all", True),
    ],
    "reports:range_export": [(" (active cycle's dates)", "start={start}&end={end}", False)],
    # The preview of a statement just uploaded (see `upload_statement`).
    "expenses:import_preview": [(" (20 rows)", "token={import_token}", False)],
    # Everything the household holds, by definition.
    "reports:household_export": [(" (all time)", "", True)],
}
# Fragments only HTMX asks for (a plain request is redirected to the page they belong to).
HTMX_ONLY = {"cycles:expense_row"}
# Token-addressed pages the isolation walker leaves to the accounts tests: url name →
# {parameter: bench object key}.
BENCH_FILLERS = {
    "accounts:password_reset_confirm": {"uidb64": "reset_uid", "token": "reset_token"},
}
# Not pages: the probe is the throughput baseline, log-out only acts.
LEFT_OUT = {"healthz", "accounts:logout"}
RUN_INVITE_EMAIL = "bench-run@colony.local"


class UnfilledRoute(Exception):
    """The walker cannot fill a route's parameters: the bench fails, like the matrix does."""


@dataclass
class Page:
    label: str
    route: str
    path: str  # a format string: {start} {end} filled from the active cycle
    anonymous: bool
    all_time: bool
    htmx: bool = False


def world_of(bench: BenchHousehold):
    """The walker's World for a bench household: its owner and objects (the other people the
    isolation matrix builds are not needed to fill URLs)."""
    from dataclasses import fields

    from tests.urlwalk import World

    people = {field.name: None for field in fields(World)}
    return World(**{**people, "owner": bench.user, "objects": bench.objects})


def bench_income_line(cycle):
    """The active cycle's first income line (one is added if the seed made none)."""
    from decimal import Decimal

    from cycles.models import IncomeLine

    line = cycle.income_lines.order_by("pk").first()
    if line is None:
        line = IncomeLine.objects.create(
            cycle=cycle,
            description="Salary",
            amount=Decimal("5200.00"),
            currency=cycle.household.base_currency,
            expected_date=cycle.start_date,
            base_amount=Decimal("5200.00"),
            rate=Decimal(1),
            rate_date=cycle.start_date,
            rate_source=IncomeLine.RateSource.SAME_CURRENCY,
        )
    return line


def bench_settlement(user, household, cycle):
    """The household's settlement (one, from another member to the owner, the first time)."""
    from decimal import Decimal

    from accounts.models import Membership
    from sharing.models import Settlement

    settlement = Settlement.objects.filter(household=household).order_by("pk").first()
    if settlement is None:
        other = Membership.objects.filter(household=household).exclude(user=user).first()
        settlement = Settlement.objects.create(
            household=household,
            from_user_id=other.user_id if other else None,
            to_user=user,
            amount=Decimal("10.00"),
            currency=household.base_currency,
            date=cycle.start_date,
            cycle=cycle,
        )
    return settlement


def bench_import_rule(household):
    """The household's import rule (one is made the first time), for the rule edit page."""
    from expenses.imports import services as import_services
    from expenses.imports.models import ImportRule

    rule = ImportRule.objects.filter(household=household).order_by("pk").first()
    if rule is None:
        rule = import_services.create_rule(
            household=household,
            pattern="Bench shop",
            category=household.categories.order_by("pk").first(),
        )
    return rule


def bench_objects(user, household) -> dict:
    """One of each object of the bench household, keyed like tests/urlwalk.World.objects."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from accounts.models import Invite, Membership
    from cycles.models import Cycle
    from templates_app.models import ExpenseTemplate

    cycle = Cycle.objects.select_related("household").get(
        household=household, status=Cycle.Status.ACTIVE
    )
    return {
        "cycle": cycle,
        "expense": cycle.expenses.order_by("date", "pk").first(),
        "category": household.categories.order_by("pk").first(),
        "payment_method": household.payment_methods.order_by("pk").first(),
        "template": ExpenseTemplate.objects.filter(household=household).order_by("pk").first(),
        "membership": Membership.objects.filter(household=household)
        .exclude(user=user)
        .order_by("pk")
        .first(),
        "invite": Invite.objects.filter(household=household, accepted_at__isnull=True)
        .exclude(email=RUN_INVITE_EMAIL)
        .order_by("pk")
        .first(),
        "invite_token": fresh_invite_token(user, household),
        "api_token": bench_api_token(user),
        "income_line": bench_income_line(cycle),
        "import_rule": bench_import_rule(household),
        "settlement": bench_settlement(user, household, cycle),
        "pending_import": bench_pending_import(user, household, cycle),
        # The owner's password-reset link, as the email would carry it.
        "reset_uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "reset_token": default_token_generator.make_token(user),
    }


def get_pages(bench: BenchHousehold) -> list[Page]:
    """The GET pages of the URLconf, filled from `bench`'s objects; UnfilledRoute otherwise."""
    from django.urls import reverse

    from tests.urlwalk import PUBLIC, all_routes, allowed_methods, url_for

    pages, unfilled = [], []
    world = world_of(bench)
    for route in all_routes():
        methods = allowed_methods(route)
        if route.name in LEFT_OUT or (methods is not None and "GET" not in methods):
            continue
        url = url_for(route, world)
        if url is None and route.name in BENCH_FILLERS:
            keys = BENCH_FILLERS[route.name]
            url = reverse(route.name, kwargs={p: bench.objects[k] for p, k in keys.items()})
        if url is None:
            unfilled.append(route.name)
            continue
        for suffix, query, all_time in VARIANTS.get(route.name, [("", "", False)]):
            pages.append(
                Page(
                    label=f"{route.name}{suffix}",
                    route=route.name,
                    path=f"{url}?{query}" if query else url,
                    # Public pages are requested logged out; the others as the owner.
                    anonymous=route.name in PUBLIC,
                    all_time=all_time,
                    htmx=route.name in HTMX_ONLY,
                )
            )
    if unfilled:
        raise UnfilledRoute(
            f"The bench cannot fill {unfilled}: teach FILLERS in tests/urlwalk.py "
            "(and bench_objects in colony/bench/pages.py)."
        )
    return pages + api_pages(bench)


def bench_api_token(user):
    """The owner's API token (the API walker fills /tokens/{pk} with it)."""
    from accounts import services as account_services
    from accounts.models import ApiToken

    token = ApiToken.objects.filter(user=user).order_by("pk").first()
    if token is None:
        token, _ = account_services.create_api_token(
            user=user, name="bench", expires_in_days=365, read_only=True
        )
    return token


def api_pages(bench: BenchHousehold) -> list[Page]:
    """Every GET operation of the JSON API (walked like the API isolation matrix), requested
    with the owner's session (session auth: no per-token rate limit in the way of the runs)."""
    from tests.apiwalk import scoped_operations, url_for

    pages, unfilled = [], []
    for op in scoped_operations():
        if op.method != "GET":
            continue
        url = url_for(op, world_of(bench))
        if url is None:
            unfilled.append(str(op))
            continue
        pages.append(
            Page(label=f"API {op}", route=str(op), path=url, anonymous=False, all_time=False)
        )
    if unfilled:
        raise UnfilledRoute(f"The bench cannot fill {unfilled}: teach tests/apiwalk.py.")
    return pages


def bench_pending_import(user, household, cycle):
    """A statement of STATEMENT_ROWS rows waiting for its confirmation, the owner's (the API
    walker fills /imports/{pk} with it); each run keeps its own."""
    from decimal import Decimal

    from expenses.imports import services as import_services

    rows = [
        {
            "date": cycle.start_date,
            "description": f"Bench shop {n}",
            "amount": Decimal(f"{n + 1}.25"),
            "currency": household.base_currency,
        }
        for n in range(STATEMENT_ROWS)
    ]
    return import_services.keep_rows(
        household=household, uploaded_by=user, cycle=cycle, rows=rows, payment_method=None
    )


def fresh_invite_token(user, household) -> str:
    """A usable invite link for the invite-accept page: stored invites keep only a hash of
    their token, so each run makes its own (and drops the previous run's)."""
    from accounts import services as account_services
    from accounts.models import Invite

    Invite.objects.filter(household=household, email=RUN_INVITE_EMAIL).delete()
    _, token = account_services.create_invite(
        household=household, invited_by=user, email=RUN_INVITE_EMAIL
    )
    return token


STATEMENT_ROWS = 20


def upload_statement(bench: BenchHousehold) -> str:
    """Upload a small bank statement into the active cycle, as the import page does, and
    return the token of its preview."""
    from urllib.parse import parse_qs, urlsplit

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    cycle = bench.cycle
    lines = ["Date,Description,Amount"] + [
        f"{cycle.start_date.isoformat()},Bench shop {n},-{n + 1}.25" for n in range(STATEMENT_ROWS)
    ]
    response = bench.client.post(
        reverse("expenses:import_upload", args=[cycle.pk]),
        {"file": SimpleUploadedFile("bench.csv", "\n".join(lines).encode(), "text/csv")},
    )
    if response.status_code != 302:
        raise UnfilledRoute(f"uploading a statement answered {response.status_code}")
    return parse_qs(urlsplit(response["Location"]).query)["token"][0]
