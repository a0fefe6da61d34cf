"""Demo FAQ: 30 answered questions for the province of Cremona and a few for Bergamo, in the six categories, with
tags, questions waiting for an answer (from today to three weeks old), votes, answers past their yearly review, links
to the mini-guide and to another answer; coordinatore.cremona is designated as an expert.

Idempotent: a question is found again by its province and text and rewritten in place; votes are set, not added.
Runs after the guide's builder (the answers link to its entries).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.demo import demo_email
from accounts.models import Province, User
from guide import demo as guide_demo
from guide.models import ServiceAtLocation

from .demo_texts import BERGAMO, BERGAMO_WAITING, CREMONA, CREMONA_WAITING
from .models import Expert, Question, QuestionStatus, Tag, Vote
from .rendering import plain_text, render
from .services import categories_seed
from .services.questions import parse_tags

# The guide entries the answers link to ("guida:sportello"): the district of Cremona's.
GUIDE_LINKS = {"sportello": "cremona/Cremona/sportello", "cpia": "cremona/Cremona/cpia",
               "pediatra": "cremona/Cremona/pediatra"}  # fmt: skip
# Who votes on the first answers of Cremona: (question index, user, useful).
VOTES = [
    (0, "assistente.crema", True), (0, "mediatore.cremona", True), (0, "coordinatore.crema", True),
    (11, "assistente.crema", True), (11, "mediatore.crema", False), (16, "assistente.crema", True),
    (16, "coordinatore.cremona", True), (24, "mediatore.crema", True), (1, "mediatore.cremona", False),
]  # fmt: skip


def _users() -> dict[str, User]:
    names = {"assistente.cremona", "assistente.crema", "assistente.bergamo", "coordinatore.cremona",
             "coordinatore.crema", "mediatore.cremona", "mediatore.crema", "mediatore.bergamo", "provincia.cremona",
             "provincia.bergamo"}  # fmt: skip
    found = {u.email: u for u in User.objects.filter(email__in=[demo_email(n) for n in names])}
    return {n: found.get(demo_email(n)) for n in names}


def _guide_url_ids() -> dict[str, str]:
    ids = {}
    for short, key in GUIDE_LINKS.items():
        pk = uuid.uuid5(guide_demo.NAMESPACE, f"entry/{key}")
        if ServiceAtLocation.objects.filter(pk=pk, is_public=True).exists():
            ids[short] = str(pk)
    return ids


def _question(*, province, category, title, body, asked_at, asker) -> Question:
    question = Question.objects.filter(province=province, title=title).first() or Question(
        province=province, title=title
    )
    question.body, question.category, question.asked_at, question.asked_by = body, category, asked_at, asker
    return question


def _answered(province, rows, users, categories, now, links) -> list[Question]:
    staff = users[f"provincia.{province.slug}"]
    built = []
    for category, tags, title, body, answer, answered_days, reviewed_days, asker in rows:
        answered_at = now - timedelta(days=answered_days)
        question = _question(
            province=province,
            category=categories[category],
            title=title,
            body=body,
            asked_at=answered_at - timedelta(days=2 + len(title) % 5, hours=3),
            asker=users[asker],
        )
        for short, pk in links.items():
            answer = answer.replace(f"](guida:{short})", f"](guida:{pk})")
        question.answer = answer
        question.status = QuestionStatus.PUBLISHED
        question.answered_at, question.answered_by, question.owner = answered_at, staff, staff
        question.reviewed_on = timezone.localdate(now) - timedelta(days=reviewed_days)
        parsed = parse_tags(tags)
        question.tag_names = ", ".join(name for _slug, name in parsed)
        question.save()
        question.tags.set([Tag.objects.get_or_create(slug=slug, defaults={"name": name})[0] for slug, name in parsed])
        built.append(question)
    return built


def _render_all(questions: list[Question], compensi: Question | None) -> None:
    for question in questions:
        answer = question.answer
        if compensi is not None:
            answer = answer.replace("](faq:compensi)", f"](faq:{compensi.pk})")
        question.answer = answer
        question.answer_html = render(answer, province_slug=question.province.slug)
        question.answer_text = plain_text(question.answer_html)
        question.save()


def _waiting(province, rows, users, categories, now) -> None:
    for category, title, body, days, asker in rows:
        question = _question(
            province=province,
            category=categories.get(category),
            title=title,
            body=body,
            asked_at=now - timedelta(days=days, hours=2),
            asker=users[asker],
        )
        question.status, question.answer, question.answered_at = QuestionStatus.WAITING, "", None
        question.save()


@transaction.atomic
def build() -> dict[str, list[Question]]:
    """The demo FAQ. Needs the provinces and users of the accounts builder, and the guide's for the links."""
    categories = {c.code: c for c in categories_seed()}
    users = _users()
    now = timezone.now()
    provinces = {p.slug: p for p in Province.objects.filter(slug__in=["cremona", "bergamo"])}
    links = _guide_url_ids()
    cremona = _answered(provinces["cremona"], CREMONA, users, categories, now, links)
    bergamo = _answered(provinces["bergamo"], BERGAMO, users, categories, now, {})
    compensi = next((q for q in cremona if "non si presenta" in q.title), None)
    _render_all(cremona + bergamo, compensi)
    _waiting(provinces["cremona"], CREMONA_WAITING, users, categories, now)
    _waiting(provinces["bergamo"], BERGAMO_WAITING, users, categories, now)
    for index, who, useful in VOTES:
        Vote.objects.update_or_create(question=cremona[index], user=users[who], defaults={"useful": useful})
    for question in cremona + bergamo:
        votes = list(question.votes.values_list("useful", flat=True))
        Question.objects.filter(pk=question.pk).update(
            useful_count=sum(votes), not_useful_count=len(votes) - sum(votes)
        )
    Expert.objects.update_or_create(
        province=provinces["cremona"],
        user=users["coordinatore.cremona"],
        defaults={"topic": "Tutela minori e tribunale", "designated_by": users["provincia.cremona"]},
    )
    return {"cremona": cremona, "bergamo": bergamo}
