from django.contrib.auth import get_user_model
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from accounts.signals import household_created
from exchange.signals import rates_refreshed

from . import services
from .setup import services as setup_services


@receiver(household_created)
def give_new_household_default_categories(sender, household, **kwargs):
    setup_services.seed_default_categories(household=household)


@receiver(rates_refreshed)
def fill_expenses_awaiting_a_rate(sender, results, report=None, **kwargs):
    # Idempotent: only expenses still without a base amount are filled; one that cannot be
    # (its converted amount would not fit) is reported and left awaiting.
    services.fill_awaiting_rates(report=report)


@receiver(pre_delete, sender=get_user_model())
def keep_the_name_of_a_deleted_member(sender, instance, **kwargs):
    # Runs inside the deletion's transaction, before created_by is set to null.
    services.remember_former_member(user=instance)
