"""Every URL in the URLconf, filled with household B's ids, requested by household A and by an
anonymous visitor: 404 (or the log-in page), and B's data unchanged. And every URL requested by a
viewer of household B itself: reads answer, every write is refused with 403 and changes nothing.

The walker (tests/urlwalk.py) reads the URLconf, so a new URL is covered automatically; a URL
whose parameters it cannot fill fails `test_every_url_is_covered` until FILLERS is taught about it.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from accounts.roles import is_allowed_for_viewers
from accounts.tests.factories import HouseholdFactory, make_owner
from tests.urlwalk import (
    PUBLIC,
    all_routes,
    build_household,
    household_snapshot,
    url_for,
    writes_for_viewers,
)

pytestmark = pytest.mark.django_db

SECRET = "SECRET-B-7f3a"


def build_household_b():
    """Household B with one of everything, all named with SECRET."""
    return build_household(SECRET)


snapshot_of_b = household_snapshot


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
        pytest.fail(f"Cannot fill {route.name}: teach FILLERS in tests/urlwalk.py")
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
        pytest.fail(f"Cannot fill {route.name}: teach FILLERS in tests/urlwalk.py")
    before = snapshot_of_b(world)
    for response in (client.get(url), client.post(url, {"name": "x"})):
        assert response.status_code in {302, 405}, (route.name, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("accounts:login"))
    htmx = client.post(url, HTTP_HX_REQUEST="true")
    if htmx.status_code != 405:
        assert htmx["HX-Redirect"].startswith(reverse("accounts:login")), route.name
    assert snapshot_of_b(world) == before


# The only views a viewer may POST to: each changes the viewer's own account, never the
# household's data. A new entry here must be one of those.
VIEWER_WRITABLE = {
    "accounts:account_delete",
    "accounts:api_token_revoke",  # the viewer's own tokens, which only read
    "accounts:api_tokens",
    "accounts:household_leave",
    "accounts:invite_accept",
    "accounts:login",
    "accounts:logout",
    "accounts:password_change",
    "accounts:password_reset",
    "accounts:password_reset_complete",
    "accounts:password_reset_confirm",
    "accounts:password_reset_done",
    "accounts:sessions_end_others",
    "accounts:signup",
    "accounts:login_code",
    "accounts:two_factor_disable",
    "accounts:two_factor_recovery",
    "accounts:two_factor_setup",
    "reminders:preferences",
    "accounts:theme",  # the user's own colour theme
}


FORM_TAG = re.compile(r"<form\b[^>]*>", re.IGNORECASE | re.DOTALL)
POST_METHOD = re.compile(r'method="post"', re.IGNORECASE)
ACTION = re.compile(r'\baction="([^"]+)"')
HTMX_WRITE = re.compile(r'\bhx-(?:post|put|patch|delete)="([^"]+)"')


def write_targets(response, own_path: str) -> list[str]:
    """The URLs a read page's POST forms and HTMX writes go to that a viewer may not use.

    A form page (one that posts to itself: new, edit, upload) is the write's own page: a viewer
    only reaches it by typing its address, and its POST is refused (asserted below)."""
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    body = response.content.decode()
    targets = set(HTMX_WRITE.findall(body))
    for tag in FORM_TAG.findall(body):
        if POST_METHOD.search(tag) and (action := ACTION.search(tag)):
            targets.add(action.group(1))
    paths = {urlsplit(html.unescape(target)).path for target in targets}
    if own_path in paths:
        return []
    refused = []
    for path in paths:
        try:
            view = resolve(path).func
        except Resolver404:
            continue
        if not is_allowed_for_viewers(view):
            refused.append(path)
    return sorted(refused)


def test_views_open_to_viewers_are_only_personal_account_actions():
    assert {r.name for r in all_routes() if writes_for_viewers(r)} == VIEWER_WRITABLE


@pytest.fixture
def client_viewer(world):
    client = Client()
    client.force_login(world.viewer)
    return client


@pytest.mark.parametrize(
    "route",
    [r for r in scoped_routes() if not writes_for_viewers(r)],
    ids=lambda r: r.name,
)
def test_viewer_reads_but_every_write_is_refused_with_403(route, world, client_viewer):
    url = url_for(route, world)
    if url is None:
        pytest.fail(f"Cannot fill {route.name}: teach FILLERS in tests/urlwalk.py")
    before = household_snapshot(world)
    member = Client()
    member.force_login(world.member)

    # Reading: a viewer gets what a member gets (owner-only pages refuse both).
    get = client_viewer.get(url)
    assert get.status_code == member.get(url).status_code, route.name
    # The page offers a viewer no write it would refuse.
    offered = write_targets(get, urlsplit(url).path)
    assert not offered, f"{route.name} shows a viewer write controls for {offered}"
    post = client_viewer.post(url, {"name": "viewer", "description": "viewer", "amount": "1"})
    htmx = client_viewer.post(url, {"description": "viewer"}, HTTP_HX_REQUEST="true")
    assert get.status_code != 500, route.name
    assert post.status_code == 403, (route.name, post.status_code)
    assert "your role is viewer" in post.content.decode()
    assert htmx.status_code == 403, (route.name, htmx.status_code)
    assert htmx["HX-Retarget"] == "#messages"
    assert household_snapshot(world) == before, f"{route.name} let a viewer change data"


def test_admin_requires_staff(client_a):
    response = client_a.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
