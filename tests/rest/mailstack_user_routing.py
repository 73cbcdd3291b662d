"""What Postfix and Dovecot make of a user's forwardings, aliases, BCC, services and mailbox, on any storage."""

from __future__ import annotations

from tests.mailstack import MailStackBase
from tests.rest.conftest import STRONG, Api

JOHN = "john@example.com"


async def _call(api: Api, method: str, path: str, **data: str) -> None:
    response = await api.call(method, path, **data)
    assert response.status_code in (200, 201), response.text


async def _put(api: Api, **data: str) -> None:
    await _call(api, "PUT", f"/api/user/{JOHN}", **data)


async def prove_user_routing(api: Api, stack: MailStackBase) -> None:
    """Each user setting as Postfix's lookup tables and Dovecot's userdb/passdb answer it."""
    await _call(api, "POST", "/api/domain/example.com")
    await _call(api, "POST", f"/api/user/{JOHN}", password=STRONG)

    # forwarding with a copy kept, without one, and none
    await _put(api, forwarding=f"{JOHN},john@elsewhere.test")
    assert stack.alias_targets(JOHN) == {JOHN, "john@elsewhere.test"}
    await _put(api, removeForwarding=JOHN)
    assert stack.alias_targets(JOHN) == {"john@elsewhere.test"}
    await _put(api, forwarding="")
    assert stack.alias_targets(JOHN) == {JOHN}

    # per-user aliases reach the user, and stop when removed
    await _put(api, addAlias="j.smith@example.com,johnny@example.com")
    assert stack.alias_targets("j.smith@example.com") == {JOHN}
    assert stack.alias_targets("johnny@example.com") == {JOHN}
    await _put(api, removeAlias="johnny@example.com")
    assert stack.alias_targets("johnny@example.com") == set()

    # the user's BCC answers before the domain's, which takes over once the user's is gone
    await _call(api, "PUT", "/api/domain/example.com", senderBcc="domain@elsewhere.test")
    await _put(api, senderBcc="out@elsewhere.test", recipientBcc="in@elsewhere.test")
    assert stack.postmap("sender_bcc_maps", JOHN) == "out@elsewhere.test"
    assert stack.postmap("recipient_bcc_maps", JOHN) == "in@elsewhere.test"
    await _put(api, senderBcc="", recipientBcc="")
    assert stack.postmap("sender_bcc_maps", JOHN) == "domain@elsewhere.test"
    assert stack.postmap("recipient_bcc_maps", JOHN) is None

    # a removed service is refused by Dovecot; a full list keeps delivery
    assert stack.authenticate(JOHN, STRONG, service="imap")
    await _put(api, removeService="imap")
    assert not stack.authenticate(JOHN, STRONG, service="imap")
    assert stack.userdb(JOHN, service="imap") is None
    assert stack.authenticate(JOHN, STRONG, service="pop3")
    await _put(api, services="smtp,imap")
    assert stack.authenticate(JOHN, STRONG, service="imap")
    assert not stack.authenticate(JOHN, STRONG, service="pop3")
    assert stack.postmap("virtual_mailbox_maps", JOHN) is not None
    assert stack.userdb(JOHN, service="lmtp") is not None
    await _put(api, addService="pop3")
    assert stack.authenticate(JOHN, STRONG, service="pop3")

    # mailbox format, folder and home as Dovecot opens them
    await _put(api, mailboxFormat="mdbox", mailboxFolder="mdbox", maildir="/var/vmail/vmail2/example.com/john/")
    userdb = stack.userdb(JOHN)
    assert userdb is not None
    assert userdb["mail"].rstrip("/") == "mdbox:~/mdbox"
    assert userdb["home"].rstrip("/") == "/var/vmail/vmail2/example.com/john"

    # deleted: nothing answers for its alias any more
    await _call(api, "DELETE", f"/api/user/{JOHN}")
    assert stack.alias_targets("j.smith@example.com") == set()
    assert stack.postmap("sender_bcc_maps", JOHN) == "domain@elsewhere.test"
