"""First start: create iRedMail's schema in empty databases and a first admin."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

import anyio.to_thread

from gateway import addresses
from gateway.backends.sql import admins, domains, existence
from gateway.backends.sql.engine import write_transaction
from gateway.backends.sql.schema import SchemaStatus, prepare_schema
from gateway.backends.sql.store import SqlDatabases
from gateway.errors import ConfigurationError, ErrorCode, InvalidInput
from gateway.passwords import hash_password
from gateway.settings import Settings

DEFAULT_ADMIN = "postmaster@gateway.local"
_SPECIALS = "#$%&*+-.:;!=<>?@_"


@dataclass(frozen=True)
class InitReport:
    """What ``initialise`` found and did."""

    schemas: tuple[SchemaStatus, ...]
    admin: str | None
    admin_created: bool
    generated_password: str | None

    @property
    def ok(self) -> bool:
        return all(status.ok for status in self.schemas)


def generate_password(length: int = 20) -> str:
    """A random password that meets iRedMail's default password policy."""
    alphabet = string.ascii_letters + string.digits + _SPECIALS
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
            and any(c in _SPECIALS for c in candidate)
        ):
            return candidate


async def initialise(
    settings: Settings,
    databases: SqlDatabases,
    *,
    admin_email: str = DEFAULT_ADMIN,
    password: str | None = None,
    only_without_admins: bool = False,
) -> InitReport:
    """Prepare the schemas, then create ``admin_email`` as a global admin.

    The admin is created only when the schemas are complete and the account
    does not exist yet; with ``only_without_admins`` only when no global admin
    exists at all (the embedded first start).
    """
    email = addresses.mailbox_address(admin_email)
    if password is not None and not password.strip():
        raise InvalidInput(ErrorCode.PW_EMPTY)
    schemas = (
        await prepare_schema(databases.vmail, "vmail"),
        await prepare_schema(databases.iredapd, "iredapd"),
        await prepare_schema(databases.amavisd, "amavisd"),
    )
    report = InitReport(schemas=schemas, admin=None, admin_created=False, generated_password=None)
    if not report.ok:
        return report
    async with databases.vmail.connect() as conn:
        if only_without_admins and await admins.global_admin_exists(conn):
            return report
        if await existence.address_taken(conn, email):
            return InitReport(schemas=schemas, admin=email, admin_created=False, generated_password=None)
        if await domains.is_hosted(conn, addresses.domain_of(email)):
            raise ConfigurationError(
                detail=f"{email}: a standalone admin's domain must not be a mail domain of this server"
            )
    generated = generate_password() if password is None else None
    plain = password if password is not None else generated
    assert plain is not None
    hashed = await anyio.to_thread.run_sync(hash_password, plain.strip(), settings.default_password_scheme)
    async with write_transaction(databases.vmail) as conn:
        await admins.insert_global_admin(conn, email=email, password_hash=hashed)
    return InitReport(schemas=schemas, admin=email, admin_created=True, generated_password=generated)
