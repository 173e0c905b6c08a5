"""Running an import: validate the whole file, then write it completely or not at all.

Pass 1 streams the file once and applies every field and row rule. Cross-row rules keep compact state
only: id hashes (12 bytes a line), the first birth date per child, and for episodes a few integer
columns for the overlap check. Issues are stored as they are found; the parsed values of each line go
to a temporary file (`_Spill`: pseudonyms, never BSNs). A file with any issue is refused and nothing
is written.

Pass 2 reads the spill and writes in chunks of WRITE_CHUNK lines with `bulk_create(update_conflicts=True,
unique_fields=["source_id"])`, all inside one transaction: new lines are created, changed lines replace
the stored version, identical lines are left alone (so a re-import changes nothing). After the last
chunk the municipality of every affected child is set, set-wise, to that of its latest episode, and one
self-join query checks the written episodes against everything stored; any overlap rolls the whole
transaction back and the file is refused with those issues.

Progress: `job.rows_done` follows pass 1 (committed every `progress_every` lines, visible to the
polling page). Pass 2 runs inside one transaction, so its progress cannot be committed on every
database (SQLite holds the write lock); the job shows phase "schrijven" meanwhile and the optional
`progress` callback (used by the management commands) receives both passes.

The stored upload contains BSNs: it is deleted from storage as soon as the job has finished.
"""
from __future__ import annotations

import datetime as dt
import logging
import marshal
import tempfile
import traceback
import uuid
from array import array
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import IO, Any

import numpy as np
from django.core.files import File
from django.db import reset_queries, transaction
from django.db.models import BigIntegerField, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.audit import log_access
from accounts.models import AccessAction, AccessResult
from core.db import padded_ids, padded_pseudonyms
from placements.bsn import mask_bsns
from placements.models import (
    Child,
    Declaration,
    Episode,
    ImportIssue,
    ImportJob,
    ImportKind,
    ImportStatus,
    Provider,
    Sex,
)

from . import rules
from .parsing import (
    ALIASES,
    COLUMNS,
    EPISODES,
    ID_FIELD,
    CsvFile,
    CsvStructureError,
    EncodingError,
    Header,
    prescan,
)

logger = logging.getLogger(__name__)

WRITE_CHUNK = 5000
ISSUE_BATCH = 2000
#: Issues stored per job; beyond this only the count grows (the report says so).
MAX_STORED_ISSUES = 200_000

# Phases are stored untranslated (Dutch msgids) and translated when shown.
PHASE_READING = gettext_noop("lezen")
PHASE_CHECKING = gettext_noop("controleren")
PHASE_CROSS = gettext_noop("controleren samenhang")
PHASE_WRITING = gettext_noop("schrijven")
PHASE_OVERLAP = gettext_noop("controleren overlap")
PHASE_DONE = gettext_noop("klaar")

Progress = Callable[[str, int, int], None]

EPISODE_FIELDS = ("child_id", "care_form_id", "provider_id", "municipality_id", "start_date", "end_date", "end_reason", "referrer")
DECLARATION_FIELDS = ("child_id", "care_form_id", "provider_id", "municipality_id", "period_start", "period_end", "amount")


class _Refused(Exception):
    """Raised inside the write transaction to roll it back."""


def create_job(*, kind: str, fileobj: IO[bytes], original_name: str, user=None) -> ImportJob:
    """Store an uploaded (or command-line) file under a random name and create its pending job."""
    if kind not in ImportKind.values:
        raise ValueError(f"unknown import kind {kind!r}")
    # a file name may hold a BSN ("trajecten_999900017.csv"): it is stored and shown masked
    job = ImportJob(kind=kind, original_name=mask_bsns(original_name or "import.csv")[:255], created_by=user)
    job.file.save(f"{uuid.uuid4().hex}.csv", fileobj if isinstance(fileobj, File) else File(fileobj), save=True)
    return job


def job_discard_file(job: ImportJob) -> None:
    """Remove a job's upload from storage (it holds BSNs): when the job has ended, or could not be started."""
    try:
        if job.file:
            job.file.delete(save=False)
    except OSError:  # pragma: no cover - storage trouble must not mask the job's outcome
        logger.warning("import %s: could not delete the uploaded file", job.pk)
    ImportJob.objects.filter(pk=job.pk).update(file="")


def import_file(job: ImportJob, *, progress_every: int = 5000, progress: Progress | None = None) -> ImportJob:
    """Run the whole import of `job` (any earlier partial run is discarded). Returns the finished job."""
    return _ImportRun(job, progress_every=progress_every, progress=progress).execute()


class _IssueSink:
    """Stores issues in batches; keeps the exact count beyond MAX_STORED_ISSUES."""

    def __init__(self, job: ImportJob, display: dict[str, str] | None = None):
        self.job = job
        self.display = display or {}
        self.buffer: list[ImportIssue] = []
        self.count = 0
        self.stored = 0

    def add(self, issue: rules.Issue) -> None:
        self.count += 1
        if self.stored + len(self.buffer) >= MAX_STORED_ISSUES:
            return
        self.buffer.append(ImportIssue(job=self.job, row=issue.row, code=issue.code,
                                       field=self.display.get(issue.field, issue.field)[:40], message=issue.message))
        if len(self.buffer) >= ISSUE_BATCH:
            self.flush()

    def extend(self, issues) -> None:
        for issue in issues:
            self.add(issue)

    def flush(self) -> None:
        if self.buffer:
            ImportIssue.objects.bulk_create(self.buffer)
            self.stored += len(self.buffer)
            self.buffer = []


class _ImportRun:
    def __init__(self, job: ImportJob, *, progress_every: int, progress: Progress | None):
        self.job = job
        self.kind = job.kind
        self.progress_every = max(1, progress_every)
        self.callback = progress
        self.notes: list[str] = []
        self.header: Header | None = None
        self.source: CsvFile | None = None
        self.sink = _IssueSink(job)
        self.counts = {"created": 0, "updated": 0, "unchanged": 0}
        self.rows = 0
        self.provider_ids: dict[str, int] = {}
        self.new_provider_names: list[str] = []
        self.pending_overlaps: tuple[list[tuple[str, str]], int] | None = None
        self.builders: dict[type, _Builder] = {}
        self.affected_children = array("q")  # child ids whose lines were written (with repeats; 8 bytes each)

    # -- orchestration -------------------------------------------------------------------------

    def execute(self) -> ImportJob:
        job = self.job
        self._start()
        try:
            with job.file.open("rb") as fh:
                self._run(fh)
        except Exception as exc:  # noqa: BLE001 - any failure ends the job as failed, never half-written
            # Only the exception class and the stack: an exception text could quote a cell value.
            logger.error("import %s failed: %s\n%s", job.pk, type(exc).__name__, "".join(traceback.format_tb(exc.__traceback__)))
            self.sink.buffer = []
            self._finish(ImportStatus.FAILED, _("De import is mislukt door een onverwachte fout (%(error)s). Er is niets geïmporteerd.")
                         % {"error": type(exc).__name__})
        finally:
            self._discard_file()
        return job

    def _start(self) -> None:
        job = self.job
        job.issues.all().delete()  # a run interrupted earlier (killed worker) starts from scratch
        job.status = ImportStatus.RUNNING
        job.phase = PHASE_READING
        job.rows_total = job.rows_done = job.error_count = 0
        job.created = job.updated = job.unchanged = 0
        job.new_providers = []
        job.message = ""
        job.started_at = timezone.now()
        job.finished_at = None
        job.save()

    def _run(self, fh) -> None:
        try:
            scan = prescan(fh)
        except EncodingError:
            return self._refuse_file(rules.UNREADABLE_ENCODING.issue())
        if scan.encoding == "cp1252":
            self.notes.append(_("Het bestand is geen UTF-8 en is gelezen als Windows-1252."))
        self._set_progress(PHASE_CHECKING, 0, total=max(scan.lines - 1, 0))
        source = CsvFile(fh, self.kind, scan.encoding)
        try:
            header = source.read_header()
        except UnicodeDecodeError:
            return self._refuse_file(rules.UNREADABLE_ENCODING.issue())
        except CsvStructureError as exc:
            return self._refuse_file(rules.UNREADABLE_CSV.issue(detail=str(exc)[:120]))
        if header is None:
            return self._refuse_file(rules.EMPTY_FILE.issue())
        self.header, self.source = header, source
        self.sink.display = {**header.display}
        file_issues = [rules.MISSING_COLUMN.issue(field=column, column=column, aliases=self._aliases(column))
                       for column in header.missing]
        file_issues += [rules.DUPLICATE_COLUMN.issue(field=column, column=column) for column in header.duplicates]
        if file_issues:
            return self._refuse_file(*file_issues)
        if header.unknown:
            self.notes.append(_("Genegeerde kolommen: %(columns)s.") % {"columns": mask_bsns(", ".join(header.unknown))[:200]})

        validator = rules.RowValidator(self.kind, rules.Lookups.load(), width=header.width)
        spill = _Spill(self.kind)
        try:
            self._validate_and_write(source, validator, spill)
        finally:
            spill.close()
        return None

    def _validate_and_write(self, source: CsvFile, validator: rules.RowValidator, spill: _Spill) -> None:
        try:
            collector = self._pass_one(source, validator, spill)
        except UnicodeDecodeError:
            return self._refuse_file(rules.UNREADABLE_ENCODING.issue())
        except CsvStructureError as exc:
            return self._refuse_file(rules.UNREADABLE_CSV.issue(detail=str(exc)[:120]))
        if collector is None:
            return None
        self._set_progress(PHASE_CROSS, self.rows, total=self.rows)
        self._cross_checks(source, collector)
        del collector
        self.sink.flush()
        if self.sink.count:
            return self._refuse()
        self._set_progress(PHASE_WRITING, self.rows)
        try:
            with transaction.atomic():
                self._pass_two(spill, validator)
        except _Refused:
            return self._refuse()
        self._done(validator)
        return None

    # -- pass 1 ---------------------------------------------------------------------------------

    def _pass_one(self, source: CsvFile, validator: rules.RowValidator, spill: _Spill) -> rules.CrossRowCollector | None:
        collector = rules.CrossRowCollector(self.kind)
        stored_birth = rules.StoredBirthDateCheck(batch_size=WRITE_CHUNK)
        sink = self.sink
        every = self.progress_every
        rows = 0
        for raw in source.rows():
            rows += 1
            values, issues = validator.validate(raw.line, raw.cells, raw.width)
            if issues:
                sink.extend(issues)
                spill.close()  # the file will be refused: pass 2 will not need the parsed values
            elif spill.open:
                spill.add(values)
            if conflicts := collector.add(raw.line, values, validator.failed):
                sink.extend(conflicts)
                spill.close()
            pseudonym, birth = values.get("bsn"), values.get("birth_date")
            if pseudonym is not None and birth is not None:
                sink.extend(stored_birth.add(pseudonym, birth, raw.line))
            if rows % every == 0:
                self._set_progress(PHASE_CHECKING, rows)
                reset_queries()
        sink.extend(stored_birth.flush())
        self.rows = rows
        if rows == 0:
            self._refuse_file(rules.EMPTY_FILE.issue())
            return None
        self._set_progress(PHASE_CHECKING, rows, total=rows)
        return collector

    def _cross_checks(self, source: CsvFile, collector: rules.CrossRowCollector) -> None:
        id_field = ID_FIELD[self.kind]
        duplicate_lines: set[int] = set()
        candidates = collector.duplicate_id_candidates()
        if candidates:
            line_ids = {raw.line: raw.cells.get(id_field, "") for raw in source.rows() if raw.line in candidates}
            for line, first, source_id in rules.duplicate_ids(line_ids):
                duplicate_lines.add(line)
                self.sink.add(rules.DUPLICATE_ID.issue(row=line, field=id_field, value=source_id, other=first))
        for line, other in collector.overlaps(exclude_lines=duplicate_lines):
            self.sink.add(rules.OVERLAP_FILE.issue(row=line, other=other))

    # -- pass 2 ---------------------------------------------------------------------------------

    def _pass_two(self, spill: _Spill, validator: rules.RowValidator) -> None:
        self._report(PHASE_WRITING, 0)
        self.provider_ids = {**self._create_providers(validator.new_providers, validator.new_provider_agb), **validator.agb_aliases}
        for provider_id, agb in validator.provider_agb_updates.items():  # known providers without a code get the file's
            Provider.objects.filter(pk=provider_id, agb_code="").update(agb_code=agb)
        since = timezone.now()
        chunk: list[dict[str, Any]] = []
        written = 0
        for values in spill:
            chunk.append(values)
            if len(chunk) >= WRITE_CHUNK:
                self._write_chunk(chunk)
                written += len(chunk)
                chunk = []
                reset_queries()  # with DEBUG on, Django would keep every (large) bulk statement
                self._report(PHASE_WRITING, written)
        if chunk:
            self._write_chunk(chunk)
            written += len(chunk)
        self._report(PHASE_WRITING, written)
        # Once, after every line is written: the children's municipalities follow their latest episode.
        children = np.unique(np.frombuffer(self.affected_children, dtype=np.int64)) if self.affected_children else []
        for start in range(0, len(children), WRITE_CHUNK):
            update_child_municipalities(children[start:start + WRITE_CHUNK].tolist())
        if self.kind == EPISODES:
            self._report(PHASE_OVERLAP, written)
            overlaps: list[tuple[str, str]] = []
            count = 0
            for written_id, other_id, _other_pk, other_start in rules.stored_overlaps(since):
                count += 1
                if len(overlaps) < MAX_STORED_ISSUES:
                    overlaps.append((written_id, rules.describe_stored_episode(other_id, other_start)))
            if count:
                self.pending_overlaps = (overlaps, count)
                raise _Refused

    def _create_providers(self, new_providers: dict[str, str], agb: dict[str, str]) -> dict[str, int]:
        if not new_providers:
            return {}
        Provider.objects.bulk_create([Provider(name=name[:200], agb_code=agb.get(key, ""), created_by_import=True)
                                      for key, name in new_providers.items()])
        names = list(new_providers.values())
        by_name = dict(Provider.objects.filter(name__in=names).values_list("name", "pk"))
        self.new_provider_names = sorted(names, key=str.casefold)
        return {key: by_name[name] for key, name in new_providers.items()}

    def _provider_id(self, value: int | str) -> int:
        return value if isinstance(value, int) else self.provider_ids[value]

    def _write_chunk(self, chunk: list[dict[str, Any]]) -> None:
        episodes = self.kind == EPISODES
        user = self.job.created_by
        firsts: dict[str, dict[str, Any]] = {}
        for values in chunk:
            firsts.setdefault(values["bsn"], values)
        children: dict[str, tuple[int, str]] = {
            pseudonym: (pk, sex)
            for pseudonym, pk, sex in Child.objects.filter(pseudonym__in=padded_pseudonyms(firsts))
            .values_list("pseudonym", "pk", "sex")
        }
        new_children = [
            Child(pseudonym=pseudonym, birth_date=values["birth_date"], municipality_id=values["municipality"],
                  sex=values.get("sex", Sex.OTHER) if episodes else Sex.OTHER, registered_by=user)
            for pseudonym, values in firsts.items() if pseudonym not in children
        ]
        if new_children:
            Child.objects.bulk_create(new_children)
            if new_children[0].pk is None:  # a backend that does not return keys from a bulk insert
                children.update({p: (pk, s) for p, pk, s in Child.objects.filter(
                    pseudonym__in=padded_pseudonyms(c.pseudonym for c in new_children)).values_list("pseudonym", "pk", "sex")})
            else:
                children.update({child.pseudonym: (child.pk, child.sex) for child in new_children})
        if episodes:
            self._complete_sex(chunk, children)
            self._set_target_groups(chunk, children)

        model, fields = (Episode, self._episode_fields()) if episodes else (Declaration, DECLARATION_FIELDS)
        build = self.builders.setdefault(model, _Builder(model, ("source_id", *fields)))
        id_field = ID_FIELD[self.kind]
        stored = {row[0]: row[1:] for row in model.objects.filter(source_id__in=[v[id_field] for v in chunk])
                  .values_list("source_id", *fields)}
        objects = []
        affected: set[int] = set()
        for values in chunk:
            row = self._model_values(values, children)
            before = stored.get(values[id_field])
            if before is None:
                self.counts["created"] += 1
            elif before == row:
                self.counts["unchanged"] += 1
                continue
            else:
                self.counts["updated"] += 1
                affected.add(before[0])
            affected.add(row[0])
            objects.append(build(values[id_field], *row))
        if objects:
            update_fields = [f.removesuffix("_id") for f in fields] + (["updated_at"] if episodes else [])
            model.objects.bulk_create(objects, update_conflicts=True, unique_fields=["source_id"], update_fields=update_fields)
            self.affected_children.extend(affected)

    def _episode_fields(self) -> tuple[str, ...]:
        """The episode fields a file sets: the legal framework only when the file has its column (a file without it
        leaves the framework recorded in the app as it is)."""
        with_legal = self.header is not None and "legal_framework" in self.header.positions
        return (*EPISODE_FIELDS, "legal_framework") if with_legal else EPISODE_FIELDS

    def _model_values(self, v: dict[str, Any], children: dict[str, tuple[int, str]]) -> tuple:
        child_id = children[v["bsn"]][0]
        provider_id = self._provider_id(v["provider"])
        if self.kind == EPISODES:
            row = (child_id, v["care_form"], provider_id, v["municipality"], v["start_date"], v.get("end_date"),
                   v.get("end_reason", ""), v.get("referrer", ""))
            return (*row, v.get("legal_framework") or "vrijwillig") if "legal_framework" in self.header.positions else row
        return (child_id, v["care_form"], provider_id, v["municipality"], v["period_start"], v["period_end"], v["amount"])

    def _complete_sex(self, chunk, children) -> None:
        """A child stored with sex unknown ("O", e.g. created by a declarations import) gets the sex of its episodes."""
        updates: dict[str, set[int]] = {}
        for values in chunk:
            sex = values.get("sex")
            pk, stored_sex = children[values["bsn"]]
            if sex in (Sex.MALE, Sex.FEMALE) and stored_sex == Sex.OTHER:
                updates.setdefault(sex, set()).add(pk)
        for sex, pks in updates.items():
            Child.objects.filter(pk__in=padded_ids(pks), sex=Sex.OTHER).update(sex=sex)

    def _set_target_groups(self, chunk, children) -> None:
        """A line with a target group sets its child's (the last line of a child in the file wins); a line without
        one leaves the child's as it is."""
        if self.header is None or "target_group" not in self.header.positions:
            return
        wanted: dict[int, int] = {}
        for values in chunk:
            if values.get("target_group"):
                wanted[children[values["bsn"]][0]] = values["target_group"]
        by_group: dict[int, list[int]] = {}
        for pk, group in wanted.items():
            by_group.setdefault(group, []).append(pk)
        for group, pks in by_group.items():
            Child.objects.filter(pk__in=padded_ids(pks)).exclude(target_group_id=group).update(target_group_id=group)

    # -- endings --------------------------------------------------------------------------------

    def _refuse_file(self, *issues: rules.Issue) -> None:
        self.sink.extend(issues)
        self.sink.flush()
        self._refuse()

    def _refuse(self) -> None:
        pending = self.pending_overlaps
        if pending:
            overlaps, count = pending
            lines = self._lines_for_ids({written for written, _ in overlaps})
            for written, other in overlaps:
                self.sink.add(rules.OVERLAP_STORED.issue(row=lines.get(written), other=other))
            self.sink.count += count - len(overlaps)
            self.sink.flush()
        message = _("Het bestand is geweigerd: %(count)s fout(en). Er is niets geïmporteerd.") % {"count": self.sink.count}
        if self.sink.count > self.sink.stored:
            message += " " + _("Alleen de eerste %(stored)s fouten zijn opgeslagen.") % {"stored": self.sink.stored}
        self._finish(ImportStatus.REFUSED, message)

    def _lines_for_ids(self, ids: set[str]) -> dict[str, int]:
        """One more pass over the (still open) file: the line of each of `ids`."""
        id_field = ID_FIELD[self.kind]
        return {raw.cells.get(id_field, ""): raw.line for raw in self.source.rows() if raw.cells.get(id_field, "") in ids}

    def _done(self, validator: rules.RowValidator) -> None:
        job = self.job
        job.created, job.updated, job.unchanged = self.counts["created"], self.counts["updated"], self.counts["unchanged"]
        job.new_providers = self.new_provider_names
        message = _("%(rows)s regels verwerkt: %(created)s nieuw, %(updated)s bijgewerkt, %(unchanged)s ongewijzigd.") % {
            "rows": self.rows, **self.counts}
        if job.new_providers:
            message += " " + _("%(count)s nieuwe aanbieder(s) aangemaakt.") % {"count": len(job.new_providers)}
        self._finish(ImportStatus.DONE, message)

    def _finish(self, status: str, message: str) -> None:
        job = self.job
        job.status = status
        job.error_count = self.sink.count
        job.phase = PHASE_DONE
        if self.rows:
            job.rows_total = job.rows_done = self.rows
        job.message = " ".join([message, *self.notes])
        job.finished_at = timezone.now()
        job.save()
        with translation.override("nl"):  # the access log is read in Dutch
            detail = (f"{job.get_kind_display()} {str(ImportStatus(status).label).lower()}: {self.rows} regels, {job.created} nieuw, "
                      f"{job.updated} gewijzigd, {job.unchanged} ongewijzigd, {job.error_count} fouten, "
                      f"{len(job.new_providers)} nieuwe aanbieders")
        log_access(actor=job.created_by, action=AccessAction.IMPORT, object_type="import", object_ref=f"import {job.pk}",
                   result=AccessResult.OK if status == ImportStatus.DONE else AccessResult.ERROR, detail=detail,
                   origin="cli" if job.created_by is None else "upload")

    def _discard_file(self) -> None:
        """The upload holds BSNs: remove it from storage once the job has finished."""
        job_discard_file(self.job)

    # -- progress -------------------------------------------------------------------------------

    def _set_progress(self, phase: str, done: int, *, total: int | None = None) -> None:
        job = self.job
        job.phase, job.rows_done = phase, done
        if total is not None:
            job.rows_total = total
        if job.rows_done > job.rows_total:
            job.rows_total = job.rows_done
        ImportJob.objects.filter(pk=job.pk).update(phase=phase, rows_done=job.rows_done, rows_total=job.rows_total)
        self._report(phase, done)

    def _report(self, phase: str, done: int) -> None:
        if self.callback is not None:
            self.callback(phase, done, self.rows or self.job.rows_total)

    def _aliases(self, column: str) -> str:
        names = sorted({alias for alias, col in ALIASES[self.kind].items() if col == column} - {column})
        return ", ".join(names[:4]) or "-"


class _Spill:
    """The parsed values of the lines of pass 1, kept in a temporary file for pass 2 (which then need not parse again).

    One marshalled tuple per line: dates as ordinals, amounts as text, the pseudonym (never the BSN). Memory stays
    flat; the file (about 100 bytes a line) is removed when closed.
    """

    DATES = frozenset({"birth_date", "start_date", "end_date", "period_start", "period_end"})

    def __init__(self, kind: str):
        self.columns = COLUMNS[kind]
        self.file: IO[bytes] | None = tempfile.TemporaryFile(prefix="fv-import-")
        dates, columns = self.DATES, self.columns
        self._encoders = [(c, c in dates, c == "amount") for c in columns]

    @property
    def open(self) -> bool:
        return self.file is not None

    def add(self, values: dict[str, Any]) -> None:
        row = []
        for column, is_date, is_amount in self._encoders:
            value = values.get(column)
            if value is not None:
                value = value.toordinal() if is_date else str(value) if is_amount else value
            row.append(value)
        marshal.dump(tuple(row), self.file)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        assert self.file is not None
        self.file.seek(0)
        load, fromordinal, encoders, file = marshal.load, dt.date.fromordinal, self._encoders, self.file
        while True:
            try:
                row = load(file)
            except EOFError:
                return
            values = {}
            for (column, is_date, is_amount), value in zip(encoders, row, strict=True):
                if value is not None:
                    values[column] = fromordinal(value) if is_date else Decimal(value) if is_amount else value
            yield values

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


class _Builder:
    """Builds model instances from positional values (Django's fast path), defaults for the other fields.

    `Model(**kwargs)` costs tens of microseconds per object; for a million lines that matters.
    """

    def __init__(self, model, attnames: tuple[str, ...]):
        self.model = model
        fields = model._meta.concrete_fields
        index = {f.attname: i for i, f in enumerate(fields)}
        self.positions = [index[name] for name in attnames]
        self.template = [None if f.primary_key else f.get_default() for f in fields]
        self.callable_defaults = [(i, f) for i, f in enumerate(fields)
                                  if f.has_default() and callable(f.default) and f.attname not in attnames]

    def __call__(self, *values):
        args = self.template.copy()
        for position, value in zip(self.positions, values, strict=True):
            args[position] = value
        for position, field in self.callable_defaults:
            args[position] = field.get_default()
        return self.model(*args)


def update_child_municipalities(child_ids) -> int:
    """Set-wise: each child's municipality becomes that of its latest episode (by start; else its latest declaration).

    One query finds the children whose municipality differs from that target; one update per target municipality.
    """
    if not child_ids:
        return 0
    latest_episode = Episode.objects.filter(child=OuterRef("pk")).order_by("-start_date", "-id").values("municipality")[:1]
    latest_declaration = Declaration.objects.filter(child=OuterRef("pk")).order_by("-period_start", "-id").values("municipality")[:1]
    changes = (Child.objects.filter(pk__in=padded_ids(child_ids))
               .annotate(target=Coalesce(Subquery(latest_episode), Subquery(latest_declaration), F("municipality_id"),
                                         output_field=BigIntegerField()))
               .exclude(target=F("municipality_id"))
               .values_list("pk", "target"))
    by_target: dict[int, list[int]] = {}
    for pk, target in changes:
        by_target.setdefault(target, []).append(pk)
    for target, pks in by_target.items():
        Child.objects.filter(pk__in=padded_ids(pks)).update(municipality_id=target)
    return sum(len(pks) for pks in by_target.values())


def iter_issues(job: ImportJob) -> Iterator[ImportIssue]:
    return job.issues.order_by("row", "id").iterator(chunk_size=2000)
