import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses.models import Expense
from expenses.tests.factories import ExpenseFactory
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = pytest.mark.django_db

LIST = reverse("cycles:list")
NEW = reverse("cycles:new")


def _new_cycle_data(**overrides):
    data = {
        "name": "",
        "start_date": "2026-01-01",
        "end_date": "2026-02-12",
        "income": "3000.00",
        "generate_from_templates": "on",
    }
    data.update(overrides)
    return data


def test_new_cycle_with_changed_dates_and_no_typed_name_is_named_after_its_dates(
    owner_client, household
):
    from cycles.models import Cycle

    response = owner_client.post(
        NEW,
        {"start_date": "2026-12-01", "end_date": "2027-01-14", "income": "100", "name": ""},
    )
    assert response.status_code == 302
    assert Cycle.objects.get(household=household).name == "Dec 1, 2026 – Jan 14, 2027"


def test_new_cycle_form_prefills_the_day_after_the_latest_cycle(owner_client, household):
    CycleFactory(household=household, start_date=datetime.date(2026, 1, 1))
    response = owner_client.get(NEW)
    form = response.context["form"]
    assert form.initial["start_date"] == datetime.date(2026, 2, 13)
    # 42 days, the first and last included.
    assert form.initial["end_date"] == datetime.date(2026, 3, 26)
    # The name is only suggested: left empty it follows whatever dates are saved.
    assert "name" not in form.initial
    assert form.fields["name"].widget.attrs["placeholder"] == "Feb 13, 2026 – Mar 26, 2026"
    checkbox = 'name="generate_from_templates" id="id_generate_from_templates" checked'
    assert checkbox in response.content.decode()


def test_creating_a_cycle_generates_template_expenses_and_opens_it(owner_client, household):
    ExpenseTemplateFactory(household=household, start_date=datetime.date(2025, 12, 1))
    response = owner_client.post(NEW, _new_cycle_data())
    cycle = Cycle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cycles:detail", args=[cycle.pk])
    assert cycle.name == "Jan 1, 2026 – Feb 12, 2026"
    assert cycle.expenses.count() == 2


def test_creating_without_generation_makes_no_expenses(owner_client, household):
    ExpenseTemplateFactory(household=household, start_date=datetime.date(2025, 12, 1))
    owner_client.post(NEW, _new_cycle_data(generate_from_templates=""))
    assert Cycle.objects.get().expenses.count() == 0


@pytest.mark.parametrize(
    ("overrides", "status", "text"),
    [
        ({"end_date": "2026-01-01"}, 422, "The end date must be after the start date."),
        ({"end_date": "2026-02-15"}, 422, "A cycle lasts at most 45 days"),
        ({"income": "-1"}, 422, "Income cannot be negative."),
        ({"income": "abc"}, 422, "Enter an income like 1,234.56."),
        ({"income": "1e3"}, 422, "Enter an income like 1,234.56."),
        ({"start_date": "nope"}, 422, "Enter a valid date."),
    ],
)
def test_bad_cycle_input_is_shown_on_the_form(owner_client, overrides, status, text):
    response = owner_client.post(NEW, _new_cycle_data(**overrides))
    assert response.status_code == status
    assert text in response.content.decode()
    assert not Cycle.objects.exists()


def test_duplicate_name_and_overlap_are_shown_with_their_code(owner_client, household):
    CycleFactory(household=household, name="Spring", start_date=datetime.date(2026, 1, 1))
    named = owner_client.post(
        NEW, _new_cycle_data(name="spring", start_date="2026-03-01", end_date="2026-03-20")
    )
    assert named.status_code == 409
    assert "already has a cycle with this name" in named.content.decode()
    overlap = owner_client.post(
        NEW, _new_cycle_data(start_date="2026-02-01", end_date="2026-02-20")
    )
    assert overlap.status_code == 409
    assert 'data-error-code="CYCLE_OVERLAP"' in overlap.content.decode()
    assert Cycle.objects.count() == 1


def test_editing_a_cycle(owner_client, household):
    cycle = CycleFactory(household=household)
    url = reverse("cycles:edit", args=[cycle.pk])
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(
        url,
        {
            "name": "Renamed",
            "start_date": cycle.start_date,
            "end_date": cycle.end_date,
        },
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.name, cycle.income) == ("Renamed", Decimal("4000.00"))


def test_editing_a_completed_cycle_is_refused_with_409(owner_client, household):
    cycle = CycleFactory(household=household, status=Cycle.Status.COMPLETED)
    url = reverse("cycles:edit", args=[cycle.pk])
    assert owner_client.get(url).status_code == 409
    response = owner_client.post(
        url,
        {
            "name": "Renamed",
            "start_date": cycle.start_date,
            "end_date": cycle.end_date,
            "income": "5",
        },
    )
    assert response.status_code == 409
    assert "completed" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.name != "Renamed"


def test_status_buttons_move_the_cycle_forward(owner_client, household):
    cycle = CycleFactory(household=household)
    owner_client.post(reverse("cycles:activate", args=[cycle.pk]))
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.ACTIVE
    response = owner_client.post(reverse("cycles:complete", args=[cycle.pk]), follow=True)
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.COMPLETED
    assert "is completed" in response.content.decode()


def test_second_active_cycle_is_refused_with_409(owner_client, household):
    CycleFactory(household=household, status=Cycle.Status.ACTIVE)
    draft = CycleFactory(household=household)
    response = owner_client.post(reverse("cycles:activate", args=[draft.pk]))
    assert response.status_code == 409
    assert "Another cycle is active" in response.content.decode()


def test_invalid_transition_is_409(owner_client, household):
    draft = CycleFactory(household=household)
    response = owner_client.post(reverse("cycles:complete", args=[draft.pk]))
    assert response.status_code == 409
    assert 'data-error-code="INVALID_STATUS_TRANSITION"' in response.content.decode()


def test_regenerating_a_completed_cycle_is_refused(owner_client, household):
    ExpenseTemplateFactory(household=household, start_date=datetime.date(2025, 12, 1))
    cycle = CycleFactory(household=household, status=Cycle.Status.COMPLETED)
    response = owner_client.post(reverse("cycles:generate", args=[cycle.pk]))
    assert response.status_code == 409
    assert not Expense.objects.exists()


def test_regenerating_reports_how_many_were_added(owner_client, household):
    ExpenseTemplateFactory(household=household, start_date=datetime.date(2025, 12, 1))
    cycle = CycleFactory(household=household, start_date=datetime.date(2026, 1, 1))
    first = owner_client.post(reverse("cycles:generate", args=[cycle.pk]), follow=True)
    assert "2 expenses added from templates" in first.content.decode()
    again = owner_client.post(reverse("cycles:generate", args=[cycle.pk]), follow=True)
    assert "already in this cycle" in again.content.decode()
    assert cycle.expenses.count() == 2


def test_deleting_a_draft_cycle(owner_client, household):
    cycle = CycleFactory(household=household)
    response = owner_client.post(reverse("cycles:delete", args=[cycle.pk]))
    assert response.status_code == 302
    assert not Cycle.objects.exists()


def test_cycle_list_shows_totals_per_cycle(owner_client, household):
    cycle = CycleFactory(household=household, income=Decimal("1000.00"))
    ExpenseFactory(
        cycle=cycle, amount=Decimal("100.00"), status=Expense.Status.PAID, paid_on=cycle.start_date
    )
    ExpenseFactory(cycle=cycle, amount=Decimal("50.00"))
    body = owner_client.get(LIST).content.decode()
    assert cycle.name in body
    assert "150.00 USD" in body  # planned
    assert "100.00 USD" in body  # paid
    assert "850.00 USD" in body  # balance


def test_cycle_list_is_paginated_by_12(owner_client, household):
    for _ in range(13):
        CycleFactory(household=household)
    first = owner_client.get(LIST)
    assert len(first.context["cycles"]) == 12
    assert len(owner_client.get(LIST, {"page": 2}).context["cycles"]) == 1


def test_cycle_list_runs_constant_queries(owner_client, household, django_assert_max_num_queries):
    for _ in range(12):
        cycle = CycleFactory(household=household)
        ExpenseFactory(cycle=cycle)
    with django_assert_max_num_queries(10):
        response = owner_client.get(LIST)
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["detail", "edit", "activate", "complete", "delete", "generate"])
def test_another_households_cycle_is_404_and_unchanged(stranger_client, household, name):
    cycle = CycleFactory(household=household)
    url = reverse(f"cycles:{name}", args=[cycle.pk])
    assert stranger_client.get(url).status_code in {404, 405}
    assert stranger_client.post(url, _new_cycle_data(name="hijack")).status_code in {404, 405}
    assert stranger_client.post(url).status_code in {404, 405}
    assert Cycle.objects.filter(pk=cycle.pk, name=cycle.name, status=cycle.status).exists()


@pytest.mark.parametrize("name", ["list", "new"])
def test_anonymous_is_sent_to_log_in(client, name, htmx_headers):
    url = reverse(f"cycles:{name}")
    assert client.get(url)["Location"].startswith(reverse("accounts:login"))
    assert client.get(url, **htmx_headers)["HX-Redirect"].startswith(reverse("accounts:login"))


def test_dashboard_shows_active_cycle_totals_and_next_planned(owner_client, household):
    cycle = CycleFactory(household=household, status=Cycle.Status.ACTIVE)
    ExpenseFactory(cycle=cycle, description="Rent", amount=Decimal("900.00"))
    ExpenseFactory(
        cycle=cycle,
        description="Paid already",
        status=Expense.Status.PAID,
        paid_on=cycle.start_date,
    )
    body = owner_client.get(reverse("dashboard")).content.decode()
    assert 'id="cycle-totals"' in body
    assert "Rent" in body
    assert "Paid already" not in body.split('id="upcoming-expenses"')[1]


def test_dashboard_without_active_cycle_invites_to_start_one(owner_client):
    body = owner_client.get(reverse("dashboard")).content.decode()
    assert "No active cycle" in body
    assert reverse("cycles:new") in body
