"""The ``ldif`` query: the same text as ``GET /api/ldif/<kind>/<name>``, the same refusals."""

from __future__ import annotations

import pytest

from tests.rest.conftest import Api
from tests.rest.test_ldif import ENTRIES, arrange, export, login_domain_admin, parse_ldif
from tests.schema.conftest import codes, data, gql

QUERY = "query($kind: LdifKind!, $name: String!) { ldif(kind: $kind, name: $name) }"


@pytest.mark.parametrize(("kind", "name"), ENTRIES.items())
async def test_ldif_is_the_rest_export(ldap_domain_api: Api, kind: str, name: str) -> None:
    api = await arrange(ldap_domain_api)
    result = await data(api, QUERY, kind=kind.upper(), name=name)
    assert result == {"ldif": await export(api, kind, name)}
    assert "userpassword" not in parse_ldif(result["ldif"])[1]


async def test_unknown_entries_are_not_found(ldap_domain_api: Api) -> None:
    api = await arrange(ldap_domain_api)
    assert codes(await gql(api, QUERY, kind="USER", name="nobody@example.com")) == ["NO_SUCH_ACCOUNT"]
    assert codes(await gql(api, QUERY, kind="DOMAIN", name="nowhere.org")) == ["NO_SUCH_DOMAIN"]


async def test_a_domain_admin_gets_nothing_beyond_its_rights(ldap_domain_api: Api) -> None:
    api = await arrange(ldap_domain_api)
    await api.storage.make_global_admin("bob@example.com")
    await login_domain_admin(api)
    for kind, name in [("USER", "bob@example.com"), ("DOMAIN", "other.org"), ("USER", "carol@other.org"),
                       ("ADMIN", "other@admins.test")]:  # fmt: skip
        body = await gql(api, QUERY, kind=kind, name=name)
        assert codes(body) == ["PERMISSION_DENIED"], (kind, name)
        assert body["data"] is None
    assert (await data(api, QUERY, kind="ALIAS", name="team@example.com"))["ldif"].startswith("dn: mail=team@")


@pytest.mark.parametrize("kind", sorted(ENTRIES))
async def test_ldif_is_not_supported_on_sql(sql_domain_api: Api, kind: str) -> None:
    api = await arrange(sql_domain_api)
    assert codes(await gql(api, QUERY, kind=kind.upper(), name=ENTRIES[kind])) == ["NOT_SUPPORTED"]
