"""The rules of a user's routing that need no storage: how a change applies to what is stored."""

from __future__ import annotations

import pytest

from gateway.errors import InvalidInput
from gateway.model import UserRouting
from gateway.resolvers.domain_routing import ListChange
from gateway.resolvers.user_routing import UserRoutingInput, applied, checked, maildir

BOB = "bob@example.com"
STORED = UserRouting(forwardings=(BOB,), services=("deliver", "imap", "internal", "lmtp", "mail", "pop3", "smtp"))


def changed(current: UserRouting = STORED, **given: object) -> UserRouting:
    return applied(BOB, checked(UserRoutingInput(**given)), current)  # type: ignore[arg-type]


def test_no_forwarding_left_is_the_mailbox_alone() -> None:
    assert changed(forwardings=ListChange(given=())).forwardings == (BOB,)
    now = changed(forwardings=ListChange(add=("a@elsewhere.test",)))
    assert now.forwardings == ("a@elsewhere.test", BOB)
    assert changed(now, forwardings=ListChange(remove=(BOB,))).forwardings == ("a@elsewhere.test",)
    assert changed(now, forwardings=ListChange(remove=("a@elsewhere.test", BOB))).forwardings == (BOB,)


def test_a_full_service_list_keeps_delivery_and_dovecots_own() -> None:
    now = changed(services=ListChange(given=("SMTP",)))
    assert now.services == ("deliver", "internal", "lmtp", "mail", "smtp")
    assert "deliver" not in changed(now, services=ListChange(remove=("deliver",))).services


@pytest.mark.parametrize(
    ("path", "stored"),
    [
        ("/var/vmail/vmail1/Example.com/bob", "/var/vmail/vmail1/example.com/bob/"),
        ("/srv/mail/bob/", "/srv/mail/bob/"),
    ],
)
def test_a_maildir_is_absolute_and_lower_case(path: str, stored: str) -> None:
    assert maildir(path) == stored


@pytest.mark.parametrize("path", ["srv/mail/bob", "/srv/mail", "/srv/../etc/x", "/srv/ma il/bob", "/" + "a/" * 200])
def test_a_bad_maildir_is_refused(path: str) -> None:
    with pytest.raises(InvalidInput):
        maildir(path)
