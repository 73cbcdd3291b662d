"""Amavisd's ``amavisd`` tables, as iRedMail creates them.

Source: iredmail/iRedMail samples/amavisd/amavisd.{mysql,pgsql} @
2b2204ba256b43980f5bb7395e08ab45b549fb62 (Amavisd's README.sql schema plus
iRedMail's ``outbound_wblist``, wider unique ``policy.policy_name`` and the
``maddr.email_raw`` trigger).

Addresses (``users.email``, ``mailaddr.email``) are binary on every server
(VARBINARY / BYTEA): byte-exact and case-sensitive. The query tables give
them :class:`Address`, which binds and reads UTF-8 text, so callers use
``str`` everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    REAL,
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

if TYPE_CHECKING:
    from gateway.backends.sql.tables import DeclareTable, _Columns

# ``policy`` columns after id and policy_name, in iRedMail's order, by kind.
POLICY_FLAGS = (
    "virus_lover", "spam_lover", "unchecked_lover", "banned_files_lover", "bad_header_lover",
    "bypass_virus_checks", "bypass_spam_checks", "bypass_banned_checks", "bypass_header_checks",
)  # fmt: skip
_QUARANTINE_TO = (
    "virus_quarantine_to", "spam_quarantine_to", "banned_quarantine_to", "unchecked_quarantine_to",
    "bad_header_quarantine_to", "clean_quarantine_to", "archive_quarantine_to",
)  # fmt: skip
_LEVELS = (
    "spam_tag_level", "spam_tag2_level", "spam_tag3_level", "spam_kill_level",
    "spam_dsn_cutoff_level", "spam_quarantine_cutoff_level",
)  # fmt: skip
_EXTENSIONS = ("addr_extension_virus", "addr_extension_spam", "addr_extension_banned", "addr_extension_bad_header")
_WARN = ("warnvirusrecip", "warnbannedrecip", "warnbadhrecip")
_ADMINS = ("newvirus_admin", "virus_admin", "banned_admin", "bad_header_admin", "spam_admin")
_TAGS = ("spam_subject_tag", "spam_subject_tag2", "spam_subject_tag3")
_TRAILING = ("disclaimer_options", "forward_method", "sa_userconf", "sa_username")


class Address(TypeDecorator[str]):
    """A binary address column read and written as text."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> bytes | None:
        return None if value is None else value.encode()

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return bytes(value).decode(errors="replace")


class _Amavisd:
    """Column factories for one layout of the amavisd schema."""

    def __init__(self, c: _Columns) -> None:
        self.mysql = c.mysql
        self.pgsql = c.pgsql
        self.generic = not (c.mysql or c.pgsql)

    def binary(self, name: str, length: int, *, nullable: bool = False, default: str | None = None) -> Column[Any]:
        """VARBINARY(length) on MySQL, BYTEA on PostgreSQL; text in the query tables."""
        type_: TypeEngine[Any]
        if self.mysql:
            type_ = mysql.VARBINARY(length)
        elif self.pgsql:
            type_ = postgresql.BYTEA()
        else:
            type_ = Address(length)
        return Column(name, type_, nullable=nullable, server_default=default)

    def unsigned(self, name: str, *, big: bool = False, **kwargs: Any) -> Column[int]:
        """INT/BIGINT UNSIGNED on MySQL; INTEGER (CHECK >= 0 where iRedMail has it) elsewhere."""
        type_: TypeEngine[int]
        if self.mysql:
            type_ = mysql.BIGINT(unsigned=True) if big else mysql.INTEGER(unsigned=True)
        else:
            type_ = BigInteger() if big and self.generic else Integer()
        return Column(name, type_, **kwargs)

    @property
    def null(self) -> Any:
        """``DEFAULT NULL`` as iRedMail writes it: PostgreSQL records it, MySQL does not tell it apart."""
        return text("NULL") if self.pgsql else None

    def check(self, column: str) -> list[CheckConstraint]:
        return [CheckConstraint(f"{column} >= 0")] if self.pgsql else []

    def integer(self, name: str, default: int | None = None, *, nullable: bool = False) -> Column[int]:
        type_: TypeEngine[int] = mysql.INTEGER() if self.mysql else Integer()
        server_default = self.null if default is None else text(str(default))
        return Column(name, type_, nullable=nullable, server_default=server_default, autoincrement=False)

    def id(self, *, big: bool = False) -> Column[int]:
        if self.mysql:
            type_: TypeEngine[int] = mysql.BIGINT(unsigned=True) if big else mysql.INTEGER(unsigned=True)
            return Column("id", type_, primary_key=True, nullable=False, autoincrement=True)
        return Column("id", Integer(), primary_key=True, autoincrement=True)

    def char1(self, name: str, default: Any = None, *, nullable: bool = True) -> Column[str]:
        type_: TypeEngine[str] = mysql.CHAR(1) if self.mysql else postgresql.CHAR(1) if self.pgsql else String(1)
        return Column(name, type_, nullable=nullable, server_default=default)

    def varchar(self, name: str, length: int, default: Any = None, *, nullable: bool = True) -> Column[str]:
        return Column(name, String(length), nullable=nullable, server_default=default)

    def real(self, name: str, default: Any = None) -> Column[float]:
        type_: TypeEngine[Any] = mysql.FLOAT() if self.mysql else REAL() if self.pgsql else Float()
        return Column(name, type_, nullable=True, server_default=default)

    def partition_tag(self, *, keyed: bool = True) -> Column[int]:
        """``integer DEFAULT 0``; NOT NULL only by being part of the primary key."""
        type_: TypeEngine[int] = mysql.INTEGER() if self.mysql else Integer()
        if keyed:
            return Column("partition_tag", type_, server_default=text("0"), autoincrement=False)
        return Column("partition_tag", type_, nullable=True, server_default=text("0"))


def build_amavisd(metadata: MetaData, c: _Columns) -> None:
    """Declare the amavisd tables for ``c``'s layout on ``metadata``."""
    table = c.declarer(metadata, "amavisd")
    a = _Amavisd(c)
    _lookup_tables(table, a)
    _storage_tables(table, a)


def _lookup_tables(table: DeclareTable, a: _Amavisd) -> None:
    """The tables of ``@lookup_sql_dsn``: accounts, their policies and white/blacklists."""
    for name in ("users", "mailaddr"):
        columns: list[Any] = [a.id(), a.integer("priority", 7)]
        if name == "users":
            columns.append(a.unsigned("policy_id", nullable=False, server_default=text("1")))
            columns += a.check("policy_id")
        columns.append(a.binary("email", 255))
        if name == "users":
            columns.append(a.varchar("fullname", 255, a.null))
        unique = "email" if a.mysql else f"{name}_email_key"
        table(name, *columns, UniqueConstraint("email", name=unique))

    for name in ("wblist", "outbound_wblist"):
        table(
            name,
            a.unsigned("rid", nullable=False, autoincrement=False),
            a.unsigned("sid", nullable=False, autoincrement=False),
            Column("wb", String(10), nullable=False),
            PrimaryKeyConstraint("rid", "sid"),
            *a.check("rid"),
            *a.check("sid"),
        )

    if a.pgsql:
        policy_name = Column("policy_name", String(255), nullable=True)
    else:
        policy_name = Column("policy_name", String(255), nullable=False, server_default="")
    table(
        "policy",
        a.id(),
        policy_name,
        *(a.char1(name, a.null) for name in POLICY_FLAGS),
        *(a.varchar(name, 64, a.null) for name in _QUARANTINE_TO),
        *(a.real(name, a.null) for name in _LEVELS),
        *(a.varchar(name, 64, a.null) for name in _EXTENSIONS),
        *(a.char1(name, a.null) for name in _WARN),
        *(a.varchar(name, 64, a.null) for name in (*_ADMINS, *_TAGS)),
        a.integer("message_size_limit", nullable=True),
        a.varchar("banned_rulenames", 64, a.null),
        *(a.varchar(name, 64, a.null) for name in _TRAILING),
        Index("policy_idx_policy_name", "policy_name", unique=True),
    )


def _storage_tables(table: DeclareTable, a: _Amavisd) -> None:
    """The tables of ``@storage_sql_dsn``: Amavisd's log of processed mail and its SQL quarantine."""
    if a.pgsql:
        email_raw: Column[Any] = Column("email_raw", String(255), nullable=False, server_default="")
        maddr_domain: Column[Any] = a.binary("domain", 255)
    else:
        email_raw = a.binary("email_raw", 255, default="")
        maddr_domain = Column("domain", String(255), nullable=False)
    table(
        "maddr",
        a.partition_tag(keyed=False),
        a.id(big=True),
        a.binary("email", 255),
        email_raw,
        maddr_domain,
        UniqueConstraint("partition_tag", "email", name="part_email"),
        Index("maddr_idx_email", "email"),
        Index("maddr_idx_email_raw", "email_raw"),
        Index("maddr_idx_domain", "domain"),
    )

    msgs_indexes = [
        Index("msgs_idx_sid", "sid"),
        Index("msgs_idx_mess_id", "message_id"),
        Index("msgs_idx_time_num", "time_num"),
        Index("msgs_idx_mail_id", "mail_id"),
        Index("msgs_idx_content", "content"),
        Index("msgs_idx_quar_type", "quar_type"),
        Index("msgs_idx_spam_level", "spam_level"),
        Index("msgs_idx_policy", "policy"),
        Index("msgs_idx_time_iso", "time_iso"),
    ]
    if not a.pgsql:
        msgs_indexes.append(Index("msgs_idx_content_time_num", "content", "time_num"))
    time_iso: Column[Any] = (
        Column("time_iso", DateTime(timezone=True), nullable=False)
        if a.pgsql
        else Column("time_iso", mysql.CHAR(16) if a.mysql else String(16), nullable=False)
    )
    table(
        "msgs",
        a.partition_tag(),
        a.binary("mail_id", 16),
        a.binary("secret_id", 16, nullable=True, default=""),
        a.varchar("am_id", 20, nullable=False),
        a.unsigned("time_num", nullable=False),
        time_iso,
        a.unsigned("sid", big=True, nullable=False),
        a.varchar("policy", 255, ""),
        a.varchar("client_addr", 255, ""),
        a.unsigned("size", nullable=False),
        a.char1("originating", " ", nullable=False),
        a.char1("content"),
        a.char1("quar_type"),
        a.varchar("quar_loc", 255, "") if a.pgsql else a.binary("quar_loc", 255, nullable=True, default=""),
        a.char1("dsn_sent"),
        a.real("spam_level"),
        a.varchar("message_id", 255, ""),
        a.binary("from_addr", 255, nullable=a.pgsql, default=""),
        a.binary("subject", 1024, nullable=a.pgsql, default=""),
        a.varchar("host", 255, nullable=False),
        PrimaryKeyConstraint("partition_tag", "mail_id"),
        *a.check("time_num"),
        *a.check("sid"),
        *a.check("size"),
        *msgs_indexes,
    )

    table(
        "msgrcpt",
        a.partition_tag(),
        a.binary("mail_id", 16),
        a.integer("rseqnum", 0),
        a.unsigned("rid", big=True, nullable=False),
        a.char1("is_local", " ", nullable=False),
        a.char1("content", " ", nullable=False),
        a.char1("ds", nullable=False),
        a.char1("rs", nullable=False),
        a.char1("bl", " "),
        a.char1("wl", " "),
        a.real("bspam_level"),
        a.varchar("smtp_resp", 255, ""),
        PrimaryKeyConstraint("partition_tag", "mail_id", "rseqnum"),
        Index("msgrcpt_idx_mail_id", "mail_id"),
        Index("msgrcpt_idx_rid", "rid"),
    )

    mail_text: TypeEngine[Any] = mysql.BLOB() if a.mysql else postgresql.BYTEA() if a.pgsql else LargeBinary()
    table(
        "quarantine",
        a.partition_tag(),
        a.binary("mail_id", 16),
        a.unsigned("chunk_ind", nullable=False, autoincrement=False),
        Column("mail_text", mail_text, nullable=False),
        PrimaryKeyConstraint("partition_tag", "mail_id", "chunk_ind"),
        *a.check("chunk_ind"),
        *([] if a.pgsql else [Index("quar_idx_mail_id", "mail_id")]),
    )


# iRedMail fills maddr.email_raw (the address without its +extension) on insert.
MYSQL_STATEMENTS = (
    "CREATE TRIGGER `maddr_email_raw`\n"
    "    BEFORE INSERT\n"
    "    ON `maddr`\n"
    "    FOR EACH ROW\n"
    "    BEGIN\n"
    "        IF (NEW.email LIKE '%+%') THEN\n"
    "            SET NEW.email_raw = CONCAT(SUBSTRING_INDEX(NEW.email, '+', 1), '@',"
    " SUBSTRING_INDEX(new.email, '@', -1));\n"
    "        ELSE\n"
    "            SET NEW.email_raw = NEW.email;\n"
    "        END IF;\n"
    "    END",
)
PGSQL_STATEMENTS = (
    "CREATE OR REPLACE FUNCTION strip_addr_extension()\n"
    "RETURNS TRIGGER AS $$\n"
    "BEGIN\n"
    "    IF (NEW.email LIKE '%+%') THEN\n"
    "        NEW.email_raw := split_part(convert_from(NEW.email, 'UTF8'), '+', 1) || '@' ||"
    " split_part(convert_from(NEW.email, 'UTF8'), '@', 2);\n"
    "    ELSE\n"
    "        NEW.email_raw := convert_from(NEW.email, 'UTF8');\n"
    "    END IF;\n"
    "    RETURN NEW;\n"
    "END;\n"
    "$$ LANGUAGE plpgsql",
    "CREATE TRIGGER maddr_email_raw BEFORE INSERT ON maddr FOR EACH ROW EXECUTE PROCEDURE strip_addr_extension()",
)
