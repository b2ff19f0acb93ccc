"""R38 in the browser: the holder hands a log over to an individual plan; the log closes with
that reason, the family is told, the coordinator's PDF and export file hold the chosen
concerns only (R20). A transfer to a municipality without Stafett gets the same PDF (R23).
Only the holder does any of it."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from pypdf import PdfReader

from stafett.models import Concern, ConsentScope, Transfer
from stafett.models.consent import Consent, required_parties
from stafett.models.plan import plan_of
from stafett.workflows import fire, give_consent, propose_transfer

from ..conftest import csrf_token, login
from ..pdfa import assert_pdfa
from .test_lifecycle import find_log, tick

CHOSEN, LEFT_OUT = "Plan: Emma trenger ro i timene.", "Plan: Emma gruer seg til friminuttene."


def _text(data: bytes) -> str:
    return " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


@pytest.fixture
def emma(read_root):
    with read_root() as root:
        log = find_log(root, "Emma Nordmann")
        assert log.state == "active" and not any(t.is_open for t in log.transfers.values())
        chosen = log.concerns.add(Concern(CHOSEN, "learning", log.holder_id))
        log.concerns.add(Concern(LEFT_OUT, "social", log.holder_id))
        rule, parties = required_parties(log)
        return {"url": f"/demo/logs/{log.id}/", "id": log.id, "chosen": chosen.id,
                "parties": sorted(parties) if rule != "one_guardian" else sorted(parties)[:1]}


def _hand_over(testapp, emma, coordinator="Kari Koordinator", concerns=True):
    form = testapp.get(emma["url"] + "individual-plan").forms["deform"]
    form["coordinator_name"] = coordinator
    form["coordinator_service"] = "NAV Bydel"
    if concerns:
        tick(form, emma["chosen"])
    for party in emma["parties"]:
        tick(form, party)
    form["note"] = "Familien ønsker individuell plan."
    return form.submit("submit")


def test_r38_holder_hands_over_and_the_coordinator_gets_the_chosen_concerns(
        testapp, read_root, emma):
    login(testapp, "larer")
    assert f'href="http://localhost{emma["url"]}individual-plan"' in testapp.get(
        emma["url"]).text
    assert _hand_over(testapp, emma).status_int == 303
    with read_root() as root:
        log = root["demo"].logs[emma["id"]]
        plan = plan_of(log)
        assert log.state == "passive" and log.closed_at is not None
        assert plan.coordinator == "Kari Koordinator (NAV Bydel)"
        assert plan.concern_ids == (emma["chosen"],)
        assert log.consents[plan.consent_id].scope == ConsentScope.INDIVIDUAL_PLAN
        last = log.history[log.history.maxKey()]
        assert (last["trigger"], last["reason"]) == ("to_individual_plan", "individual_plan")
        assert any(a.reason == "individual_plan" for a in log.archives.values())
        (told,) = [m for m in log.outbox.values() if m.kind == "individual_plan"]
        assert told.recipients and "Emma" not in told.subject and "Kari" not in told.subject
    page = testapp.get(emma["url"])
    assert "Overført til en individuell plan" in page.text and "Kari Koordinator" in page.text
    token = csrf_token(page)

    pdf = testapp.post(emma["url"] + "plan-pdf", {"csrf_token": token}, status=200)
    assert pdf.content_type == "application/pdf"
    assert_pdfa(pdf.body)
    text = _text(pdf.body)
    assert "Emma Nordmann" in text and CHOSEN in text and "Kari Koordinator" in text
    assert LEFT_OUT not in text

    package = testapp.post(emma["url"] + "plan-package", {"csrf_token": token}, status=200)
    with zipfile.ZipFile(io.BytesIO(package.body)) as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
        assert manifest["purpose"] == "individual_plan"
        assert manifest["receiver"] == "Kari Koordinator (NAV Bydel)"
    assert LEFT_OUT.encode() not in package.body  # compressed, but also not in log.json:
    with zipfile.ZipFile(io.BytesIO(package.body)) as zipped:
        assert LEFT_OUT not in zipped.read("log.json").decode()
    testapp.post(emma["url"] + "plan-pdf", status=400)  # no token
    testapp.reset()
    login(testapp, "forelder")  # the family sees it on their page too
    assert "Kari Koordinator" in testapp.get(emma["url"]).text


def test_r38_downloads_are_journaled(testapp, read_root, emma, access):
    login(testapp, "larer")
    _hand_over(testapp, emma)
    token = csrf_token(testapp.get(emma["url"]))
    for name in ("plan-pdf", "plan-package"):
        before = len(access.of_log(emma["id"]))
        testapp.post(emma["url"] + name, {"csrf_token": token}, status=200)
        assert len(access.of_log(emma["id"])) == before + 1, name


def test_r38_a_refusal_keeps_the_text_and_changes_nothing(testapp, read_root, emma):
    login(testapp, "larer")
    page = _hand_over(testapp, emma, concerns=False)
    assert page.status_int == 200 and "Kari Koordinator" in page.text
    with read_root() as root:
        log = root["demo"].logs[emma["id"]]
        assert log.state == "active" and plan_of(log) is None
        assert not any(c.scope == ConsentScope.INDIVIDUAL_PLAN for c in log.consents.values())


@pytest.mark.parametrize("username", ["forelder", "assistent", "helsesykepleier", "rektor"])
def test_r38_only_the_holder_hands_over_or_downloads(testapp, read_root, emma, username):
    login(testapp, "larer")
    _hand_over(testapp, emma)
    testapp.reset()
    login(testapp, username)
    token = csrf_token(testapp.get("/"))
    for name in ("plan-pdf", "plan-package"):
        assert testapp.post(emma["url"] + name, {"csrf_token": token},
                            expect_errors=True).status_int in (403, 404)
    with read_root() as root:  # a running log: nobody but the holder reaches the form
        other = next(log for log in root["demo"].logs.values()
                     if log.state == "active" and log.id != emma["id"])
        url = f"/demo/logs/{other.id}/"
        holder = other.holder_id
    if root.accounts[username].employee_id != holder:
        assert testapp.get(url + "individual-plan", expect_errors=True).status_int in (403, 404)


@pytest.mark.parametrize("kind", ["municipality", "installation"])
def test_r23_a_consented_transfer_out_of_the_municipality_offers_the_pdf(
        testapp, read_root, emma, kind, access):
    """To another municipality here, or to one named in words (another installation, or
    none): the holder prints the chosen concerns for a receiver without Stafett."""
    from tests.world import World

    with read_root() as root:
        log = root["demo"].logs[emma["id"]]
        larer = root.accounts["larer"]
        if kind == "municipality":
            other = World(root, slug="nabo")
            where = dict(to_municipality="nabo", to_unit_id=other.school.id)
            receiver = "Skolen, Nabo kommune"
        else:
            where = dict(to_municipality="Fjellby kommune, Fjellby skole")
            receiver = "Fjellby kommune, Fjellby skole"
        transfer = propose_transfer(log, Transfer(
            kind, "Flytter til en annen kommune", larer.uid, log.holder_id,
            concern_ids=[emma["chosen"]], **where), larer)
        consent = give_consent(log, Consent(emma["parties"], dt.date.today(),
                                            ConsentScope.TRANSFER), larer)
        url = f"{emma['url']}transfers/{transfer.id}/receiver-pdf"
        fire(transfer, "consent", larer, consent_id=consent.id)
    login(testapp, "larer")
    page = testapp.get(emma["url"])
    assert "receiver-pdf" in page.text
    with read_root() as root:
        reads = len(access.of_log(emma["id"]))
    pdf = testapp.post(url, {"csrf_token": csrf_token(page)}, status=200)
    assert len(access.of_log(emma["id"])) == reads + 1  # the PDF is a read of the child
    assert_pdfa(pdf.body)
    text = _text(pdf.body)
    assert CHOSEN in text and LEFT_OUT not in text and "Emma Nordmann" in text
    assert receiver in text
    testapp.reset()
    login(testapp, "forelder")
    token = csrf_token(testapp.get("/"))
    assert testapp.post(url, {"csrf_token": token}, expect_errors=True).status_int in (403, 404)


def test_r23_no_receiver_pdf_before_the_family_consents(testapp, read_root, emma):
    with read_root() as root:
        log = root["demo"].logs[emma["id"]]
        larer = root.accounts["larer"]
        transfer = propose_transfer(log, Transfer(
            "installation", "Flytter", larer.uid, log.holder_id,
            to_municipality="Fjellby kommune", concern_ids=[emma["chosen"]]), larer)
        url = f"{emma['url']}transfers/{transfer.id}/receiver-pdf"
    login(testapp, "larer")
    page = testapp.get(emma["url"])
    assert "receiver-pdf" not in page.text
    testapp.post(url, {"csrf_token": csrf_token(page)}, status=404)


def test_r21_a_refused_handover_keeps_neither_plan_nor_consent(testapp, read_root, emma):
    """The rule refuses (an open transfer): the consent given in the same form goes too."""
    with read_root() as root:
        log = root["demo"].logs[emma["id"]]
        larer = root.accounts["larer"]
        propose_transfer(log, Transfer("installation", "Flytter", larer.uid, log.holder_id,
                                       to_municipality="Fjellby kommune"), larer)
        consents = len(log.consents)
    login(testapp, "larer")
    page = _hand_over(testapp, emma)
    assert page.status_int == 200
    assert "Fullfør eller avbryt den åpne overføringen først." in page.text
    assert "Kari Koordinator" in page.text  # what was typed is kept
    with read_root() as root:
        log = root["demo"].logs[emma["id"]]
        assert log.state == "active" and plan_of(log) is None
        assert len(log.consents) == consents
        refused = [e for _k, e in root["demo"].journal.of_log(log.id, "refused")]
        assert refused[-1]["what"] == "transition:to_individual_plan"  # R18: it is kept
