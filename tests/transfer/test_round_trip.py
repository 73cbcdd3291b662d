"""Export from SQL and import into each storage: the same accounts, and a second import changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.settings import Settings
from gateway.transfer.exporter import export_records
from gateway.transfer.formats import Format, read_records, write_records
from gateway.transfer.importer import Action, Importer, Report
from gateway.transfer.session import acting
from tests.transfer.conftest import DOCUMENT, accounts, storage_of


async def _import(settings: Settings, text: str, fmt: Format) -> Report:
    async with acting(settings) as ctx:
        return await Importer(ctx).run(read_records(text, fmt))


async def _export(settings: Settings, fmt: Format) -> str:
    async with acting(settings) as ctx:
        return write_records(await export_records(ctx), fmt)


def _actions(report: Report) -> set[Action]:
    assert not report.failed, [(o.record.source, o.error) for o in report.failed]
    return {outcome.action for outcome in report.outcomes}


@pytest.mark.parametrize("fmt", ["json", "csv"])
async def test_export_then_import_reproduces_the_accounts(
    request: pytest.FixtureRequest, backend_kind: str, fmt: Format, tmp_path: Path
) -> None:
    async with storage_of(request, "sqlite", tmp_path / "source") as (source_settings, source):
        assert _actions(await _import(source_settings, json.dumps(DOCUMENT), "json")) == {Action.CREATE, Action.UPDATE}
        expected = await accounts(source)
        assert len(expected["users"]) == 3 and len(expected["throttles"]) == 3
        exported = await _export(source_settings, fmt)

    async with storage_of(request, backend_kind, tmp_path / "target") as (settings, target):
        _actions(await _import(settings, exported, fmt))
        assert await accounts(target) == expected
        before = await target.snapshot()
        again = await _import(settings, exported, fmt)
        assert _actions(again) == {Action.UNCHANGED}
        assert await target.snapshot() == before
        assert read_records(await _export(settings, fmt), fmt) == read_records(exported, fmt)


async def test_changed_records_update_only_what_differs(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    async with storage_of(request, "sqlite", tmp_path) as (settings, storage):
        _actions(await _import(settings, json.dumps(DOCUMENT), "json"))
        changed = {
            "users": [{"email": "john@example.com", "quota": 2048, "password": "Str0ng-Passw0rd!"}],
            "aliases": [{"address": "team@example.com", "members": ["john@example.com"]}],
            "forwardings": [{"email": "carol@other.org", "targets": []}],
        }
        report = await _import(settings, json.dumps(changed), "json")
        assert [outcome.action for outcome in report.outcomes] == [Action.UPDATE] * 3
        john = await storage.user("john@example.com")
        assert john is not None and john.quota == 2048 and john.name == "John Smith"
        team = await storage.alias("team@example.com")
        assert team is not None and team.members == ("john@example.com",)
        carol = await storage.user("carol@other.org")
        assert carol is not None and carol.forwardings == ("carol@other.org",)


async def test_a_refused_batch_is_written_one_by_one(
    request: pytest.FixtureRequest, backend_kind: str, tmp_path: Path
) -> None:
    document = {
        "domains": [{"domain": "small.test", "max_users": 2}],
        "users": [{"email": f"u{index}@small.test", "password": "Str0ng-Passw0rd!"} for index in range(3)],
    }
    async with storage_of(request, backend_kind, tmp_path) as (settings, storage):
        async with acting(settings) as ctx:
            importer = Importer(ctx, continue_on_error=True)
            report = await importer.run(read_records(json.dumps(document), "json"))
        assert [(o.action, o.error and o.error.code) for o in report.outcomes[1:]] == [
            (Action.CREATE, None),
            (Action.CREATE, None),
            (Action.FAILED, "EXCEEDED_DOMAIN_ACCOUNT_LIMIT"),
        ]
        assert [user.email for user in await storage.users()] == ["u0@small.test", "u1@small.test"]
