"""The shared input validators (issue 8): what each refuses, and that the message names it."""

from __future__ import annotations

import colander
import pytest

from stafett.forms.validators import (
    Date,
    WholeNumber,
    line,
    number_range,
    one_of,
    only,
    posted_text,
    text,
    text_problem,
)
from stafett.models.base import DomainError

NODE = colander.SchemaNode(colander.String(), name="field")


def _refusal(validator, value) -> str:
    with pytest.raises(colander.Invalid) as caught:
        validator(NODE, value)
    return caught.value.msg


@pytest.mark.parametrize("value, code", [("a\x00b", "U+0000"), ("\x1b[31m", "U+001B"),
                                         ("del\x7f", "U+007F"), ("c1\x85", "U+0085")])
def test_control_characters_are_named_by_their_code(value, code):
    message = _refusal(text(), value)
    assert message == "input_control_character" and message.mapping == {"code": code}


def test_multi_line_text_keeps_tab_and_line_ends_a_line_does_not():
    text()(NODE, "én\ttab\r\nto linjer")
    assert _refusal(line(), "to\nlinjer") == "input_line_break"
    assert _refusal(line(), "tab\there") == "input_line_break"


def test_lengths_are_named_with_the_limit_and_what_was_written():
    message = _refusal(text(5), "sekstegn")
    assert message == "input_too_long" and message.mapping == {"max": 5, "length": 8}
    assert _refusal(line(min_length=3, min_err="give_reason"), "ab") == "give_reason"
    assert text_problem("ok", 10) is None


def test_choices_never_echo_what_was_sent():
    assert _refusal(one_of(["a", "b"]), "<script>") == "input_not_a_choice"
    assert _refusal(only(["a", "b"]), {"a", "zzz"}) == "input_not_choices"
    only(["a", "b"])(NODE, {"a"})


@pytest.mark.parametrize("value", ["2024-02-30", "31.12.2024", "1899-12-31", "2200-01-01",
                                   "2024-01-01\x00", "x" * 500])
def test_a_date_outside_the_calendar_or_its_range_is_refused(value):
    node = colander.SchemaNode(Date(), name="date")
    with pytest.raises(colander.Invalid) as caught:
        node.deserialize(value)
    assert caught.value.msg in ("input_bad_date", "input_date_range")


@pytest.mark.parametrize("value, msgid", [("tre", "input_not_a_number"),
                                           ("1e309", "input_not_a_number"),
                                           ("1.5", "input_not_a_number"),
                                           ("9" * 5000, "input_not_a_number"),
                                           ("9" * 40, "input_number_range"),
                                           ("-1", "input_number_range")])
def test_a_whole_number_refuses_what_is_not_one_or_out_of_range(value, msgid):
    node = colander.SchemaNode(WholeNumber(), name="children", validator=number_range(0, 99))
    with pytest.raises(colander.Invalid) as caught:
        node.deserialize(value)
    assert caught.value.msg == msgid


def test_a_hand_read_field_is_stripped_or_refused_as_a_domain_error():
    assert posted_text({"reason": "  Flytter.  "}, "reason") == "Flytter."
    assert posted_text({}, "reason") == ""
    with pytest.raises(DomainError) as caught:
        posted_text({"reason": "a\x00"}, "reason")
    assert caught.value.msg == "input_control_character"
    assert caught.value.mapping == {"code": "U+0000"}
