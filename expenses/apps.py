from django.apps import AppConfig


class ExpensesConfig(AppConfig):
    name = "expenses"
    verbose_name = "Expenses, categories and payment methods"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import signals  # noqa: F401
        from .totals import ensure_sqlite_triggers

        def keep_sqlite_triggers(sender, using="default", **kwargs):
            ensure_sqlite_triggers(using=using)

        # After the expenses app's migrations (the last to touch its table in a run).
        post_migrate.connect(keep_sqlite_triggers, sender=self, weak=False)
