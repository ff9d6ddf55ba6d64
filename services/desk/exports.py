"""Every list exported as CSV (UTF-8 with a BOM, so Excel opens Chinese text) or XLSX (openpyxl's
write-only workbook), streamed: CSV rows leave as the API's pages arrive; an XLSX is written row by row to
a spooled file (a zip needs its directory at the end) and sent in chunks."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Iterable

from openpyxl import Workbook

BOM = "\ufeff"
CHUNK = 64 * 1024


def csv_line(values: Iterable[object]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(["" if v is None else v for v in values])
    return out.getvalue()


async def csv_stream(header: list[str], rows: AsyncIterable[list[object]]) -> AsyncIterator[bytes]:
    yield (BOM + csv_line(header)).encode("utf-8")
    async for row in rows:
        yield csv_line(row).encode("utf-8")


async def xlsx_stream(title: str, header: list[str], rows: AsyncIterable[list[object]]) -> AsyncIterator[bytes]:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "export")
    sheet.append(header)
    async for row in rows:
        sheet.append(["" if v is None else v for v in row])
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        book.save(spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk
