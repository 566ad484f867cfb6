"""The dashboard's first-run checklist: what is left to set up, gone once all is done."""

import pytest
from django.urls import reverse

from accounts.services import create_invite
from budget.selectors import onboarding_checklist
from cycles.tests.factories import CycleFactory
from expenses.tests.factories import PaymentMethodFactory
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = pytest.mark.django_db


def _done(household) -> dict[str, bool]:
    steps = onboarding_checklist(household)
    return {step.key: step.done for step in steps} if steps else {}


def test_new_household_has_everything_but_the_currency_to_do(owner, household):
    assert _done(household) == {
        "currency": True,
        "payment_methods": False,
        "templates": False,
        "cycle": False,
        "invite": False,
    }


def test_steps_tick_off_as_the_household_sets_up(owner, household):
    PaymentMethodFactory(household=household)
    CycleFactory(household=household)
    done = _done(household)
    assert done["payment_methods"] and done["cycle"]
    assert not done["templates"] and not done["invite"]


def test_a_pending_invite_counts_as_inviting(owner, household):
    create_invite(household=household, invited_by=owner, email="someone@example.com")
    assert _done(household)["invite"]


def test_checklist_disappears_when_everything_is_done(owner_client, member, household):
    PaymentMethodFactory(household=household)
    ExpenseTemplateFactory(household=household)
    CycleFactory(household=household)
    assert onboarding_checklist(household) is None
    assert 'id="onboarding"' not in owner_client.get(reverse("dashboard")).content.decode()


def test_dashboard_shows_the_checklist_with_links_until_done(owner_client, household):
    html = owner_client.get(reverse("dashboard")).content.decode()
    assert 'id="onboarding"' in html
    assert "Add the cards and accounts you pay with" in html
    assert reverse("cycles:new") in html


def test_checklist_is_one_query(owner, household, django_assert_num_queries):
    with django_assert_num_queries(1):
        onboarding_checklist(household)


def test_dashboard_points_to_no_base_currency_control_that_does_not_exist(owner_client, household):
    # The base currency is chosen at sign-up and has no control afterwards: the household page
    # offers none, so the dashboard must not send anyone there to change it.
    household_page = owner_client.get(reverse("accounts:household")).content.decode()
    assert 'name="base_currency"' not in household_page
    dashboard = owner_client.get(reverse("dashboard")).content.decode()
    assert "Base currency: USD (chosen when the household was created)" in dashboard
    assert "change it" not in dashboard.lower()
