from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse

from exchange.money import amount_field

DEFAULT_CYCLE_DAYS = 42
MAX_CYCLE_DURATION_DAYS = 45


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
    income = amount_field(default=0, help_text="In the household's base currency.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

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
                condition=Q(
                    end_date__lte=F("start_date") + timedelta(days=MAX_CYCLE_DURATION_DAYS)
                ),
                name="cycles_cycle_max_duration",
            ),
            models.CheckConstraint(
                condition=Q(income__gte=0), name="cycles_cycle_income_not_negative"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="cycles_cycle_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cycles:detail", args=[self.pk])

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED

    @property
    def duration_days(self) -> int:
        return (self.end_date - self.start_date).days
