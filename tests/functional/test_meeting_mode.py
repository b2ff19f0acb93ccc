"""Meeting mode is where the meeting's work is done (R27, R29, R34): today's meeting with its
agenda, attendance and summary, evaluations, new, corrected and replaced measures, and the
agreed-measures PDF (R35), all without leaving meeting mode, and still with no way to reach
another log, a name outside this log, log notes or private notes."""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import urljoin, urlsplit

import pytest
from pypdf import PdfReader

from stafett.models.base import today
from stafett.models.notes import LogNote, PrivateNote

from ..conftest import csrf_token, login

NOTE = "Loggnotat som ikke skal på lerretet."
PRIVATE = "Privat notat som ikke skal på lerretet."


def _log(root, name):
    return next(log for log in root["demo"].logs.values() if log.subject.name == name)


def _form(page):
    return next(form for key, form in page.forms.items()
                if isinstance(key, str) and "__formid__" in form.fields)


@pytest.fixture
def emma(app, read_root):
    """Emma's log with a log note and a private note that must stay off the projector, and
    the names meeting mode must never show: other children, employees outside the log."""
    db = app.registry._zodb_databases[""]
    conn = db.open()
    log = _log(conn.root()["stafett"], "Emma Nordmann")
    log.notes.add(LogNote(NOTE, "larer"))
    log.private_notes.add(PrivateNote(PRIVATE, "larer"))
    conn.transaction_manager.commit()
    conn.close()
    with read_root() as root:
        log = _log(root, "Emma Nordmann")
        municipality = root["demo"]
        in_log = {municipality.employee(e).name for e in log.staff_ids()}
        outsiders = sorted({e.name for e in municipality.employees.values()} - in_log)
        others = sorted({other.subject.name for other in municipality.logs.values()}
                        - {"Emma Nordmann"})
        measure = next(m for m in log.active_measures() if m.evaluation is None)
        return {"log": f"/demo/logs/{log.id}/", "outsiders": outsiders, "others": others,
                "measure": f"/demo/logs/{log.id}/concerns/{measure.concern.id}/measures/"
                           f"{measure.id}/", "concern": f"/demo/logs/{log.id}/concerns/"
                                                        f"{measure.concern.id}/",
                "measure_id": measure.id, "other_log": next(
                    f"/demo/logs/{other.id}/" for other in municipality.logs.values()
                    if other.subject.name == "Jonas Berg")}  # also held by larer


def _enter(testapp, emma):
    login(testapp, "larer")
    page = testapp.get(emma["log"])
    testapp.post(emma["log"] + "meeting-mode", {"csrf_token": csrf_token(page)}, status=303)
    return testapp.get(emma["log"] + "meeting-mode")


def _register_todays_meeting(testapp, emma):
    page = testapp.get(emma["log"] + "meeting-mode")
    form = _form(page.click(href=r"add-meeting$"))
    assert form["date"].value == today().isoformat()
    form["agenda"] = "Lesing og friminutt"
    form["start_time"] = "13:15"
    form["place"] = "Grupperommet"
    for box in form.fields["checkbox"]:
        if box._value in ("Lars Lærer", "Ola Nordmann"):
            box.checked = True
    form["minute_taker"] = "Lars Lærer"
    done = form.submit("save", status=303)
    assert urlsplit(done.location).path.endswith("/meeting-mode")
    return done.follow()


def test_the_meeting_is_registered_and_recorded_from_meeting_mode(testapp, emma):
    page = _enter(testapp, emma)
    assert "Dagens møte" in page.text and "Registrer dagens møte" in page.text
    page = _register_todays_meeting(testapp, emma)
    card = page.html.select_one(".meeting-now").get_text(" ", strip=True)
    assert "Lesing og friminutt" in card and "Ola Nordmann, Lars Lærer" in card
    assert "13:15, Grupperommet" in card

    form = _form(page.click(description="Saksliste, oppmøte og oppsummering"))
    form["summary"] = "Emma leser høyt hver dag. Hun vil gjerne ha en lesevenn."
    page = form.submit("save", status=303).follow()
    assert page.request.path.endswith("/meeting-mode")
    assert "Emma leser høyt hver dag" in page.html.select_one(".meeting-now").text


def test_a_measure_is_evaluated_corrected_and_replaced_in_meeting_mode(testapp, emma,
                                                                       read_root):
    _enter(testapp, emma)
    _register_todays_meeting(testapp, emma)
    evaluate = testapp.get(emma["measure"] + "evaluate")
    assert evaluate.status_int == 200 and "meeting-now" not in evaluate.text
    form = _form(evaluate)
    with read_root() as root:
        held_today = [m.id for m in _log(root, "Emma Nordmann").meetings.values()
                      if m.date == today()]
    assert form["meeting"].value == held_today[0]  # the meeting being held is chosen
    form["service_view"] = "Emma leser mer sammenhengende."
    form["decision"] = "continue"
    form["family_verdict"] = "worked"
    done = form.submit("save", status=303)
    assert urlsplit(done.location).path == emma["concern"]
    concern_page = done.follow()
    assert "Emma leser mer sammenhengende." in concern_page.text
    assert concern_page.html.select_one(".topbar") is None  # still drawn for the projector

    new = _form(testapp.get(emma["concern"] + "add-measure"))
    new["text"] = "Emma leser høyt for en lesevenn hver fredag."
    new["arena"] = "child"
    new["party"] = "subject"
    new.set("start", today().isoformat())
    new.set("deadline", (today() + dt.timedelta(weeks=6)).isoformat())
    saved = new.submit("save", status=303).follow()
    new_id = re.search(r'id="([^"]+)"[^>]*>\s*<strong>Emma leser høyt for en lesevenn',
                       saved.text).group(1)
    correct = _form(testapp.get(f"{emma['concern']}measures/{new_id}/correct"))
    correct["text"] = "Emma leser høyt for lesevennen sin hver fredag."
    correct.submit("save", status=303)

    misregister = _form(testapp.get(f"{emma['concern']}measures/{new_id}/misregister"))
    misregister["text"] = "Emma leser høyt for lesevennen sin hver torsdag."
    page = misregister.submit("save", status=303).follow()
    assert "torsdag" in page.text and "Erstatter et feilregistrert tiltak" in page.text

    pdf = testapp.get(emma["log"] + "meeting-mode").click(href=r"/pdf$")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body)).pages)
                    .split())
    assert "Evaluert i dette møtet" in text, text
    assert "Emma leser mer sammenhengende. Virket Fortsette" in text
    assert "torsdag" in text and "Ola Nordmann, Lars Lærer" in text


def test_meeting_mode_offers_only_employees_in_this_log(testapp, emma):
    login(testapp, "larer")
    outside = _form(testapp.get(emma["concern"] + "add-measure"))
    names_outside = {text for _v, _s, text in outside["actor"].options}
    _enter(testapp, emma)
    inside = _form(testapp.get(emma["concern"] + "add-measure"))
    names_inside = {text for _v, _s, text in inside["actor"].options}
    assert names_inside < names_outside
    assert not [n for n in emma["outsiders"] if any(n in text for text in names_inside)]


def _crawl(testapp, start: str) -> dict[str, str]:
    """Every page reachable by a link from meeting mode (GET only): path -> body."""
    seen, queue = {}, [start]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        response = testapp.get(path)
        if response.status_int in (302, 303):
            assert urlsplit(response.location).path.endswith("/meeting-mode"), path
            seen[path] = ""
            continue
        seen[path] = response.text if response.content_type == "text/html" else ""
        for href in re.findall(r'href="([^"#]+)', seen[path]):
            target = urlsplit(urljoin("http://localhost" + path, href))
            if target.path.startswith("/static") or target.path == "/accessibility":
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return seen


def test_no_link_from_meeting_mode_leads_out_of_the_log(testapp, emma):
    _enter(testapp, emma)
    _register_todays_meeting(testapp, emma)
    pages = _crawl(testapp, emma["log"] + "meeting-mode")
    work = [p for p, body in pages.items() if body]
    assert any(p.endswith("/evaluate") for p in work)
    assert any(p.endswith("/add-measure") for p in work)
    assert any(re.search(r"/meetings/[^/]+/edit$", p) for p in work)
    for path, body in pages.items():
        assert path.startswith(emma["log"]) or not body, path
        shown = [n for n in emma["others"] + emma["outsiders"] + [NOTE, PRIVATE] if n in body]
        assert not shown, (path, shown)


@pytest.mark.parametrize("where", ["/", "other_log", "add-note", "add-private-note", "full",
                                   "access-log", "add-glimpse", "/demo/admin"])
def test_everything_else_leads_back_to_the_meeting(testapp, emma, where):
    _enter(testapp, emma)
    path = emma.get(where) or (where if where.startswith("/") else emma["log"] + where)
    response = testapp.get(path, status=303)
    assert urlsplit(response.location).path == emma["log"] + "meeting-mode"


def test_leaving_meeting_mode_opens_the_whole_log_again(testapp, emma):
    page = _enter(testapp, emma)
    form = next(f for f in page.forms.values() if f.action.endswith("leave-meeting-mode"))
    form.submit(status=303)
    assert NOTE in testapp.get(emma["log"]).text
    assert testapp.get(emma["other_log"]).status_int == 200


def test_a_meeting_time_that_is_no_time_is_named_and_the_text_kept(testapp, emma):
    login(testapp, "larer")
    form = _form(testapp.get(emma["log"] + "add-meeting"))
    form["start_time"] = "25:99"
    form["place"] = "Grupperommet"
    form["agenda"] = "Lesing og friminutt"
    page = form.submit("save", status=200)
    (box,) = page.html.select('[role="alert"]')
    assert "Klokkeslett: Ugyldig klokkeslett." in box.get_text(" ", strip=True)
    kept = _form(page)
    assert (kept["place"].value, kept["agenda"].value) == ("Grupperommet",
                                                           "Lesing og friminutt")
