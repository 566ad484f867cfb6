"""Reading bank statements: encoding, separators, dates, amounts, money in/out, formula cells and
duplicates — pure functions, on the real samples and on small inline cases."""

from __future__ import annotations

import codecs
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from expenses.imports import limits
from expenses.imports.csv_reader import (
    Mapping,
    Table,
    detect_delimiter,
    detect_mapping,
    read_entries,
    read_table,
)
from expenses.imports.decoding import decode_text as decode
from expenses.imports.limits import UnreadableFile
from expenses.imports.placement import OUTSIDE_EVERY_CYCLE, CycleSpan, place
from expenses.imports.rows import (
    DUPLICATE,
    DUPLICATE_REASON,
    IMPORT,
    INCOME,
    INCOME_REASON,
    INVALID,
    OUTSIDE,
    ImportRow,
    finish_entry,
    mark_duplicates,
    nothing_to_import_message,
    split_duplicates,
)
from expenses.imports.values import (
    amount_problem,
    detect_date_format,
    detect_decimal_comma,
    neutralise_formula,
    parse_amount,
    parse_date,
)


def decode_text(raw: bytes) -> str:
    return decode(raw).text


def read_rows(table: Table, mapping: Mapping, *, start: date, end: date) -> list[ImportRow]:
    """The rows as an import into one open cycle from `start` to `end` reads them."""
    rows = [
        finish_entry(entry, currency=mapping.currency) for entry in read_entries(table, mapping)
    ]
    return place(rows, [CycleSpan(1, "November", start, end, completed=False)])


DATA = Path(__file__).parent / "data"
NOVEMBER = {"start": date(2026, 11, 1), "end": date(2026, 12, 12)}


def sample_table(name: str) -> Table:
    return read_table(decode_text((DATA / name).read_bytes()))


def sample_rows(name: str, base_currency: str = "USD") -> list[ImportRow]:
    table = sample_table(name)
    return read_rows(table, detect_mapping(table, base_currency=base_currency), **NOVEMBER)


def rows_of(text: str, base_currency: str = "USD", **window) -> list[ImportRow]:
    table = read_table(text)
    mapping = detect_mapping(table, base_currency=base_currency)
    return read_rows(table, mapping, **(window or NOVEMBER))


# -- the US card sample --------------------------------------------------------------------------


def test_us_sample_is_comma_separated_with_a_header():
    table = sample_table("bank-us-card.csv")
    assert table.delimiter == ","
    assert table.has_header
    assert table.header[:3] == ("Transaction Date", "Post Date", "Description")
    assert len(table.rows) == 10


def test_us_sample_quoted_description_keeps_its_comma():
    descriptions = [row.description for row in sample_rows("bank-us-card.csv")]
    assert "SHELL OIL 57442, AUSTIN TX" in descriptions


def test_us_sample_mapping_reads_month_first_dates_and_negative_debits():
    table = sample_table("bank-us-card.csv")
    mapping = detect_mapping(table, base_currency="EUR")  # the dates decide, not the currency
    assert mapping.date_column == 0  # Transaction Date, not Post Date
    assert mapping.date_format == "mdy_slash"
    assert not mapping.ambiguous_dates  # 11/15/2026 has a second part above 12
    assert mapping.description_column == 2
    assert mapping.amount_column == 5
    assert mapping.decimal_comma is False
    assert mapping.direction_column is None
    assert mapping.negative_is_out is True
    assert mapping.currency == "EUR"  # nothing in the file says otherwise


def test_us_sample_payment_and_return_are_money_in():
    rows = sample_rows("bank-us-card.csv")
    income = [(row.description, row.amount) for row in rows if row.status == INCOME]
    assert income == [
        ("PAYMENT THANK YOU", Decimal("500.00")),
        ("AMAZON MKTPL*ZX81K2", Decimal("29.99")),
    ]
    assert all(row.problems == (INCOME_REASON,) for row in rows if row.status == INCOME)


def test_us_sample_expenses_are_positive_decimals_with_their_dates():
    rows = [row for row in sample_rows("bank-us-card.csv") if row.status == IMPORT]
    assert [(row.date, row.amount) for row in rows[:2]] == [
        (date(2026, 11, 2), Decimal("84.17")),
        (date(2026, 11, 3), Decimal("41.20")),
    ]
    assert all(isinstance(row.amount, Decimal) for row in rows)
    assert len(rows) == 8


def test_us_sample_identical_purchases_are_both_kept():
    rows = sample_rows("bank-us-card.csv")
    twins = [row for row in rows if row.date == date(2026, 11, 12)]
    assert len(twins) == 2
    assert {row.status for row in twins} == {IMPORT}
    assert twins[0].key == twins[1].key


def test_us_sample_formula_cell_is_text_with_an_apostrophe_and_flagged():
    row = sample_rows("bank-us-card.csv")[-1]
    assert row.status == IMPORT
    assert row.description.startswith("'=HYPERLINK(")
    assert row.amount == Decimal("1.00")
    assert any("formula" in note for note in row.notes)
    # The unquoted description held a comma: its pieces are put back together.
    assert any("separator" in note for note in row.notes)


# -- the Dutch sample ----------------------------------------------------------------------------


def test_nl_sample_is_semicolon_separated_with_crlf_line_ends():
    raw = (DATA / "bank-nl-semicolon.csv").read_bytes()
    assert b"\r\n" in raw
    table = sample_table("bank-nl-semicolon.csv")
    assert table.delimiter == ";"
    assert len(table.rows) == 6
    assert not any("\r" in cell for _, cells in table.rows for cell in cells)
    assert table.header[-1] == "Mededelingen"


def test_nl_sample_mapping_finds_compact_dates_decimal_comma_and_af_bij():
    table = sample_table("bank-nl-semicolon.csv")
    mapping = detect_mapping(table, base_currency="USD")
    assert mapping.date_format == "ymd_compact"
    assert mapping.decimal_comma is True
    assert table.header[mapping.direction_column] == "Af Bij"
    assert table.header[mapping.description_column] == "Naam / Omschrijving"
    assert table.header[mapping.amount_column] == "Bedrag (EUR)"
    assert mapping.currency == "EUR"  # from the amount column's header


def test_nl_sample_doubled_quotes_and_thousands():
    rows = sample_rows("bank-nl-semicolon.csv")
    by_description = {row.description: row for row in rows}
    assert by_description['Bakkerij "De Korenbloem"'].amount == Decimal("7.95")
    assert by_description["Ziggo"].amount == Decimal("1049.99")
    assert by_description["Ziggo"].date == date(2026, 11, 8)


def test_nl_sample_bij_is_money_in():
    rows = sample_rows("bank-nl-semicolon.csv")
    assert [row.description for row in rows if row.status == INCOME] == ["Werkgever BV"]
    assert [row.status for row in rows].count(IMPORT) == 5


# -- encoding and bad files ----------------------------------------------------------------------


def test_utf8_bom_is_dropped():
    text = decode_text(codecs.BOM_UTF8 + "Date,Description,Amount\n2026-11-02,Café,1\n".encode())
    assert text.startswith("Date")
    assert "Café" in text


def test_utf16_with_bom_is_read():
    text = "Date\tDescription\tAmount\n2026-11-02\tCafé\t-3.50\n"
    assert decode_text(text.encode("utf-16")) == text


def test_windows_1252_is_detected_and_read():
    raw = "Datum;Omschrijving;Bedrag\n20261102;Café Müller;3,50\n".encode("cp1252")
    decoded = decode(raw)
    assert "Café Müller" in decoded.text
    assert decoded.label == "Windows-1252"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", limits.EMPTY),
        (b"  \r\n\n", limits.EMPTY),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", limits.NOT_CSV),
        (b"date,amount\n2026-11-02,\x00\x001.00\n", limits.NOT_CSV),
        (b"PK\x03\x04\x14\x00\x06\x00", limits.WORKBOOK),
        (bytes(range(1, 32)) * 20, limits.NOT_CSV),
    ],
    ids=["empty", "blank", "png", "nul", "xlsx", "control-bytes"],
)
def test_unreadable_bytes(raw, message):
    with pytest.raises(UnreadableFile) as error:
        decode_text(raw)
    assert str(error.value) == message


def test_header_only_is_refused():
    with pytest.raises(UnreadableFile, match="header row but no transactions"):
        read_table("Date,Description,Amount\r\n")


def test_text_without_columns_is_not_csv():
    with pytest.raises(UnreadableFile, match="No columns found"):
        read_table("Dear customer\nyour statement is attached\n")


def test_too_many_rows_is_refused():
    text = "date,description,amount\n" + "2026-11-02,x,-1.00\n" * (limits.MAX_ROWS + 2)
    with pytest.raises(UnreadableFile, match="more than 5,000 transactions"):
        read_table(text)


def test_file_without_header_gets_numbered_columns():
    table = read_table("2026-11-02,Coffee,-3.50\n2026-11-03,Tea,-2.00\n")
    assert not table.has_header
    assert table.header == ("Column 1", "Column 2", "Column 3")
    assert len(table.rows) == 2


# -- separators ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1,50;2;3\n", ";"),
        ("a\tb\tc\n1,5\t2\t3\n", "\t"),
        ("a|b|c\n1|2|3\n", "|"),
        ('date;description;amount\n2026-11-02;"Shop, Inc; the best";-1,00\n', ";"),
        ("date,description,amount\r\n2026-11-02,Shop,-1.00\r\n", ","),
    ],
    ids=["comma", "semicolon-with-decimal-comma", "tab", "bar", "quoted", "crlf"],
)
def test_delimiter_detection(text, expected):
    assert detect_delimiter(text) == expected


def test_delimiter_falls_back_when_the_sniffer_cannot_decide():
    # One column of text per line plus the separator: Sniffer raises, the fallback still counts.
    text = "Datum;Bedrag\n20261102;12\n"
    assert detect_delimiter(text) == ";"


# -- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "key", "expected"),
    [
        ("2026-11-02", "ymd", date(2026, 11, 2)),
        ("20261102", "ymd_compact", date(2026, 11, 2)),
        ("2026/11/02", "ymd_slash", date(2026, 11, 2)),
        ("02/11/2026", "dmy_slash", date(2026, 11, 2)),
        ("11/02/2026", "mdy_slash", date(2026, 11, 2)),
        ("02-11-2026", "dmy_dash", date(2026, 11, 2)),
        ("02.11.2026", "dmy_dot", date(2026, 11, 2)),
        ("2026-11-02 17:21", "ymd", date(2026, 11, 2)),
        ("13/02/2026", "mdy_slash", None),
        ("2026-02-30", "ymd", None),
        ("2026110", "ymd_compact", None),
        ("soon", "ymd", None),
    ],
)
def test_parse_date(value, key, expected):
    assert parse_date(value, key) == expected


def test_a_first_part_above_12_means_day_first():
    guess = detect_date_format(["01/11/2026", "13/11/2026"], month_first=True)
    assert (guess.key, guess.ambiguous) == ("dmy_slash", False)


def test_a_second_part_above_12_means_month_first():
    guess = detect_date_format(["11/01/2026", "11/13/2026"], month_first=False)
    assert (guess.key, guess.ambiguous) == ("mdy_slash", False)


@pytest.mark.parametrize(("month_first", "key"), [(True, "mdy_slash"), (False, "dmy_slash")])
def test_ambiguous_slash_dates_follow_the_household(month_first, key):
    guess = detect_date_format(["01/11/2026", "03/11/2026"], month_first=month_first)
    assert (guess.key, guess.ambiguous) == (key, True)


def test_ambiguous_dates_guess_from_base_currency():
    text = "Date,Description,Amount\n03/11/2026,Coffee,-3.50\n04/11/2026,Tea,-2.00\n"
    usd = detect_mapping(read_table(text), base_currency="USD")
    eur = detect_mapping(read_table(text), base_currency="EUR")
    assert (usd.date_format, usd.ambiguous_dates) == ("mdy_slash", True)
    assert (eur.date_format, eur.ambiguous_dates) == ("dmy_slash", True)


def test_iso_dates_are_never_ambiguous():
    guess = detect_date_format(["2026-11-02", "2026-11-03"])
    assert (guess.key, guess.ambiguous) == ("ymd", False)


# -- amounts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimal_comma", "expected"),
    [
        ("-84.17", False, "-84.17"),
        ("500.00", False, "500.00"),
        ("1,234.56", False, "1234.56"),
        ("1,234,567.8", False, "1234567.8"),
        ("3.150,00", True, "3150.00"),
        ("23,45", True, "23.45"),
        ("1.049,99", True, "1049.99"),
        ("(12.50)", False, "-12.50"),
        ("12,50-", True, "-12.50"),
        ("+7.00", False, "7.00"),
        ("$1,000.00", False, "1000.00"),
        ("-$5.00", False, "-5.00"),
        ("€ 12,50", True, "12.50"),
        ("EUR 12,50", True, "12.50"),
        ("12.50 USD", False, "12.50"),
        ("1 234,56", True, "1234.56"),
        ("1\u00a0234,56", True, "1234.56"),
        ("\u22123.00", False, "-3.00"),
        ("1235", False, "1235"),
    ],
)
def test_parse_amount(value, decimal_comma, expected):
    amount = parse_amount(value, decimal_comma=decimal_comma)
    assert isinstance(amount, Decimal)
    assert amount == Decimal(expected)


@pytest.mark.parametrize(
    ("value", "decimal_comma"),
    [
        ("", False),
        ("abc", False),
        ("12.5.0", False),
        ("1,23,4", False),
        ("1,234.56", True),
        ("Sale", False),
        ("=1+1", False),
        ("NaN", False),
        ("1e5", False),
        ("XYZ12", False),
    ],
)
def test_parse_amount_refuses_what_is_not_an_amount(value, decimal_comma):
    with pytest.raises(ValueError, match="not an amount"):
        parse_amount(value, decimal_comma=decimal_comma)


def _format(amount: Decimal, *, decimal_comma: bool, thousands: bool) -> str:
    """Write a Decimal the way a bank would, from its digits (no float anywhere)."""
    sign, digits = ("-" if amount < 0 else ""), format(abs(amount), "f")
    whole, _, fraction = digits.partition(".")
    if thousands:
        groups = []
        while len(whole) > 3:
            whole, group = whole[:-3], whole[-3:]
            groups.insert(0, group)
        whole = (("." if decimal_comma else ",").join([whole, *groups])) if groups else whole
    point = "," if decimal_comma else "."
    return f"{sign}{whole}{point}{fraction}" if fraction else f"{sign}{whole}"


@given(
    amount=st.decimals(
        min_value=Decimal("-999999999.999"),
        max_value=Decimal("999999999.999"),
        places=3,
        allow_nan=False,
        allow_infinity=False,
    ),
    decimal_comma=st.booleans(),
    thousands=st.booleans(),
)
def test_amount_round_trip_in_both_styles(amount, decimal_comma, thousands):
    text = _format(amount, decimal_comma=decimal_comma, thousands=thousands)
    parsed = parse_amount(text, decimal_comma=decimal_comma)
    assert isinstance(parsed, Decimal)
    assert parsed == amount


def test_amount_parsing_never_uses_the_float_builtin(monkeypatch):
    import builtins

    real_float = builtins.float

    def refuse(*args):
        raise AssertionError("the float builtin was used for money")

    monkeypatch.setattr(builtins, "float", refuse)
    try:
        assert parse_amount("1.049,99", decimal_comma=True) == Decimal("1049.99")
        assert detect_decimal_comma(["1.049,99", "23,45"]) is True
    finally:
        monkeypatch.setattr(builtins, "float", real_float)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["23,45", "4,80", "3.150,00"], True),
        (["-84.17", "500.00", "1,234.56"], False),
        (["1.234,5"], True),
        (["1,234"], False),  # three digits after one separator decide nothing: point
        (["1.234.567"], True),
        (["1,234,567"], False),
        ([], False),
    ],
)
def test_decimal_comma_detection(values, expected):
    assert detect_decimal_comma(values) is expected


@pytest.mark.parametrize(
    ("amount", "currency", "problem"),
    [
        (Decimal("12.50"), "USD", None),
        (Decimal("12.500"), "USD", None),  # same value, 2 decimals
        (Decimal("12.505"), "USD", "USD amounts have at most 2 decimals."),
        (Decimal("1235"), "JPY", None),
        (Decimal("1235.5"), "JPY", "JPY amounts have no decimals."),
        (Decimal("0.376"), "BHD", None),
        (Decimal("0"), "USD", "The amount must be more than zero."),
        (Decimal("999999999999.00"), "USD", None),
        (Decimal("1000000000000.00"), "USD", "The largest amount is 999,999,999,999."),
    ],
)
def test_amount_problem(amount, currency, problem):
    assert amount_problem(amount, currency) == problem


# -- rows with problems --------------------------------------------------------------------------

HEADER = "Date,Description,Amount,Currency\n"


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("2026-11-31,Bad day,-1.00,USD", "Not a YYYY-MM-DD date."),
        (",No date,-1.00,USD", "No date."),
        ("2026-11-02,,-1.00,USD", "No description."),
        ("2026-11-02,Bad amount,abc,USD", "Not an amount."),
        ("2026-11-02,Zero,0.00,USD", "The amount must be more than zero."),
        ("2026-11-02,Huge,-1000000000000.00,USD", "The largest amount is 999,999,999,999."),
        ("2026-11-02,Fine cents,-1.005,USD", "USD amounts have at most 2 decimals."),
        ("2026-11-02,Odd money,-1.00,XYZ", "Colony does not know the currency “XYZ”."),
    ],
)
def test_row_errors(line, problem):
    good = "2026-11-03,Fine,-2.00,USD\n2026-11-04,Also fine,-3.00,EUR\n"
    rows = rows_of(HEADER + good + line + "\n")
    row = rows[-1]
    assert row.status == INVALID
    assert problem in row.problems


def test_a_row_outside_the_cycle_is_left_out_not_an_error():
    rows = rows_of(HEADER + "2026-11-03,Fine,-2.00,USD\n2026-10-31,Early,-1.00,USD\n")
    assert [row.status for row in rows] == [IMPORT, OUTSIDE]
    assert rows[1].problems == (OUTSIDE_EVERY_CYCLE,)
    assert (rows[0].cycle_id, rows[1].cycle_id) == (1, None)


def test_currency_column_is_found_and_used():
    rows = rows_of(HEADER + "2026-11-02,Ramen,-1200,JPY\n2026-11-03,Book,-12.00,EUR\n")
    assert [(row.amount, row.currency) for row in rows] == [
        (Decimal("1200"), "JPY"),
        (Decimal("12.00"), "EUR"),
    ]


def test_direction_column_with_debit_credit_words():
    text = (
        "Date;Description;Amount;D/C\n"
        "02.11.2026;Rent;1.200,00;Debit\n"
        "03.11.2026;Salary;3.000,00;Credit\n"
        "04.11.2026;Mystery;5,00;Maybe\n"
    )
    table = read_table(text)
    mapping = detect_mapping(table, base_currency="EUR")
    assert mapping.direction_column is None  # "Maybe" is not a direction word...
    mapping = Mapping(**{**mapping.__dict__, "direction_column": 3})  # ...so the user picks it
    rows = read_rows(table, mapping, **NOVEMBER)
    assert [row.status for row in rows] == [IMPORT, INCOME, INVALID]
    assert rows[0].amount == Decimal("1200.00")
    assert "The direction says neither money out nor money in." in rows[2].problems


def test_only_positive_amounts_are_all_money_out():
    rows = rows_of("date,description,amount\n2026-11-02,Coffee,3.50\n2026-11-03,Tea,2.00\n")
    assert [row.status for row in rows] == [IMPORT, IMPORT]


def test_mostly_positive_with_a_negative_payment_reads_positive_as_out():
    text = "date,description,amount\n2026-11-02,Coffee,3.50\n2026-11-03,Tea,2.00\n"
    rows = rows_of(text + "2026-11-04,Payment,-5.50\n")
    assert [row.status for row in rows] == [IMPORT, IMPORT, INCOME]


def test_long_description_is_shortened():
    rows = rows_of("date,description,amount\n2026-11-02," + "x" * 250 + ",-1.00\n")
    assert len(rows[0].description) == 200
    assert rows[0].status == IMPORT


def test_whitespace_inside_a_description_is_collapsed():
    rows = rows_of('date,description,amount\n2026-11-02,"  ALBERT   HEIJN  ",-1.00\n')
    assert rows[0].description == "ALBERT HEIJN"


# -- formula cells -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "flagged"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0", True),
        ("+1 phone plan", "'+1 phone plan", True),
        ("-discount", "'-discount", True),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)", True),
        ("-12.50", "-12.50", False),  # a number, not a formula
        ("'=already escaped", "'=already escaped", False),  # as Colony's export writes it
        ("Groceries", "Groceries", False),
    ],
)
def test_neutralise_formula(text, expected, flagged):
    assert neutralise_formula(text) == (expected, flagged)


def test_formula_row_in_a_file_is_imported_as_text():
    rows = rows_of("date,description,amount\n2026-11-02,\"=cmd|' /C calc'!A0\",-1.00\n")
    assert rows[0].status == IMPORT
    assert rows[0].description == "'=cmd|' /C calc'!A0"
    assert rows[0].notes


# -- duplicates ----------------------------------------------------------------------------------


def _row(description="Coffee", amount="3.50", on=date(2026, 11, 2), currency="USD"):
    return ImportRow(
        line=2,
        cells=(),
        status=IMPORT,
        date=on,
        description=description,
        amount=Decimal(amount),
        currency=currency,
    )


def _existing(*rows, n=1):
    return Counter({row.record_key: n for row in rows})


@pytest.mark.parametrize(
    ("in_cycle", "in_file", "new", "duplicates"),
    [(0, 2, 2, 0), (1, 2, 1, 1), (2, 2, 0, 2), (3, 2, 0, 2), (1, 1, 0, 1)],
)
def test_duplicates_are_counted(in_cycle, in_file, new, duplicates):
    rows = [_row() for _ in range(in_file)]
    existing = Counter({rows[0].record_key: in_cycle}) if in_cycle else Counter()
    fresh, repeated = split_duplicates(rows, existing)
    assert (len(fresh), len(repeated)) == (new, duplicates)


def test_duplicate_description_ignores_case_and_outer_spaces():
    existing = _existing(_row(description="  trader joe's #552 "))
    fresh, repeated = split_duplicates([_row(description="TRADER JOE'S #552")], existing)
    assert (fresh, len(repeated)) == ([], 1)


def test_duplicate_amount_compares_values_not_digits():
    existing = Counter({_row(amount="63.050").record_key: 1})
    assert split_duplicates([_row(amount="63.05")], existing)[0] == []


@pytest.mark.parametrize(
    "other",
    [
        {"amount": "3.51"},
        {"on": date(2026, 11, 3)},
        {"description": "Tea"},
        {"currency": "EUR"},
    ],
)
def test_a_different_date_amount_description_or_currency_is_not_a_duplicate(other):
    fresh, repeated = split_duplicates([_row(**other)], _existing(_row()))
    assert (len(fresh), repeated) == (1, [])


def test_mark_duplicates_leaves_income_and_invalid_rows_alone():
    income = ImportRow(line=3, cells=(), status=INCOME, problems=(INCOME_REASON,))
    rows = [_row(), _row(), income]
    marked = mark_duplicates(rows, _existing(_row()))
    assert [row.status for row in marked] == [DUPLICATE, IMPORT, INCOME]
    assert marked[0].problems == (DUPLICATE_REASON,)


# -- nothing to import ---------------------------------------------------------------------------


def test_every_row_invalid_explains_the_commonest_reason():
    text = "date,description,amount\n2026-01-02,Coffee,-3.50\n2026-01-03,Tea,-2.00\n"
    message = nothing_to_import_message(rows_of(text))
    assert message.startswith("None of the 2 rows can be imported.")
    assert "Outside every cycle" in message and "(2 rows)" in message


def test_every_row_money_in_says_so():
    table = read_table("date,description,amount,dc\n2026-11-02,Salary,100.00,Credit\n")
    rows = read_rows(table, detect_mapping(table, base_currency="USD"), **NOVEMBER)
    assert "money in" in nothing_to_import_message(rows)


def test_one_good_row_is_enough():
    assert nothing_to_import_message(sample_rows("bank-us-card.csv")) is None
