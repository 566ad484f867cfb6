from colony.errors import Unprocessable


class InvalidTemplateAmount(Unprocessable):
    code = "INVALID_TEMPLATE_AMOUNT"
    message = "The amount must be more than 0 and at most 999,999.99, in the currency's units."


class UnknownCurrency(Unprocessable):
    code = "UNKNOWN_CURRENCY"
    message = "Colony does not know this currency."


class InvalidTemplateSchedule(Unprocessable):
    code = "INVALID_TEMPLATE_SCHEDULE"
    message = "These dates and frequency do not make a schedule."


class CategoryNotSelectable(Unprocessable):
    code = "CATEGORY_NOT_SELECTABLE"
    message = "Choose one of the household's categories that is not archived."


class PaymentMethodNotSelectable(Unprocessable):
    code = "PAYMENT_METHOD_NOT_SELECTABLE"
    message = "Choose one of the household's active payment methods."
