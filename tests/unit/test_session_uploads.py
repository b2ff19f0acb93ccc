"""An upload kept between a failed submit and the next (R28) lives on disk, shared by the
machine's app processes, bound to the session that sent it, and gone after an hour."""

from __future__ import annotations

import io
import os
import tempfile
import time

from stafett.forms.uploads import KEPT_SECONDS, SessionUploads


def _file(data: bytes = b"%PDF-1.4 test") -> dict:
    return {"fp": io.BytesIO(data), "filename": "skjema.pdf", "mimetype": "application/pdf",
            "size": len(data), "uid": "abc123"}


def test_a_kept_upload_is_read_back_by_its_own_session_only(tmp_path):
    mine, theirs = SessionUploads(str(tmp_path), "owner1"), SessionUploads(str(tmp_path), "x")
    mine["abc123"] = _file()
    again = SessionUploads(str(tmp_path), "owner1").get("abc123")  # another process
    assert again["filename"] == "skjema.pdf" and again["fp"].read() == b"%PDF-1.4 test"
    assert theirs.get("abc123") is None and "abc123" not in theirs


def test_an_upload_id_cannot_name_a_path(tmp_path):
    store = SessionUploads(str(tmp_path), "owner1")
    store["../../etc"] = _file()
    assert os.listdir(tmp_path) == [] and store.get("../../etc") is None


def test_kept_uploads_are_removed_after_an_hour(tmp_path):
    store = SessionUploads(str(tmp_path), "owner1")
    store["old"] = _file()
    long_ago = time.time() - KEPT_SECONDS - 60
    for name in os.listdir(tmp_path):
        os.utime(tmp_path / name, (long_ago, long_ago))
    store["new"] = _file()
    assert store.get("old") is None and store.get("new") is not None


def test_r28_an_upload_survives_the_request_it_came_with(tmp_path):
    store = SessionUploads(str(tmp_path), "owner1")
    source = tempfile.TemporaryFile()
    source.write(b"%PDF-1.4 tiny")
    store["uid1"] = {"fp": source, "filename": "a.pdf"}
    source.close()  # the request's file is gone; the kept copy stays
    assert store["uid1"]["fp"].read() == b"%PDF-1.4 tiny"
