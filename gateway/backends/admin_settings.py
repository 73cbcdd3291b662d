"""A standalone admin's limits as iRedAdmin keeps them: ``create_*`` keys of SQL ``admin.settings``
and of LDAP ``accountSetting`` (reference: pro-api-storage 1.2).

Only the presence of ``create_new_domains:yes`` lets a normal admin create domains; the gateway writes it
together with ``create_max_domains``. A global admin keeps no such keys.
"""

from __future__ import annotations

from collections.abc import Mapping

from gateway.model import AdminLimits

CREATE_NEW_DOMAINS = "create_new_domains"
LIMIT_KEYS = {
    "max_domains": "create_max_domains",
    "max_quota": "create_max_quota",
    "max_users": "create_max_users",
    "max_aliases": "create_max_aliases",
    "max_lists": "create_max_lists",
}


def _integer(settings: Mapping[str, str], key: str) -> int:
    try:
        return int(settings.get(key, "0") or 0)
    except ValueError:  # iRedAdmin's readers drop what is not an integer
        return 0


def limits_of(settings: Mapping[str, str]) -> AdminLimits:
    """The limits a settings mapping holds; ``max_domains`` counts only with ``create_new_domains:yes``."""
    values = {name: _integer(settings, key) for name, key in LIMIT_KEYS.items()}
    if settings.get(CREATE_NEW_DOMAINS, "").lower() != "yes":
        values["max_domains"] = 0
    return AdminLimits(**values)


def may_create_domains(settings: Mapping[str, str]) -> bool:
    return limits_of(settings).max_domains > 0


def with_limits(settings: Mapping[str, str], limits: AdminLimits | None, *, is_global: bool) -> dict[str, str]:
    """``settings`` with its ``create_*`` keys replaced by ``limits`` (kept when None); none for a global admin."""
    merged = dict(settings)
    if limits is None and not is_global:
        return merged
    for key in (*LIMIT_KEYS.values(), CREATE_NEW_DOMAINS):
        merged.pop(key, None)
    if is_global or limits is None:
        return merged
    for name, key in LIMIT_KEYS.items():
        value = getattr(limits, name)
        if value:
            merged[key] = str(value)
    if limits.max_domains > 0:
        merged[CREATE_NEW_DOMAINS] = "yes"
    return merged
