"""R20, R21, R23: the export file holds only the chosen concerns, is signed, and whatever
was changed, hidden or malformed in it is refused before anything is stored."""

from __future__ import annotations

import base64
import io
import json
import zipfile

import pytest
import transaction
from ZODB import DB
from ZODB.MappingStorage import MappingStorage

from stafett.models import Decision, Evaluation, Goal, Verdict
from stafett.models.base import utcnow
from stafett.services import copies
from stafett.services import export_package as ep
from stafett.services import import_package as ip
from stafett.storage import app_root
from stafett.workflows import export as wx

from ..pdfa import assert_pdfa
from ..world import World

CHOSEN = "Barnet strever med lesing og skriving."
SECRET = "Hemmelig bekymring om søvn hjemme."
SECRET_MEASURE = "Skjult tiltak om leggetid."


@pytest.fixture
def sent(world):
    log = world.active()
    chosen = world.concern(log, text=CHOSEN)
    chosen.set_goal(Goal("Barnet leser en side høyt.", ("Kjenner bokstavene",)))
    measure = world.measure(chosen, world.actor)
    measure.evaluation = Evaluation("m1", "Går bedre.", Verdict.PARTLY, Decision.CONTINUE,
                                    "Litt bedre hjemme.")
    world.measure(chosen, arena="home", party="home", text="Lese ved leggetid.")
    hidden = world.concern(log, text=SECRET, category="family")
    world.measure(hidden, world.actor, text=SECRET_MEASURE)
    return log, chosen, hidden


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


def _refused(data: bytes, code: str) -> None:
    with pytest.raises(ip.PackageRefused) as refused:
        ip.read_package(data)
    assert refused.value.msg == code


def _resign(world, members: dict[str, bytes]) -> dict[str, bytes]:
    """A new manifest over the members as they are now, signed with the sender's key: what
    a tamperer holding the key would do (to reach the checks after the signature)."""
    import hashlib

    manifest = json.loads(members["manifest.json"])
    manifest["members"] = {n: hashlib.sha256(d).hexdigest() for n, d in members.items()
                           if n not in ("manifest.json", "signature")}
    raw = json.dumps(manifest).encode()
    return {**members, "manifest.json": raw, "signature": ep.sign(world.root, raw)}


def test_r20_only_the_chosen_concerns_are_in_the_file(world, sent):
    log, chosen, hidden = sent
    data = ep.build_package(log, [chosen.id], transfer_id="t1", receipt_token="tok",
                            callback="https://a.example/receipt", receiver="Andre kommune")
    members = _members(data)
    assert set(members) == {"manifest.json", "signature", "log.json", "concerns.pdf"}
    for blob in [data, *members.values()]:
        assert SECRET.encode() not in blob and SECRET_MEASURE.encode() not in blob
        assert hidden.id.encode() not in blob
    content = json.loads(members["log.json"])
    assert [c["text"] for c in content["concerns"]] == [CHOSEN]
    assert CHOSEN.encode() in members["log.json"]
    assert_pdfa(members["concerns.pdf"])
    manifest = json.loads(members["manifest.json"])
    assert manifest["purpose"] == "transfer" and manifest["receipt_token"] == "tok"
    assert manifest["sender"]["fingerprint"] == ep.installation_fingerprint(world.root)


def test_r20_words_on_the_log_itself_stay_behind_codes_and_the_chosen_measures_go(
        world, sent):
    """A note on the log as a whole may speak of a concern left out; on a chosen concern's
    measure the words are about that concern and go along."""
    log, chosen, _ = sent
    measure = next(iter(chosen.measures.values()))
    at = utcnow()
    log.add_history(dict(at=at, machine="log", trigger="make_passive", object=log.id,
                         source="active", dest="passive", actor="x",
                         reason=SECRET, note=SECRET_MEASURE))
    log.add_history(dict(at=at, machine="log", trigger="reopen", object=log.id,
                         source="passive", dest="reopened", actor="x",
                         reason="goals_met", note=SECRET))
    log.add_history(dict(at=at, machine="measure", trigger="complete", object=measure.id,
                         source="active", dest="completed", actor="x",
                         reason="Målet er nådd.", note="Leser nå en side."))
    data = ep.build_package(log, [chosen.id], pdf=False)
    assert SECRET.encode() not in data and SECRET_MEASURE.encode() not in data
    history = json.loads(_members(data)["log.json"])["history"]
    by_trigger = {r["trigger"]: r for r in history}
    assert (by_trigger["make_passive"]["reason"], by_trigger["make_passive"]["note"]) == ("", "")
    assert (by_trigger["reopen"]["reason"], by_trigger["reopen"]["note"]) == ("goals_met", "")
    assert (by_trigger["complete"]["reason"], by_trigger["complete"]["note"]) == (
        "Målet er nådd.", "Leser nå en side.")


def test_r23_the_file_reads_back_with_signature_and_digests_checked(world, sent):
    log, chosen, _ = sent
    fingerprint = ep.installation_fingerprint(world.root)
    package = ip.read_package(ep.build_package(log, [chosen.id], pdf=False),
                              trusted=[fingerprint])
    assert package.trusted and package.fingerprint == fingerprint
    (concern,) = package.concerns
    assert concern["goal"]["text"] == "Barnet leser en side høyt."
    assert {m["evaluation"]["family_verdict"] for m in concern["measures"]
            if m["evaluation"]} == {"partly"}
    assert not ip.read_package(ep.build_package(log, [chosen.id], pdf=False)).trusted


def test_the_key_is_made_once_per_installation(world):
    first = ep.installation_fingerprint(world.root)
    assert ep.installation_fingerprint(world.root) == first


@pytest.mark.parametrize("where", ["log.json", "manifest.json", "signature"])
def test_r23_a_tampered_member_manifest_or_signature_is_refused(world, sent, where):
    log, chosen, _ = sent
    members = _members(ep.build_package(log, [chosen.id], pdf=False))
    if where == "signature":
        members[where] = bytes([members[where][0] ^ 1]) + members[where][1:]
        code = "export_file_bad_signature"
    elif where == "manifest.json":
        members[where] = members[where].replace(b'"transfer"', b'"individual_plan"')
        code = "export_file_bad_signature"
    else:
        members[where] = members[where].replace(CHOSEN.encode(), b"Noe annet.")
        code = "export_file_digest_mismatch"
    _refused(_zip(members), code)


def test_r23_a_key_swapped_in_the_manifest_is_refused(world, sent):
    """Another key that signs its own manifest: the signature holds, the fingerprint then
    differs, so a leader sees a sender that is not trusted."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    log, chosen, _ = sent
    members = _members(ep.build_package(log, [chosen.id], pdf=False))
    other = Ed25519PrivateKey.generate()
    manifest = json.loads(members["manifest.json"])
    manifest["sender"]["public_key"] = base64.b64encode(ep.public_bytes(other)).decode()
    raw = json.dumps(manifest).encode()
    _refused(_zip({**members, "manifest.json": raw, "signature": other.sign(raw)}),
             "export_file_bad_signature")  # the fingerprint no longer matches the key
    manifest["sender"]["fingerprint"] = ep.fingerprint(ep.public_bytes(other))
    raw = json.dumps(manifest).encode()
    package = ip.read_package(_zip({**members, "manifest.json": raw,
                                    "signature": other.sign(raw)}),
                              trusted=[ep.installation_fingerprint(world.root)])
    assert not package.trusted


def test_an_extra_member_not_in_the_manifest_is_refused(world, sent):
    log, chosen, _ = sent
    members = _members(ep.build_package(log, [chosen.id], pdf=False))
    members["extra.txt"] = b"x"
    _refused(_zip(members), "export_file_digest_mismatch")


@pytest.mark.parametrize("name", ["../evil.json", "sub/log.json", "..", "/abs", "a\\b",
                                  ".hidden"])
def test_paths_that_leave_the_folder_are_refused(world, sent, name):
    log, chosen, _ = sent
    members = _members(ep.build_package(log, [chosen.id], pdf=False))
    members[name] = b"x"
    _refused(_zip(members), "export_file_bad_name")


def test_a_zip_bomb_is_refused_while_reading(world, sent, monkeypatch):
    log, chosen, _ = sent
    members = _members(ep.build_package(log, [chosen.id], pdf=False))
    monkeypatch.setattr(ip, "MAX_UNPACKED_BYTES", 2 * ip.MB)
    members["bomb.bin"] = b"\0" * (3 * ip.MB)  # a few KB packed
    data = _zip(members)
    assert len(data) < 100_000
    _refused(data, "export_file_unpacked_too_large")


def test_a_header_that_lies_about_the_size_is_caught(world, sent):
    log, chosen, _ = sent
    members = _members(ep.build_package(log, [chosen.id], pdf=False))
    members["bomb.bin"] = b"\0" * (2 * ip.MB)
    data = bytearray(_zip(members))
    # the central directory's uncompressed size of bomb.bin says 10 bytes
    at = data.rfind(b"PK\x01\x02")
    data[at + 24:at + 28] = (10).to_bytes(4, "little")
    with pytest.raises(ip.PackageRefused):
        ip.read_package(bytes(data))


def test_too_many_members_and_too_big_files_are_refused(world, sent, monkeypatch):
    log, chosen, _ = sent
    members = _members(ep.build_package(log, [chosen.id], pdf=False))
    for i in range(ip.MAX_MEMBERS):
        members[f"m{i}"] = b""
    _refused(_zip(members), "export_file_too_many_members")
    monkeypatch.setattr(ip, "MAX_FILE_BYTES", 100)
    _refused(b"x" * 101, "export_file_too_large")


@pytest.mark.parametrize("data", [b"", b"not a zip", b"PK\x03\x04garbage"])
def test_what_is_not_a_zip_is_refused(data):
    _refused(data, "export_file_not_zip")


def test_another_format_or_version_is_refused(world, sent):
    log, chosen, _ = sent
    members = _members(ep.build_package(log, [chosen.id], pdf=False))
    for change, code in (((b'"1.0"', b'"2.0"'), "export_file_bad_version"),
                         ((b'"stafett-log-export"', b'"other"'), "export_file_bad_format")):
        manifest = members["manifest.json"].replace(*change)
        _refused(_zip({**members, "manifest.json": manifest,
                       "signature": ep.sign(world.root, manifest)}), code)
    _refused(_zip({"log.json": members["log.json"]}), "export_file_bad_format")


@pytest.mark.parametrize("bad", ["2026-13-45", "2026-02-30", "yesterday",
                                 "2026-02-01T25:00:00+00:00"])
def test_malformed_dates_are_refused_not_a_crash(world, sent, bad):
    log, chosen, _ = sent
    members = _members(ep.build_package(log, [chosen.id], pdf=False))
    content = json.loads(members["log.json"])
    if "T" in bad:
        content["concerns"][0]["created"] = bad
    else:
        content["concerns"][0]["measures"][0]["deadline"] = bad
    members["log.json"] = json.dumps(content).encode()
    with pytest.raises(ip.PackageRefused) as refused:
        ip.read_package(_zip(_resign(world, members)))
    assert refused.value.msg in ("export_file_bad_date", "export_file_bad_content")


def test_content_against_the_schema_is_refused(world, sent):
    log, chosen, _ = sent
    members = _members(ep.build_package(log, [chosen.id], pdf=False))
    content = json.loads(members["log.json"])
    content["subject"]["fnr"] = "<script>"
    members["log.json"] = json.dumps(content).encode()
    _refused(_zip(_resign(world, members)), "export_file_bad_content")
    members["log.json"] = b"[1, 2"
    _refused(_zip(_resign(world, members)), "export_file_bad_content")


@pytest.fixture
def receiver():
    database = DB(MappingStorage())
    manager = transaction.TransactionManager()
    conn = database.open(transaction_manager=manager)
    built = World(app_root(conn), slug="andre")
    built.tm = manager
    manager.savepoint()
    yield built
    manager.abort()
    conn.close()
    database.close()


def test_r23_round_trip_into_another_installation(world, sent, receiver):
    log, chosen, _ = sent
    package = ip.read_package(ep.build_package(log, [chosen.id], pdf=False,
                                               transfer_id="t1", receipt_token="tok"))
    imported = wx.import_log(receiver.m, package, receiver.emp(receiver.holder),
                             receiver.leader)
    assert imported.state == "active" and imported.holder_id == receiver.holder.employee_id
    assert receiver.m.logs[imported.id] is imported
    assert list(imported.concerns.keys()) == [chosen.id]
    (got,) = imported.concerns.values()
    assert (got.text, got.goal.text, got.goal.sub_goals) == (
        chosen.text, chosen.goal.text, chosen.goal.sub_goals)
    sent_measures = sorted((m.text, m.party, m.arena, m.start, m.deadline, m.state)
                           for m in chosen.measures.values())
    got_measures = sorted((m.text, m.party, m.arena, m.start, m.deadline, m.state)
                          for m in got.measures.values())
    assert got_measures == sent_measures
    evaluations = {(m.evaluation.service_view, m.evaluation.family_verdict,
                    m.evaluation.decision, m.evaluation.family_comment)
                   for m in got.measures.values() if m.evaluation}
    assert evaluations == {("Går bedre.", "partly", "continue", "Litt bedre hjemme.")}
    assert [g.name for g in imported.guardians.values()] == [
        g.name for g in log.guardians.values()]
    triggers = [r["trigger"] for r in imported.history.values()]
    assert triggers[-2:] == ["create", "activate"] and len(triggers) > 2
    assert log.state == "active" and log.holder_id == world.holder.employee_id  # R21


def test_r21_receipts_are_signed_and_checked(world, sent, receiver):
    log, chosen, _ = sent
    package = ip.read_package(ep.build_package(log, [chosen.id], pdf=False,
                                               transfer_id="t1", receipt_token="tok"))
    receipt = ip.build_receipt(receiver.root, package.manifest, "accepted")
    body = ip.read_receipt(receipt)
    assert (body["decision"], body["receipt_token"], body["transfer_id"]) == (
        "accepted", "tok", "t1")
    assert body["fingerprint"] == ep.installation_fingerprint(receiver.root)
    forged = receipt.replace(b'"accepted"', b'"declined"')
    for bad in (forged, b"{", b"[]", b"x" * (ip.MAX_RECEIPT_BYTES + 1)):
        with pytest.raises(ip.PackageRefused):
            ip.read_receipt(bad)


def _elsewhere(world, log, concern_ids):
    from stafett.models import Transfer, TransferKind
    from stafett.models.consent import ConsentScope
    from stafett.workflows import fire, propose_transfer

    transfer = propose_transfer(log, Transfer(
        TransferKind.INSTALLATION, "Familien flytter.", world.holder.uid,
        world.holder.employee_id, to_municipality="Andre kommune",
        concern_ids=concern_ids), world.holder)
    consent = world.consent(log, scope=ConsentScope.TRANSFER)
    fire(transfer, "consent", world.holder, consent_id=consent.id)
    return transfer


def test_r21_the_sender_holds_until_the_receipt_then_the_log_goes_passive(
        world, sent, receiver):
    log, chosen, hidden = sent
    transfer = _elsewhere(world, log, [chosen.id])
    data = wx.export_for_transfer(transfer, world.holder, public_url="https://a.example")
    assert transfer.state == "consented" and log.state == "active"
    assert log.holder_id == world.holder.employee_id and hidden.id in log.concerns
    package = ip.read_package(data)
    assert package.manifest["callback"] == "https://a.example/export-receipt"
    wx.import_log(receiver.m, package, receiver.emp(receiver.holder), receiver.leader)
    body = ip.read_receipt(ip.build_receipt(receiver.root, package.manifest, "accepted"))
    assert wx.transfer_of_receipt(world.root, body) is transfer
    wrong = {**body, "receipt_token": "guess"}
    assert wx.transfer_of_receipt(world.root, wrong) is None
    wx.apply_receipt(transfer, body)
    assert transfer.state == "accepted" and log.state == "passive"
    assert log.holder_id == world.holder.employee_id
    assert [a.reason for a in copies.copies_of_log(log)] == ["closed"]  # one copy, kept here
    wx.apply_receipt(transfer, body)  # the callback and the upload both came: no change
    assert transfer.state == "accepted"


def test_r21_a_declined_receipt_leaves_the_log_as_it_was(world, sent, receiver):
    log, chosen, _ = sent
    transfer = _elsewhere(world, log, [chosen.id])
    package = ip.read_package(wx.export_for_transfer(transfer, world.holder))
    body = ip.read_receipt(ip.build_receipt(receiver.root, package.manifest, "declined",
                                            "Ikke vår kommune."))
    wx.apply_receipt(wx.transfer_of_receipt(world.root, body), body)
    assert transfer.state == "declined" and log.state == "active"
    assert len(log.concerns) == 2


def test_a_transfer_elsewhere_is_not_accepted_here(world, sent):
    from stafett.workflows import WorkflowError, fire

    log, chosen, _ = sent
    transfer = _elsewhere(world, log, [chosen.id])
    with pytest.raises(WorkflowError):
        fire(transfer, "accept", world.leader, new_holder_id=world.holder2.employee_id)


def test_the_individual_plan_uses_the_same_file_marked_for_the_plan(world, sent):
    log, chosen, _ = sent
    package = ip.read_package(ep.build_package(log, [chosen.id], purpose="individual_plan",
                                               receiver="Koordinator", pdf=False))
    assert package.manifest["purpose"] == "individual_plan"
    with pytest.raises(ValueError):
        ep.build_package(log, [chosen.id], purpose="anything", pdf=False)
    with pytest.raises(KeyError):
        ep.build_package(log, ["no-such-concern"], pdf=False)


def test_trusted_senders_come_from_the_setting():
    settings = {"stafett.trusted_exporters": "abcd:0001, ABCD:0002\n  ABCD:0003 "}
    assert ip.trusted_fingerprints(settings) == {"ABCD:0001", "ABCD:0002", "ABCD:0003"}
    assert ip.trusted_fingerprints({}) == set()


def _refusals(world) -> list[dict]:
    return [e for _k, e in world.m.journal.of_kind("refused")]


def test_r18_a_refused_import_stores_no_draft_and_keeps_the_refusal(world, sent, receiver):
    """The activation refuses a log no one consented for: the draft made a moment before
    goes with it, while the journal keeps the refusal."""
    from stafett.workflows import WorkflowError, one_change

    log, chosen, _ = sent
    package = ip.read_package(ep.build_package(log, [chosen.id], pdf=False))
    package.content["guardians"] = []  # nobody who may consent for a child of nine
    before = len(receiver.m.logs)
    with pytest.raises(WorkflowError) as refused:
        with one_change(receiver.tm):
            wx.import_log(receiver.m, package, receiver.emp(receiver.holder), receiver.leader)
    assert len(receiver.m.logs) == before
    assert [e["what"] for e in _refusals(receiver)] == ["transition:activate"]
    assert _refusals(receiver)[0]["cause"] == refused.value.msg


@pytest.mark.parametrize("spoil", ["twice", "category"])
def test_a_file_the_schema_lets_through_but_the_model_refuses_is_refused(world, sent,
                                                                       receiver, spoil):
    log, chosen, _ = sent
    package = ip.read_package(ep.build_package(log, [chosen.id], pdf=False))
    concerns = package.content["concerns"]
    if spoil == "twice":
        concerns.append(dict(concerns[0]))
    else:
        concerns[0]["category"] = "no-such-category"
    with pytest.raises(ip.PackageRefused) as refused:
        wx.import_log(receiver.m, package, receiver.emp(receiver.holder), receiver.leader)
    assert refused.value.msg == "export_file_bad_content"


def test_a_receipt_naming_its_transfer_with_no_string_is_refused(world, sent, receiver):
    log, chosen, _ = sent
    package = ip.read_package(ep.build_package(log, [chosen.id], pdf=False,
                                               transfer_id="t1", receipt_token="tok"))
    package.manifest["transfer_id"] = ["t1"]
    with pytest.raises(ip.PackageRefused):
        ip.read_receipt(ip.build_receipt(receiver.root, package.manifest, "accepted"))
