from colony.errors import Conflict, DomainError, NotFound, Unprocessable, domain_error_details


class PaymentMethodNameExists(Conflict):
    code = "PAYMENT_METHOD_NAME_EXISTS"
    message = "The household already has a payment method with this name."


class PaymentMethodInUse(Conflict):
    code = "PAYMENT_METHOD_IN_USE"
    message = (
        "This payment method is used by expenses or templates, so it cannot be deleted. "
        "Deactivate it instead: it stays on past expenses but is no longer offered."
    )


class PaymentMethodOwnerNotMember(Unprocessable):
    code = "PAYMENT_METHOD_OWNER_NOT_MEMBER"
    message = "A payment method must belong to a member of the household."
    field = "owner"


class CategoryNameExists(Conflict):
    code = "CATEGORY_NAME_EXISTS"
    message = "The household already has a category with this name."


# -- expenses in a cycle -------------------------------------------------------------------------


class ExpenseDateOutsideCycle(Unprocessable):
    code = "EXPENSE_DATE_OUTSIDE_CYCLE"
    message = "The date must fall within the cycle."
    field = "date"


class CategoryNotAvailable(Unprocessable):
    code = "CATEGORY_NOT_AVAILABLE"
    message = "Choose one of the household's categories."
    field = "category"


class PaymentMethodNotAvailable(Unprocessable):
    code = "PAYMENT_METHOD_NOT_AVAILABLE"
    message = "Choose one of the household's active payment methods."
    field = "payment_method"


class ExpenseNotFound(NotFound):
    code = "EXPENSE_NOT_FOUND"
    message = "This expense was deleted (by another member?). Reload the page to see the cycle."


class OneOffExpenseNotSkippable(Unprocessable):
    code = "EXPENSE_NOT_SKIPPABLE"
    message = "Only an expense from a template can be skipped. Delete a one-off expense instead."
    field = "status"


class ExpenseChanged(Conflict):
    """A write made from an older version of the expense than the stored one."""

    code = "EXPENSE_CHANGED"
    message = (
        "Someone else changed this expense while you had it open, so your change was not "
        "saved. This is the expense as it is now: make your change again if it still applies."
    )

    def __init__(self, *, expense_id: int, version: int):
        super().__init__()
        self.expense_id = expense_id
        self.version = version


class PaidExpenseNotSkippable(Conflict):
    code = "PAID_EXPENSE_NOT_SKIPPABLE"
    message = "This expense is paid. Mark it as planned before skipping it."


class ExpenseNotSkipped(Conflict):
    code = "EXPENSE_NOT_SKIPPED"
    message = "This expense is not skipped."


class ExpensePlanChanged(Conflict):
    code = "EXPENSE_PLAN_CHANGED"
    message = (
        "A planned expense this statement pays was paid, skipped or deleted meanwhile. "
        "Refresh the preview and confirm again."
    )


class ManualRateNotNeeded(Unprocessable):
    code = "MANUAL_RATE_NOT_NEEDED"
    message = "This expense is in the base currency: it needs no rate."
    field = "rate"


# -- importing a bank statement ------------------------------------------------------------------


class ImportNotFound(NotFound):
    code = "IMPORT_NOT_FOUND"
    message = "This import is no longer available (or was never yours). Upload the file again."


class ImportChoicesInvalid(Unprocessable):
    """The choices sent for an import (how to read the file, what to do with a row) are not
    ones its preview offers; `details.fields` names each."""

    code = "IMPORT_CHOICES_INVALID"
    message = "Some choices for this import are not valid."

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__()
        self.details = {"fields": fields}


class ImportFileTooLarge(DomainError):
    """An upload over the size an import reads (imports.limits.MAX_UPLOAD_BYTES), refused by
    its size before any of it is read: the API's 413 (the page says it next to the file)."""

    code = "PAYLOAD_TOO_LARGE"
    message = "This file is too large to import."
    status = 413


class ImportTooLarge(Unprocessable):
    code = "IMPORT_TOO_LARGE"
    message = "This file is too large to keep between the steps. Export a shorter period."


class PlannedExpensePaidTwice(Unprocessable):
    code = "PLANNED_EXPENSE_PAID_TWICE"
    message = "Two rows pay the same planned expense; choose one of them."


class ExpenseFoundTwice(Unprocessable):
    code = "EXPENSE_FOUND_TWICE"
    message = "Two rows are marked as the same expense already there; choose one of them."


class RecordedExpenseChanged(Conflict):
    code = "RECORDED_EXPENSE_CHANGED"
    message = (
        "An expense a row was found to be already was deleted, skipped or moved meanwhile. "
        "Refresh the preview and confirm again."
    )


class ImportRowNotAllowed(Unprocessable):
    code = "IMPORT_ROW_NOT_ALLOWED"
    message = "A row chosen for import breaks an expense rule; refresh the preview."


class UnsafeRulePattern(Unprocessable):
    code = "UNSAFE_RULE_PATTERN"
    message = "This pattern cannot be used."
    field = "pattern"


class InvalidRuleAmount(Unprocessable):
    """A rule's amount bound breaks the money rule, or the bounds are the wrong way round;
    `field` says which bound, so the form shows the message next to it."""

    code = "INVALID_RULE_AMOUNT"
    message = "Enter an amount like 12.50."

    def __init__(self, message: str | None = None, *, field: str = "min_amount"):
        super().__init__(message)
        self.field = field


class UnknownRuleCurrency(Unprocessable):
    code = "UNKNOWN_RULE_CURRENCY"
    message = "Choose one of the currencies Colony knows, or any currency."
    field = "currency"


class RuleDoesNothing(Unprocessable):
    code = "RULE_DOES_NOTHING"
    message = "Choose what the rule does: a category, a payment method, a description or ignore."


class InvalidIfMatch(Unprocessable):
    """An API write whose If-Match header is not an expense's ETag."""

    code = "INVALID_IF_MATCH"
    message = 'If-Match must be the ETag of the expense, e.g. "3".'


class PaymentDateOutsideCycle(Unprocessable):
    code = "PAYMENT_DATE_OUTSIDE_CYCLE"
    message = "The day it was paid must fall within the expense's cycle."
    field = "date"


class ExternalIdExists(Conflict):
    """A client's id (`external_id`) the household already gave another expense."""

    code = "EXTERNAL_ID_EXISTS"
    message = "The household already has an expense with this external_id."
    field = "external_id"

    def __init__(self, *, expense_id: int | None = None) -> None:
        super().__init__()
        self.details = {} if expense_id is None else {"expense_id": expense_id}


class ExpensesRejected(Unprocessable):
    """Expenses added together (all or none) of which some break a rule: each one's error by
    its position in the request. 409 when every error is a conflict, else 422."""

    code = "EXPENSES_REJECTED"
    message = "Some of the expenses cannot be added, so none was added. See details.items."

    def __init__(self, errors: dict[int, DomainError]) -> None:
        statuses = {error.status for error in errors.values()}
        super().__init__(status=409 if statuses == {409} else 422)
        self.details = {
            "items": {
                str(index): {
                    "code": error.code,
                    "message": error.message,
                    "status": error.status,
                    **domain_error_details(error),
                }
                for index, error in sorted(errors.items())
            }
        }
