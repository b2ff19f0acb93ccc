"""stafett-municipality CONFIG: a municipality from an empty database, and its superusers.

    stafett-municipality production.ini create --slug bodo --name "Bodø kommune" \\
        --number 1804 --superuser-name "Siri Superbruker" --superuser-fnr 01017012345
    stafett-municipality production.ini superuser --slug bodo --name "…" --fnr …
    stafett-municipality production.ini practice --slug bodo

The superuser logs in with ID-porten (their fødselsnummer is their login) and adds the
units and their leaders; the leaders add their staff (R1). Run ``stafett-init`` first.
``practice`` opens the municipality's practice municipality (kursløsning, R43), where its
staff rehearse with fictive families; the superuser can open it from the console too.
"""

from __future__ import annotations

import argparse
import sys

from ..messages import MESSAGES
from ..models.base import DomainError
from ..services.staff import add_superuser, found_municipality
from ..workflows.practice import open_practice
from . import app_root_of, open_db


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    db = open_db(args.config_uri)
    try:
        with app_root_of(db) as root:
            if args.command == "create":
                municipality = found_municipality(root, args.slug, args.name, args.number)
                add_superuser(municipality, args.superuser_name, args.superuser_fnr,
                              args.superuser_email)
                print(f"municipality {args.slug} created with its first superuser")
            else:
                municipality = root.get(args.slug)
                if municipality is None:
                    raise DomainError("adm_no_such_municipality")
                if args.command == "practice":
                    practice = open_practice(root, municipality)
                    print(f"practice municipality /{practice.id}/practice for {args.slug}")
                else:
                    add_superuser(municipality, args.name, args.fnr, args.email)
                    print(f"superuser added to {args.slug}")
    except DomainError as refused:
        print(f"refused: {MESSAGES.get(refused.msg, refused.msg)}", file=sys.stderr)
        return 2
    finally:
        db.close()
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config_uri")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="a new municipality and its first superuser")
    create.add_argument("--slug", required=True, help="its part of the address: bodo")
    create.add_argument("--name", required=True)
    create.add_argument("--number", required=True, help="the municipality number, 4 digits")
    create.add_argument("--superuser-name", required=True)
    create.add_argument("--superuser-fnr", required=True)
    create.add_argument("--superuser-email", default="")
    superuser = commands.add_parser("superuser", help="one more superuser")
    superuser.add_argument("--slug", required=True)
    superuser.add_argument("--name", required=True)
    superuser.add_argument("--fnr", required=True)
    superuser.add_argument("--email", default="")
    practice = commands.add_parser("practice", help="its practice municipality (R43)")
    practice.add_argument("--slug", required=True)
    return parser
