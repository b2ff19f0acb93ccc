"""Logs carry no personal data: a short journey through the app, every log record of every
logger captured at DEBUG, and not one holds a child's or a guardian's name or any
fødselsnummer from the demo data."""

from __future__ import annotations

import logging

from ..conftest import csrf_token, login

LOGGERS = ("", "stafett", "pyramid", "waitress", "ZODB", "transaction", "txn", "ZEO")


def personal_data(root) -> set[str]:
    """Names and numbers of every child and guardian in every municipality."""
    found = set()
    for municipality in root.values():
        for log in municipality.logs.values():
            people = [log.subject, *log.guardians.values()]
            found |= {p.name for p in people} | {p.fnr for p in people if p.fnr}
            found |= {part for p in people for part in p.name.split() if len(part) > 3}
    return found


def test_a_journey_leaves_no_name_or_number_in_any_log_record(testapp, read_root, caplog):
    with read_root() as root:
        secrets = personal_data(root)
        log = next(log for log in root["demo"].logs.values()
                   if log.subject.name == "Emma Nordmann")  # held by larer
        child, log_url = log.subject, f"/demo/logs/{log.id}/"
        holder_name = log.subject.name
    assert child.fnr in secrets and holder_name in secrets
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)

    failed = testapp.get("/login").forms["deform"]
    failed["username"], failed["password"] = holder_name, "wrong"
    failed.submit("submit")
    testapp.get(f"/demo/logs/{child.fnr}/", status=404)
    testapp.get(f"/search?q={child.fnr}", status="*")
    testapp.get("/?q=%ff%fe", status=400)  # a query string that is not UTF-8
    login(testapp, "larer")
    testapp.post("/language", {"locale": "en", "csrf_token": "forged"}, status=400)
    testapp.get(log_url, status=200)
    token = csrf_token(testapp.get(log_url + "add-glimpse"))
    testapp.post(log_url + "add-glimpse", {"text": f"{holder_name} leste i dag.",
                                           "csrf_token": token}, status=303)

    assert caplog.records, "the journey logged nothing at all: the capture is broken"
    for record in caplog.records:
        line = record.getMessage() + (record.exc_text or "")
        leaked = {secret for secret in secrets if secret in line}
        assert not leaked, f"{record.name} logged {leaked}: {line[:200]!r}"


def test_production_ini_writes_no_access_log_with_query_strings():
    """An access log (paste's translogger, waitress' access logging) would print every URL
    with its query string, where a search for a child's name is."""
    import configparser
    import pathlib

    ini = pathlib.Path(__file__).parents[2] / "production.ini"
    parser = configparser.RawConfigParser()
    parser.read(ini)
    assert not [s for s in parser.sections() if s.startswith(("filter:", "pipeline:"))]
    assert "translogger" not in ini.read_text().lower()
    assert parser.get("logger_root", "level") in ("WARN", "WARNING", "ERROR")
    assert not parser.has_option("server:main", "expose_tracebacks")
