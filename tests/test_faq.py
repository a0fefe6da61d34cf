"""The operators' FAQ: asking without a family's data, answering in safe Markdown, who reads what, votes, the
questions waiting with their age, answers due for review, the accountability figures, fixed query counts."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.scoping import actor_for
from core.errors import DomainError
from faq import selectors, services
from faq.models import Expert, Question, QuestionStatus, Vote
from faq.rendering import render

from . import factories as f
from .faq_factories import ADMIN, QuestionFactory, answered, category

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)


@pytest.fixture
def province():
    return f.ProvinceFactory(name="Provincia di Cremona", slug="cremona")


@pytest.fixture
def worker(province):
    return f.social_worker(office=f.OfficeFactory(district=f.DistrictFactory(province=province)))


@pytest.fixture
def staff(province):
    return f.province_staff(province=province)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Asking -----------------------------------------------------------------------------------------------------------


def test_an_operator_asks_and_the_question_waits_for_the_province(worker, province):
    response = _client(worker).post(
        reverse("faq:ask"),
        {"title": "Come richiedo un mediatore per un'udienza?", "body": "", "province": province.pk},
    )
    question = Question.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("faq:detail", args=[question.pk])
    assert question.status == QuestionStatus.WAITING and question.asked_by == worker
    assert question.province == province


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("title", "Il minore RSSMRA85T10A562S può cambiare scuola?", "codice fiscale"),
        ("body", "Scrivete alla madre a fatima.b@gmail.com per l'appuntamento", "indirizzo e-mail"),
        ("body", "Il padre risponde al 347 123 4567 solo la sera", "numero di telefono"),
    ],
)
def test_a_question_with_a_familys_data_is_refused_with_a_clear_message_and_nothing_saved(
    worker, province, field, text, message
):
    data = {"title": "Una domanda sulla scuola per una famiglia", "body": "", "province": province.pk, field: text}
    response = _client(worker).post(reverse("faq:ask"), data)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert "Mai i dati di una famiglia" in response.content.decode()  # the warning stays on the form
    assert not Question.objects.exists()


def test_a_date_or_a_law_number_in_a_question_is_not_taken_for_a_phone_number(worker, province):
    question = services.question_ask(
        actor=actor_for(worker),
        province=province,
        title="Cosa cambia con la legge 286/1998 per chi arriva dopo il 12/03/2026?",
    )
    assert question.pk


def test_an_answer_may_give_an_offices_contacts_but_never_a_mobile_number(province):
    question = QuestionFactory(province=province)
    services.question_answer(
        actor=ADMIN,
        question=question,
        answer="Scrivete a stranieri@comune.cremona.it o chiamate lo 0372 555 0101.",
        category=category(),
    )
    with pytest.raises(DomainError, match="numero di telefono"):
        services.question_answer(
            actor=ADMIN, question=question, answer="Chiamate la signora al 347 123 4567.", category=category()
        )
    question.refresh_from_db()
    assert "0372 555 0101" in question.answer


def test_a_question_for_another_province_is_refused(worker):
    with pytest.raises(DomainError):
        services.question_ask(
            actor=actor_for(worker), province=f.ProvinceFactory(), title="Una domanda per un'altra provincia"
        )


# --- Answers: safe Markdown -------------------------------------------------------------------------------------------


def test_a_script_in_an_answer_is_removed_and_links_open_safely(worker, province):
    question = answered(
        "Vedi **qui** <script>window.faqInjected = 1</script> [sito](https://www.interno.gov.it) "
        '<img src=x onerror="window.faqInjected = 2"> [trappola](javascript:alert(1)) '
        '<a href="#" onclick="window.faqInjected = 3">clic</a>',
        province=province,
    )
    html = question.answer_html
    assert "<strong>qui</strong>" in html
    assert "<script" not in html and "faqInjected" not in html and "onerror" not in html and "onclick" not in html
    assert "javascript:" not in html and "<img" not in html
    assert '<a href="https://www.interno.gov.it" rel="noopener noreferrer">sito</a>' in html
    page = _client(worker).get(reverse("faq:detail", args=[question.pk])).content.decode()
    assert "faqInjected" not in page and "<strong>qui</strong>" in page


def test_short_links_point_to_another_answer_and_to_the_public_guide():
    html = render("[altra](faq:12) e [guida](guida:6f1c2a9e-3d4b-4c1a-9a57-0c2f3e6b8d10)", province_slug="cremona")
    assert f'href="{reverse("faq:detail", args=[12])}"' in html
    assert 'href="/guida/cremona/6f1c2a9e-3d4b-4c1a-9a57-0c2f3e6b8d10/"' in html


def test_an_answer_is_published_to_every_operator_of_the_province_and_no_one_else(province, staff):
    question = QuestionFactory(province=province)
    services.question_answer(
        actor=actor_for(staff), question=question, answer="Sì, con una richiesta.", category=category()
    )
    question.refresh_from_db()
    assert question.status == QuestionStatus.PUBLISHED and question.owner == staff
    assert question.reviewed_on == timezone.localdate()
    other_district = f.DistrictFactory(province=province)
    mediator = f.mediator(provider=f.ProviderFactory(province=province), districts=[other_district])
    url = reverse("faq:detail", args=[question.pk])
    assert _client(mediator).get(url).status_code == 200
    assert _client(f.coordinator(district=other_district)).get(url).status_code == 200
    assert _client(f.social_worker()).get(url).status_code == 404  # another province
    assert _client(f.funder_viewer()).get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_a_waiting_question_is_read_by_its_asker_and_those_who_answer_not_by_other_operators(worker, province, staff):
    question = QuestionFactory(province=province, asked_by=worker)
    url = reverse("faq:detail", args=[question.pk])
    assert _client(worker).get(url).status_code == 200
    assert _client(staff).get(url).status_code == 200
    colleague = f.social_worker(office=f.OfficeFactory(district=worker.memberships.get().office.district))
    assert _client(colleague).get(url).status_code == 404


def test_an_expert_designated_by_the_province_answers_and_others_may_not(province, staff):
    district = f.DistrictFactory(province=province)
    expert, colleague = f.coordinator(district=district), f.coordinator(district=district)
    services.expert_designate(actor=actor_for(staff), province=province, user=expert, topic="Tribunale")
    question = QuestionFactory(province=province)
    assert _client(colleague).get(reverse("faq:waiting")).status_code == 403
    assert _client(colleague).get(reverse("faq:answer", args=[question.pk])).status_code == 403
    client = _client(expert)
    assert client.get(reverse("faq:waiting")).status_code == 200
    response = client.post(
        reverse("faq:answer", args=[question.pk]),
        {"title": question.title, "answer": "Sì.", "category": category().pk, "tags": "Tribunale, udienza"},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.answered_by == expert and question.tag_names == "tribunale, udienza"
    assert Expert.objects.get().designated_by == staff
    with pytest.raises(DomainError):
        services.expert_designate(actor=actor_for(expert), province=province, user=colleague)


# --- Votes ------------------------------------------------------------------------------------------------------------


def test_an_operator_votes_once_and_can_change_the_vote(worker, province):
    question = answered(province=province)
    client = _client(worker)
    url = reverse("faq:vote", args=[question.pk])
    client.post(url, {"utile": "1"})
    client.post(url, {"utile": "1"})
    question.refresh_from_db()
    assert (question.useful_count, question.not_useful_count) == (1, 0)
    client.post(url, {"utile": "0"})
    question.refresh_from_db()
    assert (question.useful_count, question.not_useful_count) == (0, 1)
    assert Vote.objects.get().useful is False
    page = client.get(reverse("faq:detail", args=[question.pk])).content.decode()
    assert 'value="0" aria-pressed="true"' in page


def test_a_question_without_an_answer_takes_no_vote(worker, province):
    question = QuestionFactory(province=province, asked_by=worker)
    with pytest.raises(DomainError):
        services.vote_cast(actor=actor_for(worker), question=question, useful=True)
    assert not Vote.objects.exists()


# --- The waiting list, reviews, figures (clock frozen) ----------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_province_sees_the_questions_waiting_oldest_first_with_their_age(province, staff):
    for days, title in [(0, "Domanda arrivata oggi, senza risposta"), (20, "Domanda vecchia di venti giorni"),
                        (3, "Domanda di tre giorni fa, in attesa")]:  # fmt: skip
        QuestionFactory(province=province, title=title, asked_at=NOW - timedelta(days=days))
    answered(province=province, title="Domanda con risposta, fuori lista")
    QuestionFactory(title="Domanda di un'altra provincia, fuori lista")
    response = _client(staff).get(reverse("faq:waiting"))
    rows = response.context["questions"]
    assert [(q.title, q.age_days) for q in rows] == [
        ("Domanda vecchia di venti giorni", 20),
        ("Domanda di tre giorni fa, in attesa", 3),
        ("Domanda arrivata oggi, senza risposta", 0),
    ]
    html = response.content.decode()
    assert "20 giorni" in html and "3 giorni" in html and "in ritardo" in html


@time_machine.travel(NOW, tick=False)
def test_an_answer_not_reviewed_for_a_year_is_flagged_until_someone_reviews_it(worker, province, staff):
    question = answered(province=province)
    Question.objects.filter(pk=question.pk).update(reviewed_on=date(2025, 3, 15))
    url = reverse("faq:detail", args=[question.pk])
    assert 'data-testid="faq-to-review"' in _client(worker).get(url).content.decode()
    assert list(selectors.to_review(selectors.published(user=worker))) == [question]
    _client(staff).post(reverse("faq:reviewed", args=[question.pk]))
    question.refresh_from_db()
    assert question.reviewed_on == date(2026, 3, 16)
    assert 'data-testid="faq-to-review"' not in _client(worker).get(url).content.decode()


def test_the_figures_count_questions_asked_and_answered_and_the_median_time_to_answer(province):
    start = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
    for hours_to_answer in (24, 72, 240):
        Question.objects.create(
            province=province,
            title="Una domanda del trimestre con risposta",
            status=QuestionStatus.PUBLISHED,
            asked_at=start,
            answer="Sì.",
            answered_at=start + timedelta(hours=hours_to_answer),
        )
    Question.objects.create(province=province, title="Una domanda ancora in attesa", asked_at=start)
    Question.objects.create(
        province=province, title="Una domanda dell'anno prima", asked_at=datetime(2025, 5, 1, tzinfo=UTC)
    )
    Question.objects.create(province=f.ProvinceFactory(), title="Una domanda di un'altra provincia", asked_at=start)
    figures = selectors.figures(province, date(2026, 1, 1), date(2026, 3, 31))
    assert figures == selectors.Figures(asked=4, answered=3, waiting_at_end=2, median_days_to_answer=3.0)
    empty = selectors.figures(province, date(2024, 1, 1), date(2024, 12, 31))
    assert empty.asked == 0 and empty.median_days_to_answer is None


# --- Suggestions and the fallback search ------------------------------------------------------------------------------


def test_the_ask_form_suggests_existing_answers_while_the_question_is_typed(worker, province):
    answered("Con una nuova richiesta urgente.", province=province, title="Come richiedo un mediatore per un'udienza?")
    answered("Al Comune.", province=province, title="Dove si chiedono le riduzioni della mensa?")
    response = _client(worker).get(reverse("faq:suggest"), {"title": "mediatore per l'udienza in tribunale"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Come richiedo un mediatore per un&#x27;udienza?" in html and "mensa" not in html
    assert _client(worker).get(reverse("faq:suggest"), {"title": "il"}).content.decode().strip() == ""


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the fallback of SQLite (PostgreSQL: test_faq_search)")
def test_the_fallback_search_finds_richieste_for_richiesta_and_ranks_titles_first(worker, province):
    in_answer = answered("Le richieste urgenti hanno la precedenza.", province=province, title="Tempi del servizio")
    in_title = answered("Dal menu.", province=province, title="Dove si fanno le richieste di mediazione?")
    answered("Al Comune.", province=province, title="Dove si chiedono le riduzioni della mensa?")
    hits = selectors.search(selectors.published(user=worker), "richiesta")
    assert [h.question for h in hits] == [in_title, in_answer]
    assert "Le <mark>richieste</mark> urgenti" in hits[1].snippet


def test_the_search_page_escapes_what_it_shows_and_survives_hostile_queries(worker, province):
    answered("Testo <b>grassetto</b> con richieste.", province=province)
    client = _client(worker)
    for query in ["richiesta", "'\"<script>", "a & | ! :*", "\x00richiesta", "x" * 500]:
        response = client.get(reverse("faq:list"), {"q": query})
        assert response.status_code == 200
        assert "<script>" not in response.content.decode().split("<main", 1)[1]


# --- Query counts -----------------------------------------------------------------------------------------------------

# A logged-in page reads the user and the memberships, and on the first page after a login the unread
# notifications of the header; after the first, only the user (tests/test_query_counts.py).
WARM_FRAME = 1


@pytest.mark.parametrize("rows", [3, 30])
def test_the_faq_list_runs_the_same_queries_for_3_and_30_answers(rows, worker, province, django_assert_num_queries):
    for number in range(rows):
        answered(province=province, tags=f"tag {number % 4}, comune")
    QuestionFactory(province=province, asked_by=worker)
    client = _client(worker)
    client.get(reverse("faq:list"))  # the first page after the login reads the roles and the counter
    # + the categories, the answers, their tags, the user's own waiting questions, the expert check.
    with django_assert_num_queries(WARM_FRAME + 5):
        response = client.get(reverse("faq:list"))
    assert response.status_code == 200 and len(response.context["hits"]) == rows


@pytest.mark.parametrize("rows", [3, 30])
def test_the_waiting_list_runs_the_same_queries_for_3_and_30_questions(
    rows, province, staff, django_assert_num_queries
):
    for _ in range(rows):
        QuestionFactory(province=province, category=category())
    client = _client(staff)
    client.get(reverse("faq:waiting"))
    # + the questions with their category and province.
    with django_assert_num_queries(WARM_FRAME + 1):
        response = client.get(reverse("faq:waiting"))
    assert response.status_code == 200 and len(response.context["questions"]) == rows


# --- Experts ----------------------------------------------------------------------------------------------------------


def test_the_province_designates_an_expert_of_its_province_and_ends_the_designation(province, staff):
    district = f.DistrictFactory(province=province)
    coordinator = f.coordinator(district=district, first_name="Laura", last_name="Rossi")
    outsider = f.coordinator()
    client = _client(staff)
    page = client.get(reverse("faq:experts"))
    assert coordinator in page.context["form"].fields["user"].queryset
    assert outsider not in page.context["form"].fields["user"].queryset
    refused = client.post(reverse("faq:experts"), {"user": outsider.pk, "province": province.pk, "topic": "Scuola"})
    assert refused.status_code == 200 and not Expert.objects.exists()
    response = client.post(reverse("faq:experts"), {"user": coordinator.pk, "province": province.pk, "topic": "Scuola"})
    assert response.status_code == 302
    expert = Expert.objects.get()
    assert (expert.user, expert.topic, expert.designated_by) == (coordinator, "Scuola", staff)
    assert "Laura Rossi" in client.get(reverse("faq:experts")).content.decode()
    assert _client(coordinator).get(reverse("faq:waiting")).status_code == 200
    client.post(reverse("faq:expert_remove", args=[expert.pk]))
    assert not Expert.objects.exists()
    assert _client(coordinator).get(reverse("faq:waiting")).status_code == 403
