"""Which clients may use the API: ``RESTRICT_API_ACCESS`` and trusted proxies."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from gateway.errors import ConfigurationError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(values: Iterable[str], setting: str) -> tuple[Network, ...]:
    """Parse addresses and CIDR networks; a bad entry names the setting."""
    result = []
    for value in values:
        try:
            result.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ConfigurationError(detail=f"{setting}: {value!r} is not an IP address or network") from None
    return tuple(result)


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _within(value: str, allowed: tuple[Network, ...]) -> bool:
    address = _address(value)
    return address is not None and any(address in network for network in allowed)


def client_address(peer: str | None, forwarded_for: str | None, proxies: tuple[Network, ...]) -> str | None:
    """The client's address: the peer's, or the nearest untrusted hop of ``X-Forwarded-For``
    when the peer is a trusted proxy."""
    if peer is None or not proxies or not _within(peer, proxies) or not forwarded_for:
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _within(hop, proxies):
            return hop
    return hops[0] if hops else peer


def is_allowed(client: str | None, allowed: tuple[Network, ...]) -> bool:
    """Whether ``client`` is within the allowed networks."""
    return client is not None and _within(client, allowed)
