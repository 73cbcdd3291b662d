"""``/api/spampolicy/{global | domain/<domain> | user/<mail>}``: Amavisd spam policy."""

from __future__ import annotations

from typing import Any

from gateway.mailpolicy import FLAGS, SpamPolicy
from gateway.resolvers import spampolicy
from gateway.resolvers.context import Context
from gateway.resolvers.policy_targets import Scope
from gateway.resolvers.spampolicy import SpamPolicyInput, SpamPolicyView
from gateway.rest.declare import TEXT, YES_NO, ApiRoute, Param, PathValue, Values

_FLAG_HELP = {
    "bypass_spam_checks": "Skip spam scanning",
    "bypass_virus_checks": "Skip virus scanning",
    "bypass_banned_checks": "Skip banned file checks",
    "bypass_header_checks": "Skip bad header checks",
    "quarantine_spam": "Quarantine spam (no: deliver it)",
    "quarantine_virus": "Quarantine viruses (no: deliver them)",
    "quarantine_banned": "Quarantine mail with banned files (no: deliver it)",
    "quarantine_bad_header": "Quarantine mail with bad headers (no: deliver it)",
    "prefix_spam_in_subject": "Prefix the subject of spam with [SPAM]",
    "always_insert_x_spam_headers": "Add X-Spam-* headers to every scanned message",
}
PARAMS = (
    *(Param(name, YES_NO, _FLAG_HELP[name]) for name in FLAGS),
    Param("spam_score", TEXT, "Score from which mail is spam (0 to 1000)"),
    Param("banned_rulenames", TEXT, "Comma-separated names of amavisd.conf %banned_rules ('' for none)"),
)
DOMAIN = PathValue("domain", "A mail domain", "example.com")
MAIL = PathValue("mail", "A user's address", "user@example.com")


def policy_data(value: SpamPolicy) -> dict[str, Any]:
    data = value.as_dict()
    names = data["banned_rulenames"]
    data["banned_rulenames"] = None if names is None else ",".join(names)
    return data


def view(value: SpamPolicyView) -> dict[str, Any]:
    return {"account": value.account, "policy": policy_data(value.stored), "effective": policy_data(value.effective)}


def _name(scope: Scope, values: Values) -> str | None:
    return {"global": None, "domain": values.get("domain"), "user": values.get("mail")}[scope]


def _routes(scope: Scope, path: str, path_values: tuple[PathValue, ...]) -> tuple[ApiRoute, ...]:
    async def get(ctx: Context, values: Values) -> dict[str, Any]:
        return view(await spampolicy.get_spam_policy(ctx=ctx, scope=scope, name=_name(scope, values)))

    async def put(ctx: Context, values: Values) -> None:
        data = SpamPolicyInput(**{param.name: values[param.name] for param in PARAMS})
        await spampolicy.set_spam_policy(ctx=ctx, scope=scope, name=_name(scope, values), data=data)

    async def delete(ctx: Context, values: Values) -> None:
        await spampolicy.delete_spam_policy(ctx=ctx, scope=scope, name=_name(scope, values))

    return (
        ApiRoute(
            "GET", path, f"The {scope} spam policy: stored values and those in effect (null: inherited)", get,
            path_values=path_values,
        ),
        ApiRoute(
            "PUT", path, f"Set values of the {scope} spam policy; omitted ones stay as they are", put,
            params=PARAMS, path_values=path_values,
        ),
        ApiRoute("DELETE", path, f"Remove the {scope} spam policy: it inherits again", delete, path_values=path_values),
    )


ROUTES = (
    *_routes("global", "/spampolicy/global", ()),
    *_routes("domain", "/spampolicy/domain/{domain}", (DOMAIN,)),
    *_routes("user", "/spampolicy/user/{mail}", (MAIL,)),
)
