"""Normalising the circumstance phrases a court portal publishes, so variants compare equal.

The portal has published the same circumstance in several spellings over the years: with and
without a trailing 的, with a 其他/其它 prefix (the 2013 catch-all wording), in full-width or
half-width punctuation, and several phrases joined by commas in one field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# 、 is not a separator: it sits inside the phrase of circumstance (2) itself.
_SEPARATORS = re.compile(r"[,，;；\n]")
_PREFIXES = ("其他", "其它")


def normalise_phrase(text: str) -> str:
    """Reduce a published phrase to the key it is matched on."""
    folded = unicodedata.normalize("NFKC", text)
    kept = "".join(
        ch for ch in folded
        if not ch.isspace() and not unicodedata.category(ch).startswith("P")
    )
    kept = kept.removesuffix("的")
    for prefix in _PREFIXES:
        if kept.startswith(prefix):
            kept = kept[len(prefix):]
            break
    return kept


def split_phrases(values: Iterable[str]) -> list[str]:
    """Split published values on commas and semicolons (either width); drop empty parts."""
    parts: list[str] = []
    for value in values:
        parts.extend(p.strip() for p in _SEPARATORS.split(value) if p.strip())
    return parts
