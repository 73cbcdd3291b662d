"""``/api/throttle/{global|<domain>|<mail>}/{inbound|outbound}``."""

from __future__ import annotations

from typing import Any

from gateway.resolvers import throttles
from gateway.resolvers.context import Context
from gateway.resolvers.throttles import ThrottleInput
from gateway.rest import serialize, shapes
from gateway.rest.declare import INTEGER, ApiRoute, Param, PathValue, Values

TARGET = PathValue("target", "global, a domain name or an e-mail address", "example.com")
KIND = PathValue("kind", "inbound or outbound", "outbound")
PATH = "/throttle/{target}/{kind}"
LIMITS = (
    Param("msg_size", INTEGER, "Largest message in bytes (-1 = inherit, 0 = unlimited)"),
    Param("max_msgs", INTEGER, "Most messages per period (-1 = inherit, 0 = unlimited)"),
    Param("max_quota", INTEGER, "Most bytes per period (-1 = inherit, 0 = unlimited)"),
    Param("max_rcpts", INTEGER, "Most recipients per message (-1 = inherit, 0 = unlimited)"),
)
PERIOD = Param("period", INTEGER, "Length of the period in seconds", required=True, example="3600")


async def _get(ctx: Context, values: Values) -> dict[str, Any]:
    found = await throttles.get_throttle(ctx=ctx, target=values["target"], kind=values["kind"])
    return serialize.throttle(found)


async def _set(ctx: Context, values: Values) -> None:
    data = ThrottleInput(**{param.name: values[param.name] for param in (PERIOD, *LIMITS)})
    await throttles.set_throttle(ctx=ctx, target=values["target"], kind=values["kind"], data=data)


async def _delete(ctx: Context, values: Values) -> None:
    await throttles.delete_throttle(ctx=ctx, target=values["target"], kind=values["kind"])


ROUTES = (
    ApiRoute(
        "GET", PATH, "A throttle setting ({} when there is none)", _get,
        path_values=(TARGET, KIND), answers=shapes.THROTTLE,
    ),
    ApiRoute(
        "POST", PATH, "Create or replace a throttle setting; omitted limits are -1 (inherit)", _set,
        params=(PERIOD, *LIMITS), path_values=(TARGET, KIND), audit="update",
    ),
    ApiRoute("DELETE", PATH, "Delete a throttle setting and its tracking rows", _delete, path_values=(TARGET, KIND)),
)
