"""What an import remembers: the household's rules, the column mapping of each bank (payment
method), and which bank transactions became which expense (so a file is never imported twice).
Registered through expenses.models."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from exchange.money import amount_field

from . import rules


class ImportRule(models.Model):
    """When a bank row's description matches, set its category, payment method or description,
    or leave the row out."""

    HOUSEHOLD_FIELD = "household"

    class Match(models.TextChoices):
        CONTAINS = rules.CONTAINS, "contains"
        EQUALS = rules.EQUALS, "is exactly"
        REGEX = rules.REGEX, "matches the regular expression"

    household = models.ForeignKey(
        "accounts.Household", on_delete=models.CASCADE, related_name="import_rules"
    )
    match = models.CharField(max_length=10, choices=Match.choices, default=Match.CONTAINS)
    pattern = models.CharField(max_length=rules.MAX_PATTERN)
    # Bounds of the bank row's amount, under the money rule (exchange.money) like any amount.
    min_amount = amount_field(null=True, blank=True)
    max_amount = amount_field(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    category = models.ForeignKey(
        "expenses.Category", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    payment_method = models.ForeignKey(
        "expenses.PaymentMethod",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    description = models.CharField(max_length=200, blank=True)
    ignore = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(pattern=""),
                name="expenses_importrule_pattern",
                violation_error_message="Give the text to look for.",
            ),
            models.CheckConstraint(
                condition=Q(ignore=True)
                | Q(category__isnull=False)
                | Q(payment_method__isnull=False)
                | ~Q(description=""),
                name="expenses_importrule_does_something",
                violation_error_message=(
                    "Choose what the rule does: a category, a payment method, a new "
                    "description, or leave the row out."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_match_display()} “{self.pattern}”"


class ImportProfile(models.Model):
    """The last column mapping used for a payment method's statements (columns by header)."""

    HOUSEHOLD_FIELD = "household"

    household = models.ForeignKey(
        "accounts.Household", on_delete=models.CASCADE, related_name="import_profiles"
    )
    payment_method = models.OneToOneField(
        "expenses.PaymentMethod", on_delete=models.CASCADE, related_name="import_profile"
    )
    settings = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Import mapping of {self.payment_method}"


class ImportedTransaction(models.Model):
    """One bank transaction an import turned into (or paid with) an expense: its bank id, or
    its date, amount, currency and description, hashed (see rows.record_key)."""

    household = models.ForeignKey("accounts.Household", on_delete=models.CASCADE, related_name="+")
    expense = models.ForeignKey(
        "expenses.Expense", on_delete=models.CASCADE, related_name="import_records"
    )
    key = models.CharField(max_length=64)
    by_bank_id = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["household", "key"])]

    def __str__(self) -> str:
        return self.key


class PendingImport(models.Model):
    """An uploaded statement waiting for its preview and confirmation: the text, compressed,
    with the household, person and cycle it was uploaded for. Removed once confirmed or
    cancelled, and once expired (on the next upload, and by `cleanup_pending_imports`)."""

    HOUSEHOLD_FIELD = "household"

    household = models.ForeignKey("accounts.Household", on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    # Random, in the preview's address: the rows themselves never travel through the browser.
    token = models.CharField(max_length=32, unique=True)
    filename = models.CharField(max_length=100)
    encoding = models.CharField(max_length=20)
    payment_method = models.ForeignKey(
        "expenses.PaymentMethod", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The uploaded bytes, zlib-compressed: read again in `encoding` (detected at the upload, or
    # the one the household chooses in the preview).
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.filename} (waiting until {self.expires_at:%Y-%m-%d %H:%M})"
