"""Domain errors of cycles; `field` names the form field a message belongs next to, if any."""

from colony.errors import Conflict, NotFound, Unprocessable
from exchange.money import MAX_AMOUNT


class CycleNotFound(NotFound):
    code = "CYCLE_NOT_FOUND"
    message = "This cycle does not exist (any more)."


class InvalidCycleDates(Unprocessable):
    code = "INVALID_CYCLE_DATES"
    message = "The end date must be after the start date."
    field = "end_date"


class CycleDateOutOfRange(Unprocessable):
    code = "CYCLE_DATE_OUT_OF_RANGE"
    message = "Choose a date Colony can plan with."
    field = "start_date"

    def __init__(self, message: str | None = None, *, field: str | None = None, **kwargs):
        super().__init__(message, **kwargs)
        if field is not None:
            self.field = field


class CycleTooLong(Unprocessable):
    code = "MAX_CYCLE_DURATION_DAYS"
    message = "A cycle lasts at most 45 days, its first and last day included."
    field = "end_date"


class CycleNameExists(Conflict):
    code = "CYCLE_NAME_EXISTS"
    message = "The household already has a cycle with this name."
    field = "name"


class CycleOverlap(Conflict):
    code = "CYCLE_OVERLAP"
    message = "These dates overlap another cycle of the household."
    field = None


class CycleAlreadyCompleted(Conflict):
    code = "CYCLE_ALREADY_COMPLETED"
    message = "This cycle is completed: it and its expenses can no longer be changed."
    field = None


class ActiveCycleExists(Conflict):
    code = "ACTIVE_CYCLE_EXISTS"
    message = "Another cycle is active. Complete it before activating this one."


class InvalidStatusTransition(Conflict):
    code = "INVALID_STATUS_TRANSITION"
    message = "A cycle goes from draft to active to completed, in that order."


class CycleNotDeletable(Conflict):
    code = "CYCLE_NOT_DELETABLE"
    message = "Only a draft cycle can be deleted."


class ExpensesOutsideCycle(Unprocessable):
    code = "EXPENSES_OUTSIDE_CYCLE"
    message = "Some expenses of this cycle fall outside the new dates. Move them first."
    field = None


# -- budgets ---------------------------------------------------------------------------------------


class BudgetCategoryNotAvailable(Unprocessable):
    code = "BUDGET_CATEGORY_NOT_AVAILABLE"
    message = "Choose one of the household's categories; an archived one keeps its past budgets."
    field = "category"


class BudgetsChanged(Conflict):
    """Someone saved the budgets after the writer read them: nothing was written, and
    `current` holds what is saved now (category id → (amount or None, rolls over))."""

    code = "BUDGETS_CHANGED"
    message = (
        "Someone else saved these budgets while you were editing them. Nothing of yours was "
        "saved: the form now shows the saved values; check them and save again."
    )

    def __init__(self, current: dict | None = None, **kwargs):
        super().__init__(**kwargs)
        self.current = current or {}


class NoPreviousBudgets(Conflict):
    code = "NO_PREVIOUS_BUDGETS"
    message = "No earlier cycle has budgets to copy."


# -- income --------------------------------------------------------------------------------------


class IncomeTooLarge(Unprocessable):
    code = "INCOME_TOO_LARGE"
    message = f"A cycle's income adds up to at most {MAX_AMOUNT:,}."
    field = "amount"


class IncomeDateOutsideCycle(Unprocessable):
    code = "INCOME_DATE_OUTSIDE_CYCLE"
    message = "The expected date must fall within the cycle."
    field = "expected_date"


class IncomeMemberNotInHousehold(Unprocessable):
    code = "INCOME_MEMBER_NOT_IN_HOUSEHOLD"
    message = "Choose a member of the household."
    field = "member"


class IncomeDescriptionRequired(Unprocessable):
    code = "INCOME_DESCRIPTION_REQUIRED"
    message = "Describe the income."
    field = "description"


class NoNextCycle(Conflict):
    code = "NO_NEXT_CYCLE"
    message = (
        "There is no open cycle after this one to move the unpaid expenses to. Create it first."
    )


class UnknownUnpaidChoice(Unprocessable):
    code = "UNKNOWN_UNPAID_CHOICE"
    message = "Choose what happens to the unpaid expenses: keep, skip or move them."
    field = "unpaid"


class OnlyOwnerMayReopen(Conflict):
    code = "ONLY_OWNER_MAY_REOPEN"
    message = "Only an owner of the household can reopen a cycle."
    status = 403


class NotLastCompletedCycle(Conflict):
    code = "NOT_LAST_COMPLETED_CYCLE"
    message = "Only the household's last completed cycle can be reopened."


class IncomeIsLines(Unprocessable):
    code = "INCOME_IS_LINES"
    message = "A cycle's income is the sum of its income lines: add, change or remove those."
    field = "income"
