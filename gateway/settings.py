"""Configuration, read from the environment (prefix ``GATEWAY_``) and ``.env``.

The iRedAdmin-Pro names ``ENABLE_RESTFUL_API``, ``RESTRICT_API_ACCESS`` and
``RESTFUL_API_CLIENTS`` are accepted as well as their prefixed forms.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from gateway.errors import ConfigurationError

PasswordScheme = Literal[
    "SSHA512", "SSHA", "SHA512", "SHA", "BCRYPT", "SHA512-CRYPT", "MD5-CRYPT", "PLAIN-MD5", "MD5", "PLAIN"
]

CommaList = Annotated[list[str], NoDecode]


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _upper_case(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


def _pro_alias(name: str) -> AliasChoices:
    return AliasChoices(f"GATEWAY_{name}", name)


class Settings(BaseSettings):
    """Every setting of the gateway; see the README's configuration table."""

    model_config = SettingsConfigDict(
        env_prefix="GATEWAY_", env_file=".env", extra="ignore", populate_by_name=True
    )

    backend: Literal["sql", "ldap"] = "sql"
    data_dir: Path = Path("gateway-data")
    vmail_dsn: SecretStr | None = None
    iredapd_dsn: SecretStr | None = None
    iredadmin_dsn: SecretStr | None = None
    amavisd_dsn: SecretStr | None = None

    ldap_uri: str = "ldap://127.0.0.1:389"
    ldap_bind_dn: str = ""
    ldap_bind_password: SecretStr = SecretStr("")
    ldap_base_dn: str = ""
    ldap_timeout: float = 10.0

    # deadlines, in seconds: the whole request, and each database wait (pool, connect, statement)
    request_timeout: float = Field(default=30.0, gt=0)
    database_timeout: float = Field(default=10.0, gt=0)

    storage_base_directory: str = "/var/vmail"
    storage_node: str = "vmail1"
    default_password_scheme: PasswordScheme = "SSHA512"
    min_password_length: int = Field(default=8, ge=1)
    max_password_length: int = Field(default=0, ge=0)
    password_require_letter: bool = True
    password_require_uppercase: bool = True
    password_require_digit: bool = True
    password_require_special: bool = True
    mailbox_keep_days: int = Field(default=0, ge=0)

    session_secret: SecretStr | None = None  # accepted for compatibility; sessions are no longer signed cookies
    session_max_age: int = Field(default=3600, gt=0)
    session_cookie_secure: bool = False

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)

    enable_restful_api: bool = Field(default=True, validation_alias=_pro_alias("ENABLE_RESTFUL_API"))
    restrict_api_access: bool = Field(default=False, validation_alias=_pro_alias("RESTRICT_API_ACCESS"))
    restful_api_clients: CommaList = Field(default_factory=list, validation_alias=_pro_alias("RESTFUL_API_CLIENTS"))
    trusted_proxies: CommaList = Field(default_factory=list)
    api_envelope: Literal["classic", "pro"] = "classic"
    graphiql_assets_dir: Path | None = None
    api_docs_assets_dir: Path | None = None

    graphiql: bool = True
    graphql_introspection: bool | None = None
    graphql_max_depth: int = Field(default=10, ge=1)
    graphql_max_tokens: int = Field(default=2000, ge=10)
    graphql_max_aliases: int = Field(default=15, ge=1)
    graphql_max_cost: int = Field(default=20000, ge=1)

    metrics_clients: CommaList = Field(default_factory=list)
    log_format: Literal["json", "text"] = "json"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    _split = field_validator("restful_api_clients", "trusted_proxies", "metrics_clients", mode="before")(_split_commas)
    _upper = field_validator("log_level", mode="before")(_upper_case)

    @property
    def introspection_enabled(self) -> bool:
        """Introspection follows GraphiQL unless set explicitly."""
        return self.graphiql if self.graphql_introspection is None else self.graphql_introspection

    @property
    def embedded(self) -> bool:
        """True when no database is configured: SQLite files under ``data_dir``."""
        return self.vmail_dsn is None and self.iredapd_dsn is None and self.amavisd_dsn is None

    def vmail_url(self) -> str:
        """The DSN of the ``vmail`` database (embedded SQLite when unset)."""
        return self.vmail_dsn.get_secret_value() if self.vmail_dsn is not None else self._sqlite_url("vmail")

    def iredadmin_url(self) -> str | None:
        """The DSN of iRedAdmin's ``iredadmin`` database (embedded SQLite when no database is configured).

        None when real databases are configured without it.
        """
        return self._optional_url(self.iredadmin_dsn, "iredadmin")

    def iredapd_url(self) -> str:
        """The DSN of the ``iredapd`` database (embedded SQLite when unset)."""
        return self.iredapd_dsn.get_secret_value() if self.iredapd_dsn is not None else self._sqlite_url("iredapd")

    def amavisd_url(self) -> str | None:
        """The DSN of Amavisd's ``amavisd`` database (embedded SQLite when no database is configured).

        None when real databases are configured without it.
        """
        return self._optional_url(self.amavisd_dsn, "amavisd")

    def _optional_url(self, dsn: SecretStr | None, database: str) -> str | None:
        if dsn is not None:
            return dsn.get_secret_value()
        return self._sqlite_url(database) if self.embedded else None

    def _sqlite_url(self, database: str) -> str:
        """The embedded SQLite file of ``database`` under ``data_dir``."""
        return f"sqlite+aiosqlite:///{(self.data_dir / f'{database}.sqlite3').resolve()}"

    def required_amavisd_url(self) -> str:
        """``amavisd_url``, or a ``ConfigurationError`` naming the setting."""
        url = self.amavisd_url()
        if url is None:
            raise ConfigurationError(detail="GATEWAY_AMAVISD_DSN is required: spam policies live in Amavisd's database")
        return url
