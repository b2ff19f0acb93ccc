"""A log between installations in the browser (R20, R21, R23).

The sender: propose a transfer to another installation, download the export file once the
family has consented (POST, journaled), upload the receiver's signed receipt. The receiver's
server may instead post the receipt to ``/export-receipt`` (bad input 400, unknown 404).

The receiver: a unit leader, or one of the unit's staff who may hold a log, uploads the
file; it is checked in full before anything else (``services.import_package``), refused
with 400 and the reason, or shown with the child, the concerns and the sender's
fingerprint. The leader accepts naming a holder, the staff member accepts as its holder,
or either declines. Between the preview and the decision the file waits in the session's
upload folder, never in the database; the receipt waits there for its download as well.
"""

from __future__ import annotations

import logging

from pyramid.httpexceptions import HTTPBadRequest, HTTPNotFound, HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from .. import audit
from ..forms.export import TransferElsewhereSchema
from ..forms.log_lifecycle import FORM_CHOICES
from ..forms.uploads import SessionUploads
from ..forms.validators import posted_text
from ..i18n import _
from ..messages import message_for
from ..models.base import DomainError
from ..models.consent import ConsentForm
from ..models.log import Log
from ..models.org import AppRoot, Unit
from ..models.transfer import Transfer, TransferKind
from ..security import Permission as P
from ..services import import_package as ip
from ..workflows import export as wx
from ..workflows import one_change, propose_transfer
from .admin import acting_employee
from .downloads import file_response
from .formview import FORM_PAGE, FormView
from .read_journal import journal_read

IMPORT_PAGE = "stafett:templates/export/import.pt"
RECEIPT_PAGE = "stafett:templates/export/receipt.pt"
CALLBACK_TIMEOUT = 5.0
_log = logging.getLogger(__name__)


# -- the sender ----------------------------------------------------------------------------
@view_config(context=Log, name="transfer-elsewhere", renderer=FORM_PAGE, permission=P.TRANSFER)
class ProposeTransferElsewhere(FormView):
    schema_factory = TransferElsewhereSchema
    title = button = _("ex_propose", default="Send to another Stafett installation")
    intro = _("ex_propose_intro", default=(
        "The log goes to another Stafett as a file with only the concerns the family agrees "
        "to. You remain holder until the receiver's receipt arrives."))

    def success(self, data):
        log = self.log
        transfer = Transfer(TransferKind.INSTALLATION, data["reason"],
                            self.request.identity.uid, log.holder_id,
                            to_municipality=data["receiver"],
                            concern_ids=sorted(data["concern_ids"]))
        propose_transfer(log, transfer, self.request.identity, request=self.request)
        return self.done(log, _("ex_proposed", default=(
            "The transfer is proposed. Record the family's consent, then download the file.")))


def _elsewhere(request) -> Transfer:
    transfer = request.context
    if transfer.kind != TransferKind.INSTALLATION:
        raise HTTPNotFound()
    return transfer


def _back_with(request, log, message) -> HTTPSeeOther:
    request.notice(request.translate(message))
    return HTTPSeeOther(location=request.resource_url(log))


@view_config(context=Transfer, name="export", request_method="POST", permission=P.TRANSFER)
def download_export(request):
    """R20, R23: the export file; its download is a read of the child's data (journaled)."""
    transfer = _elsewhere(request)
    log = transfer.__parent__.__parent__
    try:
        data = wx.export_for_transfer(
            transfer, request.identity,
            public_url=request.registry.settings.get("stafett.public_url", ""),
            locale_name=request.locale_name)
    except DomainError as refusal:
        return _back_with(request, log, message_for(refusal))
    journal_read(request, log, transfer)
    return file_response(data, f"stafettlogg-{transfer.id}.zip", "application/zip")


@view_config(context=Transfer, name="receipt", permission=P.TRANSFER)
def upload_receipt(request):
    """R21: the receiver's signed receipt, sent back by the holder."""
    transfer = _elsewhere(request)
    log = transfer.__parent__.__parent__
    values = {"transfer": transfer, "log": log, "error": None}
    if request.method != "POST":
        return render_to_response(RECEIPT_PAGE, values, request=request)
    upload = request.POST.get("receipt")
    try:
        body = ip.read_receipt(_read_upload(upload, ip.MAX_RECEIPT_BYTES))
        if wx.transfer_of_receipt(request.root, body) is not transfer:
            raise ip.PackageRefused("export_receipt_other_transfer")
        wx.apply_receipt(transfer, body, request=request)
    except DomainError as refusal:
        values["error"] = request.translate(message_for(refusal))
        response = render_to_response(RECEIPT_PAGE, values, request=request)
        response.status_int = 400
        return response
    return _back_with(request, log, _("ex_receipt_recorded", default="The receipt is recorded."))


@view_config(context=AppRoot, name=wx.CALLBACK_NAME, request_method="POST", renderer="json",
             require_csrf=False, permission=NO_PERMISSION_REQUIRED)
def receipt_callback(request):
    """The receiving server's receipt: its signature and token are the authority."""
    if request.content_length is not None and request.content_length > ip.MAX_RECEIPT_BYTES:
        raise HTTPBadRequest()
    try:
        body = ip.read_receipt(request.body_file.read(ip.MAX_RECEIPT_BYTES + 1))
    except DomainError:
        raise HTTPBadRequest() from None
    transfer = wx.transfer_of_receipt(request.root, body)
    if transfer is None:
        raise HTTPNotFound()
    wx.apply_receipt(transfer, body, request=request)
    return {"ok": True, "state": transfer.state}


# -- the receiver --------------------------------------------------------------------------
def _read_upload(upload, limit: int) -> bytes:
    if upload is None or not hasattr(upload, "file"):
        raise ip.PackageRefused("export_file_missing")
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise ip.PackageRefused("export_file_too_large", limit=limit // ip.MB)
    return data


def _waiting(request, kind: str, uid: str) -> bytes | None:
    """A file waiting in the session's upload folder (never in the database)."""
    if not uid.startswith(kind):
        return None
    return SessionUploads.for_request(request).read_bytes(uid)


def _leads(request) -> bool:
    return bool(request.has_permission(P.ADMIN_UNIT, request.context))


def _holders(request) -> list:
    """Whom the log may go to: the leader names any of the unit's staff who may hold; one
    of them takes it on as its holder."""
    unit = request.context
    if not _leads(request):
        return [acting_employee(request)]
    return [e for e in unit.employees.values() if e.active and e.may_hold]


def _page(request, status: int = 200, **values):
    values = {"unit": request.context, "package": None, "uid": "", "error": None,
              "own_fingerprint": _own_fingerprint(request.root),
              "receipt_uid": request.GET.get("receipt", ""), "holders": [],
              "leads": _leads(request),
              "forms": [(v, t) for v, t in FORM_CHOICES if v != ConsentForm.SCANNED],
              **values}
    response = render_to_response(IMPORT_PAGE, values, request=request)
    response.status_int = status
    return response


def _own_fingerprint(root) -> str | None:
    """This installation's fingerprint, once it has a key (a page never makes one)."""
    from ..services import export_package as ep

    if getattr(root, ep.IDENTITY_ATTR, None) is None:
        return None
    return ep.installation_fingerprint(root)


def _refused(request, refusal: DomainError):
    return _page(request, 400, error=request.translate(message_for(refusal)))


@view_config(context=Unit, name="import-log", permission=P.IMPORT_LOG)
def import_log_page(request):
    """GET: the upload form. POST: the file checked, and shown for a decision."""
    if request.method != "POST":
        return _page(request)
    try:
        data = _read_upload(request.POST.get("file"), ip.MAX_FILE_BYTES)
        package = ip.read_package(data, ip.trusted_fingerprints(request.registry.settings))
    except DomainError as refusal:
        return _refused(request, refusal)
    uid = SessionUploads.for_request(request).put_bytes("import", data)
    audit.record_import_read(request, request.context, package.manifest, _leads(request))
    return _page(request, package=package, uid=uid, holders=_holders(request))


def _waiting_package(request) -> tuple[str, ip.Package]:
    uid = request.POST.get("uid", "")
    data = _waiting(request, "import", uid)
    if data is None:
        raise ip.PackageRefused("export_file_missing")
    return uid, ip.read_package(data, ip.trusted_fingerprints(request.registry.settings))


@view_config(context=Unit, name="import-log-decide", request_method="POST",
             permission=P.IMPORT_LOG)
def import_log_decide(request):
    """R10, R20, R23: accept (a holder named, the consent recorded) or decline (a reason)."""
    unit, settings = request.context, request.registry.settings
    try:
        uid, package = _waiting_package(request)
        if request.POST.get("decision") == "accept":
            holder = unit.municipality.employee(request.POST.get("holder_id", ""))
            if holder is None or holder not in _holders(request):
                raise ip.PackageRefused("export_choose_holder")
            form = request.POST.get("form", ConsentForm.DIGITAL)
            if form not in (ConsentForm.DIGITAL, ConsentForm.ORAL):
                raise ip.PackageRefused("export_choose_holder")
            with one_change(request.tm):  # a refused activation stores no draft
                log = wx.import_log(unit.municipality, package, holder, request.identity,
                                    form=form, request=request)
            receipt = ip.build_receipt(request.root, package.manifest, "accepted")
            message = _("ex_imported", default="The log is imported and active.")
        else:
            reason = posted_text(request.POST, "reason")
            if len(reason) < 3:
                raise ip.PackageRefused("export_decline_needs_reason")
            log = None
            receipt = ip.build_receipt(request.root, package.manifest, "declined", reason)
            message = _("ex_declined", default="You declined the log. Send the receipt back.")
    except DomainError as refusal:
        return _refused(request, refusal)
    uploads = SessionUploads.for_request(request)
    # Gone once the decision is stored: a retried request still finds the file.
    request.tm.get().addAfterCommitHook(lambda committed: committed and uploads.discard(uid))
    receipt_uid = uploads.put_bytes("receipt", receipt)
    callback = package.manifest.get("callback")
    if callback and _may_call_back(settings, package):
        request.tm.get().addAfterCommitHook(
            lambda committed: committed and send_receipt(callback, receipt))
    request.notice(request.translate(message))
    query = {"receipt": receipt_uid}
    if log is not None:
        query["log"] = log.id
    return HTTPSeeOther(location=request.resource_url(unit, "import-log", query=query))


def _may_call_back(settings, package) -> bool:
    """``stafett.export_callbacks``: ``trusted`` (default: only senders whose fingerprint
    is in ``stafett.trusted_exporters``), ``any`` or ``off``. A callback to a server named
    by an unknown file would let anyone make this server post where they like."""
    mode = settings.get("stafett.export_callbacks", "trusted")
    return mode == "any" or (mode == "trusted" and package.trusted)


def send_receipt(url: str, receipt: bytes) -> bool:
    """After the commit, once, with a short timeout; a failure is not fatal: the leader
    downloads the receipt and the holder there uploads it."""
    import requests

    if not url.startswith(("https://", "http://")):
        return False
    try:
        answer = requests.post(url, data=receipt, timeout=CALLBACK_TIMEOUT,
                               headers={"Content-Type": "application/json"},
                               allow_redirects=False)
        return answer.status_code == 200
    except requests.RequestException as exc:
        _log.warning("receipt callback failed (%s)", type(exc).__name__)
        return False


@view_config(context=Unit, name="import-receipt", request_method="POST",
             permission=P.IMPORT_LOG)
def download_receipt(request):
    receipt = _waiting(request, "receipt", request.POST.get("receipt", ""))
    if receipt is None:
        raise HTTPNotFound()
    return file_response(receipt, "stafett-kvittering.json", "application/json")
