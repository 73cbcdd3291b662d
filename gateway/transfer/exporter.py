"""Reading accounts through the resolvers as records an import reproduces.

Users carry their stored password hash (``password_hash``), so the file is
as sensitive as the database. Values equal to what an import would set
anyway are left out: a domain's total quota of 0, a user forwarding only to
itself, an alias's empty access policy.
"""

from __future__ import annotations

from collections.abc import Sequence

from gateway.model import Domain, User
from gateway.resolvers import aliases, domains, password_hashes, throttles, users
from gateway.resolvers.context import Context
from gateway.transfer.records import FIELDS, Kind, Record

BATCH = 500
LIMITS = ("msg_size", "max_msgs", "max_quota", "max_rcpts")


def _domain(domain: Domain) -> Record:
    values = {name: getattr(domain, name) for name in FIELDS[Kind.DOMAIN] if name != "domain"}
    if not values["quota"]:
        del values["quota"]  # iRedMail's LDAP backend has none; 0 is the default everywhere
    return Record(Kind.DOMAIN, {"domain": domain.name, **values}, domain.name)


def _user(user: User, password_hash: str | None) -> Record:
    values = {name: getattr(user, name) for name in ("name", "language", "quota", "transport", "active", "employee_id")}
    if password_hash:
        values["password_hash"] = password_hash
    return Record(Kind.USER, {"email": user.email, **values}, user.email)


async def export_records(ctx: Context, only: Sequence[str] = ()) -> list[Record]:
    """Every domain the actor manages (or those of ``only``) with its users, aliases, forwardings and throttles.

    The server-wide throttles come along when the actor is a global admin and no domain is named.
    """
    found = await (domains.list_domains_named(ctx=ctx, names=list(only)) if only else domains.list_domains(ctx=ctx))
    records: list[Record] = []
    targets: list[str] = []
    if not only and ctx.actor is not None and ctx.actor.is_global:
        targets.append(throttles.GLOBAL)
    for domain in sorted(found, key=lambda item: item.name):
        records.append(_domain(domain))
        targets.append(domain.name)
        hashes = await password_hashes.domain_password_hashes(ctx=ctx, domain=domain.name)
        domain_users = await users.list_users(ctx=ctx, domain=domain.name)
        records += [_user(user, hashes.get(user.email)) for user in domain_users]
        targets += [user.email for user in domain_users]
        for alias in await aliases.list_aliases(ctx=ctx, domain=domain.name):
            values = {"address": alias.address, "name": alias.name, "active": alias.active}
            if alias.access_policy:
                values["access_policy"] = alias.access_policy
            records.append(Record(Kind.ALIAS, {**values, "members": tuple(sorted(alias.members))}, alias.address))
        for user in domain_users:
            if tuple(user.forwardings) != (user.email,):
                values = {"email": user.email, "targets": tuple(sorted(user.forwardings))}
                records.append(Record(Kind.FORWARDING, values, user.email))
    for start in range(0, len(targets), BATCH):
        for throttle in await throttles.list_throttles(ctx=ctx, targets=targets[start : start + BATCH]):
            target = throttles.GLOBAL if throttle.account == throttles.GLOBAL_ACCOUNT else throttle.account.lstrip("@")
            values = {"target": target, "kind": throttle.kind, "period": throttle.period}
            values.update({name: getattr(throttle, name) for name in LIMITS if getattr(throttle, name) != -1})
            records.append(Record(Kind.THROTTLE, values, target))
    return records
