"""What Postfix makes of a domain's routing, on any storage: one scenario, the stack reading what the API wrote."""

from __future__ import annotations

from tests.mailstack import MailStackBase
from tests.rest.conftest import STRONG, Api


async def _put(api: Api, method: str, path: str, **data: str) -> None:
    response = await api.call(method, path, **data)
    assert response.status_code in (200, 201), response.text


async def prove_domain_routing(api: Api, stack: MailStackBase) -> None:
    """Catch-all, alias domains, domain BCC, outbound relay and backup MX as Postfix's lookup tables answer them."""
    await _put(api, "POST", "/api/domain/example.com")
    await _put(api, "POST", "/api/user/john@example.com", password=STRONG)
    await _put(api, "POST", "/api/alias/team@example.com", members="john@example.com")

    # catch-all: unknown addresses go to the targets, existing accounts do not
    await _put(api, "PUT", "/api/domain/example.com", catchall="john@example.com,archive@elsewhere.test")
    assert stack.alias_targets("nobody@example.com") == {"john@example.com", "archive@elsewhere.test"}
    assert stack.alias_targets("john@example.com") == {"john@example.com"}
    assert stack.alias_targets("team@example.com") == {"john@example.com"}

    # alias domain: user@alias reaches user@domain, and the alias domain is a mailbox domain
    await _put(api, "PUT", "/api/domain/example.com", addAliasDomain="example.net")
    assert stack.postmap("virtual_mailbox_domains", "example.net") is not None
    assert stack.alias_targets("john@example.net") == {"john@example.com"}
    assert stack.alias_targets("team@example.net") == {"john@example.com"}
    assert stack.alias_targets("nobody@example.net") == {"john@example.com", "archive@elsewhere.test"}
    await _put(api, "POST", "/api/user/mary@example.com", password=STRONG)  # an account made later
    await _put(api, "POST", "/api/alias/sales@example.com", members="mary@example.com")
    assert stack.alias_targets("mary@example.net") == {"mary@example.com"}
    assert stack.alias_targets("sales@example.net") == {"mary@example.com"}

    # domain BCC and outbound relay
    await _put(api, "PUT", "/api/domain/example.com", senderBcc="out@elsewhere.test", recipientBcc="in@elsewhere.test",
               outboundRelay="smtp:[192.0.2.1]:25")  # fmt: skip
    assert stack.postmap("sender_bcc_maps", "john@example.com") == "out@elsewhere.test"
    assert stack.postmap("recipient_bcc_maps", "john@example.com") == "in@elsewhere.test"
    assert stack.postmap("sender_dependent_relayhost_maps", "@example.com") == "[192.0.2.1]:25"

    # removed again: nothing answers
    await _put(api, "PUT", "/api/domain/example.com", catchall="", removeAliasDomain="example.net", senderBcc="",
               recipientBcc="", outboundRelay="")  # fmt: skip
    assert stack.alias_targets("nobody@example.com") == set()
    assert stack.postmap("virtual_mailbox_domains", "example.net") is None
    assert stack.alias_targets("john@example.net") == set()
    assert stack.postmap("sender_bcc_maps", "john@example.com") is None
    assert stack.postmap("recipient_bcc_maps", "john@example.com") is None
    assert stack.postmap("sender_dependent_relayhost_maps", "@example.com") is None

    # backup MX: relayed to the primary, no longer delivered here
    await _put(api, "PUT", "/api/domain/example.com", is_backupmx="yes", primarymx="192.0.2.10")
    assert stack.postmap("relay_domains", "example.com") == "example.com"
    assert stack.postmap("virtual_mailbox_domains", "example.com") is None
    assert stack.transport("someone@example.com") == "relay:[192.0.2.10]"
    await _put(api, "PUT", "/api/domain/example.com", is_backupmx="no")
    assert stack.postmap("relay_domains", "example.com") is None
    assert stack.postmap("virtual_mailbox_domains", "example.com") == "example.com"
    assert stack.transport("john@example.com") == "dovecot"
