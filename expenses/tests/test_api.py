"""The API's expenses side: payment methods, categories and expenses, through the same
services as the pages, with the same domain errors in the envelope."""

from __future__ import annotations

import pytest

from expenses.models import Category, PaymentMethod
from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = pytest.mark.django_db

PM_URL = "/api/v1/payment-methods"
CAT_URL = "/api/v1/categories"


def error_code(response, status: int) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    return body["error"]["code"]


# --- payment methods ----------------------------------------------------------------------------


def test_payment_methods_are_created_listed_read_changed_and_deleted(owner_api, owner, household):
    created = owner_api.post(
        PM_URL,
        {"name": " Joint  card ", "kind": "card", "owner_id": owner.pk, "last4": "4242"},
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["name"] == "Joint card" and body["label"] == "Joint card ··4242"
    pk = body["id"]
    listed = owner_api.get(PM_URL).json()
    assert [item["id"] for item in listed["items"]] == [pk] and listed["count"] == 1
    assert owner_api.get(f"{PM_URL}/{pk}").json()["owner_id"] == owner.pk
    changed = owner_api.patch(
        f"{PM_URL}/{pk}", {"name": "Cash box", "kind": "cash"}, content_type="application/json"
    )
    assert changed.json()["kind"] == "cash" and changed.json()["last4"] == "4242"
    off = owner_api.patch(f"{PM_URL}/{pk}", {"is_active": False}, content_type="application/json")
    assert off.json()["is_active"] is False
    assert owner_api.delete(f"{PM_URL}/{pk}").status_code == 204
    assert not PaymentMethod.objects.filter(pk=pk).exists()


def test_payment_method_name_taken_is_409(owner_api, household):
    PaymentMethodFactory(household=household, name="Visa")
    response = owner_api.post(PM_URL, {"name": "VISA"}, content_type="application/json")
    assert error_code(response, 409) == "PAYMENT_METHOD_NAME_EXISTS"


def test_payment_method_blank_name_is_422(owner_api):
    response = owner_api.post(PM_URL, {"name": "   "}, content_type="application/json")
    assert error_code(response, 422) == "NAME_REQUIRED"


def test_payment_method_owner_from_another_household_is_422(owner_api, stranger):
    response = owner_api.post(
        PM_URL, {"name": "Theirs", "owner_id": stranger.pk}, content_type="application/json"
    )
    assert error_code(response, 422) == "PAYMENT_METHOD_OWNER_NOT_MEMBER"
    assert not PaymentMethod.objects.filter(name="Theirs").exists()


def test_payment_method_in_use_cannot_be_deleted(owner_api, household):
    method = PaymentMethodFactory(household=household)
    category = CategoryFactory(household=household, name="Rent")
    ExpenseTemplateFactory(household=household, category=category, payment_method=method)
    response = owner_api.delete(f"{PM_URL}/{method.pk}")
    assert error_code(response, 409) == "PAYMENT_METHOD_IN_USE"


def test_payment_method_validation_errors_name_the_field(owner_api):
    response = owner_api.post(
        PM_URL, {"name": "x", "kind": "gold", "last4": "12"}, content_type="application/json"
    )
    assert error_code(response, 422) == "VALIDATION_ERROR"
    assert {"kind", "last4"} <= set(response.json()["error"]["details"]["fields"])


def test_payment_methods_list_is_paged_with_constant_queries(
    owner_api, household, django_assert_max_num_queries
):
    for n in range(30):
        PaymentMethodFactory(household=household, name=f"Card {n:02}")
    with django_assert_max_num_queries(6):
        small = owner_api.get(f"{PM_URL}?limit=2").json()
    with django_assert_max_num_queries(6):
        large = owner_api.get(f"{PM_URL}?limit=200").json()
    assert len(small["items"]) == 2 and len(large["items"]) == 30 == large["count"]
    page_two = owner_api.get(f"{PM_URL}?limit=10&offset=10").json()
    assert page_two["items"][0]["name"] == "Card 10"


def test_page_size_has_a_maximum(owner_api):
    response = owner_api.get(f"{PM_URL}?limit=201")
    assert error_code(response, 422) == "VALIDATION_ERROR"
    assert "limit" in response.json()["error"]["details"]["fields"]


# --- categories ---------------------------------------------------------------------------------


def test_categories_are_created_renamed_archived_and_restored(owner_api, household):
    created = owner_api.post(CAT_URL, {"name": "Pets"}, content_type="application/json")
    assert created.status_code == 201
    pk = created.json()["id"]
    renamed = owner_api.patch(
        f"{CAT_URL}/{pk}", {"name": "Animals"}, content_type="application/json"
    )
    assert renamed.json()["name"] == "Animals"
    archived = owner_api.patch(
        f"{CAT_URL}/{pk}", {"is_archived": True}, content_type="application/json"
    )
    assert archived.json()["is_archived"] is True
    assert Category.objects.get(pk=pk).is_archived
    listed = owner_api.get(CAT_URL).json()["items"]
    assert listed[-1]["name"] == "Animals"  # archived last


def test_category_name_taken_is_409(owner_api, household):
    response = owner_api.post(CAT_URL, {"name": "food"}, content_type="application/json")
    assert error_code(response, 409) == "CATEGORY_NAME_EXISTS"


def test_renaming_a_category_to_a_taken_name_is_409(owner_api, household):
    pets = CategoryFactory(household=household, name="Pets")
    response = owner_api.patch(
        f"{CAT_URL}/{pets.pk}", {"name": "FOOD"}, content_type="application/json"
    )
    assert error_code(response, 409) == "CATEGORY_NAME_EXISTS"


def test_members_use_the_api_like_owners(member_api, household):
    assert (
        member_api.post(CAT_URL, {"name": "Kids"}, content_type="application/json").status_code
        == 201
    )


def test_another_households_category_is_404(owner_api, other_household):
    theirs = ExpenseFactory(cycle__household=other_household).category
    response = owner_api.get(f"{CAT_URL}/{theirs.pk}")
    assert error_code(response, 404) == "NOT_FOUND"
