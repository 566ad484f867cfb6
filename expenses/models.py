from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from exchange.models import RateSnapshot, RateSource
from exchange.money import (
    MAX_AMOUNT,
    MIN_AMOUNT,
    amount_field,
    precise_total_field,
    total_field,
)
from formats.currencies import format_amount


class Category(models.Model):
    DEFAULT_NAMES = ["Housing", "Food", "Transport", "Utilities", "Health", "Fun", "Other"]

    household = models.ForeignKey(
        "accounts.Household", on_delete=models.CASCADE, related_name="categories"
    )
    name = models.CharField(max_length=60)
    is_archived = models.BooleanField(default=False)
    # What was left (or overspent) of this category's budget in a completed cycle carries into
    # the next cycle's available amount.
    rolls_over = models.BooleanField(
        "roll over",
        default=False,
        help_text="Carry what is left (or overspent) into the next cycle.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(
                "household", Lower("name"), name="expenses_category_name_unique_per_household"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="expenses_category_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name


# What a payment method without an owner is called wherever its owner would be named.
SHARED_LABEL = "Shared (household)"


class PaymentMethod(models.Model):
    class Kind(models.TextChoices):
        CARD = "card", "Card"
        CASH = "cash", "Cash"
        BANK_ACCOUNT = "bank_account", "Bank account"
        OTHER = "other", "Other"

    household = models.ForeignKey(
        "accounts.Household", on_delete=models.CASCADE, related_name="payment_methods"
    )
    name = models.CharField(max_length=60)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CARD)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="payment_methods",
        help_text="The member whose card or account this is.",
    )
    last4 = models.CharField(
        "last 4 digits",
        max_length=4,
        blank=True,
        validators=[RegexValidator(r"^\d{4}$", "Enter exactly four digits.")],
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_active", "name"]
        constraints = [
            models.UniqueConstraint(
                "household", Lower("name"), name="expenses_paymentmethod_name_unique_per_household"
            ),
            models.CheckConstraint(
                condition=~Q(name=""), name="expenses_paymentmethod_name_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ··{self.last4}" if self.last4 else self.name

    @property
    def is_shared(self) -> bool:
        """No owner: the household's own (a joint account, shared cash)."""
        return self.owner_id is None

    @property
    def owner_label(self) -> str:
        """Whose it is, as a page says it: the member's name, or that the household shares it."""
        return SHARED_LABEL if self.owner is None else self.owner.display_name


class Expense(RateSnapshot):
    """Money spent (or to be spent) in a cycle, with the rate snapshot that converted it into
    the household's base currency when it was saved."""

    HOUSEHOLD_FIELD = "cycle__household"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        PAID = "paid", "Paid"
        # An occurrence the household will not pay this time: kept (so regeneration does not
        # bring it back) but left out of every total.
        SKIPPED = "skipped", "Skipped"

    RateSource = RateSource

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="expenses")
    description = models.CharField(max_length=200)
    # What counts in every total: the actual amount once paid, the planned one until then.
    amount = amount_field(validators=[MinValueValidator(MIN_AMOUNT), MaxValueValidator(MAX_AMOUNT)])
    # The plan, kept when the bill comes in at another amount (the template's amount for a
    # generated expense, the amount entered for a manual one). Null only on rows from before.
    planned_amount = amount_field(
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_AMOUNT), MaxValueValidator(MAX_AMOUNT)],
    )
    currency = models.CharField(max_length=3)
    date = models.DateField()
    # RESTRICT, not PROTECT: deleting a whole household still cascades through its expenses.
    category = models.ForeignKey(Category, on_delete=models.RESTRICT, related_name="expenses")
    payment_method = models.ForeignKey(
        PaymentMethod,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="expenses",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    paid_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    template = models.ForeignKey(
        "templates_app.ExpenseTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expenses",
    )
    # The template occurrence this expense was generated for; with the template, it keeps
    # regeneration from creating the same occurrence twice.
    occurrence_date = models.DateField(null=True, blank=True)

    # The rate snapshot (base_amount, rate, rate_date, rate_source) comes from RateSnapshot.

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Who paid it (sharing: balances between members). Null only on rows from before, which
    # count in no balance; a new expense defaults to the payment method's owner, else whoever
    # adds it (expenses.services.default_payer).
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Who added it, written when their account is deleted (created_by then becomes null), so
    # the row still says "Added by Max (former member)" rather than "—".
    former_member_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic concurrency: every change by a person adds one. A write made from an older
    # version (a stale form, row, or API If-Match) is refused with ExpenseChanged (409).
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["cycle", "date"]),
            models.Index(fields=["cycle", "status"]),
            models.Index(fields=["template", "occurrence_date"]),
            # The API's list across cycles, sorted by date: a page is read in index order
            # instead of sorting every expense of the household's history.
            models.Index(fields=["date", "id"], name="expenses_expense_date_id"),
            # The cycle table's snapshot (its highest id) without reading the cycle's rows.
            models.Index(fields=["cycle", "id"], name="expenses_expense_cycle_id_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=MAX_AMOUNT),
                name="expenses_expense_amount_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(description=""), name="expenses_expense_description_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "skipped"]) | Q(paid_on__isnull=False),
                name="expenses_expense_paid_has_date",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "paid", "skipped"]),
                name="expenses_expense_status_known",
            ),
            models.CheckConstraint(
                condition=Q(planned_amount__isnull=True)
                | (Q(planned_amount__gt=0) & Q(planned_amount__lte=MAX_AMOUNT)),
                name="expenses_expense_planned_amount_in_range",
            ),
            models.CheckConstraint(
                condition=Q(base_amount__isnull=True, rate__isnull=True)
                | Q(base_amount__isnull=False, rate__isnull=False),
                name="expenses_expense_rate_snapshot_complete",
            ),
            models.UniqueConstraint(
                fields=["cycle", "template", "occurrence_date"],
                condition=Q(template__isnull=False),
                name="expenses_expense_one_per_template_occurrence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} {self.amount} {self.currency}"

    @property
    def is_paid(self) -> bool:
        return self.status == self.Status.PAID

    @property
    def is_skipped(self) -> bool:
        return self.status == self.Status.SKIPPED

    @property
    def is_planned(self) -> bool:
        return self.status == self.Status.PLANNED

    @property
    def can_skip(self) -> bool:
        """Only a planned occurrence of a template is skipped ("not this time"); a one-off
        expense that will not happen is deleted instead."""
        return self.is_planned and self.template_id is not None

    @property
    def has_manual_rate(self) -> bool:
        return self.rate_source == self.RateSource.MANUAL

    @property
    def added_by_name(self) -> str:
        """Who added it: a member's first name (or email), or a deleted account's kept name."""
        if self.created_by_id is not None:
            return self.created_by.first_name or self.created_by.email
        if self.former_member_name:
            return f"{self.former_member_name} (former member)"
        return ""

    @property
    def amount_for_input(self) -> str:
        """The amount as a form shows it: the active locale's marks, the currency's decimals."""
        return format_amount(self.amount, self.currency) or ""

    @property
    def differs_from_plan(self) -> bool:
        """Paid at another amount than planned."""
        return self.planned_amount is not None and self.amount != self.planned_amount


# The longest id a client may give an expense (an API `external_id`).
MAX_EXTERNAL_ID = 100


class ExpenseExternalId(models.Model):
    """A client's own id for an expense (the API's `external_id`), unique in the household so
    a client that sends the same expense twice hears 409 instead of adding it twice. Its own
    table: an expense reaches its household only through its cycle, and a unique constraint
    cannot look through a join."""

    household = models.ForeignKey("accounts.Household", on_delete=models.CASCADE, related_name="+")
    expense = models.OneToOneField(Expense, on_delete=models.CASCADE, related_name="external_ref")
    external_id = models.CharField(max_length=MAX_EXTERNAL_ID)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["household", "external_id"],
                name="expenses_external_id_unique_per_household",
            ),
            models.CheckConstraint(
                condition=~Q(external_id=""), name="expenses_external_id_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return self.external_id


# Expenses that count in totals: everything but skipped occurrences. COUNTED_VIA_CYCLE is the
# same condition seen from a cycle (`cycle.expenses`).
COUNTED = ~Q(status=Expense.Status.SKIPPED)
COUNTED_VIA_CYCLE = ~Q(expenses__status=Expense.Status.SKIPPED)


class ExpenseTotal(models.Model):
    """Sums of a cycle's expenses that share a category, payment method, status and origin
    (from a template or not), kept by database triggers on the expense table in the same
    transaction as every write, whoever makes it (services, import, admin, bulk updates).

    Pages that show many cycles (the cycles list, reports, usage counts) read these few rows
    instead of aggregating every expense of the household's history. `check_expense_totals`
    recomputes them from the expenses and reports (or repairs) any drift.
    """

    # No on-delete work in Django: the triggers delete a row when its last expense goes, so a
    # cycle's or household's deletion cascades through its expenses and leaves none behind.
    cycle = models.ForeignKey(
        "cycles.Cycle", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    category = models.ForeignKey(
        Category, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    payment_method = models.ForeignKey(
        PaymentMethod,
        on_delete=models.DO_NOTHING,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    status = models.CharField(max_length=10, choices=Expense.Status.choices)
    from_template = models.BooleanField()
    expense_count = models.IntegerField()
    # Expenses still awaiting a rate: counted here, never in base_total.
    awaiting_count = models.IntegerField()
    base_total = total_field()
    # What the expenses were planned at, in the base currency at their own rates (unrounded:
    # amount times rate), for the paid-against-plan figure; awaiting expenses add nothing.
    planned_base_total = precise_total_field()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "category", "payment_method", "status", "from_template"],
                name="expenses_expensetotal_one_row_per_group",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"cycle {self.cycle_id} category {self.category_id}: {self.expense_count}"


# The import pipeline's models live with it (expenses/imports/models.py); importing them here
# registers them with the expenses app.
from .imports.models import (  # noqa: E402, F401
    ImportedTransaction,
    ImportProfile,
    ImportRule,
    PendingImport,
)
