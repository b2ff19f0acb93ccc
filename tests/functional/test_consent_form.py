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
           "ar": "كيف تسحبون موافقتكم"}  # "how to withdraw your consent"
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
        bokmal = consent_form_html(log, ConsentScope.CREATE, FORM_LANGUAGES["nb"])
        fnr = log.subject.fnr
    opening = html.split("<head>")[0]
    assert 'lang="ar"' in opening and 'dir="rtl"' in opening
    assert 'lang="nb"' in bokmal.split("<head>")[0] and 'dir="ltr"' in bokmal.split("<head>")[0]
    assert ARABIC_WORD in html and "<bdi>Noah Hansen</bdi>" in html and fnr not in html
    assert "أكتوبر" in html or "ديسمبر" in html or any(
        month in html for month in ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
                                    "يوليو", "أغسطس", "سبتمبر", "نوفمبر"))  # Babel's months


def test_a_language_or_scope_the_form_does_not_have_is_refused_clearly(testapp, logs):
    url, _fnr = logs["Noah Hansen"]
    login(testapp, "larer")
    bad_lang = testapp.get(url + "consent-form", {"lang": "de"}, status=400)
    assert bad_lang.content_type == "text/html"
    assert "Samtykkeskjemaet finnes ikke på det språket" in bad_lang.text
    bad_scope = testapp.get(url + "consent-form", {"lang": "pl", "scope": "read_access"},
                            status=400)
    assert "opprette, overføre eller gjenåpne" in bad_scope.text
    assert "%PDF" not in bad_scope.text


@pytest.mark.parametrize(("user", "name"), [
    ("forelder", "Emma Nordmann"),  # the family signs the form; it does not print it
    ("helsesykepleier", "Noah Hansen"),  # another unit's draft (R13)
    ("larer", "Lea Olsen"),  # a passive log of another unit
    ("assistent", "Emma Nordmann"),  # an actor in the log
])
def test_only_whoever_gathers_the_consent_prints_the_form(testapp, logs, user, name):
    login(testapp, user)
    response = testapp.get(logs[name][0] + "consent-form", {"lang": "nb"}, expect_errors=True)
    assert response.status_int in (403, 404)
    assert name not in response.text


def test_without_choices_the_form_is_in_the_users_language_for_the_next_consent(testapp, logs):
    """A leader reopens a passive log (R16): by default the reopening consent, in bokmål."""
    url, _fnr = logs["Lea Olsen"]
    login(testapp, "styrer")
    response = testapp.get(url + "consent-form")
    assert 'filename="samtykkeskjema-reopen-nb.pdf"' in response.headers["Content-Disposition"]
    text = _text(response.body)
    assert "Samtykke til å gjenåpne stafettloggen" in text and "Lea Olsen" in text


def test_the_transfer_form_names_the_receiver(testapp, logs):
    """R20: the family consents to a transfer to a named receiver."""
    login(testapp, "larer")
    response = testapp.get(logs["Jonas Berg"][0] + "consent-form",
                           {"lang": "en", "scope": "transfer"})
    text = " ".join(_text(response.body).split())
    assert "Consent to transfer the stafettlogg" in text
    assert "The log is to be transferred to" in text and "Helsestasjonen" in text


def test_reading_the_form_writes_nothing_and_is_journaled(testapp, app_db, datafs, logs,
                                                          access):
    url, _fnr = logs["Emma Nordmann"]
    login(testapp, "larer")
    before = (app_db.storage.lastTransaction(), os.path.getsize(datafs))
    reads = len(access.of_kind("read"))
    testapp.get(url + "consent-form", {"lang": "ar", "scope": "create"})
    testapp.get(url + "consent-form", {"lang": "xx"}, status=400)
    assert (app_db.storage.lastTransaction(), os.path.getsize(datafs)) == before
    assert len(access.of_kind("read")) >= reads + 2


def test_the_log_page_offers_the_form_to_whoever_gathers_the_consent(testapp, logs):
    url, _fnr = logs["Noah Hansen"]
    login(testapp, "larer")
    page = testapp.get(url)
    form = page.forms[next(k for k, f in page.forms.items()
                           if f.action.endswith("/consent-form"))]
    assert form.method.lower() == "get"
    assert [value for value, _sel, _text in form["lang"].options] == ["nb", "nn", "en", "pl",
                                                                      "ar"]
    assert form["lang"].value == "nb" and form["scope"].value == "create"
    assert 'lang="ar" dir="rtl"' in page.text
    response = form.submit()
    assert response.content_type == "application/pdf"
    testapp.reset()
    login(testapp, "forelder")
    assert "consent-form" not in testapp.get(logs["Emma Nordmann"][0]).text
