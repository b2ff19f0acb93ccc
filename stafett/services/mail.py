"""Mail delivery: SMTP, or files in a folder (development). Both send after the transaction
commits, so a refused or retried request sends nothing twice; a message that cannot be
handed over is reported to the sender's ``on_failure`` (R37: the holder sees it).

``stafett.mail_delivery = smtp`` uses the ``mail.*`` settings of pyramid_mailer;
``files`` writes each message under ``mail.top_level_directory``, in one folder per log,
so that deleting a log (R17) removes the messages about it too.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import smtplib

import transaction
from pyramid.events import subscriber
from pyramid_mailer import _set_mailer
from pyramid_mailer.mailer import Mailer

from ..events import AfterTransition
from ..models.base import utcnow

log = logging.getLogger(__name__)
DEFAULT_SENDER = "stafett@localhost"
GENERAL = "general"  # messages that concern no log


class SmtpDelivery:
    """pyramid_mailer's SMTP mailer behind the ``send(message, about)`` interface. Each
    message is handed to the SMTP server after the commit, on its own, so that a refusal
    is known and reported; a message handed over is out of Stafett's hands."""

    def __init__(self, mailer: Mailer, transaction_manager=None):
        self.mailer = mailer
        self.transaction_manager = transaction_manager

    def bind(self, transaction_manager=None, **kw) -> SmtpDelivery:
        return SmtpDelivery(self.mailer.bind(**kw), transaction_manager)

    def send(self, message, about: str = GENERAL, on_failure=None) -> None:
        after_commit(self.transaction_manager, self._send_if_committed, message, on_failure)

    def erase(self, about: str) -> None:
        """Nothing is kept here once sent."""

    def _send_if_committed(self, committed: bool, message, on_failure) -> None:
        if not committed:
            return
        try:
            self.mailer.send_immediately(message)
        except (smtplib.SMTPException, OSError) as exc:
            log.warning("SMTP did not take a message: %s", type(exc).__name__)
            if on_failure is not None:
                on_failure("smtp_refused")


class _CrlfSmtp(smtplib.SMTP):
    """repoze.sendmail hands the message over with bare line feeds; SMTP lines end in CRLF
    (RFC 5321 2.3.8), and a server reads a longer message (an attachment) as one line far
    past the limit and refuses it."""

    def sendmail(self, from_addr, to_addrs, msg, *args, **kw):
        if isinstance(msg, bytes):
            msg = re.sub(rb"(?<!\r)\n", b"\r\n", msg)
        return super().sendmail(from_addr, to_addrs, msg, *args, **kw)


class _CrlfSmtpSsl(_CrlfSmtp, smtplib.SMTP_SSL):
    pass


def after_commit(manager, hook, *args) -> None:
    """``hook(committed, *args)`` once the current transaction has ended."""
    (manager or transaction.manager).get().addAfterCommitHook(hook, args=args)


class FolderDelivery:
    """Development: each message a file ``<directory>/<log id>/<time>-<token>.eml``,
    written when the transaction commits."""

    def __init__(self, directory: str, default_sender: str = DEFAULT_SENDER,
                 transaction_manager=None):
        self.directory = directory
        self.default_sender = default_sender
        self.transaction_manager = transaction_manager

    def bind(self, transaction_manager=None, **kw) -> FolderDelivery:
        return FolderDelivery(self.directory, self.default_sender, transaction_manager)

    def send(self, message, about: str = GENERAL, on_failure=None) -> None:
        after_commit(self.transaction_manager, self._write_if_committed, message, about,
                     on_failure)

    def erase(self, about: str) -> None:
        shutil.rmtree(self._folder(about), ignore_errors=True)

    def _write_if_committed(self, committed: bool, message, about: str, on_failure) -> None:
        if not committed:
            return
        try:
            self.write(message, about)
        except OSError:
            log.warning("A message could not be written to the mail folder")
            if on_failure is not None:
                on_failure("smtp_refused")

    def write(self, message, about: str = GENERAL) -> str:
        folder = self._folder(about)
        os.makedirs(folder, exist_ok=True)  # several processes may start on a fresh var/
        message.sender = message.sender or self.default_sender
        path = os.path.join(folder, f"{utcnow():%Y%m%dT%H%M%S%f}-{secrets.token_hex(3)}.eml")
        with open(path, "w", encoding="utf-8") as out:
            out.write(str(message.to_message()))
        return path

    def _folder(self, about: str) -> str:
        return os.path.join(self.directory, os.path.basename(about) or GENERAL)


def mailer_from_settings(settings) -> SmtpDelivery | FolderDelivery:
    settings = {"mail.default_sender": DEFAULT_SENDER, **settings}
    if settings.get("stafett.mail_delivery", "smtp") == "files":
        return FolderDelivery(settings["mail.top_level_directory"],
                              settings["mail.default_sender"])
    mailer = Mailer.from_settings(settings, "mail.")
    mailer.smtp_mailer.smtp, mailer.smtp_mailer.smtp_ssl = _CrlfSmtp, _CrlfSmtpSsl
    return SmtpDelivery(mailer)


@subscriber(AfterTransition)
def erase_mail_of_deleted_log(event) -> None:
    """R17: once the deletion commits, the messages kept about the log go too."""
    if event.workflow != "log" or event.dest != "deleted" or event.request is None:
        return
    mailer, log_id = event.request.mailer, event.obj.id
    event.request.tm.get().addAfterCommitHook(
        lambda committed: committed and mailer.erase(log_id))


def includeme(config) -> None:
    _set_mailer(config, mailer_from_settings(config.get_settings()))
    config.scan(__name__)
