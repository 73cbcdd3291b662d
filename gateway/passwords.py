"""Dovecot-style password hashes, as iRedMail stores them.

Generated (``hash_password``; the names are also the values of the setting
``default_password_scheme``):

=============  ==========================================================
SSHA512        ``{SSHA512}`` base64(sha512(pw + salt) + salt), 8-byte salt
SSHA           ``{SSHA}`` likewise with SHA-1
SHA512, SHA    ``{SHA512}`` / ``{SHA}`` base64 of the unsalted digest
BCRYPT         ``{CRYPT}$2b$12$...``, as the iRedAdmin panel writes it.
               Dovecot's CRYPT scheme hands it to crypt(3); libxcrypt
               (Debian, Dovecot 2.3) verifies ``$2b$``
SHA512-CRYPT   ``{SHA512-CRYPT}$6$...`` with 5000 rounds, as ``doveadm pw``
MD5-CRYPT      ``{CRYPT}$1$...``
MD5            ``{MD5}$1$...``: Dovecot's MD5 scheme is md5-crypt
PLAIN-MD5      ``{PLAIN-MD5}`` + 32 lower-case hex digits
PLAIN          ``{PLAIN}`` + the password
=============  ==========================================================

Verified (``verify_password``), following Dovecot 2.3: every form above;
``{CRYPT}`` and ``{BLF-CRYPT}`` with ``$2a$``/``$2b$``/``$2y$``;
``{CRYPT}`` and ``{SHA512-CRYPT}`` with ``$6$``; ``{CRYPT}`` and
``{SHA256-CRYPT}`` with ``$5$``; ``{CRYPT}``, ``{MD5-CRYPT}`` and ``{MD5}``
with ``$1$``; ``{CRYPT}`` and ``{DES-CRYPT}`` with traditional DES crypt;
``{MD5}`` and ``{PLAIN-MD5}`` with a hex (any case) or base64 MD5 digest;
``{SHA256}`` and ``{SSHA256}``; the aliases ``{SHA1}``, ``{CLEAR}`` and
``{CLEARTEXT}``. Scheme names are case-insensitive. A value without a
``{SCHEME}`` prefix is read the way iRedMail's Dovecot reads it: ``$1$...``
as MD5-CRYPT, anything else as CRYPT (its ``default_pass_scheme``).
Unsalted digests may be hex or base64, told apart by length as Dovecot does.

Not verified, so treated as unknown: CRAM-MD5, NTLM (Debian's Dovecot 2.3
does not offer it either), ``{BCRYPT}`` (not a Dovecot scheme at all),
yescrypt and other crypt(3) formats, and ``{SCHEME.HEX}``-style encodings.

Like crypt_blowfish, bcrypt uses only the first 72 bytes of a password; the
other crypt schemes refuse passwords over 4096 bytes (a passlib limit).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterable
from typing import Any

import bcrypt
from passlib.hash import des_crypt, md5_crypt, sha256_crypt, sha512_crypt  # type: ignore[import-untyped]

__all__ = ["SCHEMES", "hash_password", "verify_password", "is_prehashed", "scheme_of", "reusable_hash"]

SCHEMES: tuple[str, ...] = (
    "SSHA512",
    "SSHA",
    "SHA512",
    "SHA",
    "BCRYPT",
    "SHA512-CRYPT",
    "MD5-CRYPT",
    "PLAIN-MD5",
    "MD5",
    "PLAIN",
)

_UNSALTED: frozenset[str] = frozenset({"PLAIN", "PLAIN-MD5", "SHA", "SHA512"})

# Reference §3.1 lists the prefixes the panel accepts as pre-hashed input.
# BCRYPT (unknown to Dovecot), CRAM-MD5 and NTLM (not verifiable here) are
# left out; BLF-CRYPT and SHA512-CRYPT are added.
_PREHASHED: frozenset[str] = frozenset(
    {"PLAIN", "CRYPT", "MD5", "PLAIN-MD5", "SHA", "SSHA", "SHA512", "SSHA512", "SHA512-CRYPT", "BLF-CRYPT"}
)

_ALIASES: dict[str, str] = {"SHA1": "SHA", "CLEAR": "PLAIN", "CLEARTEXT": "PLAIN"}

_SALT_BYTES = 8
_BCRYPT_COST = 12
_BCRYPT_MAX_BYTES = 72
# ``doveadm pw -s SHA512-CRYPT`` uses crypt(3)'s default of 5000 rounds.
_SHA512_CRYPT_ROUNDS = 5000

_H64 = "[./0-9A-Za-z]"
_MD5_CRYPT = re.compile(rf"\$1\${_H64}{{0,8}}\${_H64}{{22}}")
_SHA256_CRYPT = re.compile(rf"\$5\$(?:rounds=[0-9]{{1,9}}\$)?{_H64}{{0,16}}\${_H64}{{43}}")
_SHA512_CRYPT = re.compile(rf"\$6\$(?:rounds=[0-9]{{1,9}}\$)?{_H64}{{0,16}}\${_H64}{{86}}")
_BCRYPT = re.compile(rf"\$2[aby]\$(?:0[4-9]|[12][0-9]|3[01])\${_H64}{{53}}")
_DES_CRYPT = re.compile(rf"{_H64}{{13}}")
_HEX = re.compile("[0-9A-Fa-f]+")

_Digest = Callable[[bytes], bytes]
_DIGESTS: dict[str, _Digest] = {
    "PLAIN-MD5": lambda data: hashlib.md5(data).digest(),
    "SHA": lambda data: hashlib.sha1(data).digest(),
    "SHA256": lambda data: hashlib.sha256(data).digest(),
    "SHA512": lambda data: hashlib.sha512(data).digest(),
}
_SALTED: dict[str, str] = {"SSHA": "SHA", "SSHA256": "SHA256", "SSHA512": "SHA512"}

# A checker takes the UTF-8 password and says whether it matches.
_Checker = Callable[[bytes], bool]


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _b64decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:  # binascii.Error, and non-ASCII text
        return None


def _utf8(plain: str) -> bytes:
    """Encode a password, refusing what no Dovecot login can carry."""
    if not plain:
        raise ValueError("password is empty")
    if "\x00" in plain:
        raise ValueError("password contains a NUL character")
    return plain.encode("utf-8")


def _salted_digest(scheme: str, password: bytes) -> str:
    salt = secrets.token_bytes(_SALT_BYTES)
    return _b64(_DIGESTS[_SALTED[scheme]](password + salt) + salt)


def hash_password(plain: str, scheme: str = "SSHA512") -> str:
    """Hash ``plain`` into the stored form of ``scheme`` (one of ``SCHEMES``).

    Raises ValueError for an unknown scheme, an empty password, a NUL
    character, text not encodable as UTF-8, or (SHA512-CRYPT, MD5-CRYPT,
    MD5) a password over 4096 bytes.
    """
    name = scheme.upper()
    if name not in SCHEMES:
        raise ValueError(f"unknown password scheme: {scheme!r}")
    password = _utf8(plain)
    if name in _SALTED:
        return f"{{{name}}}{_salted_digest(name, password)}"
    if name in ("SHA512", "SHA"):
        return f"{{{name}}}{_b64(_DIGESTS[name](password))}"
    if name == "PLAIN-MD5":
        return "{PLAIN-MD5}" + hashlib.md5(password).hexdigest()
    if name == "PLAIN":
        return "{PLAIN}" + plain
    if name == "BCRYPT":
        salt = bcrypt.gensalt(rounds=_BCRYPT_COST, prefix=b"2b")
        return "{CRYPT}" + bcrypt.hashpw(password[:_BCRYPT_MAX_BYTES], salt).decode("ascii")
    if name == "SHA512-CRYPT":
        crypted: str = sha512_crypt.using(rounds=_SHA512_CRYPT_ROUNDS).hash(plain)
        return "{SHA512-CRYPT}" + crypted
    crypted = md5_crypt.hash(plain)
    return ("{CRYPT}" if name == "MD5-CRYPT" else "{MD5}") + crypted


def _decode_digest(payload: str, size: int) -> bytes | None:
    """Decode a ``size``-byte digest given in hex or base64, chosen by length."""
    if len(payload) == size * 2 and _HEX.fullmatch(payload):
        return bytes.fromhex(payload)
    if len(payload) == 4 * ((size + 2) // 3):
        raw = _b64decode(payload)
        if raw is not None and len(raw) == size:
            return raw
    return None


def _digest_checker(scheme: str, payload: str) -> _Checker | None:
    digest = _DIGESTS[scheme]
    expected = _decode_digest(payload, len(digest(b"")))
    if expected is None:
        return None
    return lambda password: hmac.compare_digest(digest(password), expected)


def _salted_checker(scheme: str, payload: str) -> _Checker | None:
    digest = _DIGESTS[_SALTED[scheme]]
    size = len(digest(b""))
    raw = _b64decode(payload)
    if raw is None or len(raw) <= size:  # Dovecot refuses an empty salt too
        return None
    expected, salt = raw[:size], raw[size:]
    return lambda password: hmac.compare_digest(digest(password + salt), expected)


def _bcrypt_checker(payload: str) -> _Checker:
    stored = payload.encode("ascii")
    return lambda password: bcrypt.checkpw(password[:_BCRYPT_MAX_BYTES], stored)


def _passlib_checker(handler: Any) -> Callable[[str], _Checker | None]:
    """Checker factory for a passlib crypt handler."""

    def make(payload: str) -> _Checker | None:
        try:
            handler.from_string(payload)  # e.g. rounds below the minimum
        except ValueError:
            return None
        # passlib wants str; the password was encoded from str, so this round-trips.
        return lambda password: bool(handler.verify(password.decode("utf-8"), payload))

    return make


_CRYPT_FORMATS: dict[str, tuple[re.Pattern[str], Callable[[str], _Checker | None]]] = {
    "BLF-CRYPT": (_BCRYPT, _bcrypt_checker),
    "SHA512-CRYPT": (_SHA512_CRYPT, _passlib_checker(sha512_crypt)),
    "SHA256-CRYPT": (_SHA256_CRYPT, _passlib_checker(sha256_crypt)),
    "MD5-CRYPT": (_MD5_CRYPT, _passlib_checker(md5_crypt)),
    "DES-CRYPT": (_DES_CRYPT, _passlib_checker(des_crypt)),
}


def _crypt_checker(payload: str, formats: Iterable[str]) -> _Checker | None:
    """Checker for a crypt(3) string in one of ``formats`` (keys of _CRYPT_FORMATS)."""
    for name in formats:
        pattern, make_checker = _CRYPT_FORMATS[name]
        if pattern.fullmatch(payload):
            return make_checker(payload)
    return None


def _plain_checker(payload: str) -> _Checker | None:
    if not payload:
        return None
    expected = payload.encode("utf-8", "surrogatepass")
    return lambda password: hmac.compare_digest(password, expected)


def _split(stored: str) -> tuple[str, str] | None:
    """Split a stored value into its canonical scheme name and payload."""
    if stored.startswith("{"):
        end = stored.find("}")
        if end < 2:
            return None
        name = stored[1:end].upper()
        return _ALIASES.get(name, name), stored[end + 1 :]
    if stored.startswith("$1$"):
        return "MD5-CRYPT", stored
    return "CRYPT", stored


def _parse(stored: str) -> tuple[str, _Checker] | None:
    """The scheme of a well-formed stored value and a checker for it."""
    split = _split(stored)
    if split is None:
        return None
    scheme, payload = split
    checker: _Checker | None
    if scheme in _DIGESTS:
        checker = _digest_checker(scheme, payload)
    elif scheme in _SALTED:
        checker = _salted_checker(scheme, payload)
    elif scheme == "PLAIN":
        checker = _plain_checker(payload)
    elif scheme == "MD5":
        # Dovecot: md5-crypt when it looks like one, else a PLAIN-MD5 digest.
        if payload.startswith("$1$"):
            checker = _crypt_checker(payload, ["MD5-CRYPT"])
        else:
            checker = _digest_checker("PLAIN-MD5", payload)
    elif scheme == "CRYPT":
        checker = _crypt_checker(payload, _CRYPT_FORMATS)
    elif scheme in _CRYPT_FORMATS:
        checker = _crypt_checker(payload, [scheme])
    else:
        return None
    return None if checker is None else (scheme, checker)


def verify_password(stored: str, plain: str) -> bool:
    """Whether ``plain`` matches ``stored``; False for any unusable stored value."""
    try:
        password = _utf8(plain)
    except ValueError:
        return False
    parsed = _parse(stored)
    if parsed is None:
        return False
    try:
        return parsed[1](password)
    except ValueError:
        # passlib and bcrypt raise ValueError (or subclasses) for input they
        # cannot handle, e.g. a password over passlib's 4096-byte limit.
        return False


def scheme_of(stored: str) -> str | None:
    """The canonical Dovecot scheme of a stored value, None if unknown or malformed.

    Aliases are folded (``SHA1`` -> ``SHA``, ``CLEAR`` -> ``PLAIN``); a value
    without a prefix is ``MD5-CRYPT`` for ``$1$...`` and ``CRYPT`` otherwise.
    """
    parsed = _parse(stored)
    return None if parsed is None else parsed[0]


def is_prehashed(value: str) -> bool:
    """Whether ``value`` is a stored form accepted as pre-hashed input.

    It must carry a ``{SCHEME}`` prefix from the panel's list (reference §3.1,
    less BCRYPT, CRAM-MD5 and NTLM) or BLF-CRYPT/SHA512-CRYPT, and be well
    formed enough to verify.
    """
    return value.startswith("{") and scheme_of(value) in _PREHASHED


def reusable_hash(scheme: str) -> bool:
    """Whether one hash of ``scheme`` may be stored for many users (it is unsalted).

    Raises ValueError for a scheme not in ``SCHEMES``.
    """
    name = scheme.upper()
    if name not in SCHEMES:
        raise ValueError(f"unknown password scheme: {scheme!r}")
    return name in _UNSALTED
