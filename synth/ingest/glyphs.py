"""Glyph repair for text read from a PDF's text layer: accents set as separate glyphs, ligatures, Unicode form.

LaTeX typesets an accented letter it has no precomposed glyph for (``\\'c``, ``\\v{S}``, ``\\"a``) as the letter
plus a *spacing* accent glyph drawn over it; PyMuPDF reports the two as separate characters, the accent first:
``Vuli´c``, ``ˇSuster``, ``Rockt¨aschel``. The accent is turned into its combining mark after the letter and the
pair composed (NFC), so the text reads ``Vulić``, ``Šuster``, ``Rocktäschel`` and matches the same name typed
elsewhere. A pair is only composed when Unicode has a precomposed character for it, so an acute used as an
apostrophe (``don´t``) or a maths hat before a space (``ˆ M``) is left alone.

Other fonts (Elsevier's, APA's) draw the accent *after* its letter: ``Gonza´lez``, ``To¨rnqvist``, ``Gec¸ici``. Read
as text alone, "a´l" is "ál" or "aĺ" alike, so :func:`page_dict` decides from where the glyphs stand: an accent drawn
over the letter before it is put in front of that letter, and the text reads ``González``, ``Törnqvist``, ``Geçici``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# spacing accent (as fonts draw it) → the combining mark it stands for
SPACING_TO_COMBINING = {
    "\u00b4": "\u0301",  # ´ acute
    "\u02ca": "\u0301",  # ˊ modifier acute
    "`": "\u0300",  # ` grave (only mid-word, see _ACCENT)
    "\u02cb": "\u0300",  # ˋ modifier grave
    "\u00a8": "\u0308",  # ¨ diaeresis
    "\u02c7": "\u030c",  # ˇ caron
    "\u02dc": "\u0303",  # ˜ tilde
    "\u02c6": "\u0302",  # ˆ circumflex
    "\u02d8": "\u0306",  # ˘ breve
    "\u02d9": "\u0307",  # ˙ dot above
    "\u02da": "\u030a",  # ˚ ring above
    "\u02dd": "\u030b",  # ˝ double acute
    "\u00af": "\u0304",  # ¯ macron
    "\u00b8": "\u0327",  # ¸ cedilla
    "\u02db": "\u0328",  # ˛ ogonek
}
_SPACING = "".join(k for k in SPACING_TO_COMBINING if k != "`")
# an accent glyph directly before a letter; a grave only inside a word (a lone ` is an opening quote)
_ACCENT = re.compile(rf"(?:(?<=[^\W\d_])`|[{_SPACING}])(?=[^\W\d_])")
# a cedilla or ogonek drawn after its letter ("c¸")
_ACCENT_AFTER = re.compile("(?<=[cCsStTeEaA])[\u00b8\u02db](?![^\\W\\d_])")
LIGATURES = str.maketrans({"ﬁ": "fi", "ﬂ": "fl", "ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})


def _over_previous(chars: list[dict[str, Any]], k: int) -> bool:
    """Whether the accent glyph ``chars[k]`` stands over the letter before it rather than the one after it."""
    x0, _, x1, _ = chars[k]["bbox"]
    centre = (x0 + x1) / 2

    def under(j: int) -> bool:
        return 0 <= j < len(chars) and chars[j]["c"].isalpha() and chars[j]["bbox"][0] <= centre <= chars[j]["bbox"][2]

    return under(k - 1) and not under(k + 1)


def _accents_first(chars: list[dict[str, Any]]) -> str:
    """The text of a span's glyphs, each accent drawn over the letter before it put in front of that letter."""
    out: list[str] = []
    for k, ch in enumerate(chars):
        if ch["c"] in SPACING_TO_COMBINING and out and _over_previous(chars, k):
            out.insert(len(out) - 1, ch["c"])
        else:
            out.append(ch["c"])
    return "".join(out)


# Symbol fonts of Advent 3B2 (Elsevier's typesetting in the 2000s) carry their own encoding and no usable Unicode map:
# their glyphs arrive as the Latin characters at the same codes. Only what every use in the benchmark PDFs confirms:
# "m tð Þ ¼ m0 þ" is "m(t) = m0 +", a page range "272e278" is "272–278" and "stresse strain" is "stress–strain", "w1000
# AD" is "∼1000 AD". The same letters in any other font are left alone.
_ADVENT_SYMBOLS = {
    "AdvP4C4E74": str.maketrans({"¼": "=", "ð": "(", "Þ": ")", "þ": "+", "½": "["}),
    "AdvPS44A44B": str.maketrans({"e": "–"}),
    "AdvPS3FDD77": str.maketrans({"w": "∼"}),
}


def page_dict(page: Any, flags: int | None = None) -> dict[str, Any]:
    """``page.get_text("dict")`` with its glyphs read as drawn: the symbols of Advent's fonts as what they show
    (``_ADVENT_SYMBOLS``), and every span that holds a spacing accent re-read from its glyphs' positions so that the
    accent comes before the letter it sits on, whichever order the font drew them in (see the module docstring).
    Pages with no spacing accent, nearly all, are read once."""
    text = page.get_text("dict", flags=flags)
    spans = [sp for b in text["blocks"] for ln in b.get("lines", ()) for sp in ln["spans"]]
    for sp in spans:
        table = _ADVENT_SYMBOLS.get(sp.get("font", "").split("+", 1)[-1])
        if table is not None:
            sp["text"] = sp["text"].translate(table)
    if not any(ch in sp["text"] for sp in spans for ch in _SPACING):  # a grave alone is as often a quote
        return text
    raw = page.get_text("rawdict", flags=flags)
    raw_spans = [sp for b in raw["blocks"] for ln in b.get("lines", ()) for sp in ln["spans"]]
    if len(raw_spans) != len(spans):
        return text  # not the same layout read twice: leave the text as drawn
    for sp, rs in zip(spans, raw_spans, strict=True):
        if any(ch in sp["text"] for ch in SPACING_TO_COMBINING) and "".join(c["c"] for c in rs["chars"]) == sp["text"]:
            sp["text"] = _accents_first(rs["chars"])
    return text


def _compose(letter: str, accent: str) -> str | None:
    """The precomposed letter + accent, or None when Unicode has none (then the pair is not an accented letter)."""
    base = "i" if letter == "\u0131" else "j" if letter == "\u0237" else letter  # dotless ı under an accent: í
    composed = unicodedata.normalize("NFC", base + SPACING_TO_COMBINING[accent])
    return composed if len(composed) == 1 else None


def fix_accents(text: str) -> str:
    """Spacing accents joined to the letter they sit on, then NFC (``Vuli´c`` → ``Vulić``, ``ˇSuster`` → ``Šuster``)."""
    if not any(ch in text for ch in SPACING_TO_COMBINING) and unicodedata.is_normalized("NFC", text):
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in SPACING_TO_COMBINING and _ACCENT.match(text, i) and i + 1 < len(text):
            if ch == "\u02dc" and text[i - 1 : i] == "/":
                out.append("~")  # "http://…/˜name": a tilde in a URL, not an accent
                i += 1
                continue
            composed = _compose(text[i + 1], ch)
            if composed is not None:
                out.append(composed)
                i += 2
                continue
        if ch in "\u00b8\u02db" and out and _ACCENT_AFTER.match(text, i):
            composed = _compose(out[-1], ch)
            if composed is not None:
                out[-1] = composed
                i += 1
                continue
        out.append(ch)
        i += 1
    return unicodedata.normalize("NFC", "".join(out))


# "=" drawn from a maths font whose code for it PyMuPDF reads as "¼" (Elsevier, BMJ): "p¼0.586", "n ¼ 20"
_EQUALS_AS_QUARTER = re.compile(r"(?<=[A-Za-z)\]])(\s?)¼(\s?)(?=[−\-]?\.?\d)")


def clean_glyphs(text: str) -> str:
    """Accents composed, ligatures spelled out (``ﬁ`` → ``fi``), a maths font's "=" read as "¼" restored, NFC: what
    every parsed text goes through."""
    return fix_accents(_EQUALS_AS_QUARTER.sub(r"\1=\2", text.translate(LIGATURES)))
