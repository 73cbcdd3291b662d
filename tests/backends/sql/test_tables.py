"""The Core tables: dialect-neutral Python types, quoting, and iRedMail's defaults on every server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Text,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.backends.sql import tables as t
from gateway.backends.sql.engine import make_engine
from gateway.backends.sql.schema import prepare_schema
from gateway.backends.sql.tables import Database
from tests.databases import DatabasePair

DATABASES: list[Database] = ["vmail", "iredapd"]
QUERY_METADATA: dict[str, MetaData] = {"vmail": t.vmail_metadata, "iredapd": t.iredapd_metadata}
QUOTED = ("enablelib-storage", "enablequota-status", "enableindexer-worker", "rank")
SOGO_LETTERS = ("enablesogowebmail", "enablesogocalendar", "enablesogoactivesync")
MAILBOX_SERVICES = [c.name for c in t.mailbox.columns if c.name.startswith("enable") and c.name not in SOGO_LETTERS]


async def _prepared(dsn: str, database: Database) -> AsyncEngine:
    engine = make_engine(dsn, database)
    assert (await prepare_schema(engine, database)).created
    return engine


@pytest.fixture
async def vmail(empty_databases: DatabasePair) -> AsyncIterator[AsyncEngine]:
    engine = await _prepared(empty_databases.vmail, "vmail")
    yield engine
    await engine.dispose()


@pytest.fixture
async def iredapd(empty_databases: DatabasePair) -> AsyncIterator[AsyncEngine]:
    engine = await _prepared(empty_databases.iredapd, "iredapd")
    yield engine
    await engine.dispose()


# --- without a server -----------------------------------------------------------


def test_public_tables() -> None:
    assert sorted(t.vmail_metadata.tables) == sorted(
        [
            "domain",
            "mailbox",
            "forwardings",
            "alias",
            "alias_domain",
            "domain_admins",
            "admin",
            "maillists",
            "maillist_owners",
            "moderators",
            "sender_bcc_domain",
            "recipient_bcc_domain",
            "sender_bcc_user",
            "recipient_bcc_user",
            "sender_relayhost",
            "deleted_mailboxes",
            "used_quota",
        ]
    )
    assert sorted(t.iredapd_metadata.tables) == [
        "greylisting",
        "greylisting_tracking",
        "greylisting_whitelist_domain_spf",
        "greylisting_whitelist_domains",
        "greylisting_whitelists",
        "senderscore_cache",
        "smtp_sessions",
        "srs_exclude_domains",
        "throttle",
        "throttle_tracking",
        "wblist_rdns",
    ]
    for metadata in QUERY_METADATA.values():
        for name, table in metadata.tables.items():
            assert getattr(t, name) is table


@pytest.mark.parametrize("database", QUERY_METADATA)
def test_query_types_are_generic(database: str) -> None:
    allowed = (Integer, BigInteger, String, Text, DateTime, Date)
    for table in QUERY_METADATA[database].tables.values():
        for column in table.columns:
            assert type(column.type) in allowed, f"{table.name}.{column.name}: {column.type!r}"


def test_flags_are_integers() -> None:
    assert len(MAILBOX_SERVICES) == 23
    for name in ["isadmin", "isglobaladmin", "active", *MAILBOX_SERVICES]:
        assert type(t.mailbox.c[name].type) is Integer, name
    assert type(t.forwardings.c.is_alias.type) is Integer
    assert type(t.domain.c.backupmx.type) is Integer
    for name in SOGO_LETTERS:
        assert type(t.mailbox.c[name].type) is String


@pytest.mark.parametrize("database", DATABASES)
@pytest.mark.parametrize("dialect_name", ["mysql", "mariadb", "postgresql", "sqlite"])
def test_ddl_layouts_have_the_query_columns(database: Database, dialect_name: str) -> None:
    layout = t.ddl_metadata(database, dialect_name)
    query = QUERY_METADATA[database]
    assert list(layout.tables) == list(query.tables)
    for name, table in query.tables.items():
        assert sorted(c.name for c in layout.tables[name].columns) == sorted(c.name for c in table.columns)


def test_unknown_dialect_is_refused() -> None:
    with pytest.raises(ValueError, match="oracle"):
        t.ddl_metadata("vmail", "oracle")


DIALECTS: list[tuple[Dialect, str]] = [
    (mysql.dialect(), "`"),
    (mysql.dialect(is_mariadb=True), "`"),
    (postgresql.dialect(), '"'),  # type: ignore[no-untyped-call]
    (sqlite.dialect(), '"'),
]


@pytest.mark.parametrize(("dialect", "quote"), DIALECTS)
def test_odd_column_names_are_quoted(dialect: Dialect, quote: str) -> None:
    statements = [
        select(*(t.mailbox.c[name] for name in QUOTED)).where(t.mailbox.c["rank"] == "normal"),
        update(t.mailbox).values({name: t.mailbox.c[name] for name in QUOTED}),
        insert(t.mailbox).values({name: 1 for name in QUOTED}),
    ]
    for statement in statements:
        sql = str(statement.compile(dialect=dialect))
        for name in QUOTED:
            assert f"{quote}{name}{quote}" in sql, (name, sql)


# --- on every server --------------------------------------------------------


async def test_mailbox_defaults_are_iredmails(vmail: AsyncEngine, sql_kind: str) -> None:
    async with vmail.begin() as conn:
        await conn.execute(insert(t.domain).values(domain="example.com"))
        await conn.execute(insert(t.mailbox).values(username="john@example.com", domain="example.com"))
    async with vmail.connect() as conn:
        box = (await conn.execute(select(t.mailbox))).mappings().one()
        dom = (await conn.execute(select(t.domain))).mappings().one()

    assert box["enablesmtp"] == 1 and type(box["enablesmtp"]) is int
    assert all(box[name] == 1 for name in MAILBOX_SERVICES)
    assert [box[name] for name in SOGO_LETTERS] == ["y", "y", "y"]
    assert (box["isadmin"], box["isglobaladmin"], box["active"]) == (0, 0, 1)
    assert box["quota"] == 0
    assert (box["mailboxformat"], box["mailboxfolder"]) == ("maildir", "Maildir")
    assert box["rank"] == "normal"
    assert (box["password"], box["maildir"], box["language"], box["transport"]) == ("", "", "", "")
    assert box["allow_nets"] is None
    assert box["birthday"] == date(1, 1, 1)

    if sql_kind == "postgresql":
        assert (box["settings"], box["disclaimer"]) == ("", "")
        assert abs(box["created"] - datetime.now()) < timedelta(days=1)
        assert box["expired"] == datetime(9999, 12, 31, 1, 1, 1)
    else:
        assert (box["settings"], box["disclaimer"]) == (None, None)
        assert box["created"] == datetime(1970, 1, 1, 1, 1, 1)
        assert box["passwordlastchange"] == datetime(1970, 1, 1, 1, 1, 1)
        assert box["expired"] == datetime(9999, 12, 31, 0, 0, 0)

    assert (dom["transport"], dom["backupmx"], dom["active"]) == ("dovecot", 0, 1)
    assert (dom["aliases"], dom["mailboxes"], dom["maillists"], dom["maxquota"]) == (0, 0, 0, 0)


async def test_odd_column_names_round_trip(vmail: AsyncEngine, sql_kind: str) -> None:
    odd = {"enablelib-storage": 0, "enablequota-status": 0, "enableindexer-worker": 0}
    async with vmail.begin() as conn:
        await conn.execute(
            insert(t.mailbox).values({"username": "a@example.com", "domain": "example.com", **odd, "rank": "vip"})
        )
        await conn.execute(insert(t.mailbox).values(username="b@example.com", domain="example.com"))
        await conn.execute(
            update(t.mailbox).where(t.mailbox.c["rank"] == "normal").values({"enablequota-status": 0, "rank": "x"})
        )
    async with vmail.connect() as conn:
        rows = (
            await conn.execute(
                select(t.mailbox.c.username, *(t.mailbox.c[name] for name in QUOTED))
                .where(t.mailbox.c["enablelib-storage"] == 0)
                .order_by(t.mailbox.c.username)
            )
        ).all()
        b = (await conn.execute(select(t.mailbox).where(t.mailbox.c.username == "b@example.com"))).mappings().one()

    assert [tuple(row) for row in rows] == [("a@example.com", 0, 0, 0, "vip")]
    assert (b["enablelib-storage"], b["enablequota-status"], b["enableindexer-worker"], b["rank"]) == (1, 0, 1, "x")


async def test_forwardings_pairs_are_unique(vmail: AsyncEngine, sql_kind: str) -> None:
    row = {"address": "a@example.com", "forwarding": "b@example.com", "domain": "example.com"}
    async with vmail.begin() as conn:
        result = await conn.execute(insert(t.forwardings).values(row))
        assert result.inserted_primary_key is not None and result.inserted_primary_key[0] >= 1
    with pytest.raises(IntegrityError):
        async with vmail.begin() as conn:
            await conn.execute(insert(t.forwardings).values(row))


async def test_deleted_mailboxes_get_ids_and_a_timestamp(vmail: AsyncEngine, sql_kind: str) -> None:
    async with vmail.begin() as conn:
        for user in ("a", "b"):
            await conn.execute(
                insert(t.deleted_mailboxes).values(
                    username=f"{user}@example.com", domain="example.com", maildir=f"/var/vmail/{user}"
                )
            )
    async with vmail.connect() as conn:
        rows = (await conn.execute(select(t.deleted_mailboxes).order_by(t.deleted_mailboxes.c.id))).mappings().all()

    assert [r["username"] for r in rows] == ["a@example.com", "b@example.com"]
    assert rows[0]["id"] < rows[1]["id"]
    assert all(isinstance(r["timestamp"], datetime) for r in rows)
    assert all(r["delete_date"] is None and r["bytes"] == 0 and r["messages"] == 0 for r in rows)


async def test_throttle_defaults_are_iredapds(iredapd: AsyncEngine, sql_kind: str) -> None:
    async with iredapd.begin() as conn:
        result = await conn.execute(insert(t.throttle).values(account="@example.com", period=60, max_msgs=100))
        tid = result.inserted_primary_key[0]  # type: ignore[index]
        await conn.execute(insert(t.throttle_tracking).values(tid=tid, account="john@example.com"))
    async with iredapd.connect() as conn:
        joined = (
            (
                await conn.execute(
                    select(t.throttle, t.throttle_tracking.c.cur_msgs, t.throttle_tracking.c.last_notify_time).join(
                        t.throttle_tracking, t.throttle_tracking.c.tid == t.throttle.c.id
                    )
                )
            )
            .mappings()
            .one()
        )

    assert (joined["kind"], joined["priority"], joined["period"]) == ("outbound", 0, 60)
    assert (joined["msg_size"], joined["max_msgs"], joined["max_quota"], joined["max_rcpts"]) == (-1, 100, -1, -1)
    assert (joined["cur_msgs"], joined["last_notify_time"]) == (0, 0)


@pytest.mark.parametrize("sql_kind", ["mariadb"], indirect=True)
async def test_mysql_used_quota_trigger_fills_domain(vmail: AsyncEngine, sql_kind: str) -> None:
    async with vmail.begin() as conn:
        await conn.execute(insert(t.used_quota).values(username="john@example.com", bytes=10, messages=1))
    async with vmail.connect() as conn:
        assert (await conn.execute(select(t.used_quota.c.domain))).scalar_one() == "example.com"
