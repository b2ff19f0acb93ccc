"""Mail delivery: SMTP (sent when the transaction commits) or files in a folder (development).

``stafett.mail_delivery = smtp`` uses the ``mail.*`` settings of pyramid_mailer;
``files`` writes each message to ``mail.top_level_directory``.
"""

from __future__ import annotations

from pyramid_mailer import _set_mailer
from pyramid_mailer.mailer import DebugMailer, Mailer

DEFAULT_SENDER = "stafett@localhost"


def mailer_from_settings(settings) -> Mailer | DebugMailer:
    settings = {"mail.default_sender": DEFAULT_SENDER, **settings}
    delivery = settings.get("stafett.mail_delivery", "smtp")
    factory = DebugMailer if delivery == "files" else Mailer
    return factory.from_settings(settings, "mail.")


def includeme(config) -> None:
    _set_mailer(config, mailer_from_settings(config.get_settings()))
