"""What ``iredmail-gateway import`` and ``export`` do, behind their command-line options."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from gateway.settings import Settings
from gateway.transfer.exporter import export_records
from gateway.transfer.formats import Format, format_of, read_records, write_records
from gateway.transfer.importer import Action, Importer, Progress, Report, summary_rows
from gateway.transfer.progress import Bar, terminal
from gateway.transfer.session import acting

HASH_WARNING = "the export holds password hashes: keep it as private as the database"


async def run_import(
    settings: Settings,
    path: Path,
    fmt: Format | None,
    *,
    admin: str | None,
    dry_run: bool,
    continue_on_error: bool,
    jobs: int,
) -> Report:
    """Read ``path`` and import it, with a progress bar on a terminal."""
    text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    records = read_records(text, format_of(path.name, fmt))
    console = terminal()
    async with acting(settings, admin) as ctx:
        with Bar(console) if console is not None else contextlib.nullcontext() as bar:
            progress: Progress | None = bar
            importer = Importer(ctx, dry_run=dry_run, continue_on_error=continue_on_error, jobs=jobs, progress=progress)
            return await importer.run(records)


def print_report(report: Report) -> None:
    """The summary per kind, then each failed record with its error code."""
    verbs = ("created", "updated") if report.wrote else ("would create", "would update")
    for section, created, updated, unchanged, failed in summary_rows(report):
        if created or updated or unchanged or failed:
            click.echo(f"{section}: {created} {verbs[0]}, {updated} {verbs[1]}, {unchanged} unchanged, {failed} failed")
    skipped = sum(1 for outcome in report.outcomes if outcome.action is Action.SKIPPED)
    for outcome in report.failed:
        error = outcome.error
        detail = f" ({error.detail})" if error is not None and error.detail else ""
        code = error.code if error is not None else "?"
        click.echo(f"failed: {outcome.record.source} {outcome.key}: {code}{detail}", err=True)
    if report.stopped and not report.dry_run:
        if skipped:
            click.echo(f"stopped at the first failed write; {skipped} records not written", err=True)
        else:
            click.echo("nothing written: fix the records above, or give --continue-on-error", err=True)
    elif report.dry_run:
        click.echo("dry run: nothing written")


async def run_export(settings: Settings, fmt: Format, *, domains: Sequence[str], admin: str | None) -> str:
    async with acting(settings, admin) as ctx:
        return write_records(await export_records(ctx, domains), fmt)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only (mode 0600, also when it existed)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as out:
        out.write(text)
