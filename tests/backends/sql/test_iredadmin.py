"""iRedAdmin's database as the LDAP backend uses it: deleted mailboxes and Dovecot's used quota."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.backends.base import DeletedMailbox
from gateway.backends.sql.engine import make_engine
from gateway.backends.sql.iredadmin import IredadminDatabase
from gateway.model import UsedQuota
from tests.databases import DatabasePair
from tests.storage import as_date, fetch, run

HOME = "/var/vmail/vmail1/example.com/j/o/h/john-2025.03.01.08.15.42/"


@pytest.fixture
async def iredadmin(prepared_databases: DatabasePair) -> AsyncIterator[AsyncEngine]:
    """A database with iRedAdmin's ``deleted_mailboxes`` and ``used_quota`` tables (same columns as vmail's)."""
    engine = make_engine(prepared_databases.vmail, "iredadmin")
    yield engine
    await engine.dispose()


async def counted(engine: AsyncEngine, email: str, used: int, messages: int) -> None:
    await run(
        engine,
        "INSERT INTO used_quota (username, bytes, messages, domain) VALUES (:u, :b, :m, :d)",
        u=email, b=used, m=messages, d=email.rsplit("@", 1)[1],
    )  # fmt: skip


async def test_used_quota_reads_what_dovecot_counted(iredadmin: AsyncEngine) -> None:
    await counted(iredadmin, "john@example.com", 5 * 2**40, 12)
    store = IredadminDatabase(iredadmin)
    assert await store.used_quota(["john@example.com", "jane@example.com"]) == {
        "john@example.com": UsedQuota(bytes=5 * 2**40, messages=12)
    }
    assert await store.used_quota([]) == {}


async def test_recording_a_deleted_mailbox_queues_its_maildir_with_its_last_usage(iredadmin: AsyncEngine) -> None:
    await counted(iredadmin, "john@example.com", 2048, 3)
    await counted(iredadmin, "jane@example.com", 1024, 1)
    store = IredadminDatabase(iredadmin)
    await store.record(
        [DeletedMailbox("john@example.com", "example.com", HOME, "postmaster@admins.test", date(2030, 1, 2))]
    )
    rows = await fetch(
        iredadmin,
        "SELECT username, domain, maildir, bytes, messages, admin, delete_date, timestamp FROM deleted_mailboxes",
    )
    assert [{**row, "delete_date": as_date(row["delete_date"]), "timestamp": None} for row in rows] == [
        {
            "username": "john@example.com",
            "domain": "example.com",
            "maildir": HOME,
            "bytes": 2048,
            "messages": 3,
            "admin": "postmaster@admins.test",
            "delete_date": date(2030, 1, 2),
            "timestamp": None,
        }
    ]
    assert rows[0]["timestamp"] is not None
    assert [row["username"] for row in await fetch(iredadmin, "SELECT username FROM used_quota")] == [
        "jane@example.com"
    ]
    await store.record([])
    assert len(await fetch(iredadmin, "SELECT * FROM deleted_mailboxes")) == 1


async def test_used_quota_is_summed_per_domain(iredadmin: AsyncEngine) -> None:
    for email, used, messages in (("x@a.com", 100, 1), ("y@a.com", 2**40, 2), ("w@b.com", 3, 4)):
        await counted(iredadmin, email, used, messages)
    store = IredadminDatabase(iredadmin)
    assert await store.used_by_domain(["a.com", "c.com"]) == {"a.com": UsedQuota(bytes=2**40 + 100, messages=3)}
    assert await store.used_by_domain(None) == {
        "a.com": UsedQuota(bytes=2**40 + 100, messages=3),
        "b.com": UsedQuota(bytes=3, messages=4),
    }
    assert await store.used_by_domain([]) == {}


async def test_deleted_maildirs_of_an_address(iredadmin: AsyncEngine) -> None:
    store = IredadminDatabase(iredadmin)
    assert await store.deleted_maildirs("john@example.com") == []
    await store.record([DeletedMailbox("john@example.com", "example.com", HOME, "admin@example.com", None)])
    await store.record([DeletedMailbox("jane@example.com", "example.com", "/elsewhere/", "admin@example.com", None)])
    assert await store.deleted_maildirs("john@example.com") == [HOME]
