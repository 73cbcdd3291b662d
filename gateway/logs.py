"""Structured logs: every record as one JSON line (or a readable line), secrets scrubbed.

The gateway logs through the standard library; structlog renders each record
with the request's id and the fields a record carries (``extra=``). Fields
named like secrets are dropped, and what looks like a password hash, a DSN's
password or the session cookie is masked in every message and traceback.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import IO, Literal

import structlog
from structlog.contextvars import get_contextvars, merge_contextvars
from structlog.typing import EventDict, Processor, WrappedLogger

LogFormat = Literal["json", "text"]

MASK = "***"
SECRET_FIELD = re.compile(r"pass|secret|hash|cookie|token|authorization|dsn", re.IGNORECASE)
SECRET_TEXT = (
    # a DSN's password: scheme://user:password@host
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+@", re.IGNORECASE), rf"\1{MASK}@"),
    # a scheme-tagged password hash ({SSHA512}…, {CRYPT}$6$…) and a bare crypt hash ($2b$…, $6$…)
    (re.compile(r"\{[A-Z0-9.-]{2,20}\}\S+"), MASK),
    (re.compile(r"\$(?:2[abxy]?|1|5|6|argon2(?:id|i|d)?|y)\$\S+"), MASK),
    # a query parameter named like a secret (uvicorn's access line carries the query string)
    (re.compile(r"([?&][\w.-]*(?:pass|secret|hash|token)[\w.-]*=)[^&\s'\"]+", re.IGNORECASE), rf"\1{MASK}"),
    # the session cookie, wherever a header dump puts it
    (re.compile(r"(iredmail_gateway_session=)[^;\s'\"]+"), rf"\1{MASK}"),
)
# libraries whose INFO and DEBUG records echo statements and their parameters (password hashes)
# (and SQLAlchemy's pools, whose loggers are named after the pool's class, chatter at INFO)
QUIET = ("aiosqlite", "asyncmy", "asyncpg", "sqlalchemy", "ldap3", "gateway.backends.sql.engine.BoundedPool")


def current_request_id() -> str | None:
    """The id of the HTTP request being handled, if any (bound by ``gateway.observe``)."""
    value = get_contextvars().get("request_id")
    return value if isinstance(value, str) else None


def scrub(text: str) -> str:
    """``text`` with what looks like a secret masked."""
    for pattern, replacement in SECRET_TEXT:
        text = pattern.sub(replacement, text)
    return text


def redact(_logger: WrappedLogger, _name: str, event: EventDict) -> EventDict:
    """Drop fields named like secrets; mask secrets inside the others."""
    event.pop("color_message", None)  # uvicorn's copy of the message with terminal colours
    for key in list(event):
        value = event[key]
        if SECRET_FIELD.search(key):
            event[key] = MASK
        elif isinstance(value, str):
            event[key] = scrub(value)
    return event


def formatter(log_format: LogFormat) -> logging.Formatter:
    """The structlog formatter for records of the standard library."""
    renderer: Processor = (
        structlog.processors.JSONRenderer(sort_keys=False)
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    pre_chain: list[Processor] = [
        merge_contextvars,
        structlog.stdlib.ExtraAdder(),
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
    ]
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=pre_chain,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
    )


class GatewayHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler ``configure_logging`` installs; a later call replaces it."""


def configure_logging(log_format: LogFormat, level: str, stream: IO[str] | None = None) -> logging.Handler:
    """Send every log record of the process to ``stream`` (stderr) in ``log_format`` from ``level`` up."""
    handler = GatewayHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(formatter(log_format))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, GatewayHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):  # through the handler above, not uvicorn's own
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    return handler


def remove_logging(handler: logging.Handler) -> None:
    logging.getLogger().removeHandler(handler)
