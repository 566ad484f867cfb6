"""Domain errors of the reports."""

from __future__ import annotations

from colony.errors import Unprocessable


class InvalidExportRange(Unprocessable):
    code = "INVALID_EXPORT_RANGE"
    message = "Choose a start and an end date (YYYY-MM-DD), the end on or after the start."
