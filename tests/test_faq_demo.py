"""The demo FAQ: 30 answers for Cremona in the six categories and a few for Bergamo, questions waiting of various
ages, votes, links that lead somewhere, and the same rows when built twice."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import demo as accounts_demo
from faq import demo as faq_demo
from faq.models import Category, Expert, Question, Vote
from guide import demo as guide_demo
from mediators import demo as mediators_demo

from .conftest import shared_world

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _faq_world(django_db_setup, django_db_blocker):
    """The demo FAQ and what it stands on, built once for the module (conftest.shared_world)."""
    with shared_world(django_db_blocker):
        accounts_demo.build()
        mediators_demo.build()
        guide_demo.build()
        yield faq_demo.build()


@pytest.fixture
def demo_faq(_faq_world, db):
    """Each test reads the module's demo through its own transaction, rolled back after it."""
    return _faq_world


def test_cremona_has_thirty_answers_across_the_six_categories_and_bergamo_a_few(demo_faq):
    cremona = Question.objects.filter(province__slug="cremona", status="published")
    assert cremona.count() == 30
    assert set(cremona.values_list("category__code", flat=True)) == set(Category.objects.values_list("code", flat=True))
    assert Question.objects.filter(province__slug="bergamo", status="published").count() == 3
    assert all(q.tag_names for q in cremona)
    assert cremona.filter(reviewed_on__lt=timezone.localdate() - timedelta(days=365)).exists()


def test_questions_wait_for_various_ages_and_answers_have_votes(demo_faq):
    ages = sorted(
        (timezone.now() - q.asked_at).days for q in Question.objects.filter(province__slug="cremona", status="waiting")
    )
    assert ages == [0, 2, 9, 23]
    assert Vote.objects.count() >= 8
    assert Question.objects.filter(useful_count__gt=0).exists()
    assert Expert.objects.filter(user__email="coordinatore.cremona@example.org").exists()


def test_the_links_of_the_demo_answers_lead_to_the_guide_and_to_another_answer(demo_faq):
    html = " ".join(Question.objects.values_list("answer_html", flat=True))
    assert "guida:" not in html and "faq:" not in html
    assert 'href="/guida/cremona/' in html and 'href="/domande/' in html


def test_building_the_demo_twice_gives_the_same_rows(demo_faq):
    before = (Question.objects.count(), Vote.objects.count(), Expert.objects.count())
    faq_demo.build()
    assert (Question.objects.count(), Vote.objects.count(), Expert.objects.count()) == before
    assert before[0] == 30 + 4 + 3 + 1


def test_the_demo_answers_open_for_a_cremona_social_worker(demo_faq):
    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email="assistente.cremona@example.org"))
    question = Question.objects.get(title__startswith="Quali documenti servono")
    page = client.get(reverse("faq:detail", args=[question.pk])).content.decode()
    assert "Sportello unico per l&#x27;immigrazione" in page or "Sportello unico per l'immigrazione" in page
