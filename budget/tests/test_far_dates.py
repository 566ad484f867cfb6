"""Cycle dates are bounded like template dates, so no date arithmetic can overflow: far-future
input is a form error, and pages stay up even for a far-future cycle stored before the bound."""

import datetime

import pytest
from django.urls import reverse

from budget import services
from cycles.exceptions import CycleDateOutOfRange
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("9999-12-20", "9999-12-31", "start_date"),
        ("2199-12-20", "2200-01-10", "end_date"),
        ("1999-12-20", "2000-01-10", "start_date"),
    ],
)
def test_a_cycle_outside_the_supported_years_is_a_field_error(owner_client, start, end, field):
    response = owner_client.post(
        reverse("cycles:new"),
        {"name": "", "start_date": start, "end_date": end, "income": "10.00"},
    )
    assert response.status_code == 422
    assert "Choose a date between 2000 and 2199." in response.context["form"].errors[field]
    assert not Cycle.objects.exists()


def test_the_service_refuses_far_dates_without_overflowing(household):
    with pytest.raises(CycleDateOutOfRange):
        services.create_cycle(household=household, start_date=datetime.date(9999, 12, 31))
    cycle = CycleFactory(household=household, start_date=datetime.date(2026, 1, 1))
    with pytest.raises(CycleDateOutOfRange):
        services.update_cycle(
            cycle=cycle,
            name="x",
            start_date=datetime.date(2026, 1, 1),
            end_date=datetime.date(9999, 12, 31),
        )


def test_the_latest_supported_cycle_is_accepted_and_pages_still_work(owner_client, household):
    ExpenseTemplateFactory(household=household, start_date=datetime.date(2026, 1, 1))
    response = owner_client.post(
        reverse("cycles:new"),
        {"name": "", "start_date": "2199-12-01", "end_date": "2199-12-31", "income": "1.00"},
    )
    assert response.status_code == 302
    for url in _pages_built_on_the_latest_cycle():
        assert owner_client.get(url).status_code == 200, url


def _pages_built_on_the_latest_cycle():
    return [
        reverse("cycles:new"),
        reverse("templates_app:template_create"),
        reverse("templates_app:template_preview"),
        reverse("reports:forecast"),
    ]


def test_a_far_future_cycle_stored_before_the_bound_breaks_no_page(owner_client, household):
    template = ExpenseTemplateFactory(household=household, start_date=datetime.date(2026, 1, 1))
    cycle = CycleFactory(
        household=household,
        start_date=datetime.date(9999, 12, 20),
        end_date=datetime.date(9999, 12, 31),
    )
    pages = [
        *_pages_built_on_the_latest_cycle(),
        reverse("templates_app:template_list"),
        reverse("templates_app:template_edit", args=[template.pk]),
        reverse("cycles:list"),
        reverse("cycles:detail", args=[cycle.pk]),
        reverse("reports:overview"),
        reverse("dashboard"),
    ]
    for url in pages:
        assert owner_client.get(url).status_code == 200, url
