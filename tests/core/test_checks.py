"""check --deploy refuses a weak BSN_HASH_KEY (issue 15): with the development key a child's 10-character reference
was turned back into its BSN by brute force in 10 seconds."""
from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from core.checks import bsn_hash_key_problem, check_bsn_hash_key


@pytest.mark.parametrize("key, ok", [
    ("dev-only-bsn-hash-key", False), ("ci-bsn-key", False), ("change-me-to-32-or-more-random-characters-and-never-change-it", False), ("a" * 40, False), ("", False),
    ("Zq8v3LrT0p2mWx9bK4sYd7nHc1fGj6uE5aQ", True),
])
def test_it_judges_the_key(key, ok):
    assert (bsn_hash_key_problem(key) == "") is ok


def test_check_deploy_fails_on_the_development_key(settings):
    settings.BSN_HASH_KEY = "dev-only-bsn-hash-key"
    assert [e.id for e in check_bsn_hash_key(None)] == ["foodvalley.E001"]
    with pytest.raises(SystemCheckError, match="foodvalley.E001"):
        call_command("check", "--deploy", "--fail-level", "ERROR")
    settings.BSN_HASH_KEY = "Zq8v3LrT0p2mWx9bK4sYd7nHc1fGj6uE5aQ"
    assert check_bsn_hash_key(None) == []
