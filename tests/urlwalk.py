"""The URLconf walker the cross-cutting suites share (isolation matrix, form fuzzing).

It lists every named URL with its parameters, builds a household with one of everything, and
fills each URL's parameters from such a household's objects, so a new URL is covered by every
suite that walks the URLconf as soon as it exists.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.core import serializers
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.roles import is_allowed_for_viewers
from accounts.tests.factories import HouseholdFactory, make_member, make_owner, make_viewer

# URL names that need no household object, or are not household-scoped by design.
PUBLIC = {
    "healthz",
    "accounts:signup",
    "accounts:login",
    "accounts:login_code",  # the second log-in step, before any household
    "accounts:logout",
    "accounts:invite_accept",  # token-addressed, tested in accounts tests
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",  # token-addressed, tested in accounts tests
    "accounts:password_reset_complete",
    # The installable app's files: no household data (tests/test_everyday_use.py).
    "manifest",
    "service_worker",
    "offline",
    "favicon",
}
# Namespaces handled elsewhere (the admin has its own staff login; the JSON API answers 401
# instead of a log-in redirect and is walked route by route, method by method, in
# tests/test_api_isolation.py).
SKIPPED_NAMESPACES = {"admin", "api"}


@dataclass
class Route:
    name: str
    params: tuple[str, ...]
    view: object = None


def _walk(patterns, prefix_ns=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in SKIPPED_NAMESPACES:
                continue
            child_ns = f"{prefix_ns}{ns}:" if ns else prefix_ns
            inherited = tuple(entry.pattern.converters)
            for route in _walk(entry.url_patterns, child_ns):
                yield Route(route.name, inherited + route.params, route.view)
        elif isinstance(entry, URLPattern) and entry.name:
            yield Route(f"{prefix_ns}{entry.name}", tuple(entry.pattern.converters), entry.callback)


def all_routes() -> list[Route]:
    seen = {}
    for route in _walk(get_resolver().url_patterns):
        seen.setdefault(route.name, route)
    return sorted(seen.values(), key=lambda r: r.name)


def allowed_methods(route: Route) -> frozenset[str] | None:
    """The HTTP methods the view's `require_http_methods` (or `require_POST`/`require_GET`)
    allows, or None when it does not restrict them."""
    view = route.view
    while view is not None:
        code, closure = getattr(view, "__code__", None), getattr(view, "__closure__", None)
        if code is not None and closure:
            cells = dict(zip(code.co_freevars, closure, strict=True))
            if "request_method_list" in cells:
                return frozenset(cells["request_method_list"].cell_contents)
        view = getattr(view, "__wrapped__", None)
    return None


@dataclass
class World:
    """A household with one of everything, every name starting with `label`."""

    owner: object
    member: object
    viewer: object
    objects: dict


def build_household(label: str) -> World:
    from accounts import services as account_services
    from cycles.models import CategoryBudget, IncomeLine
    from cycles.tests.factories import CycleFactory
    from expenses.imports import services as import_services
    from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory
    from sharing.models import Settlement
    from templates_app.tests.factories import ExpenseTemplateFactory

    household = HouseholdFactory(name=f"{label} household")
    owner = make_owner(household, first_name=label)
    member = make_member(household)
    viewer = make_viewer(household)
    invite, token = account_services.create_invite(
        household=household, invited_by=owner, email=f"invitee-{household.pk}@example.com"
    )
    api_token, _ = account_services.create_api_token(
        user=owner, name=f"{label} token", expires_in_days=30, read_only=False
    )
    category = CategoryFactory(household=household, name=f"{label} category")
    method = PaymentMethodFactory(household=household, name=f"{label} card")
    template = ExpenseTemplateFactory(
        household=household, name=f"{label} rent", category=category, payment_method=method
    )
    cycle = CycleFactory(
        household=household, name=f"{label} cycle", start_date=datetime.date(2026, 3, 1)
    )
    expense = ExpenseFactory(
        cycle=cycle,
        description=f"{label} groceries",
        category=category,
        payment_method=method,
        amount=Decimal("12.34"),
    )
    income_line = IncomeLine.objects.create(
        cycle=cycle,
        description=f"{label} salary",
        amount=Decimal("2500.00"),
        currency=household.base_currency,
        expected_date=cycle.start_date,
        member=member,
        base_amount=Decimal("2500.00"),
        rate=Decimal(1),
        rate_date=cycle.start_date,
        rate_source=IncomeLine.RateSource.SAME_CURRENCY,
    )
    CategoryBudget.objects.create(cycle=cycle, category=category, amount=Decimal("300.00"))
    import_rule = import_services.create_rule(
        household=household, pattern=f"{label} shop", category=category
    )
    settlement = Settlement.objects.create(
        household=household,
        from_user=member,
        to_user=owner,
        amount=Decimal("5.00"),
        currency=household.base_currency,
        date=cycle.start_date,
        cycle=cycle,
    )
    # An upload waiting for its confirmation (the import API's /imports/{pk}), the owner's.
    pending_import = import_services.keep_rows(
        household=household,
        uploaded_by=owner,
        cycle=cycle,
        rows=[
            {
                "date": cycle.start_date,
                "description": f"{label} bakery",
                "amount": Decimal("4.20"),
                "currency": household.base_currency,
            }
        ],
        payment_method=method,
    )
    return World(
        owner=owner,
        member=member,
        viewer=viewer,
        objects={
            "membership": member.membership,
            "invite": invite,
            "invite_token": token,
            "api_token": api_token,
            "category": category,
            "payment_method": method,
            "template": template,
            "cycle": cycle,
            "expense": expense,
            "income_line": income_line,
            "import_rule": import_rule,
            "settlement": settlement,
            "pending_import": pending_import,
        },
    )


def household_snapshot(world: World) -> str:
    """Every row of every Colony model that belongs to the world's household, serialized."""
    household = world.owner.membership.household
    rows = []
    for app_label in ("accounts", "cycles", "expenses", "templates_app", "sharing"):
        for model in apps.get_app_config(app_label).get_models():
            field = getattr(model, "HOUSEHOLD_FIELD", "household")
            try:
                queryset = model.objects.filter(**{field: household}).order_by("pk")
            except Exception:  # models without a household path (User)
                continue
            rows.append(serializers.serialize("json", queryset))
    return "\n".join(rows)


# How to fill each URL's parameters from a world's objects: url name → {param: object key}.
FILLERS: dict[str, dict[str, str]] = {
    "accounts:invite_revoke": {"pk": "invite"},
    "accounts:member_remove": {"pk": "membership"},
    "accounts:member_role": {"pk": "membership"},
    "accounts:ownership_transfer": {"pk": "membership"},
    "accounts:invite_accept": {"token": "invite_token"},
    "accounts:api_token_revoke": {"pk": "api_token"},
    "sharing:settlement_delete": {"pk": "settlement"},
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
    "income_pk": "income_line",
}
# For a plain `pk`, the object is guessed from the URL name's first word.
PK_BY_PREFIX = {
    "cycles:expense": "expense",  # the cycle page's expense actions, before "cycles:"
    "cycles:": "cycle",
    "expenses:payment_method": "payment_method",
    "expenses:category": "category",
    "expenses:import_rule": "import_rule",
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
    """The route's URL with its parameters filled from `world`, or None when it cannot be."""
    kwargs = {}
    for param in route.params:
        key = object_key_for(route, param)
        if key is None:
            return None
        value = world.objects[key]
        kwargs[param] = getattr(value, "pk", value)
    return reverse(route.name, kwargs=kwargs)


def writes_for_viewers(route: Route) -> bool:
    """True for views marked `accounts.roles.allowed_for_viewers`: their writes change only the
    user's own account (password, log-out, leaving), so a viewer may use them."""
    return is_allowed_for_viewers(route.view)
