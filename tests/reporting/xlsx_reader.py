"""Read the rows of an XLSX sheet in tests (the standard library only: a zip of XML)."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any
from xml.etree import ElementTree

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _column(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref)
    assert letters
    number = 0
    for char in letters.group():
        number = number * 26 + ord(char) - 64
    return number - 1


def sheets(content: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = zipfile.ZipFile(io.BytesIO(content))
    shared: list[str] = []
    if "xl/sharedStrings.xml" in book.namelist():
        root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
        shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in root]
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    names = [s.attrib["name"] for s in workbook.iter(f"{{{NS['m']}}}sheet")]
    found: dict[str, list[tuple[Any, ...]]] = {}
    for index, name in enumerate(names, start=1):
        root = ElementTree.fromstring(book.read(f"xl/worksheets/sheet{index}.xml"))
        rows = []
        for row in root.iter(f"{{{NS['m']}}}row"):
            cells: dict[int, Any] = {}
            for cell in row.iter(f"{{{NS['m']}}}c"):
                kind = cell.attrib.get("t")
                value_node = cell.find("m:v", NS)
                if kind == "s" and value_node is not None:
                    value: Any = shared[int(value_node.text or 0)]
                elif kind == "inlineStr":
                    value = "".join(t.text or "" for t in cell.iter(f"{{{NS['m']}}}t"))
                elif value_node is not None:
                    value = float(value_node.text or 0)
                else:
                    value = None
                cells[_column(cell.attrib["r"])] = value
            width = max(cells) + 1 if cells else 0
            rows.append(tuple(cells.get(i) for i in range(width)))
        found[name] = rows
    return found
