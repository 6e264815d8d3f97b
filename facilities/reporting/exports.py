"""Exports: CSV and XLSX, streamed.

* **CSV**: rows are written to the response as they come from the database (an async
  generator of encoded chunks); nothing is held in memory beyond one batch.
* **XLSX** (xlsxwriter, ``constant_memory``): each row is flushed to a temporary file as it
  is written, so memory stays flat however many rows; the finished file is streamed from
  disk in chunks and deleted afterwards. (An XLSX is a zip that is only complete at the end,
  so it cannot go out before it is written.)
* **Asana**: work orders and PM schedules in the columns of Asana's CSV import (Name,
  Description, Section, Assignee, Due Date, Tags).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
import xlsxwriter

CHUNK = 64 * 1024


@dataclass
class Sheet:
    name: str
    heads: list[str]
    rows: Iterator[list[Any]] | Iterable[list[Any]]


def _safe(value: Any) -> Any:
    """A cell that a spreadsheet would run as a formula is written as text (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def xlsx_file(sheets: list[Sheet]) -> str:
    """Write the sheets to a temporary XLSX file (constant memory); returns its path."""
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="facilities-export-")
    os.close(handle)
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False})
    try:
        bold = book.add_format({"bold": True})
        for sheet in sheets:
            ws = book.add_worksheet(sheet.name[:31])
            ws.write_row(0, 0, sheet.heads, bold)
            for index, row in enumerate(sheet.rows, start=1):
                ws.write_row(index, 0, [_safe(v) for v in row])
    finally:
        book.close()
    return path


async def stream_file(path: str) -> AsyncIterator[bytes]:
    """A temporary file in chunks, deleted at the end (also when the client goes away)."""
    try:
        with open(path, "rb") as handle:  # noqa: ASYNC230 - chunks read in a worker thread
            while chunk := await anyio.to_thread.run_sync(handle.read, CHUNK):
                yield chunk
    finally:
        os.unlink(path)


async def csv_stream(
    heads: list[str], batches: AsyncIterator[list[list[Any]]]
) -> AsyncIterator[bytes]:
    """CSV (UTF-8 with BOM, so spreadsheets read umlauts), a batch of rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(heads)
    yield ("\ufeff" + buffer.getvalue()).encode()
    async for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([[_safe(v) for v in row] for row in batch])
        yield buffer.getvalue().encode()


async def xlsx_from_batches(
    name: str, heads: list[str], batches: AsyncIterator[list[list[Any]]]
) -> str:
    """Like ``xlsx_file`` for rows read from the database batch by batch."""
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="facilities-export-")
    os.close(handle)
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False})
    try:
        ws = book.add_worksheet(name[:31])
        ws.write_row(0, 0, heads, book.add_format({"bold": True}))
        index = 1
        async for batch in batches:
            for row in batch:
                ws.write_row(index, 0, [_safe(v) for v in row])
                index += 1
    finally:
        await anyio.to_thread.run_sync(book.close)
    return path
