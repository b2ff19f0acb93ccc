"""R20, R21, R23 through the app over HTTP: the holder proposes a transfer to another
installation and downloads the file (POST, CSRF, permission); a leader imports it (bad
files refused with 400 and the reason, nothing stored); the receipt accepts the transfer.
The receiving municipality lives in the same database here; tests/integration runs two."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from webtest import Upload

from ..conftest import csrf_token, login
from ..world import World
from .test_lifecycle import find_log, log_url, tick
from .test_log_requests import mails

RECEIVER = "Nordby kommune, Nordby skole"


def _propose(testapp, read_root) -> tuple[str, str, str, str]:
    """Emma's log, to another installation with her reading concern only, consented."""
    login(testapp, "larer")
    url = log_url(read_root, "Emma Nordmann")
    with read_root() as root:
        log = find_log(root, "Emma Nordmann")
        chosen = next(c for c in log.concerns.values() if "lese" in c.text)
        other = next(c for c in log.concerns.values() if c is not chosen)
        chosen_id, other_text = chosen.id, other.text
        guardians = list(log.guardians.keys())
    form = testapp.get(url + "transfer-elsewhere").forms["deform"]
    form["receiver"] = RECEIVER
    form["reason"] = "Familien flytter til Nordby."
    tick(form, chosen_id)
    form.submit("submit", status=303)
    with read_root() as root:
        log = find_log(root, "Emma Nordmann")
        transfer = next(t for t in log.transfers.values() if t.kind == "installation")
        assert transfer.state == "proposed" and transfer.concern_ids == (chosen_id,)
        transfer_url = f"{url}transfers/{transfer.id}/"
    form = testapp.get(transfer_url + "consent").forms["deform"]
    for guardian_id in guardians:
        tick(form, guardian_id)
    form.submit("submit", status=303)
    return url, transfer_url, chosen_id, other_text


def _export(testapp, url, transfer_url) -> bytes:
    page = testapp.get(url)
    assert "transfers" in page.text and "export" in page.text
    answer = testapp.post(transfer_url + "export", {"csrf_token": csrf_token(page)})
    assert answer.content_type == "application/zip"
    assert answer.headers["Cache-Control"] == "no-store"
    return answer.body


def test_r20_the_holder_downloads_only_the_chosen_concerns(testapp, read_root):
    url, transfer_url, chosen_id, other_text = _propose(testapp, read_root)
    with read_root() as root:
        before = find_log(root, "Emma Nordmann")
        holder_id, concerns = before.holder_id, set(before.concerns.keys())
    data = _export(testapp, url, transfer_url)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = {n: z.read(n) for n in z.namelist()}
        content = json.loads(members["log.json"])
    assert [c["id"] for c in content["concerns"]] == [chosen_id]
    for blob in [data, *members.values()]:
        assert other_text.encode() not in blob
    with read_root() as root:  # R21: nothing changes on the sender's log before the receipt
        log = find_log(root, "Emma Nordmann")
        assert (log.state, log.holder_id, set(log.concerns.keys())) == (
            "active", holder_id, concerns)
        assert next(t for t in log.transfers.values()).state == "consented"


def test_the_download_needs_a_post_a_token_and_the_right_to_transfer(testapp, read_root, app):
    import webtest

    url, transfer_url, _c, _o = _propose(testapp, read_root)
    testapp.get(transfer_url + "export", status=404)  # a GET never makes the file
    testapp.post(transfer_url + "export", {}, status=400)  # no CSRF token
    for username in ("forelder", "assistent", "helsesykepleier", "styrer"):
        other = webtest.TestApp(app)
        login(other, username)
        token = csrf_token(other.get("/login"))
        status = other.post(transfer_url + "export", {"csrf_token": token},
                            expect_errors=True).status_int
        assert status in (403, 404), username
        assert other.get(transfer_url + "receipt", expect_errors=True).status_int in (403, 404)


@pytest.fixture
def nordby(read_root):
    """A second municipality, as the receiving installation would have it."""
    with read_root() as root:
        world = World(root, slug="nordby")
        password = root.accounts["larer"].password_hash
        for username in ("leader", "holder", "holder2", "actor", "kholder"):
            root.accounts[username].password_hash = password
        return {"unit": f"/nordby/units/{world.school.id}/",
                "holder_id": world.emp(world.holder).id}


def _upload(client, unit_url, data: bytes, status: int):
    page = client.get(unit_url + "import-log")
    return client.post(unit_url + "import-log",
                       {"csrf_token": csrf_token(page),
                        "file": Upload("stafettlogg.zip", data, "application/zip")},
                       status=status)


def test_bad_files_are_refused_with_the_reason_and_nothing_stored(testapp, read_root, nordby,
                                                                 app):
    import webtest

    url, transfer_url, _c, _o = _propose(testapp, read_root)
    data = _export(testapp, url, transfer_url)
    leader = webtest.TestApp(app)
    login(leader, "leader")
    with read_root() as root:
        before = len(root["nordby"].logs)
    refused = _upload(leader, nordby["unit"], b"not a zip at all", 400)
    assert "Filen er ikke en zip-fil som kan leses." in refused.text
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["log.json"] = members["log.json"].replace(b"Emma", b"Emme")
    tampered = io.BytesIO()
    with zipfile.ZipFile(tampered, "w") as z:
        for name, blob in members.items():
            z.writestr(name, blob)
    refused = _upload(leader, nordby["unit"], tampered.getvalue(), 400)
    assert "endret, lagt til eller fjernet" in refused.text
    with read_root() as root:
        assert len(root["nordby"].logs) == before


def test_only_the_units_leader_and_its_staff_who_may_hold_import(testapp, read_root,
                                                                   nordby, app):
    """R23: another unit's holder, staff who may not hold, the family and another
    municipality's staff are refused the page and every POST behind it."""
    import webtest

    for username in ("forelder", "larer", "actor", "kholder"):
        client = webtest.TestApp(app)
        login(client, username)
        token = csrf_token(client.get("/"))
        assert client.get(nordby["unit"] + "import-log",
                          expect_errors=True).status_int in (403, 404), username
        for name in ("import-log", "import-log-decide", "import-receipt"):
            assert client.post(nordby["unit"] + name, {"csrf_token": token},
                               expect_errors=True).status_int in (403, 404), (username, name)
        assert nordby["unit"] + "import-log" not in client.get("/").text
    for username in ("leader", "holder"):
        client = webtest.TestApp(app)
        login(client, username)
        home = client.get("/")
        assert client.get(home.html.find("a", string="Ta imot en logg fra et annet Stafett")
                          ["href"]).status_int == 200


def test_r23_a_holder_takes_the_log_on_as_its_holder_and_names_no_other(
        testapp, read_root, nordby, app, datafs):
    import webtest

    url, transfer_url, chosen_id, _o = _propose(testapp, read_root)
    data = _export(testapp, url, transfer_url)
    holder = webtest.TestApp(app)
    login(holder, "holder")
    preview = _upload(holder, nordby["unit"], data, 200)
    assert "Du blir stafettholder for loggen." in preview.text
    assert 'name="holder_id"' in preview.text and 'id="holder_id"' not in preview.text
    assert 'class="tabs"' not in preview.text  # the leader's console is not theirs
    form = next(f for f in preview.forms.values() if f.get("decision", default=None)
                and f["decision"].value == "accept")
    with read_root() as root:
        own = root.accounts["holder"].employee_id
        other = root.accounts["holder2"].employee_id
    form["holder_id"].force_value(other)  # another holder: refused, nothing stored
    refused = form.submit(status=400)
    assert "Velg en stafettholder i enheten din." in refused.text
    with read_root() as root:
        assert not [g for g in root["nordby"].logs.values()
                    if g.subject.name == "Emma Nordmann"]
    reads = [e for _k, e in app.registry.access_journal.for_municipality("nordby")
             .of_kind("read") if e.get("object_kind") == "exportfile"]
    assert reads and reads[-1]["basis"] == ("receiver",)
    form["holder_id"].force_value(own)
    form.submit(status=303)
    with read_root() as root:
        (imported,) = [g for g in root["nordby"].logs.values()
                       if g.subject.name == "Emma Nordmann"]
        assert imported.holder_id == own and list(imported.concerns.keys()) == [chosen_id]
        guardians = {g.email for g in imported.guardians.values() if g.email}
        imported_id = imported.id
    told = {m["To"] for m in mails(datafs, imported_id)
            if m["Subject"] == "En stafettlogg er opprettet"}
    assert guardians and guardians <= told  # R14, R37: the family hears of it here too


def test_import_then_receipt_upload_accepts_the_transfer(testapp, read_root, nordby, app):
    import webtest

    url, transfer_url, chosen_id, other_text = _propose(testapp, read_root)
    data = _export(testapp, url, transfer_url)
    leader = webtest.TestApp(app)
    login(leader, "leader")
    preview = _upload(leader, nordby["unit"], data, 200)
    assert "Emma Nordmann" in preview.text and other_text not in preview.text
    reads = [e for _k, e in app.registry.access_journal.for_municipality("nordby")
             .of_kind("read") if e.get("object_kind") == "exportfile"]
    assert [(e["basis"], e["log"], e["object"]) for e in reads] == [
        (("leader",), None, transfer_url.rstrip("/").rsplit("/", 1)[1])]
    form = next(f for f in preview.forms.values() if f.get("decision", default=None)
                and f["decision"].value == "accept")
    form["holder_id"] = nordby["holder_id"]
    done = form.submit(status=303).follow()
    receipt = done.forms[next(k for k, f in done.forms.items()
                              if "import-receipt" in (f.action or ""))].submit()
    assert receipt.content_type == "application/json"
    with read_root() as root:
        (imported,) = [g for g in root["nordby"].logs.values()
                       if g.subject.name == "Emma Nordmann"]
        assert imported.state == "active" and imported.holder_id == nordby["holder_id"]
        assert list(imported.concerns.keys()) == [chosen_id]
        sender = find_log(root, "Emma Nordmann")
        assert sender.state == "active"  # R21: not until the receipt arrives
    page = testapp.get(transfer_url + "receipt")
    form = next(f for f in page.forms.values() if "receipt" in f.fields)
    form["receipt"] = Upload("kvittering.json", receipt.body, "application/json")
    form.submit(status=303)
    with read_root() as root:
        sender = find_log(root, "Emma Nordmann")
        transfer = next(t for t in sender.transfers.values() if t.kind == "installation")
        assert transfer.state == "accepted" and sender.state == "passive"


def test_a_bad_receipt_is_refused_and_changes_nothing(testapp, read_root):
    url, transfer_url, _c, _o = _propose(testapp, read_root)
    page = testapp.get(transfer_url + "receipt")
    form = next(f for f in page.forms.values() if "receipt" in f.fields)
    form["receipt"] = Upload("kvittering.json", b'{"receipt": {}}', "application/json")
    refused = form.submit(status=400)
    assert "ikke en gyldig kvittering" in refused.text
    testapp.post("/export-receipt", b"{}", content_type="application/json", status=400)
    with read_root() as root:
        log = find_log(root, "Emma Nordmann")
        assert log.state == "active"
        assert next(t for t in log.transfers.values()).state == "consented"


def test_r45_a_child_who_has_a_log_here_is_refused_at_accept(testapp, read_root, app):
    """Imported into the municipality that already holds the child's log: refused with
    the rule's reason, and nothing stored."""
    import webtest

    url, transfer_url, _c, _o = _propose(testapp, read_root)
    data = _export(testapp, url, transfer_url)
    with read_root() as root:
        school = find_log(root, "Emma Nordmann").unit_id
        holder = root.accounts["kontaktlarer"].employee_id
        before = len(root["demo"].logs)
    leader = webtest.TestApp(app)
    login(leader, "rektor")
    preview = _upload(leader, f"/demo/units/{school}/", data, 200)
    form = next(f for f in preview.forms.values() if f.get("decision", default=None)
                and f["decision"].value == "accept")
    form["holder_id"] = holder
    refused = form.submit(status=400)
    assert "Barnet har allerede en stafettlogg i kommunen" in refused.text
    with read_root() as root:
        assert len(root["demo"].logs) == before
