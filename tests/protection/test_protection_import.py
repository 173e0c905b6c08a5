"""Importing measures (protection.imports, `manage.py import_measures`): all or nothing, Dutch errors without a BSN,
re-import replaces by id."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from placements.bsn import synthetic_bsn
from protection.imports import measures_import
from protection.models import Measure

D = dt.date
pytestmark = pytest.mark.django_db
HEADER = "maatregel_id;bsn;gemeente;maatregel;gi;ingangsdatum;einddatum"


@pytest.fixture
def known(owner, provider):
    from placements.services import child_register

    return [child_register(user=owner, bsn=synthetic_bsn(n), birth_date=D(2012, 1, 1), sex="M")[0] for n in (1, 2)]


def data(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def test_it_imports_codes_words_names_and_agb_codes_and_replaces_by_id(known, provider):
    result = measures_import(data=data(f"M1;{synthetic_bsn(1)};Ede;12;Jeugdzorg De Vallei;01-02-2024;20-02-2024",
                                       f"M2;{synthetic_bsn(1)};GM0228;OTS;98000001;20-02-2024;",
                                       f"M3;{synthetic_bsn(2)};0228;Voorlopige voogdij;jeugdzorg de vallei;2024-03-01;"))
    assert result.ok and (result.created, result.updated) == (3, 0), result.errors
    assert list(Measure.objects.order_by("source_id").values_list("source_id", "kind", "start_date", "end_date")) == [
        ("M1", "12", D(2024, 2, 1), D(2024, 2, 20)), ("M2", "11", D(2024, 2, 20), None), ("M3", "22", D(2024, 3, 1), None)]
    again = measures_import(data=data(f"M2;{synthetic_bsn(1)};GM0228;11;98000001;20-02-2024;01-06-2024",
                                      f"M3;{synthetic_bsn(2)};0228;22;Jeugdzorg De Vallei;01-03-2024;"))
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert Measure.objects.get(source_id="M2").end_date == D(2024, 6, 1)


def test_one_bad_line_stores_nothing_and_no_message_repeats_a_bsn(known, provider):
    bad = synthetic_bsn(1)[:-1] + str((int(synthetic_bsn(1)[-1]) + 1) % 10)
    result = measures_import(data=data(f"M1;{synthetic_bsn(1)};Ede;11;Jeugdzorg De Vallei;01-02-2024;",
                                       f"M2;{bad};Ede;11;Jeugdzorg De Vallei;01-02-2024;",
                                       f"M3;{synthetic_bsn(2)};Atlantis;13;Onbekende GI {synthetic_bsn(2)};31-02-2024;",
                                       f"M4;{synthetic_bsn(3)};Ede;21;Jeugdzorg De Vallei;2024-01-01;2023-01-01"))
    assert not result.ok and not Measure.objects.exists()
    found = {(line, column) for line, column, _m in result.errors}
    assert found == {(3, "bsn"), (4, "kind"), (4, "municipality"), (4, "gi"), (4, "start_date"), (5, "end_date")}
    assert not any(synthetic_bsn(2) in m or bad in m for _l, _c, m in result.errors)


def test_an_unknown_child_is_refused(known, provider):
    result = measures_import(data=data(f"M1;{synthetic_bsn(3)};Ede;11;Jeugdzorg De Vallei;01-02-2024;"))
    assert [(line, column) for line, column, _m in result.errors] == [(2, "bsn")] and not Measure.objects.exists()


def test_the_command_reports_in_dutch(known, provider, tmp_path, capsys):
    good, bad = tmp_path / "ok.csv", tmp_path / "bad.csv"
    good.write_bytes(data(f"M1;{synthetic_bsn(1)};Ede;11;Jeugdzorg De Vallei;01-02-2024;"))
    bad.write_bytes(data(f"M2;{synthetic_bsn(1)};Ede;99;Jeugdzorg De Vallei;01-02-2024;"))
    call_command("import_measures", str(good))
    assert "1 nieuw" in capsys.readouterr().out
    with pytest.raises(CommandError, match="niets geïmporteerd"):
        call_command("import_measures", str(bad))
    assert Measure.objects.count() == 1
