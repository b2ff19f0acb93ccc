"""Mail delivery: SMTP (sent when the transaction commits) or files in a folder (development).

``stafett.mail_delivery = smtp`` uses the ``mail.*`` settings of pyramid_mailer;
``files`` writes each message to ``mail.top_level_directory``.
"""

from __future__ import annotations

from pyramid_mailer import _set_mailer
from pyramid_mailer.mailer import DebugMailer, Mailer


def includeme(config) -> None:
    settings = config.get_settings()
    delivery = settings.get("stafett.mail_delivery", "smtp")
    factory = DebugMailer if delivery == "files" else Mailer
    _set_mailer(config, factory.from_settings(settings, "mail."))
