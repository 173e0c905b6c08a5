"""Scoped reads: who sees which child, BSN and label search, and the start-page figures."""
import datetime as dt

import pytest
from django.utils import timezone

from placements import selectors
from placements.bsn import synthetic_bsn
from placements.models import Episode
from placements.services import child_register, episode_start

D = dt.date
BIRTH = D(2012, 5, 17)
START = D(2024, 3, 1)


def register(user, n, label="", birth=BIRTH):
    child, _ = child_register(user=user, bsn=synthetic_bsn(n), birth_date=birth, sex="M", label=label)
    return child


def start(user, child, form, provider, day=START, municipality=None):
    return episode_start(user=user, child=child, care_form=form, provider=provider, start_date=day, municipality=municipality,
                         allow_without_checklist=True)


# --- scope -------------------------------------------------------------------------------------


def test_owner_and_colleague_see_the_child_of_their_municipality(owner, colleague, child):
    assert list(selectors.child_scope(user=owner)) == [child]
    assert list(selectors.child_scope(user=colleague)) == [child]
    assert selectors.child_get(user=colleague, pk=child.pk) == child


def test_an_outsider_does_not_see_the_child(outsider, child):
    assert not selectors.child_scope(user=outsider).exists()
    assert selectors.child_get(user=outsider, pk=child.pk) is None
    assert not selectors.child_list(user=outsider).exists()


@pytest.mark.parametrize("who", ["project_user", "admin_user"])
def test_project_team_and_administrators_see_no_children(request, who, child):
    user = request.getfixturevalue(who)
    assert not selectors.child_scope(user=user).exists()
    assert selectors.child_get(user=user, pk=child.pk) is None
    assert not selectors.can_see_children(user=user)


def test_a_wijkteam_worker_without_municipality_sees_nothing(owner, child):
    owner.municipality = None
    assert not selectors.child_scope(user=owner).exists()


def test_episodes_are_scoped_through_their_child(owner, outsider, colleague, child, provider, care_forms):
    episode = start(owner, child, care_forms["PLZ"], provider)
    assert selectors.episode_get(user=colleague, pk=episode.pk) == episode
    assert selectors.episode_get(user=outsider, pk=episode.pk) is None


def test_an_episode_paid_by_another_municipality_stays_with_the_childs_municipality(owner, outsider, veenendaal, child, provider, care_forms):
    episode = start(owner, child, care_forms["PLZ"], provider, municipality=veenendaal)
    assert selectors.episode_get(user=owner, pk=episode.pk) == episode
    assert selectors.episode_get(user=outsider, pk=episode.pk) is None


# --- search ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, kind",
    [
        ("", "list"),
        ("   ", "list"),
        ("111222333", "bsn"),
        ("111 222 333", "bsn"),
        ("12345672", "bsn"),  # 8 digits, padded
        ("123456789", "invalid_bsn"),
        ("000000000", "invalid_bsn"),
        ("1234567", "invalid_bsn"),
        ("1112223334", "invalid_bsn"),
        ("AB-1001", "label"),
        ("123", "label"),
        ("11122233a", "label"),
    ],
)
def test_it_classifies_a_query(query, kind):
    assert selectors.classify_query(query) == kind


def test_it_finds_a_child_by_bsn(owner, child, bsn):
    other = register(owner, 2, label="XY-2")
    assert list(selectors.child_list(user=owner, query=bsn)) == [child]
    spaced = f"{bsn[:3]} {bsn[3:6]} {bsn[6:]}"
    assert list(selectors.child_list(user=owner, query=spaced)) == [child]
    assert other not in selectors.child_list(user=owner, query=bsn)


def test_it_does_not_find_a_child_of_another_municipality_by_bsn(outsider, child, bsn):
    assert not selectors.child_list(user=outsider, query=bsn).exists()


def test_an_invalid_bsn_finds_nothing(owner, child):
    register(owner, 5, label="123456789")  # even a label that equals the query is not matched
    assert not selectors.child_list(user=owner, query="123456789").exists()


def test_it_finds_children_by_label_fragment_case_insensitively(owner, child):
    other = register(owner, 2, label="CD-2002")
    assert list(selectors.child_list(user=owner, query="ab-10")) == [child]
    assert set(selectors.child_list(user=owner, query="-")) == {child, other}


def test_the_list_counts_episodes_and_open_ones(owner, child, provider, care_forms):
    start(owner, child, care_forms["AMB"], provider, day=D(2020, 1, 1))
    first = Episode.objects.get()
    first.end_date = D(2021, 1, 1)
    first.save()
    start(owner, child, care_forms["PLZ"], provider, day=D(2021, 1, 1))
    row = selectors.child_list(user=owner).get()
    assert (row.episode_count, row.open_count, row.last_start) == (2, 1, D(2021, 1, 1))


def test_the_list_is_newest_first(owner, child):
    second = register(owner, 2)
    assert list(selectors.child_list(user=owner)) == [second, child]


def test_the_audit_reference_of_any_child_is_its_reference(child):
    assert selectors.child_ref_for_audit(pk=child.pk) == child.reference
    assert "onbekend" in selectors.child_ref_for_audit(pk=999999)


# --- start-page figures ------------------------------------------------------------------------


def test_municipality_summary_counts_children_in_care_and_open_stays(owner, outsider, child, provider, care_forms):
    today = timezone.localdate()
    b = register(owner, 2)
    c = register(owner, 3)
    start(owner, child, care_forms["PLZ"], provider)  # open stay
    start(owner, child, care_forms["AMB"], provider)  # open, no stay; same child
    start(owner, b, care_forms["RES"], provider)
    ep = Episode.objects.get(child=b)
    ep.end_date = D(2024, 6, 1)  # ended: not in care now
    ep.save()
    start(owner, c, care_forms["JIM"], provider, day=today - dt.timedelta(days=2))
    v = register(outsider, 4)
    start(outsider, v, care_forms["RES"], provider)  # other municipality: not counted
    assert selectors.municipality_summary(user=owner) == {"registered": 3, "in_care": 2, "open_stays": 1}


def _stock(rows):
    return {r.municipality.cbs_code: (r.stay, r.family_based, r.residential) for r in rows}


def test_region_stock_counts_distinct_children_per_group_in_one_query(
    owner, outsider, project_user, provider, care_forms, django_assert_num_queries,
):
    # Ede: 3 in foster care, 1 in foster and network foster care (counts once), 1 residential,
    # 1 closed, 1 ambulant only (no stay), 1 residential that ended (not counted).
    kids = [register(owner, 10 + i) for i in range(8)]
    for k in kids[:3]:
        start(owner, k, care_forms["PLZ"], provider)
    start(owner, kids[3], care_forms["PLZ"], provider)
    start(owner, kids[3], care_forms["NPZ"], provider)
    start(owner, kids[4], care_forms["RES"], provider)
    start(owner, kids[5], care_forms["JZP"], provider)
    start(owner, kids[6], care_forms["AMB"], provider)
    ended = start(owner, kids[7], care_forms["RES"], provider)
    ended.end_date = D(2024, 4, 1)
    ended.save()
    # Veenendaal: one child in a family home.
    start(outsider, register(outsider, 30), care_forms["GZH"], provider)
    with django_assert_num_queries(2):  # the region's municipalities + one aggregate
        rows = selectors.region_stock_now(user=project_user)
    stock = _stock(rows)
    assert len(rows) == 7
    assert stock["GM0228"] == (6, 4, 2)  # stay: kids 0-5; family: 0-3; residential: 4, 5
    assert stock["GM0345"] == (1, 1, 0)
    assert stock["GM0339"] == (0, 0, 0)


def test_region_stock_counts_at_the_responsible_municipality_and_on_the_given_day(
    owner, project_user, veenendaal, provider, care_forms,
):
    k = register(owner, 40)
    start(owner, k, care_forms["RES"], provider, day=D(2024, 3, 1), municipality=veenendaal)
    assert _stock(selectors.region_stock_now(user=project_user))["GM0345"] == (1, 0, 1)
    assert _stock(selectors.region_stock_now(user=project_user))["GM0228"] == (0, 0, 0)
    # Half-open: not yet active on the day before the start, active on the start day.
    assert _stock(selectors.region_stock_now(user=project_user, day=D(2024, 2, 29)))["GM0345"] == (0, 0, 0)
    assert _stock(selectors.region_stock_now(user=project_user, day=D(2024, 3, 1)))["GM0345"] == (1, 0, 1)


def test_region_stock_is_empty_without_a_region(admin_user):
    assert selectors.region_stock_now(user=admin_user) == []


def test_admin_counts(owner, child, provider, care_forms):
    start(owner, child, care_forms["PLZ"], provider)
    counts = selectors.admin_counts()
    assert counts["municipalities"] == 342
    assert counts["care_forms"] == 15
    assert (counts["children"], counts["episodes"], counts["declarations"]) == (1, 1, 0)


def test_a_page_of_the_list_counts_plainly_and_summarises_only_its_own_rows(owner, outsider, child, provider, care_forms,
                                                                           django_assert_max_num_queries):
    start(owner, child, care_forms["AMB"], provider, day=D(2020, 1, 1))
    start(owner, child, care_forms["PLZ"], provider, day=D(2021, 1, 1))
    others = [register(owner, 10 + i, label=f"P-{i}") for i in range(6)]  # newest last
    register(outsider, 99)  # another municipality: never counted
    with django_assert_max_num_queries(3):  # count, the page's ids, the page's summaries
        page = selectors.child_list_page(user=owner, number=2, per_page=3)
        rows = list(page.object_list)
    assert page.paginator.count == 7 and page.paginator.num_pages == 3
    assert rows == [others[2], others[1], others[0]]  # newest first, second page
    last = selectors.child_list_page(user=owner, number=3, per_page=3).object_list
    assert last == [child] and (last[0].episode_count, last[0].open_count, last[0].open_rung) == (2, 2, care_forms["PLZ"].rung)
    assert [c.label for c in selectors.child_list_page(user=owner, query="p-4", per_page=3).object_list] == ["P-4"]
    assert selectors.child_list_page(user=outsider, per_page=3).paginator.count == 1
    assert selectors.child_list_page(user=owner, number="999", per_page=3).number == 3  # out of range: the last page


@pytest.mark.parametrize("written", ["{b} 12 jaar", "{b4}/{r}", "{b4}\u00a0{r}", "{b4}\u2013{r}", "dossier {b}"])
def test_a_query_holding_a_bsn_however_written_is_never_a_label_search(written, bsn):
    query = written.format(b=bsn, b4=bsn[:4], r=bsn[4:])
    # searched as the BSN it is (a no-break space is a space) or not at all; never a label search shown back
    assert selectors.classify_query(query) in (selectors.QUERY_BSN, selectors.QUERY_INVALID_BSN)


def test_a_bsn_in_full_width_digits_is_searched_as_a_bsn(owner, child, bsn):
    wide = bsn.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert selectors.classify_query(wide) == selectors.QUERY_BSN
    assert list(selectors.child_search(user=owner, query=wide)) == [child]
