"""Two-factor log-in: enrol (scan, confirm), log in with a code, recovery codes, turning it off,
the household requirement, throttling, and what someone with only the password gets: nothing."""

import re
from binascii import unhexlify

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import RecoveryCode
from accounts.tests.factories import TEST_PASSWORD, verified_client

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
CODE = reverse("accounts:login_code")
SETUP = reverse("accounts:two_factor_setup")
DASHBOARD = reverse("dashboard")


def code_for(key: str, step: int = 0) -> str:
    """The app's code `step` time steps from now (a step ahead is still accepted)."""
    return f"{totp(unhexlify(key), drift=step):06d}"


def enrol(user) -> tuple[str, list[str]]:
    key = two_factor.new_totp_key()
    codes = two_factor.enable_two_factor(user=user, key=key, token=code_for(key))
    return key, codes


def password_step(client, user, **extra):
    return client.post(LOGIN, {"username": user.email, "password": TEST_PASSWORD}, **extra)


# Enrolment


def test_setup_page_shows_an_inline_svg_qr_code_and_the_key(owner_client, owner):
    response = owner_client.get(SETUP)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body and 'class="qr"' in body
    # No inline style: the strict CSP stays as it is.
    assert "style=" not in body.split('class="qr"')[1].split("</svg>")[0]
    assert 'aria-label="Secret key"' in body
    assert not TOTPDevice.objects.exists()


def test_the_qr_code_has_a_text_alternative(owner_client, owner):
    """A screen reader hears what the picture is and where the same key is written."""
    body = owner_client.get(SETUP).content.decode()
    frame = body.split('class="qr-frame"')[1].split("<svg")[0]
    assert 'role="img"' in frame
    assert f"QR code for your authenticator app: Colony's log-in key for {owner.email}" in (
        frame.replace("&#39;", "'")
    )
    assert not TOTPDevice.objects.exists()


def test_enrol_with_the_right_code_turns_it_on_and_shows_ten_codes_once(owner_client, owner):
    owner_client.get(SETUP)
    key = owner_client.session["_colony_totp_pending_key"]

    response = owner_client.post(SETUP, {"code": code_for(key)})

    body = response.content.decode()
    assert response.status_code == 200
    shown = re.findall(r"<li><code>([A-Z0-9]{5}-[A-Z0-9]{5})</code></li>", body)
    assert len(shown) == 10 and len(set(shown)) == 10
    assert TOTPDevice.objects.get(user=owner).confirmed
    stored = set(RecoveryCode.objects.filter(user=owner).values_list("code_hash", flat=True))
    assert len(stored) == 10
    assert not any(code in stored or code.replace("-", "") in stored for code in shown)
    # Shown once: the account page now only counts them.
    page = owner_client.get(reverse("accounts:household")).content.decode()
    assert shown[0] not in page
    assert "10 unused recovery codes" in page


def test_enrol_with_a_wrong_code_is_a_field_error(owner_client, owner):
    owner_client.get(SETUP)
    response = owner_client.post(SETUP, {"code": "000000"})
    assert response.status_code == 422
    assert "does not match" in response.content.decode()
    assert not TOTPDevice.objects.exists()


def test_enrolling_ends_the_users_other_sessions(owner_client, owner):
    elsewhere = Client()
    elsewhere.force_login(owner)
    owner_client.get(SETUP)
    key = owner_client.session["_colony_totp_pending_key"]
    owner_client.post(SETUP, {"code": code_for(key)})

    assert elsewhere.get(DASHBOARD).status_code == 302
    assert owner_client.get(DASHBOARD).status_code == 200


# Logging in


def test_log_in_asks_for_the_code_after_the_password(client, owner):
    key, _ = enrol(owner)
    response = password_step(client, owner)
    assert response.status_code == 302
    assert response["Location"].startswith(CODE)

    response = client.post(CODE, {"code": code_for(key, 1), "next": "/cycles/"})
    assert response.status_code == 302
    assert response["Location"] == "/cycles/"
    assert client.get(DASHBOARD).status_code == 200


def test_with_only_the_password_an_attacker_gets_nothing(client, owner):
    enrol(owner)
    password_step(client, owner)
    for url in (DASHBOARD, reverse("accounts:household"), reverse("cycles:list")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session


def test_wrong_code_is_refused(client, owner):
    enrol(owner)
    password_step(client, owner)
    response = client.post(CODE, {"code": "123456"})
    assert response.status_code == 422
    assert "That code is not right" in response.content.decode()
    assert client.get(DASHBOARD).status_code == 302


def test_wrong_codes_are_throttled_like_passwords(client, owner, settings):
    key, _ = enrol(owner)
    password_step(client, owner)
    statuses = [client.post(CODE, {"code": "123456"}).status_code for _ in range(6)]
    assert statuses[-1] == 429
    assert 429 in statuses[: settings.AXES_FAILURE_LIMIT + 1]
    # Locked: even the right code (and the right password) do not get in now.
    assert client.post(CODE, {"code": code_for(key, 1)}).status_code in {302, 429}
    assert client.get(DASHBOARD).status_code == 302
    assert password_step(client, owner).status_code == 429


def test_code_step_without_the_password_step_sends_to_log_in(client, owner):
    enrol(owner)
    response = client.post(CODE, {"code": "123456"})
    assert response.status_code == 302
    assert response["Location"] == LOGIN


def test_code_step_expires(client, owner, settings):
    key, _ = enrol(owner)
    password_step(client, owner)
    session = client.session
    session["_colony_two_factor_pending"]["at"] -= settings.TWO_FACTOR_LOGIN_SECONDS + 1
    session.save()
    response = client.post(CODE, {"code": code_for(key, 1)})
    assert response["Location"] == LOGIN
    assert client.get(DASHBOARD).status_code == 302


def test_the_same_code_cannot_log_in_twice(owner):
    key, _ = enrol(owner)
    first, second = Client(), Client(REMOTE_ADDR="10.0.0.2")
    password_step(first, owner)
    password_step(second, owner)
    code = code_for(key, 1)
    assert first.post(CODE, {"code": code}).status_code == 302
    assert second.post(CODE, {"code": code}).status_code == 422


def test_a_recovery_code_logs_in_once(owner):
    _, codes = enrol(owner)
    client = Client()
    password_step(client, owner)
    assert client.post(CODE, {"code": codes[0].lower()}).status_code == 302

    again = Client()
    password_step(again, owner)
    assert again.post(CODE, {"code": codes[0]}).status_code == 422
    assert RecoveryCode.objects.filter(user=owner, used_at__isnull=False).count() == 1


def test_user_without_two_factor_logs_in_with_the_password(client, owner):
    response = password_step(client, owner)
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD


# Turning it off, new recovery codes


def _logged_in(user) -> Client:
    # A two-factor user's session counts only once it passed the code step.
    return verified_client(user)


def test_disable_needs_the_password_and_a_code(owner):
    key, _ = enrol(owner)
    owner_client = _logged_in(owner)
    url = reverse("accounts:two_factor_disable")
    wrong_password = owner_client.post(url, {"password": "nope", "code": code_for(key, 1)})
    assert wrong_password.status_code == 422
    assert TOTPDevice.objects.filter(user=owner).exists()

    ok = owner_client.post(url, {"password": TEST_PASSWORD, "code": code_for(key, 1)})
    assert ok.status_code == 302
    assert not TOTPDevice.objects.filter(user=owner).exists()
    assert not RecoveryCode.objects.filter(user=owner).exists()


def test_disable_with_a_wrong_code_is_refused(owner):
    enrol(owner)
    response = _logged_in(owner).post(
        reverse("accounts:two_factor_disable"), {"password": TEST_PASSWORD, "code": "000000"}
    )
    assert response.status_code == 422
    assert "That code is not right" in response.content.decode()
    assert TOTPDevice.objects.filter(user=owner).exists()


def test_new_recovery_codes_replace_the_old_ones(owner):
    key, old = enrol(owner)
    owner_client = _logged_in(owner)
    response = owner_client.post(
        reverse("accounts:two_factor_recovery"), {"code": code_for(key, 1)}
    )
    new = re.findall(r"<li><code>([A-Z0-9-]{11})</code></li>", response.content.decode())
    assert len(new) == 10
    assert not two_factor.verify_second_factor(user=owner, token=old[1])
    assert two_factor.verify_second_factor(user=owner, token=new[1])


# The household requirement


def test_owner_requires_two_factor_and_members_must_enrol(owner_client, member, household):
    response = owner_client.post(reverse("accounts:household_two_factor"), {"required": "on"})
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.require_two_factor

    member_client = Client()
    member_client.force_login(member)
    for url in (DASHBOARD, reverse("cycles:list")):
        response = member_client.get(url)
        assert response.status_code == 302
        assert response["Location"] == SETUP
    htmx = member_client.get(reverse("cycles:list"), HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == SETUP
    assert member_client.get(SETUP).status_code == 200
    # They can still log out.
    assert member_client.post(reverse("accounts:logout")).status_code == 302


def test_member_with_two_factor_is_let_through_when_required(member, household):
    household.require_two_factor = True
    household.save()
    enrol(member)
    client = verified_client(member)
    assert client.get(DASHBOARD).status_code == 200


def test_cannot_turn_off_two_factor_while_the_household_requires_it(member, household):
    key, _ = enrol(member)
    household.require_two_factor = True
    household.save()
    client = verified_client(member)
    response = client.post(
        reverse("accounts:two_factor_disable"),
        {"password": TEST_PASSWORD, "code": code_for(key, 1)},
    )
    assert response.status_code == 409
    assert TOTPDevice.objects.filter(user=member).exists()


def test_only_an_owner_sets_the_requirement(member_client, household):
    response = member_client.post(reverse("accounts:household_two_factor"), {"required": "on"})
    assert response.status_code == 403
    household.refresh_from_db()
    assert not household.require_two_factor
