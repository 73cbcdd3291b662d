"""What an iRedMail LDAP server keeps outside the directory, in iRedAdmin's SQL database.

Deleted mailboxes wait in ``deleted_mailboxes`` until a cron job removes
their maildirs once ``delete_date`` has passed, and Dovecot counts used
quota in ``used_quota``. The account store reaches both through an
``IredadminStore`` given by whoever owns that database.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from gateway.model import UsedQuota


@dataclass(frozen=True)
class DeletedMailbox:
    username: str
    domain: str
    maildir: str  # absolute: the entry's homeDirectory
    admin: str
    delete_date: date | None  # None: keep forever


class IredadminStore(Protocol):
    async def record(self, mailboxes: Sequence[DeletedMailbox]) -> None:
        """Queue the maildirs of removed mailboxes for removal; forget their used quota."""
        ...

    async def deleted_maildirs(self, username: str) -> Collection[str]:
        """The maildirs of ``username``'s deleted mailboxes still waiting for removal."""
        ...

    async def used_quota(self, emails: list[str]) -> dict[str, UsedQuota]:
        """What Dovecot counted for each of ``emails`` it has a row for."""
        ...

    async def used_by_domain(self, domains: Collection[str] | None) -> dict[str, UsedQuota]:
        """What Dovecot counted, summed per domain (every domain when None)."""
        ...
