"""R20, R21, R23: a log between two installations, each a real app server (pserve) on its
own FileStorage. Over HTTP only: the sender's holder proposes, records the consent and
downloads the file; the receiver's leader imports it and accepts; the receiver's server
posts the receipt back to the sender's; only then does the sender's transfer end.

Every chosen concern, goal, measure and evaluation is equal after the import; the concern
not chosen is nowhere in the file's bytes; a tampered file is refused; the sender's log
stays with its holder, unchanged, until the receipt."""

from __future__ import annotations

import io
import re
import shutil
import time
import zipfile

import lxml.html
import pytest
import requests
import transaction
from ZODB import DB, FileStorage

from stafett.storage import app_root

from ..conftest import app_settings
from ..ports import free_port
from ..world import World
from .test_app_processes import app_processes, logged_in


def _ini(path, datafs: str, port: int, **extra) -> str:
    settings = app_settings(datafs, **extra)
    path.write_text("[app:main]\nuse = egg:stafett\n"
                    + "".join(f"{k} = {v}\n" for k, v in settings.items())
                    + f"\n[server:main]\nuse = egg:waitress#main\nlisten = 127.0.0.1:{port}\n"
                    "threads = 4\n")
    return str(path)


def _open(datafs: str):
    database = DB(FileStorage.FileStorage(datafs))
    return database, database.open()


def _concern_key(concern) -> tuple:
    measures = sorted(
        (m.text, str(m.party), str(m.arena), m.start, m.deadline, m.state,
         (m.evaluation.service_view, str(m.evaluation.family_verdict),
          str(m.evaluation.decision), m.evaluation.family_comment)
         if m.evaluation else None)
        for m in concern.measures.values())
    goal = (concern.goal.text, tuple(concern.goal.sub_goals)) if concern.goal else None
    return (concern.id, concern.text, str(concern.category), goal, measures)


def _snapshot(datafs: str, slug: str, name: str):
    database, conn = _open(datafs)
    try:
        logs = app_root(conn)[slug].logs.values()
        log = next(g for g in logs if g.subject.name == name)
        transfers = {t.id: t.state for t in log.transfers.values()}
        return {"id": log.id, "state": log.state, "holder": log.holder_id,
                "concerns": {c.id: _concern_key(c) for c in log.concerns.values()},
                "transfers": transfers,
                "texts": {c.id: c.text for c in log.concerns.values()},
                "guardians": list(log.guardians.keys())}
    finally:
        conn.close()
        database.close()


def _form(page: str, action_part: str):
    doc = lxml.html.fromstring(page)
    if not action_part:
        return next(f for f in doc.forms if f.get("id") == "deform")
    return next(f for f in doc.forms if action_part in (f.get("action") or ""))


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _submit_deform(client, url: str, fill, tick=()) -> requests.Response:
    page = client.get(url).text
    form = _form(page, "")
    for element in form.inputs:
        if element.get("type") == "checkbox" and element.get("value") in tick:
            element.checked = True
    values = [(k, v) for k, v in form.form_values()]
    values = [(k, fill.get(k, v)) for k, v in values]
    answer = client.post(url, data=values, allow_redirects=False)
    answer.sent = values
    return answer


@pytest.fixture
def installations(tmp_path, demo_datafs):
    """The sender: the demo municipality. The receiver: another database, with a
    municipality of its own (Nordby) whose leader and holders log in."""
    paths = {}
    for side in ("sender", "receiver"):
        (tmp_path / side).mkdir()
        paths[side] = str(tmp_path / side / "Data.fs")
        shutil.copy(demo_datafs, paths[side])
    database, conn = _open(paths["receiver"])
    with transaction.manager:
        conn.transaction_manager = transaction.manager
        root = app_root(conn)
        world = World(root, slug="nordby")
        for username in ("leader", "holder", "holder2"):
            root.accounts[username].password_hash = root.accounts["larer"].password_hash
        receiver = {"unit": f"/nordby/units/{world.school.id}/",
                    "holder_id": world.emp(world.holder).id}
    conn.close()
    database.close()
    return paths, receiver


def test_round_trip_between_two_installations(tmp_path, installations):
    paths, receiving = installations
    emma = _snapshot(paths["sender"], "demo", "Emma Nordmann")
    chosen = next(cid for cid, text in emma["texts"].items() if "lese" in text)
    left_out = next(text for cid, text in emma["texts"].items() if cid != chosen)
    ports = {side: free_port() for side in paths}
    sender_url = f"http://127.0.0.1:{ports['sender']}"
    inis = [_ini(tmp_path / "sender.ini", paths["sender"], ports["sender"],
                 **{"stafett.public_url": sender_url}),
            _ini(tmp_path / "receiver.ini", paths["receiver"], ports["receiver"],
                 **{"stafett.export_callbacks": "any"})]
    logs = [str(tmp_path / "sender.log"), str(tmp_path / "receiver.log")]
    with app_processes(inis, logs) as (sender, receiver):
        holder = logged_in(sender, "larer")
        log_path = f"/demo/logs/{emma['id']}/"
        done = _submit_deform(holder, sender + log_path + "transfer-elsewhere",
                              {"receiver": "Nordby kommune, Nordby skole",
                               "reason": "Familien flytter til Nordby."}, tick=[chosen])
        assert done.status_code == 303, done.sent
        page = holder.get(sender + log_path).text
        transfer_path = re.search(r'(/demo/logs/[0-9a-f]+/transfers/[0-9a-f]+/)consent',
                                  page).group(1)
        done = _submit_deform(holder, sender + transfer_path + "consent", {},
                              tick=emma["guardians"])
        assert done.status_code == 303, done.text[-2000:]
        page = holder.get(sender + log_path).text
        answer = holder.post(sender + transfer_path + "export",
                             data={"csrf_token": _csrf(page)})
        assert answer.headers["Content-Type"].startswith("application/zip")
        data = answer.content

        # the concern not chosen is nowhere in the file, packed or unpacked (R20)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            members = {n: z.read(n) for n in z.namelist()}
        for blob in (data, *members.values()):
            assert left_out.encode() not in blob

        leader = logged_in(receiver, "leader")
        unit = receiver + receiving["unit"]

        # a tampered file is refused, and nothing is stored
        tampered = dict(members)
        tampered["log.json"] = tampered["log.json"].replace(b"Emma", b"Erna")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            for name, blob in tampered.items():
                z.writestr(name, blob)
        form_page = leader.get(unit + "import-log").text
        refused = leader.post(unit + "import-log", data={"csrf_token": _csrf(form_page)},
                              files={"file": ("emma.zip", buffer.getvalue(),
                                              "application/zip")})
        assert refused.status_code == 400 and "endret" in refused.text

        # the sender's log is unchanged, with its holder, before the receipt (R21)
        preview = leader.post(unit + "import-log", data={"csrf_token": _csrf(form_page)},
                              files={"file": ("emma.zip", data, "application/zip")})
        assert preview.status_code == 200 and "Emma Nordmann" in preview.text
        assert left_out not in preview.text
        accept = _form(preview.text, "import-log-decide")
        values = dict(accept.form_values())
        assert values["decision"] == "accept"
        values["holder_id"] = receiving["holder_id"]
        done = leader.post(unit + "import-log-decide", data=values, allow_redirects=False)
        assert done.status_code == 303, done.text[-2000:]

        # the receiver's server posted the receipt back after its commit
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            page = holder.get(sender + log_path).text
            if "state-accepted" in page:
                break
            time.sleep(0.3)
        assert "state-accepted" in page
        # an unknown receipt and a bad one are told apart
        assert requests.post(sender + "/export-receipt", data=b"{}", timeout=10,
                             headers={"Content-Type": "application/json"}).status_code == 400
    after = _snapshot(paths["sender"], "demo", "Emma Nordmann")
    assert after["state"] == "passive" and after["holder"] == emma["holder"]
    assert set(after["transfers"].values()) >= {"accepted"}
    imported = _snapshot(paths["receiver"], "nordby", "Emma Nordmann")
    assert imported["state"] == "active" and imported["holder"] == receiving["holder_id"]
    assert imported["concerns"] == {chosen: emma["concerns"][chosen]}
