import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Household, Membership, User
from accounts.tests.factories import TEST_PASSWORD, make_member, make_owner
from cycles.tests.factories import CycleFactory

pytestmark = pytest.mark.django_db


def _login(email) -> Client:
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_sign_out_everywhere_else_kills_other_sessions_but_keeps_this_one():
    make_owner(email="olive@example.com")
    laptop = _login("olive@example.com")
    phone = _login("olive@example.com")

    response = laptop.post(reverse("accounts:sessions_end_others"), follow=True)
    assert "signed out everywhere else" in response.content.decode()

    assert laptop.get(reverse("dashboard")).status_code == 200
    assert phone.get(reverse("dashboard")).status_code == 302


def test_password_change_signs_out_other_sessions():
    make_owner(email="olive@example.com")
    laptop = _login("olive@example.com")
    phone = _login("olive@example.com")
    laptop.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "brand-new-sunflower",
            "new_password2": "brand-new-sunflower",
        },
    )
    assert laptop.get(reverse("dashboard")).status_code == 200
    assert phone.get(reverse("dashboard")).status_code == 302


def test_member_deletes_account_and_household_stays(member_client, member, household):
    response = member_client.post(reverse("accounts:account_delete"), {"password": TEST_PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(pk=member.pk).exists()
    assert Household.objects.filter(pk=household.pk).exists()


def test_account_deletion_needs_the_password(member_client, member):
    response = member_client.post(reverse("accounts:account_delete"), {"password": "nope"})
    assert response.status_code == 422
    assert "not your password" in response.content.decode()
    assert User.objects.filter(pk=member.pk).exists()


def test_only_owner_of_shared_household_must_hand_over_before_deleting_account(
    owner_client, owner, member
):
    response = owner_client.post(reverse("accounts:account_delete"), {"password": TEST_PASSWORD})
    assert response.status_code == 409
    assert "Make another member an owner" in response.content.decode()
    assert User.objects.filter(pk=owner.pk).exists()


def test_user_alone_in_household_deletes_account_with_household(owner_client, owner, household):
    CycleFactory(household=household)
    page = owner_client.get(reverse("accounts:account_delete"))
    assert "will be deleted with your account" in page.content.decode()
    owner_client.post(reverse("accounts:account_delete"), {"password": TEST_PASSWORD})
    assert not Household.objects.filter(pk=household.pk).exists()


def test_owner_deletes_household_after_typing_its_name(owner_client, owner, member, household):
    CycleFactory(household=household)
    wrong = owner_client.post(reverse("accounts:household_delete"), {"confirm_name": "nope"})
    assert wrong.status_code == 422
    assert Household.objects.filter(pk=household.pk).exists()

    owner_client.post(reverse("accounts:household_delete"), {"confirm_name": "The Smiths"})
    assert not Household.objects.filter(pk=household.pk).exists()
    assert not Membership.objects.filter(user=member).exists()
    assert User.objects.filter(pk=member.pk).exists()


def test_member_cannot_delete_household(member_client, household):
    response = member_client.post(
        reverse("accounts:household_delete"), {"confirm_name": "The Smiths"}
    )
    assert response.status_code == 403
    assert Household.objects.filter(pk=household.pk).exists()


def test_other_household_member_is_unaffected_by_deletion(owner_client, household):
    other_owner = make_owner(email="other@example.com")
    make_member(other_owner.membership.household)
    owner_client.post(reverse("accounts:household_delete"), {"confirm_name": "The Smiths"})
    assert Membership.objects.filter(user=other_owner).exists()
