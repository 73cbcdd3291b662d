"""The ``iredmail-gateway`` command."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import ValidationError

from gateway import __version__
from gateway.app import check_settings, create_app
from gateway.backends.sql.store import SqlDatabases
from gateway.bootstrap import DEFAULT_ADMIN, InitReport, initialise
from gateway.errors import GatewayError
from gateway.settings import Settings

T = TypeVar("T")


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _settings(serving: bool = True, **overrides: Any) -> Settings:
    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(f"GATEWAY_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        _fail(problems)
        raise AssertionError("unreachable") from None
    try:
        check_settings(settings, serving=serving)
    except GatewayError as exc:
        _fail(exc.detail or exc.code)
    return settings


def _run(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    try:
        return asyncio.run(factory())
    except GatewayError as exc:
        _fail(exc.detail or exc.code)
        raise AssertionError("unreachable") from None


async def _initialise(settings: Settings, **kwargs: Any) -> InitReport:
    databases = SqlDatabases.open(settings)
    try:
        return await initialise(settings, databases, **kwargs)
    finally:
        await databases.dispose()


def _print_report(report: InitReport) -> None:
    for status in report.schemas:
        if status.created:
            click.echo(f"{status.database}: schema created")
        elif status.ok:
            click.echo(f"{status.database}: schema present and complete, left unchanged")
        else:
            click.echo(f"{status.database}: schema incomplete, left unchanged", err=True)
            for table in status.missing_tables:
                click.echo(f"  missing table {table}", err=True)
            for table, columns in status.missing_columns.items():
                click.echo(f"  table {table} lacks columns: {', '.join(columns)}", err=True)
    if report.admin_created:
        click.echo(f"global admin {report.admin} created")
        if report.generated_password:
            click.echo(f"its password (shown only this once): {report.generated_password}")
    elif report.admin:
        click.echo(f"account {report.admin} exists already, left unchanged")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="iredmail-gateway")
def main() -> None:
    """Administer an iRedMail server: the iRedAdmin-Pro RESTful API and GraphQL.

    Configuration comes from GATEWAY_* environment variables or a .env file
    (see the README). With no configuration the gateway uses SQLite databases
    under ./gateway-data, created on first start.
    """


@main.command()
@click.option(
    "--admin", "admin_email", default=DEFAULT_ADMIN, show_default=True, help="Address of the first global admin."
)
@click.option(
    "--password",
    envvar="GATEWAY_ADMIN_PASSWORD",
    help="Its password (or set GATEWAY_ADMIN_PASSWORD); generated and printed once when omitted.",
)
def init(admin_email: str, password: str | None) -> None:
    """Create iRedMail's schema in empty databases and a first global admin.

    A database that already holds iRedMail's tables is only checked: missing
    tables or columns are reported and nothing is changed.
    """
    settings = _settings(serving=False)
    report = _run(lambda: _initialise(settings, admin_email=admin_email, password=password))
    _print_report(report)
    if not report.ok:
        sys.exit(1)


@main.command()
@click.option("--host", default=None, help="Listen address (GATEWAY_HOST, default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Listen port (GATEWAY_PORT, default 8080).")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes sharing the port; each has its own database connections.",
)
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Run the HTTP service (REST under /api, GraphQL under /graphql).

    On the embedded default the SQLite databases and a first admin are
    created on the first start; its password is printed once. With
    ``--workers N`` a supervising process runs N workers behind one port.
    """
    import uvicorn

    settings = _settings(host=host, port=port)
    if settings.embedded:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        report = _run(lambda: _initialise(settings, only_without_admins=True))
        _print_report(report)
        if not report.ok:
            sys.exit(1)
    if workers == 1:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
        return
    # each worker builds its app from the same environment; --host/--port only concern the shared socket
    uvicorn.run(
        "gateway.app:create_app",
        factory=True,
        workers=workers,
        host=settings.host,
        port=settings.port,
        log_level="info",
    )


@main.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to put GraphiQL's (default GATEWAY_GRAPHIQL_ASSETS_DIR, else <data dir>/graphiql).",
)
@click.option(
    "--docs-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to put the API docs page's (default GATEWAY_API_DOCS_ASSETS_DIR, else <data dir>/api-docs).",
)
def assets(directory: Path | None, docs_dir: Path | None) -> None:
    """Fetch the JavaScript and CSS of GraphiQL and of the API docs page from the npm registry (needs npm).

    The explorer at /graphql and the page at /api/docs then load them from this server only.
    """
    from gateway.apidocs import DOCS_ASSETS, docs_assets_dir
    from gateway.graphiql import AssetsError, assets_dir, fetch_assets

    target = directory if directory is not None else assets_dir(_settings(serving=False))
    docs_target = docs_dir if docs_dir is not None else docs_assets_dir(_settings(serving=False))
    try:
        fetched = fetch_assets(target) + fetch_assets(docs_target, DOCS_ASSETS)
    except AssetsError as exc:
        _fail(str(exc))
        return
    for path in fetched:
        click.echo(f"fetched {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
