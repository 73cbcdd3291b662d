"""The secret that signs session cookies."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from gateway.errors import ConfigurationError
from gateway.settings import Settings

MIN_SECRET_LENGTH = 16
KEY_FILE = "session-secret"


def session_secret(settings: Settings) -> str:
    """The configured secret; on the embedded default, one kept in ``data_dir``.

    A gateway pointed at real databases must be given ``GATEWAY_SESSION_SECRET``
    so that every instance behind a load balancer signs alike.
    """
    if settings.session_secret is not None:
        secret = settings.session_secret.get_secret_value()
        if len(secret) < MIN_SECRET_LENGTH:
            raise ConfigurationError(
                detail=f"GATEWAY_SESSION_SECRET must be at least {MIN_SECRET_LENGTH} characters"
            )
        return secret
    if not settings.embedded:
        raise ConfigurationError(detail="GATEWAY_SESSION_SECRET is required when GATEWAY_VMAIL_DSN is set")
    return _stored_secret(settings.data_dir / KEY_FILE)


def _stored_secret(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret + "\n")
    return secret
