"""Storage backends: SQL (vmail + iredapd databases) and LDAP."""
