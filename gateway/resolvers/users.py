"""Mail users: create, read, update, delete, and bulk changes of a domain's users."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import anyio

from gateway import addresses
from gateway.clock import localnow
from gateway.errors import Conflict, ErrorCode, Forbidden, InvalidInput, NotFound
from gateway.maildir import maildir_path
from gateway.model import Domain, DomainUsage, NewUser, User, UserChanges, UserRouting
from gateway.passwords import hash_password, is_prehashed, reusable_hash
from gateway.resolvers import validation
from gateway.resolvers.access import exceeding_users, managed_address, require_account, require_domain
from gateway.resolvers.admin_limits import admin_bound
from gateway.resolvers.context import Context
from gateway.resolvers.domains import deletion_date, get_domain
from gateway.resolvers.lookup import found
from gateway.resolvers.password_policy import check_password
from gateway.resolvers.user_routing import UserRoutingInput, routing_update

DEFAULT_LANGUAGE = "en_US"


@dataclass
class AccountInput:
    """What a client gives about any account (user or standalone admin); ``None`` = not given.

    The account inputs are not frozen: GraphQL's inputs extend them.
    """

    name: str | None = None
    password: str | None = None
    password_hash: str | None = None
    language: str | None = None


@dataclass
class UserInput(AccountInput):
    """What a client gives to create or update a user; ``None`` = not given."""

    quota: int | None = None
    transport: str | None = None
    active: bool | None = None
    employee_id: str | None = None
    is_global_admin: bool | None = None


def _quota_check(quota: int | None) -> Callable[[Domain, DomainUsage, User | None], None]:
    """The domain's quota rules for a user getting ``quota`` MB (None: unchanged)."""

    def check(domain: Domain, usage: DomainUsage, current: User | None) -> None:
        if current is None and (domain.max_users == -1 or 0 < domain.max_users <= usage.users):
            raise Conflict(ErrorCode.EXCEEDED_DOMAIN_ACCOUNT_LIMIT)
        if quota is None:
            return
        if domain.max_user_quota and (quota == 0 or quota > domain.max_user_quota):
            raise Conflict(ErrorCode.EXCEEDED_MAX_USER_QUOTA)
        if domain.quota:
            others = usage.allocated_quota - (current.quota if current else 0)
            if quota == 0 or others + quota > domain.quota:
                raise Conflict(ErrorCode.EXCEEDED_DOMAIN_QUOTA_SIZE)

    return check


async def hash_input(ctx: Context, data: AccountInput, domain: Domain | None) -> str | None:
    """The hash to store of the given ``password`` (checked against the policy) or ``password_hash``; None: neither."""
    if data.password is not None and data.password_hash is not None:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "give password or password_hash, not both")
    if data.password_hash is not None:
        hashed = data.password_hash
        if not is_prehashed(hashed) or len(hashed) > 255 or not validation.is_storable(hashed):
            raise InvalidInput(ErrorCode.INVALID_PASSWORD_HASH)
        return data.password_hash
    if data.password is None:
        return None
    plain = check_password(data.password, ctx.settings, domain)
    return await ctx.in_thread(hash_password, plain, ctx.settings.default_password_scheme)


async def _domain_of(ctx: Context, email: str) -> Domain:
    domain = await ctx.domains.get_domain(addresses.domain_of(email))
    if domain is None:
        raise NotFound(ErrorCode.NO_SUCH_DOMAIN)
    return domain


async def get_user(*, ctx: Context, email: str) -> User:
    """One user of a domain the actor manages."""
    return found(await ctx.users.get_user(managed_address(ctx, email)))


async def get_routed_user(*, ctx: Context, email: str) -> tuple[User, UserRouting]:
    """One user of a domain the actor manages, with its routing."""
    return found(await ctx.users.get_routed_user(managed_address(ctx, email)))


async def list_users(*, ctx: Context, domain: str, active: bool | None = None) -> list[User]:
    """The users of a domain the actor manages."""
    listed = await get_domain(ctx=ctx, name=domain)
    return await ctx.users.list_users(listed.name, active=active)


async def new_user(*, ctx: Context, email: str, data: UserInput, domain: Domain | None = None) -> NewUser:
    """A mailbox with the domain's defaults, checked against every rule but the domain's limits, password hashed.

    ``domain`` is the address's domain when the caller has read it already.
    """
    email = addresses.mailbox_address(email)
    await require_account(ctx, email)  # rights left behind for that address would pass to the new mailbox
    if data.active is False:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "a new user is always created active")
    if domain is None or domain.name != addresses.domain_of(email):
        domain = await _domain_of(ctx, email)
    if data.password is None and data.password_hash is None:
        raise InvalidInput(ErrorCode.PW_EMPTY)
    quota = validation.quota(data.quota) if data.quota is not None else (
        domain.default_user_quota or domain.max_user_quota
    )
    name = validation.display_name(data.name) if data.name is not None else ""
    language = validation.language(data.language or "") or domain.default_language or DEFAULT_LANGUAGE
    transport = validation.transport(data.transport or "")
    employee_id = validation.display_name(data.employee_id) if data.employee_id is not None else ""
    password_hash = await hash_input(ctx, data, domain)
    assert password_hash is not None
    return NewUser(
        email=email,
        domain=domain.name,
        name=name,
        password_hash=password_hash,
        language=language,
        quota=quota,
        transport=transport,
        storage_base_directory=ctx.settings.storage_base_directory,
        storage_node=ctx.settings.storage_node,
        maildir=maildir_path(
            email, localnow(), root=f"{ctx.settings.storage_base_directory}/{ctx.settings.storage_node}/"
        ),
        employee_id=employee_id,
    )


async def create_user(*, ctx: Context, email: str, data: UserInput) -> User:
    """Create a mailbox with the domain's defaults, limits and password policy."""
    return await get_user(ctx=ctx, email=await add_user(ctx=ctx, email=email, data=data))


async def add_user(*, ctx: Context, email: str, data: UserInput) -> str:
    """``create_user`` without reading the mailbox back: its address."""
    user = await new_user(ctx=ctx, email=email, data=data)
    await _create_one(ctx, user)
    return user.email


async def _create_one(ctx: Context, user: NewUser) -> None:
    bound = await admin_bound(ctx, "users", quota=user.quota)
    # rows left by an earlier account of that address
    async with ctx.throttles.clearing(user.email), ctx.spam_policies.clearing(user.email):
        await ctx.users.create_user(user, _quota_check(user.quota), bound)


async def create_users(*, ctx: Context, users: Sequence[NewUser]) -> None:
    """Create mailboxes ``new_user`` made, of one domain, in one write within its limits: all or none.

    An admin with limits of its own creates them one at a time, each checked against those limits, so
    the ones before a refused one stay.
    """
    if not users:
        return
    domain = users[0].domain
    require_domain(ctx, domain)
    if any(user.domain != domain for user in users):
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "users created together share their domain")
    if await admin_bound(ctx, "users") is not None:
        for user in users:
            await _create_one(ctx, user)
        return
    emails = [user.email for user in users]
    async with ctx.throttles.clearing_accounts(emails), ctx.spam_policies.clearing_accounts(emails):
        await ctx.users.create_users([(user, _quota_check(user.quota)) for user in users])


async def update_user(
    *, ctx: Context, email: str, data: UserInput, routing: UserRoutingInput | None = None
) -> User:
    """Update a user's profile, status, quota or password; ``routing`` is written in the same write."""
    return await get_user(ctx=ctx, email=await change_user(ctx=ctx, email=email, data=data, routing=routing))


async def change_user(
    *, ctx: Context, email: str, data: UserInput, routing: UserRoutingInput | None = None
) -> str:
    """``update_user`` without reading the mailbox back: its address."""
    email = addresses.member_address(email)
    actor = await require_account(ctx, email)
    if data.is_global_admin and not actor.is_global:
        raise Forbidden(ErrorCode.PERMISSION_DENIED, "only a global admin may promote")
    if data.is_global_admin is False and email == actor.username:
        raise Forbidden(ErrorCode.PERMISSION_DENIED, "an admin cannot demote itself")
    # the domain's password policy applies to a new password; the store checks the domain itself
    domain = await _domain_of(ctx, email) if data.password is not None else None
    changes = UserChanges(
        name=None if data.name is None else validation.display_name(data.name),
        language=None if data.language is None else validation.language(data.language),
        quota=None if data.quota is None else validation.quota(data.quota),
        transport=None if data.transport is None else validation.transport(data.transport),
        active=data.active,
        employee_id=None if data.employee_id is None else validation.display_name(data.employee_id),
        password_hash=await hash_input(ctx, data, domain),
        is_global_admin=data.is_global_admin,
        routing=None if routing is None else await routing_update(ctx, actor, email, routing),
    )
    bound = None if changes.quota is None else await admin_bound(ctx, None, quota=changes.quota)
    await ctx.users.update_user(email, addresses.domain_of(email), changes, _quota_check(changes.quota), bound)
    if changes.password_hash is not None or changes.active is False or changes.is_global_admin is False:
        await ctx.sessions.delete_for([email])  # the account's sessions end, the caller's own included
    return email


async def set_password(*, ctx: Context, email: str, password: str | None, password_hash: str | None = None) -> None:
    """Change one user's password; giving neither a password nor a hash is an empty password (``PW_EMPTY``)."""
    if password is None and password_hash is None:
        password = ""
    await change_user(ctx=ctx, email=email, data=UserInput(password=password, password_hash=password_hash))


async def delete_user(*, ctx: Context, email: str, keep_mailbox_days: int | None = None) -> None:
    """Delete a user and the rows naming it; its mail stays on disk."""
    email = addresses.member_address(email)
    actor = await require_account(ctx, email)
    if email == actor.username:
        raise Forbidden(ErrorCode.PERMISSION_DENIED, "an admin cannot delete its own account")
    days = ctx.settings.mailbox_keep_days if keep_mailbox_days is None else keep_mailbox_days
    delete_date = deletion_date(days)
    async with ctx.throttles.clearing(email), ctx.spam_policies.clearing(email):
        await ctx.users.delete_user(email, admin=actor.username, delete_date=delete_date)
    await ctx.sessions.delete_for([email])


async def update_domain_users(*, ctx: Context, domain: str, data: UserInput) -> int:
    """Apply status, language, transport or password to every user of a domain; returns how many.

    Users whose rights exceed the actor's are skipped.
    """
    domain = addresses.domain_name(domain)
    actor = require_domain(ctx, domain)
    if data.name is not None or data.quota is not None or data.employee_id is not None:
        raise InvalidInput(
            ErrorCode.INVALID_PARAMETER, "only status, language, transport and password apply to all users"
        )
    changes = UserChanges(
        language=None if data.language is None else validation.language(data.language),
        transport=None if data.transport is None else validation.transport(data.transport),
        active=data.active,
    )
    if data.password is not None or data.password_hash is not None:
        await set_domain_password(ctx=ctx, domain=domain, password=data.password, password_hash=data.password_hash)
    elif await ctx.domains.get_domain(domain) is None:
        raise NotFound(ErrorCode.NO_SUCH_DOMAIN)
    skipped = await exceeding_users(ctx, actor, domain)
    updated = await ctx.users.update_domain_users(domain, changes, skip=skipped)
    if changes.active is False:
        await ctx.sessions.delete_for([e for e in await ctx.users.user_emails(domain) if e not in skipped])
    return updated


async def set_domain_password(
    *, ctx: Context, domain: str, password: str | None, password_hash: str | None = None
) -> None:
    """Give every user of a domain the same password, hashed per user when the scheme salts.

    Users whose rights exceed the actor's keep theirs.
    """
    domain = addresses.domain_name(domain)
    actor = require_domain(ctx, domain)
    target = await ctx.domains.get_domain(domain)
    if target is None:
        raise NotFound(ErrorCode.NO_SUCH_DOMAIN)
    data = UserInput(password=password, password_hash=password_hash)
    if password is None and password_hash is None:
        raise InvalidInput(ErrorCode.PW_EMPTY)
    skipped = await exceeding_users(ctx, actor, domain)
    emails = [email for email in await ctx.users.user_emails(domain) if email not in skipped]
    scheme = ctx.settings.default_password_scheme
    if password_hash is not None or reusable_hash(scheme):
        one = await hash_input(ctx, data, target)
        assert one is not None
        hashes = {email: one for email in emails}
    else:
        plain = check_password(password or "", ctx.settings, target)
        hashes = {}

        async def hash_for(email: str) -> None:
            hashes[email] = await ctx.in_thread(hash_password, plain, scheme)

        async with anyio.create_task_group() as group:
            for email in emails:
                group.start_soon(hash_for, email)
    await ctx.users.set_passwords(domain, hashes)
    await ctx.sessions.delete_for(hashes)
