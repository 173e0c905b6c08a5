"""BSN validation (11-check) and pseudonymisation (HMAC-SHA256 with BSN_HASH_KEY).

A BSN never leaves the function that received it: callers validate, hash and drop it.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings

WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def normalise_bsn(raw: str) -> str:
    """Strip spaces, dots and dashes; pad 8-digit numbers with a leading zero (as BRP does)."""
    digits = "".join(ch for ch in str(raw) if ch not in " .-\t")
    if len(digits) == 8 and digits.isdigit():
        digits = "0" + digits
    return digits


def is_valid_bsn(raw: str) -> bool:
    bsn = normalise_bsn(raw)
    if len(bsn) != 9 or not bsn.isascii() or not bsn.isdigit():
        return False
    if bsn == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(bsn, WEIGHTS, strict=True))
    return total % 11 == 0


def pseudonymise(raw: str, *, key: str | None = None) -> str:
    """HMAC-SHA256 hex digest of the normalised BSN. Raises ValueError for an invalid BSN."""
    bsn = normalise_bsn(raw)
    if not is_valid_bsn(bsn):
        raise ValueError("invalid BSN")
    secret = (key if key is not None else settings.BSN_HASH_KEY).encode()
    return hmac.new(secret, bsn.encode("ascii"), hashlib.sha256).hexdigest()


def synthetic_bsn(n: int) -> str:
    """The n-th synthetic valid BSN, deterministic and distinct for 0 <= n < 10,000,000.

    The first eight digits are `L` followed by n (7 digits) for the first leading digit L, from 9
    down, whose check digit exists; synthetic numbers thus start with 9 almost always.
    """
    if not 0 <= n < 10**7:
        raise ValueError("n out of range")
    for lead in range(9, 0, -1):
        first8 = f"{lead}{n:07d}"
        residue = sum(int(d) * w for d, w in zip(first8, WEIGHTS[:8], strict=True)) % 11
        if residue <= 9:
            return first8 + str(residue)
    raise ValueError("no synthetic BSN for this n")  # pragma: no cover - never for n < 10**7


# ------------------------------------------------------------------------------------------------ BSNs in free text
#: what may stand between the digits of one written number: spaces (also no-break and thin), dots, commas, slashes,
#: underscores and dashes (also en and em dashes), at most two in a row
_SEPARATOR = "[ .,/_\\-\t\u00a0\u2009\u202f\u2010\u2011\u2012\u2013\u2014]"
_RUN = re.compile(rf"\d(?:{_SEPARATOR}{{0,2}}\d)*")
BSN_MASK = "•••••••••"


def bsn_spans(text: str) -> list[tuple[int, int]]:
    """Where a free text holds a number that passes the BSN 11-check, however its digits are written: full-width
    digits, any of the separators above between them, or more digits after it ("999900055 12 jaar"). Within every
    run of digits, each nine consecutive digits that start or end at the edge of a group of digits are checked, so
    a BSN followed or preceded by another number is found. The one detector for every form's free text and the
    import's text columns. Returns (start, end) spans in the NFKC-normalised text."""
    text = unicodedata.normalize("NFKC", text or "")
    spans = []
    for run in _RUN.finditer(text):
        digits = [(m.start(), m.group()) for m in re.finditer(r"\d", run.group())]
        if len(digits) < 9:
            continue
        chars = "".join(d for _i, d in digits)
        edges = {0, len(chars)}
        count = 0
        for group in re.finditer(r"\d+", run.group()):
            edges |= {count, count + len(group.group())}
            count += len(group.group())
        for edge in sorted(edges):
            for first in (edge, edge - 9):
                if 0 <= first and first + 9 <= len(chars) and is_valid_bsn(chars[first:first + 9]) and chars[first:first + 9] != "000000000":
                    spans.append((run.start() + digits[first][0], run.start() + digits[first + 8][0] + 1))
    return sorted(set(spans))


def contains_bsn(text: str) -> bool:
    return bool(bsn_spans(text))


def mask_bsns(text: str) -> str:
    """The text with every BSN found by bsn_spans replaced by a mask (NFKC-normalised)."""
    text = unicodedata.normalize("NFKC", text or "")
    for start, end in reversed(bsn_spans(text)):
        text = text[:start] + BSN_MASK + text[end:]
    return text
