"""`make run` uses SQLite, where Django rebuilds a table for most migrations and the rebuild
drops the table's triggers: the trigger totals then stopped following the expenses (the demo's
cycle showed 0.00 planned). After every migrate the triggers are put back and the totals
recounted; this runs the real migrations on a throw-away SQLite database to prove it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

# The test database is not used; the mark lets conftest's fixtures run as everywhere else.
pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
from decimal import Decimal
from accounts.models import Household, Membership
from budget.demo import seed_demo_budget
from expenses.setup.services import seed_default_categories
from expenses.totals import find_drift
from django.contrib.auth import get_user_model
from django.db import connection

user = get_user_model().objects.create_user(email="sqlite@example.com", password="x" * 16)
household = Household.objects.create(name="SQLite", base_currency="USD")
Membership.objects.create(user=user, household=household, role=Membership.Role.OWNER)
seed_default_categories(household=household)
seed_demo_budget(household=household, owner=user)
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")
    print("triggers", cursor.fetchone()[0])
print("drift", len(find_drift()))
from expenses.totals import ensure_sqlite_triggers

print("repaired again", ensure_sqlite_triggers())
"""


def test_sqlite_keeps_its_total_triggers_through_every_migration(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "colony.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    shell = subprocess.run(
        [*manage, "shell", "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "triggers 3" in shell.stdout, shell.stdout + shell.stderr
    assert "drift 0" in shell.stdout
    assert shell.returncode == 0, shell.stderr
    assert "repaired again False" in shell.stdout
