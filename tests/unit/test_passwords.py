"""One-time codes (R39): a code is accepted once, within its window, and never again."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
import time_machine

from stafett.models.org import Account, AccountKind
from stafett.services.passwords import check_otp, matching_steps, unused_step

START = dt.datetime(2026, 3, 2, 12, 0, 5, tzinfo=dt.UTC)  # 5 s into a 30-second step


@pytest.fixture
def account() -> Account:
    account = Account("barn", "hash", AccountKind.SUBJECT, "demo", "Barn")
    account.otp_secret = pyotp.random_base32()
    return account


def test_r39_a_code_is_refused_the_second_time_within_its_window(account):
    totp = pyotp.TOTP(account.otp_secret)
    with time_machine.travel(START, tick=False):
        code = totp.now()
        assert check_otp(account, code)
        assert account.otp_last_step == totp.timecode(START)
        assert not check_otp(account, code)
    with time_machine.travel(START + dt.timedelta(seconds=20), tick=False):
        assert not check_otp(account, code)  # same step, still in the window


def test_r39_an_older_code_is_refused_after_a_newer_one(account):
    totp = pyotp.TOTP(account.otp_secret)
    with time_machine.travel(START, tick=False):
        previous = totp.at(START, counter_offset=-1)  # in the window, but older
        assert check_otp(account, totp.now())
        assert not check_otp(account, previous)


def test_r39_the_next_code_is_accepted_and_an_old_step_never_again(account):
    totp = pyotp.TOTP(account.otp_secret)
    with time_machine.travel(START, tick=False):
        first = totp.now()
        assert check_otp(account, first)
    later = START + dt.timedelta(seconds=30)
    with time_machine.travel(later, tick=False):
        assert check_otp(account, totp.now())
        assert account.otp_last_step == totp.timecode(later)
        assert not check_otp(account, first)


def test_r39_codes_outside_the_window_wrong_or_missing_are_refused(account):
    totp = pyotp.TOTP(account.otp_secret)
    with time_machine.travel(START, tick=False):
        too_old = totp.at(START, counter_offset=-2)
        wrong = next(c for c in ("000000", "111111", "222222") if c not in {
            totp.at(START, counter_offset=o) for o in (-1, 0, 1)})
        for code in (too_old, wrong, "", None, "12345", "abcdef"):
            assert not check_otp(account, code)
        assert account.otp_last_step is None  # a refused code records nothing


def test_an_account_without_a_secret_needs_no_code():
    account = Account("voksen", "hash", AccountKind.GUARDIAN, "demo", "Voksen")
    assert check_otp(account, "")


def test_the_step_that_matched_is_found_in_the_window():
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    now = START.timestamp()
    step = totp.timecode(START)
    assert step + 1 in matching_steps(secret, totp.at(now, counter_offset=1), now)
    assert step - 1 in matching_steps(secret, totp.at(now, counter_offset=-1), now)
    assert unused_step(secret, totp.at(now), step, now) is None
    assert unused_step(secret, totp.at(now), step - 1, now) == step
