import importlib
import json
import logging
import sys

import pytest
from django.urls import reverse
from pythonjsonlogger.json import JsonFormatter

from accounts.tests.factories import TEST_PASSWORD, make_owner
from colony.settings import base

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    """Captures the `colony.auth` logger through the production JSON formatter."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Collect()
    handler.setFormatter(
        JsonFormatter(
            base.LOGGING["formatters"]["json"]["fmt"],
            rename_fields=base.LOGGING["formatters"]["json"]["rename_fields"],
        )
    )
    logger = logging.getLogger("colony.auth")
    logger.addHandler(handler)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)


def test_successful_log_in_is_one_json_line_with_user_ip_and_outcome(client, json_lines):
    user = make_owner(email="olive@example.com")
    client.post(
        reverse("accounts:login"),
        {"username": "olive@example.com", "password": TEST_PASSWORD},
        REMOTE_ADDR="192.0.2.7",
    )
    events = [json.loads(line) for line in json_lines]
    assert len(events) == 1
    assert events[0]["event"] == "login"
    assert events[0]["outcome"] == "success"
    assert events[0]["user_id"] == user.pk
    assert events[0]["ip"] == "192.0.2.7"
    assert TEST_PASSWORD not in json_lines[0]


def test_failed_log_in_is_logged_without_the_password(client, json_lines):
    make_owner(email="olive@example.com")
    client.post(
        reverse("accounts:login"),
        {"username": "olive@example.com", "password": "my-secret-guess"},
        REMOTE_ADDR="192.0.2.8",
    )
    events = [json.loads(line) for line in json_lines]
    assert len(events) == 1
    assert events[0]["outcome"] == "failure"
    assert events[0]["username"] == "olive@example.com"
    assert events[0]["ip"] == "192.0.2.8"
    assert "my-secret-guess" not in json_lines[0]


def test_production_logs_one_json_line_per_event_on_stdout(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 60)
    monkeypatch.setenv("PASSWORD_RESET_BY_EMAIL", "false")
    monkeypatch.delitem(sys.modules, "colony.settings.production", raising=False)
    production = importlib.import_module("colony.settings.production")
    handler = production.LOGGING["handlers"]["console"]
    assert handler["class"] == "logging.StreamHandler"
    assert handler["formatter"] == "json"
