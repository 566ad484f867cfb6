"""The log-in throttling policy (accounts.throttle, README "Production"): guessers are stopped,
people who only mistyped their own password never lock anyone else out."""

import importlib
import logging
import sys

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.db.models import Sum
from django.test import Client, override_settings
from django.urls import reverse

from accounts.tests.factories import TEST_PASSWORD, HouseholdFactory, make_member, make_owner

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
OLIVE = "olive@example.com"


@pytest.fixture
def olive():
    return make_owner(email=OLIVE)


def attempt(email, password, address="198.51.100.1", **extra):
    return Client().post(
        LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address, **extra
    )


def failures_recorded(**filters) -> int:
    return AccessAttempt.objects.filter(**filters).aggregate(n=Sum("failures_since_start"))["n"]


def test_guessing_one_account_from_many_addresses_is_stopped(olive):
    for n in range(20):
        attempt(OLIVE, f"guess-{n}", address=f"10.0.0.{n % 10}")

    response = attempt(OLIVE, TEST_PASSWORD, address="10.0.1.1")
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()


def test_failures_are_stored_under_the_account_they_were_for(olive):
    attempt("OLIVE@Example.com ", "guess")
    attempt(OLIVE, "guess")
    assert failures_recorded(username=OLIVE) == 2


def test_owner_still_logs_in_from_a_known_address_while_guessed_elsewhere(olive):
    assert attempt(OLIVE, TEST_PASSWORD, address="192.0.2.44").status_code == 302
    for n in range(25):
        attempt(OLIVE, f"guess-{n}", address=f"10.0.0.{n % 10}")

    assert attempt(OLIVE, TEST_PASSWORD, address="192.0.2.44").status_code == 302
    assert attempt(OLIVE, TEST_PASSWORD, address="10.0.9.9").status_code == 429


def test_one_persons_typos_lock_only_their_account_at_the_shared_address(olive):
    make_member(olive.membership.household, email="max@example.com")
    for _ in range(5):
        attempt(OLIVE, "typo", address="203.0.113.5")

    assert attempt(OLIVE, TEST_PASSWORD, address="203.0.113.5").status_code == 429
    assert attempt("max@example.com", TEST_PASSWORD, address="203.0.113.5").status_code == 302


def test_an_address_trying_many_accounts_is_stopped(olive):
    for n in range(10):
        attempt(f"nobody{n}@example.com", "guess", address="203.0.113.9")

    assert attempt(OLIVE, TEST_PASSWORD, address="203.0.113.9").status_code == 429
    assert attempt(OLIVE, TEST_PASSWORD, address="203.0.113.10").status_code == 302


def test_a_few_accounts_tried_from_one_household_address_lock_nobody(olive):
    home = HouseholdFactory()
    for n in range(4):
        make_member(home, email=f"kid{n}@example.com")
        attempt(f"kid{n}@example.com", "typo", address="203.0.113.7")

    assert attempt(OLIVE, TEST_PASSWORD, address="203.0.113.7").status_code == 302


def test_each_failure_is_counted_once_even_on_the_lock_out_page(olive):
    for _ in range(4):
        assert attempt(OLIVE, "typo").status_code == 422
    assert failures_recorded(username=OLIVE) == 4

    assert attempt(OLIVE, "typo").status_code == 429
    assert failures_recorded(username=OLIVE) == 5


def test_four_typos_then_the_right_password_logs_in(olive):
    client = Client()
    for _ in range(4):
        client.post(LOGIN, {"username": OLIVE, "password": "typo"})
    response = client.post(LOGIN, {"username": OLIVE, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert SESSION_KEY in client.session
    assert not AccessAttempt.objects.filter(username=OLIVE).exists()


def test_the_lock_out_page_keeps_the_email_typed(olive):
    for _ in range(5):
        response = attempt(OLIVE, "typo")
    body = response.content.decode()
    assert f'value="{OLIVE}"' in body
    assert "Wrong email or password" not in body


def test_an_email_longer_than_the_throttle_stores_is_a_form_error_not_a_500(olive):
    long_email = "a" * 240 + "@" + "b" * 60 + ".example.com"
    response = attempt(long_email, "guess")
    assert response.status_code == 422
    assert failures_recorded() == 1


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_the_load_balancer_failures_count_against_the_client_address(olive):
    make_member(olive.membership.household, email="max@example.com")
    balancer = "10.1.0.2"
    for n in range(12):
        attempt(
            f"nobody{n}@example.com",
            "guess",
            address=balancer,
            HTTP_X_FORWARDED_FOR="203.0.113.66",
        )

    # The guesser's address is stopped; everyone else behind the same balancer is not.
    blocked = attempt(OLIVE, TEST_PASSWORD, address=balancer, HTTP_X_FORWARDED_FOR="203.0.113.66")
    assert blocked.status_code == 429
    ok = attempt(OLIVE, TEST_PASSWORD, address=balancer, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert ok.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_an_address_the_client_forges_in_front_of_the_proxys_is_ignored(olive):
    for n in range(10):
        # The balancer appends the real address; the first entry is the client's own invention.
        attempt(
            f"nobody{n}@example.com",
            "guess",
            address="10.1.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.66",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_garbage_forwarded_header_falls_back_to_the_socket_address(olive):
    response = attempt(OLIVE, "guess", address="10.1.0.2", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert response.status_code == 422
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.1.0.2"}


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_the_audit_line_records_the_client_not_the_balancer(olive, caplog):
    with caplog.at_level(logging.INFO, logger="colony.auth"):
        attempt(OLIVE, TEST_PASSWORD, address="10.1.0.2", HTTP_X_FORWARDED_FOR="203.0.113.66")
    (record,) = [r for r in caplog.records if r.name == "colony.auth"]
    assert record.ip == "203.0.113.66"


def test_without_a_configured_proxy_the_forwarded_header_is_ignored(olive):
    attempt(OLIVE, "guess", address="198.51.100.3", HTTP_X_FORWARDED_FOR="203.0.113.66")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.3"}


def test_production_reads_the_client_address_behind_one_load_balancer(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 60)
    monkeypatch.setenv("PASSWORD_RESET_BY_EMAIL", "false")
    monkeypatch.delenv("TRUSTED_PROXY_COUNT", raising=False)
    monkeypatch.delitem(sys.modules, "colony.settings.production", raising=False)
    production = importlib.import_module("colony.settings.production")
    assert production.TRUSTED_PROXY_COUNT == 1
    assert production.AXES_CLIENT_IP_CALLABLE == "colony.client_address.client_address"


def test_one_address_cannot_lock_the_owner_out_of_every_other_address(olive):
    # Attempts refused while locked are not checked, so they neither count towards the
    # account-wide rule (which needs failures from several addresses) nor renew the lock.
    for n in range(21):
        attempt(OLIVE, f"guess-{n}", address="203.0.113.66")

    assert failures_recorded(username=OLIVE) == 5
    assert attempt(OLIVE, TEST_PASSWORD, address="198.51.100.23").status_code == 302


def test_attempts_during_a_lock_do_not_renew_it(olive):
    for _ in range(5):
        attempt(OLIVE, "typo", address="203.0.113.67")
    locked_at = AccessAttempt.objects.get(username=OLIVE).attempt_time

    assert attempt(OLIVE, "typo", address="203.0.113.67").status_code == 429
    assert AccessAttempt.objects.get(username=OLIVE).attempt_time == locked_at
