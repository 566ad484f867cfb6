from django.urls import path

from .imports import views as import_views
from .setup import views as views_setup

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
    # Importing a bank statement into a cycle: upload, preview and mapping, confirm.
    path("cycles/<int:cycle_pk>/import/", import_views.import_upload, name="import_upload"),
    path(
        "cycles/<int:cycle_pk>/import/preview/",
        import_views.import_preview,
        name="import_preview",
    ),
    path(
        "cycles/<int:cycle_pk>/import/confirm/",
        import_views.import_confirm,
        name="import_confirm",
    ),
    path(
        "cycles/<int:cycle_pk>/import/cancel/",
        import_views.import_cancel,
        name="import_cancel",
    ),
    path(
        "cycles/<int:cycle_pk>/import/rule-from-row/",
        import_views.import_rule_from_row,
        name="import_rule_from_row",
    ),
    # The household's import rules.
    path("import-rules/", import_views.rule_list, name="import_rule_list"),
    path("import-rules/new/", import_views.rule_create, name="import_rule_create"),
    path("import-rules/<int:pk>/edit/", import_views.rule_edit, name="import_rule_edit"),
    path("import-rules/<int:pk>/delete/", import_views.rule_delete, name="import_rule_delete"),
]
