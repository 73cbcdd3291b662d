"""Resolver results as the API's JSON data. Password hashes are never part of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gateway.model import Alias, Domain, DomainRouting, DomainUsage, Throttle, User, UserRouting
from gateway.resolvers.domain_routing import primary_mx


def time(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else None


def _status(active: bool) -> str:
    return "active" if active else "disabled"


def routing(domain: Domain, value: DomainRouting) -> dict[str, Any]:
    """Alias domains, catch-all, backup MX, relay, BCC, services and switches (``catchall`` always a list)."""
    return {
        "aliasDomains": list(value.alias_domains),
        "catchall": list(value.catchall),
        "primarymx": primary_mx(domain.name, domain.transport) if domain.backupmx else "",
        "outboundRelay": value.relayhost,
        "senderBcc": value.sender_bcc,
        "recipientBcc": value.recipient_bcc,
        "services": list(value.services),
        "disabledDomainProfiles": list(value.disabled_domain_profiles),
        "disabledUserProfiles": list(value.disabled_user_profiles),
        "disabledUserPreferences": list(value.disabled_user_preferences),
    }


def domain(value: Domain, usage: DomainUsage | None = None, extras: DomainRouting | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "domain": value.name,
        "name": value.description,
        "accountStatus": _status(value.active),
        "quota": value.quota,
        "language": value.default_language,
        "transport": value.transport,
        "backupmx": value.backupmx,
        "defaultQuota": value.default_user_quota,
        "maxUserQuota": value.max_user_quota,
        "numberOfUsers": value.max_users,
        "numberOfAliases": value.max_aliases,
        "numberOfLists": value.max_lists,
        "minPasswordLength": value.min_password_length,
        "maxPasswordLength": value.max_password_length,
        "created": time(value.created),
        "modified": time(value.modified),
    }
    if usage is not None:
        data.update(
            users=usage.users,
            aliases=usage.aliases,
            allocatedQuota=usage.allocated_quota,
            usedBytes=usage.used_bytes,
            usedMessages=usage.used_messages,
        )
    if extras is not None:
        data.update(routing(value, extras))
    return data


def user_routing(value: UserRouting) -> dict[str, Any]:
    """Per-user aliases, BCC, services and profile fields, under the names PUT takes."""
    return {
        "aliases": list(value.aliases),
        "senderBcc": value.sender_bcc,
        "recipientBcc": value.recipient_bcc,
        "services": list(value.services),
        "mailboxFormat": value.mailbox_format,
        "mailboxFolder": value.mailbox_folder,
        "gn": value.first_name,
        "sn": value.last_name,
        "telephoneNumber": list(value.telephone),
        "mobile": list(value.mobile),
    }


def user(value: User, extras: UserRouting | None = None) -> dict[str, Any]:
    return {
        "mail": value.email,
        "domain": value.domain,
        "name": value.name,
        "language": value.language,
        "quota": value.quota,
        "transport": value.transport,
        "accountStatus": _status(value.active),
        "employeeid": value.employee_id,
        "isAdmin": value.is_admin,
        "isGlobalAdmin": value.is_global_admin,
        "maildir": value.maildir,
        "forwardings": list(value.forwardings),
        "created": time(value.created),
        "modified": time(value.modified),
        "passwordLastChange": time(value.password_last_change),
        **({} if extras is None else user_routing(extras)),
    }


def alias(value: Alias) -> dict[str, Any]:
    return {
        "mail": value.address,
        "domain": value.domain,
        "name": value.name,
        "accessPolicy": value.access_policy,
        "accountStatus": _status(value.active),
        "members": list(value.members),
        "created": time(value.created),
    }


def throttle(value: Throttle | None) -> dict[str, Any]:
    if value is None:
        return {}
    return {
        "account": value.account,
        "kind": value.kind,
        "priority": value.priority,
        "period": value.period,
        "msg_size": value.msg_size,
        "max_msgs": value.max_msgs,
        "max_quota": value.max_quota,
        "max_rcpts": value.max_rcpts,
    }
