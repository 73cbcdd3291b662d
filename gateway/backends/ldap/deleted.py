"""Mailboxes removed from the directory whose maildirs stay on disk.

With the LDAP backend iRedMail records them in the ``iredadmin`` SQL
database (``deleted_mailboxes``), which a cron job reads to remove the
directories once ``delete_date`` has passed; the gateway hands them to a
recorder given by whoever owns that database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DeletedMailbox:
    username: str
    domain: str
    maildir: str  # absolute: the entry's homeDirectory
    admin: str
    delete_date: date | None  # None: keep forever


MailboxRecorder = Callable[[Sequence[DeletedMailbox]], Awaitable[None]]
# the maildirs (homeDirectory values) of an address's deleted mailboxes still waiting for removal
MaildirReader = Callable[[str], Awaitable[Collection[str]]]
