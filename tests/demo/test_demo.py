"""The demo generator: determinism, invariants, calibration of the Food Valley build (domain.md), larger
builds over several regions, and the demo users."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.urls import reverse

from accounts.models import Role, User
from demo.region import (
    DEMO_BSN_OFFSET,
    DemoOptions,
    Pseudonymiser,
    build_demo,
    demo_data_exists,
    month_end,
    reset_demo,
)
from placements.bsn import pseudonymise, synthetic_bsn
from placements.models import CareForm, Child, Declaration, Episode, Municipality, Provider, YouthPopulation

DATA_DATE = dt.date(2026, 10, 31)  # the data date of a build in November 2026
RESIDENTIAL = Q(care_form__with_stay=True, care_form__rung__gte=5)
FOSTER = Q(care_form__code__in=["PLZ", "NPZ"])


def stock(day: dt.date, group: Q, *, under: int | None = None) -> int:
    """Distinct children with an episode of the group active on `day` (start <= day < end): one query."""
    qs = Episode.objects.filter(group, start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
    if under is not None:  # age in full years on `day` below `under`
        qs = qs.filter(child__birth_date__gt=dt.date(day.year - under, day.month, day.day))
    return qs.values("child_id").distinct().count()


def monthly_cost(year: int, month: int, group: Q) -> Decimal:
    first, last = dt.date(year, month, 1), month_end(year, month)
    return Declaration.objects.filter(group, period_start__gte=first, period_start__lte=last).aggregate(s=Sum("amount"))["s"] or Decimal(0)


def small(**kwargs) -> DemoOptions:
    defaults = {"children": 300, "from_year": 2019, "until": dt.date(2020, 12, 31), "seed": 11, "chunk_size": 120}
    return DemoOptions(**(defaults | kwargs))


def clean_slate():
    if demo_data_exists():  # the Food Valley build of this module may exist (rolled back after the test)
        reset_demo()


# --- small builds (each test runs in its own transaction) -------------------------------------------------------

@pytest.mark.django_db
def test_the_fast_pseudonyms_are_those_of_pseudonymise():
    fast = Pseudonymiser()
    for n in (0, 1, 12345, DEMO_BSN_OFFSET, DEMO_BSN_OFFSET + 999_999):
        assert fast(n) == pseudonymise(synthetic_bsn(n))


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data():
    clean_slate()

    def snapshot():
        return (
            Child.objects.count(), Episode.objects.count(), Declaration.objects.count(),
            list(Child.objects.order_by("id").values_list("pseudonym", "birth_date", "sex", "label")[:5]),
            list(Episode.objects.order_by("id").values_list("care_form__code", "start_date", "end_date", "end_reason")[:20]),
            list(Declaration.objects.order_by("id").values_list("source_id", "amount", "period_start")[:20]),
            Declaration.objects.aggregate(s=Sum("amount"))["s"],
        )

    first = build_demo(small())
    one = snapshot()
    reset_demo()
    second = build_demo(small())
    two = snapshot()
    assert (first.children, first.episodes, first.declarations) == (second.children, second.episodes, second.declarations)
    # ids differ after a reset, the content does not (source ids continue only when old ones remain)
    assert one[:5] == two[:5]
    assert [a for _, a, _ in one[5]] == [a for _, a, _ in two[5]]
    assert one[6] == two[6]
    assert one[3][0][0] == pseudonymise(synthetic_bsn(DEMO_BSN_OFFSET))
    reset_demo()
    build_demo(small(seed=12))
    assert snapshot()[3] != one[3]


@pytest.mark.django_db
def test_a_second_build_without_reset_is_refused():
    clean_slate()
    build_demo(small(children=20))
    with pytest.raises(RuntimeError, match="--reset"):
        build_demo(small(children=20))
    with pytest.raises(CommandError, match="--reset"):
        call_command("demo_region", "--children", "20", "--until", "2020-12", "--from-year", "2020", stderr=io.StringIO())
    out = io.StringIO()
    call_command("demo_region", "--if-missing", "--children", "20", stdout=out, stderr=io.StringIO())
    assert "niets gedaan" in out.getvalue()
    assert Child.objects.count() == 20
    assert reset_demo() == 20
    assert not demo_data_exists()


@pytest.mark.django_db
def test_invariants_of_a_small_build():
    clean_slate()
    result = build_demo(small(children=400))
    assert result.children == Child.objects.count() == 400
    data_date = dt.date(2020, 12, 31)
    episodes = Episode.objects.all()
    assert episodes.count() == result.episodes > 400
    # end >= start, nothing in the future, nothing only before the window
    assert not episodes.filter(end_date__lt=F("start_date")).exists()
    assert not episodes.filter(Q(start_date__gt=data_date) | Q(end_date__gt=data_date)).exists()
    assert not episodes.filter(end_date__lte=dt.date(2019, 1, 1)).exists()
    assert not episodes.filter(start_date__lt=F("child__birth_date")).exists()
    # open episodes have no end reason, closed ones have one
    assert episodes.filter(end_date__isnull=True).exists()
    assert not episodes.filter(end_date__isnull=True).exclude(end_reason="").exists()
    assert not episodes.filter(end_date__isnull=False, end_reason="").exists()
    # no overlapping episodes of the same form at the same provider for a child
    rows = sorted(episodes.values_list("child_id", "care_form_id", "provider_id", "start_date", "end_date"))
    for prev, cur in zip(rows, rows[1:], strict=False):
        if prev[:3] == cur[:3]:
            assert prev[4] is not None and prev[4] <= cur[3], (prev, cur)
    # references: Food Valley only, demo providers, every child in the municipality of its latest episode
    fv = set(Municipality.objects.filter(region__name="Food Valley").values_list("id", flat=True))
    assert set(episodes.values_list("municipality_id", flat=True)) <= fv
    assert Provider.objects.filter(agb_code__regex=r"^\d{8}$").count() >= 15
    for child in Child.objects.all()[:50]:
        latest = child.episodes.order_by("-start_date", F("end_date").desc(nulls_first=True)).first()
        assert child.municipality_id == latest.municipality_id
    assert Child.objects.filter(label__regex=r"^FV-\d{6}$").count() == 400
    # declarations: unique ids, periods inside the window and (stays) inside one month, corrections reverse a line
    decl = Declaration.objects.all()
    assert decl.count() == result.declarations
    assert decl.values("source_id").distinct().count() == decl.count()
    assert not decl.filter(Q(period_start__lt=dt.date(2019, 1, 1)) | Q(period_end__gt=data_date)).exists()
    assert not decl.filter(period_end__lt=F("period_start")).exists()
    stays = decl.filter(care_form__with_stay=True)
    assert not stays.exclude(period_start__year=F("period_end__year"), period_start__month=F("period_end__month")).exists()
    assert not decl.filter(care_form__code="WIJK").exists()
    for negative in decl.filter(amount__lt=0)[:10]:
        assert decl.filter(child_id=negative.child_id, period_start=negative.period_start, amount=-negative.amount).exists()


@pytest.mark.django_db
def test_a_larger_build_spreads_over_several_regions():
    clean_slate()
    out = io.StringIO()
    call_command("demo_region", "--children", "600", "--regions", "4", "--from-year", "2024", "--until", "2025-06",
                 "--no-declarations", "--seed", "5", stdout=out, stderr=io.StringIO())
    assert "600 kinderen" in out.getvalue()
    regions = set(Child.objects.values_list("municipality__region__name", flat=True))
    assert "Food Valley" in regions and len(regions) >= 3
    assert Child.objects.filter(label__startswith="NL-").count() == 600
    assert Declaration.objects.count() == 0
    assert not Episode.objects.filter(Q(start_date__gt=dt.date(2025, 6, 30)) | Q(end_date__gt=dt.date(2025, 6, 30))).exists()


@pytest.mark.django_db
def test_all_regions_use_all_municipalities_weighted_by_size():
    clean_slate()
    build_demo(small(children=3000, regions="all", from_year=2025, until=dt.date(2025, 3, 31), declarations=False, chunk_size=3000))
    by_muni = dict(Child.objects.values_list("municipality__name").annotate(n=Count("id")))
    assert len(by_muni) > 200
    assert by_muni["Amsterdam"] > 5 * by_muni.get("Renswoude", 0)


@pytest.mark.django_db
def test_bad_options_are_refused():
    with pytest.raises(CommandError, match="JJJJ-MM"):
        call_command("demo_region", "--until", "2020-13", stderr=io.StringIO())
    with pytest.raises(CommandError, match="Onbekende jeugdregio"):
        call_command("demo_region", "--regions", "Atlantis", "--children", "5", stderr=io.StringIO())
    with pytest.raises(CommandError, match="toekomst"):
        call_command("demo_region", "--until", "2099-01", "--children", "5", stderr=io.StringIO())


# --- the demo users ------------------------------------------------------------------------------------------

def log_in(client, username: str, password: str) -> bool:
    """A real login through the login page (with django-axes in the chain)."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


@pytest.mark.django_db
def test_demo_users_are_printed_and_can_log_in(client, monkeypatch, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast hashing for this test
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    from placements.models import Region

    User.objects.create(username="ret.voorzitter", role=Role.RET, is_ret_chair=True, region=Region.objects.get(name="Food Valley"))
    out, err = io.StringIO(), io.StringIO()
    call_command("demo_users", stdout=out, stderr=err)
    text = out.getvalue()
    assert "ret.voorzitter" in text and "(voorzitter)" in text  # made by demo_casework: listed with the others
    for name in ("wijkteam.ede", "wijkteam.ede2", "wijkteam.veenendaal", "wijkteam.barneveld", "wijkteam.nijkerk",
                 "wijkteam.rhenen", "wijkteam.scherpenzeel", "wijkteam.renswoude", "projectteam", "beheerder"):
        assert name in text
    assert "Foodvalley-demo-2026" in text
    assert "demo-accounts" in err.getvalue()
    ede2 = User.objects.get(username="wijkteam.ede2")
    assert ede2.role == Role.WIJKTEAM and ede2.municipality.cbs_code == "GM0228" and ede2.region.name == "Food Valley"
    assert User.objects.get(username="projectteam").region.name == "Food Valley"
    admin = User.objects.get(username="beheerder")
    assert admin.is_staff and admin.is_superuser and admin.role == Role.ADMIN
    assert log_in(client, "wijkteam.ede", "Foodvalley-demo-2026")
    client.logout()
    assert log_in(client, "beheerder", "Foodvalley-demo-2026")
    client.logout()
    assert log_in(client, "ret.voorzitter", "Foodvalley-demo-2026")
    client.logout()
    assert not log_in(client, "projectteam", "verkeerd-wachtwoord-123")

    # Run again with another password: users are not duplicated, passwords are reset.
    monkeypatch.setenv("DEMO_PASSWORD", "Een-ander-demowachtwoord-7")
    call_command("demo_users", stdout=io.StringIO(), stderr=io.StringIO())
    assert User.objects.filter(username__startswith="wijkteam.").count() == 8
    assert log_in(client, "projectteam", "Een-ander-demowachtwoord-7")

    monkeypatch.setenv("DEMO_PASSWORD", "kort")
    with pytest.raises(CommandError, match="wachtwoordeisen"):
        call_command("demo_users", stdout=io.StringIO(), stderr=io.StringIO())


# --- the real Food Valley build (built once for the calibration tests below) ----------------------------------

@pytest.fixture(scope="module")
def foodvalley_demo(django_db_setup, django_db_blocker):
    """Built once inside a transaction that is rolled back after the module (each test is a savepoint in it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("demo_region", "--until", "2026-10", stdout=out, stderr=io.StringIO())
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_foodvalley_build_is_food_valley_only(foodvalley_demo):
    assert "in 7 gemeenten" in foodvalley_demo
    assert set(Child.objects.values_list("municipality__region__name", flat=True).distinct()) == {"Food Valley"}
    assert YouthPopulation.objects.filter(municipality__region__name="Food Valley").count() == 210
    assert Child.objects.filter(label="FV-000001").exists()
    assert not Episode.objects.filter(Q(start_date__gt=DATA_DATE) | Q(end_date__gt=DATA_DATE)).exists()
    assert Episode.objects.filter(end_date__isnull=True).count() > 1000


@pytest.mark.django_db
def test_residential_stock_in_2019_and_2020(foodvalley_demo):
    for day in (dt.date(2019, 12, 31), dt.date(2020, 6, 30)):
        assert 180 <= stock(day, RESIDENTIAL) <= 270, day
        assert 25 <= stock(day, RESIDENTIAL, under=12) <= 55, day


@pytest.mark.django_db
def test_residential_stock_falls_and_foster_care_stays(foodvalley_demo):
    assert 120 <= stock(DATA_DATE, RESIDENTIAL) <= 180
    assert stock(DATA_DATE, RESIDENTIAL) < stock(dt.date(2020, 6, 30), RESIDENTIAL) - 30
    assert 330 <= stock(DATA_DATE, FOSTER) <= 440
    assert 330 <= stock(dt.date(2020, 6, 30), FOSTER) <= 440
    assert 35 <= stock(DATA_DATE, Q(care_form__code="GZH")) <= 90


@pytest.mark.django_db
def test_monthly_residential_cost_in_2020(foodvalley_demo):
    for month in range(1, 13):
        assert Decimal("1300000") <= monthly_cost(2020, month, RESIDENTIAL) <= Decimal("1900000"), month


@pytest.mark.django_db
def test_yearly_volumes_and_patterns(foodvalley_demo):
    year_start, year_end = dt.date(2020, 1, 1), dt.date(2020, 12, 31)
    in_year = Episode.objects.filter(start_date__lte=year_end).filter(Q(end_date__isnull=True) | Q(end_date__gt=year_start))
    assert 7000 <= in_year.values("child_id").distinct().count() <= 9000
    with_stay = in_year.filter(care_form__with_stay=True)
    stay_children = with_stay.values("child_id").distinct().count()
    assert 700 <= stay_children <= 1050
    closed = with_stay.filter(care_form__code="JZP").values("child_id").distinct().count()
    assert closed < 0.03 * stay_children
    placements = Episode.objects.filter(care_form__with_stay=True).exclude(care_form__code="LOG")
    court = placements.filter(legal_framework__in=["ots", "voogdij"], referrer="04").count() / placements.count()
    assert 0.38 <= court <= 0.52
    # breakdowns, provider moves, municipality moves and returns home all occur
    assert Episode.objects.filter(FOSTER, end_reason__in=["32", "33"]).count() > 100
    assert Episode.objects.filter(care_form__code="RES", end_reason="38").count() > 50
    assert Episode.objects.filter(care_form__with_stay=True, end_reason="35").exists()
    assert Episode.objects.filter(care_form__with_stay=True, end_reason="31").count() > 500
    # some residential children came from foster care; some 18+ youths went to supported living
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT COUNT(DISTINCT r.child_id) FROM placements_episode r JOIN placements_careform rf ON rf.id = r.care_form_id
               JOIN placements_episode f ON f.child_id = r.child_id AND f.start_date < r.start_date
               JOIN placements_careform ff ON ff.id = f.care_form_id
               WHERE rf.code = 'RES' AND ff.code IN ('PLZ', 'NPZ')"""
        )
        assert cursor.fetchone()[0] > 50
    assert Episode.objects.filter(care_form__code="BW18").count() > 50
    assert CareForm.objects.get(code="BW18").episodes.filter(child__birth_date__gt=F("start_date") - dt.timedelta(days=int(17 * 365.25))).count() == 0
