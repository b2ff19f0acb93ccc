"""stafett-password CONFIG USERNAME: set a local account's password (argon2id).

Accounts made in the unit console have no password: in production people log in through
ID-porten (R39). Where local logins are used, an operator sets the first password here. The
password is read from standard input (one line) or asked for without echo.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from ..services.passwords import hash_password
from . import app_root_of, open_db

MIN_LENGTH = 12


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config_uri")
    parser.add_argument("username")
    args = parser.parse_args(argv)
    password = (getpass.getpass("Password: ") if sys.stdin.isatty()
                else sys.stdin.readline().rstrip("\n"))
    if len(password) < MIN_LENGTH:
        print(f"refused: a password has at least {MIN_LENGTH} characters", file=sys.stderr)
        return 2
    db = open_db(args.config_uri)
    try:
        with app_root_of(db) as root:
            account = root.accounts.get(args.username)
            if account is None:
                print("refused: no such account", file=sys.stderr)
                return 2
            account.password_hash = hash_password(password)
    finally:
        db.close()
    print("password set")
    return 0
