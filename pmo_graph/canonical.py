"""The one form in which text that must be unique is stored and compared.

A code typed ``PRJ-1`` and one pasted with a Unicode hyphen (U+2010), a fullwidth letter
(U+FF30 for P), a zero-width space (U+200B) or a byte-order mark (U+FEFF) look the same on a
screen and in a report; stored as typed they are different values, and uniqueness
holds only in name. So before text that identifies something (a project code, an email, an
organisation's slug, a skill, a balance category) is checked or stored it is brought to one
form: Unicode compatibility composition (NFKC: fullwidth and other compatibility forms become
their plain letters), invisible format characters removed (zero-width spaces and joiners, byte
order marks, soft hyphens: Unicode category Cf), every dash and the minus sign made ``-``, and
the ends trimmed. Case is kept; callers that compare without case lower the result.
"""

from __future__ import annotations

import unicodedata

#: The minus sign is a mathematical symbol (Sm), not a dash, but looks like one.
_MINUS = "\u2212"


def canonical_text(text: str) -> str:
    """``text`` in its canonical form (NFKC, no format characters, ASCII dashes, trimmed)."""
    composed = unicodedata.normalize("NFKC", text)
    if composed.isascii():
        return composed.strip()
    kept = []
    for character in composed:
        category = unicodedata.category(character)
        if category == "Cf":
            continue
        kept.append("-" if category == "Pd" or character == _MINUS else character)
    return "".join(kept).strip()
