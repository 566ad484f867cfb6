"""Forgot the password, in a real browser: ask for a link, open it from the email, choose a new
password, then log in with it and the code from the authenticator app. A screenshot per step
lands in the test's tmp dir; any Content-Security-Policy violation fails the test."""

from __future__ import annotations

import re
from binascii import unhexlify

import pytest
from django.core import mail
from django_otp.oath import totp

from accounts import two_factor
from accounts.tests.factories import HouseholdFactory, make_owner
from tests.test_browser_journey import watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "quiet-harbour-lantern-58"


def test_forgot_password_then_log_in_with_the_new_password_and_a_totp_code(
    browser_page, live_server, tmp_path
):
    owner = make_owner(HouseholdFactory(name="Lovelace home"), email="ada@example.com")
    key = two_factor.new_totp_key()
    two_factor.enable_two_factor(user=owner, key=key, token=f"{totp(unhexlify(key)):06d}")
    page = browser_page
    violations: list[str] = []
    watch_csp(page, violations)

    page.goto("/accounts/login/")
    page.click("text=Forgot your password?")
    page.wait_for_url("**/accounts/password/reset/")
    page.fill("#id_email", "ada@example.com")
    page.screenshot(path=str(tmp_path / "1-forgot.png"))
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/password/reset/sent/")
    assert "Check your email" in page.content()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/\S+/", mail.outbox[0].body)
    page.goto(link.group(0))
    page.wait_for_url("**/set-password/")
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.screenshot(path=str(tmp_path / "2-new-password.png"))
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/password/reset/complete/")

    page.click("text=Log in")
    page.fill("#id_username", "ada@example.com")
    page.fill("#id_password", NEW_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/login/code/**")
    # The password alone is not a log-in.
    assert "Enter your code" in page.content()
    # One step ahead: the code used to enrol cannot be used again.
    page.fill("#id_code", f"{totp(unhexlify(key), drift=1):06d}")
    page.screenshot(path=str(tmp_path / "3-code.png"))
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").first.inner_text() == "Lovelace home"

    # The old link does not work twice.
    page.goto(link.group(0))
    assert "This link cannot be used" in page.content()
    assert violations == []
