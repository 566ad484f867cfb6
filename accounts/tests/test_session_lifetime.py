"""The idle expiry slides for people who keep using Colony, whatever SESSION_IDLE_SECONDS is
(issue 24, item 6 / #15): it is refreshed at a fraction of the idle time, not hourly."""

import datetime
import time
from unittest import mock

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.tests.test_two_factor import password_step

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("dashboard")


class Clock:
    """Moves time.time() and timezone.now() forward together (session expiry reads both)."""

    def __init__(self):
        self.offset = 0.0
        self._time, self._now = time.time, timezone.now

    def time(self):
        return self._time() + self.offset

    def now(self):
        return self._now() + datetime.timedelta(seconds=self.offset)


@pytest.fixture
def clock():
    clock = Clock()
    with mock.patch("time.time", clock.time), mock.patch("django.utils.timezone.now", clock.now):
        yield clock


@override_settings(SESSION_COOKIE_AGE=600)
def test_an_active_user_stays_logged_in_with_a_ten_minute_idle_time(client, owner, clock):
    password_step(client, owner)
    for minute in range(0, 40, 4):
        clock.offset = minute * 60
        assert client.get(DASHBOARD).status_code == 200, f"logged out after {minute} minutes"


@override_settings(SESSION_COOKIE_AGE=600)
def test_an_idle_user_is_logged_out_after_the_idle_time(client, owner, clock):
    password_step(client, owner)
    assert client.get(DASHBOARD).status_code == 200
    clock.offset = 11 * 60
    assert client.get(DASHBOARD).status_code == 302
