"""R35: the archive copy is written with the change (as HTML) and made a PDF after the
commit, by a worker: a retried request never renders twice and closing stays quick."""

from __future__ import annotations

import io

from pypdf import PdfReader

from stafett.services import archive

from ..conftest import login


def test_closing_writes_the_copy_and_the_pdf_follows_the_commit(testapp, read_root,
                                                                monkeypatch):
    renders = []
    render_pdf = archive.render_pdf
    monkeypatch.setattr(archive, "render_pdf", lambda html: renders.append(1) or
                        render_pdf(html))
    with read_root() as root:
        emma = next(log for log in root["demo"].logs.values()
                    if log.subject.name == "Emma Nordmann")
        url, log_id = f"/demo/logs/{emma.id}/", emma.id
    login(testapp, "larer")
    form = testapp.get(url + "close").forms["deform"]
    form.submit("submit", status=303)
    archive.WORKER.wait()
    assert renders == [1]  # once, after the commit, not in the request's transaction
    with read_root() as root:
        m = root["demo"]
        [copy] = m.logs[log_id].archives.values()
        assert copy.produced and copy.html is None and len(m.pending_archives) == 0
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(copy.blob.data)).pages)
    assert "Emma Nordmann" in text


def test_a_copy_the_worker_did_not_make_is_made_by_the_nightly_run(read_root, monkeypatch):
    from stafett.models.base import today
    from stafett.workflows import fire
    from stafett.workflows.daily import run_daily

    monkeypatch.setattr(archive.WORKER, "submit", lambda db, archived: None)  # it died
    with read_root() as root:
        emma = next(log for log in root["demo"].logs.values()
                    if log.subject.name == "Emma Nordmann")
        fire(emma, "close", root.accounts["larer"], reason="goals_met")
    with read_root() as root:
        assert len(root["demo"].pending_archives) == 1
        assert run_daily(root["demo"], today()).archives_produced == 1
    with read_root() as root:
        assert len(root["demo"].pending_archives) == 0
        assert all(c.produced for log in root["demo"].logs.values()
                   for c in log.archives.values())
