"""``/api/ldif/<kind>/<name>``: one directory entry as LDIF text (OpenLDAP; ``NOT_SUPPORTED`` on SQL)."""

from __future__ import annotations

from gateway.model import LdifKind
from gateway.resolvers import ldif
from gateway.resolvers.context import Context
from gateway.rest import shapes
from gateway.rest.declare import ApiRoute, PathValue, Values
from gateway.rest.fields import DOMAIN, MAIL

ADMIN_MAIL = PathValue("mail", "The standalone admin's e-mail address", "admin@example.net")
SUMMARIES = {
    LdifKind.DOMAIN: "The domain's own entry as LDIF",
    LdifKind.CATCHALL: "The domain's catch-all entry as LDIF",
    LdifKind.ADMIN: "A standalone admin's entry as LDIF",
    LdifKind.USER: "A mail user's entry as LDIF",
    LdifKind.MAILLIST: "A mailing list's entry as LDIF",
    LdifKind.ALIAS: "A mail alias's entry as LDIF",
}


def _path_value(kind: LdifKind) -> PathValue:
    if kind in (LdifKind.DOMAIN, LdifKind.CATCHALL):
        return DOMAIN
    return ADMIN_MAIL if kind is LdifKind.ADMIN else MAIL


def _route(kind: LdifKind, summary: str) -> ApiRoute:
    """``GET /ldif/<kind>/{domain or mail}``: the entry's text as the answer's data."""
    value = _path_value(kind)

    async def call(ctx: Context, values: Values) -> str:
        return await ldif.entry_ldif(ctx=ctx, kind=kind, name=values[value.name])

    return ApiRoute(
        "GET", f"/ldif/{kind.value}/{{{value.name}}}", summary, call, path_values=(value,), answers=shapes.LDIF
    )


ROUTES = tuple(_route(kind, summary) for kind, summary in SUMMARIES.items())
