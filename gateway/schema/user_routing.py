"""A user's routing in GraphQL: the ``UserRouting`` object of ``User.routing`` and its input."""

from __future__ import annotations

import strawberry

from gateway import model
from gateway.resolvers.domain_routing import ListChange
from gateway.resolvers.user_routing import UserRoutingInput as RoutingData


@strawberry.type(description="Where a user's mail goes beyond its mailbox, its services and profile fields.")
class UserRouting:
    model: strawberry.Private[model.UserRouting]

    @strawberry.field(description="Forwarding targets; the user's own address keeps a copy (alone: no forwarding).")
    def forwardings(self) -> list[str]:
        return list(self.model.forwardings)

    @strawberry.field(description="Per-user alias addresses: mail to them reaches the user.")
    def alias_addresses(self) -> list[str]:
        return list(self.model.aliases)

    @strawberry.field
    def sender_bcc(self) -> str:
        return self.model.sender_bcc

    @strawberry.field
    def recipient_bcc(self) -> str:
        return self.model.recipient_bcc

    @strawberry.field(description="Enabled services (SQL: the documented enable<service> columns that are on).")
    def services(self) -> list[str]:
        return list(self.model.services)

    @strawberry.field
    def mailbox_format(self) -> str:
        return self.model.mailbox_format

    @strawberry.field
    def mailbox_folder(self) -> str:
        return self.model.mailbox_folder

    @strawberry.field(description="The absolute home directory Dovecot opens.")
    def maildir(self) -> str:
        return self.model.maildir

    @strawberry.field
    def first_name(self) -> str:
        return self.model.first_name

    @strawberry.field
    def last_name(self) -> str:
        return self.model.last_name

    @strawberry.field(description="LDAP only; empty on SQL.")
    def telephone_numbers(self) -> list[str]:
        return list(self.model.telephone)

    @strawberry.field(description="LDAP only; empty on SQL.")
    def mobile(self) -> list[str]:
        return list(self.model.mobile)


def _listed(given: list[str] | None, add: list[str] | None, remove: list[str] | None) -> ListChange:
    return ListChange(None if given is None else tuple(given), tuple(add or ()), tuple(remove or ()))


@strawberry.input(description="Changes of a user's routing; null/absent keeps, an empty string or list removes.")
class UserRoutingInput:
    forwardings: list[str] | None = None
    add_forwardings: list[str] | None = None
    remove_forwardings: list[str] | None = None
    alias_addresses: list[str] | None = None
    add_alias_addresses: list[str] | None = None
    remove_alias_addresses: list[str] | None = None
    sender_bcc: str | None = None
    recipient_bcc: str | None = None
    services: list[str] | None = None
    add_services: list[str] | None = None
    remove_services: list[str] | None = None
    mailbox_format: str | None = None
    mailbox_folder: str | None = None
    maildir: str | None = strawberry.field(default=None, description="Global admins only; the mail is not moved.")
    first_name: str | None = None
    last_name: str | None = None
    telephone_numbers: list[str] | None = strawberry.field(default=None, description="LDAP only.")
    mobile: list[str] | None = strawberry.field(default=None, description="LDAP only.")

    def to_data(self) -> RoutingData:
        return RoutingData(
            forwardings=_listed(self.forwardings, self.add_forwardings, self.remove_forwardings),
            aliases=_listed(self.alias_addresses, self.add_alias_addresses, self.remove_alias_addresses),
            sender_bcc=self.sender_bcc,
            recipient_bcc=self.recipient_bcc,
            services=_listed(self.services, self.add_services, self.remove_services),
            mailbox_format=self.mailbox_format,
            mailbox_folder=self.mailbox_folder,
            maildir=self.maildir,
            first_name=self.first_name,
            last_name=self.last_name,
            telephone=None if self.telephone_numbers is None else tuple(self.telephone_numbers),
            mobile=None if self.mobile is None else tuple(self.mobile),
        )
