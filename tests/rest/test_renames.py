"""Renaming mail users and aliases (``change_email``) on every storage: what follows, and what is refused."""

from __future__ import annotations

from typing import Any

import ldap3  # type: ignore[import-untyped]

from tests.rest.conftest import STRONG, Api
from tests.rest.test_cross_database import assert_refused_unchanged, closed_port, unreachable_iredapd
from tests.rest.test_sessions import client_on
from tests.storage import LdapStorage, fetch, run, set_used_quota

JOHN, JOHNNY = "john@example.com", "johnny@example.com"
BOB, CAROL = "bob@example.com", "carol@other.org"


async def ok(api: Api, method: str, path: str, **params: str) -> dict[str, Any]:
    response = await api.call(method, path, **params)
    assert response.status_code in (200, 201), (method, path, response.text)
    body: dict[str, Any] = response.json()
    return body


async def refused(api: Api, path: str) -> tuple[int, str]:
    response = await api.call("POST", path)
    return response.status_code, response.json()["msg"]


async def arrange(api: Api) -> Api:
    """``domain_api`` plus john@example.com with a forwarding, alias membership, a forwarding of bob's to it,
    admin rights on example.com, the domain's catch-all and BCC, iRedAPD and Amavisd rows and used quota."""
    await ok(api, "POST", f"/api/user/{JOHN}", password=STRONG, name="John")
    await ok(api, "POST", "/api/alias/team@example.com", members=f"{JOHN},{BOB}")
    await api.storage.add_forwarding(JOHN, CAROL)
    await api.storage.add_forwarding(BOB, JOHN)
    await api.storage.make_domain_admin(JOHN, "example.com")
    await ok(api, "PUT", "/api/domain/example.com", catchall=JOHN, senderBcc=JOHN)
    await ok(api, "POST", f"/api/throttle/{JOHN}/outbound", period="60", max_msgs="5")
    [throttle] = await api.rows("SELECT id FROM throttle WHERE account = :a", "iredapd", a=JOHN)
    await api.execute(
        "INSERT INTO throttle_tracking (tid, account, period) VALUES (:t, :a, 60)", "iredapd", t=throttle["id"], a=JOHN
    )
    await ok(api, "POST", f"/api/greylisting/{JOHN}", status="enable")
    await ok(api, "POST", f"/api/greylisting/{JOHN}/whitelists", senders="192.0.2.7")
    await ok(api, "PUT", f"/api/spampolicy/user/{JOHN}", bypass_virus_checks="yes")
    await ok(api, "POST", f"/api/wblist/inbound/blacklist/{JOHN}", addresses="spam@x.org")
    await set_used_quota(api.storage, JOHN, 4096, 3)
    return api


async def accounts_in(api: Api, database: str, sql: str) -> list[str]:
    return sorted(str(row["account"]) for row in await api.rows(sql, database))


async def test_a_renamed_user_takes_everything_along(domain_api: Api) -> None:
    api = await arrange(domain_api)
    before = await api.storage.user(JOHN)
    assert before is not None
    async with client_on(api) as johns:
        response = await johns.post("/api/login", data={"username": JOHN, "password": STRONG})
        assert response.status_code == 200, response.text

        assert await ok(api, "POST", f"/api/user/{JOHN}/change_email/{JOHNNY}") == {"success": True}

        assert (await johns.get(f"/api/user/{BOB}")).json()["msg"] == "LOGIN_REQUIRED"  # its sessions ended
    assert await api.storage.user(JOHN) is None
    after = await api.storage.user(JOHNNY)
    assert after is not None
    assert (after.name, after.home, after.password) == (before.name, before.home, before.password)  # mail stays
    assert after.forwardings == (CAROL, JOHNNY)
    bob = await api.storage.user(BOB)
    assert bob is not None and bob.forwardings == (BOB, JOHNNY)
    team = await api.storage.alias("team@example.com")
    assert team is not None and team.members == (BOB, JOHNNY)
    domain = (await ok(api, "GET", "/api/domain/example.com"))["data"]
    assert (domain["catchall"], domain["senderBcc"]) == ([JOHNNY], JOHNNY)
    assert (await ok(api, "GET", f"/api/user/{JOHNNY}"))["data"]["isAdmin"] is True

    assert await accounts_in(api, "iredapd", "SELECT account FROM throttle") == [JOHNNY]
    assert await accounts_in(api, "iredapd", "SELECT account FROM throttle_tracking") == [JOHNNY]
    assert await accounts_in(api, "iredapd", "SELECT account FROM greylisting") == [JOHNNY]
    assert await accounts_in(api, "iredapd", "SELECT account FROM greylisting_whitelists") == [JOHNNY]
    policy = (await ok(api, "GET", f"/api/spampolicy/user/{JOHNNY}"))["data"]["policy"]
    assert policy["bypass_virus_checks"] is True
    assert await api.rows("SELECT policy_name FROM policy", "amavisd") == [{"policy_name": JOHNNY}]
    assert (await ok(api, "GET", f"/api/wblist/inbound/blacklist/{JOHNNY}"))["data"] == ["spam@x.org"]
    used = await fetch(api.storage.ancillary, "SELECT username, bytes FROM used_quota")
    assert used == [{"username": JOHNNY, "bytes": 4096}]

    assert (await api.login(JOHN, STRONG)).status_code == 401
    assert (await api.login(JOHNNY, STRONG)).status_code == 200  # the admin rights came along
    assert (await ok(api, "GET", "/api/domains", name_only="yes"))["data"] == ["example.com"]


async def test_the_rename_is_in_the_admin_log(domain_api: Api) -> None:
    await ok(domain_api, "POST", f"/api/user/{BOB}/change_email/robert@example.com")
    await ok(domain_api, "POST", "/api/alias/crew@example.com", members="robert@example.com")
    await ok(domain_api, "POST", "/api/alias/crew@example.com/change_email/band@example.com")
    rows = await fetch(domain_api.storage.ancillary, "SELECT event, msg, username FROM log WHERE event = 'update'")
    assert rows == [
        {"event": "update", "msg": f"[API] Update user address: {BOB}, robert@example.com.", "username": BOB},
        {
            "event": "update",
            "msg": "[API] Update mail alias address: crew@example.com, band@example.com.",
            "username": "crew@example.com",
        },
    ]


async def test_refused_renames_write_nothing(domain_api: Api) -> None:
    api = await arrange(domain_api)
    before = await api.snapshot()
    for path, answer in [
        (f"/api/user/{JOHN}/change_email/johnny@other.org", (400, "CANNOT_CHANGE_DOMAIN")),
        (f"/api/user/{JOHN}/change_email/{BOB}", (409, "ALREADY_EXISTS")),
        (f"/api/user/{JOHN}/change_email/team@example.com", (409, "ALREADY_EXISTS")),
        (f"/api/user/{JOHN}/change_email/{JOHN}", (409, "ALREADY_EXISTS")),
        (f"/api/user/{JOHN}/change_email/jo hn@example.com", (400, "INVALID_MAIL")),
        (f"/api/user/{JOHN}/change_email/johnny", (400, "INVALID_MAIL")),
        (f"/api/user/{JOHN}/change_email/jo+hn@example.com", (400, "INVALID_MAIL")),
        (f"/api/user/ghost@example.com/change_email/{JOHNNY}", (404, "NO_SUCH_ACCOUNT")),
        (f"/api/user/team@example.com/change_email/{JOHNNY}", (404, "NO_SUCH_ACCOUNT")),
        ("/api/user/x@nowhere.org/change_email/y@nowhere.org", (404, "NO_SUCH_DOMAIN")),
        (f"/api/alias/team@example.com/change_email/{BOB}", (409, "ALREADY_EXISTS")),
        ("/api/alias/team@example.com/change_email/team@other.org", (400, "CANNOT_CHANGE_DOMAIN")),
        (f"/api/alias/{JOHN}/change_email/crew@example.com", (404, "NO_SUCH_ACCOUNT")),
    ]:
        assert await refused(api, path) == answer, path
    assert await api.snapshot() == before


async def test_a_domain_admin_renames_within_its_rights_only(domain_api: Api) -> None:
    api = await arrange(domain_api)
    await ok(api, "POST", "/api/user/gadmin@example.com", password=STRONG)
    await ok(api, "PUT", "/api/user/gadmin@example.com", isGlobalAdmin="yes")
    assert (await api.login(JOHN, STRONG)).status_code == 200
    before = await api.snapshot()
    for path in (
        "/api/user/gadmin@example.com/change_email/g@example.com",
        f"/api/user/{CAROL}/change_email/caro@other.org",
    ):
        assert await refused(api, path) == (403, "PERMISSION_DENIED"), path
    assert await api.snapshot() == before
    await ok(api, "POST", f"/api/user/{BOB}/change_email/robert@example.com")
    await ok(api, "POST", "/api/alias/team@example.com/change_email/staff@example.com")
    assert await api.storage.user("robert@example.com") is not None


async def test_an_unreachable_iredapd_refuses_the_rename(domain_api: Api) -> None:
    api = await arrange(domain_api)
    with closed_port() as port:
        dsn = unreachable_iredapd(api.kind, port)
        await assert_refused_unchanged(api, dsn, "POST", f"/api/user/{JOHN}/change_email/{JOHNNY}", {})


async def test_rows_left_for_the_new_address_give_way(domain_api: Api) -> None:
    """Rows an earlier johnny@example.com left in iredapd and amavisd are not the renamed user's."""
    api = await arrange(domain_api)
    await ok(api, "POST", f"/api/throttle/{BOB}/inbound", period="30")
    await ok(api, "PUT", f"/api/spampolicy/user/{BOB}", bypass_spam_checks="yes")
    await api.execute("UPDATE throttle SET account = :n WHERE account = :o", "iredapd", n=JOHNNY, o=BOB)
    await api.execute("UPDATE policy SET policy_name = :n WHERE policy_name = :o", "amavisd", n=JOHNNY, o=BOB)
    await api.execute("UPDATE users SET email = :n WHERE email = :o", "amavisd", n=JOHNNY.encode(), o=BOB.encode())
    await ok(api, "POST", f"/api/user/{JOHN}/change_email/{JOHNNY}")
    throttles = await api.rows("SELECT account, kind FROM throttle", "iredapd")
    assert throttles == [{"account": JOHNNY, "kind": "outbound"}]
    policy = (await ok(api, "GET", f"/api/spampolicy/user/{JOHNNY}"))["data"]["policy"]
    assert (policy["bypass_virus_checks"], policy["bypass_spam_checks"]) == (True, None)


async def test_a_renamed_alias_keeps_its_members_and_memberships_follow(domain_api: Api) -> None:
    api = domain_api
    await ok(api, "POST", "/api/alias/team@example.com", members=f"{BOB},{CAROL}", name="Team")
    await ok(api, "POST", "/api/alias/crew@example.com", members="team@example.com")
    await api.storage.add_forwarding(BOB, "team@example.com")
    body = await ok(api, "POST", "/api/alias/team@example.com/change_email/staff@example.com")
    assert body == {"success": True}
    assert await api.storage.alias("team@example.com") is None
    staff = await api.storage.alias("staff@example.com")
    assert staff is not None and (staff.name, staff.members, staff.active) == ("Team", (BOB, CAROL), True)
    crew = await api.storage.alias("crew@example.com")
    assert crew is not None and crew.members == ("staff@example.com",)
    bob = await api.storage.user(BOB)
    assert bob is not None and bob.forwardings == (BOB, "staff@example.com")
    assert (await ok(api, "GET", "/api/alias/staff@example.com"))["data"]["members"] == [BOB, CAROL]


# What each storage keeps beyond the API's reach


async def test_sql_rows_naming_the_user_follow(sql_domain_api: Api) -> None:
    api = await arrange(sql_domain_api)
    await api.execute(
        "INSERT INTO forwardings (address, forwarding, domain, dest_domain, is_alias, active)"
        " VALUES ('jo@example.com', :u, 'example.com', 'example.com', 1, 1)", u=JOHN,
    )  # fmt: skip
    for table in ("sender_bcc_user", "recipient_bcc_user"):
        await api.execute(
            f"INSERT INTO {table} (username, bcc_address, domain, active) VALUES (:u, :b, 'example.com', 1)",
            u=JOHN, b=BOB,
        )  # fmt: skip
    await api.execute("UPDATE recipient_bcc_user SET bcc_address = :u WHERE 1 = 1", u=JOHN)  # a BCC target too
    await api.execute(
        "INSERT INTO moderators (address, moderator, domain, dest_domain)"
        " VALUES ('team@example.com', :u, 'example.com', 'example.com')", u=JOHN,
    )  # fmt: skip
    await api.execute(
        "INSERT INTO maillist_owners (address, owner, domain, dest_domain)"
        " VALUES ('list@example.com', :u, 'example.com', 'example.com')", u=JOHN,
    )  # fmt: skip
    await api.execute("INSERT INTO sender_relayhost (account, relayhost) VALUES (:u, :r)", u=JOHN, r="[192.0.2.5]:25")

    await ok(api, "POST", f"/api/user/{JOHN}/change_email/{JOHNNY}")

    rows = await api.rows(
        "SELECT address, forwarding, domain, dest_domain FROM forwardings WHERE address = :u OR forwarding = :u"
        " ORDER BY address, forwarding", u=JOHNNY,
    )  # fmt: skip
    assert [(row["address"], row["forwarding"]) for row in rows] == [
        ("bob@example.com", JOHNNY), ("example.com", JOHNNY), ("jo@example.com", JOHNNY),
        (JOHNNY, CAROL), (JOHNNY, JOHNNY), ("team@example.com", JOHNNY),
    ]  # fmt: skip
    assert {(row["domain"], row["dest_domain"]) for row in rows if row["forwarding"] != CAROL} == {
        ("example.com", "example.com")
    }
    assert await api.rows("SELECT * FROM forwardings WHERE address = :u OR forwarding = :u", u=JOHN) == []
    for table in ("sender_bcc_user", "recipient_bcc_user"):
        assert [row["username"] for row in await api.rows(f"SELECT username FROM {table}")] == [JOHNNY], table
    assert [row["bcc_address"] for row in await api.rows("SELECT bcc_address FROM recipient_bcc_user")] == [JOHNNY]
    assert [row["bcc_address"] for row in await api.rows("SELECT bcc_address FROM sender_bcc_domain")] == [JOHNNY]
    assert [row["moderator"] for row in await api.rows("SELECT moderator FROM moderators")] == [JOHNNY]
    assert [row["owner"] for row in await api.rows("SELECT owner FROM maillist_owners")] == [JOHNNY]
    assert [row["account"] for row in await api.rows("SELECT account FROM sender_relayhost")] == [JOHNNY]
    admins = await api.rows("SELECT username, domain FROM domain_admins WHERE domain <> 'ALL'")
    assert admins == [{"username": JOHNNY, "domain": "example.com"}]
    [mailbox] = await api.rows("SELECT username, domain, maildir FROM mailbox WHERE username = :u", u=JOHNNY)
    assert mailbox["maildir"].startswith("example.com/j/o/h/john-")
    amavisd = await api.rows("SELECT email FROM users", "amavisd")
    assert [row["email"] if isinstance(row["email"], str) else bytes(row["email"]).decode() for row in amavisd] == [
        JOHNNY
    ]


async def test_ldap_values_naming_the_user_follow(ldap_domain_api: Api) -> None:
    api = ldap_domain_api
    storage = api.storage
    assert isinstance(storage, LdapStorage)
    await ok(api, "PUT", "/api/domain/example.com", addAliasDomain="alias.test")
    api = await arrange(api)
    tree = storage.tree
    storage.modify(tree.user_dn(JOHN), {"shadowAddress": [(ldap3.MODIFY_ADD, ["jo@example.com"])]})
    await ok(api, "POST", "/api/maillist/list@example.com", members=JOHN)
    storage.modify(tree.list_dn("list@example.com"), {"listModerator": [(ldap3.MODIFY_ADD, [JOHN])]})
    storage.modify(tree.user_dn(BOB), {"userRecipientBccAddress": [(ldap3.MODIFY_REPLACE, [JOHN])]})

    await ok(api, "POST", f"/api/user/{JOHN}/change_email/{JOHNNY}")

    assert storage.entry(tree.user_dn(JOHN)) is None
    entry = storage.entry(tree.user_dn(JOHNNY))
    assert entry is not None
    assert (entry["mail"], entry["uid"]) == ([JOHNNY], ["johnny"])
    assert sorted(entry["shadowaddress"]) == ["jo@example.com", "johnny@alias.test"]
    assert sorted(entry["mailforwardingaddress"]) == [CAROL, JOHNNY]
    assert "domainadmin" in entry["enabledservice"]
    domain = storage.entry(tree.domain_dn("example.com"))
    assert domain is not None and JOHNNY in domain["domainadmin"] and JOHN not in domain["domainadmin"]
    listed = storage.entry(tree.list_dn("list@example.com"))
    assert listed is not None and listed["listmoderator"] == [JOHNNY]
    maillist = await storage.maillist("list@example.com")
    assert maillist is not None and maillist.members == (JOHNNY,)
    bob = storage.entry(tree.user_dn(BOB))
    assert bob is not None and bob["userrecipientbccaddress"] == [JOHNNY]


async def test_ldap_alias_entry_moves_within_its_container(ldap_domain_api: Api) -> None:
    api, storage = ldap_domain_api, ldap_domain_api.storage
    assert isinstance(storage, LdapStorage)
    await ok(api, "PUT", "/api/domain/example.com", addAliasDomain="alias.test")
    await ok(api, "POST", "/api/alias/team@example.com", members=BOB)
    await ok(api, "POST", "/api/alias/team@example.com/change_email/staff@example.com")
    entry = storage.entry(storage.tree.alias_dn("staff@example.com"))
    assert entry is not None and entry["mail"] == ["staff@example.com"]
    assert entry["shadowaddress"] == ["staff@alias.test"]
    assert storage.entry(storage.tree.alias_dn("team@example.com")) is None


async def test_ldap_rename_is_undone_when_a_later_step_fails(ldap_domain_api: Api) -> None:
    """iRedAdmin's used_quota table missing: the moved entry and the rewritten values are put back."""
    api = await arrange(ldap_domain_api)
    storage = api.storage
    assert isinstance(storage, LdapStorage)
    before = await api.snapshot()
    await run(storage.ancillary, "ALTER TABLE used_quota RENAME TO used_quota_away")
    try:
        response = await api.call("POST", f"/api/user/{JOHN}/change_email/{JOHNNY}")
    finally:
        await run(storage.ancillary, "ALTER TABLE used_quota_away RENAME TO used_quota")
    assert (response.status_code, response.json()["msg"]) == (500, "INTERNAL_ERROR")
    assert await api.snapshot() == before
