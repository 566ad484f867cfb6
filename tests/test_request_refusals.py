"""Requests anyone can send that Colony refuses: TRACE, an over-long URI, a foreign host, too
many form fields, too big a body. A clear status (JSON under /api/), and in the log a warning
without a traceback — never an ERROR a stranger can write."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from colony.request_line import MAX_API_URI_LENGTH

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/static/css/colony.css", "/sw.js"])
def test_trace_is_405_everywhere(client, path):
    response = client.generic("TRACE", path)
    assert response.status_code == 405
    assert "TRACE" not in response["Allow"]


def test_trace_is_405_for_a_logged_in_page(owner_client):
    assert owner_client.generic("TRACE", "/").status_code == 405


def test_trace_on_the_api_is_405_in_the_envelope(owner_api):
    response = owner_api.generic("TRACE", "/api/v1/cycles")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_an_over_long_api_uri_is_414_in_the_envelope(owner_api):
    response = owner_api.get("/api/v1/expenses?q=" + "a" * MAX_API_URI_LENGTH)
    assert response.status_code == 414
    body = response.json()
    assert body["success"] is False and body["error"]["code"] == "URI_TOO_LONG"


def test_a_long_page_uri_reaches_the_page(client):
    # Pages answer a long value with a field error (their own tests); only the API has a limit.
    assert client.get("/accounts/login/?next=" + "a" * MAX_API_URI_LENGTH).status_code == 200


def _security_records(caplog):
    return [r for r in caplog.records if r.name.startswith("django.security.")]


def test_a_foreign_host_is_logged_as_a_warning_without_traceback(client, caplog):
    with caplog.at_level(logging.INFO):
        response = client.get("/accounts/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    (record,) = _security_records(caplog)
    assert record.name == "django.security.DisallowedHost"
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_too_many_form_fields_is_logged_as_a_warning_without_traceback(client, caplog, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    with caplog.at_level(logging.INFO):
        response = client.post("/accounts/login/", {f"f{n}": "x" for n in range(20)})
    assert response.status_code == 400
    (record,) = _security_records(caplog)
    assert record.name == "django.security.TooManyFieldsSent"
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_too_big_a_form_body_is_logged_as_a_warning_without_traceback(client, caplog, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    with caplog.at_level(logging.INFO):
        response = client.post("/accounts/login/", {"username": "x" * 5000, "password": "y"})
    assert response.status_code == 400
    (record,) = _security_records(caplog)
    assert record.name == "django.security.RequestDataTooBig"
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
