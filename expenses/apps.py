from django.apps import AppConfig


class ExpensesConfig(AppConfig):
    name = "expenses"
    verbose_name = "Expenses, categories and payment methods"

    def ready(self):
        from . import signals  # noqa: F401
