"""R32: plain-language help with real Norwegian sentences from stafettlogg practice."""

from __future__ import annotations

from stafett.i18n import translate
from stafett.services.writing_help import check


def _codes(text, kind="text", locale="nb"):
    return [(h.code, h.found, h.suggestion) for h in check(text, kind, locale)]


def test_r32_abbreviations_are_written_out():
    hints = _codes("Emma trenger bl.a. hjelp med lekser, f.eks. matte, ca. 20 min. evt. mer.")
    assert ("abbreviation", "bl.a.", "blant annet") in hints
    assert ("abbreviation", "f.eks.", "for eksempel") in hints
    assert ("abbreviation", "ca.", "cirka") in hints
    assert ("abbreviation", "evt.", "eventuelt") in hints


def test_r32_abbreviations_mht_iht_and_nynorsk_suggestion():
    assert [h[2] for h in _codes("Vi snakker mht. leksene iht. planen.")] == [
        "med hensyn til", "i henhold til"]
    assert _codes("Emma les t.d. ei side.", locale="nb")[0][2] == "til dømes"
    assert _codes("Emma les f.eks. ei side.", locale="nn")[0][2] == "til dømes"


def test_r32_vague_time_words_get_a_precise_suggestion():
    hints = _codes("Skolen tar kontakt med PPT snarest og gir leksehjelp i rimelig omfang.")
    assert ("vague", "snarest", "innen fredag i uke 12") in hints
    assert ("vague", "i rimelig omfang", "to ganger i uken") in hints
    found = [h[1] for h in _codes("Foreldrene hjelper etter behov, og ved behov innen "
                                  "rimelig tid, og etter hvert mer.")]
    assert found == ["etter behov", "ved behov", "innen rimelig tid",
                     "etter hvert"]


def test_r32_man_is_pointed_out_but_not_the_weekday_abbreviation():
    assert ("man", "Man", "kontaktlæreren") in _codes("Man sørger for at Emma har matpakke.")
    assert _codes("Ella arbeider med lekser man-tor, fra kl. 17-18.") == []


def test_r32_passive_es_verbs_get_the_active_form():
    hints = _codes("Tiltaket gjennomføres hver dag og følges opp av skolen. Det vurderes i "
                   "møtet.")
    assert [(h[1], h[2]) for h in hints] == [("gjennomføres", "gjennomfører"),
                                             ("følges", "følger"), ("vurderes", "vurderer")]
    assert _codes("Hennes mor og deres far leser med Emma.") == []


def test_r32_nynorsk_passive_ast():
    assert ("passive", "vurderast", "vurderer") in _codes("Tiltaket skal vurderast i møtet.")


def test_r32_goal_without_time_or_place_gets_the_abc_hint():
    codes = [h[0] for h in _codes("Ella har gode læringsstrategier.", kind="goal")]
    assert codes == ["goal_condition"]
    for goal in ("I matematikktimene rekker Emma opp hånda minst én gang per time.",
                 "Ella arbeider med lekser man-tor, fra kl. 17-18.",
                 "Emma leker med minst én venn i storefri.",
                 "Jonas møter på skolen hver mandag."):
        assert _codes(goal, kind="goal") == [], goal


def test_r32_goal_in_future_tense_gets_the_present_tense():
    hints = _codes("Emma skal lese 20 minutter hver dag.", kind="goal")
    assert hints == [("goal_present", "skal lese", "leser")]


def test_r32_the_abc_hint_is_only_for_goals():
    assert _codes("Ella har gode læringsstrategier.", kind="text") == []


def test_r32_plain_sentences_get_no_hints():
    assert _codes("Ali leser sammen med Emma 15 minutter hver skoledag.") == []
    assert _codes("Foreldrene leser med Emma hver kveld før leggetid.") == []


def test_r32_hint_messages_in_three_languages():
    hint = check("Vi ringer snarest.")[0]
    assert translate(hint.message, "nb") == ("«snarest» sier ikke når. Skriv en dato, en dag "
                                             "eller en uke, for eksempel «innen fredag i uke "
                                             "12».")
    assert translate(hint.message, "nn").startswith("«snarest» seier ikkje når.")
    assert translate(hint.message, "en").startswith("«snarest» does not say when.")
