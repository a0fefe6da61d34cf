"""Two coordinators of one district take its last place at the same moment: one of them only (PostgreSQL: the
course's row is locked while the places are counted)."""

import threading

import pytest
from django.db import connection

from accounts.scoping import actor_for
from core.errors import DomainError
from training import services
from training.models import Nomination

from . import factories as f
from .training_factories import course_with_sessions


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_at_once_cannot_exceed_the_districts_places():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one transaction at a time: the race needs PostgreSQL")
    district = f.DistrictFactory()
    office = f.OfficeFactory(district=district)
    course = course_with_sessions(district.province, places_per_district=1)
    coordinators = [f.coordinator(district=district) for _ in range(2)]
    workers = [f.social_worker(office=office) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def nominate(coordinator, worker):
        from django.db import connections

        try:
            actor = actor_for(coordinator)
            barrier.wait()
            services.nominate(actor=actor, course=course, district=district, user=worker)
            outcomes.append("nominated")
        except DomainError as exc:
            outcomes.append(str(exc.message))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=nominate, args=pair) for pair in zip(coordinators, workers, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[-1] == "nominated" and "posti" in sorted(outcomes)[0]
    assert Nomination.objects.filter(course=course, district=district).count() == 1
