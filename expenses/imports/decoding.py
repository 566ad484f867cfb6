"""Bytes → text: the encodings bank exports come in, detected rather than assumed.

UTF-8 (with or without a byte-order mark) and UTF-16 (with its mark, as Excel writes "Unicode
Text") are read as such; anything else goes to charset-normalizer, which tells Windows-1252 and
Latin-1 (what most European banks export) from other code pages by the letters they make. The
encoding used is shown in the preview, so a wrong guess is visible before anything is saved.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

from .limits import EMPTY, MAX_TEXT_CHARS, NOT_A_STATEMENT, NOT_TEXT, WORKBOOK, UnreadableFile

_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx/.ods (zip), .xls
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# What charset-normalizer may answer: the encodings bank exports are written in. A guess
# outside them (a CJK double-byte page for Western text) is more likely wrong than right.
_LIKELY = ("cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "cp1251", "mac_roman")
_LABELS = {
    "utf_8": "UTF-8",
    "utf_8_sig": "UTF-8 (with byte-order mark)",
    "utf_16": "UTF-16",
    "cp1252": "Windows-1252",
    "latin_1": "Latin-1 (ISO-8859-1)",
    "iso8859_15": "Latin-9 (ISO-8859-15)",
    "cp1250": "Windows-1250",
    "iso8859_2": "Latin-2 (ISO-8859-2)",
    "cp1251": "Windows-1251",
    "mac_roman": "Mac Roman",
}


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # a codec name, see `label`

    @property
    def label(self) -> str:
        return _LABELS.get(self.encoding, self.encoding)


def _looks_binary(raw: bytes) -> bool:
    sample = raw[:8192]
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in b"\t\n\r\x0c")
    return b"\x00" in sample or controls > len(sample) // 100


def _detect_legacy(raw: bytes) -> str:
    # charset-normalizer reads a bounded sample (steps times chunk size), whatever the file's size.
    best = from_bytes(raw, steps=8, chunk_size=1024, cp_isolation=list(_LIKELY)).best()
    if best is None:
        raise UnreadableFile(NOT_TEXT)
    # Short texts fit several Western code pages alike; when Windows-1252 (what most banks
    # write) gives the same letters, name it.
    try:
        if raw.decode("cp1252") == raw.decode(best.encoding):
            return "cp1252"
    except UnicodeDecodeError:
        pass
    return best.encoding


def decode_text(raw: bytes) -> DecodedText:
    """The file's text and the encoding it was read with, or UnreadableFile saying why not."""
    if not raw.strip():
        raise UnreadableFile(EMPTY)
    if raw.startswith(_WORKBOOK_MAGIC):
        raise UnreadableFile(WORKBOOK)
    if raw.startswith(_BINARY_MAGIC):
        raise UnreadableFile(NOT_A_STATEMENT)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf_16"
    elif _looks_binary(raw):
        raise UnreadableFile(NOT_A_STATEMENT)
    elif raw.startswith(codecs.BOM_UTF8):
        encoding = "utf_8_sig"
    else:
        encoding = "utf_8"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        encoding = _detect_legacy(raw)
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise UnreadableFile(NOT_TEXT) from error
    if _CONTROL.search(text):
        raise UnreadableFile(NOT_A_STATEMENT)
    if not text.strip():
        raise UnreadableFile(EMPTY)
    if len(text) > MAX_TEXT_CHARS:
        raise UnreadableFile(NOT_A_STATEMENT)
    return DecodedText(text=text, encoding=encoding)
