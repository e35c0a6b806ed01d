"""Turning an appeal's title and text into the string the model reads.

The normalisation removes what would tie the model to the training data rather than to the problem
described: the anonymised place names of the shared data ("A市", "A3区"), web addresses, and the exact
digits of phone numbers, dates and amounts. It also bounds the length, so that a pasted 1 MB text costs
no more than a long appeal, and drops control characters left by binary input.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# An appeal's subject is stated in its first lines; the tail of a very long text adds little but time.
MAX_CHARS = 3000
# Fewer Chinese characters than this and there is nothing for a Chinese-text model to read.
MIN_CJK_CHARS = 2

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# The source data anonymises places as a capital letter, optional digits and an administrative suffix.
_ANON_PLACE = re.compile(r"(?<![A-Za-z])[A-Z]\d{0,2}(?:市|区|县|镇|乡|街道)")
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Control and format characters, surrogates, private use, and U+FFFD left by a bad decode: what binary
# input turns into. One regex rather than a per-character check, which would cost more than the model.
_NOISE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\ud800-\udfff\ue000-\uf8ff\ufeff\ufff0-\uffff]"
)


def clean(raw: object) -> str:
    """A plain string of at most MAX_CHARS printable characters, whatever was passed in."""
    if raw is None:
        return ""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    text = str(raw)[: MAX_CHARS * 2]
    return _NOISE.sub(" ", unicodedata.normalize("NFKC", text))


def prepare(title: object = "", text: object = "") -> str:
    """The model's input for one appeal: title and text joined, normalised and bounded."""
    title_s, text_s = clean(title).strip(), clean(text).strip()
    joined = f"{title_s}。{text_s}" if title_s and text_s else title_s or text_s
    joined = _URL.sub(" ", joined)
    joined = _ANON_PLACE.sub("", joined)
    joined = _DIGITS.sub("0", joined)
    joined = _SPACE.sub(" ", joined).strip().lower()
    return joined[:MAX_CHARS]


def cjk_count(text: str) -> int:
    return len(_CJK.findall(text))


def is_readable(prepared: str) -> bool:
    """Whether there is enough Chinese text for a prediction worth acting on."""
    return cjk_count(prepared) >= MIN_CJK_CHARS


def text_hash(prepared_text: str) -> str:
    """What an audit finding (and a reviewer's correction) is keyed by: the text exactly as training reads it."""
    return hashlib.sha256(prepared_text.encode("utf-8")).hexdigest()
