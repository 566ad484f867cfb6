"""Two requests at once on real PostgreSQL connections end in a clear answer, never a 500."""

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from accounts import services
from accounts.models import Household, Invite, Membership, User
from accounts.tests.factories import HouseholdFactory, make_member, make_owner
from tests.races import logged_in, racing

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_user_accepting_two_invites_at_once_ends_in_one_household():
    solo = make_owner(email="ada@example.com")
    first_home, second_home = HouseholdFactory(name="First"), HouseholdFactory(name="Second")
    links = []
    for home in (first_home, second_home):
        inviter = make_owner(home)
        _, token = services.create_invite(household=home, invited_by=inviter, email=solo.email)
        links.append(reverse("accounts:invite_accept", args=[token]))
    clients = [logged_in(solo), logged_in(solo)]

    with transaction.atomic():
        # Someone else is changing Ada's membership right now.
        Membership.objects.select_for_update().get(user=solo)
        with racing(*(lambda c=c, link=link: c.post(link) for c, link in zip(clients, links))) as (
            futures
        ):
            pass
    statuses = sorted(f.result(timeout=10).status_code for f in futures)

    assert 500 not in statuses, statuses
    assert statuses == [302, 302]  # one after the other: the second move wins
    assert Membership.objects.filter(user=solo).count() == 1
    assert Membership.objects.get(user=solo).household in (first_home, second_home)
    assert not Household.objects.filter(memberships__isnull=True).exists()


def signup_post(email):
    return {
        "first_name": "Ada",
        "email": email,
        "password1": "plum-tree-under-snow",
        "password2": "plum-tree-under-snow",
        "base_currency": "EUR",
    }


@override_settings(EMAIL_ENABLED=False)
def test_parallel_sign_ups_with_one_email_are_refused_with_a_field_error():
    clients = [Client(raise_request_exception=False) for _ in range(2)]
    with transaction.atomic():
        # A third sign-up with the same email is being saved and not yet committed.
        User.objects.create_user(email="ada@example.com", password="x-plum-tree-under-snow")
        with racing(
            *(
                lambda c=c: c.post(reverse("accounts:signup"), signup_post("ADA@example.com"))
                for c in clients
            )
        ) as futures:
            pass
    responses = [f.result(timeout=10) for f in futures]

    assert [r.status_code for r in responses] == [422, 422]
    for response in responses:
        assert "An account with this email already exists" in response.content.decode()
    assert User.objects.filter(email="ada@example.com").count() == 1
    assert Household.objects.count() == 0


def test_an_owner_demoted_while_removing_another_owner_is_refused():
    home = HouseholdFactory(name="Shared")
    ada, bea, cleo = (
        make_owner(home, email=f"{name}@example.com") for name in ("ada", "bea", "cleo")
    )
    cleo_membership = Membership.objects.get(user=cleo)
    client = logged_in(ada)

    with transaction.atomic():
        # Bea is making Ada a member right now; Ada's page still says she is an owner.
        list(Membership.objects.select_for_update().filter(household=home))
        Membership.objects.filter(user=ada).update(role=Membership.Role.MEMBER)
        with racing(
            lambda: client.post(reverse("accounts:member_remove", args=[cleo_membership.pk]))
        ) as futures:
            pass
    response = futures[0].result(timeout=10)

    assert response.status_code == 403, response.status_code
    assert "Only an owner of the household can do this." in response.content.decode()
    assert Membership.objects.get(user=cleo).role == Membership.Role.OWNER
    assert Membership.objects.filter(household=home).count() == 3
    assert bea.membership.role == Membership.Role.OWNER


def test_a_member_removed_while_being_made_owner_is_a_conflict_not_a_500():
    home = HouseholdFactory(name="Shared")
    ada = make_owner(home, email="ada@example.com")
    bea = make_owner(home, email="bea@example.com")
    cleo_membership = Membership.objects.get(user=make_member(home, email="cleo@example.com"))
    client = logged_in(ada)

    with transaction.atomic():
        list(Membership.objects.select_for_update().filter(household=home))
        Membership.objects.filter(pk=cleo_membership.pk).delete()  # Bea removes Cleo
        with racing(
            lambda: client.post(
                reverse("accounts:member_role", args=[cleo_membership.pk]), {"role": "owner"}
            )
        ) as futures:
            pass
    response = futures[0].result(timeout=10)

    assert response.status_code == 409, response.status_code
    assert "no longer in the household" in response.content.decode()
    assert bea.membership.role == Membership.Role.OWNER
    assert not Membership.objects.filter(user__email="cleo@example.com").exists()


def test_parallel_invite_emails_never_pass_the_hourly_limit(settings):
    settings.INVITE_EMAILS_PER_HOUR = 1
    home = HouseholdFactory(name="Shared")
    clients = [logged_in(make_owner(home, email=f"owner{n}@example.com")) for n in range(2)]
    url = reverse("accounts:invite_create")

    with transaction.atomic():
        # A third invite is being counted right now.
        Household.objects.select_for_update().get(pk=home.pk)
        with racing(
            *(
                lambda c=c, n=n: c.post(url, {"email": f"guest{n}@example.com", "send_email": "on"})
                for n, c in enumerate(clients)
            )
        ) as futures:
            pass
    statuses = sorted(f.result(timeout=10).status_code for f in futures)

    assert statuses == [302, 429]
    assert Invite.objects.filter(household=home).count() == 1


def test_parallel_sign_ups_with_one_email_get_the_usual_answer_with_email():
    clients = [Client(raise_request_exception=False) for _ in range(2)]
    with transaction.atomic():
        User.objects.create_user(email="ada@example.com", password="x-plum-tree-under-snow")
        with racing(
            *(
                lambda c=c: c.post(reverse("accounts:signup"), signup_post("ADA@example.com"))
                for c in clients
            )
        ) as futures:
            pass
    responses = [f.result(timeout=10) for f in futures]

    assert [r.status_code for r in responses] == [302, 302]
    assert {r["Location"] for r in responses} == {reverse("accounts:login")}
    assert User.objects.filter(email="ada@example.com").count() == 1
    assert Household.objects.count() == 0
