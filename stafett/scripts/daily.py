"""stafett-daily CONFIG [--again]: run tonight's nightly work now (consent expiry and
reminders, login sessions, journal sealing, pack; see ``workflows/nightly.py``) and print
what each step did. The servers run it by themselves every night at
``stafett.nightly_at``; this is for running it by hand.

With ZEO or RelStorage it opens the storage itself. When a running server holds the
FileStorage, it asks that server to run it (``POST /nightly-run`` on loopback with
``stafett.nightly_secret``)."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

import plaster
from pyramid.paster import get_appsettings
from zc.lockfile import LockError

from ..access_journal import open_access_journal
from ..models.base import today
from ..workflows.nightly import Outcome, run_night
from . import held_by_server, open_db

HAND_OVER_TIMEOUT = 6 * 60 * 60  # a pack of a large storage takes its time


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config_uri")
    parser.add_argument("--again", action="store_true",
                        help="run tonight again even if it has finished")
    args = parser.parse_args(argv)
    settings = get_appsettings(args.config_uri)
    try:
        db = open_db(args.config_uri)
    except LockError:
        outcome = hand_over(args.config_uri, settings, args.again)
        if outcome is None:
            return 2
    else:
        access = open_access_journal(settings)
        try:
            outcome = run_night(db, settings, access, today(), again=args.again)
        finally:
            db.close()
            access.close()
    print("\n".join(outcome.lines()))
    return 1 if outcome.failed else 0


def hand_over(config_uri: str, settings: dict, again: bool) -> Outcome | None:
    """Ask the server that holds the FileStorage to run the night."""
    secret = settings.get("stafett.nightly_secret", "").strip()
    if not secret:
        print(held_by_server("set stafett.nightly_secret in the configuration and restart "
                             "the server so that stafett-daily can ask it"), file=sys.stderr)
        return None
    url = server_url(config_uri, settings) + "/nightly-run"
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode({"again": "1" if again else "0"}).encode(),
        headers={"Authorization": f"Bearer {secret}"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=HAND_OVER_TIMEOUT) as response:
            return Outcome.from_json(json.load(response))
    except (urllib.error.URLError, OSError, ValueError) as error:
        print(f"The database is held by a running server, which did not run the night "
              f"at {url}: {error}", file=sys.stderr)
        return None


def server_url(config_uri: str, settings: dict) -> str:
    """``stafett.nightly_url``, else the first address the server listens on."""
    if settings.get("stafett.nightly_url"):
        return settings["stafett.nightly_url"].rstrip("/")
    server = plaster.get_settings(config_uri, "server:main")
    listen = server.get("listen", "").split()
    if listen:
        host, _, port = listen[0].rpartition(":")
    else:
        host, port = server.get("host", "127.0.0.1"), server.get("port", "6543")
    if host in ("", "*", "0.0.0.0", "localhost"):
        host = "127.0.0.1"
    elif host in ("[::]",):
        host = "[::1]"
    return f"http://{host}:{port}"


if __name__ == "__main__":
    sys.exit(main())
