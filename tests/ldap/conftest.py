from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ldap_server import LdapServer, require_slapd


@pytest.fixture(scope="session")
def ldap_server() -> Iterator[LdapServer]:
    """A private slapd with an empty iRedMail tree, shared by the session."""
    require_slapd()
    with LdapServer() as server:
        yield server


@pytest.fixture
def ldap_tree(ldap_server: LdapServer) -> Iterator[LdapServer]:
    """The session's slapd with nothing below ``o=domains`` and ``o=domainAdmins``, before and after the test."""
    ldap_server.clear()
    yield ldap_server
    ldap_server.clear()
