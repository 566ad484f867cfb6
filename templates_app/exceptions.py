from colony.errors import Unprocessable


class InvalidTemplateSchedule(Unprocessable):
    code = "INVALID_TEMPLATE_SCHEDULE"
    message = "These dates and frequency do not make a schedule."
    field = "frequency"

    def __init__(self, message: str | None = None, *, field: str | None = None):
        super().__init__(message)
        if field:
            self.field = field
