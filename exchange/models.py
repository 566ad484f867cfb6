from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from formats.currencies import is_known_currency

from .money import amount_field, rate_snapshot_field


class RateSource(models.TextChoices):
    """Where a converted amount's rate came from (kept with every expense and income line)."""

    SAME_CURRENCY = "same", "Same currency"
    STORED = "stored", "Stored rate"
    MANUAL = "manual", "Entered by hand"


class RateSnapshot(models.Model):
    """An amount's value in the household's base currency and the rate that converted it, kept
    with the row when it is saved (expenses, income lines). A null base amount and rate mean
    "awaiting a rate" — never a silent 1.0."""

    base_amount = amount_field(null=True, blank=True)
    rate = rate_snapshot_field(null=True, blank=True)
    rate_date = models.DateField(null=True, blank=True)
    rate_source = models.CharField(max_length=10, choices=RateSource.choices, blank=True)

    RATE_SNAPSHOT_FIELDS = ("base_amount", "rate", "rate_date", "rate_source")

    class Meta:
        abstract = True

    @property
    def awaits_rate(self) -> bool:
        return self.base_amount is None


class ExchangeRate(models.Model):
    """How many units of `quote_currency` one unit of `base_currency` bought on `rate_date`.

    History is kept: one row per pair and provider date, never overwritten by a later fetch
    (fixes go through the admin).
    """

    base_currency = models.CharField(max_length=3, help_text="ISO 4217 code, e.g. USD")
    quote_currency = models.CharField(max_length=3, help_text="ISO 4217 code, e.g. EUR")
    rate = models.DecimalField(
        max_digits=20, decimal_places=10, help_text="Units of quote currency per one base unit"
    )
    rate_date = models.DateField(help_text="The date the provider says the rate is for")
    fetched_at = models.DateTimeField(default=timezone.now)
    provider = models.CharField(max_length=100)

    class Meta:
        ordering = ["base_currency", "quote_currency", "-rate_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["base_currency", "quote_currency", "rate_date"],
                name="exchange_rate_unique_pair_date",
            ),
            models.CheckConstraint(
                condition=Q(rate__gt=0),
                name="exchange_rate_positive",
                violation_error_message="The rate must be greater than zero.",
            ),
            models.CheckConstraint(
                condition=~Q(base_currency=F("quote_currency")),
                name="exchange_rate_distinct_currencies",
                violation_error_message="The quote currency must differ from the base currency.",
            ),
        ]
        indexes = [
            models.Index(
                fields=["base_currency", "quote_currency", "-rate_date"],
                name="exchange_rate_lookup",
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.base_currency} = {self.rate} {self.quote_currency} on {self.rate_date}"

    def clean(self) -> None:
        errors = {}
        for field in ("base_currency", "quote_currency"):
            value = (getattr(self, field) or "").upper()
            setattr(self, field, value)
            if not is_known_currency(value):
                errors[field] = f"Colony does not know the currency “{value}”."
        if not errors and self.base_currency == self.quote_currency:
            errors["quote_currency"] = "The quote currency must differ from the base currency."
        if errors:
            raise ValidationError(errors)
