"""R37: who is told of what, and how (services.notify_choices, services.notify.deliver)."""

from __future__ import annotations

import datetime as dt

import pytest

from stafett.access_journal import SqliteBackend
from stafett.i18n import _
from stafett.services.notice_failures import NoticeFailures
from stafett.services.notify import (
    Notifier,
    deliver,
    employee_recipient,
    family_recipients,
    is_actor,
)
from stafett.services.notify_choices import (
    BOTH,
    EMAIL,
    NONE,
    SMS,
    channel_for,
    default_channel,
    kinds_for,
    mobile_number,
    save_choices,
    wants,
)
from stafett.services.sms import SmsGateway
from stafett.workflows.daily import run_daily

SUBJECT, BODY = _("t_subject", default="Something new"), _("t_body", default="Log in")


@pytest.mark.parametrize(("text", "expected"), [
    ("912 34 567", "+4791234567"), ("+47 412 34 567", "+4741234567"),
    ("0047 91234567", "+4791234567"), ("22 33 44 55", None),  # a fixed line in Oslo
    ("1234", None), ("ring meg", None), ("", None)])
def test_a_norwegian_mobile_number_is_recognised(text, expected):
    assert mobile_number(text) == expected


def test_defaults_are_email_and_sms_only_where_configured_and_a_number_is_known():
    assert default_channel(sms_configured=False, phone="91234567") == EMAIL
    assert default_channel(sms_configured=True, phone="") == EMAIL
    assert default_channel(sms_configured=True, phone="91234567") == BOTH
    assert wants(BOTH, sms_configured=False) == (True, False)
    assert wants(SMS, sms_configured=True) == (False, True)
    assert wants(NONE, sms_configured=True) == (False, False)


def test_a_choice_is_kept_per_kind_and_bad_values_are_dropped(world):
    account = world.guardian
    assert account.notify_choices is None  # an account stored before choices existed
    save_choices(account, {"glimpse": NONE, "meeting": SMS, "unknown": EMAIL,
                           "measure": "fax"}, "ny@example.org", "912 34 567")
    assert account.notify_choices == {"glimpse": NONE, "meeting": SMS}
    assert (account.notify_email, account.notify_phone) == ("ny@example.org", "+4791234567")
    assert channel_for(account, "glimpse", True, "91234567") == NONE
    assert channel_for(account, "measure", True, "91234567") == BOTH  # not chosen: default
    save_choices(account, {}, "", "")
    assert (account.notify_email, account.notify_phone) == (None, None)


def test_staff_choose_for_every_kind_the_family_for_theirs(world):
    assert "transfer" in kinds_for(world.holder) and "glimpse" in kinds_for(world.holder)
    assert "transfer" not in kinds_for(world.guardian)


def test_the_family_is_reached_at_their_own_address_before_the_log_s(world):
    log = world.active(guardians=("guardian", "guardian2"))
    save_choices(world.guardian, {}, "eget@example.org", "")
    assert sorted(r.email for r in family_recipients(log)) == ["eget@example.org",
                                                              "guardian2@example.org"]


def test_the_youth_from_16_is_told_when_they_gave_an_address(world):
    log = world.active(age=16, guardians=(), subject_username="youth")
    assert family_recipients(log) == []
    save_choices(world.youth, {}, "ung@example.org", "")
    (youth,) = family_recipients(log)
    assert (youth.ref, youth.email) == ("subject", "ung@example.org")


def test_nobody_is_told_of_what_they_did(world):
    log = world.active(guardians=("guardian", "guardian2"))
    told = {r.account.username for r in family_recipients(log) if not is_actor(r, world.guardian)}
    assert told == {"guardian2"}
    assert is_actor(employee_recipient(world.emp(world.holder)), world.holder)
    assert not is_actor(employee_recipient(world.emp(world.actor)), world.holder)


def test_choices_decide_the_channels_and_gaps_are_failures(world, tm, tmp_path):
    log = world.active(guardians=("guardian", "guardian2"))
    guardian2 = next(g for g in log.guardians.values() if g.username == "guardian2")
    guardian2.email, guardian2.phone = "", "22 33 44 55"
    save_choices(world.guardian, {"glimpse": NONE}, "", "")
    save_choices(world.guardian2, {"glimpse": BOTH}, "", "")
    failures = NoticeFailures(SqliteBackend(str(tmp_path / "side.sqlite")))
    notifier = Notifier(sms=SmsGateway("http://127.0.0.1:9/"), failures=failures,
                        transaction_manager=tm)
    sent = deliver(log, "glimpse", "glimpse", family_recipients(log), SUBJECT, BODY, {},
                   notifier)
    assert sent is None  # guardian chose nothing; guardian2 has no address and no mobile
    tm.commit()  # failures are recorded once the change has committed
    assert sorted((f["recipient"], f["channel"], f["reason"]) for f in failures.of_log(log.id)) \
        == [(f"guardian:{guardian2.id}", "email", "no_email"),
            (f"guardian:{guardian2.id}", "sms", "no_mobile")]


def test_failures_are_not_recorded_for_work_rolled_back(world, tm, tmp_path):
    log = world.active(guardians=("guardian",))
    next(iter(log.guardians.values())).email = ""
    failures = NoticeFailures(SqliteBackend(str(tmp_path / "side.sqlite")))
    deliver(log, "glimpse", "glimpse", family_recipients(log), SUBJECT, BODY, {},
            Notifier(failures=failures, transaction_manager=tm))
    tm.abort()
    assert failures.of_log(log.id) == []


def test_a_reminder_to_an_actor_without_an_address_is_shown_as_failed(world, tm, tmp_path):
    log = world.active()
    measure = world.measure(world.concern(log), world.actor)
    world.emp(world.actor).email = ""
    failures = NoticeFailures(SqliteBackend(str(tmp_path / "side.sqlite")))
    run_daily(world.m, measure.deadline - dt.timedelta(days=3),
              Notifier(failures=failures, transaction_manager=tm))
    tm.commit()
    (failure,) = failures.of_log(log.id)
    assert (failure["kind"], failure["recipient"], failure["reason"]) == (
        "evaluation_due", f"employee:{world.actor.employee_id}", "no_email")
