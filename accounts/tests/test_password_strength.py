"""Weak passwords are refused wherever a password is set: sign-up (own household and by
invite), password change, reset, the admin's set-password form and service, createsuperuser."""

import re

import pytest
from django.contrib.auth import password_validation
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse

from accounts import services
from accounts.admin import AdminPasswordChangeForm
from accounts.exceptions import PasswordTooWeak
from accounts.models import Household, User
from accounts.password_strength import ZxcvbnPasswordValidator
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from budget.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

# Long enough, not numeric and not on Django's list of common passwords, yet guessed at once:
# a word with a capital, a year and a symbol.
WEAK = "Summer2026!"
STRONG = "quiet-harbour-lantern-58"
TOO_EASY = "This password is too easy to guess."


def _signup(client, password, **extra):
    return client.post(
        reverse("accounts:signup"),
        {
            "first_name": "Grace",
            "email": "grace@example.com",
            "password1": password,
            "password2": password,
            "base_currency": "USD",
            **extra,
        },
    )


def test_the_strength_estimate_is_one_of_the_configured_validators():
    names = [type(v).__name__ for v in password_validation.get_default_password_validators()]
    assert "ZxcvbnPasswordValidator" in names
    assert "hard to guess" in " ".join(password_validation.password_validators_help_texts())


def test_test_and_demo_passwords_pass_it():
    password_validation.validate_password(TEST_PASSWORD, UserFactory.build())
    password_validation.validate_password(DEMO_PASSWORD, User(email="demo@colony.local"))


def test_a_password_made_of_the_users_own_email_is_weak():
    user = User(email="grace.hopper@example.com", first_name="Grace", last_name="Hopper")
    with pytest.raises(password_validation.ValidationError):
        ZxcvbnPasswordValidator().validate("gracehopper", user)


def test_a_very_long_password_is_judged_without_error():
    ZxcvbnPasswordValidator().validate("x7-plum-" * 5000)  # no exception: strong, and quick


@override_settings(EMAIL_ENABLED=False)
def test_sign_up_with_a_weak_password_is_refused_with_the_reason(client):
    response = _signup(client, WEAK)
    body = response.content.decode()
    assert response.status_code == 422
    assert TOO_EASY in body
    assert not User.objects.filter(email="grace@example.com").exists()
    assert not Household.objects.exists()


@override_settings(EMAIL_ENABLED=False)
def test_sign_up_with_a_strong_password_works(client):
    assert _signup(client, STRONG).status_code == 302
    assert User.objects.get(email="grace@example.com").check_password(STRONG)


def test_sign_up_with_email_refuses_a_weak_password_for_a_new_and_a_taken_address(client):
    UserFactory(email="taken@example.com")
    new = _signup(client, WEAK)
    taken = _signup(client, WEAK, email="taken@example.com")
    assert new.status_code == taken.status_code == 422
    assert TOO_EASY in new.content.decode() and TOO_EASY in taken.content.decode()
    assert mail.outbox == []
    assert not User.objects.filter(email="grace@example.com").exists()


def test_the_sign_up_services_refuse_a_weak_password(db):
    with pytest.raises(PasswordTooWeak) as refused:
        services.register_user(email="grace@example.com", password=WEAK, first_name="Grace")
    assert refused.value.status == 422 and TOO_EASY in refused.value.message
    with pytest.raises(PasswordTooWeak):
        services.sign_up(
            email="grace@example.com",
            password=WEAK,
            first_name="Grace",
            log_in_link="http://testserver/accounts/login/",
            reset_link=None,
        )
    assert not User.objects.exists()


def test_password_change_refuses_a_weak_password_and_keeps_the_old_one(owner_client, owner):
    response = owner_client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": WEAK, "new_password2": WEAK},
    )
    assert response.status_code == 422
    assert TOO_EASY in response.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(TEST_PASSWORD)


def test_password_reset_refuses_a_weak_password(client, owner):
    client.post(reverse("accounts:password_reset"), {"email": owner.email})
    link = re.search(
        r"http://testserver(/accounts/password/reset/\S+/\S+/)", mail.outbox[-1].body
    ).group(1)
    page = client.get(link, follow=True)
    form_url = page.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": WEAK, "new_password2": WEAK})
    assert TOO_EASY in response.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(TEST_PASSWORD)


def test_the_password_services_refuse_a_weak_password(owner):
    for set_password in (
        services.reset_password,
        services.change_password,
        services.set_password_by_admin,
    ):
        with pytest.raises(PasswordTooWeak):
            set_password(user=owner, password=WEAK)
    owner.refresh_from_db()
    assert owner.check_password(TEST_PASSWORD)
    services.set_password_by_admin(user=owner, password=STRONG)
    owner.refresh_from_db()
    assert owner.check_password(STRONG)


def test_the_admins_set_password_form_refuses_a_weak_password(owner):
    form = AdminPasswordChangeForm(owner, {"password1": WEAK, "password2": WEAK})
    assert not form.is_valid()
    assert TOO_EASY in " ".join(form.errors["password2"])


class _Terminal:
    """A stdin that says it is a terminal, as createsuperuser asks."""

    def isatty(self):
        return True


def test_createsuperuser_refuses_a_weak_password_until_a_strong_one_is_typed(monkeypatch, capsys):
    typed = iter([WEAK, WEAK, STRONG, STRONG])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    # "Bypass password validation and create user anyway? [y/N]": no.
    monkeypatch.setattr("builtins.input", lambda prompt="": "n")
    call_command("createsuperuser", email="root@example.com", interactive=True, stdin=_Terminal())
    assert TOO_EASY in capsys.readouterr().err
    admin = User.objects.get(email="root@example.com")
    assert admin.is_superuser and admin.check_password(STRONG)


def test_createsuperuser_noinput_refuses_a_weak_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", WEAK)
    with pytest.raises(CommandError, match=TOO_EASY):
        call_command("createsuperuser", email="root@example.com", interactive=False)
    assert not User.objects.filter(email="root@example.com").exists()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG)
    call_command("createsuperuser", email="root@example.com", interactive=False)
    assert User.objects.get(email="root@example.com").check_password(STRONG)
