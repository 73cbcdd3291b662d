"""``GET /api/ldif/<kind>/<name>``: one directory entry as LDIF on OpenLDAP, ``NOT_SUPPORTED`` on SQL.

The text is read back two ways: parsed here (RFC 2849: folded lines,
base64 values) and compared with the entry as slapd holds it, and handed
to OpenLDAP's own ``ldapadd`` after the entry is removed, which must put the
same entry back (its password hash aside, which no export carries).
"""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import ldap3  # type: ignore[import-untyped]
import pytest

from tests.ldap_server import program
from tests.rest.conftest import STRONG, Api, backend_api, logged_in, with_two_domains
from tests.storage import LdapStorage

DOMAIN_ADMIN = "boss@admins.test"
ADMIN = "other@admins.test"
NAME = "Jörg Müller: ∑ tests"  # non-ASCII, and a colon: base64 in LDIF
ENTRIES = {
    "domain": "example.com",
    "catchall": "example.com",
    "admin": ADMIN,
    "user": "bob@example.com",
    "maillist": "list@example.com",
    "alias": "team@example.com",
}


def directory(api: Api) -> LdapStorage:
    assert isinstance(api.storage, LdapStorage)
    return api.storage


def stored_dn(api: Api, kind: str, name: str) -> str:
    tree = directory(api).tree
    places = {
        "domain": tree.domain_dn,
        "catchall": lambda domain: f"mail=@{domain},{tree.container_dn(domain, 'Users')}",
        "admin": tree.admin_dn,
        "user": tree.user_dn,
        "maillist": tree.list_dn,
        "alias": tree.alias_dn,
    }
    return places[kind](name)


def parse_ldif(text: str) -> tuple[str, dict[str, list[str]]]:
    """The DN and attributes (lower-cased names, sorted values) of the one LDIF record ``text``."""
    assert text.endswith("\n") and not text.endswith("\n\n"), text
    lines: list[str] = []
    for line in text.split("\n")[:-1]:
        assert line, f"a blank line inside one record: {text!r}"
        assert len(line) <= 78, line
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    pairs = []
    for line in lines:
        name, _, rest = line.partition(":")
        value = base64.b64decode(rest[1:].strip()).decode() if rest.startswith(":") else rest.removeprefix(" ")
        pairs.append((name, value))
    (first, dn), *attributes = pairs
    assert first == "dn", text
    found: dict[str, list[str]] = {}
    for name, value in attributes:
        found.setdefault(name.lower(), []).append(value)
    return dn, {name: sorted(values) for name, values in found.items()}


async def ok(api: Api, method: str, path: str, **params: str) -> None:
    response = await api.call(method, path, **params)
    assert response.status_code in (200, 201), (method, path, response.text)


async def arrange(api: Api) -> Api:
    """Beside bob and carol: a catch-all, an alias, a list, a standalone admin; bob's name is non-ASCII."""
    await ok(api, "PUT", "/api/user/bob@example.com", name=NAME)
    await ok(api, "PUT", "/api/domain/example.com", catchall="bob@example.com")
    await ok(api, "POST", "/api/alias/team@example.com", members="bob@example.com")
    if api.kind == "ldap":
        await ok(api, "POST", "/api/maillist/list@example.com", members="bob@example.com,carol@other.org")
    await ok(api, "POST", f"/api/admin/{ADMIN}", password=STRONG, name=NAME)
    return api


async def export(api: Api, kind: str, name: str) -> str:
    response = await api.call("GET", f"/api/ldif/{kind}/{name}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True and isinstance(body["data"], str), body
    text: str = body["data"]
    return text


async def login_domain_admin(api: Api, domain: str = "example.com") -> None:
    await api.storage.add_admin(DOMAIN_ADMIN, STRONG)
    await api.storage.grant_domain(DOMAIN_ADMIN, domain)
    assert (await api.login(DOMAIN_ADMIN, STRONG)).status_code == 200


def refusal(code: str, status: int) -> tuple[int, dict[str, object]]:
    return status, {"success": False, "msg": code}


# OpenLDAP


@pytest.mark.parametrize(("kind", "name"), ENTRIES.items())
async def test_export_is_the_stored_entry_without_its_password(ldap_domain_api: Api, kind: str, name: str) -> None:
    api = await arrange(ldap_domain_api)
    text = await export(api, kind, name)
    dn, attributes = parse_ldif(text)
    expected = directory(api).entry(stored_dn(api, kind, name))
    assert expected is not None
    assert ldap3.utils.dn.safe_dn(dn).lower() == ldap3.utils.dn.safe_dn(stored_dn(api, kind, name)).lower()
    assert attributes == {key: value for key, value in expected.items() if key != "userpassword"}
    assert "userpassword" not in text.lower()
    assert text.replace("\n ", "").splitlines()[1].startswith("objectClass: "), text


async def test_password_hashes_are_left_out(ldap_domain_api: Api) -> None:
    api = await arrange(ldap_domain_api)
    for kind, name in (("user", "bob@example.com"), ("admin", ADMIN)):
        stored = directory(api).entry(stored_dn(api, kind, name))
        assert stored is not None and stored["userpassword"], kind
        text = await export(api, kind, name)
        assert "userpassword" not in parse_ldif(text)[1], kind
        assert stored["userpassword"][0] not in text
        assert base64.b64encode(stored["userpassword"][0].encode()).decode()[:20] not in text


async def test_non_ascii_values_are_base64(ldap_domain_api: Api) -> None:
    api = await arrange(ldap_domain_api)
    text = await export(api, "user", "bob@example.com")
    assert f"cn:: {base64.b64encode(NAME.encode()).decode()}" in text.replace("\n ", "")
    assert parse_ldif(text)[1]["cn"] == [NAME]


@pytest.mark.parametrize("kind", ["catchall", "admin", "user", "maillist", "alias"])
async def test_openldap_adds_the_export_back(ldap_domain_api: Api, kind: str) -> None:
    api = await arrange(ldap_domain_api)
    server = directory(api).server
    dn = stored_dn(api, kind, ENTRIES[kind])
    before = directory(api).entry(dn)
    assert before is not None
    text = await export(api, kind, ENTRIES[kind])
    conn = server.connection(server.root_dn, server.root_password)
    try:
        assert conn.delete(dn), conn.result
    finally:
        conn.unbind()
    added = subprocess.run(
        [program("ldapadd"), "-x", "-H", server.uri, "-D", server.root_dn, "-w", server.root_password],
        input=text,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    assert directory(api).entry(dn) == {key: value for key, value in before.items() if key != "userpassword"}


async def test_the_domain_export_is_the_domain_entry_alone(ldap_domain_api: Api) -> None:
    api = await arrange(ldap_domain_api)
    text = await export(api, "domain", "example.com")
    assert text.count("\ndn:") + text.startswith("dn:") == 1
    assert parse_ldif(text)[1]["domainname"] == ["example.com"]


async def test_names_are_matched_in_any_case(ldap_domain_api: Api) -> None:
    api = await arrange(ldap_domain_api)
    assert await export(api, "user", "Bob@Example.COM") == await export(api, "user", "bob@example.com")
    assert await export(api, "domain", "EXAMPLE.com") == await export(api, "domain", "example.com")


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/ldif/domain/nowhere.org", 404, "NO_SUCH_DOMAIN"),
        ("/api/ldif/catchall/nowhere.org", 404, "NO_SUCH_DOMAIN"),
        ("/api/ldif/catchall/other.org", 404, "NO_SUCH_ACCOUNT"),
        ("/api/ldif/user/nobody@example.com", 404, "NO_SUCH_ACCOUNT"),
        ("/api/ldif/user/team@example.com", 404, "NO_SUCH_ACCOUNT"),
        ("/api/ldif/alias/bob@example.com", 404, "NO_SUCH_ACCOUNT"),
        ("/api/ldif/maillist/team@example.com", 404, "NO_SUCH_ACCOUNT"),
        ("/api/ldif/admin/nobody@admins.test", 404, "NO_SUCH_ACCOUNT"),
        ("/api/ldif/admin/bob@example.com", 404, "NO_SUCH_ACCOUNT"),
        ("/api/ldif/user/not-an-address", 400, "INVALID_MAIL"),
        ("/api/ldif/domain/not_a_domain", 400, "INVALID_DOMAIN_NAME"),
    ],
)
async def test_unknown_entries_are_not_found(ldap_domain_api: Api, path: str, status: int, code: str) -> None:
    api = await arrange(ldap_domain_api)
    response = await api.call("GET", path)
    assert (response.status_code, response.json()) == refusal(code, status)


async def test_a_domain_admin_exports_its_domain(ldap_domain_api: Api) -> None:
    api = await arrange(ldap_domain_api)
    await login_domain_admin(api)
    for kind in ("domain", "catchall", "user", "maillist", "alias"):
        dn, _ = parse_ldif(await export(api, kind, ENTRIES[kind]))
        assert dn.lower() == stored_dn(api, kind, ENTRIES[kind]).lower(), kind


async def test_a_domain_admin_gets_nothing_beyond_its_rights(ldap_domain_api: Api) -> None:
    api = await arrange(ldap_domain_api)
    await ok(api, "POST", "/api/user/gadmin@example.com", password=STRONG)
    await ok(api, "POST", "/api/maillist/list@other.org", members="carol@other.org")
    await ok(api, "POST", "/api/alias/crew@other.org", members="carol@other.org")
    await ok(api, "PUT", "/api/domain/other.org", catchall="carol@other.org")
    await api.storage.make_global_admin("gadmin@example.com")
    await login_domain_admin(api)
    for path in [
        "/api/ldif/domain/other.org",
        "/api/ldif/catchall/other.org",
        "/api/ldif/user/carol@other.org",
        "/api/ldif/maillist/list@other.org",
        "/api/ldif/alias/crew@other.org",
        "/api/ldif/user/gadmin@example.com",
        f"/api/ldif/admin/{ADMIN}",
        f"/api/ldif/admin/{DOMAIN_ADMIN}",
    ]:
        response = await api.call("GET", path)
        assert (response.status_code, response.json()) == refusal("PERMISSION_DENIED", 403), path


async def test_the_pro_envelope_carries_the_text_as_data(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    async with backend_api(request, "ldap", tmp_path, api_envelope="pro") as opened:
        api = await arrange(await with_two_domains(await logged_in(opened)))
        response = await api.call("GET", "/api/ldif/alias/team@example.com")
        assert response.status_code == 200
        assert parse_ldif(response.json()["_data"])[1]["mail"] == ["team@example.com"]


# every backend


async def test_exports_need_a_session(domain_api: Api) -> None:
    assert (await domain_api.call("POST", "/api/logout")).status_code == 200
    for kind, name in ENTRIES.items():
        response = await domain_api.call("GET", f"/api/ldif/{kind}/{name}")
        assert (response.status_code, response.json()) == refusal("LOGIN_REQUIRED", 401), kind


# SQL


@pytest.mark.parametrize(("kind", "name"), ENTRIES.items())
async def test_exports_are_not_supported_on_sql(sql_domain_api: Api, kind: str, name: str) -> None:
    api = await arrange(sql_domain_api)
    response = await api.call("GET", f"/api/ldif/{kind}/{name}")
    assert (response.status_code, response.json()) == refusal("NOT_SUPPORTED", 400)
