"""factory-boy factories for the operators' FAQ (faq/)."""

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Role
from accounts.scoping import Actor
from faq import services
from faq.models import Category, Question

from . import factories as f

ADMIN = Actor(user=None, role=Role.ADMINISTRATOR)


def category(code: str = "richieste-incarichi") -> Category:
    found = Category.objects.filter(code=code).first()
    if found is None:
        # A test that emptied the database (a shared world, a transactional test) took the seeded categories with it.
        services.categories_seed()
        found = Category.objects.get(code=code)
    return found


class QuestionFactory(DjangoModelFactory):
    """A question waiting for the province's answer."""

    class Meta:
        model = Question

    province = factory.SubFactory(f.ProvinceFactory)
    title = factory.Sequence(lambda n: f"Come si chiede un mediatore per il caso numero {n}?")
    body = ""
    asked_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


def answered(answer: str = "Con una nuova richiesta dal menu Richieste.", *, tags: str = "", **kwargs) -> Question:
    """A published question: asked through the factory, answered through the service (the HTML is rendered)."""
    question = QuestionFactory(**kwargs)
    return services.question_answer(actor=ADMIN, question=question, answer=answer, category=category(), tags=tags)
