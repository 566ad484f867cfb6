"""Which kind of statement a file is, told from its content (never its name), and the readers
for the formats that carry their own structure: OFX/QFX (1.x SGML and 2.x XML), QIF and ISO 20022
CAMT.053. CSV, which needs a column mapping, is read by `csv_reader`.

Every reader gives `Entry`s (see rows.py) and the file's own currency when it states one. Bank
transaction ids (OFX FITID, CAMT AcctSvcrRef or EndToEndId) are kept for de-duplication.

XML is parsed safely: a document type or entity declaration is refused before any parser sees
the text (a bank statement never has one), and CAMT goes through defusedxml with DTDs forbidden,
so neither "billion laughs" expansion nor an external entity can be triggered.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
from ofxtools.Parser import ParseError as OFXParseError
from ofxtools.Parser import TreeBuilder as OFXTreeBuilder

from .limits import (
    BROKEN_XML,
    EMPTY,
    MAX_ROWS,
    NOT_A_STATEMENT,
    TOO_LONG,
    UNSAFE_XML,
    UnreadableFile,
)
from .rows import Entry
from .values import DATE_FORMATS, parse_amount, parse_date

CSV, OFX, QIF, CAMT = "csv", "ofx", "qif", "camt053"
FORMAT_LABELS = {CSV: "CSV", OFX: "OFX/QFX", QIF: "QIF", CAMT: "CAMT.053 (ISO 20022)"}

_DOCTYPE = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_OFX_START = re.compile(r"^\s*(OFXHEADER\s*:|<\?xml[^>]*>\s*<\?OFX|<OFX>)", re.IGNORECASE)
_QIF_START = re.compile(r"^\s*!(Type|Account|Option)", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedStatement:
    """A statement read by one of the structured readers."""

    format: str
    entries: list[Entry]
    currency: str = ""  # the file's own currency, when it states one
    # QIF dates are written either way round: the entries carry raw dates for a format.
    needs_date_format: bool = False
    notes: tuple[str, ...] = field(default=())


def detect_format(text: str) -> str:
    """CSV, OFX, QIF or CAMT.053, from the first characters of the text."""
    head = text[:2048].lstrip("\ufeff \r\n\t")
    if _OFX_START.match(head) or re.search(r"<\?OFX\b", head[:512], re.IGNORECASE):
        return OFX
    if head.startswith("<"):
        if "camt.053" in head or "BkToCstmrStmt" in text[:8192]:
            return CAMT
        raise UnreadableFile(NOT_A_STATEMENT)
    if _QIF_START.match(head):
        return QIF
    return CSV


def _refuse_declarations(text: str) -> None:
    if _DOCTYPE.search(text):
        raise UnreadableFile(UNSAFE_XML)


def _count_check(count: int) -> None:
    if count > MAX_ROWS:
        raise UnreadableFile(TOO_LONG)


# -- OFX / QFX -----------------------------------------------------------------------------------

_OFX_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})")
# An OFX tag as ofxtools reads it, in any case: some banks write "<stmttrn>" (issue 24 #9).
_OFX_TAG = re.compile(r"<(/?)([A-Za-z0-9./_ ]+?)>")


def _upper_case_tags(markup: str) -> str:
    """The markup with every tag in upper case, as the OFX specification writes them and
    ofxtools expects them; values are left alone (a "<" in a value is escaped)."""
    return _OFX_TAG.sub(lambda match: f"<{match[1]}{match[2].upper()}>", markup)


def _ofx_date(value: str | None) -> date | None:
    match = _OFX_DATE.match(value or "")
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _text(element, tag: str) -> str:
    found = element.find(tag)
    return html.unescape((found.text or "").strip()) if found is not None else ""


def read_ofx(text: str) -> ParsedStatement:
    """An OFX 1.x (SGML) or 2.x (XML) statement, bank or card: its STMTTRN transactions."""
    _refuse_declarations(text)
    start = text.upper().find("<OFX>")
    if start < 0:
        raise UnreadableFile(NOT_A_STATEMENT)
    builder = OFXTreeBuilder()
    try:
        builder.feed(_upper_case_tags(text[start:]))
        root = builder.close()
    except (OFXParseError, IndexError, AssertionError, ValueError) as error:
        raise UnreadableFile(BROKEN_XML.replace("XML", "OFX")) from error
    if root is None:  # pragma: no cover — "<OFX>" is always an element once upper-cased
        raise UnreadableFile(BROKEN_XML.replace("XML", "OFX"))
    transactions = root.findall(".//STMTTRN")
    _count_check(len(transactions))
    currency = ""
    for statement in root.iter():
        if statement.tag in ("STMTRS", "CCSTMTRS"):
            currency = _text(statement, "CURDEF").upper()
            break
    entries = []
    for position, transaction in enumerate(transactions, start=1):
        problems = []
        raw_date = _text(transaction, "DTPOSTED") or _text(transaction, "DTUSER")
        day = _ofx_date(raw_date)
        if day is None:
            problems.append("No date." if not raw_date else "Not a date.")
        raw_amount = _text(transaction, "TRNAMT")
        amount = money_in = None
        try:
            signed = parse_amount(raw_amount, decimal_comma="," in raw_amount)
        except ValueError:
            problems.append("Not an amount." if raw_amount else "No amount.")
        else:
            amount, money_in = abs(signed), signed > 0
        name, memo = _text(transaction, "NAME"), _text(transaction, "MEMO")
        payee = transaction.find("PAYEE")
        if not name and payee is not None:
            name = _text(payee, "NAME")
        description = name if not memo or memo.lower() in name.lower() else f"{name} {memo}"
        code = _text(transaction, "CURRENCY/CURSYM") or _text(transaction, "ORIGCURRENCY/CURSYM")
        entries.append(
            Entry(
                line=position,
                raw_date=raw_date[:8],
                date=day,
                description=description.strip(),
                raw_amount=raw_amount,
                amount=amount,
                money_in=bool(money_in),
                currency=code.upper(),
                bank_id=_text(transaction, "FITID")[:255],
                problems=tuple(problems),
            )
        )
    return ParsedStatement(format=OFX, entries=entries, currency=currency)


# -- QIF -----------------------------------------------------------------------------------------

_QIF_YEAR = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")


def normalise_qif_date(value: str) -> str:
    """Quicken's "12/ 1'26" or "12/01/26" as "12/01/2026" (the order of day and month is left
    for the household to confirm); any other text unchanged."""
    value = value.replace("'", "/").replace(" ", "")
    match = _QIF_YEAR.match(value)
    if not match:
        return value
    first, second, year = match.groups()
    if len(year) == 2:
        year = f"20{year}"
    return f"{int(first):02d}/{int(second):02d}/{year}"


def read_qif(text: str) -> ParsedStatement:
    """A QIF bank or card register: one transaction per record, ended by "^"."""
    entries = []
    record: dict[str, str] = {}
    record_line = 1
    in_transactions = True
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("!"):
            header = line.lower()
            # Account lists, categories and classes are not transactions.
            in_transactions = header.startswith("!type:") and not header.startswith(
                ("!type:cat", "!type:class", "!type:memorized", "!type:invst")
            )
            record, record_line = {}, number + 1
            continue
        code, value = line[0], line[1:].strip()
        if code == "^":
            if in_transactions and record:
                entries.append(_qif_entry(record, record_line))
                _count_check(len(entries))
            record, record_line = {}, number + 1
            continue
        # The first value of a code wins (split lines "S"/"$" repeat codes we do not use).
        record.setdefault(code, value)
    if in_transactions and record.get("D"):
        entries.append(_qif_entry(record, record_line))
    if not entries:
        raise UnreadableFile(EMPTY)
    _count_check(len(entries))
    return ParsedStatement(format=QIF, entries=entries, needs_date_format=True)


def _qif_entry(record: dict[str, str], line: int) -> Entry:
    problems = []
    raw_amount = record.get("T") or record.get("U", "")
    amount, money_in = None, False
    try:
        signed = parse_amount(raw_amount, decimal_comma=_qif_decimal_comma(raw_amount))
    except ValueError:
        problems.append("Not an amount." if raw_amount else "No amount.")
    else:
        amount, money_in = abs(signed), signed > 0
    payee, memo = record.get("P", ""), record.get("M", "")
    description = payee or memo
    if payee and memo and memo.lower() not in payee.lower():
        description = f"{payee} {memo}"
    raw_date = normalise_qif_date(record.get("D", ""))
    if not raw_date:
        problems.append("No date.")
    return Entry(
        line=line,
        raw_date=raw_date,
        description=description,
        raw_amount=raw_amount,
        amount=amount,
        money_in=money_in,
        bank_id=record.get("N", "") if record.get("N", "").isdigit() else "",
        problems=tuple(problems),
    )


def _qif_decimal_comma(value: str) -> bool:
    text = value.replace("-", "")
    return "," in text and ("." not in text or text.rfind(",") > text.rfind("."))


def apply_date_format(entries: list[Entry], key: str) -> list[Entry]:
    """Entries whose raw dates are read in `key` (QIF), each with a problem when it does not."""
    label = DATE_FORMATS[key][1]
    read = []
    for entry in entries:
        if not entry.raw_date:
            read.append(entry)
            continue
        day = parse_date(entry.raw_date, key)
        problems = entry.problems if day else (*entry.problems, f"Not a {label} date.")
        read.append(replace(entry, date=day, problems=problems))
    return read


# -- CAMT.053 ------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element, *path: str):
    """The first descendant along `path` of local names (namespaces ignored), else None."""
    for name in path:
        if element is None:
            return None
        element = next((child for child in element if _local(child.tag) == name), None)
    return element


def _child_text(element, *path: str) -> str:
    found = _child(element, *path)
    return (found.text or "").strip() if found is not None else ""


def read_camt(text: str) -> ParsedStatement:
    """An ISO 20022 bank-to-customer statement (camt.053): its entries (Ntry), with reversals
    and pending entries flagged."""
    _refuse_declarations(text)
    try:
        root = safe_fromstring(
            text.encode("utf-8"), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as error:
        raise UnreadableFile(UNSAFE_XML) from error
    except SyntaxError as error:  # xml.etree.ElementTree.ParseError
        raise UnreadableFile(BROKEN_XML) from error
    entries = []
    currency = ""
    position = 0
    for statement in root.iter():
        if _local(statement.tag) != "Stmt":
            continue
        account_currency = _child_text(statement, "Acct", "Ccy").upper()
        currency = currency or account_currency
        for entry in statement:
            if _local(entry.tag) != "Ntry":
                continue
            position += 1
            _count_check(position)
            entries.append(_camt_entry(entry, position))
    if not entries:
        raise UnreadableFile(EMPTY)
    return ParsedStatement(format=CAMT, entries=_flag_reversed(entries), currency=currency)


def _flag_reversed(entries: list[Entry]) -> list[Entry]:
    """The payment a reversal cancels is flagged "reversed" too: the reference they share, else
    the same amount and description in the other direction."""
    flagged = list(entries)
    for reversal in entries:
        if reversal.state != "reversed":
            continue
        reference = reversal.bank_id.removesuffix(":reversal")
        for index, entry in enumerate(flagged):
            if entry.state or entry.money_in == reversal.money_in:
                continue
            same_reference = bool(reference) and entry.bank_id == reference
            same_payment = (entry.amount, entry.description) == (
                reversal.amount,
                reversal.description,
            )
            if same_reference or same_payment:
                flagged[index] = replace(entry, state="reversed")
                break
    return flagged


def _camt_entry(entry, position: int) -> Entry:
    problems = []
    amount_element = _child(entry, "Amt")
    raw_amount = (amount_element.text or "").strip() if amount_element is not None else ""
    code = (amount_element.get("Ccy", "") if amount_element is not None else "").upper()
    amount = None
    try:
        amount = abs(Decimal(parse_amount(raw_amount)))
    except ValueError:
        problems.append("Not an amount." if raw_amount else "No amount.")
    credit = _child_text(entry, "CdtDbtInd").upper() == "CRDT"
    reversal = _child_text(entry, "RvslInd").lower() in ("true", "1")
    status = _child_text(entry, "Sts", "Cd") or _child_text(entry, "Sts")
    state = "reversed" if reversal else ("pending" if status.upper() in ("PDNG", "INFO") else "")
    raw_date = _child_text(entry, "BookgDt", "Dt") or _child_text(entry, "BookgDt", "DtTm")[:10]
    raw_date = raw_date or _child_text(entry, "ValDt", "Dt")
    day = parse_date(raw_date, "ymd") if raw_date else None
    if day is None:
        problems.append("No date." if not raw_date else "Not a date.")
    details = _child(entry, "NtryDtls", "TxDtls")
    party = "Dbtr" if credit else "Cdtr"
    # The other side: the creditor of a payment, the debtor of money in (a reversal may name
    # the original creditor instead).
    other = "Cdtr" if credit else "Dbtr"
    name = next(
        (
            found
            for path in ((party, "Nm"), (party, "Pty", "Nm"), (other, "Nm"), (other, "Pty", "Nm"))
            if (found := _child_text(details, "RltdPties", *path))
        ),
        "",
    )
    remittance = _child_text(details, "RmtInf", "Ustrd")
    info = _child_text(entry, "AddtlNtryInf")
    description = " ".join(part for part in (name, remittance or info) if part)
    counterparty = _child_text(details, "RltdPties", f"{party}Acct", "Id", "IBAN")
    bank_id = _child_text(entry, "AcctSvcrRef") or _child_text(details, "Refs", "AcctSvcrRef")
    end_to_end = _child_text(details, "Refs", "EndToEndId")
    if not bank_id and end_to_end and end_to_end.upper() != "NOTPROVIDED":
        bank_id = end_to_end
    if bank_id and reversal:
        # A reversal repeats the reference of the entry it reverses; keep them apart.
        bank_id = f"{bank_id}:reversal"
    return Entry(
        line=position,
        raw_date=raw_date,
        date=day,
        description=description,
        raw_amount=raw_amount,
        amount=amount,
        money_in=credit,
        currency=code,
        bank_id=bank_id[:255],
        state=state,
        counterparty=counterparty,
        problems=tuple(problems),
    )
