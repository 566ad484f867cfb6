from django.apps import AppConfig


class FormatsConfig(AppConfig):
    name = "formats"
    verbose_name = "Number and date formats"

    def ready(self):
        from colony import fragments

        from .locales import active_locale

        # A kept fragment (colony/fragments.py) prints numbers and dates in the active format.
        if active_locale not in fragments.KEY_PARTS:
            fragments.KEY_PARTS.append(active_locale)
