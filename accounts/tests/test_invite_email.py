"""Invites by email: Colony sends the link, the page says whether it went, the link stays."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invite, InviteEmail

pytestmark = pytest.mark.django_db

INVITE_CREATE = reverse("accounts:invite_create")


def test_invite_is_emailed_with_the_right_link(owner_client, household, htmx_headers):
    response = owner_client.post(
        INVITE_CREATE, {"email": "Newbie@Example.com", "send_email": "on"}, **htmx_headers
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Colony emailed them the link." in body
    link = body.split('aria-label="Invite link"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert "/accounts/invite/" in link

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newbie@example.com"]
    assert message.subject == "You are invited to budget together on Colony"
    assert link in message.body
    assert link in message.alternatives[0][0]
    assert Invite.objects.get().email_sent_at is not None
    page = owner_client.get(reverse("accounts:household")).content.decode()
    assert "emailed" in page


def test_invite_without_sending_only_shows_the_link(owner_client, htmx_headers):
    response = owner_client.post(INVITE_CREATE, {"email": "newbie@example.com"}, **htmx_headers)
    body = response.content.decode()
    assert "Send them this link yourself." in body
    assert mail.outbox == []
    assert Invite.objects.get().email_sent_at is None
    assert "link not emailed" in body


def test_failed_delivery_is_shown_and_the_link_still_works(owner_client, htmx_headers, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"newbie@example.com": (550, b"no")})

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    response = owner_client.post(
        INVITE_CREATE, {"email": "newbie@example.com", "send_email": "on"}, **htmx_headers
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "The email could not be sent" in body
    assert 'aria-label="Invite link"' in body
    assert Invite.objects.get().email_sent_at is None


def test_plain_post_says_it_was_emailed(owner_client):
    response = owner_client.post(
        INVITE_CREATE, {"email": "newbie@example.com", "send_email": "on"}, follow=True
    )
    assert "Colony emailed the link to newbie@example.com." in response.content.decode()


@override_settings(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
def test_an_email_only_printed_on_the_console_is_not_called_emailed(
    owner_client, htmx_headers, capsys
):
    # make run: no EMAIL_URL, so the email goes to the server's console and reaches nobody.
    response = owner_client.post(
        INVITE_CREATE, {"email": "newbie@example.com", "send_email": "on"}, **htmx_headers
    )
    body = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert "emailed them" not in body
    assert "No email was sent: this server has no mail server set up" in body
    assert 'data-invite-emailed="written-only"' in body
    assert "/accounts/invite/" in capsys.readouterr().out  # it was printed, not delivered
    assert Invite.objects.get().email_sent_at is None
    page = owner_client.get(reverse("accounts:household")).content.decode()
    assert "link not emailed" in page


@override_settings(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
def test_plain_post_with_only_a_console_says_no_email_was_sent(owner_client, capsys):
    response = owner_client.post(
        INVITE_CREATE, {"email": "newbie@example.com", "send_email": "on"}, follow=True
    )
    text = response.content.decode()
    assert "Colony emailed" not in text
    assert "No email was sent" in text


def test_a_backend_that_accepts_nothing_is_not_called_emailed(
    owner_client, htmx_headers, monkeypatch
):
    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", lambda self, **kw: 0)
    response = owner_client.post(
        INVITE_CREATE, {"email": "newbie@example.com", "send_email": "on"}, **htmx_headers
    )
    assert "The email could not be sent" in response.content.decode()
    assert Invite.objects.get().email_sent_at is None


@override_settings(EMAIL_ENABLED=False)
def test_without_email_the_form_offers_no_sending(owner_client):
    body = owner_client.get(reverse("accounts:household")).content.decode()
    assert 'name="send_email"' not in body
    assert "This server sends no email" in body
    owner_client.post(INVITE_CREATE, {"email": "newbie@example.com", "send_email": "on"})
    assert mail.outbox == []


def test_failed_smtp_delivery_logs_no_credentials_nor_link(owner_client, caplog, settings):
    # A real SMTP backend pointed at a closed port, with a password in its settings.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9
    settings.EMAIL_HOST_USER = "colony"
    settings.EMAIL_HOST_PASSWORD = "smtp-secret-51c"
    settings.EMAIL_TIMEOUT = 2
    caplog.set_level("DEBUG")
    response = owner_client.post(
        INVITE_CREATE, {"email": "newbie@example.com", "send_email": "on"}, follow=True
    )
    assert "could not be sent" in response.content.decode()
    assert "email not sent" in caplog.text
    assert "smtp-secret-51c" not in caplog.text
    assert "/accounts/invite/" not in caplog.text


def _invite(client, number, headers, **extra):
    return client.post(INVITE_CREATE, {"email": f"guest{number}@example.com", **extra}, **headers)


def test_emailed_invites_beyond_the_hourly_limit_are_refused_with_429(
    owner_client, htmx_headers, settings
):
    settings.INVITE_EMAILS_PER_HOUR = 3
    for number in range(3):
        assert _invite(owner_client, number, htmx_headers, send_email="on").status_code == 200

    refused = _invite(owner_client, 3, htmx_headers, send_email="on")

    assert refused.status_code == 429
    assert "Colony has emailed 3 invites for this household in the last hour" in (
        refused.content.decode()
    )
    assert len(mail.outbox) == 3
    assert not Invite.objects.filter(email="guest3@example.com").exists()
    # Withdrawing the invites does not give the emails back.
    Invite.objects.all().delete()
    assert _invite(owner_client, 4, htmx_headers, send_email="on").status_code == 429


def test_invite_links_shared_by_hand_are_not_limited(owner_client, htmx_headers, settings):
    settings.INVITE_EMAILS_PER_HOUR = 1
    assert _invite(owner_client, 0, htmx_headers, send_email="on").status_code == 200
    assert _invite(owner_client, 1, htmx_headers).status_code == 200
    assert Invite.objects.count() == 2 and len(mail.outbox) == 1


def test_invite_emails_older_than_an_hour_no_longer_count(
    owner_client, household, htmx_headers, settings
):
    settings.INVITE_EMAILS_PER_HOUR = 1
    assert _invite(owner_client, 0, htmx_headers, send_email="on").status_code == 200
    InviteEmail.objects.update(sent_at=timezone.now() - timedelta(minutes=61))
    assert _invite(owner_client, 1, htmx_headers, send_email="on").status_code == 200
    assert InviteEmail.objects.filter(household=household).count() == 1


def test_another_households_invites_do_not_count(
    owner_client, stranger_client, htmx_headers, settings
):
    settings.INVITE_EMAILS_PER_HOUR = 1
    assert _invite(stranger_client, 0, htmx_headers, send_email="on").status_code == 200
    assert _invite(owner_client, 1, htmx_headers, send_email="on").status_code == 200


def test_invite_subject_holds_no_text_the_owner_typed(owner_client, household, owner):
    household.name = "Smith & Jones\nBcc: everyone@example.com"
    household.save()
    owner.first_name = "Win a prize at spam.example"
    owner.save()
    owner_client.post(INVITE_CREATE, {"email": "guest@example.com", "send_email": "on"})

    (message,) = mail.outbox
    assert message.subject == "You are invited to budget together on Colony"
    assert "Smith & Jones" in message.body  # the body names the household, unescaped text
