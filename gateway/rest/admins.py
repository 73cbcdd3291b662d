"""``/api/admin/<mail>``, ``/api/admins``, ``/api/domain/admins/<domain>`` and ``/api/verify_password``."""

from __future__ import annotations

from typing import Any

from gateway.errors import ErrorCode, InvalidInput
from gateway.model import Admin
from gateway.resolvers import admins
from gateway.resolvers.admins import AdminInput
from gateway.resolvers.context import Context
from gateway.rest.declare import COMMA_LIST, INTEGER, TEXT, YES_NO, ApiRoute, Param, PathValue, Values
from gateway.rest.fields import DISABLED_ONLY, DISPLAY_NAME, DOMAIN, EMAIL_ONLY, MAIL, PASSWORD, PASSWORD_HASH, STATUS
from gateway.rest.serialize import time

IS_GLOBAL_ADMIN = Param("isGlobalAdmin", YES_NO, "yes: a global admin; no: not (absent: unchanged)")

PARAMS = (
    DISPLAY_NAME,
    PASSWORD,
    PASSWORD_HASH,
    STATUS,
    Param("language", TEXT, "Language of the admin's interface, like en_US", aliases=("preferredLanguage",)),
    IS_GLOBAL_ADMIN,
    Param("maxDomains", INTEGER, "Most domains it may create and manage (0 or -1: may not create domains)"),
    Param("maxQuota", INTEGER, "Most quota its domains' mailboxes may hold together, in quotaUnit (0 = unlimited)"),
    Param("quotaUnit", TEXT, "MB (default), GB or TB, for maxQuota"),
    Param("maxUsers", INTEGER, "Most mail users in its domains together (0 = unlimited, -1 = none)"),
    Param("maxAliases", INTEGER, "Most aliases in its domains together (0 = unlimited, -1 = none)"),
    Param("maxLists", INTEGER, "Most mailing lists in its domains together (0 = unlimited, -1 = none)"),
    Param("disableViewingMailLog", YES_NO, "yes: may not view the mail log"),
    Param("disableManagingQuarantinedMails", YES_NO, "yes: may not manage quarantined mails"),
)
ADMIN_MAIL = PathValue("mail", "The admin's e-mail address", "admin@example.net")
KIND = PathValue("kind", "admin or user: whose password to check", "admin")


def profile(admin: Admin) -> dict[str, Any]:
    """An admin as the API shows it; never a password hash."""
    return {
        "mail": admin.email,
        "name": admin.name,
        "language": admin.language,
        "accountStatus": "active" if admin.active else "disabled",
        "isGlobalAdmin": admin.is_global,
        "standalone": admin.standalone,
        "managedDomains": list(admin.domains),
        "maxDomains": admin.limits.max_domains,
        "maxQuota": admin.limits.max_quota,
        "maxUsers": admin.limits.max_users,
        "maxAliases": admin.limits.max_aliases,
        "maxLists": admin.limits.max_lists,
        "disableViewingMailLog": admin.disable_viewing_mail_log,
        "disableManagingQuarantinedMails": admin.disable_managing_quarantined_mails,
        "created": time(admin.created),
        "passwordLastChange": time(admin.password_last_change),
    }


def _input(values: Values) -> AdminInput:
    return AdminInput(
        name=values["name"],
        password=values["password"],
        password_hash=values["password_hash"],
        language=values["language"],
        active=values["accountStatus"],
        is_global=values["isGlobalAdmin"],
        max_domains=values["maxDomains"],
        max_quota=values["maxQuota"],
        quota_unit=values["quotaUnit"],
        max_users=values["maxUsers"],
        max_aliases=values["maxAliases"],
        max_lists=values["maxLists"],
        disable_viewing_mail_log=values["disableViewingMailLog"],
        disable_managing_quarantined_mails=values["disableManagingQuarantinedMails"],
    )


async def _get(ctx: Context, values: Values) -> dict[str, Any]:
    return profile(await admins.get_admin(ctx=ctx, email=values["mail"]))


async def _create(ctx: Context, values: Values) -> None:
    await admins.create_admin(ctx=ctx, email=values["mail"], data=_input(values))


async def _update(ctx: Context, values: Values) -> None:
    await admins.update_admin(ctx=ctx, email=values["mail"], data=_input(values))


async def _delete(ctx: Context, values: Values) -> None:
    await admins.delete_admin(ctx=ctx, email=values["mail"])


async def _list(ctx: Context, values: Values) -> list[Any]:
    found = await admins.list_admins(ctx=ctx, active=False if values["disabled_only"] else None)
    if values["email_only"]:
        return [admin.email for admin in found]
    return [profile(admin) for admin in found]


async def _assign(ctx: Context, values: Values) -> None:
    remove_all = values["removeAllAdmins"]
    await admins.set_domain_admins(
        ctx=ctx,
        domain=values["domain"],
        add=list(values["addAdmin"] or ()),
        remove=list(values["removeAdmin"] or ()),
        remove_all=remove_all is not None and remove_all.strip().lower() != "no",
    )


async def _verify(ctx: Context, values: Values) -> None:
    if values["password"] is None:
        raise InvalidInput(ErrorCode.PW_EMPTY)
    await admins.verify_password(ctx=ctx, kind=values["kind"], email=values["mail"], password=values["password"])


def _verify_route(kind: str) -> ApiRoute:
    async def call(ctx: Context, values: Values) -> None:
        await _verify(ctx, {**values, "kind": kind})

    return ApiRoute(
        "POST", f"/verify_password/{kind}/{{mail}}", f"Check a password against a{'n' if kind == 'admin' else ''} "
        f"{kind}'s stored hash (success or INVALID_CREDENTIALS)", call,
        params=(Param("password", TEXT, "The plain password to check"),), path_values=(MAIL,),
    )


ROUTES = (
    ApiRoute("GET", "/admin/{mail}", "A standalone admin", _get, path_values=(ADMIN_MAIL,)),
    ApiRoute(
        "POST", "/admin/{mail}", "Create a standalone admin (password or password_hash required)", _create,
        params=PARAMS, path_values=(ADMIN_MAIL,), status=201,
    ),
    ApiRoute("PUT", "/admin/{mail}", "Change a standalone admin", _update, params=PARAMS, path_values=(ADMIN_MAIL,)),
    ApiRoute("DELETE", "/admin/{mail}", "Delete a standalone admin and its rights", _delete, path_values=(ADMIN_MAIL,)),
    ApiRoute(
        "GET", "/admins", "Every admin (standalone and mail users) with the domains it manages", _list,
        params=(DISABLED_ONLY, EMAIL_ONLY),
    ),
    ApiRoute(
        "PUT", "/domain/admins/{domain}", "Add or remove a domain's admins", _assign,
        params=(
            Param("addAdmin", COMMA_LIST, "Addresses (standalone admins or mail users) that become its admins"),
            Param("removeAdmin", COMMA_LIST, "Addresses that stop being its admins"),
            Param("removeAllAdmins", TEXT, "Given (any value but no): every admin of the domain is removed first"),
        ),
        path_values=(DOMAIN,),
    ),
    _verify_route("admin"),
    _verify_route("user"),
)
