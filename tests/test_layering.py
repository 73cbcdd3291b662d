"""The faces and the resolvers reach storage only through the ports in ``gateway.backends.base``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import gateway

BACKEND_PACKAGES = ("gateway.backends.sql", "gateway.backends.ldap")
ROOT = Path(gateway.__file__).parent


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, by absolute name (``from a import b`` counts ``a`` and ``a.b``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def backend_imports(package: str) -> dict[str, list[str]]:
    """The modules of ``package`` that import a storage backend directly, with what they import."""
    offenders: dict[str, list[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names = sorted(
            name
            for name in imported_modules(path)
            if any(name == banned or name.startswith(f"{banned}.") for banned in BACKEND_PACKAGES)
        )
        if names:
            offenders[str(path.relative_to(ROOT.parent))] = names
    return offenders


@pytest.mark.parametrize("package", ["rest", "schema", "resolvers"])
def test_no_backend_imports(package: str) -> None:
    assert backend_imports(package) == {}


def test_the_check_sees_backend_imports() -> None:
    """The backends themselves import SQL and LDAP modules: the check would report such a module."""
    offenders = backend_imports("backends")
    assert "gateway.backends.sql.engine" in offenders["gateway/backends/factory.py"]
    assert "gateway.backends.ldap.LdapPool" in offenders["gateway/backends/factory.py"]
