from django.apps import AppConfig


class BudgetConfig(AppConfig):
    """A household's plan for each cycle: the cycle pages and dashboard, creating and completing
    cycles, generating them from templates, budgets, income and search. The models stay in
    `cycles` (the core every app may use); this app sits above expenses and templates."""

    name = "budget"

    def ready(self):
        from . import signals  # noqa: F401
