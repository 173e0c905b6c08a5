"""The log-privacy guard of the suite (tests/conftest.py: LogPrivacyHandler on the root logger): it recognises a
BSN (11-check), a child's label and an e-mail address in any log line, and leaves ordinary lines alone. The
whole suite fails at its end when any record of any test contained one (see pytest_sessionfinish)."""
from __future__ import annotations

import logging

import pytest

from placements.bsn import synthetic_bsn
from tests.conftest import LOG_PRIVACY, LogPrivacyHandler


@pytest.fixture
def probe():
    """A private handler on a private logger, so these deliberate leaks do not fail the session."""
    handler = LogPrivacyHandler()
    logger = logging.getLogger("fv.log-privacy-probe")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield logger, handler
    logger.removeHandler(handler)


@pytest.mark.parametrize("bsn", [synthetic_bsn(1), synthetic_bsn(31337)])
@pytest.mark.parametrize("template", ["child %s registered", "bsn=%s;", "(%s)", "import failed on %s"])
def test_a_bsn_in_a_log_line_is_caught_with_the_logger_name(probe, bsn, template):
    logger, handler = probe
    logger.info(template, bsn)
    assert [(name, what) for name, what, _ in handler.violations] == [("fv.log-privacy-probe", "BSN")]
    assert bsn not in handler.violations[0][2]  # the report masks it


def test_a_spaced_bsn_and_an_exception_text_are_caught(probe):
    logger, handler = probe
    bsn = synthetic_bsn(5)
    logger.warning("lookup of %s failed", f"{bsn[:3]} {bsn[3:6]} {bsn[6:]}")
    try:
        raise ValueError(f"bad value {bsn}")
    except ValueError:
        logger.exception("import failed")
    assert [what for _, what, _ in handler.violations] == ["BSN", "BSN"]


def test_labels_and_email_addresses_are_caught(probe, child):
    logger, handler = probe
    handler.labels = set(LOG_PRIVACY.labels)
    assert "AB-1001" in handler.labels  # remembered when the child fixture saved the child
    logger.info("opened %s", child.label)
    logger.info("mail sent to %s", "ouder@example.nl")
    assert [what for _, what, _ in handler.violations] == ["kenmerk van een kind", "e-mailadres"]


@pytest.mark.parametrize("line", [
    "import 12 failed: ValueError", "123456789 rows", "task 3f2a9c1e-1b2c-4d3e-8f90-123456789012 succeeded in 0.015804016s",
    "GM0228 2024-02-01 19:31:03,197", "000000000", "run 900000015x", "amount 1234567.89",
])
def test_ordinary_lines_pass(probe, line):
    logger, handler = probe
    logger.info(line)
    assert handler.violations == [], line


def test_the_guard_sits_on_the_root_logger():
    assert LOG_PRIVACY in logging.getLogger().handlers
