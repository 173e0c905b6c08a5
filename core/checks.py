"""System checks of the project's own settings (run by `manage.py check --deploy`)."""
from __future__ import annotations

from django.conf import settings
from django.core import checks

#: the development default of BSN_HASH_KEY (foodvalley.settings) and the shortest key production accepts: a child's
#: pseudonym is an HMAC of a 9-digit number, so a guessable or short key lets anyone recompute every pseudonym
DEV_BSN_HASH_KEY = "dev-only-bsn-hash-key"
MIN_BSN_HASH_KEY = 32


def bsn_hash_key_problem(key: str) -> str:
    """Why a BSN_HASH_KEY is not fit for production ("" when it is)."""
    if not key or key == DEV_BSN_HASH_KEY or key.lower().startswith(("dev-only", "change-me")):
        return "BSN_HASH_KEY is the development default or the example's placeholder"
    if len(key) < MIN_BSN_HASH_KEY:
        return f"BSN_HASH_KEY is shorter than {MIN_BSN_HASH_KEY} characters"
    if len(set(key)) < 10:
        return "BSN_HASH_KEY has fewer than 10 different characters"
    return ""


@checks.register(checks.Tags.security, deploy=True)
def check_bsn_hash_key(app_configs, **kwargs):
    problem = bsn_hash_key_problem(getattr(settings, "BSN_HASH_KEY", ""))
    if problem:
        return [checks.Error(problem, hint="Set a random BSN_HASH_KEY of at least 32 characters (e.g. `openssl rand -base64 48`).",
                             id="foodvalley.E001")]
    return []
