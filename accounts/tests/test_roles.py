"""Roles: owners manage, members write, viewers read everything and change nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.exceptions import ReadOnlyRole
from accounts.models import Membership
from accounts.roles import ensure_can_write
from accounts.tests.factories import make_viewer

pytestmark = pytest.mark.django_db

HOUSEHOLD = reverse("accounts:household")


@pytest.fixture
def viewer(household, owner):
    return make_viewer(household, email="viewer@example.com", first_name="Vera")


@pytest.fixture
def viewer_client(viewer):
    client = Client()
    client.force_login(viewer)
    return client


def _role_url(user):
    return reverse("accounts:member_role", args=[user.membership.pk])


def test_only_owners_and_members_can_write(owner, member, viewer):
    assert owner.membership.can_write
    assert member.membership.can_write
    assert not viewer.membership.can_write


def test_ensure_can_write_refuses_a_viewer_with_403(viewer, member):
    ensure_can_write(member.membership)
    with pytest.raises(ReadOnlyRole) as refused:
        ensure_can_write(viewer.membership)
    assert refused.value.status == 403
    with pytest.raises(ReadOnlyRole):
        ensure_can_write(None)


def test_owner_makes_a_member_a_viewer(owner_client, member):
    response = owner_client.post(_role_url(member), {"role": "viewer"})
    assert response.status_code == 302
    member.membership.refresh_from_db()
    assert member.membership.role == Membership.Role.VIEWER


def test_owner_makes_a_viewer_an_owner(owner_client, viewer):
    owner_client.post(_role_url(viewer), {"role": "owner"})
    viewer.membership.refresh_from_db()
    assert viewer.membership.is_owner


def test_unknown_role_is_refused_without_change(owner_client, member):
    response = owner_client.post(_role_url(member), {"role": "admin"}, follow=True)
    assert "Choose owner, member or viewer." in response.content.decode()
    member.membership.refresh_from_db()
    assert member.membership.role == Membership.Role.MEMBER


def test_member_cannot_change_roles(member_client, viewer):
    response = member_client.post(_role_url(viewer), {"role": "owner"})
    assert response.status_code == 403
    viewer.membership.refresh_from_db()
    assert viewer.membership.role == Membership.Role.VIEWER


def test_viewer_cannot_make_themself_owner(viewer_client, viewer):
    response = viewer_client.post(_role_url(viewer), {"role": "owner"})
    assert response.status_code == 403
    assert "your role is viewer" in response.content.decode()
    viewer.membership.refresh_from_db()
    assert viewer.membership.role == Membership.Role.VIEWER


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_last_owner_cannot_demote_themself(owner_client, owner, member, role):
    response = owner_client.post(_role_url(owner), {"role": role})
    assert response.status_code == 409
    assert "last owner" in response.content.decode()
    owner.membership.refresh_from_db()
    assert owner.membership.is_owner


def test_an_owner_may_step_down_when_another_owner_remains(owner_client, owner, member):
    member.membership.role = Membership.Role.OWNER
    member.membership.save()
    owner_client.post(_role_url(owner), {"role": "viewer"})
    owner.membership.refresh_from_db()
    assert owner.membership.role == Membership.Role.VIEWER


def test_transfer_ownership_swaps_owner_and_member(owner_client, owner, member):
    url = reverse("accounts:ownership_transfer", args=[member.membership.pk])
    response = owner_client.post(url, follow=True)
    assert "is now an owner of the household; you are a member" in response.content.decode()
    owner.membership.refresh_from_db()
    member.membership.refresh_from_db()
    assert member.membership.is_owner
    assert owner.membership.role == Membership.Role.MEMBER


def test_transfer_to_an_owner_is_a_conflict(owner_client, owner, member):
    member.membership.role = Membership.Role.OWNER
    member.membership.save()
    url = reverse("accounts:ownership_transfer", args=[member.membership.pk])
    assert owner_client.post(url).status_code == 409
    owner.membership.refresh_from_db()
    assert owner.membership.is_owner


def test_member_cannot_transfer_ownership(member_client, owner, member):
    url = reverse("accounts:ownership_transfer", args=[member.membership.pk])
    assert member_client.post(url).status_code == 403
    member.membership.refresh_from_db()
    assert member.membership.role == Membership.Role.MEMBER


def test_owner_sees_role_controls_and_transfer(owner_client, member):
    body = owner_client.get(HOUSEHOLD).content.decode()
    assert 'name="role"' in body
    assert '<option value="viewer"' in body
    assert reverse("accounts:ownership_transfer", args=[member.membership.pk]) in body


def test_viewer_sees_members_without_controls(viewer_client, member):
    response = viewer_client.get(HOUSEHOLD)
    body = response.content.decode()
    assert response.status_code == 200
    assert member.email in body
    assert 'name="role"' not in body
    assert reverse("accounts:invite_create") not in body


def test_viewer_may_still_change_their_own_password(viewer_client, viewer):
    response = viewer_client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "correct-horse-battery-staple",
            "new_password1": "a-new-long-passphrase-42",
            "new_password2": "a-new-long-passphrase-42",
        },
    )
    assert response.status_code == 302
    viewer.refresh_from_db()
    assert viewer.check_password("a-new-long-passphrase-42")


def test_viewer_may_leave_the_household(viewer_client, viewer):
    response = viewer_client.post(reverse("accounts:household_leave"))
    assert response.status_code == 302
    assert not Membership.objects.filter(user=viewer).exists()


def test_viewer_write_under_api_is_refused_as_json(rf, viewer):
    from accounts.middleware import ReadOnlyRoleMiddleware

    request = rf.post("/api/v1/cycles/")
    request.membership = viewer.membership
    request.resolver_match = None
    response = ReadOnlyRoleMiddleware(lambda r: None).process_view(request, lambda r: None, (), {})
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert b'"READ_ONLY_ROLE"' in response.content
