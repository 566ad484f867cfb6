"""How much one import may hold, and what the household is told when a file is refused.

The caps are checked before any heavy work: the upload's size before it is read, the text's
length and line count before it is split into cells, each line's cell count while it is split.
"""

from __future__ import annotations

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5_000
MAX_COLUMNS = 100
# The text read from an upload, in whichever encoding (UTF-16 halves the bytes' count).
MAX_TEXT_CHARS = MAX_UPLOAD_BYTES
MAX_DESCRIPTION = 200


class UnreadableFile(ValueError):
    """A file that cannot be imported at all; the message tells the user what to do."""


NOT_A_STATEMENT = (
    "This is not a bank statement Colony can read. Export it from your bank as CSV, OFX/QFX, "
    "QIF or CAMT.053 and upload that."
)
NOT_CSV = NOT_A_STATEMENT
WORKBOOK = (
    "This is a spreadsheet workbook, not a CSV file. Open it and save it as “CSV UTF-8”, "
    "then upload that."
)
NOT_TEXT = (
    "The letters of this file could not be read in any common encoding. Open it in your "
    "spreadsheet and save it as “CSV UTF-8”, then upload it again."
)
EMPTY = "This file is empty."
HEADER_ONLY = "This file has a header row but no transactions."
NO_COLUMNS = (
    "No columns found: a CSV file has one transaction per line with its values separated by "
    "commas, semicolons or tabs."
)
TOO_LARGE = "This file is larger than 10 MB. Export a shorter period and upload that."
TOO_LONG = (
    f"This file holds more than {MAX_ROWS:,} transactions, the most one import takes. "
    "Export only this cycle's dates and upload that."
)
TOO_WIDE = (
    f"This file has more than {MAX_COLUMNS} columns, more than any bank statement. "
    "Check that it is the statement and export it again."
)
UNSAFE_XML = (
    "This XML file declares entities or a document type, which a bank statement never does; "
    "it was not read."
)
BROKEN_XML = "This XML file is damaged (it does not parse), so it was not read."
