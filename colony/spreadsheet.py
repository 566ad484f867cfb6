"""Text that goes into (or comes from) a spreadsheet cell: a leading =, +, -, @, tab or carriage
return makes a spreadsheet run the cell as a formula, so such text is defused with a leading
apostrophe. Shared by the CSV export and the bank import, which sit in different apps."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: str | None) -> str:
    """Free text, defused so a spreadsheet shows it instead of running it as a formula."""
    value = value or ""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value
