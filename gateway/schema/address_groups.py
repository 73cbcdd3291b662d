"""The create, update and delete mutations of an address group, an alias or a mailing list, over its resolvers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry

from gateway import model
from gateway.schema.inputs import AliasInput
from gateway.schema.types import Alias, GatewayInfo

Write = Callable[..., Awaitable[model.Alias]]


def group_mutations(
    kind: type[Alias], create: Write, update: Write, delete: Callable[..., Awaitable[None]]
) -> tuple[Alias, Alias, bool]:
    """The mutations over the ``create``, ``update`` and ``delete`` resolvers of a group, answering a ``kind``
    (typed, as strawberry types a field, by what it answers)."""

    async def create_group(info: GatewayInfo, email: str, input: AliasInput | None = None) -> Alias:
        data = (input or AliasInput()).to_data()
        return kind(model=await create(ctx=info.context.resolver, address=email, data=data))

    async def update_group(info: GatewayInfo, email: str, input: AliasInput) -> Alias:
        return kind(model=await update(ctx=info.context.resolver, address=email, data=input.to_data()))

    async def delete_group(info: GatewayInfo, email: str) -> bool:
        await delete(ctx=info.context.resolver, address=email)
        return True

    create_group.__annotations__["return"] = update_group.__annotations__["return"] = kind
    return (
        strawberry.mutation(resolver=create_group),
        strawberry.mutation(resolver=update_group),
        strawberry.mutation(resolver=delete_group),
    )
