"""Local account passwords as argon2id hashes; one-time codes with pyotp (R39)."""

from __future__ import annotations

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()  # argon2id with the library's current parameters
# Spent on unknown usernames so a failed login takes as long either way.
_DUMMY_HASH = _HASHER.hash("stafett-no-such-user")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def check_password(account, password: str) -> bool:
    """True if the password fits; rehashes in place when the parameters have moved on."""
    stored = account.password_hash if account is not None else _DUMMY_HASH
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    if account is None:
        return False
    if _HASHER.check_needs_rehash(stored):
        account.password_hash = _HASHER.hash(password)
    return True


def check_otp(account, code: str) -> bool:
    """Accounts with a one-time-code secret (users under 15, R39) must give a current code."""
    if not account.otp_secret:
        return True
    return pyotp.TOTP(account.otp_secret).verify((code or "").strip(), valid_window=1)
