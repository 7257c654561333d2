"""The free-text rule itself (``domain.text.clean_text``); tests/faults/test_free_text.py
checks that every service applies it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from domain.text import clean_text


def _code(value: object, **options: object) -> str:
    with pytest.raises(ValidationError) as refused:
        clean_text(value, field="f", max_length=options.pop("max_length", 50), **options)  # type: ignore[arg-type]
    [error] = refused.value.error_dict["f"]
    return str(error.code)


@pytest.mark.parametrize(
    ("value", "multiline", "stored"),
    [
        ("  a   title  ", False, "a title"),
        ("line one\r\nline\ttwo\rthree", False, "line one line two three"),
        ("line one\r\n\tline two\r", True, "line one\n\tline two"),
        ("cafe\u0301", False, "caf\u00e9"),  # NFC
        ("ﬁne", False, "ﬁne"),  # NFC keeps ligatures; prompts ask for NFKC
        ("a 👩🏽‍🎨 and a 🏳️‍🌈", False, "a 👩🏽‍🎨 and a 🏳️‍🌈"),  # joiners stay
        ("مدينة at dusk", False, "مدينة at dusk"),
        (None, False, ""),
    ],
)
def test_what_is_stored(value, multiline, stored):
    assert clean_text(value, field="f", max_length=50, multiline=multiline) == stored


def test_prompts_fold_look_alikes():
    assert clean_text("ﬁne\u3000art", field="f", max_length=50, normal_form="NFKC") == "fine art"


@pytest.mark.parametrize(
    ("value", "options", "code"),
    [
        ("a\x00b", {}, "control_characters"),
        ("a\x00b", {"multiline": True}, "control_characters"),
        ("a\x1bb", {"multiline": True}, "control_characters"),
        ("a\u202eb", {}, "control_characters"),
        ("a\u2066b\u2069", {}, "control_characters"),
        ("a\U000e0041", {}, "control_characters"),
        ("a\ufeffb", {}, "control_characters"),
        ("a\ud800b", {}, "invalid_characters"),
        (b"bytes", {}, "invalid"),
        (["a", "list"], {}, "invalid"),
        ("x" * 51, {}, "max_length"),
        ("   ", {"required": True}, "required"),
    ],
)
def test_what_is_refused(value, options, code):
    assert _code(value, **options) == code


def test_the_error_names_the_field_and_the_characters():
    with pytest.raises(ValidationError) as refused:
        clean_text("a\x00\u202eb", field="title", max_length=50)
    assert refused.value.message_dict == {
        "title": ["Remove the control characters (U+0000, U+202E)."]
    }
