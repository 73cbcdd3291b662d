"""Which Amavisd account a spam policy or white/blacklist request names, and whether the actor may touch it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gateway import addresses
from gateway.mailpolicy import ACCOUNT_PRIORITY, GLOBAL_ACCOUNT

Scope = Literal["global", "domain", "user"]


@dataclass(frozen=True)
class PolicyTarget:
    """``@.``, ``@domain`` or an address, with its ``users.priority``."""

    scope: Scope
    account: str
    domain: str | None = None
    email: str | None = None

    @property
    def priority(self) -> int:
        return ACCOUNT_PRIORITY[self.scope]

    @property
    def chain(self) -> tuple[str, ...]:
        """The accounts Amavisd reads for this one, highest priority first."""
        if self.email is not None:
            return (self.email, f"@{self.domain}", GLOBAL_ACCOUNT)
        if self.domain is not None:
            return (f"@{self.domain}", GLOBAL_ACCOUNT)
        return (GLOBAL_ACCOUNT,)


def parse_target(scope: Scope, name: str | None = None) -> PolicyTarget:
    """Validate the domain or address a scope names."""
    if scope == "global":
        return PolicyTarget("global", GLOBAL_ACCOUNT)
    if scope == "domain":
        domain = addresses.domain_name(name or "")
        return PolicyTarget("domain", f"@{domain}", domain=domain)
    email = addresses.member_address(name or "")
    return PolicyTarget("user", email, domain=addresses.domain_of(email), email=email)


def target_of(value: str) -> PolicyTarget:
    """``global``, a domain name or an e-mail address."""
    text = value.strip().lower()
    if text == "global":
        return parse_target("global")
    return parse_target("user" if "@" in text else "domain", text)


def scope_of(value: str) -> tuple[Scope, str | None]:
    """``global``, a domain name or an address as a scope and its name."""
    target = target_of(value)
    return target.scope, target.email or target.domain
