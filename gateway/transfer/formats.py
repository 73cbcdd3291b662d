"""The two file formats: a JSON document with one section per kind, and CSV with a ``type`` column.

Both carry the same records. In CSV, list fields (alias members, forwarding
targets) are addresses separated by spaces; a cell left empty is a field not
given. Booleans read ``true``/``false`` (also ``yes``/``no``, ``1``/``0``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from gateway.errors import ErrorCode, InvalidInput
from gateway.transfer.records import COLUMNS, FIELDS, LIST, BadRecord, Kind, Record, parse_record

Format = Literal["json", "csv"]
FORMAT_TAG = "iredmail-gateway"
VERSION = 1
Parsed = list[Record | BadRecord]


def format_of(name: str, given: str | None) -> Format:
    """``given``, else the file name's extension."""
    chosen = (given or name.rsplit(".", 1)[-1]).lower()
    if chosen not in ("json", "csv"):
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "name the format with --format json|csv")
    return "json" if chosen == "json" else "csv"


def read_json(text: str) -> Parsed:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "the document must be a JSON object of sections")
    sections = {kind.section: kind for kind in Kind}
    unknown = sorted(set(document) - set(sections) - {"format", "version"})
    if unknown:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"unknown sections: {', '.join(unknown)}")
    records: Parsed = []
    for section, kind in sections.items():
        items = document.get(section, [])
        if not isinstance(items, list):
            raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"{section} must be a list")
        for index, item in enumerate(items):
            source = f"{section}[{index}]"
            if isinstance(item, dict):
                records.append(parse_record(kind, item, source))
            else:
                error = InvalidInput(ErrorCode.INVALID_PARAMETER, "a record must be a JSON object")
                records.append(BadRecord(kind=kind, key="", source=source, error=error))
    return records


def read_csv(text: str) -> Parsed:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    if "type" not in header:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "the CSV header must have a type column")
    unknown = sorted(set(header) - set(COLUMNS))
    if unknown:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"unknown columns: {', '.join(unknown)}")
    records: Parsed = []
    for row in reader:
        source = f"line {reader.line_num}"
        given = {name: value for name, value in row.items() if name != "type"}
        try:
            kind = Kind((row.get("type") or "").strip().lower())
        except ValueError:
            error = InvalidInput(ErrorCode.INVALID_PARAMETER, f"type must be one of {', '.join(Kind)}")
            records.append(BadRecord(kind=None, key="", source=source, error=error))
            continue
        records.append(parse_record(kind, given, source))
    return records


def read_records(text: str, fmt: Format) -> Parsed:
    """The records of a file's text; a file that cannot be read at all raises ``INVALID_PARAMETER``."""
    return read_json(text) if fmt == "json" else read_csv(text)


def _jsonable(record: Record) -> dict[str, Any]:
    fields = FIELDS[record.kind]
    return {
        name: list(record.values[name]) if fields[name] == LIST else record.values[name]
        for name in fields
        if name in record.values
    }


def write_json(records: Sequence[Record]) -> str:
    document: dict[str, Any] = {"format": FORMAT_TAG, "version": VERSION}
    for kind in Kind:
        document[kind.section] = [_jsonable(record) for record in records if record.kind is kind]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _cell(kind: str, value: Any) -> str:
    if kind == LIST:
        return " ".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_csv(records: Iterable[Record]) -> str:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        fields = FIELDS[record.kind]
        row = {name: _cell(fields[name], value) for name, value in record.values.items()}
        writer.writerow({"type": record.kind.value, **row})
    return out.getvalue()


def write_records(records: Sequence[Record], fmt: Format) -> str:
    return write_json(records) if fmt == "json" else write_csv(records)
