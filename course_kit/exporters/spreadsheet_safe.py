"""Text that a spreadsheet opening a CSV shows as text, never runs as a formula (CSV injection).

Excel, LibreOffice Calc and Google Sheets read a cell whose text starts with ``=``, ``+``,
``-`` or ``@`` as a formula (``=HYPERLINK(...)``, ``=cmd|' /c calc'!A1``, ``@SUM(9+9)``), and
some also one that starts with a tab, a carriage return or a line feed; spreadsheets in East
Asian locales are reported to take the full-width ``＝ ＋ － ＠`` (U+FF1D, U+FF0B, U+FF0D,
U+FF20) as the ASCII ones, and prefixing those too costs nothing.  A student id, a name or an email in a grades export
is the student's text.  The remedy OWASP ("CSV Injection") and OWASP ASVS 1.2.10 give is the
one applied here: prefix such a field with a single quote, which spreadsheets take as "this
cell is text" and do not show (the CSV writer then quotes the field as RFC 4180 says, so a
comma or quote inside it cannot start a new cell).  A field is prefixed when its first
character, or its first after leading spaces (an import that trims them would otherwise
expose the formula), is one of these, or a NUL (ASVS's list).

Numbers are not text: an ``int`` or ``float`` is written as it is, so a score of ``-1.5``
stays a number.
"""

from __future__ import annotations

from numbers import Real

FORMULA_STARTS = frozenset("=+-@\t\r\n\0\uff1d\uff0b\uff0d\uff20")


def spreadsheet_text(text: str) -> str:
    """``text``, with a leading ``'`` if a spreadsheet would otherwise read it as a formula."""
    if text[:1] in FORMULA_STARTS or text.lstrip()[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def spreadsheet_cell(value: object) -> object:
    """A CSV cell: numbers as they are, None as empty, anything else as spreadsheet-safe text."""
    if isinstance(value, Real) and not isinstance(value, bool):
        return value
    return "" if value is None else spreadsheet_text(str(value))
