"""factory-boy factories for the mini-guide (guide/)."""

from datetime import date, time

import factory
from factory.django import DjangoModelFactory

from accounts.models import Role
from accounts.scoping import Actor
from guide import services
from guide.models import (
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    TaxonomyTerm,
)

from . import factories as f

ADMIN = Actor(user=None, role=Role.ADMINISTRATOR)


def category(code: str = "salute") -> TaxonomyTerm:
    found = TaxonomyTerm.objects.filter(code=code).first()
    if found is None:
        # A test that emptied the database (a shared world, a transactional test) took the seeded categories with it.
        services.reference_data_seed()
        found = TaxonomyTerm.objects.get(code=code)
    return found


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    province = factory.SubFactory(f.ProvinceFactory)
    name = factory.Sequence(lambda n: f"ASST di prova {n}")


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = Service

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Consultorio familiare {n}")
    description = "Sostegno a gravidanza, genitori e coppie. Colloqui gratuiti su appuntamento."
    fees_description = "Gratuito"
    category = factory.LazyFunction(lambda: category("consultorio-familiare"))


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = Location

    organization = factory.SubFactory(OrganizationFactory)
    address_1 = factory.Sequence(lambda n: f"Via Dante {n}")
    city = "Cremona"
    postal_code = "26100"
    state_province = "CR"


class EntryFactory(DjangoModelFactory):
    """An entry (service at a location) of a district, in draft, with one phone, one opening and two languages."""

    class Meta:
        model = ServiceAtLocation
        skip_postgeneration_save = True

    district = factory.SubFactory(f.DistrictFactory)
    province = factory.SelfAttribute("district.province")
    service = factory.SubFactory(ServiceFactory, organization__province=factory.SelfAttribute("...province"))
    location = factory.SubFactory(LocationFactory, organization=factory.SelfAttribute("..service.organization"))
    assured_date = date(2026, 3, 1)

    @factory.post_generation
    def children(self, create, extracted, **kwargs):
        if not create:
            return
        Phone.objects.create(entry=self, number="+39 0372 555 0101")
        Schedule.objects.create(entry=self, byday="MO,WE,FR", opens_at=time(9), closes_at=time(12, 30))
        for code in ("ita", "ara"):
            ServiceLanguage.objects.create(entry=self, code=code)


def published_entry(**kwargs) -> ServiceAtLocation:
    return services.entry_publish(actor=ADMIN, entry=EntryFactory(**kwargs))


def entry_fields(entry: ServiceAtLocation | None = None, **changes) -> dict:
    """The form's fields of an entry (or of a new one), with ``changes``."""
    fields = {
        "organization": "ASST di Cremona",
        "name": "Consultorio familiare di Cremona",
        "alternate_name": "",
        "description": "Sostegno a gravidanza, genitori e coppie.",
        "url": "",
        "email": "",
        "status": "active",
        "fees_description": "Gratuito",
        "eligibility_description": "",
        "application_process": "Su appuntamento",
        "category": category("consultorio-familiare"),
        "address_1": "Via Belgiardino 8",
        "city": "Cremona",
        "postal_code": "26100",
        "state_province": "CR",
        "accessibility": "",
        "transportation": "",
    }
    if entry is not None:
        state = services.entry_state(entry)
        fields.update({key: state[key] for key in fields if key in state and key != "category"})
        fields["category"] = entry.service.category
    fields.update(changes)
    return fields
