"""Plain words and one clock (R33): a person sees actions, states and reasons by name, never
by their codes; numbers and dates in the language chosen; every time on the Oslo clock."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from stafett.models import Consent, ConsentScope
from stafett.models.base import today
from stafett.services.notify import OutgoingMessage
from stafett.workflows import fire, give_consent

from ..conftest import csrf_token, login

OSLO = ZoneInfo("Europe/Oslo")
SUMMER = dt.datetime(2026, 7, 1, 10, 0, tzinfo=dt.UTC)  # 12:00 in Oslo (CEST)
WINTER = dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC)  # 11:00 in Oslo (CET)
CODES = {  # every code the audit report could print: workflows, triggers, states, reasons
    "log", "transfer", "measure", "consent", "create", "activate", "close", "force_close",
    "reopen", "delete", "discard", "propose", "accept", "decline", "cancel", "add",
    "evaluate", "misregister", "give", "withdraw", "expire", "new", "draft", "active",
    "passive", "reopened", "deleted", "proposed", "consented", "accepted", "declined",
    "cancelled", "evaluated", "misregistered", "given", "withdrawn", "expired",
    "closed_by_holder", "consent_withdrawn", "goals_met", "created_by_mistake", "log_closed",
    "text"}
# The codes whose English name is another word ("draft" is a draft in English too).
CODES_UNLIKE_ENGLISH = {"log", "transfer", "measure", "consent", "force_close",
                        "misregister", "expire", "closed_by_holder", "consent_withdrawn",
                        "goals_met", "created_by_mistake", "log_closed", "text"}


def _log(root, name):
    return next(log for log in root["demo"].logs.values() if log.subject.name == name)


@pytest.fixture
def demo(read_root) -> dict:
    with read_root() as root:
        m = root["demo"]
        emma = _log(root, "Emma Nordmann")
        friends = next(c for c in emma.concerns.values() if c.text.startswith("Emma er ofte"))
        evaluated = next(m for m in friends.measures.values() if m.state == "evaluated")
        school = next(u for u in m.units.values() if u.name == "Solbakken skole")
        return {"emma": f"/demo/logs/{emma.id}/", "emma_id": emma.id,
                "evaluated": f"/demo/logs/{emma.id}/concerns/{friends.id}/measures/"
                             f"{evaluated.id}/evaluate",
                "meeting": f"/demo/logs/{emma.id}/meetings/{next(iter(emma.meetings))}/pdf",
                "school": f"/demo/units/{school.id}/"}


def _choose_language(testapp, locale: str) -> None:
    token = csrf_token(testapp.get("/"))
    testapp.post("/language", {"locale": locale, "csrf_token": token}, status=303)


def _content_form(page):
    return next(form for key, form in page.forms.items()
                if isinstance(key, str) and "__formid__" in form.fields)


# -- 8. plain words --------------------------------------------------------------------------
def test_a_second_evaluation_is_refused_in_a_sentence_without_codes(testapp, demo):
    login(testapp, "larer")
    form = _content_form(testapp.get(demo["evaluated"]))
    form["service_view"] = "En gang til."
    form["decision"] = "end"
    form["family_verdict"] = "partly"
    refused = form.submit("save", status=200)
    message = refused.html.select_one('[role="alert"]').get_text(" ", strip=True)
    assert "tiltaket er allerede evaluert" in message
    assert "«evaluate»" not in refused.text and "«evaluated»" not in refused.text
    assert not re.search(r"\bevaluated?\b", message)


def _arrange_closings(read_root) -> None:
    """Close Emma's log by the holder and withdraw Jonas's consent (his log is forced closed
    and its open transfer cancelled), so the report holds reason codes and a forced close."""
    with read_root() as root:
        holder = root.accounts["larer"]
        fire(_log(root, "Emma Nordmann"), "close", holder, reason="closed_by_holder")
        jonas = _log(root, "Jonas Berg")
        consent = next(c for c in jonas.consents.values() if c.state == "given")
        fire(consent, "withdraw", holder, how="oral")


def _report_cells(page) -> set[str]:
    return {" ".join(td.get_text().split()) for td in page.html.select(".audit-rows td")}


def test_audit_report_names_workflows_triggers_states_and_reasons(testapp, read_root, demo):
    _arrange_closings(read_root)
    login(testapp, "rektor")
    url = demo["school"] + "audit"
    page = testapp.get(url)
    cells = _report_cells(page)
    assert cells & CODES == set()
    assert {"avsluttet av stafettholderen", "avslutte ved trukket samtykke", "utkast",
            "Logg"} <= cells
    figure = page.html.select_one(".audit-diagrams").get_text(" ")
    assert "force_close" not in figure and "avslutte ved trukket samtykke (1)" in figure

    rows = list(csv.DictReader(io.StringIO(testapp.get(url, {"format": "csv"}).text)))
    closing = next(r for r in rows if r["reason"] == "closed_by_holder")
    assert closing["reason_name"] == "avsluttet av stafettholderen"
    assert (closing["trigger_name"], closing["dest_name"]) == ("avslutte", "passiv")
    pdf = testapp.get(url, {"format": "pdf"})
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body)).pages)
    assert "closed_by_holder" not in text and "force_close" not in text
    assert "avsluttet av stafettholderen" in " ".join(text.split())

    _choose_language(testapp, "en")
    cells = _report_cells(testapp.get(url))
    assert cells & CODES_UNLIKE_ENGLISH == set()
    assert {"closed by the holder", "close on withdrawn consent", "draft", "Log"} <= cells


def test_grant_form_offers_consents_by_name_and_date(testapp, demo, read_root):
    with read_root() as root:
        emma = root["demo"].logs[demo["emma_id"]]
        ppt = root.accounts["ppt"].employee_id
        give_consent(emma, Consent([next(iter(emma.guardians))], today(),
                                   ConsentScope.READ_ACCESS, grantee_id=ppt),
                     root.accounts["larer"])
    login(testapp, "larer")
    page = testapp.get(demo["emma"] + "grant")
    options = [text for _value, _selected, text in page.forms["deform"]["consent_id"].options]
    assert "(create)" not in page.text and "read_access" not in page.text
    assert any(re.fullmatch(r"Lesetilgang for Pia Rådgiver, gitt \d\d\.\d\d\.\d{4}", o)
               for o in options)


def test_console_share_has_a_decimal_comma_in_bokmal(testapp, demo):
    login(testapp, "rektor")
    page = testapp.get(demo["school"] + "console")
    figure = page.html.select_one(".share .figure").get_text()
    assert figure == "0,6\N{NO-BREAK SPACE}%"
    rows = csv.reader(io.StringIO(testapp.get(demo["school"] + "console-csv",
                                              {"table": "summary"}).text))
    assert dict(list(rows)[1:])["Andel med logg (%), mål 10 %"] == "0,6"


# -- 9. one clock ------------------------------------------------------------------------------
def _sent_messages(page) -> str:
    heading = next(h for h in page.html.select("h2") if "Meldinger sendt" in h.get_text())
    return heading.find_next("ul").get_text()


@pytest.mark.parametrize(("moment", "oslo"), [(SUMMER, "01.07.2026, 12:00"),
                                               (WINTER, "15.01.2026, 11:00")])
def test_sent_messages_and_access_log_show_one_event_at_the_same_oslo_time(
        testapp, read_root, access, demo, moment, oslo):
    """One event, a message sent and a read at the same instant, shows the same wall-clock
    time on the log page as in the access log."""
    with read_root() as root:
        emma, holder = _log(root, "Emma Nordmann"), root.accounts["larer"]
        message = OutgoingMessage("log_activated", ["ola@example.org"], "Melding", "Tekst")
        message.created = moment
        emma.outbox.add(message)
        access.append(
            "read", at=int(moment.timestamp()) * 10**9, log=emma.id, object=emma.id,
            object_kind="log", actor=holder.uid, basis=("holder",), unit=emma.unit_id,
            holder=emma.holder_id)
    utc = moment.strftime("%d.%m.%Y, %H:%M")
    login(testapp, "larer")
    sent = _sent_messages(testapp.get(demo["emma"]))
    read = testapp.get(demo["emma"] + "access-log").html.select_one("table.list").get_text()
    assert f"{oslo}:" in sent and oslo in read
    assert utc not in sent and utc not in read


def test_meeting_pdf_is_produced_on_the_oslo_clock(testapp, demo):
    login(testapp, "forelder")
    before = dt.datetime.now(OSLO)
    response = testapp.get(demo["meeting"])
    after = dt.datetime.now(OSLO)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body)).pages)
    produced = re.search(r"Produsert: (\d\d\.\d\d\.\d{4}, \d\d:\d\d)", text).group(1)
    assert produced in {f"{t:%d.%m.%Y, %H:%M}" for t in (before, after)}
