"""Every page has exactly one h1 (issue 25, item 14): a screen reader's "next heading 1" lands
on what the page is about, once. The pages are every named URL the isolation matrix walks
(tests/urlwalk.py), opened as the household's owner, plus the public ones opened logged out;
each HTML page answered with 200 is counted."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from .urlwalk import PUBLIC, all_routes, build_household, url_for

pytestmark = pytest.mark.django_db

H1 = re.compile(r"<h1\b", re.IGNORECASE)
# Public URLs that answer with something other than an HTML page of their own.
NOT_PAGES = {"healthz", "manifest", "service_worker", "favicon", "accounts:logout"}


def _pages(client, routes, world):
    for route in routes:
        url = url_for(route, world)
        if url is None:
            continue
        response = client.get(url)
        # Pages only: a fragment endpoint (the template preview) is part of a page.
        if response.status_code != 200 or response.streaming or b"<html" not in response.content:
            continue
        yield route.name, response.content.decode()


def _h1_counts(client, routes, world) -> dict[str, int]:
    return {name: len(H1.findall(body)) for name, body in _pages(client, routes, world)}


def test_every_page_of_a_household_has_one_h1():
    world = build_household("One")
    client = Client()
    client.force_login(world.owner)
    routes = [route for route in all_routes() if route.name not in PUBLIC]
    counts = _h1_counts(client, routes, world)
    assert len(counts) > 30  # the walk reached the app's pages, not only redirects
    assert "cycles:detail" in counts and "dashboard" in counts
    wrong = {name: count for name, count in counts.items() if count != 1}
    assert not wrong, f"pages without exactly one h1: {wrong}"


def test_every_public_page_has_one_h1():
    world = build_household("Public")
    routes = [route for route in all_routes() if route.name in PUBLIC - NOT_PAGES]
    counts = _h1_counts(Client(), routes, world)
    assert "accounts:login" in counts and "accounts:signup" in counts
    wrong = {name: count for name, count in counts.items() if count != 1}
    assert not wrong, f"pages without exactly one h1: {wrong}"
