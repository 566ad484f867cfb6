from django.urls import path

from . import views_setup

app_name = "expenses"

urlpatterns = [
    # Household set-up: payment methods and categories.
    path("payment-methods/", views_setup.payment_method_list, name="payment_method_list"),
    path("payment-methods/new/", views_setup.payment_method_create, name="payment_method_create"),
    path(
        "payment-methods/<int:pk>/edit/",
        views_setup.payment_method_edit,
        name="payment_method_edit",
    ),
    path(
        "payment-methods/<int:pk>/toggle/",
        views_setup.payment_method_toggle,
        name="payment_method_toggle",
    ),
    path(
        "payment-methods/<int:pk>/delete/",
        views_setup.payment_method_delete,
        name="payment_method_delete",
    ),
    path("categories/", views_setup.category_list, name="category_list"),
    path("categories/new/", views_setup.category_create, name="category_create"),
    path("categories/<int:pk>/edit/", views_setup.category_edit, name="category_edit"),
    path("categories/<int:pk>/toggle/", views_setup.category_toggle, name="category_toggle"),
]
