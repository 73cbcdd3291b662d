"""GraphQL renames of mail users and aliases, over the same resolvers as ``change_email``."""

from __future__ import annotations

import strawberry

from gateway.resolvers import renames
from gateway.schema.types import Alias, GatewayInfo, User


@strawberry.type
class RenameMutation:
    @strawberry.mutation(
        description="Give a mail user a new address in its domain; its mail, forwardings, aliases and rights follow."
    )
    async def rename_user(self, info: GatewayInfo, email: str, new_email: str) -> User:
        return User(model=await renames.rename_user(ctx=info.context.resolver, email=email, new_email=new_email))

    @strawberry.mutation(
        description="Give a mail alias a new address in its domain; its members stay, memberships naming it follow."
    )
    async def rename_alias(self, info: GatewayInfo, address: str, new_address: str) -> Alias:
        return Alias(
            model=await renames.rename_alias(ctx=info.context.resolver, address=address, new_address=new_address)
        )
