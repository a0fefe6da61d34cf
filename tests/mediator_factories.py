"""Mediators already on the roster, for the import tests (kept apart from any shared mediator factory)."""

import factory
from factory.django import DjangoModelFactory

from mediators.models import Gender, LanguageLevel, Mediator, MediatorCountry, MediatorLanguage

from .factories import ProviderFactory


class RosterMediatorFactory(DjangoModelFactory):
    """A mediator with ``districts=[...]``, ``languages=[(code, variant), ...]`` and ``countries=[...]``."""

    class Meta:
        model = Mediator
        skip_postgeneration_save = True

    provider = factory.SubFactory(ProviderFactory)
    first_name = factory.Faker("first_name", locale="it_IT")
    last_name = factory.Faker("last_name", locale="it_IT")
    gender = Gender.FEMALE
    email = factory.Sequence(lambda n: f"in.elenco{n}@example.org")

    @factory.post_generation
    def districts(self, create, extracted, **kwargs):
        if create and extracted:
            self.districts.set(extracted)

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create and extracted:
            for code, variant in extracted:
                MediatorLanguage.objects.create(
                    mediator=self, code=code, variant=variant, level=LanguageLevel.MOTHER_TONGUE
                )

    @factory.post_generation
    def countries(self, create, extracted, **kwargs):
        if create and extracted:
            for code in extracted:
                MediatorCountry.objects.create(mediator=self, code=code)
