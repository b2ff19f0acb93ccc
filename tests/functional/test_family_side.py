"""The family's side of a log (issue 14; R5, R27, R30, R40): the family's page, the child's
voice, the child's view, the family before and after a meeting, and the unit's count of
meetings with family feedback. Through HTTP on the demo database; no mocks."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from stafett.models import Account, AccountKind
from stafett.models.notes import LogNote, PrivateNote
from stafett.scripts.demo import DEMO_PASSWORD
from stafett.services.passwords import hash_password

from ..conftest import csrf_token, login


def _form(page):
    return next(form for key, form in page.forms.items()
                if isinstance(key, str) and "__formid__" in form.fields)


@pytest.fixture
def emma(read_root):
    with read_root() as root:
        m = root["demo"]
        log = next(log for log in m.logs.values() if log.subject.name == "Emma Nordmann")
        meetings = sorted(log.meetings.values(), key=lambda x: x.date)
        reading = next(c for c in log.concerns.values() if c.text.startswith("Emma strever"))
        school = log.unit
        return {"log": f"/demo/logs/{log.id}/", "id": log.id,
                "held": f"/demo/logs/{log.id}/meetings/{meetings[0].id}/",
                "held_id": meetings[0].id,
                "coming": f"/demo/logs/{log.id}/meetings/{meetings[1].id}/",
                "reading_id": reading.id, "reading": f"/demo/logs/{log.id}/concerns/{reading.id}/",
                "console": f"/demo/units/{school.id}/console"}


def _sara(read_root) -> str:
    with read_root() as root:
        log = next(log for log in root["demo"].logs.values() if log.subject.name == "Sara Lund")
        return f"/demo/logs/{log.id}/"


# -- the family's page ------------------------------------------------------------------------
def test_a_guardian_opens_the_log_on_what_is_agreed_then_the_glimpses(testapp, emma):
    login(testapp, "forelder")
    page = testapp.get(emma["log"])
    text = " ".join(page.html.get_text("").split())
    agreed = text.index("Dette er avtalt nå")
    assert agreed < text.index("Emma var stolt da hun kom hjem.")  # the glimpses after
    assert agreed < text.index("Om loggen: samtykker")  # consents and guardians last
    for shown in ("Emma leser 20 minutter hver dag.",  # the goal
                  "Hva dere gjør hjemme", "Foreldrene leser med Emma hver kveld",
                  "Dere hjemme, evalueres innen",  # who does what by when
                  "Hva Solbakken skole gjør", "Hva Emma gjør",
                  "Jeg vil lese bøker om dyr.",  # the child's voice beside the measures
                  "Neste møte:", "Evaluering av tiltakene"):
        assert shown in text, shown
    assert "Ola Nordmann, foresatt" in text  # a glimpse says who wrote it
    assert page.html.find("a", string="Se hele loggen")["href"].endswith("/full")
    assert "Vi ble enige om tre tiltak." in testapp.get(emma["log"] + "full").text


def test_staff_still_open_the_whole_log(testapp, emma):
    login(testapp, "larer")
    page = testapp.get(emma["log"])
    assert "Dette er avtalt nå" not in page.text
    assert "Vi ble enige om tre tiltak." in page.text


def test_the_family_page_follows_the_chosen_language(testapp, emma):
    login(testapp, "forelder")
    testapp.post("/language", {"locale": "nn", "csrf_token": csrf_token(testapp.get("/"))})
    assert "Dette er avtalt no" in testapp.get(emma["log"]).text
    testapp.post("/language", {"locale": "en", "csrf_token": csrf_token(testapp.get("/"))})
    page = testapp.get(emma["log"]).text
    assert "What is agreed now" in page and "What you do at home" in page


def test_what_changed_since_the_last_visit_is_listed_through_the_visit(
        testapp, app, emma, read_root):
    with read_root() as root:  # the demo's voice was written well before
        for voice in root["demo"].logs[emma["id"]].voices.values():
            voice.created -= dt.timedelta(days=3)
    login(testapp, "forelder")
    assert "Nytt siden sist du var her" not in testapp.get(emma["log"]).text  # first visit
    app.registry.visits.backend.execute(  # the visit was two hours ago
        "UPDATE log_visits SET last = last - 7200000000000")
    testapp.reset()
    login(testapp, "larer")
    form = _form(testapp.get(emma["log"] + "add-glimpse"))
    form["text"] = "Emma hjalp en venn med lesingen."
    form.submit("save", status=303)
    testapp.reset()
    login(testapp, "forelder")
    for _ in range(2):  # reading on within the visit keeps the list
        page = testapp.get(emma["log"])
        changes = page.html.find("section", class_="family-changes")
        assert changes is not None and "Emma hjalp en venn med lesingen." in changes.text
        assert "Nytt lysglimt" in changes.text
        assert "Jeg vil lese bøker om dyr." not in changes.text  # from before the last visit


# -- the child's voice (R40) ------------------------------------------------------------------
def test_the_holder_records_the_childs_voice_shown_to_the_family_and_in_the_pdf(
        testapp, emma, read_root):
    login(testapp, "larer")
    page = testapp.get(emma["log"] + "add-voice", {"meeting": emma["held_id"]})
    form = _form(page)
    assert form["meeting_id"].value == emma["held_id"]
    form["concern_id"] = emma["reading_id"]
    form[_radio_named(page, "talk_after")] = "talk_after"
    form["text"] = "Det er lettere å lese når det er stille."
    form.submit("save", status=303)
    with read_root() as root:
        log = root["demo"].logs[emma["id"]]
        voice = next(v for v in log.voices.values() if v.text.startswith("Det er lettere"))
        assert (str(voice.way), voice.concern_id) == ("talk_after", emma["reading_id"])
    full = testapp.get(emma["log"] + "full").text
    assert "I en samtale med barnet etter møtet" in full
    pdf = testapp.get(emma["held"] + "pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body)).pages)
    assert "Barnets stemme" in text and "Det er lettere å lese når det er stille." in text
    testapp.reset()
    login(testapp, "forelder")
    agreed = testapp.get(emma["log"]).html.find("section", class_="family-agreed").text
    assert "Det er lettere å lese når det er stille." in agreed


def test_a_youth_writes_in_her_own_words_and_the_holder_reads_them(testapp, read_root):
    sara = _sara(read_root)
    login(testapp, "sara")
    page = testapp.get(sara)
    assert "Dette er avtalt nå" in page.text  # a youth of 16 reads as family
    assert "Sara legger bort mobilen klokka 22." in page.text
    page = testapp.get(sara + "add-voice")
    form = _form(page)
    assert "Hvordan barnet ble hørt" not in page.text  # the youth's words are her own
    form["text"] = "Jeg vil ha samtalene etter skoletid."
    form.submit("save", status=303)
    with read_root() as root:
        log = next(x for x in root["demo"].logs.values() if x.subject.name == "Sara Lund")
        voice = next(v for v in log.voices.values() if v.text.startswith("Jeg vil ha"))
        assert str(voice.way) == "own_words" and str(voice.author_role) == "subject"
    testapp.reset()
    login(testapp, "helsesykepleier")
    full = testapp.get(sara).text
    assert "Jeg vil ha samtalene etter skoletid." in full and "Med barnets egne ord" in full


def test_only_the_holder_and_the_subject_record_the_childs_voice(testapp, emma):
    for username in ("forelder", "assistent", "rektor"):
        testapp.reset()
        login(testapp, username)
        token = csrf_token(testapp.get("/"))
        testapp.get(emma["log"] + "add-voice", status=403)
        testapp.post(emma["log"] + "add-voice", {"csrf_token": token, "text": "x",
                                                  "meeting_id": emma["held_id"]}, status=403)


def test_a_voice_with_no_meeting_is_refused_with_the_text_kept(testapp, emma, read_root):
    login(testapp, "larer")
    form = _form(testapp.get(emma["log"] + "add-voice"))
    form["meeting_id"].force_value("not-a-meeting")
    form["text"] = "Jeg liker å lese – «dyrebøker»."
    page = form.submit("save", status=200)
    assert "Jeg liker å lese – «dyrebøker»." in page.text
    assert "Sjekk disse feltene" in page.text
    with read_root() as root:
        assert not any(v.text.startswith("Jeg liker") for v in
                       root["demo"].logs[emma["id"]].voices.values())


# -- the child's view ---------------------------------------------------------------------------
def test_the_childs_view_shows_the_childs_own_measures_successes_first_and_no_other_name(
        testapp, emma, read_root):
    with read_root() as root:
        log = root["demo"].logs[emma["id"]]
        log.notes.add(LogNote("Notat om hjemmesituasjonen.", "larer"))
        log.private_notes.add(PrivateNote("Privat: ring mor.", "larer"))
        names = {g.name for g in log.guardians.values()}
        names |= {e.name for e in root["demo"].employees.values()}
    login(testapp, "larer")
    testapp.post(emma["log"] + "meeting-mode", {"csrf_token": csrf_token(testapp.get("/"))})
    page = testapp.get(emma["log"] + "child-view")  # shown in meeting mode, on a projector
    text = page.html.find("main").text + page.html.find("title").text
    assert "Hei, Emma!" in " ".join(text.split())
    worked = text.index("Dette har gått bra")
    assert worked < text.index("Emma leser en side høyt for læreren hver fredag.")
    assert worked < text.index("Dette jobber du med nå") < text.index("Emma velger en lek")
    assert "Jeg vil lese bøker om dyr." in text  # what the child has said
    for other in ("Ali leser sammen med Emma", "Foreldrene leser med Emma",  # not the child's
                  "Kari organiserer lekegrupper", "Notat om hjemmesituasjonen",
                  "Privat: ring mor", "Nordmann", *names):
        assert other not in page.text, other
    assert page.html.find("header", class_="topbar") is None
    assert "Tilbake til møtet" in text


def test_a_childs_own_login_opens_on_the_childs_view(testapp, emma, read_root):
    with read_root() as root:
        log = root["demo"].logs[emma["id"]]
        log.subject.username = "emma"
        root.accounts["emma"] = Account("emma", hash_password(DEMO_PASSWORD),
                                        AccountKind.SUBJECT, "demo", "Emma")
        root["demo"].index.reindex(log)
    login(testapp, "emma")
    page = testapp.get(emma["log"])
    assert "Hei, Emma!" in page.html.get_text("") and "Dette er avtalt nå" not in page.text
    assert "Si det med dine egne ord" in page.text  # R40: the child may write it
    testapp.get(emma["log"] + "before-meeting", status=200)


# -- before and after a meeting (R27) ------------------------------------------------------------
def test_the_family_notes_its_view_before_the_meeting_and_the_holder_sees_it(
        testapp, emma, read_root):
    login(testapp, "forelder2")
    page = testapp.get(emma["log"])
    assert "Si hvordan tiltakene har gått" in page.text
    page = testapp.get(emma["log"] + "before-meeting")
    form = _form(page)
    comments = [name for name in form.fields if name.startswith("c-")]
    assert len(comments) == 3  # every measure not yet evaluated is due at the next meeting
    form[_radio_named(page, "worked")] = "worked"  # the first measure's group
    form[comments[0]] = "Emma sier lesestunden er fin."
    form.submit("save", status=303)
    with read_root() as root:
        log = root["demo"].logs[emma["id"]]
        mine = [v for v in log.family_verdicts.values() if v.author == "forelder2"]
        assert [(str(v.verdict), v.comment) for v in mine] == [
            ("worked", "Emma sier lesestunden er fin.")]
        measure_id = mine[0].measure_id
        concern = next(c for c in log.concerns.values() if measure_id in c.measures)
        concern_url = f"{emma['log']}concerns/{concern.id}/"
    testapp.reset()
    login(testapp, "larer")
    assert "Emma sier lesestunden er fin." in testapp.get(concern_url).text
    evaluate = testapp.get(f"{concern_url}measures/{measure_id}/evaluate")
    assert "Familien før møtet" in evaluate.text
    assert _form(evaluate)["family_verdict"].value == "worked"  # to confirm in the meeting
    testapp.reset()
    login(testapp, "assistent")  # an actor does not read what the family noted
    assert "Emma sier lesestunden er fin." not in testapp.get(concern_url).text


def test_meeting_feedback_round_trips_to_the_holder_and_is_counted_for_the_leader(
        testapp, emma, read_root):
    login(testapp, "rektor")
    before = _feedback_figures(testapp.get(emma["console"]))
    testapp.reset()
    login(testapp, "forelder")
    form = _form(testapp.get(emma["held"] + "feedback"))
    assert "Er det noe i dette møtet du tenker kunne vært annerledes?" in form.text
    form["text"] = "Det var mange voksne rundt bordet."
    form.submit("save", status=303)
    page = testapp.get(emma["log"])
    assert "Du har svart" in page.text
    testapp.reset()
    login(testapp, "larer")
    full = testapp.get(emma["log"]).text
    assert "Det var mange voksne rundt bordet." in full and "Ola Nordmann" in full
    testapp.post(emma["log"] + "meeting-mode", {"csrf_token": csrf_token(testapp.get("/"))})
    projected = testapp.get(emma["log"] + "meeting-mode").text
    assert "Det var mange voksne rundt bordet." not in projected  # for the holder only
    assert "Familien før møtet" not in projected
    testapp.reset()
    login(testapp, "rektor")
    held, answered = _feedback_figures(testapp.get(emma["console"]))
    assert held == before[0] and answered == before[1] + 1
    testapp.reset()
    login(testapp, "forelder2")  # the other guardian does not read it
    assert "Det var mange voksne rundt bordet." not in testapp.get(emma["log"] + "full").text


def test_feedback_on_a_meeting_not_yet_held_is_refused_and_the_text_kept(testapp, emma):
    login(testapp, "forelder")
    form = _form(testapp.get(emma["coming"] + "feedback"))
    form["text"] = "For tidlig – «svar»."
    page = form.submit("save", status=200)
    assert "Møtet er ikke holdt ennå" in page.text and "For tidlig – «svar»." in page.text


def _radio_named(page, value: str) -> str:
    """The name Deform gave the first radio group offering ``value``."""
    return page.html.find("input", attrs={"type": "radio", "value": value})["name"]


def _feedback_figures(console) -> tuple[int, int]:
    text = console.html.get_text(" ")
    held = re.search(r"Møter holdt, siste 12 måneder\s+(\d+)", text)
    answered = re.search(r"møter familien ga tilbakemelding på\s+(\d+)", text)
    assert held and answered, "the console shows meetings with family feedback"
    return int(held.group(1)), int(answered.group(1))


def test_posts_without_a_csrf_token_are_refused(testapp, emma):
    login(testapp, "forelder")
    testapp.post(emma["held"] + "feedback", {"text": "Uten token"}, status=400)
    testapp.post(emma["log"] + "before-meeting", {"verdict": "worked"}, status=400)

