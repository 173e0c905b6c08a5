"""`manage.py import_episodes` / `import_declarations`: in-process import, progress, summary, errors, exit code."""
from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import AccessLogEntry
from placements.management.commands.import_declarations import Command as DeclarationsCommand
from placements.models import Declaration, Episode, ImportJob, ImportStatus

DATA = Path(__file__).parent.parent / "data" / "imports"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"  # import uploads are private files


def call(name: str, path: Path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(name, str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_episodes_imports_and_prints_a_summary(provider):
    out, err = call("import_episodes", DATA / "episodes_clean.csv")
    job = ImportJob.objects.get()
    assert (job.status, job.created_by, job.kind, job.original_name) == (ImportStatus.DONE, None, "episodes", "episodes_clean.csv")
    assert Episode.objects.count() == 5
    assert f"Import {job.pk} klaar" in out and "5 regels, 5 nieuw, 0 bijgewerkt, 0 ongewijzigd" in out
    assert "Nieuwe aanbieders: Nieuwe Aanbieder BV" in out
    assert f"[import {job.pk}] controleren: 5 / 5" in err and f"[import {job.pk}] schrijven" in err
    entry = AccessLogEntry.objects.get(object_ref=f"import {job.pk}")
    assert (entry.action, entry.origin, entry.result) == ("import", "cli", "ok")


def test_import_declarations_imports_and_is_idempotent(provider):
    call("import_declarations", DATA / "declarations_clean.csv")
    assert sum(Declaration.objects.values_list("amount", flat=True)) == Decimal("7219.62")
    out, _err = call("import_declarations", DATA / "declarations_clean.csv")
    assert "5 regels, 0 nieuw, 0 bijgewerkt, 5 ongewijzigd" in out
    assert Declaration.objects.count() == 5


def test_a_refused_file_prints_every_error_and_fails(provider):
    err = io.StringIO()
    with pytest.raises(CommandError, match="geweigerd: 15 fout"):
        call_command("import_episodes", str(DATA / "episodes_errors.csv"), stdout=io.StringIO(), stderr=err)
    lines = [line for line in err.getvalue().splitlines() if not line.startswith("[import")]
    assert len(lines) == 15
    assert lines[0] == "E102\tregel 3\tbsn\tOngeldig BSN: het nummer voldoet niet aan de elfproef."
    assert "F006\tregel 8\tepisode_id\tHet regel-id 'E-1' komt ook voor op regel 2." in lines
    assert "123456789" not in err.getvalue()
    assert Episode.objects.count() == 0


def test_the_process_exits_non_zero_on_refusal(provider, capsys):
    with pytest.raises(SystemExit) as exc:
        DeclarationsCommand().run_from_argv(["manage.py", "import_declarations", str(DATA / "episodes_clean.csv")])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "F002\tregel -\tdeclaration_id" in err and "geweigerd" in err


def test_a_missing_file_is_an_error():
    with pytest.raises(CommandError, match="niet gevonden"):
        call("import_episodes", DATA / "does-not-exist.csv")
    assert ImportJob.objects.count() == 0
