from django.dispatch import receiver

from accounts.signals import household_created

from . import services


@receiver(household_created)
def give_new_household_default_categories(sender, household, **kwargs):
    services.seed_default_categories(household=household)
