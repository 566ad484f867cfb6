from colony.errors import Unprocessable


class InvalidTemplateSchedule(Unprocessable):
    code = "INVALID_TEMPLATE_SCHEDULE"
    message = "These dates and frequency do not make a schedule."


class CategoryNotSelectable(Unprocessable):
    code = "CATEGORY_NOT_SELECTABLE"
    message = "Choose one of the household's categories that is not archived."


class PaymentMethodNotSelectable(Unprocessable):
    code = "PAYMENT_METHOD_NOT_SELECTABLE"
    message = "Choose one of the household's active payment methods."
