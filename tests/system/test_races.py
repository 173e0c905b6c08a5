"""Parallel submissions (issue 15, PostgreSQL): six parallel POSTs of one "new episode" form made four identical open
episodes, and a family with one free place took four children from four parallel matches. Real threads, each with
its own database connection, start together at a barrier; the database must let one through and refuse the rest
with a Dutch validation message."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from fostercare import services as foster
from placements.bsn import synthetic_bsn
from placements.models import Episode
from placements.services import child_register, episode_start

pytestmark = [pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]
D = dt.date


def _parallel(n: int, work) -> tuple[int, list[str], list[Exception]]:
    """Run `work(i)` in n threads at once; (successes, Dutch refusals, other errors)."""
    barrier = threading.Barrier(n)
    ok, refused, errors = [], [], []

    def run(i):
        try:
            barrier.wait()
            work(i)
            ok.append(i)
        except ValidationError as exc:
            refused.extend(m for ms in exc.message_dict.values() for m in ms)
        except Exception as exc:  # noqa: BLE001 - a 500 in a view; collected and asserted
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(ok), refused, errors


def test_six_parallel_submissions_of_one_episode_form_make_one_episode(owner, care_forms, provider):
    kid = child_register(user=owner, bsn=synthetic_bsn(9001), birth_date=D(2012, 1, 1), sex="M", label="R-1")[0]
    made, refused, errors = _parallel(6, lambda i: episode_start(user=owner, child=kid, care_form=care_forms["AMB"], provider=provider,
                                                                 start_date=D(2024, 5, 1)))
    assert errors == []
    assert made == 1 and len(refused) == 5 and all("al een traject" in m for m in refused)
    assert Episode.objects.filter(child=kid, end_date__isnull=True).count() == 1


def test_a_family_with_one_free_place_takes_one_child_from_four_parallel_matches(owner, foster_provider, ede, care_forms):
    fam = foster.family_register(user=None, provider=foster_provider, reference="R-PG", municipality=ede, kind="bestand", places=1,
                                 age_min=0, age_max=17, siblings_together=False, status="goedgekeurd", status_since=D(2019, 1, 1))
    kids = [child_register(user=owner, bsn=synthetic_bsn(9100 + i), birth_date=D(2012, 1, 1), sex="V", label=f"R-{i}")[0] for i in range(4)]
    made, refused, errors = _parallel(4, lambda i: foster.match_record(user=owner, child=kids[i], family=fam, start_date=D(2024, 5, 1)))
    assert errors == []
    assert made == 1 and len(refused) == 3
    assert fam.placements.count() == 1


def test_a_double_click_on_a_create_form_makes_one_record(owner):
    """Two parallel POSTs of one "open a case" form with its one-time token (core.submissions): one case, no 500."""
    import re

    from django.test import Client

    from casework.models import ThreatCase
    from core.submissions import FIELD

    kid = child_register(user=owner, bsn=synthetic_bsn(9200), birth_date=D(2012, 1, 1), sex="V", label="R-DC")[0]
    browser = Client()
    browser.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    page = browser.get(f"/casework/nieuw/?kind={kid.pk}").content.decode()
    token = re.search(rf'name="{FIELD}" value="([0-9a-f]{{32}})"', page).group(1)
    form = {"child": kid.pk, "opened_on": "2024-01-06", "signaller": "school", "concerns": ["veiligheid"],
            "child_view": "", "parents_view": "", FIELD: token}
    statuses = []

    def post(i):
        client = Client()
        client.cookies = browser.cookies  # the same browser session, two requests at once
        statuses.append(client.post("/casework/nieuw/", form).status_code)

    made, refused, errors = _parallel(2, post)
    assert errors == [] and made == 2
    assert sorted(statuses) == [302, 302]
    assert ThreatCase.objects.filter(child=kid).count() == 1
