"""Create iRedMail's tables in an empty database, or check those already there.

A database that holds any of the gateway's tables belongs to an iRedMail
installation (or to something else): it is only inspected, never altered.
Extra tables and columns are expected on real servers and are not reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import MetaData, Table, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.backends.sql import amavisd_tables
from gateway.backends.sql.tables import Database, amavisd_metadata, ddl_metadata, iredapd_metadata, vmail_metadata

_QUERY_METADATA: dict[str, MetaData] = {
    "vmail": vmail_metadata,
    "iredapd": iredapd_metadata,
    "amavisd": amavisd_metadata,
}
_MYSQL = ("mysql", "mariadb")

# iRedMail's MySQL schema fills used_quota.domain from the username on insert
# (Dovecot writes only username, bytes and messages).
_MYSQL_TRIGGERS: dict[str, tuple[str, ...]] = {
    "vmail": (
        "CREATE TRIGGER used_quota_before_insert BEFORE INSERT ON used_quota FOR EACH ROW\n"
        "BEGIN\n"
        "    SET NEW.domain = SUBSTRING_INDEX(NEW.username, '@', -1);\n"
        "END",
    ),
    "iredapd": (),
    "amavisd": amavisd_tables.MYSQL_STATEMENTS,
}
_PGSQL_STATEMENTS: dict[str, tuple[str, ...]] = {"amavisd": amavisd_tables.PGSQL_STATEMENTS}


@dataclass(frozen=True)
class SchemaStatus:
    """What ``prepare_schema``/``check_schema`` found in one database."""

    database: str
    created: bool
    missing_tables: tuple[str, ...] = ()
    missing_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every table and column the gateway uses is present."""
        return not self.missing_tables and not self.missing_columns


async def prepare_schema(engine: AsyncEngine, database: Database) -> SchemaStatus:
    """Create ``database``'s tables if it holds none of them; otherwise only check them.

    Creation happens in one transaction where the dialect has transactional
    DDL (PostgreSQL, SQLite). MySQL commits each statement, so on failure the
    tables this call created are dropped again. iRedMail's triggers come
    with them: ``used_quota``'s on MySQL ``vmail``, ``maddr``'s on
    ``amavisd`` (MySQL and PostgreSQL).
    """
    metadata = _QUERY_METADATA[database]
    async with engine.begin() as conn:
        status = await conn.run_sync(_inspect, database, metadata)
        if len(status.missing_tables) < len(metadata.tables):
            return status
        await conn.run_sync(_create, database)
    return SchemaStatus(database=database, created=True)


async def check_schema(engine: AsyncEngine, database: Database) -> SchemaStatus:
    """Report the gateway's tables and columns missing from ``database``; change nothing."""
    async with engine.connect() as conn:
        return await conn.run_sync(_inspect, database, _QUERY_METADATA[database])


def _inspect(conn: Connection, database: str, metadata: MetaData) -> SchemaStatus:
    inspector = inspect(conn)
    present = set(inspector.get_table_names())
    missing_tables = tuple(name for name in metadata.tables if name not in present)
    missing_columns: dict[str, tuple[str, ...]] = {}
    for name, table in metadata.tables.items():
        if name not in present:
            continue
        have = {column["name"].lower() for column in inspector.get_columns(name)}
        lacking = tuple(column.name for column in table.columns if column.name.lower() not in have)
        if lacking:
            missing_columns[name] = lacking
    return SchemaStatus(
        database=database, created=False, missing_tables=missing_tables, missing_columns=missing_columns
    )


def _create(conn: Connection, database: Database) -> None:
    dialect_name = conn.dialect.name
    mysql = dialect_name in _MYSQL
    created: list[Table] = []
    try:
        for table in ddl_metadata(database, dialect_name).sorted_tables:
            table.create(conn)
            created.append(table)
        if mysql:  # the MySQL driver formats the statement with its (empty) parameters: '%' doubles
            extra = tuple(statement.replace("%", "%%") for statement in _MYSQL_TRIGGERS[database])
        else:
            extra = _PGSQL_STATEMENTS.get(database, ()) if dialect_name == "postgresql" else ()
        for statement in extra:
            conn.exec_driver_sql(statement)
    except Exception:
        if mysql:
            for table in reversed(created):
                table.drop(conn, checkfirst=True)
        raise
