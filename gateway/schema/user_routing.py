"""A user's routing in GraphQL: the ``UserRouting`` object of ``User.routing`` and its input."""

from __future__ import annotations

import strawberry

from gateway import model
from gateway.resolvers.user_routing import UserRoutingInput as RoutingData
from gateway.schema.fields import model_field
from gateway.schema.routing import BccAndServicesInput, list_change


@strawberry.type(description="Where a user's mail goes beyond its mailbox, its services and profile fields.")
class UserRouting:
    model: strawberry.Private[model.UserRouting]

    forwardings = model_field(
        "forwardings", list[str], convert=list,
        description="Forwarding targets; the user's own address keeps a copy (alone: no forwarding).",
    )
    alias_addresses = model_field(
        "aliases", list[str], convert=list, description="Per-user alias addresses: mail to them reaches the user."
    )
    sender_bcc = model_field("sender_bcc", str)
    recipient_bcc = model_field("recipient_bcc", str)
    services = model_field(
        "services", list[str], convert=list,
        description="Enabled services (SQL: the documented enable<service> columns that are on).",
    )
    mailbox_format = model_field("mailbox_format", str)
    mailbox_folder = model_field("mailbox_folder", str)
    maildir = model_field("maildir", str, description="The absolute home directory Dovecot opens.")
    first_name = model_field("first_name", str)
    last_name = model_field("last_name", str)
    telephone_numbers = model_field("telephone", list[str], convert=list, description="LDAP only; empty on SQL.")
    mobile = model_field("mobile", list[str], convert=list, description="LDAP only; empty on SQL.")


@strawberry.input(description="Changes of a user's routing; null/absent keeps, an empty string or list removes.")
class UserRoutingInput(BccAndServicesInput):
    forwardings: list[str] | None = None
    add_forwardings: list[str] | None = None
    remove_forwardings: list[str] | None = None
    alias_addresses: list[str] | None = None
    add_alias_addresses: list[str] | None = None
    remove_alias_addresses: list[str] | None = None
    mailbox_format: str | None = None
    mailbox_folder: str | None = None
    maildir: str | None = strawberry.field(default=None, description="Global admins only; the mail is not moved.")
    first_name: str | None = None
    last_name: str | None = None
    telephone_numbers: list[str] | None = strawberry.field(default=None, description="LDAP only.")
    mobile: list[str] | None = strawberry.field(default=None, description="LDAP only.")

    def to_data(self) -> RoutingData:
        return RoutingData(
            forwardings=list_change(self.forwardings, self.add_forwardings, self.remove_forwardings),
            aliases=list_change(self.alias_addresses, self.add_alias_addresses, self.remove_alias_addresses),
            **self.bcc_and_services(),
            mailbox_format=self.mailbox_format,
            mailbox_folder=self.mailbox_folder,
            maildir=self.maildir,
            first_name=self.first_name,
            last_name=self.last_name,
            telephone=None if self.telephone_numbers is None else tuple(self.telephone_numbers),
            mobile=None if self.mobile is None else tuple(self.mobile),
        )
