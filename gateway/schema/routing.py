"""A domain's routing in GraphQL: the ``DomainRouting`` object of ``Domain.routing`` and its input."""

from __future__ import annotations

from typing import Any

import strawberry

from gateway import model
from gateway.resolvers.domain_routing import ListChange, RoutingInput, primary_mx


def _stored_list(root: DomainRouting, info: strawberry.Info) -> list[str]:
    """The stored routing's value of the field's name."""
    return list(getattr(root.model, info.python_name))


def _stored_text(root: DomainRouting, info: strawberry.Info) -> str:
    """The stored routing's value of the field's name."""
    text: str = getattr(root.model, info.python_name)
    return text


def _backup_mx(root: DomainRouting) -> bool:
    return root.domain.backupmx


def _primary_mx(root: DomainRouting) -> str:
    return primary_mx(root.domain.name, root.domain.transport) if root.domain.backupmx else ""


def _outbound_relay(root: DomainRouting) -> str:
    return root.model.relayhost


@strawberry.type(description="Where a domain's mail goes beyond its accounts, and its domain-level switches.")
class DomainRouting:
    domain: strawberry.Private[model.Domain]
    model: strawberry.Private[model.DomainRouting]

    alias_domains: list[str] = strawberry.field(resolver=_stored_list)
    catchall: list[str] = strawberry.field(
        resolver=_stored_list, description="Where mail to unknown addresses goes; empty: nowhere (it bounces)."
    )
    backup_mx: bool = strawberry.field(
        resolver=_backup_mx, description="Relayed to the primary MX instead of delivered."
    )
    primary_mx: str = strawberry.field(
        resolver=_primary_mx, description="The backup MX's next hop; empty: the domain's MX records."
    )
    outbound_relay: str = strawberry.field(
        resolver=_outbound_relay, description="Relay host for mail its users send, like [192.0.2.1]:25."
    )
    sender_bcc: str = strawberry.field(resolver=_stored_text)
    recipient_bcc: str = strawberry.field(resolver=_stored_text)
    services: list[str] = strawberry.field(resolver=_stored_list)
    disabled_domain_profiles: list[str] = strawberry.field(resolver=_stored_list)
    disabled_user_profiles: list[str] = strawberry.field(resolver=_stored_list)
    disabled_user_preferences: list[str] = strawberry.field(resolver=_stored_list)


def list_change(given: list[str] | None, add: list[str] | None, remove: list[str] | None) -> ListChange:
    """The change of a list setting from an input's full list, additions and removals (None: not given)."""
    return ListChange(None if given is None else tuple(given), tuple(add or ()), tuple(remove or ()))


@strawberry.input
class BccAndServicesInput:
    """The routing fields of domains and users alike; never a field's type."""

    sender_bcc: str | None = None
    recipient_bcc: str | None = None
    services: list[str] | None = None
    add_services: list[str] | None = None
    remove_services: list[str] | None = None

    def bcc_and_services(self) -> dict[str, Any]:
        """The values of these fields, as both routing inputs' data take them."""
        return {
            "sender_bcc": self.sender_bcc,
            "recipient_bcc": self.recipient_bcc,
            "services": list_change(self.services, self.add_services, self.remove_services),
        }


@strawberry.input(description="Changes of a domain's routing; null/absent keeps, an empty string or list removes.")
class DomainRoutingInput(BccAndServicesInput):
    alias_domains: list[str] | None = None
    add_alias_domains: list[str] | None = None
    remove_alias_domains: list[str] | None = None
    catchall: list[str] | None = None
    backup_mx: bool | None = None
    primary_mx: str | None = None
    outbound_relay: str | None = None
    disable_domain_profiles: list[str] | None = None
    enable_domain_profiles: list[str] | None = None
    disable_user_profiles: list[str] | None = None
    enable_user_profiles: list[str] | None = None
    disable_user_preferences: list[str] | None = None
    enable_user_preferences: list[str] | None = None

    def to_data(self) -> RoutingInput:
        return RoutingInput(
            alias_domains=list_change(self.alias_domains, self.add_alias_domains, self.remove_alias_domains),
            catchall=None if self.catchall is None else tuple(self.catchall),
            backupmx=self.backup_mx,
            primary_mx=self.primary_mx,
            relayhost=self.outbound_relay,
            **self.bcc_and_services(),
            disabled_domain_profiles=list_change(None, self.disable_domain_profiles, self.enable_domain_profiles),
            disabled_user_profiles=list_change(None, self.disable_user_profiles, self.enable_user_profiles),
            disabled_user_preferences=list_change(None, self.disable_user_preferences, self.enable_user_preferences),
        )
