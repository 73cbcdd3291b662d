#!/usr/bin/env bash
# Install what the test suite needs, then run it. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"

# Debian packages of the real mail stack the tests talk to, the browser that drives GraphiQL and the front door,
# and systemd-analyze, which checks the unit in deploy/
packages=(dovecot-core dovecot-mysql dovecot-pgsql postfix postfix-mysql postfix-pgsql postfix-ldap dovecot-ldap slapd ldap-utils chromium chromium-driver systemd)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing Debian packages (install them as root): ${missing[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# GraphiQL's files, from the npm registry.
if ! python3 -c 'import sys
from gateway.graphiql import assets_dir, missing_assets
from gateway.settings import Settings
sys.exit(1 if missing_assets(assets_dir(Settings())) else 0)'; then
    python3 -m gateway assets
fi

# Lint and types first: a finding fails the run like a failing test.
python3 -m ruff check gateway tests scripts
python3 -m mypy gateway tests

# The tests run in TEST_WORKERS processes (pytest-xdist); each test has TEST_TIMEOUT seconds.
# The run's log, as the service writes it, is then grepped for the tests' passwords.
export TEST_SECRETS_LOG="${TEST_SECRETS_LOG:-$(mktemp -t gateway-test-log.XXXXXX)}"
: >"$TEST_SECRETS_LOG"
grep=tests/test_secrets_log.py::test_suite_log_holds_no_secret
python3 -m pytest -n "${TEST_WORKERS:-4}" --timeout "${TEST_TIMEOUT:-900}" --deselect "$grep" "$@"
exec python3 -m pytest -q -p no:cacheprovider "$grep"
