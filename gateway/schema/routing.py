"""A domain's routing in GraphQL: the ``DomainRouting`` object of ``Domain.routing`` and its input."""

from __future__ import annotations

import strawberry

from gateway import model
from gateway.resolvers.domain_routing import ListChange, RoutingInput, primary_mx


@strawberry.type(description="Where a domain's mail goes beyond its accounts, and its domain-level switches.")
class DomainRouting:
    domain: strawberry.Private[model.Domain]
    model: strawberry.Private[model.DomainRouting]

    @strawberry.field
    def alias_domains(self) -> list[str]:
        return list(self.model.alias_domains)

    @strawberry.field(description="Where mail to unknown addresses goes; empty: nowhere (it bounces).")
    def catchall(self) -> list[str]:
        return list(self.model.catchall)

    @strawberry.field(description="Relayed to the primary MX instead of delivered.")
    def backup_mx(self) -> bool:
        return self.domain.backupmx

    @strawberry.field(description="The backup MX's next hop; empty: the domain's MX records.")
    def primary_mx(self) -> str:
        return primary_mx(self.domain.name, self.domain.transport) if self.domain.backupmx else ""

    @strawberry.field(description="Relay host for mail its users send, like [192.0.2.1]:25.")
    def outbound_relay(self) -> str:
        return self.model.relayhost

    @strawberry.field
    def sender_bcc(self) -> str:
        return self.model.sender_bcc

    @strawberry.field
    def recipient_bcc(self) -> str:
        return self.model.recipient_bcc

    @strawberry.field
    def services(self) -> list[str]:
        return list(self.model.services)

    @strawberry.field
    def disabled_domain_profiles(self) -> list[str]:
        return list(self.model.disabled_domain_profiles)

    @strawberry.field
    def disabled_user_profiles(self) -> list[str]:
        return list(self.model.disabled_user_profiles)

    @strawberry.field
    def disabled_user_preferences(self) -> list[str]:
        return list(self.model.disabled_user_preferences)


def _listed(given: list[str] | None, add: list[str] | None, remove: list[str] | None) -> ListChange:
    return ListChange(None if given is None else tuple(given), tuple(add or ()), tuple(remove or ()))


@strawberry.input(description="Changes of a domain's routing; null/absent keeps, an empty string or list removes.")
class DomainRoutingInput:
    alias_domains: list[str] | None = None
    add_alias_domains: list[str] | None = None
    remove_alias_domains: list[str] | None = None
    catchall: list[str] | None = None
    backup_mx: bool | None = None
    primary_mx: str | None = None
    outbound_relay: str | None = None
    sender_bcc: str | None = None
    recipient_bcc: str | None = None
    services: list[str] | None = None
    add_services: list[str] | None = None
    remove_services: list[str] | None = None
    disable_domain_profiles: list[str] | None = None
    enable_domain_profiles: list[str] | None = None
    disable_user_profiles: list[str] | None = None
    enable_user_profiles: list[str] | None = None
    disable_user_preferences: list[str] | None = None
    enable_user_preferences: list[str] | None = None

    def to_data(self) -> RoutingInput:
        return RoutingInput(
            alias_domains=_listed(self.alias_domains, self.add_alias_domains, self.remove_alias_domains),
            catchall=None if self.catchall is None else tuple(self.catchall),
            backupmx=self.backup_mx,
            primary_mx=self.primary_mx,
            relayhost=self.outbound_relay,
            sender_bcc=self.sender_bcc,
            recipient_bcc=self.recipient_bcc,
            services=_listed(self.services, self.add_services, self.remove_services),
            disabled_domain_profiles=_listed(None, self.disable_domain_profiles, self.enable_domain_profiles),
            disabled_user_profiles=_listed(None, self.disable_user_profiles, self.enable_user_profiles),
            disabled_user_preferences=_listed(None, self.disable_user_preferences, self.enable_user_preferences),
        )
