"""Pyramid i18n: bokmål by default, nynorsk and English selectable per user (R33)."""

from __future__ import annotations

import functools
import os

from pyramid.i18n import TranslationStringFactory, make_localizer

_ = TranslationStringFactory("stafett")

LOCALES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}
DEFAULT_LOCALE = "nb"
LOCALE_DIR = os.path.join(os.path.dirname(__file__), "locale")


@functools.cache
def localizer(locale_name: str = DEFAULT_LOCALE):
    """A localizer that works without a request (mail, PDF, console scripts)."""
    return make_localizer(locale_name if locale_name in LOCALES else DEFAULT_LOCALE,
                          [LOCALE_DIR])


def translate(message, locale_name: str = DEFAULT_LOCALE, mapping: dict | None = None) -> str:
    return localizer(locale_name).translate(message, mapping=mapping)


def negotiate_locale(request) -> str:
    """The user's own choice, then the session's, then bokmål."""
    account = getattr(request, "identity", None)
    chosen = getattr(account, "locale", None) or request.session.get("locale")
    return chosen if chosen in LOCALES else DEFAULT_LOCALE


def includeme(config) -> None:
    config.add_translation_dirs("stafett:locale")
    config.set_locale_negotiator(negotiate_locale)
