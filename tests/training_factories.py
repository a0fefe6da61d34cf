"""factory-boy factories and small builders for the training course (training/)."""

from datetime import datetime, timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Role
from accounts.scoping import Actor
from training.models import Course, Nomination, Session

from . import factories as f

ADMIN = Actor(user=None, role=Role.ADMINISTRATOR)


class CourseFactory(DjangoModelFactory):
    class Meta:
        model = Course

    province = factory.SubFactory(f.ProvinceFactory)
    title = "Famiglie immigrate e modelli familiari"
    places_per_district = 3
    threshold_percent = 75
    signed_by = "La dirigente del Settore Politiche Sociali"


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = Session

    course = factory.SubFactory(CourseFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=4))
    place = "Sala Maffei, via Dante 134, Cremona"
    trainer = "Dott.ssa Anna Verdi"
    hours = Decimal("4.0")


class NominationFactory(DjangoModelFactory):
    class Meta:
        model = Nomination

    course = factory.SubFactory(CourseFactory)
    district = factory.LazyAttribute(lambda o: f.DistrictFactory(province=o.course.province))
    full_name = factory.Sequence(lambda n: f"Persona Formata {n}")
    organisation = "Comune"
    email = factory.Sequence(lambda n: f"formata{n}@example.org")
    kind = Nomination.Kind.OTHER
    status = Nomination.Status.CONFIRMED


def course_with_sessions(province, *, hours=(4, 4, 4, 4), start: datetime | None = None, **fields) -> Course:
    """A course of one session a week, each of the given hours, the first at ``start`` (a week ago by default)."""
    course = CourseFactory(province=province, **fields)
    start = start or timezone.now() - timedelta(days=28)
    for i, h in enumerate(hours):
        at = start + timedelta(days=7 * i)
        SessionFactory(course=course, starts_at=at, ends_at=at + timedelta(hours=h), hours=Decimal(h))
    return course
