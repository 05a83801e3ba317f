"""Reading the report page the way a person does: the text of each table's cells."""

import csv
import io
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser

from openpyxl import load_workbook


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: dict[str, dict[str, list[list[str]]]] = {}
        self._key = None
        self._part = None
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("data-table"):
            self._key = attrs["data-table"]
            self.tables[self._key] = {"head": [], "body": [], "foot": []}
        elif self._key and tag in ("thead", "tbody", "tfoot"):
            self._part = {"thead": "head", "tbody": "body", "tfoot": "foot"}[tag]
        elif self._key and tag == "tr":
            self._row = []
        elif self._key and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._key = None
        elif self._key and tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif self._key and tag == "tr" and self._row is not None:
            self.tables[self._key][self._part].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_tables(html: str) -> dict[str, dict[str, list[list[str]]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def number(text) -> Decimal | str:
    """A screen or export cell as a comparable value: numbers (with thousands
    separators) as Decimals with two places, "—" and empty as "", text as it is."""
    if text is None:
        return ""
    text = str(text).strip()
    if text in ("", "—"):
        return ""
    try:
        return Decimal(text.replace(",", "")).quantize(Decimal("0.01"))
    except InvalidOperation:
        return text


def csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_rows(content: bytes, sheet: int = 0) -> list[list]:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    ws = wb.worksheets[sheet]
    return [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)]


def xlsx_sheets(content: bytes) -> dict[str, list[list]]:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    return {ws.title: [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)] for ws in wb}
