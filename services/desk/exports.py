"""Every list exported as CSV (UTF-8 with a BOM, so Excel opens Chinese text) or XLSX (openpyxl's
write-only workbook). CSV rows leave as the API's pages arrive; an XLSX is written row by row to a spooled
file (a zip needs its directory at the end) and sent in chunks once complete. A cell is never read as a
formula by a spreadsheet: CSV text starting with = + - @ or a tab / CR gets a leading `'`, and every XLSX
text cell is written as a string."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

BOM = "\ufeff"
CHUNK = 64 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportRefused(Exception):
    """A later page of the list was refused by the API: the export cannot be complete."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def defused(value: object) -> object:
    """A text value a spreadsheet would run as a formula, made inert (OWASP's CSV injection advice)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_line(values: Iterable[object]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(["" if v is None else defused(v) for v in values])
    return out.getvalue()


async def csv_stream(header: list[str], rows: AsyncIterable[list[object]]) -> AsyncIterator[bytes]:
    """The rows as CSV; a refused page ends the file with one row naming the problem (never a silent cut)."""
    yield (BOM + csv_line(header)).encode("utf-8")
    try:
        async for row in rows:
            yield csv_line(row).encode("utf-8")
    except ExportRefused as refused:
        yield csv_line([str(refused)]).encode("utf-8")


def _cells(sheet, values: Iterable[object]) -> list[object]:
    cells: list[object] = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text stays text, even "=HYPERLINK(...)"
            cells.append(cell)
        else:
            cells.append(value)
    return cells


async def xlsx_file(title: str, header: list[str], rows: AsyncIterable[list[object]]) -> IO[bytes]:
    """The whole workbook in a spooled file (raises ExportRefused before anything is sent)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "export")
    sheet.append(_cells(sheet, header))
    try:
        async for row in rows:
            sheet.append(_cells(sheet, row))
    except ExportRefused:
        sheet.close()  # the sheet's temporary file, written no further
        raise
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (closed by chunks())
    book.save(spool)
    spool.seek(0)
    return spool


def chunks(spool: IO[bytes]) -> Iterator[bytes]:
    with spool:
        while chunk := spool.read(CHUNK):
            yield chunk


async def xlsx_stream(title: str, header: list[str], rows: AsyncIterable[list[object]]) -> AsyncIterator[bytes]:
    for chunk in chunks(await xlsx_file(title, header, rows)):
        yield chunk
