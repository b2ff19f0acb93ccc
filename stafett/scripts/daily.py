"""stafett-daily CONFIG: expire consents and send the day's reminders, for every municipality,
and forget login sessions that ended a day ago (run once a day, e.g. from cron or a systemd
timer)."""

from __future__ import annotations

import argparse

from pyramid.paster import get_appsettings

from ..access_journal import open_access_journal
from ..login_sessions import LoginSessions
from ..models.base import today
from ..services.mail import mailer_from_settings
from ..services.notice_failures import NoticeFailures
from ..services.notify import Notifier
from ..services.sms import sms_from_settings
from ..workflows.daily import run_daily
from . import app_root_of, open_db


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config_uri")
    args = parser.parse_args(argv)
    settings = get_appsettings(args.config_uri)
    mailer = mailer_from_settings(settings)
    access = open_access_journal(settings)
    db = open_db(args.config_uri)
    try:
        with app_root_of(db) as root:
            # Mail and SMS go when this transaction commits, never for work rolled back;
            # what cannot be sent is shown to the log's holder (R37).
            manager = root._p_jar.transaction_manager
            notifier = Notifier(mailer.bind(transaction_manager=manager),
                                sms_from_settings(settings), NoticeFailures(access.backend),
                                settings.get("stafett.public_url", "/"), manager)
            for slug in list(root.keys()):
                report = run_daily(root[slug], today(), notifier)
                print(f"{slug}: {report.expired} consents expired, {report.actors_reminded} "
                      f"actors and {report.leaders_reminded} leaders reminded")
        print(f"{LoginSessions(access.backend).prune()} ended login sessions forgotten")
    finally:
        db.close()
        access.close()
    return 0
