"""factory-boy factories for the public seminar (seminar/)."""

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from seminar.models import Registration, Seminar

from . import factories as f


class SeminarFactory(DjangoModelFactory):
    """A seminar of a province, a month from now, registration open."""

    class Meta:
        model = Seminar

    province = factory.SubFactory(f.ProvinceFactory)
    slug = factory.Sequence(lambda n: f"seminario-{n}")
    title = "La condizione delle famiglie immigrate"
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + timedelta(days=30))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=4))
    place = "Sala Maffei, Camera di Commercio"
    address = "Piazza Stradivari 5, Cremona"
    programme = "9:30 Accoglienza\n10:00 Interventi"
    speakers = "Dott.ssa Anna Rossi"
    accessibility = "Sala accessibile in sedia a rotelle; interpretariato LIS su richiesta."
    capacity = 50


class RegistrationFactory(DjangoModelFactory):
    """A confirmed registration (it takes a place)."""

    class Meta:
        model = Registration

    seminar = factory.SubFactory(SeminarFactory)
    name = factory.Sequence(lambda n: f"Persona {n:03d}")
    email = factory.Sequence(lambda n: f"persona{n}@example.org")
    organisation = "Comune di Cremona"
    role = Registration.Role.SOCIAL_WORKER
    status = Registration.Status.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)
