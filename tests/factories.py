"""factory-boy factories for organisations, users and roles."""

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import District, Funder, Invitation, Membership, Office, Provider, Province, Role, User

PASSWORD = "una-password-sicura-2026"


class ProvinceFactory(DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Provincia {n}")
    slug = factory.Sequence(lambda n: f"provincia-{n}")


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District

    province = factory.SubFactory(ProvinceFactory)
    name = factory.Sequence(lambda n: f"Ambito {n}")
    managing_body = factory.LazyAttribute(lambda d: f"Azienda Sociale {d.name}")


class OfficeFactory(DjangoModelFactory):
    class Meta:
        model = Office

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Servizio Tutela Minori {n}")
    kind = Office.Kind.CHILD_PROTECTION


class ProviderFactory(DjangoModelFactory):
    class Meta:
        model = Provider

    province = factory.SubFactory(ProvinceFactory)
    name = factory.Sequence(lambda n: f"Cooperativa {n}")


class FunderFactory(DjangoModelFactory):
    class Meta:
        model = Funder
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"ATS {n}")

    @factory.post_generation
    def provinces(self, create, extracted, **kwargs):
        if create and extracted:
            self.provinces.set(extracted)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persona{n}@example.org")
    first_name = factory.Faker("first_name", locale="it_IT")
    last_name = factory.Faker("last_name", locale="it_IT")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    role = Role.SOCIAL_WORKER
    office = factory.SubFactory(OfficeFactory)

    @factory.post_generation
    def districts(self, create, extracted, **kwargs):
        if create and extracted:
            self.districts.set(extracted)


def social_worker(office=None, **user_fields) -> User:
    return MembershipFactory(user=UserFactory(**user_fields), office=office or OfficeFactory()).user


def coordinator(district=None, **user_fields) -> User:
    return MembershipFactory(
        user=UserFactory(**user_fields), role=Role.COORDINATOR, office=None, district=district or DistrictFactory()
    ).user


def mediator(provider=None, districts=None, **user_fields) -> User:
    provider = provider or ProviderFactory()
    districts = districts or [DistrictFactory(province=provider.province)]
    return MembershipFactory(
        user=UserFactory(**user_fields), role=Role.MEDIATOR, office=None, provider=provider, districts=districts
    ).user


def province_staff(province=None, **user_fields) -> User:
    return MembershipFactory(
        user=UserFactory(**user_fields), role=Role.PROVINCE_STAFF, office=None, province=province or ProvinceFactory()
    ).user


def funder_viewer(funder=None, **user_fields) -> User:
    return MembershipFactory(
        user=UserFactory(**user_fields), role=Role.FUNDER_VIEWER, office=None, funder=funder or FunderFactory()
    ).user


def administrator(**user_fields) -> User:
    user = UserFactory(is_staff=True, is_superuser=True, **user_fields)
    MembershipFactory(user=user, role=Role.ADMINISTRATOR, office=None)
    return user


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invitata{n}@example.org")
    role = Role.SOCIAL_WORKER
    office = factory.SubFactory(OfficeFactory)
    key = factory.Sequence(lambda n: f"chiave-{n:04d}-" + "x" * 30)
    invited_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


# --- Mediator registry ------------------------------------------------------------------------------------------------


class MediatorFactory(DjangoModelFactory):
    class Meta:
        model = "mediators.Mediator"
        skip_postgeneration_save = True

    provider = factory.SubFactory(ProviderFactory)
    first_name = factory.Faker("first_name", locale="it_IT")
    last_name = factory.Faker("last_name", locale="it_IT")
    gender = "female"
    email = factory.Sequence(lambda n: f"mediatrice{n}@example.org")
    hourly_rate = 20
    travel_rate = "0.35"

    @factory.post_generation
    def districts(self, create, extracted, **kwargs):
        if create:
            self.districts.set(extracted or [DistrictFactory(province=self.provider.province)])

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        """``languages=["ara:Darija", "fra"]``: codes with an optional variant."""
        if create and extracted:
            from mediators.models import MediatorLanguage

            for entry in extracted:
                code, _, variant = entry.partition(":")
                MediatorLanguage.objects.create(mediator=self, code=code, variant=variant)


class SlotFactory(DjangoModelFactory):
    class Meta:
        model = "mediators.AvailabilitySlot"

    mediator = factory.SubFactory(MediatorFactory)
    weekday = 0
    start_time = "09:00"
    end_time = "13:00"


class AbsenceFactory(DjangoModelFactory):
    class Meta:
        model = "mediators.Absence"

    mediator = factory.SubFactory(MediatorFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate())
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))


class QualificationFactory(DjangoModelFactory):
    class Meta:
        model = "mediators.Qualification"

    mediator = factory.SubFactory(MediatorFactory)
    title = "Attestato di mediatore linguistico-culturale"
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=10))


# --- Mediation requests (requests_app) --------------------------------------------------------------------------------


class MediationRequestFactory(DjangoModelFactory):
    """A request of an office, filed by one of its social workers; ``status`` is set as given (no history row:
    tests of the life of a request go through the services). ``languages=["ara:Darija", "fra"]``."""

    class Meta:
        model = "requests_app.MediationRequest"
        skip_postgeneration_save = True

    office = factory.SubFactory(OfficeFactory)
    requester = factory.LazyAttribute(lambda o: social_worker(office=o.office))
    case_code = factory.Sequence(lambda n: f"TM-2025-{n:03d}")
    service_kind = "cultural_mediation"
    setting = "child_protection"
    goal = "Colloquio con la famiglia sul progetto educativo."
    status = "draft"
    submitted_at = factory.LazyAttribute(lambda o: None if o.status == "draft" else timezone.now())

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if not create:
            return
        from requests_app.models import RequestLanguage

        for entry in ["ara:Darija"] if extracted is None else extracted:
            code, _, variant = entry.partition(":")
            RequestLanguage.objects.create(request=self, code=code, variant=variant)
