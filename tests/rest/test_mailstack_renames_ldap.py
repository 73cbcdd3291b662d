"""A renamed user as Dovecot and Postfix see it on OpenLDAP (see test_mailstack_renames.py)."""

from __future__ import annotations

import pytest

from tests.ldap.backend_support import stack_fixture  # noqa: F401  (fixture)
from tests.ldap_mailstack import LdapMailStack
from tests.rest.conftest import Api
from tests.rest.test_mailstack_renames import renamed_user_reaches_the_mail_stack

pytestmark = pytest.mark.mailstack


async def test_renamed_user_reaches_the_mail_stack_on_ldap(ldap_admin_api: Api, stack: LdapMailStack) -> None:
    await renamed_user_reaches_the_mail_stack(ldap_admin_api, stack)
