"""Expense template pages: what a user sees and what the database holds afterwards."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from cycles.tests.factories import CycleFactory
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory
from templates_app.models import ExpenseTemplate
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def housing(household):
    return CategoryFactory(household=household, name="Housing")


@pytest.fixture
def rent(household, housing):
    return ExpenseTemplateFactory(
        household=household,
        name="Rent",
        amount=Decimal("1200.00"),
        category=housing,
        frequency="monthly",
        day_of_month=31,
        start_date=datetime.date(2026, 1, 1),
    )


def _data(category_obj, **overrides):
    return {
        "name": "Gym",
        "amount": "30.00",
        "currency": "USD",
        "category": category_obj.pk,
        "payment_method": "",
        "frequency": "weekly",
        "day_of_month": "",
        "start_date": "2026-01-01",
        "end_date": "",
        "is_active": "on",
        "note": "",
        **overrides,
    }


# --- list ---------------------------------------------------------------------------------


def test_list_shows_templates_with_next_occurrence_and_monthly_cost(owner_client, rent):
    response = owner_client.get(reverse("templates_app:template_list"))
    assert response.status_code == 200
    assert "Rent" in response.text
    assert "1,200.00 USD" in response.text
    assert 'id="template-' in response.text


def test_list_shows_next_occurrence_date(owner_client, household, housing):
    ExpenseTemplateFactory(
        household=household,
        name="Yearly",
        category=housing,
        frequency="yearly",
        day_of_month=None,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2020, 12, 31),
    )
    text = owner_client.get(reverse("templates_app:template_list")).text
    assert "ended" in text


def test_list_of_another_household_does_not_leak(stranger_client, rent):
    text = stranger_client.get(reverse("templates_app:template_list")).text
    assert "Rent" not in text


@pytest.mark.parametrize("rows", [3, 30])
def test_list_runs_a_constant_number_of_queries(
    owner_client, household, housing, rows, django_assert_max_num_queries
):
    method = PaymentMethodFactory(household=household)
    cycle = CycleFactory(household=household)
    for n in range(rows):
        template = ExpenseTemplateFactory(
            household=household, category=housing, payment_method=method, name=f"Bill {n}"
        )
        ExpenseFactory(cycle=cycle, template=template, category=housing)
    with django_assert_max_num_queries(8):
        response = owner_client.get(reverse("templates_app:template_list"))
    assert response.text.count('<tr id="template-') == rows


# --- add ----------------------------------------------------------------------------------


def test_add_form_defaults_to_the_household_currency(owner_client, household):
    household.base_currency = "EUR"
    household.save()
    text = owner_client.get(reverse("templates_app:template_create")).text
    assert '<option value="EUR" selected>' in text
    assert 'id="template-preview"' in text


def test_add_form_offers_only_the_household_active_choices(
    owner_client, household, housing, other_household
):
    archived = CategoryFactory(household=household, name="Old stuff", is_archived=True)
    inactive = PaymentMethodFactory(household=household, name="Old card", is_active=False)
    active = PaymentMethodFactory(household=household, name="New card")
    foreign = CategoryFactory(household=other_household, name="Their category")
    text = owner_client.get(reverse("templates_app:template_create")).text
    assert "Housing" in text and "New card" in text
    for hidden in (archived, inactive, foreign):
        assert f'value="{hidden.pk}"' not in text or hidden is active


def test_adding_a_template_redirects_to_the_list(owner_client, household, housing):
    response = owner_client.post(reverse("templates_app:template_create"), _data(housing))
    assert response.status_code == 302
    assert response.url == reverse("templates_app:template_list")
    template = ExpenseTemplate.objects.get(household=household, name="Gym")
    assert (template.amount, template.frequency, template.day_of_month) == (
        Decimal("30"),
        "weekly",
        None,
    )
    assert "Template Gym added." in owner_client.get(response.url).text


def test_adding_with_htmx_answers_with_a_client_redirect(owner_client, housing, htmx_headers):
    response = owner_client.post(
        reverse("templates_app:template_create"), _data(housing), **htmx_headers
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("templates_app:template_list")


def test_monthly_without_day_takes_the_start_date_day(owner_client, household, housing):
    owner_client.post(
        reverse("templates_app:template_create"),
        _data(housing, frequency="monthly", start_date="2026-03-17"),
    )
    assert ExpenseTemplate.objects.get(household=household).day_of_month == 17


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "   "}, "This field is required."),
        ({"amount": ""}, "Enter an amount."),
        ({"amount": "0"}, "The amount must be more than zero."),
        ({"amount": "-5"}, "The amount must be more than zero."),
        ({"amount": "1000000000000"}, "The largest amount is 999,999,999,999."),
        # Exponents are refused as such, whatever their size.
        ({"amount": "1e309"}, "Enter an amount like 1,234.56."),
        ({"amount": "1e999999999999999999"}, "Enter an amount like 1,234.56."),
        ({"amount": "1e-999999999999999999"}, "Enter an amount like 1,234.56."),
        ({"amount": "abc"}, "Enter an amount like 1,234.56."),
        # grouping is read
        ({"amount": "1,000,000,000,000"}, "The largest amount is 999,999,999,999."),
        ({"amount": "NaN"}, "Enter an amount like 1,234.56."),
        ({"amount": "Infinity"}, "Enter an amount like 1,234.56."),
        ({"amount": "-Infinity"}, "Enter an amount like 1,234.56."),
        ({"amount": "10.5555"}, "USD amounts have at most 2 decimals."),
        ({"amount": "1.5", "currency": "JPY"}, "JPY amounts have no decimals."),
        ({"amount": "1.005", "currency": "USD"}, "USD amounts have at most 2 decimals."),
        ({"amount": "1.0005", "currency": "BHD"}, "BHD amounts have at most 3 decimals."),
        ({"currency": "XXX"}, "Select a valid choice."),
        ({"currency": ""}, "This field is required."),
        ({"category": ""}, "Choose a category (only income has none)."),
        ({"category": "abc"}, "Select a valid choice."),
        ({"category": "999999"}, "Select a valid choice."),
        ({"payment_method": "abc"}, "Select a valid choice."),
        ({"frequency": "hourly"}, "Select a valid choice."),
        ({"frequency": "monthly", "day_of_month": "32"}, "less than or equal to 31"),
        ({"frequency": "monthly", "day_of_month": "0"}, "greater than or equal to 1"),
        ({"start_date": ""}, "This field is required."),
        ({"start_date": "yesterday"}, "Enter a valid date."),
        ({"start_date": "0001-01-01"}, "Choose a date between 2000 and 2199."),
        ({"end_date": "9999-12-31"}, "Choose a date between 2000 and 2199."),
        ({"end_date": "2025-12-31"}, "The end date cannot be before the start date."),
    ],
)
def test_bad_input_is_a_field_error_never_a_500(
    owner_client, household, housing, overrides, field_message
):
    response = owner_client.post(
        reverse("templates_app:template_create"), _data(housing, **overrides)
    )
    assert response.status_code == 422
    assert field_message in response.text
    assert 'class="errorlist' in response.text
    assert not ExpenseTemplate.objects.filter(household=household).exists()


def test_category_of_another_household_is_not_a_valid_choice(
    owner_client, household, housing, other_household
):
    foreign = CategoryFactory(household=other_household, name="Theirs")
    response = owner_client.post(reverse("templates_app:template_create"), _data(foreign))
    assert response.status_code == 422
    assert "Select a valid choice" in response.text
    assert not ExpenseTemplate.objects.exists()


def test_payment_method_of_another_household_is_not_a_valid_choice(
    owner_client, household, housing, other_household
):
    foreign = PaymentMethodFactory(household=other_household)
    response = owner_client.post(
        reverse("templates_app:template_create"), _data(housing, payment_method=foreign.pk)
    )
    assert response.status_code == 422
    assert "Select a valid choice" in response.text
    assert not ExpenseTemplate.objects.exists()


def test_archived_category_and_inactive_method_are_not_valid_for_a_new_template(
    owner_client, household, housing
):
    archived = CategoryFactory(household=household, name="Gone", is_archived=True)
    inactive = PaymentMethodFactory(household=household, is_active=False)
    for data in (_data(archived), _data(housing, payment_method=inactive.pk)):
        response = owner_client.post(reverse("templates_app:template_create"), data)
        assert response.status_code == 422
        assert "Select a valid choice" in response.text
    assert not ExpenseTemplate.objects.exists()


def test_invalid_htmx_submission_gets_the_form_partial_with_422(
    owner_client, housing, htmx_headers
):
    response = owner_client.post(
        reverse("templates_app:template_create"), _data(housing, amount="abc"), **htmx_headers
    )
    assert response.status_code == 422
    assert "<html" not in response.text
    assert response.text.strip().startswith('<form id="template-form"')
    assert "Enter an amount like 1,234.56." in response.text


def test_invalid_full_page_still_shows_the_preview(owner_client, housing):
    response = owner_client.post(reverse("templates_app:template_create"), _data(housing, name=""))
    assert response.status_code == 422
    assert "this makes" in response.text


# --- preview ------------------------------------------------------------------------------


def test_preview_counts_the_next_42_days_from_today_without_cycles(owner_client, housing):
    today = datetime.date.today()
    response = owner_client.post(
        reverse("templates_app:template_preview"),
        _data(housing, amount="12.50", start_date=today.isoformat()),
    )
    assert response.status_code == 200
    assert response.text.strip().startswith('<div id="template-preview"')
    assert "6 expenses" in response.text
    assert "75.00 USD" in response.text


def test_preview_starts_the_day_after_the_latest_cycle(owner_client, household, housing):
    CycleFactory(
        household=household,
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 2, 11),
    )
    CycleFactory(
        household=household,
        start_date=datetime.date(2026, 2, 12),
        end_date=datetime.date(2026, 3, 25),
    )
    # Monthly on the 26th: Mar 26 and Apr 26 fall in Mar 26 - May 6.
    response = owner_client.post(
        reverse("templates_app:template_preview"),
        _data(housing, frequency="monthly", day_of_month="26", amount="1000"),
    )
    assert "Mar 26" in response.text
    assert "2 expenses" in response.text
    assert "2,000.00 USD" in response.text


def test_preview_ignores_another_household_cycles(owner_client, other_household, housing):
    CycleFactory(
        household=other_household,
        start_date=datetime.date(2030, 1, 1),
        end_date=datetime.date(2030, 2, 1),
    )
    today = datetime.date.today()
    response = owner_client.post(
        reverse("templates_app:template_preview"),
        _data(housing, start_date=today.isoformat()),
    )
    assert f"{today:%b} {today.day}" in response.text


def test_preview_with_incomplete_values_asks_for_them(owner_client, housing):
    response = owner_client.post(
        reverse("templates_app:template_preview"), _data(housing, amount="abc", name="")
    )
    assert response.status_code == 200
    assert "Fill in the amount" in response.text


def test_preview_in_jpy_has_no_decimals(owner_client, housing):
    today = datetime.date.today()
    response = owner_client.post(
        reverse("templates_app:template_preview"),
        _data(
            housing,
            amount="1500",
            currency="JPY",
            frequency="per_cycle",
            start_date=today.isoformat(),
        ),
    )
    assert "<strong>1 expense</strong>" in response.text
    assert "1,500 JPY" in response.text


def test_edit_page_shows_the_preview_of_the_saved_template(owner_client, rent):
    response = owner_client.get(reverse("templates_app:template_edit", args=[rent.pk]))
    assert response.status_code == 200
    assert "this makes" in response.text
    assert 'value="1,200.00"' in response.text  # in the household's number format


# --- edit / pause / delete ------------------------------------------------------------------


def test_editing_a_template(owner_client, rent, housing):
    response = owner_client.post(
        reverse("templates_app:template_edit", args=[rent.pk]),
        _data(housing, name="Rent", amount="1250", frequency="monthly", day_of_month="1"),
    )
    assert response.status_code == 302
    rent.refresh_from_db()
    assert (rent.amount, rent.day_of_month) == (Decimal("1250"), 1)


def test_editing_keeps_an_archived_category_and_inactive_method(
    owner_client, household, rent, housing
):
    method = PaymentMethodFactory(household=household)
    rent.payment_method = method
    rent.save()
    housing.is_archived = True
    housing.save()
    method.is_active = False
    method.save()
    response = owner_client.post(
        reverse("templates_app:template_edit", args=[rent.pk]),
        _data(housing, name="Rent v2", payment_method=method.pk),
    )
    assert response.status_code == 302
    rent.refresh_from_db()
    assert (rent.name, rent.category, rent.payment_method) == ("Rent v2", housing, method)


def test_editing_with_bad_amount_changes_nothing(owner_client, rent, housing):
    response = owner_client.post(
        reverse("templates_app:template_edit", args=[rent.pk]), _data(housing, amount="1e309")
    )
    assert response.status_code == 422
    rent.refresh_from_db()
    assert rent.amount == Decimal("1200")


def test_pausing_with_a_plain_post(owner_client, rent):
    response = owner_client.post(reverse("templates_app:template_toggle", args=[rent.pk]))
    assert response.status_code == 302
    rent.refresh_from_db()
    assert rent.is_active is False
    assert "Template Rent paused." in owner_client.get(response.url).text


def test_pausing_and_resuming_with_htmx_returns_the_row(owner_client, rent, htmx_headers):
    url = reverse("templates_app:template_toggle", args=[rent.pk])
    response = owner_client.post(url, **htmx_headers)
    assert response.text.strip().startswith(f'<tr id="template-{rent.pk}"')
    assert "Paused" in response.text and "Resume" in response.text
    response = owner_client.post(url, **htmx_headers)
    assert "Pause" in response.text
    rent.refresh_from_db()
    assert rent.is_active is True


def test_deleting_a_template_keeps_its_expenses_and_says_so(owner_client, household, rent):
    expense = ExpenseFactory(cycle=CycleFactory(household=household), template=rent)
    response = owner_client.post(reverse("templates_app:template_delete", args=[rent.pk]))
    assert response.status_code == 302
    assert not ExpenseTemplate.objects.filter(pk=rent.pk).exists()
    expense.refresh_from_db()
    assert expense.template is None
    assert "The expense it made is kept." in owner_client.get(response.url).text


def test_deleting_an_unused_template(owner_client, rent):
    response = owner_client.post(reverse("templates_app:template_delete", args=[rent.pk]))
    assert response.status_code == 302
    assert "Template Rent deleted." in owner_client.get(response.url).text


# --- isolation and access ---------------------------------------------------------------------


def test_another_household_gets_404_and_changes_nothing(stranger_client, rent, housing):
    expense = ExpenseFactory(cycle=CycleFactory(household=rent.household), template=rent)
    urls = [
        ("get", reverse("templates_app:template_edit", args=[rent.pk])),
        ("post", reverse("templates_app:template_edit", args=[rent.pk])),
        ("post", reverse("templates_app:template_toggle", args=[rent.pk])),
        ("post", reverse("templates_app:template_delete", args=[rent.pk])),
    ]
    for verb, url in urls:
        if verb == "post":
            response = stranger_client.post(url, _data(housing, name="Hacked"))
        else:
            response = stranger_client.get(url)
        assert response.status_code == 404, url
    rent.refresh_from_db()
    assert (rent.name, rent.is_active) == ("Rent", True)
    assert Expense.objects.get(pk=expense.pk).template == rent


def test_stranger_cannot_use_this_household_category_in_their_template(
    stranger_client, stranger, housing
):
    response = stranger_client.post(reverse("templates_app:template_create"), _data(housing))
    assert response.status_code == 422
    assert "Select a valid choice" in response.text
    assert not ExpenseTemplate.objects.exists()


@pytest.mark.parametrize("name", ["template_list", "template_create", "template_preview"])
def test_anonymous_is_sent_to_log_in(client, name):
    response = client.get(reverse(f"templates_app:{name}"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_anonymous_writes_change_nothing(client, rent, housing, htmx_headers):
    for name in ("template_edit", "template_toggle", "template_delete"):
        response = client.post(reverse(f"templates_app:{name}", args=[rent.pk]), _data(housing))
        assert response.status_code == 302 and "/login/" in response.url
    response = client.post(
        reverse("templates_app:template_preview"), _data(housing), **htmx_headers
    )
    assert response["HX-Redirect"].startswith(reverse("accounts:login"))
    rent.refresh_from_db()
    assert (rent.name, rent.is_active) == ("Rent", True)


@pytest.mark.parametrize("name", ["template_toggle", "template_delete"])
def test_writes_reject_get(owner_client, rent, name):
    response = owner_client.get(reverse(f"templates_app:{name}", args=[rent.pk]))
    assert response.status_code == 405


# --- in a browser -----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_preview_follows_the_form_and_the_template_is_saved_and_paused(browser_page):
    from accounts.tests.factories import TEST_PASSWORD, make_owner

    owner = make_owner(email="preview@example.com")
    page = browser_page
    page.goto("/accounts/login/")
    page.fill("#id_username", owner.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")

    page.goto("/templates/new/")
    page.fill("#id_name", "Gym")
    page.fill("#id_amount", "10")
    page.select_option("#id_category", label="Fun")
    page.select_option("#id_frequency", "weekly")
    page.locator("#id_amount").dispatch_event("change")
    page.wait_for_selector("#template-preview >> text=6 expenses")
    assert "60.00 USD" in page.inner_text("#template-preview")

    page.fill("#id_amount", "abc")
    page.click("button[type=submit].primary")
    page.wait_for_selector("text=Enter an amount like 1,234.56.")
    page.fill("#id_amount", "12.50")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/templates/")
    assert "Template Gym added." in page.content()

    page.click("#templates >> text=Pause")
    page.wait_for_selector("#templates >> text=Resume")
    assert ExpenseTemplate.objects.get(name="Gym").is_active is False
