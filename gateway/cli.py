"""The ``iredmail-gateway`` command."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, Literal, TypeVar

import click
from pydantic import ValidationError
from starlette.applications import Starlette

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

    from gateway.logs import configure_logging

    settings = _settings(host=host, port=port)
    configure_logging(settings.log_format, settings.log_level)
    if settings.embedded:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        report = _run(lambda: _initialise(settings, only_without_admins=True))
        _print_report(report)
        if not report.ok:
            sys.exit(1)
    # uvicorn's records go through the gateway's handler; each request is logged once, by gateway.observe.
    # X-Forwarded-For is believed per GATEWAY_TRUSTED_PROXIES only, not by uvicorn's own default for 127.0.0.1.
    quiet: dict[str, Any] = {
        "log_config": None, "log_level": settings.log_level.lower(), "access_log": False, "proxy_headers": False
    }
    if workers == 1:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, **quiet)
        return
    # each worker builds its app from the same environment; --host/--port only concern the shared socket
    uvicorn.run(
        "gateway.cli:worker_app", factory=True, workers=workers, host=settings.host, port=settings.port, **quiet
    )


def worker_app() -> Starlette:
    """The app of one ``serve --workers`` process, its settings and logging from the environment as ``serve``'s."""
    from gateway.logs import configure_logging

    settings = _settings()
    configure_logging(settings.log_format, settings.log_level)
    return create_app(settings)


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


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), help="Default: the file's extension.")
@click.option("--dry-run", is_flag=True, help="Check every record and report what would change; write nothing.")
@click.option(
    "--continue-on-error", is_flag=True, help="Write the good records and list the bad ones (default: write none)."
)
@click.option("--as", "admin", metavar="ADMIN", help="Act with this admin's rights (default: a global admin).")
@click.option("--jobs", type=click.IntRange(1, 16), default=4, show_default=True, help="Records written at once.")
def import_(
    file: Path, fmt: Literal["json", "csv"] | None, dry_run: bool, continue_on_error: bool, admin: str | None, jobs: int
) -> None:
    """Create or update domains, users, aliases, forwardings and throttles from FILE (JSON or CSV, - for stdin).

    Every record goes through the same checks as the API. Records already
    stored as given are left alone (reported unchanged), so running a file
    again changes nothing. All records are checked before anything is
    written: a bad one stops the import with nothing written, unless
    --continue-on-error. Exits 1 when a record failed. See the README's
    Import and export for the formats.

    \b
    iredmail-gateway import accounts.json --dry-run
    iredmail-gateway import users.csv --continue-on-error --as admin@example.com
    """
    from gateway.transfer.commands import print_report, run_import

    settings = _settings(serving=False)
    report = _run(
        lambda: run_import(
            settings, file, fmt, admin=admin, dry_run=dry_run, continue_on_error=continue_on_error, jobs=jobs
        )
    )
    print_report(report)
    if report.failed:
        sys.exit(1)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), help="Default: -o's extension, else json.")
@click.option("--domain", "domains", multiple=True, metavar="DOMAIN", help="Only this domain (repeatable).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File (mode 0600), else stdout.")
@click.option("--as", "admin", metavar="ADMIN", help="Export what this admin manages (default: everything).")
def export(
    fmt: Literal["json", "csv"] | None, domains: tuple[str, ...], output: Path | None, admin: str | None
) -> None:
    """Write domains, users (with their password hashes), aliases, forwardings and throttles as JSON or CSV.

    The file imports into an empty server as the same accounts. It holds
    password hashes: keep it as private as the database.

    \b
    iredmail-gateway export -o accounts.json
    iredmail-gateway export --format csv --domain example.com > example.csv
    """
    from gateway.transfer.commands import HASH_WARNING, run_export, write_private

    settings = _settings(serving=False)
    by_name: Literal["json", "csv"] = "csv" if output is not None and output.suffix.lower() == ".csv" else "json"
    chosen: Literal["json", "csv"] = fmt or by_name
    text = _run(lambda: run_export(settings, chosen, domains=domains, admin=admin))
    click.echo(f"warning: {HASH_WARNING}", err=True)
    if output is None or str(output) == "-":
        click.echo(text, nl=False)
    else:
        write_private(output, text)


if __name__ == "__main__":
    main()
