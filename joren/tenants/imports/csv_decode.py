"""Reading uploaded CSV files: encoding (UTF-8 with/without BOM, or Shift_JIS/cp932),
delimiter (comma or tab) and a size cap. Errors carry a translated, user-facing message."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

MAX_BYTES = 20 * 1024 * 1024


class CsvFileError(ValueError):
    """The file cannot be read; ``str(error)`` is the message for the organizer."""


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was in ("utf-8", "utf-8-sig" or "cp932")."""
    if len(data) > MAX_BYTES:
        raise CsvFileError(_("The file is larger than %(mb)d MB. Split it and upload the "
                             "parts one by one.", mb=MAX_BYTES // (1024 * 1024)))
    if not data.strip():
        raise CsvFileError(_("The file is empty."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise CsvFileError(_("The file looks like UTF-16. Save it as CSV in UTF-8 "
                             "(or Shift_JIS) and upload it again."))
    try:
        text = data.decode("utf-8-sig")
        return text, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError:
        raise CsvFileError(_("The file's character encoding could not be recognised: it is "
                             "neither UTF-8 nor Shift_JIS. Save it as CSV in UTF-8 and upload "
                             "it again.")) from None


def sniff_delimiter(text: str) -> str:
    """Comma or tab, whichever the first lines use (comma when unsure)."""
    sample = text[:8192]
    try:
        found = csv.Sniffer().sniff(sample, delimiters=",\t").delimiter
        if found in (",", "\t"):
            return found
    except csv.Error:
        pass
    first = sample.split("\n", 1)[0]
    return "\t" if first.count("\t") > first.count(",") else ","


def read_rows(text: str, delimiter: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the data rows with their line numbers (1 = the header line).

    Blank lines are left out."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        for record in reader:
            if not any(map(str.strip, record)):
                continue
            if header is None:
                header = [cell.strip().lstrip("\ufeff") for cell in record]
                continue
            rows.append((reader.line_num, record))
    except csv.Error as exc:
        raise CsvFileError(_("The file is not valid CSV near line %(line)d.",
                             line=reader.line_num)) from exc
    if header is None:
        raise CsvFileError(_("The file is empty."))
    return header, rows
