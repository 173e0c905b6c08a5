"""Every import rule: one case that triggers it and one that does not (SSDA903 style: rule by rule)."""
from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pytest

from placements.bsn import BSN_MASK, pseudonymise, synthetic_bsn
from placements.imports import rules
from placements.imports.parsing import DECLARATIONS, EPISODES
from placements.imports.service import create_job, import_file
from placements.models import Child, ImportStatus

TODAY = dt.date(2026, 6, 1)
LOOKUPS = rules.Lookups(
    municipalities={"gm0228": 1, "0228": 1, "ede": 1, "gm0345": 2, "0345": 2, "veenendaal": 2},
    care_forms={"res": 10, "amb": 11},
    providers={"jeugdzorg de vallei": 5},
    provider_agb={"98000001": 5},
    today=TODAY,
    target_groups={"jo": 1, "jlvb": 2, "ggz": 3},
    agb_of={5: "98000001"},
    provider_names={5: "Jeugdzorg De Vallei", 6: "Ambulant Zonder Code"},
    municipality_region={1: 100, 2: 100},
    product_codes={(100, "43", "43A01"): [(dt.date(2024, 1, 1), None, 10)]},
)
BSN = synthetic_bsn(1)
EPISODE = {
    "episode_id": "E1", "bsn": BSN, "birth_date": "2012-05-17", "sex": "V", "municipality": "GM0228",
    "provider": "Jeugdzorg De Vallei", "care_form": "RES", "start_date": "2024-01-01", "end_date": "2024-06-30",
    "end_reason": "31", "referrer": "01",
}
DECLARATION = {
    "declaration_id": "D1", "bsn": BSN, "birth_date": "2012-05-17", "municipality": "Ede", "provider": "Jeugdzorg De Vallei",
    "care_form": "RES", "period_start": "2024-01-01", "period_end": "2024-01-31", "amount": "1.234,56",
}
BASE = {EPISODES: EPISODE, DECLARATIONS: DECLARATION}


def check(kind: str, width: int | None = None, **changes) -> set[tuple[str, str]]:
    """(code, field) of the issues for one row: the valid base row of `kind` with `changes` applied."""
    validator = rules.RowValidator(kind, LOOKUPS, width=11 if kind == EPISODES else 9)
    cells = {**BASE[kind], **changes}
    _values, issues = validator.validate(2, cells, width)
    return {(i.code, i.field) for i in issues}


def test_the_base_rows_are_valid():
    assert check(EPISODES) == set()
    assert check(DECLARATIONS) == set()


# (code, kind, changes that trigger the rule, expected field, changes that do not trigger it)
ROW_CASES = [
    ("E100", EPISODES, {"width": 10}, "", {"width": 11}),
    ("E101", EPISODES, {"municipality": ""}, "municipality", {"referrer": ""}),
    ("E101", DECLARATIONS, {"amount": ""}, "amount", {"amount": "0"}),
    ("E102", EPISODES, {"bsn": "123456789"}, "bsn", {"bsn": "12345678-2"}),
    ("E102", DECLARATIONS, {"bsn": "000000000"}, "bsn", {"bsn": synthetic_bsn(7)}),
    ("E103", EPISODES, {"start_date": "2024/01/01"}, "start_date", {"start_date": "01-01-2024"}),
    ("E103", DECLARATIONS, {"period_end": "31 jan 2024"}, "period_end", {"period_end": "31-1-2024"}),
    ("E104", EPISODES, {"birth_date": "2012-02-30"}, "birth_date", {"birth_date": "2012-02-29"}),
    ("E105", EPISODES, {"municipality": "GM9999"}, "municipality", {"municipality": "345"}),
    ("E105", DECLARATIONS, {"municipality": "Edee"}, "municipality", {"municipality": "veenendaal"}),
    ("E106", EPISODES, {"care_form": "XYZ"}, "care_form", {"care_form": "amb"}),
    ("E107", EPISODES, {"sex": "Q"}, "sex", {"sex": "meisje"}),
    ("E108", EPISODES, {"end_reason": "2"}, "end_reason", {"end_reason": "CBS02"}),
    ("E109", EPISODES, {"referrer": "09"}, "referrer", {"referrer": "8"}),
    ("E110", DECLARATIONS, {"amount": "12,345,6"}, "amount", {"amount": "-250,00"}),
    ("E111", EPISODES, {"episode_id": "x" * 65}, "episode_id", {"episode_id": "x" * 64}),
    ("E111", DECLARATIONS, {"provider": "p" * 201}, "provider", {"provider": "p" * 200}),
    ("E112", EPISODES, {"provider": "=HYPERLINK(\"x\")"}, "provider", {"provider": "Zorg = goed"}),
    ("E112", DECLARATIONS, {"declaration_id": "D\x001"}, "declaration_id", {"declaration_id": "D-1"}),
    ("E115", EPISODES, {"target_group": "LVB+"}, "target_group", {"target_group": "jlvb"}),
    ("E114", EPISODES, {"legal_framework": "dwang"}, "legal_framework", {"legal_framework": "Voorlopige voogdij"}),
    ("E114", EPISODES, {"legal_framework": "13"}, "legal_framework", {"legal_framework": "21"}),
    ("E113", EPISODES, {"provider": f"Gezin {BSN[:4]}\u00a0{BSN[4:]}"}, "provider", {"provider": "Gezin 12345678"}),
    ("E113", DECLARATIONS, {"provider": f"Zorg {BSN}-2"}, "provider", {"provider": "98000001"}),
    ("E116", EPISODES, {"agb": "9800001X"}, "agb", {"agb": "98 00 00 01"}),
    ("E116", DECLARATIONS, {"agb": "980001"}, "agb", {"agb": "98000001"}),
    ("E117", EPISODES, {"agb": "98000002"}, "agb", {"agb": "98000001"}),
    # a product instead of the care form: in the region's table from 2024, not on a period starting in 2023
    ("E118", DECLARATIONS, {"care_form": "", "product_category": "43", "product_code": "43A01", "period_start": "2023-12-01"},
     "product_code", {"care_form": "", "product_category": "43", "product_code": "43A01"}),
    ("E119", DECLARATIONS, {"care_form": "", "product_code": "43A0"}, "product_code", {"care_form": "", "product_code": "43a01"}),
    ("E201", EPISODES, {"birth_date": "2026-06-02", "start_date": "2026-06-02", "end_date": "", "end_reason": ""},
     "birth_date", {"birth_date": "2026-06-01", "start_date": "2026-06-01", "end_date": "", "end_reason": ""}),
    ("E201", DECLARATIONS, {"birth_date": "2026-07-01", "period_end": "2026-07-31"}, "birth_date",
     {"birth_date": "2026-06-01", "period_end": "2026-07-31"}),
    ("E202", EPISODES, {"birth_date": "2024-01-02"}, "birth_date", {"birth_date": "2024-01-01"}),
    ("E203", DECLARATIONS, {"birth_date": "2024-02-01"}, "birth_date", {"birth_date": "2024-01-31"}),
    ("E204", EPISODES, {"start_date": "2026-06-02", "end_date": "", "end_reason": ""}, "start_date",
     {"start_date": "2026-06-01", "end_date": "", "end_reason": ""}),
    ("E205", EPISODES, {"end_date": "2023-12-31"}, "end_date", {"end_date": "2024-01-01"}),
    ("E208", EPISODES, {"end_date": "2026-06-02"}, "end_date", {"end_date": "2026-06-01"}),
    ("E206", EPISODES, {"end_date": ""}, "end_reason", {"end_date": "", "end_reason": ""}),
    ("E207", DECLARATIONS, {"period_end": "2023-12-31"}, "period_end", {"period_end": "2024-01-01"}),
]


@pytest.mark.parametrize(("code", "kind", "bad", "field", "good"), ROW_CASES, ids=[f"{c[0]}-{c[1]}" for c in ROW_CASES])
def test_row_rule_triggers_and_not(code, kind, bad, field, good):
    assert (code, field) in check(kind, **bad)
    assert not {c for c, _f in check(kind, **good)} & {code}


def test_e101_reports_every_empty_required_field():
    assert check(EPISODES, bsn="", provider="") == {("E101", "bsn"), ("E101", "provider")}


def test_e102_message_never_contains_the_bsn():
    validator = rules.RowValidator(EPISODES, LOOKUPS, width=11)
    _values, issues = validator.validate(2, {**EPISODE, "bsn": "123456789"}, 11)
    assert issues and all("123456789" not in i.message for i in issues)


def test_a_valid_bsn_becomes_the_pseudonym():
    values, _issues = rules.RowValidator(EPISODES, LOOKUPS, width=11).validate(2, EPISODE, 11)
    assert values["bsn"] == pseudonymise(BSN)
    assert BSN not in values.values()


@pytest.mark.parametrize("raw", [synthetic_bsn(1), synthetic_bsn(12345), "12345678-2", " 1234.56.782 ", "11122237"])  # 8 digits: leading zero added
def test_the_bulk_hasher_equals_pseudonymise(raw):
    assert rules.BsnHasher()(raw) == pseudonymise(raw)


@pytest.mark.parametrize("raw", ["000000000", "123456789", "12345678", "1234567820", "１２３４５６７８２", "abcdefghi"])
def test_the_bulk_hasher_refuses_what_pseudonymise_refuses(raw):
    with pytest.raises(ValueError):
        pseudonymise(raw)
    with pytest.raises(rules.Violation):
        rules.BsnHasher()(raw)


def test_a_row_rule_needs_its_values_parsed():
    # An unparseable start date gives E103 only, not E202/E205 on top.
    assert check(EPISODES, start_date="morgen") == {("E103", "start_date")}


def test_providers_resolve_by_name_or_agb_code_and_unknown_ones_are_collected():
    validator = rules.RowValidator(EPISODES, LOOKUPS, width=11)
    assert validator.validate(2, {**EPISODE, "provider": "  jeugdzorg  de VALLEI "})[0]["provider"] == 5
    assert validator.validate(3, {**EPISODE, "provider": "98000001"})[0]["provider"] == 5
    assert validator.validate(4, {**EPISODE, "provider": "Nieuw  BV"})[0]["provider"] == "nieuw bv"
    assert validator.new_providers == {"nieuw bv": "Nieuw BV"}


def test_an_agb_code_identifies_the_provider_and_is_recorded_for_one_without():
    lookups = rules.Lookups(**{**LOOKUPS.__dict__, "providers": {"jeugdzorg de vallei": 5, "ambulant zonder code": 6}})
    validator = rules.RowValidator(EPISODES, lookups, width=12)
    # another spelling of a known provider's name with its code: that provider, no new one
    assert validator.validate(2, {**EPISODE, "provider": "JZ De Vallei B.V.", "agb": "98000001"})[0]["provider"] == 5
    assert validator.new_providers == {} and validator.agb_aliases == {"jz de vallei b.v.": 5}
    assert validator.validate(3, {**EPISODE, "provider": "JZ De Vallei B.V."})[0]["provider"] == 5  # later lines too
    # a known provider without a code gets the file's (7 digits: Excel dropped the leading zero)
    values, issues = validator.validate(3, {**EPISODE, "provider": "Ambulant zonder code", "agb": "1234567"})
    assert (values["provider"], issues) == (6, [])
    assert validator.provider_agb_updates == {6: "01234567"}
    # a new provider is created with its code; the same code for a second new name is a conflict
    assert validator.validate(4, {**EPISODE, "provider": "Nieuw BV", "agb": "73019999"})[0]["provider"] == "nieuw bv"
    assert validator.new_provider_agb == {"nieuw bv": "73019999"}
    _values, issues = validator.validate(5, {**EPISODE, "provider": "Ander BV", "agb": "73019999"})
    assert [(i.code, i.field) for i in issues] == [("E117", "agb")]
    # the code already given to provider 6 in this file cannot go to provider 5
    _values, issues = validator.validate(6, {**EPISODE, "provider": "Ambulant zonder code", "agb": "98000001"})
    assert [(i.code, i.field) for i in issues] == [("E117", "agb")]


def test_every_registered_rule_has_a_test_case_here():
    covered = {c[0] for c in ROW_CASES} | {"F001", "F002", "F003", "F004", "F005", "F006", "E301", "E302", "E303", "E304"}
    assert covered == set(rules.RULES)
    assert all(rule.message and rule.title and rule.fields for rule in rules.RULES.values())


# -- cross rules on compact columns ------------------------------------------------------------------


def test_f006_duplicate_ids_are_found_exactly():
    hashes = np.array([hash("A"), hash("B"), hash("A"), hash("C"), hash("A")], dtype=np.int64)
    lines = np.array([2, 3, 4, 5, 6], dtype=np.int32)
    candidates = rules.duplicate_candidates(hashes, lines)
    assert candidates == {2, 4, 6}
    assert rules.duplicate_ids({2: "A", 4: "A", 6: "A"}) == [(4, 2, "A"), (6, 2, "A")]
    assert rules.duplicate_ids({2: "A", 4: "a"}) == []  # a hash collision is not a duplicate
    assert rules.duplicate_candidates(hashes[[1, 3]], lines[[1, 3]]) == set()


def test_e301_birth_date_conflicts_within_the_file():
    births = rules.BirthDates()
    assert births.check(7, dt.date(2012, 5, 17), 2) is None
    assert births.check(8, dt.date(2013, 1, 1), 3) is None  # another child
    assert births.check(7, dt.date(2012, 5, 17), 4) is None  # the same birth date again
    assert births.check(7, dt.date(2012, 5, 18), 5) == 2  # differs from line 2
    assert births.check(8, dt.date(2013, 1, 1), 6) is None


def _overlaps(*episodes):
    """episodes: (child, form, provider, start, end or None, line)"""
    cols = list(zip(*episodes, strict=True))
    ends = [rules.OPEN_END if e is None else e for e in cols[4]]
    return rules.overlaps_in_file(np.array(cols[0], dtype=np.int64), np.array(cols[1], dtype=np.int32),
                                  np.array(cols[2], dtype=np.int32), np.array(cols[3], dtype=np.int32),
                                  np.array(ends, dtype=np.int32), np.array(cols[5], dtype=np.int32))


def test_e303_overlapping_episodes_in_the_file():
    assert _overlaps((1, 1, 1, 10, 20, 2), (1, 1, 1, 15, None, 3)) == [(3, 2)]
    # A long episode is found behind a short one in between.
    assert sorted(_overlaps((1, 1, 1, 10, 100, 2), (1, 1, 1, 20, 30, 3), (1, 1, 1, 50, 60, 4))) == [(3, 2), (4, 2)]
    # Open end overlaps everything later.
    assert _overlaps((1, 1, 1, 10, None, 2), (1, 1, 1, 500, 600, 3)) == [(3, 2)]


def test_e303_does_not_fire_for_adjacent_or_different_episodes():
    assert _overlaps((1, 1, 1, 10, 20, 2), (1, 1, 1, 20, None, 3)) == []  # half-open: end = next start
    assert _overlaps((1, 1, 1, 10, 20, 2), (2, 1, 1, 15, 30, 3)) == []  # other child
    assert _overlaps((1, 1, 1, 10, 20, 2), (1, 2, 1, 15, 30, 3)) == []  # other care form
    assert _overlaps((1, 1, 1, 10, 20, 2), (1, 1, 2, 15, 30, 3)) == []  # other provider
    assert _overlaps((1, 1, 1, 15, 15, 2), (1, 1, 1, 15, 30, 3)) == []  # an empty interval overlaps nothing at its edge


def test_the_collector_feeds_the_cross_rules():
    validator = rules.RowValidator(EPISODES, LOOKUPS, width=11)
    collector = rules.CrossRowCollector(EPISODES)
    rows = [
        {**EPISODE},
        {**EPISODE, "episode_id": "E2", "start_date": "2024-03-01", "end_date": "", "end_reason": ""},
        {**EPISODE, "episode_id": "E3", "birth_date": "2012-05-18", "care_form": "AMB"},
        {**EPISODE, "episode_id": "E4", "start_date": "2024-03-01", "end_date": "2024-02-01"},  # E205: no overlap check
    ]
    conflicts = []
    for line, cells in enumerate(rows, start=2):
        values, _issues = validator.validate(line, cells, 11)
        conflicts += collector.add(line, values, validator.failed)
    assert collector.overlaps() == [(3, 2)]
    assert [(i.code, i.row, i.field) for i in conflicts] == [("E301", 4, "birth_date")]
    assert collector.duplicate_id_candidates() == set()


# -- rules that need the database or the whole file -------------------------------------------------


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"  # import uploads are private files


def _import(kind: str, content: bytes):
    job = create_job(kind=kind, fileobj=io.BytesIO(content), original_name="test.csv")
    return import_file(job)


def _codes(job) -> list[tuple[str, int | None, str]]:
    return [(i.code, i.row, i.field) for i in job.issues.order_by("row", "id")]


HEADER = "episode_id,bsn,birth_date,sex,municipality,provider,care_form,start_date,end_date,end_reason,referrer\n"
LINE = "E1,{bsn},2012-05-17,V,GM0228,Jeugdzorg De Vallei,RES,{start},{end},,\n"


@pytest.mark.django_db
def test_e302_birth_date_differs_from_the_stored_child(child, bsn):
    job = _import(EPISODES, (HEADER + LINE.format(bsn=bsn, start="2024-01-01", end="").replace("2012-05-17", "2012-05-18")).encode())
    assert _codes(job) == [("E302", 2, "birth_date")]
    job = _import(EPISODES, (HEADER + LINE.format(bsn=bsn, start="2024-01-01", end="")).encode())
    assert job.status == ImportStatus.DONE


@pytest.mark.django_db
def test_e304_overlap_with_a_stored_episode_refuses_and_rolls_back(child, bsn, care_forms, provider):
    from placements.models import Episode

    Episode.objects.create(child=child, care_form=care_forms["RES"], provider=provider, municipality=child.municipality,
                           start_date=dt.date(2023, 1, 1), end_date=dt.date(2024, 3, 1))
    job = _import(EPISODES, (HEADER + LINE.format(bsn=bsn, start="2024-02-01", end="")).encode())
    assert job.status == ImportStatus.REFUSED
    assert _codes(job) == [("E304", 2, "start_date")]
    assert "handmatig geregistreerd" in job.issues.get().message
    assert Episode.objects.count() == 1
    job = _import(EPISODES, (HEADER + LINE.format(bsn=bsn, start="2024-03-01", end="")).encode())
    assert job.status == ImportStatus.DONE and Episode.objects.count() == 2


@pytest.mark.django_db
def test_e304_excludes_the_stored_version_of_the_same_episode(child, bsn, provider):
    assert _import(EPISODES, (HEADER + LINE.format(bsn=bsn, start="2024-01-01", end="2024-06-01")).encode()).status == ImportStatus.DONE
    # The corrected line overlaps its own stored version only: that is a replacement, not an overlap.
    job = _import(EPISODES, (HEADER + LINE.format(bsn=bsn, start="2024-02-01", end="")).encode())
    assert job.status == ImportStatus.DONE and job.updated == 1


@pytest.mark.django_db
def test_stored_birth_date_check_works_in_batches(child, bsn):
    check_ = rules.StoredBirthDateCheck(batch_size=2)
    assert check_.add(pseudonymise(bsn), dt.date(2012, 5, 17), 2) == []
    issues = check_.add(pseudonymise(bsn), dt.date(2012, 5, 18), 3)  # second entry fills the batch
    assert [(i.code, i.row) for i in issues] == [("E302", 3)]
    assert check_.add(pseudonymise(synthetic_bsn(99)), dt.date(2000, 1, 1), 4) == []
    assert check_.flush() == []
    assert Child.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("content", "expected"), [
    (b"", [("F001", None, "")]),
    (HEADER.encode(), [("F001", None, "")]),
    (b"declaratie_id;bsn;bedrag\nD1;1;2\n", [("F002", None, f) for f in
                                             ("episode_id", "birth_date", "municipality", "provider", "care_form", "start_date")]),
    ((HEADER.strip() + ",gemeente\n").encode(), [("F004", None, "municipality")]),
    (HEADER.encode() + b"E1,\x81\x8d,2012-05-17\n", [("F003", None, "")]),
    (HEADER.encode() + b'E1,"' + b"x" * 200_000 + b'"\n', [("F005", None, "")]),
])
def test_file_rules(content, expected):
    job = _import(EPISODES, content)
    assert job.status == ImportStatus.REFUSED
    assert _codes(job) == expected


@pytest.mark.django_db
def test_file_rules_do_not_fire_on_a_good_file(provider, bsn):
    job = _import(EPISODES, (HEADER + LINE.format(bsn=bsn, start="2024-01-01", end="")).encode())
    assert job.status == ImportStatus.DONE and _codes(job) == []


@pytest.mark.django_db
def test_f006_and_e303_through_the_file(provider, bsn):
    lines = [LINE.format(bsn=bsn, start="2024-01-01", end="2024-02-01"),
             LINE.format(bsn=bsn, start="2024-01-01", end="2024-02-01"),  # same id E1: F006, not also E303
             LINE.format(bsn=bsn, start="2024-01-15", end="").replace("E1,", "E3,")]
    job = _import(EPISODES, (HEADER + "".join(lines)).encode())
    assert _codes(job) == [("F006", 3, "episode_id"), ("E303", 4, "start_date")]
    assert "regel 2" in job.issues.get(code="F006").message


def test_a_bsn_in_another_column_is_masked_in_messages():
    # A missing delimiter shifts the BSN into the birth date column: E103 must not echo it.
    issues = check(EPISODES, birth_date=BSN, bsn="")
    assert ("E103", "birth_date") in issues
    validator = rules.RowValidator(EPISODES, LOOKUPS, width=11)
    _values, found = validator.validate(2, {**EPISODE, "birth_date": BSN, "municipality": f"GM {BSN}"}, 11)
    assert found and not [i.message for i in found if BSN in i.message]
    assert any(BSN_MASK in i.message for i in found)
    # Other numbers are echoed as written.
    assert "'20240101'" in validator.validate(2, {**EPISODE, "start_date": "20240101"}, 11)[1][0].message


@pytest.mark.django_db
def test_e304_names_the_stored_episode_by_its_line_id(provider, bsn):
    assert _import(EPISODES, (HEADER + LINE.format(bsn=bsn, start="2024-01-01", end="")).encode()).status == ImportStatus.DONE
    second = HEADER + "X,9,2000-01-01,V,Ede,P,AMB,2024-01-01,,,\n".replace("X,9,", f"X0,{synthetic_bsn(9)},") + \
        LINE.format(bsn=bsn, start="2024-03-01", end="").replace("E1,", "E2,")
    job = _import(EPISODES, second.encode())
    assert _codes(job) == [("E304", 3, "start_date")]
    assert "regel-id E1" in job.issues.get().message
    assert not Child.objects.filter(pseudonym=pseudonymise(synthetic_bsn(9))).exists()  # rolled back
