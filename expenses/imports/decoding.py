"""Bytes → text: the encodings bank exports come in, detected rather than assumed.

UTF-8 (with or without a byte-order mark) and UTF-16 (with its mark, as Excel writes "Unicode
Text") are read as such; anything else goes to charset-normalizer, which tells Windows-1252 and
Latin-1 (what most European banks export) from other code pages by the letters they make. The
encoding used is shown in the preview, so a wrong guess is visible before anything is saved,
and the household may choose another: the upload's bytes are kept, and read again in it
(`decode_as`).
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
# How much less plausible than the best guess Windows-1252 may read and still win.
_CHAOS_TOLERANCE = 0.02
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


# What the household may choose in the preview (UTF-8 with a byte-order mark is UTF-8).
ENCODING_CHOICES = [
    (codec, _LABELS[codec]) for codec in ("utf_8", "utf_16", "cp1252", *_LIKELY[1:])
]


def encoding_label(encoding: str) -> str:
    return _LABELS.get(encoding, encoding)


def encoding_choice(encoding: str) -> str:
    """The preview's choice that reads a file as `encoding` does."""
    return "utf_8" if encoding == "utf_8_sig" else encoding


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # a codec name, see `label`
    raw: bytes = b""  # the bytes it was read from, kept for reading them in another encoding

    @property
    def label(self) -> str:
        return encoding_label(self.encoding)


def _looks_binary(raw: bytes) -> bool:
    sample = raw[:8192]
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in b"\t\n\r\x0c")
    return b"\x00" in sample or controls > len(sample) // 100


def _detect_legacy(raw: bytes) -> str:
    # charset-normalizer reads a bounded sample (steps times chunk size), whatever the file's size.
    matches = from_bytes(raw, steps=8, chunk_size=1024, cp_isolation=list(_LIKELY))
    best = matches.best()
    if best is None:
        raise UnreadableFile(NOT_TEXT)
    # A short statement reads as plausible text in several code pages, and charset-normalizer
    # may then name a Central European one ("Crèche" as "Crčche"). Most banks whose files are
    # not UTF-8 write Windows-1252: when it reads the file no worse than the best guess, it
    # wins. A Polish or Russian file, whose letters make nonsense in it, keeps its own page; the
    # preview shows the encoding, and the household may choose another.
    western = next((match for match in matches if match.encoding == "cp1252"), None)
    if western is not None and western.chaos <= best.chaos + _CHAOS_TOLERANCE:
        return "cp1252"
    # charset-normalizer names one of several code pages that give the same letters.
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
    _check_text(text)
    return DecodedText(text=text, encoding=encoding, raw=raw)


def is_guess(encoding: str) -> bool:
    """Whether a file read in `encoding` was guessed: a code page, not UTF-8 or UTF-16, which a
    file shows by being valid in it (or by its byte-order mark)."""
    return encoding in _LIKELY


def decode_as(raw: bytes, encoding: str) -> DecodedText:
    """The file read in an encoding the household chose (one of ENCODING_CHOICES), or
    UnreadableFile saying it does not read in it."""
    if encoding_choice(encoding) not in dict(ENCODING_CHOICES):
        raise UnreadableFile(NOT_TEXT)
    codec = encoding
    if encoding_choice(encoding) == "utf_8":
        codec = "utf_8_sig" if raw.startswith(codecs.BOM_UTF8) else "utf_8"
    problem = f"This file cannot be read as {encoding_label(codec)}: choose another encoding."
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as error:
        raise UnreadableFile(problem) from error
    try:
        _check_text(text)
    except UnreadableFile as error:
        raise UnreadableFile(problem) from error
    return DecodedText(text=text, encoding=codec, raw=raw)


def _check_text(text: str) -> None:
    """Refuse text that holds control characters (a binary file read as letters), none at all,
    or more than an import reads."""
    if _CONTROL.search(text):
        raise UnreadableFile(NOT_A_STATEMENT)
    if not text.strip():
        raise UnreadableFile(EMPTY)
    if len(text) > MAX_TEXT_CHARS:
        raise UnreadableFile(NOT_A_STATEMENT)
