"""/api/spampolicy: what the gateway writes, what it reads back, and what Amavisd makes of it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.amavisd_lookup import effective_policy
from tests.rest.conftest import STRONG, Api

BOB = "bob@example.com"


async def ok(api: Api, method: str, path: str, **params: str) -> dict[str, Any]:
    response = await api.call(method, path, **params)
    assert response.status_code in (200, 201), (method, path, response.text)
    body: dict[str, Any] = response.json()
    return body


async def refused(api: Api, method: str, path: str, status: int, code: str, **params: str) -> None:
    response = await api.call(method, path, **params)
    assert (response.status_code, response.json()["msg"]) == (status, code), (method, path, params)


async def policy_rows(api: Api) -> dict[str, dict[str, Any]]:
    rows = await api.rows(
        "SELECT users.email, users.priority, policy.* FROM users JOIN policy ON users.policy_id = policy.id",
        "amavisd",
    )
    return {bytes(row["email"]).decode(): row for row in rows}


async def three_levels(api: Api) -> None:
    """Global quarantines spam at 6.5 and prefixes; example.com delivers spam; bob skips spam checks."""
    await ok(
        api, "PUT", "/api/spampolicy/global", quarantine_spam="yes", spam_score="6.5", prefix_spam_in_subject="yes"
    )
    await ok(api, "PUT", "/api/spampolicy/domain/example.com", quarantine_spam="no", bypass_spam_checks="yes")
    await ok(api, "PUT", f"/api/spampolicy/user/{BOB}", bypass_spam_checks="no", banned_rulenames="ALLOW_MS_WORD")


async def test_each_level_is_stored_and_read_with_precedence(domain_api: Api) -> None:
    api = domain_api
    await three_levels(api)

    body = await ok(api, "GET", f"/api/spampolicy/user/{BOB}")
    data = body["data"]
    assert data["account"] == BOB
    assert {key: value for key, value in data["policy"].items() if value is not None} == {
        "bypass_spam_checks": False,
        "banned_rulenames": "ALLOW_MS_WORD",
    }
    effective = data["effective"]
    assert effective["bypass_spam_checks"] is False  # the user's "no" beats the domain's "yes"
    assert effective["quarantine_spam"] is False  # from the domain
    assert (effective["spam_score"], effective["prefix_spam_in_subject"]) == (6.5, True)  # from global
    assert effective["bypass_virus_checks"] is None  # set nowhere: amavisd.conf decides

    domain = (await ok(api, "GET", "/api/spampolicy/domain/example.com"))["data"]
    assert (domain["effective"]["bypass_spam_checks"], domain["effective"]["quarantine_spam"]) == (True, False)
    glob = (await ok(api, "GET", "/api/spampolicy/global"))["data"]
    assert glob["account"] == "@."
    assert glob["policy"] == glob["effective"]

    rows = await policy_rows(api)
    assert {email: (row["priority"], row["policy_name"]) for email, row in rows.items()} == {
        "@.": (0, "@."),
        "@example.com": (5, "@example.com"),
        BOB: (10, BOB),
    }
    assert (rows["@example.com"]["spam_lover"], rows["@example.com"]["spam_quarantine_to"]) == ("Y", "")
    assert (rows["@."]["spam_lover"], rows["@."]["spam_quarantine_to"]) == ("N", "spam-quarantine")
    assert rows[BOB]["bypass_spam_checks"] == "N"
    assert rows[BOB]["spam_lover"] is None  # not given: inherited


async def test_put_changes_only_the_values_given(domain_api: Api) -> None:
    api = domain_api
    await ok(api, "PUT", "/api/spampolicy/domain/example.com", quarantine_virus="yes", spam_score="5")
    await ok(api, "PUT", "/api/spampolicy/domain/example.com", quarantine_virus="no")
    stored = (await ok(api, "GET", "/api/spampolicy/domain/example.com"))["data"]["policy"]
    assert (stored["quarantine_virus"], stored["spam_score"]) == (False, 5.0)
    await ok(api, "PUT", "/api/spampolicy/domain/example.com", always_insert_x_spam_headers="yes", banned_rulenames="")
    stored = (await ok(api, "GET", "/api/spampolicy/domain/example.com"))["data"]["policy"]
    assert (stored["always_insert_x_spam_headers"], stored["banned_rulenames"]) == (True, "")


async def test_delete_lets_the_account_inherit_again(domain_api: Api) -> None:
    api = domain_api
    await three_levels(api)
    await ok(api, "DELETE", f"/api/spampolicy/user/{BOB}")
    effective = (await ok(api, "GET", f"/api/spampolicy/user/{BOB}"))["data"]["effective"]
    assert effective["bypass_spam_checks"] is True
    assert BOB not in await policy_rows(api)
    assert await api.rows("SELECT id FROM users WHERE policy_id = 0", "amavisd") == []
    await refused(api, "DELETE", f"/api/spampolicy/user/{BOB}", 404, "NO_SUCH_SPAM_POLICY")


BAD = [
    ("PUT", "/api/spampolicy/global", {"spam_score": "many"}, 400, "INVALID_SPAM_SCORE"),
    ("PUT", "/api/spampolicy/global", {"spam_score": "-1"}, 400, "INVALID_SPAM_SCORE"),
    ("PUT", "/api/spampolicy/global", {"spam_score": "1000.5"}, 400, "INVALID_SPAM_SCORE"),
    ("PUT", "/api/spampolicy/global", {"spam_score": "nan"}, 400, "INVALID_SPAM_SCORE"),
    ("PUT", "/api/spampolicy/global", {"bypass_spam_checks": "maybe"}, 400, "INVALID_PARAMETER"),
    ("PUT", "/api/spampolicy/global", {"quarantine_spam": ""}, 400, "INVALID_PARAMETER"),
    ("PUT", "/api/spampolicy/global", {"bypass_everything": "yes"}, 400, "INVALID_PARAMETER"),
    ("PUT", "/api/spampolicy/global", {}, 400, "INVALID_PARAMETER"),
    ("PUT", "/api/spampolicy/global", {"banned_rulenames": "A B"}, 400, "INVALID_BANNED_RULENAMES"),
    ("PUT", "/api/spampolicy/global", {"banned_rulenames": "A" * 65}, 400, "INVALID_BANNED_RULENAMES"),
    ("PUT", "/api/spampolicy/global", {"spam_score": "5", "quarantine_spam": "perhaps"}, 400, "INVALID_PARAMETER"),
    ("PUT", "/api/spampolicy/domain/nowhere.com", {"spam_score": "5"}, 404, "NO_SUCH_DOMAIN"),
    ("PUT", "/api/spampolicy/domain/not a domain", {"spam_score": "5"}, 400, "INVALID_DOMAIN_NAME"),
    ("PUT", "/api/spampolicy/user/nobody@example.com", {"spam_score": "5"}, 404, "NO_SUCH_ACCOUNT"),
    ("PUT", "/api/spampolicy/user/example.com", {"spam_score": "5"}, 400, "INVALID_MAIL"),
    ("GET", "/api/spampolicy/user/nobody@example.com", {}, 404, "NO_SUCH_ACCOUNT"),
    ("DELETE", "/api/spampolicy/domain/nowhere.com", {}, 404, "NO_SUCH_DOMAIN"),
    ("GET", "/api/spampolicy/server", {}, 404, "NOT_FOUND"),
    ("GET", "/api/spampolicy/alias/a@example.com", {}, 404, "NOT_FOUND"),
]


async def test_bad_input_is_refused_and_nothing_written(domain_api: Api) -> None:
    api = domain_api
    await three_levels(api)
    before = await api.snapshot()
    for method, path, params, status, code in BAD:
        await refused(api, method, path, status, code, **params)
    assert await api.snapshot() == before


async def test_deleting_accounts_removes_their_policies(domain_api: Api) -> None:
    api = domain_api
    await three_levels(api)
    await ok(api, "POST", "/api/user/ann@example.com", password=STRONG)
    await ok(api, "PUT", "/api/spampolicy/user/ann@example.com", quarantine_banned="no")
    await ok(api, "PUT", "/api/spampolicy/domain/other.org", quarantine_banned="yes")

    await ok(api, "DELETE", f"/api/user/{BOB}")
    assert set(await policy_rows(api)) == {"@.", "@example.com", "ann@example.com", "@other.org"}
    await ok(api, "DELETE", "/api/domain/example.com")
    assert set(await policy_rows(api)) == {"@.", "@other.org"}
    names = {row["policy_name"] for row in await api.rows("SELECT policy_name FROM policy", "amavisd")}
    assert names == {"@.", "@other.org"}

    # a new account of the same name starts without the old one's policy
    await ok(api, "POST", "/api/domain/example.com")
    assert (await ok(api, "GET", "/api/spampolicy/domain/example.com"))["data"]["policy"]["quarantine_spam"] is None


# --- what Amavisd itself reads -----------------------------------------------------------------


async def test_amavisd_applies_user_then_domain_then_global(sql_domain_api: Api) -> None:
    api = sql_domain_api
    await three_levels(api)
    await ok(api, "PUT", "/api/spampolicy/domain/other.org", bypass_virus_checks="yes", quarantine_virus="no")
    engine = api.storage.amavisd

    bob = await effective_policy(engine, BOB)
    assert bob["bypass_spam_checks"] == "N"  # the user's 'N' does not fall through to the domain's 'Y'
    assert (bob["spam_lover"], bob["spam_quarantine_to"]) == ("Y", "")  # the domain's "no": delivered
    assert (bob["spam_tag2_level"], bob["spam_kill_level"]) == (6.5, 6.5)  # global
    assert bob["spam_subject_tag2"] == "[SPAM] "
    assert bob["banned_rulenames"] == "ALLOW_MS_WORD"
    assert "virus_lover" not in bob and "bypass_virus_checks" not in bob  # amavisd.conf decides

    other_user = await effective_policy(engine, "carol@other.org")
    assert (other_user["bypass_virus_checks"], other_user["virus_lover"]) == ("Y", "Y")
    assert other_user["virus_quarantine_to"] == ""  # "no" is empty, not NULL: amavisd.conf's quarantine stays off
    assert (other_user["spam_lover"], other_user["spam_quarantine_to"]) == ("N", "spam-quarantine")  # global

    stranger = await effective_policy(engine, "someone@elsewhere.net")
    assert (stranger["spam_lover"], stranger["spam_tag2_level"]) == ("N", 6.5)
    assert "bypass_spam_checks" not in stranger


@pytest.mark.parametrize("flag", ["no", "yes"])
async def test_a_users_flag_overrides_the_domains_opposite(sql_domain_api: Api, flag: str) -> None:
    api = sql_domain_api
    opposite = "yes" if flag == "no" else "no"
    names = ("prefix_spam_in_subject", "quarantine_spam", "bypass_banned_checks", "always_insert_x_spam_headers")
    await ok(api, "PUT", "/api/spampolicy/global", **dict.fromkeys(names, opposite))
    await ok(api, "PUT", "/api/spampolicy/domain/example.com", **dict.fromkeys(names, opposite))
    await ok(api, "PUT", f"/api/spampolicy/user/{BOB}", **dict.fromkeys(names, flag))
    seen = await effective_policy(api.storage.amavisd, BOB)
    yes = flag == "yes"
    assert seen["spam_subject_tag2"] == ("[SPAM] " if yes else "")
    assert (seen["spam_lover"], seen["spam_quarantine_to"]) == (("N", "spam-quarantine") if yes else ("Y", ""))
    assert seen["bypass_banned_checks"] == ("Y" if yes else "N")
    assert seen["spam_tag_level"] == (-999 if yes else 2.0)
    effective = (await ok(api, "GET", f"/api/spampolicy/user/{BOB}"))["data"]["effective"]
    assert {name: effective[name] for name in names} == dict.fromkeys(names, yes)
