"""Maildir paths for new mailboxes, laid out as the iRedMail panel lays them out."""

from __future__ import annotations

from datetime import datetime

from gateway.errors import ErrorCode, InvalidInput

# mailbox.maildir and deleted_mailboxes.maildir (the absolute path) are VARCHAR(255)
MAX_MAILDIR_LENGTH = 255
# what maildir_variant may append: "-2" up to "-999"
VARIANT_ROOM = 4


def maildir_path(email: str, when: datetime, *, root: str = "") -> str:
    """``example.com/j/o/h/john-2025.03.01.08.15.42/`` for ``john@example.com``.

    The three hash levels are the first three characters of the local part
    (``_`` where the local part is shorter, or the character is ``.`` or
    ``~``); the timestamp keeps a re-created address away from the directory
    of a deleted mailbox that is still on disk. ``root`` is the storage
    directory it goes below (``/var/vmail/vmail1/``): an address whose path,
    there, would not fit iRedMail's columns is refused with ``INVALID_MAIL``.
    """
    local, domain = email.lower().rsplit("@", 1)
    levels = [(local[i] if i < len(local) else "_") for i in range(3)]
    levels = ["_" if c in ".~" else c for c in levels]
    stamp = when.strftime("%Y.%m.%d.%H.%M.%S")
    path = f"{domain}/{'/'.join(levels)}/{local}-{stamp}/"
    if len(root) + len(path) + VARIANT_ROOM > MAX_MAILDIR_LENGTH:
        raise InvalidInput(ErrorCode.INVALID_MAIL, f"the maildir of {email} would pass {MAX_MAILDIR_LENGTH} characters")
    return path


def maildir_variant(path: str, attempt: int) -> str:
    """``…/john-2025.03.01.08.15.42-2/``: another path for ``path`` when that one is still in use."""
    return f"{path.rstrip('/')}-{attempt}/"
