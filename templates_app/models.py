from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from exchange.money import MAX_AMOUNT, MIN_AMOUNT, amount_field


class ExpenseTemplate(models.Model):
    """A recurring expense (rent, a subscription…) that cycles generate expenses from."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        BIWEEKLY = "biweekly", "Every 2 weeks"
        MONTHLY = "monthly", "Monthly on day N"
        PER_CYCLE = "per_cycle", "Once per cycle"
        YEARLY = "yearly", "Yearly on the start date"

    household = models.ForeignKey(
        "accounts.Household", on_delete=models.CASCADE, related_name="expense_templates"
    )
    name = models.CharField(max_length=200)
    amount = amount_field(validators=[MinValueValidator(MIN_AMOUNT), MaxValueValidator(MAX_AMOUNT)])
    currency = models.CharField(max_length=3)
    # Income (a salary): the template makes an income line in each cycle instead of an expense.
    is_income = models.BooleanField(
        "income", default=False, help_text="It brings money in (a salary) instead of spending it."
    )
    # Every expense template has a category; an income template has none.
    category = models.ForeignKey(
        "expenses.Category",
        on_delete=models.RESTRICT,
        related_name="templates",
        null=True,
        blank=True,
    )
    payment_method = models.ForeignKey(
        "expenses.PaymentMethod",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="templates",
    )
    # Who pays each generated expense (sharing); empty: the payment method's owner, else
    # whoever generates the cycle (expenses.services.default_payer).
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who pays it; empty: the payment method's owner.",
    )
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    day_of_month = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text="For monthly templates; 31 means the last day of shorter months.",
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["household", "is_active"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=MAX_AMOUNT),
                name="templates_app_template_amount_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(name=""), name="templates_app_template_name_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="templates_app_template_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(is_income=True) | Q(category__isnull=False),
                name="templates_app_template_expense_has_category",
            ),
            models.CheckConstraint(
                condition=~Q(frequency="monthly") | Q(day_of_month__gte=1, day_of_month__lte=31),
                name="templates_app_template_monthly_has_day",
            ),
        ]

    def __str__(self) -> str:
        return self.name
