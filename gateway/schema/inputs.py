"""GraphQL input types of the mutations; ``null``/absent means "keep"."""

from __future__ import annotations

from typing import Any

import strawberry

from gateway.model import AccessPolicy, AccountStatus, DomainChanges, RoutingUpdate
from gateway.resolvers.admins import AdminInput as AdminData
from gateway.resolvers.aliases import AliasInput as AliasData
from gateway.resolvers.throttles import ThrottleInput as ThrottleData
from gateway.resolvers.users import UserInput as UserData
from gateway.schema.enums import account_active
from gateway.schema.types import ACTIVE_DEPRECATED, BigInt


def _with_active(given: object) -> dict[str, Any]:
    """The input's values, ``status`` and the deprecated ``active`` folded into ``active``."""
    values = dict(vars(given))
    values["active"] = account_active(values.pop("status"), values["active"])
    return values


@strawberry.input
class DomainInput(DomainChanges):
    status: AccountStatus | None = None
    active: bool | None = strawberry.field(default=None, deprecation_reason=ACTIVE_DEPRECATED)
    quota: BigInt | None = None
    default_user_quota: BigInt | None = None
    max_user_quota: BigInt | None = None
    backupmx: strawberry.Private[bool | None] = None
    routing: strawberry.Private[RoutingUpdate | None] = None

    def to_changes(self) -> DomainChanges:
        return DomainChanges(**_with_active(self))


@strawberry.input
class UserInput(UserData):
    quota: BigInt | None = None
    status: AccountStatus | None = None
    active: bool | None = strawberry.field(default=None, deprecation_reason=ACTIVE_DEPRECATED)
    is_global_admin: bool | None = strawberry.field(
        default=None, description="Promote (true) or demote (false) the mail user; global admins only."
    )

    def to_data(self) -> UserData:
        return UserData(**_with_active(self))


@strawberry.input
class DomainUsersInput:
    status: AccountStatus | None = None
    active: bool | None = strawberry.field(default=None, deprecation_reason=ACTIVE_DEPRECATED)
    language: str | None = None
    transport: str | None = None

    def to_data(self) -> UserData:
        active = account_active(self.status, self.active)
        return UserData(active=active, language=self.language, transport=self.transport)


@strawberry.input
class AliasInput:
    name: str | None = None
    access_policy: AccessPolicy | None = None
    status: AccountStatus | None = None
    active: bool | None = strawberry.field(default=None, deprecation_reason=ACTIVE_DEPRECATED)
    members: list[str] | None = None
    add_members: list[str] | None = None
    remove_members: list[str] | None = None

    def to_data(self) -> AliasData:
        return AliasData(
            name=self.name,
            access_policy=self.access_policy,
            active=account_active(self.status, self.active),
            members=None if self.members is None else tuple(self.members),
            add_members=tuple(self.add_members or ()),
            remove_members=tuple(self.remove_members or ()),
        )


@strawberry.input
class ThrottleInput:
    period: BigInt
    msg_size: BigInt | None = None
    max_msgs: BigInt | None = None
    max_quota: BigInt | None = None
    max_rcpts: BigInt | None = None

    def to_data(self) -> ThrottleData:
        return ThrottleData(**vars(self))


@strawberry.input(description="A standalone admin; maxQuota is in quotaUnit (MB, GB or TB; default MB).")
class AdminInput(AdminData):
    active: strawberry.Private[bool | None] = None
    max_quota: BigInt | None = None
    status: AccountStatus | None = None

    def to_data(self) -> AdminData:
        values = vars(self) | {"active": account_active(self.status, None)}
        del values["status"]
        return AdminData(**values)
