from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse

from exchange.models import RateSnapshot, RateSource
from exchange.money import MAX_AMOUNT, amount_field
from formats.currencies import format_amount

# A cycle's length counts its first and its last day: Jan 1 to Feb 11 is 42 days.
DEFAULT_CYCLE_DAYS = 42
MAX_CYCLE_DAYS = 45


def cycle_end(start: date, days: int = DEFAULT_CYCLE_DAYS) -> date:
    """The last day of a cycle of `days` days (both ends counted) starting on `start`."""
    return start + timedelta(days=days - 1)


class Cycle(models.Model):
    """A pay period: the household's budget from one pay day to the next."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"

    household = models.ForeignKey(
        "accounts.Household", on_delete=models.CASCADE, related_name="cycles"
    )
    name = models.CharField(max_length=100)
    start_date = models.DateField()
    end_date = models.DateField()
    # The sums of the cycle's income lines in the base currency (lines awaiting a rate left
    # out), kept by the income services in the same transaction as the line they change, so
    # totals, lists and reports read them without another query.
    income = amount_field(default=0, help_text="Expected income, in the household's base currency.")
    income_received = amount_field(
        default=0, help_text="Income received so far, in the household's base currency."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The latest reopening (every one is in CycleEvent); shown on the cycle page.
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-start_date"]
        indexes = [models.Index(fields=["household", "-start_date"])]
        constraints = [
            models.UniqueConstraint(
                "household", Lower("name"), name="cycles_cycle_name_unique_per_household"
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status="active"),
                name="cycles_cycle_one_active_per_household",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")), name="cycles_cycle_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(end_date__lte=F("start_date") + timedelta(days=MAX_CYCLE_DAYS - 1)),
                name="cycles_cycle_max_duration",
            ),
            models.CheckConstraint(
                condition=Q(income__gte=0), name="cycles_cycle_income_not_negative"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="cycles_cycle_name_not_blank"),
            models.CheckConstraint(
                condition=Q(income_received__gte=0),
                name="cycles_cycle_income_received_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cycles:detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED

    @property
    def is_open(self) -> bool:
        """Not completed: it and its expenses still take changes."""
        return not self.is_completed

    @property
    def days(self) -> int:
        """How many days the cycle has, its first and last day included."""
        return (self.end_date - self.start_date).days + 1


class CategoryBudget(models.Model):
    """How much of a cycle's income the household gives to one category, in its base currency.
    A category without a row has no budget in that cycle (zero is a budget)."""

    HOUSEHOLD_FIELD = "cycle__household"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="budgets")
    # RESTRICT: an archived category keeps its budgets; deleting the household still cascades.
    category = models.ForeignKey(
        "expenses.Category", on_delete=models.RESTRICT, related_name="budgets"
    )
    amount = amount_field(validators=[MinValueValidator(0)])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "category"], name="cycles_categorybudget_one_per_category"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="cycles_categorybudget_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category_id} in {self.cycle_id}: {self.amount}"


class IncomeLine(RateSnapshot):
    """Money coming into a cycle (a salary, a side job, a refund), expected on a date and then
    received, with the rate snapshot that converts it into the household's base currency."""

    HOUSEHOLD_FIELD = "cycle__household"
    RateSource = RateSource

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="income_lines")
    description = models.CharField(max_length=200)
    amount = amount_field(
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(MAX_AMOUNT)]
    )
    currency = models.CharField(max_length=3)
    expected_date = models.DateField()
    is_received = models.BooleanField("received", default=False)
    received_on = models.DateField(null=True, blank=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Whose income this is.",
    )
    # The income template this line was generated from, for one line per occurrence.
    template = models.ForeignKey(
        "templates_app.ExpenseTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="income_lines",
    )
    occurrence_date = models.DateField(null=True, blank=True)
    # The rate snapshot (base_amount, rate, rate_date, rate_source) comes from RateSnapshot.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["expected_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=MAX_AMOUNT),
                name="cycles_incomeline_amount_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(description=""), name="cycles_incomeline_description_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(is_received=False) | Q(received_on__isnull=False),
                name="cycles_incomeline_received_has_date",
            ),
            models.CheckConstraint(
                condition=Q(base_amount__isnull=True, rate__isnull=True)
                | Q(base_amount__isnull=False, rate__isnull=False),
                name="cycles_incomeline_rate_snapshot_complete",
            ),
            models.UniqueConstraint(
                fields=["cycle", "template", "occurrence_date"],
                condition=Q(template__isnull=False),
                name="cycles_incomeline_one_per_template_occurrence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} {self.amount} {self.currency}"

    @property
    def amount_for_input(self) -> str:
        """The amount as a form shows it: the active locale's marks, the currency's decimals."""
        return format_amount(self.amount, self.currency) or ""


class CycleEvent(models.Model):
    """Who moved a cycle to which status, and when (a reopened cycle says who reopened it)."""

    HOUSEHOLD_FIELD = "cycle__household"

    class Action(models.TextChoices):
        ACTIVATED = "activated", "Started"
        COMPLETED = "completed", "Completed"
        REOPENED = "reopened", "Reopened"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["cycle", "-at"])]

    def __str__(self) -> str:
        return f"{self.cycle_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
