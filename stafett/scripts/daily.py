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
from ..workflows.daily import run_daily
from . import app_root_of, open_db


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config_uri")
    args = parser.parse_args(argv)
    settings = get_appsettings(args.config_uri)
    mailer = mailer_from_settings(settings)
    db = open_db(args.config_uri)
    try:
        with app_root_of(db) as root:
            # Mail goes when this transaction commits, never for work that is rolled back.
            bound = mailer.bind(transaction_manager=root._p_jar.transaction_manager)
            for slug in list(root.keys()):
                report = run_daily(root[slug], today(), bound)
                print(f"{slug}: {report.expired} consents expired, {report.actors_reminded} "
                      f"actors and {report.leaders_reminded} leaders reminded")
    finally:
        db.close()
    access = open_access_journal(settings)
    try:
        print(f"{LoginSessions(access.backend).prune()} ended login sessions forgotten")
    finally:
        access.close()
    return 0
