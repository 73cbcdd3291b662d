"""prepare_schema/check_schema against iRedMail's own schemas on real servers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, MetaData, Table, inspect, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.backends.sql.engine import make_engine
from gateway.backends.sql.schema import SchemaStatus, check_schema, prepare_schema
from gateway.backends.sql.tables import Database, amavisd_metadata, ddl_metadata, iredapd_metadata, vmail_metadata
from tests.databases import DatabasePair, create_database, database_url, drop_database, unique_name

REFERENCE = Path(__file__).parent / "reference"
SERVERS = ["mariadb", "postgresql"]
DATABASES: list[Database] = ["vmail", "iredapd", "amavisd"]
QUERY_METADATA: dict[str, MetaData] = {
    "vmail": vmail_metadata,
    "iredapd": iredapd_metadata,
    "amavisd": amavisd_metadata,
}

Snapshot = dict[str, Any]


# --- reference schema -----------------------------------------------------


def reference_statements(kind: str, database: Database) -> list[str]:
    """The statements of the transcribed iRedMail schema, one per item.

    A statement ends at a line ending in ``;`` outside a BEGIN ... END body
    (``END IF`` closes no body) and outside a ``$$`` quoted function body.
    """
    suffix = "mysql" if kind == "mariadb" else "pgsql"
    statements: list[str] = []
    current: list[str] = []
    depth = 0
    quoted = False
    for line in (REFERENCE / f"{database}.{suffix}.sql").read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("--"):
            continue
        current.append(line)
        if stripped.count("$$") % 2:
            quoted = not quoted
        if stripped == "BEGIN":
            depth += 1
        elif stripped.startswith("END") and not stripped.startswith("END IF") and depth:
            depth -= 1
        if stripped.endswith(";") and depth == 0 and not quoted:
            statements.append("\n".join(current).rstrip(";"))
            current = []
    assert not current, "unterminated statement in reference file"
    return statements


async def install_reference(engine: AsyncEngine, kind: str, database: Database) -> None:
    async with engine.begin() as conn:
        for statement in reference_statements(kind, database):
            # the MySQL driver formats statements with their (empty) parameters
            await conn.exec_driver_sql(statement.replace("%", "%%") if kind == "mariadb" else statement)


@contextmanager
def scratch_database(kind: str, directory: Path, label: str) -> Iterator[str]:
    """A fresh, empty database besides the fixture's pair; yields its DSN."""
    name = unique_name(label)
    create_database(kind, name)
    try:
        yield database_url(kind, name, directory)
    finally:
        drop_database(kind, name)


@pytest.fixture
async def engines(empty_databases: DatabasePair) -> AsyncIterator[dict[str, AsyncEngine]]:
    made = {
        "vmail": make_engine(empty_databases.vmail, "vmail"),
        "iredapd": make_engine(empty_databases.iredapd, "iredapd"),
        "amavisd": make_engine(empty_databases.amavisd, "amavisd"),
    }
    yield made
    for engine in made.values():
        await engine.dispose()


# --- what information_schema and the inspector say ----------------------------


def information_schema(conn: Connection) -> Snapshot:
    """Columns, table options and triggers as the server itself reports them."""
    snapshot: Snapshot = {"columns": {}, "tables": {}, "triggers": {}}
    if conn.dialect.name in ("mysql", "mariadb"):
        rows = conn.execute(
            text(
                "SELECT table_name, column_name, ordinal_position, column_type, data_type,"
                " character_maximum_length, is_nullable, column_default, extra, character_set_name, collation_name"
                " FROM information_schema.columns WHERE table_schema = DATABASE()"
            )
        ).mappings()
        tables = conn.execute(
            text(
                "SELECT table_name, engine, table_collation FROM information_schema.tables"
                " WHERE table_schema = DATABASE()"
            )
        ).mappings()
        snapshot["tables"] = {_lower(t)["table_name"]: _lower(t) for t in tables}
        triggers = conn.execute(
            text(
                "SELECT trigger_name, event_manipulation, event_object_table, action_timing, action_statement"
                " FROM information_schema.triggers WHERE trigger_schema = DATABASE()"
            )
        ).mappings()
        for trigger in map(_lower, triggers):
            trigger["action_statement"] = " ".join(trigger["action_statement"].split())
            snapshot["triggers"][trigger["trigger_name"]] = trigger
    else:
        rows = conn.execute(
            text(
                "SELECT table_name, column_name, ordinal_position, data_type, character_maximum_length,"
                " numeric_precision, is_nullable, column_default"
                " FROM information_schema.columns WHERE table_schema = current_schema()"
            )
        ).mappings()
    for row in map(_lower, rows):
        table = snapshot["columns"].setdefault(row.pop("table_name"), {})
        table[row.pop("column_name")] = row
    return snapshot


def _lower(row: Any) -> dict[str, Any]:
    return {key.lower(): value for key, value in dict(row).items()}


def keys(conn: Connection) -> Snapshot:
    """Primary keys, indexes, unique constraints and foreign keys per table."""
    inspector = inspect(conn)
    snapshot: Snapshot = {}
    for table in inspector.get_table_names():
        snapshot[table] = {
            "primary key": inspector.get_pk_constraint(table)["constrained_columns"],
            "indexes": sorted(
                (ix["name"], tuple(ix["column_names"]), bool(ix["unique"])) for ix in inspector.get_indexes(table)
            ),
            "unique constraints": sorted(
                (uc["name"], tuple(uc["column_names"])) for uc in inspector.get_unique_constraints(table)
            ),
            "foreign keys": sorted(
                (tuple(fk["constrained_columns"]), fk["referred_table"], tuple(fk["referred_columns"]))
                for fk in inspector.get_foreign_keys(table)
            ),
        }
    return snapshot


def everything(conn: Connection) -> Snapshot:
    """All a change could touch: columns, keys, server-side metadata and every row."""
    inspector = inspect(conn)
    rows: dict[str, list[tuple[Any, ...]]] = {}
    columns: dict[str, list[tuple[str, str, bool, Any]]] = {}
    for table in inspector.get_table_names():
        columns[table] = [
            (c["name"], str(c["type"]), c["nullable"], c["default"]) for c in inspector.get_columns(table)
        ]
        table_obj = Table(table, MetaData(), autoload_with=conn)
        rows[table] = sorted((tuple(r) for r in conn.execute(select(table_obj))), key=repr)
    snapshot: Snapshot = {"columns": columns, "keys": keys(conn), "rows": rows}
    if conn.dialect.name != "sqlite":
        snapshot["information_schema"] = information_schema(conn)
    return snapshot


def differences(reference: Snapshot, ours: Snapshot, what: str) -> list[str]:
    """Human-readable differences between two ``{table: {name: value}}`` mappings."""
    lines: list[str] = []
    for table in sorted(set(reference) | set(ours)):
        if table not in ours:
            lines.append(f"{what}: table {table} missing from ours")
            continue
        if table not in reference:
            lines.append(f"{what}: table {table} not in iRedMail's schema")
            continue
        ref_item, our_item = reference[table], ours[table]
        if not isinstance(ref_item, dict):
            if ref_item != our_item:
                lines.append(f"{what}: {table}: iRedMail {ref_item!r} / ours {our_item!r}")
            continue
        for name in sorted(set(ref_item) | set(our_item)):
            expected, actual = ref_item.get(name), our_item.get(name)
            if expected == actual:
                continue
            if isinstance(expected, dict) and isinstance(actual, dict):
                attributes = sorted(k for k in set(expected) | set(actual) if expected.get(k) != actual.get(k))
                detail = "; ".join(f"{k}: iRedMail {expected.get(k)!r} / ours {actual.get(k)!r}" for k in attributes)
            elif isinstance(expected, list) and isinstance(actual, list):
                only_theirs = [item for item in expected if item not in actual]
                only_ours = [item for item in actual if item not in expected]
                detail = f"only in iRedMail's {only_theirs!r}; only in ours {only_ours!r}"
            else:
                detail = f"iRedMail {expected!r} / ours {actual!r}"
            lines.append(f"{what}: {table}.{name}: {detail}")
    return lines


# --- tests --------------------------------------------------------------------


@pytest.mark.parametrize("sql_kind", SERVERS, indirect=True)
@pytest.mark.parametrize("database", DATABASES)
async def test_created_schema_matches_iredmail(
    engines: dict[str, AsyncEngine], sql_kind: str, database: Database, tmp_path: Path
) -> None:
    ours = engines[database]
    status = await prepare_schema(ours, database)
    assert status == SchemaStatus(database=database, created=True)

    with scratch_database(sql_kind, tmp_path, "ref") as dsn:
        reference_engine = make_engine(dsn, "reference")
        try:
            await install_reference(reference_engine, sql_kind, database)
            async with reference_engine.connect() as conn:
                expected_schema = await conn.run_sync(information_schema)
                expected_keys = await conn.run_sync(keys)
        finally:
            await reference_engine.dispose()

    async with ours.connect() as conn:
        actual_schema = await conn.run_sync(information_schema)
        actual_keys = await conn.run_sync(keys)

    assert set(expected_schema["columns"]) == set(QUERY_METADATA[database].tables)
    problems = [
        *differences(expected_schema["columns"], actual_schema["columns"], "column"),
        *differences(expected_schema["tables"], actual_schema["tables"], "table option"),
        *differences(expected_schema["triggers"], actual_schema["triggers"], "trigger"),
        *differences(expected_keys, actual_keys, "key"),
    ]
    assert not problems, "schema differs from iRedMail's:\n" + "\n".join(problems)


async def install_existing(engine: AsyncEngine, kind: str, database: Database) -> None:
    """An installed schema with some data and the extras real servers have.

    On MariaDB and PostgreSQL this is iRedMail's own schema; SQLite has none,
    so the gateway's layout stands in.
    """
    if kind == "sqlite":
        assert (await prepare_schema(engine, database)).created
    else:
        await install_reference(engine, kind, database)
    async with engine.begin() as conn:
        await conn.exec_driver_sql("CREATE TABLE extra_table (id INTEGER PRIMARY KEY, note VARCHAR(20))")
        await conn.exec_driver_sql("INSERT INTO extra_table (id, note) VALUES (1, 'kept')")
        if database == "vmail":
            await conn.exec_driver_sql("ALTER TABLE mailbox ADD COLUMN extra_column VARCHAR(20)")
            await conn.exec_driver_sql("INSERT INTO domain (domain) VALUES ('example.com')")
            await conn.exec_driver_sql(
                "INSERT INTO mailbox (username, domain, quota) VALUES ('john@example.com', 'example.com', 1024)"
            )
            await conn.exec_driver_sql(
                "INSERT INTO forwardings (address, forwarding, domain, dest_domain, is_forwarding)"
                " VALUES ('john@example.com', 'john@example.com', 'example.com', 'example.com', 1)"
            )
        elif database == "amavisd":
            await conn.exec_driver_sql("ALTER TABLE policy ADD COLUMN extra_column VARCHAR(20)")
            await conn.exec_driver_sql("INSERT INTO policy (policy_name, spam_lover) VALUES ('@.', 'Y')")
        else:
            await conn.exec_driver_sql("ALTER TABLE throttle ADD COLUMN extra_column VARCHAR(20)")
            await conn.exec_driver_sql(
                "INSERT INTO throttle (account, kind, priority, period, max_msgs) VALUES ('@.', 'outbound', 0, 60, 100)"
            )


async def snapshot(engine: AsyncEngine) -> Snapshot:
    async with engine.connect() as conn:
        return await conn.run_sync(everything)


@pytest.mark.parametrize("database", DATABASES)
async def test_existing_schema_is_left_alone(
    engines: dict[str, AsyncEngine], sql_kind: str, database: Database
) -> None:
    engine = engines[database]
    await install_existing(engine, sql_kind, database)
    before = await snapshot(engine)

    status = await prepare_schema(engine, database)

    assert status == SchemaStatus(database=database, created=False)
    assert status.ok
    assert await snapshot(engine) == before
    assert await check_schema(engine, database) == status


DROPPED = {
    "vmail": ("mailbox", "recovery_email"),
    "iredapd": ("throttle", "max_rcpts"),
    "amavisd": ("policy", "banned_rulenames"),
}


@pytest.mark.parametrize("database", DATABASES)
async def test_missing_column_is_reported_not_added(
    engines: dict[str, AsyncEngine], sql_kind: str, database: Database
) -> None:
    engine = engines[database]
    await install_existing(engine, sql_kind, database)
    table, column = DROPPED[database]
    async with engine.begin() as conn:
        await conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
    before = await snapshot(engine)

    status = await prepare_schema(engine, database)

    assert not status.created
    assert not status.ok
    assert status.missing_tables == ()
    assert status.missing_columns == {table: (column,)}
    assert await snapshot(engine) == before


PARTIAL = {"vmail": ("domain", "mailbox"), "iredapd": ("throttle",), "amavisd": ("users", "policy")}


@pytest.mark.parametrize("database", DATABASES)
async def test_partial_schema_is_reported_not_completed(
    engines: dict[str, AsyncEngine], sql_kind: str, database: Database
) -> None:
    engine = engines[database]
    present = PARTIAL[database]
    async with engine.begin() as conn:
        tables = ddl_metadata(database, conn.dialect.name).tables
        for name in present:
            await conn.run_sync(tables[name].create)
    before = await snapshot(engine)

    status = await prepare_schema(engine, database)

    expected_missing = tuple(name for name in QUERY_METADATA[database].tables if name not in present)
    assert status == SchemaStatus(database=database, created=False, missing_tables=expected_missing)
    assert not status.ok
    assert await snapshot(engine) == before
    assert set(before["columns"]) == set(present)


@pytest.mark.parametrize("database", DATABASES)
async def test_empty_database_is_created_once(
    engines: dict[str, AsyncEngine], sql_kind: str, database: Database
) -> None:
    engine = engines[database]
    assert await check_schema(engine, database) == SchemaStatus(
        database=database, created=False, missing_tables=tuple(QUERY_METADATA[database].tables)
    )

    first = await prepare_schema(engine, database)
    second = await prepare_schema(engine, database)

    assert first == SchemaStatus(database=database, created=True)
    assert second == SchemaStatus(database=database, created=False)
    assert first.ok and second.ok


async def test_failed_creation_leaves_nothing_behind(engines: dict[str, AsyncEngine], sql_kind: str) -> None:
    """A clash at the last step undoes the tables already made (MySQL DDL cannot be rolled back)."""
    engine = engines["vmail"]
    async with engine.begin() as conn:
        if sql_kind == "mariadb":
            # Trigger names are unique per schema; the used_quota trigger comes last.
            await conn.exec_driver_sql("CREATE TABLE clash (id INTEGER)")
            await conn.exec_driver_sql(
                "CREATE TRIGGER used_quota_before_insert BEFORE INSERT ON clash FOR EACH ROW SET NEW.id = 1"
            )
        else:
            # Index and table names share one namespace here; used_quota is created last.
            await conn.exec_driver_sql("CREATE TABLE idx_used_quota_domain (id INTEGER)")
    async with engine.connect() as conn:
        before = set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))

    with pytest.raises(DBAPIError):
        await prepare_schema(engine, "vmail")

    async with engine.connect() as conn:
        assert set(await conn.run_sync(lambda sync: inspect(sync).get_table_names())) == before


def test_reference_files_name_their_source() -> None:
    for path in sorted(REFERENCE.glob("*.sql")):
        first = path.read_text().splitlines()[0]
        assert re.match(r"-- Transcribed from iredmail/\S+ \S+ @ [0-9a-f]{40}", first), path.name
