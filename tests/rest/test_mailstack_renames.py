"""A renamed user as Dovecot and Postfix see it (MariaDB, PostgreSQL): the new address logs in, receives mail
and owns the mailbox it had; the old one is gone."""

from __future__ import annotations

import pytest

from tests.mailstack import MailStack, MailStackBase
from tests.rest.conftest import Api
from tests.rest.test_mailstack import gateway, sql_kind, stack  # noqa: F401  (fixtures)

pytestmark = pytest.mark.mailstack

PASSWORD = "Str0ng-Passw0rd!"
JOHN, JOHNNY = "john@example.com", "johnny@example.com"


async def _ok(api: Api, method: str, path: str, **data: str) -> None:
    response = await api.call(method, path, **data)
    assert response.status_code in (200, 201), response.text


async def renamed_user_reaches_the_mail_stack(api: Api, mail: MailStackBase) -> None:
    await _ok(api, "POST", "/api/domain/example.com")
    await _ok(api, "POST", f"/api/user/{JOHN}", password=PASSWORD)
    await _ok(api, "POST", "/api/user/mary@example.com", password=PASSWORD)
    await _ok(api, "POST", "/api/alias/team@example.com", members=f"{JOHN},mary@example.com")
    home = (mail.userdb(JOHN) or {}).get("home")
    assert home and mail.authenticate(JOHN, PASSWORD)

    await _ok(api, "POST", f"/api/user/{JOHN}/change_email/{JOHNNY}")

    assert mail.authenticate(JOHNNY, PASSWORD)
    assert not mail.authenticate(JOHN, PASSWORD)
    assert (mail.userdb(JOHNNY) or {}).get("home") == home  # the same maildir: the mail stays
    assert mail.userdb(JOHN) is None
    assert mail.postmap("virtual_mailbox_maps", JOHNNY) is not None
    assert mail.postmap("virtual_mailbox_maps", JOHN) is None
    assert mail.postmap("sender_login_maps", JOHNNY) is not None
    assert mail.alias_targets("team@example.com") == {JOHNNY, "mary@example.com"}

    await _ok(api, "POST", "/api/alias/team@example.com/change_email/staff@example.com")
    assert mail.alias_targets("staff@example.com") == {JOHNNY, "mary@example.com"}
    assert mail.alias_targets("team@example.com") == set()


async def test_renamed_user_reaches_the_mail_stack(gateway: Api, stack: MailStack) -> None:  # noqa: F811
    await renamed_user_reaches_the_mail_stack(gateway, stack)
