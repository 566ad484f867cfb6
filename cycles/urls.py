from django.urls import path

from . import views

app_name = "cycles"

urlpatterns = [
    path("", views.cycle_list, name="list"),
    path("new/", views.cycle_create, name="new"),
    path("search/", views.expense_search, name="search"),
    path("<int:pk>/", views.cycle_detail, name="detail"),
    path("<int:pk>/edit/", views.cycle_edit, name="edit"),
    path("<int:pk>/activate/", views.cycle_activate, name="activate"),
    path("<int:pk>/complete/", views.cycle_complete, name="complete"),
    path("<int:pk>/reopen/", views.cycle_reopen, name="reopen"),
    path("<int:pk>/delete/", views.cycle_delete, name="delete"),
    path("<int:pk>/generate/", views.cycle_generate, name="generate"),
    path("<int:pk>/budgets/", views.cycle_budgets, name="budgets"),
    path("<int:pk>/budgets/panel/", views.cycle_budgets_panel, name="budgets_panel"),
    path("<int:pk>/budgets/copy/", views.cycle_budgets_copy, name="budgets_copy"),
    path("<int:pk>/budgets/usual/", views.cycle_budgets_usual, name="budgets_usual"),
    path("<int:cycle_pk>/income/add/", views.income_add, name="income_add"),
    path("income/<int:income_pk>/edit/", views.income_edit, name="income_edit"),
    path("income/<int:income_pk>/receive/", views.income_receive, name="income_receive"),
    path("income/<int:income_pk>/delete/", views.income_delete, name="income_delete"),
]
