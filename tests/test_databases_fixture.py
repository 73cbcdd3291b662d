from sqlalchemy import text

from gateway.backends.sql.engine import make_engine
from tests.databases import DatabasePair


async def test_each_server_gives_an_empty_writable_database(empty_databases: DatabasePair) -> None:
    engine = make_engine(empty_databases.vmail, "vmail")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE probe (x INT)"))
            await conn.execute(text("INSERT INTO probe VALUES (1)"))
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT x FROM probe"))).scalar_one() == 1
    finally:
        await engine.dispose()
