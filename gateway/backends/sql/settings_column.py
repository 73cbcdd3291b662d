"""The ``settings`` TEXT column of domain, mailbox and admin rows.

Format ``key:value;`` repeated, trailing ``;`` kept, empty values dropped,
list values comma-joined and sorted (storage reference 2.4). Readers skip
pieces without ``:``; values never contain ``:`` or ``;``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

SettingValue = str | int | Iterable[str]


def parse_settings(text: str | None) -> dict[str, str]:
    """Split a settings column into a dict of raw string values."""
    result: dict[str, str] = {}
    for piece in (text or "").split(";"):
        key, sep, value = piece.partition(":")
        if sep and key.strip():
            result[key.strip()] = value.strip()
    return result


def format_settings(values: Mapping[str, SettingValue | None]) -> str:
    """Build a settings column; ``None`` and empty values are left out."""
    parts: list[str] = []
    for key in sorted(values):
        value = values[key]
        if value is None:
            continue
        if isinstance(value, (str, int)):
            text = str(value)
        else:
            text = ",".join(sorted(value))
        if text == "":
            continue
        if any(c in text for c in ":;"):
            raise ValueError(f"settings value of {key!r} must not contain ':' or ';'")
        parts.append(f"{key}:{text};")
    return "".join(parts)


def setting_int(values: Mapping[str, str], key: str, default: int = 0) -> int:
    """An integer setting, ``default`` when absent or malformed."""
    try:
        return int(values.get(key, default))
    except ValueError:
        return default
