"""The root Mutation type: every write REST offers, through the same resolvers."""

from __future__ import annotations

import strawberry

from gateway.model import Actor, ThrottleKind
from gateway.request_context import end_session, start_session
from gateway.resolvers import admins, aliases, auth, domains, maillists, throttles, users
from gateway.schema import policy
from gateway.schema.address_groups import group_mutations
from gateway.schema.greylisting import GreylistingMutation
from gateway.schema.inputs import AdminInput, DomainInput, DomainUsersInput, ThrottleInput, UserInput
from gateway.schema.loaders import Loaders
from gateway.schema.renames import RenameMutation
from gateway.schema.routing import DomainRoutingInput
from gateway.schema.types import Admin, AdminAccount, Alias, Domain, GatewayInfo, MailingList, Throttle, User
from gateway.schema.user_routing import UserRoutingInput


def _act_as(info: GatewayInfo, actor: Actor | None) -> None:
    """Make the rest of the document (mutations run one after another) run as ``actor``."""
    resolver = info.context.resolver.acting_as(actor)
    info.context.resolver = resolver
    info.context.loaders = Loaders.build(resolver)


@strawberry.type
class Mutation(GreylistingMutation, RenameMutation):
    @strawberry.mutation(
        description="Log in; the session cookie is shared with /api. Later mutations of the document act as this admin."
    )
    async def login(self, info: GatewayInfo, username: str, password: str) -> Admin:
        ctx = info.context.resolver
        actor = await auth.login(ctx=ctx, username=username, password=password)
        if info.context.response is not None:
            await start_session(info.context.request, info.context.response, ctx, actor)
        _act_as(info, actor)
        return Admin(model=actor)

    @strawberry.mutation
    async def logout(self, info: GatewayInfo) -> bool:
        if info.context.response is not None:
            await end_session(info.context.request, info.context.response, info.context.resolver)
        _act_as(info, None)
        return True

    @strawberry.mutation
    async def create_domain(
        self, info: GatewayInfo, name: str, input: DomainInput | None = None, routing: DomainRoutingInput | None = None
    ) -> Domain:
        changes = (input or DomainInput()).to_changes()
        data = None if routing is None else routing.to_data()
        return Domain(
            model=await domains.create_domain(ctx=info.context.resolver, name=name, changes=changes, routing=data)
        )

    @strawberry.mutation(description="Change a domain; `routing` is written in the same transaction.")
    async def update_domain(
        self, info: GatewayInfo, name: str, input: DomainInput, routing: DomainRoutingInput | None = None
    ) -> Domain:
        changes, data = input.to_changes(), None if routing is None else routing.to_data()
        return Domain(
            model=await domains.update_domain(ctx=info.context.resolver, name=name, changes=changes, routing=data)
        )

    @strawberry.mutation
    async def delete_domain(self, info: GatewayInfo, name: str, keep_mailbox_days: int | None = None) -> bool:
        await domains.delete_domain(ctx=info.context.resolver, name=name, keep_mailbox_days=keep_mailbox_days)
        return True

    @strawberry.mutation
    async def create_user(self, info: GatewayInfo, email: str, input: UserInput) -> User:
        return User(model=await users.create_user(ctx=info.context.resolver, email=email, data=input.to_data()))

    @strawberry.mutation(description="Change a user; `routing` is written in the same transaction.")
    async def update_user(
        self, info: GatewayInfo, email: str, input: UserInput, routing: UserRoutingInput | None = None
    ) -> User:
        data = None if routing is None else routing.to_data()
        return User(
            model=await users.update_user(ctx=info.context.resolver, email=email, data=input.to_data(), routing=data)
        )

    @strawberry.mutation
    async def set_user_password(self, info: GatewayInfo, email: str, password: str) -> bool:
        await users.set_password(ctx=info.context.resolver, email=email, password=password)
        return True

    @strawberry.mutation
    async def delete_user(self, info: GatewayInfo, email: str, keep_mailbox_days: int | None = None) -> bool:
        await users.delete_user(ctx=info.context.resolver, email=email, keep_mailbox_days=keep_mailbox_days)
        return True

    @strawberry.mutation(description="Apply status, language or transport to every user of a domain.")
    async def update_domain_users(self, info: GatewayInfo, domain: str, input: DomainUsersInput) -> int:
        return await users.update_domain_users(ctx=info.context.resolver, domain=domain, data=input.to_data())

    @strawberry.mutation
    async def set_domain_users_password(self, info: GatewayInfo, domain: str, password: str) -> bool:
        await users.set_domain_password(ctx=info.context.resolver, domain=domain, password=password)
        return True

    create_alias, update_alias, delete_alias = group_mutations(
        Alias, aliases.create_alias, aliases.update_alias, aliases.delete_alias
    )
    create_mailing_list, update_mailing_list, delete_mailing_list = group_mutations(
        MailingList, maillists.create_maillist, maillists.update_maillist, maillists.delete_maillist
    )

    @strawberry.mutation(description="Create or replace the throttle of `global`, a domain or an address.")
    async def set_throttle(self, info: GatewayInfo, account: str, kind: ThrottleKind, input: ThrottleInput) -> Throttle:
        return Throttle(
            model=await throttles.set_throttle(
                ctx=info.context.resolver, target=account, kind=kind, data=input.to_data()
            )
        )

    @strawberry.mutation
    async def delete_throttle(self, info: GatewayInfo, account: str, kind: ThrottleKind) -> bool:
        await throttles.delete_throttle(ctx=info.context.resolver, target=account, kind=kind)
        return True

    @strawberry.mutation(description="Create a standalone admin (global admins only).")
    async def create_admin(self, info: GatewayInfo, email: str, input: AdminInput) -> AdminAccount:
        return AdminAccount(
            model=await admins.create_admin(ctx=info.context.resolver, email=email, data=input.to_data())
        )

    @strawberry.mutation(description="Change a standalone admin; a new password or disabling ends its sessions.")
    async def update_admin(self, info: GatewayInfo, email: str, input: AdminInput) -> AdminAccount:
        return AdminAccount(
            model=await admins.update_admin(ctx=info.context.resolver, email=email, data=input.to_data())
        )

    @strawberry.mutation
    async def delete_admin(self, info: GatewayInfo, email: str) -> bool:
        await admins.delete_admin(ctx=info.context.resolver, email=email)
        return True

    @strawberry.mutation(description="Add and remove a domain's admins (removeAll first); answers who manages it now.")
    async def set_domain_admins(
        self,
        info: GatewayInfo,
        domain: str,
        add: list[str] | None = None,
        remove: list[str] | None = None,
        remove_all: bool = False,
    ) -> list[str]:
        return await admins.set_domain_admins(
            ctx=info.context.resolver, domain=domain, add=add or [], remove=remove or [], remove_all=remove_all
        )

    set_spam_policy = strawberry.mutation(resolver=policy.set_spam_policy, description=policy.set_spam_policy.__doc__)
    delete_spam_policy = strawberry.mutation(
        resolver=policy.delete_spam_policy, description=policy.delete_spam_policy.__doc__
    )
    add_wblist_entries = strawberry.mutation(
        resolver=policy.add_wblist_entries, description=policy.add_wblist_entries.__doc__
    )
    remove_wblist_entries = strawberry.mutation(
        resolver=policy.remove_wblist_entries, description=policy.remove_wblist_entries.__doc__
    )
    clear_wblist = strawberry.mutation(resolver=policy.clear_wblist, description=policy.clear_wblist.__doc__)
