"""Pyramid i18n: bokmål by default, nynorsk and English selectable per user (R33)."""

from __future__ import annotations

import functools
import os

from pyramid.i18n import TranslationString, TranslationStringFactory, make_localizer

from .formatting import formatter

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
    return translated(localizer(locale_name), message, mapping)


def translated(local, message, mapping: dict | None = None) -> str:
    """``local.translate`` for messages that carry words and figures: translation strings in
    the mapping (a state's name in a refusal) are translated first and dates and numbers are
    formatted for the language, as translationstring interpolates them as they are."""
    merged = {**(getattr(message, "mapping", None) or {}), **(mapping or {})}
    if not merged:
        return local.translate(message)
    fmt = formatter(local.locale_name)
    return local.translate(message, mapping={
        key: local.translate(value) if isinstance(value, TranslationString) else fmt.value(value)
        for key, value in merged.items()})


def negotiate_locale(request) -> str:
    """The user's own choice, then the session's, then bokmål."""
    account = getattr(request, "identity", None)
    chosen = getattr(account, "locale", None) or request.session.get("locale")
    return chosen if chosen in LOCALES else DEFAULT_LOCALE


def includeme(config) -> None:
    config.add_translation_dirs("stafett:locale")
    config.set_locale_negotiator(negotiate_locale)
