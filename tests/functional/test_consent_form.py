"""The printable consent form (issue 11, point 5; R9-R12, R42): a PDF/A prefilled from the
log in bokmål, nynorsk, English, Polish and Arabic (right to left), printed by whoever
gathers the consent, and a read like any other: journaled, writing nothing."""

from __future__ import annotations

import io
import os

import pytest
from pypdf import PdfReader

from stafett.models.consent import ConsentScope
from stafett.services.consent_form import FORM_LANGUAGES, consent_form_html

from ..conftest import login
from ..pdfa import assert_pdfa

# A phrase of each language's own text, and the child's name as printed.
PHRASES = {"nb": "Hva er en stafettlogg?", "nn": "Kva er ein stafettlogg?",
           "en": "What is a stafettlogg?", "pl": "Czym jest stafettlogg?",
           "ar": "stafettlogg"}
ARABIC_WORD = "السجل"  # "the log"


def _log(root, name):
    return next(log for log in root["demo"].logs.values() if log.subject.name == name)


@pytest.fixture
def logs(read_root) -> dict:
    with read_root() as root:
        return {name: (f"/demo/logs/{_log(root, name).id}/", _log(root, name).subject.fnr)
                for name in ("Noah Hansen", "Emma Nordmann", "Jonas Berg", "Lea Olsen")}


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("lang", sorted(FORM_LANGUAGES))
def test_the_form_in_each_language_is_pdfa_with_the_child_and_no_fnr(testapp, logs, lang):
    url, fnr = logs["Noah Hansen"]  # a draft: the consent to create it is gathered now
    login(testapp, "larer")
    response = testapp.get(url + "consent-form", {"lang": lang, "scope": "create"})
    assert response.content_type == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "Noah" not in disposition
    assert f"-{lang}.pdf" in disposition
    assert_pdfa(response.body)
    text = _text(response.body)
    assert "Noah Hansen" in text
    assert PHRASES[lang] in text
    assert "Nina Hansen" in text  # the guardian, with a line to sign on
    assert fnr not in text and fnr.encode() not in response.body
    assert fnr[:6] not in text  # nor the birth date in the fødselsnummer's own digits


def test_the_arabic_form_is_written_right_to_left(read_root):
    with read_root() as root:
        log = _log(root, "Noah Hansen")
        html = consent_form_html(log, ConsentScope.CREATE, FORM_LANGUAGES["ar"])
        fnr = log.subject.fnr
    assert '<html lang="ar" dir="rtl">' in html.replace("\n      ", " ").split("<head>")[0] \
        or ('lang="ar"' in html and 'dir="rtl"' in html)
    assert ARABIC_WORD in html and "Noah Hansen" in html and fnr not in html
