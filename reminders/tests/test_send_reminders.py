"""`manage.py send_reminders`: opted-in people get one email a day with what is due soon."""

import datetime
import smtplib
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse

from accounts.tests.factories import make_viewer
from budget.services.budgets import set_budgets
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory
from reminders.models import ReminderSent
from reminders.services import set_reminder_preference

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


def _run(*args) -> str:
    out = StringIO()
    call_command("send_reminders", "--date", TODAY.isoformat(), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def cycle(household):
    return CycleFactory(
        household=household,
        name="March",
        start_date=datetime.date(2026, 3, 1),
        end_date=datetime.date(2026, 4, 1),
        status=Cycle.Status.ACTIVE,
    )


@pytest.fixture
def rent(cycle):
    return ExpenseFactory(
        cycle=cycle,
        description="Rent",
        amount=Decimal("1200.00"),
        date=TODAY + datetime.timedelta(days=2),
        category=CategoryFactory(household=cycle.household, name="Home"),
    )


def test_opted_in_member_gets_expenses_due_in_their_window(owner, member, rent, cycle):
    set_reminder_preference(user=owner, enabled=True, days_ahead=3)
    ExpenseFactory(cycle=cycle, description="Later bill", date=TODAY + datetime.timedelta(days=9))
    ExpenseFactory(
        cycle=cycle,
        description="Already paid",
        date=TODAY + datetime.timedelta(days=1),
        status=Expense.Status.PAID,
        paid_on=TODAY,
    )

    output = _run()

    assert output.strip() == (
        "Reminders for 2026-03-10: 1 sent, 0 already sent today, 0 with nothing due, 0 failed."
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [owner.email]
    assert message.subject == "1 expense due soon · The Smiths"
    assert "Rent" in message.body
    assert "1,200.00" in message.body
    assert "Later bill" not in message.body
    assert "Already paid" not in message.body
    html = message.alternatives[0][0]
    assert "Rent" in html


def test_running_twice_in_one_day_sends_once(owner, rent):
    set_reminder_preference(user=owner, enabled=True, days_ahead=3)
    _run()
    second = _run()
    assert len(mail.outbox) == 1
    assert "0 sent, 1 already sent today" in second
    assert ReminderSent.objects.filter(user=owner, sent_on=TODAY).count() == 1


def test_next_day_sends_again(owner, rent):
    set_reminder_preference(user=owner, enabled=True, days_ahead=3)
    _run()
    call_command("send_reminders", "--date", "2026-03-11", "--quiet")
    assert len(mail.outbox) == 2


def test_people_who_did_not_opt_in_or_opted_out_get_nothing(owner, member, rent):
    set_reminder_preference(user=member, enabled=True, days_ahead=3)
    set_reminder_preference(user=member, enabled=False, days_ahead=3)
    output = _run()
    assert mail.outbox == []
    assert "0 sent" in output


def test_nothing_due_sends_nothing(owner, cycle):
    set_reminder_preference(user=owner, enabled=True, days_ahead=3)
    output = _run()
    assert mail.outbox == []
    assert "1 with nothing due" in output
    assert not ReminderSent.objects.exists()


def test_cycle_ending_soon_is_reminded(owner, household):
    CycleFactory(
        household=household,
        name="Feb–Mar",
        start_date=datetime.date(2026, 2, 1),
        end_date=TODAY + datetime.timedelta(days=1),
        status=Cycle.Status.ACTIVE,
    )
    set_reminder_preference(user=owner, enabled=True, days_ahead=2)
    _run()
    message = mail.outbox[0]
    assert message.subject == "A cycle ends soon · The Smiths"
    assert "Feb–Mar ends" in message.body


def test_categories_over_budget_in_the_running_cycle_are_reminded(owner, household, cycle):
    groceries = CategoryFactory(household=household, name="Groceries")
    fun = CategoryFactory(household=household, name="Fun")
    set_budgets(cycle=cycle, amounts={groceries.pk: Decimal("300.00"), fun.pk: Decimal("50.00")})
    # Paid before today, so nothing is "due": the budget alone is worth an email.
    ExpenseFactory(
        cycle=cycle,
        category=groceries,
        amount=Decimal("340.50"),
        date=datetime.date(2026, 3, 2),
        status=Expense.Status.PAID,
        paid_on=datetime.date(2026, 3, 2),
    )
    ExpenseFactory(
        cycle=cycle, category=fun, amount=Decimal("20.00"), date=datetime.date(2026, 3, 3)
    )
    set_reminder_preference(user=owner, enabled=True, days_ahead=3)

    output = _run()

    assert "1 sent" in output
    message = mail.outbox[0]
    assert message.subject == "1 category over budget · The Smiths"
    assert "Over budget in March:" in message.body
    assert "- Groceries: 340.50 USD paid and planned of 300.00 USD, 40.50 USD over" in message.body
    assert "Fun" not in message.body  # 20 of 50: within its budget
    assert "Groceries" in message.alternatives[0][0]


def test_a_completed_cycles_overspending_is_not_reminded(owner, household, cycle):
    groceries = CategoryFactory(household=household, name="Groceries")
    set_budgets(cycle=cycle, amounts={groceries.pk: Decimal("10.00")})
    ExpenseFactory(cycle=cycle, category=groceries, amount=Decimal("99.00"), date=cycle.start_date)
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.COMPLETED)
    set_reminder_preference(user=owner, enabled=True, days_ahead=3)

    assert "1 with nothing due" in _run()
    assert mail.outbox == []


def test_dates_and_amounts_are_in_the_households_format(owner, household, rent):
    household.format_locale = "de_DE"
    household.save(update_fields=["format_locale"])
    set_reminder_preference(user=owner, enabled=True, days_ahead=3)

    _run()

    body = mail.outbox[0].body
    assert "12. März" in body  # the rent's date, as the household's pages show it
    assert "1.200,00" in body


def test_viewer_may_opt_in_too(household, owner, rent):
    viewer = make_viewer(household)
    set_reminder_preference(user=viewer, enabled=True, days_ahead=5)
    _run()
    assert [m.to for m in mail.outbox] == [[viewer.email]]


def test_another_households_expenses_are_never_in_the_email(owner, stranger, rent):
    set_reminder_preference(user=stranger, enabled=True, days_ahead=5)
    _run()
    assert mail.outbox == []


def test_quiet_prints_nothing(owner, rent):
    set_reminder_preference(user=owner, enabled=True, days_ahead=3)
    assert _run("--quiet") == ""
    assert len(mail.outbox) == 1


def test_failed_delivery_exits_1_and_is_retried_next_run(owner, rent, monkeypatch):
    set_reminder_preference(user=owner, enabled=True, days_ahead=3)

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
        with pytest.raises(CommandError) as failed:
            _run()
    assert failed.value.returncode == 1
    assert "1 failed" in str(failed.value)
    assert not ReminderSent.objects.exists()

    _run()
    assert len(mail.outbox) == 1


@override_settings(EMAIL_ENABLED=False)
def test_without_email_exits_2():
    with pytest.raises(CommandError) as refused:
        _run()
    assert refused.value.returncode == 2


def test_bad_date_exits_2():
    with pytest.raises(CommandError) as refused:
        call_command("send_reminders", "--date", "yesterday")
    assert refused.value.returncode == 2


def test_query_count_does_not_grow_with_people(
    owner, household, rent, django_assert_max_num_queries
):
    for _ in range(5):
        set_reminder_preference(user=make_viewer(household), enabled=True, days_ahead=3)
    # 1 people + 5 digest (due, ending, running cycles, their budget: categories with budgets,
    # trigger totals) + per person: savepoint, insert, release.
    with django_assert_max_num_queries(6 + 3 * 5):
        _run()
    assert len(mail.outbox) == 5


# The opt-in on the account page.


def test_account_page_shows_the_reminder_opt_in(owner_client):
    body = owner_client.get(reverse("accounts:household")).content.decode()
    assert 'id="reminders"' in body
    assert 'name="enabled"' in body


def test_opting_in_from_the_account_page(owner_client, owner, htmx_headers):
    response = owner_client.post(
        reverse("reminders:preferences"), {"enabled": "on", "days_ahead": "5"}, **htmx_headers
    )
    assert response.status_code == 200
    assert "Reminders are on." in response.content.decode()
    owner.reminder_preference.refresh_from_db()
    assert owner.reminder_preference.enabled
    assert owner.reminder_preference.days_ahead == 5


def test_opting_out_without_htmx_redirects(owner_client, owner):
    set_reminder_preference(user=owner, enabled=True, days_ahead=3)
    response = owner_client.post(reverse("reminders:preferences"), {"days_ahead": "3"})
    assert response.status_code == 302
    owner.reminder_preference.refresh_from_db()
    assert not owner.reminder_preference.enabled


@pytest.mark.parametrize("days", ["0", "32", "x", ""])
def test_bad_days_ahead_is_a_field_error(owner_client, owner, htmx_headers, days):
    response = owner_client.post(
        reverse("reminders:preferences"), {"enabled": "on", "days_ahead": days}, **htmx_headers
    )
    assert response.status_code == 422
    assert not hasattr(owner, "reminder_preference") or not owner.reminder_preference.enabled


def test_subject_is_plain_text_not_html_escaped(owner, household, rent):
    household.name = "Smith & Jones <home>"
    household.save()
    set_reminder_preference(user=owner, enabled=True, days_ahead=3)
    _run()
    (message,) = mail.outbox
    assert message.subject == "1 expense due soon · Smith & Jones <home>"
