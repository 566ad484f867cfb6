"""Create (or reuse) the demo household for `make run` and print its login."""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import services
from accounts.models import User
from budget.demo import seed_demo_budget

DEMO_EMAIL = "demo@colony.local"
DEMO_PASSWORD = "colony-demo-2026"


class Command(BaseCommand):
    help = "Create the demo household with sample data (idempotent) and print its login."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where the server will listen (make run passes its HOST and PORT).",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        user = User.objects.filter(email=DEMO_EMAIL).first()
        created = user is None
        if created:
            user = services.register_user(
                email=DEMO_EMAIL,
                password=DEMO_PASSWORD,
                first_name="Demo",
                last_name="User",
                household_name="Demo household",
                base_currency="USD",
            )
        else:
            # Keep the printed password true even if someone changed it while playing.
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        household = user.membership.household
        seeded = seed_demo_budget(household=household, owner=user)
        verb = "Created" if created else "Reusing"
        sample = "with a sample budget" if seeded else "keeping its budget as it is"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} the demo household “{household.name}”, {sample}.")
        )
        base_url = options["base_url"].rstrip("/")
        self.stdout.write(f"  Log in at {base_url}/accounts/login/")
        self.stdout.write(f"  email:    {DEMO_EMAIL}")
        self.stdout.write(f"  password: {DEMO_PASSWORD}")
