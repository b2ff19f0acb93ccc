"""The log's content in the browser: concerns, goals, measures, evaluations, meetings,
glimpses and notes, written and read by each role (R2-R5, R7, R8, R24-R32)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfWriter

from stafett.models import Consent, ConsentScope
from stafett.models.base import today
from stafett.workflows import give_consent

from ..conftest import csrf_token, login

TODAY = today()


def _log(root, name):
    return next(log for log in root["demo"].logs.values() if log.subject.name == name)


def _concern(log, starts):
    return next(c for c in log.concerns.values() if c.text.startswith(starts))


@pytest.fixture
def emma(read_root):
    """URLs of the demo log 'Emma Nordmann' and its two concerns."""
    with read_root() as root:
        log = _log(root, "Emma Nordmann")
        reading, friends = _concern(log, "Emma strever"), _concern(log, "Emma er ofte")
        base = f"/demo/logs/{log.id}/"
        return {"log": base, "reading": f"{base}concerns/{reading.id}/",
                "friends": f"{base}concerns/{friends.id}/", "id": log.id,
                "reading_id": reading.id}


def _form(page):
    """The content form on a page (the layout's language and logout forms come first)."""
    return next(form for key, form in page.forms.items()
                if isinstance(key, str) and "__formid__" in form.fields)


def _employee_id(read_root, username):
    with read_root() as root:
        return root.accounts[username].employee_id


def _add_measure(testapp, concern_url, text, *, actor="", party="actor", arena="service",
                 status=None):
    form = _form(testapp.get(concern_url + "add-measure"))
    form["text"] = text
    form["arena"] = arena
    form["party"] = party
    form["actor"].force_value(actor)
    form.set("start", TODAY.isoformat())
    form.set("deadline", (TODAY + dt.timedelta(weeks=4)).isoformat())
    return form.submit("save", status=status)


# -- concerns and goals (R24, R28, R32) ---------------------------------------------------
def test_holder_adds_concern_with_goal_and_sees_writing_help(testapp, emma, read_root):
    login(testapp, "larer")
    form = _form(testapp.get(emma["log"] + "add-concern"))
    form["text"] = "Emma kommer for sent til skolen og hun følges opp snarest."
    form["category"] = "attendance"
    form["goal"] = "Emma har gode morgenrutiner."
    form["sub_goals"] = "Emma står opp når vekkerklokka ringer kl. 07.00"
    response = form.submit("save", status=303)
    assert "saved=concern-form" in response.location
    page = response.follow()
    assert "Emma kommer for sent til skolen" in page.text
    assert "Emma har gode morgenrutiner." in page.text
    assert "«snarest» sier ikke når" in page.text  # writing help after saving, not blocking
    assert "Målet sier ikke når eller hvor" in page.text
    with read_root() as root:
        concern = _concern(_log(root, "Emma Nordmann"), "Emma kommer for sent")
        assert concern.goal.text == "Emma har gode morgenrutiner."
        assert concern.goal.sub_goals == ("Emma står opp når vekkerklokka ringer kl. 07.00",)
        assert str(concern.category) == "attendance"


def test_invalid_concern_keeps_every_character_and_names_the_field(testapp, emma, read_root):
    login(testapp, "larer")
    form = _form(testapp.get(emma["log"] + "add-concern"))
    form["text"] = ""
    form["goal"] = "Emma leser høyt for klassen hver fredag – æøå «sitat»."
    response = form.submit("save", status=200)
    assert "Oppmerksomhet: Fyll ut dette feltet." in response.text
    assert "Emma leser høyt for klassen hver fredag – æøå «sitat»." in response.text
    with read_root() as root:
        assert len(_log(root, "Emma Nordmann").concerns) == 2


def test_autosave_saves_goal_while_typing_and_keeps_history_once(testapp, emma, read_root):
    login(testapp, "larer")
    edit = testapp.get(emma["reading"] + "edit")
    form = _form(edit)
    assert 'data-autosave-url="' in edit.text
    fields = {"csrf_token": csrf_token(edit), "text": form["text"].value,
              "category": form["category"].value, "goal_base": form["goal_base"].value,
              "sub_goals": "", "maintaining_factors": ""}
    for typed in ("Emma leser 25", "Emma leser 25 minutter hver dag."):
        answer = testapp.post(emma["reading"] + "autosave", dict(fields, goal=typed)).json
        assert answer["saved"] is True
    with read_root() as root:
        concern = _concern(_log(root, "Emma Nordmann"), "Emma strever")
        assert concern.goal.text == "Emma leser 25 minutter hver dag."
        assert [g.text for g in concern.former_goals] == ["Emma leser 20 minutter hver dag."]


def test_guardian_and_actor_may_not_write_concerns(testapp, emma):
    for username in ("forelder", "assistent"):
        testapp.reset()
        login(testapp, username)
        token = csrf_token(testapp.get("/"))
        testapp.get(emma["log"] + "add-concern", status=403)
        testapp.post(emma["log"] + "add-concern", {"csrf_token": token, "text": "x",
                                                    "category": "other"}, status=403)


def test_post_without_csrf_token_is_refused(testapp, emma, read_root):
    login(testapp, "larer")
    testapp.post(emma["log"] + "add-concern", {"text": "Uten token", "category": "other"},
                 status=400)
    testapp.post(emma["log"] + "add-glimpse", {"text": "Uten token"}, status=400)
    testapp.post(emma["reading"] + "autosave", {"text": "Uten token", "category": "other"},
                 status=400)
    with read_root() as root:
        assert len(_log(root, "Emma Nordmann").concerns) == 2


# -- measures (R7, R25, R26, R27) ---------------------------------------------------------
def test_measure_actor_rules_by_level(testapp, emma, read_root):
    ppt = _employee_id(read_root, "ppt")
    kontakt = _employee_id(read_root, "kontaktlarer")
    login(testapp, "larer")
    response = _add_measure(testapp, emma["reading"], "Kari leser med Emma hver mandag.",
                            actor=kontakt, status=303)
    assert "Kari leser med Emma hver mandag." in response.follow().text
    with read_root() as root:
        _log(root, "Emma Nordmann").level = 1  # level 1: only the holder's own unit (R7)
    page = testapp.get(emma["reading"] + "add-measure")
    assert "Pia Rådgiver" not in page.text and "Ali Assistent" in page.text
    refused = _add_measure(testapp, emma["reading"], "Pia observerer Emma i norsktimen.",
                           actor=ppt, status=200)
    assert "På nivå 1 kan bare aktører fra stafettholderens egen enhet legges til." \
        in refused.text
    assert "Pia observerer Emma i norsktimen." in refused.text
    with read_root() as root:
        _log(root, "Emma Nordmann").level = 2
    page = testapp.get(emma["reading"] + "add-measure")
    assert "Pia Rådgiver (PPT)" in page.text
    refused = _add_measure(testapp, emma["reading"], "Pia observerer Emma i norsktimen.",
                           actor=ppt, status=200)  # PPT is not yet involved (R11)
    assert "registrer først familiens samtykke" in refused.text
    with read_root() as root:
        log = _log(root, "Emma Nordmann")
        guardian = next(iter(log.guardians.keys()))
        give_consent(log, Consent([guardian], today(), ConsentScope.INVOLVE_UNIT,
                                  unit_id=root["demo"].employee(ppt).unit_id),
                     root.accounts["larer"])
    _add_measure(testapp, emma["reading"], "Pia observerer Emma i norsktimen.", actor=ppt,
                 status=303)
    with read_root() as root:
        reading = _concern(_log(root, "Emma Nordmann"), "Emma strever")
        assert sorted(m.actor_id for m in reading.active_measures() if m.actor_id) == sorted(
            [_employee_id(read_root, "assistent"), kontakt, ppt])


def test_r25_second_active_measure_for_same_actor_is_refused(testapp, emma, read_root):
    login(testapp, "larer")
    refused = _add_measure(testapp, emma["reading"], "Ali hjelper Emma med lekser hver dag.",
                           actor=_employee_id(read_root, "assistent"), status=200)
    assert "Denne aktøren har allerede et aktivt tiltak i denne oppmerksomheten." in refused.text
    assert "Ali hjelper Emma med lekser hver dag." in refused.text


def test_r26_concern_page_shows_missing_arenas(testapp, emma):
    login(testapp, "larer")
    page = testapp.get(emma["reading"])
    assert "Mangler fortsatt tiltak" in page.text
    assert "Barnets eget" in page.text.split("Mangler fortsatt tiltak")[1][:200]


def _reading_measure(read_root, starts="Ali leser"):
    with read_root() as root:
        reading = _concern(_log(root, "Emma Nordmann"), "Emma strever")
        return next(m for m in reading.measures.values() if m.text.startswith(starts)).id


def test_r27_text_correction_within_8_hours_then_refused(testapp, emma, read_root):
    login(testapp, "larer")
    response = _add_measure(testapp, emma["reading"], "Emma leser høyt for mor hver kveld.",
                            party="subject", arena="child", status=303)
    measure_id = _reading_measure(read_root, "Emma leser høyt")
    url = f"{emma['reading']}measures/{measure_id}/correct"
    form = _form(testapp.get(url))
    form["text"] = "Emma leser høyt for mor hver kveld i ti minutter."
    assert form.submit("save", status=303)
    with read_root() as root:
        measure = _concern(_log(root, "Emma Nordmann"), "Emma strever").measures[measure_id]
        assert measure.text == "Emma leser høyt for mor hver kveld i ti minutter."
        measure.created -= dt.timedelta(hours=8, minutes=1)
    form = _form(testapp.get(url))
    form["text"] = "Emma leser høyt for far hver kveld."
    refused = form.submit("save", status=200)
    assert "Teksten i et tiltak kan bare rettes innen 8 timer" in refused.text
    with read_root() as root:
        measure = _concern(_log(root, "Emma Nordmann"), "Emma strever").measures[measure_id]
        assert measure.text == "Emma leser høyt for mor hver kveld i ti minutter."
    assert response


def test_r27_evaluation_once_with_family_verdict(testapp, emma, read_root):
    login(testapp, "larer")
    measure_id = _reading_measure(read_root)
    url = f"{emma['reading']}measures/{measure_id}/evaluate"
    page = testapp.get(url)
    text = page.text
    assert text.index("Tjenestens vurdering") < text.index("Familiens vurdering")
    form = _form(page)
    form["service_view"] = "Emma leser mer flytende."
    form["decision"] = "continue"
    form["family_verdict"] = "worked"
    form["family_comment"] = "Emma leser gjerne selv nå."
    assert "saved=evaluate-" in form.submit("save", status=303).location
    with read_root() as root:
        measure = _concern(_log(root, "Emma Nordmann"), "Emma strever").measures[measure_id]
        assert measure.state == "evaluated"
        assert str(measure.evaluation.family_verdict) == "worked"
    testapp.get(url, status=200)  # the form still renders, but the transition is refused
    form = _form(testapp.get(url))
    form["service_view"] = "En gang til."
    form["decision"] = "end"
    form["family_verdict"] = "partly"
    refused = form.submit("save", status=200)
    assert "Dette kan ikke gjøres nå" in refused.text
    with read_root() as root:
        measure = _concern(_log(root, "Emma Nordmann"), "Emma strever").measures[measure_id]
        assert str(measure.evaluation.family_verdict) == "worked"


def test_r27_misregister_and_replace_in_one_step(testapp, emma, read_root):
    login(testapp, "larer")
    old_id = _reading_measure(read_root)
    form = _form(testapp.get(f"{emma['reading']}measures/{old_id}/misregister"))
    form["text"] = "Ali leser sammen med Emma 15 minutter hver tirsdag og torsdag."
    page = form.submit("save", status=303).follow()
    assert "Erstatter et feilregistrert tiltak." in page.text
    with read_root() as root:
        reading = _concern(_log(root, "Emma Nordmann"), "Emma strever")
        old = reading.measures[old_id]
        new = reading.measures[old.replaced_by]
        assert old.state == "misregistered" and new.state == "active"
        assert new.replaces == old.id
        assert new.actor_id == old.actor_id


# -- meetings, glimpses, notes (R8, R29-R31) ----------------------------------------------
def test_holder_adds_meeting_before_and_about_concerns(testapp, emma, read_root):
    login(testapp, "larer")
    form = _form(testapp.get(emma["log"] + "add-meeting"))
    form.set("date", TODAY.isoformat())
    form["agenda"] = "Evaluering av lesetiltakene"
    boxes = {box._value: box for box in form.fields["checkbox"]}
    # Attendance is ticked among the log's own people; anyone else is written in.
    assert {"Emma Nordmann", "Ola Nordmann", "Kari Nordmann", "Lars Lærer"} <= set(boxes)
    boxes["Ola Nordmann"].checked = boxes["Lars Lærer"].checked = True
    form["participants"] = "Pia Psykolog\nOla Nordmann"
    form["minute_taker"] = "Lars Lærer"
    form["summary"] = "Lesingen går bedre."
    form.fields["checkbox"][-1].checked = True  # the concerns discussed come last
    page = form.submit("save", status=303).follow()
    assert "Evaluering av lesetiltakene" in page.text
    with read_root() as root:
        meeting = next(m for m in _log(root, "Emma Nordmann").meetings.values()
                       if m.agenda == "Evaluering av lesetiltakene")
        assert meeting.participants == ("Ola Nordmann", "Lars Lærer", "Pia Psykolog")
        assert len(meeting.concern_ids) == 1
    edit = _form(testapp.get(f"{emma['log']}meetings/{meeting.id}/edit"))
    ticked = {box._value for box in edit.fields["checkbox"] if box.checked}
    assert {"Ola Nordmann", "Lars Lærer"} <= ticked and "Emma Nordmann" not in ticked
    assert edit["participants"].value == "Pia Psykolog"


def _add_glimpse(testapp, log_url, text):
    form = _form(testapp.get(log_url + "add-glimpse"))
    form["text"] = text
    return form.submit("save", status=303)


def test_saves_whose_next_page_is_never_read_keep_the_session_cookie_small(testapp, emma):
    """A script or a double submit that never follows the redirect: each save queues
    "saved" for a page nobody reads; the session cookie must not outgrow a browser's 4 KB."""
    login(testapp, "larer")
    token = csrf_token(testapp.get(emma["log"] + "add-glimpse"))
    for n in range(60):
        testapp.post(emma["log"] + "add-glimpse",
                     {"csrf_token": token, "text": f"Lysglimt {n}.", "save": "save"}, status=303)
    assert max(len(value) for value in testapp.cookies.values()) < 2500
    assert len(testapp.get(emma["log"]).html.select("div.flash")) == 1


def test_glimpses_by_guardian_and_actor_and_only_the_author_edits(testapp, emma, read_root):
    login(testapp, "forelder")
    _add_glimpse(testapp, emma["log"], "Emma leste for lillebror i kveld.")
    testapp.reset()
    login(testapp, "assistent")
    page = _add_glimpse(testapp, emma["log"], "Emma rakk opp hånda i norsktimen.").follow()
    assert "Emma rakk opp hånda i norsktimen." in page.text
    with read_root() as root:
        glimpses = {g.text: g for g in _log(root, "Emma Nordmann").glimpses.values()}
        by_parent = glimpses["Emma leste for lillebror i kveld."]
        by_actor = glimpses["Emma rakk opp hånda i norsktimen."]
        assert str(by_parent.author_role) == "guardian" and str(by_actor.author_role) == "actor"
        parent_url = f"{emma['log']}glimpses/{by_parent.id}/edit"
        actor_url = f"{emma['log']}glimpses/{by_actor.id}/edit"
    testapp.get(parent_url, status=403)  # another user's glimpse
    form = _form(testapp.get(actor_url))
    form["text"] = "Emma rakk opp hånda to ganger i norsktimen."
    form.submit("save", status=303)
    with read_root() as root:
        glimpse = _log(root, "Emma Nordmann").glimpses[actor_url.split("/")[-2]]
        assert glimpse.text == "Emma rakk opp hånda to ganger i norsktimen."


def test_private_note_is_seen_by_its_author_only(testapp, emma, read_root):
    login(testapp, "forelder")
    form = _form(testapp.get(emma["log"] + "add-private-note"))
    form["text"] = "Husk å spørre om leseboka."
    assert "Husk å spørre om leseboka." in form.submit("save", status=303).follow().text
    with read_root() as root:
        note = next(iter(_log(root, "Emma Nordmann").private_notes.values()))
        note_url = f"{emma['log']}private_notes/{note.id}/edit"
    for username in ("larer", "rektor", "forelder2"):
        testapp.reset()
        login(testapp, username)
        assert "Husk å spørre om leseboka." not in testapp.get(emma["log"]).text
        testapp.get(note_url, status=403)


def _pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_log_note_with_pdf_is_read_by_the_family(testapp, emma, read_root):
    from pypdf import PdfReader

    login(testapp, "larer")
    form = _form(testapp.get(emma["log"] + "add-note"))
    form["text"] = "Familien fortsetter med stafettlogg i stedet for individuell plan."
    form["upload"] = ("ovelser.pdf", _pdf_bytes(), "application/pdf")
    form.submit("save", status=303)
    testapp.reset()
    login(testapp, "forelder")
    page = testapp.get(emma["log"])
    assert "Familien fortsetter med stafettlogg" in page.text
    pdf = page.click(href="attachment")
    assert len(PdfReader(io.BytesIO(pdf.body)).pages) == 1


def test_log_note_refuses_a_file_that_is_not_pdf_and_keeps_the_text(testapp, emma):
    login(testapp, "larer")
    form = _form(testapp.get(emma["log"] + "add-note"))
    form["text"] = "Bilder av øvelsene."
    form["upload"] = ("ovelser.pdf", b"not a pdf at all", "application/pdf")
    response = form.submit("save", status=200)
    assert "PDF-vedlegg: Filen er ikke en PDF." in response.text
    assert "Bilder av øvelsene." in response.text


# -- who reads what (R3-R5, R13, R15) ------------------------------------------------------
def test_actors_read_only_their_own_concern(testapp, emma):
    login(testapp, "assistent")  # actor on the reading concern
    page = testapp.get(emma["log"])
    assert "Emma strever med å lese" in page.text and "Emma er ofte alene" not in page.text
    testapp.get(emma["reading"], status=200)
    testapp.get(emma["friends"], status=403)
    testapp.reset()
    login(testapp, "kontaktlarer")  # actor on the friends concern
    page = testapp.get(emma["log"])
    assert "Emma er ofte alene" in page.text and "Emma strever med å lese" not in page.text
    testapp.get(emma["friends"], status=200)
    testapp.get(emma["reading"], status=403)


def test_guardian_reads_everything_and_writes_only_glimpses_and_private_notes(testapp, emma):
    login(testapp, "forelder")
    page = testapp.get(emma["log"])
    for text in ("Emma strever med å lese", "Emma er ofte alene", "Oppstart og avtaler",
                 "Emma var stolt da hun kom hjem."):
        assert text in page.text
    assert "Vi ble enige om tre tiltak." in testapp.get(emma["log"] + "full").text  # R5
    testapp.get(emma["reading"], status=200)
    for name in ("add-meeting", "add-note"):
        testapp.get(emma["log"] + name, status=403)
    testapp.get(emma["reading"] + "add-measure", status=403)
    testapp.get(emma["reading"] + "edit", status=403)


def test_granted_reader_reads_the_granted_concern_only(testapp, emma, read_root):
    from stafett.models import ReadGrant

    with read_root() as root:
        log = _log(root, "Emma Nordmann")
        consent_id = next(iter(log.consents.keys()))
        log.grants.add(ReadGrant(root.accounts["ppt"].employee_id, consent_id,
                                 [emma["reading_id"]]))
        root["demo"].index.reindex(log)
    login(testapp, "ppt")
    page = testapp.get(emma["log"])
    assert "Emma strever med å lese" in page.text and "Emma er ofte alene" not in page.text
    testapp.get(emma["reading"], status=200)
    testapp.get(emma["friends"], status=403)
    testapp.get(emma["log"] + "add-glimpse", status=403)


def test_employee_without_a_role_gets_403(testapp, emma):
    login(testapp, "helsesykepleier")
    testapp.get(emma["log"], status=403)
    testapp.get(emma["reading"], status=403)
    testapp.get(emma["log"] + "add-glimpse", status=403)


def test_passive_log_is_read_only_for_everyone(testapp, read_root):
    with read_root() as root:
        lea = _log(root, "Lea Olsen")
        concern = next(iter(lea.concerns.values()))
        base, concern_url = f"/demo/logs/{lea.id}/", f"/demo/logs/{lea.id}/concerns/{concern.id}/"
    login(testapp, "pedleder")
    page = testapp.get(base)
    assert "Lea sier få ord" in page.text
    assert "add-concern" not in page.text and "add-glimpse" not in page.text
    for url in (base + "add-concern", base + "add-glimpse", base + "add-private-note",
                concern_url + "add-measure", concern_url + "edit"):
        testapp.get(url, status=403)
    testapp.reset()
    login(testapp, "linn")
    testapp.get(base + "add-glimpse", status=403)


def test_writing_help_endpoint_answers_in_the_users_language(testapp):
    login(testapp, "larer")
    token = csrf_token(testapp.get("/"))
    hints = testapp.post("/writing-help", {"text": "Man ringer f.eks. mor snarest.",
                                           "kind": "text", "csrf_token": token}).json["hints"]
    assert [h["code"] for h in hints] == ["man", "abbreviation", "vague"]
    assert hints[1]["suggestion"] == "for eksempel"
    assert "Skriv hele ordet" in hints[1]["message"]
    testapp.post("/writing-help", {"text": "Man", "kind": "text"}, status=400)


def test_r35_the_agreed_measures_of_a_meeting_as_pdf(testapp, emma, read_root):
    import io

    from pypdf import PdfReader

    with read_root() as root:
        log = root["demo"].logs[emma["id"]]
        held = min(log.meetings.values(), key=lambda m: m.date)  # the measures were evaluated here
        meeting_url = f"{emma['log']}meetings/{held.id}/pdf"
    login(testapp, "forelder")
    response = testapp.get(meeting_url)
    assert response.content_type == "application/pdf"
    pages = PdfReader(io.BytesIO(response.body)).pages
    text = " ".join(" ".join(page.extract_text().split()) for page in pages)  # cells wrap
    assert "Avtalte tiltak" in text and "Emma Nordmann" in text
    assert "Ali leser sammen med Emma" in text and "Ali Assistent" in text
    agreed, evaluated = text.split("Evaluert i dette møtet", 1)
    assert "Kari organiserer lekegrupper" not in agreed  # evaluated, no longer running
    assert "Kari organiserer lekegrupper" in evaluated and "Virket" in evaluated
    testapp.reset()
    login(testapp, "assistent")  # an actor reads only their own concern (R3)
    testapp.get(meeting_url, status=403)
