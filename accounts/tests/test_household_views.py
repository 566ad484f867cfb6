import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Household, Invite, Membership, User
from accounts.tests.factories import TEST_PASSWORD, UserFactory, make_member, make_owner

pytestmark = pytest.mark.django_db

HOUSEHOLD = reverse("accounts:household")
INVITE_CREATE = reverse("accounts:invite_create")


def _invite_link_token(owner, household, email="newbie@example.com"):
    _, token = services.create_invite(household=household, invited_by=owner, email=email)
    return token


def test_owner_creates_invite_and_sees_link_once(owner_client, household, htmx_headers):
    response = owner_client.post(INVITE_CREATE, {"email": "newbie@example.com"}, **htmx_headers)

    body = response.content.decode()
    assert response.status_code == 200
    assert "/accounts/invite/" in body
    invite = Invite.objects.get(household=household)
    assert invite.email == "newbie@example.com"
    # Only the hash is stored: the link's token is not in the database.
    token = body.split("/accounts/invite/")[1].split("/")[0]
    assert invite.token_hash != token


def test_invite_with_bad_email_shows_field_error(owner_client, htmx_headers):
    response = owner_client.post(INVITE_CREATE, {"email": "nope"}, **htmx_headers)
    assert response.status_code == 422
    assert "valid email" in response.content.decode()
    assert not Invite.objects.exists()


def test_member_who_is_not_owner_cannot_invite(member_client):
    response = member_client.post(INVITE_CREATE, {"email": "newbie@example.com"})
    assert response.status_code == 403
    assert "Only an owner" in response.content.decode()
    assert not Invite.objects.exists()


def test_invite_flow_end_to_end_new_account_joins_household(client, owner, household):
    token = _invite_link_token(owner, household)
    link = reverse("accounts:invite_accept", args=[token])

    page = client.get(link)
    assert page.status_code == 200
    assert "Join The Smiths" in page.content.decode()

    response = client.post(
        reverse("accounts:signup"),
        {
            "invite": token,
            "first_name": "Nina",
            "last_name": "",
            "email": "newbie@example.com",
            "password1": "violet-harbor-lights",
            "password2": "violet-harbor-lights",
        },
        follow=True,
    )
    assert "Welcome to The Smiths" in response.content.decode()
    nina = User.objects.get(email="newbie@example.com")
    assert nina.membership.household == household
    assert nina.membership.role == Membership.Role.MEMBER
    assert Household.objects.count() == 1
    assert Invite.objects.get().accepted_by == nina

    # Single use: the same link now gives a clear error.
    client.post(reverse("accounts:logout"))
    again = client.get(link)
    assert again.status_code == 409
    assert "already been used" in again.content.decode()


def test_existing_user_logs_in_through_invite_and_joins_leaving_solo_household(
    client, owner, household
):
    solo = make_owner(email="newbie@example.com")
    old_household = solo.membership.household
    token = _invite_link_token(owner, household)
    link = reverse("accounts:invite_accept", args=[token])

    login = client.post(
        reverse("accounts:login") + f"?next={link}",
        {"username": "newbie@example.com", "password": TEST_PASSWORD},
    )
    assert login["Location"] == link
    confirm = client.get(link)
    assert "will be deleted" in confirm.content.decode()

    response = client.post(link)
    assert response.status_code == 302
    solo.refresh_from_db()
    assert solo.membership.household == household
    assert not Household.objects.filter(pk=old_household.pk).exists()


def test_expired_invite_gives_clear_error(client, owner, household):
    token = _invite_link_token(owner, household)
    Invite.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(reverse("accounts:invite_accept", args=[token]))
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_unknown_invite_token_is_404(client):
    response = client.get(reverse("accounts:invite_accept", args=["made-up-token"]))
    assert response.status_code == 404


def test_invite_for_another_email_cannot_be_used(client, owner, household):
    token = _invite_link_token(owner, household, email="right@example.com")
    wrong = make_owner(email="wrong@example.com")
    client.force_login(wrong)
    response = client.post(reverse("accounts:invite_accept", args=[token]))
    assert response.status_code == 403
    assert wrong.membership.household != household
    assert Invite.objects.get().accepted_at is None


def test_sign_up_through_invite_keeps_the_invited_email_whatever_is_posted(
    client, owner, household
):
    token = _invite_link_token(owner, household, email="right@example.com")
    response = client.post(
        reverse("accounts:signup"),
        {
            "invite": token,
            "first_name": "Eve",
            "email": "eve@example.com",
            "password1": "violet-harbor-lights",
            "password2": "violet-harbor-lights",
        },
    )
    assert response.status_code == 302
    assert not User.objects.filter(email="eve@example.com").exists()
    assert User.objects.get(email="right@example.com").membership.household == household


def test_invite_sign_up_shows_the_invited_email_as_not_editable(client, owner, household):
    token = _invite_link_token(owner, household, email="right@example.com")
    response = client.get(reverse("accounts:signup"), {"invite": token})
    html = response.content.decode()
    assert 'value="right@example.com"' in html
    assert "disabled" in html.split('name="email"')[1].split(">")[0]


def test_sign_up_service_still_refuses_another_email_for_an_invite(owner, household):
    from accounts.services import register_user_from_invite

    token = _invite_link_token(owner, household, email="right@example.com")
    with pytest.raises(Exception) as error:
        register_user_from_invite(
            token=token,
            email="eve@example.com",
            password="violet-harbor-lights",
            first_name="Eve",
            last_name="",
        )
    assert getattr(error.value, "status", None) == 403


def test_owner_removes_member(owner_client, member, household):
    response = owner_client.post(
        reverse("accounts:member_remove", args=[member.membership.pk]), follow=True
    )
    assert "was removed" in response.content.decode()
    assert not Membership.objects.filter(user=member).exists()


def test_member_cannot_remove_owner(member_client, owner):
    response = member_client.post(reverse("accounts:member_remove", args=[owner.membership.pk]))
    assert response.status_code == 403
    assert Membership.objects.filter(user=owner).exists()


def test_last_owner_cannot_leave_shared_household(owner_client, owner, member):
    response = owner_client.post(reverse("accounts:household_leave"))
    assert response.status_code == 409
    assert "last owner" in response.content.decode()
    assert Membership.objects.filter(user=owner).exists()


def test_owner_can_leave_after_handing_over_ownership(owner_client, owner, member, household):
    owner_client.post(
        reverse("accounts:member_role", args=[member.membership.pk]), {"role": "owner"}
    )
    response = owner_client.post(reverse("accounts:household_leave"))
    assert response.status_code == 302
    assert not Membership.objects.filter(user=owner).exists()
    assert Membership.objects.get(user=member).role == Membership.Role.OWNER


def test_member_leaves_household(member_client, member, household):
    response = member_client.post(reverse("accounts:household_leave"))
    assert response.status_code == 302
    assert not Membership.objects.filter(user=member).exists()
    assert Household.objects.filter(pk=household.pk).exists()


def test_owner_renames_household(owner_client, household):
    owner_client.post(reverse("accounts:household_rename"), {"name": "  Smith family  "})
    household.refresh_from_db()
    assert household.name == "Smith family"


def test_blank_household_name_is_a_field_error(owner_client, household):
    response = owner_client.post(reverse("accounts:household_rename"), {"name": "   "})
    assert response.status_code == 422
    household.refresh_from_db()
    assert household.name == "The Smiths"


def test_household_page_lists_members_and_pending_invites(owner_client, owner, member, household):
    _invite_link_token(owner, household, email="pending@example.com")
    body = owner_client.get(HOUSEHOLD).content.decode()
    assert "owner@example.com" in body
    assert "member@example.com" in body
    assert "pending@example.com" in body


@pytest.mark.parametrize("url_name", ["member_remove", "member_role"])
def test_another_households_member_is_404(stranger_client, member, url_name):
    response = stranger_client.post(
        reverse(f"accounts:{url_name}", args=[member.membership.pk]), {"role": "owner"}
    )
    assert response.status_code == 404
    assert Membership.objects.get(user=member).role == Membership.Role.MEMBER


def test_another_households_invite_is_404(stranger_client, owner, household):
    _invite_link_token(owner, household)
    invite = Invite.objects.get()
    response = stranger_client.post(reverse("accounts:invite_revoke", args=[invite.pk]))
    assert response.status_code == 404
    assert Invite.objects.filter(pk=invite.pk).exists()


def test_owner_withdraws_invite(owner_client, owner, household, htmx_headers):
    _invite_link_token(owner, household)
    invite = Invite.objects.get()
    response = owner_client.post(
        reverse("accounts:invite_revoke", args=[invite.pk]), **htmx_headers
    )
    assert response.status_code == 200
    assert not Invite.objects.exists()


def test_domain_error_on_htmx_request_is_a_message_with_status(member_client, htmx_headers):
    response = member_client.post(INVITE_CREATE, {"email": "x@example.com"}, **htmx_headers)
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#messages"
    assert 'data-error-code="NOT_HOUSEHOLD_OWNER"' in response.content.decode()


def test_htmx_404_is_a_message_not_a_full_page(owner_client, htmx_headers):
    response = owner_client.post(reverse("accounts:member_remove", args=[999999]), **htmx_headers)
    assert response.status_code == 404
    assert "<html" not in response.content.decode()
    assert response["HX-Retarget"] == "#messages"


def test_make_member_of_last_owner_is_refused(owner_client, owner, member):
    owner_client.post(
        reverse("accounts:member_role", args=[member.membership.pk]), {"role": "owner"}
    )
    response = owner_client.post(
        reverse("accounts:member_role", args=[member.membership.pk]), {"role": "member"}
    )
    assert response.status_code == 302
    # Two owners: demoting one is fine.
    assert Membership.objects.get(user=member).role == Membership.Role.MEMBER


def test_invite_for_someone_already_in_household_is_refused(owner_client, member):
    response = owner_client.post(INVITE_CREATE, {"email": "member@example.com"})
    assert response.status_code == 409
    assert not Invite.objects.exists()


def test_two_invites_accepted_at_once_cannot_both_join(owner, household):
    token = _invite_link_token(owner, household, email="a@example.com")
    solo = make_owner(email="a@example.com")
    services.accept_invite(token=token, user=solo)
    with pytest.raises(services.InviteAlreadyUsed):
        services.accept_invite(token=token, user=make_member(household, email="b@example.com"))


def test_the_only_member_cannot_leave_and_is_pointed_to_delete_household(owner_client, household):
    page = owner_client.get(HOUSEHOLD).content.decode()
    assert reverse("accounts:household_leave") not in page

    response = owner_client.post(reverse("accounts:household_leave"))
    assert response.status_code == 409
    assert "Delete the household" in response.content.decode()
    assert Household.objects.filter(pk=household.pk).exists()
    assert Membership.objects.filter(household=household).count() == 1


def test_a_removed_member_cannot_rejoin_through_a_leftover_invite(
    owner_client, owner, household, client
):
    first = _invite_link_token(owner, household, email="max@example.com")
    leftover = _invite_link_token(owner, household, email="max@example.com")
    max_ = User.objects.create_user(email="max@example.com", password=TEST_PASSWORD)
    services.accept_invite(token=first, user=max_)
    # And one sent after max joined (stored directly: the form refuses it for a member).
    Invite.objects.create(
        household=household,
        email="max@example.com",
        token_hash="0" * 64,
        created_by=owner,
        expires_at=timezone.now() + timedelta(days=3),
    )
    membership = Membership.objects.get(user=max_)

    owner_client.post(reverse("accounts:member_remove", args=[membership.pk]))

    assert not Invite.objects.filter(household=household, accepted_at__isnull=True).exists()
    client.force_login(max_)
    response = client.post(reverse("accounts:invite_accept", args=[leftover]))
    assert response.status_code == 404
    assert not Membership.objects.filter(user=max_, household=household).exists()


def test_a_member_who_leaves_takes_their_pending_invites_with_them(member_client, member, owner):
    household = member.membership.household
    Invite.objects.create(
        household=household,
        email=member.email,
        token_hash="1" * 64,
        created_by=owner,
        expires_at=timezone.now() + timedelta(days=3),
    )
    other = Invite.objects.create(
        household=household,
        email="someone-else@example.com",
        token_hash="2" * 64,
        created_by=owner,
        expires_at=timezone.now() + timedelta(days=3),
    )

    member_client.post(reverse("accounts:household_leave"))

    assert list(Invite.objects.filter(household=household)) == [other]


def test_joining_spends_every_other_invite_for_the_same_person(owner, household):
    first = _invite_link_token(owner, household, email="max@example.com")
    _invite_link_token(owner, household, email="max@example.com")
    max_ = User.objects.create_user(email="max@example.com", password=TEST_PASSWORD)

    services.accept_invite(token=first, user=max_)

    assert list(
        Invite.objects.filter(household=household).values_list("accepted_by", flat=True)
    ) == [max_.pk]


def _selected_currency(html: str) -> str:
    select = html[html.index('name="base_currency"') :]
    select = select[: select.index("</select>")]
    return re.search(r'<option value="([A-Z]{3})" selected', select).group(1)


@pytest.mark.parametrize(
    ("accept_language", "currency"),
    [("de-DE,de;q=0.9,en;q=0.8", "EUR"), ("en-GB", "GBP"), ("ja", "JPY"), ("", "USD")],
)
def test_sign_up_proposes_the_currency_of_the_browsers_region(client, accept_language, currency):
    page = client.get(reverse("accounts:signup"), HTTP_ACCEPT_LANGUAGE=accept_language)
    assert page.status_code == 200
    assert _selected_currency(page.content.decode()) == currency


@override_settings(EMAIL_ENABLED=False)
def test_the_proposed_currency_becomes_the_households_base_currency(client):
    page = client.get(reverse("accounts:signup"), HTTP_ACCEPT_LANGUAGE="de-DE")
    proposed = _selected_currency(page.content.decode())
    client.post(
        reverse("accounts:signup"),
        {
            "first_name": "Greta",
            "email": "greta@example.com",
            "password1": "violet-harbor-lights",
            "password2": "violet-harbor-lights",
            "base_currency": proposed,
        },
        HTTP_ACCEPT_LANGUAGE="de-DE",
    )
    household = User.objects.get(email="greta@example.com").membership.household
    assert (household.base_currency, household.format_locale) == ("EUR", "de_DE")


def test_household_set_up_proposes_the_currency_of_the_browsers_region(db, client):
    client.force_login(UserFactory(email="nohome@example.com"))
    page = client.get(reverse("accounts:household_setup"), HTTP_ACCEPT_LANGUAGE="en-AU")
    assert _selected_currency(page.content.decode()) == "AUD"
