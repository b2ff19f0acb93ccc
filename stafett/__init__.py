"""Stafett: the consent-based BTI collaboration log (stafettlogg)."""

from pyramid.config import Configurator
from pyramid.session import SignedCookieSessionFactory


def main(global_config, **settings):
    """The WSGI application; each include is one area of the app."""
    with Configurator(settings=settings) as config:
        config.include(".storage")
        config.include(".services.archive_transport")
        config.include(".security")
        config.include(".i18n")
        config.include(_sessions)
        config.include("pyramid_chameleon")
        config.include(".services.mail")
        config.include(".services.notify")
        config.include(".forms")
        config.include(".views")
        config.scan(".views")
        config.include(".workflows.nightly_scheduler")
    return config.make_wsgi_app()


def _sessions(config) -> None:
    """Sessions end after inactivity (R39): ``stafett.session_idle_seconds``, 20 min default."""
    settings = config.get_settings()
    config.set_session_factory(SignedCookieSessionFactory(
        settings["stafett.session_secret"],
        timeout=int(settings.get("stafett.session_idle_seconds", 1200)),
        reissue_time=int(settings.get("stafett.session_reissue_seconds", 60)),
        secure=settings.get("stafett.secure_cookies", "false") == "true",
        httponly=True,
        samesite="Lax",
    ))
