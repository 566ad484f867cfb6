from django.urls import path

from . import views, views_import, views_setup

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
    # Expenses of a cycle: the add row, inline edit, paid toggle and delete on the cycle page.
    path("cycles/<int:cycle_pk>/expenses/", views.expense_add, name="expense_add"),
    path("expenses/<int:pk>/", views.expense_row, name="expense_row"),
    path("expenses/<int:pk>/edit/", views.expense_edit, name="expense_edit"),
    path("expenses/<int:pk>/toggle-paid/", views.expense_toggle_paid, name="expense_toggle_paid"),
    path("expenses/<int:pk>/skip/", views.expense_skip, name="expense_skip"),
    path("expenses/<int:pk>/restore/", views.expense_restore, name="expense_restore"),
    path("expenses/<int:pk>/delete/", views.expense_delete, name="expense_delete"),
    # Importing a bank statement into a cycle: upload, preview and mapping, confirm.
    path("cycles/<int:cycle_pk>/import/", views_import.import_upload, name="import_upload"),
    path(
        "cycles/<int:cycle_pk>/import/preview/",
        views_import.import_preview,
        name="import_preview",
    ),
    path(
        "cycles/<int:cycle_pk>/import/confirm/",
        views_import.import_confirm,
        name="import_confirm",
    ),
]
