"""Every view that takes a POST, fed hostile input: never a 500, and text is always escaped.

The views come from the URLconf walker (tests/urlwalk.py), their parameters filled with the
logged-in household's own objects. The field names and a valid value for each come from the
forms the site itself renders (parsed with html.parser), so a new form is fuzzed as soon as a
page shows it. Hypothesis then replaces a few fields per example with huge numbers, NaN,
unicode, NUL, SQL and HTML payloads, wrong types, other households' ids or nothing at all, and
sends each example as a plain and as an HTMX POST.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from cycles.models import Cycle
from tests.urlwalk import (
    Route,
    World,
    all_routes,
    allowed_methods,
    build_household,
    household_snapshot,
    url_for,
)

pytestmark = pytest.mark.django_db

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'
PAYLOAD = XSS_SCRIPT + XSS_IMG
# What must never reach a page unescaped, and how the escaped payload reads.
RAW_MARKERS = ("<script>alert(1)", "<img src=x onerror")
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"

HOSTILE = [
    "1e309",
    "-1e309",
    "9" * 400,
    "NaN",
    "-NaN",
    "sNaN",
    "-0",
    "-0.00",
    "Infinity",
    "-Infinity",
    "1e-400",
    "0.001",
    "12,50",
    " 12.50 ",
    "1_000",
    "١٢٣",  # Arabic-Indic digits
    "\u200f12.50\u200e",  # RTL / LTR marks
    "\u202egnp.exe",  # right-to-left override
    "💸🏠👨‍👩‍👧",
    "a\x00b",
    "\x00",
    "\\ud800\\udfff",  # lone surrogates, escaped: the raw ones cannot be UTF-8 encoded
    "%00%ff",
    "x" * 10_000,
    "' OR 1=1 --",
    "'; DROP TABLE expenses_expense; --",
    XSS_SCRIPT,
    XSS_IMG,
    PAYLOAD,
    "{{ 7*7 }}{% debug %}",
    "../../etc/passwd",
    "",
    " ",
    "\t\n\r",
    "true",
    "on",
    "null",
    "[]",
    "2026-02-30",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2026-13-01",
    "1/2/2026",
    "javascript:alert(1)",
    "//evil.example/",
    "https://evil.example/",
]
BAD_IDS = ["0", "-1", "999999999", "2147483648", "9223372036854775808", "1.5", "1e3", "abc"]
# Fields no form offers, sent to try mass assignment: they must be ignored.
JUNK_FIELDS = ["household", "household_id", "id", "pk", "cycle", "created_by", "is_staff"]
# Valid values for required fields a form renders empty, by field name.
VALID = {
    "description": "Fuzzed groceries",
    "amount": "12.50",
    "income": "1000.00",
    "name": "Fuzzed name",
    "email": "someone.new@example.com",
    "username": "someone.new@example.com",
    "first_name": "Fuzz",
    "password": "amber-falcon-river-42",
    "password1": "amber-falcon-river-42",
    "password2": "amber-falcon-river-42",
    "old_password": "amber-falcon-river-42",
    "new_password1": "amber-falcon-river-43",
    "new_password2": "amber-falcon-river-43",
}
# Views the anonymous visitor uses; `household_setup` is for someone without a household.
ANONYMOUS = {"accounts:signup", "accounts:login", "accounts:invite_accept"}
HOMELESS = {"accounts:household_setup"}
# Fields a form carries only in some states (the signup page of an invite, a log-in's next).
EXTRA_FIELDS = {"accounts:signup": ("invite",), "accounts:login": ("next",)}
# Views that read another view's form (the template preview reads the template form over htmx).
FIELDS_FROM = {
    "templates_app:template_preview": "templates_app:template_create",
    "expenses:import_preview": "expenses:import_confirm",
    "expenses:import_rule_from_row": "expenses:import_confirm",
}
# A statement waiting in the owner's session, so the import preview's form (mapping and every
# row's choices) is discovered and fuzzed like any other form.
IMPORT_STATEMENT = (
    "Date,Description,Amount,Currency,Status,Fee\n"
    "2026-03-02,Fuzzed groceries,-12.34,USD,booked,0.50\n"
    "2026-03-03,LIDL 1234,-20.00,USD,pending,\n"
    "2026-03-04,Salary,1000.00,USD,booked,\n"
)
TEXT_TYPES = {"text", "search", "textarea"}
OK_STATUSES = range(200, 500)
OMIT = object()


# --- the forms a page renders ---------------------------------------------------------------


@dataclass
class FormField:
    name: str
    kind: str  # the input type, or "select" / "textarea"
    value: str | None  # what a browser would send untouched (None: nothing, e.g. unchecked)
    options: list[str] = field(default_factory=list)


@dataclass
class PageForm:
    action: str | None
    method: str
    fields: list[FormField] = field(default_factory=list)


class FormParser(HTMLParser):
    """Collects every <form> with its fields, including fields tied to it by `form="id"`."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: dict[str, PageForm] = {}
        self._current: str | None = None
        self._orphans: list[tuple[str, FormField]] = []
        self._select: FormField | None = None
        self._textarea: FormField | None = None

    def _add(self, attrs: dict, entry: FormField) -> None:
        owner = attrs.get("form") or self._current
        if owner is not None:
            self._orphans.append((owner, entry))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            key = attrs.get("id") or f"#form{len(self.forms)}"
            self.forms[key] = PageForm(attrs.get("action"), (attrs.get("method") or "get").lower())
            self._current = key
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind in {"submit", "button", "reset", "image"}:
                return
            value = attrs.get("value") or ""
            if kind in {"checkbox", "radio"}:
                value = (attrs.get("value") or "on") if "checked" in attrs else None
            self._add(attrs, FormField(attrs["name"], kind, value))
        elif tag == "select" and attrs.get("name"):
            self._select = FormField(attrs["name"], "select", None)
            self._add(attrs, self._select)
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            self._select.options.append(value)
            if "selected" in attrs or (self._select.value in (None, "") and value):
                self._select.value = value
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = FormField(attrs["name"], "textarea", "")
            self._add(attrs, self._textarea)

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def post_forms(self, page_path: str) -> list[PageForm]:
        for owner, entry in self._orphans:
            if owner in self.forms:
                self.forms[owner].fields.append(entry)
        self._orphans = []
        for form in self.forms.values():
            form.action = urlsplit(form.action).path if form.action else page_path
        return [form for form in self.forms.values() if form.method == "post"]


def forms_on(response, path: str) -> list[PageForm]:
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    parser = FormParser()
    parser.feed(response.content.decode())
    return parser.post_forms(path)


def view_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


# --- which views take a POST, and who posts to them -------------------------------------------


def post_routes() -> list[Route]:
    return [r for r in all_routes() if "POST" in (allowed_methods(r) or ())]


def page_routes() -> list[Route]:
    """Every page a logged-in member can GET (the exports are CSV, not forms)."""
    return [
        r
        for r in all_routes()
        if r.name != "healthz"
        and "export" not in r.name
        and "GET" in (allowed_methods(r) or {"GET"})
    ]


@dataclass
class Setup:
    world: World
    foreign: World
    owner_client: Client
    homeless_client: Client
    import_page: str = ""

    def client_for(self, route: Route) -> Client:
        if route.name in ANONYMOUS:
            return Client()
        if route.name in HOMELESS:
            return self.homeless_client
        return self.owner_client


@pytest.fixture
def setup(db) -> Setup:
    world = build_household("Fuzzed")
    foreign = build_household("Foreign")
    owner_client = Client()
    owner_client.force_login(world.owner)
    homeless_client = Client()
    homeless_client.force_login(UserFactory())
    cycle = world.objects["cycle"]
    uploaded = owner_client.post(
        reverse("expenses:import_upload", args=[cycle.pk]),
        {"file": SimpleUploadedFile("statement.csv", IMPORT_STATEMENT.encode())},
    )
    assert uploaded.status_code == 302, uploaded.content.decode()[:500]
    return Setup(world, foreign, owner_client, homeless_client, import_page=uploaded["Location"])


# Route name → the names of the pages (as the owner sees them) that render a form posting to it.
_FORM_PAGES: dict[str, set[str]] = {}


def _crawl_form_pages(setup: Setup) -> None:
    for page in page_routes():
        url = url_for(page, setup.world)
        if url is None or page.name in ANONYMOUS | HOMELESS:
            continue
        for form in forms_on(setup.owner_client.get(url), url):
            name = view_name(form.action)
            if name is not None:
                _FORM_PAGES.setdefault(name, set()).add(page.name)


def discover_fields(route: Route, url: str, setup: Setup) -> dict[str, FormField]:
    """The fields of every form on the site that posts to `url`, with a valid value each."""
    if route.name in FIELDS_FROM:
        source = next(r for r in post_routes() if r.name == FIELDS_FROM[route.name])
        return discover_fields(source, url_for(source, setup.world), setup)
    client = setup.client_for(route)
    if not _FORM_PAGES:
        _crawl_form_pages(setup)
    pages = {url} if "GET" in allowed_methods(route) else set()
    if route.name == "expenses:import_confirm":
        pages.add(setup.import_page)
    if client is setup.owner_client:
        by_name = {r.name: r for r in page_routes()}
        pages |= {url_for(by_name[name], setup.world) for name in _FORM_PAGES.get(route.name, ())}
    fields: dict[str, FormField] = {}
    for page in sorted(pages):
        for form in forms_on(client.get(page), page):
            if form.action == url:
                for entry in form.fields:
                    fields.setdefault(entry.name, entry)
    fields.pop("csrfmiddlewaretoken", None)
    for name in EXTRA_FIELDS.get(route.name, ()):
        fields.setdefault(name, FormField(name, "hidden", ""))
    for entry in fields.values():
        if not entry.value and entry.name in VALID:
            entry.value = VALID[entry.name]
    return fields


def baseline(fields: dict[str, FormField]) -> dict:
    return {name: f.value for name, f in fields.items() if f.value is not None}


# --- sending and checking ---------------------------------------------------------------------


def foreign_ids(setup: Setup) -> list[str]:
    objects = setup.foreign.objects
    keys = ("category", "payment_method", "template", "cycle", "expense", "membership", "invite")
    return [str(objects[key].pk) for key in keys] + [str(setup.foreign.owner.pk)]


def send(client: Client, url: str, data: dict, *, htmx: bool):
    """POST and return the response; a view exception fails with the input that caused it."""
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    # A file is read by the first request: each request gets its own.
    data = {k: SimpleUploadedFile(*v.file) if isinstance(v, Upload) else v for k, v in data.items()}
    try:
        response = client.post(url, data, **headers)
    except Exception:  # the test client re-raises what the view raised: that is the 500
        raise AssertionError(
            f"500 on {'HTMX ' if htmx else ''}POST {url} with {data!r}\n{traceback.format_exc()}"
        ) from None
    assert response.status_code in OK_STATUSES, (url, htmx, response.status_code, data)
    if not response.streaming:
        body = response.content.decode(errors="replace")
        for marker in RAW_MARKERS:
            assert marker not in body, f"unescaped {marker!r} from POST {url} with {data!r}"
    return response


def hostile_value(setup: Setup, entry: FormField | None):
    choices = [
        st.sampled_from(HOSTILE),
        st.sampled_from(BAD_IDS + foreign_ids(setup)),
        st.text(max_size=40),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.just(OMIT),
        st.lists(st.sampled_from(HOSTILE + BAD_IDS), min_size=2, max_size=3),
    ]
    if entry is not None and entry.options:
        choices.append(st.sampled_from(entry.options))
    if entry is not None and entry.kind == "file":
        choices.append(st.sampled_from(HOSTILE_UPLOADS).map(Upload))
    return st.one_of(choices)


@dataclass(frozen=True)
class Upload:
    file: tuple[str, bytes]


HOSTILE_UPLOADS = [
    ("empty.csv", b""),
    ("nul.csv", b"date,description,amount\n2026-03-02,a\x00b,1\n"),
    ("latin1.csv", "date,description,amount\n2026-03-02,caf\xe9,1\n".encode("latin-1")),
    ("xss.csv", f"date,description,amount\n2026-03-02,{PAYLOAD},1e309\n".encode()),
    ("bom.csv", "\ufeffdate;description;amount\n02/03/2026;x;NaN\n".encode()),
    ("binary.png", bytes(range(256)) * 4),
    ("long.csv", b"a," * 50_000),
    ("wide.csv", b"a," * 200 + b"\n" + b"1," * 200 + b"\n"),
    (
        "laughs.xml",
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<Document><BkToCstmrStmt>&lol2;</BkToCstmrStmt></Document>",
    ),
    (
        "xxe.ofx",
        b'<?xml version="1.0"?><?OFX OFXHEADER="200" VERSION="220"?>'
        b'<!DOCTYPE OFX [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><OFX>&xxe;</OFX>',
    ),
    ("broken.qif", b"!Type:Bank\nD99/99/99\nTabc\n^\n"),
]


@pytest.mark.parametrize("route", post_routes(), ids=lambda r: r.name)
def test_post_view_never_fails_on_hostile_input(route, setup):
    url = url_for(route, setup.world)
    if url is None:
        pytest.skip(f"{route.name}: the isolation matrix asks for a FILLERS entry")
    fields = discover_fields(route, url, setup)
    valid = baseline(fields)
    names = sorted(fields) + JUNK_FIELDS
    foreign_before = household_snapshot(setup.foreign)

    # The two extremes first: nothing at all, and the HTML payload in every field.
    for data in ({}, {name: PAYLOAD for name in names}):
        for htmx in (False, True):
            send(setup.client_for(route), url, data, htmx=htmx)

    @settings(
        max_examples=30 if fields else 6,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(data=st.data())
    def fuzz(data):
        mutated = data.draw(st.sets(st.sampled_from(names), min_size=1, max_size=4), "fields")
        post = dict(valid)
        for name in sorted(mutated):
            value = data.draw(hostile_value(setup, fields.get(name)), name)
            if value is OMIT:
                post.pop(name, None)
            else:
                post[name] = value
        client = setup.client_for(route)
        for htmx in (False, True):
            send(client, url, post, htmx=htmx)

    fuzz()
    assert household_snapshot(setup.foreign) == foreign_before, (
        f"{route.name} changed another household"
    )


def test_fields_are_discovered_from_the_rendered_forms(setup):
    """Guards the discovery itself: a parser that found nothing would fuzz nothing."""
    expected = {
        "cycles:expense_add": {"description", "amount", "currency", "category", "date", "note"},
        "cycles:expense_edit": {"description", "amount", "payment_method", "status"},
        "templates_app:template_create": {"name", "amount", "frequency", "day_of_month"},
        "cycles:new": {"name", "start_date", "end_date", "income", "generate_from_templates"},
        "expenses:payment_method_create": {"name", "kind", "owner", "last4"},
        "expenses:category_create": {"name"},
        "accounts:invite_create": {"email"},
        "accounts:member_role": {"role"},
        "accounts:signup": {"first_name", "email", "password1", "household_name"},
    }
    routes = {r.name: r for r in post_routes()}
    for name, names in expected.items():
        route = routes[name]
        found = discover_fields(route, url_for(route, setup.world), setup)
        assert names <= set(found), (name, sorted(found))
    route = routes["cycles:expense_add"]
    category = discover_fields(route, url_for(route, setup.world), setup)["category"]
    assert category.value in category.options and category.value  # a valid pick to start from


# --- stored text is escaped wherever it is shown ------------------------------------------------

# Forms whose text a member types once and everyone sees later: each must store the payload.
STORING_FORMS = [
    "cycles:expense_add",
    "cycles:expense_edit",
    "expenses:category_create",
    "expenses:category_edit",
    "expenses:payment_method_create",
    "expenses:payment_method_edit",
    "templates_app:template_create",
    "templates_app:template_edit",
    "cycles:new",
    "cycles:edit",
    "accounts:household_rename",
]


def pages_showing(setup: Setup, extra: list[str]) -> dict[str, str]:
    """Every page of the household (plain and HTMX), and each cycle's page and report."""
    client = setup.owner_client
    urls = [url_for(r, setup.world) for r in page_routes() if r.name not in ANONYMOUS | HOMELESS]
    household = setup.world.owner.membership.household
    for cycle in Cycle.objects.filter(household=household):
        urls += [
            reverse("cycles:detail", args=[cycle.pk]),
            reverse("reports:cycle", args=[cycle.pk]),
        ]
    bodies = {}
    for url in filter(None, [*urls, *extra]):
        for htmx in (False, True):
            response = client.get(url, **({"HTTP_HX_REQUEST": "true"} if htmx else {}))
            if response.status_code == 200 and not response.streaming:
                bodies[f"{'htmx ' if htmx else ''}{url}"] = response.content.decode()
    return bodies


@pytest.mark.parametrize("name", STORING_FORMS)
def test_stored_html_payload_is_escaped_on_every_page(name, setup):
    route = next(r for r in post_routes() if r.name == name)
    # The active cycle's expenses also show on the dashboard.
    Cycle.objects.filter(pk=setup.world.objects["cycle"].pk).update(status=Cycle.Status.ACTIVE)
    url = url_for(route, setup.world)
    fields = discover_fields(route, url, setup)
    text_fields = [f.name for f in fields.values() if f.kind in TEXT_TYPES and f.name != "last4"]
    assert text_fields, f"{name}: no text field found"
    saved, landing = [], []
    for i, text_field in enumerate(text_fields):
        data = baseline(fields) | {text_field: f"{PAYLOAD} {i}"}
        response = send(setup.owner_client, url, data, htmx=False)
        if response.status_code == 302:
            saved.append(text_field)
            landing.append(response["Location"])
    assert saved, f"{name}: no text field could be saved with the payload"

    bodies = pages_showing(setup, landing)
    for page, body in bodies.items():
        for marker in RAW_MARKERS:
            assert marker not in body, f"{name}: {page} shows {marker!r} unescaped"
    shown = [page for page, body in bodies.items() if ESCAPED_SCRIPT in body]
    assert shown, f"{name}: the saved payload ({saved}) is on no page, escaped or not"
