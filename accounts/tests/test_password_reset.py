"""Password reset by email: same answer for anyone, throttled, single use, expiring, and it ends
every session and lifts the log-in lock-out."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import PasswordResetRequest
from accounts.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

RESET = reverse("accounts:password_reset")
NEW_PASSWORD = "a-brand-new-passphrase-77"


def _link_from_outbox() -> str:
    body = mail.outbox[-1].body
    return re.search(r"http://testserver(/accounts/password/reset/\S+/\S+/)", body).group(1)


def _without_csrf(content: bytes) -> str:
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", content.decode())


def _set_new_password(client, link, password=NEW_PASSWORD):
    page = client.get(link, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_login_page_links_to_password_reset(client):
    assert RESET in client.get(reverse("accounts:login")).content.decode()


def test_known_email_gets_a_plain_text_and_html_email_with_a_link(client, owner):
    response = client.post(RESET, {"email": "OWNER@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["owner@example.com"]
    assert message.subject == "Reset your Colony password"
    assert "/accounts/password/reset/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Choose a new password" in html
    assert "expires in 60 minutes" in message.body


def test_unknown_email_gets_the_same_answer_and_no_email(client, owner):
    known = client.post(RESET, {"email": "owner@example.com"}, follow=True)
    unknown = client.post(RESET, {"email": "nobody@example.com"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert _without_csrf(known.content) == _without_csrf(unknown.content)
    assert len(mail.outbox) == 1


def test_bad_email_is_a_field_error(client):
    response = client.post(RESET, {"email": "not-an-email"})
    assert response.status_code == 200
    assert "valid email" in response.content.decode()


def test_new_password_from_link_works_and_old_one_does_not(client, owner):
    client.post(RESET, {"email": owner.email})
    response = _set_new_password(client, _link_from_outbox())
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    assert not owner.check_password(TEST_PASSWORD)


def test_link_works_only_once(client, owner):
    client.post(RESET, {"email": owner.email})
    link = _link_from_outbox()
    _set_new_password(client, link)

    again = Client().get(link, follow=True)
    assert "This link cannot be used" in again.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)


@override_settings(PASSWORD_RESET_TIMEOUT=60 * 30)
def test_link_expires_after_the_configured_time(client, owner, monkeypatch):
    uid = urlsafe_base64_encode(force_bytes(owner.pk))
    token = default_token_generator.make_token(owner)
    later = default_token_generator._now() + timedelta(minutes=31)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)

    page = client.get(reverse("accounts:password_reset_confirm", args=[uid, token]), follow=True)
    assert "This link cannot be used" in page.content.decode()


def test_reset_ends_every_other_session(client, owner):
    elsewhere = Client()
    elsewhere.force_login(owner)
    assert elsewhere.get(reverse("dashboard")).status_code == 200

    client.post(RESET, {"email": owner.email})
    _set_new_password(client, _link_from_outbox())

    response = elsewhere.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_reset_lifts_the_accounts_lock_out(client, owner):
    login = reverse("accounts:login")
    for _ in range(5):
        client.post(login, {"username": owner.email, "password": "wrong"})
    assert (
        client.post(login, {"username": owner.email, "password": TEST_PASSWORD}).status_code == 429
    )

    client.post(RESET, {"email": owner.email})
    _set_new_password(client, _link_from_outbox())

    assert not AccessAttempt.objects.filter(username=owner.email).exists()
    fresh = Client(REMOTE_ADDR="10.0.0.9")
    response = fresh.post(login, {"username": owner.email, "password": NEW_PASSWORD})
    assert response.status_code == 302


@override_settings(PASSWORD_RESET_MAX_PER_EMAIL=2)
def test_beyond_the_limit_per_email_nothing_is_sent_and_the_answer_is_the_same(client, owner):
    answers = [client.post(RESET, {"email": owner.email}) for _ in range(3)]
    assert [a.status_code for a in answers] == [302, 302, 302]
    assert len(mail.outbox) == 2


@override_settings(PASSWORD_RESET_MAX_PER_ADDRESS=3)
def test_beyond_the_limit_per_address_requests_are_refused_with_429(client, owner):
    for n in range(3):
        client.post(RESET, {"email": f"someone{n}@example.com"})
    response = client.post(RESET, {"email": owner.email})
    assert response.status_code == 429
    assert "Too many reset requests" in response.content.decode()
    assert mail.outbox == []


def test_old_requests_stop_counting_after_an_hour(client, owner):
    with override_settings(PASSWORD_RESET_MAX_PER_EMAIL=1):
        client.post(RESET, {"email": owner.email})
        PasswordResetRequest.objects.update(requested_at=timezone.now() - timedelta(hours=2))
        client.post(RESET, {"email": owner.email})
    assert len(mail.outbox) == 2
    assert PasswordResetRequest.objects.count() == 1


def test_typed_email_is_not_stored_in_clear(client):
    client.post(RESET, {"email": "nobody@example.com"})
    assert "nobody" not in PasswordResetRequest.objects.get().email_hash


@override_settings(PASSWORD_RESET_BY_EMAIL=False)
def test_reset_turned_off_says_so_and_sends_nothing(client, owner):
    response = client.post(RESET, {"email": owner.email})
    assert response.status_code == 404
    assert "Password reset is turned off" in response.content.decode()
    assert mail.outbox == []
    assert RESET not in client.get(reverse("accounts:login")).content.decode()


def test_a_stranger_cannot_stop_the_owners_reset_email(owner):
    # Limits are per (email, address) and per address: requests for the owner's email made
    # elsewhere do not use up the owner's own.
    stranger = Client(REMOTE_ADDR="203.0.113.80")
    for _ in range(6):
        assert stranger.post(RESET, {"email": owner.email}).status_code == 302
    assert len(mail.outbox) == 3
    mail.outbox.clear()

    response = Client(REMOTE_ADDR="198.51.100.81").post(RESET, {"email": owner.email})

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[owner.email]]


@override_settings(PASSWORD_RESET_MAX_SENT_PER_EMAIL=2)
def test_requests_from_many_addresses_flood_nobodys_inbox_but_one_always_goes(owner):
    for n in range(8):
        Client(REMOTE_ADDR=f"203.0.113.{n}").post(RESET, {"email": owner.email})
    assert len(mail.outbox) == 2


def test_the_first_request_of_the_hour_is_always_sent(owner):
    # Whatever was asked before, nothing sent in the last hour means this one goes.
    with override_settings(PASSWORD_RESET_MAX_SENT_PER_EMAIL=0):
        Client(REMOTE_ADDR="198.51.100.82").post(RESET, {"email": owner.email})
    assert len(mail.outbox) == 1
