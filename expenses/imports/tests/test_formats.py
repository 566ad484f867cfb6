"""Statement formats told apart by their content, read from realistic sample files: OFX 1.x
(SGML), OFX 2.x/QFX (XML), QIF, CAMT.053 — and hostile XML refused cleanly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from expenses.imports import limits
from expenses.imports.decoding import decode_text
from expenses.imports.formats import CAMT, CSV, OFX, QIF, detect_format, normalise_qif_date
from expenses.imports.pipeline import Choices, read_rows, read_statement
from expenses.imports.rows import IMPORT, INCOME, PENDING, TRANSFER

DATA = Path(__file__).parent / "data"


def statement(name: str):
    return read_statement(decode_text((DATA / name).read_bytes()).text)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("checking-v1.ofx", OFX),
        ("card-v2.qfx", OFX),
        ("checking.qif", QIF),
        ("camt053.xml", CAMT),
        ("bank-us-card.csv", CSV),
        ("giro-de-cp1252.csv", CSV),
    ],
)
def test_format_is_told_by_content(name, kind):
    text = decode_text((DATA / name).read_bytes()).text
    assert detect_format(text) == kind


def test_ofx_v1_sgml_reads_every_transaction_with_its_fitid():
    read = statement("checking-v1.ofx")
    entries = read.parsed.entries
    assert read.parsed.currency == "USD"
    assert [e.bank_id for e in entries] == [
        "20261102-0001",
        "20261105-0002",
        "20261106-0003",
        "20261110-0004",
        "20261130-0005",
    ]
    first = entries[0]
    assert (first.date, first.amount, first.money_in) == (
        date(2026, 11, 2),
        Decimal("84.17"),
        False,
    )
    assert first.description == "TRADER JOE'S #552 POS PURCHASE"
    assert entries[2].money_in  # the payroll credit


def test_ofx_v2_xml_reads_card_transactions_and_unescapes_text():
    read = statement("card-v2.qfx")
    rows = read_rows(read, Choices(currency=read.parsed.currency))
    assert [r.status for r in rows] == [IMPORT, IMPORT, IMPORT, INCOME]
    assert rows[0].description == "SHELL OIL 57442 AUSTIN TX"
    assert rows[2].description == "BEN & JERRY'S"
    assert rows[1].amount == Decimal("15.49") and rows[1].currency == "USD"


def test_qif_reads_quicken_dates_and_thousands():
    read = statement("checking.qif")
    assert read.needs_date_format
    rows = read_rows(read, Choices(date_format="mdy_slash", currency="USD"))
    assert [r.date for r in rows] == [
        date(2026, 11, 2),
        date(2026, 11, 5),
        date(2026, 11, 6),
        date(2026, 11, 10),
        date(2026, 11, 12),
    ]
    assert rows[2].status == INCOME
    assert rows[3].amount == Decimal("1450.00")
    assert rows[1].description == "City of Austin Utilities Electric bill"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("11/ 2'26", "11/02/2026"), ("1/5/26", "01/05/2026"), ("11/06/2026", "11/06/2026")],
)
def test_qif_dates_are_normalised(raw, expected):
    assert normalise_qif_date(raw) == expected


def test_camt053_entries_with_reversal_pending_and_own_transfer():
    read = statement("camt053.xml")
    assert read.parsed.currency == "EUR"
    rows = read_rows(read, Choices(currency="EUR"))
    by_line = {row.line: row for row in rows}
    assert by_line[1].description == "Stadtwerke München GmbH Abschlag Strom November"
    assert (by_line[1].amount, by_line[1].currency) == (Decimal("88.00"), "EUR")
    assert by_line[1].bank_id == "2026110300123"
    assert by_line[2].status == IMPORT
    # The gym payment and its reversal: the payment is flagged, the reversal is money in.
    assert by_line[3].status == PENDING and "Reversed" in by_line[3].problems[0]
    assert by_line[4].status == INCOME
    assert by_line[5].status == INCOME  # salary
    assert by_line[6].status == PENDING  # PDNG
    assert by_line[7].status == TRANSFER  # "Umbuchung" to the household's savings


def test_camt_end_to_end_id_is_used_when_there_is_no_account_servicer_reference():
    text = (
        (DATA / "camt053.xml").read_text().replace("<AcctSvcrRef>2026110300123</AcctSvcrRef>", "")
    )
    entries = read_statement(text).parsed.entries
    assert entries[0].bank_id == "STROM-2026-11"


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><AddtlNtryInf>&lol9;</AddtlNtryInf></Ntry>
</Stmt></BkToCstmrStmt></Document>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><AddtlNtryInf>&xxe;</AddtlNtryInf></Ntry>
</Stmt></BkToCstmrStmt></Document>"""

OFX_EXTERNAL_ENTITY = """<?xml version="1.0"?>
<?OFX OFXHEADER="200" VERSION="220"?>
<!DOCTYPE OFX [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><BANKTRANLIST><STMTTRN><TRNAMT>-1.00</TRNAMT>
<NAME>&xxe;</NAME></STMTTRN></BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>"""


@pytest.mark.parametrize(
    "text", [BILLION_LAUGHS, EXTERNAL_ENTITY, OFX_EXTERNAL_ENTITY], ids=["laughs", "xxe", "ofx-xxe"]
)
def test_hostile_xml_is_refused_before_any_entity_is_expanded(text):
    with pytest.raises(limits.UnreadableFile) as error:
        read_statement(text)
    assert str(error.value) == limits.UNSAFE_XML


def test_damaged_camt_is_refused_cleanly():
    with pytest.raises(limits.UnreadableFile) as error:
        read_statement("<?xml version='1.0'?><Document><BkToCstmrStmt><Stmt><Ntry>")
    assert str(error.value) == limits.BROKEN_XML


def test_xml_that_is_no_statement_is_refused():
    with pytest.raises(limits.UnreadableFile):
        read_statement("<html><body>hello</body></html>")


def test_a_qif_of_more_than_5000_transactions_is_refused():
    text = "!Type:Bank\n" + "D11/02/2026\nT-1.00\nPShop\n^\n" * (limits.MAX_ROWS + 1)
    with pytest.raises(limits.UnreadableFile, match="more than 5,000"):
        read_statement(text)
