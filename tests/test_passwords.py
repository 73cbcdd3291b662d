"""Password hashes, proved against Dovecot's own ``doveadm pw``."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import typing
from collections.abc import Callable
from pathlib import Path

import pytest

from gateway.passwords import SCHEMES, hash_password, is_prehashed, reusable_hash, scheme_of, verify_password
from gateway.settings import PasswordScheme

PASSWORDS = ["S3cret#Pass", "Pässwörd-€ĳ✓ 密码"]
WRONG = "Wrong#Pass9"


def require_doveadm() -> str:
    """Path of ``doveadm``; skip without it, or fail when ``CI`` is set."""
    path = shutil.which("doveadm")
    if path is not None:
        return path
    reason = "doveadm not found (Debian package dovecot-core)"
    if os.environ.get("CI"):
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


class Doveadm:
    """``doveadm pw`` with a config of its own, independent of /etc/dovecot."""

    def __init__(self, executable: str, config: Path) -> None:
        self._command = [executable, "-c", str(config), "pw"]

    def hash(self, scheme: str, plain: str) -> str:
        done = subprocess.run(
            [*self._command, "-s", scheme, "-p", plain], capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    def verifies(self, stored: str, plain: str) -> bool:
        done = subprocess.run([*self._command, "-t", stored, "-p", plain], capture_output=True, text=True)
        return done.returncode == 0 and "(verified)" in done.stdout


@pytest.fixture(scope="session")
def doveadm(tmp_path_factory: pytest.TempPathFactory) -> Doveadm:
    executable = require_doveadm()
    config = tmp_path_factory.mktemp("dovecot") / "dovecot.conf"
    config.write_text("# doveadm pw needs no settings\n")
    return Doveadm(executable, config)


def _payload(stored: str) -> str:
    """A stored value without its ``{SCHEME}`` prefix."""
    return re.sub(r"^\{[^}]*\}", "", stored)


@pytest.mark.mailstack
@pytest.mark.parametrize("plain", PASSWORDS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_dovecot_accepts_generated_hash(doveadm: Doveadm, scheme: str, plain: str) -> None:
    stored = hash_password(plain, scheme)
    assert doveadm.verifies(stored, plain)
    assert not doveadm.verifies(stored, WRONG)


@pytest.mark.mailstack
@pytest.mark.parametrize("plain", PASSWORDS)
@pytest.mark.parametrize(
    "scheme",
    [
        "SSHA512",
        "SSHA",
        "SHA512",
        "SHA",
        "BLF-CRYPT",
        "SHA512-CRYPT",
        "MD5-CRYPT",
        "PLAIN-MD5",
        "PLAIN",
        "CRYPT",
        "MD5",
        "SHA256-CRYPT",
        "SHA256",
        "SSHA256",
    ],
)
def test_dovecot_hash_verifies(doveadm: Doveadm, scheme: str, plain: str) -> None:
    stored = doveadm.hash(scheme, plain)
    assert stored.startswith(f"{{{scheme}}}")
    assert verify_password(stored, plain)
    assert not verify_password(stored, WRONG)


# Other stored forms of the same hash: (source, rewrite). The source is a
# scheme for ``doveadm pw -s``, or "BCRYPT" for hash_password's bcrypt.
VARIANTS: dict[str, tuple[str, Callable[[str], str]]] = {
    "{CRYPT}$2b$": ("BCRYPT", lambda h: h),
    "{BLF-CRYPT}$2b$": ("BCRYPT", lambda h: "{BLF-CRYPT}" + _payload(h)),
    "{CRYPT}$2y$": ("BLF-CRYPT", lambda h: "{CRYPT}" + _payload(h)),
    "{BLF-CRYPT}$2a$": ("BLF-CRYPT", lambda h: h.replace("$2y$", "$2a$")),
    "{CRYPT}$6$": ("SHA512-CRYPT", lambda h: "{CRYPT}" + _payload(h)),
    "{CRYPT}$5$": ("SHA256-CRYPT", lambda h: "{CRYPT}" + _payload(h)),
    "{CRYPT}$1$": ("MD5-CRYPT", lambda h: "{CRYPT}" + _payload(h)),
    "{MD5}$1$": ("MD5-CRYPT", lambda h: "{MD5}" + _payload(h)),
    "{CRYPT}des": ("DES-CRYPT", lambda h: "{CRYPT}" + _payload(h)),
    "{MD5}hex": ("PLAIN-MD5", lambda h: "{MD5}" + _payload(h)),
    "{PLAIN-MD5}HEX": ("PLAIN-MD5", lambda h: h.upper()),
    "{PLAIN-MD5}base64": ("PLAIN-MD5", lambda h: "{PLAIN-MD5}" + _hex_to_b64(_payload(h))),
    "{SHA}hex": ("SHA", lambda h: "{SHA}" + _b64_to_hex(_payload(h))),
    "{SHA512}hex": ("SHA512", lambda h: "{SHA512}" + _b64_to_hex(_payload(h))),
    "{SHA1}": ("SHA", lambda h: "{SHA1}" + _payload(h)),
    "{ssha512}": ("SSHA512", lambda h: "{ssha512}" + _payload(h)),
    "{CLEAR}": ("PLAIN", lambda h: "{CLEAR}" + _payload(h)),
}
# Without a prefix iRedMail's Dovecot applies default_pass_scheme = CRYPT,
# which ``doveadm pw -t`` cannot be told; these are checked here only.
BARE: dict[str, str] = {"$1$": "MD5-CRYPT", "$6$": "SHA512-CRYPT", "$2y$": "BLF-CRYPT", "des": "DES-CRYPT"}


def _hex_to_b64(text: str) -> str:
    return base64.b64encode(bytes.fromhex(text)).decode()


def _b64_to_hex(text: str) -> str:
    return base64.b64decode(text).hex()


@pytest.mark.mailstack
@pytest.mark.parametrize("plain", PASSWORDS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_stored_form_variants(doveadm: Doveadm, variant: str, plain: str) -> None:
    source, rewrite = VARIANTS[variant]
    original = hash_password(plain, source) if source == "BCRYPT" else doveadm.hash(source, plain)
    stored = rewrite(original)
    assert doveadm.verifies(stored, plain), "Dovecot itself must accept the form"
    assert verify_password(stored, plain)
    assert not verify_password(stored, WRONG)


@pytest.mark.mailstack
@pytest.mark.parametrize("plain", PASSWORDS)
@pytest.mark.parametrize("bare", BARE)
def test_unprefixed_crypt(doveadm: Doveadm, bare: str, plain: str) -> None:
    stored = _payload(doveadm.hash(BARE[bare], plain))
    assert not stored.startswith("{")
    assert verify_password(stored, plain)
    assert not verify_password(stored, WRONG)
    assert scheme_of(stored) == ("MD5-CRYPT" if bare == "$1$" else "CRYPT")
    assert not is_prehashed(stored)


@pytest.mark.mailstack
def test_bcrypt_uses_first_72_bytes_like_dovecot(doveadm: Doveadm) -> None:
    long = "Ab1#" * 20
    ours = hash_password(long, "BCRYPT")
    theirs = doveadm.hash("BLF-CRYPT", long)
    for stored in (ours, theirs):
        assert verify_password(stored, long[:72])
        assert doveadm.verifies(stored, long[:72])
        assert not verify_password(stored, long[:71])


def test_stored_forms() -> None:
    patterns = {
        "SSHA512": r"\{SSHA512\}[A-Za-z0-9+/]{96}",  # 64-byte digest + 8-byte salt
        "SSHA": r"\{SSHA\}[A-Za-z0-9+/]{38}==",  # 20 + 8 bytes
        "SHA512": r"\{SHA512\}[A-Za-z0-9+/]{86}==",
        "SHA": r"\{SHA\}[A-Za-z0-9+/]{27}=",
        "BCRYPT": r"\{CRYPT\}\$2b\$12\$[./A-Za-z0-9]{53}",
        "SHA512-CRYPT": r"\{SHA512-CRYPT\}\$6\$[./A-Za-z0-9]{16}\$[./A-Za-z0-9]{86}",
        "MD5-CRYPT": r"\{CRYPT\}\$1\$[./A-Za-z0-9]{8}\$[./A-Za-z0-9]{22}",
        "MD5": r"\{MD5\}\$1\$[./A-Za-z0-9]{8}\$[./A-Za-z0-9]{22}",
        "PLAIN-MD5": r"\{PLAIN-MD5\}[0-9a-f]{32}",
        "PLAIN": r"\{PLAIN\}S3cret#Pass",
    }
    assert set(patterns) == set(SCHEMES)
    for scheme, pattern in patterns.items():
        assert re.fullmatch(pattern, hash_password("S3cret#Pass", scheme)), scheme
    assert hash_password("S3cret#Pass", "PLAIN-MD5") == "{PLAIN-MD5}557942aabf912f10d6d8084e1ac06191"
    sha1 = base64.b64encode(hashlib.sha1(b"S3cret#Pass").digest()).decode()
    assert hash_password("S3cret#Pass", "SHA") == "{SHA}" + sha1


def test_default_scheme_is_ssha512() -> None:
    assert hash_password("S3cret#Pass").startswith("{SSHA512}")


def test_schemes_match_setting() -> None:
    assert set(SCHEMES) == set(typing.get_args(PasswordScheme))


@pytest.mark.parametrize("plain", PASSWORDS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_round_trip(scheme: str, plain: str) -> None:
    first, second = hash_password(plain, scheme), hash_password(plain, scheme)
    assert verify_password(first, plain) and verify_password(second, plain)
    assert not verify_password(first, WRONG)
    assert not verify_password(first, plain.upper())
    # Unsalted schemes are deterministic, salted ones never repeat.
    assert (first == second) is reusable_hash(scheme)


def test_reusable_hash() -> None:
    assert {s for s in SCHEMES if reusable_hash(s)} == {"PLAIN", "PLAIN-MD5", "SHA", "SHA512"}
    with pytest.raises(ValueError):
        reusable_hash("NOPE")


@pytest.mark.parametrize("plain", ["", "nul\x00byte", "lone\ud800surrogate"])
def test_hash_password_refuses_unusable_passwords(plain: str) -> None:
    with pytest.raises(ValueError):
        hash_password(plain)


def test_hash_password_refuses_unknown_scheme() -> None:
    with pytest.raises(ValueError):
        hash_password("S3cret#Pass", "ARGON2ID")


SSHA512_HASH = "{SSHA512}" + _payload(hash_password("S3cret#Pass"))
MALFORMED = [
    "",
    "{SSHA512}",
    "{SSHA512}!!!",
    "{NOPE}abc",
    "{CRYPT}",
    "$2b$garbage",
    "{CRYPT}$2b$garbage",
    "x" * 100_000,
    "{SSHA512}" + "A" * 99_999,  # not a whole number of base64 quanta
    "{",
    "{}",
    "}",
    "{SSHA512",
    "\x00",
    "{PLAIN}",
    SSHA512_HASH[:-3],  # truncated
    SSHA512_HASH + "é",
    "{SSHA}" + "5en6G6MezRroT3XKqkdPOmY/BfQ=",  # a bare SHA-1 digest: no salt
    "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ",  # missing padding
    "{SHA}" + "e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f",  # 39 hex digits
    "{PLAIN-MD5}" + "g" * 32,
    "{PLAIN-MD5}5ebe2294 cd0e0f08eab7690d2a6ee69",  # right length, not hex
    "{MD5}$1$",
    "{CRYPT}$6$abc",
    "{CRYPT}$6$rounds=10$salt$" + "a" * 86,  # below the minimum rounds
    "{BLF-CRYPT}$2b$99$" + "a" * 53,
    "{SHA512-CRYPT}$1$abcdefgh$" + "a" * 22,  # md5-crypt under a SHA512-CRYPT prefix
    "{CRYPT}$y$j9T$salt$hash",  # yescrypt: not supported
    "{BCRYPT}" + _payload(hash_password("S3cret#Pass", "BCRYPT")),  # no such Dovecot scheme
    "{CRAM-MD5}cd3ba7deaad6e5ca23448ba42e379747a9e0f7f1fbc00c8a81bbaac395731b56",
    "{NTLM}878d8014606cda29677a44efa1353fc7",
    "{SSHA512.HEX}00",
]


# numbered, not named by value: some values hold random salts, and every pytest-xdist worker must collect the same ids
@pytest.mark.parametrize("stored", MALFORMED, ids=[f"malformed{i}" for i in range(len(MALFORMED))])
def test_malformed_stored_values(stored: str) -> None:
    for plain in ("S3cret#Pass", "", "x" * 10_000, "nul\x00", "\ud800"):
        assert verify_password(stored, plain) is False
    assert scheme_of(stored) is None
    assert is_prehashed(stored) is False


@pytest.mark.parametrize("plain", ["", "\x00", "S3cret#Pass\x00", "\ud800"])
def test_unusable_passwords_never_verify(plain: str) -> None:
    assert verify_password("{PLAIN}" + plain, plain) is False
    assert verify_password(SSHA512_HASH, plain) is False


@pytest.mark.parametrize("scheme", ["SHA512-CRYPT", "MD5-CRYPT"])
def test_password_over_crypt_limit_is_false_not_an_error(scheme: str) -> None:
    assert verify_password(hash_password("S3cret#Pass", scheme), "x" * 5000) is False


def test_scheme_of() -> None:
    for scheme in SCHEMES:
        expected = {"BCRYPT": "CRYPT", "MD5-CRYPT": "CRYPT"}.get(scheme, scheme)
        assert scheme_of(hash_password("S3cret#Pass", scheme)) == expected
    digest = _payload(hash_password("S3cret#Pass", "SHA"))
    assert scheme_of("{SHA1}" + digest) == "SHA"
    assert scheme_of("{sha}" + digest) == "SHA"
    assert scheme_of("{CLEARTEXT}x") == "PLAIN"
    salted = hashlib.sha256(b"S3cret#Pass" + b"salt").digest() + b"salt"
    assert scheme_of("{SSHA256}" + base64.b64encode(salted).decode()) == "SSHA256"
    assert scheme_of(_payload(hash_password("S3cret#Pass", "MD5"))) == "MD5-CRYPT"


def test_is_prehashed() -> None:
    for scheme in SCHEMES:
        assert is_prehashed(hash_password("S3cret#Pass", scheme)), scheme
    bcrypt_payload = _payload(hash_password("S3cret#Pass", "BCRYPT"))
    sha512_crypt_payload = _payload(hash_password("S3cret#Pass", "SHA512-CRYPT"))
    md5_crypt_payload = _payload(hash_password("S3cret#Pass", "MD5-CRYPT"))
    assert is_prehashed("{BLF-CRYPT}" + bcrypt_payload.replace("$2b$", "$2y$"))
    assert is_prehashed("{CRYPT}" + sha512_crypt_payload)
    assert is_prehashed("{PLAIN-MD5}" + "5EBE2294ECD0E0F08EAB7690D2A6EE69")
    # Not pre-hashed input: no prefix, or a scheme outside reference §3.1.
    assert not is_prehashed(bcrypt_payload)
    assert not is_prehashed("S3cret#Pass")
    sha256 = "{SHA256}xitg25NdG42zqulnilaRtgzTO98j3ambnzhFVyiZ82w="
    assert verify_password(sha256, "S3cret#Pass")
    assert not is_prehashed(sha256)
    assert not is_prehashed("{MD5-CRYPT}" + md5_crypt_payload)
