"""The unit leader's console through HTTP, as the demo leader ``rektor`` (Solbakken skole):
statistics, the unit's logs, staff, transfers, passive logs, consents, supervisor access."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from stafett.models import ConsentScope, Log, Subject, Transfer, TransferKind
from stafett.models.indexes import reindex_all
from stafett.scripts.demo import make_fnr, years_ago
from stafett.security import Permission, permits
from stafett.workflows import fire, propose_transfer

from ..conftest import csrf_token, login


def test_the_demo_is_fully_indexed_when_loaded(read_root):
    """Everything that writes in a log keeps its index entries in step (events), so
    reindexing the freshly loaded demo changes nothing."""
    with read_root() as root:
        index = root["demo"].index
        before = (dict(index._indexed.items()), {k: v() for k, v in index._counts.items()})
        reindex_all(root["demo"])
        after = (dict(index._indexed.items()), {k: v() for k, v in index._counts.items()})
        assert after == before


def _ids(read_root) -> dict:
    with read_root() as root:
        m = root["demo"]
        units = {u.name: u for u in m.units.values()}
        logs = {log.subject.name: log.id for log in m.logs.values()}
        school = units["Solbakken skole"]
        return {
            "school": f"/demo/units/{school.id}/",
            "school_id": school.id,
            "kinder": f"/demo/units/{units['Lillevik barnehage'].id}/",
            "logs": logs,
            "employees": {e.username: e.id for e in m.employees.values()},
        }


def _employee_url(ids, username) -> str:
    return f"{ids['school']}employees/{ids['employees'][username]}/"


def _account(root, username):
    return root.accounts[username]


def _log(root, name) -> Log:
    return next(log for log in root["demo"].logs.values() if log.subject.name == name)


# -- 7. statistics ------------------------------------------
def test_r36_overview_shows_figures_charts_and_csv(testapp):
    login(testapp, "rektor")
    ids = _ids_from_app(testapp)
    page = testapp.get(ids + "console")
    assert page.text.count("<svg") == 3  # states, categories, arenas
    assert "Logger per status" in page.text
    states = _csv(testapp.get(ids + "console-csv", {"table": "states"}))
    assert dict(states[1:]) == {"utkast": "1", "aktiv": "2", "gjenåpnet": "0", "passiv": "0"}
    categories = dict(_csv(testapp.get(ids + "console-csv", {"table": "categories"}))[1:])
    assert categories["Læring"] == "1" and categories["Sosialt"] == "1"
    assert categories["Fravær"] == "1"
    arenas = dict(_csv(testapp.get(ids + "console-csv", {"table": "arenas"}))[1:])
    assert arenas == {"Tjenesten": "1", "Hjemmet": "1", "Barnet": "1"}
    summary = dict(_csv(testapp.get(ids + "console-csv", {"table": "summary"}))[1:])
    assert summary["Barn i enheten"] == "320"
    assert summary["Andel med logg (%), mål 10 %"] == "0,6"  # a decimal comma in bokmål
    assert summary["Overføringer som venter"] == "1"  # Jonas, to the health station
    testapp.get(ids + "console-csv", {"table": "nope"}, status=404)


def test_r33_console_in_nynorsk_and_english(testapp, read_root):
    ids = _ids(read_root)
    login(testapp, "rektor")
    home = testapp.get("/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', home.text).group(1)
    testapp.post("/language", {"locale": "nn", "csrf_token": token}, status=303)
    page = testapp.get(ids["school"] + "console")
    assert "Loggar per status" in page.text and "av 320 barn har ein løpande logg" in page.text
    testapp.post("/language", {"locale": "en", "csrf_token": token}, status=303)
    page = testapp.get(ids["school"] + "console")
    assert "Logs per state" in page.text and "of 320 children have a running log" in page.text
    assert "Transfer on behalf" in testapp.get(_employee_url(ids, "larer")).text


def test_r36_leader_records_number_of_children(testapp, read_root):
    login(testapp, "rektor")
    ids = _ids(read_root)
    page = testapp.get(ids["school"] + "console")
    form = page.forms["children"]
    form["children"] = "abc"
    failed = form.submit("save")
    assert 'value="abc"' in failed.text and "error" in failed.text
    form = page.forms["children"]
    form["children"] = "20"
    form.submit("save", status=303)
    summary = dict(_csv(testapp.get(ids["school"] + "console-csv", {"table": "summary"}))[1:])
    assert summary["Andel med logg (%), mål 10 %"] == "10,0"


def test_r36_idle_logs_counted_for_chosen_weeks(testapp, read_root):
    ids = _ids(read_root)
    with read_root() as root:
        noah = _log(root, "Noah Hansen")  # a draft: nothing written in it but the header
        noah.created = noah.activity.at = dt.datetime.now(dt.UTC) - dt.timedelta(weeks=10)
        noah.municipality.index.reindex(noah)
    login(testapp, "rektor")

    def idle(weeks: str) -> str:
        table = _csv(testapp.get(ids["school"] + "console-csv",
                                 {"table": "summary", "weeks": weeks}))
        return next(v for k, v in table if k.startswith(f"Løpende logger uten aktivitet "
                                                        f"på {weeks} uker"))

    assert idle("8") == "1"
    assert idle("12") == "0"


# -- 3. every log of the unit ------------------------------------------
def test_r6_leader_lists_and_filters_every_log_of_the_unit(testapp, read_root):
    ids = _ids(read_root)
    login(testapp, "rektor")
    url = ids["school"] + "console-logs"
    page = testapp.get(url)
    assert all(n in page.text for n in ("Emma Nordmann", "Noah Hansen", "Jonas Berg"))
    assert "Lea Olsen" not in page.text and "Sara Lund" not in page.text
    drafts = testapp.get(url, {"state": "draft"})
    assert "Noah Hansen" in drafts.text and "Emma Nordmann" not in drafts.text
    level2 = testapp.get(url, {"level": "2"})
    assert "Emma Nordmann" in level2.text and "Jonas Berg" in level2.text
    assert "Noah Hansen" not in level2.text
    social = testapp.get(url, {"category": "social"})
    assert "Emma Nordmann" in social.text and "Jonas Berg" not in social.text
    by_holder = testapp.get(url, {"holder": ids["employees"]["kontaktlarer"]})
    assert "Emma Nordmann" not in by_holder.text
    soon = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    due = testapp.get(url, {"deadline": soon})
    assert "Emma Nordmann" in due.text and "Jonas Berg" not in due.text


def test_r6_log_list_pages_without_gaps_or_repeats(testapp, read_root):
    ids = _ids(read_root)
    with read_root() as root:
        m = root["demo"]
        holder = m.employee(ids["employees"]["larer"])
        for n in range(70):
            log = m.logs.add(Log(Subject(f"Elev Nummer{n:03d}", make_fnr(years_ago(8), n)),
                                 holder.id, ids["school_id"], 1))
            log.state = "active"
            m.index.reindex(log)
    login(testapp, "rektor")
    first = testapp.get(ids["school"] + "console-logs", {"state": "active"})
    seen = _rows(first)
    assert len(seen) == 50
    second = first.click(href="after=")
    more = _rows(second)
    assert len(more) == 22  # 70 + Emma + Jonas
    assert not set(seen) & set(more)
    assert {"Emma Nordmann", "Jonas Berg"} <= set(seen) | set(more)
    assert not second.html.find("a", href=lambda h: h and "after=" in h)


# -- 2. staff ------------------------------------------
def test_r1_wrong_check_digit_is_refused_with_clear_message(testapp, read_root):
    ids = _ids(read_root)
    login(testapp, "rektor")
    page = testapp.get(ids["school"] + "console-staff")
    form = page.forms["employee"]
    good = make_fnr(years_ago(30), 7)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    form["name"] = "Nora Ny"
    form["fnr"] = bad
    form["may_hold"] = True
    refused = form.submit("add")
    assert refused.status_int == 200
    assert "Kontrollsifrene stemmer ikke" in refused.text
    assert "Nora Ny" in refused.text and bad in refused.text
    form = refused.forms["employee"]
    form["fnr"] = good
    form["email"] = "nora@example.org"
    form["username"] = "larer"  # taken
    taken = form.submit("add")
    assert "Brukernavnet er allerede i bruk." in taken.text and "Nora Ny" in taken.text
    form = taken.forms["employee"]
    form["username"] = "nora"
    created = form.submit("add", status=303).follow()
    assert "Nora Ny" in created.text
    with read_root() as root:
        nora = next(e for e in root["demo"].employees.values() if e.name == "Nora Ny")
        assert (nora.may_hold, nora.may_act, nora.fnr, nora.unit_id) == (
            True, True, good, ids["school_id"])
        assert root.accounts["nora"].employee_id == nora.id


def test_r1_leader_edits_employee(testapp, read_root):
    ids = _ids(read_root)
    login(testapp, "rektor")
    page = testapp.get(_employee_url(ids, "assistent") + "edit")
    form = page.forms["employee"]
    form["phone"] = "+47 911 11 111"
    form["may_hold"] = True
    form.submit("save", status=303)
    with read_root() as root:
        ali = root["demo"].employee(ids["employees"]["assistent"])
        assert ali.phone == "+47 911 11 111" and ali.may_hold


def test_deactivation_refused_while_holding_logs_and_lists_them(testapp, read_root):
    ids = _ids(read_root)
    login(testapp, "rektor")
    page = testapp.get(_employee_url(ids, "larer"))
    assert "Emma Nordmann" in page.text and "Jonas Berg" in page.text
    after = _form(page, "/deactivate").submit().follow()
    assert "holder fortsatt logger" in after.text
    blocking = after.html.find(id="blocking").text
    assert "Emma Nordmann" in blocking and "Jonas Berg" in blocking
    assert "Noah Hansen" not in blocking  # a draft carries no baton
    with read_root() as root:
        assert root["demo"].employee(ids["employees"]["larer"]).active


def test_deactivated_employee_cannot_log_in_and_logs_keep_holder_and_history(
        testapp, read_root):
    with read_root() as root:
        lea = _log(root, "Lea Olsen")
        lea_id, history = lea.id, len(lea.history)
        pedleder = root.accounts["pedleder"].employee_id
    login(testapp, "styrer")
    kinder = _ids(read_root)["kinder"]
    page = testapp.get(f"{kinder}employees/{pedleder}/")
    _form(page, "/deactivate").submit(status=303)
    with read_root() as root:
        assert not root["demo"].employee(pedleder).active
        lea = root["demo"].logs[lea_id]
        assert lea.holder_id == pedleder and len(lea.history) == history
    testapp.reset()
    refused = login(testapp, "pedleder")
    assert refused.status_int == 200 and "Feil brukernavn" in refused.text
    testapp.get("/", status=303)


# -- 3/R22. transfer on behalf ------------------------------------------
def test_r22_leader_transfers_on_behalf_of_employee(testapp, read_root):
    ids = _ids(read_root)
    login(testapp, "rektor")
    page = testapp.get(_employee_url(ids, "larer"))
    form = _form(page, "/transfer", log=ids["logs"]["Emma Nordmann"])
    form["to"] = f"employee:{ids['employees']['kontaktlarer']}"
    form["reason"] = "Lars har sluttet."
    form.submit(status=303)
    with read_root() as root:
        emma = _log(root, "Emma Nordmann")
        transfer = next(t for t in emma.transfers.values() if t.is_open)
        assert transfer.proposed_by == root.accounts["rektor"].uid
        assert transfer.to_employee_id == ids["employees"]["kontaktlarer"]
        assert emma.holder_id == ids["employees"]["larer"]  # R21: until accepted


def test_r22_transfer_without_reason_is_refused(testapp, read_root):
    ids = _ids(read_root)
    login(testapp, "rektor")
    page = testapp.get(_employee_url(ids, "larer"))
    form = _form(page, "/transfer", log=ids["logs"]["Emma Nordmann"])
    form["to"] = f"unit:{ids['school_id']}"
    after = form.submit(status=303).follow()
    assert "Oppgi grunnen" in after.text
    with read_root() as root:
        assert not any(t.is_open for t in _log(root, "Emma Nordmann").transfers.values())


# -- 4. incoming transfers ------------------------------------------
def _offer_to_school(read_root, name, kind, holder_username):
    with read_root() as root:
        log = _log(root, name)
        account = _account(root, holder_username)
        school = next(u for u in root["demo"].units.values() if u.name == "Solbakken skole")
        propose_transfer(log, Transfer(kind, "Flytter til skolen.", account.uid,
                                       log.holder_id, to_unit_id=school.id), account)
        log.municipality.index.reindex(log)
        return log.id


def test_r19_leader_accepts_incoming_transfer_and_names_holder(testapp, read_root):
    ids = _ids(read_root)
    log_id = _offer_to_school(read_root, "Emma Nordmann", TransferKind.INTERNAL, "larer")
    login(testapp, "rektor")
    page = testapp.get(ids["school"] + "console-transfers")
    assert "Emma Nordmann" in page.text
    form = _form(page, "console-receive", action="accept")
    form["new_holder"] = ids["employees"]["kontaktlarer"]
    form.submit(status=303)
    with read_root() as root:
        emma = root["demo"].logs[log_id]
        assert emma.holder_id == ids["employees"]["kontaktlarer"]
        assert not any(t.is_open for t in emma.transfers.values())
    assert "Emma Nordmann" not in testapp.get(ids["school"] + "console-transfers").text


def test_r21_leader_declines_with_reason(testapp, read_root):
    ids = _ids(read_root)
    log_id = _offer_to_school(read_root, "Maria Sørensen", TransferKind.UNIT, "helsesykepleier")
    login(testapp, "rektor")
    page = testapp.get(ids["school"] + "console-transfers")
    decline = _form(page, "console-receive", action="decline")
    refused = decline.submit(status=303).follow()
    assert "Oppgi grunnen til avslaget." in refused.text
    decline = _form(refused, "console-receive", action="decline")
    decline["reason"] = "Hun går ikke på denne skolen."
    decline.submit(status=303)
    with read_root() as root:
        maria = root["demo"].logs[log_id]
        assert [t.state for t in maria.transfers.values()] == ["declined"]
        assert maria.unit.name == "Helsestasjonen"


# -- 5. passive logs ------------------------------------------
def _close_emma(read_root) -> str:
    with read_root() as root:
        emma = _log(root, "Emma Nordmann")
        fire(emma, "close", _account(root, "larer"), reason="goals_met")
        return emma.id


def test_r16_leader_reopens_passive_log_with_new_consent(testapp, read_root):
    ids = _ids(read_root)
    emma_id = _close_emma(read_root)
    login(testapp, "rektor")
    page = testapp.get(ids["school"] + "console-passive")
    assert "Emma Nordmann" in page.text
    form = _form(page, "console-reopen")
    refused = form.submit(status=303).follow()  # nobody ticked as consenting
    assert "Velg hvem som ga det nye samtykket." in refused.text
    with read_root() as root:
        assert root["demo"].logs[emma_id].state == "passive"
    form = _form(refused, "console-reopen")
    form.get("party", index=0).checked = True
    form.submit(status=303)
    with read_root() as root:
        emma = root["demo"].logs[emma_id]
        assert emma.state == "reopened"
        assert any(c.scope == ConsentScope.REOPEN for c in emma.consents.values())


def test_r17_delete_confirmation_names_what_is_erased_then_erases(testapp, app, read_root):
    ids = _ids(read_root)
    login(testapp, "forelder")
    testapp.get(f"/demo/logs/{ids['logs']['Emma Nordmann']}/")
    visits = "SELECT COUNT(*) FROM log_visits WHERE log = ?", (ids["logs"]["Emma Nordmann"],)
    assert app.registry.visits.backend.query(*visits) == [(1,)]  # a visit is recorded
    testapp.reset()
    emma_id = _close_emma(read_root)
    login(testapp, "rektor")
    page = testapp.get(ids["school"] + "console-delete", {"log": emma_id})
    assert "Emma Nordmann" in page.text
    erased = page.html.find("ul", class_="erased").text
    assert "Oppmerksomheter: 2" in erased and "Tiltak: 5" in erased
    assert "Barnets stemme og familiens notater før og etter møter: 2" in erased
    refused = _form(page, "console-delete").submit()
    assert "Kryss av" in refused.text
    form = _form(refused, "console-delete")
    form["confirm"] = True
    assert "slettefristen er nådd" in refused.text.lower()  # reasons are chosen, not typed
    form["reason"] = "retention_ended"
    form.submit(status=303)
    with read_root() as root:
        m = root["demo"]
        assert emma_id not in m.logs and m.tombstones[emma_id].reason == "retention_ended"
    assert app.registry.visits.backend.query(*visits) == [(0,)]  # nor who visited (R17)


def test_r17_delete_refused_without_archive(testapp, read_root):
    ids = _ids(read_root)
    emma_id = _close_emma(read_root)
    with read_root() as root:
        root["demo"].logs[emma_id].archives.clear()
    login(testapp, "rektor")
    page = testapp.get(ids["school"] + "console-delete", {"log": emma_id})
    form = _form(page, "console-delete")
    form["confirm"] = True
    refused = form.submit()
    assert "Arkiv-PDF-en må være produsert før loggen slettes." in refused.text
    with read_root() as root:
        assert root["demo"].logs[emma_id].state == "passive"


# -- 6. consents ------------------------------------------
def test_r10_consent_overview_lists_expiring_and_missing_second_guardian(testapp, read_root):
    ids = _ids(read_root)
    login(testapp, "rektor")
    page = testapp.get(ids["school"] + "console-consents")
    expiring, missing = (section.text for section in page.html.find_all("section"))
    assert "Emma Nordmann" in expiring and "Jonas Berg" not in expiring  # no expiry on his
    assert "Emma Nordmann" not in missing
    with read_root() as root:
        emma = _log(root, "Emma Nordmann")
        emma.guardians_live_together = False
        emma.municipality.index.reindex(emma)
    page = testapp.get(ids["school"] + "console-consents")
    missing = page.html.find_all("section")[1].text
    assert "Emma Nordmann" in missing


# -- 8. supervisor read access ------------------------------------------
def test_r4_r6_leader_gets_supervisor_read_access_on_its_own_consent(testapp, read_root):
    ids = _ids(read_root)
    emma_id = ids["logs"]["Emma Nordmann"]
    log_url = f"/demo/logs/{emma_id}/"
    login(testapp, "rektor")
    assert not _may_view(read_root, "rektor", emma_id)  # header only, so far
    page = testapp.get(ids["school"] + "console-supervise", {"log": emma_id})
    refused = _form(page, "console-supervise").submit()
    assert "Velg hvem som ga det nye samtykket" in refused.text
    form = _form(refused, "console-supervise")
    form.get("party", index=0).checked = True
    form.submit(status=303)
    assert _may_view(read_root, "rektor", emma_id)
    with read_root() as root:
        emma = root["demo"].logs[emma_id]
        rektor = root.accounts["rektor"].employee_id
        assert emma_id in set(root["demo"].index.ids("reader", rektor))
        [grant] = emma.grants.values()
        consent = emma.consents[grant.consent_id]
        assert (grant.purpose, consent.scope, consent.grantee_id) == (
            "supervisor", "read_access", rektor)
    testapp.reset()
    login(testapp, "forelder")
    family = testapp.get(log_url + "supervision")
    assert "Randi Rektor" in family.text


def test_r4_the_log_s_creation_consent_does_not_carry_a_supervisor_grant(testapp, read_root):
    ids = _ids(read_root)
    emma_id = ids["logs"]["Emma Nordmann"]
    with read_root() as root:
        creation = next(c.id for c in root["demo"].logs[emma_id].consents.values()
                        if c.scope == "create")
    login(testapp, "rektor")
    page = testapp.get(ids["school"] + "console-supervise", {"log": emma_id})
    refused = testapp.post(ids["school"] + "console-supervise", {
        "log": emma_id, "consent": creation, "csrf_token": csrf_token(page)})
    assert refused.status_int == 200 and "samtykke" in refused.html.find(role="alert").text.lower()
    assert not _may_view(read_root, "rektor", emma_id)
    with read_root() as root:
        assert len(root["demo"].logs[emma_id].grants) == 0


def test_r4_a_grant_ends_when_its_consent_is_withdrawn(testapp, read_root):
    ids = _ids(read_root)
    emma_id = ids["logs"]["Emma Nordmann"]
    login(testapp, "rektor")
    page = testapp.get(ids["school"] + "console-supervise", {"log": emma_id})
    form = _form(page, "console-supervise")
    form.get("party", index=0).checked = True
    form.submit(status=303)
    assert testapp.get(f"/demo/logs/{emma_id}/").status_int == 200
    with read_root() as root:
        emma = root["demo"].logs[emma_id]
        [grant] = emma.grants.values()
        fire(emma.consents[grant.consent_id], "withdraw", root.accounts["larer"])
        assert emma.state == "active" and not grant.active
    assert not _may_view(read_root, "rektor", emma_id)


def _may_view(read_root, username, log_id) -> bool:
    with read_root() as root:
        return permits(root.accounts[username], root["demo"].logs[log_id], Permission.VIEW)


# -- helpers ------------------------------------------
def _ids_from_app(testapp) -> str:
    home = testapp.get("/")
    link = home.html.find("a", href=lambda h: h and h.endswith("/console"))
    return link["href"].removesuffix("console")


def _csv(response) -> list[list[str]]:
    assert response.content_type == "text/csv"
    return list(csv.reader(io.StringIO(response.text)))


def _rows(page) -> list[str]:
    return [row.find("a").text for row in page.html.select("table.list tbody tr")]


def _form(page, action_suffix: str, **fields):
    """The form posting to ``action_suffix`` whose hidden fields have these values."""
    for form in page.forms.values():
        if not form.action.endswith(action_suffix):
            continue
        if all(any(f.value == v for f in form.fields.get(k, ())) for k, v in fields.items()):
            return form
    raise AssertionError(f"no form for {action_suffix} {fields}")



