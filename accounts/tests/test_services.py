"""Household writes called directly: the service refuses what its form refuses."""

import pytest

from accounts import services
from colony.names import NameRequired

pytestmark = pytest.mark.django_db


def test_renaming_the_household_to_a_blank_name_is_refused(household, owner):
    with pytest.raises(NameRequired):
        services.rename_household(household=household, by=owner, name="  \t ")
    household.refresh_from_db()
    assert household.name == "The Smiths"


def test_household_names_are_cleaned_up_like_every_name(household, owner):
    services.rename_household(household=household, by=owner, name="  Smith   family ")
    household.refresh_from_db()
    assert household.name == "Smith family"
