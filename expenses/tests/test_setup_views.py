"""Payment method and category pages: what a user sees and what the database holds after."""

import pytest
from django.urls import reverse

from cycles.tests.factories import CycleFactory
from expenses.models import Category, PaymentMethod
from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def method(household, owner):
    return PaymentMethodFactory(household=household, name="Visa", owner=owner, last4="4242")


@pytest.fixture
def category(household):
    return CategoryFactory(household=household, name="Pets")


def _method_data(member, **overrides):
    return {"name": "Amex", "kind": "card", "owner": member.pk, "last4": "", **overrides}


# --- payment methods: list ----------------------------------------------------------------


def test_list_shows_the_household_methods_only(owner_client, method, stranger):
    PaymentMethodFactory(household=stranger.membership.household, name="Their card")
    response = owner_client.get(reverse("expenses:payment_method_list"))
    assert response.status_code == 200
    assert "Visa" in response.text and "··4242" in response.text
    assert "Their card" not in response.text


def test_list_offers_delete_only_for_unused_methods(owner_client, household, method):
    used = PaymentMethodFactory(household=household, name="Used card")
    ExpenseFactory(cycle=CycleFactory(household=household), payment_method=used)
    text = owner_client.get(reverse("expenses:payment_method_list")).text
    assert reverse("expenses:payment_method_delete", args=[method.pk]) in text
    assert reverse("expenses:payment_method_delete", args=[used.pk]) not in text
    assert "In use" in text


@pytest.mark.parametrize("rows", [3, 30])
def test_list_runs_a_constant_number_of_queries(
    owner_client, household, owner, rows, django_assert_max_num_queries
):
    for n in range(rows):
        method = PaymentMethodFactory(household=household, owner=owner, name=f"Card {n}")
        ExpenseTemplateFactory(household=household, payment_method=method)
    with django_assert_max_num_queries(8):
        response = owner_client.get(reverse("expenses:payment_method_list"))
    assert response.text.count('id="payment-method-') == rows


# --- payment methods: add / edit ------------------------------------------------------------


def test_adding_a_payment_method_redirects_to_the_list(owner_client, household, member):
    response = owner_client.post(
        reverse("expenses:payment_method_create"),
        _method_data(member, name="Max's debit", kind="bank_account", last4="0001"),
    )
    assert response.status_code == 302
    assert response.url == reverse("expenses:payment_method_list")
    method = PaymentMethod.objects.get(household=household, name="Max's debit")
    assert (method.owner, method.kind, method.last4) == (member, "bank_account", "0001")
    page = owner_client.get(response.url)
    assert "Max&#39;s debit added." in page.text


def test_add_form_shows_members_only(owner_client, member, stranger):
    text = owner_client.get(reverse("expenses:payment_method_create")).text
    assert member.display_name in text
    assert stranger.display_name not in text


def test_adding_with_htmx_answers_with_a_client_redirect(owner_client, owner, htmx_headers):
    response = owner_client.post(
        reverse("expenses:payment_method_create"), _method_data(owner), **htmx_headers
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("expenses:payment_method_list")


def test_duplicate_name_is_a_field_error(owner_client, household, owner, method):
    response = owner_client.post(
        reverse("expenses:payment_method_create"), _method_data(owner, name="vIsA")
    )
    assert response.status_code == 422
    assert "already has a payment method with this name" in response.text
    assert "<html" in response.text
    assert PaymentMethod.objects.filter(household=household).count() == 1


def test_invalid_htmx_submission_gets_the_form_partial_with_422(
    owner_client, owner, method, htmx_headers
):
    response = owner_client.post(
        reverse("expenses:payment_method_create"),
        _method_data(owner, name="VISA"),
        **htmx_headers,
    )
    assert response.status_code == 422
    assert "<html" not in response.text
    assert 'id="payment-method-form"' in response.text
    assert "already has a payment method with this name" in response.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("name", "   ", "This field is required."),
        ("kind", "crypto", "Select a valid choice."),
        ("owner", "abc", "Select a valid choice."),
        ("last4", "12a4", "Enter exactly four digits."),
        ("last4", "12345", "Enter exactly four digits."),
    ],
)
def test_bad_payment_method_input_is_a_field_error(
    owner_client, household, owner, field, value, message
):
    response = owner_client.post(
        reverse("expenses:payment_method_create"), _method_data(owner, **{field: value})
    )
    assert response.status_code == 422
    assert message in response.text
    assert not PaymentMethod.objects.filter(household=household).exists()


def test_owner_from_another_household_is_not_a_valid_choice(owner_client, household, stranger):
    response = owner_client.post(reverse("expenses:payment_method_create"), _method_data(stranger))
    assert response.status_code == 422
    assert "Select a valid choice" in response.text
    assert not PaymentMethod.objects.filter(household=household).exists()


def test_editing_a_payment_method(member_client, method, member):
    url = reverse("expenses:payment_method_edit", args=[method.pk])
    assert 'value="Visa"' in member_client.get(url).text
    response = member_client.post(url, _method_data(member, name="Visa Gold", last4="1111"))
    assert response.status_code == 302
    method.refresh_from_db()
    assert (method.name, method.owner, method.last4) == ("Visa Gold", member, "1111")


def test_editing_onto_an_existing_name_is_a_field_error(owner_client, household, owner, method):
    PaymentMethodFactory(household=household, name="Cash")
    response = owner_client.post(
        reverse("expenses:payment_method_edit", args=[method.pk]),
        _method_data(owner, name="CASH"),
    )
    assert response.status_code == 422
    assert "already has a payment method with this name" in response.text
    method.refresh_from_db()
    assert method.name == "Visa"


# --- payment methods: toggle / delete -------------------------------------------------------


def test_deactivating_with_a_plain_post_redirects(owner_client, method):
    response = owner_client.post(reverse("expenses:payment_method_toggle", args=[method.pk]))
    assert response.status_code == 302
    method.refresh_from_db()
    assert method.is_active is False
    assert "Visa deactivated." in owner_client.get(response.url).text


def test_toggling_with_htmx_returns_the_row(owner_client, method, htmx_headers):
    url = reverse("expenses:payment_method_toggle", args=[method.pk])
    response = owner_client.post(url, **htmx_headers)
    assert response.status_code == 200
    assert response.text.strip().startswith(f'<tr id="payment-method-{method.pk}"')
    assert "Reactivate" in response.text and "Inactive" in response.text
    response = owner_client.post(url, **htmx_headers)
    assert "Deactivate" in response.text
    method.refresh_from_db()
    assert method.is_active is True


def test_deleting_an_unused_payment_method(owner_client, method):
    response = owner_client.post(reverse("expenses:payment_method_delete", args=[method.pk]))
    assert response.status_code == 302
    assert not PaymentMethod.objects.filter(pk=method.pk).exists()
    assert "Visa deleted." in owner_client.get(response.url).text


def test_deleting_a_used_payment_method_is_refused_and_says_deactivate(
    owner_client, household, method
):
    ExpenseFactory(cycle=CycleFactory(household=household), payment_method=method)
    response = owner_client.post(reverse("expenses:payment_method_delete", args=[method.pk]))
    assert response.status_code == 409
    assert "Deactivate it instead" in response.text
    assert PaymentMethod.objects.filter(pk=method.pk).exists()


def test_deleting_a_used_payment_method_with_htmx_goes_to_messages(
    owner_client, household, method, htmx_headers
):
    ExpenseTemplateFactory(household=household, payment_method=method)
    response = owner_client.post(
        reverse("expenses:payment_method_delete", args=[method.pk]), **htmx_headers
    )
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#messages"
    assert "PAYMENT_METHOD_IN_USE" in response.text


# --- categories -------------------------------------------------------------------------------


def test_category_list_shows_defaults_and_archived_last(owner_client, household, category):
    category.is_archived = True
    category.save()
    text = owner_client.get(reverse("expenses:category_list")).text
    assert "Housing" in text and "Pets" in text
    assert text.index("Utilities") < text.index("Pets")
    assert "Unarchive" in text


@pytest.mark.parametrize("rows", [3, 30])
def test_category_list_runs_a_constant_number_of_queries(
    owner_client, household, rows, django_assert_max_num_queries
):
    for n in range(rows):
        CategoryFactory(household=household, name=f"Extra {n}")
    with django_assert_max_num_queries(8):
        response = owner_client.get(reverse("expenses:category_list"))
    assert response.text.count('id="category-') == rows + len(Category.DEFAULT_NAMES)


def test_adding_a_category(owner_client, household):
    response = owner_client.post(reverse("expenses:category_create"), {"name": "Pets"})
    assert response.status_code == 302
    assert Category.objects.filter(household=household, name="Pets").exists()


def test_adding_a_category_with_htmx_returns_the_refreshed_list(
    owner_client, household, htmx_headers
):
    response = owner_client.post(
        reverse("expenses:category_create"), {"name": "Pets"}, **htmx_headers
    )
    assert response.status_code == 200
    assert response.text.strip().startswith('<div id="categories">')
    assert "Pets" in response.text


@pytest.mark.parametrize("headers", [{}, {"HTTP_HX_REQUEST": "true"}])
def test_duplicate_category_name_is_a_field_error(owner_client, household, headers):
    response = owner_client.post(reverse("expenses:category_create"), {"name": "food"}, **headers)
    assert response.status_code == 422
    assert "already has a category with this name" in response.text
    assert Category.objects.filter(household=household, name__iexact="food").count() == 1


def test_blank_category_name_is_a_field_error(owner_client, household):
    response = owner_client.post(reverse("expenses:category_create"), {"name": "  "})
    assert response.status_code == 422
    assert "This field is required." in response.text


def test_renaming_a_category(owner_client, category):
    url = reverse("expenses:category_edit", args=[category.pk])
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(url, {"name": "Animals"})
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.name == "Animals"
    assert "Pets renamed to Animals." in owner_client.get(response.url).text


def test_renaming_a_category_onto_an_existing_name_is_a_field_error(owner_client, category):
    response = owner_client.post(
        reverse("expenses:category_edit", args=[category.pk]), {"name": "HOUSING"}
    )
    assert response.status_code == 422
    assert "already has a category with this name" in response.text
    category.refresh_from_db()
    assert category.name == "Pets"


def test_archiving_with_htmx_returns_the_row(owner_client, category, htmx_headers):
    response = owner_client.post(
        reverse("expenses:category_toggle", args=[category.pk]), **htmx_headers
    )
    assert response.status_code == 200
    assert response.text.strip().startswith(f'<tr id="category-{category.pk}"')
    assert "Archived" in response.text
    category.refresh_from_db()
    assert category.is_archived is True


def test_unarchiving_with_a_plain_post(owner_client, category):
    category.is_archived = True
    category.save()
    response = owner_client.post(reverse("expenses:category_toggle", args=[category.pk]))
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.is_archived is False


# --- isolation and access ---------------------------------------------------------------------


def _object_urls(method, category):
    return [
        ("get", reverse("expenses:payment_method_edit", args=[method.pk])),
        ("post", reverse("expenses:payment_method_edit", args=[method.pk])),
        ("post", reverse("expenses:payment_method_toggle", args=[method.pk])),
        ("post", reverse("expenses:payment_method_delete", args=[method.pk])),
        ("get", reverse("expenses:category_edit", args=[category.pk])),
        ("post", reverse("expenses:category_edit", args=[category.pk])),
        ("post", reverse("expenses:category_toggle", args=[category.pk])),
    ]


def test_another_household_gets_404_and_changes_nothing(
    stranger_client, stranger, method, category
):
    for verb, url in _object_urls(method, category):
        data = {"name": "Hacked", "kind": "cash", "owner": stranger.pk}
        response = stranger_client.post(url, data) if verb == "post" else stranger_client.get(url)
        assert response.status_code == 404, url
    method.refresh_from_db()
    category.refresh_from_db()
    assert (method.name, method.is_active, category.name, category.is_archived) == (
        "Visa",
        True,
        "Pets",
        False,
    )


def test_another_household_with_htmx_gets_404_in_messages(stranger_client, method, htmx_headers):
    response = stranger_client.post(
        reverse("expenses:payment_method_toggle", args=[method.pk]), **htmx_headers
    )
    assert response.status_code == 404
    method.refresh_from_db()
    assert method.is_active is True


def test_lists_of_another_household_do_not_leak(stranger_client, method, category):
    assert "Visa" not in stranger_client.get(reverse("expenses:payment_method_list")).text
    assert "Pets" not in stranger_client.get(reverse("expenses:category_list")).text


@pytest.mark.parametrize(
    "name",
    [
        "payment_method_list",
        "payment_method_create",
        "category_list",
    ],
)
def test_anonymous_is_sent_to_log_in(client, name):
    response = client.get(reverse(f"expenses:{name}"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_anonymous_posts_are_sent_to_log_in(client, method, category):
    for _, url in _object_urls(method, category):
        response = client.post(url, {"name": "x"})
        assert response.status_code == 302 and "/login/" in response.url, url
    assert client.post(reverse("expenses:category_create"), {"name": "x"}).status_code == 302
    method.refresh_from_db()
    assert method.name == "Visa"


def test_anonymous_htmx_gets_a_client_redirect(client, method, htmx_headers):
    response = client.post(
        reverse("expenses:payment_method_toggle", args=[method.pk]), **htmx_headers
    )
    assert response["HX-Redirect"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "name", ["payment_method_toggle", "payment_method_delete", "category_toggle"]
)
def test_writes_reject_get(owner_client, method, category, name):
    pk = category.pk if name.startswith("category") else method.pk
    assert owner_client.get(reverse(f"expenses:{name}", args=[pk])).status_code == 405


# --- payment methods shared by the household ---------------------------------------------------


def test_add_form_offers_shared_instead_of_an_empty_choice(owner_client):
    text = owner_client.get(reverse("expenses:payment_method_create")).text
    assert '<option value="">Shared (household)</option>' in text
    assert "---------" not in text


def test_a_payment_method_without_owner_is_shared_by_the_household(
    owner_client, household, owner, member
):
    response = owner_client.post(
        reverse("expenses:payment_method_create"),
        _method_data(member, name="Joint account", kind="bank_account", owner=""),
    )
    assert response.status_code == 302
    method = PaymentMethod.objects.get(household=household, name="Joint account")
    assert method.owner is None and method.is_shared
    row = owner_client.get(reverse("expenses:payment_method_list")).text.split(
        f'id="payment-method-{method.pk}"'
    )[1]
    assert "<td>Shared (household)</td>" in row.split("</tr>")[0]


def test_a_members_method_can_become_shared_and_back(owner_client, method, owner):
    edit = reverse("expenses:payment_method_edit", args=[method.pk])
    assert owner_client.post(edit, _method_data(owner, name="Visa", owner="")).status_code == 302
    method.refresh_from_db()
    assert method.owner is None
    page = owner_client.get(edit).text
    assert '<option value="" selected>Shared (household)</option>' in page
    assert owner_client.post(edit, _method_data(owner, name="Visa")).status_code == 302
    method.refresh_from_db()
    assert method.owner == owner


def test_an_expense_paid_with_a_shared_method_shows_its_name(owner_client, household, owner):
    cycle = CycleFactory(household=household)
    cash = PaymentMethodFactory(household=household, name="Kitchen cash", kind="cash", owner=None)
    ExpenseFactory(cycle=cycle, payment_method=cash, description="Bread")
    page = owner_client.get(reverse("cycles:detail", args=[cycle.pk])).text
    assert "Kitchen cash" in page
    search = owner_client.get(reverse("cycles:search"), {"payment_method": cash.pk}).text
    assert "1 expense found" in search and "Kitchen cash" in search
