from django.urls import path

from .views import budgets, cycles, income, search
from .views import expenses as expense_views

# The cycle pages and the cycle page's expense actions; included at the site root because the
# expense actions' paths start with /expenses/.
app_name = "cycles"

urlpatterns = [
    path("cycles/", cycles.cycle_list, name="list"),
    path("cycles/new/", cycles.cycle_create, name="new"),
    path("cycles/search/", search.expense_search, name="search"),
    path("cycles/<int:pk>/", cycles.cycle_detail, name="detail"),
    path("cycles/<int:pk>/edit/", cycles.cycle_edit, name="edit"),
    path("cycles/<int:pk>/activate/", cycles.cycle_activate, name="activate"),
    path("cycles/<int:pk>/complete/", cycles.cycle_complete, name="complete"),
    path("cycles/<int:pk>/reopen/", cycles.cycle_reopen, name="reopen"),
    path("cycles/<int:pk>/delete/", cycles.cycle_delete, name="delete"),
    path("cycles/<int:pk>/generate/", cycles.cycle_generate, name="generate"),
    path("cycles/<int:pk>/budgets/", budgets.cycle_budgets, name="budgets"),
    path("cycles/<int:pk>/budgets/panel/", budgets.cycle_budgets_panel, name="budgets_panel"),
    path("cycles/<int:pk>/budgets/copy/", budgets.cycle_budgets_copy, name="budgets_copy"),
    path("cycles/<int:pk>/budgets/usual/", budgets.cycle_budgets_usual, name="budgets_usual"),
    path("cycles/<int:cycle_pk>/income/add/", income.income_add, name="income_add"),
    path("cycles/income/<int:income_pk>/edit/", income.income_edit, name="income_edit"),
    path("cycles/income/<int:income_pk>/receive/", income.income_receive, name="income_receive"),
    path("cycles/income/<int:income_pk>/delete/", income.income_delete, name="income_delete"),
    # The cycle page's expense actions: the add row, inline edit, paid toggle, skip, delete.
    path("cycles/<int:cycle_pk>/expenses/", expense_views.expense_add, name="expense_add"),
    path("expenses/<int:pk>/", expense_views.expense_row, name="expense_row"),
    path("expenses/<int:pk>/edit/", expense_views.expense_edit, name="expense_edit"),
    path(
        "expenses/<int:pk>/toggle-paid/",
        expense_views.expense_toggle_paid,
        name="expense_toggle_paid",
    ),
    path("expenses/<int:pk>/skip/", expense_views.expense_skip, name="expense_skip"),
    path("expenses/<int:pk>/restore/", expense_views.expense_restore, name="expense_restore"),
    path("expenses/<int:pk>/delete/", expense_views.expense_delete, name="expense_delete"),
]
