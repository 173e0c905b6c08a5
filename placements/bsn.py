"""BSN validation (11-check) and pseudonymisation (HMAC-SHA256 with BSN_HASH_KEY).

A BSN never leaves the function that received it: callers validate, hash and drop it.
"""
from __future__ import annotations

import hashlib
import hmac

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
