"""Every URL in the URLconf, filled with household B's ids, requested by household A and by an
anonymous visitor: 404 (or the log-in page), and B's data unchanged.

The walker reads the URLconf, so a new URL is covered automatically; a URL whose parameters it
cannot fill fails `test_every_url_is_covered` until FILLERS is taught about it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.core import serializers
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.tests.factories import HouseholdFactory, make_member, make_owner

pytestmark = pytest.mark.django_db

SECRET = "SECRET-B-7f3a"

# URL names that need no household object, or are not household-scoped by design.
PUBLIC = {
    "healthz",
    "accounts:signup",
    "accounts:login",
    "accounts:logout",
    "accounts:invite_accept",  # token-addressed, tested in accounts tests
}
# Namespaces handled elsewhere (the admin has its own staff login).
SKIPPED_NAMESPACES = {"admin"}


@dataclass
class Route:
    name: str
    params: tuple[str, ...]


def _walk(patterns, prefix_ns=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in SKIPPED_NAMESPACES:
                continue
            child_ns = f"{prefix_ns}{ns}:" if ns else prefix_ns
            inherited = tuple(entry.pattern.converters)
            for route in _walk(entry.url_patterns, child_ns):
                yield Route(route.name, inherited + route.params)
        elif isinstance(entry, URLPattern) and entry.name:
            yield Route(f"{prefix_ns}{entry.name}", tuple(entry.pattern.converters))


def all_routes() -> list[Route]:
    seen = {}
    for route in _walk(get_resolver().url_patterns):
        seen.setdefault(route.name, route)
    return sorted(seen.values(), key=lambda r: r.name)


@dataclass
class World:
    """Household B with one of everything, all named with SECRET."""

    owner: object
    member: object
    objects: dict


def build_household_b() -> World:
    from exchange.models import ExchangeRate  # noqa: F401 — the app must be importable
    from accounts.models import Invite
    from accounts import services as account_services
    from cycles.tests.factories import CycleFactory
    from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory
    from templates_app.tests.factories import ExpenseTemplateFactory

    household = HouseholdFactory(name=f"{SECRET} household")
    owner = make_owner(household, first_name=SECRET)
    member = make_member(household)
    account_services.create_invite(household=household, invited_by=owner, email="b@example.com")
    category = CategoryFactory(household=household, name=f"{SECRET} category")
    method = PaymentMethodFactory(household=household, name=f"{SECRET} card")
    template = ExpenseTemplateFactory(
        household=household, name=f"{SECRET} rent", category=category, payment_method=method
    )
    cycle = CycleFactory(
        household=household, name=f"{SECRET} cycle", start_date=datetime.date(2026, 3, 1)
    )
    expense = ExpenseFactory(
        cycle=cycle,
        description=f"{SECRET} groceries",
        category=category,
        payment_method=method,
        amount=Decimal("12.34"),
    )
    return World(
        owner=owner,
        member=member,
        objects={
            "membership": member.membership,
            "invite": Invite.objects.get(household=household),
            "category": category,
            "payment_method": method,
            "template": template,
            "cycle": cycle,
            "expense": expense,
        },
    )


# How to fill each URL's parameters from household B's objects: url name → {param: object key}.
FILLERS: dict[str, dict[str, str]] = {
    "accounts:invite_revoke": {"pk": "invite"},
    "accounts:member_remove": {"pk": "membership"},
    "accounts:member_role": {"pk": "membership"},
}
# Parameter names that mean the same object wherever they appear.
PARAM_DEFAULTS = {
    "cycle_pk": "cycle",
    "cycle_id": "cycle",
    "expense_pk": "expense",
    "expense_id": "expense",
    "template_pk": "template",
    "category_pk": "category",
    "payment_method_pk": "payment_method",
}
# For a plain `pk`, the object is guessed from the URL name's first word.
PK_BY_PREFIX = {
    "cycles:": "cycle",
    "expenses:expense": "expense",
    "expenses:payment_method": "payment_method",
    "expenses:category": "category",
    "templates_app:": "template",
}


def object_key_for(route: Route, param: str) -> str | None:
    if route.name in FILLERS and param in FILLERS[route.name]:
        return FILLERS[route.name][param]
    if param in PARAM_DEFAULTS:
        return PARAM_DEFAULTS[param]
    if param == "pk":
        for prefix, key in PK_BY_PREFIX.items():
            if route.name.startswith(prefix):
                return key
    return None


def url_for(route: Route, world: World) -> str | None:
    kwargs = {}
    for param in route.params:
        key = object_key_for(route, param)
        if key is None:
            return None
        kwargs[param] = world.objects[key].pk
    return reverse(route.name, kwargs=kwargs)


def snapshot_of_b(world: World) -> str:
    """Every row of every Colony model that belongs to household B, serialized."""
    household = world.owner.membership.household
    rows = []
    for app_label in ("accounts", "cycles", "expenses", "templates_app"):
        for model in apps.get_app_config(app_label).get_models():
            field = getattr(model, "HOUSEHOLD_FIELD", "household")
            try:
                queryset = model.objects.filter(**{field: household}).order_by("pk")
            except Exception:  # noqa: BLE001 — models without a household path (User)
                continue
            rows.append(serializers.serialize("json", queryset))
    return "\n".join(rows)


@pytest.fixture
def world(db):
    return build_household_b()


@pytest.fixture
def client_a(db):
    client = Client()
    client.force_login(make_owner(HouseholdFactory(name="Household A")))
    return client


def scoped_routes():
    return [r for r in all_routes() if r.name not in PUBLIC]


def test_every_url_is_covered(world):
    unfilled = [r.name for r in scoped_routes() if r.params and url_for(r, world) is None]
    assert not unfilled, f"Teach the isolation walker how to fill: {unfilled}"


@pytest.mark.parametrize("route", scoped_routes(), ids=lambda r: r.name)
def test_household_a_gets_404_for_household_b_objects(route, world, client_a):
    url = url_for(route, world)
    if url is None:
        pytest.fail(f"Cannot fill {route.name}: teach FILLERS")
    before = snapshot_of_b(world)

    get = client_a.get(url)
    post = client_a.post(url, {"name": "hijack", "description": "hijack", "amount": "1"})
    htmx = client_a.post(url, {"description": "hijack"}, HTTP_HX_REQUEST="true")

    statuses = {get.status_code, post.status_code, htmx.status_code}
    if route.params:
        # 405 for the wrong method says nothing about B; anything else must be 404.
        assert statuses <= {404, 405}, (route.name, statuses)
        assert 404 in statuses, (route.name, statuses)
    else:
        # Household A's own pages: they may answer, but never with B's data.
        assert statuses.isdisjoint({500}), (route.name, statuses)
    for response in (get, post, htmx):
        body = response.content.decode(errors="replace") if not response.streaming else ""
        assert SECRET not in body, f"{route.name} leaked household B data"
    assert snapshot_of_b(world) == before, f"{route.name} changed household B data"


@pytest.mark.parametrize("route", scoped_routes(), ids=lambda r: r.name)
def test_anonymous_visitor_is_sent_to_log_in(route, world, client):
    url = url_for(route, world)
    if url is None:
        pytest.fail(f"Cannot fill {route.name}: teach FILLERS")
    before = snapshot_of_b(world)
    for response in (client.get(url), client.post(url, {"name": "x"})):
        assert response.status_code in {302, 405}, (route.name, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("accounts:login"))
    htmx = client.post(url, HTTP_HX_REQUEST="true")
    if htmx.status_code != 405:
        assert htmx["HX-Redirect"].startswith(reverse("accounts:login")), route.name
    assert snapshot_of_b(world) == before


def test_admin_requires_staff(client_a):
    response = client_a.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
