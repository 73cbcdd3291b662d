from tests.rest.conftest import Api
from tests.schema.conftest import codes, data, gql


async def test_dashboard_query(admin_api: Api) -> None:
    await admin_api.call("POST", "/api/domain/example.com", defaultQuota="100")
    await admin_api.call("POST", "/api/user/john@example.com", password="Str0ng-Passw0rd!")
    await admin_api.call("POST", "/api/alias/team@example.com", members="john@example.com")
    result = await data(
        admin_api,
        """{ me { username isGlobal }
             domains(first: 10) { totalCount nodes { name userCount allocatedQuota usedQuota { bytes }
               users(first: 5) { totalCount nodes { email quota aliases forwardings usedQuota { bytes messages } } }
               inboundThrottle { period } } }
             stats { domains users aliases allocatedQuota } }""",
    )
    assert result["me"] == {"username": "postmaster@admins.test", "isGlobal": True}
    [domain] = result["domains"]["nodes"]
    assert domain["userCount"] == 1 and domain["allocatedQuota"] == 100
    [user] = domain["users"]["nodes"]
    assert user["aliases"] == ["team@example.com"] and user["forwardings"] == ["john@example.com"]
    assert result["stats"] == {"domains": 1, "users": 1, "aliases": 1, "allocatedQuota": 100}


async def test_unauthenticated_is_refused(api: Api) -> None:
    body = await gql(api, "{ domains { totalCount } }")
    assert codes(body) == ["LOGIN_REQUIRED"]
