from colony.errors import Unprocessable


class InvalidTemplateSchedule(Unprocessable):
    code = "INVALID_TEMPLATE_SCHEDULE"
    message = "These dates and frequency do not make a schedule."
