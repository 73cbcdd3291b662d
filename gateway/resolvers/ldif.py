"""LDIF export of one directory entry (OpenLDAP only; ``NOT_SUPPORTED`` on SQL).

Who may read which entry: the admins of a domain its entry, its catch-all,
its aliases and lists, and those of its users whose rights do not exceed
their own (a domain admin never reads a global admin's mailbox or the
mailbox of another domain's admin); global admins every entry, and they
alone the standalone admins (``o=domainAdmins``). Permission is checked
before the storage, so on SQL a refusal is still ``PERMISSION_DENIED``.
Password hashes are never part of the text: ``userPassword`` is left out, as
iRedAdmin-Pro's ``API_HIDDEN_*`` profiles leave it out of every answer.
"""

from __future__ import annotations

from gateway import addresses
from gateway.backends.base import LdifStore
from gateway.errors import ErrorCode, NotFound, NotSupported
from gateway.model import LdifKind
from gateway.resolvers.access import managed_address, require_account, require_domain, require_global
from gateway.resolvers.context import Context

HIDDEN = ("userPassword",)


async def _entry_name(ctx: Context, kind: LdifKind, name: str) -> str:
    """The validated domain or address that names the entry, once the actor may read it."""
    if kind in (LdifKind.DOMAIN, LdifKind.CATCHALL):
        domain = addresses.domain_name(name)
        require_domain(ctx, domain)
        return domain
    if kind is LdifKind.ADMIN:
        require_global(ctx)
        return addresses.member_address(name)
    address = managed_address(ctx, name)
    if kind is LdifKind.USER:
        await require_account(ctx, address)
    return address


def _store(ctx: Context) -> LdifStore:
    if ctx.ldif is None:
        raise NotSupported(ErrorCode.NOT_SUPPORTED, "LDIF export needs the LDAP backend")
    return ctx.ldif


async def entry_ldif(*, ctx: Context, kind: LdifKind, name: str) -> str:
    """The LDIF text of the entry of ``kind`` named ``name``, without password hashes."""
    name = await _entry_name(ctx, kind, name)
    text = await _store(ctx).entry_ldif(kind, name, hidden=HIDDEN)
    if text is not None:
        return text
    if kind is LdifKind.DOMAIN or (kind is LdifKind.CATCHALL and await ctx.domains.get_domain(name) is None):
        raise NotFound(ErrorCode.NO_SUCH_DOMAIN)
    raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
