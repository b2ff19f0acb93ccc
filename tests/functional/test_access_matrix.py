"""The access matrix: every view on a log and its parts x every role x every log state.

The expectations below restate DOMAIN.md (R2-R8, R13, R15, R16, R17) on their own, so the
test does not just mirror security.py. Views come from the running app's registry: a view
added later is covered automatically, and one with no expectation fails the test.
"""

from __future__ import annotations

import datetime as dt

import pytest
import webtest

from stafett.models import (
    Account,
    AccountKind,
    Concern,
    ConsentScope,
    Glimpse,
    Guardian,
    Log,
    LogNote,
    Measure,
    Meeting,
    PrivateNote,
    ReadGrant,
    Subject,
)
from stafett.models.consent import Consent
from stafett.models.family import ChildVoice, VoiceWay
from stafett.models.files import StoredFile
from stafett.models.notes import AuthorRole
from stafett.scripts.demo import make_fnr, years_ago
from stafett.workflows import add_measure, create_log, fire, give_consent

from ..conftest import csrf_token, login

STATES = ("draft", "active", "passive", "reopened")
ROLES = ("holder", "other_holder", "leader", "actor", "guardian", "subject", "reader",
         "unrelated", "anonymous")
USERS = {"holder": "larer", "other_holder": "kontaktlarer", "leader": "rektor",
         "actor": "assistent", "guardian": "mx-forelder", "subject": "mx-ungdom",
         "reader": "ppt", "unrelated": "helsesykepleier"}

VH, V, EDIT, CONTRIB = "view_header", "view", "edit", "contribute"
CONSENT, TRANSFER, ACCESS = "record_consent", "transfer", "access_log"
ENROL = "enrol_subject"  # R39: the child's own login, set up by the holder or a guardian
SPEAK = "speak"  # R40: the holder records the child's voice, the subject writes it
FAMILY_INPUT = "family_input"  # R27: the family before and after a meeting
FAMILY = {VH, V, CONTRIB, ACCESS, FAMILY_INPUT}
COPIES = "archive_copies"  # R35: the holder and the unit's leader, once the log has started
RUNNING = {
    "holder": {VH, V, EDIT, CONTRIB, CONSENT, TRANSFER, ACCESS, ENROL, SPEAK,  # R2, R39
               COPIES},
    "leader": {VH, CONSENT, TRANSFER, ACCESS, COPIES},  # R6, R22: header, acting for staff
    "guardian": FAMILY | {ENROL}, "subject": FAMILY | {SPEAK},  # R5, R39, R40
    "actor": {VH, CONTRIB},  # R3 (+ view of their own concern, below)
    "reader": {VH, V},  # R4, whole-log grant
}
RIGHTS = {
    "draft": {"holder": {VH, V, EDIT, CONTRIB, CONSENT, "discard", ACCESS, ENROL,  # R13
                         SPEAK},
              "leader": {VH, "delete", ACCESS}},
    "active": RUNNING,
    "reopened": RUNNING,  # R16: editable like an active log
    "passive": {  # R15: read-only for everyone; R16/R17 for the leader
        "holder": {VH, V, ACCESS, COPIES}, "guardian": {VH, V, ACCESS},
        "subject": {VH, V, ACCESS}, "actor": {VH}, "reader": {VH, V},
        "leader": {VH, "reopen", "delete", CONSENT, ACCESS, COPIES}},
}
# Contexts inside a log, and who has rights of their own there (R3, R8, R30).
OWN_RIGHTS = {
    "concern_of_actor": {"actor": {V}},
    "glimpse": {"guardian": {V, "edit_own"}},
    "private_note": {"holder": {V, "edit_own"}},
    "voice": {"holder": {V, "edit_own"}},
}
PRIVATE = {"private_note"}  # R8: nobody but the author, whatever their role in the log
# Files for a receiver without Stafett (R20, R23, R38): the holder's alone, though others
# may read the log (a POST the matrix would otherwise skip for readers).
HOLDER_ONLY = {"plan-pdf", "plan-package"}


def expected(state: str, role: str, where: str, permission: str) -> bool:
    if role == "anonymous":
        return False
    own = OWN_RIGHTS.get(where, {}).get(role, set())
    if state == "draft" and where not in PRIVATE:
        own = set()  # R13: a draft is the holder's and the leader's only
    if permission == "edit_own" and state == "passive":
        own = own - {"edit_own"}
    if where in PRIVATE:
        return permission in own
    return permission in RIGHTS[state].get(role, set()) | own


# -- arranging the logs -----------------------------------------------------------------------
def _arrange(root) -> dict[str, dict[str, str]]:
    """One log per state with every kind of part; returns {state: {where: path}}."""
    municipality = root["demo"]
    accounts = root.accounts
    password = accounts["larer"].password_hash
    for username, kind in (("mx-forelder", AccountKind.GUARDIAN),
                           ("mx-ungdom", AccountKind.SUBJECT)):
        accounts[username] = Account(username, password, kind, "demo", username)
    holder, leader = accounts["larer"], accounts["rektor"]
    paths = {}
    for number, state in enumerate(STATES):
        subject = Subject(f"Matrise Barn {state}", make_fnr(years_ago(13), 300 + number),
                          username="mx-ungdom")
        log = create_log(municipality, Log(subject, holder.employee_id,
                                           municipality.employee(holder.employee_id).unit_id,
                                           2), holder)
        guardian = log.guardians.add(Guardian("Mx Forelder", "mx@example.org",
                                              username="mx-forelder"))
        basis = give_consent(log, Consent([guardian.id], dt.date.today(), ConsentScope.CREATE),
                             holder)
        log.grants.add(ReadGrant(accounts["ppt"].employee_id, basis.id))
        municipality.index.reindex(log)
        if state != "draft":
            fire(log, "activate", holder)
        parts = _add_parts(log, holder, accounts)
        if state in ("passive", "reopened"):
            fire(log, "close", holder)
        if state == "reopened":
            give_consent(log, Consent([guardian.id], dt.date.today(), ConsentScope.REOPEN),
                         leader)
            fire(log, "reopen", leader)
        paths[state] = {where: f"/demo/logs/{log.id}/{rest}" for where, rest in parts.items()}
        paths[state]["log"] = f"/demo/logs/{log.id}/"
        paths[state]["consent"] = f"/demo/logs/{log.id}/consents/{basis.id}/"
        paths[state]["grant"] = f"/demo/logs/{log.id}/grants/{next(iter(log.grants))}/"
        paths[state]["guardian"] = f"/demo/logs/{log.id}/guardians/{guardian.id}/"
    return paths


def _add_parts(log, holder, accounts) -> dict[str, str]:
    theirs = log.concerns.add(Concern("Konsentrasjon i timene.", "learning"))
    other = log.concerns.add(Concern("Venner i friminuttene.", "social"))
    today = dt.date.today()
    parts = {"concern_of_actor": f"concerns/{theirs.id}/",
             "concern_of_other": f"concerns/{other.id}/"}
    if log.state != "draft":
        measure = add_measure(theirs, Measure(
            "Assistenten leser med eleven.", "actor", "service", today,
            today + dt.timedelta(weeks=4), accounts["assistent"].employee_id), holder)
        parts["measure"] = f"concerns/{theirs.id}/measures/{measure.id}/"
    meeting = log.meetings.add(Meeting(today, "Oppstart"))
    glimpse = log.glimpses.add(Glimpse("Fin dag!", "mx-forelder", AuthorRole.GUARDIAN))
    private = log.private_notes.add(PrivateNote("Huskelapp.", "larer"))
    note = log.notes.add(LogNote("Notat.", "larer"))
    voice = log.voices.add(ChildVoice("Jeg vil sitte ved vinduet.", meeting.id, None,
                                      VoiceWay.TALK_BEFORE, "larer", AuthorRole.HOLDER))
    note.attachment = StoredFile(b"%PDF-1.4 matrix", "notat.pdf")
    parts.update(meeting=f"meetings/{meeting.id}/", glimpse=f"glimpses/{glimpse.id}/",
                 private_note=f"private_notes/{private.id}/", note=f"notes/{note.id}/",
                 voice=f"voices/{voice.id}/")
    return parts


# Which path (by kind of context) each view's context is found at.
CONTEXT_PATHS = {"Log": ["log"], "Concern": ["concern_of_actor", "concern_of_other"],
                 "Measure": ["measure"], "Meeting": ["meeting"], "Glimpse": ["glimpse"],
                 "PrivateNote": ["private_note"], "LogNote": ["note"],
                 "Consent": ["consent"], "ReadGrant": ["grant"], "Guardian": ["guardian"],
                 "ChildVoice": ["voice"]}
NOT_IN_MATRIX = {"Transfer"}  # proposed transfers: tests/functional/test_lifecycle.py


def _log_views(app):
    views = set()
    for item in app.registry.introspector.get_category("views"):
        view = item["introspectable"]
        context = getattr(view["context"], "__name__", None)
        if context in NOT_IN_MATRIX or view.get("exception_only"):
            continue
        if context not in CONTEXT_PATHS and getattr(view["context"], "__module__", "") \
                .startswith("stafett.models") and view["context"].__module__.endswith(
                    (".log", ".concern", ".notes", ".consent", ".family")):
            pytest.fail(f"no matrix row for views on {context}")
        if context in CONTEXT_PATHS:
            permission = next(str(r["value"]) for r in item["related"]
                              if r.category_name == "permissions")
            methods = tuple(view["request_methods"] or ("GET", "POST"))
            views.add((context, view["name"], permission, "GET" in methods))
    return sorted(views)


@pytest.fixture
def matrix(app, read_root):
    with read_root() as root:
        paths = _arrange(root)
    clients = {}
    for role in ROLES:
        client = webtest.TestApp(app)
        if role != "anonymous":
            assert login(client, USERS[role]).status_int == 303, role
        clients[role] = client
    return paths, clients


def test_every_view_every_role_every_state(app, matrix, read_root):
    paths, clients = matrix
    tokens = {role: csrf_token(clients[role].get("/login")) for role in ROLES}
    unexpected, checked = [], 0
    for context, name, permission, readable in _log_views(app):
        for state in STATES:
            for where in CONTEXT_PATHS[context]:
                path = paths[state].get(where)
                if path is None:
                    continue  # e.g. no measure in a draft
                url = path + name
                for role in ROLES:
                    allow = expected(state, role, where, permission) and (
                        name not in HOLDER_ONLY or role == "holder")
                    status = _request(clients[role], url, readable, allow, tokens[role])
                    checked += status is not None
                    if status is not None and not _fits(status, allow, role):
                        unexpected.append(f"{state} {role:<12} {url} ({permission}): {status}")
    assert checked > 1000
    assert unexpected == [], "\n".join(unexpected)
    with read_root() as root:  # the refused POSTs changed nothing
        states = {root["demo"].logs[p["log"].split("/")[3]].state for p in paths.values()}
        assert states == set(STATES)


def _request(client, url, readable, allow, token):
    if readable:
        return client.get(url, expect_errors=True).status_int
    if allow:
        return None  # a permitted POST would change the log: the journeys test those
    return client.post(url, {"csrf_token": token}, expect_errors=True).status_int


def _fits(status: int, allow: bool, role: str) -> bool:
    if allow:
        return status in (200, 303)
    if role == "anonymous":
        return status in (303, 400, 403)
    return status in (403, 404)


def test_a_deleted_log_is_gone_for_everyone(app, matrix, read_root):
    """R17: after deletion no role reaches the log or any part of it."""
    paths, clients = matrix
    with read_root() as root:
        log = root["demo"].logs[paths["draft"]["log"].split("/")[3]]
        fire(log, "discard", root.accounts["larer"], reason="created_by_mistake")
    statuses = {(role, where): clients[role].get(path, expect_errors=True).status_int
                for role in ROLES for where, path in paths["draft"].items()}
    assert {s for (role, _), s in statuses.items() if role != "anonymous"} == {404}
    assert {s for (role, _), s in statuses.items() if role == "anonymous"} <= {303, 404}


def test_every_post_without_a_csrf_token_is_refused(app, matrix, read_root):
    """No form or button accepts a POST without the session's token, whoever sends it."""
    paths, clients = matrix
    accepted = []
    for context, name, _permission, _readable in _log_views(app):
        for where in CONTEXT_PATHS[context]:
            path = paths["active"].get(where)
            if path is None:
                continue
            status = clients["holder"].post(path + name, {"text": "x"},
                                            expect_errors=True).status_int
            if status not in (400, 403, 404, 405):
                accepted.append(f"{path + name}: {status}")
    assert accepted == []
    with read_root() as root:
        assert root["demo"].logs[paths["active"]["log"].split("/")[3]].state == "active"
