"""Folding text and normalising domains: case, accents and look-alike characters change nothing."""

from __future__ import annotations

import unicodedata

import pytest
from botkit_plugin_moderation.text import ascii_domain, fold
from hypothesis import given
from hypothesis import strategies as st

ACCENTS = ["\u0301", "\u0300", "\u0308", "\u0302", "\u030a", "\u0327"]  # ´ ` ¨ ^ ˚ ¸


@st.composite
def disguised(draw: st.DrawFn) -> tuple[str, str]:
    """Return (a lower-case ASCII word, the same word in mixed case, accents, full width)."""
    word = draw(st.text(st.characters(min_codepoint=97, max_codepoint=122), min_size=1))
    out = []
    for ch in word:
        if draw(st.booleans()):
            ch = ch.upper()
        if draw(st.booleans()):
            ch = chr(ord(ch) + 0xFEE0)  # full-width form
        out.append(ch + "".join(draw(st.lists(st.sampled_from(ACCENTS), max_size=2))))
        if draw(st.integers(0, 9)) == 0:
            out.append("\u200b")  # a zero-width space inside the word
    return word, unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), "".join(out))


@given(disguised())
def test_fold_sees_through_case_accents_width_and_invisible_characters(
    pair: tuple[str, str],
) -> None:
    word, variant = pair
    assert fold(variant) == word


def test_fold_keeps_other_scripts_and_spaces() -> None:
    assert fold("Привет ВСЕМ") == "привет всем"
    assert fold("Straße") == "strasse"


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("Example.COM", "example.com"),
        ("example.com.", "example.com"),
        ("ｅｘａｍｐｌｅ．ｃｏｍ", "example.com"),  # full-width letters and dot
        ("example。com", "example.com"),  # ideographic full stop
        ("exämple.com", "xn--exmple-cua.com"),  # a look-alike stays another domain
        ("XN--EXMPLE-CUA.COM", "xn--exmple-cua.com"),
        ("bad..dots", None),
        ("", None),
        ("a" * 64 + ".com", None),
    ],
)
def test_ascii_domain(host: str, expected: str | None) -> None:
    assert ascii_domain(host) == expected
