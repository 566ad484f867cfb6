from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Household, Invite, Membership, User
from accounts.signals import household_created

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(TEST_PASSWORD)


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    name = factory.Sequence(lambda n: f"Household {n}")
    base_currency = "USD"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        household = super()._create(model_class, *args, **kwargs)
        # Same set-up as a real sign-up (e.g. default categories).
        household_created.send(sender=Household, household=household)
        return household


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    household = factory.SubFactory(HouseholdFactory)
    role = Membership.Role.OWNER


def make_owner(household=None, **user_fields) -> User:
    """A user who owns `household` (a new one when not given)."""
    household = household or HouseholdFactory()
    return MembershipFactory(
        household=household, role=Membership.Role.OWNER, user=UserFactory(**user_fields)
    ).user


def make_member(household, **user_fields) -> User:
    return MembershipFactory(
        household=household, role=Membership.Role.MEMBER, user=UserFactory(**user_fields)
    ).user


def make_viewer(household, **user_fields) -> User:
    """A user who may read everything in `household` and change nothing."""
    return MembershipFactory(
        household=household, role=Membership.Role.VIEWER, user=UserFactory(**user_fields)
    ).user


class InviteFactory(DjangoModelFactory):
    class Meta:
        model = Invite

    household = factory.SubFactory(HouseholdFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


def make_api_token(user, *, read_only: bool = False, expires_in_days: int = 30, name="test"):
    """A token for `user` through the service, and its secret."""
    from accounts.services import create_api_token

    return create_api_token(
        user=user, name=name, expires_in_days=expires_in_days, read_only=read_only
    )


def api_client(user, *, read_only: bool = False):
    """A test client that sends a fresh bearer token of `user` with every request."""
    from django.test import Client

    _, secret = make_api_token(user, read_only=read_only)
    return Client(headers={"Authorization": f"Bearer {secret}"})


def verified_client(user):
    """A test client logged in as `user` with a session that passed the second factor (as the
    code step leaves it): what the admin needs, and what a two-factor user needs anywhere."""
    from django.test import Client

    from accounts.two_factor import VERIFIED_SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    session[VERIFIED_SESSION_KEY] = True
    session.save()
    return client
