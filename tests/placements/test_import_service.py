"""The import service end to end: complete or nothing, idempotent, corrections, providers, municipalities."""
from __future__ import annotations

import datetime as dt
import io
import time
from decimal import Decimal
from pathlib import Path

import pytest

from accounts.models import AccessLogEntry
from placements.bsn import pseudonymise, synthetic_bsn
from placements.imports.service import PHASE_CHECKING, PHASE_WRITING, create_job, import_file
from placements.imports.tasks import run_import
from placements.models import Child, Declaration, Episode, ImportIssue, ImportJob, ImportStatus, Provider

DATA = Path(__file__).parent.parent / "data" / "imports"
BSN1, BSN2, BSN3 = synthetic_bsn(1), synthetic_bsn(2), synthetic_bsn(3)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"  # import uploads are private files


def run(kind: str, source: str | bytes, **kwargs) -> ImportJob:
    content = (DATA / source).read_bytes() if isinstance(source, str) else source
    job = create_job(kind=kind, fileobj=io.BytesIO(content), original_name=source if isinstance(source, str) else "test.csv")
    return import_file(job, **kwargs)


def child_of(bsn: str) -> Child:
    return Child.objects.get(pseudonym=pseudonymise(bsn))


def test_a_clean_episodes_file_imports_completely(provider, ede, veenendaal, settings):
    job = run("episodes", "episodes_clean.csv")
    assert job.status == ImportStatus.DONE, list(job.issues.values_list("code", "row", "message"))
    assert (job.rows_total, job.rows_done, job.created, job.updated, job.unchanged, job.error_count) == (5, 5, 5, 0, 0, 0)
    assert job.new_providers == ["Nieuwe Aanbieder BV"]
    assert Provider.objects.get(name="Nieuwe Aanbieder BV").created_by_import
    assert Provider.objects.count() == 2  # "Nieuwe  Aanbieder BV" (double space, other case) is the same provider
    rows = {e.source_id: e for e in Episode.objects.select_related("care_form", "provider", "municipality", "child")}
    assert sorted(rows) == ["EP-1", "EP-2", "EP-3", "EP-4", "EP-5"]
    ep1, ep3, ep5 = rows["EP-1"], rows["EP-3"], rows["EP-5"]
    assert (ep1.care_form.code, ep1.provider, ep1.municipality, ep1.start_date, ep1.end_date, ep1.end_reason, ep1.referrer) == (
        "RES", provider, ede, dt.date(2023, 1, 1), dt.date(2023, 6, 30), "31", "01")
    assert rows["EP-2"].end_date is None and rows["EP-2"].end_reason == "" and rows["EP-2"].referrer == "04"
    assert (ep3.end_reason, ep3.referrer, ep3.municipality.cbs_code) == ("32", "02", "GM0203")  # CBS03 → iJw 32
    assert (ep5.end_reason, ep5.referrer) == ("02", "06")  # "02" is iJw death
    c1, c2, c3 = child_of(BSN1), child_of(BSN2), child_of(synthetic_bsn(3))
    assert (c1.birth_date, c1.sex, c1.label) == (dt.date(2012, 5, 17), "V", "")
    assert (c2.sex, c3.sex) == ("M", "O")
    assert Child.objects.count() == 3
    assert not job.file and ImportJob.objects.get(pk=job.pk).file.name == ""  # the upload (with BSNs) is gone
    assert not any(p.is_file() for p in Path(settings.MEDIA_ROOT).rglob("*.csv"))  # no upload left, public or private


def test_a_child_ends_in_the_municipality_of_its_latest_episode(provider):
    run("episodes", "episodes_clean.csv")
    assert child_of(BSN1).municipality.cbs_code == "GM0345"  # EP-1 Ede 2023-01, EP-2 Veenendaal 2023-07
    assert child_of(BSN2).municipality.cbs_code == "GM0203"
    # A later file moves the child to Barneveld with a newer episode …
    later = (DATA / "episodes_clean.csv").read_text().splitlines()[0] + "\n" + \
        f"EP-9,{BSN1},2012-05-17,V,Barneveld,Jeugdzorg De Vallei,AMB,2024-09-01,,,\n"
    assert run("episodes", later.encode()).status == ImportStatus.DONE
    assert child_of(BSN1).municipality.cbs_code == "GM0203"
    # … and a correction of that episode to Rhenen follows it.
    assert run("episodes", later.replace("Barneveld", "GM0340").encode()).updated == 1
    assert child_of(BSN1).municipality.cbs_code == "GM0340"


def test_dutch_headers_semicolons_bom_and_dutch_dates(provider, care_forms):
    job = run("episodes", "episodes_dutch.csv")
    assert job.status == ImportStatus.DONE and job.created == 2
    nl1 = Episode.objects.get(source_id="NL-1")
    assert (nl1.care_form, nl1.start_date, nl1.referrer) == (care_forms["GZH"], dt.date(2024, 2, 1), "01")
    nl2 = Episode.objects.get(source_id="NL-2")
    assert (nl2.start_date, nl2.end_date, nl2.end_reason) == (dt.date(2024, 1, 15), dt.date(2024, 3, 15), "31")
    assert child_of(synthetic_bsn(5)).birth_date == dt.date(2016, 3, 1)
    assert child_of(synthetic_bsn(4)).sex == "V"


def test_a_clean_declarations_file_imports_amounts_exactly(provider, ede, veenendaal):
    job = run("declarations", "declarations_clean.csv")
    assert job.status == ImportStatus.DONE
    assert (job.created, job.new_providers) == (5, ["Zorggroep Nieuw"])
    amounts = dict(Declaration.objects.values_list("source_id", "amount"))
    assert amounts == {"D-1": Decimal("1234.56"), "D-2": Decimal("1234.56"), "D-3": Decimal("-250.00"),
                       "D-4": Decimal("2500.00"), "D-5": Decimal("2500.50")}
    assert sum(amounts.values()) == Decimal("7219.62")
    d4 = Declaration.objects.get(source_id="D-4")
    assert (d4.period_start, d4.period_end, d4.municipality) == (dt.date(2024, 3, 1), dt.date(2024, 3, 31), veenendaal)
    child = child_of(synthetic_bsn(6))
    assert (child.sex, child.label, child.birth_date, child.municipality) == ("O", "", dt.date(2013, 4, 4), ede)
    assert child_of(synthetic_bsn(7)).municipality == veenendaal


def test_a_file_with_errors_imports_nothing_and_reports_every_error(provider):
    providers_before = Provider.objects.count()
    job = run("episodes", "episodes_errors.csv")
    assert job.status == ImportStatus.REFUSED
    assert list(job.issues.order_by("row", "id").values_list("code", "row", "field")) == [
        ("E102", 3, "bsn"),
        ("E104", 4, "birth_date"), ("E105", 4, "municipality"), ("E106", 4, "care_form"),
        ("E107", 5, "sex"), ("E103", 5, "start_date"), ("E108", 5, "end_reason"), ("E109", 5, "referrer"),
        ("E205", 6, "end_date"),
        ("E206", 7, "end_reason"),
        ("F006", 8, "episode_id"),
        ("E301", 9, "birth_date"), ("E303", 9, "start_date"),
        ("E101", 10, "bsn"), ("E101", 10, "provider"),
    ]
    assert job.error_count == 15
    assert (Episode.objects.count(), Child.objects.count(), Provider.objects.count()) == (0, 0, providers_before)
    assert (job.created, job.updated, job.unchanged) == (0, 0, 0)


def test_no_bsn_in_messages_or_the_access_log(provider):
    job = run("episodes", "episodes_errors.csv")
    bsns = {"900000016", "123456789", "900000028", "900000041", "900000053", "900000065", "900000077"}
    texts = list(job.issues.values_list("message", flat=True)) + [job.message]
    texts += list(AccessLogEntry.objects.values_list("detail", flat=True)) + list(AccessLogEntry.objects.values_list("object_ref", flat=True))
    assert not [t for t in texts for b in bsns if b in t]


def test_reimporting_the_same_file_changes_nothing(provider):
    run("episodes", "episodes_clean.csv")
    before = list(Episode.objects.order_by("source_id").values_list("source_id", "updated_at", "child_id", "end_date"))
    children = list(Child.objects.order_by("pk").values_list("pk", "municipality_id", "sex"))
    again = run("episodes", "episodes_clean.csv")
    assert (again.status, again.created, again.updated, again.unchanged, again.new_providers) == (ImportStatus.DONE, 0, 0, 5, [])
    assert list(Episode.objects.order_by("source_id").values_list("source_id", "updated_at", "child_id", "end_date")) == before
    assert list(Child.objects.order_by("pk").values_list("pk", "municipality_id", "sex")) == children

    run("declarations", "declarations_clean.csv")
    again = run("declarations", "declarations_clean.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert Declaration.objects.count() == 5


def test_a_corrected_line_replaces_the_earlier_one(provider):
    run("declarations", "declarations_clean.csv")
    text = (DATA / "declarations_clean.csv").read_text()
    corrected = text.replace("D-3;900000065;2013-04-04;GM0228;Jeugdzorg De Vallei;RES;2024-01-01;2024-01-31;-250,00",
                             "D-3;900000065;2013-04-04;GM0228;Jeugdzorg De Vallei;RES;2024-01-01;2024-01-31;-275,50")
    assert corrected != text
    job = run("declarations", corrected.encode())
    assert (job.created, job.updated, job.unchanged) == (0, 1, 4)
    assert Declaration.objects.get(source_id="D-3").amount == Decimal("-275.50")
    assert Declaration.objects.count() == 5

    run("episodes", "episodes_clean.csv")
    text = (DATA / "episodes_clean.csv").read_text()
    job = run("episodes", text.replace("EP-2,900000016,2012-05-17,V,GM0345,Jeugdzorg De Vallei,PLZ,2023-07-01,,,04",
                                       "EP-2,900000016,2012-05-17,V,GM0345,Jeugdzorg De Vallei,PLZ,2023-07-01,2024-01-31,38,04").encode())
    assert (job.created, job.updated, job.unchanged) == (0, 1, 4)
    ep2 = Episode.objects.get(source_id="EP-2")
    assert (ep2.end_date, ep2.end_reason) == (dt.date(2024, 1, 31), "38")


def test_an_episodes_file_completes_the_sex_of_a_child_known_from_declarations(provider):
    run("declarations", "declarations_clean.csv")
    assert child_of(synthetic_bsn(6)).sex == "O"
    header = (DATA / "episodes_clean.csv").read_text().splitlines()[0]
    run("episodes", f"{header}\nX-1,{synthetic_bsn(6)},2013-04-04,meisje,Ede,Jeugdzorg De Vallei,RES,2024-01-01,,,\n".encode())
    assert child_of(synthetic_bsn(6)).sex == "V"


def test_unknown_provider_is_not_created_when_the_file_is_refused():
    header = (DATA / "episodes_clean.csv").read_text().splitlines()[0]
    job = run("episodes", f"{header}\nX-1,{BSN1},2012-05-17,V,Ede,Splinternieuw,RES,2099-01-01,,,\n".encode())
    assert [(i.code, i.field) for i in job.issues.all()] == [("E204", "start_date")]
    assert not Provider.objects.filter(name="Splinternieuw").exists()


def test_windows_1252_is_read_and_noted(provider):
    header = (DATA / "episodes_clean.csv").read_text().splitlines()[0]
    job = run("episodes", f"{header}\nX-1,{BSN1},2012-05-17,V,Ede,Zorgboerderij Café,RES,2024-01-01,,,\n".encode("cp1252"))
    assert job.status == ImportStatus.DONE
    assert job.new_providers == ["Zorgboerderij Café"]
    assert "Windows-1252" in job.message


def test_one_access_log_entry_per_job_without_child_data(provider):
    job = run("episodes", "episodes_clean.csv")
    entries = AccessLogEntry.objects.filter(object_ref=f"import {job.pk}")
    assert entries.count() == 1
    entry = entries.get()
    assert (entry.action, entry.object_type, entry.result, entry.origin, entry.actor) == ("import", "import", "ok", "cli", None)
    assert "5 nieuw" in entry.detail and "0 gewijzigd" in entry.detail and "0 ongewijzigd" in entry.detail
    refused = run("episodes", "episodes_errors.csv")
    entry = AccessLogEntry.objects.get(object_ref=f"import {refused.pk}")
    assert refused.error_count == 16  # the 15 of the file, plus E302: the first file stored child 1 born 2012-05-17
    assert (entry.result, "16 fouten" in entry.detail) == ("error", True)


def test_progress_is_reported_for_both_passes(provider):
    seen = []
    run("episodes", "episodes_clean.csv", progress_every=2, progress=lambda phase, done, total: seen.append((phase, done, total)))
    assert (PHASE_CHECKING, 2, 5) in seen and (PHASE_CHECKING, 4, 5) in seen
    assert seen[-1][0] != PHASE_CHECKING and (PHASE_WRITING, 5, 5) in seen


def test_the_task_returns_at_once_for_a_finished_job(provider):
    job = run("episodes", "episodes_clean.csv")
    assert run_import.apply(args=[job.pk]).get() == ImportStatus.DONE
    assert AccessLogEntry.objects.filter(object_ref=f"import {job.pk}").count() == 1
    assert run_import(987654) == "missing"


def test_the_task_redoes_a_job_left_running_by_a_killed_worker(provider):
    job = create_job(kind="episodes", fileobj=io.BytesIO((DATA / "episodes_clean.csv").read_bytes()), original_name="x.csv")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, rows_done=3, error_count=1)
    ImportIssue.objects.create(job=job, row=2, code="E999", message="leftover of the killed run")
    assert run_import.apply(args=[job.pk]).get() == ImportStatus.DONE  # through Celery (eager apply)
    job.refresh_from_db()
    assert (job.status, job.created, job.error_count, job.issues.count()) == (ImportStatus.DONE, 5, 0, 0)
    assert Episode.objects.count() == 5


def test_a_generated_20000_line_file_imports_in_bulk(provider, tmp_path):
    header = "declaration_id,bsn,birth_date,municipality,provider,care_form,period_start,period_end,amount\n"
    lines = [header]
    total = Decimal(0)
    for n in range(20_000):
        amount = Decimal(1000 + n % 500) + Decimal(n % 100) / 100
        if n % 50 == 0:
            amount = -amount
        total += amount
        month = 1 + n % 12
        lines.append(f"G{n},{synthetic_bsn(1000 + n % 4000)},2010-0{1 + n % 4000 % 9}-15,GM0228,Aanbieder {n % 7},RES,"
                     f"2024-{month:02d}-01,2024-{month:02d}-28,\"{amount:.2f}\"\n")
    started = time.monotonic()
    job = run("declarations", "".join(lines).encode())
    elapsed = time.monotonic() - started
    assert job.status == ImportStatus.DONE, list(job.issues.values_list("code", "row", "message")[:5])
    assert (job.created, job.rows_total, Declaration.objects.count(), Child.objects.count()) == (20_000, 20_000, 20_000, 4000)
    assert sum(Declaration.objects.values_list("amount", flat=True)) == total
    assert len(job.new_providers) == 7
    assert elapsed < 60


def test_the_legal_framework_column_takes_cbs_codes_and_words_and_a_file_without_it_keeps_what_is_recorded(provider):
    header = "episode_id;bsn;geboortedatum;gemeente;aanbieder;zorgvorm;begindatum;juridisch_kader\n"
    lines = [f"E1;{BSN1};17-05-2012;Ede;Jeugdzorg De Vallei;PLZ;01-01-2024;11",
             f"E2;{BSN2};17-05-2013;Ede;Jeugdzorg De Vallei;RES;01-02-2024;Voorlopige voogdij",
             f"E3;{synthetic_bsn(3)};17-05-2014;Ede;Jeugdzorg De Vallei;AMB;01-03-2024;"]
    job = run("episodes", (header + "\n".join(lines) + "\n").encode())
    assert job.status == ImportStatus.DONE, list(job.issues.values_list("code", "message"))
    assert dict(Episode.objects.values_list("source_id", "legal_framework")) == {"E1": "ots", "E2": "vvoogdij", "E3": "vrijwillig"}
    Episode.objects.filter(source_id="E3").update(legal_framework="jr")  # recorded in the app afterwards
    without = "episode_id;bsn;geboortedatum;gemeente;aanbieder;zorgvorm;begindatum;einddatum\n" + "\n".join(
        line.rsplit(";", 1)[0] + ";30-06-2024" for line in lines) + "\n"
    again = run("episodes", without.encode())
    assert (again.updated, again.status) == (3, ImportStatus.DONE)
    assert dict(Episode.objects.values_list("source_id", "legal_framework")) == {"E1": "ots", "E2": "vvoogdij", "E3": "jr"}


def test_the_target_group_column_sets_the_childs_target_group(provider):
    from placements.models import TargetGroup

    header = "episode_id;bsn;geboortedatum;gemeente;aanbieder;zorgvorm;begindatum;doelgroep\n"
    job = run("episodes", (header + f"E1;{BSN1};17-05-2012;Ede;Jeugdzorg De Vallei;RES;01-01-2024;JLVB\n"
                                    f"E2;{BSN2};17-05-2013;Ede;Jeugdzorg De Vallei;PLZ;01-02-2024;Jeugd-GGZ\n"
                                    f"E3;{BSN1};17-05-2012;Ede;Jeugdzorg De Vallei;AMB;01-03-2024;\n").encode())
    assert job.status == ImportStatus.DONE, list(job.issues.values_list("code", "message"))
    assert (child_of(BSN1).target_group.code, child_of(BSN2).target_group.code) == ("JLVB", "GGZ")
    refused = run("episodes", (header + f"E4;{BSN1};17-05-2012;Ede;Jeugdzorg De Vallei;RES;01-05-2024;LVB+\n").encode())
    assert refused.status == ImportStatus.REFUSED and refused.issues.get().code == "E115"
    assert TargetGroup.objects.count() == 3 and child_of(BSN1).target_group.code == "JLVB"


def test_an_agb_column_names_providers_and_gives_new_and_codeless_ones_their_code(provider, ede):
    codeless = Provider.objects.create(name="Ambulant Zonder Code")
    header = "episode_id;bsn;geboortedatum;gemeente;aanbieder;zorgvorm;begindatum;agb_code\n"
    content = (header
               + f"A-1;{BSN1};2012-05-17;GM0228;JZ de Vallei (oude naam);AMB;2024-01-01;98000001\n"  # the code names `provider`
               + f"A-2;{BSN2};2013-05-17;GM0228;Ambulant Zonder Code;AMB;2024-01-01;7301888\n"  # Excel dropped a zero
               + f"A-3;{BSN3};2014-05-17;GM0228;Nieuwe Aanbieder BV;AMB;2024-01-01;73019999\n").encode()
    job = run("episodes", content)
    assert job.status == ImportStatus.DONE, list(job.issues.values_list("code", "row", "message"))
    eps = {e.source_id: e.provider for e in Episode.objects.select_related("provider")}
    assert eps["A-1"] == provider and not Provider.objects.filter(name="JZ de Vallei (oude naam)").exists()
    codeless.refresh_from_db()
    assert (eps["A-2"], codeless.agb_code) == (codeless, "07301888")
    assert (eps["A-3"].name, eps["A-3"].agb_code) == ("Nieuwe Aanbieder BV", "73019999")


def test_an_agb_code_of_another_provider_refuses_the_file(provider, ede):
    Provider.objects.create(name="Andere Aanbieder", agb_code="73010099")
    content = ("episode_id;bsn;geboortedatum;gemeente;aanbieder;zorgvorm;begindatum;agb\n"
               f"B-1;{BSN1};2012-05-17;GM0228;Jeugdzorg De Vallei;AMB;2024-01-01;73010099\n").encode()
    job = run("episodes", content)
    assert job.status == ImportStatus.REFUSED
    assert list(job.issues.values_list("code", "field")) == [("E117", "agb")]
    assert not Episode.objects.exists()


@pytest.fixture
def product_table(ede, care_forms):
    """Food Valley's products: 43A01 is residential care until 2023, family-home care from 2024 (a new version);
    44B02 foster care."""
    from placements.models import ProductCode

    region = ede.region
    ProductCode.objects.create(region=region, product_category="43", product_code="43A01", care_form=care_forms["RES"],
                               valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2023, 12, 31))
    ProductCode.objects.create(region=region, product_category="43", product_code="43A01", care_form=care_forms["GZH"],
                               valid_from=dt.date(2024, 1, 1))
    ProductCode.objects.create(region=region, product_category="44", product_code="44B02", care_form=care_forms["PLZ"],
                               valid_from=dt.date(2020, 1, 1))
    return region


DECLARATION_HEADER = "declaratie_id;bsn;geboortedatum;gemeente;aanbieder;{form}begin_periode;einde_periode;bedrag;productcategorie;productcode\n"


def test_a_declaration_file_may_give_the_product_instead_of_the_care_form(provider, product_table):
    content = (DECLARATION_HEADER.format(form="")
               + f"D-1;{BSN1};2012-05-17;GM0228;Jeugdzorg De Vallei;2023-12-01;2023-12-31;1000,00;43;43A01\n"  # residential in 2023
               + f"D-2;{BSN1};2012-05-17;GM0228;Jeugdzorg De Vallei;2024-01-01;2024-01-31;900,00;43;43a 01\n"  # the 2024 version
               + f"D-3;{BSN2};2013-05-17;GM0228;Jeugdzorg De Vallei;2024-01-01;2024-01-31;500,00;44;44B02\n").encode()
    job = run("declarations", content)
    assert job.status == ImportStatus.DONE, list(job.issues.values_list("code", "row", "message"))
    forms = dict(Declaration.objects.values_list("source_id", "care_form__code"))
    assert forms == {"D-1": "RES", "D-2": "GZH", "D-3": "PLZ"}


def test_an_unknown_product_code_refuses_the_file_with_e118_and_stores_nothing(provider, product_table):
    content = (DECLARATION_HEADER.format(form="zorgvorm;")
               + f"D-1;{BSN1};2012-05-17;GM0228;Jeugdzorg De Vallei;RES;2024-01-01;2024-01-31;1000,00;;\n"  # a care form: fine
               + f"D-2;{BSN1};2012-05-17;GM0228;Jeugdzorg De Vallei;;2019-06-01;2019-06-30;900,00;43;43A01\n"  # before the table
               + f"D-3;{BSN2};2013-05-17;GM0363;Jeugdzorg De Vallei;;2024-01-01;2024-01-31;500,00;44;44B02\n"  # Amsterdam: not its table
               + f"D-4;{BSN2};2013-05-17;GM0228;Jeugdzorg De Vallei;;2024-01-01;2024-01-31;500,00;44;4B\n").encode()  # malformed
    job = run("declarations", content)
    assert job.status == ImportStatus.REFUSED
    assert sorted(job.issues.values_list("code", "row", "field")) == [
        ("E118", 3, "productcode"), ("E118", 4, "productcode"), ("E119", 5, "productcode")]
    message = job.issues.get(row=3).message
    assert "43/43A01" in message and "01-06-2019" in message
    assert not Declaration.objects.exists()


def test_without_care_form_and_product_the_care_form_column_is_missing(provider, product_table):
    content = ("declaratie_id;bsn;geboortedatum;gemeente;aanbieder;begin_periode;einde_periode;bedrag\n"
               f"D-1;{BSN1};2012-05-17;GM0228;Jeugdzorg De Vallei;2024-01-01;2024-01-31;1000,00\n").encode()
    job = run("declarations", content)
    assert job.status == ImportStatus.REFUSED and job.issues.get().field == "care_form"
