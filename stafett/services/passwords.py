"""Local account passwords as argon2id hashes; one-time codes with pyotp (R39)."""

from __future__ import annotations

import hmac
import io
import time

import pyotp
import segno
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


OTP_WINDOW = 1  # one 30-second step either side of now: a phone clock a little off


def check_otp(account, code: str) -> bool:
    """Accounts with a one-time-code secret (users under 15, R39) must give a current code,
    and each code once only: a code whose time step is at or before the last one accepted
    for the account is refused, even within its 30 seconds. Accepting a code records its
    step on the account (the login is a POST; two logins racing with one code conflict in
    the database and the retried one finds the step used)."""
    if not account.otp_secret:
        return True
    step = unused_step(account.otp_secret, code, getattr(account, "otp_last_step", None))
    if step is None:
        return False
    account.otp_last_step = step
    return True


def new_otp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="Stafett")


def matching_steps(secret: str, code: str, for_time: float | None = None,
                   window: int = OTP_WINDOW) -> list[int]:
    """The TOTP time steps within ``window`` of ``for_time`` (now) whose code is ``code``,
    oldest first; compared in constant time."""
    code = (code or "").strip()
    if not code.isdigit():
        return []
    totp = pyotp.TOTP(secret)
    now = time.time() if for_time is None else for_time
    current = totp.timecode(now)
    return [current + offset for offset in range(-window, window + 1)
            if hmac.compare_digest(totp.generate_otp(current + offset), code)]


def unused_step(secret: str, code: str, last_step: int | None,
                for_time: float | None = None) -> int | None:
    """The oldest step that fits ``code`` and comes after ``last_step``, or None."""
    fresh = [step for step in matching_steps(secret, code, for_time)
             if last_step is None or step > last_step]
    return fresh[0] if fresh else None


def qr_svg(text: str, title: str = "") -> str:
    """A QR code as an inline SVG element: no style attribute, no script (the coming
    Content-Security-Policy allows neither inline)."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=5, xmldecl=False, light="#fff",
                                     svgclass="qr-code", lineclass=None, title=title or None)
    return out.getvalue().decode()
