"""The ``/api`` paths of iRedAdmin-Pro."""

from __future__ import annotations

from starlette.routing import Route

from gateway.rest import aliases, auth, domains, maillists, throttles, users


def api_routes() -> list[Route]:
    """Every route, relative to ``/api``."""
    return [
        Route("/login", auth.login, methods=["POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/domains", domains.list_domains, methods=["GET"]),
        Route("/domain/{domain}", domains.get_domain, methods=["GET"]),
        Route("/domain/{domain}", domains.create_domain, methods=["POST"]),
        Route("/domain/{domain}", domains.update_domain, methods=["PUT"]),
        Route("/domain/{domain}", domains.delete_domain, methods=["DELETE"]),
        Route("/domain/{domain}/keep_mailbox_days/{days:int}", domains.delete_domain, methods=["DELETE"]),
        Route("/user/{mail}", users.get_user, methods=["GET"]),
        Route("/user/{mail}", users.create_user, methods=["POST"]),
        Route("/user/{mail}", users.update_user, methods=["PUT"]),
        Route("/user/{mail}", users.delete_user, methods=["DELETE"]),
        Route("/user/{mail}/keep_mailbox_days/{days:int}", users.delete_user, methods=["DELETE"]),
        Route("/user/{mail}/password", users.set_password, methods=["PUT"]),
        Route("/users/{domain}", users.list_users, methods=["GET"]),
        Route("/users/{domain}", users.update_domain_users, methods=["PUT"]),
        Route("/users/{domain}/password", users.set_domain_password, methods=["PUT"]),
        Route("/alias/{mail}", aliases.get_alias, methods=["GET"]),
        Route("/alias/{mail}", aliases.create_alias, methods=["POST"]),
        Route("/alias/{mail}", aliases.update_alias, methods=["PUT"]),
        Route("/alias/{mail}", aliases.delete_alias, methods=["DELETE"]),
        Route("/aliases/{domain}", aliases.list_aliases, methods=["GET"]),
        Route("/maillist/{mail}", maillists.get_maillist, methods=["GET"]),
        Route("/maillist/{mail}", maillists.create_maillist, methods=["POST"]),
        Route("/maillist/{mail}", maillists.update_maillist, methods=["PUT"]),
        Route("/maillist/{mail}", maillists.delete_maillist, methods=["DELETE"]),
        Route("/throttle/{target}/{kind}", throttles.get_throttle, methods=["GET"]),
        Route("/throttle/{target}/{kind}", throttles.set_throttle, methods=["POST"]),
        Route("/throttle/{target}/{kind}", throttles.delete_throttle, methods=["DELETE"]),
    ]
