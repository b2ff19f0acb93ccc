"""The printable consent form's rules (R9, R11, R42): who signs, which services it names,
and that its languages stay the form's own, never the app's."""

from __future__ import annotations

import os

import pytest

from stafett.i18n import LOCALES
from stafett.models import ConsentScope
from stafett.models.log import SubjectKind
from stafett.scripts.catalogs import LOCALE_DIR
from stafett.services.consent_form import (
    FORM_LANGUAGES,
    UnknownChoice,
    form_language,
    form_scope,
    form_values,
)


def _signers(world, **kw):
    log = world.draft(**kw)
    values = form_values(log, ConsentScope.CREATE, FORM_LANGUAGES["en"])
    return [(s.name, values["t"](s.role)) for s in values["signers"]]


def test_r9_each_guardian_signs_and_the_youth_from_15(world):
    assert sorted(_signers(world, age=9, guardians=("guardian", "guardian2"))) == [
        ("Guardian", "Guardian"), ("Guardian2", "Guardian")]
    assert _signers(world, age=15) == [("Guardian", "Guardian"),
                                       ("Test Barn", "The young person")]


def test_r9_without_guardians_two_lines_are_left_blank_and_the_pregnant_woman_signs_alone(
        world):
    assert _signers(world, guardians=()) == [("", "Guardian"), ("", "Guardian")]
    assert _signers(world, age=20, guardians=(), kind=SubjectKind.PREGNANT) == [
        ("Test Barn", "The person the log is about")]


def test_r11_the_form_names_the_units_taking_part(world):
    log = world.active()
    world.consent(log, scope=ConsentScope.INVOLVE_UNIT, unit_id=world.ppt.id)
    world.measure(world.concern(log), world.actor)  # the actor works in the log's own unit
    services = form_values(log, ConsentScope.CREATE, FORM_LANGUAGES["nb"])["services"]
    assert (services["own"].name, services["own"].service) == ("Skolen", "Skole")
    assert [(p.name, p.service) for p in services["others"]] == [
        ("PPT", "Pedagogisk-psykologisk tjeneste (PPT)")]


def test_the_birth_date_is_in_the_forms_language_and_the_fnr_nowhere(world):
    log = world.draft(age=9)
    for code in FORM_LANGUAGES:
        values = form_values(log, ConsentScope.CREATE, FORM_LANGUAGES[code])
        assert str(log.subject.birth_date.year) in values["birth_date"]
        assert log.subject.fnr not in repr(values)
    polish = form_values(log, ConsentScope.CREATE, FORM_LANGUAGES["pl"])
    assert polish["title"] == "Zgoda na założenie dziennika stafettlogg"


@pytest.mark.parametrize("lang", ["de", None, "", "NB", "nb_NO"])
def test_an_unknown_language_is_refused(lang):
    with pytest.raises(UnknownChoice) as refused:
        form_language(lang)
    assert refused.value.what == "language"


@pytest.mark.parametrize("scope", ["read_access", "involve_unit", "", None, "CREATE"])
def test_a_consent_the_form_is_not_for_is_refused(scope):
    with pytest.raises(UnknownChoice) as refused:
        form_scope(scope)
    assert refused.value.what == "scope"


def test_polish_and_arabic_hold_the_consent_form_only_and_are_no_app_language():
    for code in ("pl", "ar"):
        assert code not in LOCALES
        parts = sorted(f for f in os.listdir(os.path.join(LOCALE_DIR, code, "LC_MESSAGES"))
                       if f.endswith(".po"))
        assert parts == ["consent_form.po"]
        with open(os.path.join(LOCALE_DIR, code, "LC_MESSAGES", "consent_form.po"),
                  encoding="utf-8") as handle:
            assert "native speaker" in handle.read(400)  # the translator's note on top
    assert not os.path.exists(os.path.join(LOCALE_DIR, "pl", "LC_MESSAGES", "stafett.mo"))


def test_r20_the_transfer_form_names_the_chosen_concerns_to_whoever_may_read_them(world):
    from stafett.models.transfer import Transfer, TransferKind
    from stafett.workflows import propose_transfer

    log = world.active()
    chosen = world.concern(log, "Lesing går sakte.")
    world.concern(log, "Ikke valgt av familien.")
    receiver = world.emp(world.ppt_leader)
    propose_transfer(log, Transfer(TransferKind.UNIT, "Flytter.", world.holder.uid,
                                   world.holder.employee_id, to_employee_id=receiver.id,
                                   concern_ids=[chosen.id]), world.holder)
    english = FORM_LANGUAGES["en"]
    transfer = form_values(log, ConsentScope.TRANSFER, english)["transfer"]
    assert transfer["concerns"] == ["Lesing går sakte."]
    assert [(p.name, p.service) for p in transfer["receiver"]] == [
        ("Pptleader, PPT", "Educational and psychological counselling service (PPT)")]
    header_only = form_values(log, ConsentScope.TRANSFER, english, with_concerns=False)
    assert header_only["transfer"]["concerns"] == []
    assert form_values(log, ConsentScope.CREATE, english)["transfer"] is None
