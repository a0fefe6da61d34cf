"""The FAQ's Italian full-text search on PostgreSQL: stemming, ranking, highlighted snippets that stay escaped, the GIN
index, and hostile queries. Run there with DATABASE_URL (the SQLite fallback is tested in tests/test_faq.py)."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from faq import selectors
from faq.models import Question

from . import factories as f
from .faq_factories import answered

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's full-text search: run there by .ci/run"),
]


@pytest.fixture
def province():
    return f.ProvinceFactory(name="Provincia di Cremona", slug="cremona")


@pytest.fixture
def worker(province):
    return f.social_worker(office=f.OfficeFactory(district=f.DistrictFactory(province=province)))


def test_richiesta_finds_richieste_through_the_italian_stemmer(worker, province):
    found = answered("Le richieste urgenti passano prima.", province=province, title="Tempi del coordinamento")
    answered("Al Comune, con l'ISEE.", province=province, title="Dove si chiedono le riduzioni della mensa?")
    hits = selectors.search(selectors.published(user=worker), "richiesta")
    assert [h.question for h in hits] == [found]


def test_a_match_in_the_title_ranks_before_one_in_the_tags_before_one_in_the_answer(worker, province):
    in_answer = answered("Serve il decreto del tribunale.", province=province, title="Documenti per la comunità")
    in_tags = answered("Dipende.", province=province, title="Incontri protetti", tags="tribunale")
    in_title = answered("Sì, con una richiesta.", province=province, title="Il mediatore va in tribunale?")
    hits = selectors.search(selectors.published(user=worker), "tribunali")
    assert [h.question for h in hits] == [in_title, in_tags, in_answer]


def test_the_snippet_marks_the_words_found_and_escapes_everything_else(worker, province):
    answered(
        "Per le richieste <b>urgenti</b> & i ricongiungimenti familiari serve il nulla osta.",
        province=province,
        title="Ricongiungimento familiare",
        body="Una famiglia chiede <script>alert(1)</script> come fare.",
    )
    [hit] = selectors.search(selectors.published(user=worker), "ricongiungimento")
    assert "<mark>ricongiungimenti</mark>" in hit.snippet
    # ts_headline drops what looks like a tag; whatever is left is escaped: only the marks are HTML.
    assert "<script>" not in hit.snippet and "<b>" not in hit.snippet and "urgenti &amp; i" in hit.snippet


def test_every_word_first_then_any_word_when_none_has_them_all(worker, province):
    answered("Con una richiesta urgente.", province=province, title="Mediatore per un'udienza")
    answered("Con la scuola.", province=province, title="Mediatore per il colloquio con gli insegnanti")
    client = Client()
    client.force_login(worker)
    strict = client.get(reverse("faq:list"), {"q": "mediatore udienza"})
    assert [h.question.title for h in strict.context["hits"]] == ["Mediatore per un'udienza"]
    assert not strict.context["loose"]
    loose = client.get(reverse("faq:list"), {"q": "udienza insegnanti"})
    assert loose.context["loose"] and len(loose.context["hits"]) == 2


def test_the_vector_follows_the_answer_and_the_tags_when_they_change(worker, province):
    question = answered("Niente di particolare.", province=province, title="Una domanda qualsiasi sul servizio")
    assert not selectors.search(selectors.published(user=worker), "pediatra")
    from faq import services

    from .faq_factories import ADMIN, category

    services.question_answer(
        actor=ADMIN, question=question, answer="All'ufficio scelta del pediatra.", category=category(), tags="sanità"
    )
    assert [h.question for h in selectors.search(selectors.published(user=worker), "pediatri")] == [question]
    assert [h.question for h in selectors.search(selectors.published(user=worker), "sanità")] == [question]


@pytest.mark.parametrize("query", ["richiesta & | ! :*", "'\"", "((", "-richiesta", "\x00", "a" * 400, "or or"])
def test_hostile_queries_are_an_answer_never_an_error(worker, province, query):
    answered("Le richieste urgenti passano prima.", province=province)
    client = Client()
    client.force_login(worker)
    assert client.get(reverse("faq:list"), {"q": query}).status_code == 200
    assert client.get(reverse("faq:suggest"), {"title": query}).status_code == 200


def test_the_search_vector_is_indexed_with_gin():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'faq_question_search_idx'")
        (definition,) = cursor.fetchone()
    assert "gin (search_vector)" in definition
    assert Question._meta.db_table in definition


def test_the_search_can_read_the_gin_index(worker, province):
    answered("Le richieste urgenti passano prima.", province=province)
    from django.contrib.postgres.search import SearchQuery

    # The search's condition alone (with a few rows the province's index wins, rightly): the GIN index serves it.
    queryset = Question.objects.filter(search_vector=SearchQuery("richiesta", config="italian"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: the planner would rather read them all
        plan = queryset.explain()
    assert "faq_question_search_idx" in plan, plan
