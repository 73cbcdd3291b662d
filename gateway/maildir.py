"""Maildir paths for new mailboxes, laid out as the iRedMail panel lays them out."""

from __future__ import annotations

from datetime import datetime


def maildir_path(email: str, when: datetime) -> str:
    """``example.com/j/o/h/john-2025.03.01.08.15.42/`` for ``john@example.com``.

    The three hash levels are the first three characters of the local part
    (``_`` where the local part is shorter, or the character is ``.`` or
    ``~``); the timestamp keeps a re-created address away from the directory
    of a deleted mailbox that is still on disk.
    """
    local, domain = email.lower().rsplit("@", 1)
    levels = [(local[i] if i < len(local) else "_") for i in range(3)]
    levels = ["_" if c in ".~" else c for c in levels]
    stamp = when.strftime("%Y.%m.%d.%H.%M.%S")
    return f"{domain}/{'/'.join(levels)}/{local}-{stamp}/"


def maildir_variant(path: str, attempt: int) -> str:
    """``…/john-2025.03.01.08.15.42-2/``: another path for ``path`` when that one is still in use."""
    return f"{path.rstrip('/')}-{attempt}/"
