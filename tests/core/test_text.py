"""Text made safe to show: no control character or terminal escape sequence survives, offsets can be kept."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from synth.core.text import sanitize, sanitize_in_place

UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred\x1b[0m title", "red title"),  # colours
        ("A\x1b]0;pwned\x07 paper", "A paper"),  # the terminal's window title
        ("a \x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\ b", "a link b"),  # a hyperlink
        ("clear\x1b[2J\x1b[H screen", "clear screen"),
        ("8-bit \x9b2J csi", "8-bit csi"),
        ("nul\x00 bell\x07 back\x08space", "nul bell back space"),
        ("right-to-left \u202eevil", "right-to-left evil"),  # "Trojan source" overrides
        ("cr\r\nlf", "cr lf"),
        ("plain — ünïcode ∑ text", "plain — ünïcode ∑ text"),
    ],
)
def test_sanitize(raw: str, shown: str) -> None:
    assert sanitize(raw, keep_newlines=False) == shown
    assert "\x1b" not in sanitize(raw) and not UNSAFE.search(sanitize(raw))


def test_newlines_and_tabs_are_kept_unless_asked() -> None:
    assert sanitize("a\n\tb") == "a\n\tb"
    assert sanitize("a\n\tb", keep_newlines=False) == "a b"


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_nothing_unsafe_survives(text: str) -> None:
    out = sanitize(text)
    assert "\x1b" not in out and not UNSAFE.search(out)
    assert sanitize(out) == out  # idempotent
    same = sanitize_in_place(text)
    assert len(same) == len(text) and not UNSAFE.search(same) and "\x1b" not in same


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs")), max_size=200))
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert sanitize(text) == text and sanitize_in_place(text) == text
