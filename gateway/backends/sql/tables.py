"""iRedMail's ``vmail``, iRedAPD's ``iredapd`` and Amavisd's ``amavisd`` tables as SQLAlchemy Core objects.

The module-level tables (``vmail_metadata``, ``iredapd_metadata``) are what
queries are built against on every dialect: flags are ``Integer`` (0/1, never
booleans), date-times ``DateTime``, and so on, so the Python side is the same
everywhere.

Their DDL is not: iRedMail ships different MySQL and PostgreSQL schemas
(TINYINT(1) vs INT2 flags, DATETIME vs TIMESTAMP, fixed vs ``NOW()`` default
dates, nullable vs ``NOT NULL DEFAULT ''`` TEXT, BIGINT UNSIGNED
AUTO_INCREMENT vs SERIAL, different index sets and names). ``ddl_metadata``
builds, from the same declarations, a copy whose DDL matches iRedMail's own
schema for one dialect column for column; it is meant only for creating an
empty database. SQLite has no iRedMail schema and gets the MySQL layout with
generic types, which is also the layout of the query tables.

``gateway_metadata`` holds the gateway's own table (server-side sessions),
kept in iRedAdmin's ``iredadmin`` database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    event,
    text,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Connection
from sqlalchemy.sql.schema import SchemaItem
from sqlalchemy.types import TypeEngine

from gateway.backends.sql.amavisd_tables import build_amavisd

Database = Literal["vmail", "iredapd", "amavisd"]
Layout = Literal["generic", "mysql", "postgresql"]
DeclareTable = Callable[..., Table]

_MYSQL_DATETIME_ZERO = "1970-01-01 01:01:01"
_MYSQL_EXPIRED = "9999-12-31 00:00:00"
_PGSQL_EXPIRED = "9999-12-31 01:01:01"
_PGSQL_NOW = text("now()::timestamp without time zone")


@dataclass(frozen=True)
class _Key:
    """One index: its columns, uniqueness and, where iRedMail fixed it, its name."""

    columns: tuple[str, ...]
    unique: bool = False
    mysql_name: str | None = None
    pgsql_name: str | None = None


def _key(*columns: str, unique: bool = False, mysql_name: str | None = None, pgsql_name: str | None = None) -> _Key:
    return _Key(columns, unique, mysql_name, pgsql_name)


_SAME: Any = object()


class _Columns:
    """Column and index factories for one layout.

    ``generic`` is the query layout (also used for SQLite DDL): generic types
    with the MySQL nullability and default values.
    """

    def __init__(self, layout: Layout) -> None:
        self.mysql = layout == "mysql"
        self.pgsql = layout == "postgresql"

    def _number(self, value: int) -> Any:
        # MySQL's DDL compiler would render DEFAULT (-1), an expression
        # default older servers reject; a quoted literal means the same.
        if self.mysql and value < 0:
            return str(value)
        return text(str(value))

    def _int(
        self, generic: TypeEngine[int], mysql_type: TypeEngine[int], pgsql_type: TypeEngine[int]
    ) -> TypeEngine[int]:
        if self.mysql:
            return mysql_type
        if self.pgsql:
            return pgsql_type
        return generic

    def string(
        self,
        name: str,
        length: int,
        default: str | None = "",
        *,
        pgsql_default: str | None = _SAME,
        pgsql_length: int | None = None,
        primary_key: bool = False,
        mysql_charset: str | None = None,
        quote: bool | None = None,
    ) -> Column[str]:
        """VARCHAR(length) NOT NULL, with a literal default unless ``default`` is None."""
        if self.pgsql and pgsql_default is not _SAME:
            default = pgsql_default
        if self.pgsql and pgsql_length is not None:
            length = pgsql_length
        type_: TypeEngine[str] = (
            mysql.VARCHAR(length, charset=mysql_charset) if self.mysql and mysql_charset else String(length)
        )
        return Column(name, type_, primary_key=primary_key, nullable=False, server_default=default, quote=quote)

    def char1(self, name: str, default: str) -> Column[str]:
        """A one-character 'y'/'n' column: CHAR(1) on MySQL, VARCHAR(1) on PostgreSQL."""
        type_: TypeEngine[str] = mysql.CHAR(1) if self.mysql else String(1)
        return Column(name, type_, nullable=False, server_default=default)

    def flag(self, name: str, default: int) -> Column[int]:
        """An integer 0/1 switch: TINYINT(1) on MySQL, INT2 on PostgreSQL."""
        type_ = self._int(Integer(), mysql.TINYINT(1), SmallInteger())
        return Column(name, type_, nullable=False, server_default=self._number(default))

    def counter(self, name: str) -> Column[int]:
        """A per-domain account limit: INT(10) on MySQL, INT8 on PostgreSQL."""
        type_ = self._int(Integer(), mysql.INTEGER(10), BigInteger())
        return Column(name, type_, nullable=False, server_default=text("0"))

    def bigint(self, name: str, default: int = 0, *, mysql_width: int | None = 20) -> Column[int]:
        type_ = self._int(BigInteger(), mysql.BIGINT(mysql_width), BigInteger())
        return Column(name, type_, nullable=False, server_default=self._number(default))

    def integer(
        self,
        name: str,
        mysql_type: TypeEngine[int],
        pgsql_type: TypeEngine[int],
        *,
        generic: TypeEngine[int] | None = None,
    ) -> Column[int]:
        """An iRedAPD number defaulting to 0 whose width differs per dialect."""
        type_ = self._int(generic or Integer(), mysql_type, pgsql_type)
        return Column(name, type_, nullable=False, server_default=text("0"))

    def long_text(self, name: str, *, pgsql_not_null: bool = True) -> Column[str]:
        """TEXT: nullable on MySQL; NOT NULL DEFAULT '' on PostgreSQL unless told otherwise."""
        if self.pgsql and pgsql_not_null:
            return Column(name, Text(), nullable=False, server_default="")
        return Column(name, Text(), nullable=True)

    def nullable_text(self, name: str) -> Column[str]:
        return Column(name, Text(), nullable=True)

    def stamp(self, name: str) -> Column[Any]:
        """created/modified/passwordlastchange."""
        if self.pgsql:
            return Column(name, DateTime(), nullable=False, server_default=_PGSQL_NOW)
        type_: TypeEngine[Any] = mysql.DATETIME() if self.mysql else DateTime()
        return Column(name, type_, nullable=False, server_default=_MYSQL_DATETIME_ZERO)

    def expired(self) -> Column[Any]:
        if self.pgsql:
            return Column("expired", DateTime(), nullable=False, server_default=_PGSQL_EXPIRED)
        type_: TypeEngine[Any] = mysql.DATETIME() if self.mysql else DateTime()
        return Column("expired", type_, nullable=False, server_default=_MYSQL_EXPIRED)

    def timestamp(self, name: str) -> Column[Any]:
        """A NOT NULL date-time defaulting to the current time."""
        type_: TypeEngine[Any] = mysql.TIMESTAMP() if self.mysql else DateTime()
        return Column(name, type_, nullable=False, server_default=text("CURRENT_TIMESTAMP"))

    def date(self, name: str, default: str | None) -> Column[Any]:
        return Column(name, Date(), nullable=default is None, server_default=default)

    def id(self, *, mysql_primary_key: bool = True) -> Column[int]:
        """Surrogate id: BIGINT(20) UNSIGNED AUTO_INCREMENT on MySQL, SERIAL on PostgreSQL."""
        if self.mysql:
            return Column(
                "id", mysql.BIGINT(20, unsigned=True), primary_key=mysql_primary_key, nullable=False, autoincrement=True
            )
        return Column("id", Integer(), primary_key=True, autoincrement=True)

    def indexes(
        self, table: str, common: Sequence[_Key], *, mysql_only: Sequence[_Key] = (), pgsql_only: Sequence[_Key] = ()
    ) -> list[Index]:
        """The table's secondary indexes, named the way each iRedMail schema names them.

        MySQL names an unnamed index after its first column; the PostgreSQL
        schema uses ``idx_<table>_<columns>``. SQLite gets the MySQL set with
        the PostgreSQL names, since its index names are database-wide.
        """
        keys = [*common, *(pgsql_only if self.pgsql else mysql_only)]
        return [self._index(table, key) for key in keys]

    def _index(self, table: str, key: _Key) -> Index:
        if self.mysql:
            name = key.mysql_name or key.columns[0]
        elif self.pgsql and key.pgsql_name:
            name = key.pgsql_name
        else:
            name = f"idx_{table}_{'_'.join(key.columns)}".replace("-", "_")
        return Index(name, *key.columns, unique=key.unique)

    def declarer(self, metadata: MetaData, database: Database) -> DeclareTable:
        """``table(name, *columns_and_indexes)``: a table of ``database`` on ``metadata``, with its MySQL options."""
        options = self.table_options(database)

        def table(name: str, *items: SchemaItem) -> Table:
            return Table(name, metadata, *items, **options)

        return table

    def table_options(self, database: Database) -> dict[str, Any]:
        if not self.mysql:
            return {}
        if database in ("vmail", "amavisd"):
            return {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_general_ci"}
        return {"mysql_engine": "InnoDB"}


def _lifecycle(c: _Columns, *, expired: bool = True) -> list[Column[Any]]:
    """The created/modified[/expired]/active tail most vmail tables share."""
    columns = [c.stamp("created"), c.stamp("modified")]
    if expired:
        columns.append(c.expired())
    columns.append(c.flag("active", 1))
    return columns


_MAILBOX_SERVICES = (
    "enablesmtp",
    "enablesmtpsecured",
    "enablepop3",
    "enablepop3secured",
    "enablepop3tls",
    "enableimap",
    "enableimapsecured",
    "enableimaptls",
    "enabledeliver",
    "enablelda",
    "enablemanagesieve",
    "enablemanagesievesecured",
    "enablesieve",
    "enablesievesecured",
    "enablesievetls",
    "enableinternal",
    "enabledoveadm",
    "enablelib-storage",
    "enablequota-status",
    "enableindexer-worker",
    "enablelmtp",
    "enabledsync",
    "enablesogo",
)
_MAILBOX_INDEXED = (
    "domain",
    "department",
    "employeeid",
    "isadmin",
    "isglobaladmin",
    *_MAILBOX_SERVICES,
    "passwordlastchange",
    "expired",
    "active",
)


def _vmail(metadata: MetaData, c: _Columns) -> None:
    table = c.declarer(metadata, "vmail")
    # The MySQL and PostgreSQL schemas put these two in opposite order.
    backupmx, settings = c.flag("backupmx", 0), c.long_text("settings")

    table(
        "domain",
        c.string("domain", 255, primary_key=True),
        c.long_text("description"),
        c.long_text("disclaimer"),
        c.counter("aliases"),
        c.counter("mailboxes"),
        c.counter("maillists"),
        c.bigint("maxquota"),
        c.bigint("quota"),
        c.string("transport", 255, "dovecot"),
        *((settings, backupmx) if c.pgsql else (backupmx, settings)),
        *_lifecycle(c),
        *c.indexes("domain", [_key("backupmx"), _key("expired"), _key("active")]),
    )

    table(
        "mailbox",
        c.string("username", 255, primary_key=True, pgsql_default=None),
        c.string("password", 255),
        c.string("name", 255),
        c.string("language", 5),
        c.string("first_name", 255),
        c.string("last_name", 255),
        c.string("mobile", 255),
        c.string("telephone", 255),
        c.string("recovery_email", 255),
        c.date("birthday", "0001-01-01"),
        c.string("mailboxformat", 50, "maildir"),
        c.string("mailboxfolder", 50, "Maildir"),
        c.string("storagebasedirectory", 255),
        c.string("storagenode", 255),
        c.string("maildir", 255),
        c.bigint("quota"),
        c.string("domain", 255),
        c.string("transport", 255),
        c.string("department", 255),
        c.string("rank", 255, "normal", quote=True),
        c.string("employeeid", 255),
        c.flag("isadmin", 0),
        c.flag("isglobaladmin", 0),
        *(c.flag(service, 1) for service in _MAILBOX_SERVICES),
        c.char1("enablesogowebmail", "y"),
        c.char1("enablesogocalendar", "y"),
        c.char1("enablesogoactivesync", "y"),
        c.nullable_text("allow_nets"),
        c.long_text("disclaimer"),
        c.long_text("settings"),
        c.stamp("passwordlastchange"),
        *_lifecycle(c),
        *c.indexes("mailbox", [_key(name) for name in _MAILBOX_INDEXED]),
    )

    table(
        "forwardings",
        c.id(),
        c.string("address", 255),
        c.string("forwarding", 255),
        c.string("domain", 255),
        c.string("dest_domain", 255),
        c.flag("is_maillist", 0),
        c.flag("is_list", 0),
        c.flag("is_forwarding", 0),
        c.flag("is_alias", 0),
        c.flag("active", 1),
        *c.indexes(
            "forwardings",
            [
                _key("address", "forwarding", unique=True),
                _key("forwarding"),
                _key("domain"),
                _key("dest_domain"),
                _key("is_maillist"),
                _key("is_list"),
                _key("is_alias"),
            ],
            pgsql_only=[_key("address"), _key("is_forwarding")],
        ),
    )

    table(
        "alias",
        c.string("address", 255, primary_key=True),
        c.string("name", 255),
        c.string("accesspolicy", 30),
        c.string("domain", 255),
        *_lifecycle(c),
        *c.indexes("alias", [_key("domain"), _key("expired"), _key("active")]),
    )

    table(
        "alias_domain",
        c.string("alias_domain", 255, None, primary_key=True),
        c.string("target_domain", 255, None),
        *_lifecycle(c, expired=False),
        *c.indexes("alias_domain", [_key("target_domain"), _key("active")]),
    )

    table(
        "domain_admins",
        c.string("username", 255, primary_key=True, mysql_charset="ascii"),
        c.string("domain", 255, primary_key=True, mysql_charset="ascii"),
        *_lifecycle(c),
        *c.indexes("domain_admins", [_key("username"), _key("domain"), _key("active")]),
    )

    table(
        "admin",
        c.string("username", 255, primary_key=True),
        c.string("password", 255),
        c.string("name", 255),
        c.string("language", 5),
        c.stamp("passwordlastchange"),
        c.long_text("settings"),
        *_lifecycle(c),
        *c.indexes("admin", [_key("passwordlastchange"), _key("expired"), _key("active")]),
    )

    table(
        "maillists",
        c.id(),
        c.string("address", 255),
        c.string("domain", 255),
        c.string("transport", 255),
        c.string("accesspolicy", 30),
        c.bigint("maxmsgsize"),
        c.string("name", 255),
        c.long_text("description", pgsql_not_null=False),
        c.string("mlid", 36),
        c.flag("is_newsletter", 0),
        c.long_text("settings", pgsql_not_null=False),
        *_lifecycle(c),
        *c.indexes(
            "maillists",
            [
                _key("address", unique=True),
                _key("mlid", unique=True),
                _key("is_newsletter"),
                _key("domain"),
                _key("active"),
            ],
        ),
    )

    table(
        "maillist_owners",
        c.id(),
        c.string("address", 255),
        c.string("owner", 255),
        c.string("domain", 255),
        c.string("dest_domain", 255),
        *c.indexes(
            "maillist_owners",
            [_key("address", "owner", unique=True), _key("owner"), _key("domain"), _key("dest_domain")],
        ),
    )

    table(
        "moderators",
        c.id(),
        c.string("address", 255),
        c.string("moderator", 255),
        c.string("domain", 255),
        c.string("dest_domain", 255),
        *c.indexes(
            "moderators",
            [_key("address", "moderator", unique=True), _key("domain"), _key("dest_domain")],
            pgsql_only=[_key("address"), _key("moderator")],
        ),
    )

    for name in ("sender_bcc_domain", "recipient_bcc_domain"):
        table(
            name,
            c.string("domain", 255, primary_key=True),
            c.string("bcc_address", 255),
            *_lifecycle(c),
            *c.indexes(name, [_key("bcc_address"), _key("expired"), _key("active")]),
        )

    for name in ("sender_bcc_user", "recipient_bcc_user"):
        # Upstream indexes sender_bcc_user.domain but not recipient_bcc_user.domain.
        domain_key = [_key("domain")] if name == "sender_bcc_user" else []
        table(
            name,
            c.string("username", 255, primary_key=True),
            c.string("bcc_address", 255),
            c.string("domain", 255),
            *_lifecycle(c),
            *c.indexes(name, [_key("bcc_address"), *domain_key, _key("expired"), _key("active")]),
        )

    table(
        "sender_relayhost",
        c.id(),
        c.string("account", 255),
        c.string("relayhost", 255),
        *c.indexes("sender_relayhost", [_key("account", unique=True)]),
    )

    deleted = table(
        "deleted_mailboxes",
        # iRedMail's MySQL table has no primary key, only KEY id (id).
        c.id(mysql_primary_key=False),
        c.timestamp("timestamp"),
        c.string("username", 255),
        c.string("domain", 255),
        c.string("maildir", 255),
        c.bigint("bytes", mysql_width=None),
        c.bigint("messages", mysql_width=None),
        c.string("admin", 255),
        c.date("delete_date", None),
        *c.indexes(
            "deleted_mailboxes",
            [
                _key("timestamp"),
                _key("username"),
                _key("domain"),
                _key("admin"),
                _key("delete_date", pgsql_name="idx_delete_date"),
            ],
            # Elsewhere id is the primary key and needs no index of its own.
            mysql_only=[_key("id")] if c.mysql else [],
        ),
    )

    if c.mysql:
        event.listen(deleted, "after_create", _mysql_auto_increment_id)

    table(
        "used_quota",
        c.string("username", 255, None, primary_key=True),
        c.bigint("bytes", mysql_width=None),
        c.bigint("messages", mysql_width=None),
        c.string("domain", 255),
        *c.indexes("used_quota", [_key("domain")]),
    )


def _mysql_auto_increment_id(table: Table, connection: Connection, **_kw: Any) -> None:
    # MySQL renders AUTO_INCREMENT only on primary keys, and a column must be
    # keyed before it may have it: add it once the plain KEY id exists.
    connection.exec_driver_sql(f"ALTER TABLE {table.name} MODIFY id BIGINT(20) UNSIGNED NOT NULL AUTO_INCREMENT")


def _iredapd(metadata: MetaData, c: _Columns) -> None:
    table = c.declarer(metadata, "iredapd")
    unsigned_int = mysql.INTEGER(10, unsigned=True)

    table(
        "throttle",
        c.id(),
        c.string("account", 255, None),
        c.string("kind", 10, "outbound"),
        c.integer("priority", mysql.TINYINT(1, unsigned=True), BigInteger()),
        c.integer("period", unsigned_int, BigInteger(), generic=BigInteger()),
        c.bigint("msg_size", -1),
        c.bigint("max_msgs", -1),
        c.bigint("max_quota", -1),
        c.bigint("max_rcpts", -1),
        # iRedAPD's PostgreSQL schema has no unique key here; it upserts in code.
        *c.indexes(
            "throttle",
            [],
            mysql_only=[_key("account", "kind", unique=True, mysql_name="account_kind")],
            pgsql_only=[_key("account", pgsql_name="idx_account")],
        ),
    )

    # iRedAPD's MySQL tid is NOT NULL DEFAULT 0; its PostgreSQL tid is nullable.
    if c.mysql:
        tid = Column(
            "tid",
            mysql.BIGINT(20, unsigned=True),
            ForeignKey("throttle.id"),
            nullable=False,
            server_default=text("0"),
        )
    elif c.pgsql:
        tid = Column("tid", BigInteger(), ForeignKey("throttle.id"), nullable=True)
    else:
        tid = Column("tid", Integer(), ForeignKey("throttle.id"), nullable=False, server_default=text("0"))

    table(
        "throttle_tracking",
        c.id(),
        tid,
        c.string("account", 255),
        c.integer("period", unsigned_int, BigInteger(), generic=BigInteger()),
        c.integer("cur_msgs", mysql.MEDIUMINT(8, unsigned=True), BigInteger()),
        c.integer("cur_quota", unsigned_int, BigInteger(), generic=BigInteger()),
        c.integer("init_time", unsigned_int, BigInteger(), generic=BigInteger()),
        c.integer("last_time", unsigned_int, BigInteger(), generic=BigInteger()),
        c.integer("last_notify_time", unsigned_int, BigInteger(), generic=BigInteger()),
        *c.indexes(
            "throttle_tracking",
            [],
            mysql_only=[_key("tid", "account", unique=True, mysql_name="tid_account")],
            pgsql_only=[_key("tid", "account", pgsql_name="idx_tid_account")],
        ),
    )

    _greylisting(table, c)
    _iredapd_logs(table, c)


def _unsigned_int(c: _Columns, name: str) -> Column[int]:
    """iRedAPD's epoch seconds and counters: INT(10) UNSIGNED on MySQL, BIGINT on PostgreSQL."""
    return c.integer(name, mysql.INTEGER(10, unsigned=True), BigInteger(), generic=BigInteger())


def _greylisting(table: DeclareTable, c: _Columns) -> None:
    # iRedAPD's MySQL schema keeps accounts and senders in VARCHAR(100), its PostgreSQL one in VARCHAR(255).
    def account_sender() -> list[Column[str]]:
        return [c.string("account", 100, pgsql_length=255), c.string("sender", 100, pgsql_length=255)]

    table(
        "greylisting",
        c.id(),
        c.string("account", 100, pgsql_length=255),
        c.integer("priority", mysql.TINYINT(2), SmallInteger()),
        c.string("sender", 100, pgsql_length=255),
        c.integer("sender_priority", mysql.TINYINT(2), SmallInteger()),
        c.string("comment", 255),
        c.flag("active", 1),
        *c.indexes("greylisting", [_key("account", "sender", unique=True), _key("comment")]),
    )
    for name in ("greylisting_whitelists", "greylisting_whitelist_domain_spf"):
        table(
            name,
            c.id(),
            *account_sender(),
            c.string("comment", 255),
            *c.indexes(name, [_key("account", "sender", unique=True), _key("comment")]),
        )
    table(
        "greylisting_whitelist_domains",
        c.id(),
        c.string("domain", 255),
        *c.indexes("greylisting_whitelist_domains", [_key("domain", unique=True)]),
    )
    table(
        "greylisting_tracking",
        c.id(),
        c.string("sender", 255, None),
        c.string("recipient", 255, None),
        c.string("client_address", 40, None),
        c.string("sender_domain", 255),
        c.string("rcpt_domain", 255),
        _unsigned_int(c, "init_time"),
        _unsigned_int(c, "block_expired"),
        _unsigned_int(c, "record_expired"),
        c.bigint("blocked_count"),
        c.flag("passed", 0),
        *c.indexes(
            "greylisting_tracking",
            [
                _key("sender", "recipient", "client_address", unique=True, pgsql_name="idx_greylisting_tracking_key"),
                _key("sender_domain"),
                _key("rcpt_domain"),
                _key("client_address", "passed", mysql_name="client_address_passed"),
            ],
        ),
    )


_SMTP_SESSION_FIELDS = (
    ("instance", 40),
    ("client_address", 40),
    ("client_name", 255),
    ("reverse_client_name", 255),
    ("helo_name", 255),
    ("sender", 255),
    ("sender_domain", 255),
    ("sasl_username", 255),
    ("sasl_domain", 255),
    ("recipient", 255),
    ("recipient_domain", 255),
    ("encryption_protocol", 20),
    ("encryption_cipher", 50),
    ("server_address", 40),
    ("server_port", 10),
)


def _iredapd_logs(table: DeclareTable, c: _Columns) -> None:
    """The tables iRedAPD's other plugins and tools keep: rDNS lists, SRS exclusions, caches, session log."""
    table(
        "wblist_rdns",
        c.id(),
        c.string("rdns", 255),
        c.string("wb", 10, "B"),
        *c.indexes("wblist_rdns", [_key("rdns", unique=True), _key("wb")]),
    )
    table(
        "srs_exclude_domains",
        c.id(),
        c.string("domain", 255),
        *c.indexes("srs_exclude_domains", [_key("domain", unique=True)]),
    )
    score_type = mysql.INTEGER(3, unsigned=True) if c.mysql else Integer()
    table(
        "senderscore_cache",
        c.string("client_address", 40, primary_key=True),
        Column("score", score_type, nullable=True, server_default=text("0")),
        _unsigned_int(c, "time"),
        *c.indexes("senderscore_cache", [_key("score"), _key("time")]),
    )
    table(
        "smtp_sessions",
        c.id(),
        c.timestamp("time"),
        _unsigned_int(c, "time_num"),
        c.string("action", 20),
        c.string("reason", 150, pgsql_length=255),
        *(c.string(name, length) for name, length in _SMTP_SESSION_FIELDS),
        *c.indexes(
            "smtp_sessions",
            [_key(name) for name in ("time", "time_num", "action", "reason", *(f for f, _ in _SMTP_SESSION_FIELDS))],
        ),
    )


_BUILDERS = {"vmail": _vmail, "iredapd": _iredapd, "amavisd": build_amavisd}


def _layout_of(dialect_name: str) -> Layout:
    if dialect_name in ("mysql", "mariadb"):
        return "mysql"
    if dialect_name == "postgresql":
        return "postgresql"
    if dialect_name == "sqlite":
        return "generic"
    raise ValueError(f"no iRedMail schema for SQL dialect {dialect_name!r}")


def _build(database: Database, layout: Layout) -> MetaData:
    metadata = MetaData()
    _BUILDERS[database](metadata, _Columns(layout))
    return metadata


_DDL_METADATA: dict[tuple[Database, Layout], MetaData] = {}


def ddl_metadata(database: Database, dialect_name: str) -> MetaData:
    """Tables of ``database`` whose DDL matches iRedMail's schema on ``dialect_name``.

    ``dialect_name`` is ``engine.dialect.name`` (``mysql``/``mariadb``,
    ``postgresql`` or ``sqlite``). Use these only to create an empty
    database; build queries against the module-level tables.
    """
    key = (database, _layout_of(dialect_name))
    if key not in _DDL_METADATA:
        _DDL_METADATA[key] = _build(*key)
    return _DDL_METADATA[key]


vmail_metadata = _build("vmail", "generic")
iredapd_metadata = _build("iredapd", "generic")
amavisd_metadata = _build("amavisd", "generic")

domain = vmail_metadata.tables["domain"]
mailbox = vmail_metadata.tables["mailbox"]
forwardings = vmail_metadata.tables["forwardings"]
alias = vmail_metadata.tables["alias"]
alias_domain = vmail_metadata.tables["alias_domain"]
domain_admins = vmail_metadata.tables["domain_admins"]
admin = vmail_metadata.tables["admin"]
maillists = vmail_metadata.tables["maillists"]
maillist_owners = vmail_metadata.tables["maillist_owners"]
moderators = vmail_metadata.tables["moderators"]
sender_bcc_domain = vmail_metadata.tables["sender_bcc_domain"]
recipient_bcc_domain = vmail_metadata.tables["recipient_bcc_domain"]
sender_bcc_user = vmail_metadata.tables["sender_bcc_user"]
recipient_bcc_user = vmail_metadata.tables["recipient_bcc_user"]
sender_relayhost = vmail_metadata.tables["sender_relayhost"]
deleted_mailboxes = vmail_metadata.tables["deleted_mailboxes"]
used_quota = vmail_metadata.tables["used_quota"]

throttle = iredapd_metadata.tables["throttle"]
throttle_tracking = iredapd_metadata.tables["throttle_tracking"]
greylisting = iredapd_metadata.tables["greylisting"]
greylisting_whitelists = iredapd_metadata.tables["greylisting_whitelists"]
greylisting_whitelist_domains = iredapd_metadata.tables["greylisting_whitelist_domains"]
greylisting_whitelist_domain_spf = iredapd_metadata.tables["greylisting_whitelist_domain_spf"]
greylisting_tracking = iredapd_metadata.tables["greylisting_tracking"]
wblist_rdns = iredapd_metadata.tables["wblist_rdns"]
srs_exclude_domains = iredapd_metadata.tables["srs_exclude_domains"]
senderscore_cache = iredapd_metadata.tables["senderscore_cache"]
smtp_sessions = iredapd_metadata.tables["smtp_sessions"]

amavisd_users = amavisd_metadata.tables["users"]
amavisd_policy = amavisd_metadata.tables["policy"]
mailaddr = amavisd_metadata.tables["mailaddr"]
wblist = amavisd_metadata.tables["wblist"]
outbound_wblist = amavisd_metadata.tables["outbound_wblist"]

# The gateway's own table in iRedAdmin's ``iredadmin`` database, beside (never
# in place of) the panel's ``sessions``. Created by the gateway when missing;
# one DDL serves every dialect. ``token_hash`` is the SHA-256 hex digest of the
# cookie's id, never the id itself.
gateway_metadata = MetaData()
gateway_sessions = Table(
    "gateway_sessions",
    gateway_metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(255), nullable=False, index=True),
    Column("created", DateTime, nullable=False),
    Column("expires", DateTime, nullable=False, index=True),
    mysql_engine="InnoDB",
    mysql_charset="utf8mb4",
)

__all__ = [
    "Database",
    "admin",
    "alias",
    "alias_domain",
    "amavisd_metadata",
    "amavisd_policy",
    "amavisd_users",
    "ddl_metadata",
    "deleted_mailboxes",
    "domain",
    "domain_admins",
    "forwardings",
    "gateway_metadata",
    "gateway_sessions",
    "greylisting",
    "greylisting_tracking",
    "greylisting_whitelist_domain_spf",
    "greylisting_whitelist_domains",
    "greylisting_whitelists",
    "iredapd_metadata",
    "mailaddr",
    "mailbox",
    "maillist_owners",
    "maillists",
    "moderators",
    "outbound_wblist",
    "recipient_bcc_domain",
    "recipient_bcc_user",
    "sender_bcc_domain",
    "sender_bcc_user",
    "sender_relayhost",
    "senderscore_cache",
    "smtp_sessions",
    "srs_exclude_domains",
    "throttle",
    "throttle_tracking",
    "used_quota",
    "vmail_metadata",
    "wblist_rdns",
    "wblist",
]
