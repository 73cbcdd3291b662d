"""Time as iRedMail stores it."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC now, to the second: the form of iRedMail's timestamp columns."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def localnow() -> datetime:
    """Server-local now, to the second: used in maildir paths as the panel does."""
    return datetime.now().replace(microsecond=0)
