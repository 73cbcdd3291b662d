"""``/api/maillist/<mail>``: mailing lists where the backend has them, ``NOT_SUPPORTED`` elsewhere."""

from __future__ import annotations

from gateway.resolvers import maillists
from gateway.rest.aliases import member_routes

ROUTES = member_routes(
    "/maillist/{mail}", "mailing list",
    get=maillists.get_maillist,
    create=maillists.create_maillist,
    update=maillists.update_maillist,
    delete=maillists.delete_maillist,
)
