"""A token lives no longer than its reasons (issue 24, item 3): it stops working when the
household starts requiring two-factor (for a member without it), when its user is removed
(and does not come back with a new invite), and when the password is reset or changed."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import services
from accounts.models import ApiToken
from accounts.tests.factories import (
    TEST_PASSWORD,
    HouseholdFactory,
    api_client,
    make_owner,
    verified_client,
)
from accounts.tests.test_two_factor import enrol

pytestmark = pytest.mark.django_db

HOUSEHOLD_API = "/api/v1/household"
NEW_PASSWORD = "a-brand-new-passphrase-77"


def _works(client) -> bool:
    status = client.get(HOUSEHOLD_API).status_code
    assert status in (200, 401), status
    return status == 200


def test_requiring_two_factor_stops_the_tokens_of_members_without_it(
    owner_client, owner, member, household
):
    enrol(owner)
    owner_client = verified_client(owner)
    member_api, owner_api = api_client(member), api_client(owner)
    assert _works(member_api)

    owner_client.post(reverse("accounts:household_two_factor"), {"required": "on"})

    assert not _works(member_api)
    assert _works(owner_api)
    assert ApiToken.objects.filter(user=member, revoked_at__isnull=False).exists()


def test_a_member_owing_two_factor_cannot_get_a_new_token(member, household):
    household.require_two_factor = True
    household.save()
    with pytest.raises(services.TwoFactorSetupRequired):
        services.create_api_token(user=member, name="x", expires_in_days=7, read_only=True)


def test_a_removed_members_token_does_not_work_again_after_a_new_invite(
    owner_client, owner, member, household
):
    member_api = api_client(member)
    membership = member.membership
    owner_client.post(reverse("accounts:member_remove", args=[membership.pk]))
    assert not _works(member_api)

    _, token = services.create_invite(household=household, invited_by=owner, email=member.email)
    back = Client()
    back.force_login(member)
    back.post(reverse("accounts:invite_accept", args=[token]))
    member.refresh_from_db()
    assert member.membership.household == household

    assert not _works(member_api)


def test_a_password_reset_stops_every_token(client, owner):
    owner_api = api_client(owner)
    uid = urlsafe_base64_encode(force_bytes(owner.pk))
    link = reverse(
        "accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(owner)]
    )
    page = client.get(link, follow=True)
    response = client.post(
        page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302

    assert not _works(owner_api)


def test_a_password_change_stops_every_token(owner_client, owner):
    owner_api = api_client(owner)
    response = owner_client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert owner_client.get(reverse("dashboard")).status_code == 200

    assert not _works(owner_api)


def test_the_tokens_page_says_when_tokens_stop(owner_client):
    body = owner_client.get(reverse("accounts:api_tokens")).content.decode()
    assert "when your password is changed or reset" in body


def test_a_password_set_in_the_admin_ends_the_users_tokens(household, member):
    staff = make_owner(
        HouseholdFactory(name="Operators"),
        email="operator@example.com",
        is_staff=True,
        is_superuser=True,
    )
    member_api = api_client(member)
    assert _works(member_api)

    response = verified_client(staff).post(
        reverse("admin:auth_user_password_change", args=[member.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302, response.content.decode()[:500]
    assert not _works(member_api)
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
