"""The API describes itself: OpenAPI 3 at /api/v1/openapi.json lists every route Django serves,
and the interactive docs load only Colony's own static files under the site's CSP."""

from __future__ import annotations

import re

import pytest

from tests.apiwalk import operations, url_patterns

pytestmark = pytest.mark.django_db


def test_openapi_json_is_served_and_is_openapi_3(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Colony API"
    assert {"TokenAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])


def test_openapi_lists_every_route_django_serves(client):
    listed = {path.rstrip("/") for path in client.get("/api/v1/openapi.json").json()["paths"]}
    assert url_patterns() == listed


def test_every_operation_says_what_it_answers_and_is_secured():
    for op in operations():
        assert op.schema.get("responses"), str(op)
        if str(op) != "POST /api/v1/auth/token":
            assert op.schema.get("security"), f"{op} has no authentication"


def test_openapi_describes_money_as_strings(client):
    text = client.get("/api/v1/openapi.json").content.decode()
    # A money field typed as a number would let clients send floats.
    for name in ("amount", "income", "planned_amount", "base_amount", "actual_amount"):
        for match in re.finditer(rf'"{name}": \{{[^}}]*\}}', text):
            assert '"number"' not in match.group(0), match.group(0)


def test_docs_page_uses_only_colonys_own_static_files_under_the_csp(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    assert all(source.startswith("/static/") for source in sources), sources
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    # No inline script runs: the only inline <script> holds JSON settings.
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs
    for source in sources:
        assert client.get(source).status_code == 200, source
