"""Two requests at once on real PostgreSQL connections end in a clear answer, never a 500."""

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from accounts import services
from accounts.models import Household, Membership, User
from accounts.tests.factories import HouseholdFactory, make_owner
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
