"""``/api/wblist/{inbound,outbound}/{whitelist,blacklist}/{global | <domain> | <mail>}``."""

from __future__ import annotations

from gateway.mailpolicy import Colour, Direction
from gateway.resolvers import wblist
from gateway.resolvers.context import Context
from gateway.rest.declare import COMMA_LIST, ApiRoute, Param, PathValue, Values

TARGET = PathValue("target", "global, a domain name or an e-mail address", "example.com")
ADDRESSES = Param(
    "addresses", COMMA_LIST, "IP addresses, networks, user@domain, @domain, @.domain or @.", required=True
)
_WHAT = {"inbound": "senders", "outbound": "recipients"}


def _routes(direction: Direction, colour: Colour) -> tuple[ApiRoute, ...]:
    path = f"/wblist/{direction}/{colour}/{{target}}"
    what = f"{direction} {colour}"

    async def get(ctx: Context, values: Values) -> list[str]:
        found = await wblist.get_wblist(ctx=ctx, direction=direction, colour=colour, target=values["target"])
        return list(found)

    async def add(ctx: Context, values: Values) -> None:
        await wblist.add_to_wblist(
            ctx=ctx, direction=direction, colour=colour, target=values["target"], addresses=values["addresses"]
        )

    async def remove(ctx: Context, values: Values) -> None:
        await wblist.remove_from_wblist(
            ctx=ctx, direction=direction, colour=colour, target=values["target"], addresses=values["addresses"]
        )

    async def clear(ctx: Context, values: Values) -> None:
        await wblist.clear_wblist(ctx=ctx, direction=direction, colour=colour, target=values["target"])

    return (
        ApiRoute("GET", path, f"The {_WHAT[direction]} on the {what}", get, path_values=(TARGET,)),
        ApiRoute(
            "POST", path, f"Add {_WHAT[direction]} to the {what} (moving them off the other list)", add,
            params=(ADDRESSES,), path_values=(TARGET,),
        ),
        ApiRoute(
            "PUT", path, f"Remove {_WHAT[direction]} from the {what}", remove,
            params=(ADDRESSES,), path_values=(TARGET,),
        ),
        ApiRoute("DELETE", path, f"Empty the {what}", clear, path_values=(TARGET,)),
    )


ROUTES = tuple(
    route for direction in wblist.DIRECTIONS for colour in wblist.COLOURS for route in _routes(direction, colour)
)
