"""The LDAP tests use the session slapd fixtures ``ldap_server`` and ``ldap_tree`` from tests/conftest.py."""
