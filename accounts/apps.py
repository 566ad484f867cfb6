from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and households"

    def ready(self):
        from . import signals, two_factor  # noqa: F401
